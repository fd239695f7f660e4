//! The HTTP layer of Stillpoint: parses requests, calls the search core off the async runtime
//! (on the blocking pool, bounded by a semaphore), renders its answers. It owns no search logic:
//! every route is a thin shell over [`stillpoint_search::SearchEngine`].
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
//! let state = AppState::new(engine, index, config.server.clone());
//! let listener = tokio::net::TcpListener::bind(config.server.listen).await?;
//! stillpoint_server::run(listener, state, stillpoint_server::shutdown_signal()).await?;
//! # Ok(()) }
//! ```

mod formats;
pub mod openapi;
mod params;
pub mod problem;
mod routes;
mod state;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;

pub use state::AppState;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listener failed.
    #[error("serving HTTP: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;

/// The router: every route, the fallback, and the layers every request passes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/search", get(routes::search::search))
        .route("/openapi.json", get(openapi_json))
        .fallback(problem::unknown_route)
        .with_state(state)
        .layer(axum::middleware::map_response(problem::ensure_problem))
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
    serve(listener, app(state), shutdown).await
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
