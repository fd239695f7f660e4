//! `/v1/associations/{id}/...`: an association publishes its member list (`PUT` replaces it,
//! `POST` upserts, `DELETE .../members/{member_id}` removes one), reads its status, and shows
//! its own directory (the public `GET .../members`, the search API over its members only).
//!
//! Writes are authenticated with the association's token. The body is streamed into the
//! publication store's spool as it arrives (bounded by `publishing.max_body_bytes`), then the
//! publisher applies it on the blocking pool; the answer comes once the publication is durable
//! and committed, and the search engine is reloaded before answering so the next search sees it.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use stillpoint_auth::TokenInfo;
use stillpoint_ingest::Format;
use stillpoint_publish::{Action, Actor, ActorKind, Publication, PublishError, PublishReport};
use tokio::sync::mpsc;

use crate::params::Params;
use crate::problem::Problem;
use crate::publishing::{ClientIp, Publishing};
use crate::state::AppState;

/// Replace the association's member list.
#[utoipa::path(
    put,
    path = "/v1/associations/{id}/members",
    tag = "publishing",
    params(
        ("id" = String, Path, description = "The association (a body id of the vocabulary)"),
        crate::openapi::PublishParams,
    ),
    request_body(description = "The complete member list in the feed format (docs/feed-format.md)", content(
        (String = "application/x-ndjson"), (String = "application/json"), (String = "text/csv"))),
    responses(
        (status = 200, description = "Applied (or, with dry_run, validated): the counts, each rejection with its line and field, the new generation", body = crate::openapi::PublishReportDoc),
        (status = 401, description = "Missing, malformed, unknown, expired or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token belongs to another association", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would remove more than the allowed share of the members; the counts are in the problem", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body larger than publishing.max_body_bytes", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON Lines, JSON or CSV", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts from this client", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The index is being written by another process; retry", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn replace(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request = Request {
        client,
        query,
        headers,
    };
    publish_body(&state, id, Action::Replace, request, body).await
}

/// Add or update the members in the body; nobody is removed.
#[utoipa::path(
    post,
    path = "/v1/associations/{id}/members",
    tag = "publishing",
    params(
        ("id" = String, Path, description = "The association (a body id of the vocabulary)"),
        crate::openapi::PublishParams,
    ),
    request_body(description = "Members to add or update, in the feed format", content(
        (String = "application/x-ndjson"), (String = "application/json"), (String = "text/csv"))),
    responses(
        (status = 200, description = "Applied (or validated): the counts and rejections", body = crate::openapi::PublishReportDoc),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token belongs to another association", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body larger than publishing.max_body_bytes", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON Lines, JSON or CSV", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts from this client", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The index is being written by another process; retry", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn upsert(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request = Request {
        client,
        query,
        headers,
    };
    publish_body(&state, id, Action::Upsert, request, body).await
}

/// Remove one member.
#[utoipa::path(
    delete,
    path = "/v1/associations/{id}/members/{member_id}",
    tag = "publishing",
    params(
        ("id" = String, Path, description = "The association"),
        ("member_id" = String, Path, description = "The member's id in the association's feed"),
        crate::openapi::PublishParams,
    ),
    responses(
        (status = 200, description = "Removed: the counts and the new generation", body = crate::openapi::PublishReportDoc),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token belongs to another association", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The association lists no such member", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts from this client", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The index is being written by another process; retry", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ids: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (association, member_id) = match ids {
        Ok(Path(ids)) => ids,
        Err(rejection) => return Problem::from(rejection).into_response(),
    };
    let request = Write {
        association,
        action: Action::Delete { member_id },
        client,
    };
    respond(write(&state, request, query, &headers, None).await)
}

