//! The single pass over one segment that yields, together, the exact total, the best hits in
//! sort order and the disjunctive facet counts.
//!
//! Candidates come from the text query's scorer, from the geo cells covering the search area,
//! or from every document. Each candidate is checked against the exact predicates (distance on
//! the sphere, box, flags, fee) and then against the facet filters: a document failing no facet
//! filter is a hit and counts in every facet; a document failing exactly one facet filter F
//! counts only in F's facet (so F's counts show what ticking another F value would add); a
//! document failing two or more counts nowhere.

use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

use stillpoint_index::Fields;
use stillpoint_index::tantivy::columnar::{Column, StrColumn, TermOrdHit};
use stillpoint_index::tantivy::query::{BitSetDocSet, Scorer, Weight};
use stillpoint_index::tantivy::schema::IndexRecordOption;
use stillpoint_index::tantivy::{BitSet, DocId, DocSet, SegmentReader, TERMINATED, Term};

use crate::columns::{FACET_COLUMNS, SegmentColumns, slot, untag};
use crate::cursor::{CursorKey, Primary};
use crate::error::Result;
use crate::geo::{EARTH_RADIUS_KM, circle_boxes, covering_cells, haversine_km};
use crate::plan::{Flag, Plan};
use crate::request::{Facet, Sort};
use crate::text::facet_field;

/// Above this many cells, scanning every document is cheaper than reading the cells' postings.
const MAX_CELL_TERMS: usize = 4_096;

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
    /// Per requested facet (in plan order), the segment's value strings and counts.
    pub facets: Vec<Vec<(String, u64)>>,
    /// The columns that name the hits (the name only when sorting by name).
    pub id_column: Option<StrColumn>,
    pub name_column: Option<StrColumn>,
}

/// A facet filter's column slot and the ordinals it selects.
struct GroupColumn {
    facet: Facet,
    slot: usize,
    selected: Vec<u32>,
}

