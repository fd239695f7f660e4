//! Free-text matching, table-driven over a small real index: typos, prefixes, vocabulary
//! synonyms, accents and case, stemming, the practice's names in many languages (as the seed
//! articles write them), credentials, places, stopwords, highlights and advisories.

mod common;

use std::collections::BTreeSet;

use stillpoint_model::{FeedCredential, FeedLocation, FeedRecord};
use stillpoint_search::response::{Hit, SearchResponse};
use stillpoint_search::{Facet, SearchRequest, Sort};

struct Listing {
    id: &'static str,
    name: &'static str,
    place: (&'static str, &'static str, &'static str, f64, f64),
    specialties: &'static [&'static str],
    credentials: &'static [(&'static str, &'static str)],
    bio: &'static str,
}

const LISTINGS: &[Listing] = &[
    Listing {
        id: "anna",
        name: "Anna Schmidt",
        place: ("Zürich", "ZH", "CH", 47.37, 8.54),
        specialties: &["headaches-migraines"],
        credentials: &[("upledger", "CST-D")],
        bio: "Ruhige Begleitung für Erwachsene.",
    },
    Listing {
        id: "fay",
        name: "Fay Morgan",
        place: ("London", "", "GB", 51.51, -0.13),
        specialties: &[],
        credentials: &[],
        bio: "Clients with migraines & tension headaches <3 welcome.",
    },
    Listing {
        id: "ben",
        name: "Ben Okafor",
        place: ("Boulder", "CO", "US", 40.02, -105.27),
        specialties: &["tmj"],
        credentials: &[],
        bio: "Gentle work for the whole body.",
    },
    Listing {
        id: "jo",
        name: "Jo Park",
        place: ("Denver", "CO", "US", 39.74, -104.99),
        specialties: &[],
        credentials: &[],
        bio: "After dental work the jaw often holds tension; pain eases with time.",
    },
    Listing {
        id: "chloe",
        name: "Chloé Dubois",
        place: ("Lyon", "", "FR", 45.76, 4.84),
        specialties: &["pregnancy"],
        credentials: &[("bcta-na", "RCST")],
        bio: "Accompagnement des familles.",
    },
    Listing {
        id: "dan",
        name: "Dan Whitfield",
        place: ("London", "", "GB", 51.5, -0.12),
        specialties: &[],
        credentials: &[],
        bio: "Sports recovery for runners.",
    },
    Listing {
        id: "marco",
        name: "Marco Bellini",
        place: ("Milano", "", "IT", 45.46, 9.19),
        specialties: &[],
        credentials: &[],
        bio: "Lavoro con adulti.",
    },
    Listing {
        id: "kat",
        name: "Katharina Oberholzer",
        place: ("Bern", "", "CH", 46.95, 7.45),
        specialties: &[],
        credentials: &[],
        bio: "Listening touch.",
    },
];

