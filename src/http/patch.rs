//! PATCH bodies as JSON merge patches (RFC 7396) over a record's submission form, so a partial
//! update is validated exactly like a new record.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::AppError;
use crate::domain::FieldErrors;

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
        serde_json::to_value(current).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut without_status = patch.clone();
    if let Value::Object(map) = &mut without_status {
        map.remove("status");
    }
    merge(&mut merged, &without_status);
    let text = serde_json::to_vec(&merged).map_err(|e| AppError::Internal(e.to_string()))?;
    super::extract::parse_json(&text)
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
