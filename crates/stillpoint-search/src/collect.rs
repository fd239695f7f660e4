//! The single pass over one segment that yields, together, the exact total, the best hits in
//! sort order and the disjunctive facet counts.
//!
//! Candidates come from the text query's scorer or its kept matches (see [`crate::matches`]),
//! from a walk over the segment's quadtree of locations (a radius, and nearest first; see
//! [`crate::spatial`]), from the geo cells covering a box, from a selective filter's postings,
//! or from every document. Each candidate is checked against the exact predicates (distance on
//! the sphere, box, flags, fee) and then against the facet filters: a document failing no facet
//! filter is a hit and counts in every facet; a document failing exactly one facet filter F
//! counts only in F's facet (so F's counts show what ticking another F value would add); a
//! document failing two or more counts nowhere.

use std::cell::{Cell, OnceCell, RefCell};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use foldhash::{HashSet, HashSetExt};
use stillpoint_index::Fields;
use stillpoint_index::tantivy::columnar::{StrColumn, TermOrdHit};
use stillpoint_index::tantivy::query::{BitSetDocSet, Scorer, Weight};
use stillpoint_index::tantivy::schema::IndexRecordOption;
use stillpoint_index::tantivy::{
    BitSet, DocId, DocSet, InvertedIndexReader, SegmentReader, TERMINATED, Term,
};

use crate::bits::{Filters, Marks, Range, RangeMasks, RankBits, any_set, fee_within, is_set};
use crate::columns::{
    FACET_COLUMNS, HAS_HOME, Points, SegmentColumns, VERIFIED_BITS, flag_bits, slot, slot_values,
    untag,
};
use crate::cursor::{CursorKey, Primary};
use crate::error::Result;
use crate::geo::{EARTH_RADIUS_KM, circle_boxes, covering_cells};
use crate::matches::TextMatches;
use crate::plan::Plan;
use crate::request::{Facet, Sort};
use crate::spatial::{
    Centre, Kind, NO_POINT, Quad, Source, Spatial, Threshold, ThresholdMemo, Wanted, nearest,
    within,
};
use crate::text::facet_field;

/// Above this many cells, scanning every document is cheaper than reading the cells' postings.
const MAX_CELL_TERMS: usize = 4_096;

/// What a visited document that matches adds to the counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Count {
    /// Counted in the total and every facet.
    All,
    /// Counted already: only offered to the page.
    Nothing,
    /// Counted already and known to pass every filter (live, flags, facet filters): only its
    /// distance is measured for the page.
    Passing,
}

/// What a free-text query gives a segment's pass.
#[derive(Clone, Copy)]
pub(crate) enum Text<'a> {
    /// Its weight: the scorer finds the matches among the candidates.
    Scorer(&'a dyn Weight),
    /// Its matches, kept from an earlier search (see [`crate::matches`]).
    Kept(&'a TextMatches),
}

/// A hit of one segment, before the merge across segments.
#[derive(Debug, Clone)]
pub(crate) struct SegmentHit {
    pub doc: DocId,
    pub score: f32,
    /// Distance to the nearest location and that location's position, with a centre.
    pub distance: Option<(f64, usize)>,
    /// Ordinal of the sort name within the segment (name sort only).
    pub name_ord: u64,
    /// Ordinal of the id within the segment: the same order as the id strings.
    pub id_ord: u64,
    sort: Sort,
}

impl SegmentHit {
    pub fn distance_or_infinity(&self) -> f64 {
        dist(self)
    }

    /// Order within one segment: `Less` comes first.
    fn cmp_in_segment(&self, other: &SegmentHit) -> Ordering {
        let primary = match self.sort {
            Sort::Relevance => other.score.total_cmp(&self.score),
            Sort::Distance => dist(self).total_cmp(&dist(other)),
            Sort::Name => self.name_ord.cmp(&other.name_ord),
        };
        primary.then(self.id_ord.cmp(&other.id_ord))
    }
}

fn dist(hit: &SegmentHit) -> f64 {
    hit.distance.map_or(f64::INFINITY, |(d, _)| d)
}

/// Max-heap by "worse": the top is the hit to drop first.
struct Worst(SegmentHit);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Worst {}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_in_segment(&other.0)
    }
}

/// What one segment contributes.
#[derive(Debug)]
pub(crate) struct SegmentResult {
    pub total: u64,
    /// Best hits of the segment, best first, at most the requested window.
    pub hits: Vec<SegmentHit>,
    /// Per requested facet (in plan order), the count of each ordinal of its column (the
    /// engine maps ordinals to values shared by the segments: see [`crate::values`]).
    pub facets: Vec<Vec<u32>>,
}

/// A facet filter's column slot and the ordinals it selects.
struct GroupColumn {
    facet: Facet,
    slot: usize,
    selected: Vec<u32>,
}

/// Adds to `bits` the documents of `term`'s postings, those in `within` only when given.
fn insert_postings(
    bits: &mut BitSet,
    inverted: &InvertedIndexReader,
    term: &Term,
    within: Option<&BitSet>,
) -> Result<()> {
    if let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? {
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if within.is_none_or(|w| w.contains(doc)) {
                bits.insert(doc);
            }
            doc = postings.advance();
        }
    }
    Ok(())
}

