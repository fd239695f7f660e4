use std::time::Duration;

use super::*;

const DAY: Duration = Duration::from_secs(86_400);

fn store() -> (tempfile::TempDir, TokenStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::open(dir.path()).unwrap();
    (dir, store)
}

#[test]
fn created_token_is_listed_and_only_its_hash_is_stored() {
    let (_dir, store) = store();
    let (info, secret) = store.create("bcta-na", Some(" office "), 30 * DAY).unwrap();
    assert_eq!(info.association, "bcta-na");
    assert_eq!(info.label.as_deref(), Some("office"));
    assert_eq!(
        info.expires.as_second() - info.created.as_second(),
        30 * 86_400
    );
    assert_eq!((info.revoked, info.last_used), (None, None));
    assert_eq!(store.list().unwrap(), vec![info.clone()]);

    let text = std::fs::read_to_string(store.path()).unwrap();
    let secret_part = &secret.expose()[17..];
    assert!(!text.contains(secret_part), "{text}");
    assert!(text.contains(&token::to_hex(&token::hash(secret.expose()))));
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(store.path().parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["tokens.json", "tokens.lock"]);
}

#[test]
fn list_keeps_creation_order_within_a_second() {
    let (_dir, store) = store();
    let now = Timestamp::now();
    let created: Vec<String> = (0..20)
        .map(|_| store.create_at("a", None, DAY, now).unwrap().0.id)
        .collect();
    let listed: Vec<String> = store.list().unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(listed, created);
}

#[test]
fn a_missing_directory_or_file_is_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::open(&dir.path().join("not-yet")).unwrap();
    assert!(store.list().unwrap().is_empty());
    assert!(matches!(
        store.revoke("0123456789ab"),
        Err(AuthError::NotFound { .. })
    ));
}

#[test]
fn opening_a_file_as_state_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file");
    std::fs::write(&path, "").unwrap();
    assert!(matches!(
        TokenStore::open(&path),
        Err(AuthError::NotADirectory { .. })
    ));
}

#[cfg(unix)]
#[test]
fn tokens_and_lock_files_are_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt as _;
    let (dir, store) = store();
    store.create("bcta-na", None, DAY).unwrap();
    store.create("bcta-na", None, DAY).unwrap();
    for name in ["tokens.json", "tokens.lock"] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}: {mode:o}");
    }
}

