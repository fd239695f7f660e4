//! What the last pull of an association's feed did: `<state>/pulls/<association>.json`,
//! replaced atomically. Plain strings and numbers, independent of the fetching code.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{PublishError, Result};
use crate::report::Counts;
use crate::store::write_atomically;

const PULLS_DIR: &str = "pulls";

/// The last pull of one association's feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRecord {
    /// The feed's URL (as configured; never with credentials).
    pub url: String,
    pub attempted_at: Timestamp,
    pub outcome: PullOutcome,
    /// Validators of the last successful response, for a conditional request next time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When a pull last succeeded (applied or not modified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success_at: Option<Timestamp>,
}

/// How a pull ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PullOutcome {
    /// The feed was published.
    Applied {
        seq: u64,
        generation: u64,
        #[serde(flatten)]
        counts: Counts,
    },
    /// The server said the feed had not changed (304).
    NotModified,
    /// The pull or its publication failed; `kind` is a short machine-readable word
    /// (`timeout`, `http_status`, `too_large`, `mass_delete`...).
    Failed { kind: String, message: String },
}

pub(crate) fn path(state_dir: &Path, association: &str) -> PathBuf {
    state_dir
        .join(PULLS_DIR)
        .join(format!("{association}.json"))
}

pub(crate) fn read(state_dir: &Path, association: &str) -> Result<Option<PullRecord>> {
    let path = path(state_dir, association);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(PublishError::Store { path, source: e }),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| PublishError::Corrupt {
            path,
            message: e.to_string(),
        })
}

pub(crate) fn write(state_dir: &Path, association: &str, record: &PullRecord) -> Result<()> {
    let path = path(state_dir, association);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(PublishError::store(dir))?;
    }
    let json = serde_json::to_vec_pretty(record).map_err(|e| PublishError::Corrupt {
        path: path.clone(),
        message: e.to_string(),
    })?;
    write_atomically(&path, &json)
}
