//! Ingest throughput over generated practitioners.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use stillpoint_config::Config;
use stillpoint_demo::{FeedFormat, GenerateOptions};
use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::PractitionerIndex;
use stillpoint_ingest::{FetchLimits, IngestOptions, Input};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Practitioners to generate and ingest.
    #[arg(long, default_value_t = 1_000_000)]
    count: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Index writer memory budget in MiB.
    #[arg(long, default_value_t = 1024)]
    writer_memory_mb: usize,
    /// Keep the feed and index here instead of a temporary directory.
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let config = Config::load(None, std::iter::empty())?;
    let vocabulary = Arc::new(config.load_vocabulary()?);
    let temp = tempfile::tempdir()?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;

    let started = Instant::now();
    let gazetteer = Gazetteer::embedded();
    let gazetteer_load = started.elapsed();

    let feed = dir.join("feed.jsonl");
    let started = Instant::now();
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&feed)?);
    let options = GenerateOptions {
        count: args.count,
        seed: args.seed,
        association: "upledger".into(),
        format: FeedFormat::Jsonl,
    };
    stillpoint_demo::generate(&vocabulary, gazetteer.cities(), &options, &mut out)?;
    out.flush()?;
    let generate = started.elapsed();
    let feed_bytes = std::fs::metadata(&feed)?.len();

    let state = dir.join("state");
    let index = PractitionerIndex::open_or_create(&state)?;
    let limits = FetchLimits::new(Duration::from_secs(60), u64::MAX);
    let input = Input::open(feed.to_str().expect("utf-8 path"), limits)?;
    let mut options = IngestOptions::new("upledger");
    options.writer_memory_bytes = args.writer_memory_mb << 20;
    let started = Instant::now();
    let report = stillpoint_ingest::ingest(&index, vocabulary, input, &options, &mut |_| {})?;
    let ingest = started.elapsed();
    let index_bytes: u64 = std::fs::read_dir(state.join("tantivy"))?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();

    let report = serde_json::json!({
        "bench": "ingest",
        "count": args.count,
        "threads": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "gazetteer_load_ms": gazetteer_load.as_secs_f64() * 1e3,
        "generate_seconds": generate.as_secs_f64(),
        "feed_bytes": feed_bytes,
        "ingest_seconds": ingest.as_secs_f64(),
        "records_per_second": args.count as f64 / ingest.as_secs_f64(),
        "accepted": report.accepted,
        "rejected": report.rejected,
        "warnings": report.warnings.len(),
        "index_bytes": index_bytes,
        "target": "1,000,000 practitioners in under 30 s",
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
