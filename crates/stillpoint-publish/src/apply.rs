//! Applying one publication to a writer (no commit): shared by publishing, recovery and
//! rebuild, so a replayed publication does exactly what it did when it was received.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

use stillpoint_index::{Members, PractitionerWriter};
use stillpoint_ingest::{Format, IngestOptions, Input, ingest_into};
use stillpoint_model::{PractitionerId, Vocabulary};

use crate::PublishSettings;
use crate::error::{PublishError, Result};
use crate::publication::Action;
use crate::report::PublishReport;

/// One publication to apply.
pub(crate) struct Request<'a> {
    pub association: &'a str,
    pub action: &'a Action,
    /// The body file and its format (`None`: detect), for a replace or an upsert.
    pub body: Option<(&'a Path, Option<Format>)>,
    /// How problems name the feed.
    pub source: &'a str,
    /// Whether the mass-deletion guard is lifted (always, for a replay: it passed already).
    pub allow_mass_delete: bool,
    /// Problems listed in the report, each of rejections and warnings.
    pub max_problems: usize,
}

/// Applies `request` through `writer` (none: a dry run) to the listing `members`, which is
/// updated to the listing after it. Errors leave the writer with part of the publication: the
/// caller rolls back.
pub(crate) fn apply(
    writer: Option<&mut PractitionerWriter>,
    members: &mut Members,
    vocabulary: &Arc<Vocabulary>,
    settings: &PublishSettings,
    request: &Request<'_>,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<PublishReport> {
    let dry_run = writer.is_none();
    let mut report = PublishReport::new(request.association, request.action.clone(), dry_run);
    report.source = request.source.to_owned();
    let replace = match request.action {
        Action::Delete { member_id } => {
            if members.remove(member_id).is_some() {
                if let Some(writer) = writer {
                    writer.delete(PractitionerId::new(request.association, member_id).as_str());
                }
                report.removed = 1;
            }
            return Ok(report);
        }
        Action::Replace => true,
        Action::Upsert => false,
    };
    let Some((path, format)) = request.body else {
        return Err(PublishError::BadRequest(format!(
            "a {} needs a body",
            request.action.name()
        )));
    };
    let file = File::open(path).map_err(PublishError::store(path))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let format = match format {
        Some(format) => format,
        None => Format::sniff(reader.fill_buf().map_err(PublishError::store(path))?),
    };
    let options = IngestOptions {
        replace,
        format: Some(format),
        max_record_bytes: settings.max_record_bytes,
        max_removal_percent: settings.max_removal_percent,
        allow_mass_delete: request.allow_mass_delete,
        max_problems: request.max_problems,
        ..IngestOptions::new(request.association)
    };
    let input = Input::from_reader(request.source, reader);
    let ingested = ingest_into(
        writer,
        members,
        vocabulary.clone(),
        input,
        &options,
        progress,
    )?;
    report.absorb(ingested);
    Ok(report)
}

/// The name of a format as reports and the store spell it.
pub(crate) fn format_name(format: Format) -> &'static str {
    match format {
        Format::JsonLines => "jsonl",
        Format::Json => "json",
        Format::Csv => "csv",
    }
}

/// The format a stored name stands for.
pub(crate) fn parse_format(name: &str) -> Option<Format> {
    [Format::JsonLines, Format::Json, Format::Csv]
        .into_iter()
        .find(|f| format_name(*f) == name)
}
