//! The command line as a user drives it: demo, generate, ingest from every kind of source, exit
//! codes and reports.

use crate::common::{Env, Run, member_count, serve_once};

const ONE: &str = r#"{"member_id":"A-1","name":"Ana Lee","approach":"biodynamic","credentials":[{"body":"bcta-na","credential":"RCST"}],"specialties":["jaw pain"],"locations":[{"city":"Boulder","region":"CO","country":"US"}]}"#;
const BAD: &str =
    r#"{"member_id":"A-2","name":"Ben","locations":[{"country":"US","lat":91,"lon":0}]}"#;

#[test]
fn demo_builds_an_index_and_says_it_is_ready() {
    let env = Env::new();
    let run = env.run(&["demo", "--no-serve", "--count", "120"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("Demo index ready: 120 practitioners"),
        "{}",
        run.stdout
    );
    for association in ["upledger", "bcta-na", "csta-uk", "iahp"] {
        assert!(member_count(&env.state(), association) > 0, "{association}");
    }
    let show = env.run(&["show", "upledger:M-000001"]);
    show.expect_code(0);
    let practitioner: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(practitioner["id"], "upledger:M-000001");
}

#[test]
fn generated_feeds_are_deterministic_and_ingest_cleanly_in_every_format() {
    let env = Env::new();
    for format in ["jsonl", "json", "csv"] {
        let args = [
            "generate",
            "--count",
            "60",
            "--seed",
            "5",
            "--association",
            "csta-uk",
            "--format",
            format,
        ];
        let first = env.run(&args);
        first.expect_code(0);
        assert_eq!(
            first.stdout,
            env.run(&args).stdout,
            "{format}: same seed, same feed"
        );
        let feed = env.write(&format!("feed.{format}"), first.stdout.as_bytes());
        let ingest = env.run(&[
            "ingest",
            "--association",
            "csta-uk",
            "--replace",
            "--allow-mass-delete",
            feed.to_str().unwrap(),
        ]);
        ingest.expect_code(0);
        assert!(
            ingest.stdout.contains("accepted 60"),
            "{format}: {}",
            ingest.stdout
        );
        assert_eq!(member_count(&env.state(), "csta-uk"), 60);
    }
}

#[test]
fn ingest_exits_3_with_file_line_field_messages_when_records_are_rejected() {
    let env = Env::new();
    let feed = env.write("members.jsonl", format!("{ONE}\n{BAD}\n").as_bytes());
    let report = env.path("report.json");
    let run = env.run(&[
        "ingest",
        "--association",
        "bcta-na",
        "--report-json",
        report.to_str().unwrap(),
        feed.to_str().unwrap(),
    ]);
    run.expect_code(3);
    let expected = format!(
        "{}:2: locations[0].lat: 91 is out of range (-90 to 90)",
        feed.display()
    );
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    assert!(
        run.stdout.contains("accepted 1") && run.stdout.contains("rejected 1"),
        "{}",
        run.stdout
    );
    assert_eq!(
        member_count(&env.state(), "bcta-na"),
        1,
        "the valid record is committed"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    assert_eq!(report["rejected"], 1);
    assert_eq!(report["rejections"][0]["line"], 2);
    assert_eq!(report["rejections"][0]["member_id"], "A-2");
    assert_eq!(report["rejections"][0]["field"], "locations[0].lat");
}

#[test]
fn ingest_fails_with_exit_1_and_changes_nothing_on_fatal_errors() {
    let env = Env::new();
    let feed = env.write("members.jsonl", format!("{ONE}\n").as_bytes());
    env.run(&["ingest", "--association", "bcta-na", feed.to_str().unwrap()])
        .expect_code(0);

    let missing = env.run(&[
        "ingest",
        "--association",
        "bcta-na",
        "/nonexistent/feed.csv",
    ]);
    missing.expect_code(1);
    assert!(
        missing.stderr.contains("/nonexistent/feed.csv"),
        "{}",
        missing.stderr
    );

    let unknown = env.run(&[
        "ingest",
        "--association",
        "acme-guild",
        feed.to_str().unwrap(),
    ]);
    unknown.expect_code(1);
    assert!(
        unknown
            .stderr
            .contains("unknown association \"acme-guild\""),
        "{}",
        unknown.stderr
    );

    let broken = env.write("broken.json", b"[\n{\"member_id\":\"x\"},\n{oops\n]");
    let syntax = env.run(&[
        "ingest",
        "--association",
        "bcta-na",
        "--replace",
        broken.to_str().unwrap(),
    ]);
    syntax.expect_code(1);
    assert!(syntax.stderr.contains("line 3"), "{}", syntax.stderr);
    assert_eq!(member_count(&env.state(), "bcta-na"), 1);

    let usage = env.run(&["ingest", feed.to_str().unwrap()]);
    usage.expect_code(2);
}

#[test]
fn ingest_reads_standard_input_and_urls() {
    let env = Env::new();
    let run = env.run_with_stdin(
        &["ingest", "--association", "bcta-na", "-"],
        format!("{ONE}\n").as_bytes(),
    );
    run.expect_code(0);
    assert_eq!(member_count(&env.state(), "bcta-na"), 1);

    let csv = "member_id,name,country,city,region\nU-1,Uma,US,Denver,CO\nU-2,Ulf,DE,Berlin,\n";
    let url = serve_once(csv.as_bytes().to_vec(), "text/csv", 1);
    // Loopback is refused by default (a feed URL must not reach the server's own machine).
    let refused = env.run(&["ingest", "--association", "upledger", &url]);
    refused.expect_code(1);
    assert!(
        refused.stderr.contains("allow_loopback"),
        "{}",
        refused.stderr
    );
    let url = serve_once(csv.as_bytes().to_vec(), "text/csv", 1);
    let mut command = env.command(&["ingest", "--association", "upledger", &url]);
    command.env("STILLPOINT_PUBLISHING_ALLOW_LOOPBACK", "true");
    Run::from(command.output().unwrap()).expect_code(0);
    assert_eq!(member_count(&env.state(), "upledger"), 2);
}

#[test]
fn replace_refuses_to_wipe_a_directory_from_a_truncated_export() {
    let env = Env::new();
    let full: String = (0..10)
        .map(|i| ONE.replace("A-1", &format!("A-{i}")) + "\n")
        .collect();
    let feed = env.write("full.jsonl", full.as_bytes());
    env.run(&["ingest", "--association", "bcta-na", feed.to_str().unwrap()])
        .expect_code(0);
    let cut = env.write("cut.jsonl", format!("{ONE}\n").as_bytes());
    let run = env.run(&[
        "ingest",
        "--association",
        "bcta-na",
        "--replace",
        cut.to_str().unwrap(),
    ]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("refusing to remove 9 of 10 members"),
        "{}",
        run.stderr
    );
    assert_eq!(member_count(&env.state(), "bcta-na"), 10);
    env.run(&[
        "ingest",
        "--association",
        "bcta-na",
        "--replace",
        "--allow-mass-delete",
        cut.to_str().unwrap(),
    ])
    .expect_code(0);
    assert_eq!(member_count(&env.state(), "bcta-na"), 1);
}

#[test]
fn geocode_prints_ranked_candidates() {
    let env = Env::new();
    let run = env.run(&["geocode", "Portland", "--json"]);
    run.expect_code(0);
    let places: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(places[0]["region_code"], "OR");
    assert!(
        places
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["region_code"] == "ME")
    );
    env.run(&["geocode", "Qqqqxq"]).expect_code(1);
}

#[test]
fn a_bad_configuration_is_reported_before_anything_runs() {
    let env = Env::new();
    let config = env.write(
        "bad.toml",
        b"[index]\ndir = \"x\"\nwriter_memory_mb = 64\ncolour = 1\n",
    );
    let run = env.run(&[
        "--config",
        config.to_str().unwrap(),
        "demo",
        "--no-serve",
        "--count",
        "5",
    ]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("colour") || run.stderr.contains("unknown field"),
        "{}",
        run.stderr
    );
}
