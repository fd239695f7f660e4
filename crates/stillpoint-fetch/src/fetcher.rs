//! The guarded HTTP client and its two ways of fetching: conditional into a sink, or streamed.

use std::error::Error as _;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::body::{Body, Response};
use crate::error::FetchError;
use crate::hops::{GuardedResolver, Stop, redirect_policy};
use crate::policy::FetchPolicy;

const USER_AGENT: &str = concat!("stillpoint/", env!("CARGO_PKG_VERSION"));

/// The cache validators of the last body fetched: sent back as `If-None-Match` and
/// `If-Modified-Since`, so an unchanged feed costs a 304 and nothing else. Stored as the server
/// sent them (opaque strings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// The `ETag` header, quotes and `W/` included.
    pub etag: Option<String>,
    /// The `Last-Modified` header, an HTTP date.
    pub last_modified: Option<String>,
}

impl Validators {
    /// True when there is nothing to send, so a request is unconditional.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    fn from_headers(headers: &HeaderMap) -> Validators {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        Validators {
            etag: text(header::ETAG),
            last_modified: text(header::LAST_MODIFIED),
        }
    }

    /// Adds the conditional headers; a stored value that is no longer a valid header value is
    /// left out (the request is then less conditional, never broken).
    fn apply(&self, mut request: RequestBuilder) -> (RequestBuilder, bool) {
        let mut conditional = false;
        let pairs = [
            (header::IF_NONE_MATCH, &self.etag),
            (header::IF_MODIFIED_SINCE, &self.last_modified),
        ];
        for (name, value) in pairs {
            if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                request = request.header(name, value);
                conditional = true;
            }
        }
        (request, conditional)
    }
}

/// What a conditional fetch found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 304: the feed did not change since the validators were taken; nothing was written.
    NotModified,
    /// The body was written to the sink.
    Body {
        /// Bytes written (after gzip decoding).
        bytes: u64,
        /// The `Content-Type` header.
        content_type: Option<String>,
        /// Validators to send next time (empty when the server sent none).
        validators: Validators,
        /// The URL after redirects.
        final_url: String,
    },
}

/// Fetches feed URLs under a [`FetchPolicy`]. Holds one HTTP client (with its connection
/// pool); build it once and share it (it is cheap to clone).
///
/// The client is blocking: create, use and drop it off any async runtime (a dedicated thread
/// or `tokio::task::spawn_blocking`).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: Client,
    policy: FetchPolicy,
}

