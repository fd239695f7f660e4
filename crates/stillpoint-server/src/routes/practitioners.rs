//! `GET /v1/practitioners/{id}`: one profile, as a search hit without distance.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};

use crate::params::Params;
use crate::problem::Problem;
use crate::state::AppState;

/// One practitioner.
#[utoipa::path(
    get,
    path = "/v1/practitioners/{id}",
    tag = "search",
    params(("id" = String, Path, description = "`association:member_id`, e.g. `bcta-na:A-1042`")),
    responses(
        (status = 200, description = "The practitioner, privacy applied", body = crate::openapi::HitDoc),
        (status = 404, description = "No such practitioner", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn practitioner(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return Problem::from(rejection).into_response(),
    };
    let errors = Params::parse(query.as_deref()).finish();
    if !errors.is_empty() {
        return Problem::invalid(errors).into_response();
    }
    let lookup = id.clone();
    match state
        .blocking("practitioner", move |engine| {
            engine.practitioner(&lookup).map_err(Problem::from)
        })
        .await
    {
        Ok(Some(hit)) => axum::Json(hit).into_response(),
        Ok(None) => Problem::not_found(format!("no practitioner {id:?}")).into_response(),
        Err(problem) => problem.into_response(),
    }
}
