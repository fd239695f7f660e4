//! Property tests: the engine against a brute-force reference over the same practitioners.
//!
//! Each case generates a few hundred practitioners (clustered around a few centres, some on the
//! antimeridian and near the poles, some with one location in a box's latitude band and another
//! in its longitude band), ingests them through the real ingest path in several commits (so the
//! index has several segments and, after re-publishing, deleted documents), reads the stored
//! practitioners back, and checks many random requests against a plain scan of them: the exact
//! total, the page, the order, the disjunctive facet counts and paging by offset and cursor.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use stillpoint_index::practitioner_from_stored;
use stillpoint_index::tantivy::{DocAddress, TantivyDocument};
use stillpoint_model::text::fold;
use stillpoint_model::{
    FeedCredential, FeedFees, FeedLocation, FeedRecord, Practitioner, Vocabulary,
};
use stillpoint_search::geo::haversine_km;
use stillpoint_search::response::SearchResponse;
use stillpoint_search::{BoundingBox, Distance, Facet, SearchEngine, SearchRequest, Sort};

// ------------------------------------------------------------------------------------------------
// Generated practitioners
// ------------------------------------------------------------------------------------------------

/// Where practitioners cluster, and where boxes and circles are drawn.
const CENTRES: &[(f64, f64)] = &[
    (40.015, -105.27), // Boulder
    (51.5, -0.12),     // London
    (-17.8, 179.95),   // Fiji, on the antimeridian
    (65.0, -179.9),    // Chukotka, across the antimeridian from the west
    (89.6, 30.0),      // near the north pole
    (-89.8, -120.0),   // near the south pole
    (0.0, 0.0),
];

/// Places the gazetteer knows, so some locations carry a region (the point stays the feed's).
const CITIES: &[(&str, &str, &str)] = &[
    ("Boulder", "CO", "US"),
    ("Denver", "CO", "US"),
    ("Portland", "OR", "US"),
    ("Zürich", "ZH", "CH"),
    ("Vancouver", "BC", "CA"),
];

const COUNTRIES: &[&str] = &["US", "GB", "CA", "CH", "DE", "FJ", "NZ", "ZA"];
const APPROACHES: &[&str] = &["biodynamic", "biomechanical", "integrative"];
const CREDENTIALS: &[(&str, &str)] = &[
    ("upledger", "CST-T"),
    ("upledger", "CST-D"),
    ("iahp", "MEMBER"),
    ("bcta-na", "RCST"),
    ("csta-uk", "RCST"),
    ("iabt", "RCST"),
    ("ncbtmb", "BCTMB"),
    ("cnhc", "CNHC-REG"),
];
const BODIES: &[&str] = &[
    "upledger", "iahp", "bcta-na", "csta-uk", "iabt", "ncbtmb", "cnhc", "ctet",
];
const PROFESSIONS: &[&str] = &[
    "craniosacral-therapist",
    "massage-therapist",
    "physical-therapist",
    "osteopath",
    "midwife",
    "dentist",
];
const SPECIALTIES: &[&str] = &[
    "infants",
    "children",
    "pregnancy",
    "headaches-migraines",
    "tmj",
    "chronic-pain",
    "trauma-ptsd",
    "sleep",
];
const TECHNIQUES: &[&str] = &[
    "still-point",
    "v-spread",
    "cranial-base-release",
    "diaphragm-release",
    "somatoemotional-release",
];
const LANGUAGES: &[&str] = &["en", "de", "fr", "es", "nl"];
const NAMES: &[&str] = &[
    "Ana Ruiz",
    "ana ruiz",
    "Émile Dubois",
    "Emile Dubois",
    "Zoë Müller",
    "Łukasz Nowak",
    "Ben Carter",
    "Chloé Martin",
    "Dana Kim",
    "Óscar Peña",
    "Aoife Byrne",
    "Zed",
];

/// The two publishing associations: each verifies its own credentials (and iahp also
/// Upledger's), so the same credential is verified for some practitioners and not for others.
const ASSOCIATIONS: [&str; 2] = ["iahp", "bcta-na"];

fn wrap_lon(lon: f64) -> f64 {
    if lon > 180.0 {
        lon - 360.0
    } else if lon < -180.0 {
        lon + 360.0
    } else {
        lon
    }
}

fn point_near(centre: usize, dlat: f64, dlon: f64) -> (f64, f64) {
    let (lat, lon) = CENTRES[centre];
    ((lat + dlat).clamp(-90.0, 90.0), wrap_lon(lon + dlon))
}

