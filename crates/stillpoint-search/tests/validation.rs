//! Invalid requests: every invalid parameter is named with a reason (`SearchError::Invalid`),
//! all at once, and none of them panics or reaches the index.

mod common;

use stillpoint_model::{FeedLocation, FeedRecord};
use stillpoint_search::{
    BoundingBox, Distance, Facet, InvalidParam, SearchError, SearchRequest, Sort,
};

fn fixture() -> common::Fixture {
    let record = |id: &str, name: &str, lat: f64, lon: f64| FeedRecord {
        member_id: id.into(),
        name: name.into(),
        specialties: vec!["tmj".into()],
        locations: vec![FeedLocation {
            country: "US".into(),
            lat: Some(lat),
            lon: Some(lon),
            ..Default::default()
        }],
        ..Default::default()
    };
    common::fixture(&[(
        "iahp",
        vec![
            record("1", "Ana", 40.0, -105.0),
            record("2", "Ben", 40.1, -105.1),
            record("3", "Cy", 45.5, -122.7),
        ],
    )])
}

/// The invalid parameters of a request that must be refused.
fn invalid(f: &common::Fixture, request: &SearchRequest) -> Vec<InvalidParam> {
    match f.engine.search(request) {
        Err(SearchError::Invalid(params)) => {
            for p in &params {
                assert!(!p.reason.is_empty(), "{p:?} has a reason");
            }
            params
        }
        Err(other) => panic!("{request:?}: not a validation error: {other}"),
        Ok(r) => panic!("{request:?} was accepted ({} hits)", r.total),
    }
}

/// Asserts the request is refused naming exactly these parameters.
fn refused(f: &common::Fixture, request: &SearchRequest, names: &[&str]) -> Vec<InvalidParam> {
    let params = invalid(f, request);
    let mut got: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    got.sort_unstable();
    let mut want = names.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "{request:?}: {params:?}");
    params
}

fn centre() -> SearchRequest {
    SearchRequest {
        lat: Some(40.0),
        lon: Some(-105.0),
        ..SearchRequest::default()
    }
}

#[test]
fn geography_errors_are_named() {
    let f = fixture();
    let p = refused(
        &f,
        &SearchRequest {
            radius: Some(Distance::km(10.0)),
            ..SearchRequest::default()
        },
        &["radius"],
    );
    assert!(p[0].reason.contains("centre"), "{p:?}");
    let p = refused(
        &f,
        &SearchRequest {
            radius: Some(Distance::km(1_000.5)),
            ..centre()
        },
        &["radius"],
    );
    assert!(p[0].reason.contains("1000"), "{p:?}");
    refused(
        &f,
        &SearchRequest {
            radius: Some(Distance::km(-1.0)),
            ..centre()
        },
        &["radius"],
    );
    refused(
        &f,
        &SearchRequest {
            radius: Some(Distance::km(f64::NAN)),
            ..centre()
        },
        &["radius"],
    );
    refused(
        &f,
        &SearchRequest {
            lat: Some(40.0),
            ..SearchRequest::default()
        },
        &["lon"],
    );
    refused(
        &f,
        &SearchRequest {
            lat: Some(91.0),
            lon: Some(181.0),
            ..SearchRequest::default()
        },
        &["lat", "lon"],
    );
    refused(
        &f,
        &SearchRequest {
            near: Some("Boulder, CO".into()),
            ..centre()
        },
        &["near"],
    );
    refused(
        &f,
        &SearchRequest {
            near: Some("Qwxzzy Flats".into()),
            ..SearchRequest::default()
        },
        &["near"],
    );
    refused(
        &f,
        &SearchRequest {
            sort: Some(Sort::Distance),
            ..SearchRequest::default()
        },
        &["sort"],
    );
}

#[test]
fn a_box_built_without_its_parser_is_still_checked() {
    let f = fixture();
    let boxed = |min_lon, min_lat, max_lon, max_lat| SearchRequest {
        bbox: Some(BoundingBox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        }),
        ..SearchRequest::default()
    };
    refused(&f, &boxed(-106.0, 41.0, -104.0, 39.0), &["bbox"]);
    refused(&f, &boxed(-200.0, 39.0, -104.0, 41.0), &["bbox"]);
    refused(&f, &boxed(-106.0, 39.0, -104.0, 95.0), &["bbox"]);
    refused(&f, &boxed(f64::NAN, 39.0, -104.0, 41.0), &["bbox"]);
    let ok = f.engine.search(&boxed(-106.0, 39.0, -104.0, 41.0)).unwrap();
    assert_eq!(ok.total, 2);
}

