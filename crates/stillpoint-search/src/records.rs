//! Stored practitioners, read once and kept ready to render while pages keep showing them.
//!
//! Rendering a page reads each hit's stored record: a lookup in the segment's store, a block
//! decompressed, the JSON parsed, the profile built (labels from the vocabulary). For a page of
//! twenty that was a third of the server's CPU on the load mix, and the same practitioners come
//! back page after page (those of a city, the first page of the listing). A record is keyed by
//! its segment and document: a segment never changes once written, so an entry is never stale,
//! and entries of segments merged away or deleted are evicted like any other.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use stillpoint_index::tantivy::index::SegmentId;
use stillpoint_index::tantivy::schema::Value;
use stillpoint_index::tantivy::{DocAddress, DocId, Searcher, TantivyDocument};
use stillpoint_index::{Fields, practitioner_from_stored};
use stillpoint_model::Vocabulary;

use crate::error::Result;
use crate::json::RecordJson;
use crate::render;
use crate::response::{Profile, PublicLocation};

/// The default memory for parsed records: a directory of some 64,000 practitioners fits whole.
pub const DEFAULT_RECORD_CACHE_BYTES: u64 = 256 << 20;

/// Bytes a parsed record takes beyond its stored JSON (the structs, the vectors' and strings'
/// headers, the allocator's rounding). Measured with the mix bench on the 1M bench index: 42,700
/// cached records (1.1 KB of JSON each on average) grew the process by 126 MB, some 3 KB each.
/// A record is also charged for its rendered JSON ([`RecordJson::len`], about 0.9 KB more).
const RECORD_OVERHEAD_BYTES: u64 = 2048;

type Key = (SegmentId, DocId);

/// A stored record as hits show it, and the memory it is charged for.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) profile: Arc<Profile>,
    /// For highlights.
    pub(crate) bio: Option<String>,
    /// Privacy applied, no distance: a search adds those (see [`crate::render::hit`]).
    pub(crate) locations: Box<[PublicLocation]>,
    /// The profile's and the locations' JSON, copied into every page that shows them.
    pub(crate) json: RecordJson,
    bytes: u64,
}

#[derive(Debug, Clone)]
struct RecordWeight;

impl Weighter<Key, Arc<Record>> for RecordWeight {
    fn weight(&self, _: &Key, record: &Arc<Record>) -> u64 {
        record.bytes
    }
}

/// Parsed stored records, bounded by an estimate of their memory.
pub(crate) struct RecordCache {
    cache: Option<Cache<Key, Arc<Record>, RecordWeight>>,
    /// Records asked for, and those read from the index (for the hit ratio).
    lookups: AtomicU64,
    reads: AtomicU64,
}

impl std::fmt::Debug for RecordCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordCache")
            .field("records", &self.cache.as_ref().map_or(0, Cache::len))
            .field("bytes", &self.cache.as_ref().map_or(0, Cache::weight))
            .finish()
    }
}

impl RecordCache {
    /// A cache holding up to about `bytes` of parsed records; 0 keeps none.
    pub(crate) fn new(bytes: u64) -> RecordCache {
        let cache = (bytes > 0).then(|| {
            let records = usize::try_from(bytes / (RECORD_OVERHEAD_BYTES + 1024)).unwrap_or(1);
            Cache::with_weighter(records.max(1), bytes, RecordWeight)
        });
        RecordCache {
            cache,
            lookups: AtomicU64::new(0),
            reads: AtomicU64::new(0),
        }
    }

    /// The stored practitioner at `address` in `searcher`'s view.
    pub(crate) fn get(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        vocabulary: &Vocabulary,
        address: DocAddress,
    ) -> Result<Arc<Record>> {
        let read = || -> Result<Arc<Record>> {
            self.reads.fetch_add(1, Ordering::Relaxed);
            let doc: TantivyDocument = searcher.doc(address)?;
            let json = doc
                .get_first(fields.record)
                .and_then(|v| v.as_str())
                .map_or(0, str::len);
            let mut practitioner = practitioner_from_stored(fields, &doc)?;
            let bio = practitioner.bio.take();
            let locations: Box<[PublicLocation]> = practitioner
                .locations
                .iter()
                .map(render::public_location)
                .collect();
            let profile = render::profile(practitioner, vocabulary);
            let rendered = RecordJson::new(&profile, &locations);
            Ok(Arc::new(Record {
                bytes: (json + rendered.len()) as u64 + RECORD_OVERHEAD_BYTES,
                profile: Arc::new(profile),
                bio,
                locations,
                json: rendered,
            }))
        };
        let Some(cache) = &self.cache else {
            return read();
        };
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let segment = searcher.segment_reader(address.segment_ord).segment_id();
        cache.get_or_insert_with(&(segment, address.doc_id), read)
    }

    pub(crate) fn stats(&self) -> RecordCacheStats {
        self.cache
            .as_ref()
            .map_or_else(RecordCacheStats::default, |cache| {
                // Reads first: a lookup is counted before its read, so hits never go negative.
                let misses = self.reads.load(Ordering::Relaxed);
                let lookups = self.lookups.load(Ordering::Relaxed);
                RecordCacheStats {
                    records: cache.len() as u64,
                    bytes: cache.weight(),
                    capacity_bytes: cache.capacity(),
                    hits: lookups.saturating_sub(misses),
                    misses,
                }
            })
    }
}

/// What the record cache holds and how often it served a record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordCacheStats {
    pub records: u64,
    /// The records' estimated memory.
    pub bytes: u64,
    pub capacity_bytes: u64,
    /// Records served from the cache since the engine was made.
    pub hits: u64,
    /// Records the cache did not hold, read from the index since the engine was made.
    pub misses: u64,
}
