//! The one error type of the use cases. Fronts turn it into their own answer (the API's JSON
//! error, a page that says what to do); it says nothing of HTTP.

use crate::domain::FieldErrors;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No record of this kind with this id, or none the caller may see.
    #[error("no {0} with this id")]
    NotFound(&'static str),
    /// The caller's role or districts do not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// The input breaks a rule; each field says why.
    #[error("some fields are invalid")]
    Invalid(FieldErrors),
    /// Conflicts, duplicates, stale versions, a busy database and faults, as the store says them.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FieldErrors> for Error {
    fn from(errors: FieldErrors) -> Self {
        Error::Invalid(errors)
    }
}

pub type Result<T> = std::result::Result<T, Error>;
