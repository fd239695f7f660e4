//! The documents a free-text query matches in a segment, with their scores, kept for the queries
//! people repeat.
//!
//! A text search was mostly the scorer's work: a query word is a union of a term query per text
//! field and of its typo and prefix variants, and every candidate of the area was sought and
//! scored in each part (a quarter of a text search), after the area's documents had been set
//! in a bit set by document id (another tenth). Yet a directory's text queries repeat ("migraine",
//! "baby", "back pain"), and a query's matches and scores in a segment depend on nothing but the
//! view of the index: the segment's postings and the statistics over all segments.
//!
//! So a query asked again keeps, per segment, its matches by rank position (the segment's
//! spatial order, see [`crate::columns::SegmentColumns::rank`]) with their scores. A search
//! within a radius then takes, for each quadtree node the walk reaches, the matches in the
//! node's range of positions, instead of seeking the scorer to every document of the circle.
//!
//! A query seen once is not kept: the first search runs the scorer over the area alone, and
//! keeping its matches would cost a pass over the whole segment (a typed word's every prefix is
//! a query of its own). Nor is a query whose matches in a segment would take more than half the
//! memory: it runs its scorer for the rest of the view, rather than collect a whole segment on
//! every search. Entries name the view they were made in (tantivy's searcher generation), since
//! scores change with the statistics; those of earlier views are dropped on
//! [`MatchCache::retain_view`] and, like any other, when the memory runs out.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::sync::{Cache, GuardResult};
use quick_cache::{OptionsBuilder, Weighter};
use stillpoint_index::tantivy::TERMINATED;
use stillpoint_index::tantivy::index::SegmentId;
use stillpoint_index::tantivy::query::Scorer;

use crate::text::Clause;

/// The default memory for kept matches: a query's matches in a segment of 1,000,000
/// practitioners take 7.8 MiB when it matches all of them, 0.9 MiB when it matches a tenth.
pub const DEFAULT_MATCH_CACHE_BYTES: u64 = 64 << 20;

/// Queries remembered as searched in some view, at most (their clauses only).
const SEEN_QUERIES: usize = 4_096;

/// Bytes an entry takes beyond its matches: the key, the bit set's and vectors' headers.
const ENTRY_OVERHEAD_BYTES: u64 = 256;

/// One query's matches in one segment.
#[derive(Debug)]
pub(crate) struct TextMatches {
    /// Rank positions, ascending.
    positions: Box<[u32]>,
    /// The score of each.
    scores: Box<[f32]>,
    /// The same positions as bits, for asking about one.
    bits: Box<[u64]>,
    /// Per word of `bits`, the matches before it: the index of a position's score.
    before: Box<[u32]>,
}

impl TextMatches {
    /// Every document `scorer` matches, placed by `rank` (document -> rank position).
    pub(crate) fn collect(scorer: &mut dyn Scorer, rank: &[u32]) -> TextMatches {
        let mut matches: Vec<(u32, f32)> = Vec::new();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            matches.push((rank[doc as usize], scorer.score()));
            doc = scorer.advance();
        }
        matches.sort_unstable_by_key(|&(position, _)| position);
        let mut bits = vec![0u64; rank.len().div_ceil(64)];
        for &(position, _) in &matches {
            bits[position as usize / 64] |= 1 << (position % 64);
        }
        let mut before = Vec::with_capacity(bits.len());
        let mut count = 0u32;
        for word in &bits {
            before.push(count);
            count += word.count_ones();
        }
        TextMatches {
            positions: matches.iter().map(|m| m.0).collect(),
            scores: matches.iter().map(|m| m.1).collect(),
            bits: bits.into_boxed_slice(),
            before: before.into_boxed_slice(),
        }
    }

    /// The matches, by rank position.
    pub(crate) fn positions(&self) -> &[u32] {
        &self.positions
    }

    /// The score of each of [`TextMatches::positions`].
    pub(crate) fn scores(&self) -> &[f32] {
        &self.scores
    }

    /// The matches as bits by rank position, 64 to a word.
    pub(crate) fn bits(&self) -> &[u64] {
        &self.bits
    }

    /// Whether the document at `position` matches.
    pub(crate) fn contains(&self, position: u32) -> bool {
        self.bits
            .get(position as usize / 64)
            .is_some_and(|word| word & (1 << (position % 64)) != 0)
    }

    /// The score of the document at `position`, which matches.
    pub(crate) fn score(&self, position: u32) -> f32 {
        debug_assert!(self.contains(position), "{position} is not a match");
        let w = position as usize / 64;
        let below = self.bits[w] & ((1u64 << (position % 64)) - 1);
        self.scores[(self.before[w] + below.count_ones()) as usize]
    }

    fn bytes(&self) -> u64 {
        (self.positions.len() * 8 + self.bits.len() * 12) as u64 + ENTRY_OVERHEAD_BYTES
    }
}

