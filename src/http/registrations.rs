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
use super::extract::{JsonBody, QueryParams};
use super::{AppState, Limits};
use crate::domain::FieldErrors;
use crate::domain::consent::{self, ConsentInput, Notice, NoticeLanguage};
use crate::domain::need::NeedInput;
use crate::domain::offering::OfferingInput;
use crate::domain::record::Provenance;
use crate::domain::stakeholder::StakeholderInput;
use crate::store::registry::{OnDuplicate, Registered};

/// A registration is a stakeholder with what it offers and needs, all validated together.
#[derive(Deserialize)]
pub(super) struct Registration {
    #[serde(flatten)]
    pub stakeholder: StakeholderInput,
    #[serde(default)]
    pub offerings: Vec<OfferingInput>,
    #[serde(default)]
    pub needs: Vec<NeedInput>,
    /// Required: the person agreed to the notice of `GET /api/v1/consent-notice`.
    #[serde(default)]
    pub consent: Option<ConsentInput>,
}

const MAX_ITEMS: usize = 20;

pub fn router(budget: &PublicWriteBudget) -> Router<AppState> {
    let register = budget.apply(
        Router::new().route("/registrations", post(register)),
        || AppError::RateLimited.into_response(),
    );
    Router::new()
        .route("/consent-notice", get(consent_notice))
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

/// Validates a registration as a whole and stores it `pending`, lookalikes flagged; returns
/// what was stored and whether it looks like a record already there. Invalid input is a
/// [`AppError::Validation`] naming every field, and stores nothing.
pub(super) async fn store_registration(
    app: &AppState,
    registration: Registration,
) -> AppResult<(Registered, bool)> {
    let catalog = app.store.catalog().await?;
    let mut errors = FieldErrors::new();
    let consent = ConsentInput::validate(registration.consent)
        .map_err(|refused| errors = refused)
        .ok();
    let stakeholder = registration
        .stakeholder
        .validate_with(&catalog)
        .map_err(|found| nest(&mut errors, "", found))
        .ok();
    if registration.offerings.len() > MAX_ITEMS {
        errors.add(
            "offerings",
            format!("at most {MAX_ITEMS} in one registration"),
        );
    }
    if registration.needs.len() > MAX_ITEMS {
        errors.add("needs", format!("at most {MAX_ITEMS} in one registration"));
    }
    let served = stakeholder
        .as_ref()
        .map(|s| s.districts_served.clone())
        .unwrap_or_default();
    let mut offerings = Vec::new();
    for (index, input) in registration
        .offerings
        .into_iter()
        .take(MAX_ITEMS)
        .enumerate()
    {
        match input.validate_with(&catalog, &served, None) {
            Ok(data) => offerings.push(data),
            Err(found) => nest(&mut errors, &format!("offerings[{index}]"), found),
        }
    }
    let mut needs = Vec::new();
    for (index, input) in registration.needs.into_iter().take(MAX_ITEMS).enumerate() {
        match input.validate_with(&catalog) {
            Ok(data) => needs.push(data),
            Err(found) => nest(&mut errors, &format!("needs[{index}]"), found),
        }
    }
    let (stakeholder, consent) = match (stakeholder, consent) {
        (Some(stakeholder), Some(consent)) if errors.is_empty() => (stakeholder, consent),
        _ => return Err(AppError::Validation(errors)),
    };
    // Lookalikes are stored flagged for the facilitator, never refused: the person registering
    // cannot tell whether a neighbour registered them already.
    let stored = app
        .store
        .insert_stakeholder(
            &stakeholder,
            &offerings,
            &needs,
            &Provenance::registration_with(consent),
            OnDuplicate::Flag,
        )
        .await?;
    let possible_duplicate = !stored.duplicates.is_empty();
    Ok((stored, possible_duplicate))
}

/// Adds `found` to `errors`, each field under `prefix` (none when it is empty).
fn nest(errors: &mut FieldErrors, prefix: &str, found: FieldErrors) {
    for (field, why) in found.fields() {
        let field = if prefix.is_empty() {
            field.clone()
        } else {
            format!("{prefix}.{field}")
        };
        errors.add(field, why.clone());
    }
}
