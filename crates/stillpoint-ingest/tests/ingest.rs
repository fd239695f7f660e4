//! Ingest over a real tantivy index in a temporary directory.

use std::collections::BTreeSet;
use std::io::Cursor;
use std::sync::Arc;

use stillpoint_index::PractitionerIndex;
use stillpoint_index::tantivy::schema::FieldType;
use stillpoint_ingest::{Format, IngestError, IngestOptions, IngestReport, Input, ingest};
use stillpoint_model::feed::CSV_HEADERS;
use stillpoint_model::{
    FeedContact, FeedCredential, FeedFees, FeedLocation, FeedRecord, Vocabulary,
};

fn vocabulary() -> Arc<Vocabulary> {
    Arc::new(Vocabulary::from_toml_str(stillpoint_config::DEFAULT_VOCABULARY).unwrap())
}

fn run(
    index: &PractitionerIndex,
    association: &str,
    name: &str,
    feed: Vec<u8>,
    tweak: impl FnOnce(&mut IngestOptions),
) -> Result<IngestReport, IngestError> {
    let mut options = IngestOptions::new(association);
    options.writer_memory_bytes = 32 << 20;
    tweak(&mut options);
    ingest(
        index,
        vocabulary(),
        Input::from_reader(name, Cursor::new(feed)),
        &options,
        &mut |_| {},
    )
}

fn jsonl(records: &[FeedRecord]) -> Vec<u8> {
    records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect::<String>()
        .into_bytes()
}

fn csv(records: &[FeedRecord]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADERS).unwrap();
    for record in records {
        for row in record.to_csv_rows() {
            writer.write_record(&row).unwrap();
        }
    }
    writer.into_inner().unwrap()
}

fn location(city: &str, region: &str, country: &str) -> FeedLocation {
    FeedLocation {
        city: Some(city.into()),
        region: Some(region.into()),
        country: country.into(),
        ..Default::default()
    }
}

fn ana() -> FeedRecord {
    FeedRecord {
        member_id: "A-1042".into(),
        name: "Ana Müller".into(),
        practice_name: Some("Stillwater Craniosacral".into()),
        approach: Some("Biodynamic".into()),
        credentials: vec![
            FeedCredential {
                body: "bcta-na".into(),
                credential: "RCST".into(),
                since: None,
                expires: None,
            },
            FeedCredential {
                body: "upledger".into(),
                credential: "CST-T".into(),
                since: None,
                expires: None,
            },
        ],
        professions: vec!["LMT".into()],
        specialties: vec!["Infants".into(), "jaw pain".into(), "Migraines".into()],
        techniques: vec!["still point".into()],
        languages: vec!["en".into(), "de".into()],
        locations: vec![
            FeedLocation {
                label: Some("Pearl Street studio".into()),
                address: Some("1200 Pearl St".into()),
                postal_code: Some("80302".into()),
                lat: Some(40.0189),
                lon: Some(-105.2797),
                wheelchair_accessible: Some(true),
                ..location("Boulder", "CO", "US")
            },
            location("Denver", "Colorado", "US"),
        ],
        home_visits_km: Some(15.0),
        accepting_new_clients: Some(true),
        fees: Some(FeedFees {
            min: Some(90.0),
            max: Some(140.0),
            currency: "usd".into(),
            sliding_scale: Some(true),
        }),
        session_minutes: vec![60, 90],
        contact: Some(FeedContact {
            phone: Some("+1 303 555 0100".into()),
            email: Some("ana@example.org".into()),
            public_email: Some(false),
            website: Some("https://example.org".into()),
            booking_url: None,
        }),
        bio: Some("I work with infants and their parents.".into()),
        practicing_since: Some(2004),
        last_confirmed: Some("2026-10-01".into()),
    }
}

#[test]
fn every_feed_format_round_trips_the_same_practitioner() {
    let record = ana();
    let json_array = serde_json::to_vec_pretty(&vec![record.clone()]).unwrap();
    let mut stored = Vec::new();
    for (name, feed) in [
        ("a.jsonl", jsonl(std::slice::from_ref(&record))),
        ("a.json", json_array),
        ("a.csv", csv(std::slice::from_ref(&record))),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
        let report = run(&index, "bcta-na", name, feed, |_| {}).unwrap();
        assert_eq!(
            (report.accepted, report.rejected),
            (1, 0),
            "{name}: {:?}",
            report.rejections
        );
        stored.push(index.get("bcta-na:A-1042").unwrap().expect(name));
    }
    assert_eq!(stored[0], stored[1], "jsonl vs json");
    assert_eq!(stored[0], stored[2], "jsonl vs csv");
    let p = &stored[0];
    assert_eq!(p.locations.len(), 2);
    assert_eq!(p.locations[1].region_code.as_deref(), Some("CO"));
    assert_eq!(p.fees.as_ref().unwrap().currency, "USD");
    assert_eq!(p.contact.email, None, "a private email is never stored");
}

