//! The one error type at the HTTP boundary, in the client contract's JSON shape:
//! `{"error": {"code": "...", "message": "...", "fields": {"name": "why"}}}`.
//!
//! Policy: client mistakes say exactly what was wrong (and, for validation, which field);
//! server faults are logged with their whole cause chain and answered with an opaque 500,
//! never a panic. Every conversion of another error into [`AppError`] is in this file.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldErrors;
use crate::interchange::import::RowDuplicates;
use crate::search::error::SearchError;
use crate::store::StoreError;
use crate::store::registry::DuplicateMatch;

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
        details: Option<ErrorDetails>,
    },
    /// An edit based on a version of the record that someone else has changed since.
    #[error("{}", stale_message(.changed_by.as_deref(), .changed_at, *.version))]
    Stale {
        version: i64,
        changed_by: Option<String>,
        changed_at: String,
    },
    /// Too big: more bytes than allowed ([`AppError::body_over`]) or more rows.
    #[error("{0}")]
    TooLarge(String),
    /// A body of a type this route does not read; the message says which types it does.
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
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
    /// A fault of ours. The cause is kept whole for the log; the client sees none of it.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

/// What the JSON routes answer to a body that is not JSON.
pub const SEND_JSON: &str = "send JSON with Content-Type: application/json";
/// What the import routes answer to a body that is neither CSV nor a workbook.
pub const SEND_CSV: &str = "send CSV with Content-Type: text/csv, or an Excel workbook with Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (or ?format=xlsx)";

impl AppError {
    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("no {what} with this id"))
    }

    pub fn field(field: &str, why: impl Into<String>) -> Self {
        AppError::Validation(FieldErrors::single(field, why))
    }

    /// A body longer than `limit` bytes.
    pub fn body_over(limit: usize) -> Self {
        AppError::TooLarge(format!("the request body is larger than {limit} bytes"))
    }

    /// A fault of ours described by `what` alone (no error value behind it).
    pub fn internal(what: impl std::fmt::Display) -> Self {
        AppError::Internal(anyhow::anyhow!("{what}"))
    }

    /// A fault of ours: `error`, with what we were doing when it happened.
    pub fn fault<E>(doing: &'static str, error: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        AppError::Internal(anyhow::Error::new(error).context(doing))
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
            AppError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            AppError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
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
                details: Some(ErrorDetails::Duplicates { duplicates }),
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
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<SearchError> for AppError {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::Query { field, message } => AppError::field(&field, message),
            other => AppError::Internal(other.into()),
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
            Error::Unreadable(why) => AppError::BadRequest(why),
            Error::TooLarge(why) => AppError::TooLarge(why),
            Error::Duplicates(rows) => AppError::Conflict {
                message: "some rows look like records already registered (or like earlier rows); nothing was stored; repeat with ?allow_duplicate=true to import them anyway".into(),
                details: Some(ErrorDetails::Rows { rows }),
            },
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
                // `{:?}` of an anyhow error prints every cause, one per line.
                tracing::error!(cause = ?cause, "request failed");
                "something went wrong on our side; the request may be retried".to_string()
            }
            other => other.to_string(),
        };
        let mut body = ErrorBody {
            code,
            message,
            fields: None,
            details: None,
        };
        let mut current_version = None;
        let retry = matches!(self, AppError::Busy);
        match self {
            AppError::Validation(errors) => body.fields = Some(errors.fields().clone()),
            AppError::Conflict { details, .. } => body.details = details,
            AppError::Stale {
                version,
                changed_by,
                changed_at,
            } => {
                body.details = Some(ErrorDetails::Stale {
                    current_version: version,
                    changed_by,
                    changed_at,
                });
                current_version = Some(version);
            }
            _ => {}
        }
        let mut response = (status, Json(ErrorReply { error: body })).into_response();
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

/// Every error has this shape.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorReply {
    error: ErrorBody,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, for programs: `bad_request` 400, `unauthorized` 401, `forbidden` 403,
    /// `not_found` 404, `method_not_allowed` 405, `request_timeout` 408, `conflict` 409,
    /// `payload_too_large` 413, `unsupported_media_type` 415, `validation_failed` 422,
    /// `rate_limited` 429, `internal` 500, `unavailable` 503, `busy` 503 (with `Retry-After`).
    #[schema(schema_with = error_codes)]
    code: &'static str,
    /// For people; English. May change between versions.
    message: String,
    /// Only with `validation_failed`: each wrong field, by JSON path (`contact.phone`,
    /// `districts_served[1]`, `needs[0].title`, or `body` for the body as a whole), and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    fields: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    details: Option<ErrorDetails>,
}

/// Only with some `conflict`s: data a client can act on.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ErrorDetails {
    /// A new stakeholder looks like these registered ones.
    Duplicates { duplicates: Vec<DuplicateMatch> },
    /// Rows of an import look like registered records or earlier rows.
    Rows { rows: Vec<RowDuplicates> },
    /// The edit was based on an older version than `current_version` (also the `ETag`).
    Stale {
        current_version: i64,
        #[schema(required = true)]
        changed_by: Option<String>,
        #[schema(value_type = crate::domain::schema::Timestamp)]
        changed_at: String,
    },
}

/// Every `code` an error may carry.
pub const ERROR_CODES: &[&str] = &[
    "bad_request",
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "request_timeout",
    "conflict",
    "payload_too_large",
    "unsupported_media_type",
    "validation_failed",
    "rate_limited",
    "internal",
    "unavailable",
    "busy",
];

fn error_codes() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(ERROR_CODES.iter().copied()))
        .build()
}

fn stale_message(changed_by: Option<&str>, changed_at: &str, version: i64) -> String {
    let who = changed_by.unwrap_or("someone");
    format!(
        "{who} changed this record at {changed_at} (now version {version}), after the version your edit is based on; nothing was changed: read it again and repeat your edit"
    )
}

/// Writers are served in about a second at worst, so a client need not wait longer.
const BUSY_RETRY_AFTER_SECONDS: &str = "1";
