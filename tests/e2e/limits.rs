//! Every limit of the HTTP API at its edge, and every error class in its problem shape, against
//! the real binary over real HTTP.
//!
//! The limits are set through the environment to values unlike the shipped ones, so a pass shows
//! the configuration reaches the server, not only that the engine has defaults. Two limits need
//! a search that is slow on purpose (every search slot busy, the request deadline); they are
//! tested in `crates/stillpoint-server/tests/overload.rs`, where the test holds a slot itself
//! rather than hoping its own searches overlap on a loaded machine.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::Env;
use crate::common::server::{Server, expect_problem, invalid_names, reason};

/// Practitioners in the index: more than the result window below, so the cursor has somewhere
/// to go past it.
const COUNT: usize = 100;

/// The configured limits, each unlike the shipped configuration.
const MAX_QUERY_CHARS: usize = 40;
const MAX_FILTER_VALUES: usize = 5;
const MAX_PER_PAGE: usize = 30;
const MAX_WINDOW: usize = 60;
const MAX_BODY_BYTES: usize = 1000;

/// An index of `count` practitioners in Denver, ingested from a generated feed (a tenth of the
/// time `stillpoint demo` takes, which matters: every test here starts its own server).
fn index_of(count: usize) -> Env {
    let env = Env::new();
    let feed: String = (0..count)
        .map(|n| {
            format!(
                r#"{{"member_id":"L-{n}","name":"Limit Tester {n}","specialties":["tmj"],"languages":["en"],"locations":[{{"city":"Denver","region":"CO","country":"US"}}]}}"#
            ) + "\n"
        })
        .collect();
    let path = env.write("feed.jsonl", feed.as_bytes());
    env.run(&["ingest", "--association", "bcta-na", path.to_str().unwrap()])
        .expect_code(0);
    env
}

/// A server over `COUNT` practitioners with every search limit configured unlike the shipped
/// configuration.
fn limited_server() -> (Env, Server) {
    let env = index_of(COUNT);
    let settings = [
        ("STILLPOINT_LIMITS_MAX_QUERY_CHARS", MAX_QUERY_CHARS),
        ("STILLPOINT_LIMITS_MAX_FILTER_VALUES", MAX_FILTER_VALUES),
        ("STILLPOINT_LIMITS_MAX_PER_PAGE", MAX_PER_PAGE),
        ("STILLPOINT_LIMITS_MAX_WINDOW", MAX_WINDOW),
        ("STILLPOINT_SERVER_MAX_BODY_BYTES", MAX_BODY_BYTES),
    ]
    .map(|(k, v)| (k, v.to_string()));
    let mut vars: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.push(("STILLPOINT_LIMITS_MAX_RADIUS_KM", "250"));
    let server = Server::start(&env, &vars);
    (env, server)
}

/// A 400 naming exactly `name`, whose reason contains each of `words`.
#[track_caller]
fn refused(server: &Server, path: &str, name: &str, words: &[&str]) -> Value {
    let problem = server.problem(path, 400);
    assert_eq!(invalid_names(&problem), [name], "{path}: {problem}");
    let why = reason(&problem, name);
    for word in words {
        assert!(
            why.contains(word),
            "{word:?} in the reason of {path}: {why}"
        );
    }
    problem
}

