//! Search latency per query class over a generated index (issue #3's targets), one thread.
//!
//! The index is built once into `--index` (generated like the demo: four associations) and
//! reused by later runs with the same `--count`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cpu_time::ThreadTime;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use stillpoint_config::Config;
use stillpoint_demo::{FeedFormat, GenerateOptions};
use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::PractitionerIndex;
use stillpoint_ingest::{FetchLimits, IngestOptions, Input};
use stillpoint_search::{Distance, Facet, Flags, Limits, SearchEngine, SearchRequest, Sort};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Practitioners in the index.
    #[arg(long, default_value_t = 1_000_000)]
    count: usize,
    /// Searches per query class.
    #[arg(long, default_value_t = 300)]
    queries: usize,
    /// Where the generated index is kept between runs.
    #[arg(long, default_value = "/tmp/stillpoint-bench-index")]
    index: PathBuf,
    /// Only run the classes whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Runs each search this many times in a row and keeps its fastest run: on a shared,
    /// noisy machine the fastest of a few runs is closer to what the search itself costs.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
}

/// Associations and their share of the generated practitioners, as in the demo.
const ASSOCIATIONS: [(&str, f64); 4] = [
    ("upledger", 0.35),
    ("bcta-na", 0.25),
    ("csta-uk", 0.2),
    ("iahp", 0.2),
];

/// Dense cities for the "100 km around a dense city" class.
const DENSE: [&str; 4] = ["London, GB", "New York, US", "Los Angeles, US", "Paris, FR"];

