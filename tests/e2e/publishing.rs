//! Associations publishing their member lists over HTTP, as an association's script and the
//! directory's clients see it: the real binary on 127.0.0.1:0, tokens made with `stillpoint
//! token`, real requests.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::server::Server;
use crate::common::{Env, member_count};

const JSONL: &str = "application/x-ndjson";

/// A member record of the feed format, in `city` (a gazetteer place, so no coordinates needed).
fn member(id: &str, name: &str, practice: &str) -> Value {
    json!({
        "member_id": id,
        "name": name,
        "practice_name": practice,
        "approach": "biodynamic",
        "credentials": [{"body": "bcta-na", "credential": "RCST"}],
        "specialties": ["infants", "jaw pain"],
        "locations": [{"city": "Boulder", "region": "CO", "country": "US"}],
    })
}

/// `count` members `M-0..` whose practice name carries `marker`, as JSON Lines.
fn feed(count: usize, marker: &str) -> String {
    (0..count)
        .map(|n| member(&format!("M-{n}"), &format!("Member {n}"), marker).to_string() + "\n")
        .collect()
}

fn create_token(env: &Env, association: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", "create", "--association", association];
    args.extend_from_slice(extra);
    let run = env.run(&args);
    run.expect_code(0);
    let token = run
        .stdout
        .lines()
        .find(|l| l.starts_with("spt_"))
        .unwrap_or_else(|| panic!("no token in {:?}", run.stdout));
    token.trim().to_owned()
}

/// The id part of a token (`spt_<id>_<secret>`).
fn token_id(token: &str) -> &str {
    token.split('_').nth(1).unwrap()
}

/// An association's script: requests against one server.
struct Publisher<'a> {
    server: &'a Server,
    client: Client,
}

impl<'a> Publisher<'a> {
    fn new(server: &'a Server) -> Publisher<'a> {
        Publisher {
            server,
            client: Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base)
    }

    fn send(&self, request: RequestBuilder, token: Option<&str>) -> Response {
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        request.send().expect("request sent")
    }

    /// A member list sent with `method` (PUT replaces, POST upserts).
    fn list(
        &self,
        method: Method,
        association: &str,
        query: &str,
        body: &str,
        token: &str,
    ) -> Response {
        let url = self.url(&format!("/v1/associations/{association}/members{query}"));
        self.send(
            self.client
                .request(method, url)
                .header("content-type", JSONL)
                .body(body.to_owned()),
            Some(token),
        )
    }

    fn put(&self, association: &str, query: &str, body: &str, token: &str) -> Response {
        self.list(Method::PUT, association, query, body, token)
    }

    fn post(&self, association: &str, body: &str, token: &str) -> Response {
        self.list(Method::POST, association, "", body, token)
    }

    fn delete(&self, association: &str, member: &str, token: &str) -> Response {
        let url = self.url(&format!("/v1/associations/{association}/members/{member}"));
        self.send(self.client.delete(url), Some(token))
    }

    fn status(&self, association: &str, token: &str) -> Response {
        let url = self.url(&format!("/v1/associations/{association}/status"));
        self.send(self.client.get(url), Some(token))
    }

    /// The association's public directory (its members only).
    fn members(&self, association: &str, query: &str) -> Value {
        let url = self.url(&format!("/v1/associations/{association}/members?{query}"));
        ok_json(self.send(self.client.get(url), None))
    }
}

#[track_caller]
fn ok_json(response: Response) -> Value {
    let status = response.status();
    let body = response.text().unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// Asserts a problem+json answer with `status`; returns its body.
#[track_caller]
fn problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "a problem"
    );
    let body: Value = serde_json::from_str(&response.text().unwrap()).unwrap();
    assert_eq!(body["status"], status, "{body}");
    body
}