pub(crate) fn collect_segment(
    plan: &Plan,
    fields: &Fields,
    reader: &SegmentReader,
    columns: &SegmentColumns,
    text: Option<Text<'_>>,
    window: usize,
    beyond: Option<f64>,
) -> Result<SegmentResult> {
    let cols: &SegmentColumns = columns;
    // A text query's kept matches, when it has them (otherwise its scorer, made below).
    let kept = match text {
        Some(Text::Kept(matches)) => Some(matches),
        _ => None,
    };
    let unconstrained = text.is_none()
        && plan.association.is_none()
        && plan.radius_km.is_none()
        && plan.bbox.is_none()
        && plan.flags.is_empty()
        && plan.fee_max.is_none()
        && !plan.require_verified();

    // Facet filters and the columns to count.
    let mut groups: Vec<GroupColumn> = Vec::with_capacity(plan.groups.len());
    for group in &plan.groups {
        let slot = slot(group.facet, plan.verified);
        let terms = cols.terms(slot)?;
        let mut selected = Vec::new();
        for value in &group.values {
            if let Ok(ord) = terms.binary_search_by(|t| t.as_bytes().cmp(value.as_bytes())) {
                selected.push(ord as u32);
            }
        }
        selected.sort_unstable();
        groups.push(GroupColumn {
            facet: group.facet,
            slot,
            selected,
        });
    }
    // Counted in the pass: (facet column slot) -> position in `counts`.
    let mut count_index: [Option<usize>; FACET_COLUMNS] = [None; FACET_COLUMNS];
    let mut count_columns: Vec<bool> = Vec::with_capacity(plan.facets.len());
    let mut counts: Vec<Vec<u32>> = Vec::with_capacity(plan.facets.len());
    // Facets whose counts are those of the whole segment (nothing but, at most, their own
    // filter constrains them) come from the cache instead of the pass below.
    for facet in &plan.facets {
        let slot = slot(*facet, plan.verified);
        let whole = unconstrained && plan.groups.iter().all(|g| g.facet == *facet);
        if whole {
            counts.push(cols.all_counts(slot, reader).to_vec());
            count_columns.push(false);
        } else {
            // Filled from `flat` after the pass.
            counts.push(Vec::new());
            count_index[slot] = Some(counts.len() - 1);
            count_columns.push(true);
        }
    }
    let counting = count_columns.iter().any(|&c| c);
    // Every facet column's values side by side: value `ord` of the column in slot `s` is at
    // `base[s] + ord`. The pass counts a document's whole row into `flat` without asking which
    // facets are wanted (cheaper than the question), and reads its filters from `satisfies`:
    // per value, bit `i` when it is one of group `i`'s selected values.
    let base = cols.value_base();
    let at = |tagged: u32| {
        let (s, ord) = untag(tagged);
        base[s] + ord as usize
    };
    let flat = RefCell::new(if counting {
        vec![0u32; base[FACET_COLUMNS]]
    } else {
        Vec::new()
    });
    debug_assert!(groups.len() <= 16);
    let every_group: u16 = ((1u32 << groups.len()) - 1) as u16;
    let mut satisfies = vec![
        0u16;
        if groups.is_empty() {
            0
        } else {
            base[FACET_COLUMNS]
        }
    ];
    for (i, group) in groups.iter().enumerate() {
        for &ord in &group.selected {
            satisfies[base[group.slot] + ord as usize] |= 1 << i;
        }
    }
    // For each group, the position of its facet among the counted facets.
    let group_count_slot: Vec<Option<usize>> = groups
        .iter()
        .map(|g| plan.facets.iter().position(|f| *f == g.facet))
        .collect();
    // Each filter's selected values as indexes of the bit sets (see `bits`), and which filter
    // (if any) a slot belongs to.
    let group_values: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| {
            g.selected
                .iter()
                .map(|&ord| base[g.slot] + ord as usize)
                .collect()
        })
        .collect();
    let mut group_of_slot: [Option<usize>; FACET_COLUMNS] = [None; FACET_COLUMNS];
    for (g, group) in groups.iter().enumerate() {
        group_of_slot[group.slot] = Some(g);
    }
    // Which counts a facet column's values (see `bits`) go to: none, those over the documents
    // passing every filter, or (a filter's own facet) those passing every filter but its own.
    let wanted = |slot: usize| count_index[slot].map(|_| group_of_slot[slot]);
    // The same, per value of the bit sets: made once, for the walk and the count after it.
    let selection = OnceCell::new();
    let selection_of =
        |bits: &RankBits| selection.get_or_init(|| bits.selection_by_slot(&base, &wanted));

    // Flag filters as bits of the flattened flags (see `SegmentColumns::flags`).
    let mut flag_mask = 0u16;
    for &(flag, want) in &plan.flags {
        let i = flag_bits(flag);
        flag_mask |= 1 << (2 * i + usize::from(!want));
    }
    if plan.require_verified() {
        flag_mask |= 1 << (2 * VERIFIED_BITS);
    }
    let all_flags = cols.flags(reader);
    let flags = (flag_mask != 0).then_some(all_flags);
    let fee_column = plan.fee_max.map(|_| cols.fee_min.clone());
    let geo_needed = plan.center.is_some() || plan.bbox.is_some();
    let points = geo_needed.then(|| cols.points(reader));
    let rows = (!groups.is_empty() || count_columns.iter().any(|&c| c)).then(|| cols.rows(reader));
    let home_column = plan.radius_km.map(|_| cols.home_visits_km.clone());
    let id_column = cols.id.clone();
    let name_column = if plan.sort == Sort::Name {
        cols.name_sort.clone()
    } else {
        None
    };

    // Where the cursor falls in this segment's ordinals.
    let cursor = match &plan.cursor {
        Some(key) => Some(SegmentCursor::new(
            key,
            id_column.as_ref(),
            name_column.as_ref(),
        )?),
        None => None,
    };

    // Nearest first without a radius, nothing counted in the pass and at most one facet
    // filter: the total comes from the filter's postings or cached counts, and the page from a
    // walk outward from the centre over the filter's values' locations (see `spatial`), instead
    // of visiting every document.
    let nearest_possible = plan.center.is_some()
        && plan.radius_km.is_none()
        && plan.bbox.is_none()
        && text.is_none()
        && plan.sort == Sort::Distance
        && window > 0
        && plan.cursor.is_none()
        && !count_columns.iter().any(|&c| c)
        && plan.flags.is_empty()
        && plan.fee_max.is_none()
        && !plan.require_verified()
        && plan.association.is_none()
        && plan.groups.len() <= 1;
    // Otherwise, without text and with nothing geographic but a centre, the total and the counts
    // come from the bit sets over the whole segment (see `bits`), and the page from the
    // documents passing them: a walk from the centre or down the name order that stops once the
    // page is full, or else every one of them (no row is read for a document that fails).
    // The cheap listings of everything stay below.
    let listing = !nearest_possible
        && text.is_none()
        && plan.radius_km.is_none()
        && plan.bbox.is_none()
        && plan.association.is_none()
        && !(unconstrained && plan.groups.is_empty() && (window == 0 || plan.sort == Sort::Name));
    // A selective facet filter narrows the candidates through its postings, when that facet's
    // counts are not needed from this pass (a document failing only that filter would be
    // missed).
    let max_doc = reader.max_doc();
    let mut selective: Option<(u64, usize)> = None;
    if text.is_none() && !nearest_possible && !listing {
        for (i, group) in plan.groups.iter().enumerate() {
            let counted = group_count_slot[i].is_some_and(|s| count_columns[s]);
            if counted {
                continue;
            }
            let field = facet_field(fields, group.facet, plan.verified);
            let inverted = reader.inverted_index(field)?;
            let mut freq = 0u64;
            for value in &group.values {
                freq += u64::from(inverted.doc_freq(&Term::from_field_text(field, value))?);
            }
            // With a radius, the walk over it competes: the postings pay only for a value held
            // by few (measured on the 1M index, 25 km at New York: the postings of a value held
            // by 4.6% of practitioners cost 30% less than the walk, those of one held by 17%
            // nearly twice as much).
            let share = if plan.radius_km.is_some() { 16 } else { 4 };
            if freq < u64::from(max_doc) / share && selective.is_none_or(|(f, _)| freq < f) {
                selective = Some((freq, i));
            }
        }
    }
    // A radius alone (no text, no selective filter) walks the quadtree of the segment's
    // locations: whole nodes inside the circle at once, the rest document by document.
    let radius_walk = plan.center.is_some()
        && plan.radius_km.is_some()
        && text.is_none()
        && selective.is_none()
        && plan.association.is_none();

    // Candidate documents from the geo cells.
    let mut geo_docs: Option<BitSet> = None;
    // Whether the walks have measured every candidate against the radius already (so `visit`
    // measures a distance only for a page by distance).
    let mut area_exact = radius_walk;
    if radius_walk {
        // Candidates come from the walk below.
    } else if let (Some((lat, lon)), Some(radius), None) = (plan.center, plan.radius_km, selective)
    {
        // Text and a radius: the documents within reach, from the same walk (kept matches are
        // taken node by node instead, see below, unless an association narrows them).
        if kept.is_none() || plan.association.is_some() {
            geo_docs = Some(within_reach(cols, reader, (lat, lon), radius));
        }
        area_exact = true;
    } else if let (Some((lat, lon)), Some(radius)) = (plan.center, plan.radius_km) {
        let cells = covering_cells(&circle_boxes(lat, lon, radius));
        geo_docs = cells_docset(reader, fields, &cells)?;
        if let Some(bits) = geo_docs.as_mut() {
            // And those reaching the centre by their home visits.
            let order = cols.in_rank_order(reader);
            home_visitors(
                cols,
                reader,
                &Centre::new(lat, lon),
                radius,
                &mut |position| {
                    bits.insert(order[position as usize]);
                },
            );
        }
    } else if let Some(bbox) = plan.bbox {
        let cells = covering_cells(&bbox.split());
        geo_docs = cells_docset(reader, fields, &cells)?;
    }
    if let Some((_, i)) = selective {
        let group = &plan.groups[i];
        let field = facet_field(fields, group.facet, plan.verified);
        let inverted = reader.inverted_index(field)?;
        let mut bits = BitSet::with_max_value(max_doc.max(1));
        for value in &group.values {
            let term = Term::from_field_text(field, value);
            insert_postings(&mut bits, &inverted, &term, geo_docs.as_ref())?;
        }
        geo_docs = Some(bits);
    }
    // An association's own directory: only its members are candidates (the association is
    // indexed, not a column, and such directories are small next to the whole index).
    if let Some(association) = &plan.association {
        let term = Term::from_field_text(fields.association, association);
        let inverted = reader.inverted_index(fields.association)?;
        let mut bits = BitSet::with_max_value(max_doc.max(1));
        insert_postings(&mut bits, &inverted, &term, geo_docs.as_ref())?;
        geo_docs = Some(bits);
    }
    let mut scorer: Option<Box<dyn Scorer>> = match text {
        Some(Text::Scorer(w)) => Some(w.scorer(reader, 1.0)?),
        _ => None,
    };

    let alive = reader.alive_bitset();
    let centre = plan.center.map(|(lat, lon)| Centre::new(lat, lon));
    let heap_cell: RefCell<BinaryHeap<Worst>> = RefCell::new(BinaryHeap::with_capacity(window + 1));
    let total = Cell::new(0u64);

    // Returns whether the document was offered to the page as a hit.
    // Offers a matching document to the page; returns whether it was offered.
    // The distance beyond which no hit can enter the page (by distance): the page's worst once
    // it is full, or the bound from the segments searched before.
    let page_worst = |heap: &BinaryHeap<Worst>| -> Option<f64> {
        let own = (heap.len() >= window).then(|| heap.peek().map_or(f64::INFINITY, |w| dist(&w.0)));
        match (own, beyond) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    let id_ords = (window > 0).then(|| cols.id_ords(reader));
    // The positions offered to the page, when a document may be offered twice (see the radius
    // walk with blocks).
    let offered: RefCell<Option<HashSet<u32>>> = RefCell::new(None);
    let offer = |heap: &mut BinaryHeap<Worst>,
                 doc: DocId,
                 position: u32,
                 score: f32,
                 distance: Option<(f64, usize)>|
     -> bool {
        if window == 0 {
            return false;
        }
        // Beyond a full page's worst hit by distance, or beyond what the other segments
        // already hold enough hits within: no need for its id.
        if plan.sort == Sort::Distance
            && page_worst(heap).is_some_and(|w| distance.map_or(f64::INFINITY, |(d, _)| d) > w)
        {
            return false;
        }
        let hit = SegmentHit {
            doc,
            score,
            distance,
            name_ord: name_column
                .as_ref()
                .and_then(|c| c.term_ords(doc).next())
                .unwrap_or(0),
            id_ord: id_ords.map_or(0, |ids| u64::from(ids[position as usize])),
            sort: plan.sort,
        };
        if let Some(cursor) = &cursor
            && !cursor.is_after(&hit)
        {
            return false;
        }
        // Only a document with several locations can be offered twice.
        if let Some(offered) = offered.borrow_mut().as_mut()
            && points.is_some_and(|p| p.at(position).len() > 1)
            && !offered.insert(position)
        {
            return true;
        }
        if heap.len() < window {
            heap.push(Worst(hit));
        } else if let Some(worst) = heap.peek()
            && hit.cmp_in_segment(&worst.0) == Ordering::Less
        {
            heap.pop();
            heap.push(Worst(hit));
        }
        true
    };

    // `position` is the document's rank position; `count` says what the document adds to the
    // counts when it matches (nothing when they were added with its quadtree node's).
    // Set while visiting a node wholly inside the radius: its distance from the centre.
    let inside_near: Cell<Option<f64>> = Cell::new(None);
    // Set while visiting a document that [`home_visitors`] found: it reaches the centre by its
    // home visits (measured there), so only its distance for the page is left to measure.
    let reaches_by_home: Cell<bool> = Cell::new(false);
    let radius_threshold = plan.radius_km.map(Threshold::new);
    let home_memo = ThresholdMemo::default();
    let worst_memo = ThresholdMemo::default();
    // Documents counted from bit sets after the pass (see the end): the positions of those
    // matching the candidates' own condition (the text, the geography), the filters not yet
    // applied. Set together with `passing`.
    let deferred: RefCell<Option<Marks>> = RefCell::new(None);
    // With bit sets: whether the document at a rank position passes every filter.
    type Passes<'a> = Box<dyn Fn(u32) -> bool + 'a>;
    let passing: RefCell<Option<Passes<'_>>> = RefCell::new(None);
    // (`alive`: the documents a page may take besides the flags and facet filters.)
    let bits_filters = |alive: Option<Arc<[u64]>>| -> Passes<'_> {
        let bits = cols.rank_bits(reader);
        let values = group_values.clone();
        Box::new(move |position| {
            bits.passes(
                position,
                Filters {
                    alive: alive.as_deref(),
                    flag_mask,
                    groups: &values,
                },
            )
        })
    };
    let visit = |doc: DocId, position: u32, score: f32, count: Count| -> bool {
        let passes = passing.borrow();
        let count = match (count, passes.as_ref()) {
            (Count::Nothing, Some(passes)) => {
                if !passes(position) {
                    return false;
                }
                Count::Passing
            }
            (count, _) => count,
        };
        // Counted after the pass: only the geography and the fee decide here, and the bit
        // sets tell whether it may enter the page.
        let deferring = count == Count::All && deferred.borrow().is_some();
        let mut heap = heap_cell.borrow_mut();
        // A page full of hits at distance zero (a place's centre, where practitioners showing
        // only their city sit) takes another only before its worst by id: no need to measure
        // one after it (ids order like their ordinals within the segment).
        if count != Count::All
            && plan.sort == Sort::Distance
            && heap.len() >= window
            && let (Some(worst), Some(ids)) = (heap.peek(), id_ords)
            && worst.0.distance.is_some_and(|(d, _)| d == 0.0)
            && ids[position as usize] > worst.0.id_ord as u32
        {
            return false;
        }
        let checked = count == Count::Passing || deferring;
        if !checked && alive.is_some_and(|a| a.is_deleted(doc)) {
            return false;
        }
        if !checked
            && let Some(flags) = flags
            && flags[position as usize] & flag_mask != flag_mask
        {
            return false;
        }
        if let (Some(column), Some(max)) = (&fee_column, plan.fee_max)
            && column.first(doc).is_none_or(|fee| fee > max)
        {
            return false;
        }

        // Facet filters first (cheap, and two failures end it): which ones fail.
        // (Without filters, the row is read only for documents that pass the geography.)
        let mut row = match rows {
            Some(r) if !groups.is_empty() && !checked => r.at(position),
            _ => &[][..],
        };
        let mut failed: Option<usize> = None;
        if !groups.is_empty() && !checked {
            // Only the filtered columns' values: a row is sorted by slot.
            let held = groups.iter().fold(0u16, |held, group| {
                slot_values(row, group.slot)
                    .iter()
                    .fold(held, |held, &tagged| held | satisfies[at(tagged)])
            });
            let missing = every_group & !held;
            if missing & missing.wrapping_sub(1) != 0 {
                return false;
            }
            if missing != 0 {
                failed = Some(missing.trailing_zeros() as usize);
            }
        }
        // Not a page candidate.
        let excluded = failed.is_some()
            || (deferring && !passes.as_ref().is_some_and(|passes| passes(position)));

        // Geography. Exact distances only where they can matter: a location whose latitude
        // alone puts it beyond the radius (or home-visit reach) and beyond the page's worst
        // hit is skipped (the great-circle distance is at least R * |delta latitude|).
        let mut distance = None;
        // Known to be within the radius (no box): the distance only matters to a page by
        // distance, and not at all once the document's node lies beyond its worst hit.
        let unneeded = plan.bbox.is_none()
            && (inside_near.get().is_some_and(|near| {
                plan.sort != Sort::Distance
                    || window == 0
                    || excluded
                    || page_worst(&heap).is_some_and(|w| near > w)
            }) || (area_exact && (plan.sort != Sort::Distance || window == 0 || excluded)));
        if let Some(points) = points.filter(|_| !unneeded) {
            let rows = points.at(position);
            if let Some(bbox) = &plan.bbox
                && !rows
                    .clone()
                    .any(|r| bbox.contains(points.lat[r], points.lon[r]))
            {
                return false;
            }
            if let Some((clat, _)) = plan.center {
                let by_home = reaches_by_home.get();
                let home = match (&home_column, plan.radius_km) {
                    (Some(c), Some(_))
                        if !by_home && all_flags[position as usize] & HAS_HOME != 0 =>
                    {
                        c.first(doc).unwrap_or(0.0)
                    }
                    _ => 0.0,
                };
                // In when its nearest location is within the radius, or the centre within
                // its home visits.
                let limit = plan.radius_km.filter(|_| !by_home).map(|r| r.max(home));
                let ranked = plan.sort == Sort::Distance && !excluded && window > 0;
                let mut need = limit.unwrap_or(f64::NEG_INFINITY);
                if ranked {
                    let worst = if heap.len() >= window {
                        heap.peek().map_or(f64::INFINITY, |w| dist(&w.0))
                    } else {
                        f64::INFINITY
                    };
                    need = need.max(worst);
                }
                let reach = need * (1.0 + 1e-9) + 1e-9;
                let near_enough = |row: &usize| {
                    (points.lat[*row] - clat).abs().to_radians() * EARTH_RADIUS_KM <= reach
                };
                let centre = centre.as_ref().expect("a centre was given");
                // The nearest location by the chord first; exact distances only when that
                // cannot decide the radius, or when the document may enter the page.
                let chord2 = rows
                    .clone()
                    .filter(near_enough)
                    .map(|row| centre.chord2(points.xyz[row]))
                    .fold(f64::INFINITY, f64::min);
                let limit = limit.map(|km| match radius_threshold {
                    Some(t) if t.km == km => t,
                    _ => home_memo.get(km),
                });
                if limit.is_some_and(|t| t.clearly_beyond(chord2)) {
                    return false;
                }
                let undecided = limit.is_some_and(|t| !t.clearly_within(chord2));
                let may_enter = ranked
                    && page_worst(&heap).is_none_or(|w| !worst_memo.get(w).clearly_beyond(chord2));
                distance = if undecided || may_enter {
                    let mut best = (f64::INFINITY, 0usize);
                    for (i, row) in rows.enumerate() {
                        if !near_enough(&row) {
                            continue;
                        }
                        let d = centre.distance(points.lat[row], points.lon[row]);
                        if d < best.0 {
                            best = (d, i);
                        }
                    }
                    if limit.is_some_and(|t| best.0 > t.km) {
                        // Outside the radius, and the centre is beyond its home visits.
                        return false;
                    }
                    Some(best)
                } else {
                    // Certainly in, and its distance decides nothing: the page is not by
                    // distance, or the document lies beyond its worst hit (and, without a
                    // distance, sorts after it).
                    None
                };
            }
        }

        if deferring {
            if let Some(marks) = deferred.borrow_mut().as_mut() {
                marks.mark(position);
            }
            return !excluded && offer(&mut heap, doc, position, score, distance);
        }
        if count != Count::All {
            // A page candidate only when it fails no filter.
            return !excluded && offer(&mut heap, doc, position, score, distance);
        }
        if groups.is_empty()
            && let Some(r) = rows
        {
            row = r.at(position);
        }
        let mut flat = flat.borrow_mut();
        if let Some(group) = failed {
            // Counts only in the facet of the one filter it fails.
            let slot = groups[group].slot;
            if count_index[slot].is_some() {
                for &tagged in slot_values(row, slot) {
                    flat[at(tagged)] += 1;
                }
            }
            return false;
        }
        total.set(total.get() + 1);
        if counting {
            for &tagged in row {
                flat[at(tagged)] += 1;
            }
        }
        offer(&mut heap, doc, position, score, distance)
    };
    // The page nearest first: a walk outward from the centre over the locations of facet filter
    // `group`'s selected values (of every document without one) that visits each document as
    // `count`, until no other can enter the page; those without a location follow when it
    // could not stop.
    // (`passing_positions`: those passing every filter, when the walk visits them as
    // `Count::Nothing`.)
    let walk_nearest = |group: Option<usize>, count: Count, passing_positions: Option<&[u64]>| {
        let centre = centre.as_ref().expect("checked");
        let spatial = cols.spatial(reader);
        let points = points.expect("a centre reads the points");
        let order = cols.in_rank_order(reader);
        let lists;
        let mut sources: Vec<Source<'_>> = Vec::new();
        match group {
            None => sources.extend(whole_segment(spatial)),
            Some(g) => {
                lists = cols.value_lists(groups[g].slot, reader);
                for &ord in &groups[g].selected {
                    sources.extend(lists.sources(ord));
                }
            }
        }
        // A document is listed once per location (and per value): visited at its first.
        let several_values = group.is_some_and(|g| groups[g].selected.len() > 1);
        let mut seen: HashSet<u32> = HashSet::new();
        let position_of = |kind: Kind, id: u32| match kind {
            Kind::First => id,
            Kind::Extra => spatial.point_position[id as usize],
        };
        let keep_calls = Cell::new(0u32);
        let extra_passing: OnceCell<Vec<u64>> = OnceCell::new();
        let stopped = nearest(
            None,
            &sources,
            centre,
            points,
            &|kind, id| match kind {
                Kind::First => points.at(id).start,
                Kind::Extra => id as usize,
            },
            // With the positions passing every filter: the documents failing them are skipped
            // unread, and so are the nodes of the segment's first locations none of which
            // passes, unsplit. So are those of its other locations once the walk has met more
            // documents than a 64th of them (their bits, made then, cost a read of each: a
            // filter nearly no one passes near the centre would otherwise walk them all).
            Wanted {
                entry: &|kind, id| {
                    passing_positions.is_none_or(|mask| {
                        keep_calls.set(keep_calls.get() + 1);
                        is_set(mask, position_of(kind, id) as usize)
                    })
                },
                range: &|source, lo, hi| {
                    let s = &sources[source];
                    let Some(mask) = passing_positions else {
                        return true;
                    };
                    match (s.ids, s.kind) {
                        (None, Kind::First) => any_set(mask, s.base + lo, s.base + hi),
                        (Some(_), Kind::Extra)
                            if group.is_none()
                                && keep_calls.get() as usize
                                    > spatial.extra_position.len() / 64 =>
                        {
                            let extra = extra_passing.get_or_init(|| {
                                let mut bits =
                                    vec![0u64; spatial.extra_position.len().div_ceil(64)];
                                for (i, &position) in spatial.extra_position.iter().enumerate() {
                                    if is_set(mask, position as usize) {
                                        bits[i / 64] |= 1 << (i % 64);
                                    }
                                }
                                bits
                            });
                            any_set(extra, lo, hi)
                        }
                        _ => true,
                    }
                },
            },
            &mut |found| {
                let position = position_of(found.kind, found.id);
                if (several_values || points.at(position).len() > 1) && !seen.insert(position) {
                    return;
                }
                let _ = visit(order[position as usize], position, 0.0, count);
            },
            &|| page_worst(&heap_cell.borrow()),
        );
        if !stopped {
            // Every located document of the filter was seen: those without a location follow.
            let located = spatial.z.partition_point(|&z| z < NO_POINT);
            for (position, &doc) in order.iter().enumerate().skip(located) {
                let _ = visit(doc, position as u32, 0.0, count);
            }
        }
    };
    let nearest_done = nearest_possible && {
        walk_nearest(groups.first().map(|_| 0), Count::All, None);
        total.set(match plan.groups.first() {
            None => u64::from(reader.num_docs()),
            // One value: the cached count of live documents holding it.
            Some(group) if group.values.len() == 1 => {
                let slot = slot(group.facet, plan.verified);
                match (cols.facet(slot), groups[0].selected.first()) {
                    (Some(_), Some(&ord)) => u64::from(cols.all_counts(slot, reader)[ord as usize]),
                    _ => 0,
                }
            }
            Some(group) => filter_count(reader, fields, plan, group)?,
        });
        true
    };
    let listing_done = listing && {
        let bits = cols.rank_bits(reader);
        // A fee filter joins the live documents as those a page may take.
        let alive = match plan.fee_max {
            None => cols.alive_bits(reader),
            Some(max) => Some(fee_within(
                cols.fees(reader),
                max,
                cols.alive_bits(reader).as_deref(),
            )),
        };
        let filters = Filters {
            alive: alive.as_deref(),
            flag_mask,
            groups: &group_values,
        };
        let range = Range::new(0, max_doc);
        let mut masks = RangeMasks::default();
        masks.fill(bits, &range, filters);
        if counting {
            bits.count_range(
                &range,
                &mut masks,
                selection_of(bits),
                &mut flat.borrow_mut(),
            );
        }
        let matching = u64::from(masks.total());
        total.set(matching);
        if window > 0 {
            // A walk visits documents that fail the filters too: down the name order, about
            // `window * max_doc / matching` of them before the page is full. Beyond the
            // number passing, taking those is cheaper. (A cursor's page starts deep in the
            // order: those too.)
            *passing.borrow_mut() = Some(bits_filters(alive.clone()));
            let walk = plan.cursor.is_none()
                && match plan.sort {
                    Sort::Distance => true,
                    Sort::Name => matching * matching >= window as u64 * u64::from(max_doc),
                    Sort::Relevance => false,
                };
            if walk && plan.sort == Sort::Distance {
                // Over the locations of the filter fewest hold.
                let held = |g: usize| -> u64 {
                    let counts = cols.all_counts(groups[g].slot, reader);
                    let held = groups[g].selected.iter();
                    held.map(|&ord| u64::from(counts.get(ord as usize).copied().unwrap_or(0)))
                        .sum()
                };
                let group = (0..groups.len()).min_by_key(|&g| held(g));
                walk_nearest(group, Count::Nothing, Some(&masks.all));
            } else if walk {
                let rank = cols.rank(reader);
                let mut taken = 0;
                for &doc in cols.by_name(reader) {
                    if taken >= window {
                        break;
                    }
                    if visit(doc, rank[doc as usize], 0.0, Count::Nothing) {
                        taken += 1;
                    }
                }
            } else {
                let order = cols.in_rank_order(reader);
                for (k, &word) in masks.all.iter().enumerate() {
                    let mut word = word;
                    while word != 0 {
                        let position = (k * 64) as u32 + word.trailing_zeros();
                        let _ = visit(order[position as usize], position, 0.0, Count::Passing);
                        word &= word - 1;
                    }
                }
            }
        }
        true
    };
    if !nearest_done && radius_walk {
        let centre = centre.as_ref().expect("checked");
        let radius = plan.radius_km.expect("checked");
        let spatial = cols.spatial(reader);
        let points = points.expect("a centre reads the points");
        let order = cols.in_rank_order(reader);
        let sources = whole_segment(spatial);
        let worst = || page_worst(&heap_cell.borrow());
        // Nodes inside the circle are counted at once, not document by document, when nothing
        // but flags and facet filters decides besides the geography. Without a facet filter and
        // with at most one flag bit, their counts are precomputed (blocks are kept per flag mask,
        // so their number stays bounded); otherwise they come from bit sets of the node's range
        // (see `bits`), and the blocks over every document only tell which nodes are dense.
        // The page, by distance, takes only the nodes' documents that can still enter it.
        let whole = plan.fee_max.is_none()
            && plan.bbox.is_none()
            && (plan.sort == Sort::Distance || window == 0);
        let precounted = groups.is_empty() && flag_mask.count_ones() <= 1;
        let blocks = whole.then(|| cols.blocks(reader, if precounted { flag_mask } else { 0 }));
        let rank_bits = (whole && !precounted).then(|| cols.rank_bits(reader));
        let alive_bits = rank_bits.and_then(|_| cols.alive_bits(reader));
        let filters = Filters {
            alive: alive_bits.as_deref(),
            flag_mask,
            groups: &group_values,
        };
        let mut masks = RangeMasks::default();
        if whole {
            // A document offered again by another location is checked against the bit sets
            // (a bit per filter value) instead of its row. The documents read one by one (on
            // the circle's edge, in nodes too small to take whole) are counted from the same
            // sets after the walk: the walk only marks those within the circle. (So are they
            // when the nodes' counts are precomputed.)
            *passing.borrow_mut() = Some(bits_filters(cols.alive_bits(reader)));
            *deferred.borrow_mut() = Some(Marks::new(max_doc as usize));
        }
        let page_memo = ThresholdMemo::default();
        if blocks.is_some() && window > 0 {
            *offered.borrow_mut() = Some(HashSet::new());
        }
        // Whether a point is farther than the radius, by its chord (exact when close).
        let radius_t = Threshold::new(radius);
        let beyond = |p: usize, chord2: f64| {
            centre.beyond(chord2, radius_t, || (points.lat[p], points.lon[p]))
        };
        // A node taken whole offers its documents (those `take` accepts, and how they count)
        // to the page nearest first, while they can still enter it (a dense city's centre holds
        // thousands, most of them far down).
        let page_from_node =
            |lo: u32, hi: u32, near: f64, quad: Quad, take: &dyn Fn(u32) -> Option<Count>| {
                if window == 0 || worst().is_some_and(|w| near > w) {
                    return;
                }
                let node_docs = Source {
                    z: spatial.z.range(lo as usize..hi as usize),
                    ids: None,
                    base: lo,
                    kind: Kind::First,
                };
                nearest(
                    Some(quad),
                    &[node_docs],
                    centre,
                    points,
                    &|_, position| points.at(position).start,
                    Wanted::ALL,
                    &mut |found| {
                        if let Some(count) = take(found.id) {
                            let _ = visit(order[found.id as usize], found.id, 0.0, count);
                        }
                    },
                    &worst,
                );
            };
        // The documents with a location within the radius; those reaching the centre only by
        // their home visits follow.
        let mut seen: HashSet<u32> = HashSet::new();
        within(
            &sources,
            centre,
            radius,
            radius,
            blocks.as_ref().map(|b| b.min),
            &mut |node| {
                // With bit sets, a node the page can no longer take from only marks its
                // documents within the circle (counted after the walk): what `visit` would do
                // for them, without measuring distances for the page.
                let mark_only = whole && (window == 0 || worst().is_some_and(|w| node.near > w));
                let mark = |position: u32| {
                    if let Some(marks) = deferred.borrow_mut().as_mut() {
                        marks.mark(position);
                    }
                };
                let (lo, hi) = node.ranges[0];
                let block = match &blocks {
                    Some(b) if node.inside && hi - lo >= b.min => {
                        let (k, prefix) = node.quad.key();
                        b.node(k, prefix)
                    }
                    _ => None,
                };
                if let (Some(_), Some(bits)) = (&block, rank_bits) {
                    let range = Range::new(lo, hi);
                    masks.fill(bits, &range, filters);
                    total.set(total.get() + u64::from(masks.total()));
                    let mut flat = flat.borrow_mut();
                    bits.count_range(&range, &mut masks, selection_of(bits), &mut flat);
                    drop(flat);
                    page_from_node(lo, hi, node.near, node.quad, &|position| {
                        range.test(&masks.all, position).then_some(Count::Passing)
                    });
                } else if let Some(block) = block {
                    total.set(total.get() + u64::from(block.live));
                    let mut flat = flat.borrow_mut();
                    for (&tagged, &n) in block.tags.iter().zip(block.counts) {
                        if count_index[untag(tagged).0].is_some() {
                            flat[at(tagged)] += n;
                        }
                    }
                    drop(flat);
                    page_from_node(lo, hi, node.near, node.quad, &|_| Some(Count::Nothing));
                } else {
                    inside_near.set(node.inside.then_some(node.near));
                    for position in lo..hi {
                        // In here when its first location is within the radius, else by
                        // another (below).
                        if !node.inside {
                            let p = points.at(position).start;
                            if beyond(p, centre.chord2(points.xyz[p])) {
                                continue;
                            }
                        }
                        if mark_only {
                            mark(position);
                            continue;
                        }
                        let _ = visit(order[position as usize], position, 0.0, Count::All);
                    }
                    inside_near.set(None);
                }
                // Other locations: their documents unless the first location is within the
                // radius (then visited above, at the first location's node).
                let (lo, hi) = node.ranges[1];
                for i in lo as usize..hi as usize {
                    let position = spatial.extra_position[i];
                    let point = spatial.extra_point[i] as usize;
                    let chord2 = || centre.chord2(spatial.extra_xyz[i]);
                    // (Inside the circle, every location is within the radius.)
                    if !node.inside && beyond(point, chord2()) {
                        continue;
                    }
                    let first = spatial.extra_first[i] as usize;
                    if !beyond(first, centre.chord2(spatial.extra_first_xyz[i])) {
                        // Counted at its first location's node. If that node was a block, the
                        // page saw the document only by its first location: offer it again,
                        // by its nearest (the page takes it once), when this location can
                        // still enter the page.
                        let wanted = || {
                            worst().is_none_or(|w| {
                                node.near <= w && !page_memo.get(w).clearly_beyond(chord2())
                            })
                        };
                        if blocks.is_some() && window > 0 && wanted() {
                            let _ = visit(order[position as usize], position, 0.0, Count::Nothing);
                        }
                        continue;
                    }
                    if mark_only {
                        // (Marking twice is harmless: no need to remember it.)
                        mark(position);
                        continue;
                    }
                    if !seen.insert(position) {
                        continue;
                    }
                    let _ = visit(order[position as usize], position, 0.0, Count::All);
                }
            },
        );
        // Each reaches the centre: `visit` measures only its distance, for the page.
        reaches_by_home.set(true);
        home_visitors(cols, reader, centre, radius, &mut |position| {
            let _ = visit(order[position as usize], position, 0.0, Count::All);
        });
        reaches_by_home.set(false);
    }
    // Text matches are often many (a common word, in a dense city): their positions are then
    // gathered and counted after the pass from bit sets, a word (64 documents) at a time, rather
    // than row by row. That pays when the matches are dense in the words they fall in: a word
    // costs about as much as six rows (a row holds some twenty values; the bit sets, a hundred
    // frequent ones).
    let defer_possible =
        !nearest_done && !listing_done && !radius_walk && text.is_some() && counting;
    // A page by score takes, of the matches counted after the pass, only those that can beat
    // its worst hit: the others are just marked, which is all `visit` would do for them once
    // no fee, box or distance is left to measure (the radius is measured by the walks).
    let marks_only = plan.sort == Sort::Relevance
        && plan.fee_max.is_none()
        && plan.bbox.is_none()
        && (area_exact || plan.center.is_none());
    // The text's matches in the area, in rank order.
    let visit_matches = |matches: Vec<(u32, DocId, f32)>| {
        let words = matches.chunk_by(|a, b| a.0 / 64 == b.0 / 64).count();
        if defer_possible && matches.len() >= 6 * words {
            *passing.borrow_mut() = Some(bits_filters(cols.alive_bits(reader)));
            *deferred.borrow_mut() = Some(Marks::new(max_doc as usize));
        }
        for (position, doc, score) in matches {
            if marks_only && let Some(marks) = deferred.borrow_mut().as_mut() {
                let heap = heap_cell.borrow();
                let below = window == 0
                    || (heap.len() >= window
                        && heap
                            .peek()
                            .is_some_and(|worst| score.total_cmp(&worst.0.score).is_lt()));
                if below {
                    marks.mark(position);
                    continue;
                }
            }
            let _ = visit(doc, position, score, Count::All);
        }
    };
    if nearest_done || listing_done || radius_walk {
        // The page and the total are known.
    } else if let Some(kept) = kept {
        // Kept text matches, already in rank order: those of the area.
        let order = cols.in_rank_order(reader);
        let all = || kept.positions().iter().zip(kept.scores());
        let matches: Vec<(u32, DocId, f32)> = match (&geo_docs, plan.center, plan.radius_km) {
            (Some(docs), _, _) => all()
                .filter(|&(&p, _)| docs.contains(order[p as usize]))
                .map(|(&p, &score)| (p, order[p as usize], score))
                .collect(),
            (None, Some(centre), Some(radius)) => {
                kept_within_reach(cols, reader, centre, radius, kept)
            }
            (None, _, _) => all()
                .map(|(&p, &score)| (p, order[p as usize], score))
                .collect(),
        };
        visit_matches(matches);
    } else {
        match (geo_docs.map(BitSetDocSet::from), scorer.as_mut()) {
            (Some(mut docs), Some(scorer)) => {
                // Text and area: the matches, then visited in rank order (see below).
                let rank = cols.rank(reader);
                let mut matches: Vec<(u32, DocId, f32)> = Vec::new();
                // Each side leaps to the other's next document (an area's documents and a
                // word's are each a fraction of the segment).
                let mut doc = docs.doc();
                while doc != TERMINATED {
                    let next = if scorer.doc() < doc {
                        scorer.seek(doc)
                    } else {
                        scorer.doc()
                    };
                    if next == TERMINATED {
                        break;
                    }
                    if next == doc {
                        matches.push((rank[doc as usize], doc, scorer.score()));
                        doc = docs.advance();
                    } else {
                        doc = docs.seek(next);
                    }
                }
                matches.sort_unstable_by_key(|&(position, _, _)| position);
                visit_matches(matches);
            }
            (Some(docs), None) => {
                // Visit in rank (spatial) order: the rows and points of the area are then read
                // front to back instead of at random.
                let order = cols.in_rank_order(reader);
                for position in cols.spatially(reader, docs) {
                    let _ = visit(order[position as usize], position, 0.0, Count::All);
                }
            }
            (None, Some(scorer)) => {
                let rank = cols.rank(reader);
                let mut matches: Vec<(u32, DocId, f32)> = Vec::new();
                let mut doc = scorer.doc();
                while doc != TERMINATED {
                    matches.push((rank[doc as usize], doc, scorer.score()));
                    doc = scorer.advance();
                }
                matches.sort_unstable_by_key(|&(position, _, _)| position);
                visit_matches(matches);
            }
            // Nothing to find and nothing to count: every live document matches.
            (None, None) if window == 0 && unconstrained && plan.groups.is_empty() => {
                total.set(u64::from(reader.num_docs()));
            }
            // Everything by name: walk the segment's name order until the page is full.
            (None, None) if unconstrained && plan.groups.is_empty() && plan.sort == Sort::Name => {
                let mut taken = 0;
                let rank = cols.rank(reader);
                for &doc in cols.by_name(reader) {
                    if taken >= window {
                        break;
                    }
                    if visit(doc, rank[doc as usize], 0.0, Count::All) {
                        taken += 1;
                    }
                }
                total.set(u64::from(reader.num_docs()));
            }
            // Every document, in rank order: the rows and points are laid out that way.
            (None, None) => {
                for (position, &doc) in cols.in_rank_order(reader).iter().enumerate() {
                    let _ = visit(doc, position as u32, 0.0, Count::All);
                }
            }
        }
    }
    if let Some(mut marks) = deferred.take() {
        let (mask, words) = marks.words();
        let alive = cols.alive_bits(reader);
        let filters = Filters {
            alive: alive.as_deref(),
            flag_mask,
            groups: &group_values,
        };
        let bits = cols.rank_bits(reader);
        let passing = bits.count_passing(
            mask,
            words,
            filters,
            selection_of(bits),
            &mut flat.borrow_mut(),
        );
        total.set(total.get() + passing);
    }
    let total = total.get();
    let heap = heap_cell.into_inner();
    let flat = flat.into_inner();
    for (facet, counts) in plan.facets.iter().zip(counts.iter_mut()) {
        let slot = slot(*facet, plan.verified);
        if count_index[slot].is_some() {
            *counts = flat[base[slot]..base[slot + 1]].to_vec();
        }
    }

    // Hits, best first.
    let mut hits: Vec<SegmentHit> = heap.into_iter().map(|w| w.0).collect();
    hits.sort_by(SegmentHit::cmp_in_segment);

    Ok(SegmentResult {
        total,
        hits,
        facets: counts,
    })
}

