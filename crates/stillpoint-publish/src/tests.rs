//! Publishing over a real tantivy index in a temporary state directory, with the shipped
//! vocabulary.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use stillpoint_index::tantivy::TantivyDocument;
use stillpoint_index::{PractitionerIndex, TANTIVY_DIR, practitioner_from_stored};
use stillpoint_model::Vocabulary;

use crate::payload::Applied;
use crate::publisher::Stop;
use crate::*;

fn vocabulary() -> Arc<Vocabulary> {
    static VOCABULARY: OnceLock<Arc<Vocabulary>> = OnceLock::new();
    VOCABULARY
        .get_or_init(|| {
            let config = stillpoint_config::Config::load(None, std::iter::empty()).unwrap();
            Arc::new(config.load_vocabulary().unwrap())
        })
        .clone()
}

fn settings() -> PublishSettings {
    PublishSettings {
        writer_memory_bytes: 64 << 20,
        ..PublishSettings::default()
    }
}

fn open(state: &Path) -> Publisher {
    let index = PractitionerIndex::open_or_create(state).unwrap();
    Publisher::open(state, index, vocabulary(), settings()).unwrap()
}

/// A valid JSON Lines record.
fn member(id: &str, name: &str) -> String {
    format!(
        r#"{{"member_id":"{id}","name":"{name}","locations":[{{"city":"Boulder","region":"CO","country":"US"}}]}}"#
    ) + "\n"
}

/// `m1`..`mN`, named after their number.
fn members(range: std::ops::RangeInclusive<u32>) -> String {
    range
        .map(|i| member(&format!("m{i}"), &format!("Member Number{i}")))
        .collect()
}

fn actor() -> Actor {
    Actor {
        kind: ActorKind::Token,
        id: "tok_test".into(),
        label: Some("test token".into()),
    }
}

fn publication(
    publisher: &Publisher,
    association: &str,
    action: Action,
    body: Option<&str>,
) -> Publication {
    let body = body.map(|text| {
        let mut spool = publisher.incoming().unwrap();
        spool.write_all(text.as_bytes()).unwrap();
        Body::new(spool, None)
    });
    Publication {
        association: association.into(),
        action,
        body,
        dry_run: false,
        allow_mass_delete: false,
        actor: actor(),
    }
}

fn replace(publisher: &Publisher, association: &str, body: &str) -> Result<PublishReport> {
    publisher.publish(publication(
        publisher,
        association,
        Action::Replace,
        Some(body),
    ))
}

fn delete(publisher: &Publisher, association: &str, member_id: &str) -> Result<PublishReport> {
    let action = Action::Delete {
        member_id: member_id.into(),
    };
    publisher.publish(publication(publisher, association, action, None))
}

fn counts(r: &PublishReport) -> (u64, u64, u64, u64, u64) {
    (r.added, r.updated, r.unchanged, r.removed, r.rejected)
}

/// Every practitioner of the index: id -> stored record.
fn snapshot(index: &PractitionerIndex) -> BTreeMap<String, String> {
    let searcher = index.reader().unwrap().searcher();
    let mut all = BTreeMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in segment.doc_ids_alive() {
            let address = stillpoint_index::tantivy::DocAddress::new(ord as u32, doc);
            let stored: TantivyDocument = searcher.doc(address).unwrap();
            let practitioner = practitioner_from_stored(index.fields(), &stored).unwrap();
            let json = serde_json::to_string(&practitioner).unwrap();
            assert!(all.insert(practitioner.id.to_string(), json).is_none());
        }
    }
    all
}

fn stored_seqs(state: &Path, association: &str) -> Vec<u64> {
    crate::store::Store::open(state)
        .unwrap()
        .seqs(association)
        .unwrap()
}

fn incoming_is_empty(state: &Path) -> bool {
    std::fs::read_dir(state.join(PUBLICATIONS_DIR).join("incoming"))
        .unwrap()
        .next()
        .is_none()
}

#[test]
fn the_publisher_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Publisher>();
}

