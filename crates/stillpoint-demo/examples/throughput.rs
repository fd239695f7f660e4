//! Generation throughput on the embedded gazetteer and the shipped vocabulary:
//! `cargo run --release -p stillpoint-demo --example throughput -- [count] [jsonl|csv|json]`.
//! Writes to a sink, so it measures generation and serialisation, not the disk.

use std::time::Instant;

use stillpoint_demo::{FeedFormat, GenerateOptions, Generator, generate};
use stillpoint_gazetteer::Gazetteer;
use stillpoint_model::vocabulary::Vocabulary;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let format: FeedFormat = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or_default();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/vocabulary.toml");
    let vocabulary = Vocabulary::from_toml_str(&std::fs::read_to_string(path)?)?;

    let start = Instant::now();
    let cities = Gazetteer::embedded().cities();
    let loaded = start.elapsed();
    let start = Instant::now();
    let generator = Generator::new(&vocabulary, cities, 1, "upledger");
    let built = start.elapsed();
    drop(generator);
    eprintln!(
        "gazetteer {loaded:.2?} ({} cities), generator tables {built:.2?}",
        cities.len()
    );

    let start = Instant::now();
    let locations: usize = Generator::new(&vocabulary, cities, 1, "upledger")
        .take(count)
        .map(|r| r.locations.len())
        .sum();
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!(
        "{count} records generated, not written, in {elapsed:.2} s: {:.0} records/s ({locations} locations)",
        count as f64 / elapsed
    );

    let options = GenerateOptions {
        count,
        seed: 1,
        association: "upledger".into(),
        format,
    };
    let mut out = CountingSink(0);
    let start = Instant::now();
    generate(&vocabulary, cities, &options, &mut out)?;
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!(
        "{count} records as {format} in {elapsed:.2} s: {:.0} records/s, {:.1} MB ({:.0} bytes/record)",
        count as f64 / elapsed,
        out.0 as f64 / 1e6,
        out.0 as f64 / count.max(1) as f64,
    );
    Ok(())
}

/// Counts bytes and throws them away.
struct CountingSink(u64);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
