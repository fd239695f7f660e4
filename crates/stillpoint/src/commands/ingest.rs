//! `stillpoint ingest`: one association's feed into the index.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use stillpoint_ingest::{FetchLimits, Format, IngestOptions, IngestReport, Input};

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
    let input = Input::open(&args.feed, limits)?;
    let options = IngestOptions {
        association: args.association.clone(),
        replace: args.replace,
        dry_run: args.dry_run,
        format: args.format.map(|f| match f {
            FeedFormatArg::Jsonl => Format::JsonLines,
            FeedFormatArg::Json => Format::Json,
            FeedFormatArg::Csv => Format::Csv,
        }),
        max_record_bytes: config.ingest.max_record_bytes,
        max_removal_percent: config.ingest.max_removal_percent,
        allow_mass_delete: args.allow_mass_delete,
        writer_memory_bytes: config.index.writer_memory_mb << 20,
    };
    let progress = progress_bar();
    let report = stillpoint_ingest::ingest(
        &index,
        context.vocabulary.clone(),
        input,
        &options,
        &mut |n| {
            if n % 1024 == 0 {
                progress.set_position(n);
            }
        },
    );
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

/// Rejections and warnings on stderr (`file:line: field: message`), the summary on stdout.
pub fn print_report(report: &IngestReport) {
    for (kind, problems) in [
        ("rejected", &report.rejections),
        ("warning", &report.warnings),
    ] {
        for problem in problems.iter().take(PRINTED_PROBLEMS) {
            eprintln!("{kind}: {problem}");
        }
        if problems.len() > PRINTED_PROBLEMS {
            eprintln!(
                "... and {} more {kind} (see --report-json)",
                problems.len() - PRINTED_PROBLEMS
            );
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
