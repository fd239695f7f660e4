//! The search response: the JSON the CLI prints with `--json` and the HTTP API returns.

use std::sync::Arc;

use serde::Serialize;
use stillpoint_model::practitioner::{Contact, Fees, Visibility};

/// One page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    /// Exact number of practitioners matching (not locations).
    pub total: u64,
    pub took_ms: f64,
    /// The centre used, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center: Option<Center>,
    pub sort: &'static str,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    /// Pass as `cursor` to get the page after this one; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Per requested facet, its values by count (disjunctive: each facet's counts apply every
    /// filter except its own).
    pub facets: Vec<FacetCounts>,
    /// Calm notices when the query or a selected specialty names a contraindication.
    pub advisories: Vec<Advisory>,
}

/// The centre of a geographic search.
#[derive(Debug, Clone, Serialize)]
pub struct Center {
    pub lat: f64,
    pub lon: f64,
    /// The resolved place ("Boulder, Colorado, US"); absent for raw coordinates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The query as given in `near`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Other places the name could mean, most populous first; empty when unambiguous.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<PlaceCandidate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlaceCandidate {
    pub label: String,
    pub lat: f64,
    pub lon: f64,
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub population: u64,
}

/// One practitioner in the results: their profile (shared by every page that shows them, and
/// reached through `Deref`: `hit.name`) and what this search adds to it, in one JSON object.
///
/// Made by the engine only: a hit also keeps its record's JSON, rendered once, which
/// [`SearchResponse::write_json`] copies instead of serialising the profile again.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    #[serde(flatten)]
    pub profile: Arc<Profile>,
    /// Distance from the centre to the nearest location, whenever a centre was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// The location nearest the centre (the first one without a centre).
    pub nearest_location: PublicLocation,
    pub locations: Vec<PublicLocation>,
    /// Relevance score, when sorting by relevance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// Matched words wrapped in `<mark>`; the rest HTML-escaped. Only with `q`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlights: Option<Highlights>,
    /// The record's JSON and which of its locations is the nearest (see [`crate::json`]).
    #[serde(skip)]
    pub(crate) json: Option<HitJson>,
}

/// What [`SearchResponse::write_json`] copies of a hit: its record's JSON, rendered once.
#[derive(Debug, Clone)]
pub(crate) struct HitJson {
    pub(crate) record: Arc<crate::records::Record>,
    /// The index of `nearest_location` in `locations`.
    pub(crate) nearest: usize,
}

impl std::ops::Deref for Hit {
    type Target = Profile;

    fn deref(&self) -> &Profile {
        &self.profile
    }
}

/// What a hit shows of a practitioner whatever the search.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub id: String,
    pub association: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub practice_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approach: Option<String>,
    pub credentials: Vec<HitCredential>,
    pub professions: Vec<String>,
    pub specialties: Vec<String>,
    pub techniques: Vec<String>,
    pub languages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepting_new_clients: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_visits_km: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fees: Option<Fees>,
    pub contact: Contact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_confirmed: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HitCredential {
    pub body: String,
    pub body_name: String,
    pub credential: String,
    pub label: String,
    pub verified: bool,
}

/// A location as the public may see it: a city-only location has no street address, no postal
/// code, and its point is the centre of its city.
///
/// Its texts are shared with the engine's kept copy of the practitioner: every page showing
/// the location clones it, and copying its six strings was a twentieth of a radius search's
/// CPU.
#[derive(Debug, Clone, Serialize)]
pub struct PublicLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<Arc<str>>,
    pub country: Arc<str>,
    pub lat: f64,
    pub lon: f64,
    pub visibility: Visibility,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wheelchair_accessible: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Highlights {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub practice_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
}

/// The counts of one facet.
#[derive(Debug, Clone, Serialize)]
pub struct FacetCounts {
    pub facet: &'static str,
    /// Values with a count, most first, then by value; selected values always appear.
    pub values: Vec<FacetValue>,
    /// Number of distinct values with a non-zero count (some may be cut by `facet_size`).
    pub distinct: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
}

/// A contraindication notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advisory {
    pub id: String,
    pub label: String,
    /// `avoid`, `see-physician` or `modified-approach`.
    pub level: String,
    pub notice: String,
}