#[test]
fn each_configured_search_limit_holds_at_its_edge() {
    let (_env, server) = limited_server();

    // Query length, counted in characters, not bytes: 40 two-byte characters pass.
    let at = "é".repeat(MAX_QUERY_CHARS);
    server.json(&format!("/v1/search?q={at}&limit=0"));
    refused(&server, &format!("/v1/search?q={at}é"), "q", &["40"]);
    refused(&server, &format!("/v1/search?near={at}é"), "near", &["40"]);

    // Filter values, counted across every filter.
    let five = "language=en&language=de&country=GB&country=US&specialty=tmj";
    server.json(&format!("/v1/search?{five}&limit=0"));
    refused(
        &server,
        &format!("/v1/search?{five}&region=GB-ENG&limit=0"),
        "filters",
        &["6 filter values", "at most 5"],
    );

    // Page size, by either name.
    server.json("/v1/search?per_page=30&facets=none");
    refused(&server, "/v1/search?per_page=31", "per_page", &["30"]);
    refused(&server, "/v1/search?limit=31", "limit", &["30"]);

    // Deep paging: the window is 60 results, whichever way the page is asked for; beyond it
    // the reason gives the range and the way on (the cursor), in the client's own terms.
    let last = server.json("/v1/search?page=2&per_page=30&facets=none");
    assert_eq!(last["hits"].as_array().unwrap().len(), 30);
    let p = refused(
        &server,
        "/v1/search?page=3&per_page=30",
        "page",
        &["page × per_page is 90", "at most 60", "cursor"],
    );
    assert!(!reason(&p, "page").contains("offset"), "{p}");
    refused(
        &server,
        "/v1/search?page=61&per_page=1",
        "page",
        &["at most 60", "cursor"],
    );
    // Too deep to count is the same refusal, not an overflow.
    refused(
        &server,
        &format!("/v1/search?page={}&per_page=30", usize::MAX),
        "page",
        &["at most 60", "cursor"],
    );
    server.json("/v1/search?offset=59&limit=1&facets=none");
    refused(
        &server,
        "/v1/search?offset=31&limit=30",
        "offset",
        &["offset + limit is 61", "at most 60", "cursor"],
    );
    // And the cursor does go past the window, to the last practitioner.
    let mut seen = 0;
    let mut path = "/v1/search?sort=name&limit=30&facets=none".to_string();
    loop {
        let page = server.json(&path);
        seen += page["hits"].as_array().unwrap().len();
        let Some(next) = page["next_cursor"].as_str() else {
            break;
        };
        path = format!("/v1/search?sort=name&limit=30&facets=none&cursor={next}");
    }
    assert_eq!(seen, COUNT);

    // Radius.
    server.json("/v1/search?near=London&radius=250km&limit=0");
    refused(
        &server,
        "/v1/search?near=London&radius=250.5km",
        "radius",
        &["250"],
    );
}

#[test]
fn every_error_class_is_a_problem_without_internals() {
    let (env, server) = limited_server();
    let mut problems = Vec::new();

    // Unknown parameters are named on every resource.
    for path in [
        "/v1/search?colour=blue",
        "/v1/practitioners/upledger:A-1?colour=blue",
        "/v1/facets/specialty?colour=blue",
        "/v1/suggest?q=ab&colour=blue",
        "/v1/geocode?q=ab&colour=blue",
        "/v1/vocabulary?colour=blue",
    ] {
        let p = server.problem(path, 400);
        assert_eq!(invalid_names(&p), ["colour"], "{path}: {p}");
        problems.push(p);
    }

    // axum's own rejection of a path it cannot decode.
    let p = server.problem("/v1/practitioners/%FF", 400);
    assert_eq!(invalid_names(&p), ["path"], "{p}");
    problems.push(p);

    // Unknown routes and unknown practitioners.
    for path in ["/v2/search", "/v1/search/", "/v1"] {
        problems.push(server.problem(path, 404));
    }
    let p = server.problem("/v1/practitioners/upledger:NOPE-1", 404);
    assert!(p["detail"].as_str().unwrap().contains("NOPE-1"), "{p}");
    problems.push(p);

    // A method the resource does not answer: 405 naming the ones it does.
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let response = server
            .client
            .request(method.parse().unwrap(), server.url("/v1/search"))
            .send()
            .unwrap();
        assert_eq!(response.headers()["allow"], "GET,HEAD", "{method}");
        let p = expect_problem(response, 405);
        assert_eq!(p["type"], "/problems/method-not-allowed");
        assert!(p["detail"].as_str().unwrap().contains("Allow"), "{p}");
        problems.push(p);
    }

    // Request body: the API reads none, but a declared length over the limit is refused before
    // anything is read; at the limit the request is answered as if it had no body.
    let body = |size: usize| {
        server
            .client
            .get(server.url("/v1/search?limit=0"))
            .body(vec![b'x'; size])
            .send()
            .unwrap()
    };
    assert_eq!(body(MAX_BODY_BYTES).status(), StatusCode::OK);
    let p = expect_problem(body(MAX_BODY_BYTES + 1), 413);
    assert_eq!(p["type"], "/problems/body-too-large");
    problems.push(p);
    assert_eq!(
        chunked_body_status(&server, 4 * MAX_BODY_BYTES),
        200,
        "a chunked body of unknown length is left unread"
    );

    // A problem never shows where the server keeps its state.
    let state = env.state().display().to_string();
    for p in &problems {
        assert!(!p.to_string().contains(&state), "{p}");
    }
}

