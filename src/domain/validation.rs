//! Field-level validation errors, keyed by the JSON path of the field (`contact.phone`).

use std::collections::BTreeMap;

/// Every problem found in one submission, so a form can show them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, why: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, why);
        errors
    }

    /// Records a problem; the first reason given for a field is kept.
    pub fn add(&mut self, field: impl Into<String>, why: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| why.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// Merges the errors that the `validator` derive found, flattening nested paths.
    pub fn absorb(&mut self, errors: &validator::ValidationErrors) {
        flatten_into(self, "", errors);
    }

    /// `Ok(value)` when nothing was wrong.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

fn flatten_into(out: &mut FieldErrors, prefix: &str, errors: &validator::ValidationErrors) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                if let Some(first) = list.first() {
                    let why = first
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("is invalid ({})", first.code));
                    out.add(path, why);
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten_into(out, &path, inner),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten_into(out, &format!("{path}[{index}]"), inner);
                }
            }
        }
    }
}

/// Trims a free-text field; empty after trimming counts as absent.
pub fn clean_text(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Rejects control characters (other than newline and tab) that no form would produce.
pub fn has_control_chars(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
}

/// Checks a required, bounded, single-line-or-paragraph text field.
pub fn check_text(errors: &mut FieldErrors, field: &str, value: &str, max_chars: usize) {
    let count = value.chars().count();
    if value.trim().is_empty() {
        errors.add(field, "must not be empty");
    } else if count > max_chars {
        errors.add(
            field,
            format!("is too long ({count} characters; at most {max_chars})"),
        );
    } else if has_control_chars(value) {
        errors.add(field, "contains control characters");
    }
}
