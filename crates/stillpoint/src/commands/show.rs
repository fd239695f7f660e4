//! `stillpoint show`: one practitioner as the index stores it.

use std::process::ExitCode;

use crate::cli::ShowArgs;
use crate::context::Context;

pub fn run(context: &Context, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let index = context.open_index()?;
    match index.get(&args.id)? {
        Some(practitioner) => {
            println!("{}", serde_json::to_string_pretty(&practitioner)?);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!(
                "no practitioner {:?} in {}",
                args.id,
                context.state_dir().display()
            );
            Ok(ExitCode::from(1))
        }
    }
}