fn record(l: &Listing) -> FeedRecord {
    let (city, region, country, lat, lon) = l.place;
    FeedRecord {
        member_id: l.id.into(),
        name: l.name.into(),
        practice_name: (l.id == "fay").then(|| "Casa <Calma> & Co".to_string()),
        specialties: l.specialties.iter().map(|s| s.to_string()).collect(),
        credentials: l
            .credentials
            .iter()
            .map(|(body, credential)| FeedCredential {
                body: body.to_string(),
                credential: credential.to_string(),
                ..Default::default()
            })
            .collect(),
        bio: Some(l.bio.into()),
        locations: vec![FeedLocation {
            city: Some(city.into()),
            region: (!region.is_empty()).then(|| region.to_string()),
            country: country.into(),
            lat: Some(lat),
            lon: Some(lon),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn fixture() -> common::Fixture {
    let f = common::fixture(&[("iahp", LISTINGS.iter().map(record).collect())]);
    assert_eq!(f.engine.num_practitioners(), LISTINGS.len() as u64);
    f
}

fn search(f: &common::Fixture, q: &str) -> SearchResponse {
    f.engine
        .search(&SearchRequest {
            q: Some(q.into()),
            limit: 100,
            ..SearchRequest::default()
        })
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
}

fn ids(response: &SearchResponse) -> BTreeSet<&str> {
    response
        .hits
        .iter()
        .map(|h| h.id.strip_prefix("iahp:").unwrap())
        .collect()
}

const EVERYONE: &[&str] = &["anna", "fay", "ben", "jo", "chloe", "dan", "marco", "kat"];

/// Runs each query and compares the matching practitioners with the expected set.
fn check_table(f: &common::Fixture, table: &[(&str, &[&str])]) {
    let mut failures = Vec::new();
    for (q, want) in table {
        let response = search(f, q);
        let got = ids(&response);
        let want: BTreeSet<&str> = want.iter().copied().collect();
        if got != want {
            failures.push(format!("{q:?}: got {got:?}, want {want:?}"));
        }
        assert_eq!(response.total, got.len() as u64, "{q:?}: total");
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn typos_are_tolerated_by_word_length() {
    let f = fixture();
    check_table(
        &f,
        &[
            // 9 letters: up to 2 edits.
            ("Whitfeild", &["dan"]),
            ("Wihtfeild", &["dan"]),
            ("Katarhina", &["kat"]),
            ("Whitfield runners", &["dan"]),
            ("Whtifeild runners", &["dan"]),
            // 5 to 8 letters: 1 edit, not 2.
            ("Okafro", &["ben"]),
            ("Bellni", &["marco"]),
            ("Morgna sports", &[]),
            ("Oakfro", &[]),
            ("Bleliin", &[]),
            // Below 5 letters: exact only (the last word may still be a prefix).
            ("Anne", &[]),
            ("Prak", &[]),
            ("Jo Prak", &[]),
        ],
    );
}

#[test]
fn the_last_word_is_also_a_prefix() {
    let f = fixture();
    check_table(
        &f,
        &[
            ("Bell", &["marco"]),
            ("Marco Bell", &["marco"]),
            ("Whitf", &["dan"]),
            ("Oberh", &["kat"]),
            // Only the last word.
            ("Bell Marco", &[]),
            // Too short to complete.
            ("Be", &[]),
        ],
    );
}

/// Typo and prefix variants are found once per query over every segment's terms merged: a
/// term only one segment holds, and the terms of a segment committed after the first search,
/// must still match.
#[test]
fn typos_and_prefixes_match_terms_of_every_segment_and_of_later_commits() {
    let (first, second) = LISTINGS.split_at(4);
    let f = common::fixture(&[("iahp", first.iter().map(record).collect())]);
    check_table(
        &f,
        &[("Okafro", &["ben"]), ("Whitfeild", &[]), ("Bellni", &[])],
    );

    common::add(
        &f.index,
        "iahp",
        &second.iter().map(record).collect::<Vec<_>>(),
    );
    f.engine.reload().unwrap();
    assert_eq!(f.engine.num_practitioners(), LISTINGS.len() as u64);
    check_table(
        &f,
        &[
            ("Okafro", &["ben"]),
            ("Whitfeild", &["dan"]),
            ("Bellni", &["marco"]),
            ("Whitf", &["dan"]),
            ("Oberh", &["kat"]),
            ("Katarhina", &["kat"]),
        ],
    );
}

#[test]
fn a_trailing_space_means_the_last_word_is_complete() {
    let f = fixture();
    check_table(&f, &[("Bell ", &[]), ("Bellini ", &["marco"])]);
}

#[test]
fn vocabulary_synonyms_expand() {
    let f = fixture();
    check_table(
        &f,
        &[
            // The practice itself: every listing is one.
            ("cranial sacral", EVERYONE),
            ("craniosacral", EVERYONE),
            // A specialty by its synonyms, and bios naming both words.
            ("jaw pain", &["ben", "jo"]),
            ("TMD", &["ben"]),
            ("tmj", &["ben"]),
            ("bruxism", &["ben"]),
            ("Kiefergelenk", &["ben"]),
            ("Schwangerschaft", &["chloe"]),
            ("grossesse", &["chloe"]),
        ],
    );
}

#[test]
fn accents_and_case_fold() {
    let f = fixture();
    check_table(
        &f,
        &[
            ("Zürich", &["anna"]),
            ("zurich", &["anna"]),
            ("ZURICH", &["anna"]),
            ("MIGRAINE", &["anna", "fay"]),
            ("chloe", &["chloe"]),
            ("Chloé", &["chloe"]),
            ("CHLOÉ DUBOIS", &["chloe"]),
        ],
    );
}

#[test]
fn words_match_their_stems() {
    let f = fixture();
    // Fay writes "migraines"; Anna lists the specialty.
    check_table(
        &f,
        &[
            ("migraine", &["anna", "fay"]),
            ("migraines", &["anna", "fay"]),
            ("headache", &["anna", "fay"]),
            ("runner", &["dan"]),
            ("runners", &["dan"]),
        ],
    );
    // "running" stems to "run": a typo allowance counted on the typed word would let it match
    // Anna's "Ruhige" as a fuzzy prefix.
    assert!(!ids(&search(&f, "running")).contains("anna"));
}

#[test]
fn the_practice_names_from_the_seed_articles_and_the_vocabulary_match_everyone() {
    let f = fixture();
    let names = [
        // As the seed articles write them (/work/shared/seeds).
        "cranial sacral massage",
        "Cranial Sacral Therapy",
        "CranioSacral Massage",
        "cranial\u{2011}sacral therapy",
        "CST",
        "craniosacral massage therapy",
        "cranial sacral technique",
        "craniosacraal therapie",
        "cranio sacrale",
        "sacro cranial",
        "craniosacral therapist",
        // Other languages, from the vocabulary.
        "Craniosacral-Therapie",
        "Kraniosakraltherapie",
        "thérapie crânio-sacrée",
        "therapie cranio sacree",
        "terapia craneosacral",
        "terapia craniosacrale",
        "kraniosakral terapi",
        "краниосакральная терапия",
    ];
    let table: Vec<(&str, &[&str])> = names.iter().map(|n| (*n, EVERYONE)).collect();
    check_table(&f, &table);
    // With a place, the place still has to match.
    check_table(
        &f,
        &[
            ("Kraniosakraltherapie Zürich", &["anna"]),
            ("craniosacral therapist in Boulder", &["ben"]),
            ("cranial sacral therapy London", &["fay", "dan"]),
        ],
    );
}

#[test]
fn credentials_match_by_code_and_name() {
    let f = fixture();
    check_table(
        &f,
        &[
            ("RCST", &["chloe"]),
            ("rcst", &["chloe"]),
            ("CST-D", &["anna"]),
            ("Diplomate", &["anna"]),
            ("Registered Craniosacral Therapist", &["chloe"]),
        ],
    );
}

#[test]
fn every_word_must_match_and_places_count() {
    let f = fixture();
    check_table(
        &f,
        &[
            ("Boulder", &["ben"]),
            ("Denver", &["jo"]),
            ("Colorado", &["ben", "jo"]),
            ("London", &["fay", "dan"]),
            ("migraine London", &["fay"]),
            ("migraine Boulder", &[]),
            ("jaw pain Denver", &["jo"]),
            ("tmj Denver", &[]),
            ("Dan Whitfield London", &["dan"]),
            ("Dan Whitfield Boulder", &[]),
        ],
    );
}

#[test]
fn stopwords_and_generic_words_are_dropped() {
    let f = fixture();
    check_table(
        &f,
        &[
            ("the migraine", &["anna", "fay"]),
            ("therapist in Boulder", &["ben"]),
            ("a therapist for migraines near London", &["fay"]),
            ("who works with jaw pain", &["ben", "jo"]),
        ],
    );
}

fn hit<'a>(response: &'a SearchResponse, id: &str) -> &'a Hit {
    let id = format!("iahp:{id}");
    response
        .hits
        .iter()
        .find(|h| h.id == id)
        .unwrap_or_else(|| panic!("{id} not in the results"))
}

#[test]
fn highlights_mark_matched_words_and_escape_the_rest() {
    let f = fixture();
    let r = search(&f, "migraine");
    let fay = hit(&r, "fay").highlights.as_ref().unwrap();
    assert_eq!(
        fay.bio.as_deref(),
        Some("Clients with <mark>migraines</mark> &amp; tension headaches &lt;3 welcome.")
    );
    assert_eq!(fay.name, None);

    let r = search(&f, "Bellini");
    let marco = hit(&r, "marco").highlights.as_ref().unwrap();
    assert_eq!(marco.name.as_deref(), Some("Marco <mark>Bellini</mark>"));

    let r = search(&f, "chloe");
    let chloe = hit(&r, "chloe").highlights.as_ref().unwrap();
    assert_eq!(chloe.name.as_deref(), Some("<mark>Chloé</mark> Dubois"));

    // Typos and prefixes highlight the word they matched.
    let r = search(&f, "Whitfeild");
    let dan = hit(&r, "dan").highlights.as_ref().unwrap();
    assert_eq!(dan.name.as_deref(), Some("Dan <mark>Whitfield</mark>"));
    let r = search(&f, "Casa");
    let fay = hit(&r, "fay").highlights.as_ref().unwrap();
    assert_eq!(
        fay.practice_name.as_deref(),
        Some("<mark>Casa</mark> &lt;Calma&gt; &amp; Co")
    );

    // No query, no highlights.
    let r = f.engine.search(&SearchRequest::default()).unwrap();
    assert!(r.hits.iter().all(|h| h.highlights.is_none()));
}

#[test]
fn a_long_bio_is_shown_in_a_window_around_its_first_match() {
    let filler = "Quiet hands and steady breath. ".repeat(20);
    let mut far = record(&LISTINGS[1]);
    far.bio = Some(format!(
        "{filler}Many come with migraine after a fall. {filler}Migraines ease. {filler}"
    ));
    let mut near = record(&LISTINGS[5]);
    near.bio = Some(format!("{filler}A migraine, then migraines. {filler}"));
    let f = common::fixture(&[("iahp", vec![far, near])]);
    let r = search(&f, "migraine");
    let bio = |id| {
        hit(&r, id)
            .highlights
            .as_ref()
            .and_then(|h| h.bio.clone())
            .unwrap()
    };
    // Cut on both sides at word boundaries; the second match lies beyond the window.
    let far = bio("fay");
    assert!(
        far.starts_with("…breath. Quiet") && far.ends_with(" Quiet…"),
        "{far}"
    );
    assert!(far.contains("Many come with <mark>migraine</mark> after a fall."));
    assert_eq!(far.matches("<mark>").count(), 1, "{far}");
    let shown = far.replace("<mark>", "").replace("</mark>", "");
    assert!(shown.trim_matches('…').len() <= 240, "{far}");
    // Both matches within the window are marked.
    let near = bio("dan");
    assert!(
        near.contains("A <mark>migraine</mark>, then <mark>migraines</mark>."),
        "{near}"
    );
}

#[test]
fn contraindications_in_the_query_or_a_selected_specialty_bring_an_advisory() {
    let f = fixture();
    let advisories = |request: SearchRequest| -> Vec<String> {
        let r = f.engine.search(&request).unwrap();
        r.advisories.iter().map(|a| a.id.clone()).collect()
    };
    let q = |q: &str| SearchRequest {
        q: Some(q.into()),
        ..SearchRequest::default()
    };
    assert_eq!(advisories(q("concussion")), ["recent-head-injury"]);
    assert_eq!(advisories(q("Gehirnerschütterung")), ["recent-head-injury"]);
    assert_eq!(advisories(q("after a CONCUSSION")), ["recent-head-injury"]);
    assert!(advisories(q("migraine")).is_empty());
    assert!(advisories(SearchRequest::default()).is_empty());

    let mut pregnancy = SearchRequest::default();
    pregnancy.filters.add(Facet::Specialty, "pregnancy");
    assert_eq!(advisories(pregnancy), ["pregnancy"]);
    // By a synonym of the specialty too.
    let mut pregnancy = SearchRequest::default();
    pregnancy.filters.add(Facet::Specialty, "Schwangerschaft");
    assert_eq!(advisories(pregnancy), ["pregnancy"]);
    let mut infants = SearchRequest::default();
    infants.filters.add(Facet::Specialty, "infants");
    assert_eq!(advisories(infants), ["infants-under-two"]);

    let r = f.engine.search(&q("concussion")).unwrap();
    let advisory = &r.advisories[0];
    assert_eq!(advisory.level, "see-physician");
    assert!(advisory.notice.contains("physician"), "{}", advisory.notice);
}

#[test]
fn relevance_pages_by_cursor_without_repeats_or_gaps() {
    let f = fixture();
    for q in ["cranial sacral", "migraine", "London", "jaw pain"] {
        let all = search(&f, q);
        let scores: Vec<f32> = all.hits.iter().map(|h| h.score.unwrap()).collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{q:?}: best first, {scores:?}"
        );
        let mut request = SearchRequest {
            q: Some(q.into()),
            limit: 1,
            ..SearchRequest::default()
        };
        let mut walked = Vec::new();
        loop {
            let page = f.engine.search(&request).unwrap();
            assert_eq!(page.sort, Sort::Relevance.name());
            walked.extend(page.hits.iter().map(|h| h.id.clone()));
            assert!(walked.len() <= all.hits.len(), "{q:?}: walked past the end");
            match page.next_cursor {
                Some(cursor) => request.cursor = Some(cursor),
                None => break,
            }
        }
        let order: Vec<String> = all.hits.iter().map(|h| h.id.clone()).collect();
        assert_eq!(walked, order, "{q:?}");
    }
}
