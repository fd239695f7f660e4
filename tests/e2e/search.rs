//! `stillpoint search` as a user runs it: over a small demo index, as JSON and as a table, and
//! its answers to invalid searches and a missing index.

use std::collections::HashSet;

use serde_json::Value;

use crate::common::Env;

/// Practitioners in the demo index of these tests: enough for several pages and a few per big
/// city, small enough to build in a few seconds.
const DEMO_COUNT: &str = "300";

fn demo() -> Env {
    let env = Env::new();
    env.run(&["demo", "--no-serve", "--count", DEMO_COUNT])
        .expect_code(0);
    env
}

/// `search ARGS... --json`, parsed.
fn search(env: &Env, args: &[&str]) -> Value {
    let run = env.run(&[&["search", "--json"], args].concat());
    run.expect_code(0);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn hits(response: &Value) -> &Vec<Value> {
    response["hits"].as_array().expect("hits is an array")
}

fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371.008_8 * a.sqrt().asin()
}

#[test]
fn pages_followed_by_the_cursor_list_every_match_once_and_the_table_names_them() {
    let env = demo();
    let mut ids = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut total = None;
    loop {
        let mut args = vec!["--sort", "name", "--limit", "100", "--facets", "none"];
        if let Some(c) = &cursor {
            args.extend(["--cursor", c.as_str()]);
        }
        let page = search(&env, &args);
        total.get_or_insert(page["total"].as_u64().unwrap());
        assert_eq!(page["total"].as_u64(), total, "the total is stable");
        assert_eq!(page["sort"], "name");
        assert!(page["facets"].as_array().unwrap().is_empty());
        for hit in hits(&page) {
            ids.push(hit["id"].as_str().unwrap().to_string());
            names.push(hit["name"].as_str().unwrap().to_lowercase());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(total, Some(DEMO_COUNT.parse().unwrap()));
    assert_eq!(
        ids.len() as u64,
        total.unwrap(),
        "pages add up to the total"
    );
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "no repeats"
    );
    assert!(
        names.windows(2).all(|w| w[0] <= w[1] || !w[0].is_ascii()),
        "A to Z"
    );

    let first = search(&env, &["--sort", "name", "--limit", "5"]);
    let table = env.run(&["search", "--sort", "name", "--limit", "5"]);
    table.expect_code(0);
    assert!(
        table
            .stdout
            .starts_with(&format!("{DEMO_COUNT} practitioners")),
        "{}",
        table.stdout
    );
    for hit in hits(&first) {
        // Long names are cut to their column.
        let name: String = hit["name"].as_str().unwrap().chars().take(19).collect();
        assert!(table.stdout.contains(&name), "{name}:\n{}", table.stdout);
    }
    assert!(
        table.stdout.contains("next page: --cursor "),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .lines()
            .all(|l| l.chars().count() <= 100 || l.starts_with("next page")),
        "{}",
        table.stdout
    );
}

#[test]
fn radius_specialty_and_facets_hold_for_every_hit() {
    let env = demo();
    // Everyone, by distance from London: the reference the radius search must agree with.
    let everyone = search(
        &env,
        &["--near", "London, GB", "--limit", "100", "--facets", "none"],
    );
    let london = &everyone["center"];
    assert_eq!(london["label"], "London, England, GB");
    let (lat, lon) = (
        london["lat"].as_f64().unwrap(),
        london["lon"].as_f64().unwrap(),
    );

    let radius = 100.0;
    let within = search(
        &env,
        &[
            "--near",
            "London, GB",
            "--radius",
            "100km",
            "--limit",
            "100",
        ],
    );
    let total = within["total"].as_u64().unwrap();
    assert!(total > 0, "the demo places practitioners around London");
    assert_eq!(hits(&within).len() as u64, total);
    for hit in hits(&within) {
        let nearest = hit["locations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                haversine_km(
                    lat,
                    lon,
                    l["lat"].as_f64().unwrap(),
                    l["lon"].as_f64().unwrap(),
                )
            })
            .fold(f64::INFINITY, f64::min);
        let home_visits = hit["home_visits_km"].as_f64().unwrap_or(0.0);
        assert!(
            nearest <= radius + 1e-6 || nearest <= home_visits,
            "{} is {nearest} km away",
            hit["id"]
        );
        assert!((hit["distance_km"].as_f64().unwrap() - nearest).abs() < 0.01);
    }
    // The first 100 by distance reach beyond the radius, so they hold every match.
    let last = hits(&everyone).last().unwrap()["distance_km"]
        .as_f64()
        .unwrap();
    assert!(last > radius, "the reference page reaches past the radius");
    let reference = hits(&everyone)
        .iter()
        .filter(|h| {
            let d = h["distance_km"].as_f64().unwrap();
            d <= radius || d <= h["home_visits_km"].as_f64().unwrap_or(0.0)
        })
        .count();
    assert_eq!(total as usize, reference);

    let infants = search(&env, &["--specialty", "infants", "--limit", "100"]);
    let total = infants["total"].as_u64().unwrap();
    assert!(total > 0);
    for hit in hits(&infants) {
        let specialties = hit["specialties"].as_array().unwrap();
        assert!(specialties.contains(&"infants".into()), "{}", hit["id"]);
    }
    let facets = infants["facets"].as_array().unwrap();
    let names: Vec<&str> = facets
        .iter()
        .map(|f| f["facet"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "approach",
            "body",
            "credential",
            "profession",
            "specialty",
            "technique",
            "language",
            "country",
            "region"
        ]
    );
    let specialty = facets.iter().find(|f| f["facet"] == "specialty").unwrap();
    let selected = specialty["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "infants")
        .expect("the selected value is listed");
    assert_eq!(selected["selected"], true);
    assert_eq!(selected["count"].as_u64(), Some(total));

    // The issue's example: a place, a radius, a specialty; babies bring a calm notice.
    let example = search(
        &env,
        &[
            "migraine",
            "--near",
            "Boulder, CO",
            "--radius",
            "30km",
            "--specialty",
            "infants",
        ],
    );
    assert_eq!(example["center"]["label"], "Boulder, Colorado, US");
    assert_eq!(example["sort"], "relevance");
    assert!(!example["advisories"].as_array().unwrap().is_empty());
}