#[test]
fn replace_upsert_and_delete_count_added_updated_unchanged_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    let first = replace(&publisher, "bcta-na", &members(1..=5)).unwrap();
    assert_eq!(counts(&first), (5, 0, 0, 0, 0));
    assert_eq!((first.seq, first.records), (Some(1), 5));
    let generation = first.generation.unwrap();
    assert_eq!(publisher.index().generation().unwrap(), generation);

    let again = replace(&publisher, "bcta-na", &members(1..=5)).unwrap();
    assert_eq!(counts(&again), (0, 0, 5, 0, 0), "unchanged, not re-indexed");
    assert!(again.generation.unwrap() > generation);

    let upsert = format!("{}{}", member("m1", "Ana Renamed"), member("m6", "Six"));
    let report = publisher
        .publish(publication(
            &publisher,
            "bcta-na",
            Action::Upsert,
            Some(&upsert),
        ))
        .unwrap();
    assert_eq!(counts(&report), (1, 1, 0, 0, 0));
    assert_eq!(report.seq, Some(3));
    assert_eq!(publisher.index().member_ids("bcta-na").unwrap().len(), 6);

    // m6 goes (1 of 6, under the 20% guard), m1 is back to its old name.
    let report = replace(&publisher, "bcta-na", &members(1..=5)).unwrap();
    assert_eq!(counts(&report), (0, 1, 4, 1, 0));
    let m1 = publisher.index().get("bcta-na:m1").unwrap().unwrap();
    assert_eq!(m1.name, "Member Number1");

    let report = delete(&publisher, "bcta-na", "m3").unwrap();
    assert_eq!((report.removed, report.seq), (1, Some(5)));
    assert_eq!(
        report.to_string(),
        format!(
            "bcta-na: removed member m3; publication 5; index generation {}",
            report.generation.unwrap()
        )
    );
    let err = delete(&publisher, "bcta-na", "m3").unwrap_err();
    assert!(matches!(err, PublishError::UnknownMember { .. }), "{err}");
    assert_eq!(err.http_status(), 404);
    assert_eq!(stored_seqs(dir.path(), "bcta-na"), vec![1, 2, 3, 4, 5]);

    let status = publisher.status("bcta-na").unwrap();
    assert_eq!(status.members, 4);
    let last = status.last_publication.unwrap();
    assert_eq!(last.seq, 5);
    assert_eq!(last.actor.id, "tok_test");
    assert_eq!(
        last.action,
        Action::Delete {
            member_id: "m3".into()
        }
    );
    assert_eq!(last.report.removed, 1);
    assert!(incoming_is_empty(dir.path()));
    let applied = Applied::of(publisher.index()).unwrap();
    assert_eq!(applied.get("bcta-na"), 5);
}

#[test]
fn the_stored_body_is_the_body_as_received() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    let csv = "member_id,name,country,city,region\nU-1,Uma,US,Denver,CO\nU-2,Ulf,DE,Berlin,\n";
    let report = replace(&publisher, "upledger", csv).unwrap();
    assert_eq!(
        (report.accepted, report.format.as_deref()),
        (2, Some("csv"))
    );
    let store = crate::store::Store::open(dir.path()).unwrap();
    let stored = store.read("upledger", 1).unwrap().unwrap();
    assert_eq!(
        std::fs::read_to_string(store.body_path("upledger", 1)).unwrap(),
        csv
    );
    let digest = stored.body.unwrap();
    assert_eq!(digest.bytes, csv.len() as u64);
    assert_eq!(digest.sha256.len(), 64);
    // Stored before the commit, so it took less time.
    assert!(stored.report.seconds <= report.seconds);
    assert_eq!(
        PublishReport {
            seconds: report.seconds,
            ..stored.report
        },
        report
    );
    assert_eq!(stored.actor, actor());
}

