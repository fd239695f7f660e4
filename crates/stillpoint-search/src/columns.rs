//! The fast-field columns of one segment, opened once and kept while the segment lives; flat
//! in-memory copies of the columns every search reads per document (facet ordinals, location
//! points), built on first use; and the facet counts over all live documents (the answer to an
//! unfiltered search).
//!
//! The flat copies cost about 110 bytes per practitioner (by their array sizes) and make the
//! per-document reads of a search plain slice indexing instead of column decoding.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use stillpoint_index::Fields;
use stillpoint_index::geo::z_order;
use stillpoint_index::tantivy::columnar::{Column, StrColumn};
use stillpoint_index::tantivy::index::SegmentId;
use stillpoint_index::tantivy::schema::Field;
use stillpoint_index::tantivy::{DocId, DocSet, Opstamp, Searcher, SegmentReader, TERMINATED};

use crate::bits::{RankBits, alive_bits};
use crate::blocks::{Blocks, ValueLists};
use crate::error::Result;
use crate::plan::Flag;
use crate::request::Facet;
use crate::spatial::{HomeAreas, NO_POINT, Spatial, unit_vector};
use crate::text::facet_field;

/// Columns of one segment.
pub(crate) struct SegmentColumns {
    /// Facet columns, indexed by [`slot`].
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
    /// Each document's ordinals of every facet column in one row, tagged with the column's
    /// slot (see [`tag`]): one contiguous read per document instead of one per column.
    rows: OnceLock<Rows>,
    /// Each document's location points, in location order.
    points: OnceLock<Points>,
    /// Each document's position in a spatial order (see [`SegmentColumns::rank`]).
    rank: OnceLock<(Arc<[u32]>, Vec<DocId>)>,
    /// Per facet column and delete generation, the counts of every ordinal over the live
    /// documents; computed on the first unfiltered search.
    all_counts: Mutex<AllCounts>,
    /// Every document in (name, id) order; computed on the first unfiltered search by name.
    by_name: OnceLock<Vec<DocId>>,
    /// Per rank position, the flag columns as bits (see [`flag_bits`]).
    flags: OnceLock<Vec<u16>>,
    /// Per rank position, the document's lowest fee (NaN without one).
    fees: OnceLock<Vec<f64>>,
    /// Per rank position, the ordinal of the document's id.
    id_ords: OnceLock<Vec<u32>>,
    /// Per facet slot, every value of its column in ordinal order (the dictionaries are
    /// compressed blocks: reading them on every search showed in the profiles).
    terms: [OnceLock<Vec<String>>; FACET_COLUMNS],
    /// Every id in ordinal order: the merge compares the ids of hits at equal distances across
    /// segments, and each lookup in the column's dictionary decompressed a block with a fresh
    /// decoder (a sixth of a search with filters in a dense area). About 20 bytes per
    /// practitioner on the 1M index.
    ids: OnceLock<Strings>,
    /// Every sort name in ordinal order, for the merge by name (same reason as `ids`).
    names: OnceLock<Strings>,
    /// The locations by Z-order code (see [`Spatial`]).
    spatial: OnceLock<Spatial>,
    /// The locations of the documents with home visits, by class of distance.
    home_areas: OnceLock<HomeAreas>,
    /// Per facet slot, each value's locations by Z-order code (nearest first with a filter).
    value_lists: Mutex<HashMap<usize, Arc<ValueLists>>>,
    /// Facet counts of dense quadtree nodes, for the current delete generation.
    /// Per flag mask (see [`SegmentColumns::flags`]), over the live documents with those flags.
    blocks: Mutex<BlocksByFlags>,
    /// Per flag bit and facet value, its positions in rank order (see [`RankBits`]).
    rank_bits: OnceLock<RankBits>,
    /// The live documents in rank order, for the current delete generation (none when no
    /// document is deleted).
    alive_bits: Mutex<Option<AliveBits>>,
}

/// Flag mask -> (delete generation, per-node counts).
type BlocksByFlags = HashMap<u16, (Option<Opstamp>, Arc<Blocks>)>;

