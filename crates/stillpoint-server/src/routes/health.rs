//! `GET /healthz` (the process answers), `GET /readyz` (the index is open and searchable) and
//! `GET /metrics` (Prometheus text).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use stillpoint_search::SearchRequest;
use utoipa::ToSchema;

use crate::problem::Problem;
use crate::state::AppState;

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    status: &'static str,
}

/// Readiness: what the server is serving.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`.
    status: &'static str,
    /// Practitioners visible to searches.
    practitioners: u64,
    /// The index commit being served (grows with every ingest).
    generation: u64,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

/// The index is open and a search runs.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let index = state.index().clone();
    let result = state
        .blocking("ready", move |engine| {
            let request = SearchRequest {
                limit: 0,
                facets: Some(Vec::new()),
                ..SearchRequest::default()
            };
            let practitioners = engine.search(&request).map_err(Problem::from)?.total;
            let generation = index.generation().map_err(|e| Problem::internal(&e))?;
            Ok(Readiness {
                status: "ready",
                practitioners,
                generation,
            })
        })
        .await;
    match result {
        Ok(ready) => axum::Json(ready).into_response(),
        Err(problem) if problem.status == 503 => problem.into_response(),
        Err(_) => Problem::from_status(StatusCode::SERVICE_UNAVAILABLE).into_response(),
    }
}

/// Prometheus metrics: requests and latency per route and status, search latency, the index's
/// document count and generation.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain")))]
pub async fn metrics() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::metrics::render(),
    )
        .into_response()
}
