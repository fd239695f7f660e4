//! Per-segment structures over the quadtree of [`crate::spatial`], built on first use:
//!
//! - [`ValueLists`]: each facet value's locations by Z-order code, so that a nearest-first
//!   search with a filter walks only the documents holding the value;
//! - [`Blocks`]: the facet counts of every dense quadtree node (one holding at least
//!   [`Blocks::min`] documents by first location), so that a radius search adds the counts of a
//!   node wholly inside the circle at once instead of counting its documents one by one.

use crate::columns::{Multi, untag};
use crate::spatial::{Kind, NO_POINT, SampledCodes, Source, Spatial};

/// Each value of one facet slot with the locations of the documents holding it.
pub(crate) struct ValueLists {
    /// Per ordinal, the range of its first locations in `first_*`.
    first_offsets: Vec<u32>,
    first_z: SampledCodes,
    /// Rank positions, in rank order.
    first_positions: Vec<u32>,
    /// Per ordinal, the range of its other locations in `extra_*`.
    extra_offsets: Vec<u32>,
    extra_z: SampledCodes,
    extra_points: Vec<u32>,
}

impl ValueLists {
    pub fn build(slot: usize, terms: usize, rows: &Multi, spatial: &Spatial) -> ValueLists {
        let positions = rows.offsets.len().saturating_sub(1);
        let mut first: Vec<(u32, u32)> = Vec::new();
        for position in 0..positions {
            if spatial.z[position] >= NO_POINT {
                // Documents without a location come last in rank order.
                break;
            }
            for &tagged in rows.of(position as u64) {
                let (s, ord) = untag(tagged);
                if s == slot {
                    first.push((ord, position as u32));
                }
            }
        }
        let mut extra: Vec<(u32, u32, u32)> = Vec::new();
        for (&z, &point) in spatial.extra_z.iter().zip(&spatial.extra_point) {
            let position = spatial.point_position[point as usize];
            for &tagged in rows.of(u64::from(position)) {
                let (s, ord) = untag(tagged);
                if s == slot {
                    extra.push((ord, z, point));
                }
            }
        }
        // Stable sorts by ordinal keep each value's entries in code order.
        first.sort_by_key(|&(ord, _)| ord);
        extra.sort_by_key(|&(ord, _, _)| ord);
        let offsets = |ords: &mut dyn Iterator<Item = u32>| {
            let mut offsets = vec![0u32; terms + 1];
            for ord in ords {
                offsets[ord as usize + 1] += 1;
            }
            for i in 0..terms {
                offsets[i + 1] += offsets[i];
            }
            offsets
        };
        ValueLists {
            first_offsets: offsets(&mut first.iter().map(|e| e.0)),
            first_z: SampledCodes::new(first.iter().map(|&(_, p)| spatial.z[p as usize]).collect()),
            first_positions: first.iter().map(|e| e.1).collect(),
            extra_offsets: offsets(&mut extra.iter().map(|e| e.0)),
            extra_z: SampledCodes::new(extra.iter().map(|e| e.1).collect()),
            extra_points: extra.iter().map(|e| e.2).collect(),
        }
    }

    /// The two sources (first locations, other locations) of one value.
    pub fn sources(&self, ord: u32) -> [Source<'_>; 2] {
        let o = ord as usize;
        let (a, b) = (
            self.first_offsets[o] as usize,
            self.first_offsets[o + 1] as usize,
        );
        let (c, d) = (
            self.extra_offsets[o] as usize,
            self.extra_offsets[o + 1] as usize,
        );
        [
            Source {
                z: self.first_z.range(a..b),
                ids: Some(&self.first_positions[a..b]),
                base: 0,
                kind: Kind::First,
            },
            Source {
                z: self.extra_z.range(c..d),
                ids: Some(&self.extra_points[c..d]),
                base: 0,
                kind: Kind::Extra,
            },
        ]
    }
}

/// Facet counts of the dense nodes of one level.
#[derive(Default)]
struct Level {
    /// Morton prefixes of the level's dense nodes, ascending.
    prefixes: Vec<u32>,
    /// Live documents per node.
    live: Vec<u32>,
    /// Per node, its range in `tags`/`counts`.
    offsets: Vec<u32>,
    /// Tagged facet ordinals (see [`crate::columns::tag`]) and their counts.
    tags: Vec<u32>,
    counts: Vec<u32>,
}

/// The counts of one node: its live documents, and (tagged ordinal, count) pairs.
pub(crate) struct NodeCounts<'a> {
    pub live: u32,
    pub tags: &'a [u32],
    pub counts: &'a [u32],
}