#[test]
fn a_dry_run_reports_but_changes_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    replace(&publisher, "bcta-na", &members(1..=5)).unwrap();
    let generation = publisher.index().generation().unwrap();
    let mut dry = publication(
        &publisher,
        "bcta-na",
        Action::Replace,
        Some(&(members(1..=4) + &member("m9", "Nine"))),
    );
    dry.dry_run = true;
    let report = publisher.publish(dry).unwrap();
    assert_eq!(counts(&report), (1, 0, 4, 1, 0));
    assert!(report.dry_run && report.seq.is_none() && report.generation.is_none());
    assert_eq!(publisher.index().generation().unwrap(), generation);
    assert_eq!(publisher.index().member_ids("bcta-na").unwrap().len(), 5);
    assert_eq!(stored_seqs(dir.path(), "bcta-na"), vec![1]);
    assert!(incoming_is_empty(dir.path()));
}

#[test]
fn a_replace_removing_too_many_members_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    replace(&publisher, "bcta-na", &members(1..=10)).unwrap();
    let err = replace(&publisher, "bcta-na", &members(1..=2)).unwrap_err();
    assert!(
        matches!(
            err,
            PublishError::MassDelete {
                would_remove: 8,
                existing: 10,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.http_status(), 409);
    // An empty body would remove everyone: the same guard.
    let err = replace(&publisher, "bcta-na", "").unwrap_err();
    assert!(
        matches!(
            err,
            PublishError::MassDelete {
                would_remove: 10,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(publisher.index().member_ids("bcta-na").unwrap().len(), 10);
    assert_eq!(stored_seqs(dir.path(), "bcta-na"), vec![1]);
    assert!(incoming_is_empty(dir.path()));

    let mut allowed = publication(
        &publisher,
        "bcta-na",
        Action::Replace,
        Some(&members(1..=2)),
    );
    allowed.allow_mass_delete = true;
    let report = publisher.publish(allowed).unwrap();
    assert_eq!(counts(&report), (0, 0, 2, 8, 0));
    assert_eq!(publisher.index().member_ids("bcta-na").unwrap().len(), 2);

    let audit = read_audit_log(dir.path()).unwrap();
    let outcomes: Vec<&AuditOutcome> = audit.iter().map(|e| &e.outcome).collect();
    assert_eq!(
        outcomes,
        [
            &AuditOutcome::Applied,
            &AuditOutcome::Refused,
            &AuditOutcome::Refused,
            &AuditOutcome::Applied
        ]
    );
    assert!(
        audit[1]
            .reason
            .as_deref()
            .unwrap()
            .contains("refusing to remove 8 of 10")
    );
    assert_eq!(audit[3].seq, Some(2));
    assert_eq!(audit[3].counts.unwrap().removed, 8);
    assert_eq!(audit[3].generation, report.generation);
}

#[test]
fn rejected_records_are_reported_with_line_and_field_and_the_others_published() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    let bad = r#"{"member_id":"m2","name":"Ben","locations":[{"country":"US","lat":91,"lon":0}]}"#;
    let body = format!(
        "{}{bad}\n{}",
        member("m1", "Ana"),
        member("m1", "Ana Again")
    );
    let report = replace(&publisher, "bcta-na", &body).unwrap();
    assert_eq!(
        (report.accepted, report.rejected, report.records),
        (1, 2, 3)
    );
    let rejection = &report.rejections[0];
    assert_eq!(
        (
            rejection.line,
            rejection.member_id.as_deref(),
            rejection.field.as_str()
        ),
        (2, Some("m2"), "locations[0].lat")
    );
    assert!(
        report.rejections[1]
            .message
            .contains("first listed at line 1")
    );
    assert_eq!(publisher.index().member_ids("bcta-na").unwrap(), vec!["m1"]);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["action"], "replace");
    assert_eq!(json["rejections"][0]["field"], "locations[0].lat");
    assert!(json.get("rejections_truncated").is_none());
}

#[test]
fn problems_beyond_the_cap_are_counted_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let settings = PublishSettings {
        max_problems: 2,
        ..settings()
    };
    let publisher = Publisher::open(dir.path(), index, vocabulary(), settings).unwrap();
    let body: String = (0..5)
        .map(|i| format!("{{\"member_id\":\"b{i}\"}}\n"))
        .collect();
    let mut report = replace(&publisher, "bcta-na", &body).unwrap();
    assert_eq!(report.rejected, 5);
    assert_eq!(report.rejections.len(), 2);
    assert!(report.rejections_truncated >= 3);
    let total = report.rejections.len() as u64 + report.rejections_truncated;
    report.cap_problems(1);
    assert_eq!(
        report.rejections.len() as u64 + report.rejections_truncated,
        total
    );
}

#[test]
fn requests_that_cannot_be_published_are_refused_before_anything_happens() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    let err = replace(&publisher, "acme-guild", &members(1..=1)).unwrap_err();
    assert!(matches!(err, PublishError::UnknownAssociation(_)), "{err}");
    assert_eq!(err.http_status(), 404);
    let err = publisher
        .publish(publication(&publisher, "bcta-na", Action::Upsert, None))
        .unwrap_err();
    assert!(matches!(err, PublishError::BadRequest(_)), "{err}");
    let err = delete(&publisher, "bcta-na", "../../etc").unwrap_err();
    assert!(matches!(err, PublishError::UnknownMember { .. }), "{err}");
    let err = replace(&publisher, "bcta-na", "[\n{\"member_id\":\"x\"},\n{oops\n]").unwrap_err();
    assert!(matches!(err, PublishError::Unreadable(_)), "{err}");
    assert_eq!(err.http_status(), 400);
    assert!(err.to_string().contains("line 3"), "{err}");
    assert!(publisher.status("acme-guild").is_err());
    assert!(stored_seqs(dir.path(), "bcta-na").is_empty());
    assert!(incoming_is_empty(dir.path()));
}

