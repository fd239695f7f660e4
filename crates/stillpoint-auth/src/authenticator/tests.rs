use std::time::{Duration, Instant};

use super::*;
use crate::token::Secret;

const DAY: Duration = Duration::from_secs(86_400);

struct Fixture {
    dir: tempfile::TempDir,
    store: TokenStore,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::open(dir.path()).unwrap();
        Fixture { dir, store }
    }

    fn create(&self, association: &str) -> (TokenInfo, Secret) {
        self.store.create(association, None, DAY).unwrap()
    }

    fn authenticator(&self) -> Authenticator {
        Authenticator::open(self.dir.path()).unwrap()
    }
}

fn header(token: &str) -> Vec<u8> {
    format!("Bearer {token}").into_bytes()
}

/// Polls `verify` until it gives `expected`, for at most a second.
fn eventually(auth: &Authenticator, header: &[u8], expected: Result<(), Denied>) -> Duration {
    let start = Instant::now();
    loop {
        let got = auth.verify(Some(header)).map(|_| ());
        if got == expected {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "still {got:?} after a second, expected {expected:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn created_token_verifies_and_names_its_association() {
    let fixture = Fixture::new();
    let (info, secret) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    assert_eq!(auth.verify(Some(&header(secret.expose()))), Ok(info));
}

#[test]
fn scheme_is_case_insensitive_and_spaces_are_tolerated() {
    let fixture = Fixture::new();
    let (_, secret) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    let token = secret.expose();
    for value in [
        format!("bearer {token}"),
        format!("BEARER {token}"),
        format!("Bearer   {token}"),
        format!("  Bearer {token}\t"),
    ] {
        assert!(auth.verify(Some(value.as_bytes())).is_ok(), "{value:?}");
    }
}

#[test]
fn missing_and_malformed_credentials_are_told_apart() {
    let fixture = Fixture::new();
    let (_, secret) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    let token = secret.expose();
    assert_eq!(auth.verify(None), Err(Denied::Missing));
    assert_eq!(auth.verify(Some(b"")), Err(Denied::Missing));
    assert_eq!(auth.verify(Some(b"   ")), Err(Denied::Missing));
    let malformed: Vec<Vec<u8>> = vec![
        token.as_bytes().to_vec(),
        format!("Basic {token}").into_bytes(),
        format!("Bearer{token}").into_bytes(),
        format!("Bearer\t{token}").into_bytes(),
        format!("Bearer {token} extra").into_bytes(),
        format!("Bearer {token}x").into_bytes(),
        format!("Bearer {}", &token[..token.len() - 1]).into_bytes(),
        b"Bearer".to_vec(),
        b"Bearer ".to_vec(),
        b"Bearer \xff\xfe".to_vec(),
        [b"Bearer ".as_slice(), &[0xc3; 60]].concat(),
        format!("Bearer {}", "a".repeat(100_000)).into_bytes(),
    ];
    for value in malformed {
        assert_eq!(
            auth.verify(Some(&value)),
            Err(Denied::Malformed),
            "{:?}",
            String::from_utf8_lossy(&value[..value.len().min(80)])
        );
    }
}

#[test]
fn wrong_secret_and_unknown_id_are_both_unknown() {
    let fixture = Fixture::new();
    let (info, secret) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    let other = token::random_token(&info.id).unwrap();
    assert_ne!(other.expose(), secret.expose());
    assert_eq!(
        auth.verify(Some(&header(other.expose()))),
        Err(Denied::Unknown)
    );
    let stranger = token::random_token("ffffffffffff").unwrap();
    assert_eq!(
        auth.verify(Some(&header(stranger.expose()))),
        Err(Denied::Unknown)
    );
}

#[test]
fn expired_token_is_refused_from_its_expiry_on() {
    let fixture = Fixture::new();
    let (info, secret) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    let value = header(secret.expose());
    let just_before = info.expires.checked_sub(Duration::from_secs(1)).unwrap();
    assert!(auth.verify_at(Some(&value), just_before).is_ok());
    assert_eq!(
        auth.verify_at(Some(&value), info.expires),
        Err(Denied::Expired)
    );
}

#[test]
fn revoke_by_the_cli_reaches_a_running_authenticator_within_a_second() {
    let fixture = Fixture::new();
    let (info, secret) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    let value = header(secret.expose());
    assert!(auth.verify(Some(&value)).is_ok());
    // Another handle on the same directory, as the CLI process would have.
    TokenStore::open(fixture.dir.path())
        .unwrap()
        .revoke(&info.id)
        .unwrap();
    let took = eventually(&auth, &value, Err(Denied::Revoked));
    assert!(took <= Duration::from_secs(1), "{took:?}");
}

#[test]
fn a_token_created_after_the_server_started_is_accepted_within_a_second() {
    let fixture = Fixture::new();
    let auth = fixture.authenticator();
    let (_, secret) = fixture.create("iahp");
    eventually(&auth, &header(secret.expose()), Ok(()));
}

#[test]
fn last_used_times_are_written_only_on_flush() {
    let fixture = Fixture::new();
    let (info, secret) = fixture.create("bcta-na");
    let (unused, _) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    let before = std::fs::read(fixture.store.path()).unwrap();

    auth.flush_last_used().unwrap();
    assert_eq!(
        std::fs::read(fixture.store.path()).unwrap(),
        before,
        "nothing to flush"
    );

    let at = info.created.checked_add(Duration::from_secs(5)).unwrap();
    auth.verify_at(Some(&header(secret.expose())), at).unwrap();
    assert_eq!(
        std::fs::read(fixture.store.path()).unwrap(),
        before,
        "no write per request"
    );
    auth.flush_last_used().unwrap();

    let listed = fixture.store.list().unwrap();
    let used = |id: &str| listed.iter().find(|t| t.id == id).unwrap().last_used;
    assert_eq!(used(&info.id), Some(at));
    assert_eq!(used(&unused.id), None);
}

#[test]
fn a_failed_flush_keeps_the_times_for_the_next() {
    let fixture = Fixture::new();
    let (info, secret) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    auth.verify(Some(&header(secret.expose()))).unwrap();
    // A directory where the lock file belongs makes taking the lock fail.
    let lock = fixture.dir.path().join("tokens.lock");
    std::fs::remove_file(&lock).unwrap();
    std::fs::create_dir(&lock).unwrap();
    assert!(auth.flush_last_used().is_err());
    std::fs::remove_dir(&lock).unwrap();
    auth.flush_last_used().unwrap();
    let listed = fixture.store.list().unwrap();
    assert!(listed[0].last_used.is_some(), "{:?}", info.id);
}

#[test]
fn a_corrupt_file_fails_open_but_a_later_corruption_keeps_the_loaded_tokens() {
    let fixture = Fixture::new();
    let (_, secret) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    std::fs::write(fixture.store.path(), "{").unwrap();
    let err = Authenticator::open(fixture.dir.path()).unwrap_err();
    assert!(err.to_string().contains("tokens.json"), "{err}");
    std::thread::sleep(RELOAD_INTERVAL + Duration::from_millis(50));
    assert!(auth.verify(Some(&header(secret.expose()))).is_ok());
}

#[test]
fn deleting_the_file_removes_every_token() {
    let fixture = Fixture::new();
    let (_, secret) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    std::fs::remove_file(fixture.store.path()).unwrap();
    eventually(&auth, &header(secret.expose()), Err(Denied::Unknown));
}

#[test]
fn concurrent_verifies_share_one_authenticator() {
    let fixture = Fixture::new();
    let (_, secret) = fixture.create("bcta-na");
    let auth = Arc::new(fixture.authenticator());
    let value = header(secret.expose());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let auth = Arc::clone(&auth);
            let value = &value;
            scope.spawn(move || {
                for _ in 0..200 {
                    assert!(auth.verify(Some(value)).is_ok());
                }
            });
        }
    });
}

