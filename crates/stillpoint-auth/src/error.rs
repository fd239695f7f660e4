use std::path::PathBuf;

/// Errors of the token store. The first four are the caller's input; the rest are failures of the
/// state directory or the system.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A validity is not a duration, is zero or negative, or is longer than ten years.
    #[error("invalid validity: {reason}")]
    InvalidValidity { reason: String },
    /// An association id is empty, too long, or holds whitespace or control characters.
    #[error("invalid association id: {reason}")]
    InvalidAssociation { reason: &'static str },
    /// A label is too long or holds control characters.
    #[error("invalid label: {reason}")]
    InvalidLabel { reason: &'static str },
    /// No token has the given id. `id` is `None` when what was given does not look like an id: it
    /// is not echoed then, since it could be a secret pasted by mistake.
    #[error("{}", not_found(.id.as_deref()))]
    NotFound { id: Option<String> },
    /// The state directory path exists but is not a directory.
    #[error("{path} is not a directory")]
    NotADirectory { path: PathBuf },
    /// The tokens file cannot be parsed. `reason` names a place in the file, never its content.
    #[error("{path} is corrupt: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    /// The tokens file was written in a format this build does not know.
    #[error(
        "{path} has format version {version}, this build reads version {supported} \
         (was it written by a newer stillpoint?)"
    )]
    UnsupportedVersion {
        path: PathBuf,
        version: u64,
        supported: u32,
    },
    /// Reading, writing or locking a file of the state directory failed.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The operating system's random number generator failed.
    #[error("drawing a random token: {0}")]
    Random(String),
}

/// Result alias of the token store.
pub type Result<T, E = AuthError> = std::result::Result<T, E>;

fn not_found(id: Option<&str>) -> String {
    match id {
        Some(id) => format!("no token with id {id} (see `stillpoint token list`)"),
        None => "no token with that id: ids are 12 lowercase hex characters \
                 (see `stillpoint token list`)"
            .to_owned(),
    }
}

impl AuthError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        AuthError::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }
}
