//! What a publication did: the body of the 200 response, stored with the publication.

use std::fmt;

use serde::{Deserialize, Serialize};
use stillpoint_ingest::IngestReport;

use crate::publication::Action;

/// One problem of one record, placed in the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// 1-based line in the body (for CSV, the row of the location concerned).
    pub line: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<String>,
    /// The field (the column for CSV); empty for the record as a whole.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    /// `line: field: message`; callers prefix the feed's name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.line)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl From<stillpoint_ingest::Problem> for Problem {
    fn from(p: stillpoint_ingest::Problem) -> Self {
        Problem {
            line: p.line,
            member_id: p.member_id,
            field: p.field,
            message: p.message,
        }
    }
}

/// The counts of a publication, for the audit log and pull records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub records: u64,
    pub accepted: u64,
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub removed: u64,
    pub rejected: u64,
}

/// What a publication did (or, for a dry run, would do).
///
/// - `records` = `accepted` + `rejected`: records read from the body.
/// - `accepted` = `added` + `updated` + `unchanged`: `added` members were not listed before,
///   `updated` ones were listed differently, `unchanged` ones exactly so (nothing written).
/// - `rejected` records change nothing: their members keep their previous listing, even in a
///   replace. `rejections` says why, with line, member and field.
/// - `removed`: members a replace no longer lists, or the one member of a delete.
///
/// `rejections` and `warnings` list at most [`crate::PublishSettings::max_problems`] problems
/// each; `rejections_truncated` and `warnings_truncated` count the others. A renderer may cap
/// further with [`PublishReport::cap_problems`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishReport {
    /// Sequence number of the publication in the association's store (`None` for a dry run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    pub association: String,
    #[serde(flatten)]
    pub action: Action,
    pub dry_run: bool,
    /// `jsonl`, `json` or `csv`; absent for a delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// How the feed was named (a path or URL from the command line); empty for a request body.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    pub records: u64,
    pub accepted: u64,
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub removed: u64,
    pub rejected: u64,
    pub rejections: Vec<Problem>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rejections_truncated: u64,
    pub warnings: Vec<Problem>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub warnings_truncated: u64,
    /// The index generation that holds the publication (`None` for a dry run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<u64>,
    pub seconds: f64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl PublishReport {
    /// A report of nothing yet.
    pub(crate) fn new(association: &str, action: Action, dry_run: bool) -> PublishReport {
        PublishReport {
            seq: None,
            association: association.to_owned(),
            action,
            dry_run,
            format: None,
            source: String::new(),
            records: 0,
            accepted: 0,
            added: 0,
            updated: 0,
            unchanged: 0,
            removed: 0,
            rejected: 0,
            rejections: Vec::new(),
            rejections_truncated: 0,
            warnings: Vec::new(),
            warnings_truncated: 0,
            generation: None,
            seconds: 0.0,
        }
    }

    /// Takes the counts and problems of an ingest.
    pub(crate) fn absorb(&mut self, ingest: IngestReport) {
        self.format = Some(ingest.format);
        self.records = ingest.records;
        self.accepted = ingest.accepted;
        self.added = ingest.added;
        self.updated = ingest.updated;
        self.unchanged = ingest.unchanged;
        self.removed = ingest.removed;
        self.rejected = ingest.rejected;
        self.rejections = ingest.rejections.into_iter().map(Problem::from).collect();
        self.rejections_truncated = ingest.rejections_truncated;
        self.warnings = ingest.warnings.into_iter().map(Problem::from).collect();
        self.warnings_truncated = ingest.warnings_truncated;
    }

    pub fn counts(&self) -> Counts {
        Counts {
            records: self.records,
            accepted: self.accepted,
            added: self.added,
            updated: self.updated,
            unchanged: self.unchanged,
            removed: self.removed,
            rejected: self.rejected,
        }
    }

    /// Whether no record was rejected.
    pub fn all_accepted(&self) -> bool {
        self.rejected == 0
    }

    /// Number of warnings, listed or not.
    pub fn warning_count(&self) -> u64 {
        self.warnings.len() as u64 + self.warnings_truncated
    }

    /// Keeps at most `max` rejections and `max` warnings listed, counting the others in the
    /// `*_truncated` fields (for a response that must stay small).
    pub fn cap_problems(&mut self, max: usize) {
        for (list, truncated) in [
            (&mut self.rejections, &mut self.rejections_truncated),
            (&mut self.warnings, &mut self.warnings_truncated),
        ] {
            if list.len() > max {
                *truncated += (list.len() - max) as u64;
                list.truncate(max);
            }
        }
    }
}

impl fmt::Display for PublishReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would accept"
        } else {
            "accepted"
        };
        if let Action::Delete { member_id } = &self.action {
            let verb = if self.dry_run {
                "would remove"
            } else {
                "removed"
            };
            write!(f, "{}: {verb} member {member_id}", self.association)?;
        } else {
            write!(
                f,
                "{}: {verb} {} ({} new, {} updated, {} unchanged), rejected {}, warnings {}, removed {} in {:.1}s ({:.0} records/s)",
                self.association,
                self.accepted,
                self.added,
                self.updated,
                self.unchanged,
                self.rejected,
                self.warning_count(),
                self.removed,
                self.seconds,
                self.records as f64 / self.seconds.max(1e-9),
            )?;
        }
        if let Some(seq) = self.seq {
            write!(f, "; publication {seq}")?;
        }
        if let Some(generation) = self.generation {
            write!(f, "; index generation {generation}")?;
        }
        Ok(())
    }
}