#[test]
fn invalid_searches_exit_2_naming_every_parameter() {
    let env = Env::new();
    let feed = env.write(
        "one.jsonl",
        br#"{"member_id":"A-1","name":"Ana Lee","locations":[{"city":"Boulder","region":"CO","country":"US"}]}
"#,
    );
    env.run(&["ingest", "--association", "bcta-na", feed.to_str().unwrap()])
        .expect_code(0);

    let run = env.run(&[
        "search",
        "--radius",
        "10km",
        "--specialty",
        "colour",
        "--limit",
        "500",
    ]);
    run.expect_code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    for expected in [
        "error: radius: needs a centre: near, or lat and lon",
        "error: specialty: unknown specialty \"colour\"",
        "error: limit: 500",
    ] {
        assert!(run.stderr.contains(expected), "{expected}:\n{}", run.stderr);
    }

    let unit = env.run(&["search", "--near", "Boulder, CO", "--radius", "5parsecs"]);
    unit.expect_code(2);
    assert!(unit.stderr.contains("--radius"), "{}", unit.stderr);

    let facets = env.run(&["search", "--facets", "specialty,colour"]);
    facets.expect_code(2);
    assert!(
        facets.stderr.contains("unknown facet \"colour\""),
        "{}",
        facets.stderr
    );

    let found = search(&env, &["ana", "--near", "80302", "--radius", "10mi"]);
    assert_eq!(found["total"], 1);
}

#[test]
fn searching_without_an_index_says_how_to_build_one() {
    let env = Env::new();
    let run = env.run(&["search", "migraine"]);
    run.expect_code(1);
    assert!(run.stderr.contains("no index at"), "{}", run.stderr);
    assert!(run.stderr.contains("stillpoint demo"), "{}", run.stderr);
}
