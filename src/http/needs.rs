//! `/api/v1/needs` and a stakeholder's needs: what entrepreneurs and groups ask for.

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
use crate::domain::need::{Need, NeedInput};
use crate::domain::record::{Provenance, Status};
use crate::store::registry::Change;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stakeholders/{id}/needs", post(create).get(list_of))
        .route("/needs/{id}", get(show).patch(update).delete(archive))
}

const NEED_FIELDS: &[&str] = &[
    "kind",
    "title",
    "description",
    "sector",
    "amount_inr",
    "attendees",
    "status",
];

async fn create(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(stakeholder_id): PathParam<String>,
    JsonBody(input): JsonBody<NeedInput>,
) -> AppResult<Response> {
    writable_owner(&app, &caller, &stakeholder_id).await?;
    let data = input.validate_with(&app.store.catalog().await?)?;
    let need = app
        .store
        .insert_need(&stakeholder_id, &data, &Provenance::api(&caller.name))
        .await?;
    let location = format!("/api/v1/needs/{}", need.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(need)).into_response())
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
) -> AppResult<Json<Vec<Need>>> {
    app.store
        .get_stakeholder(&stakeholder_id)
        .await?
        .filter(|s| visible_to(&caller, s.meta.status))
        .ok_or_else(|| AppError::not_found("stakeholder"))?;
    let statuses = status_filter(&caller, query.status.as_deref())?;
    Ok(Json(
        app.store.list_needs_of(&stakeholder_id, &statuses).await?,
    ))
}

async fn show(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Response> {
    let need = app
        .store
        .get_need(&id)
        .await?
        .filter(|o| visible_to(&caller, o.meta.status))
        .ok_or_else(|| AppError::not_found("need"))?;
    Ok(patch::with_etag(need.meta.version, need))
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
        .get_need(&id)
        .await?
        .ok_or_else(|| AppError::not_found("need"))?
        .stakeholder_id;
    let _owner = writable_owner(&app, &caller.0, &stakeholder_id).await?;
    let catalog = app.store.catalog().await?;
    let updated = app
        .store
        .edit_need_with(&id, &caller.0.name, |current| {
            patch::based_on(if_match, &current.meta)?;
            let status = status.filter(|s| *s != current.meta.status);
            if status.is_some() {
                caller.require_moderator()?;
            }
            let data = if patch::touches_content(&body) {
                let input = patch::apply(&current.data.to_input(), &body, NEED_FIELDS)?;
                Some(input.validate_with(&catalog)?).filter(|d| *d != current.data)
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
) -> AppResult<Json<Need>> {
    caller.require_moderator()?;
    let need = app
        .store
        .get_need(&id)
        .await?
        .ok_or_else(|| AppError::not_found("need"))?;
    writable_owner(&app, &caller.0, &need.stakeholder_id).await?;
    Ok(Json(
        app.store
            .set_need_status(&id, Status::Archived, &caller.0.name)
            .await?,
    ))
}
