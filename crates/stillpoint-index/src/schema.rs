//! The tantivy schema and its tokenizers.

use tantivy::index::{IndexSortByField, Order};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexSettings};

use crate::stem::TextTokenizer;

/// Bumped whenever a field or tokenizer changes, so an index built by an older build is rebuilt
/// (`stillpoint rebuild`) rather than misread. 2: `content_hash`. 3: `z_order`, by which every
/// segment is sorted.
pub const SCHEMA_VERSION: &str = "3";

/// Tokenizer of the full-text fields: split on non-alphanumerics, lowercase, fold accents, stem
/// (English).
pub const TEXT_TOKENIZER: &str = "stillpoint_text";

/// Handles on every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `association:member_id`; the unique key.
    pub id: Field,
    pub association: Field,
    /// The whole normalised practitioner as JSON, the only stored field.
    pub record: Field,
    /// Folded name, for sorting by name.
    pub name_sort: Field,

    // Full text, stemmed.
    pub name: Field,
    pub practice_name: Field,
    pub bio: Field,
    /// Values the vocabulary does not know (free-text professions, specialties, techniques).
    /// Known values are searched through their facet ids: the search core expands query words
    /// through the vocabulary's labels and synonyms at query time, so no document carries them.
    pub other_terms: Field,
    /// City and region names of every location.
    pub place: Field,

    // Facets: raw strings, fast, multi-valued.
    pub approach: Field,
    pub body: Field,
    /// `body:credential`.
    pub credential: Field,
    pub verified_body: Field,
    pub verified_credential: Field,
    pub profession: Field,
    pub specialty: Field,
    pub technique: Field,
    pub language: Field,
    pub country: Field,
    /// `{country}-{region_code}`.
    pub region: Field,

    // Flags (0 or 1), fast and indexed.
    pub accepting: Field,
    pub home_visits: Field,
    pub wheelchair: Field,
    pub sliding_scale: Field,
    pub verified: Field,

    // Numbers.
    pub fee_min: Field,
    pub fee_max: Field,
    pub home_visits_km: Field,
    /// Latitude of each location, in location order (multi-valued).
    pub lat: Field,
    /// Longitude of each location, in location order (multi-valued).
    pub lon: Field,
    /// Geo cell ids of every location at every level (see [`crate::geo`]).
    pub geo_cell: Field,
    /// Days since 1970-01-01 of `last_confirmed`.
    pub last_confirmed: Field,
    /// Hash of the stored record (see [`crate::StoredRecord`]): a republished member whose
    /// hash is unchanged is left alone instead of being deleted and re-added.
    pub content_hash: Field,
    /// The Z-order code of the first location ([`crate::geo::z_order`]; [`u64::MAX`] without
    /// one). The index keeps every segment sorted by it ([`index_settings`]), so an area's
    /// documents are a few runs of neighbouring doc ids: its postings decode a few blocks
    /// instead of all of them, and its stored documents share blocks.
    pub z_order: Field,
}

/// Builds the schema and the handles on its fields.
/// The name of [`Fields::z_order`].
const Z_ORDER: &str = "z_order";

/// The settings every index is created with:
/// - segments sorted by [`Fields::z_order`] (tantivy sorts a segment when it is written and
///   keeps merged segments sorted);
/// - stored records compressed in blocks of [`DOCSTORE_BLOCK_BYTES`].
pub fn index_settings() -> IndexSettings {
    IndexSettings {
        sort_by_field: Some(IndexSortByField {
            field: Z_ORDER.into(),
            order: Order::Asc,
        }),
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..IndexSettings::default()
    }
}

/// Uncompressed bytes per block of stored records. Reading one record decompresses its whole
/// block, and a page of hits reads records scattered over many blocks: tantivy's default
/// (16 KiB, some fifteen records) made decompression about 5% of a radius search's CPU. Four
/// records or so per block compress less well (the 1M bench index's stored records take 546 MB
/// instead of 364 MB).
pub const DOCSTORE_BLOCK_BYTES: usize = 4096;

pub fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Positions only where phrases are worth matching (names); long text gets frequencies only,
    // which keeps ingest within its throughput target.
    let text = |option: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT_TOKENIZER)
                .set_index_option(option),
        )
    };
    let phrases = IndexRecordOption::WithFreqsAndPositions;
    let words = IndexRecordOption::WithFreqs;
    // Exact-match strings: no field norms (nothing scores on them), raw tokenizer.
    let exact = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_fieldnorms(false)
            .set_index_option(IndexRecordOption::Basic),
    );
    let facet = exact.clone().set_fast("raw");
    let flag = INDEXED | FAST;
    let fields = Fields {
        id: builder.add_text_field("id", facet.clone()),
        association: builder.add_text_field("association", exact.clone()),
        record: builder.add_text_field("record", STORED),
        name_sort: builder.add_text_field("name_sort", TextOptions::default().set_fast("raw")),
        name: builder.add_text_field("name", text(phrases)),
        practice_name: builder.add_text_field("practice_name", text(phrases)),
        bio: builder.add_text_field("bio", text(words)),
        other_terms: builder.add_text_field("other_terms", text(words)),
        place: builder.add_text_field("place", text(words)),
        approach: builder.add_text_field("approach", facet.clone()),
        body: builder.add_text_field("body", facet.clone()),
        credential: builder.add_text_field("credential", facet.clone()),
        verified_body: builder.add_text_field("verified_body", facet.clone()),
        verified_credential: builder.add_text_field("verified_credential", facet.clone()),
        profession: builder.add_text_field("profession", facet.clone()),
        specialty: builder.add_text_field("specialty", facet.clone()),
        technique: builder.add_text_field("technique", facet.clone()),
        language: builder.add_text_field("language", facet.clone()),
        country: builder.add_text_field("country", facet.clone()),
        region: builder.add_text_field("region", facet),
        accepting: builder.add_u64_field("accepting", flag.clone()),
        home_visits: builder.add_u64_field("home_visits", flag.clone()),
        wheelchair: builder.add_u64_field("wheelchair", flag.clone()),
        sliding_scale: builder.add_u64_field("sliding_scale", flag.clone()),
        verified: builder.add_u64_field("verified", flag),
        fee_min: builder.add_f64_field("fee_min", FAST),
        fee_max: builder.add_f64_field("fee_max", FAST),
        home_visits_km: builder.add_f64_field("home_visits_km", FAST),
        lat: builder.add_f64_field("lat", FAST),
        lon: builder.add_f64_field("lon", FAST),
        geo_cell: builder.add_u64_field("geo_cell", INDEXED),
        last_confirmed: builder.add_i64_field("last_confirmed", FAST),
        content_hash: builder.add_u64_field("content_hash", FAST),
        z_order: builder.add_u64_field(Z_ORDER, FAST),
    };
    (builder.build(), fields)
}

/// Registers Stillpoint's tokenizers on an index; needed before writing or querying it.
pub fn register_tokenizers(index: &Index) {
    index
        .tokenizers()
        .register(TEXT_TOKENIZER, TextAnalyzer::from(TextTokenizer::default()));
}
