//! The merge of the segments' best hits into one order.
//!
//! Within a segment, hits are ordered by segment-local ordinals; across segments only the
//! strings compare (names for the name sort, ids for ties). Both come from per-segment copies of
//! the column dictionaries (see [`NameCache`] and [`SegmentColumns::id_str`]), and the merge is a
//! k-way merge that looks strings up only for the heads it compares.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use stillpoint_index::tantivy::Searcher;
use stillpoint_index::tantivy::columnar::StrColumn;
use stillpoint_index::tantivy::index::SegmentId;

use crate::collect::SegmentHit;
use crate::columns::{SegmentColumns, Strings};
use crate::cursor::{CursorKey, Primary};
use crate::error::Result;
use crate::request::Sort;

/// One segment's best hits, in order, with the columns that name them.
pub(crate) struct SegmentHits {
    pub segment: u32,
    pub hits: Vec<SegmentHit>,
    /// The segment's columns, for its ids.
    pub columns: Arc<SegmentColumns>,
    /// The segment's sort names, when sorting by name.
    pub names: Option<Arc<Strings>>,
}

/// A hit of the merged order.
pub(crate) struct MergedHit {
    pub segment: u32,
    pub hit: SegmentHit,
}

/// The sort names of every segment seen, keyed by segment, read on its first search by name.
#[derive(Default)]
pub(crate) struct NameCache {
    segments: Mutex<HashMap<SegmentId, Arc<Strings>>>,
}

impl NameCache {
    pub fn get(&self, segment: SegmentId, column: &StrColumn) -> Result<Arc<Strings>> {
        if let Some(names) = self.lock().get(&segment) {
            return Ok(names.clone());
        }
        // Read outside the lock: searches of segments already read need not wait for it.
        let names = Arc::new(Strings::read(column)?);
        Ok(self.lock().entry(segment).or_insert(names).clone())
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<Strings>>> {
        // A panic while holding the lock cannot leave the map inconsistent: take it anyway.
        self.segments.lock().unwrap_or_else(|e| e.into_inner())
    }
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

    fn name(&self) -> &str {
        match (&self.hits.names, self.head()) {
            (Some(names), Some(hit)) => names.get(hit.name_ord),
            _ => "",
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
                Sort::Name => Primary::Text(list.name().to_string()),
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
        Sort::Name => a.name().cmp(b.name()),
    };
    if primary != Ordering::Equal {
        return Ok(primary);
    }
    Ok(a.id()?.cmp(b.id()?))
}
