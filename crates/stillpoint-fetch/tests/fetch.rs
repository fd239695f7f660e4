//! The fetcher against a tiny HTTP server on 127.0.0.1:0 that writes canned responses.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use stillpoint_fetch::{FetchError, FetchPolicy, Fetched, Fetcher, Validators};

/// A server answering each connection with `handler(request head, stream)`, then closing it.
struct Server {
    base: String,
    port: u16,
    hits: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(handler: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        let (hits2, heads2) = (hits.clone(), heads.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (handler, hits, heads) = (handler.clone(), hits2.clone(), heads2.clone());
                thread::spawn(move || {
                    let head = read_head(&mut stream).to_ascii_lowercase();
                    hits.fetch_add(1, Ordering::SeqCst);
                    heads.lock().unwrap().push(head.clone());
                    handler(&head, &mut stream);
                });
            }
        });
        Server {
            base: format!("http://127.0.0.1:{port}"),
            port,
            hits,
            heads,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn last_head(&self) -> String {
        self.heads
            .lock()
            .unwrap()
            .last()
            .cloned()
            .unwrap_or_default()
    }
}

fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 << 10 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// Writes a whole response with `Connection: close` (and `Content-Length` unless the headers
/// say otherwise).
fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut text = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    let has_length = headers.iter().any(|(name, _)| *name == "Content-Length");
    if !has_length && !headers.iter().any(|(name, _)| *name == "X-No-Length") {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.write_all(body);
}

fn policy() -> FetchPolicy {
    FetchPolicy {
        timeout: Duration::from_secs(1),
        connect_timeout: Duration::from_secs(1),
        max_bytes: 1024,
        max_redirects: 3,
        allow_loopback: true,
        allow_private: false,
    }
}

fn fetcher() -> Fetcher {
    Fetcher::new(policy()).unwrap()
}

fn fetch(
    fetcher: &Fetcher,
    url: &str,
    validators: &Validators,
) -> (Result<Fetched, FetchError>, Vec<u8>) {
    let mut sink = Vec::new();
    let result = fetcher.fetch(url, validators, &mut sink);
    (result, sink)
}

#[test]
fn etag_round_trip_turns_an_unchanged_feed_into_not_modified() {
    let server = Server::start(|head, stream| {
        if head.contains("if-none-match: \"v1\"\r\n") {
            respond(stream, "304 Not Modified", &[("ETag", "\"v1\"")], b"");
        } else {
            respond(
                stream,
                "200 OK",
                &[("ETag", "\"v1\""), ("Content-Type", "text/csv")],
                b"member_id\nA-1\n",
            );
        }
    });
    let fetcher = fetcher();
    let (first, body) = fetch(
        &fetcher,
        &server.url("/members.csv"),
        &Validators::default(),
    );
    let Fetched::Body {
        bytes,
        content_type,
        validators,
        final_url,
    } = first.unwrap()
    else {
        panic!("expected a body");
    };
    assert_eq!(body, b"member_id\nA-1\n");
    assert_eq!(bytes, body.len() as u64);
    assert_eq!(content_type.as_deref(), Some("text/csv"));
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(validators.last_modified, None);
    assert_eq!(final_url, server.url("/members.csv"));
    assert!(!server.last_head().contains("if-none-match"));
    assert!(server.last_head().contains("user-agent: stillpoint/"));

    let (second, body) = fetch(&fetcher, &server.url("/members.csv"), &validators);
    assert_eq!(second.unwrap(), Fetched::NotModified);
    assert!(body.is_empty());
    assert_eq!(server.hits(), 2);
}

#[test]
fn last_modified_round_trip_sends_if_modified_since() {
    const DATE: &str = "Wed, 21 Oct 2015 07:28:00 GMT";
    let server = Server::start(|head, stream| {
        if head.contains(&format!("if-modified-since: {}", DATE.to_ascii_lowercase())) {
            respond(stream, "304 Not Modified", &[], b"");
        } else {
            respond(stream, "200 OK", &[("Last-Modified", DATE)], b"[]");
        }
    });
    let fetcher = fetcher();
    let (first, _) = fetch(&fetcher, &server.url("/feed.json"), &Validators::default());
    let Fetched::Body { validators, .. } = first.unwrap() else {
        panic!("expected a body");
    };
    assert_eq!(validators.last_modified.as_deref(), Some(DATE));
    let (second, _) = fetch(&fetcher, &server.url("/feed.json"), &validators);
    assert_eq!(second.unwrap(), Fetched::NotModified);
}

