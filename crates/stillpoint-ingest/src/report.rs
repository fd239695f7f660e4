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
    /// Accepted members that replaced a different earlier listing.
    pub updated: u64,
    /// Accepted members whose listing is exactly the one already indexed (not written again).
    /// `added + updated + unchanged = accepted`.
    pub unchanged: u64,
    /// Records rejected (each keeps its member's previous listing, if any).
    pub rejected: u64,
    /// Members removed because a `replace` feed no longer lists them.
    pub removed: u64,
    /// Index generation after the commit (absent for a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<u64>,
    pub seconds: f64,
    pub records_per_second: f64,
    pub rejections: Vec<Problem>,
    /// Problems of rejected records beyond [`crate::IngestOptions::max_problems`], counted only.
    #[serde(skip_serializing_if = "is_zero")]
    pub rejections_truncated: u64,
    pub warnings: Vec<Problem>,
    /// Warnings beyond [`crate::IngestOptions::max_problems`], counted only.
    #[serde(skip_serializing_if = "is_zero")]
    pub warnings_truncated: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl IngestReport {
    /// Whether every record was accepted.
    pub fn all_accepted(&self) -> bool {
        self.rejected == 0
    }

    /// Number of warnings, listed or not.
    pub fn warning_count(&self) -> u64 {
        self.warnings.len() as u64 + self.warnings_truncated
    }

    pub(crate) fn set_elapsed(&mut self, elapsed: std::time::Duration) {
        self.seconds = elapsed.as_secs_f64();
        self.records_per_second = self.records as f64 / self.seconds.max(1e-9);
    }

    pub(crate) fn add_warnings(&mut self, problems: Vec<Problem>, max: usize) {
        push_capped(
            &mut self.warnings,
            &mut self.warnings_truncated,
            problems,
            max,
        );
    }

    pub(crate) fn add_rejections(&mut self, problems: Vec<Problem>, max: usize) {
        push_capped(
            &mut self.rejections,
            &mut self.rejections_truncated,
            problems,
            max,
        );
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

fn push_capped(list: &mut Vec<Problem>, truncated: &mut u64, problems: Vec<Problem>, max: usize) {
    let room = max.saturating_sub(list.len());
    *truncated += problems.len().saturating_sub(room) as u64;
    list.extend(problems.into_iter().take(room));
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
            self.records_per_second,
        )?;
        if let Some(generation) = self.generation {
            write!(f, "; index generation {generation}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(line: u64) -> Problem {
        Problem {
            source: "f".into(),
            line,
            member_id: None,
            field: String::new(),
            message: "m".into(),
        }
    }

    #[test]
    fn problems_beyond_the_cap_are_counted_not_listed() {
        let mut report = IngestReport::default();
        report.add_rejections(vec![problem(1), problem(2)], 3);
        report.add_rejections(vec![problem(3), problem(4)], 3);
        report.add_warnings(vec![problem(5)], 0);
        assert_eq!(report.rejections.len(), 3);
        assert_eq!(report.rejections_truncated, 1);
        assert_eq!((report.warnings.len(), report.warning_count()), (0, 1));
    }
}
