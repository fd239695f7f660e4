//! The nearest-first shortcut (growing circles, total from postings) must agree with a
//! brute-force scan, and with the full pass: asking for no facet counts takes the shortcut,
//! asking for them (with a filter) takes the full pass.

mod common;

use stillpoint_model::{FeedCredential, FeedLocation, FeedRecord};
use stillpoint_search::geo::haversine_km;
use stillpoint_search::{Facet, SearchRequest, Sort};

/// A deterministic spread of practitioners: dense around two towns, sparse elsewhere.
fn records() -> Vec<FeedRecord> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let professions = [
        "massage-therapist",
        "osteopath",
        "physical-therapist",
        "midwife",
    ];
    (0..400)
        .map(|i| {
            let (lat, lon) = match i % 4 {
                0 => (40.0 + next() * 0.3, -105.3 + next() * 0.3),
                1 => (51.4 + next() * 0.2, -0.3 + next() * 0.3),
                _ => (next() * 140.0 - 70.0, next() * 360.0 - 180.0),
            };
            let locations = (0..1 + i % 2)
                .map(|k| FeedLocation {
                    lat: Some(lat + k as f64 * 0.5),
                    lon: Some(lon),
                    city: Some("Somewhere".into()),
                    country: "US".into(),
                    ..Default::default()
                })
                .collect();
            FeedRecord {
                member_id: format!("m{i}"),
                name: format!("Practitioner {i}"),
                credentials: vec![FeedCredential {
                    body: "upledger".into(),
                    credential: "CST-T".into(),
                    since: None,
                    expires: None,
                }],
                professions: vec![professions[i % professions.len()].into()],
                locations,
                ..Default::default()
            }
        })
        .collect()
}

