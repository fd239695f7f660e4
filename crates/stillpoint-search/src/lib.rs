//! The search core: full-text, faceted, geo-filtered search over the practitioner index. It is
//! synchronous (no async runtime, no HTTP): the CLI calls it directly and the server calls it
//! off its runtime. One [`SearchRequest`] in, one [`SearchResponse`] out, the same JSON for the
//! CLI's `--json` and the HTTP API. `docs/search.md` describes the request, the matching rules
//! and the response.
//!
//! ```no_run
//! use std::sync::{Arc, Mutex};
//! use stillpoint_search::{SearchEngine, SearchRequest, Limits, Distance};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let index = stillpoint_index::PractitionerIndex::open("index".as_ref())?;
//! let vocabulary = Arc::new(stillpoint_model::Vocabulary::from_toml_str(
//!     &std::fs::read_to_string("config/vocabulary.toml")?,
//! )?);
//! let gazetteer = stillpoint_gazetteer::Gazetteer::embedded();
//! let engine = SearchEngine::new(&index, vocabulary, gazetteer, Limits::default())?;
//! let response = engine.search(&SearchRequest {
//!     q: Some("migraine".into()),
//!     near: Some("Boulder, CO".into()),
//!     radius: Some(Distance::km(30.0)),
//!     ..SearchRequest::default()
//! })?;
//! println!("{} practitioners", response.total);
//! # Ok(()) }
//! ```

mod bits;
mod blocks;
mod collect;
mod columns;
mod cursor;
mod error;
pub mod geo;
mod json;
mod matches;
mod merge;
mod plan;
mod records;
mod render;
pub mod request;
pub mod response;
mod spatial;
mod suggest;
mod terms;
mod text;
mod union;
mod values;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::tantivy::query::{EnableScoring, Query};
use stillpoint_index::tantivy::tokenizer::TextAnalyzer;
use stillpoint_index::tantivy::{DocAddress, IndexReader};
use stillpoint_index::{Fields, PractitionerIndex, TEXT_TOKENIZER};
use stillpoint_model::Vocabulary;

pub use error::{InvalidParam, Result, SearchError};
pub use request::{BoundingBox, Distance, Facet, Filters, Flags, Limits, SearchRequest, Sort};
pub use response::SearchResponse;
pub use suggest::{DEFAULT_SUGGESTIONS, Suggestion, Suggestions};

use collect::{Text, collect_segment};
use columns::{ColumnCache, slot};
pub use matches::{DEFAULT_MATCH_CACHE_BYTES, MatchCacheStats};
use matches::{MatchCache, TextMatches};
use merge::{MergedHit, SegmentHits, merge};
use plan::Context;
use records::RecordCache;
pub use records::{DEFAULT_RECORD_CACHE_BYTES, RecordCacheStats};
use terms::TermsCache;
use text::{PhraseTable, TokenMatches};
use values::ValueCache;

/// Searches one index. Cheap to share between threads (`&self` everywhere); call
/// [`SearchEngine::reload`] to see commits made since it was opened.
pub struct SearchEngine {
    reader: IndexReader,
    fields: Fields,
    vocabulary: Arc<Vocabulary>,
    gazetteer: &'static Gazetteer,
    phrases: PhraseTable,
    analyzers: Analyzers,
    limits: Limits,
    columns: ColumnCache,
    /// The text fields' terms over the current segments, for typo and prefix matching.
    terms: TermsCache,
    /// The facet values over the current segments, for merging their counts.
    values: ValueCache,
    /// Parsed stored records of recent hits.
    records: RecordCache,
    /// The matches of repeated text queries.
    matches: MatchCache,
}

