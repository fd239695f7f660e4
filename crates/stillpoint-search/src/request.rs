//! The search request: one domain type shared by the CLI and the HTTP API, with the parsers of
//! its textual values (`25km`, `min_lon,min_lat,max_lon,max_lat`, `body:credential`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A facet: a filter whose values are vocabulary or code ids, and whose counts can be returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Facet {
    Approach,
    Body,
    /// `body:credential`, e.g. `upledger:CST-D`.
    Credential,
    Profession,
    Specialty,
    Technique,
    /// ISO 639-1 code.
    Language,
    /// ISO 3166-1 alpha-2 code.
    Country,
    /// `{country}-{region code}`, e.g. `US-CO`.
    Region,
}

impl Facet {
    pub const ALL: [Facet; 9] = [
        Facet::Approach,
        Facet::Body,
        Facet::Credential,
        Facet::Profession,
        Facet::Specialty,
        Facet::Technique,
        Facet::Language,
        Facet::Country,
        Facet::Region,
    ];

    /// The parameter name (`specialty`), also the facet's key in the response.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Approach => "approach",
            Facet::Body => "body",
            Facet::Credential => "credential",
            Facet::Profession => "profession",
            Facet::Specialty => "specialty",
            Facet::Technique => "technique",
            Facet::Language => "language",
            Facet::Country => "country",
            Facet::Region => "region",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Facet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Facet {
    type Err = String;

    fn from_str(s: &str) -> Result<Facet, String> {
        Facet::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Facet::ALL.iter().map(|f| f.name()).collect();
                format!("unknown facet {s:?}; facets are {}", names.join(", "))
            })
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best text match first; needs `q`.
    Relevance,
    /// Nearest first; needs a centre.
    Distance,
    /// By name, A to Z (accents and case folded).
    Name,
}

impl Sort {
    pub fn name(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Distance => "distance",
            Sort::Name => "name",
        }
    }
}

impl FromStr for Sort {
    type Err = String;

    fn from_str(s: &str) -> Result<Sort, String> {
        match s {
            "relevance" => Ok(Sort::Relevance),
            "distance" => Ok(Sort::Distance),
            "name" => Ok(Sort::Name),
            _ => Err(format!(
                "unknown sort {s:?}; use relevance, distance or name"
            )),
        }
    }
}

/// A distance with its unit, as users write it: `25km`, `10mi`, `800m` (a bare number is km).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Distance {
    pub km: f64,
}

impl Distance {
    pub fn km(km: f64) -> Distance {
        Distance { km }
    }
}

impl FromStr for Distance {
    type Err = String;

    fn from_str(s: &str) -> Result<Distance, String> {
        let text = s.trim().to_ascii_lowercase();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let factor = match unit.trim() {
            "" | "km" => 1.0,
            "m" => 0.001,
            "mi" => 1.609_344,
            other => {
                return Err(format!(
                    "unknown unit {other:?} in {s:?}; write 25km, 10mi or 800m"
                ));
            }
        };
        let value: f64 = number
            .parse()
            .map_err(|_| format!("{s:?} is not a distance; write 25km, 10mi or 800m"))?;
        if !value.is_finite() {
            return Err(format!("{s:?} is not a finite distance"));
        }
        Ok(Distance::km(value * factor))
    }
}

/// A box on the map. `min_lon > max_lon` means the box crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundingBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BoundingBox {
    /// Whether a point lies inside the box, edges included.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        let in_lat = lat >= self.min_lat && lat <= self.max_lat;
        let in_lon = if self.min_lon <= self.max_lon {
            lon >= self.min_lon && lon <= self.max_lon
        } else {
            lon >= self.min_lon || lon <= self.max_lon
        };
        in_lat && in_lon
    }

    /// Checks the ranges (NaN is outside every range) and that the box is not upside down.
    pub fn validate(&self) -> Result<(), String> {
        for lon in [self.min_lon, self.max_lon] {
            if !(-180.0..=180.0).contains(&lon) {
                return Err(format!("longitude {lon} is outside -180..180"));
            }
        }
        for lat in [self.min_lat, self.max_lat] {
            if !(-90.0..=90.0).contains(&lat) {
                return Err(format!("latitude {lat} is outside -90..90"));
            }
        }
        if self.min_lat > self.max_lat {
            return Err(format!(
                "min_lat {} is above max_lat {}",
                self.min_lat, self.max_lat
            ));
        }
        Ok(())
    }

    /// The box as one or two boxes that do not cross the antimeridian.
    pub(crate) fn split(&self) -> Vec<BoundingBox> {
        if self.min_lon <= self.max_lon {
            vec![*self]
        } else {
            vec![
                BoundingBox {
                    max_lon: 180.0,
                    ..*self
                },
                BoundingBox {
                    min_lon: -180.0,
                    ..*self
                },
            ]
        }
    }
}

impl FromStr for BoundingBox {
    type Err = String;