/// A practitioner certified by upledger, at the given points.
fn practitioner(member_id: &str, points: &[(f64, f64)]) -> FeedRecord {
    FeedRecord {
        member_id: member_id.into(),
        name: format!("Practitioner {member_id}"),
        credentials: vec![FeedCredential {
            body: "upledger".into(),
            credential: "CST-T".into(),
            since: None,
            expires: None,
        }],
        locations: points
            .iter()
            .map(|&(lat, lon)| FeedLocation {
                lat: Some(lat),
                lon: Some(lon),
                city: Some("Somewhere".into()),
                country: "US".into(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// Practitioners within `km` of a centre, nearest first.
fn within_km((lat, lon): (f64, f64), km: f64, limit: usize) -> SearchRequest {
    SearchRequest {
        lat: Some(lat),
        lon: Some(lon),
        radius: Some(stillpoint_search::Distance::km(km)),
        sort: Some(Sort::Distance),
        limit,
        ..Default::default()
    }
}

#[test]
fn growing_circles_agree_with_the_full_pass() {
    let all = records();
    let (first, second) = all.split_at(200);
    let f = common::fixture(&[("upledger", first.to_vec()), ("iahp", second.to_vec())]);
    let centres = [
        (40.1, -105.2),
        (51.5, -0.1),
        (0.0, 179.9),
        (-60.0, 10.0),
        (89.0, 0.0),
    ];
    for (lat, lon) in centres {
        for profession in [None, Some("osteopath"), Some("midwife")] {
            for limit in [1, 7, 20, 100] {
                let mut request = SearchRequest {
                    lat: Some(lat),
                    lon: Some(lon),
                    sort: Some(Sort::Distance),
                    limit,
                    ..Default::default()
                };
                if let Some(p) = profession {
                    request.filters.add(Facet::Profession, p);
                }
                let full = f.engine.search(&request).unwrap();
                request.facets = Some(Vec::new());
                let shortcut = f.engine.search(&request).unwrap();
                let ids = |r: &stillpoint_search::SearchResponse| {
                    r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>()
                };
                let context = format!("({lat},{lon}) {profession:?} limit {limit}");
                // Both against a brute-force scan of the records, by (distance, id).
                let mut expected: Vec<(f64, String)> = all
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| profession.is_none_or(|p| r.professions[0] == p))
                    .map(|(i, r)| {
                        let association = if i < 200 { "upledger" } else { "iahp" };
                        let distance = r
                            .locations
                            .iter()
                            .map(|l| haversine_km(lat, lon, l.lat.unwrap(), l.lon.unwrap()))
                            .fold(f64::INFINITY, f64::min);
                        (distance, format!("{association}:{}", r.member_id))
                    })
                    .collect();
                expected.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
                let expected_ids: Vec<String> = expected
                    .iter()
                    .take(limit)
                    .map(|(_, id)| id.clone())
                    .collect();
                assert_eq!(shortcut.total, expected.len() as u64, "{context}");
                assert_eq!(ids(&shortcut), expected_ids, "{context}");
                assert_eq!(shortcut.total, full.total, "{context}");
                assert_eq!(ids(&shortcut), ids(&full), "{context}");
                assert_eq!(shortcut.next_cursor, full.next_cursor, "{context}");
            }
        }
    }
}

/// A practitioner counts at its first location's quadtree node; when that node is dense enough
/// to be taken whole, the page must still see the practitioner by its nearest location: when it
/// ties with the others there and sorts first by id, and when it is strictly nearer than a page
/// already full by the time its second location comes up, whatever its id.
#[test]
fn a_second_location_reaches_the_page_when_the_first_lies_in_a_dense_node() {
    let (centre, cluster) = ((40.09, -105.0), (40.0, -105.0));
    // (where the twelve others sit, the practitioner with two locations)
    let cases = [(centre, "a-both"), ((40.099, -105.0), "z-both")];
    for (near, both) in cases {
        let mut records: Vec<FeedRecord> = (0..12)
            .map(|i| practitioner(&format!("near-{i:02}"), &[near]))
            .collect();
        records.extend((0..40).map(|i| practitioner(&format!("cluster-{i:02}"), &[cluster])));
        // First location in the cluster, 10 km away; second at the centre.
        records.push(practitioner(both, &[cluster, centre]));
        let f = common::fixture(&[("upledger", records)]);
        let response = f.engine.search(&within_km(centre, 50.0, 5)).unwrap();
        assert_eq!(response.total, 53, "{both}");
        let page: Vec<&str> = response.hits.iter().map(|h| h.id.as_str()).collect();
        let both = format!("upledger:{both}");
        assert_eq!(
            page,
            [
                both.as_str(),
                "upledger:near-00",
                "upledger:near-01",
                "upledger:near-02",
                "upledger:near-03"
            ]
        );
    }
}

/// A practitioner whose only location inside the circle is its second, in a node wholly inside
/// the circle, matches: with text (the area's documents are gathered first), with a filter
/// (the node is counted from bit sets), and with neither (precounted node counts).
#[test]
fn a_second_location_inside_a_dense_node_matches_whatever_the_path() {
    let at = |member_id: &str, points: &[(f64, f64)], profession: &str| FeedRecord {
        professions: vec![profession.into()],
        ..practitioner(member_id, points)
    };
    let (centre, far) = ((40.0, -105.0), (10.0, 10.0));
    let mut records: Vec<FeedRecord> = (0..60)
        .map(|i| at(&format!("near-{i:02}"), &[centre], "massage-therapist"))
        .collect();
    records.extend((0..60).map(|i| at(&format!("far-{i:02}"), &[far], "osteopath")));
    records.push(at("z-second", &[far, centre], "osteopath"));
    let f = common::fixture(&[("upledger", records)]);
    let search = |q: Option<&str>, profession: Option<&str>| {
        let mut request = SearchRequest {
            q: q.map(str::to_string),
            ..within_km(centre, 20.0, 100)
        };
        if let Some(p) = profession {
            request.filters.add(Facet::Profession, p);
        }
        f.engine.search(&request).unwrap()
    };
    for q in [None, Some("practitioner")] {
        let all = search(q, None);
        assert_eq!(all.total, 61, "{q:?}");
        assert!(
            all.hits.iter().any(|h| h.id == "upledger:z-second"),
            "{q:?}"
        );
        let osteopaths = search(q, Some("osteopath"));
        assert_eq!(osteopaths.total, 1, "{q:?}");
        assert_eq!(osteopaths.hits[0].id, "upledger:z-second", "{q:?}");
        let professions = osteopaths
            .facets
            .iter()
            .find(|f| f.facet == "profession")
            .expect("profession counts");
        let count = |v: &str| {
            professions
                .values
                .iter()
                .find(|c| c.value == v)
                .map_or(0, |c| c.count)
        };
        assert_eq!(
            (count("osteopath"), count("massage-therapist")),
            (1, 60),
            "{q:?}"
        );
    }
}

/// Values held by few practitioners of a large segment are kept as lists of positions rather
/// than bit sets (see `bits.rs`): counts, filters and second locations must come out the same
/// as for frequent values, whichever way a node or the text matches are counted.
#[test]
fn rare_values_count_and_filter_like_frequent_ones() {
    let record = |id: String, i: usize, points: &[(f64, f64)]| FeedRecord {
        name: format!("Practitioner {i}"),
        professions: vec![["massage-therapist", "osteopath"][i % 2].into()],
        // Frequent: every third of the first 300; rare: five practitioners.
        specialties: match i {
            7 | 8 | 10 | 300 | 360 => vec!["infants".into()],
            _ if i.is_multiple_of(3) && i < 300 => vec!["tmj".into()],
            _ => Vec::new(),
        },
        languages: if i == 11 || i == 300 {
            vec!["en".into(), "fr".into()]
        } else {
            vec!["en".into()]
        },
        ..practitioner(&id, points)
    };
    let (centre, cluster, far) = ((40.0, -105.0), (40.1, -105.0), (10.0, 10.0));
    let id = |i: usize| format!("m{i:03}");
    let mut records: Vec<FeedRecord> = (0..300).map(|i| record(id(i), i, &[centre])).collect();
    // Its only location within the circle is its second.
    records.push(record(id(300), 300, &[far, centre]));
    // A dense node 11 km away; one of them has its second location at the centre (and sorts
    // first by id). The three at the centre fill a page of two (and the one after) before the
    // node is reached, so the page sees it only by its second location.
    records.extend((301..360).map(|i| record(id(i), i, &[cluster])));
    records.push(record("a-both".into(), 360, &[cluster, centre]));
    // Enough others that five practitioners are rare in any segment.
    records.extend((361..2000).map(|i| record(id(i), i, &[far])));
    let f = common::fixture(&[("upledger", records)]);
    let search = |q: Option<&str>, filter: Option<(Facet, &str)>, limit: usize| {
        let mut request = SearchRequest {
            q: q.map(str::to_string),
            ..within_km(centre, 20.0, limit)
        };
        if let Some((facet, value)) = filter {
            request.filters.add(facet, value);
        }
        f.engine.search(&request).unwrap()
    };
    let count = |r: &stillpoint_search::SearchResponse, facet: &str, value: &str| {
        r.facets
            .iter()
            .find(|f| f.facet == facet)
            .and_then(|f| f.values.iter().find(|c| c.value == value))
            .map_or(0, |c| c.count)
    };
    let ids = |r: &stillpoint_search::SearchResponse| {
        r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>()
    };
    for q in [None, Some("practitioner")] {
        let all = search(q, None, 20);
        assert_eq!(all.total, 361, "{q:?}");
        assert_eq!(count(&all, "specialty", "infants"), 5, "{q:?}");
        assert_eq!(count(&all, "language", "fr"), 2, "{q:?}");
        // A frequent filter: the rare values among the osteopaths (odd numbers).
        let osteopaths = search(q, Some((Facet::Profession, "osteopath")), 20);
        assert_eq!(osteopaths.total, 180, "{q:?}");
        assert_eq!(count(&osteopaths, "specialty", "infants"), 1, "{q:?}");
        assert_eq!(count(&osteopaths, "language", "fr"), 1, "{q:?}");
        assert_eq!(
            count(&osteopaths, "profession", "massage-therapist"),
            181,
            "{q:?}"
        );
        // A rare filter, met by second locations too.
        let infants = search(q, Some((Facet::Specialty, "infants")), 100);
        assert_eq!(infants.total, 5, "{q:?}");
        assert_eq!(
            ids(&infants),
            [
                "upledger:a-both",
                "upledger:m007",
                "upledger:m008",
                "upledger:m010",
                "upledger:m300"
            ],
            "{q:?}"
        );
        assert_eq!(count(&infants, "language", "fr"), 1, "{q:?}");
        assert_eq!(count(&infants, "specialty", "tmj"), 100, "{q:?}");
        let first_two = search(q, Some((Facet::Specialty, "infants")), 2);
        assert_eq!(
            ids(&first_two),
            ["upledger:a-both", "upledger:m007"],
            "{q:?}"
        );
    }
}

/// Home visits widen the reach of the practitioners who make them, not of the others: a
/// practitioner without home visits whose first location lies beyond the radius (but within
/// another's home-visit reach) matches by a second location inside it, once; one whose every
/// location lies beyond the radius does not, whatever the path (text or not, with a filter or
/// without, counted by bit sets or by rows).
#[test]
fn home_visits_reach_only_for_those_who_make_them() {
    // About 0.09° of latitude per 10 km.
    let km_north = |km: f64| (40.0 + km / 111.2, -105.0);
    let centre = km_north(0.0);
    let at = |member_id: &str, points: &[(f64, f64)], home: Option<f64>| FeedRecord {
        professions: vec!["osteopath".into()],
        specialties: vec!["tmj".into()],
        home_visits_km: home,
        accepting_new_clients: Some(true),
        ..practitioner(member_id, points)
    };
    // A dense crowd at the centre, so that its node is taken whole.
    let mut records: Vec<FeedRecord> = (0..80)
        .map(|i| at(&format!("crowd-{i:02}"), &[centre], None))
        .collect();
    records.extend([
        // In: its home visits (30 km) reach the centre from 25 km.
        at("home-30", &[km_north(25.0)], Some(30.0)),
        // Out: its home visits (10 km) fall short from 20 km.
        at("home-10", &[km_north(20.0)], Some(10.0)),
        // In by its second location (5 km), once.
        at("second-in", &[km_north(20.0), km_north(5.0)], None),
        // In by its first location, once.
        at("first-in", &[km_north(5.0), km_north(20.0)], None),
        // Out: both locations beyond the radius, within the home-visit reach.
        at("both-out", &[km_north(20.0), km_north(22.0)], None),
    ]);
    let f = common::fixture(&[("upledger", records)]);
    for q in [None, Some("practitioner")] {
        for filter in [None, Some((Facet::Specialty, "tmj"))] {
            for accepting in [None, Some(true)] {
                let mut request = SearchRequest {
                    q: q.map(str::to_string),
                    flags: stillpoint_search::Flags {
                        accepting,
                        ..Default::default()
                    },
                    ..within_km(centre, 10.0, 100)
                };
                if let Some((facet, value)) = filter {
                    request.filters.add(facet, value);
                }
                let response = f.engine.search(&request).unwrap();
                let context = format!("{q:?} {filter:?} {accepting:?}");
                assert_eq!(response.total, 83, "{context}");
                let mut ids: Vec<&str> = response
                    .hits
                    .iter()
                    .map(|h| h.id.as_str())
                    .filter(|id| !id.starts_with("upledger:crowd-"))
                    .collect();
                ids.sort_unstable();
                assert_eq!(
                    ids,
                    [
                        "upledger:first-in",
                        "upledger:home-30",
                        "upledger:second-in"
                    ],
                    "{context}"
                );
                let second = response
                    .hits
                    .iter()
                    .find(|h| h.id == "upledger:second-in")
                    .expect("listed");
                assert!(
                    (second.distance_km.unwrap() - 5.0).abs() < 0.01,
                    "{context}"
                );
                let tmj = response
                    .facets
                    .iter()
                    .find(|f| f.facet == "specialty")
                    .and_then(|f| f.values.iter().find(|v| v.value == "tmj"))
                    .map_or(0, |v| v.count);
                assert_eq!(tmj, 83, "{context}");
            }
        }
    }
}
