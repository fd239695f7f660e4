//! `SearchResponse::write_json` copies each hit's profile and locations from JSON rendered once
//! per record: its bytes must be serde's, whatever the search adds (distances, scores,
//! highlights, a resolved centre, a cursor, advisories), on realistic feeds (city-only
//! locations, several locations, fees, contacts, names to escape), from the cache or not.

mod common;

use std::sync::Arc;

use stillpoint_demo::{FeedFormat, GenerateOptions};
use stillpoint_gazetteer::Gazetteer;
use stillpoint_model::FeedRecord;
use stillpoint_search::{Distance, Facet, SearchEngine, SearchRequest, SearchResponse, Sort};

/// Realistic generated members of two associations.
fn feeds() -> Vec<(&'static str, Vec<FeedRecord>)> {
    let vocabulary = common::vocabulary();
    ["bcta-na", "csta-uk"]
        .into_iter()
        .enumerate()
        .map(|(i, association)| {
            let options = GenerateOptions {
                count: 300,
                seed: 11 + i as u64,
                association: association.into(),
                format: FeedFormat::Jsonl,
            };
            let mut feed = Vec::new();
            stillpoint_demo::generate(
                &vocabulary,
                Gazetteer::embedded().cities(),
                &options,
                &mut feed,
            )
            .unwrap();
            let records = String::from_utf8(feed)
                .unwrap()
                .lines()
                .map(|line| serde_json::from_str(line).unwrap())
                .collect();
            (association, records)
        })
        .collect()
}

fn requests() -> Vec<SearchRequest> {
    let mut requests = vec![
        SearchRequest::default(),
        SearchRequest {
            near: Some("Portland".into()),
            ..Default::default()
        },
        SearchRequest {
            lat: Some(51.5),
            lon: Some(-0.12),
            radius: Some(Distance::km(400.0)),
            limit: 100,
            ..Default::default()
        },
        SearchRequest {
            q: Some("migraine".into()),
            lat: Some(40.7),
            lon: Some(-74.0),
            ..Default::default()
        },
        SearchRequest {
            q: Some("biodynamic pregnancy".into()),
            sort: Some(Sort::Name),
            limit: 50,
            ..Default::default()
        },
        SearchRequest {
            q: Some("craniosacral".into()),
            near: Some("London".into()),
            radius: Some(Distance::km(1000.0)),
            ..Default::default()
        },
        SearchRequest {
            limit: 0,
            ..Default::default()
        },
    ];
    let mut filtered = SearchRequest {
        lat: Some(39.7),
        lon: Some(-105.0),
        facets: Some(vec![Facet::Specialty, Facet::Region]),
        ..Default::default()
    };
    filtered.filters.add(Facet::Specialty, "infants");
    requests.push(filtered);
    requests
}

fn serde(response: &SearchResponse) -> String {
    serde_json::to_string(response).unwrap()
}

fn fast(response: &SearchResponse) -> String {
    let mut out = Vec::new();
    response.write_json(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Each request, then its next page by cursor, twice (the second time from kept records).
fn check_all(engine: &SearchEngine) -> usize {
    let mut hits = 0;
    for _ in 0..2 {
        for request in requests() {
            let response = engine.search(&request).unwrap();
            assert_eq!(fast(&response), serde(&response), "{request:?}");
            hits += response.hits.len();
            if let Some(cursor) = response.next_cursor.clone() {
                let next = SearchRequest {
                    cursor: Some(cursor),
                    ..request.clone()
                };
                let response = engine.search(&next).unwrap();
                assert_eq!(fast(&response), serde(&response), "{next:?}");
            }
        }
    }
    hits
}

#[test]
fn write_json_is_serdes_json() {
    let f = common::fixture(&feeds());
    assert!(check_all(&f.engine) > 300, "the requests find hits");
    let uncached = SearchEngine::new(
        &f.index,
        common::vocabulary(),
        Gazetteer::embedded(),
        Default::default(),
    )
    .unwrap()
    .with_record_cache(0);
    check_all(&uncached);
}

#[test]
fn the_requests_cover_what_a_search_adds() {
    let f = common::fixture(&feeds());
    let all: Vec<SearchResponse> = requests()
        .iter()
        .map(|r| f.engine.search(r).unwrap())
        .collect();
    let hits = || all.iter().flat_map(|r| &r.hits);
    assert!(hits().any(|h| h.score.is_some() && h.highlights.is_some()));
    assert!(hits().any(|h| h.distance_km.is_some() && h.locations.len() > 1));
    assert!(hits().any(|h| h.locations.iter().any(|l| l.address.is_none())));
    assert!(hits().any(|h| !h.name.is_ascii()));
    assert!(all.iter().any(|r| {
        r.center
            .as_ref()
            .is_some_and(|c| c.label.is_some() && !c.alternatives.is_empty())
    }));
    assert!(all.iter().any(|r| !r.advisories.is_empty()));
}

#[test]
fn a_hit_changed_after_the_search_is_written_as_it_now_is() {
    let f = common::fixture(&feeds());
    let request = SearchRequest {
        lat: Some(40.7),
        lon: Some(-74.0),
        ..Default::default()
    };
    let mut response = f.engine.search(&request).unwrap();
    assert!(response.hits.len() >= 3);
    Arc::make_mut(&mut response.hits[0].profile).name = "Renamed \"R\"".into();
    response.hits[1].locations.pop();
    let moved = &mut response.hits[2];
    moved.nearest_location = moved.locations[moved.locations.len() - 1].clone();
    moved.nearest_location.lat += 1.0;
    assert_eq!(fast(&response), serde(&response));
    assert!(fast(&response).contains(r#""name":"Renamed \"R\"""#));
}
