//! The HTTP load mix (`bench/mix.lua`) run in-process, one thread: what the search core and
//! the JSON rendering cost per request of each type, without HTTP, the runtime and the load
//! generator. It tells how much of the server's CPU per request (see `bench/load.sh`) is the
//! engine's, and it is steady enough to compare two builds on a noisy machine.
//!
//! The requests are drawn like `bench/mix.lua` draws them: the same cities, jitter, radii,
//! filters, words, prefixes and shares.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cpu_time::ThreadTime;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use stillpoint_config::Config;
use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::PractitionerIndex;
use stillpoint_search::{
    DEFAULT_MATCH_CACHE_BYTES, DEFAULT_RECORD_CACHE_BYTES, Distance, Facet, Flags, Limits,
    SearchEngine, SearchRequest,
};

use crate::search::{build_index, ms};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Practitioners in the index.
    #[arg(long, default_value_t = 1_000_000)]
    count: usize,
    /// Requests drawn from the mix (each type gets its share).
    #[arg(long, default_value_t = 4_000)]
    requests: usize,
    /// Where the generated index is kept between runs (shared with the search bench).
    #[arg(long, default_value = "/tmp/stillpoint-bench-index")]
    index: PathBuf,
    /// Only run the types whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Passes over the requests (the first is untimed); more passes, steadier figures.
    #[arg(long, default_value_t = 3)]
    passes: usize,
    /// Memory for parsed stored records, in MiB, as the server's `record_cache_mb`; 0 reads
    /// every hit's record from the index (the cold path).
    #[arg(long, default_value_t = DEFAULT_RECORD_CACHE_BYTES >> 20)]
    record_cache_mb: u64,
    /// Memory for repeated text queries' matches, in MiB, as the server's `match_cache_mb`; 0
    /// runs every text query's scorer.
    #[arg(long, default_value_t = DEFAULT_MATCH_CACHE_BYTES >> 20)]
    match_cache_mb: u64,
}

/// `bench/mix.lua`'s centres: large cities, where the generated practitioners concentrate.
const CITIES: [(f64, f64); 24] = [
    (40.7143, -74.006),
    (34.0522, -118.2437),
    (41.85, -87.65),
    (29.7633, -95.3633),
    (51.5085, -0.1257),
    (53.4809, -2.2374),
    (52.4814, -1.8998),
    (55.8652, -4.2576),
    (40.015, -105.2705),
    (39.7392, -104.9847),
    (47.6062, -122.3321),
    (45.5234, -122.6762),
    (37.7749, -122.4194),
    (42.3584, -71.0598),
    (38.8951, -77.0364),
    (33.749, -84.388),
    (43.7001, -79.4163),
    (49.2497, -123.1193),
    (45.5088, -73.5878),
    (48.8534, 2.3488),
    (52.5244, 13.4105),
    (47.3667, 8.55),
    (-33.8679, 151.2073),
    (-37.814, 144.9633),
];
const SPECIALTIES: [&str; 10] = [
    "infants",
    "tmj",
    "headaches-migraines",
    "concussion-tbi",
    "chronic-pain",
    "neck-back-pain",
    "pregnancy",
    "anxiety-stress",
    "trauma-ptsd",
    "sleep",
];
const PROFESSIONS: [&str; 6] = [
    "massage-therapist",
    "physical-therapist",
    "osteopath",
    "chiropractor",
    "occupational-therapist",
    "nurse",
];
const WORDS: [&str; 7] = [
    "migraine",
    "baby",
    "jaw",
    "concussion",
    "biodynamic",
    "trauma",
    "back pain",
];
const PREFIXES: [&str; 6] = ["mig", "inf", "bou", "lon", "con", "tmj"];

/// The mix's request types, in `bench/mix.lua`'s order, with their share in percent.
const TYPES: [(&str, u32); 5] = [
    ("radius + specialty + accepting", 40),
    ("text + 50 km", 20),
    ("nearest + profession", 15),
    ("facet type-ahead", 15),
    ("plain listing", 10),
];

/// One request of the mix: a search, or a facet's values under a prefix.
enum Request {
    Search(SearchRequest),
    FacetValues(String, SearchRequest),
}

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.random_range(0..from.len())]
}

/// A request of type `kind` (an index into [`TYPES`]), drawn like `bench/mix.lua` draws it.
fn draw(rng: &mut StdRng, kind: usize) -> Request {
    let (clat, clon) = CITIES[rng.random_range(0..CITIES.len())];
    // Four decimals, as the script formats them.
    let round = |v: f64| (v * 1e4).round() / 1e4;
    let lat = round(clat + (rng.random::<f64>() - 0.5) * 0.2);
    let lon = round(clon + (rng.random::<f64>() - 0.5) * 0.2);
    let mut r = SearchRequest::default();
    match kind {
        0 => {
            r.lat = Some(lat);
            r.lon = Some(lon);
            r.radius = Some(Distance::km(
                [10.0, 25.0, 50.0][rng.random_range(0..3usize)],
            ));
            r.filters.add(Facet::Specialty, pick(rng, &SPECIALTIES));
            r.flags = Flags {
                accepting: Some(true),
                ..Flags::default()
            };
        }
        1 => {
            r.q = Some(pick(rng, &WORDS).into());
            r.lat = Some(lat);
            r.lon = Some(lon);
            r.radius = Some(Distance::km(50.0));
        }
        2 => {
            r.lat = Some(lat);
            r.lon = Some(lon);
            r.filters.add(Facet::Profession, pick(rng, &PROFESSIONS));
            r.facets = Some(Vec::new());
        }
        3 => {
            r.lat = Some(lat);
            r.lon = Some(lon);
            r.radius = Some(Distance::km(25.0));
            return Request::FacetValues(pick(rng, &PREFIXES).into(), r);
        }
        _ => {}
    }
    Request::Search(r)
}

