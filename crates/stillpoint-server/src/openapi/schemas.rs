//! Documentation-only types: the query parameters and the response shapes as the OpenAPI
//! document describes them. The search core's types stay serde-only (no utoipa there), so their
//! shapes are described here. Nothing yet checks them against a real response: keep them in
//! step with `stillpoint_search::response` by hand.

#![allow(dead_code)]

use utoipa::{IntoParams, ToSchema};

/// The filter parameters of `GET /v1/search` and `GET /v1/facets/{facet}`. Filters are
/// repeatable: several values of one filter are OR-ed, different filters AND-ed.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterParams {
    /// Free text (at most `limits.max_query_chars` characters): every word must match, after
    /// synonyms, stemming and small typos; the last word also matches as a prefix.
    q: Option<String>,
    /// A place or postal code for the centre ("Boulder, CO", "80302", "Zürich").
    near: Option<String>,
    /// Centre latitude in degrees, with `lon` (instead of `near`).
    lat: Option<f64>,
    /// Centre longitude in degrees, with `lat`.
    lon: Option<f64>,
    /// Only practitioners within this distance of the centre: `25km`, `10mi`, `800m` (a bare
    /// number is km), at most `limits.max_radius_km`.
    radius: Option<String>,
    /// `min_lon,min_lat,max_lon,max_lat`; `min_lon > max_lon` crosses the antimeridian.
    bbox: Option<String>,
    /// Approach: `biodynamic`, `biomechanical`, `integrative`.
    approach: Option<Vec<String>>,
    /// Certification body id (`upledger`).
    body: Option<Vec<String>>,
    /// `body:credential` (`upledger:CST-D`) or a bare credential from any body.
    credential: Option<Vec<String>>,
    /// Profession id, label or synonym.
    profession: Option<Vec<String>>,
    /// Specialty id, label or synonym ("jaw pain" is `tmj`).
    specialty: Option<Vec<String>>,
    /// Technique id, label or synonym.
    technique: Option<Vec<String>>,
    /// ISO 639-1 language code.
    language: Option<Vec<String>>,
    /// ISO 3166-1 alpha-2 country code.
    country: Option<Vec<String>>,
    /// `{country}-{region}` (`US-CO`).
    region: Option<Vec<String>>,
    /// Accepting new clients (`false`: those not accepting).
    accepting: Option<bool>,
    /// Offers home visits.
    home_visits: Option<bool>,
    /// Has a wheelchair-accessible location.
    wheelchair: Option<bool>,
    /// Offers a sliding scale.
    sliding_scale: Option<bool>,
    /// Lowest fee at most this, in the practitioner's currency.
    fee_max: Option<f64>,
    /// Only verified credentials count.
    verified: Option<bool>,
}

/// The result parameters of `GET /v1/search`: order, facets, paging, format.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultParams {
    /// `relevance` (default with `q`), `distance` (default with a centre), `name`.
    sort: Option<String>,
    /// Facet counts to return, comma-separated or repeated; `none` for none. Default: all.
    facets: Option<Vec<String>>,
    /// Values returned per facet (default 50).
    facet_size: Option<usize>,
    /// Hits per page (default 20, at most `limits.max_per_page`); 0 returns only counts.
    limit: Option<usize>,
    /// Hits to skip; `offset + limit` at most `limits.max_window`.
    offset: Option<usize>,
    /// Page number from 1, with `per_page` (instead of `limit`/`offset`).
    page: Option<usize>,
    /// Hits per page, with `page`.
    per_page: Option<usize>,
    /// A previous response's `next_cursor`: the page after it.
    cursor: Option<String>,
    /// `json` (default), `csv` or `geojson`.
    format: Option<String>,
}

/// One page of results.
#[derive(Debug, ToSchema)]
#[schema(as = SearchResponse)]
pub struct SearchResponseDoc {
    /// Exact number of matching practitioners (not locations).
    total: u64,
    took_ms: f64,
    center: Option<CenterDoc>,
    /// `relevance`, `distance` or `name`.
    sort: String,
    offset: usize,
    limit: usize,
    hits: Vec<HitDoc>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
    facets: Vec<FacetCountsDoc>,
    advisories: Vec<AdvisoryDoc>,
}

/// The centre of a geographic search.
#[derive(Debug, ToSchema)]
#[schema(as = Center)]
pub struct CenterDoc {
    lat: f64,
    lon: f64,
    label: Option<String>,
    query: Option<String>,
    alternatives: Vec<PlaceDoc>,
}

/// A place of the gazetteer.
#[derive(Debug, ToSchema)]
#[schema(as = Place)]
pub struct PlaceDoc {
    label: String,
    lat: f64,
    lon: f64,
    country: String,
    region: Option<String>,
    population: u64,
}

