//! The fast-field columns of one segment, opened once and kept while the segment lives, with the
//! facet counts over all of its live documents (the answer to an unfiltered search).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use stillpoint_index::Fields;
use stillpoint_index::tantivy::columnar::{Column, StrColumn};
use stillpoint_index::tantivy::index::SegmentId;
use stillpoint_index::tantivy::schema::Field;
use stillpoint_index::tantivy::{DocId, Opstamp, Searcher, SegmentReader};

use crate::error::Result;
use crate::request::Facet;
use crate::text::facet_field;

/// Columns of one segment.
pub(crate) struct SegmentColumns {
    /// Facet columns, indexed by [`FacetColumn::slot`].
    facets: [Option<StrColumn>; FACET_COLUMNS],
    pub accepting: Column<u64>,
    pub home_visits: Column<u64>,
    pub wheelchair: Column<u64>,
    pub sliding_scale: Column<u64>,
    pub verified: Column<u64>,
    pub fee_min: Column<f64>,
    pub home_visits_km: Column<f64>,
    pub lat: Column<f64>,
    pub lon: Column<f64>,
    pub id: Option<StrColumn>,
    pub name_sort: Option<StrColumn>,
    /// Per facet column, the counts of every ordinal over the live documents; computed on the
    /// first unfiltered search.
    all_counts: [OnceLock<Vec<u32>>; FACET_COLUMNS],
    /// Every document in (name, id) order; computed on the first unfiltered search by name.
    by_name: OnceLock<Vec<DocId>>,
}

/// Nine facets, two of them with a verified variant.
const FACET_COLUMNS: usize = 11;

/// Which column a facet reads.
pub(crate) fn slot(facet: Facet, verified: bool) -> usize {
    match (facet, verified) {
        (Facet::Body, true) => 9,
        (Facet::Credential, true) => 10,
        (f, _) => f as usize,
    }
}

impl SegmentColumns {
    fn open(fields: &Fields, reader: &SegmentReader) -> Result<SegmentColumns> {
        let fast = reader.fast_fields();
        let name = |field: Field| reader.schema().get_field_name(field).to_string();
        let mut facets: [Option<StrColumn>; FACET_COLUMNS] = Default::default();
        for facet in Facet::ALL {
            for verified in [false, true] {
                let field = facet_field(fields, facet, verified);
                facets[slot(facet, verified)] = fast.str(&name(field))?;
            }
        }
        Ok(SegmentColumns {
            facets,
            accepting: fast.u64(&name(fields.accepting))?,
            home_visits: fast.u64(&name(fields.home_visits))?,
            wheelchair: fast.u64(&name(fields.wheelchair))?,
            sliding_scale: fast.u64(&name(fields.sliding_scale))?,
            verified: fast.u64(&name(fields.verified))?,
            fee_min: fast.f64(&name(fields.fee_min))?,
            home_visits_km: fast.f64(&name(fields.home_visits_km))?,
            lat: fast.f64(&name(fields.lat))?,
            lon: fast.f64(&name(fields.lon))?,
            id: fast.str(&name(fields.id))?,
            name_sort: fast.str(&name(fields.name_sort))?,
            all_counts: Default::default(),
            by_name: OnceLock::new(),
        })
    }

    pub fn facet(&self, slot: usize) -> Option<&StrColumn> {
        self.facets[slot].as_ref()
    }

    /// Every document of the segment (deleted ones included) in name order, ties by id.
    pub fn by_name(&self, reader: &SegmentReader) -> &[DocId] {
        self.by_name.get_or_init(|| {
            let first = |column: &Option<StrColumn>, doc| {
                column
                    .as_ref()
                    .and_then(|c| c.term_ords(doc).next())
                    .unwrap_or(0)
            };
            let mut docs: Vec<(u64, u64, DocId)> = (0..reader.max_doc())
                .map(|doc| (first(&self.name_sort, doc), first(&self.id, doc), doc))
                .collect();
            docs.sort_unstable();
            docs.into_iter().map(|(_, _, doc)| doc).collect()
        })
    }

    /// Counts per ordinal of a facet column over the segment's live documents.
    pub fn all_counts(&self, slot: usize, reader: &SegmentReader) -> &[u32] {
        self.all_counts[slot].get_or_init(|| {
            let Some(column) = &self.facets[slot] else {
                return Vec::new();
            };
            let mut counts = vec![0u32; column.num_terms()];
            let mut ords: Vec<u64> = Vec::with_capacity(8);
            for doc in reader.doc_ids_alive() {
                ords.clear();
                ords.extend(column.term_ords(doc));
                ords.sort_unstable();
                ords.dedup();
                for &ord in &ords {
                    counts[ord as usize] += 1;
                }
            }
            counts
        })
    }
}

/// Columns of every segment seen, keyed by segment and delete generation (deletes change which
/// documents are live, so they get fresh counts).
#[derive(Default)]
pub(crate) struct ColumnCache {
    segments: Mutex<Segments>,
}

/// Segment and delete generation -> columns.
type Segments = HashMap<(SegmentId, Option<Opstamp>), Arc<SegmentColumns>>;

impl ColumnCache {
    pub fn get(&self, fields: &Fields, reader: &SegmentReader) -> Result<Arc<SegmentColumns>> {
        let key = (reader.segment_id(), reader.delete_opstamp());
        if let Some(columns) = self.lock().get(&key) {
            return Ok(columns.clone());
        }
        let columns = Arc::new(SegmentColumns::open(fields, reader)?);
        self.lock().insert(key, columns.clone());
        Ok(columns)
    }

    /// Forgets the segments the searcher no longer has (merged away or with newer deletes).
    pub fn retain(&self, searcher: &Searcher) {
        let live: Vec<(SegmentId, Option<Opstamp>)> = searcher
            .segment_readers()
            .iter()
            .map(|r| (r.segment_id(), r.delete_opstamp()))
            .collect();
        self.lock().retain(|key, _| live.contains(key));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Segments> {
        // A panic while holding the lock cannot leave the map inconsistent: take it anyway.
        self.segments.lock().unwrap_or_else(|e| e.into_inner())
    }
}
