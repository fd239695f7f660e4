//! Hot reload: a commit made by another process (`stillpoint ingest`) becomes visible without a
//! restart. A background task reads the index's generation every `reload_interval_ms` and
//! reloads the engine when it changed; searches already running keep the view they started
//! with, so none fails during the change.

use std::time::Duration;

use crate::limits::Limiter;
use crate::state::AppState;

/// Polls until the runtime shuts down. Also does the periodic housekeeping of metrics and of
/// the rate limiter.
pub async fn poll(state: AppState, limiter: Limiter) {
    let period = Duration::from_millis(state.settings().reload_interval_ms);
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut served: Option<u64> = None;
    let mut ticks: u64 = 0;
    loop {
        ticker.tick().await;
        ticks += 1;
        let checked = state.clone();
        let known = served;
        let result = tokio::task::spawn_blocking(move || check(&checked, known)).await;
        match result {
            Ok(Ok(generation)) => served = Some(generation),
            Ok(Err(err)) => {
                // Transient while a writer swaps files; the next tick tries again.
                tracing::warn!(error = %err, "index reload failed");
            }
            Err(err) => tracing::error!(error = %err, "index reload task failed"),
        }
        crate::metrics::upkeep();
        if ticks.is_multiple_of(240) {
            limiter.forget_idle();
        }
    }
}

/// Reloads when the generation differs from `known`; returns the generation now served.
fn check(
    state: &AppState,
    known: Option<u64>,
) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    crate::metrics::record_cache_gauges(state.engine().record_cache_stats());
    crate::metrics::match_cache_gauges(state.engine().match_cache_stats());
    let generation = state.index().generation()?;
    if known == Some(generation) {
        return Ok(generation);
    }
    // Also on the first tick: a commit may have landed between opening the engine and now.
    state.engine().reload()?;
    // New segments' structures are built here rather than by the first searches to meet them.
    state.engine().warm()?;
    let documents = state.engine().num_practitioners();
    crate::metrics::index_gauges(documents, generation);
    if known.is_some() {
        tracing::info!(generation, documents, "index reloaded");
    }
    Ok(generation)
}