#[test]
fn concurrent_creates_from_threads_lose_no_token() {
    let (dir, _) = store();
    let created: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                // Each thread its own store, as separate processes would have.
                let store = TokenStore::open(dir.path()).unwrap();
                scope.spawn(move || {
                    (0..5)
                        .map(|_| store.create("iahp", None, DAY).unwrap().0.id)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut listed: Vec<String> = TokenStore::open(dir.path())
        .unwrap()
        .list()
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    let mut created = created;
    created.sort();
    listed.sort();
    assert_eq!(created.len(), 30);
    assert_eq!(listed, created);
}

#[test]
fn revoke_marks_the_token_once_and_accepts_the_whole_token() {
    let (_dir, store) = store();
    let (first, _) = store.create("bcta-na", None, DAY).unwrap();
    let (second, secret) = store.create("csta-uk", None, DAY).unwrap();

    let revoked = store.revoke(&first.id.to_ascii_uppercase()).unwrap();
    assert_eq!(revoked.id, first.id);
    let at = revoked.revoked.unwrap();
    assert_eq!(store.revoke(&first.id).unwrap().revoked, Some(at));

    assert_eq!(store.revoke(secret.expose()).unwrap().id, second.id);
    let now = Timestamp::now();
    let statuses: Vec<_> = store
        .list()
        .unwrap()
        .iter()
        .map(|t| t.status(now))
        .collect();
    assert_eq!(statuses, [TokenStatus::Revoked, TokenStatus::Revoked]);
}

#[test]
fn revoking_an_unknown_id_names_it_but_never_echoes_other_input() {
    let (_dir, store) = store();
    let err = store.revoke("0123456789ab").unwrap_err();
    assert!(matches!(err, AuthError::NotFound { id: Some(_) }));
    assert!(err.to_string().contains("0123456789ab"), "{err}");

    let pasted = "spt_0123456789ab_not-quite-a-token";
    let err = store.revoke(pasted).unwrap_err();
    assert!(matches!(err, AuthError::NotFound { id: None }));
    assert!(!err.to_string().contains("not-quite"), "{err}");
}

#[test]
fn invalid_association_label_or_validity_is_refused_before_anything_is_written() {
    let (_dir, store) = store();
    let long = "x".repeat(MAX_LABEL_CHARS + 1);
    let cases: [(&str, Option<&str>, Duration); 6] = [
        ("", None, DAY),
        ("bcta na", None, DAY),
        ("bcta-na", Some("bell\u{7}"), DAY),
        ("bcta-na", Some(&long), DAY),
        ("bcta-na", None, Duration::ZERO),
        (
            "bcta-na",
            None,
            crate::MAX_VALIDITY + Duration::from_secs(1),
        ),
    ];
    for (association, label, valid_for) in cases {
        let err = store.create(association, label, valid_for).unwrap_err();
        assert!(
            matches!(
                err,
                AuthError::InvalidAssociation { .. }
                    | AuthError::InvalidLabel { .. }
                    | AuthError::InvalidValidity { .. }
            ),
            "{association:?} {label:?} {valid_for:?}: {err}"
        );
    }
    assert!(!store.path().exists());
}

#[test]
fn corrupt_file_is_an_error_naming_the_file_and_never_quoting_it() {
    let (_dir, store) = store();
    let hash = "ab".repeat(32);
    let cases = [
        ("{\"version\": 1, \"tokens\": [", "cut short"),
        ("not json", "not valid JSON"),
        (
            &*format!("{{\"version\": 1, \"tokens\": [{{\"id\": 7, \"hash\": \"{hash}\"}}]}}"),
            "not a tokens document",
        ),
        (
            &*format!(
                r#"{{"version":1,"tokens":[{{"id":"0123456789ab","association":"a","label":null,
                "created":"2025-01-01T00:00:00Z","expires":"2026-01-01T00:00:00Z",
                "revoked":null,"last_used":null,"hash":"{hash}x"}}]}}"#
            ),
            "hash that is not 64 hex digits",
        ),
    ];
    for (text, expected) in cases {
        std::fs::write(store.path(), text).unwrap();
        let err = store.list().unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, AuthError::Corrupt { .. }), "{message}");
        assert!(message.contains("tokens.json"), "{message}");
        assert!(message.contains(expected), "{message}");
        assert!(!message.contains(&hash), "{message}");
        // A change does not overwrite what it cannot read.
        assert!(store.create("a", None, DAY).is_err());
        assert_eq!(std::fs::read_to_string(store.path()).unwrap(), text);
    }
}

#[test]
fn a_newer_format_is_named_as_such() {
    let (_dir, store) = store();
    std::fs::write(store.path(), r#"{"version": 2, "whatever": []}"#).unwrap();
    let err = store.list().unwrap_err();
    assert!(
        matches!(err, AuthError::UnsupportedVersion { version: 2, .. }),
        "{err}"
    );
}

#[test]
fn status_is_revoked_before_expired_before_active() {
    let (_dir, store) = store();
    let (info, _) = store.create("a", None, DAY).unwrap();
    let later = info.expires;
    assert_eq!(info.status(info.created), TokenStatus::Active);
    assert_eq!(info.status(later), TokenStatus::Expired);
    let revoked = store.revoke(&info.id).unwrap();
    assert_eq!(revoked.status(info.created), TokenStatus::Revoked);
    assert_eq!(revoked.status(later), TokenStatus::Revoked);
}
