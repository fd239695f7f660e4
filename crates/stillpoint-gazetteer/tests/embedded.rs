//! Behaviour of the embedded gazetteer on real places. One test binary, so the data is
//! decoded once for all of these.

use stillpoint_gazetteer::{Gazetteer, LocationQuery, Place, PlaceKind, fold};

fn g() -> &'static Gazetteer {
    Gazetteer::embedded()
}

fn near(place: &Place, lat: f64, lon: f64, tolerance: f64) -> bool {
    (place.lat - lat).abs() <= tolerance && (place.lon - lon).abs() <= tolerance
}

fn first(query: &str) -> Place {
    g().resolve(query, 5)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{query:?} resolved to nothing"))
}

#[test]
fn boulder_resolves_from_city_region_and_zip_spellings() {
    for query in [
        "Boulder, CO",
        "boulder colorado",
        "BOULDER, Colorado, USA",
        "Boulder CO",
        "80302",
        "80302-1234",
        "Boulder, CO 80302",
    ] {
        let place = first(query);
        assert!(near(&place, 40.01, -105.27, 0.05), "{query:?} -> {place:?}");
        assert_eq!(place.region_code.as_deref(), Some("CO"), "{query:?}");
        assert_eq!(place.country, "US", "{query:?}");
    }
}

#[test]
fn zip_codes_come_back_as_postal_places() {
    let place = first("80302");
    assert_eq!(place.kind, PlaceKind::PostalCode);
    assert_eq!(place.name, "80302");
    assert_eq!(place.city.as_deref(), Some("Boulder"));
    assert_eq!(place.region.as_deref(), Some("Colorado"));
    assert_eq!(place.population, 0);
    assert_eq!(place.label, "80302 Boulder, CO, US");
}

#[test]
fn accents_and_case_do_not_matter() {
    for query in [
        "Zurich",
        "Zürich",
        "ZURICH",
        "zuerich",
        "Zürich, Switzerland",
        "Zurich CH",
    ] {
        let place = first(query);
        assert_eq!(place.name, "Zürich", "{query:?}");
        assert_eq!(place.country, "CH", "{query:?}");
    }
}

#[test]
fn ambiguous_names_rank_by_population_and_keep_alternatives() {
    let places = g().resolve("Portland", 5);
    assert_eq!(places.len(), 5);
    assert_eq!(places[0].region_code.as_deref(), Some("OR"));
    assert!(
        places
            .iter()
            .any(|p| p.region_code.as_deref() == Some("ME"))
    );
    assert!(
        places
            .windows(2)
            .all(|w| w[0].population >= w[1].population)
    );

    let london = g().resolve("London", 5);
    assert_eq!(london[0].country, "GB");
    assert!(london.iter().any(|p| p.country == "CA"));
}

#[test]
fn qualifiers_pick_the_right_one_of_a_name() {
    let cases = [
        ("Paris, FR", "FR", None),
        ("Paris France", "FR", None),
        ("Paris, TX", "US", Some("Texas")),
        ("Paris Texas", "US", Some("Texas")),
        ("London, ON", "CA", Some("Ontario")),
        ("London, Ontario, Canada", "CA", Some("Ontario")),
        ("London, UK", "GB", Some("England")),
        ("Portland, ME", "US", Some("Maine")),
        ("portland maine", "US", Some("Maine")),
        ("Kansas City, KS", "US", Some("Kansas")),
        ("Vancouver, WA", "US", Some("Washington")),
        ("Vancouver BC", "CA", Some("British Columbia")),
        ("Sydney NSW", "AU", Some("New South Wales")),
        ("Washington, D.C.", "US", Some("District of Columbia")),
    ];
    for (query, country, region) in cases {
        let place = first(query);
        assert_eq!(place.country, country, "{query:?} -> {place:?}");
        if region.is_some() {
            assert_eq!(place.region.as_deref(), region, "{query:?}");
        }
    }
    assert!(near(&first("Paris, FR"), 48.85, 2.35, 0.1));
}

#[test]
fn qualifiers_that_match_nothing_give_nothing() {
    assert!(g().resolve("Paris, Germany", 5).is_empty());
    assert!(g().resolve("Boulder, Ontario", 5).is_empty());
    assert!(g().resolve("80302, France", 5).is_empty());
}

#[test]
fn canadian_postal_codes_resolve_to_their_fsa() {
    for query in ["M5V", "M5V 3L9", "m5v3l9", "M5V-3L9"] {
        let place = first(query);
        assert_eq!(place.kind, PlaceKind::PostalCode, "{query:?}");
        assert_eq!(place.name, "M5V", "{query:?}");
        assert_eq!(place.city.as_deref(), Some("Toronto"), "{query:?}");
        assert_eq!(place.region_code.as_deref(), Some("ON"), "{query:?}");
        assert_eq!(place.country, "CA", "{query:?}");
        assert!(near(&place, 43.65, -79.38, 0.1), "{query:?} -> {place:?}");
    }
}

