//! The server's side: checking the `Authorization` header of a request against the store.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock, TryLockError};
use std::time::{Duration, Instant, SystemTime};

use jiff::Timestamp;
use subtle::ConstantTimeEq as _;

use crate::error::{AuthError, Result};
use crate::file::{self, Document};
use crate::store::{TokenInfo, TokenStore, whole_second};
use crate::token::{self, Hash};

/// How often [`Authenticator::verify`] looks for changes the CLI made to the tokens file.
pub const RELOAD_INTERVAL: Duration = Duration::from_millis(250);

/// Longest `Authorization` value looked at; a token is 60 characters.
const MAX_HEADER_BYTES: usize = 256;

/// Compared against when the id is unknown, so an unknown id costs the same hash and comparison
/// as a known one and timing does not tell which ids exist.
const DUMMY_HASH: Hash = [0x5a; 32];

/// Why a request's credentials were refused. Every variant is a 401; a valid token used on
/// another association's route is the server's 403, not a `Denied`. The messages are meant for
/// the client and never include the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// No `Authorization` header, or an empty one.
    #[error("missing credentials: send the header `Authorization: Bearer <token>`")]
    Missing,
    /// Not `Bearer` followed by something shaped like a Stillpoint token.
    #[error("malformed credentials: expected `Authorization: Bearer spt_<id>_<secret>`")]
    Malformed,
    /// Well formed, but no stored token matches (unknown id or wrong secret).
    #[error("the token is not valid")]
    Unknown,
    /// The token matches and its validity has ended.
    #[error("the token has expired; ask the directory for a new one")]
    Expired,
    /// The token matches and has been revoked.
    #[error("the token has been revoked")]
    Revoked,
}

impl Denied {
    /// A short stable name, for metrics labels and logs.
    pub fn reason(self) -> &'static str {
        match self {
            Denied::Missing => "missing",
            Denied::Malformed => "malformed",
            Denied::Unknown => "unknown",
            Denied::Expired => "expired",
            Denied::Revoked => "revoked",
        }
    }
}

/// An in-memory view of a state directory's tokens that requests are verified against. Cheap
/// to verify with, `Send + Sync`: share one (`Arc`) between all tasks.
///
/// [`verify`](Authenticator::verify) notices the CLI's changes by itself: at most every
/// [`RELOAD_INTERVAL`] it compares the file's size, modification time (and inode on unix) with
/// what it loaded and re-reads the file when they differ, so a created token is accepted and a
/// revoked one refused within a second. That check is a `stat` (and, rarely, reading a small
/// file): cheap enough to run on an async task.
pub struct Authenticator {
    store: TokenStore,
    view: RwLock<Arc<View>>,
    check: Mutex<Check>,
    /// Last accepted request per token id, since the last flush.
    pending: Mutex<HashMap<String, Timestamp>>,
}

/// The tokens as last loaded.
struct View {
    stamp: Option<Stamp>,
    tokens: HashMap<String, Entry>,
}

struct Entry {
    info: TokenInfo,
    hash: Hash,
}

/// What tells that the file changed: it is only ever replaced by a rename, so a new file has a
/// new mtime (nanoseconds on common file systems) and usually a new inode. Even where mtimes are
/// coarse and an inode is reused, the changes that matter change the size: records are never
/// removed, and creating or revoking a token only lengthens the file (a revocation turns `null`
/// into a time). Only a flush that moves an existing `last_used` keeps the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

struct Check {
    at: Instant,
    /// A stamp whose file failed to load, not retried (nor logged again) until the file changes.
    failed: Option<Stamp>,
}

impl Authenticator {
    /// Loads the tokens of `state_dir`. A missing file is no tokens; a corrupt one is an error.
    pub fn open(state_dir: &Path) -> Result<Authenticator> {
        let store = TokenStore::open(state_dir)?;
        let view = load(store.path())?;
        Ok(Authenticator {
            store,
            view: RwLock::new(Arc::new(view)),
            check: Mutex::new(Check {
                at: Instant::now(),
                failed: None,
            }),
            pending: Mutex::new(HashMap::new()),
        })
    }

    /// Checks `authorization`, the raw value of the request's `Authorization` header if it has
    /// one: `Bearer <token>` (scheme case-insensitive, spaces tolerated) naming a token that is
    /// stored, unexpired and unrevoked. Returns the token's description; the caller compares
    /// its `association` with the route's (403 when they differ).
    pub fn verify(&self, authorization: Option<&[u8]>) -> Result<TokenInfo, Denied> {
        self.verify_at(authorization, Timestamp::now())
    }

