//! Turns an association's member feed (JSON Lines, a JSON array or CSV; from a file, standard
//! input or a URL) into indexed practitioners.
//!
//! Reading, normalising and indexing are one streaming pass: each record is read
//! ([`format`]), validated and normalised through the vocabulary and the gazetteer
//! ([`normalize`]), and handed to the index writer. A record with an error is reported with its
//! line and field and skipped; everything else still lands, in a single commit, so a crash at any
//! moment leaves the previous commit intact.
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

use foldhash::{HashMap, HashSet};
use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::tantivy::TantivyDocument;
use stillpoint_index::{DocumentMapper, PractitionerIndex};
use stillpoint_model::{PractitionerId, Vocabulary};

pub use error::{IngestError, Result};
pub use format::Format;
pub use normalize::Normalizer;
pub use record::{FieldError, SourceRecord};
pub use report::{IngestReport, Problem};
pub use source::{FetchLimits, Input};

/// What a worker makes of one record: the member id, its document (none for a dry run) and
/// warnings, or the record's errors.
type Outcome = Result<Prepared, Vec<FieldError>>;

/// An accepted record, ready for the writer.
struct Prepared {
    /// `association:member_id`, the document's key (already built by the normaliser).
    id: PractitionerId,
    member_id: String,
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
    /// Validate and report without touching the index.
    pub dry_run: bool,
    /// Forced format; otherwise from the file name or content type, else sniffed.
    pub format: Option<Format>,
    pub max_record_bytes: usize,
    /// A replace may remove at most this share (percent) of the existing members...
    pub max_removal_percent: f64,
    /// ...unless this is set.
    pub allow_mass_delete: bool,
    /// Index writer memory budget.
    pub writer_memory_bytes: usize,
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
        }
    }
}

/// Ingests one feed into `index`, calling `progress` with the number of records read so far.
pub fn ingest(
    index: &PractitionerIndex,
    vocabulary: Arc<Vocabulary>,
    mut input: Input,
    options: &IngestOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<IngestReport> {
    let started = Instant::now();
    if vocabulary.body_by_id(&options.association).is_none() {
        return Err(IngestError::UnknownAssociation(options.association.clone()));
    }
    let normalizer = Normalizer::new(
        vocabulary.clone(),
        Gazetteer::embedded(),
        &options.association,
    );
    let existing: HashSet<String> = index
        .member_ids(&options.association)?
        .into_iter()
        .collect();
    let mut writer = if options.dry_run {
        None
    } else {
        Some(index.writer(options.writer_memory_bytes)?)
    };

    let format = match options.format.or(input.format_hint) {
        Some(format) => format,
        None => Format::sniff(input.reader.fill_buf().map_err(IngestError::Read)?),
    };
    let mut report = IngestReport {
        source: input.name.clone(),
        association: options.association.clone(),
        dry_run: options.dry_run,
        replace: options.replace,
        ..IngestReport::default()
    };
    report.set_format(format);
    let csv = format == Format::Csv;
    // Every member id the feed mentions, accepted or not, with its first line.
    let mut seen: HashMap<String, u64> = HashMap::default();

    let mapper = DocumentMapper::new(*index.fields());
    // Normalising and building documents is most of the CPU an ingest needs on our side; it runs
    // on worker threads while records are read and applied in feed order.
    let prepare = |record: &SourceRecord| match &record.record {
        Err(errors) => Err(errors.clone()),
        Ok(feed) => normalizer.normalize(feed).map(|(practitioner, warnings)| {
            let document = (!options.dry_run).then(|| mapper.to_document(&practitioner));
            Prepared {
                id: practitioner.id,
                member_id: practitioner.member_id,
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
        report.warnings.extend(read_warnings);
        match outcome {
            Ok(Prepared {
                id,
                member_id,
                document,
                warnings,
            }) => {
                let problems = report.problems(&record, &warnings, csv);
                report.warnings.extend(problems);
                report.accepted += 1;
                let known = existing.contains(&member_id);
                if known {
                    report.updated += 1;
                } else {
                    report.added += 1;
                }
                if let (Some(writer), Some(document)) = (writer.as_mut(), document) {
                    writer.add_document(id.as_str(), document, known)?;
                }
            }
            Err(errors) => {
                report.rejected += 1;
                let problems = report.problems(&record, &errors, csv);
                report.rejections.extend(problems);
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
        let missing: Vec<&String> = existing
            .iter()
            .filter(|id| !seen.contains_key(*id))
            .collect();
        if !missing.is_empty() && !existing.is_empty() {
            let percent = 100.0 * missing.len() as f64 / existing.len() as f64;
            if percent > options.max_removal_percent && !options.allow_mass_delete {
                return Err(IngestError::MassDelete {
                    would_remove: missing.len(),
                    existing: existing.len(),
                    percent,
                    limit: options.max_removal_percent,
                });
            }
        }
        report.removed = missing.len() as u64;
        if let Some(writer) = writer.as_mut() {
            for member in missing {
                writer.delete(&format!("{}:{member}", options.association));
            }
        }
    }
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
    report.seconds = started.elapsed().as_secs_f64();
    report.records_per_second = report.records as f64 / report.seconds.max(1e-9);
    Ok(report)
}
