//! Serialising a stream of records: JSON Lines, a JSON array, or CSV (one row per location).
//! Each record is written as soon as it is generated, so memory does not grow with the count.

use std::io::{self, BufWriter, Write};

use stillpoint_model::FeedRecord;
use stillpoint_model::feed::CSV_HEADERS;

use crate::FeedFormat;

/// Large enough that the writer issues few syscalls even when the caller passes an unbuffered
/// `Stdout` or `File`.
const BUFFER: usize = 1 << 16;

pub(crate) fn write_records<W: Write>(
    records: impl Iterator<Item = FeedRecord>,
    format: FeedFormat,
    out: W,
) -> io::Result<()> {
    match format {
        FeedFormat::Jsonl => write_jsonl(records, out),
        FeedFormat::Json => write_json_array(records, out),
        FeedFormat::Csv => write_csv(records, out),
    }
}

fn write_jsonl<W: Write>(records: impl Iterator<Item = FeedRecord>, out: W) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(BUFFER, out);
    for record in records {
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

fn write_json_array<W: Write>(records: impl Iterator<Item = FeedRecord>, out: W) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(BUFFER, out);
    out.write_all(b"[")?;
    for (i, record) in records.enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut out, &record)?;
    }
    out.write_all(b"\n]\n")?;
    out.flush()
}

fn write_csv<W: Write>(records: impl Iterator<Item = FeedRecord>, out: W) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .buffer_capacity(BUFFER)
        .from_writer(out);
    writer.write_record(CSV_HEADERS).map_err(io_error)?;
    for record in records {
        for row in record.to_csv_rows() {
            writer.write_record(&row).map_err(io_error)?;
        }
    }
    writer.flush()
}

/// Keeps the underlying I/O error (a closed pipe stays `BrokenPipe`, so a CLI piped into `head`
/// can exit quietly) instead of wrapping everything as `Other`.
fn io_error(error: csv::Error) -> io::Error {
    if !error.is_io_error() {
        return io::Error::other(error);
    }
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        kind => io::Error::other(format!("{kind:?}")),
    }
}
