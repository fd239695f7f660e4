//! The generated feed's contract: determinism, shape of each format, and that every value either
//! resolves through the vocabulary or is one of the deliberate edge cases.

mod common;

use std::collections::HashSet;

use stillpoint_demo::{
    BUILTIN_CITIES, CitySample, FeedFormat, GenerateOptions, Generator, generate,
};
use stillpoint_model::FeedRecord;
use stillpoint_model::codes::is_country;
use stillpoint_model::feed::CSV_HEADERS;
use stillpoint_model::vocabulary::Vocabulary;

fn feed(
    vocabulary: &Vocabulary,
    count: usize,
    seed: u64,
    association: &str,
    format: FeedFormat,
) -> Vec<u8> {
    let options = GenerateOptions {
        count,
        seed,
        association: association.into(),
        format,
    };
    let mut out = Vec::new();
    generate(vocabulary, BUILTIN_CITIES, &options, &mut out).unwrap();
    out
}

fn records(vocabulary: &Vocabulary, count: usize, seed: u64, association: &str) -> Vec<FeedRecord> {
    Generator::new(vocabulary, BUILTIN_CITIES, seed, association)
        .take(count)
        .collect()
}

#[test]
fn same_inputs_give_identical_bytes_and_any_change_gives_others() {
    let v = common::vocabulary();
    for format in [FeedFormat::Jsonl, FeedFormat::Csv, FeedFormat::Json] {
        let base = feed(&v, 200, 7, "upledger", format);
        assert_eq!(base, feed(&v, 200, 7, "upledger", format), "{format}");
        assert_ne!(base, feed(&v, 200, 8, "upledger", format), "{format}: seed");
        assert_ne!(
            base,
            feed(&v, 200, 7, "bcta-na", format),
            "{format}: association"
        );
    }
}

#[test]
fn a_shorter_feed_is_a_prefix_of_a_longer_one() {
    let v = common::vocabulary();
    let short = feed(&v, 50, 3, "csta-uk", FeedFormat::Jsonl);
    let long = feed(&v, 120, 3, "csta-uk", FeedFormat::Jsonl);
    assert!(long.starts_with(&short));
}

#[test]
fn count_is_respected_and_member_ids_are_unique_and_sequential() {
    let v = common::vocabulary();
    for count in [0, 1, 999] {
        let text = String::from_utf8(feed(&v, count, 1, "iahp", FeedFormat::Jsonl)).unwrap();
        let parsed: Vec<FeedRecord> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(parsed.len(), count);
        let ids: HashSet<&str> = parsed.iter().map(|r| r.member_id.as_str()).collect();
        assert_eq!(ids.len(), count);
        if let Some(last) = parsed.last() {
            assert_eq!(last.member_id, format!("M-{count:06}"));
        }
    }
}