    /// `min_lon,min_lat,max_lon,max_lat` in degrees.
    fn from_str(s: &str) -> Result<BoundingBox, String> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        let usage = "write min_lon,min_lat,max_lon,max_lat in degrees";
        if parts.len() != 4 {
            return Err(format!("{s:?} has {} numbers; {usage}", parts.len()));
        }
        let mut v = [0.0; 4];
        for (slot, part) in v.iter_mut().zip(&parts) {
            *slot = part
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("{part:?} is not a number; {usage}"))?;
        }
        let [min_lon, min_lat, max_lon, max_lat] = v;
        let b = BoundingBox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        };
        b.validate()?;
        Ok(b)
    }
}

/// Selected facet values: OR within one facet, AND across facets. Values may be ids, labels or
/// synonyms; the engine normalises them through the vocabulary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    values: [Vec<String>; 9],
}

impl Filters {
    pub fn get(&self, facet: Facet) -> &[String] {
        &self.values[facet.index()]
    }

    pub fn add(&mut self, facet: Facet, value: impl Into<String>) {
        self.values[facet.index()].push(value.into());
    }

    pub fn set(&mut self, facet: Facet, values: Vec<String>) {
        self.values[facet.index()] = values;
    }

    /// Number of values across all facets.
    pub fn len(&self) -> usize {
        self.values.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = (Facet, &[String])> {
        Facet::ALL
            .into_iter()
            .map(|f| (f, self.get(f)))
            .filter(|(_, v)| !v.is_empty())
    }
}

/// Yes/no filters. `None` does not filter; `Some(false)` selects the practitioners without it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flags {
    pub accepting: Option<bool>,
    pub home_visits: Option<bool>,
    pub wheelchair: Option<bool>,
    pub sliding_scale: Option<bool>,
}

/// One search. Build it with [`SearchRequest::default`] and set what you need; the engine
/// validates it (limits, ranges, vocabulary) and reports every invalid field at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// Free text: every word must match, after synonyms, stemming and typo tolerance.
    pub q: Option<String>,
    /// A place name for the centre, resolved by the gazetteer ("Boulder, CO", "80302").
    pub near: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Without a radius, a centre only orders results by distance.
    pub radius: Option<Distance>,
    pub bbox: Option<BoundingBox>,
    pub filters: Filters,
    pub flags: Flags,
    /// Practitioners whose lowest fee is at most this (in their own currency); practitioners
    /// without fees are left out.
    pub fee_max: Option<f64>,
    /// Only verified credentials count: `body`/`credential` filters and facets use verified
    /// credentials, and without them at least one verified credential is required.
    pub verified: bool,
    pub sort: Option<Sort>,
    /// Which facet counts to return; `None` means all.
    pub facets: Option<Vec<Facet>>,
    /// Most values returned per facet (the counts themselves are always exact).
    pub facet_size: usize,
    pub limit: usize,
    pub offset: usize,
    /// From a previous response's `next_cursor`: continues after its last hit.
    pub cursor: Option<String>,
    /// Only the members an association publishes (its own directory). Not a facet: the
    /// publishing association, which may differ from the bodies of the members' credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association: Option<String>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: None,
            near: None,
            lat: None,
            lon: None,
            radius: None,
            bbox: None,
            filters: Filters::default(),
            flags: Flags::default(),
            fee_max: None,
            verified: false,
            sort: None,
            facets: None,
            facet_size: DEFAULT_FACET_SIZE,
            limit: DEFAULT_LIMIT,
            offset: 0,
            cursor: None,
            association: None,
        }
    }
}

pub const DEFAULT_LIMIT: usize = 20;
pub const DEFAULT_FACET_SIZE: usize = 50;

/// Bounds every request is checked against (from the `[limits]` configuration).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub max_query_chars: usize,
    pub max_filter_values: usize,
    pub max_limit: usize,
    /// `limit + offset` at most this; deeper pages use the cursor.
    pub max_window: usize,
    pub max_radius_km: f64,
    pub max_facet_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_query_chars: 256,
            max_filter_values: 64,
            max_limit: 100,
            max_window: 10_000,
            max_radius_km: 1_000.0,
            max_facet_size: 1_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_parse_with_units() {
        assert_eq!("25km".parse::<Distance>().unwrap().km, 25.0);
        assert_eq!("25 km".parse::<Distance>().unwrap().km, 25.0);
        assert_eq!("800m".parse::<Distance>().unwrap().km, 0.8);
        assert!(("10mi".parse::<Distance>().unwrap().km - 16.09344).abs() < 1e-9);
        assert_eq!("7".parse::<Distance>().unwrap().km, 7.0);
        assert!("ten km".parse::<Distance>().is_err());
        assert!(
            "5 parsecs"
                .parse::<Distance>()
                .unwrap_err()
                .contains("unit")
        );
        assert!("-5km".parse::<Distance>().is_err());
    }

    #[test]
    fn boxes_parse_and_cross_the_antimeridian() {
        let b: BoundingBox = "170,-50,-170,-30".parse().unwrap();
        assert!(b.contains(-40.0, 179.0) && b.contains(-40.0, -175.0));
        assert!(!b.contains(-40.0, 0.0));
        assert_eq!(b.split().len(), 2);
        assert!("1,2,3".parse::<BoundingBox>().is_err());
        assert!(
            "0,10,1,5"
                .parse::<BoundingBox>()
                .unwrap_err()
                .contains("above")
        );
        assert!("0,0,181,1".parse::<BoundingBox>().is_err());
    }
}
