//! Publications: how an association's member list gets into the index, durably.
//!
//! Associations are the only source of truth for their members, and an accepted publication
//! must never be lost. This crate owns:
//!
//! - the **publication store** (`<state>/publications/`): every accepted publication, its body
//!   byte for byte and its report, fsync'd before the index commit that applies it;
//! - **applying** a publication to the tantivy index in one atomic commit ([`Publisher`]):
//!   replace, upsert or delete, the mass-deletion guard, dry runs, unchanged members left alone;
//! - **recovery**: a publication stored but not committed (a crash, a failed commit) is applied
//!   by the next publication or at start;
//! - **rebuild** ([`rebuild`]): a new index from every stored publication (after a schema or
//!   vocabulary change), swapped in for the current one;
//! - the **audit log** (`<state>/audit.jsonl`): who published what and when;
//! - the last **pull** of each association's feed ([`PullRecord`]).
//!
//! # The invariant
//!
//! Every commit records in its payload, per association, the sequence number of the last
//! publication it contains (`{"version":1,"applied":{"upledger":12}}`). Under the index writer
//! lock, the publisher **first brings the index up to the store, then applies** the new
//! publication: stored publications beyond the payload are applied in order, one commit each.
//! A publication is stored (and fsync'd) before its commit, and tantivy commits are atomic, so
//! after a crash at any moment the index holds exactly the publications of its payload, each
//! whole, and the store holds every publication that was answered with success, and the next
//! writer closes the gap. Readers see one publication entirely or not at all.
//!
//! ```no_run
//! use std::io::Write;
//! use std::sync::Arc;
//! use stillpoint_index::PractitionerIndex;
//! use stillpoint_publish::{Action, Actor, ActorKind, Body, Publication, PublishSettings, Publisher};
//! # fn vocabulary() -> stillpoint_model::Vocabulary { unimplemented!() }
//!
//! let state = std::path::Path::new("index");
//! let index = PractitionerIndex::open_or_create(state)?;
//! let publisher = Publisher::open(state, index, Arc::new(vocabulary()), PublishSettings::default())?;
//! let mut spool = publisher.incoming()?;
//! spool.write_all(b"{\"member_id\":\"A-1\",\"name\":\"Ana\",\"locations\":[{\"city\":\"Boulder\",\"region\":\"CO\",\"country\":\"US\"}]}\n")?;
//! let report = publisher.publish(Publication {
//!     association: "bcta-na".into(),
//!     action: Action::Replace,
//!     body: Some(Body::new(spool, None)),
//!     dry_run: false,
//!     allow_mass_delete: false,
//!     actor: Actor { kind: ActorKind::Token, id: "tok_1".into(), label: None },
//! })?;
//! assert_eq!(report.accepted, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! See `docs/publishing.md` for the layout on disk and why it is crash-safe.

mod apply;
mod audit;
mod error;
mod payload;
mod publication;
mod publisher;
mod pull;
pub mod puller;
mod rebuild;
mod report;
mod spool;
mod store;

#[cfg(test)]
mod tests;

pub use audit::{AUDIT_FILE, AuditEvent, AuditOutcome, read_audit_log};
pub use error::{PublishError, Result};
pub use publication::{Action, Actor, ActorKind, Body, Publication};
pub use publisher::{AssociationStatus, PublicationSummary, Publisher};
pub use pull::{PullOutcome, PullRecord};
pub use puller::Feed;
pub use rebuild::{
    AssociationRebuild, OLD_DIR, PreviousIndex, REBUILD_DIR, RebuildReport, SkippedPublication,
    rebuild,
};
pub use report::{Counts, Problem, PublishReport};
pub use spool::{BodyDigest, Spool};
pub use store::PUBLICATIONS_DIR;

/// How publications are applied.
#[derive(Debug, Clone)]
pub struct PublishSettings {
    /// Index writer memory budget (`index.writer_memory_mb`).
    pub writer_memory_bytes: usize,
    /// Largest single record (`ingest.max_record_bytes`).
    pub max_record_bytes: usize,
    /// Share of an association's members a replace may remove without `allow_mass_delete`
    /// (`ingest.max_removal_percent`).
    pub max_removal_percent: f64,
    /// Rejections and warnings listed in a report, each (stored and returned); the others are
    /// counted in `rejections_truncated` / `warnings_truncated`. Bounds the memory and the
    /// stored report of a hostile body; the command line lifts it for `--report-json`.
    pub max_problems: usize,
}

impl Default for PublishSettings {
    fn default() -> Self {
        PublishSettings {
            writer_memory_bytes: 256 << 20,
            max_record_bytes: 1 << 20,
            max_removal_percent: 20.0,
            max_problems: 1_000,
        }
    }
}
