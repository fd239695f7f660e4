//! The guard inside the HTTP client: a resolver that drops refused addresses, and a redirect
//! policy that counts hops and checks each one before it is followed.
//!
//! Both report through [`Stop`], which travels inside reqwest's error as its source, so
//! [`crate::Fetcher`] can turn it back into the right [`crate::FetchError`].

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect::{Attempt, Policy};

use crate::address::{Guard, redacted};

/// Why the client stopped on its own.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum Stop {
    /// A hop or a resolved name was refused by the guard.
    #[error("{0}")]
    Refused(String),
    /// More redirects than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
}

/// Resolves host names with the system resolver, then keeps only the addresses the guard
/// allows. The connection is made to exactly these addresses, so a name that resolves to a
/// public address when checked and to a private one when connecting (DNS rebinding) never gets
/// through: there is no second resolution.
#[derive(Debug)]
pub(crate) struct GuardedResolver {
    pub guard: Guard,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.guard;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut first_refusal = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|address| match guard.check_ip(address.ip()) {
                    Ok(()) => true,
                    Err(reason) => {
                        first_refusal.get_or_insert(reason);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let reason = match first_refusal {
                    Some(reason) => format!("{host} resolves only to refused addresses: {reason}"),
                    None => format!("{host} resolves to no address"),
                };
                return Err(Box::new(Stop::Refused(reason)) as Box<_>);
            }
            tracing::trace!(host, addresses = allowed.len(), "resolved feed host");
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Follows at most `max_redirects` redirects, each to a URL that passes the guard's URL check
/// (scheme, credentials, IP literal) and never from https back to http. Host names of the
/// hops are checked when they are resolved, by [`GuardedResolver`].
pub(crate) fn redirect_policy(guard: Guard, max_redirects: usize) -> Policy {
    Policy::custom(move |attempt: Attempt| {
        // `previous` starts with the URL first asked for, so it holds one more than the
        // redirects followed so far.
        if attempt.previous().len() > max_redirects {
            return attempt.error(Stop::TooManyRedirects(max_redirects));
        }
        let next = attempt.url();
        if let Err(reason) = guard.check_url(next) {
            let reason = format!("redirect to {}: {reason}", redacted(next));
            return attempt.error(Stop::Refused(reason));
        }
        let was_https = attempt.previous().iter().any(|url| url.scheme() == "https");
        if was_https && next.scheme() != "https" {
            let reason = format!("redirect from https to {}", redacted(next));
            return attempt.error(Stop::Refused(reason));
        }
        attempt.follow()
    })
}
