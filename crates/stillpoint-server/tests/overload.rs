//! The two limits that need a slow search to be seen: every search slot busy (503 with
//! Retry-After) and the whole-request deadline (503). Both are driven here, at the crate level,
//! over real HTTP to `stillpoint_server::serve` on 127.0.0.1:0.
//!
//! Why here and not against the binary: a search over a test index takes milliseconds, so a
//! test that hopes its own searches overlap, or run past a deadline, depends on the machine's
//! load. Here the test itself holds a search slot, through the same `AppState::blocking` the
//! handlers use, with work that ends only when the test says so. The server is the production
//! router, unchanged; no test-only behaviour is compiled into it. Nothing asserts on elapsed
//! time: the only wait is the configured one-second deadline firing.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use stillpoint_config::ServerSection;
use stillpoint_index::PractitionerIndex;
use stillpoint_search::{Limits, SearchEngine};
use stillpoint_server::AppState;
use tokio::runtime::Runtime;

/// A server running the production router over an empty in-RAM index; stops when dropped.
struct Server {
    runtime: Runtime,
    state: AppState,
    address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    fn start(settings: ServerSection) -> Server {
        let index = PractitionerIndex::create_in_ram().unwrap();
        let config = stillpoint_config::Config::load(None, std::iter::empty()).unwrap();
        let engine = SearchEngine::new(
            &index,
            Arc::new(config.load_vocabulary().unwrap()),
            stillpoint_gazetteer::Gazetteer::embedded(),
            Limits::default(),
        )
        .unwrap();
        let state = AppState::new(engine, index, settings).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = stillpoint_server::app(state.clone());
        runtime.spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            stillpoint_server::serve(listener, router, shutdown)
                .await
                .unwrap();
        });
        Server {
            runtime,
            state,
            address,
            stop: Some(stop),
        }
    }

    /// Takes one search slot and keeps it until the returned guard is dropped. Returns once the
    /// slot is held, so the next request sees it taken.
    fn hold_slot(&self) -> Held {
        let (release, released) = mpsc::channel::<()>();
        let (held, is_held) = mpsc::channel::<()>();
        let state = self.state.clone();
        let task = self.runtime.spawn(async move {
            state
                .blocking("test-hold", move |_| {
                    held.send(()).unwrap();
                    // Ends when the guard sends or is dropped.
                    let _ = released.recv();
                    Ok(())
                })
                .await
                .map_err(|p| p.detail)
        });
        is_held
            .recv_timeout(Duration::from_secs(30))
            .expect("the slot is taken");
        Held {
            release: Some(release),
            task: Some(task),
            runtime: self.runtime.handle().clone(),
        }
    }

    /// `GET path` over a fresh connection; the status, the headers (names in lower case) and
    /// the body.
    fn get(&self, path: &str) -> Answer {
        let mut stream = TcpStream::connect(self.address).unwrap();
        // Far above the one-second deadline: a hang fails the test instead of blocking it.
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: stillpoint.test\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        Answer::parse(&String::from_utf8(raw).unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A held search slot.
struct Held {
    release: Option<mpsc::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), String>>>,
    runtime: tokio::runtime::Handle,
}

impl Drop for Held {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(task) = self.task.take() {
            // The slot is free again once the work has returned.
            self.runtime.block_on(task).unwrap().unwrap();
        }
    }
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn parse(raw: &str) -> Answer {
        let (head, body) = raw.split_once("\r\n\r\n").expect("a response head");
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Answer {
            status: status.parse().unwrap(),
            headers,
            body: body.to_string(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Asserts a problem of `status` with a Retry-After of at least one second; its body.
    fn expect_retryable_problem(&self, status: u16) -> serde_json::Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let retry: u64 = self
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!(retry >= 1, "Retry-After {retry}");
        let body: serde_json::Value = serde_json::from_str(&self.body).unwrap();
        assert_eq!(body["status"], status);
        for key in ["type", "title", "detail"] {
            assert!(body[key].is_string(), "{key} in {body}");
        }
        assert!(!self.body.contains(".rs"), "{}", self.body);
        body
    }
}

fn settings(max_concurrent_searches: usize, search_queue_ms: u64, timeout: u64) -> ServerSection {
    ServerSection {
        // A held slot keeps a search thread busy too: a thread per slot, so that the searches
        // a test admits beside its held slots run whatever the machine's cores.
        search_threads: max_concurrent_searches,
        max_concurrent_searches,
        search_queue_ms,
        request_timeout_secs: timeout,
        rate_limit_per_second: 0,
        ..ServerSection::default()
    }
}

#[test]
fn a_search_beyond_the_concurrent_slots_is_503_with_retry_after() {
    // Two slots, and no waiting for one: the third search at once is refused.
    let server = Server::start(settings(2, 0, 10));
    let first = server.hold_slot();
    assert_eq!(
        server.get("/v1/search?limit=0").status,
        200,
        "one slot free"
    );

    let second = server.hold_slot();
    let busy = server.get("/v1/search?limit=0");
    let body = busy.expect_retryable_problem(503);
    assert_eq!(body["type"], "/problems/overloaded");
    // Every route that searches shares the slots.
    server
        .get("/v1/practitioners/upledger:X-1")
        .expect_retryable_problem(503);
    server
        .get("/v1/facets/specialty")
        .expect_retryable_problem(503);
    // Operations routes do not search, so an overloaded server still answers its orchestrator.
    assert_eq!(server.get("/healthz").status, 200);

    drop(second);
    assert_eq!(
        server.get("/v1/search?limit=0").status,
        200,
        "a slot is free again"
    );
    drop(first);
}

#[test]
fn a_request_past_the_deadline_is_503_problem_with_retry_after() {
    // One slot and a queue far longer than the one-second deadline: a search waiting for the
    // held slot is still waiting when the deadline fires.
    let server = Server::start(settings(1, 60_000, 1));
    let held = server.hold_slot();
    let late = server.get("/v1/search?limit=0");
    let body = late.expect_retryable_problem(503);
    assert_eq!(body["type"], "/problems/timeout");
    drop(held);
    assert_eq!(server.get("/v1/search?limit=0").status, 200);
}

#[test]
fn a_search_that_panics_is_a_500_and_the_search_threads_go_on() {
    let server = Server::start(settings(2, 250, 10));
    let state = server.state.clone();
    let failed = server
        .runtime
        .block_on(state.blocking("test-panic", |_| -> Result<(), _> {
            panic!("a bug in the search core")
        }))
        .unwrap_err();
    assert_eq!(failed.status, 500);
    assert!(!failed.detail.contains("a bug"), "{}", failed.detail);
    // Both threads still take work, and the slot of the search that panicked is free again.
    for _ in 0..4 {
        let answer = server.runtime.block_on(state.blocking("after", |_| Ok(1)));
        assert_eq!(answer.ok(), Some(1));
    }
    let _first = server.hold_slot();
    assert_eq!(server.get("/v1/search?limit=0").status, 200);
}