fn member_ids(directory: &Value) -> BTreeSet<String> {
    directory["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A server with rate limits that a test's bursts do not trip.
fn start(env: &Env, vars: &[(&str, &str)]) -> Server {
    let mut all = vec![("STILLPOINT_PUBLISHING_FAILED_AUTH_PER_MINUTE", "1000")];
    all.extend_from_slice(vars);
    Server::start(env, &all)
}

#[test]
fn every_write_and_status_route_answers_the_token_matrix() {
    let env = Env::new();
    let right = create_token(&env, "bcta-na", &["--label", "ci"]);
    let other = create_token(&env, "upledger", &[]);
    let revoked = create_token(&env, "bcta-na", &[]);
    env.run(&["token", "revoke", token_id(&revoked)])
        .expect_code(0);
    let expired = create_token(&env, "bcta-na", &["--expires", "1s"]);
    let unknown = format!("spt_0123456789ab_{}", "A".repeat(43));
    let created = Instant::now();
    // Every request logged, so the check below that no token reaches the log means something.
    let server = start(&env, &[("STILLPOINT_LOG", "debug")]);
    let publisher = Publisher::new(&server);
    std::thread::sleep(Duration::from_millis(1100).saturating_sub(created.elapsed()));

    let one = feed(1, "Matrix");
    // Every write and status route: (method, path, whether it takes a body).
    let routes = [
        (Method::PUT, "/v1/associations/bcta-na/members", true),
        (Method::POST, "/v1/associations/bcta-na/members", true),
        (
            Method::DELETE,
            "/v1/associations/bcta-na/members/M-0",
            false,
        ),
        (Method::GET, "/v1/associations/bcta-na/status", false),
    ];
    let call = |(method, path, with_body): &(Method, &str, bool), token: Option<&str>| {
        let mut request = publisher
            .client
            .request(method.clone(), publisher.url(path));
        if *with_body {
            request = request.header("content-type", JSONL).body(one.clone());
        }
        publisher.send(request, token)
    };
    let secrets = [&right, &other, &revoked, &expired, &unknown];
    for route in &routes {
        let name = format!("{} {}", route.0, route.1);
        for (case, token, status) in [
            ("no token", None, 401),
            ("malformed", Some("not-a-token"), 401),
            ("unknown", Some(unknown.as_str()), 401),
            ("revoked", Some(revoked.as_str()), 401),
            ("expired", Some(expired.as_str()), 401),
            ("other association", Some(other.as_str()), 403),
        ] {
            let response = call(route, token);
            assert_eq!(response.status().as_u16(), status, "{name}, {case}");
            if status == 401 {
                let challenge = response.headers()["www-authenticate"].to_str().unwrap();
                assert!(
                    challenge.starts_with("Bearer"),
                    "{name}, {case}: {challenge}"
                );
            }
            let body = response.text().unwrap();
            for secret in secrets {
                assert!(!body.contains(secret.as_str()), "{name}, {case}: {body}");
            }
        }
        let response = call(route, Some(&right));
        assert_eq!(response.status(), StatusCode::OK, "{name}, right token");
    }
    // Last use is recorded (written back within a few seconds) for the valid tokens, the one
    // refused on another association's routes included, and only for them.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list = env.run(&["token", "list", "--json"]);
        list.expect_code(0);
        let tokens: Value = serde_json::from_str(&list.stdout).unwrap();
        let used: Vec<&str> = tokens
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| !t["last_used"].is_null())
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        if used.len() >= 2 {
            assert_eq!(used, [token_id(&right), token_id(&other)]);
            break;
        }
        assert!(Instant::now() < deadline, "no last use recorded");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The server's log never carries a token.
    drop(publisher);
    drop(server);
    let log = std::fs::read_to_string(env.path("server.log")).unwrap_or_default();
    for secret in secrets {
        assert!(!log.contains(secret.as_str()), "a token in the server log");
    }
}

#[test]
fn failed_attempts_are_rate_limited_per_client() {
    let env = Env::new();
    let right = create_token(&env, "bcta-na", &[]);
    let server = Server::start(
        &env,
        &[("STILLPOINT_PUBLISHING_FAILED_AUTH_PER_MINUTE", "3")],
    );
    let publisher = Publisher::new(&server);
    for _ in 0..3 {
        problem(publisher.status("bcta-na", "spt_guess_guess"), 401);
    }
    let refused = publisher.status("bcta-na", "spt_guess_guess");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    // While the address is blocked, even a right token waits: guessing must not go on.
    assert_eq!(
        publisher.status("bcta-na", &right).status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Searching is not affected.
    ok_json(
        publisher
            .client
            .get(publisher.url("/v1/search?limit=1"))
            .send()
            .unwrap(),
    );
}

#[test]
fn replace_upsert_delete_and_dry_run_change_exactly_what_they_say() {
    let env = Env::new();
    let token = create_token(&env, "bcta-na", &[]);
    let upledger = create_token(&env, "upledger", &[]);
    let server = start(&env, &[]);
    let p = Publisher::new(&server);

    let first = ok_json(p.put("bcta-na", "", &feed(5, "First"), &token));
    assert_eq!(
        (&first["added"], &first["updated"], &first["removed"]),
        (&json!(5), &json!(0), &json!(0)),
        "{first}"
    );
    let generation = first["generation"].as_u64().unwrap();
    assert_eq!(p.members("bcta-na", "per_page=100")["total"], 5);
    // Visible in the public search at once, not only in the association's directory.
    let found = ok_json(
        p.client
            .get(p.url("/v1/search?q=First&body=bcta-na"))
            .send()
            .unwrap(),
    );
    assert_eq!(found["total"], 5, "{found}");

    let again = ok_json(p.put("bcta-na", "", &feed(5, "First"), &token));
    assert_eq!(
        (&again["unchanged"], &again["added"], &again["updated"]),
        (&json!(5), &json!(0), &json!(0)),
        "{again}"
    );
    assert!(again["generation"].as_u64().unwrap() >= generation);

    // Upsert: one new member, one changed, the others untouched.
    let upsert = member("M-9", "Nina", "First").to_string()
        + "\n"
        + &member("M-0", "Member 0, renamed", "First").to_string();
    let post = ok_json(p.post("bcta-na", &upsert, &token));
    assert_eq!((&post["added"], &post["updated"]), (&json!(1), &json!(1)));
    assert_eq!(post["removed"], 0);
    assert_eq!(p.members("bcta-na", "per_page=100")["total"], 6);

    // Dry run: reported, not applied.
    let dry = ok_json(p.put("bcta-na", "?dry_run=true", &feed(5, "First"), &token));
    assert_eq!(
        (&dry["dry_run"], &dry["removed"]),
        (&json!(true), &json!(1))
    );
    assert!(dry["generation"].is_null(), "{dry}");
    assert_eq!(p.members("bcta-na", "per_page=100")["total"], 6);

    // Replace: the member the list no longer has is removed (1 of 6: under the 20% guard).
    let replace = ok_json(p.put("bcta-na", "", &feed(5, "First"), &token));
    assert_eq!(
        (&replace["removed"], &replace["updated"]),
        (&json!(1), &json!(1))
    );
    let ids = member_ids(&p.members("bcta-na", "per_page=100"));
    assert_eq!(ids.len(), 5);
    assert!(!ids.contains("bcta-na:M-9"));

    // Delete one; deleting it again is a 404.
    let deleted = ok_json(p.delete("bcta-na", "M-1", &token));
    assert_eq!(deleted["removed"], 1);
    problem(p.delete("bcta-na", "M-1", &token), 404);
    assert_eq!(p.members("bcta-na", "per_page=100")["total"], 4);

    // The status tells the association what it last published.
    let status = ok_json(p.status("bcta-na", &token));
    assert_eq!(status["members"], 4, "{status}");
    assert_eq!(
        status["last_publication"]["report"]["removed"], 1,
        "{status}"
    );
    assert!(!status.to_string().contains(&token));

    // Another association's directory is untouched and separate.
    ok_json(p.put("upledger", "", &feed(2, "Other"), &upledger));
    assert_eq!(p.members("bcta-na", "per_page=100")["total"], 4);
    assert_eq!(p.members("upledger", "per_page=100")["total"], 2);
}

#[test]
fn a_replace_that_would_wipe_the_directory_is_refused_unless_allowed() {
    let env = Env::new();
    let token = create_token(&env, "bcta-na", &[]);
    let server = start(&env, &[]);
    let p = Publisher::new(&server);
    ok_json(p.put("bcta-na", "", &feed(10, "Full"), &token));

    let truncated = feed(2, "Full");
    let refused = problem(p.put("bcta-na", "", &truncated, &token), 409);
    assert_eq!(
        (&refused["would_remove"], &refused["existing"]),
        (&json!(8), &json!(10)),
        "{refused}"
    );
    assert_eq!(p.members("bcta-na", "per_page=100")["total"], 10);
    // A dry run reports the same refusal.
    problem(p.put("bcta-na", "?dry_run=true", &truncated, &token), 409);

    let allowed = ok_json(p.put("bcta-na", "?allow_mass_delete=true", &truncated, &token));
    assert_eq!(allowed["removed"], 8);
    assert_eq!(p.members("bcta-na", "per_page=100")["total"], 2);
}

#[test]
fn a_hostile_body_is_rejected_row_by_row_and_the_valid_rows_are_published() {
    let env = Env::new();
    let token = create_token(&env, "bcta-na", &[]);
    let server = start(&env, &[("STILLPOINT_PUBLISHING_MAX_BODY_BYTES", "65536")]);
    let p = Publisher::new(&server);

    let with = |id: &str, edit: &dyn Fn(&mut Value)| {
        let mut value = member(id, "Valid Name", "Hostile");
        edit(&mut value);
        value.to_string().into_bytes()
    };
    let mut lines: Vec<Vec<u8>> = vec![
        with("ok-1", &|_| {}),
        b"{\"member_id\": \"broken\", \"name\": ".to_vec(),
        with("wrong-type", &|v| v["locations"][0]["lat"] = "north".into()),
        with("far-away", &|v| {
            v["locations"][0] = json!({"country": "US", "lat": 123.0, "lon": 0.0})
        }),
        with("unknown-body", &|v| {
            v["credentials"][0]["body"] = "acme-guild".into()
        }),
        with("ok-1", &|_| {}),
        with("bad-utf8", &|v| v["name"] = "MARKER".into()),
        with("formula", &|v| {
            v["name"] = "=HYPERLINK(\"http://evil.example\",\"Book now\")".into()
        }),
        with("bad id!", &|_| {}),
        with("ok-2", &|_| {}),
    ];
    let at = lines[6].windows(6).position(|w| w == b"MARKER").unwrap();
    lines[6].splice(at..at + 6, [0xff, 0xfe]);
    let body: Vec<u8> = lines.join(&b'\n');

    let response = p.send(
        p.client
            .put(p.url("/v1/associations/bcta-na/members"))
            .header("content-type", JSONL)
            .body(body),
        Some(&token),
    );
    let report = ok_json(response);
    assert_eq!(
        (&report["accepted"], &report["rejected"]),
        (&json!(2), &json!(8)),
        "{report}"
    );
    let rejected: Vec<(u64, String)> = report["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let lines_rejected: Vec<u64> = rejected.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines_rejected, [2, 3, 4, 5, 6, 7, 8, 9], "{report}");
    assert!(
        rejected.contains(&(3, "locations[0].lat".into())),
        "{report}"
    );
    assert!(rejected.contains(&(8, "name".into())), "{report}");
    assert_eq!(
        member_ids(&p.members("bcta-na", "per_page=100")),
        BTreeSet::from(["bcta-na:ok-1".to_owned(), "bcta-na:ok-2".to_owned()])
    );

    // CSV by its content type, with a row problem named by column.
    let csv = "member_id,name,country,city,region,credentials\n\
               c-1,Cleo,US,Boulder,CO,bcta-na:RCST\n\
               c-2,Cy,US,Boulder,CO,RCST\n";
    let report = ok_json(
        p.send(
            p.client
                .post(p.url("/v1/associations/bcta-na/members"))
                .header("content-type", "text/csv; charset=utf-8")
                .body(csv),
            Some(&token),
        ),
    );
    assert_eq!(
        (&report["added"], &report["rejected"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(report["rejections"][0]["line"], 3, "{report}");
    assert_eq!(report["rejections"][0]["field"], "credentials", "{report}");

    // A body in no feed format, and one over the size limit.
    problem(
        p.send(
            p.client
                .put(p.url("/v1/associations/bcta-na/members"))
                .header("content-type", "application/xml")
                .body("<members/>"),
            Some(&token),
        ),
        415,
    );
    problem(p.put("bcta-na", "", &feed(400, "Too much"), &token), 413);
    assert_eq!(p.members("bcta-na", "per_page=100")["total"], 3);
}

#[test]
fn searches_during_fifty_publications_never_fail_or_see_half_of_one() {
    let env = Env::new();
    let token = create_token(&env, "bcta-na", &[]);
    let server = start(&env, &[]);
    let p = Publisher::new(&server);
    // Publication k lists 20 + (k % 4) * 5 members, all marked "Round k": a search that saw a
    // mix of two publications would see two markers or a count that is not its round's.
    let size = |k: usize| 20 + (k % 4) * 5;
    ok_json(p.put(
        "bcta-na",
        "?allow_mass_delete=true",
        &feed(size(0), "Round 0"),
        &token,
    ));

    let done = Arc::new(AtomicBool::new(false));
    let searches = Arc::new(AtomicUsize::new(0));
    let base = server.base.clone();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (done, searches, base) = (done.clone(), searches.clone(), base.clone());
            std::thread::spawn(move || {
                let client = Client::new();
                while !done.load(Ordering::Relaxed) {
                    let response = client
                        .get(format!(
                            "{base}/v1/associations/bcta-na/members?per_page=100&sort=name"
                        ))
                        .send()
                        .expect("a search during publications");
                    let directory = ok_json(response);
                    let markers: BTreeSet<&str> = directory["hits"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|h| h["practice_name"].as_str().unwrap())
                        .collect();
                    assert_eq!(markers.len(), 1, "one publication at a time: {markers:?}");
                    let round: usize = markers.first().unwrap()["Round ".len()..].parse().unwrap();
                    assert_eq!(directory["total"], size(round), "round {round}");
                    searches.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for k in 1..=50 {
        let report = ok_json(p.put(
            "bcta-na",
            "?allow_mass_delete=true",
            &feed(size(k), &format!("Round {k}")),
            &token,
        ));
        assert_eq!(report["accepted"], size(k));
    }
    done.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.join().expect("no search failed");
    }
    assert!(searches.load(Ordering::Relaxed) > 0);
    let last = p.members("bcta-na", "per_page=100");
    assert_eq!(last["total"], size(50));
}

/// A scripted feed host: `/feed` serves the current body with an ETag and honours
/// If-None-Match; `/stall` sends headers and then nothing; `/big` sends more than the limit;
/// `/redirect` points at a private address.
struct FeedHost {
    base: String,
    body: Arc<std::sync::Mutex<(String, String)>>,
    feed_requests: Arc<AtomicUsize>,
}

impl FeedHost {
    fn start() -> FeedHost {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let body = Arc::new(std::sync::Mutex::new((String::new(), "\"v0\"".to_owned())));
        let feed_requests = Arc::new(AtomicUsize::new(0));
        let (shared, count) = (body.clone(), feed_requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (shared, count) = (shared.clone(), count.clone());
                std::thread::spawn(move || {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buffer) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let request = String::from_utf8_lossy(&request).to_lowercase();
                    let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
                    let respond = |stream: &mut std::net::TcpStream, head: &str, body: &[u8]| {
                        let _ = stream.write_all(head.as_bytes());
                        let _ = stream.write_all(body);
                    };
                    match path.as_str() {
                        "/feed" => {
                            count.fetch_add(1, Ordering::SeqCst);
                            let (body, etag) = shared.lock().unwrap().clone();
                            if request.contains(&format!("if-none-match: {}", etag.to_lowercase()))
                            {
                                respond(
                                    &mut stream,
                                    &format!(
                                        "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
                                    ),
                                    b"",
                                );
                            } else {
                                respond(
                                    &mut stream,
                                    &format!(
                                        "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                        body.len()
                                    ),
                                    body.as_bytes(),
                                );
                            }
                        }
                        "/stall" => {
                            respond(
                                &mut stream,
                                "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n",
                                b"{\"member_id\":",
                            );
                            std::thread::sleep(Duration::from_secs(10));
                        }
                        "/big" => {
                            let big = feed(2000, "Big");
                            respond(
                                &mut stream,
                                &format!(
                                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                    big.len()
                                ),
                                big.as_bytes(),
                            );
                        }
                        "/redirect" => respond(
                            &mut stream,
                            "HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/feed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                            b"",
                        ),
                        _ => respond(
                            &mut stream,
                            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                            b"",
                        ),
                    }
                });
            }
        });
        FeedHost {
            base,
            body,
            feed_requests,
        }
    }

    fn set(&self, body: String, etag: &str) {
        *self.body.lock().unwrap() = (body, etag.to_owned());
    }
}

/// The shipped configuration with `[[feeds]]` entries added.
fn config_with_feeds(env: &Env, feeds: &[(&str, String)]) -> std::path::PathBuf {
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/stillpoint.toml");
    let mut text = std::fs::read_to_string(shipped).unwrap();
    for (association, url) in feeds {
        text.push_str(&format!(
            "\n[[feeds]]\nassociation = \"{association}\"\nurl = \"{url}\"\ninterval_minutes = 60\n"
        ));
    }
    env.write("stillpoint.toml", text.as_bytes())
}

#[test]
fn pulled_feeds_are_applied_conditionally_and_failures_keep_the_previous_listing() {
    let env = Env::new();
    let host = FeedHost::start();
    host.set(feed(3, "Pulled"), "\"v1\"");
    let config = config_with_feeds(
        &env,
        &[
            ("bcta-na", format!("{}/feed", host.base)),
            ("upledger", format!("{}/stall", host.base)),
            ("iahp", format!("{}/big", host.base)),
            ("csta-uk", format!("{}/redirect", host.base)),
        ],
    );
    let config = config.to_str().unwrap();
    let pull = |association: &str| {
        let mut command = env.command(&[
            "--config",
            config,
            "pull",
            "--json",
            "--association",
            association,
        ]);
        command
            .env("STILLPOINT_PUBLISHING_ALLOW_LOOPBACK", "true")
            .env("STILLPOINT_INGEST_FETCH_TIMEOUT_SECS", "1")
            .env("STILLPOINT_INGEST_MAX_FEED_BYTES", "100000");
        let run = crate::common::Run::from(command.output().unwrap());
        let report: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
        (run.code, report)
    };

    let (code, report) = pull("bcta-na");
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report[0]["outcome"]["status"], "applied", "{report}");
    assert_eq!(member_count(&env.state(), "bcta-na"), 3);

    // Unchanged upstream: a conditional request, a 304, nothing applied.
    let (code, report) = pull("bcta-na");
    assert_eq!(code, Some(0));
    assert_eq!(report[0]["outcome"]["status"], "not_modified", "{report}");

    host.set(feed(4, "Pulled"), "\"v2\"");
    let (_, report) = pull("bcta-na");
    assert_eq!(report[0]["outcome"]["added"], 1, "{report}");
    assert_eq!(member_count(&env.state(), "bcta-na"), 4);
    assert_eq!(host.feed_requests.load(Ordering::SeqCst), 3);

    // Failures: a stalled body, an oversized one, a redirect to a private address. Each keeps
    // the association's previous listing.
    let token = create_token(&env, "upledger", &[]);
    let server = Server::start(
        &env,
        &[("STILLPOINT_PUBLISHING_FAILED_AUTH_PER_MINUTE", "1000")],
    );
    ok_json(Publisher::new(&server).put("upledger", "", &feed(2, "Pushed"), &token));
    drop(server);
    for (association, kind) in [
        ("upledger", "timeout"),
        ("iahp", "too_large"),
        ("csta-uk", "refused"),
    ] {
        let (code, report) = pull(association);
        assert_eq!(code, Some(1), "{association}: {report}");
        assert_eq!(report[0]["outcome"]["status"], "failed", "{report}");
        assert_eq!(
            report[0]["outcome"]["kind"], kind,
            "{association}: {report}"
        );
    }
    assert_eq!(member_count(&env.state(), "upledger"), 2);
    assert_eq!(member_count(&env.state(), "iahp"), 0);

    // The server pulls on its own at start, and the status shows the last pull.
    host.set(feed(5, "Pulled"), "\"v3\"");
    let bcta = create_token(&env, "bcta-na", &[]);
    let mut command_vars = vec![
        ("STILLPOINT_PUBLISHING_ALLOW_LOOPBACK", "true"),
        ("STILLPOINT_INGEST_FETCH_TIMEOUT_SECS", "1"),
        ("STILLPOINT_INGEST_MAX_FEED_BYTES", "100000"),
        ("STILLPOINT_CONFIG", config),
    ];
    command_vars.push(("STILLPOINT_PUBLISHING_FAILED_AUTH_PER_MINUTE", "1000"));
    let server = Server::start(&env, &command_vars);
    let p = Publisher::new(&server);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = ok_json(p.status("bcta-na", &bcta));
        if status["members"] == 5 {
            assert_eq!(
                status["last_pull"]["outcome"]["status"], "applied",
                "{status}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "no pull within 10 s: {status}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = ok_json(p.status("upledger", &token));
    assert_eq!(
        status["last_pull"]["outcome"]["status"], "failed",
        "{status}"
    );
    assert_eq!(status["members"], 2);
}

/// Kills the server with SIGKILL at random moments while an association publishes, 20 times:
/// every acknowledged publication survives, and the members are always exactly those of one
/// publication.
#[test]
fn killing_the_server_during_publications_loses_nothing_acknowledged() {
    let env = Env::new();
    let token = create_token(&env, "bcta-na", &[]);
    let size = |k: usize| 10 + (k % 7) * 3;
    // Deterministic pseudo-random delays (no rand dependency): an LCG.
    let mut seed: u64 = 0x5eed;
    let mut next_delay = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        Duration::from_millis(50 + (seed >> 33) % 400)
    };
    let mut acknowledged: Option<usize> = None;
    let mut attempted = 0;
    let mut seqs = Vec::new();
    for round in 0..20 {
        let server = start(&env, &[]);
        // What the previous round left: exactly one publication, the last acknowledged one or
        // one that was in flight when the server died.
        let p = Publisher::new(&server);
        let directory = p.members("bcta-na", "per_page=100");
        if let Some(last) = acknowledged {
            let markers: BTreeSet<&str> = directory["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["practice_name"].as_str().unwrap())
                .collect();
            assert_eq!(markers.len(), 1, "round {round}: {markers:?}");
            let k: usize = markers.first().unwrap()["Round ".len()..].parse().unwrap();
            assert!(
                (last..=attempted).contains(&k),
                "round {round}: found publication {k}, acknowledged {last}, attempted {attempted}"
            );
            assert_eq!(directory["total"], size(k), "round {round}");
        }
        let base = server.base.clone();
        let (stop, token) = (Arc::new(AtomicBool::new(false)), token.clone());
        let start_at = attempted + 1;
        let stopper = stop.clone();
        let script = std::thread::spawn(move || {
            let client = Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            let mut acks = Vec::new();
            let mut k = start_at;
            while !stopper.load(Ordering::Relaxed) {
                let sent = client
                    .put(format!(
                        "{base}/v1/associations/bcta-na/members?allow_mass_delete=true"
                    ))
                    .bearer_auth(&token)
                    .header("content-type", JSONL)
                    .body(feed(size(k), &format!("Round {k}")))
                    .send();
                match sent {
                    Ok(response) if response.status() == StatusCode::OK => {
                        let report: Value =
                            serde_json::from_str(&response.text().unwrap()).unwrap();
                        acks.push((k, report["seq"].as_u64().unwrap()));
                    }
                    Ok(response) => panic!("publication {k}: {}", response.status()),
                    // The server died under the request.
                    Err(_) => return (acks, k),
                }
                k += 1;
            }
            (acks, k - 1)
        });
        std::thread::sleep(next_delay());
        drop(server); // SIGKILL
        stop.store(true, Ordering::Relaxed);
        let (acks, last_attempted) = script.join().unwrap();
        attempted = last_attempted.max(attempted);
        if let Some(&(k, _)) = acks.last() {
            acknowledged = Some(k);
        }
        seqs.extend(acks.iter().map(|&(_, seq)| seq));
    }
    assert!(
        seqs.len() >= 20,
        "too few publications acknowledged: {}",
        seqs.len()
    );
    // Every acknowledged publication is in the store.
    for seq in seqs {
        let meta = env
            .state()
            .join("publications/bcta-na")
            .join(format!("{seq:012}.json"));
        assert!(meta.exists(), "{} is missing", meta.display());
    }
}

#[test]
fn rebuild_from_the_store_answers_every_query_as_before() {
    let env = Env::new();
    let bcta = create_token(&env, "bcta-na", &[]);
    let upledger = create_token(&env, "upledger", &[]);
    {
        let server = start(&env, &[]);
        let p = Publisher::new(&server);
        ok_json(p.put("bcta-na", "", &feed(12, "Rebuilt"), &bcta));
        ok_json(p.post(
            "bcta-na",
            &(member("X-1", "Xavier Upsert", "Late").to_string() + "\n{\"member_id\":"),
            &bcta,
        ));
        ok_json(p.delete("bcta-na", "M-3", &bcta));
        ok_json(p.put("upledger", "", &feed(4, "Other"), &upledger));
    }
    // The command line publishes through the store too.
    let extra = env.write(
        "extra.jsonl",
        (member("C-1", "Cli Person", "From the CLI").to_string() + "\n").as_bytes(),
    );
    env.run(&["ingest", "--association", "iahp", extra.to_str().unwrap()])
        .expect_code(0);

    let queries: [&[&str]; 5] = [
        &["search", "--json", "--limit", "100"],
        &[
            "search",
            "--json",
            "--near",
            "Boulder, CO",
            "--radius",
            "30km",
            "--sort",
            "name",
        ],
        &["search", "Member", "--json", "--specialty", "infants"],
        &[
            "search",
            "--json",
            "--body",
            "bcta-na",
            "--facets",
            "specialty",
        ],
        &["search", "xavier", "--json"],
    ];
    let answers = |env: &Env| -> Vec<Value> {
        queries
            .iter()
            .map(|args| {
                let run = env.run(args);
                run.expect_code(0);
                let mut value: Value = serde_json::from_str(&run.stdout).unwrap();
                value.as_object_mut().unwrap().remove("took_ms");
                value
            })
            .collect()
    };
    let before = answers(&env);
    assert_eq!(before[0]["total"], 12 + 1 - 1 + 4 + 1);
    env.run(&["rebuild"]).expect_code(0);
    assert_eq!(answers(&env), before);
}