fn point() -> impl Strategy<Value = (f64, f64)> {
    let centre = 0..CENTRES.len();
    prop_oneof![
        // Clustered.
        4 => (centre.clone(), -1.0..1.0f64, -1.5..1.5f64)
            .prop_map(|(c, a, b)| point_near(c, a, b)),
        // Exactly on a centre: equal distances, ties broken by id.
        1 => centre.clone().prop_map(|c| CENTRES[c]),
        // On one axis of a centre: in a box's latitude band or longitude band, not in the box.
        2 => (centre, any::<bool>(), prop_oneof![-25.0..-2.0f64, 2.0..25.0f64])
            .prop_map(|(c, along_lat, d)| if along_lat {
                point_near(c, 0.0, d)
            } else {
                point_near(c, d, 0.0)
            }),
        // Anywhere, including the edges of the map.
        1 => (-90.0..=90.0f64, -180.0..=180.0f64),
        1 => prop_oneof![
            Just((90.0, 0.0)),
            Just((-90.0, 45.0)),
            Just((10.0, 180.0)),
            Just((-10.0, -180.0)),
        ],
    ]
}

fn location() -> impl Strategy<Value = FeedLocation> {
    (
        point(),
        prop::option::of(0..CITIES.len()),
        0..COUNTRIES.len(),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|((lat, lon), city, country, wheelchair)| {
            let (city, region, country) = match city {
                Some(i) => (
                    Some(CITIES[i].0.to_string()),
                    Some(CITIES[i].1.to_string()),
                    CITIES[i].2.to_string(),
                ),
                None => (None, None, COUNTRIES[country].to_string()),
            };
            FeedLocation {
                city,
                region,
                country,
                lat: Some(lat),
                lon: Some(lon),
                wheelchair_accessible: wheelchair,
                ..Default::default()
            }
        })
}

fn subset(items: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(items, 0..=max.min(items.len()))
        .prop_map(|v| v.into_iter().map(str::to_string).collect())
}

fn fees() -> impl Strategy<Value = Option<FeedFees>> {
    prop::option::of(
        (
            prop::option::of(0u32..200),
            prop::option::of(0u32..200),
            prop::option::of(any::<bool>()),
        )
            .prop_map(|(a, b, sliding)| {
                let (min, max) = match (a, b) {
                    (Some(a), Some(b)) => (Some(a.min(b)), Some(a.max(b))),
                    other => other,
                };
                FeedFees {
                    min: min.map(f64::from),
                    max: max.map(f64::from),
                    currency: "USD".into(),
                    sliding_scale: sliding,
                }
            }),
    )
}

fn record() -> impl Strategy<Value = FeedRecord> {
    (
        (
            prop::sample::select(NAMES),
            prop::option::of(prop::sample::select(APPROACHES)),
            prop::sample::subsequence(CREDENTIALS, 0..=3),
            subset(PROFESSIONS, 2),
            subset(SPECIALTIES, 3),
            subset(TECHNIQUES, 2),
            subset(LANGUAGES, 2),
        ),
        (
            prop::collection::vec(location(), 1..=3),
            prop_oneof![
                3 => Just(None),
                1 => Just(Some(0.0)),
                2 => (1u32..300).prop_map(|km| Some(f64::from(km))),
            ],
            prop::option::of(any::<bool>()),
            fees(),
        ),
    )
        .prop_map(
            |(
                (name, approach, credentials, professions, specialties, techniques, languages),
                (locations, home_visits_km, accepting, fees),
            )| FeedRecord {
                member_id: String::new(),
                name: name.to_string(),
                approach: approach.map(str::to_string),
                credentials: credentials
                    .into_iter()
                    .map(|(body, credential)| FeedCredential {
                        body: body.into(),
                        credential: credential.into(),
                        ..Default::default()
                    })
                    .collect(),
                professions,
                specialties,
                techniques,
                languages,
                locations,
                home_visits_km,
                accepting_new_clients: accepting,
                fees,
                ..Default::default()
            },
        )
}

/// A population: the records, and replacements re-published later under some of their ids.
fn population() -> impl Strategy<Value = (Vec<FeedRecord>, Vec<FeedRecord>)> {
    (
        prop::collection::vec(record(), 200..320),
        prop::collection::vec(record(), 10..30),
    )
}

// ------------------------------------------------------------------------------------------------
// The fixture: several commits, re-published records, and the stored practitioners read back
// ------------------------------------------------------------------------------------------------

struct World {
    fixture: common::Fixture,
    /// The same index searched without kept text matches: every text search runs its scorer.
    uncached: SearchEngine,
    practitioners: Vec<Reference>,
    regions: Vec<String>,
    vocabulary: std::sync::Arc<Vocabulary>,
}

