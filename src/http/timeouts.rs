//! Time limits on a request, answered in the contract's JSON (408 `request_timeout`):
//! a client that announces a body and then stalls (a large `Content-Length`, a few bytes, then
//! nothing) is answered after [`Limits::body_timeout`] instead of holding its connection and a
//! task; a request that takes longer than [`Limits::request_timeout`] overall is answered too.
//! (tower-http's timeout layer answered with a bare status and no body.)

use std::sync::Arc;

use axum::body::Body;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::Request;
use axum::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tokio::time::{Instant, timeout, timeout_at};

use super::Limits;
use super::error::AppError;
use super::extract::{MAX_BODY_BYTES, MAX_CSV_BODY_BYTES};

/// The most that is read of a body for `path`: a CSV import's limit for imports, the JSON limit
/// for everything else (so an anonymous client cannot make the server hold 5 MiB).
fn body_limit(path: &str) -> usize {
    if path.starts_with("/api/v1/import/") {
        MAX_CSV_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// How much of a body over its limit is still read (and thrown away) before the 413 is sent:
/// answered while the client is still sending, the connection closes with unread data, the
/// client's system resets it, and the client sees a broken pipe instead of the 413 ("lingering
/// close", as web servers do). Beyond this the connection is cut.
const DRAIN_BEYOND_LIMIT: usize = 16 * 1024 * 1024;

enum BodyRefusal {
    TooLarge,
    Unreadable(axum::Error),
}

/// The whole body if it is at most `limit` bytes; a body over it is read on and discarded (up
/// to [`DRAIN_BEYOND_LIMIT`]) so the refusal reaches the client.
async fn read_within(mut body: Body, limit: usize) -> Result<Bytes, BodyRefusal> {
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(BodyRefusal::Unreadable)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len());
        if seen <= limit {
            kept.extend_from_slice(&data);
        } else if seen > limit.saturating_add(DRAIN_BEYOND_LIMIT) {
            break;
        }
    }
    if seen > limit {
        Err(BodyRefusal::TooLarge)
    } else {
        Ok(Bytes::from(kept))
    }
}

/// Reads the body within the body time limit, then runs the request within what is left of
/// the overall limit.
pub async fn bounded(
    State(limits): State<Arc<Limits>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let deadline = Instant::now() + limits.request_timeout;
    let (parts, body) = request.into_parts();
    let announces_body = parts.headers.contains_key(TRANSFER_ENCODING)
        || parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|length| length.trim() != "0");
    let limit = body_limit(parts.uri.path());
    let body = if announces_body {
        let wait = limits.body_timeout.min(limits.request_timeout);
        match timeout(wait, read_within(body, limit)).await {
            Err(_) => {
                return AppError::Timeout(format!(
                    "the request body did not arrive within {} s",
                    wait.as_secs_f64()
                ))
                .into_response();
            }
            Ok(Err(BodyRefusal::TooLarge)) => {
                return AppError::body_over(limit).into_response();
            }
            Ok(Err(BodyRefusal::Unreadable(error))) => {
                return AppError::BadRequest(format!(
                    "the request body could not be read: {error}"
                ))
                .into_response();
            }
            Ok(Ok(bytes)) => Body::from(bytes),
        }
    } else {
        body
    };
    match timeout_at(deadline, next.run(Request::from_parts(parts, body))).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout(format!(
            "the request took longer than {} s",
            limits.request_timeout.as_secs_f64()
        ))
        .into_response(),
    }
}
