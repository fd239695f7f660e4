//! What every handler shares: the search engine, the index it reads, the threads that run
//! searches and the bound on searches admitted at once.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;

use stillpoint_config::ServerSection;
use stillpoint_index::PractitionerIndex;
use stillpoint_search::SearchEngine;
use tokio::sync::Semaphore;

use crate::ServerError;
use crate::problem::Problem;
use crate::publishing::Publishing;

/// Cheap to clone: one `Arc`.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    engine: Arc<SearchEngine>,
    index: PractitionerIndex,
    /// Searches admitted: running on `threads` or queued for one.
    searches: Arc<Semaphore>,
    /// The threads that run searches, one per core by default (see [`AppState::blocking`]).
    threads: Arc<rayon::ThreadPool>,
    /// `GET /v1/vocabulary`'s body, and the engine's view it was made from.
    vocabulary: Arc<Mutex<Option<(u64, Bytes)>>>,
    queue: Duration,
    settings: ServerSection,
    /// The publishing routes' share; `None` on a server that takes no publications.
    publishing: Option<Arc<Publishing>>,
}

impl AppState {
    pub fn new(
        engine: SearchEngine,
        index: PractitionerIndex,
        settings: ServerSection,
    ) -> Result<AppState, ServerError> {
        let threads = rayon::ThreadPoolBuilder::new()
            .num_threads(settings.search_threads)
            .thread_name(|i| format!("stillpoint-search-{i}"))
            .build()?;
        Ok(AppState {
            inner: Arc::new(Inner {
                engine: Arc::new(engine),
                index,
                searches: Arc::new(Semaphore::new(settings.max_concurrent_searches)),
                threads: Arc::new(threads),
                vocabulary: Arc::default(),
                queue: Duration::from_millis(settings.search_queue_ms),
                settings,
                publishing: None,
            }),
        })
    }

    /// The same state, taking publications through `publishing`.
    pub fn with_publishing(self, publishing: Publishing) -> AppState {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner {
            engine: shared.engine.clone(),
            index: shared.index.clone(),
            searches: shared.searches.clone(),
            threads: shared.threads.clone(),
            vocabulary: shared.vocabulary.clone(),
            queue: shared.queue,
            settings: shared.settings.clone(),
            publishing: None,
        });
        AppState {
            inner: Arc::new(Inner {
                publishing: Some(Arc::new(publishing)),
                ..inner
            }),
        }
    }

    /// `GET /v1/vocabulary`'s body as last made, with the engine's view it was made from (see
    /// [`stillpoint_search::SearchEngine::view`]).
    pub fn vocabulary_cache(&self) -> &Arc<Mutex<Option<(u64, Bytes)>>> {
        &self.inner.vocabulary
    }

    pub fn publishing(&self) -> Option<&Arc<Publishing>> {
        self.inner.publishing.as_ref()
    }

    pub fn engine(&self) -> &Arc<SearchEngine> {
        &self.inner.engine
    }

    pub fn index(&self) -> &PractitionerIndex {
        &self.inner.index
    }

    pub fn settings(&self) -> &ServerSection {
        &self.inner.settings
    }

    /// Runs `work` on a search thread once the search is admitted. A request that waits longer
    /// than `search_queue_ms` to be admitted is answered 503 with `Retry-After`: the search core
    /// is CPU-bound, and admitting more work than the cores can soon do only adds latency.
    ///
    /// Admitted searches queue for the search threads (`search_threads`, one per core by
    /// default) and run in turn, each on a core of its own. On tokio's blocking pool, with a
    /// thread per admitted search, eight searches took turns on two cores, so each took up to
    /// four times its own time: under the load mix the 99th percentile was twice what it is
    /// with searches queued (`docs/benchmarks.md`), for the same throughput.
    pub async fn blocking<T, F>(&self, name: &'static str, work: F) -> Result<T, Problem>
    where
        T: Send + 'static,
        F: FnOnce(&SearchEngine) -> Result<T, Problem> + Send + 'static,
    {
        let acquire = self.inner.searches.clone().acquire_owned();
        let permit = match tokio::time::timeout(self.inner.queue, acquire).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(closed)) => return Err(Problem::internal(&closed)),
            Err(_) => {
                metrics::counter!("stillpoint_searches_rejected_total").increment(1);
                return Err(Problem::overloaded(
                    "every search slot is busy; retry shortly",
                    1,
                ));
            }
        };
        let engine = self.inner.engine.clone();
        let (done, result) = tokio::sync::oneshot::channel();
        self.inner.threads.spawn(move || {
            // The slot is held until the work ends, even when the client has gone: the bound
            // is on work the CPU does, not on requests waiting.
            let permit = permit;
            let started = Instant::now();
            // The whole of the work: a search's rendering of its body included (see
            // `routes::search`). A panic is this request's 500, not the thread's end.
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(&engine)));
            metrics::histogram!("stillpoint_search_duration_seconds", "operation" => name)
                .record(started.elapsed().as_secs_f64());
            // Free before the answer goes: whoever has the answer may count on the slot.
            drop(permit);
            let _ = done.send(result);
        });
        match result.await {
            Ok(Ok(result)) => result,
            Ok(Err(panic)) => Err(Problem::internal(&format_args!(
                "the search panicked: {}",
                panic_message(&*panic)
            ))),
            Err(gone) => Err(Problem::internal(&gone)),
        }
    }
}

/// What a panic said, for the log (the client sees a plain 500).
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}