fn build(records: Vec<FeedRecord>, replacements: Vec<FeedRecord>) -> World {
    let mut feeds: [Vec<FeedRecord>; 2] = [Vec::new(), Vec::new()];
    for (i, mut r) in records.into_iter().enumerate() {
        r.member_id = format!("m{i:03}");
        feeds[usize::from(i % 4 == 3)].push(r);
    }
    let [first, second] = feeds;
    // One commit per feed, then re-published members: their old documents stay behind as
    // deleted documents in the older segments. (More commits would make tantivy merge the
    // small segments back into one.)
    let fixture = common::fixture(&[
        (ASSOCIATIONS[0], first.clone()),
        (ASSOCIATIONS[1], second.clone()),
    ]);
    // Distinct ids: a feed naming a member twice is rejected.
    let republished: Vec<FeedRecord> = first
        .iter()
        .step_by(3)
        .zip(replacements)
        .map(|(old, r)| FeedRecord {
            member_id: old.member_id.clone(),
            ..r
        })
        .collect();
    assert_eq!(
        common::add(&fixture.index, ASSOCIATIONS[0], &republished),
        0,
        "every generated record is valid"
    );
    fixture.engine.reload().unwrap();

    let expected_ids: BTreeSet<String> = first
        .iter()
        .map(|r| format!("{}:{}", ASSOCIATIONS[0], r.member_id))
        .chain(
            second
                .iter()
                .map(|r| format!("{}:{}", ASSOCIATIONS[1], r.member_id)),
        )
        .collect();
    let stored = stored_practitioners(&fixture);
    let stored_ids: BTreeSet<String> = stored.iter().map(|p| p.id.to_string()).collect();
    assert_eq!(stored_ids, expected_ids, "every record was ingested once");
    assert_eq!(stored.len(), expected_ids.len(), "no duplicate documents");

    let vocabulary = common::vocabulary();
    let practitioners: Vec<Reference> = stored.iter().map(Reference::new).collect();
    let regions: BTreeSet<String> = practitioners
        .iter()
        .flat_map(|p| p.values[Facet::Region as usize].iter().cloned())
        .collect();
    let mut regions: Vec<String> = regions.into_iter().collect();
    regions.push("US-NY".into());
    let uncached = common::engine(&fixture.index).with_match_cache(0);
    World {
        fixture,
        uncached,
        practitioners,
        regions,
        vocabulary,
    }
}

/// Every live practitioner as stored, read straight from the index.
fn stored_practitioners(fixture: &common::Fixture) -> Vec<Practitioner> {
    let searcher = fixture.index.reader().unwrap().searcher();
    let fields = fixture.index.fields();
    let mut out = Vec::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in segment.doc_ids_alive() {
            let stored: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc)).unwrap();
            out.push(practitioner_from_stored(fields, &stored).unwrap());
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------
// The reference: the documented semantics, written as plainly as possible
// ------------------------------------------------------------------------------------------------

struct Reference {
    id: String,
    name_key: String,
    points: Vec<(f64, f64)>,
    home_visits_km: Option<f64>,
    /// Per facet (in `Facet::ALL` order), the distinct values.
    values: Vec<Vec<String>>,
    verified_bodies: Vec<String>,
    verified_credentials: Vec<String>,
    accepting: bool,
    home_visits: bool,
    wheelchair: bool,
    sliding_scale: bool,
    verified: bool,
    lowest_fee: Option<f64>,
}

fn distinct(values: impl IntoIterator<Item = String>) -> Vec<String> {
    let set: BTreeSet<String> = values.into_iter().collect();
    set.into_iter().collect()
}

impl Reference {
    fn new(p: &Practitioner) -> Reference {
        let mut values = vec![Vec::new(); Facet::ALL.len()];
        values[Facet::Approach as usize] = distinct(p.approach.clone());
        values[Facet::Body as usize] = distinct(p.credentials.iter().map(|c| c.body.clone()));
        values[Facet::Credential as usize] = distinct(p.credentials.iter().map(|c| c.key()));
        values[Facet::Profession as usize] = distinct(p.professions.clone());
        values[Facet::Specialty as usize] = distinct(p.specialties.clone());
        values[Facet::Technique as usize] = distinct(p.techniques.clone());
        values[Facet::Language as usize] = distinct(p.languages.clone());
        values[Facet::Country as usize] = distinct(p.locations.iter().map(|l| l.country.clone()));
        values[Facet::Region as usize] =
            distinct(p.locations.iter().filter_map(|l| l.region_key()));
        let verified = p.credentials.iter().filter(|c| c.verified);
        Reference {
            id: p.id.to_string(),
            name_key: fold(&p.name),
            points: p
                .locations
                .iter()
                .map(|l| (l.point.lat, l.point.lon))
                .collect(),
            home_visits_km: p.home_visits_km,
            values,
            verified_bodies: distinct(verified.clone().map(|c| c.body.clone())),
            verified_credentials: distinct(verified.map(|c| c.key())),
            accepting: p.accepting_new_clients == Some(true),
            home_visits: p.home_visits_km.is_some_and(|km| km > 0.0),
            wheelchair: p
                .locations
                .iter()
                .any(|l| l.wheelchair_accessible == Some(true)),
            sliding_scale: p.fees.as_ref().is_some_and(|f| f.sliding_scale),
            verified: p.credentials.iter().any(|c| c.verified),
            lowest_fee: p.fees.as_ref().and_then(|f| f.min.or(f.max)),
        }
    }

