//! Prometheus metrics through the `metrics` facade: one recorder per process, a middleware that
//! counts and times every request by route template and status, and gauges of the index and of
//! the search engine's record cache.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use stillpoint_search::{MatchCacheStats, RecordCacheStats};

/// Latency buckets in seconds: searches take milliseconds, so the low end is fine-grained.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder, once per process. When another recorder is already
/// installed (an embedding program chose its own), `/metrics` stays empty rather than failing.
pub fn install() {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
            .ok()?;
        match builder.install_recorder() {
            Ok(handle) => Some(handle),
            Err(err) => {
                tracing::warn!(error = %err, "metrics recorder not installed");
                None
            }
        }
    });
}

/// The current metrics in the Prometheus text format.
pub fn render() -> String {
    HANDLE
        .get()
        .and_then(Option::as_ref)
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// Drains the histograms' pending samples; called periodically.
pub fn upkeep() {
    if let Some(handle) = HANDLE.get().and_then(Option::as_ref) {
        handle.run_upkeep();
    }
}

/// Records the index being served.
pub fn index_gauges(documents: u64, generation: u64) {
    metrics::gauge!("stillpoint_index_documents").set(documents as f64);
    metrics::gauge!("stillpoint_index_generation").set(generation as f64);
}

/// Records what the search engine's record cache holds and how often it served a page's hits.
pub fn record_cache_gauges(stats: RecordCacheStats) {
    metrics::gauge!("stillpoint_record_cache_records").set(stats.records as f64);
    metrics::gauge!("stillpoint_record_cache_bytes").set(stats.bytes as f64);
    metrics::counter!("stillpoint_record_cache_hits_total").absolute(stats.hits);
    metrics::counter!("stillpoint_record_cache_misses_total").absolute(stats.misses);
}

/// Records what the search engine keeps of repeated text queries and how often it served them.
pub fn match_cache_gauges(stats: MatchCacheStats) {
    metrics::gauge!("stillpoint_match_cache_entries").set(stats.entries as f64);
    metrics::gauge!("stillpoint_match_cache_bytes").set(stats.bytes as f64);
    metrics::counter!("stillpoint_match_cache_hits_total").absolute(stats.hits);
    metrics::counter!("stillpoint_match_cache_misses_total").absolute(stats.misses);
}

/// Counts and times every request under its route template (`/v1/practitioners/{id}`, never
/// the raw path, so ids do not explode the label space).
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("stillpoint_http_requests_total", &labels).increment(1);
    metrics::histogram!("stillpoint_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
