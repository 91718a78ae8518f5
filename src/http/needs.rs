//! `/api/v1/needs` and a stakeholder's needs: what entrepreneurs and groups ask for.

use axum::Json;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::AppResult;
use super::extract::{Authenticated, JsonBody, MaybeCaller, PathParam, QueryParams};
use super::patch;
use super::stakeholders::status_filter;
use crate::app::registry;
use crate::domain::need::{Need, NeedInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list_of))
        .routes(routes!(show, update, archive))
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

#[utoipa::path(
    post,
    path = "/stakeholders/{id}/needs",
    tag = "needs",
    operation_id = "createNeed",
    summary = r#"Add a need"#,
    description = r#"The need takes the stakeholder's status (a pending stakeholder's need is pending) and its home district. Unknown keys in the body are ignored."#,
    params(
        ("id" = String, Path, description = r#"Stakeholder id."#, example = json!("st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8")),
    ),
    request_body(content((crate::domain::need::NeedInput = "application/json", examples(("loan" = (summary = r#"A loan, in romanized Hindi"#, value = json!({"kind": "finance", "title": "Loan for two sewing machines", "description": "silai machine ke liye loan", "sector": "tailoring", "amount_inr": 45000}))), ("buyer" = (summary = r#"A buyer, in Hindi"#, value = json!({"kind": "market", "title": "कालीन के लिए खरीदार", "description": "हर महीने 20 कालीन तैयार होते हैं।", "sector": "carpets"}))))))),
    responses(
        (status = 201, description = r#"Stored; the reply is the stored need."#, content((crate::domain::need::Need = "application/json", example = json!({"id": "nd_01936b31f0e27d4c9a6b8e1f3c5d7a92", "stakeholder_id": "st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8", "district": "up-mirzapur", "kind": "finance", "title": "Loan for two sewing machines", "description": "silai machine ke liye loan", "sector": "tailoring", "amount_inr": 45000, "status": "active", "created_via": "api", "created_by": "MEC Mirzapur", "created_at": "2026-11-23T08:05:51.907Z", "updated_at": "2026-11-23T08:05:51.907Z", "demo": false}))), headers(("Location" = String, description = r#"Path of the new record, e.g. `/api/v1/stakeholders/st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8`."#))),
        crate::http::responses::ForbiddenToWrite,
        crate::http::responses::JsonWriteErrors,
        crate::http::responses::NotFound,
        crate::http::responses::OwnerArchived,
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["consultant", "facilitator", "admin"]))),
)]
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

#[utoipa::path(
    get,
    path = "/stakeholders/{id}/needs",
    tag = "needs",
    operation_id = "listNeedsOf",
    summary = r#"A stakeholder's needs"#,
    description = r#"Oldest first, not paged. By default only `active` ones; `status` (with a token) shows others."#,
    params(
        ("id" = String, Path, description = r#"Stakeholder id."#, example = json!("st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8")),
        ("status" = inline(Option<crate::http::openapi::StatusParam>), Query, description = r#"Which statuses to include; default `active`. Anything but `active` needs a token: `pending` is the queue of public registrations waiting for approval."#),
    ),
    responses(
        (status = 200, description = r#"The needs (maybe none)."#, content(([crate::domain::need::Need] = "application/json"))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::NotFound,
        crate::http::responses::Invalid,
    ),
    security((), ("bearerAuth" = [])),
)]
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

#[utoipa::path(
    get,
    path = "/needs/{id}",
    tag = "needs",
    operation_id = "getNeed",
    summary = r#"One need"#,
    description = r#"Without a token only `active` needs are visible."#,
    params(
        ("id" = String, Path, description = r#"Need id."#, example = json!("nd_01936b31f0e27d4c9a6b8e1f3c5d7a92")),
    ),
    responses(
        (status = 200, description = r#"The need."#, content((crate::domain::need::Need = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::NotFound,
    ),
    security((), ("bearerAuth" = [])),
)]
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
#[utoipa::path(
    patch,
    path = "/needs/{id}",
    tag = "needs",
    operation_id = "updateNeed",
    summary = r#"Edit a need, or change its status"#,
    description = r#"A JSON merge patch (RFC 7396), checked like a new need; `null` removes a field. `status` is for facilitators and admins. Unknown keys are refused (422)."#,
    params(
        ("id" = String, Path, description = r#"Need id."#, example = json!("nd_01936b31f0e27d4c9a6b8e1f3c5d7a92")),
    ),
    request_body(content((crate::http::openapi::NeedPatch = "application/json", examples(("amount" = (summary = r#"A larger amount"#, value = json!({"amount_inr": 60000}))), ("noAmount" = (summary = r#"Amount not known yet"#, value = json!({"amount_inr": null}))), ("archive" = (summary = r#"Archive (facilitator, admin)"#, value = json!({"status": "archived"}))))), (crate::http::openapi::NeedPatch = "application/merge-patch+json"))),
    responses(
        (status = 200, description = r#"The need after the change."#, content((crate::domain::need::Need = "application/json"))),
        crate::http::responses::JsonWriteErrors,
        crate::http::responses::Forbidden,
        crate::http::responses::NotFound,
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["consultant", "facilitator", "admin"]))),
)]
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

#[utoipa::path(
    delete,
    path = "/needs/{id}",
    tag = "needs",
    operation_id = "archiveNeed",
    summary = r#"Archive a need"#,
    description = r#"Nothing is deleted; the need becomes `archived`. Restore with `PATCH {"status": "active"}`. It is still there to read: `GET` with a token answers 200 with `status: "archived"` (without a token it is 404, like every record that is not active)."#,
    params(
        ("id" = String, Path, description = r#"Need id."#, example = json!("nd_01936b31f0e27d4c9a6b8e1f3c5d7a92")),
    ),
    responses(
        (status = 200, description = r#"The archived need."#, content((crate::domain::need::Need = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::Forbidden,
        crate::http::responses::NotFound,
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["facilitator", "admin"]))),
)]
async fn archive(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Need>> {
    Ok(Json(
        registry::archive_need(&app.store, &caller, &id).await?,
    ))
}
