//! The merge of the segments' best hits into one order.
//!
//! Within a segment, hits are ordered by segment-local ordinals; across segments only the
//! strings compare (names for the name sort, ids for ties). Looking a string up in a column
//! dictionary decompresses a block, so the merge is a k-way merge that resolves strings only
//! for the heads it compares, and ids only when the primary keys tie: at most the page plus one
//! per segment.

use std::cmp::Ordering;
use std::sync::Arc;

use stillpoint_index::tantivy::columnar::StrColumn;

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
    pub name_column: Option<StrColumn>,
}

/// A hit of the merged order.
pub(crate) struct MergedHit {
    pub segment: u32,
    pub hit: SegmentHit,
}

struct List {
    hits: SegmentHits,
    pos: usize,
    /// The head's strings, once looked up.
    id: Option<String>,
    name: Option<String>,
}

impl List {
    fn head(&self) -> Option<&SegmentHit> {
        self.hits.hits.get(self.pos)
    }

    fn id(&mut self) -> Result<&str> {
        if self.id.is_none() {
            let mut s = String::new();
            if let Some(hit) = self.hits.hits.get(self.pos) {
                s.push_str(self.hits.columns.id_str(hit.id_ord)?);
            }
            self.id = Some(s);
        }
        Ok(self.id.as_deref().unwrap_or_default())
    }

    fn name(&mut self) -> Result<&str> {
        if self.name.is_none() {
            let mut s = String::new();
            if let (Some(c), Some(hit)) = (&self.hits.name_column, self.hits.hits.get(self.pos)) {
                c.ord_to_str(hit.name_ord, &mut s)?;
            }
            self.name = Some(s);
        }
        Ok(self.name.as_deref().unwrap_or_default())
    }

    fn advance(&mut self) {
        self.pos += 1;
        self.id = None;
        self.name = None;
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
        .map(|hits| List {
            hits,
            pos: 0,
            id: None,
            name: None,
        })
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
                Some(b) if compare(&mut lists, i, b, sort)? == Ordering::Less => Some(i),
                keep => keep,
            };
        }
        let Some(b) = best else { break };
        if cursor_at == Some(out.len()) {
            let list = &mut lists[b];
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
        list.advance();
    }
    Ok((out, cursor))
}

/// How the head of list `a` compares with the head of list `b`.
fn compare(lists: &mut [List], a: usize, b: usize, sort: Sort) -> Result<Ordering> {
    let (ha, hb) = (
        lists[a].head().expect("head"),
        lists[b].head().expect("head"),
    );
    let primary = match sort {
        Sort::Relevance => hb.score.total_cmp(&ha.score),
        Sort::Distance => ha
            .distance_or_infinity()
            .total_cmp(&hb.distance_or_infinity()),
        Sort::Name => {
            let na = lists[a].name()?.to_string();
            na.as_str().cmp(lists[b].name()?)
        }
    };
    if primary != Ordering::Equal {
        return Ok(primary);
    }
    let ia = lists[a].id()?.to_string();
    Ok(ia.as_str().cmp(lists[b].id()?))
}
