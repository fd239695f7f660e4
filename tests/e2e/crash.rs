//! A crash or kill at any moment of an ingest leaves the previous commit intact and readable, and
//! the next ingest works (no stale lock).

use std::time::Duration;

use crate::common::{Env, member_count};

#[test]
fn killing_an_ingest_midway_leaves_the_previous_index_readable() {
    let env = Env::new();
    let small = env.run(&[
        "generate",
        "--count",
        "40",
        "--seed",
        "1",
        "--association",
        "upledger",
    ]);
    let small = env.write("small.jsonl", small.expect_code(0).stdout.as_bytes());
    env.run(&[
        "ingest",
        "--association",
        "upledger",
        small.to_str().unwrap(),
    ])
    .expect_code(0);

    let big = env.path("big.jsonl");
    env.run(&[
        "generate",
        "--count",
        "20000",
        "--seed",
        "2",
        "--association",
        "upledger",
        "--output",
        big.to_str().unwrap(),
    ])
    .expect_code(0);
    // Kill at several moments: while reading, while indexing, and around the commit.
    for delay_ms in [50u64, 300, 900, 1700] {
        let mut child = env
            .command(&[
                "ingest",
                "--association",
                "upledger",
                "--replace",
                "--allow-mass-delete",
                big.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
        let count = member_count(&env.state(), "upledger");
        if finished {
            assert_eq!(count, 20_000, "a finished ingest is complete");
        } else {
            assert!(
                count == 40 || count == 20_000,
                "killed after {delay_ms} ms: {count} members, neither the old nor the new listing"
            );
        }
        // Put the small listing back for the next round; the writer lock must be free.
        env.run(&[
            "ingest",
            "--association",
            "upledger",
            "--replace",
            "--allow-mass-delete",
            small.to_str().unwrap(),
        ])
        .expect_code(0);
        assert_eq!(member_count(&env.state(), "upledger"), 40);
    }
}
