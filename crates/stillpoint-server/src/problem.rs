//! Every error the API answers is one shape: an RFC 9457 problem (`application/problem+json`).
//! Errors become HTTP here and nowhere else: the search core's errors, axum's own rejections,
//! the fallback for unknown routes, and bare error responses of tower layers (timeouts, body
//! limits, panics) are all turned into a [`Problem`], and internal details only reach the log.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderValue, Response, StatusCode, Uri, header};
use axum::response::IntoResponse;
use serde::Serialize;
use stillpoint_search::{InvalidParam, SearchError};
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`/problems/invalid-parameters`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind, the same for every occurrence.
    pub title: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// Every invalid parameter with the reason, for 400 answers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_params: Vec<ProblemParam>,
    /// Seconds to wait before retrying (also sent as `Retry-After`), for 429 and 503.
    #[serde(skip)]
    pub retry_after: Option<u64>,
    /// Members particular to a kind of problem (RFC 9457 extensions), e.g. the counts of a
    /// refused mass deletion.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extensions: Box<serde_json::Map<String, serde_json::Value>>,
}

/// One invalid parameter of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemParam {
    pub name: String,
    pub reason: String,
}

impl From<InvalidParam> for ProblemParam {
    fn from(p: InvalidParam) -> Self {
        ProblemParam {
            name: p.name,
            reason: p.reason,
        }
    }
}

impl Problem {
    fn new(
        status: StatusCode,
        kind: &str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            kind: format!("/problems/{kind}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            invalid_params: Vec::new(),
            retry_after: None,
            extensions: Box::default(),
        }
    }

    /// Adds an extension member.
    pub fn with(mut self, name: &str, value: impl Into<serde_json::Value>) -> Problem {
        self.extensions.insert(name.to_owned(), value.into());
        self
    }

    /// 400 for a request that is wrong as a whole rather than in a parameter.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    /// 401: the credentials are missing or not valid. Answered with a `WWW-Authenticate`
    /// challenge.
    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Not authenticated",
            detail,
        )
    }

    /// 403: valid credentials that do not cover this resource.
    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    /// 409: the request conflicts with the resource's current state.
    pub fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    /// 413 naming the limit.
    pub fn too_large(limit: u64) -> Problem {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Payload too large",
            format!("the request body is larger than {limit} bytes"),
        )
        .with("limit", limit)
    }

    /// 415: the body's content type is not one this resource reads.
    pub fn unsupported_media_type(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            detail,
        )
    }

    /// 400 listing every invalid parameter.
    pub fn invalid(params: Vec<ProblemParam>) -> Problem {
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        let detail = match names.as_slice() {
            [one] => format!("the parameter {one} is invalid"),
            _ => format!("the parameters {} are invalid", names.join(", ")),
        };
        Problem {
            invalid_params: params,
            ..Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-parameters",
                "Invalid parameters",
                detail,
            )
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn overloaded(detail: impl Into<String>, retry_after: u64) -> Problem {
        Problem {
            retry_after: Some(retry_after),
            ..Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "Too busy",
                detail,
            )
        }
    }

    pub fn rate_limited(retry_after: u64) -> Problem {
        Problem {
            retry_after: Some(retry_after),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                format!("this client sent too many requests; retry in {retry_after} s"),
            )
        }
    }

    /// 500. `cause` goes to the log only; the client learns nothing internal.
    pub fn internal(cause: &dyn std::fmt::Display) -> Problem {
        tracing::error!(error = %cause, "request failed");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the server failed to answer this request; it has been logged",
        )
    }

    /// A problem for a bare error status that some layer produced without a body.
    pub fn from_status(status: StatusCode) -> Problem {
        let (kind, detail) = match status {
            StatusCode::NOT_FOUND => ("not-found", "no such resource"),
            // axum adds `Allow` after every layer has run, so this cannot quote it.
            StatusCode::METHOD_NOT_ALLOWED => (
                "method-not-allowed",
                "this resource does not answer this method; the Allow header lists those it does",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ("body-too-large", "the request body is too large"),
            // A bare 503 is the request deadline's (a busy search slot answers its own
            // `overloaded` problem), so it is a timeout, like 408 and 504.
            StatusCode::REQUEST_TIMEOUT
            | StatusCode::GATEWAY_TIMEOUT
            | StatusCode::SERVICE_UNAVAILABLE => ("timeout", "the request took too long"),
            s if s.is_server_error() => (
                "internal",
                "the server failed to answer this request; it has been logged",
            ),
            _ => ("http", "the request could not be answered"),
        };
        let title = status.canonical_reason().unwrap_or("Error");
        let mut problem = Problem::new(status, kind, title, detail);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            problem.retry_after = Some(1);
        }
        problem
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<SearchError> for Problem {
    fn from(err: SearchError) -> Problem {
        match err {
            SearchError::Invalid(params) => {
                Problem::invalid(params.into_iter().map(Into::into).collect())
            }
            other => Problem::internal(&other),
        }
    }
}

impl From<PathRejection> for Problem {
    fn from(rejection: PathRejection) -> Problem {
        Problem::invalid(vec![ProblemParam {
            name: "path".into(),
            reason: rejection.body_text(),
        }])
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> axum::response::Response {
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED.as_u16() {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"stillpoint\""),
            );
        }
        response
    }
}

/// The fallback of the router: any path no route matches.
pub async fn unknown_route(uri: Uri) -> Problem {
    Problem::not_found(format!("no resource at {}; see /openapi.json", uri.path()))
}

/// Turns an error response that is not yet a problem (from axum's method router or a tower
/// layer: 405, 408, 413, 500 of a caught panic...) into one, keeping its status and headers.
pub async fn ensure_problem<B>(response: Response<B>) -> axum::response::Response
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let response = response.map(Body::new);
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    let problem = Problem::from_status(status).into_response();
    let (problem_parts, body) = problem.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &problem_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    axum::response::Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_parameters_list_each_with_its_reason() {
        let p = Problem::from(SearchError::Invalid(vec![
            InvalidParam::new("radius", "needs a centre"),
            InvalidParam::new("limit", "101 is above the largest page, 100"),
        ]));
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["status"], 400);
        assert_eq!(json["type"], "/problems/invalid-parameters");
        assert_eq!(json["invalid_params"][1]["name"], "limit");
        assert!(json["detail"].as_str().unwrap().contains("radius, limit"));
    }

    #[test]
    fn internal_errors_say_nothing_internal() {
        let p = Problem::internal(&"open /var/lib/stillpoint/tantivy/meta.json: denied");
        let json = serde_json::to_string(&p).unwrap();
        assert!(!json.contains("/var/lib"), "{json}");
        assert_eq!(p.status, 500);
    }

    /// A caught panic is a bare 500 whose body is the panic's message; it cannot be provoked
    /// over HTTP without a route that panics, so the conversion is checked here.
    #[test]
    fn a_bare_error_response_becomes_a_problem_and_loses_its_body() {
        let leaky = Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from("thread panicked at crates/x/src/y.rs:1:1"))
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let response = runtime.block_on(ensure_problem(leaky));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        let body = runtime
            .block_on(axum::body::to_bytes(response.into_body(), 4096))
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["type"], "/problems/internal");
        assert!(!json.to_string().contains(".rs"), "{json}");
    }
}
