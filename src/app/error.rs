//! The one error type of the use cases. Fronts turn it into their own answer (the API's JSON
//! error, a page that says what to do); it says nothing of HTTP.

use crate::domain::FieldErrors;
use crate::interchange::import::{ImportError, RowDuplicates};
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
    /// A file that is not what it claims to be (not UTF-8, not a workbook); says how to save one.
    #[error("{0}")]
    Unreadable(String),
    /// More than one call takes (rows of an import); says how to split it.
    #[error("{0}")]
    TooLarge(String),
    /// Rows of an import that look like records already registered, or like earlier rows; each
    /// front says how to store them anyway.
    #[error("some rows look like records already registered")]
    Duplicates(Vec<RowDuplicates>),
    /// Conflicts, duplicates, stale versions, a busy database and faults, as the store says them.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FieldErrors> for Error {
    fn from(errors: FieldErrors) -> Self {
        Error::Invalid(errors)
    }
}

impl From<ImportError> for Error {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Unreadable(why) => Error::Unreadable(why),
            ImportError::Invalid(errors) => Error::Invalid(errors),
            too_many @ ImportError::TooManyRows { .. } => Error::TooLarge(too_many.to_string()),
            ImportError::Duplicates(rows) => Error::Duplicates(rows),
            ImportError::Store(error) => Error::Store(error),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
