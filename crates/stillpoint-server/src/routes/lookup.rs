//! `GET /v1/geocode` (gazetteer candidates) and `GET /v1/vocabulary` (facets, their values and
//! labels, for building a user interface).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use stillpoint_gazetteer::{Gazetteer, PlaceKind};
use stillpoint_search::{Facet, SearchEngine, SearchRequest};
use utoipa::ToSchema;

use crate::params::Params;
use crate::problem::Problem;
use crate::state::AppState;

/// Most candidates `GET /v1/geocode` returns.
const MAX_GEOCODE: usize = 20;

/// A place the gazetteer knows.
#[derive(Debug, Serialize, ToSchema)]
pub struct GeocodeCandidate {
    /// "Boulder, Colorado, US"; pass it as `near`.
    label: String,
    /// `city` or `postal_code`.
    kind: &'static str,
    lat: f64,
    lon: f64,
    country: String,
    region: Option<String>,
    population: u64,
}

/// Places matching a name or postal code, best first.
#[utoipa::path(
    get,
    path = "/v1/geocode",
    tag = "lookup",
    params(
        ("q" = String, Query, description = "\"Boulder, CO\", \"80302\", \"Zürich\""),
        ("limit" = Option<usize>, Query, description = "Most candidates, 1-20 (default 5)"),
    ),
    responses(
        (status = 200, description = "Candidates, best first; empty when nothing matches", body = Vec<GeocodeCandidate>),
        (status = 400, description = "Missing or invalid parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn geocode(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let mut p = Params::parse(query.as_deref());
    // Bounded like a search's text: the gazetteer folds and splits the whole query.
    let max_chars = state.engine().limits().max_query_chars;
    let q = p.text("q", max_chars, ": a place name or postal code");
    let limit: usize = p.parsed("limit", "a number").unwrap_or(5);
    if !(1..=MAX_GEOCODE).contains(&limit) {
        p.invalid("limit", format!("{limit} is outside 1..{MAX_GEOCODE}"));
    }
    let errors = p.finish();
    if !errors.is_empty() {
        return Problem::invalid(errors).into_response();
    }
    let q = q.unwrap_or_default();
    let places = tokio::task::spawn_blocking(move || Gazetteer::embedded().resolve(&q, limit))
        .await
        .unwrap_or_default();
    let candidates: Vec<GeocodeCandidate> = places
        .into_iter()
        .map(|p| GeocodeCandidate {
            label: p.label,
            kind: match p.kind {
                PlaceKind::City => "city",
                PlaceKind::PostalCode => "postal_code",
            },
            lat: p.lat,
            lon: p.lon,
            country: p.country,
            region: p.region,
            population: p.population,
        })
        .collect();
    axum::Json(candidates).into_response()
}

/// The values of one facet.
#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyFacet {
    facet: &'static str,
    values: Vec<VocabularyValue>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyValue {
    /// What a filter takes (`tmj`, `upledger:CST-D`, `US-CO`).
    value: String,
    label: String,
    /// Other names accepted for the value in filters and found in free text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    synonyms: Vec<String>,
    /// Specialties: `condition` or `population`.
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
}

/// Every facet with its values and labels: the vocabulary's values for approach, body,
/// credential, profession, specialty and technique; the languages, countries and regions the
/// index holds.
#[utoipa::path(
    get,
    path = "/v1/vocabulary",
    tag = "lookup",
    responses((status = 200, description = "Facets, values, labels", body = Vec<VocabularyFacet>))
)]
pub async fn vocabulary(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let errors = Params::parse(query.as_deref()).finish();
    if !errors.is_empty() {
        return Problem::invalid(errors).into_response();
    }
    // Made once per view of the index (listing every region it holds, 2,106 on a million
    // practitioners, cost 0.66 ms of CPU a call), and kept until a reload changes the view.
    let cache = state.vocabulary_cache().clone();
    let result = state
        .blocking("vocabulary", move |engine| {
            let view = engine.view();
            let kept = cache.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if let Some((made, body)) = kept
                && made == view
            {
                return Ok(body);
            }
            let body = Bytes::from(
                serde_json::to_vec(&vocabulary_facets(engine)?)
                    .map_err(|e| Problem::internal(&e))?,
            );
            *cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((view, body.clone()));
            Ok(body)
        })
        .await;
    match result {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// The facets [`vocabulary`] lists, made from the engine's vocabulary and index.
fn vocabulary_facets(engine: &SearchEngine) -> Result<Vec<VocabularyFacet>, Problem> {
    // Open code lists: the values present in the index, from one count-only search.
    let request = SearchRequest {
        limit: 0,
        facets: Some(vec![Facet::Language, Facet::Country, Facet::Region]),
        facet_size: engine.limits().max_facet_size,
        ..SearchRequest::default()
    };
    let counted = engine.search(&request).map_err(Problem::from)?;
    let v = engine.vocabulary();
    let term = |t: &stillpoint_model::vocabulary::Term| VocabularyValue {
        value: t.id.clone(),
        label: t.label.clone(),
        synonyms: t.synonyms.clone(),
        group: t.group.clone(),
    };
    let mut facets = vec![
        VocabularyFacet {
            facet: "approach",
            values: v.approaches.iter().map(term).collect(),
        },
        VocabularyFacet {
            facet: "body",
            values: v
                .bodies
                .iter()
                .map(|b| VocabularyValue {
                    value: b.id.clone(),
                    label: engine.facet_label(Facet::Body, &b.id),
                    synonyms: Vec::new(),
                    group: None,
                })
                .collect(),
        },
        VocabularyFacet {
            facet: "credential",
            values: v
                .bodies
                .iter()
                .flat_map(|b| {
                    b.credentials.iter().map(move |c| {
                        let value = format!("{}:{}", b.id, c.id);
                        VocabularyValue {
                            label: engine.facet_label(Facet::Credential, &value),
                            value,
                            synonyms: c.synonyms.clone(),
                            group: None,
                        }
                    })
                })
                .collect(),
        },
        VocabularyFacet {
            facet: "profession",
            values: v.professions.iter().map(term).collect(),
        },
        VocabularyFacet {
            facet: "specialty",
            values: v.specialties.iter().map(term).collect(),
        },
        VocabularyFacet {
            facet: "technique",
            values: v.techniques.iter().map(term).collect(),
        },
    ];
    for counts in counted.facets {
        let mut values: Vec<VocabularyValue> = counts
            .values
            .into_iter()
            .map(|v| VocabularyValue {
                value: v.value,
                label: v.label,
                synonyms: Vec::new(),
                group: None,
            })
            .collect();
        values.sort_by(|a, b| a.value.cmp(&b.value));
        facets.push(VocabularyFacet {
            facet: counts.facet,
            values,
        });
    }
    Ok(facets)
}
