//! What the format readers hand to normalisation: one practitioner as published, or why it could
//! not be read, with the feed lines it came from.

use stillpoint_model::FeedRecord;

/// A problem with one field of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON-style path of the field: `name`, `locations[1].lat`, `fees.currency`. Empty when the
    /// problem concerns the whole record.
    pub path: String,
    pub message: String,
}

impl FieldError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// One record read from a feed.
#[derive(Debug)]
pub struct SourceRecord {
    /// Line of the record in the feed (1-based); for CSV, the line of its first row.
    pub line: u64,
    /// For CSV, the line of the row of each location; empty for JSON formats.
    pub location_lines: Vec<u64>,
    /// The member id when it could be read, even if the rest of the record could not.
    pub member_id: Option<String>,
    pub record: Result<FeedRecord, Vec<FieldError>>,
    /// Non-fatal remarks found while reading (unknown fields or columns).
    pub warnings: Vec<FieldError>,
}