/// (view, segment, the query's clauses).
type Key = (u64, SegmentId, Arc<[Clause]>);

/// What an entry weighs: its matches' memory.
#[derive(Debug, Clone)]
struct MatchWeight;

impl Weighter<Key, Arc<TextMatches>> for MatchWeight {
    fn weight(&self, _: &Key, matches: &Arc<TextMatches>) -> u64 {
        matches.bytes()
    }
}

type Entries = Cache<Key, Arc<TextMatches>, MatchWeight>;

/// What is known of a query in a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    view: u64,
    /// Its matches in some segment would take more than half the memory: never kept.
    too_large: bool,
}

/// The matches of repeated text queries (see the module's documentation).
pub(crate) struct MatchCache {
    cache: Option<Entries>,
    /// The queries searched in some view.
    seen: Cache<Arc<[Clause]>, Seen>,
    /// Segments searched from kept matches, and those whose matches were collected.
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What a [`MatchCache`] holds and how often it served (see
/// [`crate::SearchEngine::match_cache_stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchCacheStats {
    /// Queries' matches kept, one per query and segment.
    pub entries: u64,
    /// Their memory.
    pub bytes: u64,
    /// The memory they may take (`server.match_cache_mb`).
    pub capacity_bytes: u64,
    /// Segments searched from kept matches since the engine was made.
    pub hits: u64,
    /// Segments whose matches were collected over the whole segment (kept, unless too large).
    pub misses: u64,
}

impl std::fmt::Debug for MatchCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatchCache")
            .field("entries", &self.cache.as_ref().map_or(0, Cache::len))
            .field("bytes", &self.cache.as_ref().map_or(0, Cache::weight))
            .finish()
    }
}

/// Whether a search's text query is kept, and its matches in each segment when it is.
pub(crate) struct Kept<'a> {
    cache: &'a Entries,
    owner: &'a MatchCache,
    view: u64,
    clauses: Arc<[Clause]>,
}

impl Kept<'_> {
    /// The query's matches in `segment`; `collect` gathers them (over the whole segment) when
    /// they are not kept yet. Matches taking more than half the memory are used for this search
    /// only, and the query is then no longer kept in this view (its later searches run their
    /// scorer over the area alone, rather than collect the whole segment each time).
    pub(crate) fn get<E>(
        &self,
        segment: SegmentId,
        collect: impl FnOnce() -> Result<TextMatches, E>,
    ) -> Result<Arc<TextMatches>, E> {
        let key = (self.view, segment, self.clauses.clone());
        let guard = match self.cache.get_value_or_guard(&key, None) {
            GuardResult::Value(matches) => {
                self.owner.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(matches);
            }
            GuardResult::Guard(guard) => Some(guard),
            GuardResult::Timeout => None,
        };
        self.owner.misses.fetch_add(1, Ordering::Relaxed);
        let matches = Arc::new(collect()?);
        if matches.bytes() > self.cache.capacity() / 2 {
            let seen = Seen {
                view: self.view,
                too_large: true,
            };
            self.owner.seen.insert(self.clauses.clone(), seen);
        } else if let Some(guard) = guard {
            // (Refused only when the entry outweighs the cache, ruled out above.)
            let _ = guard.insert(matches.clone());
        }
        Ok(matches)
    }
}

