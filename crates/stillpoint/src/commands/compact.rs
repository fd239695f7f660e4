//! `stillpoint compact`: merge the index's segments into one after a bulk load.

use std::process::ExitCode;
use std::time::Instant;

use crate::context::Context;

pub fn run(context: &Context) -> anyhow::Result<ExitCode> {
    let index = context.open_index()?;
    let started = Instant::now();
    let mut writer = index.writer(context.config.index.writer_memory_mb << 20)?;
    let merged = writer.compact()?;
    writer.finish()?;
    if merged == 0 {
        println!("{}: one segment already", context.state_dir().display());
    } else {
        println!(
            "{}: {merged} segments merged into one ({} practitioners) in {:.1} s",
            context.state_dir().display(),
            index.num_practitioners()?,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
