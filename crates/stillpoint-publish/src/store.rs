//! The publication store: every accepted publication of every association, as received, with
//! its report.
//!
//! ```text
//! <state>/publications/incoming/<pid>-<nanos>-<n>.part    bodies being received
//! <state>/publications/<association>/000000000012.body    the body, byte for byte (not for a delete)
//! <state>/publications/<association>/000000000012.json    what was published: StoredPublication
//! ```
//!
//! A publication exists once its `.json` exists. Its body is renamed into place (and the
//! directory fsync'd) before the `.json` is written to a temporary file, fsync'd and renamed
//! over, so a `.json` never names a body that is not on disk. A `.body` without its `.json` is
//! the left-over of a crash and is replaced by the next publication of the same number.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{PublishError, Result};
use crate::publication::{Action, Actor};
use crate::report::PublishReport;
use crate::spool::{BodyDigest, Spool};

/// Sub-directory of the state directory that holds the store.
pub const PUBLICATIONS_DIR: &str = "publications";
const INCOMING_DIR: &str = "incoming";
const STORED_VERSION: u32 = 1;

/// One stored publication (its `.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredPublication {
    pub version: u32,
    pub seq: u64,
    pub association: String,
    #[serde(flatten)]
    pub action: Action,
    /// `jsonl`, `json` or `csv` as detected when it was received; absent for a delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    pub received_at: Timestamp,
    pub actor: Actor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyDigest>,
    /// Always false: dry runs are not stored.
    pub dry_run: bool,
    pub allow_mass_delete: bool,
    pub report: PublishReport,
}

impl StoredPublication {
    pub fn new(
        seq: u64,
        action: Action,
        received_at: Timestamp,
        actor: Actor,
        body: Option<BodyDigest>,
        allow_mass_delete: bool,
        report: PublishReport,
    ) -> StoredPublication {
        StoredPublication {
            version: STORED_VERSION,
            seq,
            association: report.association.clone(),
            action,
            format: report.format.clone(),
            received_at,
            actor,
            body,
            dry_run: false,
            allow_mass_delete,
            report,
        }
    }
}

/// The store under `<state>/publications`.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    root: PathBuf,
}

impl Store {
    /// Opens (creating) the store of a state directory and clears stale spool files.
    pub fn open(state_dir: &Path) -> Result<Store> {
        let root = state_dir.join(PUBLICATIONS_DIR);
        let incoming = root.join(INCOMING_DIR);
        std::fs::create_dir_all(&incoming).map_err(PublishError::store(&incoming))?;
        crate::spool::remove_stale(&incoming);
        Ok(Store { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn spool(&self) -> Result<Spool> {
        let incoming = self.root.join(INCOMING_DIR);
        Spool::create(&incoming).map_err(PublishError::store(incoming))
    }

    fn dir(&self, association: &str) -> PathBuf {
        self.root.join(association)
    }

    pub fn body_path(&self, association: &str, seq: u64) -> PathBuf {
        self.dir(association).join(format!("{seq:012}.body"))
    }

    fn meta_path(&self, association: &str, seq: u64) -> PathBuf {
        self.dir(association).join(format!("{seq:012}.json"))
    }

    /// The associations with a directory in the store, sorted.
    pub fn associations(&self) -> Result<Vec<String>> {
        let entries = std::fs::read_dir(&self.root).map_err(PublishError::store(&self.root))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(PublishError::store(&self.root))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if name != INCOMING_DIR && is_safe_name(&name) && entry.path().is_dir() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// The sequence numbers of an association's stored publications, ascending.
    pub fn seqs(&self, association: &str) -> Result<Vec<u64>> {
        let dir = self.dir(association);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(PublishError::Store {
                    path: dir,
                    source: e,
                });
            }
        };
        let mut seqs = Vec::new();
        for entry in entries {
            let entry = entry.map_err(PublishError::store(&dir))?;
            let name = entry.file_name();
            let seq = name
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .filter(|n| n.len() == 12)
                .and_then(|n| n.parse::<u64>().ok());
            seqs.extend(seq);
        }
        seqs.sort_unstable();
        Ok(seqs)
    }

    /// The publication `seq` of the association, if stored.
    pub fn read(&self, association: &str, seq: u64) -> Result<Option<StoredPublication>> {
        let path = self.meta_path(association, seq);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(PublishError::Store { path, source: e }),
        };
        let stored: StoredPublication =
            serde_json::from_slice(&bytes).map_err(|e| PublishError::Corrupt {
                path: path.clone(),
                message: e.to_string(),
            })?;
        if stored.seq != seq || stored.association != association {
            return Err(PublishError::Corrupt {
                path,
                message: format!(
                    "it describes publication {} of {}",
                    stored.seq, stored.association
                ),
            });
        }
        Ok(Some(stored))
    }

    /// The association's latest stored publication.
    pub fn last(&self, association: &str) -> Result<Option<StoredPublication>> {
        match self.seqs(association)?.last() {
            Some(&seq) => self.read(association, seq),
            None => Ok(None),
        }
    }

    /// Stores a publication durably: body first, then its description (see the module docs).
    pub fn write(&self, body: Option<Spool>, stored: &StoredPublication) -> Result<()> {
        let dir = self.dir(&stored.association);
        if !dir.is_dir() {
            std::fs::create_dir(&dir).map_err(PublishError::store(&dir))?;
            sync_dir(&self.root)?;
        }
        let body_path = self.body_path(&stored.association, stored.seq);
        if let Some(spool) = body {
            spool
                .persist(&body_path)
                .map_err(PublishError::store(&body_path))?;
            sync_dir(&dir)?;
        }
        let meta = self.meta_path(&stored.association, stored.seq);
        let json = serde_json::to_vec(stored).map_err(|e| PublishError::Corrupt {
            path: meta.clone(),
            message: e.to_string(),
        })?;
        let written = write_atomically(&meta, &json);
        if written.is_err() {
            // Not stored: the body alone is a left-over; remove it now rather than later.
            let _ = std::fs::remove_file(&body_path);
        }
        written
    }
}

/// Writes `bytes` to `path` through a fsync'd temporary file and a rename, then fsyncs the
/// directory: after a crash, `path` holds either its previous contents or `bytes`.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.tmp"));
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(PublishError::Store {
            path: path.to_path_buf(),
            source: e,
        });
    }
    sync_dir(dir)
}

/// Makes the directory's entries (creations, renames) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(PublishError::store(dir))
}

/// Whether an association id can name a directory: 1-64 characters of `a-z A-Z 0-9 . _ -`,
/// not starting with a dot.
pub(crate) fn is_safe_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}
