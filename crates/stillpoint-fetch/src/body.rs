//! The lazily read body of [`crate::Fetcher::open`].

use std::io::Read;

use crate::error::FetchError;
use crate::fetcher::read_error;
use crate::policy::FetchPolicy;

/// An open response whose body has not been read yet.
pub struct Response {
    /// The body, decoded from gzip, capped at the policy's `max_bytes`. Read errors wrap a
    /// [`FetchError`] ([`FetchError::from_io`]): `TooLarge`, `Timeout` or `Network`.
    pub reader: Box<dyn Read + Send>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The announced length, when known (absent for gzip-encoded bodies).
    pub content_length: Option<u64>,
    /// The URL after redirects.
    pub final_url: String,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .field("final_url", &self.final_url)
            .finish_non_exhaustive()
    }
}

/// Counts what arrives and fails the read once more than `max_bytes` did, so a server that
/// lies about (or omits) its length cannot make the consumer read without end.
pub(crate) struct Body {
    inner: reqwest::blocking::Response,
    left: u64,
    policy: FetchPolicy,
}

impl Body {
    pub fn new(inner: reqwest::blocking::Response, policy: FetchPolicy) -> Body {
        Body {
            inner,
            left: policy.max_bytes,
            policy,
        }
    }
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Err(e),
            Err(e) => return Err(read_error(&e, self.policy).into_io()),
        };
        if n as u64 > self.left {
            self.left = 0;
            return Err(FetchError::TooLarge {
                limit: self.policy.max_bytes,
            }
            .into_io());
        }
        self.left -= n as u64;
        Ok(n)
    }
}
