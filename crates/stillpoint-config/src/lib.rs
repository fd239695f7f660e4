//! Stillpoint's configuration: the typed sections of `config/stillpoint.toml`, their defaults (a
//! copy of the shipped file is embedded), `STILLPOINT_*` environment overrides, validation, and
//! loading the vocabulary the configuration points at.
//!
//! Precedence, lowest first: file < environment < command-line flags (flags are applied by the
//! binary on the returned [`Config`]).
//!
//! ```
//! let config = stillpoint_config::Config::load(None, std::iter::empty()).unwrap();
//! assert_eq!(config.index.dir, std::path::PathBuf::from("index"));
//! ```

mod env;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use stillpoint_model::Vocabulary;
use stillpoint_model::vocabulary::VocabularyError;

/// The shipped configuration, used when no file is given.
pub const DEFAULT_CONFIG: &str = include_str!("../../../config/stillpoint.toml");
/// The shipped vocabulary, used unless the configuration names another file.
pub const DEFAULT_VOCABULARY: &str = include_str!("../../../config/vocabulary.toml");

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{origin}: {source}")]
    Parse {
        origin: String,
        source: Box<toml::de::Error>,
    },
    /// An environment variable does not name a known key.
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    /// A value is out of its allowed range.
    #[error("configuration: {0}")]
    Invalid(String),
    /// The vocabulary file is unreadable or invalid.
    #[error("{origin}: {source}")]
    Vocabulary {
        origin: String,
        source: VocabularyError,
    },
}

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Vocabulary file; `None` means the built-in one.
    #[serde(default)]
    pub vocabulary: Option<PathBuf>,
    pub index: IndexSection,
    pub server: ServerSection,
    pub ingest: IngestSection,
    pub limits: Limits,
    #[serde(default)]
    pub publishing: PublishingSection,
    /// Feeds Stillpoint pulls on a schedule (`[[feeds]]`), one per association at most.
    #[serde(default)]
    pub feeds: Vec<FeedSection>,
    /// Directory of the configuration file, for resolving relative paths in it.
    #[serde(skip)]
    pub base_dir: Option<PathBuf>,
}

/// `[index]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSection {
    pub dir: PathBuf,
    pub writer_memory_mb: usize,
}

/// `[server]`. Every key but `listen` has a default, so a configuration written before a key
/// existed still loads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    pub listen: SocketAddr,
    /// Threads running searches; 0: one per core.
    pub search_threads: usize,
    /// Searches admitted at once: running on a search thread or queued for one.
    pub max_concurrent_searches: usize,
    /// How long a search waits to be admitted before a 503, in milliseconds.
    pub search_queue_ms: u64,
    /// Whole-request deadline, in seconds.
    pub request_timeout_secs: u64,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Requests per second per client address; 0 turns the limit off.
    pub rate_limit_per_second: u32,
    /// Requests a client may send at once before the per-second rate applies.
    pub rate_limit_burst: u32,
    /// Origins allowed by CORS; `*` allows any; empty sends no CORS headers.
    pub cors_origins: Vec<String>,
    /// Cache-Control max-age of successful GETs, in seconds.
    pub cache_max_age_secs: u64,
    /// How often to look for a new index commit, in milliseconds.
    pub reload_interval_ms: u64,
    /// Memory for the parsed stored records of recent hits, in MiB; 0 keeps none. The default
    /// is the search engine's own (`stillpoint_search::DEFAULT_RECORD_CACHE_BYTES`).
    pub record_cache_mb: u64,
    /// Memory for the matches of repeated free-text queries, in MiB; 0 keeps none. The default
    /// is the search engine's own (`stillpoint_search::DEFAULT_MATCH_CACHE_BYTES`).
    pub match_cache_mb: u64,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            listen: SocketAddr::from(([127, 0, 0, 1], 7700)),
            search_threads: 0,
            max_concurrent_searches: 8,
            search_queue_ms: 250,
            request_timeout_secs: 10,
            max_body_bytes: 16 * 1024,
            rate_limit_per_second: 50,
            rate_limit_burst: 100,
            cors_origins: Vec::new(),
            cache_max_age_secs: 0,
            reload_interval_ms: 250,
            record_cache_mb: 256,
            match_cache_mb: 64,
        }
    }
}

/// `[ingest]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestSection {
    pub max_record_bytes: usize,
    pub max_feed_bytes: u64,
    pub fetch_timeout_secs: u64,
    pub max_removal_percent: f64,
}

