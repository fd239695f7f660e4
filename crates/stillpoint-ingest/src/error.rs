use stillpoint_index::IndexError;

/// Why a whole feed could not be ingested. Problems with single records are not errors: they
/// are reported in the [`crate::IngestReport`] and the other records go on.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The association is not a body of the vocabulary.
    #[error("unknown association {0:?}: it must be a body id of the vocabulary")]
    UnknownAssociation(String),
    /// The feed file or stream could not be opened.
    #[error("{name}: {source}")]
    Open {
        name: String,
        source: std::io::Error,
    },
    /// The feed URL could not be fetched.
    #[error("{url}: {message}")]
    Fetch { url: String, message: String },
    /// Reading the feed failed part-way.
    #[error("reading the feed: {0}")]
    Read(std::io::Error),
    /// A JSON array feed is not valid JSON, so no element can be trusted.
    #[error("line {line}, column {column}: malformed JSON array: {message}")]
    Syntax {
        line: u64,
        column: u64,
        message: String,
    },
    /// The CSV header is unusable.
    #[error("CSV header: {0}")]
    Header(String),
    /// A replacement would remove more members than the configured share.
    #[error(
        "refusing to remove {would_remove} of {existing} members ({percent:.0}%, the limit is {limit:.0}%); \
         if the feed really is complete, allow the mass deletion explicitly"
    )]
    MassDelete {
        would_remove: usize,
        existing: usize,
        percent: f64,
        limit: f64,
    },
    /// A pipeline thread stopped without saying why (a bug).
    #[error("an ingest worker stopped unexpectedly")]
    Pipeline,
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// Result alias of the ingest crate.
pub type Result<T, E = IngestError> = std::result::Result<T, E>;
