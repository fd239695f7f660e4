//! `stillpoint serve` as a client sees it: the real binary on 127.0.0.1:0 over a small demo
//! index, spoken to over real HTTP.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::Value;

use crate::common::Env;
use crate::common::server::{Server, invalid_names};

/// Practitioners in the demo index: several pages, a few per big city, built in about a second.
const DEMO_COUNT: &str = "200";

fn demo() -> Env {
    let env = Env::new();
    env.run(&["demo", "--no-serve", "--count", DEMO_COUNT])
        .expect_code(0);
    env
}

fn hits(response: &Value) -> &Vec<Value> {
    response["hits"].as_array().expect("hits is an array")
}

#[test]
fn search_over_http_filters_counts_facets_and_measures_distance() {
    let env = demo();
    let server = Server::start(&env, &[]);
    let all = server.json("/v1/search?limit=0");
    assert_eq!(all["total"], DEMO_COUNT.parse::<u64>().unwrap());

    let near = server.json("/v1/search?near=London&radius=50km&facets=language&facets=country");
    let total = near["total"].as_u64().unwrap();
    assert!(total > 0, "the demo places practitioners around London");
    assert_eq!(near["center"]["label"], "London, England, GB");
    for hit in hits(&near) {
        assert!(hit["distance_km"].as_f64().unwrap() <= 50.0, "{hit}");
    }
    let facets: Vec<&str> = near["facets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["facet"].as_str().unwrap())
        .collect();
    assert_eq!(facets, ["language", "country"]);

    // A filter by a value the facet counted gives exactly that count.
    let english = near["facets"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "en")
        .expect("English is counted");
    let filtered = server.json("/v1/search?near=London&radius=50km&language=en&limit=0");
    assert_eq!(filtered["total"], english["count"]);

    // Repeated values of one filter are OR-ed.
    let one = server.json("/v1/search?country=GB&limit=0")["total"]
        .as_u64()
        .unwrap();
    let other = server.json("/v1/search?country=US&limit=0")["total"]
        .as_u64()
        .unwrap();
    let both = server.json("/v1/search?country=GB&country=US&limit=0");
    assert_eq!(both["total"].as_u64().unwrap(), one + other);
}

#[test]
fn pages_by_cursor_and_by_page_list_every_practitioner_once() {
    let env = demo();
    let server = Server::start(&env, &[]);
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/v1/search?sort=name&limit=70&facets=none".to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = server.json(&path);
        ids.extend(
            hits(&page)
                .iter()
                .map(|h| h["id"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(ids.len(), DEMO_COUNT.parse::<usize>().unwrap());
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "no repeats"
    );

    let second = server.json("/v1/search?sort=name&page=2&per_page=70&facets=none");
    let second: Vec<&str> = hits(&second)
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        second,
        ids[70..140].iter().map(String::as_str).collect::<Vec<_>>()
    );
}

#[test]
fn csv_and_geojson_carry_the_same_page() {
    let env = demo();
    let server = Server::start(&env, &[]);
    let query = "near=London&radius=100km&limit=5";
    let json = server.json(&format!("/v1/search?{query}"));

    let response = server.get(&format!("/v1/search?{query}&format=csv"));
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("id,name,practice_name,distance_km"),
        "{header}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), hits(&json).len(), "one row per practitioner");
    for (row, hit) in rows.iter().zip(hits(&json)) {
        assert!(row.starts_with(hit["id"].as_str().unwrap()), "{row}");
    }

    let response = server.get(&format!("/v1/search?{query}&format=geojson"));
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/geo+json"
    );
    let geo: Value = serde_json::from_str(&response.text().unwrap()).unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    let locations: usize = hits(&json)
        .iter()
        .map(|h| h["locations"].as_array().unwrap().len())
        .sum();
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), locations, "one feature per location");
    for feature in features {
        let coordinates = &feature["geometry"]["coordinates"];
        assert!(coordinates[0].as_f64().unwrap().abs() <= 180.0);
        assert!(feature["properties"]["practitioner_id"].is_string());
    }
}

