//! What every handler shares: the search engine, the index it reads, and the bound on searches
//! running at once on the blocking pool.

use std::sync::Arc;
use std::time::{Duration, Instant};

use stillpoint_config::ServerSection;
use stillpoint_index::PractitionerIndex;
use stillpoint_search::SearchEngine;
use tokio::sync::Semaphore;

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
    searches: Arc<Semaphore>,
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
    ) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                engine: Arc::new(engine),
                index,
                searches: Arc::new(Semaphore::new(settings.max_concurrent_searches)),
                queue: Duration::from_millis(settings.search_queue_ms),
                settings,
                publishing: None,
            }),
        }
    }

    /// The same state, taking publications through `publishing`.
    pub fn with_publishing(self, publishing: Publishing) -> AppState {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner {
            engine: shared.engine.clone(),
            index: shared.index.clone(),
            searches: shared.searches.clone(),
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

    /// Runs `work` on the blocking pool once one of the search slots is free. A request that
    /// waits longer than `search_queue_ms` for a slot is answered 503 with `Retry-After`: the
    /// search core is CPU-bound, and queueing more work than the cores can do only adds latency.
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
        let task = tokio::task::spawn_blocking(move || {
            // The slot is held until the work ends, even when the client has gone: the bound
            // is on work the CPU does, not on requests waiting.
            let _permit = permit;
            let started = Instant::now();
            // The whole of the work: a search's rendering of its body included (see
            // `routes::search`).
            let result = work(&engine);
            metrics::histogram!("stillpoint_search_duration_seconds", "operation" => name)
                .record(started.elapsed().as_secs_f64());
            result
        });
        task.await.map_err(|e| Problem::internal(&e))?
    }
}
