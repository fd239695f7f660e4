//! `tokens.json` on disk: the document, reading it, replacing it atomically, and the lock that
//! serialises read-modify-write cycles across processes (the CLI and a running server).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{AuthError, Result};
use crate::token;

/// The tokens file in a state directory.
pub(crate) const FILE_NAME: &str = "tokens.json";
/// The lock file beside it. A separate file because the tokens file itself is replaced by a
/// rename: a lock on it would be a lock on an inode that is no longer there.
pub(crate) const LOCK_NAME: &str = "tokens.lock";
/// The format this build reads and writes.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// The whole tokens file.
#[derive(Serialize, Deserialize)]
pub(crate) struct Document {
    pub version: u32,
    pub tokens: Vec<Record>,
}

impl Default for Document {
    fn default() -> Self {
        Document {
            version: FORMAT_VERSION,
            tokens: Vec::new(),
        }
    }
}

/// One token as stored: everything but the secret, which only its hash stands for. (No `Debug`:
/// nothing should print the hash by accident.)
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Record {
    pub id: String,
    pub association: String,
    pub label: Option<String>,
    pub created: Timestamp,
    pub expires: Timestamp,
    pub revoked: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
    /// SHA-256 of the whole token string, lowercase hex.
    pub hash: String,
}

/// Only the version, read first so a newer format is named as such rather than called corrupt.
#[derive(Deserialize)]
struct Header {
    version: u64,
}

/// The paths of one state directory's token store.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    pub dir: PathBuf,
    pub file: PathBuf,
    pub lock: PathBuf,
}

impl Paths {
    pub fn new(state_dir: &Path) -> Paths {
        Paths {
            dir: state_dir.to_owned(),
            file: state_dir.join(FILE_NAME),
            lock: state_dir.join(LOCK_NAME),
        }
    }
}

/// Parses the text of a tokens file, checking what the types do not: the version, the shape of
/// ids and hashes, unique ids.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Document> {
    let header: Header = serde_json::from_str(text).map_err(|e| corrupt(path, &e))?;
    if header.version != u64::from(FORMAT_VERSION) {
        return Err(AuthError::UnsupportedVersion {
            path: path.to_owned(),
            version: header.version,
            supported: FORMAT_VERSION,
        });
    }
    let document: Document = serde_json::from_str(text).map_err(|e| corrupt(path, &e))?;
    let mut ids = std::collections::HashSet::new();
    for (n, record) in document.tokens.iter().enumerate() {
        let problem = if !token::is_id(&record.id) {
            Some("an id that is not 12 lowercase hex characters")
        } else if token::hash_from_hex(&record.hash).is_none() {
            Some("a hash that is not 64 hex digits")
        } else if !ids.insert(record.id.as_str()) {
            Some("an id that an earlier token already has")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(AuthError::Corrupt {
                path: path.to_owned(),
                reason: format!("token {} (counting from 1) has {problem}", n + 1),
            });
        }
    }
    Ok(document)
}

/// Names where parsing stopped but never quotes the file: serde's own messages may quote a value,
/// and a value could be a hash.
fn corrupt(path: &Path, err: &serde_json::Error) -> AuthError {
    let what = match err.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Eof => "cut short",
        serde_json::error::Category::Data => "not a tokens document",
    };
    AuthError::Corrupt {
        path: path.to_owned(),
        reason: format!("{what} at line {}, column {}", err.line(), err.column()),
    }
}

/// Reads the tokens file; a missing file is an empty store.
pub(crate) fn read(path: &Path) -> Result<Document> {
    match fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Document::default()),
        Err(e) => Err(AuthError::io("reading", path, e)),
    }
}

/// Reads an opened tokens file.
pub(crate) fn read_from(mut file: &File, path: &Path) -> Result<Document> {
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| AuthError::io("reading", path, e))?;
    parse(path, &text)
}

/// The exclusive lock of a store, held until the returned file is dropped. Blocks while another
/// process (or another handle in this one) holds it.
pub(crate) fn lock(paths: &Paths) -> Result<File> {
    let file = private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&paths.lock)
        .map_err(|e| AuthError::io("opening", &paths.lock, e))?;
    file.lock()
        .map_err(|e| AuthError::io("locking", &paths.lock, e))?;
    Ok(file)
}

/// Replaces the tokens file with `document`: a temporary file in the same directory, flushed to
/// disk, renamed over the old one, then the directory flushed. A crash leaves the old file or the
/// new one, never half of one. Callers hold the lock.
pub(crate) fn write(paths: &Paths, document: &Document) -> Result<()> {
    let mut text = serde_json::to_vec_pretty(document)
        .map_err(|e| AuthError::io("encoding", &paths.file, e.into()))?;
    text.push(b'\n');
    let mut suffix = [0u8; 6];
    token::fill_random(&mut suffix)?;
    let temp = paths
        .dir
        .join(format!(".{FILE_NAME}.{}.tmp", token::to_hex(&suffix)));
    let written = (|| {
        let mut file = private_options().write(true).create_new(true).open(&temp)?;
        file.write_all(&text)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(AuthError::io("writing", &temp, e));
    }
    if let Err(e) = fs::rename(&temp, &paths.file) {
        let _ = fs::remove_file(&temp);
        return Err(AuthError::io("replacing", &paths.file, e));
    }
    sync_dir(&paths.dir)
}

/// Makes the rename itself durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| AuthError::io("flushing", dir, e))
}

/// Windows cannot open a directory as a file; its rename is durable once the file's data is.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<()> {
    Ok(())
}

/// Files only the owner can read: the hashes do not let anyone in, but the ids, associations and
/// labels are nobody else's business either.
fn private_options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}