#[test]
fn a_publication_stored_but_not_committed_is_applied_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    replace(&publisher, "bcta-na", &members(1..=3)).unwrap();
    let crashed = publication(
        &publisher,
        "bcta-na",
        Action::Replace,
        Some(&members(1..=4)),
    );
    let report = publisher
        .publish_until(crashed, &mut |_| {}, Stop::BeforeCommit)
        .unwrap();
    assert_eq!(report.seq, Some(2));
    // The crash: stored, not in the index.
    assert_eq!(publisher.index().member_ids("bcta-na").unwrap().len(), 3);
    assert_eq!(Applied::of(publisher.index()).unwrap().get("bcta-na"), 1);
    drop(publisher);

    let publisher = open(dir.path());
    assert_eq!(publisher.index().member_ids("bcta-na").unwrap().len(), 4);
    assert_eq!(Applied::of(publisher.index()).unwrap().get("bcta-na"), 2);
    let audit = read_audit_log(dir.path()).unwrap();
    let last = audit.last().unwrap();
    assert_eq!(
        (&last.outcome, last.seq),
        (&AuditOutcome::Recovered, Some(2))
    );
    assert_eq!(last.actor.id, "tok_test");
    assert_eq!(last.counts.unwrap().added, 1);
}

#[test]
fn the_next_publication_applies_what_another_one_left_uncommitted_first() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    replace(&publisher, "bcta-na", &members(1..=3)).unwrap();
    for (association, body) in [("bcta-na", members(1..=4)), ("upledger", members(1..=2))] {
        let crashed = publication(&publisher, association, Action::Replace, Some(&body));
        publisher
            .publish_until(crashed, &mut |_| {}, Stop::BeforeCommit)
            .unwrap();
    }
    let report = delete(&publisher, "bcta-na", "m4").unwrap();
    assert_eq!(report.seq, Some(3));
    assert_eq!(publisher.index().member_ids("bcta-na").unwrap().len(), 3);
    assert_eq!(publisher.index().member_ids("upledger").unwrap().len(), 2);
    let applied = Applied::of(publisher.index()).unwrap();
    assert_eq!((applied.get("bcta-na"), applied.get("upledger")), (3, 1));
}

