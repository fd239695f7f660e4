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

/// `[server]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    pub listen: SocketAddr,
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