/// Sends a GET whose chunked body (no declared length) is larger than the limit and never
/// ends, and returns the status of the answer.
///
/// Why not 413: a body without a length can only be measured by reading it, and no GET route
/// reads its body, so the server answers without waiting for it and closes the connection;
/// nothing past the socket buffers is read, so `max_body_bytes` is kept. The body limit turns
/// into a 413 only where a route reads a body (tower-http's `RequestBodyLimitLayer` limits the
/// reading).
fn chunked_body_status(server: &Server, size: usize) -> u16 {
    let address = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    // A server that waited for the end of the body would fail the test here, not hang it.
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // One write: the server may answer as soon as it has the head and close the connection, and
    // a later write would then fail (broken pipe). No last chunk: the body never ends.
    let mut request = format!(
        "GET /v1/search?limit=0 HTTP/1.1\r\nHost: stillpoint.test\r\nTransfer-Encoding: chunked\r\n\r\n{size:x}\r\n"
    )
    .into_bytes();
    request.extend(std::iter::repeat_n(b'x', size));
    request.extend_from_slice(b"\r\n");
    stream.write_all(&request).unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).unwrap();
    let head = String::from_utf8_lossy(&head).into_owned();
    head.strip_prefix("HTTP/1.1 ")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("a status line: {head:?}"))
}

#[test]
fn the_rate_limit_is_per_client_a_burst_then_a_refill() {
    let env = index_of(1);
    let server = Server::start(
        &env,
        &[
            ("STILLPOINT_SERVER_RATE_LIMIT_PER_SECOND", "1"),
            ("STILLPOINT_SERVER_RATE_LIMIT_BURST", "3"),
        ],
    );
    // The bucket starts full: the burst passes.
    for _ in 0..3 {
        assert_eq!(server.get("/v1/search?limit=0").status(), StatusCode::OK);
    }
    // One token comes back per second, so on a slow machine a request or two more may pass;
    // the 429 must still come long before this bound.
    let limited = (0..20)
        .map(|_| server.get("/v1/search?limit=0"))
        .find(|r| r.status() != StatusCode::OK)
        .expect("a request beyond the burst is refused");
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // At one request per second the next token is at most a second away.
    assert_eq!(retry, 1);
    let p = expect_problem(limited, 429);
    assert_eq!(p["type"], "/problems/rate-limited");

    // Operations routes are never limited.
    assert_eq!(server.get("/healthz").status(), StatusCode::OK);

    // Another client address has its own bucket (Linux routes all of 127/8 to loopback).
    #[cfg(target_os = "linux")]
    {
        let other = reqwest::blocking::Client::builder()
            .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let response = other.get(server.url("/v1/search?limit=0")).send().unwrap();
        assert_eq!(response.status(), StatusCode::OK, "another client");
    }

    // After the wait the server asked for, the client may search again.
    std::thread::sleep(Duration::from_secs(retry));
    assert_eq!(server.get("/v1/search?limit=0").status(), StatusCode::OK);
}
