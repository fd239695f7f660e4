//! `stillpoint geocode`: what the gazetteer makes of a place.

use std::process::ExitCode;

use stillpoint_gazetteer::{Gazetteer, PlaceKind};

use crate::cli::GeocodeArgs;

pub fn run(args: &GeocodeArgs) -> anyhow::Result<ExitCode> {
    let candidates = Gazetteer::embedded().resolve(&args.place, args.limit.max(1));
    if args.json {
        let json: Vec<serde_json::Value> = candidates
            .iter()
            .map(|p| {
                serde_json::json!({
                    "label": p.label,
                    "kind": match p.kind { PlaceKind::City => "city", PlaceKind::PostalCode => "postal_code" },
                    "name": p.name,
                    "city": p.city,
                    "region": p.region,
                    "region_code": p.region_code,
                    "country": p.country,
                    "lat": p.lat,
                    "lon": p.lon,
                    "population": p.population,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else if candidates.is_empty() {
        eprintln!("no place matches {:?}", args.place);
    } else {
        for (i, p) in candidates.iter().enumerate() {
            let population = if p.population > 0 {
                format!("  pop. {}", p.population)
            } else {
                String::new()
            };
            println!(
                "{:>2}. {:<45} {:>9.4} {:>10.4}{population}",
                i + 1,
                p.label,
                p.lat,
                p.lon
            );
        }
    }
    Ok(if candidates.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
