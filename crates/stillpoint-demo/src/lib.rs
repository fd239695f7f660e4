//! Deterministic, realistic demo feeds: practitioner listings as an association would publish
//! them, for `stillpoint generate`, `stillpoint demo` and the benchmarks.
//!
//! This crate owns the demo's *distribution*: where practitioners live (cities by population,
//! weighted towards countries with CST directories and biased by the publishing association),
//! what they are called, which approach, credentials, specialties, fees and languages they list,
//! and how often a feed exercises ingest's edge cases (labels and synonyms instead of ids,
//! locations without coordinates, home practices with a street address that must be hidden,
//! unknown professions). It knows nothing about ingest or the index; it only writes
//! [`FeedRecord`](stillpoint_model::FeedRecord)s.
//!
//! Same vocabulary, cities, seed, association and count give byte-identical output: the only
//! source of randomness is a seeded ChaCha8 RNG and no clock is read (dates are relative to a
//! fixed publication date, 2026-11-01). Records are generated one at a time, so a million-record
//! feed streams in constant memory.
//!
//! Cities come from the caller through [`CityInput`]: pass `Gazetteer::embedded().cities()` as it
//! is, or [`BUILTIN_CITIES`] (a few dozen real cities) where no gazetteer is at hand.
//!
//! # The distribution, in brief
//! - Where: cities by population within three groups with fixed shares (the association's home
//!   countries, the other CST countries, the rest of the world); see `places.rs`. `csta-uk`,
//!   `ctet`, `cnhc` -> GB/IE; `bcta-na` -> US/CA; `upledger`, `iahp` -> 55% US; a body with a
//!   country in the vocabulary -> that country; anyone else -> the CST countries.
//! - 1-3 locations (75/20/5%), extras in the same city or a town within 25 km; ~60% with
//!   coordinates, the rest city + region (+ postal code outside North America); ~10% home
//!   practices (`visibility: "city"`, street address still in the feed); ~30% wheelchair access.
//! - Approach: biodynamic 40%, biomechanical 35%, integrative 15%, unspecified 10%, shifted to
//!   70% of its own approach for an association whose credentials all follow one approach.
//! - Credentials: ~85% from the association's own (verifiable) bodies, else a claim from a body
//!   of the same approach; ~20% carry a second one (a national registry or board, or a training).
//! - ~10% of specialty values (5% of professions and techniques) are labels or synonyms rather
//!   than ids; ~1% of records add a profession the vocabulary does not know.
//!
//! ```
//! use stillpoint_demo::{BUILTIN_CITIES, FeedFormat, GenerateOptions, Generator, generate};
//! use stillpoint_model::vocabulary::Vocabulary;
//!
//! let vocabulary = Vocabulary::from_toml_str(r#"
//!     [practice]
//!     label = "Craniosacral therapy"
//!     terms = ["craniosacral"]
//!     [[approaches]]
//!     id = "biodynamic"
//!     label = "Biodynamic"
//!     [[approaches]]
//!     id = "biomechanical"
//!     label = "Biomechanical"
//!     [[approaches]]
//!     id = "integrative"
//!     label = "Integrative"
//! "#).unwrap();
//!
//! // In-process: an endless iterator.
//! let generator = Generator::new(&vocabulary, BUILTIN_CITIES, 42, "upledger");
//! let records: Vec<_> = generator.take(3).collect();
//! assert_eq!(records[2].member_id, "M-000003");
//!
//! // As a feed file.
//! let options = GenerateOptions {
//!     count: 3,
//!     seed: 42,
//!     association: "upledger".into(),
//!     format: FeedFormat::Jsonl,
//! };
//! let mut feed = Vec::new();
//! generate(&vocabulary, BUILTIN_CITIES, &options, &mut feed).unwrap();
//! assert_eq!(feed.iter().filter(|&&b| b == b'\n').count(), 3);
//! ```

mod builtin;
mod catalog;
mod cities;
mod locale;
mod location;
mod names;
mod places;
mod prose;
mod random;
mod record;
mod write;

use std::fmt;
use std::io;
use std::str::FromStr;

use stillpoint_model::vocabulary::Vocabulary;

pub use builtin::BUILTIN_CITIES;
pub use cities::{CityInput, CitySample};
pub use places::CST_COUNTRIES;
pub use record::Generator;

/// How a generated feed is serialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeedFormat {
    /// One JSON record per line.
    #[default]
    Jsonl,
    /// `CSV_HEADERS` then one row per location.
    Csv,
    /// One JSON array of records.
    Json,
}

impl FeedFormat {
    /// The conventional file extension.
    pub fn extension(self) -> &'static str {
        match self {
            FeedFormat::Jsonl => "jsonl",
            FeedFormat::Csv => "csv",
            FeedFormat::Json => "json",
        }
    }
}

impl fmt::Display for FeedFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// A format name that is none of `jsonl`, `csv`, `json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown feed format {:?} (expected jsonl, csv or json)",
            self.0
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for FeedFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<FeedFormat, UnknownFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Ok(FeedFormat::Jsonl),
            "csv" => Ok(FeedFormat::Csv),
            "json" => Ok(FeedFormat::Json),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

/// What `stillpoint generate` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Number of practitioners (a CSV feed has more rows: one per location).
    pub count: usize,
    pub seed: u64,
    /// The publishing association's vocabulary body id; it decides whose credentials verify and
    /// where members live.
    pub association: String,
    pub format: FeedFormat,
}

/// Writes a feed of `options.count` practitioners to `out`, streaming. `out` need not be
/// buffered.
pub fn generate<C: CityInput, W: io::Write>(
    vocabulary: &Vocabulary,
    cities: &[C],
    options: &GenerateOptions,
    out: W,
) -> io::Result<()> {
    let records =
        Generator::new(vocabulary, cities, options.seed, &options.association).take(options.count);
    write::write_records(records, options.format, out)
}