pub fn run(args: &Args) -> anyhow::Result<()> {
    let config = Config::load(None, std::iter::empty())?;
    let vocabulary = Arc::new(config.load_vocabulary()?);
    let gazetteer = Gazetteer::embedded();
    let state = args.index.join(format!("{}", args.count));
    let built = build_index(&state, args.count, &vocabulary, gazetteer)?;
    let index = PractitionerIndex::open(&state)?;
    // Without the record cache: the warm-up pass below repeats the timed requests, so every
    // page's records would be kept; the bench measures reading them (`mix` measures the cache).
    let engine = SearchEngine::new(&index, vocabulary.clone(), gazetteer, Limits::default())?
        .with_record_cache(0);
    let segments = index.reader()?.searcher().segment_readers().len();

    // Centres: cities drawn by population, so dense places are searched more, as in real use.
    let mut rng = StdRng::seed_from_u64(7);
    let cities: Vec<_> = gazetteer
        .cities()
        .iter()
        .filter(|c| c.population >= 50_000)
        .collect();
    let weights: Vec<f64> = cities.iter().map(|c| c.population as f64).collect();
    let total_weight: f64 = weights.iter().sum();
    let centre = |rng: &mut StdRng| {
        let mut x = rng.random::<f64>() * total_weight;
        for (city, w) in cities.iter().zip(&weights) {
            x -= w;
            if x <= 0.0 {
                return (city.lat, city.lon);
            }
        }
        let last = cities[cities.len() - 1];
        (last.lat, last.lon)
    };
    let specialties: Vec<String> = vocabulary
        .specialties
        .iter()
        .map(|t| t.id.clone())
        .collect();
    let professions: Vec<String> = vocabulary
        .professions
        .iter()
        .map(|t| t.id.clone())
        .collect();
    let pick = |rng: &mut StdRng, from: &[String]| from[rng.random_range(0..from.len())].clone();

    let mut classes: Vec<(&str, Vec<SearchRequest>)> = Vec::new();
    let n = args.queries;
    let mut requests = Vec::with_capacity(n);
    for _ in 0..n {
        let (lat, lon) = centre(&mut rng);
        let mut r = geo_request(lat, lon, Some(50.0));
        r.filters
            .add(Facet::Specialty, pick(&mut rng, &specialties));
        r.flags = Flags {
            accepting: Some(true),
            ..Flags::default()
        };
        requests.push(r);
    }
    classes.push((
        "centre + 50 km + two filters + all facets, top 20 by distance",
        requests,
    ));

    let mut requests = Vec::with_capacity(n);
    for _ in 0..n {
        let (lat, lon) = centre(&mut rng);
        let mut r = geo_request(lat, lon, None);
        r.filters
            .add(Facet::Profession, pick(&mut rng, &professions));
        r.facets = Some(Vec::new());
        requests.push(r);
    }
    classes.push(("nearest 20, no radius, one filter", requests));

    let mut requests = Vec::with_capacity(n);
    for _ in 0..n {
        let (lat, lon) = centre(&mut rng);
        let mut r = geo_request(lat, lon, Some(50.0));
        r.q = Some("migraine".into());
        // The default order with text: relevance (every hit still gets its distance).
        r.sort = None;
        requests.push(r);
    }
    classes.push(("text (migraine) + centre + 50 km, by relevance", requests));

    let mut requests = Vec::with_capacity(n);
    for i in 0..n {
        let place = gazetteer.resolve(DENSE[i % DENSE.len()], 1);
        let (lat, lon) = place.first().map_or((51.5, -0.12), |p| (p.lat, p.lon));
        requests.push(geo_request(lat, lon, Some(100.0)));
    }
    classes.push(("100 km around a dense city, all facets", requests));

    let requests = (0..n.min(50)).map(|_| SearchRequest::default()).collect();
    classes.push(("no query, no filter, all facets over everything", requests));

    let mut report = Vec::new();
    for (name, requests) in &classes {
        if args.only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        // Warm the caches the way a running server under load has them warm: one untimed pass
        // over the class. (The engine keeps no results, and here no records; what is warm is
        // the index's pages and the per-segment structures. These machines page out memory
        // left idle for a minute, with DAMON's proactive reclaim, so an index read a while ago
        // is cold again.)
        for r in requests {
            engine.search(r)?;
        }
        let mut times = Vec::with_capacity(requests.len());
        // CPU time of this thread: what the search costs, without the time other processes
        // take the core away (these machines are shared and noisy).
        let mut cpu = Vec::with_capacity(requests.len());
        let mut totals = 0u64;
        let mut slowest = (Duration::ZERO, 0usize, 0u64);
        for (i, r) in requests.iter().enumerate() {
            let mut best = (Duration::MAX, Duration::MAX, 0);
            for _ in 0..args.repeat.max(1) {
                let started = Instant::now();
                let cpu_started = ThreadTime::now();
                let response = engine.search(r)?;
                let spent = cpu_started.elapsed();
                let wall = started.elapsed();
                best = (best.0.min(wall), best.1.min(spent), response.total);
            }
            let (wall, spent, total) = best;
            if spent > slowest.0 {
                slowest = (spent, i, total);
            }
            cpu.push(spent);
            times.push(wall);
            totals += total;
        }
        times.sort_unstable();
        cpu.sort_unstable();
        let pct = |v: &[Duration], p: f64| ms(v[((v.len() - 1) as f64 * p).round() as usize]);
        report.push(serde_json::json!({
            "class": name,
            "queries": times.len(),
            "p50_ms": pct(&times, 0.5),
            "p99_ms": pct(&times, 0.99),
            "max_ms": ms(*times.last().unwrap()),
            "cpu_p50_ms": pct(&cpu, 0.5),
            "cpu_p99_ms": pct(&cpu, 0.99),
            "cpu_max_ms": ms(*cpu.last().unwrap()),
            "mean_total": totals as f64 / times.len() as f64,
            // The slowest search, to see what makes the tail.
            "slowest": {
                "cpu_ms": ms(slowest.0),
                "total": slowest.2,
                "request": &requests[slowest.1],
            },
        }));
    }
    let out = serde_json::json!({
        "bench": "search",
        "count": args.count,
        "segments": segments,
        "repeat": args.repeat,
        "index_built_seconds": built.map(|d| d.as_secs_f64()),
        "classes": report,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

fn geo_request(lat: f64, lon: f64, radius: Option<f64>) -> SearchRequest {
    SearchRequest {
        lat: Some(lat),
        lon: Some(lon),
        radius: radius.map(Distance::km),
        sort: Some(Sort::Distance),
        ..SearchRequest::default()
    }
}

pub(crate) fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e3 * 1000.0).round() / 1000.0
}

/// Builds the index unless one with `count` practitioners is already there; returns the time it
/// took when it was built. The index is compacted after its bulk load, as an operator does
/// (`stillpoint compact`), and so is one left with several segments by an earlier version.
pub(crate) fn build_index(
    state: &std::path::Path,
    count: usize,
    vocabulary: &Arc<stillpoint_model::Vocabulary>,
    gazetteer: &Gazetteer,
) -> anyhow::Result<Option<Duration>> {
    if let Ok(index) = PractitionerIndex::open(state)
        && index.num_practitioners()? == count as u64
    {
        compact(&index)?;
        return Ok(None);
    }
    let _ = std::fs::remove_dir_all(state);
    std::fs::create_dir_all(state)?;
    eprintln!(
        "building a {count}-practitioner index in {}",
        state.display()
    );
    let started = Instant::now();
    let index = PractitionerIndex::open_or_create(state)?;
    let mut left = count;
    for (i, (association, share)) in ASSOCIATIONS.iter().enumerate() {
        let n = if i == ASSOCIATIONS.len() - 1 {
            left
        } else {
            (count as f64 * share) as usize
        };
        left -= n;
        let feed = state.join(format!("{association}.jsonl"));
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&feed)?);
        let options = GenerateOptions {
            count: n,
            seed: 42 + i as u64,
            association: association.to_string(),
            format: FeedFormat::Jsonl,
        };
        stillpoint_demo::generate(vocabulary, gazetteer.cities(), &options, &mut out)?;
        out.flush()?;
        drop(out);
        let limits = FetchLimits::new(Duration::from_secs(60), u64::MAX);
        let input = Input::open(feed.to_str().expect("utf-8 path"), limits)?;
        let mut ingest = IngestOptions::new(association);
        ingest.writer_memory_bytes = 1024 << 20;
        stillpoint_ingest::ingest(&index, vocabulary.clone(), input, &ingest, &mut |_| {})?;
        std::fs::remove_file(&feed)?;
    }
    compact(&index)?;
    Ok(Some(started.elapsed()))
}

fn compact(index: &PractitionerIndex) -> anyhow::Result<()> {
    let mut writer = index.writer(1024 << 20)?;
    let merged = writer.compact()?;
    writer.finish()?;
    if merged > 0 {
        eprintln!("compacted {merged} segments into one");
    }
    Ok(())
}
