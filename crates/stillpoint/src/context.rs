//! Configuration as the commands see it: file < environment < flags.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use stillpoint_config::Config;
use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::PractitionerIndex;
use stillpoint_model::Vocabulary;
use stillpoint_search::{Limits, SearchEngine};

use crate::cli::GlobalArgs;

/// The loaded configuration and vocabulary.
pub struct Context {
    pub config: Config,
    pub vocabulary: Arc<Vocabulary>,
}

impl Context {
    pub fn load(global: &GlobalArgs) -> anyhow::Result<Context> {
        let mut config = Config::load(global.config.as_deref(), std::env::vars())
            .context("loading the configuration")?;
        if let Some(dir) = &global.index {
            config.index.dir = dir.clone();
        }
        let vocabulary = config.load_vocabulary().context("loading the vocabulary")?;
        Ok(Context {
            config,
            vocabulary: Arc::new(vocabulary),
        })
    }

    /// The state directory.
    pub fn state_dir(&self) -> PathBuf {
        self.config.index.dir.clone()
    }

    pub fn open_or_create_index(&self) -> anyhow::Result<PractitionerIndex> {
        let dir = self.state_dir();
        PractitionerIndex::open_or_create(&dir)
            .with_context(|| format!("opening the index in {}", dir.display()))
    }

    pub fn open_index(&self) -> anyhow::Result<PractitionerIndex> {
        Ok(PractitionerIndex::open(&self.state_dir())?)
    }

    /// A search engine over `index` with the configured vocabulary and limits.
    pub fn engine(&self, index: &PractitionerIndex) -> anyhow::Result<SearchEngine> {
        Ok(SearchEngine::new(
            index,
            self.vocabulary.clone(),
            Gazetteer::embedded(),
            search_limits(&self.config.limits),
        )?)
    }
}

/// How feeds are fetched from URLs (`stillpoint pull`, the server's scheduled pulls): the
/// `[ingest]` limits and the `[publishing]` address guard.
pub fn fetch_policy(config: &Config) -> stillpoint_fetch::FetchPolicy {
    let timeout = std::time::Duration::from_secs(config.ingest.fetch_timeout_secs);
    stillpoint_fetch::FetchPolicy {
        max_redirects: config.publishing.max_redirects,
        allow_loopback: config.publishing.allow_loopback,
        allow_private: config.publishing.allow_private_addresses,
        ..stillpoint_fetch::FetchPolicy::new(timeout, config.ingest.max_feed_bytes)
    }
}

/// The configured `[[feeds]]`, each with its pull interval; every association must be a body of
/// the vocabulary.
pub fn feeds(
    config: &Config,
    vocabulary: &Vocabulary,
) -> anyhow::Result<Vec<(stillpoint_publish::Feed, std::time::Duration)>> {
    config
        .feeds
        .iter()
        .map(|feed| {
            if vocabulary.body_by_id(&feed.association).is_none() {
                anyhow::bail!(
                    "feeds: {:?} is not a body of the vocabulary",
                    feed.association
                );
            }
            let format = feed.format.as_deref().map(|f| match f {
                "csv" => stillpoint_ingest::Format::Csv,
                "json" => stillpoint_ingest::Format::Json,
                _ => stillpoint_ingest::Format::JsonLines,
            });
            Ok((
                stillpoint_publish::Feed {
                    association: feed.association.clone(),
                    url: feed.url.clone(),
                    format,
                },
                std::time::Duration::from_secs(feed.interval_minutes * 60),
            ))
        })
        .collect()
}

/// The configuration's `[limits]` as the engine's bounds.
pub fn search_limits(config: &stillpoint_config::Limits) -> Limits {
    Limits {
        max_query_chars: config.max_query_chars,
        max_filter_values: config.max_filter_values,
        max_limit: config.max_per_page,
        max_window: config.max_window,
        max_radius_km: config.max_radius_km,
        // Not configurable (yet): the engine's own bound.
        ..Limits::default()
    }
}