#[test]
fn exonyms_and_native_names_find_the_same_city() {
    let cases = [
        ("Munich", "Munich", "DE"),
        ("München", "Munich", "DE"),
        ("Muenchen", "Munich", "DE"),
        ("Cologne", "Köln", "DE"),
        ("Wien", "Vienna", "AT"),
        ("Genf", "Genève", "CH"),
        ("Firenze", "Florence", "IT"),
        ("Москва", "Moscow", "RU"),
        ("New York", "New York City", "US"),
        ("NYC", "New York City", "US"),
        ("Montreal", "Montréal", "CA"),
    ];
    for (query, name, country) in cases {
        let place = first(query);
        assert_eq!(place.name, name, "{query:?}");
        assert_eq!(place.country, country, "{query:?}");
    }
}

#[test]
fn saint_and_st_find_each_other() {
    for query in ["St. Louis", "St Louis, MO", "Saint Louis, Missouri"] {
        let place = first(query);
        assert_eq!(place.name, "St. Louis", "{query:?}");
        assert_eq!(place.region_code.as_deref(), Some("MO"), "{query:?}");
    }
}

#[test]
fn a_postal_code_far_from_the_named_city_goes_last() {
    // 75001 is Addison, Texas, as a ZIP, and the 1st arrondissement in France.
    let places = g().resolve("75001 Paris", 100);
    assert_eq!(places[0].country, "FR");
    assert_eq!(places.last().map(|p| p.kind), Some(PlaceKind::PostalCode));
    // Near the city it names, the postal code leads.
    assert_eq!(first("80302 Boulder").kind, PlaceKind::PostalCode);
}

#[test]
fn small_us_towns_fall_back_to_zip_data() {
    let place = first("Ward, CO");
    assert_eq!(place.kind, PlaceKind::City);
    assert_eq!(place.population, 0);
    assert!(near(&place, 40.07, -105.51, 0.1), "{place:?}");
}

#[test]
fn limit_caps_the_answer() {
    assert_eq!(g().resolve("Springfield", 3).len(), 3);
    assert!(g().resolve("Springfield", 0).is_empty());
    assert_eq!(g().resolve("Boulder", 1).len(), 1);
}

#[test]
fn empty_and_garbage_queries_resolve_to_nothing() {
    for query in ["", "   ", ",,,", "xyzzy plugh", "!!!", "12", "00000", "Z9Z"] {
        assert!(g().resolve(query, 5).is_empty(), "{query:?}");
    }
}

#[test]
fn odd_input_never_panics() {
    let long = "Boulder ".repeat(10_000);
    let many_commas = ",".repeat(100_000);
    let queries = [
        long.as_str(),
        many_commas.as_str(),
        "\u{0}\u{1}\u{7f}",
        "🦀🦀🦀",
        "東京都",
        "Zu\u{308}rich",
        "\u{feff}Boulder\u{200b}",
        "\u{10ffff}",
        "🏳️‍🌈, 🇺🇸",
        "a\u{301}\u{301}\u{301}\u{301}",
        "M5V 3L9 80302 M5V",
        "- - - -",
        "St",
        "saint",
        "ß",
    ];
    for query in queries {
        let _ = g().resolve(query, 5);
        let _ = g().resolve(query, usize::MAX);
        for country in [query, "US", "CA", ""] {
            let _ = g().locate(&LocationQuery {
                postal_code: Some(query),
                city: Some(query),
                region: Some(query),
                country,
            });
        }
        let _ = g().region_name(query, query);
        assert!(fold(query).is_ascii());
    }
}

#[test]
fn locate_prefers_the_postal_code() {
    let cases = [
        (Some("80302"), "US", "80302"),
        (Some("80302-1234"), "US", "80302"),
        (Some("M5V 3L9"), "CA", "M5V"),
        (Some("m5v3l9"), "ca", "M5V"),
        // A ZIP that lost its leading zero in a spreadsheet.
        (Some("2138"), "US", "02138"),
    ];
    for (postal_code, country, want) in cases {
        let place = g()
            .locate(&LocationQuery {
                postal_code,
                city: Some("Somewhere Else"),
                region: None,
                country,
            })
            .unwrap_or_else(|| panic!("{postal_code:?} not located"));
        assert_eq!(place.kind, PlaceKind::PostalCode);
        assert_eq!(place.name, want);
    }
}