#[test]
fn an_index_without_a_payload_gets_every_stored_publication_again() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    replace(&publisher, "bcta-na", &members(1..=5)).unwrap();
    delete(&publisher, "bcta-na", "m2").unwrap();
    replace(&publisher, "upledger", &members(1..=2)).unwrap();
    let before = snapshot(publisher.index());
    // A commit without payload: an index written by something else than the publisher.
    publisher.wait_idle();
    let mut writer = publisher.index().writer(64 << 20).unwrap();
    writer.prepare_commit().unwrap().commit(None).unwrap();
    writer.finish().unwrap();
    assert_eq!(Applied::of(publisher.index()).unwrap(), Applied::default());

    let report = publisher
        .publish(publication(
            &publisher,
            "iahp",
            Action::Upsert,
            Some(&members(1..=1)),
        ))
        .unwrap();
    assert_eq!(report.seq, Some(1));
    let mut after = snapshot(publisher.index());
    after.remove("iahp:m1");
    assert_eq!(after, before);
    let applied = Applied::of(publisher.index()).unwrap();
    assert_eq!(
        (
            applied.get("bcta-na"),
            applied.get("upledger"),
            applied.get("iahp")
        ),
        (2, 1, 1)
    );
}

#[test]
fn a_lost_index_is_rebuilt_from_the_store_when_the_publisher_opens() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    replace(&publisher, "bcta-na", &members(1..=5)).unwrap();
    delete(&publisher, "bcta-na", "m5").unwrap();
    let before = snapshot(publisher.index());
    drop(publisher);
    std::fs::remove_dir_all(dir.path().join(TANTIVY_DIR)).unwrap();
    let publisher = open(dir.path());
    assert_eq!(snapshot(publisher.index()), before);
}

/// Several publications of several associations, some of them with rejections.
fn history(publisher: &Publisher) {
    replace(publisher, "bcta-na", &members(1..=6)).unwrap();
    let bad = r#"{"member_id":"m2","name":"Ben","locations":[{"country":"US","lat":91,"lon":0}]}"#;
    replace(
        publisher,
        "bcta-na",
        &(members(1..=1) + bad + "\n" + &members(3..=6)),
    )
    .unwrap();
    publisher
        .publish(publication(
            publisher,
            "bcta-na",
            Action::Upsert,
            Some(&member("m7", "Seven")),
        ))
        .unwrap();
    delete(publisher, "bcta-na", "m4").unwrap();
    replace(
        publisher,
        "upledger",
        "member_id,name,country,city,region\nU-1,Uma,US,Denver,CO\nU-2,Ulf,DE,Berlin,\n",
    )
    .unwrap();
    replace(
        publisher,
        "iahp",
        &format!("[{}]", member("x1", "Xena").trim()),
    )
    .unwrap();
}

#[test]
fn a_rebuild_replays_the_store_into_the_same_practitioners_and_swaps_it_in() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    history(&publisher);
    let before = snapshot(publisher.index());
    let applied = Applied::of(publisher.index()).unwrap();
    assert_eq!(before.len(), 6 + 2 + 1);
    drop(publisher);

    let dry = rebuild(dir.path(), vocabulary(), &settings(), true).unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.members, 9);
    assert!(!dir.path().join(REBUILD_DIR).exists());

    let report = rebuild(dir.path(), vocabulary(), &settings(), false).unwrap();
    assert_eq!((report.members, report.publications), (9, 6));
    assert!(matches!(
        report.previous,
        PreviousIndex::Counted { members: 9 }
    ));
    let bcta = report
        .associations
        .iter()
        .find(|a| a.association == "bcta-na")
        .unwrap();
    assert_eq!(
        (
            bcta.publications,
            bcta.last_seq,
            bcta.members,
            bcta.previous_members
        ),
        (4, Some(4), 6, Some(6))
    );
    assert!(!dir.path().join(REBUILD_DIR).exists());
    assert!(!dir.path().join(OLD_DIR).exists());

    let index = PractitionerIndex::open(dir.path()).unwrap();
    assert_eq!(snapshot(&index), before);
    assert_eq!(Applied::of(&index).unwrap(), applied);
    // And publishing goes on from there.
    let publisher = Publisher::open(dir.path(), index, vocabulary(), settings()).unwrap();
    assert_eq!(delete(&publisher, "iahp", "x1").unwrap().seq, Some(2));
}

