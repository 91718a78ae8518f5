//! `/api/v1/needs` and a stakeholder's needs: what entrepreneurs and groups ask for.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
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
) -> AppResult<Json<Need>> {
    let need = app
        .store
        .get_need(&id)
        .await?
        .filter(|o| visible_to(&caller, o.meta.status))
        .ok_or_else(|| AppError::not_found("need"))?;
    Ok(Json(need))
}

async fn update(
    State(app): State<AppState>,
    caller: Authenticated,
    PathParam(id): PathParam<String>,
    JsonBody(body): JsonBody<Value>,
) -> AppResult<Json<Need>> {
    let current = app
        .store
        .get_need(&id)
        .await?
        .ok_or_else(|| AppError::not_found("need"))?;
    writable_owner(&app, &caller.0, &current.stakeholder_id).await?;
    let status = patch::requested_status(&body)?;
    if status.is_some_and(|s| s != current.meta.status) {
        caller.require_moderator()?;
    }
    let data = if patch::touches_content(&body) {
        let input = patch::apply(&current.data.to_input(), &body, NEED_FIELDS)?;
        Some(input.validate_with(&app.store.catalog().await?)?)
    } else {
        None
    };
    let mut updated = current.clone();
    if let Some(data) = data.filter(|d| *d != current.data) {
        updated = app.store.update_need(&id, &data).await?;
    }
    if let Some(status) = status.filter(|s| *s != current.meta.status) {
        updated = app.store.set_need_status(&id, status).await?;
    }
    Ok(Json(updated))
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
        app.store.set_need_status(&id, Status::Archived).await?,
    ))
}