/// `[publishing]`: associations publishing their member lists, by push or by pull.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublishingSection {
    /// Largest body of a publication (`PUT`/`POST` of a member list), in bytes.
    pub max_body_bytes: u64,
    /// Whole-request deadline of a publication (receiving, validating, committing), in seconds.
    pub request_timeout_secs: u64,
    /// Failed authentication attempts allowed per client address per minute; beyond it, 429.
    pub failed_auth_per_minute: u32,
    /// Validity of a new token when `token create` is given no `--expires`, in days.
    pub token_expiry_days: u32,
    /// Redirects a pulled feed may follow.
    pub max_redirects: usize,
    /// Let feed URLs (and their redirects) reach loopback addresses (127.0.0.0/8, ::1). Off in
    /// production; tests and single-machine set-ups turn it on.
    pub allow_loopback: bool,
    /// Let feed URLs (and their redirects) reach private networks (10/8, 172.16/12,
    /// 192.168/16, 100.64/10, fc00::/7). Off in production: a feed URL must not reach the server's own
    /// network. Link-local (cloud metadata), unspecified, multicast and reserved addresses are
    /// never reachable.
    pub allow_private_addresses: bool,
}

impl Default for PublishingSection {
    fn default() -> Self {
        PublishingSection {
            max_body_bytes: 256 << 20,
            request_timeout_secs: 600,
            failed_auth_per_minute: 10,
            token_expiry_days: 365,
            max_redirects: 5,
            allow_loopback: false,
            allow_private_addresses: false,
        }
    }
}

/// One `[[feeds]]` entry: an association's published file, pulled on a schedule and applied as
/// a complete member list (like a `PUT`, mass-deletion guard included).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSection {
    /// The association (a vocabulary body id).
    pub association: String,
    /// `http://` or `https://` URL of the feed.
    pub url: String,
    /// `jsonl`, `json` or `csv`; by default from the response's content type or the URL.
    #[serde(default)]
    pub format: Option<String>,
    /// Minutes between pulls.
    #[serde(default = "default_pull_interval")]
    pub interval_minutes: u64,
}

fn default_pull_interval() -> u64 {
    60
}

/// `[limits]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub max_query_chars: usize,
    pub max_filter_values: usize,
    pub max_per_page: usize,
    pub max_window: usize,
    pub max_radius_km: f64,
}

