//! `/api/v1/linkages/{id}`: moving a linkage along its lifecycle, and a stakeholder's record of
//! linkages.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::AppResult;
use super::extract::{Authenticated, JsonBody, MaybeCaller, PathParam};
use crate::app::planning;
use crate::domain::meeting::{Linkage, LinkageMoveInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show, update))
        .routes(routes!(record))
}

/// A linkage; with a token also its reasons, note and history (who moved it when, and why).
/// Without one, no reasons: they are the person's profile facts ("age 31 within 18–45").
#[utoipa::path(
    get,
    path = "/linkages/{id}",
    tag = "meetings",
    operation_id = "getLinkage",
    summary = r#"One linkage"#,
    description = r#"With a token also its `reasons`, `note` and `history` (every move, who made it, when and why); without one `reasons` is empty, `note` is null and there is no `history`: the reasons are the person's profile facts ("age 31 within 18–45", "open to female applicants"), which need a token like the profile itself."#,
    params(
        ("id" = String, Path, description = r#"Linkage id."#, example = json!("lk_01936b41c2d07e5f8b1d9c3e6a4f2b81")),
    ),
    responses(
        (status = 200, description = r#"The linkage."#, content((ref("#/components/schemas/Linkage") = "application/json"))),
        (status = 401, description = r#"No token, or an unknown or revoked one."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}})))),
        (status = 404, description = r#"No record with this id."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "not_found", "message": "no stakeholder with this id"}})))),
    ),
    security((), ("bearerAuth" = [])),
)]
async fn show(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Value>> {
    let (linkage, history) = planning::show_linkage(&app.store, caller.as_ref(), &id).await?;
    let mut shown = json!(linkage);
    if let Some(history) = history {
        shown["history"] = json!(history);
    }
    Ok(Json(shown))
}

/// Moves a linkage: suggested → proposed → accepted → completed, or declined from any of the
/// first three. Anything else is refused with the moves that are allowed, and changes nothing.
#[utoipa::path(
    patch,
    path = "/linkages/{id}",
    tag = "meetings",
    operation_id = "moveLinkage",
    summary = r#"Move a linkage along its lifecycle"#,
    description = r#"`suggested` → `proposed` → `accepted` → `completed`; `declined` from any of the first three. `completed` and `declined` are final. Any other move is refused with 422 naming the moves allowed, and changes nothing. Asking for the status the linkage already has is a harmless repeat (it only stores a new `note`, if one is sent). Two people moving the same linkage at once: the second gets 409. Each move is kept in the linkage's history."#,
    params(
        ("id" = String, Path, description = r#"Linkage id."#, example = json!("lk_01936b41c2d07e5f8b1d9c3e6a4f2b81")),
    ),
    request_body(content((ref("#/components/schemas/LinkageMove") = "application/json", example = json!({"status": "accepted", "note": "Branch manager agreed at the meeting; file by 20 December"})))),
    responses(
        (status = 200, description = r#"The linkage after the move."#, content((ref("#/components/schemas/Linkage") = "application/json"))),
        (status = 403, description = r#"The token is limited to districts and the record, or the district it names, is in another; or the token's role may not do this. Nothing changes."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "forbidden", "message": "this token writes only in up-mirzapur; `up-bhadohi` is not one of them"}})))),
        (status = 400, description = r#"Malformed request: the body is not valid JSON or UTF-8, or a query parameter has the wrong type."#, content((ref("#/components/schemas/Error") = "application/json", examples(("body" = (summary = r#"Broken JSON"#, value = json!({"error": {"code": "bad_request", "message": "the body is not valid JSON: EOF while parsing an object at line 1 column 9"}}))), ("query" = (summary = r#"limit=abc"#, value = json!({"error": {"code": "bad_request", "message": "bad query parameter: invalid digit found in string"}}))))))),
        (status = 401, description = r#"No token, or an unknown or revoked one."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}})))),
        (status = 404, description = r#"No record with this id."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "not_found", "message": "no stakeholder with this id"}})))),
        (status = 409, description = r#"Someone else moved the linkage meanwhile (read it again), or the move would give out more seats or budget than the offering has left, counting every linkage proposed, accepted or completed in any meeting (the message says how many seats are left); nothing is changed."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 413, description = r#"The body is over 256 KiB."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "payload_too_large", "message": "the request body is larger than 262144 bytes"}})))),
        (status = 415, description = r#"The body was not sent as JSON."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unsupported_media_type", "message": "send JSON with Content-Type: application/json"}})))),
        (status = 422, description = r#"Well-formed JSON with wrong values. `fields` names every wrong field and why."#, content((ref("#/components/schemas/Error") = "application/json", examples(("stakeholder" = (summary = r#"Several fields wrong at once"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"contact.phone": "must be a 10-digit Indian mobile number, or a landline with its STD code (05442 252525), optionally with +91 or 0 before it", "district": "unknown district `up-atlantis`; see GET /api/v1/districts", "kind": "unknown kind `farmer`: must be one of micro_entrepreneur, shg, fpo, mfi, bank, rseti, line_department, ngo, buyer, other", "profile.age": "must be between 14 and 100"}}}))), ("offering" = (summary = r#"Amounts and ages"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"eligibility.max_age": "is below min_age (16 < 18)", "eligibility.min_amount_inr": "must be between ₹0 and ₹10 crore", "valid_until": "2020-03-31 is in the past"}}}))), ("query" = (summary = r#"limit=0"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"limit": "must be between 1 and 500"}}}))), ("patch" = (summary = r#"A typo in a PATCH"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"nmae": "unknown field; may be one of kind, name, name_local, district, districts_served, description, contact, profile, status"}}}))))))),
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["consultant", "facilitator", "admin"]))),
)]
async fn update(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    JsonBody(input): JsonBody<LinkageMoveInput>,
) -> AppResult<Json<Linkage>> {
    Ok(Json(
        planning::move_linkage(&app.store, &caller, &id, input).await?,
    ))
}

/// How a stakeholder's linkages stand: as the provider of offerings and as the one with needs.
#[utoipa::path(
    get,
    path = "/stakeholders/{id}/record",
    tag = "meetings",
    operation_id = "stakeholderRecord",
    summary = r#"How a stakeholder's linkages stand"#,
    description = r#"Counts of linkages by status: `as_provider` through its offerings, `as_entrepreneur` through its needs. Every status is present."#,
    params(
        ("id" = String, Path, description = r#"Stakeholder id."#, example = json!("st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8")),
    ),
    responses(
        (status = 200, description = r#"The record."#, content((ref("#/components/schemas/LinkageRecord") = "application/json", example = json!({"stakeholder_id": "st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8", "linkages": {"as_provider": {"suggested": 3, "proposed": 1, "accepted": 2, "declined": 0, "completed": 5}, "as_entrepreneur": {"suggested": 0, "proposed": 0, "accepted": 0, "declined": 0, "completed": 0}}})))),
        (status = 401, description = r#"No token, or an unknown or revoked one."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}})))),
        (status = 404, description = r#"No record with this id."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "not_found", "message": "no stakeholder with this id"}})))),
    ),
    security((), ("bearerAuth" = [])),
)]
async fn record(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Value>> {
    let counts = planning::linkage_record(&app.store, caller.as_ref(), &id).await?;
    Ok(Json(json!({
        "stakeholder_id": id,
        "linkages": counts,
    })))
}