/// Delete generation -> live documents in rank order.
type AliveBits = (Option<Opstamp>, Arc<[u64]>);

/// (facet slot, delete generation) -> counts per ordinal.
type AllCounts = HashMap<(usize, Option<Opstamp>), Arc<Vec<u32>>>;

/// Nine facets, two of them with a verified variant.
pub(crate) const FACET_COLUMNS: usize = 11;

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
            rows: OnceLock::new(),
            points: OnceLock::new(),
            rank: OnceLock::new(),
            all_counts: Mutex::default(),
            by_name: OnceLock::new(),
            flags: OnceLock::new(),
            fees: OnceLock::new(),
            id_ords: OnceLock::new(),
            terms: Default::default(),
            ids: OnceLock::new(),
            names: OnceLock::new(),
            spatial: OnceLock::new(),
            home_areas: OnceLock::new(),
            value_lists: Mutex::default(),
            blocks: Mutex::default(),
            rank_bits: OnceLock::new(),
            alive_bits: Mutex::default(),
        })
    }

    pub fn facet(&self, slot: usize) -> Option<&StrColumn> {
        self.facets[slot].as_ref()
    }

    /// Every value of a facet column, in ordinal order (empty without the column).
    pub fn terms(&self, slot: usize) -> Result<&[String]> {
        if let Some(terms) = self.terms[slot].get() {
            return Ok(terms);
        }
        let mut terms = Vec::new();
        if let Some(column) = &self.facets[slot] {
            let ords: Vec<u64> = (0..column.num_terms() as u64).collect();
            column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                terms.push(String::from_utf8_lossy(bytes).into_owned());
            })?;
        }
        Ok(self.terms[slot].get_or_init(|| terms))
    }

    /// The id of an id ordinal (empty without an id column).
    pub fn id_str(&self, ord: u64) -> Result<&str> {
        Ok(self.ids()?.get(ord))
    }

    fn ids(&self) -> Result<&Strings> {
        Strings::of(&self.ids, self.id.as_ref())
    }

    /// The sort name of a name ordinal (empty without a name column).
    pub fn name_str(&self, ord: u64) -> Result<&str> {
        Ok(Strings::of(&self.names, self.name_sort.as_ref())?.get(ord))
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

    /// Each document's position when the documents are ordered along a Z-order curve of their
    /// first location. The rows and points are laid out in that order, so the documents of one
    /// area (what a geographic search reads) sit together in memory instead of scattered over
    /// the whole segment: the reads of a dense-city search then stay in cache.
    pub fn rank(&self, reader: &SegmentReader) -> &Arc<[u32]> {
        &self.layout(reader).0
    }

    /// The documents in rank order.
    pub fn in_rank_order(&self, reader: &SegmentReader) -> &[DocId] {
        &self.layout(reader).1
    }

    /// The rank positions of a doc set's documents, in rank order.
    pub fn spatially(&self, reader: &SegmentReader, mut docs: impl DocSet) -> Vec<u32> {
        let rank = self.rank(reader);
        let mut positions: Vec<u32> = Vec::new();
        let mut doc = docs.doc();
        while doc != TERMINATED {
            positions.push(rank[doc as usize]);
            doc = docs.advance();
        }
        positions.sort_unstable();
        positions
    }

    fn layout(&self, reader: &SegmentReader) -> &(Arc<[u32]>, Vec<DocId>) {
        self.rank.get_or_init(|| {
            let mut order: Vec<(u32, DocId)> = (0..reader.max_doc())
                .map(|doc| {
                    let key = match (self.lat.first(doc), self.lon.first(doc)) {
                        (Some(lat), Some(lon)) => z_order(lat, lon),
                        _ => NO_POINT,
                    };
                    (key, doc)
                })
                .collect();
            order.sort_unstable();
            let mut rank = vec![0u32; order.len()];
            for (position, &(_, doc)) in order.iter().enumerate() {
                rank[doc as usize] = position as u32;
            }
            (rank.into(), order.into_iter().map(|(_, doc)| doc).collect())
        })
    }

    /// Each document's tagged ordinals of every facet column.
    pub fn rows(&self, reader: &SegmentReader) -> &Rows {
        self.rows.get_or_init(|| {
            let max_doc = reader.max_doc() as usize;
            let mut rows = Multi {
                offsets: Vec::with_capacity(max_doc + 1),
                values: Vec::with_capacity(max_doc * 8),
            };
            rows.offsets.push(0);
            let mut ords: Vec<u64> = Vec::with_capacity(8);
            for &doc in self.in_rank_order(reader) {
                for (slot, column) in self.facets.iter().enumerate() {
                    let Some(column) = column else { continue };
                    // Distinct: a practitioner counts once per value.
                    ords.clear();
                    ords.extend(column.term_ords(doc));
                    ords.sort_unstable();
                    ords.dedup();
                    rows.values
                        .extend(ords.iter().map(|&ord| tag(slot, ord as u32)));
                }
                rows.offsets.push(rows.values.len() as u32);
            }
            Rows { rows }
        })
    }

    /// Each document's location points.
    pub fn points(&self, reader: &SegmentReader) -> &Points {
        self.points.get_or_init(|| {
            let max_doc = reader.max_doc() as usize;
            let mut points = Points {
                offsets: Vec::with_capacity(max_doc + 1),
                lat: Vec::with_capacity(max_doc),
                lon: Vec::with_capacity(max_doc),
                xyz: Vec::with_capacity(max_doc),
            };
            points.offsets.push(0);
            for &doc in self.in_rank_order(reader) {
                // Both columns hold one value per location, in location order.
                points.lat.extend(self.lat.values_for_doc(doc));
                points.lon.extend(self.lon.values_for_doc(doc));
                points.offsets.push(points.lat.len() as u32);
            }
            points.xyz = (points.lat.iter().zip(&points.lon))
                .map(|(&lat, &lon)| unit_vector(lat, lon))
                .collect();
            points
        })
    }

    /// Per rank position, the document's lowest fee (NaN without one): a fee filter over the
    /// whole segment reads them front to back.
    pub fn fees(&self, reader: &SegmentReader) -> &[f64] {
        self.fees.get_or_init(|| {
            self.in_rank_order(reader)
                .iter()
                .map(|&doc| self.fee_min.first(doc).unwrap_or(f64::NAN))
                .collect()
        })
    }

    /// Per rank position, the flag columns as bits: for flag `i` (see [`flag_bits`]), bit `2i`
    /// when it holds 1 and bit `2i + 1` when it holds 0 (neither without a value), and
    /// [`HAS_HOME`] when the home-visit distance is positive.
    pub fn flags(&self, reader: &SegmentReader) -> &[u16] {
        self.flags.get_or_init(|| {
            let columns = [
                &self.accepting,
                &self.home_visits,
                &self.wheelchair,
                &self.sliding_scale,
                &self.verified,
            ];
            self.in_rank_order(reader)
                .iter()
                .map(|&doc| {
                    let mut bits = 0u16;
                    for (i, column) in columns.iter().enumerate() {
                        match column.first(doc) {
                            Some(1) => bits |= 1 << (2 * i),
                            Some(0) => bits |= 1 << (2 * i + 1),
                            _ => {}
                        }
                    }
                    if self.home_visits_km.first(doc).is_some_and(|km| km > 0.0) {
                        bits |= HAS_HOME;
                    }
                    bits
                })
                .collect()
        })
    }

    /// Per rank position, the ordinal of the document's id (the order of the id strings), read
    /// for every hit offered to the page.
    pub fn id_ords(&self, reader: &SegmentReader) -> &[u32] {
        self.id_ords.get_or_init(|| {
            // The id strings too, with the segment's other structures on its first search with
            // a page rather than on the first tie (a failure here is met again there).
            let _ = self.ids();
            self.in_rank_order(reader)
                .iter()
                .map(|&doc| {
                    self.id
                        .as_ref()
                        .and_then(|c| c.term_ords(doc).next())
                        .unwrap_or(0) as u32
                })
                .collect()
        })
    }

    /// The segment's locations by Z-order code.
    pub fn spatial(&self, reader: &SegmentReader) -> &Spatial {
        self.spatial.get_or_init(|| {
            let points = self.points(reader);
            Spatial::build(&points.offsets, &points.lat, &points.lon, &points.xyz)
        })
    }

    /// The locations of the documents with home visits (see [`HomeAreas`]).
    pub fn home_areas(&self, reader: &SegmentReader) -> &HomeAreas {
        self.home_areas.get_or_init(|| {
            let order = self.in_rank_order(reader);
            let flags = self.flags(reader);
            let points = self.points(reader);
            HomeAreas::build(
                self.spatial(reader),
                &points.offsets,
                &points.xyz,
                |position| {
                    (flags[position as usize] & HAS_HOME != 0)
                        .then(|| self.home_visits_km.first(order[position as usize]))
                        .flatten()
                },
            )
        })
    }

    /// Each value of a facet slot with its documents' locations by Z-order code.
    pub fn value_lists(&self, slot: usize, reader: &SegmentReader) -> Arc<ValueLists> {
        let mut lists = self.value_lists.lock().unwrap_or_else(|e| e.into_inner());
        lists
            .entry(slot)
            .or_insert_with(|| {
                let terms = self.facets[slot].as_ref().map_or(0, |c| c.num_terms());
                Arc::new(ValueLists::build(
                    slot,
                    terms,
                    &self.rows(reader).rows,
                    self.spatial(reader),
                ))
            })
            .clone()
    }

    /// Facet counts of the dense quadtree nodes over the live documents holding every flag bit
    /// of `flag_mask` (see [`SegmentColumns::flags`]; 0 for all of them).
    pub fn blocks(&self, reader: &SegmentReader, flag_mask: u16) -> Arc<Blocks> {
        let generation = reader.delete_opstamp();
        let mut cached = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, blocks)) = cached.get(&flag_mask)
            && *g == generation
        {
            return blocks.clone();
        }
        // Keep only the current delete generation.
        cached.retain(|_, (g, _)| *g == generation);
        let order = self.in_rank_order(reader);
        let flags = self.flags(reader);
        let terms: Vec<usize> = self
            .facets
            .iter()
            .map(|c| c.as_ref().map_or(0, |c| c.num_terms()))
            .collect();
        let blocks = Arc::new(Blocks::build(
            &self.spatial(reader).z,
            &self.rows(reader).rows,
            &terms,
            &|position| {
                flags[position as usize] & flag_mask == flag_mask
                    && !reader.is_deleted(order[position as usize])
            },
        ));
        cached.insert(flag_mask, (generation, blocks.clone()));
        blocks
    }

    /// Builds now what searches would build on first use (see
    /// [`crate::SearchEngine::warm`]): a first search needing one of these would otherwise
    /// take a fifth of a second or more on a million practitioners.
    pub fn warm(&self, reader: &SegmentReader) -> Result<()> {
        for slot in 0..FACET_COLUMNS {
            self.terms(slot)?;
        }
        self.ids()?;
        self.points(reader);
        self.spatial(reader);
        self.home_areas(reader);
        self.id_ords(reader);
        self.rank_bits(reader);
        self.alive_bits(reader);
        self.fees(reader);
        self.all_counts(0, reader);
        // A listing by name without a query.
        self.by_name(reader);
        // A nearest search filtered by a facet walks that facet's value lists.
        for slot in 0..FACET_COLUMNS {
            if self.facets[slot]
                .as_ref()
                .is_some_and(|c| c.num_terms() > 0)
            {
                self.value_lists(slot, reader);
            }
        }
        // Counts within a radius, unfiltered or with one flag a client asks for (each flag
        // wanted true, and verified credentials).
        self.blocks(reader, 0);
        for flag in [
            Flag::Accepting,
            Flag::HomeVisits,
            Flag::Wheelchair,
            Flag::SlidingScale,
        ] {
            self.blocks(reader, 1 << (2 * flag_bits(flag)));
        }
        self.blocks(reader, 1 << (2 * VERIFIED_BITS));
        Ok(())
    }

    /// Where each facet slot's values start in one array of every slot's values: value `ord`
    /// of slot `s` is at `base[s] + ord`, and `base[FACET_COLUMNS]` is their number.
    pub fn value_base(&self) -> [usize; FACET_COLUMNS + 1] {
        let mut base = [0usize; FACET_COLUMNS + 1];
        for s in 0..FACET_COLUMNS {
            base[s + 1] = base[s] + self.facet(s).map_or(0, |c| c.num_terms());
        }
        base
    }

    /// Bit sets of the flags and facet values in rank order.
    pub fn rank_bits(&self, reader: &SegmentReader) -> &RankBits {
        self.rank_bits.get_or_init(|| {
            RankBits::build(
                &self.rows(reader).rows,
                self.flags(reader),
                &self.value_base(),
            )
        })
    }

    /// The live documents in rank order, or `None` when every document is.
    pub fn alive_bits(&self, reader: &SegmentReader) -> Option<Arc<[u64]>> {
        reader.alive_bitset()?;
        let generation = reader.delete_opstamp();
        let mut cached = self.alive_bits.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, bits)) = cached.as_ref()
            && *g == generation
        {
            return Some(bits.clone());
        }
        let bits: Arc<[u64]> =
            alive_bits(self.in_rank_order(reader), &|doc| reader.is_deleted(doc)).into();
        *cached = Some((generation, bits.clone()));
        Some(bits)
    }

    /// Counts per ordinal of a facet column over the segment's live documents (every facet
    /// column is counted in the same pass, on first use per delete generation).
    pub fn all_counts(&self, slot: usize, reader: &SegmentReader) -> Arc<Vec<u32>> {
        let generation = reader.delete_opstamp();
        let mut cache = self.all_counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(counts) = cache.get(&(slot, generation)) {
            return counts.clone();
        }
        // Keep only the current delete generation.
        cache.retain(|(_, opstamp), _| *opstamp == generation);
        let mut counts: Vec<Vec<u32>> = self
            .facets
            .iter()
            .map(|c| vec![0u32; c.as_ref().map_or(0, |c| c.num_terms())])
            .collect();
        let rows = self.rows(reader);
        for (position, &doc) in self.in_rank_order(reader).iter().enumerate() {
            if reader.is_deleted(doc) {
                continue;
            }
            for &tagged in rows.rows.of(position as u64) {
                let (s, ord) = untag(tagged);
                counts[s][ord as usize] += 1;
            }
        }
        for (s, c) in counts.into_iter().enumerate() {
            cache.insert((s, generation), Arc::new(c));
        }
        cache[&(slot, generation)].clone()
    }
}

