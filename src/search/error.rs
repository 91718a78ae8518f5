//! The one error type of the search layer.
//!
//! Policy: [`SearchError::Query`] is the searcher's mistake (a bad filter value, a page out of
//! range) and says what to change; every other variant is ours — the index, the database or the
//! disk failed — and the HTTP layer answers it with an opaque 500 after logging the cause. Odd
//! query *text* is never an error: it is searched as plain words.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A parameter the searcher can fix, named by `field`.
    #[error("{field}: {message}")]
    Query { field: String, message: String },
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
    /// The index opened but is not one this version wrote (schema or commit payload).
    #[error("search index is unusable: {0}")]
    Unusable(String),
    /// Another process (or another handle in this one) is the writer of this index directory.
    #[error(
        "another sangam process is writing the search index in {0}; give each server its own --data-dir"
    )]
    Locked(std::path::PathBuf),
    /// The vocabulary file is unreadable or malformed (its message names the line).
    #[error(transparent)]
    Vocabulary(#[from] super::analysis::VocabularyError),
    #[error("reading the registry for search: {0}")]
    Store(#[from] StoreError),
    #[error("the search indexer has stopped")]
    IndexerStopped,
}

impl SearchError {
    pub fn query(field: &str, message: impl Into<String>) -> Self {
        SearchError::Query {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// Whether the searcher, not the service, is at fault.
    pub fn is_user_error(&self) -> bool {
        matches!(self, SearchError::Query { .. })
    }
}

impl From<tantivy::directory::error::OpenDirectoryError> for SearchError {
    fn from(error: tantivy::directory::error::OpenDirectoryError) -> Self {
        SearchError::Index(error.into())
    }
}

pub type SearchResult<T> = Result<T, SearchError>;