#[test]
fn invalid_requests_are_problems_naming_each_parameter() {
    let env = demo();
    let server = Server::start(&env, &[]);

    let p = server.problem("/v1/search?colour=blue&q=x", 400);
    assert_eq!(invalid_names(&p), ["colour"]);

    let p = server.problem("/v1/search?radius=5parsecs&accepting=maybe&limit=500", 400);
    let names = invalid_names(&p);
    for name in ["radius", "accepting", "limit"] {
        assert!(names.contains(&name.to_string()), "{name} in {p}");
    }

    // Limits at their edges: the configured maximum passes, one more is refused with the range.
    server.json("/v1/search?per_page=100");
    let p = server.problem("/v1/search?per_page=101", 400);
    assert_eq!(invalid_names(&p), ["per_page"]);
    assert!(
        p["invalid_params"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("100")
    );
    server.json("/v1/search?near=London&radius=1000km&limit=1");
    let p = server.problem("/v1/search?near=London&radius=1000.5km", 400);
    assert_eq!(invalid_names(&p), ["radius"]);
    assert!(
        p["invalid_params"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("1000")
    );
    let p = server.problem("/v1/search?radius=10km", 400);
    assert!(
        p["invalid_params"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("centre")
    );
    let long = "a".repeat(257);
    server.json(&format!("/v1/search?q={}&limit=1", &long[..256]));
    server.problem(&format!("/v1/search?q={long}"), 400);

    let p = server.problem("/v2/search", 404);
    assert!(!p["detail"].as_str().unwrap().contains("/src/"), "{p}");
    let response = server.client.post(server.url("/v1/search")).send().unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[test]
fn profiles_type_ahead_places_and_vocabulary_answer_over_http() {
    let env = demo();
    let server = Server::start(&env, &[]);
    let first = server.json("/v1/search?sort=name&limit=1&facets=none");
    let id = first["hits"][0]["id"].as_str().unwrap().to_string();
    assert!(id.contains(':'));
    let profile = server.json(&format!("/v1/practitioners/{id}"));
    assert_eq!(profile["id"], id.as_str());
    assert_eq!(profile["name"], first["hits"][0]["name"]);
    let p = server.problem("/v1/practitioners/upledger:NOPE-1", 404);
    assert!(p["detail"].as_str().unwrap().contains("NOPE-1"));

    // Facet values by prefix, counted under the filters.
    let values = server.json("/v1/facets/specialty?prefix=mig");
    let migraines = &values["values"][0];
    assert_eq!(migraines["value"], "headaches-migraines");
    let count = migraines["count"].as_u64().unwrap();
    let total = server.json("/v1/search?specialty=headaches-migraines&limit=0")["total"].as_u64();
    assert_eq!(Some(count), total);
    // Under a filter, the same count as the search with both.
    let in_gb = server.json("/v1/facets/specialty?prefix=mig&country=GB");
    let in_gb_total =
        server.json("/v1/search?specialty=headaches-migraines&country=GB&limit=0")["total"]
            .as_u64()
            .unwrap();
    let in_gb_count = in_gb["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "headaches-migraines")
        .map_or(0, |v| v["count"].as_u64().unwrap());
    assert_eq!(in_gb_count, in_gb_total);
    assert!(in_gb_count <= count);
    server.problem("/v1/facets/colour", 400);

    // Completions of every kind, each labelled.
    let name = first["hits"][0]["name"].as_str().unwrap();
    let prefix: String = name.chars().take(3).collect();
    let suggestions = server.json(&format!("/v1/suggest?q={prefix}&size=20"));
    let suggestions = suggestions["suggestions"].as_array().unwrap();
    assert!(
        suggestions
            .iter()
            .any(|s| s["kind"] == "practitioner" && s["value"] == id.as_str()),
        "{prefix}: {suggestions:?}"
    );
    let places = server.json("/v1/suggest?q=bould");
    assert!(
        places["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "place" && s["text"] == "Boulder, Colorado, US")
    );
    let jaw = server.json("/v1/suggest?q=jaw");
    assert!(
        jaw["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "specialty" && s["value"] == "tmj")
    );
    server.problem("/v1/suggest", 400);

    let places = server.json("/v1/geocode?q=Boulder,+CO&limit=1");
    assert_eq!(places[0]["label"], "Boulder, Colorado, US");
    server.problem("/v1/geocode?q=x&limit=21", 400);

    let vocabulary = server.json("/v1/vocabulary");
    let facets: Vec<&str> = vocabulary
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["facet"].as_str().unwrap())
        .collect();
    assert_eq!(
        facets,
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

    assert_eq!(server.json("/healthz")["status"], "ok");
    let ready = server.json("/readyz");
    assert_eq!(ready["practitioners"], DEMO_COUNT.parse::<u64>().unwrap());
    let metrics = server.get("/metrics").text().unwrap();
    assert!(
        metrics.contains("stillpoint_http_requests_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"/v1/practitioners/{id}\""),
        "{metrics}"
    );
    assert!(metrics.contains("stillpoint_index_documents"), "{metrics}");
    assert!(
        metrics.contains("stillpoint_record_cache_hits_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains("stillpoint_match_cache_hits_total"),
        "{metrics}"
    );
    let openapi = server.json("/openapi.json");
    assert!(openapi["paths"]["/v1/search"].is_object());
}

/// A city-only location's street address and exact point, which nothing may show.
const SENTINEL_ADDRESS: &str = "977 Sentinelweg";
const SENTINEL_LAT: &str = "40.0291177";
const SENTINEL_LON: &str = "-105.2612277";

#[test]
fn a_city_only_address_appears_in_no_response_of_any_format() {
    let env = demo();
    let feed = format!(
        r#"{{"member_id":"PRIV-1","name":"Hannah Privatus","credentials":[{{"body":"upledger","credential":"CST-D"}}],"specialties":["tmj"],"locations":[{{"label":"Home practice","address":"{SENTINEL_ADDRESS}","city":"Boulder","region":"CO","postal_code":"80302","country":"US","lat":{SENTINEL_LAT},"lon":{SENTINEL_LON},"visibility":"city"}}],"contact":{{"phone":"+1 303 555 0199"}}}}"#
    );
    let path = env.write("private.jsonl", feed.as_bytes());
    env.run(&[
        "ingest",
        "--association",
        "upledger",
        path.to_str().unwrap(),
    ])
    .expect_code(0);
    let server = Server::start(&env, &[]);
    let id = "upledger:PRIV-1";
    let near = "near=Boulder,+CO&radius=20km";
    let mut bodies = Vec::new();
    for path in [
        format!("/v1/search?q=privatus&{near}"),
        format!("/v1/search?{near}&per_page=100"),
        format!("/v1/search?{near}&format=csv&per_page=100"),
        format!("/v1/search?{near}&format=geojson&per_page=100"),
        format!("/v1/search?q=Sentinelweg&{near}"),
        format!("/v1/practitioners/{id}"),
        "/v1/suggest?q=hannah".to_string(),
        "/v1/facets/specialty?prefix=tmj&q=privatus".to_string(),
    ] {
        let response = server.get(&path);
        assert!(response.status().is_success(), "{path}");
        bodies.push((path, response.text().unwrap()));
    }
    assert!(
        bodies[0].1.contains(id),
        "the practitioner is found: {}",
        bodies[0].1
    );
    assert!(bodies[2].1.contains(id) && bodies[3].1.contains(id));
    for (path, body) in &bodies {
        for secret in [
            SENTINEL_ADDRESS,
            "Sentinelweg",
            SENTINEL_LAT,
            SENTINEL_LON,
            "80302",
        ] {
            assert!(!body.contains(secret), "{secret} in {path}: {body}");
        }
    }
}

/// The index generation the server reports in its metrics.
fn served_generation(server: &Server) -> Option<u64> {
    let metrics = server.get("/metrics").text().unwrap();
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("stillpoint_index_generation "))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .map(|value| value as u64)
}

#[test]
fn an_ingest_then_a_compaction_by_other_processes_are_served_without_failing_searches() {
    let env = demo();
    let server = Server::start(&env, &[]);
    let before = server.json("/v1/search?limit=0")["total"].as_u64().unwrap();

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let searching = {
        let (base, stop) = (server.base.clone(), stop.clone());
        std::thread::spawn(move || {
            let client = Client::new();
            let mut statuses = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let response = client
                    .get(format!(
                        "{base}/v1/search?near=London&radius=200km&per_page=50"
                    ))
                    .send()
                    .unwrap();
                statuses.push(response.status());
            }
            statuses
        })
    };
    // The vocabulary lists the countries the index holds: kept between calls, made again for
    // the view after the reload.
    let countries = |server: &Server| -> Vec<String> {
        let vocabulary = server.json("/v1/vocabulary");
        let country = vocabulary
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["facet"] == "country")
            .unwrap()
            .clone();
        country["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["value"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!countries(&server).contains(&"IS".to_string()));
    assert_eq!(countries(&server), countries(&server));
    let feed = r#"{"member_id":"HOT-1","name":"Reload Hotchkiss","locations":[{"city":"Reykjavik","country":"IS"}]}"#;
    let path = env.write("hot.jsonl", feed.as_bytes());
    env.run(&["ingest", "--association", "bcta-na", path.to_str().unwrap()])
        .expect_code(0);
    let committed = Instant::now();
    let seen = eventually(Duration::from_secs(3), || {
        server.json("/v1/search?limit=0")["total"].as_u64() == Some(before + 1)
    });
    let delay = committed.elapsed();
    assert!(seen, "the new practitioner never appeared");
    assert!(countries(&server).contains(&"IS".to_string()));
    // One second is the promise; the margin is for a loaded test machine.
    assert!(
        delay < Duration::from_millis(1500),
        "appeared after {delay:?}"
    );

    // The ingest added a segment; compaction merges them all, and its commit is served too.
    let generation = served_generation(&server).expect("a generation gauge");
    let compact = env.run(&["compact"]);
    compact.expect_code(0);
    assert!(
        compact.stdout.contains("segments merged into one"),
        "{}",
        compact.stdout
    );
    assert!(
        eventually(Duration::from_secs(3), || {
            served_generation(&server).is_some_and(|g| g > generation)
        }),
        "the compacted index was never served"
    );
    assert_eq!(
        server.json("/v1/search?limit=0")["total"].as_u64(),
        Some(before + 1)
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let statuses = searching.join().unwrap();
    assert!(!statuses.is_empty());
    assert!(
        statuses.iter().all(|s| s.is_success()),
        "searches during the reload: {statuses:?}"
    );
    assert_eq!(
        server.json("/v1/practitioners/bcta-na:HOT-1")["name"],
        "Reload Hotchkiss"
    );
}

#[test]
fn check_config_validates_and_exits() {
    let env = Env::new();
    let run = env.run(&["serve", "--check-config"]);
    run.expect_code(0);
    assert!(run.stdout.contains("valid"), "{}", run.stdout);
    let bad = env
        .command(&["serve", "--check-config"])
        .env("STILLPOINT_SERVER_MAX_CONCURRENT_SEARCHES", "0")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("max_concurrent_searches"));
}

/// Waits until `check` holds, for at most `within`.
fn eventually(within: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    check()
}