/// The process's peak resident set in MiB, where the system tells it (Linux).
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb >> 10)
}

/// Runs one request and renders its JSON, as the server does; returns the body's length.
fn run_one(engine: &SearchEngine, request: &Request) -> anyhow::Result<usize> {
    Ok(match request {
        Request::Search(r) => {
            // As the server renders it.
            let mut body = Vec::new();
            engine.search(r)?.write_json(&mut body)?;
            body.len()
        }
        Request::FacetValues(prefix, r) => {
            serde_json::to_vec(&engine.facet_values(Facet::Specialty, prefix, r, 10)?)?.len()
        }
    })
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let config = Config::load(None, std::iter::empty())?;
    let vocabulary = Arc::new(config.load_vocabulary()?);
    let gazetteer = Gazetteer::embedded();
    let state = args.index.join(format!("{}", args.count));
    build_index(&state, args.count, &vocabulary, gazetteer)?;
    let index = PractitionerIndex::open(&state)?;
    let engine = SearchEngine::new(&index, vocabulary, gazetteer, Limits::default())?
        .with_record_cache(args.record_cache_mb << 20)
        .with_match_cache(args.match_cache_mb << 20);
    engine.warm()?;
    let segments = index.reader()?.searcher().segment_readers().len();

    let mut rng = StdRng::seed_from_u64(11);
    let mut report = Vec::new();
    let mut weighted = 0.0;
    let mut weights = 0.0;
    for (kind, (name, share)) in TYPES.iter().enumerate() {
        if args.only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let n = (args.requests * *share as usize / 100).max(1);
        // Each pass draws its own requests, as a server under load meets new ones: repeating a
        // pass would find every record it shows already parsed. The first pass is untimed: it
        // warms the pages the way a server under load has them warm (these machines page out
        // memory left idle), and the record cache.
        let mut cpu: Vec<Duration> = Vec::with_capacity(n * args.passes);
        let mut bytes = 0usize;
        let mut slowest = (Duration::ZERO, None);
        let mut cache = (0, 0);
        for pass in 0..args.passes.max(2) {
            if pass == 1 {
                let stats = engine.record_cache_stats();
                cache = (stats.hits, stats.misses);
            }
            for _ in 0..n {
                let request = draw(&mut rng, kind);
                let started = ThreadTime::now();
                let len = run_one(&engine, &request)?;
                let spent = started.elapsed();
                if pass > 0 {
                    cpu.push(spent);
                    bytes += len;
                    if spent > slowest.0 {
                        slowest = (spent, Some(request));
                    }
                }
            }
        }
        let stats = engine.record_cache_stats();
        let (hits, misses) = (stats.hits - cache.0, stats.misses - cache.1);
        // The slowest request again, a few times, its least: one slow run may be the machine's.
        let slowest_request = slowest.1.expect("at least one timed request");
        let mut slowest_cpu = slowest.0;
        for _ in 0..3 {
            let started = ThreadTime::now();
            run_one(&engine, &slowest_request)?;
            slowest_cpu = slowest_cpu.min(started.elapsed());
        }
        let slowest_request = match &slowest_request {
            Request::Search(r) => serde_json::json!(r),
            Request::FacetValues(prefix, r) => serde_json::json!({"prefix": prefix, "request": r}),
        };
        let mean = cpu.iter().sum::<Duration>().as_secs_f64() * 1e3 / cpu.len() as f64;
        cpu.sort_unstable();
        let pct = |p: f64| ms(cpu[((cpu.len() - 1) as f64 * p).round() as usize]);
        weighted += mean * f64::from(*share);
        weights += f64::from(*share);
        report.push(serde_json::json!({
            "type": name,
            "share_percent": share,
            "requests": n,
            "cpu_mean_ms": (mean * 1000.0).round() / 1000.0,
            "cpu_p50_ms": pct(0.5),
            "cpu_p99_ms": pct(0.99),
            "mean_body_bytes": bytes / cpu.len(),
            // Of the hits rendered in the timed passes, the share whose record was cached.
            "record_cache_hit_percent": (hits * 100).checked_div(hits + misses),
            "slowest": {"cpu_ms": ms(slowest_cpu), "request": slowest_request},
        }));
    }
    let stats = engine.record_cache_stats();
    let out = serde_json::json!({
        "bench": "mix",
        "count": args.count,
        "segments": segments,
        "record_cache": {
            "records": stats.records,
            "estimated_mb": stats.bytes >> 20,
            "capacity_mb": stats.capacity_bytes >> 20,
        },
        // The process's peak resident memory (the index's mapped pages included).
        "peak_rss_mb": peak_rss_mb(),
        "types": report,
        // What the search core and the JSON cost per request of the mix, weighted by share.
        "cpu_mean_ms_weighted": (weighted / weights * 1000.0).round() / 1000.0,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