impl std::fmt::Debug for SearchEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchEngine")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl SearchEngine {
    pub fn new(
        index: &PractitionerIndex,
        vocabulary: Arc<Vocabulary>,
        gazetteer: &'static Gazetteer,
        limits: Limits,
    ) -> Result<SearchEngine> {
        let analyzer = index
            .tantivy()
            .tokenizers()
            .get(TEXT_TOKENIZER)
            .expect("the index registers its text tokenizer");
        Ok(SearchEngine {
            reader: index.reader()?,
            fields: *index.fields(),
            phrases: PhraseTable::new(&vocabulary),
            vocabulary,
            gazetteer,
            analyzers: Analyzers::new(analyzer),
            limits,
            columns: ColumnCache::default(),
            terms: TermsCache::default(),
            values: ValueCache::default(),
            records: RecordCache::new(DEFAULT_RECORD_CACHE_BYTES),
            matches: MatchCache::new(DEFAULT_MATCH_CACHE_BYTES),
        })
    }

    /// Keeps up to about `bytes` of parsed stored records (the records of recent hits) instead
    /// of [`DEFAULT_RECORD_CACHE_BYTES`]; 0 keeps none, so every hit reads its record.
    pub fn with_record_cache(mut self, bytes: u64) -> SearchEngine {
        self.records = RecordCache::new(bytes);
        self
    }

    /// Keeps up to about `bytes` of repeated text queries' matches instead of
    /// [`DEFAULT_MATCH_CACHE_BYTES`]; 0 keeps none, so every text search runs its scorer.
    pub fn with_match_cache(mut self, bytes: u64) -> SearchEngine {
        self.matches = MatchCache::new(bytes);
        self
    }

    /// The text matches kept (see [`SearchEngine::with_match_cache`]).
    pub fn match_cache_stats(&self) -> MatchCacheStats {
        self.matches.stats()
    }

    /// The parsed records kept (see [`SearchEngine::with_record_cache`]).
    pub fn record_cache_stats(&self) -> RecordCacheStats {
        self.records.stats()
    }

    /// Makes the last commit visible to the following searches. Searches already running keep
    /// the view they started with.
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        self.columns.retain(&searcher);
        self.matches
            .retain_view(searcher.generation().generation_id());
        Ok(())
    }

    /// Which view of the index searches see: another number whenever a reload changes it. A
    /// response made from the index alone (the values it holds) may be kept until then.
    pub fn view(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    /// Builds each segment's in-memory structures (facet rows, points, quadtree, bit sets,
    /// counts) now rather than on the first searches that need them, which would otherwise
    /// wait for them: a server calls this when it starts and after each reload.
    pub fn warm(&self) -> Result<()> {
        let searcher = self.reader.searcher();
        for reader in searcher.segment_readers() {
            self.columns.get(&self.fields, reader)?.warm(reader)?;
        }
        Ok(())
    }

    /// Number of practitioners visible to searches.
    pub fn num_practitioners(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// Runs one search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        let started = Instant::now();
        let mut analyzer = self.analyzers.take();
        let plan =
            plan::plan(request, &self.context(), &mut analyzer).map_err(SearchError::Invalid)?;
        let searcher = self.reader.searcher();

        let query = match &plan.text {
            Some(text) if !text.clauses.is_empty() => {
                let terms = self.terms.get(&self.fields, &searcher)?;
                text.to_query(&self.fields, &terms)
            }
            _ => None,
        };
        let make_weight = |q: &dyn Query| q.weight(EnableScoring::enabled_from_searcher(&searcher));
        // A repeated query's matches are kept per segment; its weight is then made only for a
        // segment whose matches are not kept yet.
        let kept = match &plan.text {
            Some(text) if query.is_some() => self
                .matches
                .kept(searcher.generation().generation_id(), &text.clauses),
            _ => None,
        };
        let mut weight = match &query {
            Some(q) if kept.is_none() => Some(make_weight(q.as_ref())?),
            _ => None,
        };
        // One more than the page, to know whether a next page exists.
        let window = if plan.limit == 0 {
            0
        } else {
            plan.offset + plan.limit + 1
        };

        let readers = searcher.segment_readers();
        let columns = readers
            .iter()
            .map(|reader| self.columns.get(&self.fields, reader))
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<_> = readers.iter().map(|r| r.segment_id()).collect();
        let values = self.values.get(&ids);
        let facet_values = plan
            .facets
            .iter()
            .map(|facet| {
                values.column(
                    slot(*facet, plan.verified),
                    *facet,
                    &columns,
                    &self.vocabulary,
                    self.gazetteer,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        // Per requested facet, the count of each value id.
        let mut counts: Vec<Vec<u64>> = facet_values
            .iter()
            .map(|v| vec![0; v.values.len()])
            .collect();

        let mut total = 0;
        let mut segments = Vec::new();
        // Sorted by distance, the distances of the hits found so far: once `window` of them
        // are known, a later segment's hit beyond the last cannot enter the page.
        let mut found: Vec<f64> = Vec::new();
        for (segment_ord, (reader, columns)) in readers.iter().zip(columns).enumerate() {
            let matches = match (&kept, &query) {
                (Some(kept), Some(q)) => Some(kept.get(reader.segment_id(), || {
                    let weight = match &mut weight {
                        Some(w) => w,
                        None => weight.insert(make_weight(q.as_ref())?),
                    };
                    let mut scorer = weight.scorer(reader, 1.0)?;
                    Ok::<_, SearchError>(TextMatches::collect(
                        scorer.as_mut(),
                        columns.rank(reader),
                    ))
                })?),
                _ => None,
            };
            let text = match (&matches, &weight) {
                (Some(m), _) => Some(Text::Kept(m)),
                (None, Some(w)) => Some(Text::Scorer(w.as_ref())),
                (None, None) => None,
            };
            let result = collect_segment(
                &plan,
                &self.fields,
                reader,
                &columns,
                text,
                window,
                (plan.sort == Sort::Distance && window > 0 && found.len() >= window)
                    .then(|| found[window - 1]),
            )?;
            if plan.sort == Sort::Distance {
                found.extend(result.hits.iter().map(|h| h.distance_or_infinity()));
                found.sort_unstable_by(f64::total_cmp);
                found.truncate(window);
            }
            total += result.total;
            for ((counts, ords), values) in counts.iter_mut().zip(&result.facets).zip(&facet_values)
            {
                for (&count, &id) in ords.iter().zip(&values.ids[segment_ord]) {
                    counts[id as usize] += u64::from(count);
                }
            }
            segments.push(SegmentHits {
                segment: segment_ord as u32,
                hits: result.hits,
                columns,
            });
        }
        // The page's last hit names the cursor when a hit follows it.
        let last = (plan.offset + plan.limit).checked_sub(1);
        let (merged, cursor) = merge(segments, plan.sort, window, last)?;
        let has_more = merged.len() > plan.offset + plan.limit;
        let next_cursor = cursor.filter(|_| has_more).map(|c| c.encode());
        let page: Vec<MergedHit> = merged
            .into_iter()
            .skip(plan.offset)
            .take(plan.limit)
            .collect();

        let mut rendered = Vec::with_capacity(page.len());
        // Which words of the page's texts match, remembered from hit to hit.
        let mut matches = plan
            .text
            .as_ref()
            .map(|text| TokenMatches::new(&text.highlight));
        for merged in &page {
            let address = DocAddress::new(merged.segment, merged.hit.doc);
            let record = self
                .records
                .get(&searcher, &self.fields, &self.vocabulary, address)?;
            let highlights = matches.as_mut().map(|m| (m, &mut *analyzer));
            rendered.push(render::hit(&record, &plan, merged.hit.score, highlights));
        }

        let facets = plan
            .facets
            .iter()
            .zip(counts)
            .zip(facet_values)
            .map(|((facet, counts), values)| {
                render::facet_counts(
                    *facet,
                    &counts,
                    values,
                    &plan,
                    &self.vocabulary,
                    self.gazetteer,
                )
            })
            .collect();

        Ok(SearchResponse {
            total,
            took_ms: started.elapsed().as_secs_f64() * 1e3,
            center: plan.center_info.clone(),
            sort: plan.sort.name(),
            offset: plan.offset,
            limit: plan.limit,
            hits: rendered,
            next_cursor,
            facets,
            advisories: plan.advisories.clone(),
        })
    }

    /// Every invalid parameter of a request, without running it (empty when it is valid).
    pub fn validate(&self, request: &SearchRequest) -> Vec<InvalidParam> {
        let mut analyzer = self.analyzers.take();
        plan::plan(request, &self.context(), &mut analyzer)
            .err()
            .unwrap_or_default()
    }

    /// What validating a request needs.
    fn context(&self) -> Context<'_> {
        Context {
            vocabulary: &self.vocabulary,
            gazetteer: self.gazetteer,
            phrases: &self.phrases,
            limits: &self.limits,
        }
    }

    /// The label of a facet value ("tmj" -> "TMJ and jaw pain").
    pub fn facet_label(&self, facet: Facet, value: &str) -> String {
        render::label(facet, value, &self.vocabulary, self.gazetteer)
    }
}

/// Text analyzers kept from one search to the next. Each remembers the words it has stemmed
/// (see `stillpoint_index::stem`), and highlighting a page of bios meets the same few thousand
/// words every time: a fresh analyzer per search stemmed them all again (two thirds of the
/// highlighting).
struct Analyzers {
    template: TextAnalyzer,
    idle: Mutex<Vec<TextAnalyzer>>,
}

/// Analyzers kept idle at most (about one per concurrent search).
const IDLE_ANALYZERS: usize = 8;

impl Analyzers {
    fn new(template: TextAnalyzer) -> Analyzers {
        Analyzers {
            template,
            idle: Mutex::default(),
        }
    }

    /// An analyzer for one search, given back when dropped.
    fn take(&self) -> PooledAnalyzer<'_> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        PooledAnalyzer {
            analyzer: Some(idle.unwrap_or_else(|| self.template.clone())),
            pool: self,
        }
    }
}

struct PooledAnalyzer<'a> {
    analyzer: Option<TextAnalyzer>,
    pool: &'a Analyzers,
}

impl std::ops::Deref for PooledAnalyzer<'_> {
    type Target = TextAnalyzer;
    fn deref(&self) -> &TextAnalyzer {
        self.analyzer.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for PooledAnalyzer<'_> {
    fn deref_mut(&mut self) -> &mut TextAnalyzer {
        self.analyzer.as_mut().expect("held until dropped")
    }
}

impl Drop for PooledAnalyzer<'_> {
    fn drop(&mut self) {
        let mut idle = self.pool.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < IDLE_ANALYZERS
            && let Some(analyzer) = self.analyzer.take()
        {
            idle.push(analyzer);
        }
    }
}
