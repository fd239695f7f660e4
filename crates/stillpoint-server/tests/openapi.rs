//! The OpenAPI document stays in sync with the routes and with a committed snapshot
//! (`tests/snapshots/openapi.json`; regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p
//! stillpoint-server --test openapi` and review the diff).

use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn openapi_document_lists_exactly_the_served_routes() {
    let document = stillpoint_server::openapi::document();
    let documented: BTreeSet<&str> = document.paths.paths.keys().map(String::as_str).collect();
    let served: BTreeSet<&str> = stillpoint_server::ROUTES.iter().copied().collect();
    assert_eq!(documented, served);
}

#[test]
fn openapi_document_matches_its_snapshot() {
    let document = stillpoint_server::openapi::document();
    let mut json = serde_json::to_string_pretty(&document).unwrap();
    json.push('\n');
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &json).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == json,
        "the OpenAPI document changed: rerun with UPDATE_SNAPSHOTS=1 and review {}",
        path.display()
    );
}