    /// The values a facet filter and a facet count see: verified credentials only with
    /// `verified`.
    fn facet_values(&self, facet: Facet, verified: bool) -> &[String] {
        match facet {
            Facet::Body if verified => &self.verified_bodies,
            Facet::Credential if verified => &self.verified_credentials,
            _ => &self.values[facet as usize],
        }
    }

    fn distance(&self, (lat, lon): (f64, f64)) -> f64 {
        self.points
            .iter()
            .map(|&(la, lo)| haversine_km(lat, lon, la, lo))
            .fold(f64::INFINITY, f64::min)
    }
}

fn in_box(b: &BoundingBox, (lat, lon): (f64, f64)) -> bool {
    let in_lat = b.min_lat <= lat && lat <= b.max_lat;
    let in_lon = if b.min_lon <= b.max_lon {
        b.min_lon <= lon && lon <= b.max_lon
    } else {
        // Crosses the antimeridian: east of min_lon or west of max_lon.
        lon >= b.min_lon || lon <= b.max_lon
    };
    in_lat && in_lon
}

/// Every filter that is not a facet: text-free geography, flags, fee and verification.
fn passes_base(p: &Reference, r: &SearchRequest) -> bool {
    let flags = [
        (r.flags.accepting, p.accepting),
        (r.flags.home_visits, p.home_visits),
        (r.flags.wheelchair, p.wheelchair),
        (r.flags.sliding_scale, p.sliding_scale),
    ];
    if flags
        .iter()
        .any(|(want, has)| want.is_some_and(|w| w != *has))
    {
        return false;
    }
    if r.verified && !p.verified {
        return false;
    }
    if let Some(max) = r.fee_max
        && p.lowest_fee.is_none_or(|fee| fee > max)
    {
        return false;
    }
    if let Some(b) = &r.bbox
        && !p.points.iter().any(|&pt| in_box(b, pt))
    {
        return false;
    }
    if let (Some(lat), Some(lon), Some(radius)) = (r.lat, r.lon, r.radius) {
        let d = p.distance((lat, lon));
        let travels = p.home_visits_km.is_some_and(|km| d <= km);
        if !(d <= radius.km || travels) {
            return false;
        }
    }
    true
}

/// The selected values of a facet as the index spells them (a bare credential code means it
/// from every body that issues it).
fn selected(r: &SearchRequest, facet: Facet, vocabulary: &Vocabulary) -> Vec<String> {
    let mut out = Vec::new();
    for value in r.filters.get(facet) {
        if facet == Facet::Credential && !value.contains(':') {
            for body in &vocabulary.bodies {
                if let Some(c) = vocabulary.credential(body, value) {
                    out.push(format!("{}:{}", body.id, c.id));
                }
            }
        } else {
            out.push(value.clone());
        }
    }
    out
}

struct Expected {
    /// Matching ids in result order.
    order: Vec<String>,
    /// Distance to the nearest location, by id.
    distances: BTreeMap<String, f64>,
    /// Per requested facet, value -> count (non-zero only).
    facets: BTreeMap<&'static str, BTreeMap<String, u64>>,
}

