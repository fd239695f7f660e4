//! Feed formats: JSON Lines, a JSON array, CSV.

mod csv;
mod json;

use std::io::BufRead;

use crate::error::IngestError;
use crate::record::SourceRecord;

pub use self::csv::csv_field_name;

/// The format of a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    JsonLines,
    /// One JSON array of objects.
    Json,
    /// Comma-separated values with a header row, one row per location.
    Csv,
}

impl Format {
    /// The format named by a file extension or a media type, if any.
    pub fn from_hint(hint: &str) -> Option<Format> {
        let hint = hint.to_ascii_lowercase();
        let hint = hint.split(';').next().unwrap_or_default().trim();
        if hint.ends_with(".jsonl")
            || hint.ends_with(".ndjson")
            || hint.contains("ndjson")
            || hint.contains("jsonl")
            || hint.contains("json-seq")
        {
            Some(Format::JsonLines)
        } else if hint.ends_with(".json") || hint == "application/json" || hint == "json" {
            Some(Format::Json)
        } else if hint.ends_with(".csv") || hint == "text/csv" || hint == "csv" {
            Some(Format::Csv)
        } else {
            None
        }
    }

    /// Guesses the format from the first bytes: `[` opens a JSON array, `{` a JSON Lines feed,
    /// anything else is CSV.
    pub fn sniff(head: &[u8]) -> Format {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => Format::Json,
            Some(b'{') => Format::JsonLines,
            _ => Format::Csv,
        }
    }
}

/// Reads every record of a feed, calling `sink` for each in feed order. A record that cannot be
/// read is passed on as an error; only a feed that cannot be read at all is an [`IngestError`].
pub fn read_records(
    format: Format,
    input: Box<dyn BufRead + '_>,
    max_record_bytes: usize,
    sink: &mut dyn FnMut(SourceRecord) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    match format {
        Format::JsonLines => json::read_json_lines(input, max_record_bytes, sink),
        Format::Json => json::read_json_array(input, max_record_bytes, sink),
        Format::Csv => self::csv::read_csv(input, max_record_bytes, sink),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_hints_and_sniffing() {
        assert_eq!(Format::from_hint("members.JSONL"), Some(Format::JsonLines));
        assert_eq!(
            Format::from_hint("application/x-ndjson"),
            Some(Format::JsonLines)
        );
        assert_eq!(
            Format::from_hint("application/json; charset=utf-8"),
            Some(Format::Json)
        );
        assert_eq!(Format::from_hint("text/csv"), Some(Format::Csv));
        assert_eq!(Format::from_hint("feed.txt"), None);
        assert_eq!(Format::sniff(b"\xEF\xBB\xBF  [{}]"), Format::Json);
        assert_eq!(Format::sniff(b"\n{\"a\":1}"), Format::JsonLines);
        assert_eq!(Format::sniff(b"member_id,name"), Format::Csv);
    }
}
