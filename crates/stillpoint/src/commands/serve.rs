//! `stillpoint serve`: the HTTP API over the index, until SIGTERM or Ctrl-C.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context as _;
use stillpoint_server::AppState;

use crate::cli::ServeArgs;
use crate::context::Context;

pub fn run(context: &Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    if args.check_config {
        // Loading the context already parsed and validated the file, the environment and the
        // vocabulary; reaching here means they are fine.
        println!(
            "configuration is valid (server.listen = {}, index.dir = {})",
            args.listen.unwrap_or(context.config.server.listen),
            context.state_dir().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    serve(context, args.listen.unwrap_or(context.config.server.listen))?;
    Ok(ExitCode::SUCCESS)
}

/// Opens the index and serves it on `listen` until a shutdown signal; prints the URL once bound.
pub fn serve(context: &Context, listen: SocketAddr) -> anyhow::Result<()> {
    let index = context.open_index()?;
    let settings = context.config.server.clone();
    let engine = context.engine(&index)?;
    let state = AppState::new(engine, index, settings.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Searches run on the blocking pool, bounded by max_concurrent_searches; a few more
        // threads for the reload poller and file reads.
        .max_blocking_threads(settings.max_concurrent_searches + 4)
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
