//! Turns an association's member feed (JSON Lines, a JSON array or CSV; from a file, standard
//! input or a URL) into indexed practitioners.
//!
//! Reading, normalising and indexing are one streaming pass: each record is read
//! ([`format`]), validated and normalised through the vocabulary and the gazetteer
//! ([`normalize`]), and handed to the index writer. A record with an error is reported with its
//! line and field and skipped; everything else still lands, in a single commit, so a crash at any
//! moment leaves the previous commit intact. A member whose normalised record did not change is
//! counted as unchanged and not written again.
//!
//! [`ingest_into`] writes into a caller's writer and leaves the commit to the caller (the
//! publication store commits with a payload, several publications in one rebuild); [`ingest`] is
//! the whole thing for one feed, commit included.
//!
//! ```no_run
//! use std::sync::Arc;
//! use stillpoint_index::PractitionerIndex;
//! use stillpoint_ingest::{Input, IngestOptions, ingest};
//! # fn vocabulary() -> stillpoint_model::Vocabulary { unimplemented!() }
//!
//! let index = PractitionerIndex::open_or_create("index".as_ref()).unwrap();
//! let input = Input::from_reader("<demo>", &b"{\"member_id\":\"A-1\",\"name\":\"Ana\",\"locations\":[{\"city\":\"Boulder\",\"region\":\"CO\",\"country\":\"US\"}]}\n"[..]);
//! let report = ingest(&index, Arc::new(vocabulary()), input, &IngestOptions::new("bcta-na"), &mut |_| {}).unwrap();
//! assert_eq!(report.accepted, 1);
//! ```

mod error;
pub mod format;
pub mod normalize;
mod pipeline;
mod record;
mod report;
mod source;

use std::io::BufRead;
use std::sync::Arc;
use std::time::Instant;

use foldhash::HashMap;
use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::tantivy::TantivyDocument;
use stillpoint_index::{DocumentMapper, PractitionerIndex, PractitionerWriter, StoredRecord};
use stillpoint_model::{PractitionerId, Vocabulary};

pub use error::{IngestError, Result};
pub use format::Format;
pub use normalize::Normalizer;
pub use record::{FieldError, SourceRecord};
pub use report::{IngestReport, Problem};
pub use source::{FetchLimits, Input};
pub use stillpoint_index::Members;

/// What a worker makes of one record: the member, its document (none for a dry run or an
/// unchanged member) and warnings, or the record's errors.
type Outcome = Result<Prepared, Vec<FieldError>>;

/// An accepted record, ready for the writer.
struct Prepared {
    /// `association:member_id`, the document's key (already built by the normaliser).
    id: PractitionerId,
    member_id: String,
    /// Content hash of the stored record.
    hash: u64,
    /// The listing before this feed has the same hash: nothing to write.
    unchanged: bool,
    document: Option<TantivyDocument>,
    warnings: Vec<FieldError>,
}

/// How to ingest one feed.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The publishing association (a vocabulary body id).
    pub association: String,
    /// The feed is the association's complete member list: members it does not mention are
    /// removed. Members it mentions but rejects keep their previous listing.
    pub replace: bool,
    /// Validate and report without touching the index ([`ingest`] only: [`ingest_into`] writes
    /// exactly when it is given a writer).
    pub dry_run: bool,
    /// Forced format; otherwise from the file name or content type, else sniffed.
    pub format: Option<Format>,
    pub max_record_bytes: usize,
    /// A replace may remove at most this share (percent) of the existing members...
    pub max_removal_percent: f64,
    /// ...unless this is set.
    pub allow_mass_delete: bool,
    /// Index writer memory budget ([`ingest`] only).
    pub writer_memory_bytes: usize,
    /// Rejections and warnings listed in the report, each; beyond it they are only counted
    /// (`rejections_truncated`, `warnings_truncated`), so a hostile feed cannot make the report
    /// grow without bound. Unlimited by default.
    pub max_problems: usize,
}

impl IngestOptions {
    pub fn new(association: &str) -> Self {
        IngestOptions {
            association: association.to_owned(),
            replace: false,
            dry_run: false,
            format: None,
            max_record_bytes: 1 << 20,
            max_removal_percent: 20.0,
            allow_mass_delete: false,
            writer_memory_bytes: 256 << 20,
            max_problems: usize::MAX,
        }
    }
}