/// Facet counts per dense quadtree node, over the live documents whose first location lies in
/// the node (and, when built so, that hold some flags: see [`crate::columns::SegmentColumns::blocks`]).
pub(crate) struct Blocks {
    /// Nodes with at least this many documents (live or not) have counts.
    pub min: u32,
    levels: Vec<Level>,
}

impl Blocks {
    /// `z` per rank position, `rows` per rank position, the number of ordinals per slot, and
    /// whether the document at a position is live. Dense means at least 1/1,024 of the segment
    /// (between 4 and 128 documents): at most 1,024 nodes per level, each with at most as many
    /// counts as the facets have values.
    pub fn build(z: &[u32], rows: &Multi, terms: &[usize], live: &dyn Fn(u32) -> bool) -> Blocks {
        let located = z.partition_point(|&v| v < NO_POINT);
        let min = (z.len() as u32 / 1_024).clamp(4, 128);
        // A dense accumulator over every (slot, ordinal).
        let mut base = Vec::with_capacity(terms.len());
        let mut size = 0usize;
        for &t in terms {
            base.push(size);
            size += t;
        }
        let mut tag_of = vec![0u32; size];
        for (slot, &t) in terms.iter().enumerate() {
            for ord in 0..t {
                tag_of[base[slot] + ord] = crate::columns::tag(slot, ord as u32);
            }
        }
        let mut acc = vec![0u32; size];
        let mut touched: Vec<u32> = Vec::new();
        let add_rows = |acc: &mut Vec<u32>, touched: &mut Vec<u32>, from: usize, to: usize| {
            let mut live_docs = 0;
            for position in from..to {
                if !live(position as u32) {
                    continue;
                }
                live_docs += 1;
                for &tagged in rows.of(position as u64) {
                    let (slot, ord) = untag(tagged);
                    let i = base[slot] + ord as usize;
                    if acc[i] == 0 {
                        touched.push(i as u32);
                    }
                    acc[i] += 1;
                }
            }
            live_docs
        };

        let mut levels: Vec<Level> = Vec::new();
        for k in 0..=crate::spatial::TOP {
            let mut level = Level::default();
            level.offsets.push(0);
            let below = levels.last();
            let mut below_at = 0usize;
            let mut start = 0usize;
            while start < located {
                let prefix = z[start] >> (2 * k);
                let end = start + z[start..located].partition_point(|&v| v >> (2 * k) == prefix);
                if (end - start) as u32 >= min {
                    let mut live_docs = 0u32;
                    if let Some(below) = below {
                        // Children with counts of their own add those; the others their rows.
                        let mut at = start;
                        while at < end {
                            let child = z[at] >> (2 * (k - 1));
                            let child_end =
                                at + z[at..end].partition_point(|&v| v >> (2 * (k - 1)) == child);
                            while below_at < below.prefixes.len()
                                && below.prefixes[below_at] < child
                            {
                                below_at += 1;
                            }
                            if below.prefixes.get(below_at) == Some(&child) {
                                let (a, b) = (
                                    below.offsets[below_at] as usize,
                                    below.offsets[below_at + 1] as usize,
                                );
                                for j in a..b {
                                    let tagged = below.tags[j];
                                    let (slot, ord) = untag(tagged);
                                    let i = base[slot] + ord as usize;
                                    if acc[i] == 0 {
                                        touched.push(i as u32);
                                    }
                                    acc[i] += below.counts[j];
                                }
                                live_docs += below.live[below_at];
                            } else {
                                live_docs += add_rows(&mut acc, &mut touched, at, child_end);
                            }
                            at = child_end;
                        }
                    } else {
                        live_docs += add_rows(&mut acc, &mut touched, start, end);
                    }
                    touched.sort_unstable();
                    for &i in &touched {
                        level.tags.push(tag_of[i as usize]);
                        level.counts.push(acc[i as usize]);
                        acc[i as usize] = 0;
                    }
                    touched.clear();
                    level.prefixes.push(prefix);
                    level.live.push(live_docs);
                    level.offsets.push(level.tags.len() as u32);
                }
                start = end;
            }
            levels.push(level);
        }
        Blocks { min, levels }
    }

    /// The counts of the node at level `k` with Morton prefix `prefix`, when it is dense.
    pub fn node(&self, k: u32, prefix: u32) -> Option<NodeCounts<'_>> {
        let level = self.levels.get(k as usize)?;
        let i = level.prefixes.binary_search(&prefix).ok()?;
        let (a, b) = (level.offsets[i] as usize, level.offsets[i + 1] as usize);
        Some(NodeCounts {
            live: level.live[i],
            tags: &level.tags[a..b],
            counts: &level.counts[a..b],
        })
    }
}
