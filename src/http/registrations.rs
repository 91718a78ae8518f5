//! `POST /api/v1/registrations`: stakeholders registering themselves, from a phone, often in
//! Hindi, often on a slow network. Anyone may call it; records start `pending` until a
//! facilitator approves them, and lookalikes of existing records are flagged, not doubled.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use governor::middleware::NoOpMiddleware;
use serde::Deserialize;
use serde_json::json;
use tower_governor::GovernorLayer;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};

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

pub fn router(budget: &PublicWriteBudget) -> Router<AppState> {
    let register = budget.apply(
        Router::new().route("/registrations", post(register)),
        || AppError::RateLimited.into_response(),
    );
    Router::new()
        .route("/consent-notice", get(consent_notice))
        .route("/registrations/pending", get(pending))
        .route("/registrations/{id}/approve", post(approve))
        .route("/registrations/{id}/reject", post(reject))
        .route("/registrations/{id}/merge", post(merge))
        .merge(register)
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
}

#[derive(Deserialize)]
struct NoticeQuery {
    lang: Option<String>,
}

/// The notice a client shows before it sends a registration, in Hindi unless `lang=en`.
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
async fn approve(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Stakeholder>> {
    let reviewed = registry::review_registration(&app.store, &caller, &id, Review::Approve).await?;
    Ok(Json(reviewed.stakeholder))
}

#[derive(Deserialize)]
struct RejectBody {
    #[serde(default)]
    reason: String,
}

/// Rejects a pending registration with a reason (kept in the audit log); it is archived.
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

#[derive(Deserialize)]
struct MergeBody {
    #[serde(default)]
    into: String,
}

/// Merges a pending registration into the stakeholder `into`: its offerings and needs move
/// there, and it is archived.
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
