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
use serde::{Deserialize, Serialize};
use tower_governor::GovernorLayer;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::client_address::ClientAddress;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, JsonBody, PathParam, QueryParams, query_word};
use super::{AppState, Limits};
use crate::app::registry;
use crate::domain::consent::{self, Notice, NoticeLanguage};
use crate::domain::record::Status;
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
        crate::http::responses::MalformedQuery,
        (status = 200, description = r#"The current notice."#, content((crate::domain::consent::Notice = "application/json"))),
        crate::http::responses::Invalid,
    ),
    security(),
)]
async fn consent_notice(QueryParams(query): QueryParams<NoticeQuery>) -> AppResult<Json<Notice>> {
    let language = match query_word("lang", query.lang.as_deref())? {
        None => NoticeLanguage::Hindi,
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
    request_body(content((crate::app::registry::Registration = "application/json", examples(("entrepreneur" = (summary = r#"An entrepreneur with two needs, in Hindi"#, value = json!({"kind": "micro_entrepreneur", "name": "Reena Devi", "name_local": "रीना देवी", "district": "up-mirzapur", "contact": {"phone": "9123456789"}, "profile": {"gender": "female", "age": 27, "sector": "tailoring", "stage": "idea", "block": "Kone"}, "needs": [{"kind": "training", "title": "सिलाई प्रशिक्षण", "sector": "tailoring"}, {"kind": "finance", "title": "silai machine ke liye loan", "sector": "tailoring", "amount_inr": 25000}]}))), ("buyer" = (summary = r#"A buyer with an offering"#, value = json!({"kind": "buyer", "name": "Bhadohi Carpet Traders", "name_local": "भदोही कालीन व्यापारी", "district": "up-bhadohi", "contact": {"person": "Rakesh Maurya", "phone": "+91 99350 11223"}, "offerings": [{"kind": "market", "title": "Buy-back of hand-knotted carpets", "description": "हाथ से बने कालीन की खरीद, हर महीने भुगतान।", "sectors": ["carpets"]}]}))))))),
    responses(
        (status = 201, description = r#"Stored, waiting for a facilitator."#, content((RegistrationReply = "application/json", example = json!({"id": "st_01936b35c7a97b2e8d4f1a6c3e9b5d04", "status": "pending", "possible_duplicate": false, "offerings": [], "needs": ["nd_01936b35c7ab7e10a3f5c8d2b6e4f917", "nd_01936b35c7ac7f21b4a6d9e3c7f5a028"], "message": "Thank you. A facilitator will review your registration. / धन्यवाद। एक सुविधादाता आपके पंजीकरण की जाँच करेगा।"})))),
        crate::http::responses::Malformed,
        crate::http::responses::TooLarge,
        crate::http::responses::NotJson,
        crate::http::responses::Invalid,
        (status = 408, description = r#"The body did not arrive within the body time limit (10 s unless `--body-timeout`), or the request took longer than the request time limit (30 s unless `--request-timeout`). Nothing was changed."#, content((crate::http::error::ErrorReply = "application/json", example = json!({"error": {"code": "request_timeout", "message": "the request body did not arrive within 10 s"}})))),
        crate::http::responses::RateLimited,
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
        Json(RegistrationReply {
            id: stored.stakeholder.id,
            status: stored.stakeholder.meta.status,
            possible_duplicate,
            offerings: stored.offerings.into_iter().map(|o| o.id).collect(),
            needs: stored.needs.into_iter().map(|n| n.id).collect(),
            message: "Thank you. A facilitator will review your registration. / धन्यवाद। एक सुविधादाता आपके पंजीकरण की जाँच करेगा।",
        }),
    ))
}

/// What a public registrant is told. Other people's records are never shown here.
#[derive(Serialize, ToSchema)]
struct RegistrationReply {
    /// The new stakeholder's id.
    id: String,
    /// Always `pending`.
    status: Status,
    /// True when the record looks like one already registered; a facilitator will check.
    possible_duplicate: bool,
    /// Ids of the new offerings, in the order sent.
    offerings: Vec<String>,
    /// Ids of the new needs, in the order sent.
    needs: Vec<String>,
    /// A thank-you in English and Hindi, to show to the registrant.
    message: &'static str,
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
        (status = 200, description = r#"The queue."#, content(([crate::app::registry::ReviewItem] = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::ForbiddenToReview,
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
        (status = 200, description = r#"The registration as it is now. One reviewed already is returned unchanged (a decision sent twice changes nothing more)."#, content((crate::domain::stakeholder::Stakeholder = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::ForbiddenToReview,
        crate::http::responses::RegistrationNotFound,
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
        crate::http::responses::MalformedBody,
        crate::http::responses::NotJsonBody,
        (status = 200, description = r#"The registration as it is now. One reviewed already is returned unchanged (a decision sent twice changes nothing more)."#, content((crate::domain::stakeholder::Stakeholder = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::ForbiddenToReview,
        crate::http::responses::RegistrationNotFound,
        crate::http::responses::InvalidField,
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
        crate::http::responses::MalformedBody,
        crate::http::responses::NotJsonBody,
        (status = 200, description = r#"The registration as it is now. One reviewed already is returned unchanged (a decision sent twice changes nothing more)."#, content((crate::domain::stakeholder::Stakeholder = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::ForbiddenToReview,
        crate::http::responses::RegistrationNotFound,
        (status = 409, description = r#"Merging into itself, or into an archived record."#, content((crate::http::error::ErrorReply = "application/json"))),
        crate::http::responses::InvalidField,
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
