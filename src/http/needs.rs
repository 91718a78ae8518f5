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
use super::error::AppResult;
use super::extract::{Authenticated, JsonBody, MaybeCaller, PathParam, QueryParams};
use super::patch;
use super::stakeholders::status_filter;
use crate::app::registry;
use crate::domain::need::{Need, NeedInput};

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
    let created = registry::create_need(&app.store, &caller, &stakeholder_id, input).await?;
    let location = format!("/api/v1/needs/{}", created.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(created)).into_response())
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
    let statuses = status_filter(&caller, query.status.as_deref())?;
    Ok(Json(
        registry::needs_of(&app.store, caller.as_ref(), &stakeholder_id, &statuses).await?,
    ))
}

async fn show(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Response> {
    let found = registry::show_need(&app.store, caller.as_ref(), &id).await?;
    Ok(patch::with_etag(found.meta.version, found))
}

/// Edits fields (a merge patch) and, for facilitators, moves the status, in one transaction on
/// the record as stored (see [`registry::edit_need`]).
async fn update(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> AppResult<Response> {
    let based_on = patch::if_match(&headers)?;
    let status = patch::requested_status(&body)?;
    let content = patch::touches_content(&body).then_some(
        |current: &Need| -> crate::app::Result<NeedInput> {
            patch::apply(&current.data.to_input(), &body, NEED_FIELDS).map_err(patch::as_invalid)
        },
    );
    let edit = registry::RecordEdit {
        based_on,
        content,
        status,
    };
    let updated = registry::edit_need(&app.store, &caller, &id, edit).await?;
    Ok(patch::with_etag(updated.meta.version, updated))
}

async fn archive(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Need>> {
    Ok(Json(
        registry::archive_need(&app.store, &caller, &id).await?,
    ))
}
