//! `/api/v1/linkages/{id}`: moving a linkage along its lifecycle, and a stakeholder's record of
//! linkages.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::AppResult;
use super::extract::{Authenticated, JsonBody, MaybeCaller, PathParam};
use crate::app::planning;
use crate::domain::meeting::{Linkage, LinkageEvent, LinkageMoveInput};
use crate::store::meetings::LinkageCounts;

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
        (status = 200, description = r#"The linkage."#, content((LinkageShown = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::NotFound,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn show(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<LinkageShown>> {
    let (linkage, history) = planning::show_linkage(&app.store, caller.as_ref(), &id).await?;
    Ok(Json(LinkageShown { linkage, history }))
}

/// A linkage, with its history for callers with a token.
#[derive(Serialize, ToSchema)]
struct LinkageShown {
    #[serde(flatten)]
    linkage: Linkage,
    /// Every move, who made it, when and why. Only with a token.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    history: Option<Vec<LinkageEvent>>,
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
    request_body(content((crate::domain::meeting::LinkageMoveInput = "application/json", example = json!({"status": "accepted", "note": "Branch manager agreed at the meeting; file by 20 December"})))),
    responses(
        (status = 200, description = r#"The linkage after the move."#, content((crate::domain::meeting::Linkage = "application/json"))),
        crate::http::responses::ForbiddenToWrite,
        crate::http::responses::JsonWriteErrors,
        crate::http::responses::NotFound,
        (status = 409, description = r#"Someone else moved the linkage meanwhile (read it again), or the move would give out more seats or budget than the offering has left, counting every linkage proposed, accepted or completed in any meeting (the message says how many seats are left); nothing is changed."#, content((crate::http::error::ErrorReply = "application/json"))),
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
        (status = 200, description = r#"The record."#, content((LinkageRecord = "application/json", example = json!({"stakeholder_id": "st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8", "linkages": {"as_provider": {"suggested": 3, "proposed": 1, "accepted": 2, "declined": 0, "completed": 5}, "as_entrepreneur": {"suggested": 0, "proposed": 0, "accepted": 0, "declined": 0, "completed": 0}}})))),
        crate::http::responses::Unauthorized,
        crate::http::responses::NotFound,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn record(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<LinkageRecord>> {
    let linkages = planning::linkage_record(&app.store, caller.as_ref(), &id).await?;
    Ok(Json(LinkageRecord {
        stakeholder_id: id,
        linkages,
    }))
}

/// Counts of a stakeholder's linkages by status.
#[derive(Serialize, ToSchema)]
struct LinkageRecord {
    stakeholder_id: String,
    linkages: LinkageCounts,
}
