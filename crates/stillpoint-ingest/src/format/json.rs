//! JSON Lines and JSON array feeds.

use std::io::{BufRead, Read};

use serde_json::value::RawValue;
use stillpoint_model::FeedRecord;

use crate::error::IngestError;
use crate::record::{FieldError, SourceRecord};

pub(super) fn read_json_lines(
    mut input: Box<dyn BufRead + '_>,
    max_record_bytes: usize,
    sink: &mut dyn FnMut(SourceRecord) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        line_no += 1;
        let Some(outcome) = read_capped_line(&mut input, &mut buf, max_record_bytes)? else {
            return Ok(());
        };
        let bytes = buf
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .filter(|_| line_no == 1)
            .unwrap_or(&buf);
        if outcome.truncated {
            sink(whole_record_error(
                line_no,
                format!(
                    "record is {} bytes, at most {max_record_bytes} are accepted",
                    outcome.len
                ),
            ))?;
            continue;
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let member_id = member_id_of(&String::from_utf8_lossy(bytes));
                let mut record = whole_record_error(
                    line_no,
                    format!("invalid UTF-8 at byte {} of the line", e.valid_up_to() + 1),
                );
                record.member_id = member_id;
                sink(record)?;
                continue;
            }
        };
        sink(parse_record(text, line_no))?;
    }
}

pub(super) fn read_json_array(
    mut input: Box<dyn BufRead + '_>,
    max_record_bytes: usize,
    sink: &mut dyn FnMut(SourceRecord) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(IngestError::Read)?;
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&bytes);
    // Invalid UTF-8 inside one element must not cost the others: decode lossily, remember where
    // the replacements went, and reject only the elements that contain one.
    let mut text = String::with_capacity(bytes.len());
    let mut bad_offsets = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            bad_offsets.push(text.len());
            text.push('\u{FFFD}');
        }
    }
    let elements: Vec<&RawValue> =
        serde_json::from_str(&text).map_err(|e| IngestError::Syntax {
            line: e.line() as u64,
            column: e.column() as u64,
            message: strip_position(&e.to_string()),
        })?;
    let base = text.as_ptr() as usize;
    let mut line = 1u64;
    let mut scanned = 0usize;
    for element in elements {
        let raw = element.get();
        let start = raw.as_ptr() as usize - base;
        let end = start + raw.len();
        line += text.as_bytes()[scanned..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        scanned = start;
        let record = if raw.len() > max_record_bytes {
            whole_record_error(
                line,
                format!(
                    "record is {} bytes, at most {max_record_bytes} are accepted",
                    raw.len()
                ),
            )
        } else if bad_offsets.iter().any(|&o| o >= start && o < end) {
            let mut record = whole_record_error(line, "invalid UTF-8 in this record".into());
            record.member_id = member_id_of(raw);
            record
        } else {
            parse_record(raw, line)
        };
        sink(record)?;
    }
    Ok(())
}

/// Parses one JSON record, collecting the path of a mistyped field and every unknown field.
pub(crate) fn parse_record(text: &str, line: u64) -> SourceRecord {
    let mut warnings = Vec::new();
    // Fast path: most records are fine, and tracking the path of every value costs a third of
    // the parse. Only a failed record is parsed again, with tracking, to name the field.
    let fast: Result<FeedRecord, serde_json::Error> = {
        let mut json = serde_json::Deserializer::from_str(text);
        serde_ignored::deserialize(&mut json, |path| {
            warnings.push(FieldError::new(path.to_string(), "unknown field, ignored"));
        })
        .and_then(|record| json.end().map(|()| record))
    };
    if let Ok(record) = fast {
        return SourceRecord {
            line,
            location_lines: Vec::new(),
            member_id: Some(record.member_id.clone()),
            record: Ok(record),
            warnings,
        };
    }
    warnings.clear();
    let mut track = serde_path_to_error::Track::new();
    let mut json = serde_json::Deserializer::from_str(text);
    let result: Result<FeedRecord, serde_json::Error> = {
        let tracked = serde_path_to_error::Deserializer::new(&mut json, &mut track);
        serde_ignored::deserialize(tracked, |path| {
            warnings.push(FieldError::new(path.to_string(), "unknown field, ignored"));
        })
    };
    let result = result.and_then(|record| json.end().map(|()| record));
    match result {
        Ok(record) => SourceRecord {
            line,
            location_lines: Vec::new(),
            member_id: Some(record.member_id.clone()),
            record: Ok(record),
            warnings,
        },
        Err(e) => {
            let path = track.path().to_string();
            let message = strip_position(&e.to_string());
            let (path, message) = match message.strip_prefix("missing field `") {
                Some(rest) => {
                    let field = rest.trim_end_matches('`');
                    let path = if path == "." {
                        field.to_owned()
                    } else {
                        format!("{path}.{field}")
                    };
                    (path, "is required".to_owned())
                }
                None if e.is_syntax() || e.is_eof() => {
                    (String::new(), format!("malformed JSON: {message}"))
                }
                None => (if path == "." { String::new() } else { path }, message),
            };
            SourceRecord {
                line,
                location_lines: Vec::new(),
                member_id: member_id_of(text),
                record: Err(vec![FieldError::new(path, message)]),
                warnings: Vec::new(),
            }
        }
    }
}

