//! The values the gazetteer hands out.

use crate::fold::fold;
use crate::index::Span;

/// What a [`Place`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    /// A populated place from GeoNames.
    City,
    /// A US ZIP code or a Canadian forward sortation area (first three characters of a postal
    /// code), located at its centroid.
    PostalCode,
}

/// A resolved place: what [`Gazetteer::resolve`](crate::Gazetteer::resolve) and
/// [`Gazetteer::locate`](crate::Gazetteer::locate) return.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// City or postal code.
    pub kind: PlaceKind,
    /// "Boulder" for a city, "80302" or "M5V" for a postal code.
    pub name: String,
    /// For postal codes the city they belong to; for cities the same as `name`.
    pub city: Option<String>,
    /// "CO", "ON", "NSW": the postal-style abbreviation where one is known (US, Canada,
    /// Australia), else the GeoNames admin1 code ("ZH", "ENG", "02").
    pub region_code: Option<String>,
    /// Region display name: "Colorado", "Ontario", "Bavaria".
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code, upper case.
    pub country: String,
    /// Latitude in degrees (WGS84).
    pub lat: f64,
    /// Longitude in degrees (WGS84).
    pub lon: f64,
    /// GeoNames population for cities; 0 for postal codes.
    pub population: u64,
    /// Human-readable label: "Boulder, Colorado, US" or "80302 Boulder, CO, US".
    pub label: String,
}

/// One populated place of the embedded gazetteer.
#[derive(Debug, Clone)]
pub struct City {
    /// GeoNames name ("Munich", "Zürich", "New York City").
    pub name: String,
    /// See [`Place::region_code`].
    pub region_code: Option<String>,
    /// Region display name, when GeoNames has one for the admin1 code.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// GeoNames population (at least 1000).
    pub population: u64,
}

/// One practice location as an ingest feed gives it, for
/// [`Gazetteer::locate`](crate::Gazetteer::locate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocationQuery<'a> {
    /// "80302", "80302-1234", "M5V 3L9"; tried first when present.
    pub postal_code: Option<&'a str>,
    /// City name in any case or accent spelling.
    pub city: Option<&'a str>,
    /// Region as a code ("CO", "ON") or a name ("Colorado"), matched folded.
    pub region: Option<&'a str>,
    /// ISO 3166-1 alpha-2 country code ("US"); common names ("USA", "Canada") are accepted too.
    pub country: &'a str,
}

/// A city as held in memory: its name is a span of the decompressed text and its region an
/// index, so loading allocates nothing per city.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CityRecord {
    pub(crate) name: Span,
    /// '|'-separated alternate names.
    pub(crate) alternates: Span,
    pub(crate) region: u32,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) population: u64,
}

/// A US ZIP or Canadian FSA centroid; the country is the region's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PostalRecord {
    /// "80302" or "M5V".
    pub(crate) code: Span,
    pub(crate) city: Span,
    pub(crate) region: u32,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
}

/// "Boulder, Colorado, US"; the region is left out when it only repeats the name
/// ("Hamburg, DE", not "Hamburg, Hamburg, DE").
pub(crate) fn city_label(name: &str, region: Option<&str>, country: &str) -> String {
    let mut label = String::with_capacity(name.len() + 24);
    label.push_str(name);
    if let Some(region) = region.filter(|r| fold(r) != fold(name)) {
        label.push_str(", ");
        label.push_str(region);
    }
    label.push_str(", ");
    label.push_str(country);
    label
}

/// Great-circle distance in kilometres; used to tell whether a postal code and a city name
/// in the same query agree.
pub(crate) fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}
