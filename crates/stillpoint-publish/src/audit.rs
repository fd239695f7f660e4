//! The audit log, `<state>/audit.jsonl`: one JSON line per event, appended and fsync'd, saying
//! who published what and when. It holds token ids and labels, never a secret.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{PublishError, Result};
use crate::publication::{Action, Actor};
use crate::report::Counts;

/// File name of the audit log in the state directory.
pub const AUDIT_FILE: &str = "audit.jsonl";

/// What happened to a publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// Stored durably, committed right after (the generation it was to have is given; should
    /// that commit fail, a `recovered` line follows when it is applied).
    Applied,
    /// Stored but not committed before a crash or failure, applied by recovery.
    Recovered,
    /// Stored, but its body could not be read again (a later build reads feeds differently);
    /// skipped by recovery so the others are not held up.
    Skipped,
    /// Not applied: the mass-deletion guard, an unknown member.
    Refused,
    /// Validated and reported, nothing changed.
    DryRun,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub time: Timestamp,
    pub actor: Actor,
    pub association: String,
    #[serde(flatten)]
    pub action: Action,
    pub outcome: AuditOutcome,
    /// Why it was refused or skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<u64>,
}

/// Appends events to the audit log.
#[derive(Debug, Clone)]
pub(crate) struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn new(state_dir: &Path) -> AuditLog {
        AuditLog {
            path: state_dir.join(AUDIT_FILE),
        }
    }

    /// Appends one line and fsyncs it. One `write` of a whole line on an `O_APPEND` file: lines
    /// of concurrent writers (the server and a command) do not interleave.
    pub fn append(&self, event: &AuditEvent) -> Result<()> {
        let mut line = serde_json::to_vec(event).map_err(|e| PublishError::Corrupt {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        line.push(b'\n');
        let result = (|| {
            let mut file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            file.write_all(&line)?;
            file.sync_data()
        })();
        result.map_err(PublishError::store(&self.path))
    }
}

/// Reads the audit log of a state directory (for tools and tests); a missing log is empty.
pub fn read_audit_log(state_dir: &Path) -> Result<Vec<AuditEvent>> {
    let path = state_dir.join(AUDIT_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(PublishError::Store { path, source: e }),
    };
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).map_err(|e| PublishError::Corrupt {
                path: path.clone(),
                message: e.to_string(),
            })
        })
        .collect()
}
