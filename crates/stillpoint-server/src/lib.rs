//! The HTTP layer of Stillpoint: parses requests, calls the search core off the async runtime
//! (on its own search threads, admission bounded by a semaphore), renders its answers. It owns
//! no search logic: every route is a thin shell over [`stillpoint_search::SearchEngine`].
//!
//! [`app`] builds the router from an [`AppState`]; [`serve`] runs it on a listener the caller
//! bound (tests bind port 0) until a shutdown future completes.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use stillpoint_server::AppState;
//!
//! let config = stillpoint_config::Config::load(None, std::env::vars())?;
//! let index = stillpoint_index::PractitionerIndex::open(&config.index.dir)?;
//! let engine = stillpoint_search::SearchEngine::new(
//!     &index,
//!     Arc::new(config.load_vocabulary()?),
//!     stillpoint_gazetteer::Gazetteer::embedded(),
//!     stillpoint_search::Limits::default(),
//! )?;
//! let state = AppState::new(engine, index, config.server.clone())?;
//! let listener = tokio::net::TcpListener::bind(config.server.listen).await?;
//! stillpoint_server::run(listener, state, stillpoint_server::shutdown_signal()).await?;
//! # Ok(()) }
//! ```

mod formats;
mod limits;
mod metrics;
pub mod openapi;
mod params;
pub mod problem;
mod publishing;
mod reload;
mod routes;
mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::routing::{delete, get, put};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use publishing::Publishing;
pub use state::AppState;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listener failed.
    #[error("serving HTTP: {0}")]
    Io(#[from] std::io::Error),
    /// The search threads could not be started.
    #[error("starting the search threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;

/// The path of every route; the OpenAPI test checks the document lists exactly these.
pub const ROUTES: &[&str] = &[
    "/v1/search",
    "/v1/practitioners/{id}",
    "/v1/facets/{facet}",
    "/v1/suggest",
    "/v1/geocode",
    "/v1/vocabulary",
    "/v1/associations/{id}/members",
    "/v1/associations/{id}/members/{member_id}",
    "/v1/associations/{id}/status",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
];

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The router: every route, the fallback, and the layers every request passes.
pub fn app(state: AppState) -> Router {
    app_with_limiter(state.clone(), limits::Limiter::new(state.settings()))
}

fn app_with_limiter(state: AppState, limiter: limits::Limiter) -> Router {
    metrics::install();
    let settings = state.settings().clone();
    let publication_timeout = state
        .publishing()
        .map_or(600, |p| p.settings.request_timeout_secs);
    let search = Router::new()
        .route("/v1/search", get(routes::search::search))
        .route(
            "/v1/practitioners/{id}",
            get(routes::practitioners::practitioner),
        )
        .route("/v1/facets/{facet}", get(routes::complete::facet_values))
        .route("/v1/suggest", get(routes::complete::suggest))
        .route("/v1/geocode", get(routes::lookup::geocode))
        .route("/v1/vocabulary", get(routes::lookup::vocabulary))
        .route(
            "/v1/associations/{id}/members",
            get(routes::associations::members),
        )
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/metrics", get(routes::health::metrics))
        .route("/openapi.json", get(openapi_json))
        .layer(RequestBodyLimitLayer::new(settings.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(settings.request_timeout_secs),
        ));
    // Publications carry whole member lists: their bodies are bounded by
    // publishing.max_body_bytes while they stream into the store, and they may take longer.
    let publications = Router::new()
        .route(
            "/v1/associations/{id}/members",
            put(routes::associations::replace).post(routes::associations::upsert),
        )
        .route(
            "/v1/associations/{id}/members/{member_id}",
            delete(routes::associations::delete),
        )
        .route(
            "/v1/associations/{id}/status",
            get(routes::associations::status),
        )
        .layer(DefaultBodyLimit::disable())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(publication_timeout),
        ));
    let routes = search
        .merge(publications)
        .fallback(problem::unknown_route)
        .with_state(state);
    // Outermost first: the request id exists before anything logs, and every error response
    // any inner layer makes is turned into a problem.
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    let id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id = %id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::map_response(problem::ensure_problem))
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(cors(&settings.cors_origins))
        .layer(axum::middleware::from_fn_with_state(
            settings.cache_max_age_secs,
            limits::cache_control,
        ))
        .layer(axum::middleware::from_fn_with_state(
            limiter,
            limits::rate_limit,
        ))
        .layer(CatchPanicLayer::new());
    routes.layer(layers)
}

/// CORS for the configured origins (`*`: any); none configured, no CORS headers.
fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    if origins.is_empty() {
        return CorsLayer::new();
    }
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .expose_headers([REQUEST_ID, axum::http::header::RETRY_AFTER])
}

async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(openapi::document())
}

/// Runs the server of `state` on `listener` until `shutdown` completes: the router and the
/// background tasks that go with it.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    // The segments' in-memory structures, built before the first request is accepted (the
    // listener queues connections meanwhile) instead of by the first searches, which would
    // hold the concurrent ones behind them.
    let engine = state.engine().clone();
    match tokio::task::spawn_blocking(move || engine.warm()).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::warn!(error = %err, "warming the index failed"),
        Err(err) => tracing::warn!(error = %err, "warming the index failed"),
    }
    let limiter = limits::Limiter::new(state.settings());
    let router = app_with_limiter(state.clone(), limiter.clone());
    let mut background = vec![tokio::spawn(reload::poll(state.clone(), limiter))];
    if let Some(publishing) = state.publishing() {
        background.extend(publishing::spawn_background(publishing, state.engine()));
    }
    let result = serve(listener, router, shutdown).await;
    for task in &background {
        task.abort();
    }
    if let Some(publishing) = state.publishing() {
        publishing.flush_tokens().await;
    }
    result
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight end.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}