#[test]
fn a_rebuild_replaces_an_index_of_an_older_schema() {
    use stillpoint_index::tantivy::schema::{FAST, STRING, Schema};
    use stillpoint_index::tantivy::{Index, doc};

    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    history(&publisher);
    let before = snapshot(publisher.index());
    drop(publisher);
    // The schema changed: the index on disk is of another one, with a stale listing.
    let current = dir.path().join(TANTIVY_DIR);
    std::fs::remove_dir_all(&current).unwrap();
    std::fs::create_dir(&current).unwrap();
    let mut schema = Schema::builder();
    let id = schema.add_text_field("id", STRING | FAST);
    let old = Index::create_in_dir(&current, schema.build()).unwrap();
    let mut writer = old.writer_with_num_threads(1, 15 << 20).unwrap();
    writer.add_document(doc!(id => "bcta-na:m1")).unwrap();
    writer.add_document(doc!(id => "gone:g1")).unwrap();
    writer.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    drop(old);
    assert!(PractitionerIndex::open(dir.path()).is_err());

    let report = rebuild(dir.path(), vocabulary(), &settings(), false).unwrap();
    assert!(matches!(
        report.previous,
        PreviousIndex::Counted { members: 2 }
    ));
    let gone = report
        .associations
        .iter()
        .find(|a| a.association == "gone")
        .unwrap();
    assert_eq!(
        (gone.members, gone.previous_members, gone.unknown),
        (0, Some(1), true)
    );
    let index = PractitionerIndex::open(dir.path()).unwrap();
    assert_eq!(snapshot(&index), before);
}

#[test]
fn a_rebuild_refuses_to_empty_an_index_when_the_store_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let mut options = stillpoint_ingest::IngestOptions::new("bcta-na");
    options.writer_memory_bytes = 64 << 20;
    let input = stillpoint_ingest::Input::from_reader(
        "plain",
        std::io::Cursor::new(members(1..=2).into_bytes()),
    );
    stillpoint_ingest::ingest(&index, vocabulary(), input, &options, &mut |_| {}).unwrap();
    drop(index);
    let err = rebuild(dir.path(), vocabulary(), &settings(), false).unwrap_err();
    assert!(
        matches!(err, PublishError::EmptyStore { members: 2, .. }),
        "{err}"
    );
    assert_eq!(
        PractitionerIndex::open(dir.path())
            .unwrap()
            .member_ids("bcta-na")
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_writer_held_elsewhere_makes_publishing_and_rebuilding_busy() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    replace(&publisher, "bcta-na", &members(1..=2)).unwrap();
    // The publication's merges done, the writer is free for another.
    publisher.wait_idle();
    let writer = publisher.index().writer(64 << 20).unwrap();
    let err = replace(&publisher, "bcta-na", &members(1..=3)).unwrap_err();
    assert!(matches!(err, PublishError::Busy { .. }), "{err}");
    assert_eq!(err.http_status(), 503);
    let err = rebuild(dir.path(), vocabulary(), &settings(), true).unwrap_err();
    assert!(matches!(err, PublishError::Busy { .. }), "{err}");
    // Opening skips recovery quietly when busy.
    let index = PractitionerIndex::open(dir.path()).unwrap();
    Publisher::open(dir.path(), index, vocabulary(), settings()).unwrap();
    writer.finish().unwrap();
    assert_eq!(stored_seqs(dir.path(), "bcta-na"), vec![1]);
    assert!(incoming_is_empty(dir.path()));
}