#[test]
fn jsonl_and_json_parse_back_to_the_generated_records() {
    let v = common::vocabulary();
    let expected = records(&v, 300, 5, "bcta-na");
    let jsonl = String::from_utf8(feed(&v, 300, 5, "bcta-na", FeedFormat::Jsonl)).unwrap();
    let parsed: Vec<FeedRecord> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed, expected);
    let json = feed(&v, 300, 5, "bcta-na", FeedFormat::Json);
    assert_eq!(
        serde_json::from_slice::<Vec<FeedRecord>>(&json).unwrap(),
        expected
    );
    let empty = feed(&v, 0, 5, "bcta-na", FeedFormat::Json);
    assert!(
        serde_json::from_slice::<Vec<FeedRecord>>(&empty)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn csv_has_the_header_row_and_one_row_per_location() {
    let v = common::vocabulary();
    let expected = records(&v, 300, 9, "upledger");
    let csv = feed(&v, 300, 9, "upledger", FeedFormat::Csv);
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(headers, CSV_HEADERS);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let expected_rows: Vec<Vec<String>> =
        expected.iter().flat_map(FeedRecord::to_csv_rows).collect();
    assert_eq!(
        rows.len(),
        expected.iter().map(|r| r.locations.len()).sum::<usize>()
    );
    assert_eq!(rows, expected_rows);
}

#[test]
fn every_record_is_well_formed() {
    let v = common::vocabulary();
    for association in [
        "upledger",
        "iahp",
        "bcta-na",
        "csta-uk",
        "cnhc",
        "unknown-body",
    ] {
        for r in records(&v, 1000, 11, association) {
            assert!((1..=3).contains(&r.locations.len()), "{}", r.member_id);
            for loc in &r.locations {
                assert!(is_country(&loc.country), "{}", loc.country);
                assert!(loc.city.is_some());
                assert_eq!(loc.lat.is_some(), loc.lon.is_some());
                if let (Some(lat), Some(lon)) = (loc.lat, loc.lon) {
                    assert!(lat.abs() <= 90.0 && lon.abs() <= 180.0);
                } else if matches!(loc.country.as_str(), "US" | "CA") {
                    // Ingest geocodes these from city + region.
                    assert!(loc.region.is_some() && loc.postal_code.is_none());
                }
                if loc.visibility.as_deref() == Some("city") {
                    assert!(
                        loc.address.is_some(),
                        "home practices keep the address for ingest to drop"
                    );
                }
            }
            assert!(r.name.contains(' '));
            assert!((2..=6).contains(&r.specialties.len()));
            assert!(r.techniques.len() <= 3);
            assert!(!r.languages.is_empty());
            assert!((1985..=2025).contains(&r.practicing_since.unwrap()));
            if let Some(date) = &r.last_confirmed {
                assert!(
                    ("2024-11-01".."2026-11-02").contains(&date.as_str()),
                    "{date}"
                );
            }
            for minutes in &r.session_minutes {
                assert!([45, 60, 75, 90].contains(minutes));
            }
            if let Some(km) = r.home_visits_km {
                assert!((5.0..=40.0).contains(&km));
            }
            if let Some(fees) = &r.fees {
                assert!(fees.min <= fees.max);
            }
        }
    }
}

#[test]
fn values_resolve_through_the_vocabulary_except_the_deliberate_free_text() {
    let v = common::vocabulary();
    let records = records(&v, 3000, 13, "upledger");
    let mut free_text = 0;
    for r in &records {
        for s in &r.specialties {
            assert!(v.specialty(s).is_some(), "{s}");
        }
        for t in &r.techniques {
            assert!(v.technique(t).is_some(), "{t}");
        }
        free_text += r
            .professions
            .iter()
            .filter(|p| v.profession(p).is_none())
            .count();
        if let Some(approach) = &r.approach {
            assert!(v.approach(approach).is_some(), "{approach}");
        }
        for c in &r.credentials {
            let body = v.body_by_id(&c.body).unwrap();
            assert!(v.credential(body, &c.credential).is_some(), "{c:?}");
        }
    }
    assert!(
        (5..=90).contains(&free_text),
        "{free_text} free-text professions in 3000"
    );
}

/// Share of `records` for which `f` holds.
fn share(records: &[FeedRecord], f: impl Fn(&FeedRecord) -> bool) -> f64 {
    records.iter().filter(|r| f(r)).count() as f64 / records.len() as f64
}

#[test]
fn distribution_matches_the_documented_mix() {
    let v = common::vocabulary();
    let records = records(&v, 4000, 17, "unknown-body");
    let v = &v;
    let approach = |id: &'static str| {
        move |r: &FeedRecord| {
            r.approach
                .as_deref()
                .is_some_and(|a| v.approach(a).unwrap().id == id)
        }
    };
    let cases: [(&str, f64, f64); 8] = [
        ("biodynamic", share(&records, approach("biodynamic")), 0.40),
        (
            "biomechanical",
            share(&records, approach("biomechanical")),
            0.35,
        ),
        (
            "integrative",
            share(&records, approach("integrative")),
            0.15,
        ),
        (
            "unspecified",
            share(&records, |r| r.approach.is_none()),
            0.10,
        ),
        (
            "one location",
            share(&records, |r| r.locations.len() == 1),
            0.75,
        ),
        (
            "three locations",
            share(&records, |r| r.locations.len() == 3),
            0.05,
        ),
        (
            "home visits",
            share(&records, |r| r.home_visits_km.is_some()),
            0.15,
        ),
        (
            "accepting",
            share(&records, |r| r.accepting_new_clients == Some(true)),
            0.70,
        ),
    ];
    for (what, actual, expected) in cases {
        assert!(
            (actual - expected).abs() < 0.03,
            "{what}: {actual:.3} vs {expected}"
        );
    }
    let locations: Vec<_> = records.iter().flat_map(|r| &r.locations).collect();
    let loc_share = |f: &dyn Fn(&stillpoint_model::FeedLocation) -> bool| {
        locations.iter().filter(|l| f(l)).count() as f64 / locations.len() as f64
    };
    let city_only = loc_share(&|l| l.visibility.as_deref() == Some("city"));
    assert!((0.07..0.13).contains(&city_only), "city-only {city_only}");
    let no_point = loc_share(&|l| l.lat.is_none());
    assert!(
        (0.35..0.45).contains(&no_point),
        "without coordinates {no_point}"
    );
    let wheelchair = loc_share(&|l| l.wheelchair_accessible == Some(true));
    assert!(
        (0.26..0.34).contains(&wheelchair),
        "wheelchair {wheelchair}"
    );

    let specialties: Vec<&String> = records.iter().flat_map(|r| &r.specialties).collect();
    let written_otherwise = specialties
        .iter()
        .filter(|s| v.specialty(s).unwrap().id != s.as_str())
        .count();
    let alias_share = written_otherwise as f64 / specialties.len() as f64;
    assert!(
        (0.06..0.14).contains(&alias_share),
        "synonyms {alias_share}"
    );
}