#[test]
fn csv_rows_of_one_member_merge_into_its_locations() {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let feed = "member_id,name,country,city,region,postal_code\n\
                m1,Ana,US,Boulder,CO,\n\
                m2,Ben,GB,London,,\n\
                m1,Ana,US,,,80202\n\
                m1,Ana,CA,Toronto,ON,\n";
    let report = run(&index, "upledger", "m.csv", feed.into(), |_| {}).unwrap();
    assert_eq!(
        (report.accepted, report.rejected),
        (2, 0),
        "{:?}",
        report.rejections
    );
    let ana = index.get("upledger:m1").unwrap().unwrap();
    let cities: Vec<_> = ana
        .locations
        .iter()
        .map(|l| (l.city.clone().unwrap(), l.country.clone()))
        .collect();
    assert_eq!(
        cities,
        [
            ("Boulder".into(), "US".into()),
            ("Denver".into(), "US".into()),
            ("Toronto".into(), "CA".into())
        ]
    );
    assert_eq!(format!("{:?}", ana.locations[1].point_source), "PostalCode");
}

#[test]
fn labels_and_synonyms_normalise_to_vocabulary_ids() {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let mut record = ana();
    record.specialties = ["TMJ", "jaw pain", "TMD", "Migraines", "Reiki attunement"]
        .map(String::from)
        .to_vec();
    let report = run(&index, "bcta-na", "s.jsonl", jsonl(&[record]), |_| {}).unwrap();
    let p = index.get("bcta-na:A-1042").unwrap().unwrap();
    assert_eq!(p.specialties, ["tmj", "headaches-migraines"]);
    assert_eq!(p.other_specialties, ["Reiki attunement"]);
    assert_eq!(p.professions, ["massage-therapist"]);
    assert_eq!(p.approach.as_deref(), Some("biodynamic"));
    assert_eq!(p.techniques, ["still-point"]);
    let warning = report
        .warnings
        .iter()
        .find(|w| w.field == "specialties[4]")
        .expect("warning for unknown specialty");
    assert_eq!(
        warning.to_string(),
        "s.jsonl:1: specialties[4]: \"Reiki attunement\" is not in the vocabulary; kept as free text"
    );
}

#[test]
fn a_credential_is_verified_only_when_its_issuer_or_a_voucher_publishes_it() {
    let cases = [
        ("upledger", "upledger", true),
        ("iahp", "upledger", true),
        ("bcta-na", "upledger", false),
        ("bcta-na", "bcta-na", true),
        ("upledger", "bcta-na", false),
    ];
    for (association, body, verified) in cases {
        let dir = tempfile::tempdir().unwrap();
        let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
        let mut record = ana();
        let code = if body == "upledger" { "CST-T" } else { "RCST" };
        record.credentials = vec![FeedCredential {
            body: body.into(),
            credential: code.into(),
            since: None,
            expires: None,
        }];
        run(&index, association, "v.jsonl", jsonl(&[record]), |_| {}).unwrap();
        let p = index
            .get(&format!("{association}:A-1042"))
            .unwrap()
            .unwrap();
        assert_eq!(
            p.credentials[0].verified, verified,
            "{body} published by {association}"
        );
    }
}

#[test]
fn a_city_only_location_leaves_no_street_or_exact_point_anywhere_in_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let mut record = ana();
    record.bio = None;
    record.locations = vec![FeedLocation {
        address: Some("17 Sentinelweg".into()),
        label: Some("Home practice".into()),
        lat: Some(40.012_345),
        lon: Some(-105.267_891),
        visibility: Some("city".into()),
        ..location("Boulder", "CO", "US")
    }];
    let report = run(&index, "bcta-na", "p.jsonl", jsonl(&[record]), |_| {}).unwrap();
    assert_eq!(report.accepted, 1, "{:?}", report.rejections);

    let p = index.get("bcta-na:A-1042").unwrap().unwrap();
    let stored = serde_json::to_string(&p).unwrap();
    assert!(
        !stored.contains("Sentinelweg") && !stored.contains("012345") && !stored.contains("267891"),
        "{stored}"
    );
    assert!(
        (p.locations[0].point.lat - 40.015).abs() < 0.01,
        "the point is Boulder's centre"
    );

    let searcher = index.reader().unwrap().searcher();
    let schema = index.tantivy().schema();
    for segment in searcher.segment_readers() {
        for (field, entry) in schema.fields() {
            if entry.is_indexed() && matches!(entry.field_type(), FieldType::Str(_)) {
                let inverted = segment.inverted_index(field).unwrap();
                let mut terms = inverted.terms().stream().unwrap();
                while terms.advance() {
                    let term = String::from_utf8_lossy(terms.key()).to_lowercase();
                    assert!(
                        !term.contains("sentinel"),
                        "term {term:?} of field {}",
                        entry.name()
                    );
                }
            }
        }
        for name in ["lat", "lon"] {
            let column = segment.fast_fields().f64(name).unwrap();
            for value in column.values_for_doc(0) {
                assert!(
                    value != 40.012_345 && value != -105.267_891,
                    "exact {name} stored"
                );
            }
        }
    }
    for file in std::fs::read_dir(dir.path().join("tantivy")).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap();
        assert!(!bytes.windows(11).any(|w| w == b"Sentinelweg"));
    }
}