#[test]
fn concurrent_publications_of_one_process_are_serialised() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = Arc::new(open(dir.path()));
    let threads: Vec<_> = ["bcta-na", "upledger", "bcta-na", "iahp"]
        .into_iter()
        .enumerate()
        .map(|(i, association)| {
            let publisher = publisher.clone();
            std::thread::spawn(move || {
                let body = member(&format!("t{i}"), "Threaded");
                publisher
                    .publish(publication(
                        &publisher,
                        association,
                        Action::Upsert,
                        Some(&body),
                    ))
                    .unwrap()
            })
        })
        .collect();
    let mut generations: Vec<u64> = threads
        .into_iter()
        .map(|t| t.join().unwrap().generation.unwrap())
        .collect();
    generations.sort_unstable();
    generations.dedup();
    assert_eq!(generations.len(), 4);
    assert_eq!(stored_seqs(dir.path(), "bcta-na"), vec![1, 2]);
    assert_eq!(publisher.index().num_practitioners().unwrap(), 4);
}

#[test]
fn pull_records_are_kept_per_association() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    assert_eq!(publisher.pull_state("upledger").unwrap(), None);
    let record = PullRecord {
        url: "https://example.org/members.csv".into(),
        attempted_at: "2026-01-02T03:04:05Z".parse().unwrap(),
        outcome: PullOutcome::Applied {
            seq: 4,
            generation: 9,
            counts: Counts {
                added: 2,
                ..Counts::default()
            },
        },
        etag: Some("\"abc\"".into()),
        last_modified: None,
        last_success_at: Some("2026-01-02T03:04:05Z".parse().unwrap()),
    };
    publisher.record_pull("upledger", &record).unwrap();
    assert_eq!(
        publisher.pull_state("upledger").unwrap(),
        Some(record.clone())
    );
    let failed = PullRecord {
        outcome: PullOutcome::Failed {
            kind: "timeout".into(),
            message: "no answer in 60 s".into(),
        },
        ..record
    };
    publisher.record_pull("upledger", &failed).unwrap();
    let status = publisher.status("upledger").unwrap();
    assert_eq!(status.last_pull, Some(failed));
    assert_eq!(status.members, 0);
    assert!(status.last_publication.is_none());
}

#[test]
fn a_stored_publication_that_cannot_be_read_again_is_skipped_not_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = open(dir.path());
    replace(&publisher, "bcta-na", &members(1..=3)).unwrap();
    let before = snapshot(publisher.index());
    // Stored as if an earlier build had accepted it, not committed: its body is no feed to
    // this build.
    let store = crate::store::Store::open(dir.path()).unwrap();
    let mut spool = store.spool().unwrap();
    spool
        .write_all(b"[\n{\"member_id\":\"m9\"},\n{oops\n]")
        .unwrap();
    let mut report = crate::report::PublishReport::new("bcta-na", Action::Upsert, false);
    report.format = Some("json".into());
    let stored = crate::store::StoredPublication::new(
        2,
        Action::Upsert,
        jiff::Timestamp::now(),
        actor(),
        None,
        false,
        report,
    );
    store.write(Some(spool), &stored).unwrap();
    drop(publisher);

    let publisher = open(dir.path());
    assert_eq!(snapshot(publisher.index()), before);
    assert_eq!(Applied::of(publisher.index()).unwrap().get("bcta-na"), 2);
    let audit = read_audit_log(dir.path()).unwrap();
    assert_eq!(audit.last().unwrap().outcome, AuditOutcome::Skipped);
    let report = delete(&publisher, "bcta-na", "m1").unwrap();
    assert_eq!(report.seq, Some(3));
    let after = snapshot(publisher.index());
    drop(publisher);

    let rebuilt = rebuild(dir.path(), vocabulary(), &settings(), false).unwrap();
    assert_eq!(rebuilt.skipped.len(), 1);
    assert_eq!((rebuilt.skipped[0].seq, rebuilt.members), (2, 2));
    let index = PractitionerIndex::open(dir.path()).unwrap();
    assert_eq!(snapshot(&index), after);
    assert_eq!(Applied::of(&index).unwrap().get("bcta-na"), 3);
}
