//! The one place that knows how practitioners live in tantivy: the schema, the tokenizers, the
//! geo cells, and the mapping from a [`Practitioner`] to a document and back. The write path
//! (`stillpoint-ingest`) and the read path (the search core) both go through it, so they cannot
//! disagree on a field name or a tokenizer.
//!
//! The index lives in `<state dir>/tantivy/`; the state directory also holds the publication
//! store (`stillpoint-publish`), which records in each commit's payload what the index contains.
//! Every document carries a content hash of its stored record, so a republished member that did
//! not change is left alone ([`PractitionerIndex::members`] reads them back).
//!
//! ```
//! use stillpoint_index::PractitionerIndex;
//!
//! let index = PractitionerIndex::create_in_ram().unwrap();
//! assert_eq!(index.num_practitioners().unwrap(), 0);
//! ```
//!
//! [`Practitioner`]: stillpoint_model::Practitioner

mod document;
mod error;
pub mod geo;
mod index;
mod lock;
mod members;
mod schema;
mod stem;

pub use document::{DocumentMapper, StoredRecord, practitioner_from_stored};
pub use error::{IndexError, Result};
pub use index::{PractitionerIndex, PractitionerWriter, PreparedCommit, TANTIVY_DIR};
pub use lock::{WriterLock, lock_index_dir};
pub use members::{Members, association_counts_at};
pub use schema::{
    Fields, SCHEMA_VERSION, TEXT_TOKENIZER, build_schema, index_settings, register_tokenizers,
};

/// Re-exported so the search core and ingest use the same tantivy version as the schema.
pub use tantivy;