#[test]
fn paging_errors_are_named() {
    let f = fixture();
    let p = refused(
        &f,
        &SearchRequest {
            limit: 101,
            ..SearchRequest::default()
        },
        &["limit"],
    );
    assert!(p[0].reason.contains("100"), "{p:?}");
    refused(
        &f,
        &SearchRequest {
            offset: 9_950,
            limit: 51,
            ..SearchRequest::default()
        },
        &["offset"],
    );
    // At the edge of the window is fine.
    f.engine
        .search(&SearchRequest {
            offset: 9_950,
            limit: 50,
            ..SearchRequest::default()
        })
        .unwrap();
    // Huge numbers are refused, not overflowed.
    refused(
        &f,
        &SearchRequest {
            offset: usize::MAX,
            ..SearchRequest::default()
        },
        &["offset"],
    );
    refused(
        &f,
        &SearchRequest {
            offset: usize::MAX,
            limit: usize::MAX,
            ..SearchRequest::default()
        },
        &["limit", "offset"],
    );
    refused(
        &f,
        &SearchRequest {
            facet_size: 1_001,
            ..SearchRequest::default()
        },
        &["facet_size"],
    );
    refused(
        &f,
        &SearchRequest {
            q: Some("a".repeat(257)),
            ..SearchRequest::default()
        },
        &["q"],
    );
    refused(
        &f,
        &SearchRequest {
            fee_max: Some(-1.0),
            ..SearchRequest::default()
        },
        &["fee_max"],
    );
    refused(
        &f,
        &SearchRequest {
            fee_max: Some(f64::NAN),
            ..SearchRequest::default()
        },
        &["fee_max"],
    );
}

#[test]
fn cursors_are_checked() {
    let f = fixture();
    for garbage in ["garbage", "", "eyJzIjoibmFtZSJ9", "not base64 ✓"] {
        refused(
            &f,
            &SearchRequest {
                cursor: Some(garbage.into()),
                ..SearchRequest::default()
            },
            &["cursor"],
        );
    }
    let first = f
        .engine
        .search(&SearchRequest {
            limit: 1,
            ..centre()
        })
        .unwrap();
    let cursor = first.next_cursor.expect("more than one page");
    // With an offset.
    refused(
        &f,
        &SearchRequest {
            cursor: Some(cursor.clone()),
            offset: 1,
            limit: 1,
            ..centre()
        },
        &["offset"],
    );
    // Made for another order.
    let p = refused(
        &f,
        &SearchRequest {
            cursor: Some(cursor.clone()),
            sort: Some(Sort::Name),
            ..centre()
        },
        &["cursor"],
    );
    assert!(p[0].reason.contains("distance"), "{p:?}");
    // And the right way round, it continues.
    let next = f
        .engine
        .search(&SearchRequest {
            cursor: Some(cursor),
            limit: 1,
            ..centre()
        })
        .unwrap();
    assert_ne!(next.hits[0].id, first.hits[0].id);
}

#[test]
fn unknown_facet_values_are_named() {
    let f = fixture();
    let cases: &[(Facet, &str)] = &[
        (Facet::Approach, "quantum"),
        (Facet::Body, "acme-institute"),
        (Facet::Credential, "upledger:XYZ"),
        (Facet::Credential, "nobody:RCST"),
        (Facet::Credential, "WIZARD"),
        (Facet::Profession, "astronaut"),
        (Facet::Specialty, "unicorns"),
        (Facet::Technique, "levitation"),
        (Facet::Language, "xx"),
        (Facet::Language, "english"),
        (Facet::Country, "ZZ"),
        (Facet::Country, "USA"),
        (Facet::Region, "Colorado"),
        (Facet::Region, "ZZ-CO"),
        (Facet::Specialty, "  "),
    ];
    for &(facet, value) in cases {
        let mut request = SearchRequest::default();
        request.filters.add(facet, value);
        let p = refused(&f, &request, &[facet.name()]);
        let quoted = value.trim().rsplit(':').next().unwrap();
        assert!(
            p[0].reason.contains(quoted),
            "{facet} {value:?}: the reason quotes the value: {p:?}"
        );
    }
}

#[test]
fn labels_and_synonyms_are_accepted_as_filter_values() {
    let f = fixture();
    let total = |facet: Facet, value: &str| {
        let mut request = SearchRequest::default();
        request.filters.add(facet, value);
        f.engine.search(&request).unwrap().total
    };
    assert_eq!(total(Facet::Specialty, "tmj"), 3);
    assert_eq!(total(Facet::Specialty, "TMJ and jaw disorders"), 3);
    assert_eq!(total(Facet::Specialty, "jaw pain"), 3);
    assert_eq!(total(Facet::Country, "us"), 3);
    assert_eq!(total(Facet::Specialty, "infants"), 0);
}

#[test]
fn every_invalid_parameter_is_listed_at_once() {
    let f = fixture();
    let mut request = SearchRequest {
        radius: Some(Distance::km(5_000.0)),
        limit: 500,
        cursor: Some("garbage".into()),
        ..SearchRequest::default()
    };
    request.filters.add(Facet::Specialty, "unicorns");
    request.filters.add(Facet::Language, "xx");
    let p = refused(
        &f,
        &request,
        &[
            "radius",
            "radius",
            "limit",
            "cursor",
            "specialty",
            "language",
        ],
    );
    let message = SearchError::Invalid(p).to_string();
    assert!(
        message.contains("unicorns") && message.contains("limit"),
        "{message}"
    );
}
