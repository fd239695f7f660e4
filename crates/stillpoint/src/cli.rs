//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stillpoint: a directory search engine for craniosacral therapy practitioners.
#[derive(Debug, Parser)]
#[command(name = "stillpoint", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Configuration file (default: the built-in copy of config/stillpoint.toml).
    #[arg(long, global = true, env = "STILLPOINT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// State directory holding the index (overrides the configuration's index.dir).
    #[arg(long, global = true, value_name = "DIR")]
    pub index: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate demo feeds for several associations and ingest them.
    Demo(DemoArgs),
    /// Write a deterministic, realistic demo feed.
    Generate(GenerateArgs),
    /// Ingest an association's feed into the index.
    Ingest(IngestArgs),
    /// Resolve a place name or postal code with the embedded gazetteer.
    Geocode(GeocodeArgs),
    /// Print one practitioner as stored in the index.
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Practitioners in the whole demo, spread over the associations.
    #[arg(long, default_value_t = 5_000)]
    pub count: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FeedFormatArg {
    Jsonl,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of practitioners.
    #[arg(long, default_value_t = 100)]
    pub count: usize,
    /// Seed: the same seed gives the same feed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Publishing association (a vocabulary body id).
    #[arg(long)]
    pub association: String,
    #[arg(long, value_enum, default_value_t = FeedFormatArg::Jsonl)]
    pub format: FeedFormatArg,
    /// Output file (default: standard output).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Publishing association (a vocabulary body id); ids become `<association>:<member_id>`.
    #[arg(long)]
    pub association: String,
    /// The feed is the complete member list: members it does not list are removed.
    #[arg(long)]
    pub replace: bool,
    /// With --replace, allow removing more than ingest.max_removal_percent of the members.
    #[arg(long, requires = "replace")]
    pub allow_mass_delete: bool,
    /// Validate and report without changing the index.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the full report (every rejection and warning) as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Feed format (default: from the file name or content type, else detected).
    #[arg(long, value_enum)]
    pub format: Option<FeedFormatArg>,
    /// Feed: a file, `-` for standard input, or an http(s) URL.
    pub feed: String,
}

#[derive(Debug, Args)]
pub struct GeocodeArgs {
    /// "Boulder, CO", "80302", "Zürich", "Paris, FR"...
    pub place: String,
    /// Most candidates to print.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Practitioner id, `<association>:<member_id>`.
    pub id: String,
}
