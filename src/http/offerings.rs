//! `/api/v1/offerings` and a stakeholder's offerings: what providers give.

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
use crate::domain::offering::{Offering, OfferingInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list_of))
        .routes(routes!(show, update, archive))
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

#[utoipa::path(
    post,
    path = "/stakeholders/{id}/offerings",
    tag = "offerings",
    operation_id = "createOffering",
    summary = r#"Add an offering"#,
    description = r#"The offering takes the stakeholder's status (a pending stakeholder's offering is pending). Without `districts` it covers the stakeholder's `districts_served`. Unknown keys in the body are ignored."#,
    params(
        ("id" = String, Path, description = r#"Stakeholder id."#, example = json!("st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8")),
    ),
    request_body(content((crate::domain::offering::OfferingInput = "application/json", examples(("loan" = (summary = r#"A loan product"#, value = json!({"kind": "finance", "title": "MUDRA Shishu loan for women tailors", "description": "Collateral-free loan up to ₹50,000 for sewing machines and working capital. बिना गारंटी ऋण।", "sectors": ["tailoring"], "eligibility": {"gender": "female", "min_age": 18, "max_age": 60, "min_amount_inr": 10000, "max_amount_inr": 50000, "stages": ["idea", "early"]}, "terms": {"interest_rate_pct": 9.5, "tenure_months": 36}, "valid_until": "2027-03-31"}))), ("course" = (summary = r#"A residential course"#, value = json!({"kind": "training", "title": "सिलाई प्रशिक्षण (30 दिन) / Tailoring course, 30 days", "description": "Free residential course with food and stay; credit linkage afterwards.", "sectors": ["tailoring"], "districts": ["up-mirzapur", "up-bhadohi"], "eligibility": {"min_age": 18, "max_age": 45}, "terms": {"duration_days": 30, "seats": 35, "starts_on": "2027-01-15"}}))))))),
    responses(
        (status = 201, description = r#"Stored; the reply is the stored offering."#, content((crate::domain::offering::Offering = "application/json", example = json!({"id": "of_01936b30a2c47e5f8b1d9c3e6a4f2b80", "stakeholder_id": "st_01936b2f41d07c12a8e94f3b6d2c5e17", "kind": "finance", "title": "MUDRA Shishu loan for women tailors", "description": "Collateral-free loan up to ₹50,000 for sewing machines and working capital. बिना गारंटी ऋण।", "sectors": ["tailoring"], "districts": ["up-bhadohi", "up-mirzapur"], "eligibility": {"gender": "female", "min_age": 18, "max_age": 60, "social_categories": [], "shg_member_required": false, "min_amount_inr": 10000, "max_amount_inr": 50000, "stages": ["idea", "early"]}, "terms": {"interest_rate_pct": 9.5, "tenure_months": 36, "duration_days": null, "seats": null, "starts_on": null}, "valid_until": "2027-03-31", "status": "active", "created_via": "api", "created_by": "Facilitator Bhadohi", "created_at": "2026-11-23T08:02:40.118Z", "updated_at": "2026-11-23T08:02:40.118Z", "demo": false}))), headers(("Location" = String, description = r#"Path of the new record, e.g. `/api/v1/stakeholders/st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8`."#))),
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
    JsonBody(input): JsonBody<OfferingInput>,
) -> AppResult<Response> {
    let created = registry::create_offering(&app.store, &caller, &stakeholder_id, input).await?;
    let location = format!("/api/v1/offerings/{}", created.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(created)).into_response())
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
}

#[utoipa::path(
    get,
    path = "/stakeholders/{id}/offerings",
    tag = "offerings",
    operation_id = "listOfferingsOf",
    summary = r#"A stakeholder's offerings"#,
    description = r#"Oldest first, not paged. By default only `active` ones; `status` (with a token) shows others."#,
    params(
        ("id" = String, Path, description = r#"Stakeholder id."#, example = json!("st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8")),
        ("status" = inline(Option<crate::http::openapi::StatusParam>), Query, description = r#"Which statuses to include; default `active`. Anything but `active` needs a token: `pending` is the queue of public registrations waiting for approval."#),
    ),
    responses(
        (status = 200, description = r#"The offerings (maybe none)."#, content(([crate::domain::offering::Offering] = "application/json"))),
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
) -> AppResult<Json<Vec<Offering>>> {
    let statuses = status_filter(&caller, query.status.as_deref())?;
    Ok(Json(
        registry::offerings_of(&app.store, caller.as_ref(), &stakeholder_id, &statuses).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/offerings/{id}",
    tag = "offerings",
    operation_id = "getOffering",
    summary = r#"One offering"#,
    description = r#"Without a token only `active` offerings are visible."#,
    params(
        ("id" = String, Path, description = r#"Offering id."#, example = json!("of_01936b30a2c47e5f8b1d9c3e6a4f2b80")),
    ),
    responses(
        (status = 200, description = r#"The offering."#, content((crate::domain::offering::Offering = "application/json"))),
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
    let found = registry::show_offering(&app.store, caller.as_ref(), &id).await?;
    Ok(patch::with_etag(found.meta.version, found))
}

/// Edits fields (a merge patch) and, for facilitators, moves the status, in one transaction on
/// the record as stored (see [`registry::edit_offering`]).
#[utoipa::path(
    patch,
    path = "/offerings/{id}",
    tag = "offerings",
    operation_id = "updateOffering",
    summary = r#"Edit an offering, or change its status"#,
    description = r#"A JSON merge patch (RFC 7396), checked like a new offering: `eligibility` and `terms` merge key by key, arrays replace, `null` removes (`"districts": null` goes back to the provider's `districts_served`). A `valid_until` that has passed may stay as it is, but a new one must not be in the past.

`status` is for facilitators and admins. Unknown keys are refused (422)."#,
    params(
        ("id" = String, Path, description = r#"Offering id."#, example = json!("of_01936b30a2c47e5f8b1d9c3e6a4f2b80")),
    ),
    request_body(content((crate::http::openapi::OfferingPatch = "application/json", examples(("rate" = (summary = r#"New interest rate; other terms kept"#, value = json!({"terms": {"interest_rate_pct": 8.75}}))), ("anyGender" = (summary = r#"Open to everyone, any sector"#, value = json!({"eligibility": {"gender": null}, "sectors": []}))), ("archive" = (summary = r#"Archive (facilitator, admin)"#, value = json!({"status": "archived"}))))), (crate::http::openapi::OfferingPatch = "application/merge-patch+json"))),
    responses(
        (status = 200, description = r#"The offering after the change."#, content((crate::domain::offering::Offering = "application/json"))),
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
        |current: &Offering| -> crate::app::Result<OfferingInput> {
            patch::apply(&current.data.to_input(), &body, OFFERING_FIELDS)
                .map_err(patch::as_invalid)
        },
    );
    let edit = registry::RecordEdit {
        based_on,
        content,
        status,
    };
    let updated = registry::edit_offering(&app.store, &caller, &id, edit).await?;
    Ok(patch::with_etag(updated.meta.version, updated))
}

#[utoipa::path(
    delete,
    path = "/offerings/{id}",
    tag = "offerings",
    operation_id = "archiveOffering",
    summary = r#"Archive an offering"#,
    description = r#"Nothing is deleted; the offering becomes `archived`. Restore with `PATCH {"status": "active"}`. It is still there to read: `GET` with a token answers 200 with `status: "archived"` (without a token it is 404, like every record that is not active)."#,
    params(
        ("id" = String, Path, description = r#"Offering id."#, example = json!("of_01936b30a2c47e5f8b1d9c3e6a4f2b80")),
    ),
    responses(
        (status = 200, description = r#"The archived offering."#, content((crate::domain::offering::Offering = "application/json"))),
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
) -> AppResult<Json<Offering>> {
    Ok(Json(
        registry::archive_offering(&app.store, &caller, &id).await?,
    ))
}
