//! What the publishing routes share: the publisher (the publication store and the index
//! writer), the tokens requests are checked against, the limit on failed attempts, and the
//! feeds the server pulls on a schedule.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use stillpoint_auth::{Authenticator, TokenInfo};
use stillpoint_config::PublishingSection;
use stillpoint_fetch::Fetcher;
use stillpoint_publish::{Feed, Publisher, PullOutcome};
use stillpoint_search::SearchEngine;
use tokio::task::JoinHandle;

use crate::problem::Problem;

/// The client's address, when the server was started with connection info (tests that drive the
/// router in-process have none).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

/// Window of the failed-attempt limit.
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Everything the publishing routes need. Built by the binary, which owns the state directory.
#[derive(Debug)]
pub struct Publishing {
    pub publisher: Arc<Publisher>,
    pub auth: Arc<Authenticator>,
    pub fetcher: Fetcher,
    pub feeds: Vec<(Feed, Duration)>,
    pub settings: PublishingSection,
    failures: Failures,
}

impl Publishing {
    pub fn new(
        publisher: Publisher,
        auth: Authenticator,
        fetcher: Fetcher,
        feeds: Vec<(Feed, Duration)>,
        settings: PublishingSection,
    ) -> Publishing {
        Publishing {
            publisher: Arc::new(publisher),
            auth: Arc::new(auth),
            fetcher,
            feeds,
            failures: Failures::new(settings.failed_auth_per_minute),
            settings,
        }
    }

    /// The token of a request that may act for `association`: 429 while the client is over its
    /// failed attempts, 401 for missing, malformed, unknown, expired or revoked credentials, 403
    /// for another association's token. The token itself never reaches a log or an answer.
    pub fn authorize(
        &self,
        headers: &HeaderMap,
        client: Option<IpAddr>,
        association: &str,
    ) -> Result<TokenInfo, Problem> {
        let client = client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if let Some(wait) = self.failures.blocked(client) {
            metrics::counter!("stillpoint_auth_failures_total", "reason" => "blocked").increment(1);
            return Err(Problem::rate_limited(wait.as_secs().max(1)));
        }
        let header = headers.get(AUTHORIZATION).map(|v| v.as_bytes());
        match self.auth.verify(header) {
            Ok(token) if token.association == association => Ok(token),
            Ok(token) => {
                metrics::counter!("stillpoint_auth_failures_total", "reason" => "forbidden")
                    .increment(1);
                tracing::info!(token = %token.id, association, "token of another association");
                Err(Problem::forbidden(format!(
                    "this token publishes for {}, not for {association}",
                    token.association
                )))
            }
            Err(denied) => {
                metrics::counter!("stillpoint_auth_failures_total", "reason" => denied.reason())
                    .increment(1);
                self.failures.record(client);
                Err(Problem::unauthorized(denied.to_string()))
            }
        }
    }
}

/// How often the tokens' last-use times are written back.
const TOKEN_FLUSH: Duration = Duration::from_secs(1);

/// The background work of publishing: each configured feed pulled at start and then every
/// interval, and the tokens' last-use times written back every few seconds.
pub(crate) fn spawn_background(
    publishing: &Arc<Publishing>,
    engine: &Arc<SearchEngine>,
) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    for (feed, every) in &publishing.feeds {
        let (publishing, engine, feed, every) =
            (publishing.clone(), engine.clone(), feed.clone(), *every);
        tasks.push(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                publishing.pull(&feed, &engine).await;
            }
        }));
    }
    let publishing = publishing.clone();
    tasks.push(tokio::spawn(async move {
        let mut ticker = tokio::time::interval(TOKEN_FLUSH);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            publishing.flush_tokens().await;
        }
    }));
    tasks
}

impl Publishing {
    /// Pulls `feed` once on the blocking pool; a publication it applies is searchable when
    /// this returns.
    pub(crate) async fn pull(&self, feed: &Feed, engine: &Arc<SearchEngine>) {
        let (publisher, fetcher, feed, engine) = (
            self.publisher.clone(),
            self.fetcher.clone(),
            feed.clone(),
            engine.clone(),
        );
        let association = feed.association.clone();
        let result = tokio::task::spawn_blocking(move || {
            let record = stillpoint_publish::puller::pull(&publisher, &fetcher, &feed)?;
            if matches!(record.outcome, PullOutcome::Applied { .. })
                && let Err(err) = engine.reload()
            {
                tracing::error!(error = %err, "reloading after a pull");
            }
            Ok::<_, stillpoint_publish::PublishError>(record)
        })
        .await;
        let outcome = match &result {
            Ok(Ok(record)) => match &record.outcome {
                PullOutcome::Applied { .. } => "applied",
                PullOutcome::NotModified => "not_modified",
                PullOutcome::Failed { kind, .. } => {
                    metrics::counter!("stillpoint_pull_failures_total", "association" => association.clone(), "kind" => kind.clone())
                        .increment(1);
                    "failed"
                }
            },
            Ok(Err(err)) => {
                tracing::error!(association = %association, error = %err, "recording a pull");
                "failed"
            }
            Err(err) => {
                tracing::error!(association = %association, error = %err, "pull task");
                "failed"
            }
        };
        metrics::counter!("stillpoint_pulls_total", "association" => association, "outcome" => outcome)
            .increment(1);
    }

    /// Writes the tokens' last-use times back to the store.
    pub(crate) async fn flush_tokens(&self) {
        let auth = self.auth.clone();
        match tokio::task::spawn_blocking(move || auth.flush_last_used()).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(error = %err, "writing the tokens' last use"),
            Err(err) => tracing::error!(error = %err, "token flush task"),
        }
    }
}

/// Failed authentication attempts per client address in a fixed window. governor's limiters
/// cannot tell whether a client is over its limit without spending a cell, and a blocked client
/// must be refused before its credentials are even looked at, so this small map is ours.
#[derive(Debug)]
struct Failures {
    per_window: u32,
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Failures {
    fn new(per_window: u32) -> Failures {
        Failures {
            per_window: per_window.max(1),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// How long `client` must wait, when it has used up its failed attempts.
    fn blocked(&self, client: IpAddr) -> Option<Duration> {
        let clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let &(since, count) = clients.get(&client)?;
        let left = FAILURE_WINDOW.checked_sub(since.elapsed())?;
        (count >= self.per_window).then_some(left)
    }

    fn record(&self, client: IpAddr) {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if clients.len() > 100_000 {
            clients.retain(|_, (since, _)| now.duration_since(*since) < FAILURE_WINDOW);
        }
        let entry = clients.entry(client).or_insert((now, 0));
        if now.duration_since(entry.0) >= FAILURE_WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_blocked_after_its_failures_and_others_are_not() {
        let failures = Failures::new(2);
        let a = IpAddr::from([192, 0, 2, 1]);
        let b = IpAddr::from([192, 0, 2, 2]);
        assert!(failures.blocked(a).is_none());
        failures.record(a);
        assert!(failures.blocked(a).is_none());
        failures.record(a);
        let wait = failures.blocked(a).expect("blocked after 2 failures");
        assert!(wait <= FAILURE_WINDOW);
        assert!(failures.blocked(b).is_none());
    }
}
