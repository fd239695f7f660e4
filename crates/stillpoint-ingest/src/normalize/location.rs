//! One practice location: where it is (from the feed or the gazetteer) and what may be shown.

use std::sync::Mutex;

use foldhash::HashMap;
use stillpoint_gazetteer::{Gazetteer, LocationQuery, Place, PlaceKind};
use stillpoint_model::{FeedLocation, GeoPoint, Location, PointSource, Visibility, codes};

use super::text;
use crate::record::FieldError;

/// Feed coordinates farther than this from the place the address names earn a warning: a common
/// sign of swapped latitude and longitude.
const SUSPICIOUS_DISTANCE_KM: f64 = 150.0;

/// Remembers gazetteer answers: a feed names the same few thousand places over and over.
#[derive(Debug)]
pub(super) struct PlaceCache {
    gazetteer: &'static Gazetteer,
    /// Keyed by [`cache_key`] of city, region and country.
    answers: Mutex<HashMap<Vec<u8>, Option<Place>>>,
}

/// Bound on remembered answers, so a feed of a million distinct postal codes stays small.
const PLACE_CACHE_ENTRIES: usize = 50_000;

impl PlaceCache {
    pub(super) fn new(gazetteer: &'static Gazetteer) -> Self {
        PlaceCache {
            gazetteer,
            answers: Mutex::new(HashMap::default()),
        }
    }

    /// Postal code first, then city (+ region), as [`Gazetteer::locate`] does. Only the city
    /// answers are remembered: postal lookups are one hash probe, and postal codes rarely repeat.
    fn locate(&self, query: &LocationQuery<'_>) -> Option<Place> {
        if query.postal_code.is_some() {
            let postal = LocationQuery {
                city: None,
                region: None,
                ..*query
            };
            if let Some(place) = self.gazetteer.locate(&postal) {
                return Some(place);
            }
        }
        query.city?;
        let key = cache_key(&[query.city, query.region, Some(query.country)]);
        let mut answers = self
            .answers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(answer) = answers.get(&key) {
            return answer.clone();
        }
        let answer = self.gazetteer.locate(&LocationQuery {
            postal_code: None,
            ..*query
        });
        if answers.len() >= PLACE_CACHE_ENTRIES {
            answers.clear();
        }
        answers.insert(key, answer.clone());
        answer
    }
}

/// One allocation for the three parts of a query, each length-prefixed so no two queries share
/// a key (three `Option<String>`s cost three allocations per location).
fn cache_key(parts: &[Option<&str>; 3]) -> Vec<u8> {
    let mut key = Vec::with_capacity(parts.iter().flatten().map(|p| p.len() + 5).sum());
    for part in parts {
        match part {
            None => key.push(0),
            Some(text) => {
                key.push(1);
                key.extend_from_slice(&(text.len() as u32).to_le_bytes());
                key.extend_from_slice(text.as_bytes());
            }
        }
    }
    key
}