#[test]
fn a_hostile_json_lines_feed_gets_exact_per_line_errors_and_every_valid_record_lands() {
    let valid = |id: &str| {
        let mut r = ana();
        r.member_id = id.into();
        serde_json::to_string(&r).unwrap()
    };
    let with = |id: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut value: serde_json::Value = serde_json::from_str(&valid(id)).unwrap();
        edit(&mut value);
        value.to_string()
    };
    let mut lines: Vec<Vec<u8>> = vec![
        valid("ok-1").into(),
        b"{\"member_id\": \"broken\", \"name\": ".to_vec(),
        with("wrong-type", &|v| v["locations"][0]["lat"] = "north".into()).into(),
        with("far-away", &|v| v["locations"][0]["lat"] = 123.0.into()).into(),
        with("unknown-body", &|v| {
            v["credentials"][0]["body"] = "acme-guild".into()
        })
        .into(),
        valid("ok-1").into(),
        with("huge-bio", &|v| {
            v["bio"] = "x".repeat(10 * 1024 * 1024).into()
        })
        .into(),
        with("bad-utf8", &|v| v["name"] = "MARKER".into())
            .replace("MARKER", "\u{1}")
            .into(),
        with("formula", &|v| {
            v["name"] = "=HYPERLINK(\"http://evil.example\",\"Book now\")".into()
        })
        .into(),
        with("bad id!", &|_| {}).into(),
        b"".to_vec(),
        valid("ok-2").into(),
    ];
    // Raw invalid UTF-8 in place of the marker byte.
    let bad = lines[7].iter().position(|&b| b == 1).unwrap();
    lines[7].splice(bad..=bad, [0xff, 0xfe]);
    let feed: Vec<u8> = lines.join(&b'\n');

    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let report = run(&index, "bcta-na", "hostile.jsonl", feed, |o| {
        o.max_record_bytes = 16 << 20
    })
    .unwrap();
    let got: Vec<String> = report.rejections.iter().map(|p| p.to_string()).collect();
    let want: [&str; 9] = [
        "hostile.jsonl:2: malformed JSON: EOF while parsing a value",
        "hostile.jsonl:3: locations[0].lat: invalid type: string \"north\", expected f64",
        "hostile.jsonl:4: locations[0].lat: 123 is out of range (-90 to 90)",
        "hostile.jsonl:5: credentials[0].body: unknown certification body \"acme-guild\"",
        "hostile.jsonl:6: member_id: duplicate member id, first listed at line 1; this record is ignored",
        "hostile.jsonl:7: bio: 10485760 characters, at most 5000 are allowed",
        &format!(
            "hostile.jsonl:8: invalid UTF-8 at byte {} of the line",
            bad + 1
        ),
        "hostile.jsonl:9: name: \"=HYPERLINK(\\\"http://evil.example\\\",\\\"Book now\\\")\" starts like a spreadsheet formula",
        "hostile.jsonl:10: member_id: \"bad id!\" must be 1-64 characters of A-Z a-z 0-9 . _ -",
    ];
    assert_eq!(got, want);
    assert_eq!((report.accepted, report.rejected), (2, 9));
    let ids: BTreeSet<String> = index.member_ids("bcta-na").unwrap().into_iter().collect();
    assert_eq!(ids, BTreeSet::from(["ok-1".to_owned(), "ok-2".to_owned()]));
}

