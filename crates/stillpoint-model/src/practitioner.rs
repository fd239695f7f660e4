//! The practitioner as the directory stores and serves it: validated, normalised through the
//! vocabulary, with privacy already applied (a city-only location carries neither its street
//! address nor its exact point, so nothing downstream can leak them).

use std::fmt;

use serde::{Deserialize, Serialize};

/// `<association>:<member_id>`, unique across the directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PractitionerId(String);

impl PractitionerId {
    pub fn new(association: &str, member_id: &str) -> Self {
        PractitionerId(format!("{association}:{member_id}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The association part (before the first colon).
    pub fn association(&self) -> &str {
        self.0.split_once(':').map_or("", |(a, _)| a)
    }

    /// The member id part (after the first colon).
    pub fn member_id(&self) -> &str {
        self.0.split_once(':').map_or(&self.0, |(_, m)| m)
    }
}

impl fmt::Display for PractitionerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A listed practitioner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Practitioner {
    pub id: PractitionerId,
    /// The publishing association (a vocabulary body id).
    pub association: String,
    pub member_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practice_name: Option<String>,
    /// `biodynamic`, `biomechanical` or `integrative`; `None` when the feed did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approach: Option<String>,
    #[serde(default)]
    pub credentials: Vec<Credential>,
    /// Vocabulary profession ids.
    #[serde(default)]
    pub professions: Vec<String>,
    /// Profession values the vocabulary does not know, kept as published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_professions: Vec<String>,
    #[serde(default)]
    pub specialties: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_specialties: Vec<String>,
    #[serde(default)]
    pub techniques: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_techniques: Vec<String>,
    /// ISO 639-1 codes.
    #[serde(default)]
    pub languages: Vec<String>,
    /// At least one.
    pub locations: Vec<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_visits_km: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepting_new_clients: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<Fees>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub session_minutes: Vec<u32>,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practicing_since: Option<i32>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_confirmed: Option<String>,
}

impl Practitioner {
    /// Whether any credential is verified by its issuing body or a body vouching for it.
    pub fn has_verified_credential(&self) -> bool {
        self.credentials.iter().any(|c| c.verified)
    }

    /// Whether any location is marked wheelchair accessible.
    pub fn wheelchair_accessible(&self) -> bool {
        self.locations
            .iter()
            .any(|l| l.wheelchair_accessible == Some(true))
    }
}

/// A credential held by a practitioner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// Vocabulary body id.
    pub body: String,
    /// Credential code as the vocabulary spells it (or as published, when the body does not list
    /// it).
    pub credential: String,
    /// True when the publishing association is the issuing body or may vouch for it.
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl Credential {
    /// `body:credential`, the value the credential facet uses.
    pub fn key(&self) -> String {
        format!("{}:{}", self.body, self.credential)
    }
}

/// A point on the sphere, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// Where a location's point came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointSource {
    /// The feed gave coordinates.
    Feed,
    /// The gazetteer's centroid of the postal area.
    PostalCode,
    /// The gazetteer's centre of the city.
    City,
}

/// How precisely a location may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    Exact,
    /// A home practice: only the city is public, and the point is the city's (or postal area's)
    /// centre.
    City,
}

/// A practice location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Always `None` for [`Visibility::City`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The region's display name ("Colorado"), or as published when the gazetteer does not know it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The region's short code ("CO", "ON"); the region facet uses `{country}-{region_code}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The searchable point; for [`Visibility::City`] the centre of the city or postal area.
    pub point: GeoPoint,
    pub point_source: PointSource,
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wheelchair_accessible: Option<bool>,
}

/// Session fees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fees {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// ISO 4217.
    pub currency: String,
    #[serde(default)]
    pub sliding_scale: bool,
}

/// Public contact details. A private email is dropped at ingest and never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_url: Option<String>,
}

impl Location {
    /// The region facet value, `{country}-{region_code}` (ISO 3166-2 style), when known.
    pub fn region_key(&self) -> Option<String> {
        self.region_code
            .as_ref()
            .map(|code| format!("{}-{}", self.country, code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_splits_at_first_colon() {
        let id = PractitionerId::new("bcta-na", "A-1042");
        assert_eq!(id.as_str(), "bcta-na:A-1042");
        assert_eq!(id.association(), "bcta-na");
        assert_eq!(id.member_id(), "A-1042");
    }
}