impl Fetcher {
    /// Builds the client: the policy's timeouts, the guarded resolver and redirect policy, no
    /// proxy from the environment, no `Referer`, gzip decoding, user agent `stillpoint/<version>`.
    pub fn new(policy: FetchPolicy) -> Result<Fetcher, FetchError> {
        let guard = policy.guard();
        let client = Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.connect_timeout)
            .redirect(redirect_policy(guard, policy.max_redirects))
            .dns_resolver(Arc::new(GuardedResolver { guard }))
            .no_proxy()
            .referer(false)
            .gzip(true)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| FetchError::Network {
                message: format!("building the HTTP client: {}", chain(&e)),
            })?;
        Ok(Fetcher { client, policy })
    }

    /// The policy this fetcher enforces.
    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// Conditional GET of `url`: sends `validators`, and on a 2xx streams the body into `sink`.
    ///
    /// At most `max_bytes` are ever written; a larger body (announced, or counted while
    /// reading) fails with [`FetchError::TooLarge`] and what was written must be discarded, as
    /// after any error. The whole call, writing included, is bounded by the policy's timeout
    /// (see [`FetchPolicy::timeout`]). A 304 to a conditional request is
    /// [`Fetched::NotModified`]; any other non-2xx status is [`FetchError::Status`].
    pub fn fetch(
        &self,
        url: &str,
        validators: &Validators,
        sink: &mut dyn Write,
    ) -> Result<Fetched, FetchError> {
        let started = Instant::now();
        let (request, conditional) = validators.apply(self.request(url)?);
        let mut response = self.send(url, request)?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED && conditional {
            tracing::debug!(url = %crate::display_url(url), "feed not modified");
            return Ok(Fetched::NotModified);
        }
        self.check_response(&response)?;
        let content_type = content_type(response.headers());
        let validators = Validators::from_headers(response.headers());
        let final_url = response.url().to_string();

        let limit = self.policy.max_bytes;
        let deadline = started + self.policy.timeout;
        let mut buffer = vec![0u8; 64 << 10];
        let mut bytes = 0u64;
        loop {
            if Instant::now() > deadline {
                return Err(self.timeout());
            }
            let n = match response.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_error(&e, self.policy)),
            };
            bytes += n as u64;
            if bytes > limit {
                return Err(FetchError::TooLarge { limit });
            }
            sink.write_all(&buffer[..n]).map_err(FetchError::Io)?;
        }
        sink.flush().map_err(FetchError::Io)?;
        tracing::debug!(url = %crate::display_url(url), bytes, "feed fetched");
        Ok(Fetched::Body {
            bytes,
            content_type,
            validators,
            final_url,
        })
    }

    /// Unconditional GET of `url` whose body is read lazily through [`Response::reader`], for
    /// a consumer that parses as it goes. The size cap holds while reading (a read past
    /// `max_bytes` fails with an `io::Error` naming the limit); each read waits at most the
    /// policy's timeout, but there is no overall deadline since the consumer sets the pace.
    /// Errors while reading carry a [`FetchError`], see [`FetchError::from_io`].
    pub fn open(&self, url: &str) -> Result<Response, FetchError> {
        let response = self.send(url, self.request(url)?)?;
        self.check_response(&response)?;
        Ok(Response {
            content_type: content_type(response.headers()),
            content_length: response.content_length(),
            final_url: response.url().to_string(),
            reader: Box::new(Body::new(response, self.policy)),
        })
    }

    /// A GET of `url` after the checks that need no network (the rest happen in the resolver
    /// and the redirect policy).
    fn request(&self, url: &str) -> Result<RequestBuilder, FetchError> {
        let parsed = self.policy.check_url(url)?;
        Ok(self.client.get(parsed))
    }

    fn send(
        &self,
        url: &str,
        request: RequestBuilder,
    ) -> Result<reqwest::blocking::Response, FetchError> {
        request.send().map_err(|e| {
            let error = self.send_error(url, &e);
            tracing::debug!(url = %crate::display_url(url), error = %error, "feed fetch failed");
            error
        })
    }

    /// Refuses non-2xx statuses and a body announced larger than the cap.
    fn check_response(&self, response: &reqwest::blocking::Response) -> Result<(), FetchError> {
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
            });
        }
        let limit = self.policy.max_bytes;
        match response.content_length() {
            Some(length) if length > limit => Err(FetchError::TooLarge { limit }),
            _ => Ok(()),
        }
    }

    fn send_error(&self, url: &str, error: &reqwest::Error) -> FetchError {
        let mut source = error.source();
        while let Some(cause) = source {
            if let Some(stop) = cause.downcast_ref::<Stop>() {
                return match stop {
                    Stop::Refused(reason) => FetchError::Refused {
                        url: crate::display_url(url),
                        reason: reason.clone(),
                    },
                    Stop::TooManyRedirects(limit) => FetchError::TooManyRedirects { limit: *limit },
                };
            }
            source = cause.source();
        }
        if error.is_timeout() {
            return self.timeout();
        }
        FetchError::Network {
            message: chain(error),
        }
    }

    fn timeout(&self) -> FetchError {
        FetchError::Timeout {
            after: self.policy.timeout,
        }
    }
}

/// Classifies an error from reading a reqwest body.
pub(crate) fn read_error(error: &std::io::Error, policy: FetchPolicy) -> FetchError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        let timed_out = current
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
            || current
                .downcast_ref::<reqwest::Error>()
                .is_some_and(reqwest::Error::is_timeout);
        if timed_out {
            return FetchError::Timeout {
                after: policy.timeout,
            };
        }
        // `io::Error::source` skips the error it wraps and goes straight to that error's
        // source; reqwest's body errors are wrapped that way.
        cause = match current.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as _),
            None => current.source(),
        };
    }
    FetchError::Network {
        message: chain(error),
    }
}

/// The messages of an error and its sources, joined with ": ", skipping a message already
/// contained in the previous one and the HTTP client's generic wrappers. URLs are not included
/// (reqwest's own message would carry the full URL, credentials included).
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause = Some(error);
    while let Some(current) = cause {
        let text = match current.downcast_ref::<reqwest::Error>() {
            // Its Display appends " for url (...)"; keep only the words before it.
            Some(_) => current
                .to_string()
                .split(" for url (")
                .next()
                .unwrap_or_default()
                .to_owned(),
            None => current.to_string(),
        };
        if !text.is_empty() && !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
        cause = current.source();
    }
    // reqwest's and hyper's wrappers say nothing the causes below them do not say better.
    let generic =
        |part: &String| part == "error sending request" || part.starts_with("client error (");
    if parts.iter().any(|part| !generic(part)) {
        parts.retain(|part| !generic(part));
    }
    if parts.is_empty() {
        "unknown error".to_owned()
    } else {
        parts.join(": ")
    }
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
