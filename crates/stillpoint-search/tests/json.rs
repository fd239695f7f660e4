//! `SearchResponse::write_json` copies each hit's profile and locations from JSON rendered once
//! per record: its bytes must be serde's, whatever the search adds (distances, scores,
//! highlights, a resolved centre, a cursor, advisories), on realistic feeds (city-only
//! locations, several locations, fees, contacts, names to escape), from the cache or not.

mod common;

use std::collections::BTreeSet;
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
    let uncached = common::engine(&f.index).with_record_cache(0);
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

/// A text query asked again answers from its kept matches (see `matches` in the search core)
/// exactly what its scorer answers: the same hits, scores, distances, counts and cursor, the
/// first time (scorer), the second (matches collected) and the third (matches kept), and the
/// page its cursor leads to; near a place, within a radius or a box, in an association's
/// directory, by every order. So does an engine with room for a few queries only.
#[test]
fn kept_text_matches_answer_what_the_scorer_answers() {
    let f = common::fixture(&feeds());
    let uncached = common::engine(&f.index).with_match_cache(0);
    let text = |q: &str| SearchRequest {
        q: Some(q.into()),
        limit: 30,
        ..Default::default()
    };
    let mut requests = Vec::new();
    for q in ["migraine", "back pain", "baby", "biodynamic infants", "mig"] {
        for radius in [5.0, 50.0, 400.0] {
            for sort in [None, Some(Sort::Distance), Some(Sort::Name)] {
                requests.push(SearchRequest {
                    lat: Some(40.71),
                    lon: Some(-74.0),
                    radius: Some(Distance::km(radius)),
                    sort,
                    ..text(q)
                });
            }
        }
        requests.push(text(q));
        requests.push(SearchRequest {
            near: Some("London".into()),
            association: Some("csta-uk".into()),
            radius: Some(Distance::km(100.0)),
            ..text(q)
        });
        requests.push(SearchRequest {
            bbox: Some(stillpoint_search::BoundingBox {
                min_lon: -80.0,
                min_lat: 35.0,
                max_lon: -70.0,
                max_lat: 45.0,
            }),
            ..text(q)
        });
        let mut filtered = SearchRequest {
            lat: Some(51.5),
            lon: Some(-0.12),
            radius: Some(Distance::km(300.0)),
            ..text(q)
        };
        filtered.filters.add(Facet::Specialty, "infants");
        filtered.flags.accepting = Some(true);
        requests.push(filtered);
    }
    let json = |engine: &SearchEngine, request: &SearchRequest| {
        let mut response = engine.search(request).unwrap();
        response.took_ms = 0.0;
        (serde(&response), response)
    };
    let (mut scored, mut followed) = (0, 0);
    for request in &requests {
        let (want, response) = json(&uncached, request);
        let scores: BTreeSet<u32> = response
            .hits
            .iter()
            .filter_map(|h| h.score.map(f32::to_bits))
            .collect();
        scored += usize::from(scores.len() > 2);
        for time in 1..=3 {
            assert_eq!(
                json(&f.engine, request).0,
                want,
                "search {time}: {request:?}"
            );
        }
        if let Some(cursor) = response.next_cursor {
            let next = SearchRequest {
                cursor: Some(cursor),
                ..request.clone()
            };
            let (want, _) = json(&uncached, &next);
            for time in 1..=3 {
                let got = json(&f.engine, &next).0;
                assert_eq!(got, want, "next page, search {time}: {next:?}");
            }
            followed += 1;
        }
    }
    assert!(followed >= 10, "{followed} cursors followed");
    assert!(
        scored >= 10,
        "the scores tell hits apart ({scored} requests)"
    );

    // With room for a few queries (an entry may take at most half the memory): the larger
    // ones run their scorer, the others are kept while they fit.
    let small = common::engine(&f.index).with_match_cache(4 << 10);
    for request in &requests {
        let (want, _) = json(&uncached, request);
        for time in 1..=3 {
            let got = json(&small, request).0;
            assert_eq!(got, want, "small, search {time}: {request:?}");
        }
    }
    let stats = small.match_cache_stats();
    assert!(stats.hits > 0 && stats.bytes <= 4 << 10, "{stats:?}");

    // Another segment changes every score (the statistics are the index's): nothing kept from
    // the view before answers.
    let (_, members) = feeds().swap_remove(0);
    assert_eq!(common::add(&f.index, "iahp", &members[..200]), 0);
    f.engine.reload().unwrap();
    uncached.reload().unwrap();
    for request in &requests {
        let (want, _) = json(&uncached, request);
        for time in 1..=2 {
            let got = json(&f.engine, request).0;
            assert_eq!(got, want, "after a commit, search {time}: {request:?}");
        }
    }
}

/// A page by relevance is the head of a longer page of the same search (ties by id), whatever
/// shortcut a short page takes past the matches that cannot beat its worst hit; the total and
/// the counts do not depend on the page.
#[test]
fn a_page_by_relevance_is_the_head_of_a_longer_one() {
    let f = common::fixture(&feeds());
    let ids =
        |r: &SearchResponse| -> Vec<String> { r.hits.iter().map(|h| h.id.to_string()).collect() };
    let counts = |r: &SearchResponse| (r.total, serde_json::to_string(&r.facets).unwrap());
    let mut compared = 0;
    for q in ["biodynamic", "migraine", "baby", "back pain", "crani"] {
        for area in [
            None,
            Some((40.71, -74.0, 400.0)),
            Some((51.5, -0.12, 300.0)),
        ] {
            let request = |offset: usize, limit: usize| SearchRequest {
                q: Some(q.into()),
                lat: area.map(|a| a.0),
                lon: area.map(|a| a.1),
                radius: area.map(|a| Distance::km(a.2)),
                offset,
                limit,
                ..Default::default()
            };
            let long = f.engine.search(&request(0, 100)).unwrap();
            for (offset, limit) in [(0, 1), (0, 3), (2, 5), (0, 10), (7, 20)] {
                let page = f.engine.search(&request(offset, limit)).unwrap();
                let head: Vec<String> = ids(&long).into_iter().skip(offset).take(limit).collect();
                assert_eq!(ids(&page), head, "{q:?} in {area:?}, {offset}+{limit}");
                assert_eq!(counts(&page), counts(&long), "{q:?} in {area:?}");
                compared += usize::from(!head.is_empty());
            }
        }
    }
    assert!(compared > 40, "{compared} pages compared");
}