/// The documents that may lie within `radius` of the centre or reach it by home visits (every
/// document with a location within the radius, and those [`home_visitors`] finds).
fn within_reach(
    cols: &SegmentColumns,
    reader: &SegmentReader,
    (lat, lon): (f64, f64),
    radius: f64,
) -> BitSet {
    let centre = Centre::new(lat, lon);
    let spatial = cols.spatial(reader);
    let points = cols.points(reader);
    let order = cols.in_rank_order(reader);
    let mut bits = BitSet::with_max_value(reader.max_doc().max(1));
    let within_radius = within_of(&centre, points, radius);
    within(
        &whole_segment(spatial),
        &centre,
        radius,
        radius,
        None,
        &mut |node| {
            let (lo, hi) = node.ranges[0];
            if node.inside {
                // Every location of the node is within the radius.
                for &doc in &order[lo as usize..hi as usize] {
                    bits.insert(doc);
                }
                for i in node.ranges[1].0..node.ranges[1].1 {
                    bits.insert(order[spatial.extra_position[i as usize] as usize]);
                }
                return;
            }
            for position in lo..hi {
                if within_radius(points.at(position).start) {
                    bits.insert(order[position as usize]);
                }
            }
            let (lo, hi) = node.ranges[1];
            for i in lo..hi {
                if within_radius(spatial.extra_point[i as usize] as usize) {
                    bits.insert(order[spatial.extra_position[i as usize] as usize]);
                }
            }
        },
    );
    home_visitors(cols, reader, &centre, radius, &mut |position| {
        bits.insert(order[position as usize]);
    });
    bits
}

