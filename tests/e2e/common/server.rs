//! `stillpoint serve` as a test client sees it: the real binary on 127.0.0.1:0, spoken to over
//! real HTTP, and what every error answer must look like.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde_json::Value;

use super::Env;

/// A running `stillpoint serve`; stopped when dropped.
pub struct Server {
    child: Child,
    /// Kept open: the server prints to it again when it stops.
    _stdout: BufReader<ChildStdout>,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
    /// The client every helper uses (one connection pool, so one client address).
    pub client: Client,
}

impl Server {
    /// Starts the server over `env`'s index, with `STILLPOINT_*` settings from `vars`. The rate
    /// limit is off unless `vars` set it: tests send requests faster than a client would.
    pub fn start(env: &Env, vars: &[(&str, &str)]) -> Server {
        let mut command = env.command(&["serve", "--listen", "127.0.0.1:0"]);
        command
            .env("STILLPOINT_SERVER_RATE_LIMIT_PER_SECOND", "0")
            .envs(vars.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(env.path("server.log")).unwrap());
        let mut child = command.spawn().expect("start stillpoint serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(address) = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
        else {
            let _ = child.kill();
            let log = std::fs::read_to_string(env.path("server.log")).unwrap_or_default();
            panic!("no address in {line:?}; log:\n{log}");
        };
        Server {
            base: format!("http://{address}"),
            child,
            _stdout: stdout,
            client: Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        }
    }

    /// The full URL of `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base)
    }

    pub fn get(&self, path_and_query: &str) -> Response {
        self.client
            .get(self.url(path_and_query))
            .send()
            .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"))
    }

    /// GET expecting 200 and JSON.
    pub fn json(&self, path_and_query: &str) -> Value {
        let response = self.get(path_and_query);
        let status = response.status();
        let body = response.text().unwrap();
        assert_eq!(status, StatusCode::OK, "GET {path_and_query}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }

    /// GET expecting a problem with `status`; returns its body.
    pub fn problem(&self, path_and_query: &str, status: u16) -> Value {
        expect_problem(self.get(path_and_query), status)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asserts that `response` is an `application/problem+json` answer of `status` with the
/// problem's fields (and no sign of the server's insides); returns its body.
#[track_caller]
pub fn expect_problem(response: Response, status: u16) -> Value {
    let url = response.url().to_string();
    assert_eq!(response.status().as_u16(), status, "{url}");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(
        content_type.as_deref(),
        Some("application/problem+json"),
        "{url}"
    );
    let text = response.text().unwrap();
    assert_no_internals(&text);
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(body["status"], status, "{url}: {body}");
    for key in ["type", "title", "detail"] {
        assert!(body[key].is_string(), "{key} in {body}");
    }
    assert!(
        body["type"].as_str().unwrap().starts_with("/problems/"),
        "{body}"
    );
    if let Some(params) = body.get("invalid_params") {
        for param in params.as_array().unwrap() {
            assert!(
                param["name"].is_string() && param["reason"].is_string(),
                "{body}"
            );
        }
    }
    body
}

/// No source path, stack trace, file system path or Rust type name in an answer.
#[track_caller]
pub fn assert_no_internals(text: &str) {
    for sign in [
        ".rs:",
        "/src/",
        "panicked",
        "backtrace",
        "/tmp/",
        "/home/",
        "/work/",
        "/var/",
        "::",
    ] {
        assert!(!text.contains(sign), "{sign:?} in {text}");
    }
}

/// The names of a problem's invalid parameters.
pub fn invalid_names(problem: &Value) -> Vec<String> {
    problem["invalid_params"]
        .as_array()
        .unwrap_or_else(|| panic!("invalid_params in {problem}"))
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

/// The reason given for the invalid parameter `name`.
pub fn reason<'a>(problem: &'a Value, name: &str) -> &'a str {
    problem["invalid_params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["reason"].as_str())
        .unwrap_or_else(|| panic!("no reason for {name} in {problem}"))
}
