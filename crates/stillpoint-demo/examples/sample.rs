//! Prints a few generated records as pretty JSON, to eyeball the demo data:
//! `cargo run -p stillpoint-demo --example sample -- [association] [count] [seed]`.

use stillpoint_demo::Generator;
use stillpoint_gazetteer::Gazetteer;
use stillpoint_model::vocabulary::Vocabulary;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let association = args.next().unwrap_or_else(|| "upledger".to_string());
    let count: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3);
    let seed: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/vocabulary.toml");
    let vocabulary = Vocabulary::from_toml_str(&std::fs::read_to_string(path)?)?;
    let cities = Gazetteer::embedded().cities();
    for record in Generator::new(&vocabulary, cities, seed, &association).take(count) {
        println!("{}", serde_json::to_string_pretty(&record)?);
    }
    Ok(())
}
