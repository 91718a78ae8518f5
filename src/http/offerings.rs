//! `/api/v1/offerings` and a stakeholder's offerings: what providers give.

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, JsonBody, MaybeCaller, PathParam, QueryParams};
use super::patch;
use super::stakeholders::{status_filter, visible_to, writable_owner};
use crate::domain::offering::{Offering, OfferingInput};
use crate::domain::record::{Provenance, Status};
use crate::store::registry::Change;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stakeholders/{id}/offerings", post(create).get(list_of))
        .route("/offerings/{id}", get(show).patch(update).delete(archive))
}

const OFFERING_FIELDS: &[&str] = &[
    "kind",
    "title",
    "description",
    "sectors",
    "districts",
    "eligibility",
    "terms",
    "valid_until",
    "status",
];

async fn create(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(stakeholder_id): PathParam<String>,
    JsonBody(input): JsonBody<OfferingInput>,
) -> AppResult<Response> {
    let provider = writable_owner(&app, &caller, &stakeholder_id).await?;
    let data = input.validate_with(
        &app.store.catalog().await?,
        &provider.data.districts_served,
        None,
    )?;
    let offering = app
        .store
        .insert_offering(&stakeholder_id, &data, &Provenance::api(&caller.name))
        .await?;
    let location = format!("/api/v1/offerings/{}", offering.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(offering)).into_response())
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
}

async fn list_of(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(stakeholder_id): PathParam<String>,
    QueryParams(query): QueryParams<ListQuery>,
) -> AppResult<Json<Vec<Offering>>> {
    app.store
        .get_stakeholder(&stakeholder_id)
        .await?
        .filter(|s| visible_to(&caller, s.meta.status))
        .ok_or_else(|| AppError::not_found("stakeholder"))?;
    let statuses = status_filter(&caller, query.status.as_deref())?;
    Ok(Json(
        app.store
            .list_offerings_of(&stakeholder_id, &statuses)
            .await?,
    ))
}

async fn show(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Response> {
    let offering = app
        .store
        .get_offering(&id)
        .await?
        .filter(|o| visible_to(&caller, o.meta.status))
        .ok_or_else(|| AppError::not_found("offering"))?;
    Ok(patch::with_etag(offering.meta.version, offering))
}

async fn update(
    State(app): State<AppState>,
    caller: Authenticated,
    PathParam(id): PathParam<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> AppResult<Response> {
    let if_match = patch::if_match(&headers)?;
    let status = patch::requested_status(&body)?;
    let stakeholder_id = app
        .store
        .get_offering(&id)
        .await?
        .ok_or_else(|| AppError::not_found("offering"))?
        .stakeholder_id;
    let provider = writable_owner(&app, &caller.0, &stakeholder_id).await?;
    let catalog = app.store.catalog().await?;
    let updated = app
        .store
        .edit_offering_with(&id, &caller.0.name, |current| {
            patch::based_on(if_match, &current.meta)?;
            let status = status.filter(|s| *s != current.meta.status);
            if status.is_some() {
                caller.require_moderator()?;
            }
            let data = if patch::touches_content(&body) {
                let input = patch::apply(&current.data.to_input(), &body, OFFERING_FIELDS)?;
                Some(input.validate_with(
                    &catalog,
                    &provider.data.districts_served,
                    current.data.valid_until.as_deref(),
                )?)
                .filter(|d| *d != current.data)
            } else {
                None
            };
            Ok::<_, AppError>(
                (data.is_some() || status.is_some()).then_some(Change { data, status }),
            )
        })
        .await?;
    Ok(patch::with_etag(updated.meta.version, updated))
}

async fn archive(
    State(app): State<AppState>,
    caller: Authenticated,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Offering>> {
    caller.require_moderator()?;
    let offering = app
        .store
        .get_offering(&id)
        .await?
        .ok_or_else(|| AppError::not_found("offering"))?;
    writable_owner(&app, &caller.0, &offering.stakeholder_id).await?;
    Ok(Json(
        app.store
            .set_offering_status(&id, Status::Archived, &caller.0.name)
            .await?,
    ))
}
