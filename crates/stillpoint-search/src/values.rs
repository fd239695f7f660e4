//! The facet values of the searcher's segments under shared ids, with their labels.
//!
//! Each segment numbers a facet column's values by its own ordinals. Merging the segments'
//! counts by value string cloned and hashed every nonzero value of every segment on every
//! search (nearly all of an unfiltered facet search); with every ordinal mapped once to an id
//! shared by the segments, the merge adds numbers in a vector, and only the values a response
//! shows are turned into strings. Ids follow the values' byte order, so ties between equal
//! counts break by id.

use std::sync::{Arc, Mutex, OnceLock};

use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::tantivy::index::SegmentId;
use stillpoint_model::Vocabulary;

use crate::columns::{FACET_COLUMNS, SegmentColumns};
use crate::error::Result;
use crate::render::label;
use crate::request::Facet;

/// The values of one facet column over the segments.
pub(crate) struct ColumnValues {
    /// Every value of any segment, in byte order: the index is the value's id.
    pub values: Vec<String>,
    /// The label of each value.
    pub labels: Vec<String>,
    /// Per segment (in the searcher's order), the id of each ordinal.
    pub ids: Vec<Vec<u32>>,
}

impl ColumnValues {
    fn build(
        facet: Facet,
        terms: &[&[String]],
        vocabulary: &Vocabulary,
        gazetteer: &Gazetteer,
    ) -> ColumnValues {
        let mut values: Vec<&String> = terms.iter().flat_map(|t| t.iter()).collect();
        values.sort_unstable();
        values.dedup();
        let ids = terms
            .iter()
            .map(|terms| {
                terms
                    .iter()
                    .map(|t| values.binary_search(&t).expect("every term is a value") as u32)
                    .collect()
            })
            .collect();
        ColumnValues {
            labels: values
                .iter()
                .map(|v| label(facet, v, vocabulary, gazetteer))
                .collect(),
            values: values.into_iter().cloned().collect(),
            ids,
        }
    }

    /// The id of a value, when a segment holds it.
    pub fn id(&self, value: &str) -> Option<usize> {
        self.values.binary_search_by(|v| v.as_str().cmp(value)).ok()
    }
}

/// The values of every facet column of one set of segments, each column built on first use.
pub(crate) struct SegmentValues {
    segments: Vec<SegmentId>,
    columns: [OnceLock<ColumnValues>; FACET_COLUMNS],
}

impl SegmentValues {
    /// The values of a facet's column; `segments` are the columns of the segments the table
    /// was made for, in the same order.
    pub fn column(
        &self,
        slot: usize,
        facet: Facet,
        segments: &[Arc<SegmentColumns>],
        vocabulary: &Vocabulary,
        gazetteer: &Gazetteer,
    ) -> Result<&ColumnValues> {
        if let Some(values) = self.columns[slot].get() {
            return Ok(values);
        }
        let terms = segments
            .iter()
            .map(|c| c.terms(slot))
            .collect::<Result<Vec<_>>>()?;
        let values = ColumnValues::build(facet, &terms, vocabulary, gazetteer);
        Ok(self.columns[slot].get_or_init(|| values))
    }
}

/// The values of the latest set of segments searched (a reload replaces it on the next search).
#[derive(Default)]
pub(crate) struct ValueCache {
    current: Mutex<Option<Arc<SegmentValues>>>,
}

impl ValueCache {
    /// The values of these segments, in this order.
    pub fn get(&self, segments: &[SegmentId]) -> Arc<SegmentValues> {
        // A panic while holding the lock cannot leave the slot inconsistent: take it anyway.
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(values) = current.as_ref()
            && values.segments == segments
        {
            return values.clone();
        }
        let values = Arc::new(SegmentValues {
            segments: segments.to_vec(),
            columns: Default::default(),
        });
        *current = Some(values.clone());
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn segments_share_ids_in_value_order() {
        let vocabulary = Vocabulary::from_toml_str(stillpoint_config::DEFAULT_VOCABULARY).unwrap();
        let (a, b, none) = (
            strings(&["de", "en", "fr"]),
            strings(&["en", "es"]),
            Vec::new(),
        );
        let values = ColumnValues::build(
            Facet::Language,
            &[&a, &b, &none],
            &vocabulary,
            Gazetteer::embedded(),
        );
        assert_eq!(values.values, ["de", "en", "es", "fr"]);
        assert_eq!(values.ids, [vec![0, 1, 3], vec![1, 2], vec![]]);
        assert_eq!(values.labels, ["German", "English", "Spanish", "French"]);
        assert_eq!(values.id("es"), Some(2));
        assert_eq!(values.id("it"), None);
    }

    #[test]
    fn another_set_of_segments_gets_its_own_values() {
        let cache = ValueCache::default();
        let (s1, s2) = (SegmentId::generate_random(), SegmentId::generate_random());
        let both = cache.get(&[s1, s2]);
        assert!(Arc::ptr_eq(&both, &cache.get(&[s1, s2])));
        let after_merge = cache.get(&[s2]);
        assert!(!Arc::ptr_eq(&both, &after_merge));
        assert!(Arc::ptr_eq(&after_merge, &cache.get(&[s2])));
    }
}