#[test]
fn authenticator_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Authenticator>();
    assert_send_sync::<TokenStore>();
}

#[test]
fn nothing_printable_holds_the_secret_or_its_hash() {
    let fixture = Fixture::new();
    let (info, secret) = fixture.create("bcta-na");
    let auth = fixture.authenticator();
    let token = secret.expose();
    let hash = token::to_hex(&token::hash(token));
    let wrong = token::random_token(&info.id).unwrap();
    let mut shown = vec![
        format!("{secret:?}"),
        format!("{secret}"),
        format!("{auth:?}"),
        format!("{:?}", fixture.store),
        format!("{info:?}"),
        serde_json::to_string(&info).unwrap(),
    ];
    for value in [header(token), header(wrong.expose())] {
        if let Err(denied) = auth.verify(Some(&value)) {
            shown.push(format!("{denied} {denied:?}"));
        }
    }
    for text in shown {
        assert!(!text.contains(&token[17..]), "{text}");
        assert!(!text.contains(&hash), "{text}");
    }
}

#[test]
fn denial_messages_say_what_to_do_and_reasons_are_stable() {
    for (denied, reason) in [
        (Denied::Missing, "missing"),
        (Denied::Malformed, "malformed"),
        (Denied::Unknown, "unknown"),
        (Denied::Expired, "expired"),
        (Denied::Revoked, "revoked"),
    ] {
        assert_eq!(denied.reason(), reason);
        let message = denied.to_string();
        assert!(message.starts_with(char::is_lowercase), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
}
