//! `POST /api/v1/registrations`: stakeholders registering themselves, from a phone, often in
//! Hindi, often on a slow network. Anyone may call it; records start `pending` until a
//! facilitator approves them, and lookalikes of existing records are flagged, not doubled.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::{Json, Router};
use governor::middleware::NoOpMiddleware;
use serde::Deserialize;
use serde_json::json;
use tower_governor::GovernorLayer;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::client_address::ClientAddress;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, JsonBody, PathParam, QueryParams};
use super::{AppState, Limits};
use crate::app::registry;
use crate::domain::consent::{self, Notice, NoticeLanguage};
use crate::domain::stakeholder::Stakeholder;
use crate::store::registry::Registered;
use crate::store::review::Review;

pub(super) use crate::app::registry::Registration;

pub fn router(budget: &PublicWriteBudget) -> OpenApiRouter<AppState> {
    let (schemas, paths, register) = routes!(register);
    let register = budget.apply_to_method(register, || AppError::RateLimited.into_response());
    OpenApiRouter::new()
        .routes(routes!(consent_notice))
        .routes((schemas, paths, register))
        .routes(routes!(pending))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(merge))
}

/// How many public writes (registrations through the API and through the web form, together)
/// one client address may make: a burst, then one per period. One bucket per address for all
/// of them, so using both doors does not double the allowance.
#[derive(Clone)]
pub struct PublicWriteBudget {
    config: Option<Arc<GovernorConfig<ClientAddress, NoOpMiddleware>>>,
}

impl PublicWriteBudget {
    pub fn new(limits: &Limits) -> Self {
        let period = limits
            .registration_period
            .max(std::time::Duration::from_millis(1));
        let config = GovernorConfigBuilder::default()
            .key_extractor(ClientAddress::new(&limits.trusted_proxies))
            .period(period)
            .burst_size(limits.registration_burst.max(1))
            .finish()
            .map(Arc::new);
        PublicWriteBudget { config }
    }

    /// `routes` spending from this budget; `too_many` answers a request over it.
    pub(super) fn apply(
        &self,
        routes: Router<AppState>,
        too_many: fn() -> Response,
    ) -> Router<AppState> {
        match &self.config {
            Some(config) => {
                routes.layer(GovernorLayer::new(config.clone()).error_handler(move |_| too_many()))
            }
            None => routes,
        }
    }

    /// One route's handlers spending from this budget (see [`Self::apply`]).
    pub(super) fn apply_to_method(
        &self,
        method_router: MethodRouter<AppState>,
        too_many: fn() -> Response,
    ) -> MethodRouter<AppState> {
        match &self.config {
            Some(config) => method_router
                .layer(GovernorLayer::new(config.clone()).error_handler(move |_| too_many())),
            None => method_router,
        }
    }
}

#[derive(Deserialize)]
struct NoticeQuery {
    lang: Option<String>,
}