#[test]
fn a_hostile_csv_feed_names_row_and_column_and_keeps_the_valid_rows() {
    let mut feed =
        b"member_id,name,country,city,region,lat,lon,credentials,fee_min,currency,bio\n".to_vec();
    feed.extend_from_slice(b"ok-1,Ana,US,Boulder,CO,,,bcta-na:RCST,90,USD,\n");
    feed.extend_from_slice(b"bad-lat,Ben,US,Boulder,CO,95.5,-105,,,,\n");
    feed.extend_from_slice(b"bad-fee,Cy,US,Boulder,CO,,,,cheap,USD,\n");
    feed.extend_from_slice(b"bad-cred,Di,US,Boulder,CO,,,RCST,,,\n");
    feed.extend_from_slice(b"short,Ed,US\n");
    feed.extend_from_slice(b"utf8,F\xffy,US,Boulder,CO,,,,,,\n");
    feed.extend_from_slice(b"formula,@SUM(A1:A9),US,Boulder,CO,,,,,,\n");
    feed.extend_from_slice(b"nowhere,Gus,US,Xyzzyville,ZZ,,,,,,\n");
    feed.extend_from_slice(b"ok-2,Hal,GB,London,,,,,,,\"Multi-line\nbio\"\n");
    feed.extend_from_slice(b"ok-1,Ana,US,Denver,CO,,,bcta-na:RCST,90,USD,\n");
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let report = run(&index, "bcta-na", "hostile.csv", feed, |o| {
        o.format = Some(Format::Csv)
    })
    .unwrap();
    let got: Vec<String> = report.rejections.iter().map(|p| p.to_string()).collect();
    let want = [
        "hostile.csv:6: row has 3 fields, the header has 11",
        "hostile.csv:7: name: invalid UTF-8",
        "hostile.csv:3: lat: 95.5 is out of range (-90 to 90)",
        "hostile.csv:4: fee_min: \"cheap\" is not a number",
        "hostile.csv:5: credentials: \"RCST\" should be written body:credential, e.g. upledger:CST-T",
        "hostile.csv:8: name: \"@SUM(A1:A9)\" starts like a spreadsheet formula",
        "hostile.csv:9: city: cannot place this location: give lat and lon, or a postal code or city (and region) the gazetteer knows",
    ];
    assert_eq!(got, want);
    assert_eq!((report.accepted, report.rejected), (2, 7));
    let ana = index.get("bcta-na:ok-1").unwrap().unwrap();
    assert_eq!(ana.locations.len(), 2);
    assert_eq!(
        index.get("bcta-na:ok-2").unwrap().unwrap().bio.as_deref(),
        Some("Multi-line\nbio")
    );
}

#[test]
fn replace_removes_members_missing_from_the_feed_but_keeps_rejected_ones() {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let member = |id: &str| {
        let mut r = ana();
        r.member_id = id.into();
        r
    };
    let all: Vec<FeedRecord> = (0..10).map(|i| member(&format!("m{i}"))).collect();
    run(&index, "bcta-na", "v1.jsonl", jsonl(&all), |_| {}).unwrap();
    run(&index, "upledger", "other.jsonl", jsonl(&all[..3]), |_| {}).unwrap();

    // v2 drops m9, and m8's record is now broken: m8 keeps its previous listing.
    let mut v2: Vec<FeedRecord> = all[..9].to_vec();
    v2[8].locations.clear();
    let report = run(&index, "bcta-na", "v2.jsonl", jsonl(&v2), |o| {
        o.replace = true
    })
    .unwrap();
    assert_eq!(
        (report.accepted, report.rejected, report.removed),
        (8, 1, 1)
    );
    // m0..m7 are published exactly as before: nothing to write for them.
    assert_eq!((report.added, report.updated, report.unchanged), (0, 0, 8));
    let ids = index.member_ids("bcta-na").unwrap();
    assert_eq!(ids, (0..9).map(|i| format!("m{i}")).collect::<Vec<_>>());
    assert_eq!(
        index.member_ids("upledger").unwrap().len(),
        3,
        "another association is untouched"
    );
    assert_eq!(index.num_practitioners().unwrap(), 12);
}