/// Whether the point at an index of `points` lies within `radius` of the centre.
fn within_of<'a>(
    centre: &'a Centre,
    points: &'a Points,
    radius: f64,
) -> impl Fn(usize) -> bool + 'a {
    let radius = Threshold::new(radius);
    move |p| {
        !centre.beyond(centre.chord2(points.xyz[p]), radius, || {
            (points.lat[p], points.lon[p])
        })
    }
}

/// The kept text matches that may lie within `radius` of the centre or reach it by home visits,
/// in rank order, each once: what [`within_reach`] and the scorer would find together, from the
/// matches in the range of each node the walk reaches rather than from every document there.
fn kept_within_reach(
    cols: &SegmentColumns,
    reader: &SegmentReader,
    (lat, lon): (f64, f64),
    radius: f64,
    kept: &TextMatches,
) -> Vec<(u32, DocId, f32)> {
    let centre = Centre::new(lat, lon);
    let spatial = cols.spatial(reader);
    let points = cols.points(reader);
    let order = cols.in_rank_order(reader);
    let within_radius = within_of(&centre, points, radius);
    let bits = kept.bits();
    // The matches found, by rank position: a document found more than once is marked once, and
    // they come out in rank order.
    let mut found = Marks::new(order.len());
    within(
        &whole_segment(spatial),
        &centre,
        radius,
        radius,
        None,
        &mut |node| {
            // Documents by their first location (the node's range of rank positions, a word
            // of matches at a time), then by their other locations.
            let (lo, hi) = node.ranges[0];
            if lo < hi {
                let words = lo as usize / 64..=(hi as usize - 1) / 64;
                for (w, &word) in words.clone().zip(&bits[words]) {
                    let first = (w * 64).max(lo as usize) - w * 64;
                    let end = ((w + 1) * 64).min(hi as usize) - w * 64;
                    let in_range = (u64::MAX >> (64 - (end - first))) << first;
                    let mut matched = word & in_range;
                    if !node.inside {
                        let mut each = matched;
                        while each != 0 {
                            let bit = each.trailing_zeros();
                            let position = (w * 64) as u32 + bit;
                            if !within_radius(points.at(position).start) {
                                matched &= !(1 << bit);
                            }
                            each &= each - 1;
                        }
                    }
                    found.mark_word(w, matched);
                }
            }
            let (lo, hi) = node.ranges[1];
            for i in lo as usize..hi as usize {
                let position = spatial.extra_position[i];
                if kept.contains(position)
                    && (node.inside || within_radius(spatial.extra_point[i] as usize))
                {
                    found.mark(position);
                }
            }
        },
    );
    home_visitors(cols, reader, &centre, radius, &mut |position| {
        if kept.contains(position) {
            found.mark(position);
        }
    });
    let (words, touched) = found.words();
    let mut out = Vec::with_capacity(
        touched
            .iter()
            .map(|&w| words[w].count_ones() as usize)
            .sum(),
    );
    for &w in touched {
        let mut word = words[w];
        while word != 0 {
            let position = (w * 64) as u32 + word.trailing_zeros();
            out.push((position, order[position as usize], kept.score(position)));
            word &= word - 1;
        }
    }
    out
}

