//! `stillpoint token`: a token is printed once and only its hash is kept; list never shows a
//! secret or a hash; revoke; mistakes exit 1 (2 for an unreadable --expires).

use crate::common::{Env, Run};

/// Creates a token and returns it (the only line of stdout) and its id.
fn create(env: &Env, args: &[&str]) -> (String, String) {
    let run = env.run(&[&["token", "create"], args].concat());
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout: {:?}", run.stdout);
    let token = lines[0].to_owned();
    let id = token_id(&token);
    assert!(
        run.stderr.contains("only time it is shown") && run.stderr.contains(&id),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&token), "{}", run.stderr);
    (token, id)
}

/// Checks the documented shape, `spt_<12 hex>_<43 base64url>`, and returns the id.
#[track_caller]
fn token_id(token: &str) -> String {
    let rest = token.strip_prefix("spt_").expect(token);
    let (id, secret) = rest.split_at(12);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{token}"
    );
    let secret = secret.strip_prefix('_').expect(token);
    assert_eq!(secret.len(), 43, "{token}");
    assert!(
        secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{token}"
    );
    id.to_owned()
}

fn list_json(env: &Env) -> Vec<serde_json::Value> {
    let run = env.run(&["token", "list", "--json"]);
    run.expect_code(0);
    serde_json::from_str(&run.stdout).unwrap()
}

/// The stored hashes, read straight from the file.
fn stored_hashes(env: &Env) -> Vec<String> {
    let text = std::fs::read_to_string(env.state().join("tokens.json")).unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    document["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["hash"].as_str().unwrap().to_owned())
        .collect()
}

#[track_caller]
fn assert_shows_no_secret(run: &Run, token: &str, hashes: &[String]) {
    let secret = &token[17..];
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(secret), "{text}");
        for hash in hashes {
            assert!(!text.contains(hash.as_str()), "{text}");
        }
    }
}

#[test]
fn create_prints_the_token_once_and_list_shows_it_without_secret_or_hash() {
    let env = Env::new();
    let (token, id) = create(
        &env,
        &[
            "--association",
            "bcta-na",
            "--label",
            "membership office",
            "--expires",
            "30d",
        ],
    );
    let (other, other_id) = create(&env, &["--association", "iahp"]);
    assert_ne!(id, other_id);

    let file = std::fs::read_to_string(env.state().join("tokens.json")).unwrap();
    assert!(!file.contains(&token[17..]) && !file.contains(&other[17..]));
    let hashes = stored_hashes(&env);
    assert_eq!(hashes.len(), 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = std::fs::metadata(env.state().join("tokens.json")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }

    let table = env.run(&["token", "list"]);
    table.expect_code(0);
    assert_shows_no_secret(&table, &token, &hashes);
    assert_shows_no_secret(&table, &other, &hashes);
    let line = table.stdout.lines().find(|l| l.starts_with(&id)).unwrap();
    for expected in ["bcta-na", "active", "never", "membership office"] {
        assert!(line.contains(expected), "{line}");
    }
    assert!(table.stdout.starts_with("ID "), "{}", table.stdout);

    let json = env.run(&["token", "list", "--json"]);
    assert_shows_no_secret(&json, &token, &hashes);
    let listed = list_json(&env);
    assert_eq!(listed.len(), 2);
    let first = &listed[0];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(first["association"], "bcta-na");
    assert_eq!(first["label"], "membership office");
    assert_eq!(first["status"], "active");
    assert!(first["revoked"].is_null() && first["last_used"].is_null());
    assert!(first.get("hash").is_none(), "{first}");
    let created = first["created"].as_str().unwrap();
    let expires = first["expires"].as_str().unwrap();
    assert!(
        created.ends_with('Z') && expires > created,
        "{created} {expires}"
    );
    // Without --expires: the configuration's token_expiry_days (365).
    let default_expiry = listed[1]["expires"].as_str().unwrap();
    assert!(default_expiry[..4] > created[..4], "{default_expiry}");
}

#[test]
fn revoke_marks_the_token_revoked_in_list() {
    let env = Env::new();
    let (_, id) = create(&env, &["--association", "csta-uk", "--label", "test"]);
    let (_, kept) = create(&env, &["--association", "csta-uk"]);

    let run = env.run(&["token", "revoke", &id]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains(&format!("revoked token {id} (csta-uk, test)")),
        "{}",
        run.stdout
    );
    // Revoking again is not an error and keeps the first revocation.
    let first_revoked = list_json(&env)[0]["revoked"].clone();
    env.run(&["token", "revoke", &id]).expect_code(0);

    let listed = list_json(&env);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["status"], "revoked");
    assert_eq!(listed[0]["revoked"], first_revoked);
    assert!(first_revoked.is_string());
    assert_eq!(listed[1]["id"], kept.as_str());
    assert_eq!(listed[1]["status"], "active");

    let table = env.run(&["token", "list"]);
    let line = table.stdout.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(line.contains("revoked"), "{line}");
}

#[test]
fn unknown_association_exits_1_naming_the_valid_ids_and_creates_nothing() {
    let env = Env::new();
    let run = env.run(&["token", "create", "--association", "no-such-body"]);
    run.expect_code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("no-such-body") && run.stderr.contains("bcta-na"),
        "{}",
        run.stderr
    );
    assert!(!env.state().join("tokens.json").exists());
}

#[test]
fn unknown_id_exits_1_and_a_pasted_non_id_is_not_echoed() {
    let env = Env::new();
    create(&env, &["--association", "iahp"]);
    let run = env.run(&["token", "revoke", "0123456789ab"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("no token with id 0123456789ab"),
        "{}",
        run.stderr
    );

    let run = env.run(&["token", "revoke", "spt_0123456789ab_almost-a-secret"]);
    run.expect_code(1);
    assert!(!run.stderr.contains("almost-a-secret"), "{}", run.stderr);
    assert_eq!(list_json(&env)[0]["status"], "active");
}

#[test]
fn unreadable_or_out_of_range_expiry_is_a_usage_error() {
    let env = Env::new();
    for expires in ["365", "soon", "0d", "-1d", "11y"] {
        // `=`: clap would take a separate `-1d` for a flag.
        let flag = format!("--expires={expires}");
        let run = env.run(&["token", "create", "--association", "iahp", &flag]);
        run.expect_code(2);
        assert!(
            run.stderr.contains("error: --expires: invalid validity"),
            "{expires}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
    assert!(!env.state().join("tokens.json").exists());
}

#[test]
fn list_of_a_fresh_state_directory_is_empty() {
    let env = Env::new();
    let run = env.run(&["token", "list"]);
    run.expect_code(0);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(list_json(&env).is_empty());
}