/// The association's last publication and pull, with their reports, and its member count.
#[utoipa::path(
    get,
    path = "/v1/associations/{id}/status",
    tag = "publishing",
    params(("id" = String, Path, description = "The association")),
    responses(
        (status = 200, description = "Member count, last publication and last pull with their reports", body = Object),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token belongs to another association", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub async fn status(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let association = match id {
        Ok(Path(id)) => id,
        Err(rejection) => return Problem::from(rejection).into_response(),
    };
    let result = async {
        let publishing = publishing(&state)?;
        publishing.authorize(&headers, client, &association)?;
        let errors = Params::parse(query.as_deref()).finish();
        if !errors.is_empty() {
            return Err(Problem::invalid(errors));
        }
        let publisher = publishing.publisher.clone();
        let feed = publishing
            .feeds
            .iter()
            .find(|(feed, _)| feed.association == association)
            .map(|(feed, every)| {
                serde_json::json!({
                    "url": stillpoint_fetch::display_url(&feed.url),
                    "interval_minutes": every.as_secs() / 60,
                })
            });
        let status = tokio::task::spawn_blocking(move || publisher.status(&association))
            .await
            .map_err(|e| Problem::internal(&e))?
            .map_err(publish_problem)?;
        let mut body = serde_json::to_value(&status).map_err(|e| Problem::internal(&e))?;
        if let (Some(object), Some(feed)) = (body.as_object_mut(), feed) {
            object.insert("feed".into(), feed);
        }
        Ok(body)
    }
    .await;
    match result {
        Ok(body) => private(axum::Json(body).into_response()),
        Err(problem) => problem.into_response(),
    }
}

/// What the write routes read from every request besides the path and the body.
struct Request {
    client: Option<IpAddr>,
    query: Option<String>,
    headers: HeaderMap,
}

/// A `PUT` or `POST` of a member list.
async fn publish_body(
    state: &AppState,
    id: Result<Path<String>, PathRejection>,
    action: Action,
    request: Request,
    body: Body,
) -> Response {
    let association = match id {
        Ok(Path(id)) => id,
        Err(rejection) => return Problem::from(rejection).into_response(),
    };
    let write_request = Write {
        association,
        action,
        client: request.client,
    };
    respond_to_body(
        write(
            state,
            write_request,
            request.query,
            &request.headers,
            Some(body),
        )
        .await,
    )
}

/// One write request, before its parameters and body are read.
struct Write {
    association: String,
    action: Action,
    client: Option<IpAddr>,
}

async fn write(
    state: &AppState,
    request: Write,
    query: Option<String>,
    headers: &HeaderMap,
    body: Option<Body>,
) -> Result<PublishReport, Problem> {
    let publishing = publishing(state)?;
    let token = publishing.authorize(headers, request.client, &request.association)?;
    let mut params = Params::parse(query.as_deref());
    let dry_run = params.flag("dry_run").unwrap_or(false);
    let allow_mass_delete = params.flag("allow_mass_delete").unwrap_or(false);
    let errors = params.finish();
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let body = match body {
        Some(body) => Some(receive(&publishing, headers, body).await?),
        None => None,
    };
    let publication = Publication {
        association: request.association,
        action: request.action,
        body,
        dry_run,
        allow_mass_delete,
        actor: actor(&token),
    };
    let action = publication.action.name();
    let association = publication.association.clone();
    let publisher = publishing.publisher.clone();
    let engine = state.engine().clone();
    let report = tokio::task::spawn_blocking(move || {
        let report = publisher.publish(publication)?;
        if report.generation.is_some() {
            // The answer says the change is visible: make it so before answering rather than
            // at the next reload poll.
            if let Err(err) = engine.reload() {
                tracing::error!(error = %err, "reloading after a publication");
            }
        }
        Ok::<_, PublishError>(report)
    })
    .await
    .map_err(|e| Problem::internal(&e))?;
    let outcome = match &report {
        Ok(report) if report.dry_run => "dry_run",
        Ok(_) => "applied",
        Err(PublishError::MassDelete { .. }) => "refused",
        Err(_) => "failed",
    };
    metrics::counter!("stillpoint_publications_total", "action" => action, "outcome" => outcome)
        .increment(1);
    let report = report.map_err(publish_problem)?;
    tracing::info!(
        association = %association,
        token = %token.id,
        action,
        seq = report.seq,
        accepted = report.accepted,
        rejected = report.rejected,
        removed = report.removed,
        "publication"
    );
    Ok(report)
}

