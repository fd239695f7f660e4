//! `stillpoint pull` (being written).

use std::process::ExitCode;

use crate::cli::PullArgs;
use crate::context::Context;

pub fn run(_context: &Context, _args: &PullArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`stillpoint pull` is not available yet")
}
