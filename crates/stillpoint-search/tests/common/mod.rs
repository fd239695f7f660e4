//! Shared fixtures: real indexes in temporary directories, filled through the real ingest path.

#![allow(dead_code)]

use std::io::Cursor;
use std::sync::Arc;

use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::PractitionerIndex;
use stillpoint_ingest::{IngestOptions, Input, ingest};
use stillpoint_model::{FeedRecord, Vocabulary};
use stillpoint_search::{Limits, SearchEngine};

pub fn vocabulary() -> Arc<Vocabulary> {
    Arc::new(Vocabulary::from_toml_str(stillpoint_config::DEFAULT_VOCABULARY).unwrap())
}

/// An index in a temporary directory holding the given feeds, one per association, each
/// committed separately (so the index has several segments).
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub index: PractitionerIndex,
    pub engine: SearchEngine,
}

pub fn fixture(feeds: &[(&str, Vec<FeedRecord>)]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    for (association, records) in feeds {
        add(&index, association, records);
    }
    let engine = engine(&index);
    Fixture { dir, index, engine }
}

/// A search engine over `index` with the default vocabulary, gazetteer and limits (another
/// engine over a fixture's index: one keeping nothing, say, to compare with).
pub fn engine(index: &PractitionerIndex) -> SearchEngine {
    SearchEngine::new(
        index,
        vocabulary(),
        Gazetteer::embedded(),
        Limits::default(),
    )
    .unwrap()
}

/// Ingests records for an association (upsert) and returns the number rejected.
pub fn add(index: &PractitionerIndex, association: &str, records: &[FeedRecord]) -> u64 {
    let feed: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    let mut options = IngestOptions::new(association);
    options.writer_memory_bytes = 32 << 20;
    let report = ingest(
        index,
        vocabulary(),
        Input::from_reader("fixture.jsonl", Cursor::new(feed.into_bytes())),
        &options,
        &mut |_| {},
    )
    .unwrap();
    report.rejected
}
