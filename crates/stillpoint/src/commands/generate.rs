//! `stillpoint generate`: a deterministic demo feed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use stillpoint_demo::{FeedFormat, GenerateOptions};
use stillpoint_gazetteer::Gazetteer;

use crate::cli::{FeedFormatArg, GenerateArgs};
use crate::context::Context;

pub fn run(context: &Context, args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    if context.vocabulary.body_by_id(&args.association).is_none() {
        bail!(
            "unknown association {:?}: it must be a body id of the vocabulary",
            args.association
        );
    }
    let options = GenerateOptions {
        count: args.count,
        seed: args.seed,
        association: args.association.clone(),
        format: feed_format(args.format),
    };
    let cities = Gazetteer::embedded().cities();
    match &args.output {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            stillpoint_demo::generate(&context.vocabulary, cities, &options, &mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
            match stillpoint_demo::generate(&context.vocabulary, cities, &options, &mut out)
                .and_then(|()| out.flush())
            {
                Ok(()) => {}
                // `stillpoint generate | head` is fine.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(e).context("writing the feed"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn feed_format(format: FeedFormatArg) -> FeedFormat {
    match format {
        FeedFormatArg::Jsonl => FeedFormat::Jsonl,
        FeedFormatArg::Json => FeedFormat::Json,
        FeedFormatArg::Csv => FeedFormat::Csv,
    }
}