pub(crate) fn collect_segment(
    plan: &Plan,
    fields: &Fields,
    reader: &SegmentReader,
    columns: &SegmentColumns,
    weight: Option<&dyn Weight>,
    window: usize,
) -> Result<SegmentResult> {
    let cols: &SegmentColumns = columns;
    let unconstrained = weight.is_none()
        && plan.radius_km.is_none()
        && plan.bbox.is_none()
        && plan.flags.is_empty()
        && plan.fee_max.is_none()
        && !plan.require_verified();

    // Facet filters and the columns to count.
    let mut groups: Vec<GroupColumn> = Vec::with_capacity(plan.groups.len());
    for group in &plan.groups {
        let slot = slot(group.facet, plan.verified);
        let mut selected = Vec::new();
        if let Some(column) = cols.facet(slot) {
            for value in &group.values {
                if let Some(ord) = column.dictionary().term_ord(value)? {
                    selected.push(ord as u32);
                }
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
            counts.push(vec![0; cols.facet(slot).map_or(0, |c| c.num_terms())]);
            count_index[slot] = Some(counts.len() - 1);
            count_columns.push(true);
        }
    }
    // For each group, the position of its facet among the counted facets.
    let group_count_slot: Vec<Option<usize>> = groups
        .iter()
        .map(|g| plan.facets.iter().position(|f| *f == g.facet))
        .collect();

    let flag_columns: Vec<(Column<u64>, u64)> = plan
        .flags
        .iter()
        .map(|&(flag, want)| {
            let column = match flag {
                Flag::Accepting => &cols.accepting,
                Flag::HomeVisits => &cols.home_visits,
                Flag::Wheelchair => &cols.wheelchair,
                Flag::SlidingScale => &cols.sliding_scale,
            };
            (column.clone(), u64::from(want))
        })
        .collect();
    let verified_column = plan.require_verified().then(|| cols.verified.clone());
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

    // Candidate documents from the geo cells.
    let mut geo_docs: Option<BitSet> = None;
    if let (Some((lat, lon)), Some(radius)) = (plan.center, plan.radius_km) {
        // Home-visit areas reach further than the radius: cover the largest one too.
        let reach = home_column
            .as_ref()
            .map_or(0.0, |c| c.max_value())
            .max(radius);
        let cells = covering_cells(&circle_boxes(lat, lon, reach));
        geo_docs = cells_docset(reader, fields, &cells)?;
    } else if let Some(bbox) = plan.bbox {
        let cells = covering_cells(&bbox.split());
        geo_docs = cells_docset(reader, fields, &cells)?;
    }
    // Nearest first without a radius, nothing counted in the pass and at most one facet
    // filter: the total comes from the filter's postings, and the page from growing circles
    // around the centre, instead of visiting every document.
    let nearest_possible = plan.center.is_some()
        && plan.radius_km.is_none()
        && plan.bbox.is_none()
        && weight.is_none()
        && plan.sort == Sort::Distance
        && window > 0
        && plan.cursor.is_none()
        && !count_columns.iter().any(|&c| c)
        && plan.flags.is_empty()
        && plan.fee_max.is_none()
        && !plan.require_verified()
        && plan.groups.len() <= 1;
    // Narrowed further by a selective facet filter, read from its postings, when that facet's
    // counts are not needed from this pass (a document failing only that filter would be missed).
    if weight.is_none() {
        let max_doc = reader.max_doc();
        let mut best: Option<(u64, usize)> = None;
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
            // Nearest-first circles beat reading a filter that is not rare.
            let selective = if nearest_possible { 50 } else { 4 };
            if freq < u64::from(max_doc) / selective && best.is_none_or(|(f, _)| freq < f) {
                best = Some((freq, i));
            }
        }
        if let Some((_, i)) = best {
            let group = &plan.groups[i];
            let field = facet_field(fields, group.facet, plan.verified);
            let inverted = reader.inverted_index(field)?;
            let mut bits = BitSet::with_max_value(max_doc.max(1));
            for value in &group.values {
                let term = Term::from_field_text(field, value);
                if let Some(mut postings) =
                    inverted.read_postings(&term, IndexRecordOption::Basic)?
                {
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        if geo_docs.as_ref().is_none_or(|g| g.contains(doc)) {
                            bits.insert(doc);
                        }
                        doc = postings.advance();
                    }
                }
            }
            geo_docs = Some(bits);
        }
    }
    let geo_docs = geo_docs.map(BitSetDocSet::from);

    let mut scorer: Option<Box<dyn Scorer>> = match weight {
        Some(w) => Some(w.scorer(reader, 1.0)?),
        None => None,
    };

    let alive = reader.alive_bitset();
    let heap_cell: RefCell<BinaryHeap<Worst>> = RefCell::new(BinaryHeap::with_capacity(window + 1));
    let total = Cell::new(0u64);

    // Returns whether the document was offered to the page as a hit.
    let mut visit = |doc: DocId, score: f32| -> bool {
        let mut heap = heap_cell.borrow_mut();
        if alive.is_some_and(|a| a.is_deleted(doc)) {
            return false;
        }
        for (column, want) in &flag_columns {
            if column.first(doc) != Some(*want) {
                return false;
            }
        }
        if let Some(column) = &verified_column
            && column.first(doc) != Some(1)
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
            Some(r) if !groups.is_empty() => r.of(doc),
            _ => &[][..],
        };
        let mut failed: Option<usize> = None;
        for (i, group) in groups.iter().enumerate() {
            let passes = row.iter().any(|&tagged| {
                let (slot, ord) = untag(tagged);
                slot == group.slot && group.selected.binary_search(&ord).is_ok()
            });
            if !passes {
                if failed.is_some() {
                    return false;
                }
                failed = Some(i);
            }
        }

        // Geography. Exact distances only where they can matter: a location whose latitude
        // alone puts it beyond the radius (or home-visit reach) and beyond the page's worst
        // hit is skipped (the great-circle distance is at least R * |delta latitude|).
        let mut distance = None;
        if let Some(points) = points {
            let rows = points.of(doc);
            if let Some(bbox) = &plan.bbox
                && !rows
                    .clone()
                    .any(|r| bbox.contains(points.lat[r], points.lon[r]))
            {
                return false;
            }
            if let Some((clat, clon)) = plan.center {
                let home = match (&home_column, plan.radius_km) {
                    (Some(c), Some(_)) => c.first(doc).unwrap_or(0.0),
                    _ => 0.0,
                };
                let mut need = plan.radius_km.map_or(f64::NEG_INFINITY, |r| r.max(home));
                if plan.sort == Sort::Distance && failed.is_none() && window > 0 {
                    let worst = if heap.len() >= window {
                        heap.peek().map_or(f64::INFINITY, |w| dist(&w.0))
                    } else {
                        f64::INFINITY
                    };
                    need = need.max(worst);
                }
                let reach = need * (1.0 + 1e-9) + 1e-9;
                let mut best = (f64::INFINITY, 0usize);
                for (i, row) in rows.enumerate() {
                    let la = points.lat[row];
                    if (la - clat).abs().to_radians() * EARTH_RADIUS_KM > reach {
                        continue;
                    }
                    let d = haversine_km(clat, clon, la, points.lon[row]);
                    if d < best.0 {
                        best = (d, i);
                    }
                }
                if let Some(radius) = plan.radius_km
                    && best.0 > radius
                    && !(home > 0.0 && best.0 <= home)
                {
                    // Outside the radius, and the centre is beyond its home visits.
                    return false;
                }
                distance = Some(best);
            }
        }

        if groups.is_empty()
            && let Some(r) = rows
        {
            row = r.of(doc);
        }
        if let Some(group) = failed {
            // Counts only in the facet of the one filter it fails.
            let slot = groups[group].slot;
            if let Some(i) = count_index[slot] {
                for &tagged in row {
                    let (s, ord) = untag(tagged);
                    if s == slot {
                        counts[i][ord as usize] += 1;
                    }
                }
            }
            return false;
        }
        total.set(total.get() + 1);
        for &tagged in row {
            let (slot, ord) = untag(tagged);
            if let Some(i) = count_index[slot] {
                counts[i][ord as usize] += 1;
            }
        }
        if window == 0 {
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
            id_ord: id_column
                .as_ref()
                .and_then(|c| c.term_ords(doc).next())
                .unwrap_or(0),
            sort: plan.sort,
        };
        if let Some(cursor) = &cursor
            && !cursor.is_after(&hit)
        {
            return false;
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

    let nearest_done = nearest_possible && geo_docs.is_none() && {
        let (lat, lon) = plan.center.expect("checked");
        // 2.5, 10, 40, 160, 640 and 2,560 km.
        let mut radius = 2.5;
        let mut done = false;
        while radius <= 2_600.0 {
            let cells = covering_cells(&circle_boxes(lat, lon, radius));
            let Some(bits) = cells_docset(reader, fields, &cells)? else {
                break;
            };
            // A circle holding a quarter of the segment is no cheaper than the full pass.
            if bits.len() > reader.max_doc() as usize / 4 {
                break;
            }
            heap_cell.borrow_mut().clear();
            // In rank (spatial) order, as in the full pass below.
            for doc in cols.spatially(reader, BitSetDocSet::from(bits)) {
                let _ = visit(doc, 0.0);
            }
            let heap = heap_cell.borrow();
            // Every document within the radius was seen; if the page's worst hit is within it,
            // nothing unseen can come before it.
            if heap.len() >= window && heap.peek().is_some_and(|w| dist(&w.0) <= radius) {
                done = true;
                break;
            }
            radius *= 4.0;
        }
        if done {
            total.set(match plan.groups.first() {
                None => u64::from(reader.num_docs()),
                // One value: the cached count of live documents holding it.
                Some(group) if group.values.len() == 1 => {
                    let slot = slot(group.facet, plan.verified);
                    match (cols.facet(slot), groups[0].selected.first()) {
                        (Some(_), Some(&ord)) => {
                            u64::from(cols.all_counts(slot, reader)[ord as usize])
                        }
                        _ => 0,
                    }
                }
                Some(group) => filter_count(reader, fields, plan, group)?,
            });
        } else {
            // The full pass below starts over.
            heap_cell.borrow_mut().clear();
            total.set(0);
        }
        done
    };
    if nearest_done {
        // The page and the total are known.
    } else {
        // Nearest-first circles that grew too large (a filter rare around the centre): the
        // filter's postings are fewer than every document.
        let geo_docs = match (geo_docs, plan.groups.first()) {
            (None, Some(group)) if nearest_possible && plan.groups.len() == 1 => Some(
                BitSetDocSet::from(filter_bits(reader, fields, plan, group)?),
            ),
            (docs, _) => docs,
        };
        match (geo_docs, scorer.as_mut()) {
            (Some(mut docs), Some(scorer)) => {
                // Text and area: the matches, then visited in rank order (see below).
                let rank = cols.rank(reader);
                let mut matches: Vec<(u32, DocId, f32)> = Vec::new();
                let mut doc = docs.doc();
                while doc != TERMINATED {
                    if scorer.doc() <= doc && scorer.seek(doc) == doc {
                        matches.push((rank[doc as usize], doc, scorer.score()));
                    }
                    doc = docs.advance();
                }
                matches.sort_unstable_by_key(|&(position, _, _)| position);
                for (_, doc, score) in matches {
                    let _ = visit(doc, score);
                }
            }
            (Some(docs), None) => {
                // Visit in rank (spatial) order: the rows and points of the area are then read
                // front to back instead of at random.
                for doc in cols.spatially(reader, docs) {
                    let _ = visit(doc, 0.0);
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
                for (_, doc, score) in matches {
                    let _ = visit(doc, score);
                }
            }
            // Nothing to find and nothing to count: every live document matches.
            (None, None) if window == 0 && unconstrained && plan.groups.is_empty() => {
                total.set(u64::from(reader.num_docs()));
            }
            // Everything by name: walk the segment's name order until the page is full.
            (None, None) if unconstrained && plan.groups.is_empty() && plan.sort == Sort::Name => {
                let mut taken = 0;
                for &doc in cols.by_name(reader) {
                    if taken >= window {
                        break;
                    }
                    if visit(doc, 0.0) {
                        taken += 1;
                    }
                }
                total.set(u64::from(reader.num_docs()));
            }
            // Every document, in rank order: the rows and points are laid out that way.
            (None, None) => {
                for &doc in cols.in_rank_order(reader) {
                    let _ = visit(doc, 0.0);
                }
            }
        }
    }
    let total = total.get();
    let heap = heap_cell.into_inner();

    // Hits, best first.
    let mut hits: Vec<SegmentHit> = heap.into_iter().map(|w| w.0).collect();
    hits.sort_by(SegmentHit::cmp_in_segment);

    // Facet counts as strings.
    let mut facets = Vec::with_capacity(counts.len());
    for (facet, counts) in plan.facets.iter().zip(&counts) {
        let mut values = Vec::new();
        if let Some(column) = cols.facet(slot(*facet, plan.verified)) {
            let (ords, nonzero): (Vec<u64>, Vec<u32>) = counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(ord, c)| (ord as u64, *c))
                .unzip();
            let mut i = 0;
            column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                values.push((
                    String::from_utf8_lossy(bytes).into_owned(),
                    u64::from(nonzero[i]),
                ));
                i += 1;
            })?;
        }
        facets.push(values);
    }

    Ok(SegmentResult {
        total,
        hits,
        facets,
        id_column,
        name_column,
    })
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