/// The rank positions of the documents that reach the centre only by their home visits: every
/// location of theirs beyond `radius`, one within their home-visit distance. Each is found once;
/// the walk over the radius finds every other document within it.
///
/// Only the classes of distances beyond the radius are walked, each as far as its bound (see
/// [`crate::spatial::HomeAreas`]).
fn home_visitors(
    cols: &SegmentColumns,
    reader: &SegmentReader,
    centre: &Centre,
    radius: f64,
    found: &mut dyn FnMut(u32),
) {
    let points = cols.points(reader);
    let radius_t = Threshold::new(radius);
    let beyond = |p: usize, chord2: f64, t: Threshold| {
        centre.beyond(chord2, t, || (points.lat[p], points.lon[p]))
    };
    // Documents with several locations: one of their locations may lie within the radius, and
    // several may reach the centre. Gathered, then found once each.
    let mut several: Vec<u32> = Vec::new();
    let areas = cols.home_areas(reader);
    for class in areas.classes.iter().filter(|c| c.km > radius) {
        let source = [Source {
            z: class.z.all(),
            ids: None,
            base: 0,
            kind: Kind::Extra,
        }];
        // Nodes wholly within the class's bound are taken whole (no node is dense enough to be
        // split for its own sake: `u32::MAX`), the others split down to small ones; a node
        // wholly inside the radius holds nothing to find.
        within(
            &source,
            centre,
            radius,
            class.km,
            Some(u32::MAX),
            &mut |node| {
                if node.inside {
                    return;
                }
                let (lo, hi) = node.ranges[0];
                for e in &class.entries[lo as usize..hi as usize] {
                    if e.home.km <= radius || node.near > e.home.km {
                        continue;
                    }
                    let point = e.point as usize;
                    let chord2 = centre.chord2(e.xyz);
                    // Beyond its home visits, or within the radius (the walk over it found it).
                    if beyond(point, chord2, e.home) || !beyond(point, chord2, radius_t) {
                        continue;
                    }
                    if e.others {
                        several.push(e.position);
                    } else {
                        found(e.position);
                    }
                }
            },
        );
    }
    several.sort_unstable();
    several.dedup();
    for position in several {
        let within_radius = |p: usize| !beyond(p, centre.chord2(points.xyz[p]), radius_t);
        if !points.at(position).any(within_radius) {
            found(position);
        }
    }
}

