//! Guarded fetching of association feeds over http(s).
//!
//! An association may let Stillpoint pull its published member file from a URL. That URL is
//! chosen by someone outside the operator's network, so this crate owns everything that makes
//! fetching it safe and cheap, and nothing else (it does not parse feeds, schedule pulls or
//! store validators):
//!
//! - **Where**: http and https only, no credentials in URLs, and no loopback, private,
//!   link-local, multicast or reserved targets unless the [`FetchPolicy`] allows them (loopback
//!   and private networks only). The guard holds on every hop and every resolution: IP literals
//!   are checked before sending and in the redirect policy, host names by a resolver that drops
//!   refused addresses (so DNS rebinding cannot slip past), proxies from the environment are
//!   ignored, redirects are counted and never go from https back to http.
//! - **How much**: timeouts, a maximum body size counted after gzip decoding (a lying or absent
//!   `Content-Length`, or a gzip bomb, still stops at the cap).
//! - **How often**: conditional requests ([`Validators`]: `ETag`, `Last-Modified`); a 304 is
//!   [`Fetched::NotModified`].
//!
//! Failures are [`FetchError`]s with stable, user-facing messages and a [`FetchError::kind`]
//! for metrics labels.
//!
//! The client is blocking: use a [`Fetcher`] from a plain thread or `spawn_blocking`, never on an
//! async runtime's worker.
//!
//! ```no_run
//! use std::time::Duration;
//! use stillpoint_fetch::{FetchPolicy, Fetched, Fetcher, Validators};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fetcher = Fetcher::new(FetchPolicy::new(Duration::from_secs(30), 256 << 20))?;
//! let mut stored = Validators::default();
//! let mut file = tempfile::tempfile()?;
//! match fetcher.fetch("https://example.org/members.csv", &stored, &mut file)? {
//!     Fetched::NotModified => println!("unchanged, the listing stays"),
//!     Fetched::Body { bytes, validators, .. } => {
//!         println!("{bytes} new bytes to apply");
//!         stored = validators; // keep them for the next pull, once the feed is applied
//!     }
//! }
//! # let _ = stored;
//! # Ok(())
//! # }
//! ```

mod address;
mod body;
mod error;
mod fetcher;
mod hops;
mod policy;

pub use body::Response;
pub use error::{FetchError, Result};
pub use fetcher::{Fetched, Fetcher, Validators};
pub use policy::FetchPolicy;

/// `url` as it may be shown in messages, logs and status pages: without user name and
/// password. Text that does not parse as a URL loses whatever precedes an `@` in its authority.
pub fn display_url(url: &str) -> String {
    if let Ok(parsed) = url::Url::parse(url) {
        return address::redacted(&parsed);
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://{}{path}", &authority[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::display_url;

    #[test]
    fn display_url_strips_credentials_even_from_broken_urls() {
        assert_eq!(
            display_url("https://a:b@example.org/x"),
            "https://example.org/x"
        );
        assert_eq!(
            display_url("https://a:b@exa mple.org/x"),
            "https://exa mple.org/x"
        );
        assert_eq!(display_url("not a url"), "not a url");
        assert_eq!(
            display_url("http://example.org/a@b"),
            "http://example.org/a@b"
        );
    }
}
