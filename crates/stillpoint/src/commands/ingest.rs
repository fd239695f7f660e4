//! `stillpoint ingest`: one association's feed into the index, as a publication: stored in the
//! publication store (so `stillpoint rebuild` covers it) and audited like one sent over HTTP.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use stillpoint_index::PractitionerIndex;
use stillpoint_ingest::{FetchLimits, Format, Input};
use stillpoint_publish::{
    Action, Actor, Body, Publication, PublishReport, PublishSettings, Publisher,
};

use super::EXIT_REJECTED;
use crate::cli::{FeedFormatArg, IngestArgs};
use crate::context::Context;

/// How many rejections and warnings are printed; the JSON report has them all.
const PRINTED_PROBLEMS: usize = 50;

pub fn run(context: &Context, args: &IngestArgs) -> anyhow::Result<ExitCode> {
    let config = &context.config;
    let index = context.open_or_create_index()?;
    let limits = FetchLimits {
        timeout: Duration::from_secs(config.ingest.fetch_timeout_secs),
        max_bytes: config.ingest.max_feed_bytes,
        max_redirects: config.publishing.max_redirects,
        allow_loopback: config.publishing.allow_loopback,
        allow_private: config.publishing.allow_private_addresses,
    };
    let mut input = Input::open(&args.feed, limits)?;
    let publisher = open_publisher(context, index, usize::MAX)?;
    // The feed as read becomes the publication's body in the store, like an HTTP body: what
    // `stillpoint rebuild` replays. A file is copied too (it may change after).
    let mut spool = publisher.incoming()?;
    std::io::copy(&mut input.reader, &mut spool)
        .with_context(|| format!("reading {}", input.name))?;
    let format = args
        .format
        .map(|f| match f {
            FeedFormatArg::Jsonl => Format::JsonLines,
            FeedFormatArg::Json => Format::Json,
            FeedFormatArg::Csv => Format::Csv,
        })
        .or(input.format_hint);
    let publication = Publication {
        association: args.association.clone(),
        action: if args.replace {
            Action::Replace
        } else {
            Action::Upsert
        },
        body: Some(Body {
            spool,
            format,
            name: input.name.clone(),
        }),
        dry_run: args.dry_run,
        allow_mass_delete: args.allow_mass_delete,
        actor: Actor::cli("stillpoint ingest"),
    };
    let progress = progress_bar();
    let report = publisher.publish_with_progress(publication, &mut |n| {
        if n % 1024 == 0 {
            progress.set_position(n);
        }
    });
    progress.finish_and_clear();
    let report = report?;
    if let Some(path) = &args.report_json {
        let json = serde_json::to_vec_pretty(&report)?;
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
    }
    print_report(&report);
    Ok(if report.all_accepted() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REJECTED)
    })
}

/// The configuration's limits for publishing; `max_problems` listed per report.
pub fn publish_settings(
    config: &stillpoint_config::Config,
    max_problems: usize,
) -> PublishSettings {
    PublishSettings {
        writer_memory_bytes: config.index.writer_memory_mb << 20,
        max_record_bytes: config.ingest.max_record_bytes,
        max_removal_percent: config.ingest.max_removal_percent,
        max_problems,
    }
}

/// The publisher of the state directory over `index` (which it brings up to the store).
pub fn open_publisher(
    context: &Context,
    index: PractitionerIndex,
    max_problems: usize,
) -> anyhow::Result<Publisher> {
    let dir = context.state_dir();
    Publisher::open(
        &dir,
        index,
        context.vocabulary.clone(),
        publish_settings(&context.config, max_problems),
    )
    .with_context(|| format!("opening the publication store in {}", dir.display()))
}

/// Rejections and warnings on stderr (`file:line: field: message`), the summary on stdout.
pub fn print_report(report: &PublishReport) {
    let name = if report.source.is_empty() {
        "<body>"
    } else {
        report.source.as_str()
    };
    for (kind, problems, truncated) in [
        ("rejected", &report.rejections, report.rejections_truncated),
        ("warning", &report.warnings, report.warnings_truncated),
    ] {
        for problem in problems.iter().take(PRINTED_PROBLEMS) {
            eprintln!("{kind}: {name}:{problem}");
        }
        let more = problems.len().saturating_sub(PRINTED_PROBLEMS) as u64 + truncated;
        if more > 0 {
            eprintln!("... and {more} more {kind} (see --report-json)");
        }
    }
    println!("{report}");
}

fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {human_pos} records read ({rate}, {elapsed})")
            .expect("valid template")
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} records/s", state.per_sec());
                },
            ),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