/// Every location of the segment: first locations by rank position, then the others.
fn whole_segment(spatial: &Spatial) -> [Source<'_>; 2] {
    [
        Source {
            z: spatial.z.all(),
            ids: None,
            base: 0,
            kind: Kind::First,
        },
        Source {
            z: spatial.extra_z.all(),
            ids: Some(&spatial.extra_point),
            base: 0,
            kind: Kind::Extra,
        },
    ]
}

/// The union of the documents in the given geo cells, or `None` when there are too many cells
/// to be worth it (the caller then scans every document).
fn cells_docset(reader: &SegmentReader, fields: &Fields, cells: &[u64]) -> Result<Option<BitSet>> {
    if cells.len() > MAX_CELL_TERMS {
        return Ok(None);
    }
    let inverted = reader.inverted_index(fields.geo_cell)?;
    let mut bits = BitSet::with_max_value(reader.max_doc().max(1));
    for &cell in cells {
        let term = Term::from_field_u64(fields.geo_cell, cell);
        if let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
            let mut doc = postings.doc();
            while doc != TERMINATED {
                bits.insert(doc);
                doc = postings.advance();
            }
        }
    }
    Ok(Some(bits))
}

/// Live documents with any of a facet filter's values, from the postings.
fn filter_count(
    reader: &SegmentReader,
    fields: &Fields,
    plan: &Plan,
    group: &crate::plan::Group,
) -> Result<u64> {
    Ok(filter_bits(reader, fields, plan, group)?.len() as u64)
}

