//! Pulling an association's published feed: a conditional fetch through the guarded fetcher,
//! then the body applied as the association's complete member list, exactly like a `PUT`
//! (mass-deletion guard included). Whatever fails, the previous listing stays and the failure
//! is recorded where the association's status shows it.

use jiff::Timestamp;
use stillpoint_fetch::{Fetched, Fetcher, Validators, display_url};
use stillpoint_ingest::Format;

use crate::error::{PublishError, Result};
use crate::publication::{Action, Actor, ActorKind, Body, Publication};
use crate::publisher::Publisher;
use crate::pull::{PullOutcome, PullRecord};

/// One feed to pull: `[[feeds]]` of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// The association (a vocabulary body id).
    pub association: String,
    pub url: String,
    /// The configured format; `None`: from the response's content type, the URL, the content.
    pub format: Option<Format>,
}

/// Pulls `feed` now and records what happened ([`Publisher::record_pull`]).
///
/// The request carries the validators (ETag, Last-Modified) of the last pull that succeeded
/// from the same URL, so an unchanged feed costs a 304 and changes nothing. A new body is
/// published as a replace by the pull's actor. A failed fetch or a refused publication (too
/// many removals, a busy index) is an `Ok` record with a [`PullOutcome::Failed`] outcome:
/// only failing to record it is an error. The validators of a failed attempt are not kept, so
/// the next pull fetches the feed again rather than being told it did not change.
pub fn pull(publisher: &Publisher, fetcher: &Fetcher, feed: &Feed) -> Result<PullRecord> {
    let url = display_url(&feed.url);
    let previous = publisher
        .pull_state(&feed.association)?
        .filter(|p| p.url == url);
    let validators = Validators {
        etag: previous.as_ref().and_then(|p| p.etag.clone()),
        last_modified: previous.as_ref().and_then(|p| p.last_modified.clone()),
    };
    let attempted_at = Timestamp::now();
    let mut record = PullRecord {
        url: url.clone(),
        attempted_at,
        outcome: PullOutcome::NotModified,
        etag: validators.etag.clone(),
        last_modified: validators.last_modified.clone(),
        last_success_at: previous.as_ref().and_then(|p| p.last_success_at),
    };
    let mut spool = publisher.incoming()?;
    match fetcher.fetch(&feed.url, &validators, &mut spool) {
        Ok(Fetched::NotModified) => {
            record.last_success_at = Some(attempted_at);
        }
        Ok(Fetched::Body {
            content_type,
            validators: fresh,
            final_url,
            ..
        }) => {
            let format = feed
                .format
                .or_else(|| content_type.as_deref().and_then(Format::from_hint))
                .or_else(|| Format::from_hint(path_of(&final_url)));
            let mut body = Body::new(spool, format);
            body.name = url.clone();
            let publication = Publication {
                association: feed.association.clone(),
                action: Action::Replace,
                body: Some(body),
                dry_run: false,
                allow_mass_delete: false,
                actor: Actor {
                    kind: ActorKind::Pull,
                    id: feed.association.clone(),
                    label: Some(url.clone()),
                },
            };
            match publisher.publish(publication) {
                Ok(report) => {
                    record.outcome = PullOutcome::Applied {
                        seq: report.seq.unwrap_or_default(),
                        generation: report.generation.unwrap_or_default(),
                        counts: report.counts(),
                    };
                    record.etag = fresh.etag;
                    record.last_modified = fresh.last_modified;
                    record.last_success_at = Some(attempted_at);
                }
                Err(error) => record.fail(publish_kind(&error), error.to_string()),
            }
        }
        Err(error) => record.fail(error.kind(), error.to_string()),
    }
    if let PullOutcome::Failed { kind, message } = &record.outcome {
        tracing::warn!(association = %feed.association, url = %url, kind = %kind, "pull failed: {message}");
    }
    publisher.record_pull(&feed.association, &record)?;
    Ok(record)
}

impl PullRecord {
    fn fail(&mut self, kind: &str, message: String) {
        self.outcome = PullOutcome::Failed {
            kind: kind.to_owned(),
            message,
        };
        self.etag = None;
        self.last_modified = None;
    }
}

/// The path of a URL, for a format hint from its extension.
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    path.split(['?', '#']).next().unwrap_or(path)
}

/// A short word for a refused publication, in the style of the fetcher's kinds.
fn publish_kind(error: &PublishError) -> &'static str {
    match error {
        PublishError::MassDelete { .. } => "mass_delete",
        PublishError::Busy { .. } => "busy",
        PublishError::Unreadable(_) | PublishError::BadRequest(_) => "unreadable",
        PublishError::UnknownAssociation(_) => "unknown_association",
        _ => "internal",
    }
}

#[cfg(test)]
mod tests {
    use super::path_of;

    #[test]
    fn the_path_of_a_url_gives_the_format_hint() {
        assert_eq!(
            path_of("https://a.example/x/members.csv?t=1"),
            "/x/members.csv"
        );
        assert_eq!(path_of("https://a.example"), "");
        assert_eq!(path_of("http://a.example/feed.jsonl#top"), "/feed.jsonl");
    }
}