/// The flag columns in the order of their bits in [`SegmentColumns::flags`].
pub(crate) fn flag_bits(flag: Flag) -> usize {
    match flag {
        Flag::Accepting => 0,
        Flag::HomeVisits => 1,
        Flag::Wheelchair => 2,
        Flag::SlidingScale => 3,
    }
}

/// The bits of the verified column in [`SegmentColumns::flags`].
pub(crate) const VERIFIED_BITS: usize = 4;

/// Set in [`SegmentColumns::flags`] for a document with a positive home-visit distance.
pub(crate) const HAS_HOME: u16 = 1 << 10;

/// A facet ordinal tagged with its column's slot: slot in the top 8 bits, ordinal below (facet
/// columns hold a few thousand distinct values at most, far below 2^24).
pub(crate) fn tag(slot: usize, ord: u32) -> u32 {
    debug_assert!(ord < 1 << 24);
    ((slot as u32) << 24) | ord
}

/// The slot and ordinal of a tagged ordinal.
pub(crate) fn untag(tagged: u32) -> (usize, u32) {
    ((tagged >> 24) as usize, tagged & 0x00ff_ffff)
}

/// The values of one slot in a row (a row's tags are sorted, so by slot).
pub(crate) fn slot_values(row: &[u32], slot: usize) -> &[u32] {
    let start = row.partition_point(|&t| t < tag(slot, 0));
    let len = row[start..].partition_point(|&t| t < tag(slot + 1, 0));
    &row[start..start + len]
}

