//! Prints how long the first `Gazetteer::embedded()` call takes. The figure in the crate
//! README comes from `cargo test --release -p stillpoint-gazetteer --test load_time -- --nocapture`.

use std::time::Instant;

use stillpoint_gazetteer::Gazetteer;

#[test]
fn embedded_loads_once_and_reports_its_time() {
    let start = Instant::now();
    let gazetteer = Gazetteer::embedded();
    let first = start.elapsed();
    let start = Instant::now();
    let again = Gazetteer::embedded();
    let second = start.elapsed();
    println!("Gazetteer::embedded() first call: {first:?}, second call: {second:?}");
    println!("{gazetteer:?}");
    assert!(std::ptr::eq(gazetteer, again));
    assert!(gazetteer.cities().len() > 100_000);
}
