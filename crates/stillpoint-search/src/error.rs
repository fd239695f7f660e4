//! Errors of the search core.

use std::fmt;

use serde::Serialize;
use stillpoint_index::IndexError;
use stillpoint_index::tantivy::TantivyError;

/// One invalid request parameter and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidParam {
    pub name: String,
    pub reason: String,
}

impl InvalidParam {
    pub fn new(name: &str, reason: impl Into<String>) -> InvalidParam {
        InvalidParam {
            name: name.to_string(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for InvalidParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The request is invalid; every invalid parameter is listed.
    #[error("invalid search: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<InvalidParam>),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("search failed: {0}")]
    Tantivy(#[from] TantivyError),
    #[error("search failed reading the index: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;