fn expected(world: &World, r: &SearchRequest) -> Expected {
    let centre = r.lat.zip(r.lon);
    let groups: Vec<(Facet, Vec<String>)> = Facet::ALL
        .into_iter()
        .map(|f| (f, selected(r, f, &world.vocabulary)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let passes = |p: &Reference, except: Option<Facet>| {
        groups.iter().all(|(facet, values)| {
            Some(*facet) == except
                || p.facet_values(*facet, r.verified)
                    .iter()
                    .any(|v| values.contains(v))
        })
    };
    let base: Vec<&Reference> = world
        .practitioners
        .iter()
        .filter(|p| passes_base(p, r))
        .collect();

    let mut matching: Vec<&Reference> = base.iter().copied().filter(|p| passes(p, None)).collect();
    let sort = r.sort.unwrap_or(if centre.is_some() {
        Sort::Distance
    } else {
        Sort::Name
    });
    match sort {
        Sort::Distance => {
            let c = centre.unwrap();
            matching.sort_by(|a, b| {
                a.distance(c)
                    .total_cmp(&b.distance(c))
                    .then_with(|| a.id.cmp(&b.id))
            });
        }
        Sort::Name => {
            matching.sort_by(|a, b| a.name_key.cmp(&b.name_key).then_with(|| a.id.cmp(&b.id)))
        }
        Sort::Relevance => matching.sort_by(|a, b| a.id.cmp(&b.id)),
    }

    let requested = r.facets.clone().unwrap_or_else(|| Facet::ALL.to_vec());
    let mut facets = BTreeMap::new();
    for facet in requested {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for p in base.iter().filter(|p| passes(p, Some(facet))) {
            for v in p.facet_values(facet, r.verified) {
                *counts.entry(v.clone()).or_default() += 1;
            }
        }
        facets.insert(facet.name(), counts);
    }
    Expected {
        distances: match centre {
            Some(c) => matching
                .iter()
                .map(|p| (p.id.clone(), p.distance(c)))
                .collect(),
            None => BTreeMap::new(),
        },
        order: matching.iter().map(|p| p.id.clone()).collect(),
        facets,
    }
}

// ------------------------------------------------------------------------------------------------
// Generated requests
// ------------------------------------------------------------------------------------------------

/// A request, with the parts that depend on the population (a centre or radius snapped to a
/// practitioner's location, a region the population has) resolved against it.
#[derive(Debug, Clone)]
struct RequestSpec {
    centre: Option<Centre>,
    radius: Option<RadiusSpec>,
    bbox: Option<BoundingBox>,
    filters: Vec<(Facet, usize)>,
    flags: [Option<bool>; 4],
    fee_max: Option<u32>,
    verified: bool,
    sort_by_name: bool,
    facets: Option<Vec<Facet>>,
    limit: usize,
    offset: usize,
}

#[derive(Debug, Clone)]
enum Centre {
    Near(usize, f64, f64),
    /// The first location of the n-th practitioner.
    OnPractitioner(usize),
    Anywhere(f64, f64),
}

#[derive(Debug, Clone)]
enum RadiusSpec {
    Km(f64),
    /// Exactly the distance to the n-th practitioner's first location: the edge is inclusive.
    ToPractitioner(usize),
}

fn bbox() -> impl Strategy<Value = BoundingBox> {
    prop_oneof![
        // Around a centre; crosses the antimeridian when the centre is near it.
        4 => (0..CENTRES.len(), 0.05..6.0f64, 0.05..8.0f64).prop_map(|(c, dlat, dlon)| {
            let (lat, lon) = CENTRES[c];
            BoundingBox {
                min_lon: wrap_lon(lon - dlon),
                min_lat: (lat - dlat).max(-90.0),
                max_lon: wrap_lon(lon + dlon),
                max_lat: (lat + dlat).min(90.0),
            }
        }),
        // A polar cap, whole or in part.
        1 => (prop_oneof![80.0..90.0f64, -90.0..-80.0f64], -180.0..180.0f64, 0.0..360.0f64)
            .prop_map(|(lat, lon, width)| {
                let (min_lat, max_lat) = if lat > 0.0 { (lat, 90.0) } else { (-90.0, lat) };
                let (min_lon, max_lon) = if width > 300.0 {
                    (-180.0, 180.0)
                } else {
                    (lon, wrap_lon(lon + width))
                };
                BoundingBox { min_lon, min_lat, max_lon, max_lat }
            }),
        // Anything.
        1 => (-180.0..=180.0f64, -180.0..=180.0f64, -90.0..=90.0f64, -90.0..=90.0f64)
            .prop_map(|(a, b, c, d)| BoundingBox {
                min_lon: a,
                max_lon: b,
                min_lat: c.min(d),
                max_lat: c.max(d),
            }),
    ]
}

fn facet() -> impl Strategy<Value = Facet> {
    prop::sample::select(Facet::ALL.to_vec())
}

fn request_spec() -> impl Strategy<Value = RequestSpec> {
    let centre = prop_oneof![
        3 => (0..CENTRES.len(), -1.0..1.0f64, -1.5..1.5f64)
            .prop_map(|(c, a, b)| Centre::Near(c, a, b)),
        1 => any::<usize>().prop_map(Centre::OnPractitioner),
        1 => (-90.0..=90.0f64, -180.0..=180.0f64).prop_map(|(a, b)| Centre::Anywhere(a, b)),
    ];
    let radius = prop_oneof![
        1 => Just(RadiusSpec::Km(0.0)),
        3 => (0.0..60.0f64).prop_map(RadiusSpec::Km),
        2 => (60.0..1000.0f64).prop_map(RadiusSpec::Km),
        1 => Just(RadiusSpec::Km(1000.0)),
        2 => any::<usize>().prop_map(RadiusSpec::ToPractitioner),
    ];
    (
        (
            prop::option::weighted(0.6, centre),
            prop::option::weighted(0.7, radius),
            prop::option::weighted(0.35, bbox()),
            prop::collection::vec((facet(), any::<usize>()), 0..4),
            [
                prop::option::weighted(0.2, any::<bool>()),
                prop::option::weighted(0.2, any::<bool>()),
                prop::option::weighted(0.2, any::<bool>()),
                prop::option::weighted(0.2, any::<bool>()),
            ],
        ),
        (
            prop::option::weighted(0.2, 0u32..200),
            prop::bool::weighted(0.25),
            prop::bool::weighted(0.3),
            prop::option::weighted(0.3, prop::collection::vec(facet(), 0..4)),
            prop_oneof![1 => Just(0usize), 6 => 1usize..30],
            prop_oneof![3 => Just(0usize), 1 => 0usize..40],
        ),
    )
        .prop_map(
            |(
                (centre, radius, bbox, filters, flags),
                (fee_max, verified, sort_by_name, facets, limit, offset),
            )| RequestSpec {
                radius: if centre.is_some() { radius } else { None },
                centre,
                bbox,
                filters,
                flags,
                fee_max,
                verified,
                sort_by_name,
                facets,
                limit,
                offset,
            },
        )
}

impl RequestSpec {
    fn resolve(&self, world: &World) -> SearchRequest {
        let n = world.practitioners.len();
        let first_point = |i: usize| world.practitioners[i % n].points[0];
        let centre = self.centre.as_ref().map(|c| match *c {
            Centre::Near(c, dlat, dlon) => point_near(c, dlat, dlon),
            Centre::OnPractitioner(i) => first_point(i),
            Centre::Anywhere(lat, lon) => (lat, lon),
        });
        let radius = self.radius.as_ref().and_then(|r| match *r {
            RadiusSpec::Km(km) => Some(km),
            RadiusSpec::ToPractitioner(i) => {
                let (lat, lon) = centre.unwrap();
                let (plat, plon) = first_point(i);
                Some(haversine_km(lat, lon, plat, plon)).filter(|km| *km <= 1000.0)
            }
        });
        let mut request = SearchRequest {
            lat: centre.map(|c| c.0),
            lon: centre.map(|c| c.1),
            radius: radius.map(Distance::km),
            bbox: self.bbox,
            fee_max: self.fee_max.map(f64::from),
            verified: self.verified,
            sort: self.sort_by_name.then_some(Sort::Name),
            facets: self.facets.clone(),
            limit: self.limit,
            offset: self.offset,
            ..SearchRequest::default()
        };
        request.flags.accepting = self.flags[0];
        request.flags.home_visits = self.flags[1];
        request.flags.wheelchair = self.flags[2];
        request.flags.sliding_scale = self.flags[3];
        for &(facet, pick) in &self.filters {
            let choose = |values: &[&str]| values[pick % values.len()].to_string();
            let value = match facet {
                Facet::Approach => choose(APPROACHES),
                Facet::Body => choose(BODIES),
                Facet::Credential => {
                    // A bare code now and then: RCST from any body.
                    if pick % (CREDENTIALS.len() + 1) == CREDENTIALS.len() {
                        "RCST".to_string()
                    } else {
                        let (body, code) = CREDENTIALS[pick % CREDENTIALS.len()];
                        format!("{body}:{code}")
                    }
                }
                Facet::Profession => choose(PROFESSIONS),
                Facet::Specialty => choose(SPECIALTIES),
                Facet::Technique => choose(TECHNIQUES),
                Facet::Language => choose(LANGUAGES),
                Facet::Country => choose(COUNTRIES),
                Facet::Region => world.regions[pick % world.regions.len()].clone(),
            };
            if !request.filters.get(facet).contains(&value) {
                request.filters.add(facet, value);
            }
        }
        request
    }
}

// ------------------------------------------------------------------------------------------------
// The checks
// ------------------------------------------------------------------------------------------------

fn search(engine: &SearchEngine, r: &SearchRequest) -> Result<SearchResponse, TestCaseError> {
    engine
        .search(r)
        .map_err(|e| TestCaseError::fail(format!("search failed: {e} for {r:?}")))
}

fn check(world: &World, r: &SearchRequest) -> Result<(), TestCaseError> {
    let engine = &world.fixture.engine;
    let want = expected(world, r);
    let got = search(engine, r)?;
    let mut json = Vec::new();
    got.write_json(&mut json).unwrap();
    prop_assert_eq!(
        String::from_utf8(json).unwrap(),
        serde_json::to_string(&got).unwrap(),
        "write_json of {:?}",
        r
    );

    prop_assert_eq!(got.total, want.order.len() as u64, "total of {:?}", r);
    let page: Vec<&str> = got.hits.iter().map(|h| h.id.as_str()).collect();
    let want_page: Vec<&str> = want
        .order
        .iter()
        .skip(r.offset)
        .take(r.limit)
        .map(String::as_str)
        .collect();
    prop_assert_eq!(&page, &want_page, "page of {:?}", r);
    let more = r.offset + r.limit < want.order.len();
    prop_assert_eq!(
        got.next_cursor.is_some(),
        more && r.limit > 0,
        "next_cursor of {:?}",
        r
    );

    for hit in &got.hits {
        match want.distances.get(&hit.id) {
            Some(d) => {
                let km = hit.distance_km.expect("a distance with a centre");
                prop_assert!(
                    (km - d).abs() <= 0.0006,
                    "distance of {} in {:?}",
                    hit.id,
                    r
                );
                let nearest = hit.nearest_location.distance_km.unwrap();
                prop_assert!(
                    (nearest - d).abs() <= 0.0006,
                    "nearest location of {}",
                    hit.id
                );
            }
            None => prop_assert!(hit.distance_km.is_none()),
        }
    }

    // Facet counts: every requested facet, exact and disjunctive.
    let got_facets: BTreeMap<&str, _> = got.facets.iter().map(|f| (f.facet, f)).collect();
    prop_assert_eq!(
        got_facets.keys().copied().collect::<Vec<_>>(),
        want.facets.keys().copied().collect::<Vec<_>>(),
        "facets of {:?}",
        r
    );
    for (name, counts) in &want.facets {
        let f = got_facets[name];
        let nonzero: BTreeMap<String, u64> = f
            .values
            .iter()
            .filter(|v| v.count > 0)
            .map(|v| (v.value.clone(), v.count))
            .collect();
        prop_assert_eq!(&nonzero, counts, "counts of facet {} in {:?}", name, r);
        prop_assert_eq!(f.distinct, counts.len(), "distinct {} in {:?}", name, r);
        let facet: Facet = name.parse().unwrap();
        let chosen = selected(r, facet, &world.vocabulary);
        for v in &f.values {
            prop_assert_eq!(
                v.selected,
                chosen.contains(&v.value),
                "selected {}",
                v.value
            );
        }
        for value in &chosen {
            prop_assert!(
                f.values.iter().any(|v| &v.value == value),
                "selected value {} of {} is listed even at zero",
                value,
                name
            );
        }
        prop_assert!(
            f.values.windows(2).all(|w| w[0].count > w[1].count
                || (w[0].count == w[1].count && w[0].value < w[1].value)
                || w[1].count == 0),
            "facet {} ordered by count, then value",
            name
        );
    }
    Ok(())
}

/// Following `next_cursor` from the first page yields exactly the full list, in order.
fn check_cursor_walk(world: &World, r: &SearchRequest, page: usize) -> Result<(), TestCaseError> {
    let want = expected(world, r).order;
    let mut request = SearchRequest {
        limit: page,
        offset: 0,
        facets: Some(Vec::new()),
        ..r.clone()
    };
    let mut seen: Vec<String> = Vec::new();
    loop {
        let got = search(&world.fixture.engine, &request)?;
        prop_assert_eq!(got.total, want.len() as u64);
        prop_assert!(got.hits.len() <= page);
        seen.extend(got.hits.iter().map(|h| h.id.clone()));
        prop_assert!(
            seen.len() <= want.len(),
            "cursor walk went past the end of {:?}",
            r
        );
        match got.next_cursor {
            Some(cursor) => request.cursor = Some(cursor),
            None => break,
        }
    }
    prop_assert_eq!(&seen, &want, "cursor walk of {:?}", r);
    Ok(())
}

/// Text within a radius (which the engine takes from the circle's ranges of documents): the
/// practitioners the same text finds anywhere, less those out of reach.
fn check_text_within(world: &World, r: &SearchRequest) -> Result<(), TestCaseError> {
    let (Some(lat), Some(lon), Some(radius)) = (r.lat, r.lon, r.radius) else {
        return Ok(());
    };
    let engine = &world.fixture.engine;
    let ids = |request: &SearchRequest| -> Result<Vec<String>, TestCaseError> {
        let mut ids: Vec<String> = Vec::new();
        loop {
            let page = search(
                engine,
                &SearchRequest {
                    offset: ids.len(),
                    limit: 100,
                    ..request.clone()
                },
            )?;
            ids.extend(page.hits.iter().map(|h| h.id.clone()));
            if page.hits.len() < 100 {
                break;
            }
        }
        ids.sort();
        Ok(ids)
    };
    let reaches = |id: &String| {
        world.practitioners.iter().any(|p| {
            let d = p.distance((lat, lon));
            &p.id == id && (d <= radius.km || p.home_visits_km.is_some_and(|km| d <= km))
        })
    };
    for q in ["migraine", "infants", "jaw"] {
        let within = SearchRequest {
            q: Some(q.into()),
            sort: Some(Sort::Name),
            cursor: None,
            ..r.clone()
        };
        let anywhere = SearchRequest {
            radius: None,
            ..within.clone()
        };
        let want: Vec<String> = ids(&anywhere)?.into_iter().filter(reaches).collect();
        prop_assert_eq!(ids(&within)?, want, "{:?} within {:?}", q, r);
    }
    Ok(())
}

/// A repeated text query answers from its kept matches (see `stillpoint_search`'s `matches`)
/// exactly what the scorer answers: the same total, page, scores, counts and cursor, the
/// first time (scorer), the second (matches collected) and the third (matches kept).
fn check_kept_text(world: &World, r: &SearchRequest) -> Result<(), TestCaseError> {
    let response = |engine: &SearchEngine, request: &SearchRequest| {
        let mut got = search(engine, request)?;
        got.took_ms = 0.0;
        Ok::<_, TestCaseError>(serde_json::to_string(&got).unwrap())
    };
    for q in ["migraine", "infants", "jaw pain", "integr"] {
        let request = SearchRequest {
            q: Some(q.into()),
            cursor: None,
            ..r.clone()
        };
        let want = response(&world.uncached, &request)?;
        for time in 1..=3 {
            let got = response(&world.fixture.engine, &request)?;
            prop_assert_eq!(&got, &want, "{:?}, search {}: {:?}", q, time, request);
        }
    }
    Ok(())
}

fn run(
    (records, replacements): (Vec<FeedRecord>, Vec<FeedRecord>),
    specs: Vec<RequestSpec>,
) -> Result<(), TestCaseError> {
    let world = build(records, replacements);
    for (i, spec) in specs.iter().enumerate() {
        let request = spec.resolve(&world);
        check(&world, &request)?;
        if i % 4 == 0 {
            check_cursor_walk(&world, &request, 1 + (i % 37))?;
        }
        if i % 3 == 0 {
            check_text_within(&world, &request)?;
        }
        if i % 5 == 0 {
            check_kept_text(&world, &request)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 4,
        max_shrink_iters: 40,
        ..ProptestConfig::default()
    })]

    #[test]
    fn engine_agrees_with_a_brute_force_scan(
        population in population(),
        specs in prop::collection::vec(request_spec(), 120),
    ) {
        run(population, specs)?;
    }
}

/// The trap the issue names: a practitioner with one location in a box's latitude band and
/// another in its longitude band is in neither the box nor the circle.
#[test]
fn locations_in_the_bands_of_a_box_do_not_match_it() {
    let location = |lat: f64, lon: f64| FeedLocation {
        country: "US".into(),
        lat: Some(lat),
        lon: Some(lon),
        ..Default::default()
    };
    let record = |id: &str, locations: Vec<FeedLocation>| FeedRecord {
        member_id: id.into(),
        name: format!("Practitioner {id}"),
        locations,
        ..Default::default()
    };
    let f = common::fixture(&[(
        "iahp",
        vec![
            record("bands", vec![location(40.0, -90.0), location(10.0, -105.0)]),
            record(
                "inside",
                vec![location(10.0, -90.0), location(40.2, -105.1)],
            ),
            record("far", vec![location(-40.0, 20.0)]),
        ],
    )]);
    let boxed = f
        .engine
        .search(&SearchRequest {
            bbox: Some("-106,39,-104,41".parse().unwrap()),
            ..SearchRequest::default()
        })
        .unwrap();
    let ids: Vec<&str> = boxed.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["iahp:inside"]);
    let circle = f
        .engine
        .search(&SearchRequest {
            lat: Some(40.0),
            lon: Some(-105.0),
            radius: Some(Distance::km(100.0)),
            ..SearchRequest::default()
        })
        .unwrap();
    let ids: Vec<&str> = circle.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["iahp:inside"]);
}
