//! `stillpoint serve`: the HTTP API over the index, until SIGTERM or Ctrl-C.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context as _;
use stillpoint_auth::Authenticator;
use stillpoint_fetch::Fetcher;
use stillpoint_index::PractitionerIndex;
use stillpoint_server::{AppState, Publishing};

use super::ingest::open_publisher;
use crate::cli::ServeArgs;
use crate::context::{self, Context};

/// Rejections and warnings listed in a publication's answer (and its stored report); the others
/// are counted.
const LISTED_PROBLEMS: usize = 1_000;

pub fn run(context: &Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    if args.check_config {
        // Loading the context already parsed and validated the file, the environment and the
        // vocabulary; reaching here means they are fine, once the feeds name known bodies and
        // their URLs pass the fetch guard.
        context::feeds(&context.config, &context.vocabulary)?;
        let policy = context::fetch_policy(&context.config);
        for feed in &context.config.feeds {
            policy
                .check_url(&feed.url)
                .with_context(|| format!("feeds: {}", feed.association))?;
        }
        println!(
            "configuration is valid (server.listen = {}, index.dir = {}, {} pulled feeds)",
            args.listen.unwrap_or(context.config.server.listen),
            context.state_dir().display(),
            context.config.feeds.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    serve(context, args.listen.unwrap_or(context.config.server.listen))?;
    Ok(ExitCode::SUCCESS)
}

/// Opens the index (creating an empty one: a directory may be filled by publications alone)
/// and serves it on `listen` until a shutdown signal; prints the URL once bound.
pub fn serve(context: &Context, listen: SocketAddr) -> anyhow::Result<()> {
    let index = context.open_or_create_index()?;
    // Opening the publisher applies any publication a crash left stored but uncommitted, so it
    // comes before the engine's first view of the index.
    let publishing = publishing(context, &index)?;
    let settings = context.config.server.clone();
    let engine = context
        .engine(&index)?
        .with_record_cache(settings.record_cache_mb << 20)
        .with_match_cache(settings.match_cache_mb << 20);
    let state = AppState::new(engine, index, settings.clone())?.with_publishing(publishing);
    // The fetcher's blocking HTTP client must not be dropped on the async runtime: this handle
    // outlives the runtime, so the last reference goes here, after it.
    let _keep = state.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Searches run on their own threads (see `AppState::blocking`); the blocking pool
        // takes the reload poller, publications, pulls and file reads.
        .max_blocking_threads(16)
        .thread_name("stillpoint-http")
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let address = listener.local_addr()?;
        // Scripts and tests read this line to find a port chosen by the system.
        println!("Stillpoint is listening on http://{address}/ (Ctrl-C to stop)");
        std::io::stdout().flush().ok();
        tracing::info!(%address, "listening");
        stillpoint_server::run(listener, state, stillpoint_server::shutdown_signal())
            .await
            .context("serving HTTP")
    })?;
    println!("Stillpoint stopped");
    Ok(())
}

/// The publishing side of the server: the publisher over the state directory, the tokens, the
/// fetcher and the feeds it pulls.
fn publishing(context: &Context, index: &PractitionerIndex) -> anyhow::Result<Publishing> {
    let state_dir = context.state_dir();
    let publisher = open_publisher(context, index.clone(), LISTED_PROBLEMS)?;
    let auth = Authenticator::open(&state_dir)
        .with_context(|| format!("reading the tokens in {}", state_dir.display()))?;
    let fetcher = Fetcher::new(context::fetch_policy(&context.config))?;
    let feeds = context::feeds(&context.config, &context.vocabulary)?;
    Ok(Publishing::new(
        publisher,
        auth,
        fetcher,
        feeds,
        context.config.publishing.clone(),
    ))
}
