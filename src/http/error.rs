//! The one error type at the HTTP boundary, in the client contract's JSON shape:
//! `{"error": {"code": "...", "message": "...", "fields": {"name": "why"}}}`.
//!
//! Policy: client mistakes say exactly what was wrong (and, for validation, which field);
//! server faults are logged with their cause and answered with an opaque 500, never a panic.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::domain::FieldErrors;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("a valid bearer token is required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("this endpoint does not accept that method; see /api/v1/openapi.json")]
    MethodNotAllowed,
    /// A conflict, with details a client can act on (e.g. the records it would duplicate).
    #[error("{message}")]
    Conflict {
        message: String,
        details: Option<Value>,
    },
    /// An edit based on a version of the record that someone else has changed since.
    #[error("{}", stale_message(.changed_by.as_deref(), .changed_at, *.version))]
    Stale {
        version: i64,
        changed_by: Option<String>,
        changed_at: String,
    },
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("send JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    #[error(
        "send CSV with Content-Type: text/csv, or an Excel workbook with Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (or ?format=xlsx)"
    )]
    NotCsv,
    /// Too big by some other measure than bytes (rows in an import).
    #[error("{0}")]
    TooLarge(String),
    #[error("some fields are invalid")]
    Validation(FieldErrors),
    #[error("too many requests; wait a little and try again")]
    RateLimited,
    /// The client was too slow sending the request, or the request took too long.
    #[error("{0}")]
    Timeout(String),
    #[error("the service is not ready: {0}")]
    Unavailable(String),
    /// Writers queued longer than the store waits; nothing was changed and the request may be
    /// sent again (503 with `Retry-After`).
    #[error(
        "the registry is busy with other changes; nothing was changed, please send this again in a moment"
    )]
    Busy,
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("no {what} with this id"))
    }

    pub fn field(field: &str, why: impl Into<String>) -> Self {
        AppError::Validation(FieldErrors::single(field, why))
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            AppError::Conflict { .. } | AppError::Stale { .. } => {
                (StatusCode::CONFLICT, "conflict")
            }
            AppError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            AppError::UnsupportedMediaType | AppError::NotCsv => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            AppError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            AppError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            AppError::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            AppError::Timeout(_) => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            AppError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound("no record with this id".into()),
            StoreError::Conflict(message) => AppError::Conflict {
                message,
                details: None,
            },
            StoreError::Duplicate(duplicates) => AppError::Conflict {
                message: "this looks like a stakeholder already registered; repeat with ?allow_duplicate=true to add it anyway".into(),
                details: Some(json!({"duplicates": duplicates})),
            },
            StoreError::Stale {
                version,
                changed_by,
                changed_at,
            } => AppError::Stale {
                version,
                changed_by,
                changed_at,
            },
            StoreError::Busy(why) => {
                tracing::warn!(%why, "a write waited too long for the database");
                AppError::Busy
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<crate::app::Error> for AppError {
    fn from(error: crate::app::Error) -> Self {
        use crate::app::Error;
        match error {
            Error::NotFound(what) => AppError::not_found(what),
            Error::Forbidden(why) => AppError::Forbidden(why),
            Error::Invalid(errors) => AppError::Validation(errors),
            Error::Store(error) => error.into(),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Validation(errors)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            AppError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                "something went wrong on our side; the request may be retried".to_string()
            }
            other => other.to_string(),
        };
        let mut body = json!({"code": code, "message": message});
        let mut current_version = None;
        let retry = matches!(self, AppError::Busy);
        match self {
            AppError::Validation(errors) => body["fields"] = json!(errors.fields()),
            AppError::Conflict {
                details: Some(details),
                ..
            } => body["details"] = details,
            AppError::Stale {
                version,
                changed_by,
                changed_at,
            } => {
                body["details"] = json!({"current_version": version, "changed_by": changed_by, "changed_at": changed_at});
                current_version = Some(version);
            }
            _ => {}
        }
        let mut response = (status, Json(json!({"error": body}))).into_response();
        if let Some(version) = current_version {
            super::patch::set_etag(&mut response, version);
        }
        if retry {
            response.headers_mut().insert(
                RETRY_AFTER,
                HeaderValue::from_static(BUSY_RETRY_AFTER_SECONDS),
            );
        }
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

fn stale_message(changed_by: Option<&str>, changed_at: &str, version: i64) -> String {
    let who = changed_by.unwrap_or("someone");
    format!(
        "{who} changed this record at {changed_at} (now version {version}), after the version your edit is based on; nothing was changed: read it again and repeat your edit"
    )
}

/// Writers are served in about a second at worst, so a client need not wait longer.
const BUSY_RETRY_AFTER_SECONDS: &str = "1";
