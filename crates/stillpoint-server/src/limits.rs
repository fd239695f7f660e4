//! Per-client rate limit (governor's GCRA, keyed by the peer address) and cache headers.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use stillpoint_config::ServerSection;

use crate::problem::Problem;

/// Routes an orchestrator or a scraper polls: never limited, never cached.
const OPERATIONS: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// The per-client limiter, or none when `rate_limit_per_second` is 0.
#[derive(Clone, Debug)]
pub struct Limiter(Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>);

impl Limiter {
    pub fn new(settings: &ServerSection) -> Limiter {
        let Some(rate) = NonZeroU32::new(settings.rate_limit_per_second) else {
            return Limiter(None);
        };
        let burst = NonZeroU32::new(settings.rate_limit_burst).unwrap_or(rate);
        Limiter(Some(Arc::new(RateLimiter::keyed(
            Quota::per_second(rate).allow_burst(burst),
        ))))
    }

    /// Forgets clients whose bucket is full again, so the map does not grow without bound.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// 429 with `Retry-After` when the client (by peer address) is over its rate.
pub async fn rate_limit(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    let Some(limiter) = &limiter.0 else {
        return next.run(request).await;
    };
    if OPERATIONS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    // Without connection info (a router driven in-process by tests) there is no client to
    // tell apart.
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return next.run(request).await;
    };
    match limiter.check_key(&peer.ip()) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            metrics::counter!("stillpoint_rate_limited_total").increment(1);
            Problem::rate_limited(wait.as_secs_f64().ceil().max(1.0) as u64).into_response()
        }
    }
}

/// `Cache-Control` of successful GETs: public for `max_age` seconds; operations routes and
/// errors are never stored.
pub async fn cache_control(State(max_age): State<u64>, request: Request, next: Next) -> Response {
    let cacheable = request.method() == Method::GET && !OPERATIONS.contains(&request.uri().path());
    let mut response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let value = if !response.status().is_success() || !cacheable {
        HeaderValue::from_static("no-store")
    } else if max_age == 0 {
        HeaderValue::from_static("no-cache")
    } else {
        HeaderValue::from_str(&format!("public, max-age={max_age}"))
            .unwrap_or(HeaderValue::from_static("no-cache"))
    };
    response.headers_mut().insert(header::CACHE_CONTROL, value);
    response
}
