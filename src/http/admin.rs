//! `/api/v1/admin/…`: what only admins see. For now the notification deliveries, above all the
//! dead-lettered ones, with the error that ended them, so someone can fix a gateway's settings
//! or call the person instead.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, PathParam, QueryParams};
use crate::domain::access::Role;
use crate::store::outbox::{DeliveryCounts, DeliveryReport, DeliveryState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(notifications))
        .routes(routes!(retry_dead_letter))
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
#[utoipa::path(
    post,
    path = "/admin/notifications/{seq}/{channel}/retry",
    tag = "admin",
    operation_id = "retryDeadNotification",
    summary = r#"Send a dead-lettered delivery again (admins only)"#,
    description = r#"For after the receiver or the gateway settings were fixed: the delivery becomes `pending`, due now, with its attempts counted from 0 and its idempotency key kept (a receiver that did take it before drops the repeat). No request body."#,
    params(
        ("seq" = i64, Path, description = r#"The message's `seq` from the list."#),
        ("channel" = inline(crate::http::openapi::ChannelParam), Path),
    ),
    responses(
        (status = 200, description = r#"The delivery, pending again."#, content((crate::store::outbox::DeliveryReport = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::Forbidden,
        crate::http::responses::NotFound,
        crate::http::responses::Unavailable,
    ),
    security(("bearerAuth" = [])),
)]
async fn retry_dead_letter(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam((seq, channel)): PathParam<(String, String)>,
) -> AppResult<Json<DeliveryReport>> {
    require_admin(&caller)?;
    let seq: i64 = seq
        .parse()
        .map_err(|_| AppError::NotFound("no dead delivery with this number".into()))?;
    match app.store.requeue_delivery(seq, &channel).await? {
        Some(delivery) => Ok(Json(delivery)),
        None => Err(AppError::NotFound(format!(
            "no dead delivery of message {seq} on channel `{channel}`"
        ))),
    }
}

/// Deliveries in one state (`dead` by default, `all` for every one), oldest first, with the
/// counts by state and the messages no channel has taken yet.
#[utoipa::path(
    get,
    path = "/admin/notifications",
    tag = "admin",
    operation_id = "listNotificationDeliveries",
    summary = r#"Notification deliveries, dead letters first of all (admins only)"#,
    description = r#"Each outbox message (linkage news to a provider or an entrepreneur) gets one delivery per configured channel: `spool` (the file `<data dir>/outbox/messages.jsonl`), `webhook` (a signed JSON POST) and `sms` (an SMS gateway's HTTP API from a template); see docs/notifications.md. A delivery is `pending` until it is `delivered`, `skipped` (nobody to send to: no phone, never tried) or `dead`: the receiver answered a status that can never succeed (400, 401, 403, 404, 410, 422, a redirect) or every allowed attempt failed (timeout, refused connection, 408, 409, 425, 429, 5xx). By default only `dead` deliveries are listed, oldest first, with the error that ended each; the phone number and the text are not shown. `counts` covers every delivery whatever the filter; `counts.undispatched` is messages no channel has taken yet."#,
    params(
        ("state" = inline(Option<crate::http::openapi::DeliveryStateParam>), Query, description = r#"Which deliveries to list; `all` for every one."#),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 500),
        ("offset" = Option<i64>, Query, minimum = 0),
    ),
    responses(
        (status = 200, description = r#"Deliveries in the state asked for, and the counts by state."#, content((NotificationDeliveries = "application/json", example = json!({"counts": {"undispatched": 0, "pending": 1, "delivered": 41, "skipped": 2, "dead": 1}, "deliveries": [{"seq": 17, "channel": "webhook", "state": "dead", "topic": "linkage.proposed", "recipient_id": "st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8", "idempotency_key": "msg_01936b2f5c8e7a41b9d2e3f4a5b6c7d9", "attempts": 1, "last_error": "HTTP 410: this hook was removed", "last_status": 410, "created_at": "2026-12-07T02:35:07.512Z", "finished_at": "2026-12-07T02:35:07.718Z", "next_attempt_after": null}]})))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::Forbidden,
        crate::http::responses::Invalid,
        crate::http::responses::Unavailable,
    ),
    security(("bearerAuth" = [])),
)]
async fn notifications(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<NotificationsQuery>,
) -> AppResult<Json<NotificationDeliveries>> {
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
    Ok(Json(NotificationDeliveries { counts, deliveries }))
}

/// The deliveries asked for, and the counts of every delivery by state.
#[derive(Serialize, ToSchema)]
pub struct NotificationDeliveries {
    counts: DeliveryCounts,
    deliveries: Vec<DeliveryReport>,
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
    text.parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            AppError::field(
                field,
                format!("a whole number from {} to {}", range.start(), range.end()),
            )
        })
}
