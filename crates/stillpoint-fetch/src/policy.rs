//! What a fetch may do: how long, how much, how many redirects, which addresses.

use std::time::Duration;

use url::Url;

use crate::address::Guard;
use crate::error::FetchError;

/// Limits and the address guard of a [`crate::Fetcher`].
///
/// [`FetchPolicy::new`] gives the production defaults for the guard: 5 redirects, no loopback,
/// no private networks. Link-local (cloud metadata), unspecified, multicast, broadcast,
/// documentation and reserved addresses, and IPv6 forms of any refused IPv4 address, are refused
/// whatever the policy says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Limit on each wait: connecting, the response headers, and each read of the body. For
    /// [`crate::Fetcher::fetch`] it is also the deadline of the whole transfer, checked between
    /// reads (so a server trickling bytes is cut off at most one `timeout` after it).
    pub timeout: Duration,
    /// Limit on establishing the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Largest body accepted, counted after gzip decoding.
    pub max_bytes: u64,
    /// Redirects followed before giving up (`publishing.max_redirects`).
    pub max_redirects: usize,
    /// Let the URL and its redirects reach 127.0.0.0/8 and ::1 (`publishing.allow_loopback`).
    pub allow_loopback: bool,
    /// Let the URL and its redirects reach 10/8, 172.16/12, 192.168/16, 100.64/10 and fc00::/7
    /// (`publishing.allow_private_addresses`).
    pub allow_private: bool,
}

impl FetchPolicy {
    /// The given limits with the strict guard: 5 redirects, neither loopback nor private
    /// addresses, and a connect timeout of `timeout` but at most 10 seconds.
    pub fn new(timeout: Duration, max_bytes: u64) -> FetchPolicy {
        FetchPolicy {
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(10)),
            max_bytes,
            max_redirects: 5,
            allow_loopback: false,
            allow_private: false,
        }
    }

    /// Checks `url` as far as it can be without the network: it parses, is http or https, has
    /// no credentials, and is not an IP literal the guard refuses. A host name is checked when
    /// it is resolved, at fetch time. Useful to validate configured feed URLs early.
    pub fn check_url(&self, url: &str) -> Result<Url, FetchError> {
        let parsed = Url::parse(url).map_err(|e| FetchError::InvalidUrl {
            url: crate::display_url(url),
            reason: e.to_string(),
        })?;
        self.guard()
            .check_url(&parsed)
            .map_err(|reason| FetchError::Refused {
                url: crate::display_url(url),
                reason,
            })?;
        Ok(parsed)
    }

    pub(crate) fn guard(&self) -> Guard {
        Guard {
            allow_loopback: self.allow_loopback,
            allow_private: self.allow_private,
        }
    }
}
