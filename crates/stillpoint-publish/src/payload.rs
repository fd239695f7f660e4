//! The commit payload: which publications the index contains.
//!
//! Every commit the publisher makes records, per association, the sequence number of the last
//! publication applied: `{"version":1,"applied":{"upledger":12,"iahp":3}}`. tantivy commits are
//! atomic and merges keep the payload, so the payload always describes exactly the committed
//! documents; the store holding a later number means that publication was stored but not
//! committed (a crash, a failed commit) and must be applied.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stillpoint_index::PractitionerIndex;

use crate::error::Result;

const VERSION: u32 = 1;

/// The last publication applied, per association.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Applied {
    version: u32,
    applied: BTreeMap<String, u64>,
}

impl Applied {
    /// The payload of the index's last commit. An index without one (new, or written only by
    /// plain ingests) or with one from elsewhere contains no publication.
    pub fn of(index: &PractitionerIndex) -> Result<Applied> {
        let payload = index.commit_payload()?;
        Ok(Self::parse(payload.as_deref()))
    }

    pub fn parse(payload: Option<&str>) -> Applied {
        let parsed = payload.map(serde_json::from_str::<Applied>);
        match parsed {
            Some(Ok(applied)) if applied.version == VERSION => applied,
            None => Applied::default(),
            Some(_) => {
                tracing::warn!(
                    payload,
                    "the index's commit payload is not the publication store's; every stored publication will be applied again"
                );
                Applied::default()
            }
        }
    }

    /// The last publication of `association` the index contains (0: none).
    pub fn get(&self, association: &str) -> u64 {
        self.applied.get(association).copied().unwrap_or(0)
    }

    pub fn set(&mut self, association: &str, seq: u64) {
        self.version = VERSION;
        self.applied.insert(association.to_owned(), seq);
    }

    pub fn to_json(&self) -> String {
        let mut applied = self.clone();
        applied.version = VERSION;
        serde_json::to_string(&applied).expect("a map of numbers serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_round_trips_and_a_foreign_one_means_nothing_applied() {
        let mut applied = Applied::default();
        applied.set("upledger", 12);
        applied.set("iahp", 3);
        let json = applied.to_json();
        assert_eq!(json, r#"{"version":1,"applied":{"iahp":3,"upledger":12}}"#);
        assert_eq!(Applied::parse(Some(&json)).get("upledger"), 12);
        assert_eq!(Applied::parse(Some("{\"x\":1}")).get("upledger"), 0);
        assert_eq!(Applied::parse(Some("not json")), Applied::default());
        assert_eq!(Applied::parse(None).get("iahp"), 0);
    }
}
