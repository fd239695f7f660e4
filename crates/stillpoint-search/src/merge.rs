//! The merge of the segments' best hits into one order.
//!
//! Within a segment, hits are ordered by segment-local ordinals; across segments only the
//! strings compare (names for the name sort, ids for ties). Both come from per-segment copies of
//! the column dictionaries (see [`SegmentColumns::id_str`] and [`SegmentColumns::name_str`]), and the merge is a
//! k-way merge that looks strings up only for the heads it compares.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::collect::SegmentHit;
use crate::columns::SegmentColumns;
use crate::cursor::{CursorKey, Primary};
use crate::error::Result;
use crate::request::Sort;

/// One segment's best hits, in order, with the columns that name them.
pub(crate) struct SegmentHits {
    pub segment: u32,
    pub hits: Vec<SegmentHit>,
    /// The segment's columns, for its ids.
    pub columns: Arc<SegmentColumns>,
}

/// A hit of the merged order.
pub(crate) struct MergedHit {
    pub segment: u32,
    pub hit: SegmentHit,
}

struct List {
    hits: SegmentHits,
    pos: usize,
}

impl List {
    fn head(&self) -> Option<&SegmentHit> {
        self.hits.hits.get(self.pos)
    }

    fn id(&self) -> Result<&str> {
        match self.head() {
            Some(hit) => self.hits.columns.id_str(hit.id_ord),
            None => Ok(""),
        }
    }

    fn name(&self) -> Result<&str> {
        match self.head() {
            Some(hit) => self.hits.columns.name_str(hit.name_ord),
            None => Ok(""),
        }
    }
}

/// The first `take` hits of all segments in sort order, and the cursor key of the hit at
/// `cursor_at` (when there is one).
pub(crate) fn merge(
    segments: Vec<SegmentHits>,
    sort: Sort,
    take: usize,
    cursor_at: Option<usize>,
) -> Result<(Vec<MergedHit>, Option<CursorKey>)> {
    let mut lists: Vec<List> = segments
        .into_iter()
        .filter(|s| !s.hits.is_empty())
        .map(|hits| List { hits, pos: 0 })
        .collect();
    let mut out = Vec::with_capacity(take);
    let mut cursor = None;
    while out.len() < take {
        let mut best: Option<usize> = None;
        for i in 0..lists.len() {
            if lists[i].head().is_none() {
                continue;
            }
            best = match best {
                None => Some(i),
                Some(b) if compare(&lists[i], &lists[b], sort)? == Ordering::Less => Some(i),
                keep => keep,
            };
        }
        let Some(b) = best else { break };
        if cursor_at == Some(out.len()) {
            let list = &lists[b];
            let hit = list.head().expect("best has a head");
            let key = match sort {
                Sort::Relevance => Primary::Number(f64::from(hit.score)),
                Sort::Distance => Primary::Number(hit.distance_or_infinity()),
                Sort::Name => Primary::Text(list.name()?.to_string()),
            };
            cursor = Some(CursorKey {
                sort,
                key,
                id: list.id()?.to_string(),
            });
        }
        let list = &mut lists[b];
        out.push(MergedHit {
            segment: list.hits.segment,
            hit: list.hits.hits[list.pos].clone(),
        });
        list.pos += 1;
    }
    Ok((out, cursor))
}

/// How the head of list `a` compares with the head of list `b`.
fn compare(a: &List, b: &List, sort: Sort) -> Result<Ordering> {
    let (ha, hb) = (a.head().expect("head"), b.head().expect("head"));
    let primary = match sort {
        Sort::Relevance => hb.score.total_cmp(&ha.score),
        Sort::Distance => ha
            .distance_or_infinity()
            .total_cmp(&hb.distance_or_infinity()),
        Sort::Name => a.name()?.cmp(b.name()?),
    };
    if primary != Ordering::Equal {
        return Ok(primary);
    }
    Ok(a.id()?.cmp(b.id()?))
}