/// Ingests one feed into `index` and commits, calling `progress` with the number of records
/// read so far.
pub fn ingest(
    index: &PractitionerIndex,
    vocabulary: Arc<Vocabulary>,
    input: Input,
    options: &IngestOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<IngestReport> {
    let started = Instant::now();
    check_association(&vocabulary, &options.association)?;
    let mut writer = if options.dry_run {
        None
    } else {
        Some(index.writer(options.writer_memory_bytes)?)
    };
    // Read under the writer lock: nobody else can change them before our commit.
    let mut members = index.members(&options.association)?;
    let result = ingest_into(
        writer.as_mut(),
        &mut members,
        vocabulary,
        input,
        options,
        progress,
    );
    let mut report = match result {
        Ok(report) => report,
        Err(e) => {
            if let Some(writer) = writer {
                // Rolling back cannot make matters worse than the error being returned.
                let _ = writer.rollback();
            }
            return Err(e);
        }
    };
    if let Some(mut writer) = writer {
        let commit_started = Instant::now();
        report.generation = Some(writer.commit()?);
        tracing::debug!(
            association = %options.association,
            commit_ms = commit_started.elapsed().as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "committed"
        );
        writer.finish()?;
    }
    report.set_elapsed(started.elapsed());
    Ok(report)
}

/// Reads one feed, adding and deleting documents through `writer` without committing, and
/// reports what it did (or, without a writer, what it would do).
///
/// `members` is the association's listing before the feed (from
/// [`PractitionerIndex::members`] or kept by the caller across feeds applied to one writer); on
/// success it is updated to the listing after it. On an error the writer holds part of the
/// feed and `members` is unspecified: the caller rolls back.
///
/// - An accepted member whose stored record has the hash `members` holds is `unchanged` and
///   not written; others are `added` or `updated` (delete and add, in the same commit).
/// - A rejected record changes nothing: with `replace`, its member keeps the previous listing.
/// - A member id listed twice is rejected on the later record, naming the line of the first.
/// - With `replace`, members the feed does not mention are removed, unless that is more than
///   `max_removal_percent` of them and `allow_mass_delete` is off: then
///   [`IngestError::MassDelete`].
pub fn ingest_into(
    mut writer: Option<&mut PractitionerWriter>,
    members: &mut Members,
    vocabulary: Arc<Vocabulary>,
    mut input: Input,
    options: &IngestOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<IngestReport> {
    let started = Instant::now();
    check_association(&vocabulary, &options.association)?;
    let normalizer = Normalizer::new(
        vocabulary.clone(),
        Gazetteer::embedded(),
        &options.association,
    );
    let format = match options.format.or(input.format_hint) {
        Some(format) => format,
        None => Format::sniff(input.reader.fill_buf().map_err(IngestError::Read)?),
    };
    let mut report = IngestReport {
        source: input.name.clone(),
        association: options.association.clone(),
        dry_run: writer.is_none(),
        replace: options.replace,
        ..IngestReport::default()
    };
    report.set_format(format);
    let csv = format == Format::Csv;
    let max_problems = options.max_problems;
    // Every member id the feed mentions, accepted or not, with its first line.
    let mut seen: HashMap<String, u64> = HashMap::default();
    // Accepted members whose listing changes; `members` takes them once the feed is read (the
    // workers compare with the listing before the feed meanwhile).
    let mut changed: Vec<(String, u64)> = Vec::new();
    let existing: &Members = members;

    let mapper = writer.as_ref().map(|w| DocumentMapper::new(*w.fields()));
    // Normalising, hashing and building documents is most of the CPU an ingest needs on our
    // side; it runs on worker threads while records are read and applied in feed order.
    let prepare = |record: &SourceRecord| match &record.record {
        Err(errors) => Err(errors.clone()),
        Ok(feed) => normalizer.normalize(feed).map(|(practitioner, warnings)| {
            let stored = StoredRecord::of(&practitioner);
            let hash = stored.hash();
            let unchanged = existing.get(&practitioner.member_id) == Some(&hash);
            let document = match &mapper {
                Some(mapper) if !unchanged => Some(mapper.document(&practitioner, stored)),
                _ => None,
            };
            Prepared {
                id: practitioner.id,
                member_id: practitioner.member_id,
                hash,
                unchanged,
                document,
                warnings,
            }
        }),
    };
    let apply = |record: SourceRecord, outcome: Outcome| -> Result<()> {
        report.records += 1;
        progress(report.records);
        let duplicate_of = record.member_id.as_ref().and_then(|id| match seen.get(id) {
            Some(&first) => Some(first),
            None => {
                seen.insert(id.clone(), record.line);
                None
            }
        });
        let outcome = match duplicate_of {
            Some(first) => Err(vec![FieldError::new(
                "member_id",
                format!(
                    "duplicate member id, first listed at line {first}; this record is ignored"
                ),
            )]),
            None => outcome,
        };
        let read_warnings = report.problems(&record, &record.warnings, csv);
        report.add_warnings(read_warnings, max_problems);
        match outcome {
            Ok(prepared) => {
                let problems = report.problems(&record, &prepared.warnings, csv);
                report.add_warnings(problems, max_problems);
                report.accepted += 1;
                if prepared.unchanged {
                    report.unchanged += 1;
                    return Ok(());
                }
                let known = existing.contains_key(&prepared.member_id);
                if known {
                    report.updated += 1;
                } else {
                    report.added += 1;
                }
                if let (Some(writer), Some(document)) = (writer.as_deref_mut(), prepared.document) {
                    writer.add_document(prepared.id.as_str(), document, known)?;
                }
                changed.push((prepared.member_id, prepared.hash));
            }
            Err(errors) => {
                report.rejected += 1;
                let problems = report.problems(&record, &errors, csv);
                report.add_rejections(problems, max_problems);
            }
        }
        Ok(())
    };
    let reader: Box<dyn BufRead + '_> = Box::new(&mut input.reader);
    let max_record_bytes = options.max_record_bytes;
    pipeline::run(
        |sink| format::read_records(format, reader, max_record_bytes, sink),
        prepare,
        apply,
    )?;

    if options.replace {
        let missing: Vec<String> = members
            .keys()
            .filter(|id| !seen.contains_key(*id))
            .cloned()
            .collect();
        if !missing.is_empty() {
            let percent = 100.0 * missing.len() as f64 / members.len() as f64;
            if percent > options.max_removal_percent && !options.allow_mass_delete {
                return Err(IngestError::MassDelete {
                    would_remove: missing.len(),
                    existing: members.len(),
                    percent,
                    limit: options.max_removal_percent,
                });
            }
        }
        report.removed = missing.len() as u64;
        for member in missing {
            if let Some(writer) = writer.as_deref_mut() {
                writer.delete(&format!("{}:{member}", options.association));
            }
            members.remove(&member);
        }
    }
    members.extend(changed);
    report.set_elapsed(started.elapsed());
    Ok(report)
}

fn check_association(vocabulary: &Vocabulary, association: &str) -> Result<()> {
    match vocabulary.body_by_id(association) {
        Some(_) => Ok(()),
        None => Err(IngestError::UnknownAssociation(association.to_owned())),
    }
}