/// The member id of a record that failed to parse, when it can still be found.
fn member_id_of(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("member_id")?.as_str().map(str::to_owned)
}

fn whole_record_error(line: u64, message: String) -> SourceRecord {
    SourceRecord {
        line,
        location_lines: Vec::new(),
        member_id: None,
        record: Err(vec![FieldError::new("", message)]),
        warnings: Vec::new(),
    }
}

/// serde_json appends " at line L column C"; the report gives the feed line itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

pub(super) struct LineOutcome {
    /// Bytes of the line, including what was skipped.
    pub len: usize,
    pub truncated: bool,
}

/// Reads one line into `buf` (without its terminator), keeping at most `cap` bytes and skipping
/// the rest, so one enormous line cannot exhaust memory. `None` at end of input.
pub(super) fn read_capped_line(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> Result<Option<LineOutcome>, IngestError> {
    buf.clear();
    let mut len = 0usize;
    let mut any = false;
    loop {
        let available = input.fill_buf().map_err(IngestError::Read)?;
        if available.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match memchr(available) {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        len += chunk.len();
        let room = (cap + 1).saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let consumed = done.unwrap_or(available.len());
        input.consume(consumed);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    let truncated = buf.len() > cap;
    Ok(Some(LineOutcome { len, truncated }))
}

fn memchr(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    type Reader = fn(
        Box<dyn BufRead + '_>,
        usize,
        &mut dyn FnMut(SourceRecord) -> Result<(), IngestError>,
    ) -> Result<(), IngestError>;

    fn collect(format: Reader, input: &[u8], cap: usize) -> Vec<SourceRecord> {
        let mut out = Vec::new();
        format(Box::new(input), cap, &mut |r| {
            out.push(r);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn json_lines_report_the_line_and_path_of_each_problem() {
        let feed = b"{\"member_id\":\"a\",\"name\":\"A\",\"locations\":[{\"country\":\"US\",\"lat\":\"x\"}]}\n\n{\"member_id\":\"b\"}\n{not json\n{\"member_id\":\"c\",\"name\":\"C\",\"colour\":1}\n";
        let records = collect(read_json_lines, feed, 1 << 20);
        assert_eq!(records.len(), 4);
        let err = |r: &SourceRecord| r.record.as_ref().unwrap_err()[0].clone();
        assert_eq!(
            (records[0].line, err(&records[0]).path.as_str()),
            (1, "locations[0].lat")
        );
        assert_eq!(records[0].member_id.as_deref(), Some("a"));
        assert_eq!(
            (records[1].line, err(&records[1]).path.as_str()),
            (3, "name")
        );
        assert_eq!(err(&records[1]).message, "is required");
        assert_eq!(records[2].line, 4);
        assert!(err(&records[2]).message.starts_with("malformed JSON"));
        assert!(records[3].record.is_ok());
        assert_eq!(records[3].warnings[0].path, "colour");
    }

    #[test]
    fn an_oversized_line_is_rejected_and_reading_goes_on() {
        let mut feed = format!(
            "{{\"member_id\":\"big\",\"name\":\"{}\"}}\n",
            "x".repeat(5000)
        )
        .into_bytes();
        feed.extend_from_slice(b"{\"member_id\":\"ok\",\"name\":\"Ok\"}\n");
        let records = collect(read_json_lines, &feed, 1024);
        assert_eq!(records.len(), 2);
        assert!(
            records[0].record.as_ref().unwrap_err()[0]
                .message
                .contains("at most 1024")
        );
        assert_eq!(records[1].line, 2);
        assert!(records[1].record.is_ok());
    }

    #[test]
    fn invalid_utf8_rejects_only_its_record() {
        let feed = b"{\"member_id\":\"a\",\"name\":\"\xff\"}\n{\"member_id\":\"b\",\"name\":\"B\"}";
        let records = collect(read_json_lines, feed, 1 << 20);
        assert!(
            records[0].record.as_ref().unwrap_err()[0]
                .message
                .contains("UTF-8")
        );
        assert!(records[1].record.is_ok());
        let array =
            b"[\n{\"member_id\":\"a\",\"name\":\"\xff\"},\n{\"member_id\":\"b\",\"name\":\"B\"}\n]";
        let records = collect(read_json_array, array, 1 << 20);
        assert_eq!(records[0].line, 2);
        assert_eq!(records[0].member_id.as_deref(), Some("a"));
        assert!(records[0].record.is_err());
        assert_eq!(records[1].line, 3);
        assert!(records[1].record.is_ok());
    }

    #[test]
    fn a_broken_array_is_a_syntax_error_with_its_position() {
        let mut out = Vec::new();
        let err = read_json_array(
            Box::new(&b"[\n{\"member_id\":\"a\"},\n{oops}\n]"[..]),
            1 << 20,
            &mut |r| {
                out.push(r);
                Ok(())
            },
        )
        .unwrap_err();
        assert!(matches!(err, IngestError::Syntax { line: 3, .. }), "{err}");
    }
}
