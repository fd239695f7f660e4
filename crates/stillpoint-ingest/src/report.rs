//! What an ingest did, for people (the summary) and machines (`--report-json`).

use std::fmt;

use serde::Serialize;

use crate::format::{Format, csv_field_name};
use crate::record::{FieldError, SourceRecord};

/// One problem, placed in the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Name of the feed (file path, URL or `<stdin>`).
    #[serde(skip)]
    pub source: String,
    /// 1-based line in the feed.
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_id: Option<String>,
    /// The field (CSV column for CSV feeds); empty for the record as a whole.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.source, self.line)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// The outcome of one ingest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    pub source: String,
    pub association: String,
    pub format: String,
    pub dry_run: bool,
    pub replace: bool,
    /// Records read (accepted + rejected).
    pub records: u64,
    pub accepted: u64,
    /// Accepted members that were not in the index before.
    pub added: u64,
    /// Accepted members that replaced an earlier listing.
    pub updated: u64,
    pub rejected: u64,
    /// Members removed because a `replace` feed no longer lists them.
    pub removed: u64,
    /// Index generation after the commit (absent for a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<u64>,
    pub seconds: f64,
    pub records_per_second: f64,
    pub rejections: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

impl IngestReport {
    /// Whether every record was accepted.
    pub fn all_accepted(&self) -> bool {
        self.rejected == 0
    }

    pub(crate) fn set_format(&mut self, format: Format) {
        self.format = match format {
            Format::JsonLines => "jsonl",
            Format::Json => "json",
            Format::Csv => "csv",
        }
        .to_owned();
    }

    /// Places field problems of a record in the feed: the CSV row of a location, the CSV column
    /// name of a field.
    pub(crate) fn problems(
        &self,
        record: &SourceRecord,
        errors: &[FieldError],
        csv: bool,
    ) -> Vec<Problem> {
        errors
            .iter()
            .map(|e| {
                let (line, field) = if csv {
                    let (location, column) = csv_field_name(&e.path);
                    let line = location
                        .and_then(|i| record.location_lines.get(i).copied())
                        .unwrap_or(record.line);
                    (
                        line,
                        if e.path.is_empty() {
                            String::new()
                        } else {
                            column
                        },
                    )
                } else {
                    (record.line, e.path.clone())
                };
                Problem {
                    source: self.source.clone(),
                    line,
                    member_id: record.member_id.clone(),
                    field,
                    message: e.message.clone(),
                }
            })
            .collect()
    }
}

impl fmt::Display for IngestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would accept"
        } else {
            "accepted"
        };
        write!(
            f,
            "{}: {verb} {} ({} new, {} updated), rejected {}, warnings {}, removed {} in {:.1}s ({:.0} records/s)",
            self.association,
            self.accepted,
            self.added,
            self.updated,
            self.rejected,
            self.warnings.len(),
            self.removed,
            self.seconds,
            self.records_per_second,
        )?;
        if let Some(generation) = self.generation {
            write!(f, "; index generation {generation}")?;
        }
        Ok(())
    }
}