/// Live documents with any of a facet filter's values, from the postings.
fn filter_bits(
    reader: &SegmentReader,
    fields: &Fields,
    plan: &Plan,
    group: &crate::plan::Group,
) -> Result<BitSet> {
    let field = facet_field(fields, group.facet, plan.verified);
    let inverted = reader.inverted_index(field)?;
    let mut bits = BitSet::with_max_value(reader.max_doc().max(1));
    for value in &group.values {
        let term = Term::from_field_text(field, value);
        if let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if !reader.is_deleted(doc) {
                    bits.insert(doc);
                }
                doc = postings.advance();
            }
        }
    }
    Ok(bits)
}

/// The cursor position in one segment's ordinals.
struct SegmentCursor {
    sort: Sort,
    number: f64,
    /// Name sort: ordinals below are before the cursor; equal to `exact` ties.
    name: OrdBound,
    id: OrdBound,
}

#[derive(Debug, Clone, Copy)]
enum OrdBound {
    /// The key is in the dictionary at this ordinal.
    Exact(u64),
    /// The key is not in the dictionary; this is the first ordinal after it.
    Next(u64),
}

impl OrdBound {
    fn of(column: Option<&StrColumn>, key: &str) -> Result<OrdBound> {
        Ok(match column {
            None => OrdBound::Next(u64::MAX),
            Some(c) => match c.dictionary().term_ord_or_next(key)? {
                TermOrdHit::Exact(o) => OrdBound::Exact(o),
                TermOrdHit::Next(o) => OrdBound::Next(o),
            },
        })
    }

