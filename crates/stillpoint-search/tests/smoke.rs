mod common;

use stillpoint_model::{FeedCredential, FeedLocation, FeedRecord};
use stillpoint_search::{Distance, Facet, SearchRequest};

fn record(id: &str, name: &str, city: &str, region: &str, specialties: &[&str]) -> FeedRecord {
    FeedRecord {
        member_id: id.into(),
        name: name.into(),
        credentials: vec![FeedCredential {
            body: "upledger".into(),
            credential: "CST-D".into(),
            since: None,
            expires: None,
        }],
        specialties: specialties.iter().map(|s| s.to_string()).collect(),
        bio: Some(format!(
            "{name} works with migraines and jaw tension in {city}."
        )),
        locations: vec![FeedLocation {
            city: Some(city.into()),
            region: Some(region.into()),
            country: "US".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn smoke() {
    let f = common::fixture(&[(
        "upledger",
        vec![
            record("1", "Ana Boulder", "Boulder", "CO", &["infants", "tmj"]),
            record("2", "Ben Denver", "Denver", "CO", &["migraine"]),
            record("3", "Cy Portland", "Portland", "OR", &["tmj"]),
        ],
    )]);
    let r = f
        .engine
        .search(&SearchRequest {
            near: Some("Boulder, CO".into()),
            radius: Some(Distance::km(50.0)),
            ..Default::default()
        })
        .unwrap();
    println!("{}", serde_json::to_string_pretty(&r).unwrap());
    assert_eq!(r.total, 2);
    assert_eq!(r.hits[0].id, "upledger:1");
    let mut req = SearchRequest {
        q: Some("jaw pain".into()),
        ..Default::default()
    };
    req.filters.add(Facet::Specialty, "tmj");
    let r = f.engine.search(&req).unwrap();
    println!("{}", serde_json::to_string_pretty(&r).unwrap());
    assert_eq!(r.total, 2);
}

#[test]
fn a_selected_value_cut_by_facet_size_keeps_its_count() {
    let f = common::fixture(&[(
        "upledger",
        vec![
            record("1", "Ana Boulder", "Boulder", "CO", &["infants", "tmj"]),
            record("2", "Ben Denver", "Denver", "CO", &["migraine"]),
            record("3", "Cy Portland", "Portland", "OR", &["tmj"]),
        ],
    )]);
    let mut request = SearchRequest {
        facets: Some(vec![Facet::Specialty]),
        facet_size: 1,
        ..Default::default()
    };
    request.filters.add(Facet::Specialty, "infants");
    let r = f.engine.search(&request).unwrap();
    let values = &r.facets[0].values;
    // tmj (2) is the one value that fits; infants is selected, so it is listed too, with its
    // real (disjunctive) count.
    assert_eq!(values[0].value, "tmj");
    assert_eq!(values[0].count, 2);
    let infants = values.iter().find(|v| v.value == "infants").unwrap();
    assert!(infants.selected);
    assert_eq!(infants.count, 1);
    assert_eq!(r.facets[0].distinct, 3);
}

/// Warming an engine builds ahead what searches would build on first use: the answers stay the
/// same, with deleted documents in the index too.
#[test]
fn a_warmed_engine_answers_like_a_cold_one() {
    let records = vec![
        record("1", "Ana Boulder", "Boulder", "CO", &["infants", "tmj"]),
        record("2", "Ben Denver", "Denver", "CO", &["migraine"]),
        record("3", "Cy Portland", "Portland", "OR", &["tmj"]),
    ];
    let f = common::fixture(&[("upledger", records.clone())]);
    // Publishing again replaces documents: the earlier ones are deleted, not yet merged away.
    common::add(&f.index, "upledger", &records[..1]);
    let cold = common::engine(&f.index);
    f.engine.reload().unwrap();
    f.engine.warm().unwrap();
    let mut near = SearchRequest {
        near: Some("Boulder, CO".into()),
        radius: Some(Distance::km(50.0)),
        ..Default::default()
    };
    near.filters.add(Facet::Specialty, "tmj");
    for request in [
        SearchRequest::default(),
        SearchRequest {
            q: Some("jaw".into()),
            ..Default::default()
        },
        near,
    ] {
        let (warm, cold) = (
            f.engine.search(&request).unwrap(),
            cold.search(&request).unwrap(),
        );
        let ids = |r: &stillpoint_search::SearchResponse| {
            r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>()
        };
        assert_eq!((warm.total, ids(&warm)), (cold.total, ids(&cold)));
        let counts = |r: &stillpoint_search::SearchResponse| {
            r.facets
                .iter()
                .map(|f| (f.facet, f.values.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(counts(&warm), counts(&cold));
    }
}

/// Parsed records are kept by segment and document, so a republished practitioner shows its new
/// record, and a later segment's documents (numbered from 0 again) never show an earlier one's.
#[test]
fn kept_records_never_show_a_replaced_or_another_practitioner() {
    let records = vec![
        record("1", "Ana Boulder", "Boulder", "CO", &["infants", "tmj"]),
        record("2", "Ben Denver", "Denver", "CO", &["migraine"]),
    ];
    let f = common::fixture(&[("upledger", records)]);
    let uncached = common::engine(&f.index).with_record_cache(0);
    let everyone = SearchRequest::default();
    let hits = |r: stillpoint_search::SearchResponse| serde_json::to_value(r.hits).unwrap();
    let first = hits(f.engine.search(&everyone).unwrap());
    assert_eq!(hits(f.engine.search(&everyone).unwrap()), first);
    let stats = f.engine.record_cache_stats();
    assert_eq!((stats.records, stats.misses, stats.hits), (2, 2, 2));

    // Ana republished under a new name, and another association's first member: both are
    // document 0 of their new segments.
    common::add(
        &f.index,
        "upledger",
        &[record("1", "Ana Lafayette", "Lafayette", "CO", &["tmj"])],
    );
    common::add(
        &f.index,
        "bcta-na",
        &[record("7", "Cleo Golden", "Golden", "CO", &["infants"])],
    );
    f.engine.reload().unwrap();
    uncached.reload().unwrap();
    for request in [
        everyone,
        SearchRequest {
            q: Some("Lafayette".into()),
            ..Default::default()
        },
        SearchRequest {
            near: Some("Golden, CO".into()),
            ..Default::default()
        },
    ] {
        let (cached, read) = (
            hits(f.engine.search(&request).unwrap()),
            hits(uncached.search(&request).unwrap()),
        );
        assert_eq!(cached, read);
    }
    let names: Vec<String> = f
        .engine
        .search(&SearchRequest::default())
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.name.clone())
        .collect();
    assert_eq!(names, ["Ana Lafayette", "Ben Denver", "Cleo Golden"]);
    assert_eq!(uncached.record_cache_stats().records, 0);
}

/// The server's default `record_cache_mb` and `match_cache_mb` are the engine's own defaults, so
/// the CLI and the server keep the same records and matches.
#[test]
fn the_configured_cache_defaults_are_the_engine_defaults() {
    let server = stillpoint_config::ServerSection::default();
    assert_eq!(
        server.record_cache_mb << 20,
        stillpoint_search::DEFAULT_RECORD_CACHE_BYTES
    );
    assert_eq!(
        server.match_cache_mb << 20,
        stillpoint_search::DEFAULT_MATCH_CACHE_BYTES
    );
}
