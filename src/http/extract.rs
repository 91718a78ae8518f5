//! Extractors that turn a request into checked values or an [`AppError`] in the contract's shape
//! (axum's own rejections are plain text).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::{AppError, AppResult, SEND_CSV, SEND_JSON};
use super::session;
use super::web::csrf;
use crate::domain::FieldErrors;
use crate::domain::access::Caller;
use crate::interchange::import::FileFormat;

/// The largest JSON body accepted: generous for a registration with many offerings, small
/// enough that nobody can fill memory.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A JSON body: wrong content type is 415, unparsable JSON (or invalid UTF-8) is 400, and
/// well-formed JSON of the wrong shape is 422 naming the field.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let is_json = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(AppError::UnsupportedMediaType(SEND_JSON));
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(_) => AppError::body_over(MAX_BODY_BYTES),
                    other => AppError::BadRequest(other.body_text()),
                })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// The largest file an import takes: a district's whole registry in one file, with room.
pub const MAX_CSV_BODY_BYTES: usize = 5 * 1024 * 1024;

/// Excel's media type for .xlsx workbooks.
pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A spreadsheet body, as bytes (the importer checks the encoding and says how to fix it), and
/// how it is written: an Excel workbook when `?format=xlsx`, when the content type is Excel's, or
/// when the bytes are a zip archive (browsers send .xlsx files under several types); CSV when the
/// content type is CSV's. Anything else is 415; a body over [`MAX_CSV_BODY_BYTES`] is 413. The
/// route must raise the default body limit to [`MAX_CSV_BODY_BYTES`].
pub struct SpreadsheetBody {
    pub bytes: Bytes,
    pub format: FileFormat,
}

impl<S> FromRequest<S> for SpreadsheetBody
where
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let asked = request.uri().query().and_then(|query| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(query)
                .ok()?
                .into_iter()
                .find(|(key, _)| key == "format")
                .map(|(_, value)| value.trim().to_ascii_lowercase())
        });
        let asked = match asked.as_deref() {
            None | Some("") => None,
            Some("csv") => Some(FileFormat::Csv),
            Some("xlsx") => Some(FileFormat::Xlsx),
            Some(other) => {
                return Err(AppError::field(
                    "format",
                    format!("unknown format `{other}`: csv or xlsx"),
                ));
            }
        };
        let mime = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| mime.trim().to_ascii_lowercase());
        let by_type = match mime.as_deref() {
            Some(XLSX_MEDIA_TYPE) => Some(FileFormat::Xlsx),
            // Browsers on Windows send .csv files as Excel's old type.
            Some("text/csv" | "application/csv" | "text/plain" | "application/vnd.ms-excel") => {
                Some(FileFormat::Csv)
            }
            _ => None,
        };
        if asked.is_none() && by_type.is_none() {
            return Err(AppError::UnsupportedMediaType(SEND_CSV));
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(_) => {
                        AppError::body_over(MAX_CSV_BODY_BYTES)
                    }
                    other => AppError::BadRequest(other.body_text()),
                })?;
        let zipped = bytes.starts_with(b"PK\x03\x04");
        let format = match asked {
            Some(format) => format,
            None if zipped => FileFormat::Xlsx,
            None => by_type.unwrap_or(FileFormat::Csv),
        };
        Ok(SpreadsheetBody { bytes, format })
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(AppError::BadRequest("the body is not valid UTF-8".into()));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." {
                    "body".to_string()
                } else {
                    path
                };
                AppError::Validation(FieldErrors::single(field, plain_serde_message(&inner)))
            }
            _ => AppError::BadRequest(format!("the body is not valid JSON: {inner}")),
        }
    })?;
    deserializer
        .end()
        .map_err(|e| AppError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

/// serde's message without the "at line 1 column 40" tail, which means nothing in a form.
fn plain_serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.find(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// Query parameters; a malformed one is a 400 naming it.
pub struct QueryParams<T>(pub T);

/// A word from a closed list in the query string (`status`, `kind`, `format`, `lang`…), as the
/// OpenAPI document lists it: absent or empty is `None` (HTML forms send empty fields); a value
/// with spaces or line breaks around it is refused (422 naming `field`), not trimmed, so that
/// what the API accepts is exactly what the document says it accepts.
pub fn query_word<'a>(field: &str, value: Option<&'a str>) -> AppResult<Option<&'a str>> {
    match value {
        None | Some("") => Ok(None),
        Some(text) if text.trim() != text => Err(AppError::field(
            field,
            format!("`{text}` has spaces or line breaks around it; send the word alone"),
        )),
        Some(text) => Ok(Some(text)),
    }
}

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(QueryParams)
            .map_err(|e| AppError::BadRequest(format!("bad query parameter: {e}")))
    }
}

/// A path segment (`/stakeholders/{id}`), with a JSON error for one that cannot be read (bytes
/// that are not UTF-8) instead of axum's plain-text one.
pub struct PathParam<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParam<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(PathParam(value)),
            Err(rejection) => Err(AppError::BadRequest(format!(
                "bad path: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// The caller, if a token was presented. A token that is presented but unknown is a 401 even on
/// public routes, so a client with a broken token finds out at once.
pub struct MaybeCaller(pub Option<Caller>);

impl<S> FromRequestParts<S> for MaybeCaller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return from_session(parts, &AppState::from_ref(state)).await;
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(AppError::Unauthorized)?;
        let app = AppState::from_ref(state);
        match app.store.authenticate(token).await? {
            Some(caller) => Ok(MaybeCaller(Some(caller))),
            None => Err(AppError::Unauthorized),
        }
    }
}

/// The caller a session cookie names (a person signed in to the pages), checked by the same
/// rules as a token's from here on. A cookie is sent by the browser on its own, so a request
/// that changes something must also carry the session's CSRF token in `X-CSRF-Token` (another
/// site can make the browser send the cookie, but cannot read the token); bearer tokens need
/// none, since no browser sends them unasked.
async fn from_session(parts: &Parts, app: &AppState) -> Result<MaybeCaller, AppError> {
    let Some(session) = session::resolve(app, &parts.headers).await? else {
        return Ok(MaybeCaller(None));
    };
    if !parts.method.is_safe() {
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if !csrf::matches(&session.csrf_token, sent) {
            return Err(AppError::Forbidden(format!(
                "a change made with a session cookie must carry the header {CSRF_HEADER} with the csrf_token of GET /api/v1/session"
            )));
        }
    }
    Ok(MaybeCaller(Some(session.caller)))
}

/// The header that carries a session's CSRF token on API calls made with the session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A caller with a valid token, any role.
pub struct Authenticated(pub Caller);

impl<S> FromRequestParts<S> for Authenticated
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match MaybeCaller::from_request_parts(parts, state).await?.0 {
            Some(caller) => Ok(Authenticated(caller)),
            None => Err(AppError::Unauthorized),
        }
    }
}

/// Writing a record of `district` is for tokens of that district, or of every district (the
/// rule is [`crate::app::registry::require_district`]).
pub fn require_district(caller: &Caller, district: &str) -> Result<(), AppError> {
    Ok(crate::app::registry::require_district(caller, district)?)
}

impl Authenticated {
    pub fn require_district(&self, district: &str) -> Result<(), AppError> {
        require_district(&self.0, district)
    }

    /// Archiving and approving are for facilitators and admins.
    pub fn require_moderator(&self) -> Result<(), AppError> {
        Ok(crate::app::registry::require_moderator(&self.0)?)
    }
}
