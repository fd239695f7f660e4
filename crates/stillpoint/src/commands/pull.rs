//! `stillpoint pull [--association ID]`: pulls the configured feeds now, as the server does on
//! its schedule: a conditional request, the body applied as the association's complete member
//! list (mass-deletion guard included), the outcome recorded for its status.

use std::process::ExitCode;

use anyhow::Context as _;
use stillpoint_fetch::Fetcher;
use stillpoint_publish::{PullOutcome, puller};

use super::ingest::open_publisher;
use crate::cli::PullArgs;
use crate::context::{self, Context};

/// Rejections and warnings kept in a pulled publication's stored report.
const LISTED_PROBLEMS: usize = 1_000;

pub fn run(context: &Context, args: &PullArgs) -> anyhow::Result<ExitCode> {
    let feeds = context::feeds(&context.config, &context.vocabulary)?;
    let feeds: Vec<_> = feeds
        .into_iter()
        .map(|(feed, _)| feed)
        .filter(|feed| {
            args.association
                .as_deref()
                .is_none_or(|id| id == feed.association)
        })
        .collect();
    if feeds.is_empty() {
        match &args.association {
            Some(id) => anyhow::bail!("no feed of {id} is configured ([[feeds]])"),
            None => anyhow::bail!("no feed is configured: add [[feeds]] to the configuration"),
        }
    }
    let index = context.open_or_create_index()?;
    let publisher = open_publisher(context, index, LISTED_PROBLEMS)?;
    let fetcher = Fetcher::new(context::fetch_policy(&context.config))?;
    let mut records = Vec::new();
    let mut failed = false;
    for feed in &feeds {
        let record = puller::pull(&publisher, &fetcher, feed)
            .with_context(|| format!("recording the pull of {}", feed.association))?;
        if !args.json {
            let outcome = match &record.outcome {
                PullOutcome::Applied { seq, counts, .. } => format!(
                    "applied as publication {seq}: {} added, {} updated, {} unchanged, {} removed, {} rejected",
                    counts.added, counts.updated, counts.unchanged, counts.removed, counts.rejected
                ),
                PullOutcome::NotModified => "not modified since the last pull".to_owned(),
                PullOutcome::Failed { kind, message } => format!("failed ({kind}): {message}"),
            };
            println!("{}: {}: {outcome}", feed.association, record.url);
        }
        failed |= matches!(record.outcome, PullOutcome::Failed { .. });
        records.push(serde_json::json!({
            "association": feed.association,
            "url": record.url,
            "outcome": record.outcome,
            "attempted_at": record.attempted_at,
        }));
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&records)?);
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
