//! `stillpoint rebuild` (being written).

use std::process::ExitCode;

use crate::cli::RebuildArgs;
use crate::context::Context;

pub fn run(_context: &Context, _args: &RebuildArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`stillpoint rebuild` is not available yet")
}
