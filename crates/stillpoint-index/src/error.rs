use std::path::PathBuf;

/// Errors of the index layer.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No index exists at the given directory.
    #[error("no index at {path} (run `stillpoint ingest` or `stillpoint demo` first)")]
    Missing { path: PathBuf },
    /// The index on disk was built with another schema than this build's.
    #[error(
        "the index at {path} was built with a different schema than this build's (version {expected}); \
         run `stillpoint rebuild` to recreate it from the publication store"
    )]
    SchemaMismatch { path: PathBuf, expected: String },
    /// A stored document could not be decoded back into a practitioner.
    #[error("stored practitioner is corrupt: {0}")]
    Corrupt(String),
    /// Another process holds the index writer.
    #[error("another process is writing to the index at {path}; try again when it has finished")]
    Locked { path: PathBuf },
    /// Reading or writing the state directory failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// tantivy failed.
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Result alias of the index layer.
pub type Result<T, E = IndexError> = std::result::Result<T, E>;
