//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use stillpoint_search::request::{DEFAULT_FACET_SIZE, DEFAULT_LIMIT};
use stillpoint_search::{BoundingBox, Distance, Facet, Sort};

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
    /// Search the index: free text, a place and radius, filters, facet counts.
    Search(Box<SearchArgs>),
    /// Serve the HTTP API over the index until SIGTERM or Ctrl-C.
    Serve(ServeArgs),
    /// Manage the tokens associations publish with.
    Token(TokenArgs),
    /// Recreate the whole index from the publication store (after a schema change).
    Rebuild(RebuildArgs),
    /// Pull the configured association feeds now.
    Pull(PullArgs),
    /// Merge the index's segments into one (after a bulk load: searches walk each segment on
    /// its own). A running server picks the result up like any commit.
    Compact,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for an association and print it (once: only its hash is kept).
    Create(TokenCreateArgs),
    /// List tokens: id, association, label, created, expires, last used (never the secret).
    List(TokenListArgs),
    /// Revoke a token by id; requests carrying it are refused from then on.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The association the token publishes for (a vocabulary body id).
    #[arg(long, value_name = "ID")]
    pub association: String,
    /// Validity, e.g. `365d`, `12h`, `90d` (default: the configuration's
    /// publishing.token_expiry_days).
    #[arg(long, value_name = "DURATION")]
    pub expires: Option<String>,
    /// A note for people: who holds the token, what it is for.
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's id (from `token create` or `token list`).
    pub id: String,
}

#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// Build and check the new index, but keep the current one.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// Pull only this association's feed (default: every configured feed).
    #[arg(long, value_name = "ID")]
    pub association: Option<String>,
    /// Print the reports as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides the configuration's server.listen; port 0 picks a free
    /// port). The bound address is printed at start.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Validate the configuration and exit: 0 when it is valid, 1 when not.
    #[arg(long)]
    pub check_config: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Practitioners in the whole demo, spread over the associations.
    #[arg(long, default_value_t = 5_000)]
    pub count: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Stop after building the index instead of serving it.
    #[arg(long)]
    pub no_serve: bool,
    /// Address the server listens on (default: the configuration's server.listen).
    #[arg(long, value_name = "ADDR", conflicts_with = "no_serve")]
    pub listen: Option<std::net::SocketAddr>,
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

/// Every field of a search request as a flag. The engine validates the combination and reports
/// every invalid parameter at once; only the textual forms are parsed here.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Free text: every word must match (synonyms, stemming and small typos allowed).
    pub query: Option<String>,

    /// Centre: a place or postal code ("Boulder, CO", "80302", "Zürich").
    #[arg(long, value_name = "PLACE", help_heading = "Where")]
    pub near: Option<String>,
    /// Centre latitude, with --lon.
    #[arg(long, allow_negative_numbers = true, help_heading = "Where")]
    pub lat: Option<f64>,
    /// Centre longitude, with --lat.
    #[arg(long, allow_negative_numbers = true, help_heading = "Where")]
    pub lon: Option<f64>,
    /// Only practitioners within this distance of the centre: 25km, 10mi, 800m.
    #[arg(long, value_name = "DISTANCE", help_heading = "Where")]
    pub radius: Option<Distance>,
    /// Only practitioners with a location in this box (may cross the antimeridian).
    #[arg(
        long,
        value_name = "MIN_LON,MIN_LAT,MAX_LON,MAX_LAT",
        allow_hyphen_values = true,
        help_heading = "Where"
    )]
    pub bbox: Option<BoundingBox>,

    /// Approach (id, label or synonym); repeat for any of several.
    #[arg(long, value_name = "VALUE", help_heading = "Filters")]
    pub approach: Vec<String>,
    /// Certification body; repeatable.
    #[arg(long, value_name = "VALUE", help_heading = "Filters")]
    pub body: Vec<String>,
    /// Credential as body:credential (e.g. upledger:CST-D) or a bare credential; repeatable.
    #[arg(long, value_name = "VALUE", help_heading = "Filters")]
    pub credential: Vec<String>,
    /// Profession; repeatable.
    #[arg(long, value_name = "VALUE", help_heading = "Filters")]
    pub profession: Vec<String>,
    /// Specialty (id, label or synonym: "jaw pain"); repeatable.
    #[arg(long, value_name = "VALUE", help_heading = "Filters")]
    pub specialty: Vec<String>,
    /// Technique; repeatable.
    #[arg(long, value_name = "VALUE", help_heading = "Filters")]
    pub technique: Vec<String>,
    /// Language, ISO 639-1 code (en, de); repeatable.
    #[arg(long, value_name = "CODE", help_heading = "Filters")]
    pub language: Vec<String>,
    /// Country, ISO 3166-1 alpha-2 code (US, GB); repeatable.
    #[arg(long, value_name = "CODE", help_heading = "Filters")]
    pub country: Vec<String>,
    /// Region as country-region (US-CO); repeatable.
    #[arg(long, value_name = "CODE", help_heading = "Filters")]
    pub region: Vec<String>,
    /// Only the members this association publishes (its own directory).
    #[arg(long, value_name = "ID", help_heading = "Filters")]
    pub association: Option<String>,
    /// Accepting new clients (--accepting=false: not accepting).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", help_heading = "Filters")]
    pub accepting: Option<bool>,
    /// Offers home visits.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", help_heading = "Filters")]
    pub home_visits: Option<bool>,
    /// Has a wheelchair-accessible location.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", help_heading = "Filters")]
    pub wheelchair: Option<bool>,
    /// Offers a sliding scale.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", help_heading = "Filters")]
    pub sliding_scale: Option<bool>,
    /// Lowest fee at most this (in the practitioner's currency).
    #[arg(long, value_name = "AMOUNT", help_heading = "Filters")]
    pub fee_max: Option<f64>,
    /// Only credentials verified by their issuing body count.
    #[arg(long, help_heading = "Filters")]
    pub verified: bool,

    /// Order: relevance (default with a query), distance (default with a centre), name.
    #[arg(long, help_heading = "Results")]
    pub sort: Option<Sort>,
    /// Facet counts to return, comma-separated, or `none` (default: all).
    #[arg(long, value_name = "FACETS", value_parser = parse_facets, help_heading = "Results")]
    pub facets: Option<FacetSelection>,
    /// Most values per facet.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_FACET_SIZE, help_heading = "Results")]
    pub facet_size: usize,
    /// Results per page.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT, help_heading = "Results")]
    pub limit: usize,
    /// Results to skip.
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Results")]
    pub offset: usize,
    /// Continue after a previous page (its next_cursor).
    #[arg(long, value_name = "TOKEN", help_heading = "Results")]
    pub cursor: Option<String>,
    /// Print the response as JSON.
    #[arg(long, help_heading = "Results")]
    pub json: bool,
}

/// The facets of `--facets`: a list, or none at all.
#[derive(Debug, Clone, PartialEq)]
pub struct FacetSelection(pub Vec<Facet>);

fn parse_facets(text: &str) -> Result<FacetSelection, String> {
    if text.trim() == "none" {
        return Ok(FacetSelection(Vec::new()));
    }
    text.split(',')
        .map(|name| name.trim().parse::<Facet>())
        .collect::<Result<Vec<_>, _>>()
        .map(FacetSelection)
}
