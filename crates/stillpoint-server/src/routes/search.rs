//! `GET /v1/search`: the search core's request as query parameters, its response as JSON, CSV
//! or GeoJSON.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use stillpoint_search::{SearchError, SearchResponse};

use crate::formats;
use crate::params::{Format, SearchQuery, rename_paging, search_query};
use crate::problem::Problem;
use crate::state::AppState;

/// Search practitioners.
///
/// Every field of the search request as a query parameter; repeat a filter for several values
/// (`specialty=infants&specialty=tmj`). `docs/search.md` describes matching, geography,
/// facets and paging.
#[utoipa::path(
    get,
    path = "/v1/search",
    tag = "search",
    params(crate::openapi::FilterParams, crate::openapi::ResultParams),
    responses(
        (status = 200, description = "One page of results: JSON (the search response), CSV (`format=csv`, one row per practitioner) or GeoJSON (`format=geojson`, one feature per location)",
            content(
                (crate::openapi::SearchResponseDoc = "application/json"),
                (String = "text/csv"),
                (Object = "application/geo+json"),
            )),
        (status = 400, description = "Invalid or unknown parameters, each named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every search slot is busy", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn search(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    search_within(&state, None, query).await
}

/// A search, restricted to one association's members when `association` is given (its own
/// directory, `GET /v1/associations/{id}/members`).
pub(crate) async fn search_within(
    state: &AppState,
    association: Option<String>,
    query: Option<String>,
) -> Response {
    let mut parsed = search_query(query.as_deref());
    parsed.request.association = association;
    if !parsed.errors.is_empty() {
        return invalid(state, parsed).await.into_response();
    }
    let request = parsed.request;
    let format = parsed.format;
    // Rendered off the runtime too, by the thread that built the response: the body is the
    // bulk of a search's work after the search itself, and the response's many small strings
    // are then freed by the thread that allocated them (cheaper than from another thread).
    let result = state
        .blocking("search", move |engine| {
            let response = engine.search(&request).map_err(|err| match err {
                SearchError::Invalid(params) => {
                    let mut params = params.into_iter().map(Into::into).collect::<Vec<_>>();
                    rename_paging(&mut params, parsed.paging);
                    Problem::invalid(params)
                }
                other => Problem::from(other),
            })?;
            Ok(render(&response, format))
        })
        .await;
    match result {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

/// A problem naming the parameters that did not parse and those the engine refuses among the
/// values that did, so the client sees every problem at once (the engine only validates; nothing
/// is searched).
async fn invalid(state: &AppState, parsed: SearchQuery) -> Problem {
    let SearchQuery {
        request,
        paging,
        mut errors,
        ..
    } = parsed;
    let engine_errors = state
        .blocking("validate", move |engine| Ok(engine.validate(&request)))
        .await
        .unwrap_or_default();
    let mut engine_errors: Vec<_> = engine_errors.into_iter().map(Into::into).collect();
    rename_paging(&mut engine_errors, paging);
    for param in engine_errors {
        if !errors.iter().any(|e| e.name == param.name) {
            errors.push(param);
        }
    }
    Problem::invalid(errors)
}

fn render(response: &SearchResponse, format: Format) -> Response {
    match format {
        Format::Json => {
            // A page of twenty is some 35 KB: written into a buffer sized for it, not grown by
            // doubling from axum's 128 bytes (each growth a copy of everything written), with
            // the hits' profiles copied from their records' JSON rather than serialised anew.
            let mut body = Vec::with_capacity(16 * 1024 + 1536 * response.hits.len());
            match response.write_json(&mut body) {
                Ok(()) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
                Err(err) => Problem::internal(&err).into_response(),
            }
        }
        Format::Csv => match formats::csv(response) {
            Ok(body) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"practitioners.csv\"",
                    ),
                ],
                body,
            )
                .into_response(),
            Err(err) => Problem::internal(&err).into_response(),
        },
        Format::GeoJson => (
            [(header::CONTENT_TYPE, "application/geo+json")],
            axum::Json(formats::geojson(response)),
        )
            .into_response(),
    }
}