    pub(crate) fn verify_at(
        &self,
        authorization: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<TokenInfo, Denied> {
        let presented = bearer(authorization)?;
        let id = token::parse(presented).ok_or(Denied::Malformed)?;
        self.refresh();
        let view = Arc::clone(&self.view.read().unwrap_or_else(PoisonError::into_inner));
        let entry = view.tokens.get(id);
        let stored = entry.map_or(&DUMMY_HASH, |e| &e.hash);
        let matches = bool::from(token::hash(presented).ct_eq(stored));
        let entry = match entry {
            Some(entry) if matches => entry,
            _ => return Err(Denied::Unknown),
        };
        // Only the holder of the secret learns that a token is revoked or expired.
        if entry.info.revoked.is_some() {
            return Err(Denied::Revoked);
        }
        if now >= entry.info.expires {
            return Err(Denied::Expired);
        }
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.insert(entry.info.id.clone(), whole_second(now));
        Ok(entry.info.clone())
    }

    /// Writes the last-used times gathered since the last flush into the tokens file (one
    /// read-modify-write under the store's lock; nothing when no token was used). Call it every
    /// few seconds and at shutdown, from a blocking thread: it waits for the lock. On failure
    /// the times are kept for the next flush.
    pub fn flush_last_used(&self) -> Result<()> {
        let used =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        if used.is_empty() {
            return Ok(());
        }
        let written = self.store.update(|document| {
            for record in &mut document.tokens {
                if let Some(&at) = used.get(&record.id)
                    && record.last_used.is_none_or(|last| last < at)
                {
                    record.last_used = Some(at);
                }
            }
            Ok(())
        });
        if let Err(err) = written {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            for (id, at) in used {
                let kept = pending.entry(id).or_insert(at);
                *kept = (*kept).max(at);
            }
            return Err(err);
        }
        Ok(())
    }

    /// Reloads the view when the file changed, at most once per [`RELOAD_INTERVAL`] and by one
    /// thread at a time (the others go on with the current view).
    fn refresh(&self) {
        let mut check = match self.check.try_lock() {
            Ok(check) => check,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        if check.at.elapsed() < RELOAD_INTERVAL {
            return;
        }
        check.at = Instant::now();
        let path = self.store.path();
        let stamp = match std::fs::metadata(path) {
            Ok(meta) => Some(stamp(&meta)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot check the tokens file; keeping the loaded tokens");
                return;
            }
        };
        let current = self
            .view
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .stamp;
        if stamp == current || (stamp.is_some() && stamp == check.failed) {
            return;
        }
        match load(path) {
            Ok(view) => {
                tracing::info!(path = %path.display(), tokens = view.tokens.len(), "tokens reloaded");
                check.failed = None;
                *self.view.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(view);
            }
            Err(err) => {
                tracing::warn!(path = %path.display(), error = %err, "cannot reload the tokens file; keeping the loaded tokens");
                check.failed = stamp;
            }
        }
    }
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tokens = self
            .view
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .tokens
            .len();
        f.debug_struct("Authenticator")
            .field("path", &self.store.path())
            .field("tokens", &tokens)
            .finish_non_exhaustive()
    }
}

/// The token of an `Authorization` value, not yet checked beyond its scheme.
fn bearer(authorization: Option<&[u8]>) -> Result<&str, Denied> {
    let raw = authorization.ok_or(Denied::Missing)?;
    if raw.len() > MAX_HEADER_BYTES {
        return Err(Denied::Malformed);
    }
    let text = std::str::from_utf8(raw).map_err(|_| Denied::Malformed)?;
    let text = text.trim_matches([' ', '\t']);
    if text.is_empty() {
        return Err(Denied::Missing);
    }
    let (scheme, rest) = text.split_once(' ').ok_or(Denied::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Denied::Malformed);
    }
    Ok(rest.trim_start_matches(' '))
}

/// Reads the file and the stamp of what was read (from the open file, so they agree even if the
/// file is replaced meanwhile).
fn load(path: &Path) -> Result<View> {
    let (stamp, document) = match File::open(path) {
        Ok(file) => {
            let meta = file
                .metadata()
                .map_err(|e| AuthError::io("reading", path, e))?;
            (Some(stamp(&meta)), file::read_from(&file, path)?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, Document::default()),
        Err(e) => return Err(AuthError::io("reading", path, e)),
    };
    let tokens = document
        .tokens
        .iter()
        .filter_map(|record| {
            // `file::parse` has checked every hash.
            let hash = token::hash_from_hex(&record.hash)?;
            let info = TokenInfo::from(record);
            Some((record.id.clone(), Entry { info, hash }))
        })
        .collect();
    Ok(View { stamp, tokens })
}

fn stamp(meta: &std::fs::Metadata) -> Stamp {
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0;
    Stamp {
        len: meta.len(),
        modified: meta.modified().ok(),
        inode,
    }
}

#[cfg(test)]
mod tests;
