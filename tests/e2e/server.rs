//! `stillpoint serve` as a client sees it: the real binary on 127.0.0.1:0 over a small demo
//! index, spoken to over real HTTP.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde_json::Value;

use crate::common::Env;

/// Practitioners in the demo index: several pages, a few per big city, built in about a second.
const DEMO_COUNT: &str = "200";

/// A running `stillpoint serve`; stopped when dropped.
struct Server {
    child: Child,
    /// Kept open: the server prints to it again when it stops.
    _stdout: BufReader<ChildStdout>,
    base: String,
    client: Client,
}

impl Server {
    /// Starts the server over `env`'s index, with `STILLPOINT_*` settings from `vars`.
    fn start(env: &Env, vars: &[(&str, &str)]) -> Server {
        let mut command = env.command(&["serve", "--listen", "127.0.0.1:0"]);
        command
            .env("STILLPOINT_SERVER_RATE_LIMIT_PER_SECOND", "0")
            .envs(vars.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(env.path("server.log")).unwrap());
        let mut child = command.spawn().expect("start stillpoint serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(address) = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
        else {
            let _ = child.kill();
            let log = std::fs::read_to_string(env.path("server.log")).unwrap_or_default();
            panic!("no address in {line:?}; log:\n{log}");
        };
        Server {
            base: format!("http://{address}"),
            child,
            _stdout: stdout,
            client: Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        }
    }

    fn get(&self, path_and_query: &str) -> Response {
        self.client
            .get(format!("{}{path_and_query}", self.base))
            .send()
            .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"))
    }

    /// GET expecting 200 and JSON.
    fn json(&self, path_and_query: &str) -> Value {
        let response = self.get(path_and_query);
        let status = response.status();
        let body = response.text().unwrap();
        assert_eq!(status, StatusCode::OK, "GET {path_and_query}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }

    /// GET expecting a problem with `status`; returns its body.
    fn problem(&self, path_and_query: &str, status: u16) -> Value {
        let response = self.get(path_and_query);
        assert_eq!(response.status().as_u16(), status, "GET {path_and_query}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            content_type, "application/problem+json",
            "GET {path_and_query}"
        );
        let body: Value = serde_json::from_str(&response.text().unwrap()).unwrap();
        assert_eq!(body["status"], status);
        for key in ["type", "title", "detail"] {
            assert!(body[key].is_string(), "{key} in {body}");
        }
        body
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn demo() -> Env {
    let env = Env::new();
    env.run(&["demo", "--no-serve", "--count", DEMO_COUNT])
        .expect_code(0);
    env
}

/// The names of a problem's invalid parameters.
fn invalid_names(problem: &Value) -> Vec<String> {
    problem["invalid_params"]
        .as_array()
        .unwrap_or_else(|| panic!("invalid_params in {problem}"))
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
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
    let response = server
        .client
        .post(format!("{}/v1/search", server.base))
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

/// Waits until `check` holds, for at most `within`.
#[allow(dead_code)]
fn eventually(within: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}
