//! Why a publication (or a rebuild) did not happen.

use std::path::PathBuf;

use stillpoint_index::IndexError;
use stillpoint_ingest::IngestError;

/// Why a publication was not applied; nothing was stored or changed, except where a variant
/// says otherwise. Problems with single records are not errors: they are rejections in the
/// [`crate::PublishReport`], and the other records are published.
///
/// Each variant maps to one HTTP status ([`PublishError::http_status`]): the caller's mistakes
/// are 4xx, a busy writer 503, our own failures 500.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The association is not a body of the vocabulary. HTTP 404.
    #[error("unknown association {0:?}: it must be a body id of the vocabulary")]
    UnknownAssociation(String),
    /// A delete names a member the association does not list. HTTP 404.
    #[error("{association} lists no member {member_id:?}")]
    UnknownMember {
        association: String,
        member_id: String,
    },
    /// A replace would remove more than the configured share of the association's members and
    /// the mass deletion was not allowed. HTTP 409, with the counts.
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
    /// Another writer holds the index (another process's ingest or rebuild, or a lock this
    /// process could not take). Nothing was done; try again shortly. HTTP 503 with Retry-After.
    #[error("another process is writing to the index at {path}; try again when it has finished")]
    Busy { path: PathBuf },
    /// The request itself is inconsistent: a replace or upsert without a body, a delete with
    /// one, a member id that cannot exist. HTTP 400.
    #[error("{0}")]
    BadRequest(String),
    /// The body cannot be read as a feed at all (a malformed JSON array, an unusable CSV
    /// header). HTTP 400.
    #[error("{0}")]
    Unreadable(IngestError),
    /// A rebuild found no publication at all while the current index lists members: it would
    /// empty the directory (a store lost or never filled, e.g. an index built before the store
    /// existed). HTTP 409.
    #[error(
        "the publication store under {path} is empty but the index lists {members} practitioners; \
         a rebuild would remove them all"
    )]
    EmptyStore { path: PathBuf, members: u64 },
    /// Reading or writing the publication store, the audit log or the pull records failed.
    /// HTTP 500. A publication that failed here was not committed.
    #[error("{path}: {source}")]
    Store {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A stored file cannot be decoded. HTTP 500.
    #[error("{path}: corrupt: {message}")]
    Corrupt { path: PathBuf, message: String },
    /// The index failed. HTTP 500. When this happens after the publication was stored (at the
    /// commit), the publication is applied by the next publication or at the next start
    /// ([`crate::Publisher`]'s recovery).
    #[error(transparent)]
    Index(IndexError),
    /// The ingest pipeline failed on our side (reading the stored body, a worker thread).
    /// HTTP 500.
    #[error(transparent)]
    Ingest(IngestError),
}

impl PublishError {
    /// The HTTP status this error stands for.
    pub fn http_status(&self) -> u16 {
        match self {
            PublishError::UnknownAssociation(_) | PublishError::UnknownMember { .. } => 404,
            PublishError::MassDelete { .. } | PublishError::EmptyStore { .. } => 409,
            PublishError::Busy { .. } => 503,
            PublishError::BadRequest(_) | PublishError::Unreadable(_) => 400,
            PublishError::Store { .. }
            | PublishError::Corrupt { .. }
            | PublishError::Index(_)
            | PublishError::Ingest(_) => 500,
        }
    }

    pub(crate) fn store(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> PublishError {
        let path = path.into();
        move |source| PublishError::Store { path, source }
    }
}

impl From<IndexError> for PublishError {
    fn from(e: IndexError) -> Self {
        match e {
            IndexError::Locked { path } => PublishError::Busy { path },
            other => PublishError::Index(other),
        }
    }
}

impl From<IngestError> for PublishError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::UnknownAssociation(association) => {
                PublishError::UnknownAssociation(association)
            }
            IngestError::MassDelete {
                would_remove,
                existing,
                percent,
                limit,
            } => PublishError::MassDelete {
                would_remove,
                existing,
                percent,
                limit,
            },
            e @ (IngestError::Syntax { .. } | IngestError::Header(_)) => {
                PublishError::Unreadable(e)
            }
            IngestError::Index(e) => e.into(),
            other => PublishError::Ingest(other),
        }
    }
}

/// Result alias of the publish crate.
pub type Result<T, E = PublishError> = std::result::Result<T, E>;