/// One practitioner (also the body of `GET /v1/practitioners/{id}`).
#[derive(Debug, ToSchema)]
#[schema(as = Practitioner)]
pub struct HitDoc {
    /// `association:member_id`.
    id: String,
    association: String,
    name: String,
    practice_name: Option<String>,
    approach: Option<String>,
    credentials: Vec<CredentialDoc>,
    professions: Vec<String>,
    specialties: Vec<String>,
    techniques: Vec<String>,
    languages: Vec<String>,
    accepting_new_clients: Option<bool>,
    home_visits_km: Option<f64>,
    fees: Option<FeesDoc>,
    contact: ContactDoc,
    last_confirmed: Option<String>,
    /// From the centre to the nearest location, whenever a centre was given.
    distance_km: Option<f64>,
    nearest_location: LocationDoc,
    locations: Vec<LocationDoc>,
    /// With `sort=relevance` and `q`.
    score: Option<f32>,
    /// Matched words in `<mark>`, the rest HTML-escaped; only with `q`.
    highlights: Option<HighlightsDoc>,
}

#[derive(Debug, ToSchema)]
#[schema(as = Credential)]
pub struct CredentialDoc {
    body: String,
    body_name: String,
    credential: String,
    label: String,
    verified: bool,
}

#[derive(Debug, ToSchema)]
#[schema(as = Fees)]
pub struct FeesDoc {
    min: Option<f64>,
    max: Option<f64>,
    /// ISO 4217.
    currency: String,
    sliding_scale: bool,
}

#[derive(Debug, ToSchema)]
#[schema(as = Contact)]
pub struct ContactDoc {
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
    booking_url: Option<String>,
}

/// A location as the public may see it: a city-only (`visibility: city`) location has no
/// address or postal code, and its point is its city's centre.
#[derive(Debug, ToSchema)]
#[schema(as = Location)]
pub struct LocationDoc {
    label: Option<String>,
    address: Option<String>,
    city: Option<String>,
    region: Option<String>,
    postal_code: Option<String>,
    country: String,
    lat: f64,
    lon: f64,
    /// `exact` or `city`.
    visibility: String,
    wheelchair_accessible: Option<bool>,
    distance_km: Option<f64>,
}

#[derive(Debug, ToSchema)]
#[schema(as = Highlights)]
pub struct HighlightsDoc {
    name: Option<String>,
    practice_name: Option<String>,
    bio: Option<String>,
}

/// Counts of one facet (disjunctive: every filter applies except the facet's own).
#[derive(Debug, ToSchema)]
#[schema(as = FacetCounts)]
pub struct FacetCountsDoc {
    facet: String,
    values: Vec<FacetValueDoc>,
    /// Distinct values with a non-zero count.
    distinct: usize,
}

#[derive(Debug, ToSchema)]
#[schema(as = FacetValue)]
pub struct FacetValueDoc {
    value: String,
    label: String,
    count: u64,
    selected: bool,
}

/// A calm notice to consult a physician first.
#[derive(Debug, ToSchema)]
#[schema(as = Advisory)]
pub struct AdvisoryDoc {
    id: String,
    label: String,
    /// `avoid`, `see-physician` or `modified-approach`.
    level: String,
    notice: String,
}

/// Completions of a typed prefix.
#[derive(Debug, ToSchema)]
#[schema(as = Suggestions)]
pub struct SuggestionsDoc {
    query: String,
    suggestions: Vec<SuggestionDoc>,
}

#[derive(Debug, ToSchema)]
#[schema(as = Suggestion)]
pub struct SuggestionDoc {
    /// `practitioner`, `place` or `specialty`.
    kind: String,
    /// What to show.
    text: String,
    /// What to search with: a practitioner id, a place label for `near`, a specialty id.
    value: String,
    /// The synonym that matched, when not the text itself.
    matched: Option<String>,
}

/// Query parameters of a publication.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PublishParams {
    /// Validate and report without changing anything.
    dry_run: Option<bool>,
    /// Let a `PUT` remove more than the configured share (20% by default) of the members.
    allow_mass_delete: Option<bool>,
}

/// What a publication did (or, with `dry_run`, would do).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PublishReportDoc {
    /// The publication's number in the association's store (absent for a dry run).
    seq: Option<u64>,
    association: String,
    /// `replace`, `upsert` or `delete`.
    action: String,
    /// The member a delete removed.
    member_id: Option<String>,
    dry_run: bool,
    /// `jsonl`, `json` or `csv`.
    format: Option<String>,
    /// Records read (accepted + rejected).
    records: u64,
    /// added + updated + unchanged.
    accepted: u64,
    /// Members that were not listed before.
    added: u64,
    /// Members listed differently before.
    updated: u64,
    /// Members listed exactly so already (nothing written).
    unchanged: u64,
    /// Members a replace no longer lists, or the deleted member.
    removed: u64,
    /// Records with errors; their members keep any previous listing.
    rejected: u64,
    /// Each rejected record: line, member id, field, message (the first 1,000).
    rejections: Vec<PublishProblemDoc>,
    /// Rejections beyond those listed.
    rejections_truncated: u64,
    warnings: Vec<PublishProblemDoc>,
    warnings_truncated: u64,
    /// The index generation that contains the publication (absent for a dry run).
    generation: Option<u64>,
    seconds: f64,
}

/// One problem of a published record.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PublishProblemDoc {
    /// 1-based line (CSV: the row's line) in the body.
    line: u64,
    member_id: Option<String>,
    /// The field (CSV: the column); empty for the record as a whole.
    field: String,
    message: String,
}
