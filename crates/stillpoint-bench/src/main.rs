//! `stillpoint-bench`: benchmarks that print a report instead of asserting on time (these
//! machines are noisy). Run in release: `cargo run --release -p stillpoint-bench -- ingest`.

mod ingest;
mod mix;
mod search;

// Ingest allocates many short-lived strings; mimalloc handles that pattern markedly better than
// the system allocator (measured on the ingest benchmark).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(about = "Stillpoint benchmarks (run with --release)")]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// Ingest throughput: generate a feed of N practitioners, then ingest it into a fresh index.
    Ingest(ingest::Args),
    /// Search latency per query class over a generated index (built once, then reused).
    Search(search::Args),
    /// The HTTP load mix (`bench/mix.lua`) run in-process: the search core's and the JSON's
    /// CPU per request of each type.
    Mix(mix::Args),
}

fn main() -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; figures are meaningless without --release");
    }
    match Cli::parse().bench {
        Bench::Ingest(args) => ingest::run(&args),
        Bench::Search(args) => search::run(&args),
        Bench::Mix(args) => mix::run(&args),
    }
}
