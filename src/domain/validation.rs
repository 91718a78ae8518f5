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

/// Characters that steer how text is laid out right to left or left to right: an override
/// (U+202E) makes a name display differently from what is stored, so names keep none of them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no room on screen: zero-width space and joiners, word joiner, BOM,
/// soft hyphen and invisible operators.
fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

fn is_devanagari(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{097F}' | '\u{A8E0}'..='\u{A8FF}')
}

/// A name as people will see it: no bidi controls anywhere, no whitespace or zero-width
/// characters at either end, and inside it zero-width characters only where Hindi needs them —
/// ZWJ/ZWNJ between Devanagari letters (क्‍ष, half forms). Empty if nothing visible is left.
pub fn visible_name(text: &str) -> String {
    let chars: Vec<char> = text.chars().filter(|c| !is_bidi_control(*c)).collect();
    let blank = |c: &char| c.is_whitespace() || is_zero_width(*c);
    let start = chars.iter().position(|c| !blank(c));
    let end = chars.iter().rposition(|c| !blank(c));
    let (Some(start), Some(end)) = (start, end) else {
        return String::new();
    };
    let inner = &chars[start..=end];
    let mut kept = String::with_capacity(text.len());
    for (i, &c) in inner.iter().enumerate() {
        if is_zero_width(c) {
            let joiner = matches!(c, '\u{200C}' | '\u{200D}');
            let between_devanagari = i > 0
                && is_devanagari(inner[i - 1])
                && inner.get(i + 1).is_some_and(|next| is_devanagari(*next));
            if !(joiner && between_devanagari) {
                continue;
            }
        }
        kept.push(c);
    }
    kept
}

/// Checks a required name-like field (a name, a title) after [`visible_name`] and returns the
/// cleaned text; a name of invisible characters alone is refused by name.
pub fn check_name(errors: &mut FieldErrors, field: &str, raw: &str, max_chars: usize) -> String {
    let name = visible_name(raw);
    if name.is_empty() && !raw.trim().is_empty() {
        errors.add(field, "has no visible character");
    } else {
        check_text(errors, field, &name, max_chars);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_invisible_characters_are_refused() {
        for raw in [
            "\u{200b}\u{200b}\u{200b}",
            "\u{202e}\u{200d}",
            " \u{feff}\u{2060} ",
            "\u{200c}",
        ] {
            let mut errors = FieldErrors::new();
            assert_eq!(check_name(&mut errors, "name", raw, 200), "");
            assert_eq!(
                errors.fields().get("name").map(String::as_str),
                Some("has no visible character"),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn edges_and_bidi_controls_go_but_hindi_joiners_stay() {
        assert_eq!(visible_name("\u{200b}Sunita Devi\u{200b} "), "Sunita Devi");
        assert_eq!(visible_name("\u{202e}Sunita\u{202c}"), "Sunita");
        assert_eq!(visible_name("abc\u{202e}fed"), "abcfed");
        assert_eq!(visible_name("Sun\u{200b}ita"), "Sunita");
        // ZWNJ and ZWJ inside a Devanagari word change how it is drawn; they stay.
        assert_eq!(visible_name("क्\u{200c}ष"), "क्\u{200c}ष");
        assert_eq!(visible_name("\u{200d}र्\u{200d}य\u{200d}"), "र्\u{200d}य");
        // Between Latin letters a joiner does nothing visible.
        assert_eq!(visible_name("Ra\u{200d}m"), "Ram");
    }
}