#[test]
fn a_304_to_an_unconditional_request_is_a_status_error() {
    let server = Server::start(|_, stream| respond(stream, "304 Not Modified", &[], b""));
    let (result, _) = fetch(&fetcher(), &server.url("/"), &Validators::default());
    assert!(
        matches!(result, Err(FetchError::Status { status: 304 })),
        "{result:?}"
    );
}

#[test]
fn error_statuses_fail_with_the_status() {
    let server = Server::start(|_, stream| respond(stream, "404 Not Found", &[], b"nope"));
    let (result, body) = fetch(&fetcher(), &server.url("/gone"), &Validators::default());
    let error = result.unwrap_err();
    assert_eq!(error.kind(), "status");
    assert_eq!(error.to_string(), "the server answered 404 Not Found");
    assert!(body.is_empty());
    let opened = fetcher().open(&server.url("/gone"));
    assert!(matches!(opened, Err(FetchError::Status { status: 404 })));
}

#[test]
fn a_body_of_exactly_max_bytes_is_accepted() {
    let server = Server::start(|_, stream| respond(stream, "200 OK", &[], &[b'x'; 1024]));
    let (result, body) = fetch(&fetcher(), &server.url("/"), &Validators::default());
    assert!(matches!(result, Ok(Fetched::Body { bytes: 1024, .. })));
    assert_eq!(body.len(), 1024);
}

#[test]
fn an_announced_oversized_body_is_refused_before_reading() {
    let server = Server::start(|_, stream| respond(stream, "200 OK", &[], &[b'x'; 1025]));
    let (result, body) = fetch(&fetcher(), &server.url("/"), &Validators::default());
    let error = result.unwrap_err();
    assert!(
        matches!(error, FetchError::TooLarge { limit: 1024 }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "the feed exceeds 1024 bytes");
    assert!(body.is_empty());
    assert!(matches!(
        fetcher().open(&server.url("/")),
        Err(FetchError::TooLarge { limit: 1024 })
    ));
}

#[test]
fn an_oversized_body_without_or_with_a_lying_length_is_capped_while_reading() {
    let server = Server::start(|head, stream| {
        if head.starts_with("get /lying") {
            // Claims 10 bytes, sends 4000 (the client stops at the announced length or fails;
            // either way nothing beyond the cap may be written).
            respond(stream, "200 OK", &[("Content-Length", "10")], &[b'y'; 4000]);
        } else {
            respond(stream, "200 OK", &[("X-No-Length", "1")], &[b'x'; 4000]);
        }
    });
    let fetcher = fetcher();
    let (result, body) = fetch(&fetcher, &server.url("/none"), &Validators::default());
    assert!(
        matches!(result, Err(FetchError::TooLarge { limit: 1024 })),
        "{result:?}"
    );
    assert!(body.len() <= 1024);

    let (result, body) = fetch(&fetcher, &server.url("/lying"), &Validators::default());
    assert!(body.len() <= 1024);
    if let Ok(Fetched::Body { bytes, .. }) = result {
        assert_eq!(bytes, 10);
    }

    let mut response = fetcher.open(&server.url("/none")).unwrap();
    assert_eq!(response.content_length, None);
    let mut read = Vec::new();
    let error = response.reader.read_to_end(&mut read).unwrap_err();
    assert!(read.len() <= 1024);
    assert_eq!(error.kind(), std::io::ErrorKind::FileTooLarge);
    assert_eq!(error.to_string(), "the feed exceeds 1024 bytes");
    assert_eq!(
        FetchError::from_io(&error).map(FetchError::kind),
        Some("too_large")
    );
}

#[test]
fn a_gzip_bomb_stops_at_the_decoded_cap() {
    use flate2::{Compression, write::GzEncoder};
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = Arc::new(encoder.finish().unwrap());
    let max_bytes = 1 << 20;
    assert!(
        (bomb.len() as u64) < max_bytes,
        "the compressed body fits the cap"
    );
    let server = Server::start(move |head, stream| {
        assert!(head.contains("accept-encoding: gzip"));
        respond(stream, "200 OK", &[("Content-Encoding", "gzip")], &bomb);
    });
    let fetcher = Fetcher::new(FetchPolicy {
        max_bytes,
        ..policy()
    })
    .unwrap();
    let mut sink = std::io::sink();
    let result = fetcher.fetch(&server.url("/bomb"), &Validators::default(), &mut sink);
    assert!(
        matches!(result, Err(FetchError::TooLarge { .. })),
        "{result:?}"
    );

    let mut response = fetcher.open(&server.url("/bomb")).unwrap();
    let error = std::io::copy(&mut response.reader, &mut std::io::sink()).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::FileTooLarge);
}

