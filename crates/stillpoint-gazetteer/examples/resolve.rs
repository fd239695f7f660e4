//! Try the resolver by hand: `cargo run --release -p stillpoint-gazetteer --example resolve -- "Boulder, CO" 80302`.
//! Prints the load time first, then up to five places per query.

use std::time::Instant;

use stillpoint_gazetteer::Gazetteer;

fn main() {
    let start = Instant::now();
    let gazetteer = Gazetteer::embedded();
    println!("loaded in {:?}: {gazetteer:?}", start.elapsed());
    for query in std::env::args().skip(1) {
        let start = Instant::now();
        let places = gazetteer.resolve(&query, 5);
        println!("{query:?} ({:?})", start.elapsed());
        for place in places {
            println!(
                "    {:<50} {:>9.5} {:>10.5} pop {}",
                place.label, place.lat, place.lon, place.population
            );
        }
    }
}
