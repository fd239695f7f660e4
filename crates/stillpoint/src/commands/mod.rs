//! One module per command.

mod compact;
mod demo;
mod generate;
mod geocode;
mod ingest;
mod pull;
mod rebuild;
mod search;
mod serve;
mod show;
mod token;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::context::Context;

/// Exit code when some records were rejected and the rest committed.
pub const EXIT_REJECTED: u8 = 3;
/// Exit code of a usage error (clap's own, for the same kind of mistake).
pub const EXIT_USAGE: u8 = 2;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        // The gazetteer needs no configuration.
        Command::Geocode(args) => geocode::run(&args),
        command => {
            let context = Context::load(&cli.global)?;
            match command {
                Command::Demo(args) => demo::run(&context, &args),
                Command::Generate(args) => generate::run(&context, &args),
                Command::Ingest(args) => ingest::run(&context, &args),
                Command::Show(args) => show::run(&context, &args),
                Command::Search(args) => search::run(&context, &args),
                Command::Serve(args) => serve::run(&context, &args),
                Command::Token(args) => token::run(&context, &args),
                Command::Rebuild(args) => rebuild::run(&context, &args),
                Command::Pull(args) => pull::run(&context, &args),
                Command::Compact => compact::run(&context),
                Command::Geocode(_) => unreachable!("handled above"),
            }
        }
    }
}