/// The notice a client shows before it sends a registration, in Hindi unless `lang=en`.
#[utoipa::path(
    get,
    path = "/consent-notice",
    tag = "registrations",
    operation_id = "getConsentNotice",
    summary = r#"The consent notice to show before registering (public)"#,
    description = r#"What a client must show a person before it sends `POST /api/v1/registrations` (India's Digital Personal Data Protection Act, 2023): what is collected, why, who sees it (the facilitators of their district), how long it is kept, and how to ask for correction or erasure. Send its `version` back as `consent.notice_version`. The words are kept in `texts/consent/VERSION.LANG.txt`."#,
    params(
        ("lang" = inline(Option<crate::http::openapi::LanguageParam>), Query, description = r#"The notice's language; Hindi unless `en`."#),
    ),
    responses(
        (status = 400, description = r#"Malformed query: a parameter of the wrong type, or one given twice."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "bad_request", "message": "bad query parameter: duplicate field `lang`"}})))),
        (status = 200, description = r#"The current notice."#, content((ref("#/components/schemas/ConsentNotice") = "application/json"))),
        (status = 422, description = r#"Well-formed JSON with wrong values. `fields` names every wrong field and why."#, content((ref("#/components/schemas/Error") = "application/json", examples(("stakeholder" = (summary = r#"Several fields wrong at once"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"contact.phone": "must be a 10-digit Indian mobile number, or a landline with its STD code (05442 252525), optionally with +91 or 0 before it", "district": "unknown district `up-atlantis`; see GET /api/v1/districts", "kind": "unknown kind `farmer`: must be one of micro_entrepreneur, shg, fpo, mfi, bank, rseti, line_department, ngo, buyer, other", "profile.age": "must be between 14 and 100"}}}))), ("offering" = (summary = r#"Amounts and ages"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"eligibility.max_age": "is below min_age (16 < 18)", "eligibility.min_amount_inr": "must be between ₹0 and ₹10 crore", "valid_until": "2020-03-31 is in the past"}}}))), ("query" = (summary = r#"limit=0"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"limit": "must be between 1 and 500"}}}))), ("patch" = (summary = r#"A typo in a PATCH"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"nmae": "unknown field; may be one of kind, name, name_local, district, districts_served, description, contact, profile, status"}}}))))))),
    ),
    security(),
)]
async fn consent_notice(QueryParams(query): QueryParams<NoticeQuery>) -> AppResult<Json<Notice>> {
    let language = match query.lang.as_deref().map(str::trim) {
        None | Some("") => NoticeLanguage::Hindi,
        Some(text) => NoticeLanguage::parse(text).ok_or_else(|| {
            AppError::field(
                "lang",
                format!("unknown language `{text}`: {}", NoticeLanguage::expected()),
            )
        })?,
    };
    Ok(Json(consent::current_notice(language)))
}

#[utoipa::path(
    post,
    path = "/registrations",
    tag = "registrations",
    operation_id = "register",
    summary = r#"Register yourself (public)"#,
    description = r#"Anyone may call this; no token is needed or read. It stores a stakeholder with what it offers and needs, all in status `pending` and hidden from the public until a facilitator approves the stakeholder (`PATCH /api/v1/stakeholders/{id}` with `{"status": "active"}`), which approves its offerings and needs too.

Everything is checked together; one bad item refuses the whole registration, and the reply names every wrong field (`needs[1].amount_inr`). A registration that looks like an existing record is stored anyway and flagged (`possible_duplicate`) for the facilitator; the reply does not show other people's records.

Rate limited per client address: a burst of 20, then one more every 3 seconds."#,
    request_body(content((ref("#/components/schemas/Registration") = "application/json", examples(("entrepreneur" = (summary = r#"An entrepreneur with two needs, in Hindi"#, value = json!({"kind": "micro_entrepreneur", "name": "Reena Devi", "name_local": "रीना देवी", "district": "up-mirzapur", "contact": {"phone": "9123456789"}, "profile": {"gender": "female", "age": 27, "sector": "tailoring", "stage": "idea", "block": "Kone"}, "needs": [{"kind": "training", "title": "सिलाई प्रशिक्षण", "sector": "tailoring"}, {"kind": "finance", "title": "silai machine ke liye loan", "sector": "tailoring", "amount_inr": 25000}]}))), ("buyer" = (summary = r#"A buyer with an offering"#, value = json!({"kind": "buyer", "name": "Bhadohi Carpet Traders", "name_local": "भदोही कालीन व्यापारी", "district": "up-bhadohi", "contact": {"person": "Rakesh Maurya", "phone": "+91 99350 11223"}, "offerings": [{"kind": "market", "title": "Buy-back of hand-knotted carpets", "description": "हाथ से बने कालीन की खरीद, हर महीने भुगतान।", "sectors": ["carpets"]}]}))))))),
    responses(
        (status = 201, description = r#"Stored, waiting for a facilitator."#, content((ref("#/components/schemas/RegistrationReply") = "application/json", example = json!({"id": "st_01936b35c7a97b2e8d4f1a6c3e9b5d04", "status": "pending", "possible_duplicate": false, "offerings": [], "needs": ["nd_01936b35c7ab7e10a3f5c8d2b6e4f917", "nd_01936b35c7ac7f21b4a6d9e3c7f5a028"], "message": "Thank you. A facilitator will review your registration. / धन्यवाद। एक सुविधादाता आपके पंजीकरण की जाँच करेगा।"})))),
        (status = 400, description = r#"Malformed request: the body is not valid JSON or UTF-8, or a query parameter has the wrong type."#, content((ref("#/components/schemas/Error") = "application/json", examples(("body" = (summary = r#"Broken JSON"#, value = json!({"error": {"code": "bad_request", "message": "the body is not valid JSON: EOF while parsing an object at line 1 column 9"}}))), ("query" = (summary = r#"limit=abc"#, value = json!({"error": {"code": "bad_request", "message": "bad query parameter: invalid digit found in string"}}))))))),
        (status = 413, description = r#"The body is over 256 KiB."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "payload_too_large", "message": "the request body is larger than 262144 bytes"}})))),
        (status = 415, description = r#"The body was not sent as JSON."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unsupported_media_type", "message": "send JSON with Content-Type: application/json"}})))),
        (status = 422, description = r#"Well-formed JSON with wrong values. `fields` names every wrong field and why."#, content((ref("#/components/schemas/Error") = "application/json", examples(("stakeholder" = (summary = r#"Several fields wrong at once"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"contact.phone": "must be a 10-digit Indian mobile number, or a landline with its STD code (05442 252525), optionally with +91 or 0 before it", "district": "unknown district `up-atlantis`; see GET /api/v1/districts", "kind": "unknown kind `farmer`: must be one of micro_entrepreneur, shg, fpo, mfi, bank, rseti, line_department, ngo, buyer, other", "profile.age": "must be between 14 and 100"}}}))), ("offering" = (summary = r#"Amounts and ages"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"eligibility.max_age": "is below min_age (16 < 18)", "eligibility.min_amount_inr": "must be between ₹0 and ₹10 crore", "valid_until": "2020-03-31 is in the past"}}}))), ("query" = (summary = r#"limit=0"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"limit": "must be between 1 and 500"}}}))), ("patch" = (summary = r#"A typo in a PATCH"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"nmae": "unknown field; may be one of kind, name, name_local, district, districts_served, description, contact, profile, status"}}}))))))),
        (status = 408, description = r#"The body did not arrive within the body time limit (10 s unless `--body-timeout`), or the request took longer than the request time limit (30 s unless `--request-timeout`). Nothing was changed."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "request_timeout", "message": "the request body did not arrive within 10 s"}})))),
        (status = 429, description = r#"Too many requests from this address; wait a few seconds."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "rate_limited", "message": "too many requests; wait a little and try again"}})))),
    ),
    security(),
)]
async fn register(
    State(app): State<AppState>,
    JsonBody(registration): JsonBody<Registration>,
) -> AppResult<impl IntoResponse> {
    let (stored, possible_duplicate) = store_registration(&app, registration).await?;
    // Other people's records are not shown to an anonymous caller: only that a facilitator
    // will check for a duplicate.
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": stored.stakeholder.id,
            "status": stored.stakeholder.meta.status,
            "possible_duplicate": possible_duplicate,
            "offerings": stored.offerings.iter().map(|o| &o.id).collect::<Vec<_>>(),
            "needs": stored.needs.iter().map(|n| &n.id).collect::<Vec<_>>(),
            "message": "Thank you. A facilitator will review your registration. / धन्यवाद। एक सुविधादाता आपके पंजीकरण की जाँच करेगा।",
        })),
    ))
}

/// Stores a registration through [`registry::register`]; returns what was stored and whether it
/// looks like a record already there.
pub(super) async fn store_registration(
    app: &AppState,
    registration: Registration,
) -> AppResult<(Registered, bool)> {
    let stored = registry::register(&app.store, registration).await?;
    let possible_duplicate = !stored.duplicates.is_empty();
    Ok((stored, possible_duplicate))
}

/// The review queue: pending registrations of the caller's districts (all for an admin or a
/// token of every district), each beside the records it may duplicate. Facilitators and admins.
#[utoipa::path(
    get,
    path = "/registrations/pending",
    tag = "registrations",
    operation_id = "listPendingRegistrations",
    summary = r#"The review queue"#,
    description = r#"Pending registrations, oldest first (at most 100), of the caller's districts (all for an admin or a token of every district), each beside the records it may duplicate and with the offerings and needs it came with. For facilitators and admins."#,
    responses(
        (status = 200, description = r#"The queue."#, content((ref("#/components/schemas/ReviewQueue") = "application/json"))),
        (status = 401, description = r#"No token, or an unknown or revoked one."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}})))),
        (status = 403, description = r#"The role may not review registrations (facilitators and admins do), or the registration is of a district the caller does not serve."#, content((ref("#/components/schemas/Error") = "application/json"))),
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["facilitator", "admin"]))),
)]
async fn pending(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
) -> AppResult<Json<Vec<registry::ReviewItem>>> {
    Ok(Json(
        registry::review_queue(
            &app.store,
            &caller,
            crate::store::review::QUEUE_LENGTH as usize,
        )
        .await?,
    ))
}

/// Approves a pending registration (it and what it offers and needs become active). A
/// registration reviewed already is answered as it is, unchanged.
#[utoipa::path(
    post,
    path = "/registrations/{id}/approve",
    tag = "registrations",
    operation_id = "approveRegistration",
    summary = r#"Approve a pending registration"#,
    description = r#"It and the offerings and needs it came with become active. For facilitators and admins of its district; audited as `registration_approved`."#,
    params(
        ("id" = String, Path, description = r#"The pending registration's id (the reference the person was given)."#),
    ),
    responses(
        (status = 200, description = r#"The registration as it is now. One reviewed already is returned unchanged (a decision sent twice changes nothing more)."#, content((ref("#/components/schemas/Stakeholder") = "application/json"))),
        (status = 401, description = r#"No token, or an unknown or revoked one."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}})))),
        (status = 403, description = r#"The role may not review registrations (facilitators and admins do), or the registration is of a district the caller does not serve."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 404, description = r#"No pending or reviewed registration with this id."#, content((ref("#/components/schemas/Error") = "application/json"))),
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["facilitator", "admin"]))),
)]
async fn approve(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Stakeholder>> {
    let reviewed = registry::review_registration(&app.store, &caller, &id, Review::Approve).await?;
    Ok(Json(reviewed.stakeholder))
}

#[derive(Deserialize, ToSchema)]
struct RejectBody {
    /// Why it is rejected (required, at most 1,000 characters); kept in the audit log.
    #[serde(default)]
    #[schema(max_length = 1000)]
    reason: String,
}

/// Rejects a pending registration with a reason (kept in the audit log); it is archived.
#[utoipa::path(
    post,
    path = "/registrations/{id}/reject",
    tag = "registrations",
    operation_id = "rejectRegistration",
    summary = r#"Reject a pending registration with a reason"#,
    description = r#"It is archived with what it came with; the reason (required, at most 1,000 characters) is kept in the audit log as `registration_rejected`. For facilitators and admins of its district."#,
    params(
        ("id" = String, Path, description = r#"The pending registration's id (the reference the person was given)."#),
    ),
    request_body(content((RejectBody = "application/json"))),
    responses(
        (status = 400, description = r#"The body is not valid JSON or UTF-8."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 415, description = r#"The body was not sent as JSON."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 200, description = r#"The registration as it is now. One reviewed already is returned unchanged (a decision sent twice changes nothing more)."#, content((ref("#/components/schemas/Stakeholder") = "application/json"))),
        (status = 401, description = r#"No token, or an unknown or revoked one."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}})))),
        (status = 403, description = r#"The role may not review registrations (facilitators and admins do), or the registration is of a district the caller does not serve."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 404, description = r#"No pending or reviewed registration with this id."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 422, description = r#"A field of the body is wrong; `fields` says which and why."#, content((ref("#/components/schemas/Error") = "application/json"))),
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["facilitator", "admin"]))),
)]
async fn reject(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    JsonBody(body): JsonBody<RejectBody>,
) -> AppResult<Json<Stakeholder>> {
    let review = Review::Reject {
        reason: &body.reason,
    };
    let reviewed = registry::review_registration(&app.store, &caller, &id, review).await?;
    Ok(Json(reviewed.stakeholder))
}

#[derive(Deserialize, ToSchema)]
struct MergeBody {
    /// The id of the stakeholder it duplicates.
    #[serde(default)]
    into: String,
}

/// Merges a pending registration into the stakeholder `into`: its offerings and needs move
/// there, and it is archived.
#[utoipa::path(
    post,
    path = "/registrations/{id}/merge",
    tag = "registrations",
    operation_id = "mergeRegistration",
    summary = r#"Merge a pending registration into an existing stakeholder"#,
    description = r#"Its offerings and needs move to the stakeholder `into` (taking that record's status), and the registration is archived; audited as `registration_merged`. For facilitators and admins of both records' districts."#,
    params(
        ("id" = String, Path, description = r#"The pending registration's id (the reference the person was given)."#),
    ),
    request_body(content((MergeBody = "application/json"))),
    responses(
        (status = 400, description = r#"The body is not valid JSON or UTF-8."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 415, description = r#"The body was not sent as JSON."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 200, description = r#"The registration as it is now. One reviewed already is returned unchanged (a decision sent twice changes nothing more)."#, content((ref("#/components/schemas/Stakeholder") = "application/json"))),
        (status = 401, description = r#"No token, or an unknown or revoked one."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}})))),
        (status = 403, description = r#"The role may not review registrations (facilitators and admins do), or the registration is of a district the caller does not serve."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 404, description = r#"No pending or reviewed registration with this id."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 409, description = r#"Merging into itself, or into an archived record."#, content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 422, description = r#"A field of the body is wrong; `fields` says which and why."#, content((ref("#/components/schemas/Error") = "application/json"))),
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["facilitator", "admin"]))),
)]
async fn merge(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    JsonBody(body): JsonBody<MergeBody>,
) -> AppResult<Json<Stakeholder>> {
    let review = Review::Merge { into: &body.into };
    let reviewed = registry::review_registration(&app.store, &caller, &id, review).await?;
    Ok(Json(reviewed.stakeholder))
}
