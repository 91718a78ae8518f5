//! PATCH bodies as JSON merge patches (RFC 7396) over a record's submission form, so a partial
//! update is validated exactly like a new record; and the version check that keeps two editors
//! from undoing each other's changes.
//!
//! Every record has a `version`, sent as its `ETag` (`"v3"`). A PATCH with `If-Match: "v3"` is
//! applied only to version 3: if someone changed the record since, the answer is 409, naming who
//! and when, and nothing changes. Either way the record is read, merged and written in one
//! transaction that holds it, so two editors of different fields at once keep both edits.

use axum::Json;
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{AppError, AppResult};
use crate::domain::FieldErrors;

/// The version an `If-Match` header names: `"v3"` or `W/"v3"`; `*` (any version) or no header
/// is `None`. Several tags, or one that is not a version of ours, are a 400.
pub fn if_match(headers: &HeaderMap) -> AppResult<Option<i64>> {
    let Some(value) = headers.get(IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| AppError::BadRequest("If-Match must be an ETag such as \"v3\"".into()))?
        .trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .strip_prefix("\"v")
        .and_then(|rest| rest.strip_suffix('"'))
        .and_then(|digits| digits.parse::<i64>().ok())
        .filter(|version| *version > 0)
        .map(Some)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "If-Match `{text}` is not an ETag of this API; send the ETag a GET gave, such as \"v3\""
            ))
        })
}

/// A record as JSON with its version as the `ETag`.
pub fn with_etag<T: Serialize>(version: i64, record: T) -> Response {
    let mut response = Json(record).into_response();
    set_etag(&mut response, version);
    response
}

/// Names `version` in the response's `ETag` (`"v3"`), the tag `If-Match` sends back.
pub fn set_etag(response: &mut Response, version: i64) {
    if let Ok(tag) = HeaderValue::from_str(&format!("\"v{version}\"")) {
        response.headers_mut().insert(ETAG, tag);
    }
}

pub use crate::domain::merge::merge;

/// Applies a patch to a record's input form. Keys outside `allowed` are refused, so a typo in a
/// field name is an error rather than an update that silently does nothing.
pub fn apply<I: Serialize + DeserializeOwned>(
    current: &I,
    patch: &Value,
    allowed: &[&str],
) -> Result<I, AppError> {
    let Value::Object(changes) = patch else {
        return Err(AppError::field(
            "body",
            "a PATCH body must be a JSON object",
        ));
    };
    let mut errors = FieldErrors::new();
    for key in changes.keys() {
        if !allowed.contains(&key.as_str()) {
            errors.add(
                key.clone(),
                format!("unknown field; may be one of {}", allowed.join(", ")),
            );
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut merged =
        serde_json::to_value(current).map_err(|e| AppError::fault("merging a patch", e))?;
    let mut without_status = patch.clone();
    if let Value::Object(map) = &mut without_status {
        map.remove("status");
    }
    merge(&mut merged, &without_status);
    let text = serde_json::to_vec(&merged).map_err(|e| AppError::fault("merging a patch", e))?;
    super::extract::parse_json(&text)
}

/// A refused merge as the use cases say it: validation stays per field; anything else (which
/// only a patch that cannot be merged causes) is named as the body's fault.
pub fn as_invalid(error: AppError) -> crate::app::Error {
    match error {
        AppError::Validation(errors) => crate::app::Error::Invalid(errors),
        other => crate::app::Error::Invalid(FieldErrors::single("body", other.to_string())),
    }
}

/// The `status` a PATCH asks for, if any; checks first that the body is an object at all.
pub fn requested_status(patch: &Value) -> Result<Option<crate::domain::record::Status>, AppError> {
    use crate::domain::record::Status;
    if !patch.is_object() {
        return Err(AppError::field(
            "body",
            "a PATCH body must be a JSON object",
        ));
    }
    match patch.get("status") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Status::parse(text).map(Some).ok_or_else(|| {
            AppError::field(
                "status",
                format!("unknown value `{text}`: {}", Status::expected()),
            )
        }),
        Some(_) => Err(AppError::field("status", "must be a string")),
    }
}

/// Whether the patch changes anything besides `status`.
pub fn touches_content(patch: &Value) -> bool {
    patch
        .as_object()
        .is_some_and(|map| map.keys().any(|k| k != "status"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn merge_patch_merges_objects_and_removes_nulls() {
        let mut target = json!({"name": "A", "contact": {"phone": "1", "email": "x"}, "gone": 1});
        super::merge(
            &mut target,
            &json!({"contact": {"email": null}, "gone": null, "name": "B"}),
        );
        assert_eq!(target, json!({"name": "B", "contact": {"phone": "1"}}));
    }
}