#[test]
fn a_stalled_body_times_out() {
    let server = Server::start(|_, stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst ten!");
        let _ = stream.flush();
        thread::sleep(Duration::from_secs(6));
    });
    let started = Instant::now();
    let (result, _) = fetch(&fetcher(), &server.url("/"), &Validators::default());
    let error = result.unwrap_err();
    assert_eq!(error.kind(), "timeout", "{error:?}");
    assert_eq!(error.to_string(), "no complete answer within 1s");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let mut response = fetcher().open(&server.url("/")).unwrap();
    let error = response.reader.read_to_end(&mut Vec::new()).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::TimedOut);
    assert_eq!(
        FetchError::from_io(&error).map(FetchError::kind),
        Some("timeout")
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn stalled_headers_time_out() {
    let server = Server::start(|_, _| thread::sleep(Duration::from_secs(6)));
    let started = Instant::now();
    let (result, _) = fetch(&fetcher(), &server.url("/"), &Validators::default());
    assert!(
        matches!(result, Err(FetchError::Timeout { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn a_trickling_body_hits_the_overall_deadline() {
    let server = Server::start(|_, stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        for _ in 0..60 {
            if stream.write_all(b"x").is_err() {
                return;
            }
            let _ = stream.flush();
            thread::sleep(Duration::from_millis(100));
        }
    });
    let started = Instant::now();
    let (result, _) = fetch(&fetcher(), &server.url("/"), &Validators::default());
    assert!(
        matches!(result, Err(FetchError::Timeout { .. })),
        "{result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
}

/// `/hop/N` redirects to `/hop/N+1` until `/hop/{last}`, which answers 200.
fn redirect_chain(last: usize) -> Server {
    Server::start(move |head, stream| {
        let n: usize = head
            .strip_prefix("get /hop/")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if n >= last {
            respond(stream, "200 OK", &[], b"done");
        } else {
            let location = format!("/hop/{}", n + 1);
            respond(stream, "302 Found", &[("Location", &location)], b"");
        }
    })
}

#[test]
fn redirects_are_followed_up_to_the_limit() {
    let server = redirect_chain(3);
    let (result, body) = fetch(&fetcher(), &server.url("/hop/0"), &Validators::default());
    let Fetched::Body { final_url, .. } = result.unwrap() else {
        panic!("expected a body");
    };
    assert_eq!(final_url, server.url("/hop/3"));
    assert_eq!(body, b"done");
}

#[test]
fn too_many_redirects_fail() {
    let server = redirect_chain(100);
    let (result, _) = fetch(&fetcher(), &server.url("/hop/0"), &Validators::default());
    let error = result.unwrap_err();
    assert!(
        matches!(error, FetchError::TooManyRedirects { limit: 3 }),
        "{error:?}"
    );
    assert_eq!(error.kind(), "redirects");
    assert_eq!(server.hits(), 4, "the first request and three redirects");

    let strict = Fetcher::new(FetchPolicy {
        max_redirects: 0,
        ..policy()
    })
    .unwrap();
    let (result, _) = fetch(&strict, &server.url("/hop/0"), &Validators::default());
    assert!(matches!(
        result,
        Err(FetchError::TooManyRedirects { limit: 0 })
    ));
}

#[test]
fn redirects_to_refused_addresses_fail_without_connecting() {
    let port = Arc::new(AtomicUsize::new(0));
    let port2 = port.clone();
    let server = Server::start(move |head, stream| {
        let location = match head.split(' ').nth(1).unwrap_or_default() {
            "/private" => "http://10.0.0.1/members.csv".to_owned(),
            "/metadata" => "http://169.254.169.254/latest/meta-data/".to_owned(),
            "/mapped" => format!(
                "http://[::ffff:127.0.0.1]:{}/x",
                port2.load(Ordering::SeqCst)
            ),
            "/nat64" => "http://[64:ff9b::a00:1]/".to_owned(),
            "/ftp" => "ftp://example.org/members.csv".to_owned(),
            "/credentials" => "http://user:secret@example.org/".to_owned(),
            _ => return respond(stream, "200 OK", &[], b"reached"),
        };
        respond(stream, "302 Found", &[("Location", &location)], b"");
    });
    port.store(usize::from(server.port), Ordering::SeqCst);
    let fetcher = fetcher();
    let cases = [
        (
            "/private",
            "redirect to http://10.0.0.1/members.csv: 10.0.0.1 is a private address",
        ),
        (
            "/metadata",
            "169.254.169.254 is a link-local address, never allowed",
        ),
        (
            "/mapped",
            "::ffff:127.0.0.1 is an IPv6 form of a refused IPv4 address",
        ),
        (
            "/nat64",
            "64:ff9b::a00:1 is an IPv6 form of a refused IPv4 address",
        ),
        ("/ftp", "the scheme ftp: is not allowed"),
        (
            "/credentials",
            "redirect to http://example.org/: credentials in the URL",
        ),
    ];
    for (path, expected) in cases {
        let hits = server.hits();
        let started = Instant::now();
        let (result, body) = fetch(&fetcher, &server.url(path), &Validators::default());
        let error = result.unwrap_err();
        assert_eq!(error.kind(), "refused", "{path}: {error:?}");
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("refused {}: ", server.url(path))),
            "{message}"
        );
        assert!(message.contains(expected), "{path}: {message}");
        assert!(!message.contains("secret"), "{message}");
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{path}: no connection attempt"
        );
        assert_eq!(
            server.hits(),
            hits + 1,
            "{path}: only the first hop reached a server"
        );
        assert!(body.is_empty());
    }
}

#[test]
fn loopback_is_refused_unless_allowed() {
    let server = Server::start(|_, stream| respond(stream, "200 OK", &[], b"ok"));
    let strict = Fetcher::new(FetchPolicy {
        allow_loopback: false,
        ..policy()
    })
    .unwrap();
    let (result, _) = fetch(&strict, &server.url("/"), &Validators::default());
    let error = result.unwrap_err();
    assert_eq!(error.kind(), "refused");
    assert!(
        error
            .to_string()
            .contains("127.0.0.1 is a loopback address"),
        "{error}"
    );

    // A host name is checked where it is resolved.
    let by_name = format!("http://localhost:{}/", server.port);
    let (result, _) = fetch(&strict, &by_name, &Validators::default());
    let error = result.unwrap_err();
    assert_eq!(error.kind(), "refused", "{error:?}");
    assert!(
        error
            .to_string()
            .contains("localhost resolves only to refused addresses"),
        "{error}"
    );
    assert!(strict.open(&server.url("/")).is_err());
    assert_eq!(server.hits(), 0);

    let (result, body) = fetch(&fetcher(), &by_name, &Validators::default());
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(body, b"ok");
}

#[test]
fn schemes_credentials_and_garbage_are_refused_up_front() {
    let fetcher = fetcher();
    let kind = |url: &str| {
        fetcher
            .fetch(url, &Validators::default(), &mut Vec::new())
            .unwrap_err()
    };
    assert_eq!(kind("ftp://example.org/feed.csv").kind(), "refused");
    assert_eq!(kind("file:///etc/passwd").kind(), "refused");
    let credentials = kind("https://user:secret@example.org/feed.csv");
    assert_eq!(credentials.kind(), "refused");
    assert_eq!(
        credentials.to_string(),
        "refused https://example.org/feed.csv: credentials in the URL are not accepted"
    );
    assert_eq!(kind("not a url").kind(), "invalid_url");
    assert_eq!(kind("http://[::1/").kind(), "invalid_url");
    assert_eq!(kind("http://0.0.0.0/").kind(), "refused");
    assert!(matches!(
        fetcher.open("gopher://example.org/"),
        Err(FetchError::Refused { .. })
    ));
}

#[test]
fn a_closed_port_is_a_network_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (result, _) = fetch(
        &fetcher(),
        &format!("http://127.0.0.1:{port}/"),
        &Validators::default(),
    );
    let error = result.unwrap_err();
    assert_eq!(error.kind(), "network", "{error:?}");
    assert!(error.to_string().starts_with("network error: "), "{error}");
    assert!(
        !error.to_string().contains("127.0.0.1:"),
        "no URL in the message: {error}"
    );
}

#[test]
fn open_streams_the_body_with_its_metadata() {
    let server = Server::start(|_, stream| {
        respond(
            stream,
            "200 OK",
            &[("Content-Type", "application/x-ndjson")],
            b"{}\n{}\n",
        )
    });
    let mut response = fetcher().open(&server.url("/feed")).unwrap();
    assert_eq!(
        response.content_type.as_deref(),
        Some("application/x-ndjson")
    );
    assert_eq!(response.content_length, Some(6));
    assert_eq!(response.final_url, server.url("/feed"));
    let mut body = String::new();
    response.reader.read_to_string(&mut body).unwrap();
    assert_eq!(body, "{}\n{}\n");
}

#[test]
fn a_failing_sink_is_an_io_error() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let server = Server::start(|_, stream| respond(stream, "200 OK", &[], b"data"));
    let error = fetcher()
        .fetch(&server.url("/"), &Validators::default(), &mut Broken)
        .unwrap_err();
    assert_eq!(error.kind(), "io");
    assert_eq!(error.to_string(), "writing the feed: disk full");
}

#[test]
fn fetchers_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Fetcher>();
    assert_send_sync::<FetchError>();
}