/// Variable-length lists per document, flattened.
pub(crate) struct Multi {
    pub offsets: Vec<u32>,
    pub values: Vec<u32>,
}

impl Multi {
    /// The values of the `i`-th list (a document, or a position in rank order).
    pub fn of(&self, i: impl Into<u64>) -> &[u32] {
        let i = i.into() as usize;
        &self.values[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Every document's tagged facet ordinals, laid out in rank order.
pub(crate) struct Rows {
    pub rows: Multi,
}

impl Rows {
    /// The row at a rank position.
    pub fn at(&self, position: u32) -> &[u32] {
        self.rows.of(position)
    }
}

/// Location points per document, flattened in rank order.
pub(crate) struct Points {
    pub offsets: Vec<u32>,
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
    /// Each point on the unit sphere, for distances without trigonometry (see
    /// [`crate::spatial::Centre::chord2`]).
    pub xyz: Vec<[f32; 3]>,
}

impl Points {
    /// The index range of the points at a rank position.
    pub fn at(&self, position: u32) -> std::ops::Range<usize> {
        let position = position as usize;
        self.offsets[position] as usize..self.offsets[position + 1] as usize
    }
}

/// Columns of every segment seen, keyed by segment (deletes change which documents are live,
/// which only the cached counts depend on, and they are keyed by delete generation).
#[derive(Default)]
pub(crate) struct ColumnCache {
    segments: Mutex<Segments>,
}

/// Segment and delete generation -> columns.
type Segments = HashMap<SegmentId, Arc<SegmentColumns>>;

impl ColumnCache {
    pub fn get(&self, fields: &Fields, reader: &SegmentReader) -> Result<Arc<SegmentColumns>> {
        // Opening is cheap (the heavy copies are built lazily, once, inside); doing it under the
        // lock keeps concurrent first searches from each building their own.
        let mut segments = self.lock();
        if let Some(columns) = segments.get(&reader.segment_id()) {
            return Ok(columns.clone());
        }
        let columns = Arc::new(SegmentColumns::open(fields, reader)?);
        segments.insert(reader.segment_id(), columns.clone());
        Ok(columns)
    }

    /// Forgets the segments the searcher no longer has (merged away).
    pub fn retain(&self, searcher: &Searcher) {
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        self.lock().retain(|key, _| live.contains(key));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Segments> {
        // A panic while holding the lock cannot leave the map inconsistent: take it anyway.
        self.segments.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A string column's values in ordinal order, end to end: looking one up in the column's
/// dictionary decompresses an sstable block with a fresh zstd decoder each time, which showed in
/// the profiles wherever ids or names are compared.
#[derive(Default)]
struct Strings {
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<u32>,
}

impl Strings {
    /// The copy in `cell`, read from `column` on first use.
    fn of<'a>(cell: &'a OnceLock<Strings>, column: Option<&StrColumn>) -> Result<&'a Strings> {
        if let Some(strings) = cell.get() {
            return Ok(strings);
        }
        let strings = match column {
            Some(column) => Strings::read(column)?,
            None => Strings::default(),
        };
        Ok(cell.get_or_init(|| strings))
    }

    /// Every value of the column.
    fn read(column: &StrColumn) -> Result<Strings> {
        let mut strings = Strings::default();
        let ords: Vec<u64> = (0..column.num_terms() as u64).collect();
        column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            strings.text.push_str(&String::from_utf8_lossy(bytes));
            strings.ends.push(strings.text.len() as u32);
        })?;
        Ok(strings)
    }

    /// The value of an ordinal (empty when out of range, as the column's lookup leaves it).
    pub fn get(&self, ord: u64) -> &str {
        let Ok(i) = usize::try_from(ord) else {
            return "";
        };
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start as usize..end as usize]
    }
}
