//! Why a fetch failed, in words an association's status page can show.

use std::time::Duration;

/// A failed fetch. Messages are lowercase, stable and safe to show to the association: URLs in
/// them never carry credentials. [`FetchError::kind`] names the variant for metrics labels.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL could not be parsed.
    #[error("{url}: invalid URL: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The guard refused the URL or one of its redirects: a scheme other than http(s),
    /// credentials in the URL, an https to http downgrade, or an address that is loopback,
    /// private, link-local or reserved. `url` is the URL asked for; `reason` names the hop.
    #[error("refused {url}: {reason}")]
    Refused { url: String, reason: String },
    /// The server redirected more often than the policy allows.
    #[error("more than {limit} redirects")]
    TooManyRedirects { limit: usize },
    /// No complete answer within the policy's timeout (connecting, waiting for the headers, or
    /// reading a body that stalled).
    #[error("no complete answer within {}s", .after.as_secs_f64())]
    Timeout { after: Duration },
    /// The body is larger than the policy's `max_bytes` (announced or counted while reading,
    /// after gzip decoding).
    #[error("the feed exceeds {limit} bytes")]
    TooLarge { limit: u64 },
    /// The server answered with a status other than 2xx (or 304 to a conditional request).
    #[error("the server answered {}", status_text(*.status))]
    Status { status: u16 },
    /// Connecting, TLS, DNS or the transfer itself failed.
    #[error("network error: {message}")]
    Network { message: String },
    /// Writing the body into the caller's sink failed.
    #[error("writing the feed: {0}")]
    Io(#[source] std::io::Error),
}

/// `Result` with a [`FetchError`].
pub type Result<T, E = FetchError> = std::result::Result<T, E>;

impl FetchError {
    /// A short, stable name of the variant for metrics labels and status pages: `invalid_url`,
    /// `refused`, `redirects`, `timeout`, `too_large`, `status`, `network` or `io`.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::InvalidUrl { .. } => "invalid_url",
            FetchError::Refused { .. } => "refused",
            FetchError::TooManyRedirects { .. } => "redirects",
            FetchError::Timeout { .. } => "timeout",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Status { .. } => "status",
            FetchError::Network { .. } => "network",
            FetchError::Io(_) => "io",
        }
    }

    /// The message without the URL, for callers that name the URL themselves (`refused:
    /// 10.0.0.1 is a private address ...` rather than `refused http://...: 10.0.0.1 ...`).
    pub fn reason(&self) -> String {
        match self {
            FetchError::InvalidUrl { reason, .. } => format!("invalid URL: {reason}"),
            FetchError::Refused { reason, .. } => format!("refused: {reason}"),
            other => other.to_string(),
        }
    }

    /// Finds the `FetchError` inside an [`std::io::Error`] returned by reading a
    /// [`crate::Response`]'s body (timeouts, the size cap, network failures), so a caller that
    /// only sees `io::Error`s can still report the right kind.
    pub fn from_io(error: &std::io::Error) -> Option<&FetchError> {
        error.get_ref()?.downcast_ref::<FetchError>()
    }

    /// Wraps the error in an `io::Error` for a `Read` implementation, keeping it findable by
    /// [`FetchError::from_io`].
    pub(crate) fn into_io(self) -> std::io::Error {
        let kind = match self {
            FetchError::Timeout { .. } => std::io::ErrorKind::TimedOut,
            FetchError::TooLarge { .. } => std::io::ErrorKind::FileTooLarge,
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, self)
    }
}

fn status_text(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_stable_and_name_the_reason() {
        let cases = [
            (
                FetchError::Status { status: 404 },
                "the server answered 404 Not Found",
                "status",
            ),
            (
                FetchError::TooLarge { limit: 10 },
                "the feed exceeds 10 bytes",
                "too_large",
            ),
            (
                FetchError::Timeout {
                    after: Duration::from_millis(1500),
                },
                "no complete answer within 1.5s",
                "timeout",
            ),
            (
                FetchError::TooManyRedirects { limit: 5 },
                "more than 5 redirects",
                "redirects",
            ),
            (
                FetchError::Refused {
                    url: "http://a.example/".into(),
                    reason: "10.0.0.1 is a private address".into(),
                },
                "refused http://a.example/: 10.0.0.1 is a private address",
                "refused",
            ),
        ];
        for (error, message, kind) in cases {
            assert_eq!(error.to_string(), message);
            assert_eq!(error.kind(), kind);
        }
        let refused = FetchError::Refused {
            url: "http://a.example/".into(),
            reason: "10.0.0.1 is a private address".into(),
        };
        assert_eq!(refused.reason(), "refused: 10.0.0.1 is a private address");
        let status = FetchError::Status { status: 500 };
        assert_eq!(status.reason(), status.to_string());
    }

    #[test]
    fn io_round_trip_keeps_the_fetch_error() {
        let io = FetchError::TooLarge { limit: 3 }.into_io();
        assert_eq!(io.kind(), std::io::ErrorKind::FileTooLarge);
        assert_eq!(io.to_string(), "the feed exceeds 3 bytes");
        assert_eq!(
            FetchError::from_io(&io).map(FetchError::kind),
            Some("too_large")
        );
    }
}
