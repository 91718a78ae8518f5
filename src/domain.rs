//! The registry's vocabulary as validated values: who is who, what they offer and need, where.
//!
//! Input types (`*Input`) are what clients send; `validate` turns them into the values the store
//! keeps, or into [`FieldErrors`] naming each field that is wrong and why. Nothing here knows about
//! HTTP or SQL: checks that need the registry (does this district exist?) take a [`Catalog`].

/// A closed set of snake_case words (kinds, statuses) that parses with a helpful error. Its
/// OpenAPI schema (`ToSchema`) lists the words, so the document cannot name one it does not parse.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:tt),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text.trim() { $($text => Some($name::$variant),)+ _ => None }
            }

            /// "must be one of a, b, c" for an unknown word.
            pub fn expected() -> String {
                let words: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                format!("must be one of {}", words.join(", "))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod access;
pub mod account;
pub mod consent;
pub mod geography;
pub mod meeting;
pub mod merge;
pub mod money;
pub mod need;
pub mod notification;
pub mod offering;
pub mod phone;
pub mod planning;
pub mod record;
pub mod schema;
pub mod stakeholder;
pub mod validation;
pub mod visibility;

pub use geography::Catalog;
pub use validation::FieldErrors;