/// The request body, streamed into a spool file of the publication store: refused with 415
/// when its content type is no feed format, 413 as soon as it passes the size limit.
async fn receive(
    publishing: &Arc<Publishing>,
    headers: &HeaderMap,
    body: Body,
) -> Result<stillpoint_publish::Body, Problem> {
    let format = content_format(headers)?;
    let limit = publishing.settings.max_body_bytes;
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(Problem::too_large(limit));
    }
    // The file is written on the blocking pool while the body arrives; the channel's bound
    // keeps a fast client from filling memory ahead of the disk.
    let (chunks, mut received) = mpsc::channel::<axum::body::Bytes>(16);
    let publisher = publishing.publisher.clone();
    let writer = tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let mut spool = publisher.incoming()?;
        while let Some(chunk) = received.blocking_recv() {
            spool.write_all(&chunk).map_err(|e| PublishError::Store {
                path: "publications/incoming".into(),
                source: e,
            })?;
        }
        Ok::<_, PublishError>(spool)
    });
    let mut body = body;
    let mut total = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            Problem::bad_request(format!("the request body could not be read: {e}"))
        })?;
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        total += chunk.len() as u64;
        if total > limit {
            return Err(Problem::too_large(limit));
        }
        if chunks.send(chunk).await.is_err() {
            break;
        }
    }
    drop(chunks);
    let spool = writer
        .await
        .map_err(|e| Problem::internal(&e))?
        .map_err(publish_problem)?;
    Ok(stillpoint_publish::Body::new(spool, Some(format)))
}

/// The feed format a `Content-Type` names.
fn content_format(headers: &HeaderMap) -> Result<Format, Problem> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-ndjson"
        | "application/ndjson"
        | "application/jsonl"
        | "application/x-jsonlines"
        | "application/jsonlines" => Ok(Format::JsonLines),
        "application/json" => Ok(Format::Json),
        "text/csv" => Ok(Format::Csv),
        _ => Err(Problem::unsupported_media_type(format!(
            "the body must be JSON Lines (application/x-ndjson), a JSON array (application/json) \
             or CSV (text/csv); the request says {:?}",
            if content_type.is_empty() {
                "nothing"
            } else {
                content_type
            }
        ))),
    }
}

fn actor(token: &TokenInfo) -> Actor {
    Actor {
        kind: ActorKind::Token,
        id: token.id.clone(),
        label: token.label.clone(),
    }
}

pub(crate) fn publishing(state: &AppState) -> Result<Arc<Publishing>, Problem> {
    state
        .publishing()
        .cloned()
        .ok_or_else(|| Problem::not_found("this server does not take publications"))
}

/// A publication's refusal or failure as the client sees it.
fn publish_problem(error: PublishError) -> Problem {
    match &error {
        PublishError::MassDelete {
            would_remove,
            existing,
            percent,
            limit,
        } => Problem::conflict(error.to_string())
            .with("would_remove", *would_remove)
            .with("existing", *existing)
            .with("percent", (percent * 10.0).round() / 10.0)
            .with("limit", *limit),
        PublishError::UnknownAssociation(_) | PublishError::UnknownMember { .. } => {
            Problem::not_found(error.to_string())
        }
        PublishError::Busy { .. } => {
            Problem::overloaded("another process is writing to the index; retry shortly", 1)
        }
        PublishError::BadRequest(_) | PublishError::Unreadable(_) => {
            Problem::bad_request(error.to_string())
        }
        PublishError::EmptyStore { .. } => Problem::conflict(error.to_string()),
        _ => Problem::internal(&error),
    }
}

fn respond(result: Result<PublishReport, Problem>) -> Response {
    match result {
        Ok(report) => private(axum::Json(report).into_response()),
        Err(problem) => problem.into_response(),
    }
}

/// The answer to a request with a body. A refusal may come before the body was read to its end
/// (a 401, a 413 half-way): the connection then cannot carry another request, and the client is
/// told so rather than finding out on its next request.
fn respond_to_body(result: Result<PublishReport, Problem>) -> Response {
    let refused = result.is_err();
    let mut response = respond(result);
    if refused {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Answers of authenticated routes are for their caller only.
fn private(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// The association's own directory: the search API over its members only.
#[utoipa::path(
    get,
    path = "/v1/associations/{id}/members",
    tag = "publishing",
    params(
        ("id" = String, Path, description = "The association (a body id of the vocabulary)"),
        crate::openapi::FilterParams,
        crate::openapi::ResultParams,
    ),
    responses(
        (status = 200, description = "One page of the association's members, as `GET /v1/search` answers", body = crate::openapi::SearchResponseDoc),
        (status = 400, description = "Invalid or unknown parameters, each named", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such association", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn members(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let association = match id {
        Ok(Path(id)) => id,
        Err(rejection) => return Problem::from(rejection).into_response(),
    };
    if state
        .engine()
        .vocabulary()
        .body_by_id(&association)
        .is_none()
    {
        return Problem::not_found(format!("no association {association:?}")).into_response();
    }
    crate::routes::search::search_within(&state, Some(association), query).await
}