pub(super) fn normalize_location(
    places: &PlaceCache,
    index: usize,
    feed: &FeedLocation,
    errors: &mut Vec<FieldError>,
    warnings: &mut Vec<FieldError>,
) -> Option<Location> {
    let path = |field: &str| format!("locations[{index}].{field}");
    let before = errors.len();
    // The path is only formatted when there is something to report.
    let mut take = |field: &str, r: Result<Option<String>, String>| {
        r.unwrap_or_else(|message| {
            errors.push(FieldError::new(path(field), message));
            None
        })
    };
    let label = take("label", text::line(feed.label.as_deref(), 120));
    let address = take("address", text::line(feed.address.as_deref(), 200));
    let city = take("city", text::line(feed.city.as_deref(), 120));
    let region = take("region", text::line(feed.region.as_deref(), 120));
    let postal_code = take("postal_code", text::line(feed.postal_code.as_deref(), 16));

    let country = feed.country.trim().to_ascii_uppercase();
    if country.is_empty() {
        errors.push(FieldError::new(path("country"), "is required"));
    } else if !codes::is_country(&country) {
        errors.push(FieldError::new(
            path("country"),
            format!(
                "{:?} is not an ISO 3166-1 alpha-2 country code",
                feed.country
            ),
        ));
    }
    let visibility = match feed
        .visibility
        .as_deref()
        .map(|v| v.trim().to_ascii_lowercase())
    {
        None => Visibility::Exact,
        Some(v) if v.is_empty() || v == "exact" => Visibility::Exact,
        Some(v) if v == "city" => Visibility::City,
        Some(v) => {
            errors.push(FieldError::new(
                path("visibility"),
                format!("{v:?} must be exact or city"),
            ));
            Visibility::Exact
        }
    };
    let coordinates = match (feed.lat, feed.lon) {
        (Some(lat), Some(lon)) => {
            let mut ok = true;
            if !(-90.0..=90.0).contains(&lat) {
                errors.push(FieldError::new(
                    path("lat"),
                    format!("{lat} is out of range (-90 to 90)"),
                ));
                ok = false;
            }
            if !(-180.0..=180.0).contains(&lon) {
                errors.push(FieldError::new(
                    path("lon"),
                    format!("{lon} is out of range (-180 to 180)"),
                ));
                ok = false;
            }
            ok.then_some(GeoPoint { lat, lon })
        }
        (Some(_), None) => {
            errors.push(FieldError::new(
                path("lon"),
                "is required when lat is given",
            ));
            None
        }
        (None, Some(_)) => {
            errors.push(FieldError::new(
                path("lat"),
                "is required when lon is given",
            ));
            None
        }
        (None, None) => None,
    };
    if errors.len() > before {
        return None;
    }

    let place = places.locate(&LocationQuery {
        postal_code: postal_code.as_deref(),
        city: city.as_deref(),
        region: region.as_deref(),
        country: &country,
    });
    let (point, point_source) = match (visibility, coordinates, &place) {
        // A home practice is searchable at its area's centre only: the feed's exact point is
        // dropped here, before anything is stored.
        (Visibility::City, _, Some(place)) => (place_point(place), source_of(place)),
        (Visibility::City, _, None) => {
            errors.push(FieldError::new(
                path("city"),
                "a city-only location needs a city or postal code the gazetteer knows, so its exact position is never stored",
            ));
            return None;
        }
        (Visibility::Exact, Some(point), place) => {
            if let Some(place) = place {
                let km = haversine_km(point, place_point(place));
                if km > SUSPICIOUS_DISTANCE_KM {
                    warnings.push(FieldError::new(
                        path("lat"),
                        format!("coordinates are {km:.0} km from {}; are latitude and longitude swapped?", place.label),
                    ));
                }
            }
            (point, PointSource::Feed)
        }
        (Visibility::Exact, None, Some(place)) => (place_point(place), source_of(place)),
        (Visibility::Exact, None, None) => {
            let field = if postal_code.is_some() {
                "postal_code"
            } else {
                "city"
            };
            errors.push(FieldError::new(
                path(field),
                "cannot place this location: give lat and lon, or a postal code or city (and region) the gazetteer knows",
            ));
            return None;
        }
    };

    let (region, region_code) = match &place {
        Some(p) => (p.region.clone().or(region), p.region_code.clone()),
        None => (region, None),
    };
    let city = city.or_else(|| place.as_ref().and_then(|p| p.city.clone()));
    Some(Location {
        label,
        address: if visibility == Visibility::City {
            None
        } else {
            address
        },
        city,
        region,
        region_code,
        postal_code,
        country,
        point,
        point_source,
        visibility,
        wheelchair_accessible: feed.wheelchair_accessible,
    })
}

fn place_point(place: &Place) -> GeoPoint {
    GeoPoint {
        lat: place.lat,
        lon: place.lon,
    }
}

fn source_of(place: &Place) -> PointSource {
    match place.kind {
        PlaceKind::PostalCode => PointSource::PostalCode,
        PlaceKind::City => PointSource::City,
    }
}

/// Great-circle distance on the sphere of mean radius 6,371.0088 km.
fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6_371.008_8;
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}
