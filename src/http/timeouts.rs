//! Time limits on a request, answered in the contract's JSON (408 `request_timeout`):
//! a client that announces a body and then stalls (a large `Content-Length`, a few bytes, then
//! nothing) is answered after [`Limits::body_timeout`] instead of holding its connection and a
//! task; a request that takes longer than [`Limits::request_timeout`] overall is answered too.
//! (tower-http's timeout layer answered with a bare status and no body.)

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
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
        // A body declared too large is still read up to the limit before it is refused, as the
        // routes' own limits do: answered at once, a client still sending would get a broken
        // pipe instead of the 413.
        let wait = limits.body_timeout.min(limits.request_timeout);
        match timeout(wait, Limited::new(body, limit).collect()).await {
            Err(_) => {
                return AppError::Timeout(format!(
                    "the request body did not arrive within {} s",
                    wait.as_secs_f64()
                ))
                .into_response();
            }
            Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
                return AppError::PayloadTooLarge(limit).into_response();
            }
            Ok(Err(error)) => {
                return AppError::BadRequest(format!(
                    "the request body could not be read: {error}"
                ))
                .into_response();
            }
            Ok(Ok(collected)) => Body::from(collected.to_bytes()),
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
