//! Type-ahead: `GET /v1/facets/{facet}` (a facet's values matching a prefix, counted under the
//! search's filters) and `GET /v1/suggest` (completions across names, places, specialties).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use stillpoint_search::{DEFAULT_SUGGESTIONS, Facet, SearchRequest};

use crate::params::{Params, take_filters};
use crate::problem::{Problem, ProblemParam};
use crate::state::AppState;

/// Most values or completions one call returns.
const MAX_SIZE: usize = 100;

/// A facet's values whose value or label starts with `prefix` (or has a word that does), with
/// their counts under the same filters as `/v1/search` (a picker's type-ahead).
#[utoipa::path(
    get,
    path = "/v1/facets/{facet}",
    tag = "lookup",
    params(
        ("facet" = String, Path, description = "approach, body, credential, profession, specialty, technique, language, country or region"),
        ("prefix" = Option<String>, Query, description = "Typed so far (\"mig\"); empty lists every value"),
        ("size" = Option<usize>, Query, description = "Most values, 1-100 (default 10)"),
        crate::openapi::FilterParams,
    ),
    responses(
        (status = 200, description = "The facet's matching values, most frequent first", body = crate::openapi::FacetCountsDoc),
        (status = 400, description = "Invalid or unknown parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn facet_values(
    State(state): State<AppState>,
    facet: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let Path(facet) = match facet {
        Ok(facet) => facet,
        Err(rejection) => return Problem::from(rejection).into_response(),
    };
    let facet = match facet.parse::<Facet>() {
        Ok(facet) => facet,
        Err(reason) => {
            return Problem::invalid(vec![ProblemParam {
                name: "facet".into(),
                reason,
            }])
            .into_response();
        }
    };
    let mut p = Params::parse(query.as_deref());
    let prefix = p.one("prefix").unwrap_or_default();
    let size = size(&mut p, 10);
    let mut request = SearchRequest::default();
    take_filters(&mut p, &mut request);
    let errors = p.finish();
    if !errors.is_empty() {
        return Problem::invalid(errors).into_response();
    }
    match state
        .blocking("facet_values", move |engine| {
            engine
                .facet_values(facet, &prefix, &request, size)
                .map_err(Problem::from)
        })
        .await
    {
        Ok(counts) => axum::Json(counts).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// Completions of what the user typed: specialties (labels and synonyms), places (most
/// populous first) and practitioner names, each labelled with its kind.
#[utoipa::path(
    get,
    path = "/v1/suggest",
    tag = "lookup",
    params(
        ("q" = String, Query, description = "Typed so far (\"bou\")"),
        ("size" = Option<usize>, Query, description = "Most completions of each kind, 1-100 (default 5)"),
    ),
    responses(
        (status = 200, description = "Completions", body = crate::openapi::SuggestionsDoc),
        (status = 400, description = "Invalid or unknown parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn suggest(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let mut p = Params::parse(query.as_deref());
    let q = p.text("q", state.engine().limits().max_query_chars, "");
    let size = size(&mut p, DEFAULT_SUGGESTIONS);
    let errors = p.finish();
    if !errors.is_empty() {
        return Problem::invalid(errors).into_response();
    }
    let q = q.unwrap_or_default();
    match state
        .blocking("suggest", move |engine| {
            engine.suggest(&q, size).map_err(Problem::from)
        })
        .await
    {
        Ok(suggestions) => axum::Json(suggestions).into_response(),
        Err(problem) => problem.into_response(),
    }
}

fn size(p: &mut Params, default: usize) -> usize {
    let size = p.parsed("size", "a number").unwrap_or(default);
    if !(1..=MAX_SIZE).contains(&size) {
        p.invalid("size", format!("{size} is outside 1..{MAX_SIZE}"));
    }
    size
}