impl MatchCache {
    /// A cache holding up to about `bytes` of matches; 0 keeps none.
    pub(crate) fn new(bytes: u64) -> MatchCache {
        // One shard: a search asks it once per segment, and a shard's share of the memory
        // bounds the largest entry (eight shards kept no query matching a whole 1M segment).
        let cache = (bytes > 0).then(|| {
            let options = OptionsBuilder::new()
                .estimated_items_capacity(256)
                .weight_capacity(bytes)
                .shards(1)
                .build()
                .expect("the options are complete");
            Cache::with_options(options, MatchWeight, Default::default(), Default::default())
        });
        MatchCache {
            cache,
            seen: Cache::new(SEEN_QUERIES),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// What it holds, and how often it served.
    pub(crate) fn stats(&self) -> MatchCacheStats {
        self.cache
            .as_ref()
            .map_or_else(MatchCacheStats::default, |cache| MatchCacheStats {
                entries: cache.len() as u64,
                bytes: cache.weight(),
                capacity_bytes: cache.capacity(),
                hits: self.hits.load(Ordering::Relaxed),
                misses: self.misses.load(Ordering::Relaxed),
            })
    }

    /// Whether the text query made of `clauses` is kept in `view`: it is from its second
    /// search in the same view on, unless its matches are too large.
    pub(crate) fn kept(&self, view: u64, clauses: &[Clause]) -> Option<Kept<'_>> {
        let cache = self.cache.as_ref()?;
        let clauses: Arc<[Clause]> = clauses.into();
        match self.seen.get(&clauses) {
            Some(seen) if seen.view == view && !seen.too_large => Some(Kept {
                cache,
                owner: self,
                view,
                clauses,
            }),
            Some(seen) if seen.view == view => None,
            _ => {
                let seen = Seen {
                    view,
                    too_large: false,
                };
                self.seen.insert(clauses, seen);
                None
            }
        }
    }

    /// Drops the matches of views other than `view`: their scores are no longer those a search
    /// computes.
    pub(crate) fn retain_view(&self, view: u64) {
        if let Some(cache) = &self.cache {
            cache.retain(|key, _| key.0 == view);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Word;

    fn clauses(word: &str) -> Vec<Clause> {
        let word = Word {
            folded: word.into(),
            stem: word.into(),
            distance: 0,
            prefix: false,
        };
        vec![Clause {
            words: vec![word],
            targets: Vec::new(),
        }]
    }

    /// Every position of `n` below `matching` matches, scoring its position.
    fn matches(n: u32, matching: u32) -> TextMatches {
        let positions: Vec<u32> = (0..matching).collect();
        let mut bits = vec![0u64; n.div_ceil(64) as usize];
        for &p in &positions {
            bits[p as usize / 64] |= 1 << (p % 64);
        }
        let before = (0..bits.len() as u32)
            .map(|w| (w * 64).min(matching))
            .collect();
        TextMatches {
            scores: positions.iter().map(|&p| p as f32).collect(),
            positions: positions.into_boxed_slice(),
            bits: bits.into_boxed_slice(),
            before,
        }
    }

    /// A query is kept from its second search in a view; matches larger than half the memory
    /// serve their own search only, and the query then runs its scorer for the rest of the view
    /// instead of collecting a whole segment on every search; a new view starts over.
    #[test]
    fn repeated_queries_are_kept_unless_too_large() {
        let cache = MatchCache::new(100_000);
        let segment = SegmentId::generate_random();
        let (small, large) = (clauses("jaw"), clauses("pain"));
        let collect = |n| move || Ok::<_, ()>(matches(64_000, n));

        assert!(cache.kept(1, &small).is_none(), "seen once");
        let kept = cache.kept(1, &small).expect("seen twice");
        assert_eq!(
            kept.get(segment, collect(100)).unwrap().positions().len(),
            100
        );
        let again = kept
            .get(segment, || -> Result<TextMatches, ()> { panic!("kept") })
            .unwrap();
        assert_eq!(again.score(99), 99.0);
        assert!(cache.kept(1, &small).is_some());

        assert!(cache.kept(1, &large).is_none());
        let kept = cache.kept(1, &large).expect("seen twice");
        // 8 bytes a match: 6,250 matches take half the memory.
        assert_eq!(
            kept.get(segment, collect(6_300)).unwrap().positions().len(),
            6_300
        );
        assert!(cache.kept(1, &large).is_none(), "too large: the scorer");
        let stats = cache.stats();
        assert_eq!(
            (stats.entries, stats.hits, stats.misses),
            (1, 1, 2),
            "{stats:?}"
        );

        cache.retain_view(2);
        assert_eq!(cache.stats().entries, 0);
        assert!(cache.kept(2, &large).is_none(), "a new view: seen once");
        assert!(cache.kept(2, &large).is_some());
    }
}
