//! Stillpoint's gazetteer: real places embedded in the binary.
//!
//! This crate owns everything Stillpoint knows about geography:
//!
//! - ~107,000 GeoNames populated places with at least 1,000 inhabitants (plus ~4,800 city
//!   sections such as Zürich's Kreise), with population, region and the Latin-script
//!   alternate names people search by ("Munich"/"München", "Cologne"/"Köln");
//! - ~42,000 US ZIP code centroids and ~1,600 Canadian forward sortation areas ("M5V");
//! - country names and first-level region names, with the postal abbreviations people type
//!   for the US, Canada and Australia ("CO", "ON", "NSW").
//!
//! It answers two questions: where a practice is, from the structured address an ingest feed
//! carries ([`Gazetteer::locate`]), and what place a searcher means by their "near" text
//! ([`Gazetteer::resolve`]). Matching is exact on folded text ([`fold`]); there is no fuzzy
//! or prefix matching.
//!
//! The data is one gzip'd text file (`data/places.tsv.gz`, derived by
//! `scripts/gazetteer/derive.js`), decoded once on first use.
//!
//! ```
//! use stillpoint_gazetteer::Gazetteer;
//!
//! let places = Gazetteer::embedded().resolve("Boulder, CO", 5);
//! assert_eq!(places[0].label, "Boulder, Colorado, US");
//! assert!((places[0].lat - 40.01).abs() < 0.05);
//! ```

mod fold;
mod index;
mod load;
mod locate;
mod lookup;
mod place;
mod postal;
mod regions;
mod resolve;
mod tables;

use std::fmt;
use std::sync::OnceLock;

pub use fold::fold;
pub use load::LoadError;
pub use place::{City, LocationQuery, Place, PlaceKind};

use index::HashIndex;
use place::{CityRecord, PostalRecord};
use regions::Regions;

/// Name-index entries are `city_index << 1 | ALT_BIT` when reached by an alternate name.
const ALT_BIT: u32 = 1;

static EMBEDDED_DATA: &[u8] = include_bytes!("../data/places.tsv.gz");

/// The loaded gazetteer: cities, postal centroids, regions and the maps to find them.
pub struct Gazetteer {
    /// The decompressed data file; records point into it.
    text: String,
    /// Whole cities first, then city sections (`whole_cities..`).
    cities: Vec<CityRecord>,
    whole_cities: usize,
    /// [`Gazetteer::cities`], built on first call: only the demo generator wants it.
    city_list: OnceLock<Vec<City>>,
    /// Folded name or alternate -> `city_index << 1 | ALT_BIT`.
    names: HashIndex,
    postals: Vec<PostalRecord>,
    /// ([`postal::PostalKey::packed`], index into `postals`), sorted.
    postal_index: Vec<(u32, u32)>,
    /// Folded ZIP city name -> indices into `postals`, for US towns too small for GeoNames.
    zip_towns: HashIndex,
    regions: Regions,
}

impl fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gazetteer")
            .field("cities", &self.whole_cities)
            .field("city_sections", &(self.cities.len() - self.whole_cities))
            .field("names", &self.names.len())
            .field("postal_codes", &self.postals.len())
            .field("regions", &self.regions.len())
            .field("countries", &self.regions.country_count())
            .finish()
    }
}

impl Gazetteer {
    /// The embedded gazetteer, decoded once on first use (OnceLock) and shared.
    ///
    /// The first call takes about 120 ms in a release build on an idle machine (see the
    /// crate README); callers that care can warm it up on a background thread at start.
    pub fn embedded() -> &'static Gazetteer {
        static EMBEDDED: OnceLock<Gazetteer> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            // The file is compiled in and covered by tests; failing here is a build defect.
            Gazetteer::from_gzip(EMBEDDED_DATA).expect("embedded gazetteer data is valid")
        })
    }

    /// Loads a gazetteer from a `places.tsv.gz` file in the embedded format, e.g. a freshly
    /// derived one.
    pub fn from_gzip(bytes: &[u8]) -> Result<Gazetteer, LoadError> {
        load::from_gzip(bytes)
    }

    /// Free-text place resolution for search: "Boulder, CO", "boulder colorado", "80302",
    /// "Zürich", "Paris, FR", "M5V 3L9"/"M5V", "London, ON".
    ///
    /// Ranked best first: exact name matches ranked by population, region/country qualifiers
    /// filter/boost; postal codes recognised by shape.
    /// Returns up to `limit` candidates; empty when nothing matches.
    ///
    /// Details: the text before the first comma is read as the longest run of leading words
    /// that names a place, with any words after it read as regions or countries ("boulder
    /// colorado", "kansas city mo"); later comma-separated parts are qualifiers too, ignored
    /// when they qualify nothing. A qualifier with several readings ("CA": Canada or
    /// California) accepts any of them. Matches through an alternate name count a twentieth
    /// of the population, so "Cologne" finds Köln but "Falmouth" finds Falmouth, not Portland.
    /// US towns too small for GeoNames are found from ZIP data when no city matches. A postal
    /// code leads the answer unless the query also names a city far from it ("75001 Paris").
    pub fn resolve(&self, query: &str, limit: usize) -> Vec<Place> {
        self.resolve_impl(query, limit)
    }

    /// Structured lookup used at ingest for one practice location. Tries postal_code first
    /// (US 5-digit ZIP or ZIP+4, Canadian postal code -> its FSA = first 3 chars), then city
    /// (+ region, which may be a code like "CO"/"ON" or a name like "Colorado", matched
    /// folded) within `country` (ISO alpha-2, required).
    ///
    /// Returns None when it cannot be resolved unambiguously enough (if several cities of the
    /// same name in the country and no region: take the most populous).
    ///
    /// A postal code that is unknown or does not fit the country falls through to the city.
    /// A region that names no region of the country is ignored; one that does but holds no
    /// such city gives None. US towns too small for GeoNames are located at the mean of their
    /// ZIP centroids, with population 0.
    pub fn locate(&self, query: &LocationQuery<'_>) -> Option<Place> {
        self.locate_impl(query)
    }

    /// All cities, for the demo generator (which spreads practitioners in proportion to
    /// population).
    ///
    /// Sections of cities (GeoNames `PPLX`, e.g. "Zürich (Kreis 7) / Witikon") are left out,
    /// so no one is counted twice; they are still found by [`resolve`](Self::resolve).
    ///
    /// The list is built on the first call (a few tens of milliseconds), not at load.
    pub fn cities(&self) -> &[City] {
        self.city_list.get_or_init(|| {
            self.cities[..self.whole_cities]
                .iter()
                .map(|record| {
                    let region = self.regions.get(record.region);
                    City {
                        name: record.name.get(&self.text).to_string(),
                        region_code: region.and_then(|r| r.code.as_deref()).map(str::to_string),
                        region: region.and_then(|r| r.name.as_deref()).map(str::to_string),
                        country: region.map(|r| r.country.to_string()).unwrap_or_default(),
                        lat: record.lat,
                        lon: record.lon,
                        population: record.population,
                    }
                })
                .collect()
        })
    }

    /// Region (admin1) display name for a country + admin1 code, e.g. ("US","CO") ->
    /// "Colorado". Accepts the GeoNames code or the postal abbreviation (("CA","08") and
    /// ("CA","ON") -> "Ontario"), in any case.
    pub fn region_name(&self, country: &str, region_code: &str) -> Option<&str> {
        self.regions
            .find(country, region_code)
            .and_then(|(_, region)| region.name.as_deref())
    }
}