#[test]
fn locate_falls_back_to_city_and_region() {
    let cases = [
        // (postal, city, region, country, name, region code)
        (None, "Boulder", Some("CO"), "US", "Boulder", "CO"),
        (None, "boulder", Some("Colorado"), "US", "Boulder", "CO"),
        (None, "Boulder", Some("Montana"), "US", "Boulder", "MT"),
        (None, "Boulder", None, "US", "Boulder", "CO"),
        (None, "London", Some("ON"), "CA", "London", "ON"),
        (None, "London", Some("Ontario"), "CA", "London", "ON"),
        (None, "London", Some("08"), "CA", "London", "ON"),
        (None, "Zurich", None, "CH", "Zürich", "ZH"),
        (None, "Munich", None, "DE", "Munich", "02"),
        // A postal code we have no data for (UK) does not stop the city lookup.
        (Some("SW1A 1AA"), "London", None, "GB", "London", "ENG"),
        // Unknown ZIP: the city decides.
        (
            Some("00000"),
            "Portland",
            Some("ME"),
            "US",
            "Portland",
            "ME",
        ),
        // A region that is no region of the country is ignored.
        (None, "Portland", Some("Cascadia"), "US", "Portland", "OR"),
        // Country given as a name.
        (None, "Paris", None, "France", "Paris", "11"),
    ];
    for (postal_code, city, region, country, name, code) in cases {
        let place = g()
            .locate(&LocationQuery {
                postal_code,
                city: Some(city),
                region,
                country,
            })
            .unwrap_or_else(|| panic!("{city:?}, {region:?}, {country:?} not located"));
        assert_eq!(place.kind, PlaceKind::City, "{city:?}");
        assert_eq!(place.name, name, "{city:?}");
        assert_eq!(
            place.region_code.as_deref(),
            Some(code),
            "{city:?} {region:?}"
        );
        assert_eq!(place.country.to_uppercase(), place.country);
    }
}

#[test]
fn locate_returns_none_when_it_cannot_place_the_location() {
    let cases = [
        (None, Some("Nowhereville"), None, "US"),
        (None, Some("Boulder"), Some("Ontario"), "CA"),
        (None, Some("Boulder"), Some("Florida"), "US"),
        (None, None, Some("CO"), "US"),
        (None, Some(""), None, "US"),
        (Some("80302"), None, None, "XX"),
        (None, Some("Paris"), None, ""),
        (Some("M5V 3L9"), None, None, "US"),
    ];
    for (postal_code, city, region, country) in cases {
        let query = LocationQuery {
            postal_code,
            city,
            region,
            country,
        };
        assert_eq!(g().locate(&query), None, "{query:?}");
    }
}

#[test]
fn locate_finds_small_us_towns_and_territories_through_zip_data() {
    let ward = g()
        .locate(&LocationQuery {
            postal_code: None,
            city: Some("Ward"),
            region: Some("CO"),
            country: "US",
        })
        .unwrap();
    assert!(near(&ward, 40.07, -105.51, 0.1), "{ward:?}");
}

#[test]
fn cities_lists_whole_cities_with_regions() {
    let cities = g().cities();
    assert!(cities.len() > 100_000);
    assert!(cities.iter().all(|c| c.population >= 1000));
    // Zürich's Kreise are sections (PPLX) of Zürich.
    assert!(cities.iter().all(|c| !c.name.starts_with("Zürich (Kreis")));
    let boulder = cities
        .iter()
        .find(|c| c.name == "Boulder" && c.region_code.as_deref() == Some("CO"))
        .unwrap();
    assert_eq!(boulder.region.as_deref(), Some("Colorado"));
    assert_eq!(boulder.country, "US");
    assert!(std::ptr::eq(cities, g().cities()), "built once");
}

#[test]
fn region_names_by_code() {
    let cases = [
        ("US", "CO", Some("Colorado")),
        ("us", "co", Some("Colorado")),
        ("CA", "ON", Some("Ontario")),
        ("CA", "08", Some("Ontario")),
        ("CA", "QC", Some("Quebec")),
        ("AU", "NSW", Some("New South Wales")),
        ("CH", "ZH", Some("Zurich")),
        ("GB", "ENG", Some("England")),
        ("US", "PR", Some("Puerto Rico")),
        ("US", "XX", None),
        ("", "", None),
    ];
    for (country, code, want) in cases {
        assert_eq!(g().region_name(country, code), want, "{country}.{code}");
    }
}

#[test]
fn labels_read_naturally() {
    assert_eq!(first("Boulder, CO").label, "Boulder, Colorado, US");
    assert_eq!(first("M5V").label, "M5V Toronto, ON, CA");
    // The region is left out when it repeats the city.
    assert_eq!(first("Lisbon").label, "Lisbon, PT");
}

proptest::proptest! {
    // Integration tests have no src/ to keep a regressions file beside.
    #![proptest_config(proptest::prelude::ProptestConfig {
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_text_never_panics(query in "\\PC{0,80}", limit in 0usize..8) {
        let places = g().resolve(&query, limit);
        proptest::prop_assert!(places.len() <= limit);
        let _ = g().locate(&LocationQuery {
            postal_code: Some(&query),
            city: Some(&query),
            region: Some(&query),
            country: "US",
        });
    }

    #[test]
    fn fold_is_idempotent_ascii(text in "\\PC{0,40}") {
        let once = fold(&text);
        proptest::prop_assert!(once.is_ascii());
        proptest::prop_assert_eq!(fold(&once), once.clone());
    }
}
