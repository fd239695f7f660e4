//! Where a feed comes from: a file, standard input, or an http(s) URL.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Duration;

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

/// Limits on fetching a feed from a URL.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    pub timeout: Duration,
    pub max_bytes: u64,
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
    let fail = |message: String| IngestError::Fetch {
        url: url.to_owned(),
        message,
    };
    let client = reqwest::blocking::Client::builder()
        .timeout(limits.timeout)
        .redirect(reqwest::redirect::Policy::limited(5))
        .user_agent(concat!("stillpoint/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let response = client
        .get(url)
        .send()
        .map_err(|e| fail(e.without_url().to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(fail(format!("the server answered {status}")));
    }
    if let Some(len) = response.content_length()
        && len > limits.max_bytes
    {
        return Err(fail(format!(
            "the feed is {len} bytes, at most {} are accepted",
            limits.max_bytes
        )));
    }
    let format_hint = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(Format::from_hint)
        .or_else(|| Format::from_hint(url.split(['?', '#']).next().unwrap_or(url)));
    let len = response.content_length();
    let reader = Capped {
        inner: response,
        left: limits.max_bytes,
        limit: limits.max_bytes,
    };
    Ok(Input {
        name: url.to_owned(),
        reader: Box::new(BufReader::new(reader)),
        format_hint,
        len,
    })
}

/// Fails the read once more than `limit` bytes arrived, so a server that lies about (or omits)
/// its length cannot make us buffer without end.
struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(format!(
                "the feed exceeds {} bytes",
                self.limit
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}