    /// How an ordinal compares with the key.
    fn cmp(self, ord: u64) -> Ordering {
        match self {
            OrdBound::Exact(o) => ord.cmp(&o),
            OrdBound::Next(o) if ord >= o => Ordering::Greater,
            OrdBound::Next(_) => Ordering::Less,
        }
    }
}

impl SegmentCursor {
    fn new(
        key: &CursorKey,
        id_column: Option<&StrColumn>,
        name_column: Option<&StrColumn>,
    ) -> Result<SegmentCursor> {
        let (number, name) = match &key.key {
            Primary::Number(n) => (*n, OrdBound::Next(0)),
            Primary::Text(t) => (0.0, OrdBound::of(name_column, t)?),
        };
        Ok(SegmentCursor {
            sort: key.sort,
            number,
            name,
            id: OrdBound::of(id_column, &key.id)?,
        })
    }

    /// Whether the hit comes strictly after the cursor in sort order.
    fn is_after(&self, hit: &SegmentHit) -> bool {
        let primary = match self.sort {
            Sort::Relevance => self.number.total_cmp(&f64::from(hit.score)),
            Sort::Distance => dist(hit).total_cmp(&self.number),
            Sort::Name => self.name.cmp(hit.name_ord),
        };
        match primary {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => self.id.cmp(hit.id_ord) == Ordering::Greater,
        }
    }
}
