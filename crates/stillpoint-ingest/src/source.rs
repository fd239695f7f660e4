//! Where a feed comes from: a file, standard input, or an http(s) URL.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::Duration;

use stillpoint_fetch::{FetchError, FetchPolicy, Fetcher};

use crate::error::IngestError;
use crate::format::Format;

/// An opened feed.
pub struct Input {
    /// How problems name the feed: the path, the URL or `<stdin>`.
    pub name: String,
    pub reader: Box<dyn BufRead + Send>,
    /// The format the name or content type suggests.
    pub format_hint: Option<Format>,
    /// Size in bytes when known (for a progress bar).
    pub len: Option<u64>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("name", &self.name)
            .field("format_hint", &self.format_hint)
            .finish()
    }
}

/// Limits on fetching a feed from a URL, and which addresses it may reach (see
/// [`stillpoint_fetch::FetchPolicy`]; link-local, reserved and similar addresses are never
/// reachable).
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    /// Limit on connecting, on the response headers and on each read of the body.
    pub timeout: Duration,
    /// Largest feed accepted, after gzip decoding.
    pub max_bytes: u64,
    /// Redirects followed (`publishing.max_redirects`).
    pub max_redirects: usize,
    /// Let the URL and its redirects reach loopback addresses (`publishing.allow_loopback`).
    pub allow_loopback: bool,
    /// Let the URL and its redirects reach private networks
    /// (`publishing.allow_private_addresses`).
    pub allow_private: bool,
}

impl FetchLimits {
    /// The given limits with the strict guard: 5 redirects, no loopback, no private networks.
    pub fn new(timeout: Duration, max_bytes: u64) -> FetchLimits {
        let policy = FetchPolicy::new(timeout, max_bytes);
        FetchLimits {
            timeout,
            max_bytes,
            max_redirects: policy.max_redirects,
            allow_loopback: policy.allow_loopback,
            allow_private: policy.allow_private,
        }
    }

    fn policy(self) -> FetchPolicy {
        FetchPolicy {
            max_redirects: self.max_redirects,
            allow_loopback: self.allow_loopback,
            allow_private: self.allow_private,
            ..FetchPolicy::new(self.timeout, self.max_bytes)
        }
    }
}

impl Input {
    /// Opens `location`: `-` for standard input, an `http://` or `https://` URL, or a path.
    pub fn open(location: &str, limits: FetchLimits) -> Result<Input, IngestError> {
        if location == "-" {
            return Ok(Input::from_reader(
                "<stdin>",
                BufReader::new(std::io::stdin()),
            ));
        }
        let lower = location.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return fetch(location, limits);
        }
        let path = Path::new(location);
        let file = File::open(path).map_err(|source| IngestError::Open {
            name: location.to_owned(),
            source,
        })?;
        let len = file.metadata().ok().map(|m| m.len());
        Ok(Input {
            name: location.to_owned(),
            reader: Box::new(BufReader::with_capacity(1 << 16, file)),
            format_hint: Format::from_hint(location),
            len,
        })
    }

    /// Wraps any reader (tests, the server's request bodies).
    pub fn from_reader(name: &str, reader: impl BufRead + Send + 'static) -> Input {
        Input {
            name: name.to_owned(),
            reader: Box::new(reader),
            format_hint: None,
            len: None,
        }
    }
}

fn fetch(url: &str, limits: FetchLimits) -> Result<Input, IngestError> {
    let name = stillpoint_fetch::display_url(url);
    let fail = |error: FetchError| IngestError::Fetch {
        url: name.clone(),
        message: error.reason(),
    };
    let response = Fetcher::new(limits.policy())
        .and_then(|fetcher| fetcher.open(url))
        .map_err(fail)?;
    let path_hint = |url: &str| Format::from_hint(url.split(['?', '#']).next().unwrap_or(url));
    let format_hint = response
        .content_type
        .as_deref()
        .and_then(Format::from_hint)
        .or_else(|| path_hint(url))
        .or_else(|| path_hint(&response.final_url));
    Ok(Input {
        name,
        reader: Box::new(BufReader::with_capacity(1 << 16, response.reader)),
        format_hint,
        len: response.content_length,
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// Answers `count` connections on 127.0.0.1 with `content_type` and `body`.
    fn serve(content_type: &'static str, body: Vec<u8>, count: usize) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(count) {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.read(&mut [0u8; 4096]);
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        format!("http://{address}")
    }

    fn loopback(max_bytes: u64) -> FetchLimits {
        FetchLimits {
            allow_loopback: true,
            ..FetchLimits::new(Duration::from_secs(2), max_bytes)
        }
    }

    #[test]
    fn a_url_feed_takes_its_format_from_the_content_type_then_the_path() {
        let base = serve("text/csv; charset=utf-8", b"member_id\n".to_vec(), 1);
        let mut input = Input::open(&format!("{base}/export?key=1"), loopback(1024)).unwrap();
        assert_eq!(input.format_hint, Some(Format::Csv));
        assert_eq!(input.name, format!("{base}/export?key=1"));
        let mut text = String::new();
        input.reader.read_to_string(&mut text).unwrap();
        assert_eq!(text, "member_id\n");

        let base = serve("application/octet-stream", b"{}\n".to_vec(), 1);
        let input = Input::open(&format!("{base}/members.jsonl?x=1"), loopback(1024)).unwrap();
        assert_eq!(input.format_hint, Some(Format::JsonLines));
    }

    #[test]
    fn a_loopback_url_is_refused_by_default_with_the_fetch_message() {
        let base = serve("text/csv", Vec::new(), 1);
        let url = format!("{base}/members.csv");
        let error = Input::open(&url, FetchLimits::new(Duration::from_secs(2), 1024)).unwrap_err();
        let IngestError::Fetch {
            url: named,
            message,
        } = &error
        else {
            panic!("expected a fetch error, got {error:?}");
        };
        assert_eq!(named, &url);
        assert!(
            message.starts_with("refused: 127.0.0.1 is a loopback address"),
            "{message}"
        );
    }

    #[test]
    fn a_url_feed_larger_than_the_cap_fails_while_reading() {
        let base = serve("text/csv", vec![b'x'; 5000], 1);
        let mut input = Input::open(&format!("{base}/big.csv"), loopback(1000)).unwrap();
        let error = input.reader.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(error.to_string(), "the feed exceeds 1000 bytes");
    }
}
