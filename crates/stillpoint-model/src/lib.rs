//! Stillpoint's domain model: what a practitioner listing is, in the shape associations publish it
//! ([`feed`]) and in the validated, normalised shape the directory stores and serves
//! ([`practitioner`]), plus the controlled [`vocabulary`] both are interpreted through.
//!
//! This crate does no I/O and knows nothing of tantivy or HTTP: every other crate builds on it, so
//! it stays small and pure. Normalising a feed record into a practitioner (which needs the
//! gazetteer) happens in `stillpoint-ingest`.
//!
//! ```
//! use stillpoint_model::vocabulary::Vocabulary;
//!
//! let vocabulary = Vocabulary::from_toml_str(r#"
//!     [practice]
//!     label = "Craniosacral therapy"
//!     terms = ["craniosacral", "cranial sacral"]
//!     [[approaches]]
//!     id = "biodynamic"
//!     label = "Biodynamic"
//!     [[approaches]]
//!     id = "biomechanical"
//!     label = "Biomechanical"
//!     [[approaches]]
//!     id = "integrative"
//!     label = "Integrative"
//!     [[specialties]]
//!     id = "tmj"
//!     label = "TMJ and jaw disorders"
//!     group = "condition"
//!     synonyms = ["jaw pain", "TMD"]
//! "#).unwrap();
//! assert_eq!(vocabulary.specialty("Jaw  Pain").map(|s| s.id.as_str()), Some("tmj"));
//! ```

pub mod codes;
pub mod date;
pub mod feed;
pub mod practitioner;
pub mod text;
pub mod vocabulary;

pub use feed::{FeedContact, FeedCredential, FeedFees, FeedLocation, FeedRecord};
pub use practitioner::{
    Contact, Credential, Fees, GeoPoint, Location, PointSource, Practitioner, PractitionerId,
    Visibility,
};
pub use vocabulary::Vocabulary;
