//! `stillpoint token` (being written).

use std::process::ExitCode;

use crate::cli::TokenArgs;
use crate::context::Context;

pub fn run(_context: &Context, _args: &TokenArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`stillpoint token` is not available yet")
}