#[test]
fn associations_verify_most_of_their_own_members_and_bias_where_they_live() {
    let v = common::vocabulary();
    // (association, home countries, minimum share at home)
    let cases: [(&str, &[&str], f64); 4] = [
        ("csta-uk", &["GB", "IE"], 0.9),
        ("bcta-na", &["US", "CA"], 0.9),
        ("upledger", &["US"], 0.35),
        ("iahp", &["US"], 0.35),
    ];
    for (association, home, minimum) in cases {
        let records = records(&v, 2000, 19, association);
        let at_home = share(&records, |r| {
            home.contains(&r.locations[0].country.as_str())
        });
        assert!(at_home >= minimum, "{association}: {at_home:.3} at home");
        let verified = share(&records, |r| {
            r.credentials
                .iter()
                .any(|c| v.vouches(association, v.body_by_id(&c.body).unwrap()))
        });
        assert!(verified > 0.75, "{association}: {verified:.3} verified");
    }
    // Upledger lists mostly biomechanical practitioners, a biodynamic association the reverse.
    let upledger = records(&v, 2000, 23, "upledger");
    assert!(
        share(&upledger, |r| r.approach.as_deref()
            == Some("biomechanical"))
            > 0.6
    );
    let bcta = records(&v, 2000, 23, "bcta-na");
    assert!(share(&bcta, |r| r.approach.as_deref() == Some("biodynamic")) > 0.6);
}

#[test]
fn bios_describe_without_health_claims() {
    let v = common::vocabulary();
    for r in records(&v, 2000, 29, "iahp") {
        let Some(bio) = r.bio else { continue };
        let lower = bio.to_lowercase();
        for claim in ["cure", "heal", "guarantee", "relieve", "fixes", "treats"] {
            assert!(!lower.contains(claim), "{claim:?} in {bio:?}");
        }
        let sentences = bio.matches(['.', '!', '?']).count();
        assert!((1..=4).contains(&sentences), "{bio}");
    }
}

#[test]
fn caller_cities_are_used_and_a_minimal_vocabulary_still_works() {
    let cities = [
        CitySample {
            name: "Boulder",
            region_code: Some("CO"),
            region: Some("Colorado"),
            country: "US",
            lat: 40.01499,
            lon: -105.27055,
            population: 108_250,
        },
        CitySample {
            name: "Longmont",
            region_code: Some("CO"),
            region: Some("Colorado"),
            country: "US",
            lat: 40.16721,
            lon: -105.10193,
            population: 86_270,
        },
    ];
    let minimal = Vocabulary::from_toml_str(
        &common::VOCABULARY[..common::VOCABULARY.find("[[bodies]]").unwrap()],
    )
    .unwrap();
    for r in Generator::new(&minimal, &cities, 1, "upledger").take(300) {
        assert!(r.credentials.is_empty() && r.specialties.is_empty() && r.professions.len() <= 1);
        for loc in &r.locations {
            assert!(["Boulder", "Longmont"].contains(&loc.city.as_deref().unwrap()));
            assert!(loc.region.is_none() || loc.region.as_deref() == Some("CO"));
        }
    }
}

#[test]
fn format_names_parse() {
    let cases = [
        ("jsonl", Some(FeedFormat::Jsonl)),
        ("JSON", Some(FeedFormat::Json)),
        (" csv ", Some(FeedFormat::Csv)),
        ("ndjson", Some(FeedFormat::Jsonl)),
        ("xml", None),
    ];
    for (name, expected) in cases {
        assert_eq!(name.parse::<FeedFormat>().ok(), expected, "{name}");
    }
    assert_eq!(FeedFormat::Csv.to_string(), "csv");
}

/// When the shipped vocabulary exists, generated values must resolve through it too.
#[test]
fn shipped_vocabulary_if_present() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/vocabulary.toml");
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let Ok(v) = Vocabulary::from_toml_str(&text) else {
        return;
    };
    for r in records(&v, 500, 31, "upledger") {
        assert!(r.specialties.iter().all(|s| v.specialty(s).is_some()));
        assert!(r.techniques.iter().all(|t| v.technique(t).is_some()));
        for c in &r.credentials {
            assert!(
                v.credential(v.body_by_id(&c.body).unwrap(), &c.credential)
                    .is_some()
            );
        }
    }
}