#[test]
fn a_republished_member_is_unchanged_unless_its_normalised_record_differs() {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let all: Vec<FeedRecord> = (0..4)
        .map(|i| FeedRecord {
            member_id: format!("m{i}"),
            ..ana()
        })
        .collect();
    run(&index, "bcta-na", "v1.jsonl", jsonl(&all), |_| {}).unwrap();
    let generation = index.generation().unwrap();
    let segments = index.tantivy().searchable_segment_ids().unwrap();

    let mut v2 = all.clone();
    v2[1].name = "Ana Other".into();
    // Spelled differently, normalised the same: still unchanged.
    v2[2].approach = Some("BCST".into());
    let report = run(&index, "bcta-na", "v2.jsonl", jsonl(&v2), |o| {
        o.replace = true
    })
    .unwrap();
    assert_eq!((report.added, report.updated, report.unchanged), (0, 1, 3));
    assert_eq!(index.get("bcta-na:m1").unwrap().unwrap().name, "Ana Other");
    assert!(index.generation().unwrap() > generation);

    let report = run(&index, "bcta-na", "v2.jsonl", jsonl(&v2), |o| {
        o.replace = true
    })
    .unwrap();
    assert_eq!((report.unchanged, report.removed), (4, 0));
    assert_eq!(index.num_practitioners().unwrap(), 4);
    // Nothing was re-indexed: the one new segment of v2 is all the churn.
    let after = index.tantivy().searchable_segment_ids().unwrap();
    assert!(
        after.len() <= segments.len() + 1,
        "{segments:?} -> {after:?}"
    );
}

#[test]
fn a_replace_that_would_wipe_most_members_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let all: Vec<FeedRecord> = (0..10)
        .map(|i| FeedRecord {
            member_id: format!("m{i}"),
            ..ana()
        })
        .collect();
    run(&index, "bcta-na", "v1.jsonl", jsonl(&all), |_| {}).unwrap();
    let truncated = jsonl(&all[..2]);
    let err = run(&index, "bcta-na", "cut.jsonl", truncated.clone(), |o| {
        o.replace = true
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            IngestError::MassDelete {
                would_remove: 8,
                existing: 10,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        index.num_practitioners().unwrap(),
        10,
        "nothing was committed"
    );
    let report = run(&index, "bcta-na", "cut.jsonl", truncated, |o| {
        o.replace = true;
        o.allow_mass_delete = true;
    })
    .unwrap();
    assert_eq!(report.removed, 8);
    assert_eq!(index.num_practitioners().unwrap(), 2);
}

#[test]
fn a_dry_run_reports_without_changing_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    let report = run(&index, "bcta-na", "d.jsonl", jsonl(&[ana()]), |o| {
        o.dry_run = true
    })
    .unwrap();
    assert_eq!((report.accepted, report.generation), (1, None));
    assert_eq!(index.num_practitioners().unwrap(), 0);
}

#[test]
fn an_unknown_association_is_fatal() {
    let index = PractitionerIndex::create_in_ram().unwrap();
    let err = run(&index, "acme", "a.jsonl", jsonl(&[ana()]), |_| {}).unwrap_err();
    assert!(matches!(err, IngestError::UnknownAssociation(_)));
}

#[test]
fn every_segment_keeps_its_documents_in_z_order_of_their_first_location() {
    let dir = tempfile::tempdir().unwrap();
    let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
    // Two feeds, each listing its members far apart and out of order.
    let points = [
        (51.5, -0.12),
        (40.0, -105.3),
        (-33.9, 151.2),
        (48.85, 2.35),
        (35.7, 139.7),
    ];
    for (association, offset) in [("upledger", 0.0), ("bcta-na", 0.3)] {
        let records: Vec<FeedRecord> = (0..40)
            .map(|i| {
                let (lat, lon) = points[(i * 3) % points.len()];
                let mut r = ana();
                r.member_id = format!("m{i:02}");
                r.locations = vec![FeedLocation {
                    lat: Some(lat + offset + i as f64 * 0.01),
                    lon: Some(lon),
                    ..location("Somewhere", "", "US")
                }];
                r
            })
            .collect();
        run(&index, association, "feed.jsonl", jsonl(&records), |_| {}).unwrap();
    }
    let fields = index.fields();
    let name = index
        .tantivy()
        .schema()
        .get_field_name(fields.z_order)
        .to_owned();
    // The size of each segment, each checked to be sorted.
    let sorted_segments = || -> Vec<usize> {
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.num_docs(), 80);
        searcher
            .segment_readers()
            .iter()
            .map(|reader| {
                let column = reader.fast_fields().u64(&name).unwrap();
                let codes: Vec<u64> = (0..reader.max_doc())
                    .map(|doc| column.first(doc).unwrap())
                    .collect();
                assert!(codes.is_sorted(), "{codes:?}");
                codes.len()
            })
            .collect()
    };
    let sizes = sorted_segments();
    // The feeds list their members out of order: a segment of many is sorted by the index.
    assert!(sizes.iter().any(|&n| n >= 20), "{sizes:?}");
    assert!(sizes.len() >= 2, "{sizes:?}");
    // Compaction merges them into one, sorted as a whole.
    let mut writer = index.writer(32 << 20).unwrap();
    assert_eq!(writer.compact().unwrap(), sizes.len());
    writer.finish().unwrap();
    assert_eq!(sorted_segments(), [80]);
}
