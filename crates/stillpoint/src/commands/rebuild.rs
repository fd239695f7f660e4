//! `stillpoint rebuild`: a new index from the publication store, swapped in for the current one
//! (after a schema or vocabulary change, or to recover a lost index).

use std::process::ExitCode;

use anyhow::Context as _;
use stillpoint_publish::{PreviousIndex, RebuildReport};

use super::ingest::publish_settings;
use crate::cli::RebuildArgs;
use crate::context::Context;

pub fn run(context: &Context, args: &RebuildArgs) -> anyhow::Result<ExitCode> {
    let state = context.state_dir();
    let settings = publish_settings(&context.config, 0);
    let report =
        stillpoint_publish::rebuild(&state, context.vocabulary.clone(), &settings, args.dry_run)
            .with_context(|| format!("rebuilding the index in {}", state.display()))?;
    print(&report);
    Ok(ExitCode::SUCCESS)
}

fn print(report: &RebuildReport) {
    let previous = |n: Option<u64>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
    println!(
        "{:<16} {:>12} {:>10} {:>10}",
        "association", "publications", "members", "before"
    );
    for row in &report.associations {
        let note = if row.unknown {
            "  (not in the vocabulary: not replayed)"
        } else if row.previous_members.is_some_and(|n| n != row.members) {
            "  (changed)"
        } else {
            ""
        };
        println!(
            "{:<16} {:>12} {:>10} {:>10}{note}",
            row.association,
            row.publications,
            row.members,
            previous(row.previous_members)
        );
    }
    for skipped in &report.skipped {
        eprintln!(
            "warning: {} publication {} was not applied: {}",
            skipped.association, skipped.seq, skipped.reason
        );
    }
    let before = match &report.previous {
        PreviousIndex::Missing => "there was no index".to_owned(),
        PreviousIndex::Counted { members } => format!("the previous index had {members}"),
        PreviousIndex::Unreadable { message } => {
            format!("the previous index could not be counted: {message}")
        }
    };
    println!();
    if report.dry_run {
        println!(
            "Dry run: a rebuild would hold {} practitioners from {} publications ({before}) \
             ({:.1}s); the index in {} is unchanged.",
            report.members,
            report.publications,
            report.seconds,
            report.path.display()
        );
    } else {
        println!(
            "Rebuilt {}: {} practitioners from {} publications ({before}) in {:.1}s; \
             index generation {}.",
            report.path.display(),
            report.members,
            report.publications,
            report.seconds,
            report.generation
        );
        println!("A running `stillpoint serve` still serves the previous index: restart it.");
    }
}
