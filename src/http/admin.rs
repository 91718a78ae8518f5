//! `/api/v1/admin/…`: what only admins see. For now the notification deliveries, above all the
//! dead-lettered ones, with the error that ended them, so someone can fix a gateway's settings
//! or call the person instead.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, PathParam, QueryParams};
use crate::domain::access::Role;
use crate::store::outbox::DeliveryState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/notifications", get(notifications))
        .route(
            "/admin/notifications/{seq}/{channel}/retry",
            post(retry_dead_letter),
        )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotificationsQuery {
    state: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

fn require_admin(caller: &crate::domain::access::Caller) -> AppResult<()> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "role `{}` may not see or resend notification deliveries; an admin token is needed",
            caller.role
        )))
    }
}

/// Sends a dead letter again, once whatever refused it has been fixed; it keeps its idempotency
/// key, so a receiver that did take it before drops the repeat.
async fn retry_dead_letter(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam((seq, channel)): PathParam<(String, String)>,
) -> AppResult<Json<Value>> {
    require_admin(&caller)?;
    let seq: i64 = seq
        .parse()
        .map_err(|_| AppError::NotFound("no dead delivery with this number".into()))?;
    match app.store.requeue_delivery(seq, &channel).await? {
        Some(delivery) => Ok(Json(json!(delivery))),
        None => Err(AppError::NotFound(format!(
            "no dead delivery of message {seq} on channel `{channel}`"
        ))),
    }
}

/// Deliveries in one state (`dead` by default, `all` for every one), oldest first, with the
/// counts by state and the messages no channel has taken yet.
async fn notifications(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<NotificationsQuery>,
) -> AppResult<Json<Value>> {
    require_admin(&caller)?;
    let state = match query.state.as_deref().unwrap_or("dead") {
        "all" => None,
        text => Some(DeliveryState::parse(text).ok_or_else(|| {
            AppError::field("state", "one of dead, pending, delivered, skipped, all")
        })?),
    };
    let limit = number(query.limit.as_deref(), "limit", 100, 1..=500)?;
    let offset = number(query.offset.as_deref(), "offset", 0, 0..=i64::MAX)?;
    let deliveries = app.store.list_deliveries(state, limit, offset).await?;
    let counts = app.store.delivery_counts().await?;
    Ok(Json(json!({"counts": counts, "deliveries": deliveries})))
}

fn number(
    text: Option<&str>,
    field: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> AppResult<i64> {
    let Some(text) = text else {
        return Ok(default);
    };
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            AppError::field(
                field,
                format!("a whole number from {} to {}", range.start(), range.end()),
            )
        })
}