impl Config {
    /// Loads `path` (or the built-in defaults), applies `STILLPOINT_*` overrides from `env`, and
    /// validates the result.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let (text, origin, base_dir) = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                let base = path.parent().map(Path::to_path_buf);
                (text, path.display().to_string(), base)
            }
            None => (
                DEFAULT_CONFIG.to_owned(),
                "built-in configuration".to_owned(),
                None,
            ),
        };
        let parse_error = |source| ConfigError::Parse {
            origin: origin.clone(),
            source: Box::new(source),
        };
        let mut table: toml::Table = toml::from_str(&text).map_err(parse_error)?;
        env::apply_overrides(&mut table, env)?;
        let mut config: Config = table.try_into().map_err(parse_error)?;
        config.base_dir = base_dir;
        config.validate()?;
        Ok(config)
    }

    /// Checks the ranges that serde's types cannot express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        let mut check = |ok: bool, message: &str| {
            if !ok {
                problems.push(message.to_owned());
            }
        };
        check(
            self.index.writer_memory_mb >= 16,
            "index.writer_memory_mb must be at least 16",
        );
        check(
            self.index.writer_memory_mb <= 16_384,
            "index.writer_memory_mb must be at most 16384",
        );
        check(
            self.ingest.max_record_bytes >= 1024,
            "ingest.max_record_bytes must be at least 1024",
        );
        check(
            self.ingest.fetch_timeout_secs >= 1,
            "ingest.fetch_timeout_secs must be at least 1",
        );
        check(
            (0.0..=100.0).contains(&self.ingest.max_removal_percent),
            "ingest.max_removal_percent must be between 0 and 100",
        );
        check(
            self.limits.max_query_chars >= 1,
            "limits.max_query_chars must be at least 1",
        );
        check(
            (1..=1000).contains(&self.limits.max_per_page),
            "limits.max_per_page must be between 1 and 1000",
        );
        check(
            self.limits.max_window >= self.limits.max_per_page,
            "limits.max_window must be at least limits.max_per_page",
        );
        check(
            self.limits.max_radius_km > 0.0 && self.limits.max_radius_km <= 20_016.0,
            "limits.max_radius_km must be in (0, 20016]",
        );
        let server = &self.server;
        check(
            (1..=1024).contains(&server.max_concurrent_searches),
            "server.max_concurrent_searches must be between 1 and 1024",
        );
        check(
            server.search_threads <= 1024,
            "server.search_threads must be at most 1024 (0: one per core)",
        );
        check(
            server.record_cache_mb <= 1 << 20,
            "server.record_cache_mb must be at most 1048576 (1 TiB)",
        );
        check(
            server.match_cache_mb <= 1 << 20,
            "server.match_cache_mb must be at most 1048576 (1 TiB)",
        );
        check(
            server.search_queue_ms <= 60_000,
            "server.search_queue_ms must be at most 60000",
        );
        check(
            (1..=3600).contains(&server.request_timeout_secs),
            "server.request_timeout_secs must be between 1 and 3600",
        );
        check(
            server.max_body_bytes >= 1,
            "server.max_body_bytes must be at least 1",
        );
        check(
            server.rate_limit_per_second == 0 || server.rate_limit_burst >= 1,
            "server.rate_limit_burst must be at least 1 when server.rate_limit_per_second is set",
        );
        check(
            (10..=60_000).contains(&server.reload_interval_ms),
            "server.reload_interval_ms must be between 10 and 60000",
        );
        let publishing = &self.publishing;
        check(
            publishing.max_body_bytes >= 1024,
            "publishing.max_body_bytes must be at least 1024",
        );
        check(
            (1..=86_400).contains(&publishing.request_timeout_secs),
            "publishing.request_timeout_secs must be between 1 and 86400",
        );
        check(
            publishing.failed_auth_per_minute >= 1,
            "publishing.failed_auth_per_minute must be at least 1",
        );
        check(
            (1..=3650).contains(&publishing.token_expiry_days),
            "publishing.token_expiry_days must be between 1 and 3650",
        );
        check(
            publishing.max_redirects <= 20,
            "publishing.max_redirects must be at most 20",
        );
        let mut pulled = std::collections::BTreeSet::new();
        for (n, feed) in self.feeds.iter().enumerate() {
            let at = format!("feeds[{n}] ({})", feed.association);
            let url = feed.url.to_ascii_lowercase();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                problems.push(format!("{at}: url must be http:// or https://"));
            }
            if !(1..=10_080).contains(&feed.interval_minutes) {
                problems.push(format!(
                    "{at}: interval_minutes must be between 1 and 10080"
                ));
            }
            if let Some(format) = &feed.format
                && !matches!(format.as_str(), "jsonl" | "json" | "csv")
            {
                problems.push(format!("{at}: format must be jsonl, json or csv"));
            }
            if !pulled.insert(feed.association.as_str()) {
                problems.push(format!("{at}: the association has another feed"));
            }
        }
        for origin in &server.cors_origins {
            if origin != "*" && !(origin.starts_with("http://") || origin.starts_with("https://")) {
                problems.push(format!(
                    "server.cors_origins: {origin:?} is not an origin (https://host[:port] or *)"
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems.join("; ")))
        }
    }

    /// A path from the configuration file, resolved against the file's directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        match &self.base_dir {
            Some(base) if path.is_relative() => base.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// Loads the vocabulary the configuration names, or the built-in one.
    pub fn load_vocabulary(&self) -> Result<Vocabulary, ConfigError> {
        match &self.vocabulary {
            Some(path) => {
                let path = self.resolve(path);
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                Vocabulary::from_toml_str(&text).map_err(|source| ConfigError::Vocabulary {
                    origin: path.display().to_string(),
                    source,
                })
            }
            None => Vocabulary::from_toml_str(DEFAULT_VOCABULARY).map_err(|source| {
                ConfigError::Vocabulary {
                    origin: "built-in vocabulary".into(),
                    source,
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn shipped_configuration_parses_and_validates() {
        let config =
            Config::load(Some(Path::new("../../config/stillpoint.toml")), vars(&[])).unwrap();
        assert_eq!(config.limits.max_per_page, 100);
        assert_eq!(config.server.listen.port(), 7700);
    }

    #[test]
    fn shipped_vocabulary_loads() {
        let config = Config::load(None, vars(&[])).unwrap();
        let vocabulary = config.load_vocabulary().unwrap();
        for id in [
            "upledger", "iahp", "bcta-na", "csta-uk", "ctet", "cnhc", "ncbtmb",
        ] {
            assert!(vocabulary.body_by_id(id).is_some(), "body {id}");
        }
        for (name, id) in [
            ("TMJ", "tmj"),
            ("jaw pain", "tmj"),
            ("TMD", "tmj"),
            ("migraines", "headaches-migraines"),
        ] {
            assert_eq!(
                vocabulary.specialty(name).map(|t| t.id.as_str()),
                Some(id),
                "{name}"
            );
        }
        let upledger = vocabulary.body_by_id("upledger").unwrap();
        assert!(vocabulary.vouches("iahp", upledger));
        assert!(!vocabulary.contraindications_in("brain aneurysm").is_empty());
        // Every term of the shipped notices finds its notice, alone and inside a sentence.
        for c in &vocabulary.contraindications {
            for term in &c.terms {
                for text in [term.clone(), format!("after a {term}, what helps?")] {
                    let found = vocabulary.contraindications_in(&text);
                    assert!(found.iter().any(|f| f.id == c.id), "{text:?} -> {}", c.id);
                }
            }
        }
    }

    #[test]
    fn environment_overrides_the_file() {
        let config = Config::load(
            None,
            vars(&[
                ("STILLPOINT_INDEX_DIR", "/tmp/elsewhere"),
                ("STILLPOINT_LIMITS_MAX_PER_PAGE", "50"),
                ("STILLPOINT_SERVER_LISTEN", "0.0.0.0:8080"),
                ("PATH", "/usr/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(config.index.dir, PathBuf::from("/tmp/elsewhere"));
        assert_eq!(config.limits.max_per_page, 50);
        assert_eq!(config.server.listen.port(), 8080);
    }

    #[test]
    fn shipped_server_section_matches_the_defaults() {
        let config = Config::load(None, vars(&[])).unwrap();
        let shipped = serde_json::to_value(&config.server).unwrap();
        let defaults = serde_json::to_value(ServerSection::default()).unwrap();
        assert_eq!(
            shipped, defaults,
            "config/stillpoint.toml and ServerSection::default"
        );
    }

    #[test]
    fn a_server_section_with_only_listen_takes_the_defaults() {
        let config: Config = toml::from_str(&DEFAULT_CONFIG.replace(
            &DEFAULT_CONFIG[DEFAULT_CONFIG.find("[server]").unwrap()
                ..DEFAULT_CONFIG.find("[ingest]").unwrap()],
            "[server]\nlisten = \"127.0.0.1:9000\"\n\n",
        ))
        .unwrap();
        assert_eq!(config.server.listen.port(), 9000);
        assert_eq!(config.server.max_concurrent_searches, 8);
        config.validate().unwrap();
    }

    #[test]
    fn cors_origins_come_from_a_comma_separated_variable() {
        let config = Config::load(
            None,
            vars(&[(
                "STILLPOINT_SERVER_CORS_ORIGINS",
                "https://a.example, https://b.example",
            )]),
        )
        .unwrap();
        assert_eq!(
            config.server.cors_origins,
            ["https://a.example", "https://b.example"]
        );
        let err = Config::load(
            None,
            vars(&[("STILLPOINT_SERVER_CORS_ORIGINS", "a.example")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("cors_origins"), "{err}");
    }

    #[test]
    fn server_limits_out_of_range_are_rejected() {
        for (name, value, key) in [
            (
                "STILLPOINT_SERVER_MAX_CONCURRENT_SEARCHES",
                "0",
                "max_concurrent_searches",
            ),
            (
                "STILLPOINT_SERVER_REQUEST_TIMEOUT_SECS",
                "0",
                "request_timeout_secs",
            ),
            (
                "STILLPOINT_SERVER_RELOAD_INTERVAL_MS",
                "1",
                "reload_interval_ms",
            ),
            (
                "STILLPOINT_SERVER_RECORD_CACHE_MB",
                "1048577",
                "record_cache_mb",
            ),
            (
                "STILLPOINT_SERVER_MATCH_CACHE_MB",
                "1048577",
                "match_cache_mb",
            ),
        ] {
            let err = Config::load(None, vars(&[(name, value)])).unwrap_err();
            assert!(err.to_string().contains(key), "{err}");
        }
    }

    #[test]
    fn unknown_environment_key_is_an_error_naming_it() {
        let err = Config::load(None, vars(&[("STILLPOINT_LIMITS_MAX_PAGE", "5")])).unwrap_err();
        assert!(
            err.to_string().contains("STILLPOINT_LIMITS_MAX_PAGE"),
            "{err}"
        );
    }

    #[test]
    fn out_of_range_values_are_rejected() {
        let err = Config::load(None, vars(&[("STILLPOINT_LIMITS_MAX_PER_PAGE", "0")])).unwrap_err();
        assert!(err.to_string().contains("max_per_page"), "{err}");
    }

    #[test]
    fn unknown_keys_in_a_file_are_rejected() {
        let dir = std::env::temp_dir().join(format!("stillpoint-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        std::fs::write(
            &path,
            DEFAULT_CONFIG.replace("[server]", "[server]\nlisten_port = 1"),
        )
        .unwrap();
        let err = Config::load(Some(&path), vars(&[])).unwrap_err();
        assert!(err.to_string().contains("listen_port"), "{err}");
        std::fs::remove_dir_all(dir).ok();
    }
}
