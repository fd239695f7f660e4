//! A smoke test of the binary itself. Having an integration test here also makes
//! `cargo test --workspace` build the `stillpoint` binary that the end-to-end tests in `tests/`
//! run.

use std::process::Command;

#[test]
fn help_lists_every_command() {
    let output = Command::new(env!("CARGO_BIN_EXE_stillpoint"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for command in ["demo", "generate", "ingest", "geocode", "show"] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
}
