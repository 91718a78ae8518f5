//! Consent to keep a person's data, as India's Digital Personal Data Protection Act, 2023 asks:
//! a public registration is stored only when the person was shown a notice (what is collected,
//! why, who sees it, how long, how to correct or erase) and agreed to it. The record keeps which
//! notice, in which language, and when.
//!
//! The notices' words live in `texts/consent/VERSION.LANG.txt`, not in code; a new wording is a
//! new version (older versions stay known, so a client that showed one is still understood).

use serde::{Deserialize, Serialize};

use super::validation::FieldErrors;

word_enum! {
    /// The languages a notice is written in.
    NoticeLanguage { Hindi => "hi", English => "en" }
}

/// One notice, in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ConsentNotice)]
pub struct Notice {
    #[schema(examples("2026-12"))]
    pub version: &'static str,
    pub language: NoticeLanguage,
    /// Plain text, one paragraph per line: what, why, who sees it, how long, how to correct or
    /// erase.
    pub text: &'static str,
}

/// The notice shown today.
pub const CURRENT_VERSION: &str = "2026-12";

/// Every notice ever shown, newest first.
const NOTICES: &[Notice] = &[
    Notice {
        version: "2026-12",
        language: NoticeLanguage::Hindi,
        text: include_str!("../../texts/consent/2026-12.hi.txt"),
    },
    Notice {
        version: "2026-12",
        language: NoticeLanguage::English,
        text: include_str!("../../texts/consent/2026-12.en.txt"),
    },
];

/// The current notice in `language`.
pub fn current_notice(language: NoticeLanguage) -> Notice {
    notice(CURRENT_VERSION, language).unwrap_or(NOTICES[0])
}

fn notice(version: &str, language: NoticeLanguage) -> Option<Notice> {
    NOTICES
        .iter()
        .find(|n| n.version == version && n.language == language)
        .copied()
}

fn known_version(version: &str) -> bool {
    NOTICES.iter().any(|n| n.version == version)
}

/// The person agreed to the notice of `GET /api/v1/consent-notice`. Without `given: true` the
/// registration is refused (422 naming `consent.given`) and nothing is stored; an unknown
/// `notice_version` is refused too (`consent.notice_version`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentInput {
    #[schema(schema_with = only_true, required = true)]
    pub given: Option<bool>,
    /// The `version` of the notice shown.
    #[schema(value_type = String, required = true, examples("2026-12"))]
    pub notice_version: Option<String>,
    /// The language the notice was shown in.
    #[schema(value_type = NoticeLanguage, required = true)]
    pub language: Option<String>,
}

/// `true`, the one value that lets a registration through.
fn only_true() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Boolean)
        .enum_values(Some([true]))
        .build()
}

/// Consent the person gave, ready to store with the time it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentGiven {
    pub notice_version: String,
    pub language: NoticeLanguage,
}

/// What a public registrant agreed to, as kept on the record. Shown to facilitators and admins
/// only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentRecord {
    #[schema(examples("2026-12"))]
    pub notice_version: String,
    #[schema(value_type = NoticeLanguage)]
    pub language: String,
    #[schema(value_type = super::schema::Timestamp)]
    pub given_at: String,
}

impl ConsentInput {
    /// Consent that was given to a notice Sangam knows, or the fields (`consent.given`,
    /// `consent.notice_version`, `consent.language`) that say why not.
    pub fn validate(input: Option<ConsentInput>) -> Result<ConsentGiven, FieldErrors> {
        let mut errors = FieldErrors::new();
        let Some(input) = input else {
            errors.add(
                "consent.given",
                "is required: show the notice from GET /api/v1/consent-notice and send consent.given: true",
            );
            return Err(errors);
        };
        if input.given != Some(true) {
            errors.add(
                "consent.given",
                "must be true: nothing is stored without the person's consent",
            );
        }
        let version = input
            .notice_version
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        if version.is_empty() {
            errors.add(
                "consent.notice_version",
                "is required: the version of the notice shown",
            );
        } else if !known_version(&version) {
            errors.add(
                "consent.notice_version",
                format!("unknown notice `{version}`; the current one is {CURRENT_VERSION} (GET /api/v1/consent-notice)"),
            );
        }
        let language = match input.language.as_deref().map(str::trim) {
            None | Some("") => {
                errors.add(
                    "consent.language",
                    "is required: hi or en, the language of the notice shown",
                );
                None
            }
            Some(text) => NoticeLanguage::parse(text).or_else(|| {
                errors.add(
                    "consent.language",
                    format!("unknown language `{text}`: {}", NoticeLanguage::expected()),
                );
                None
            }),
        };
        match language {
            Some(language) if errors.is_empty() => Ok(ConsentGiven {
                notice_version: version,
                language,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(given: Option<bool>, version: &str, language: &str) -> Option<ConsentInput> {
        Some(ConsentInput {
            given,
            notice_version: Some(version.into()),
            language: Some(language.into()),
        })
    }

    #[test]
    fn consent_to_the_current_notice_is_accepted() {
        let given = ConsentInput::validate(input(Some(true), CURRENT_VERSION, "hi")).unwrap();
        assert_eq!(given.language, NoticeLanguage::Hindi);
        assert_eq!(given.notice_version, CURRENT_VERSION);
    }

    #[test]
    fn missing_refused_or_unknown_consent_names_the_field() {
        let fields = |input| {
            ConsentInput::validate(input)
                .unwrap_err()
                .fields()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(None), ["consent.given"]);
        assert_eq!(
            fields(input(Some(false), CURRENT_VERSION, "en")),
            ["consent.given"]
        );
        assert_eq!(
            fields(input(None, CURRENT_VERSION, "en")),
            ["consent.given"]
        );
        assert_eq!(
            fields(input(Some(true), "1999-01", "en")),
            ["consent.notice_version"]
        );
        assert_eq!(
            fields(input(Some(true), CURRENT_VERSION, "fr")),
            ["consent.language"]
        );
    }

    #[test]
    fn every_notice_says_what_why_who_how_long_and_how_to_erase() {
        let hindi = current_notice(NoticeLanguage::Hindi).text;
        for words in ["क्या", "क्यों", "कौन देखेगा", "कब तक", "मिटा"]
        {
            assert!(hindi.contains(words), "Hindi notice lacks {words}");
        }
        let english = current_notice(NoticeLanguage::English).text;
        for words in ["What we collect", "Why", "Who sees it", "How long", "erase"] {
            assert!(english.contains(words), "English notice lacks {words}");
        }
        assert!(english.contains("facilitators") && english.contains("district"));
    }
}
