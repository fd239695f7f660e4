//! The terms of every full-text field over all segments of a searcher, merged into one
//! dictionary, so a query word's typo and prefix variants are found by one automaton walk per
//! query instead of one per segment and field (eight segments and five fields were forty walks
//! of the dictionaries for each approximate word, a quarter of a text search's time). Each
//! segment then looks its few variants up by exact term.
//!
//! Built on the first search that needs it after the set of segments changed (a commit or a
//! merge), from the segments' own term dictionaries: a superset of any one segment's terms, so
//! looking the variants up per segment finds exactly the terms a walk of that segment would.

use std::io;
use std::sync::{Arc, Mutex};

use stillpoint_index::Fields;
use stillpoint_index::tantivy::directory::FileSlice;
use stillpoint_index::tantivy::index::SegmentId;
use stillpoint_index::tantivy::postings::TermInfo;
use stillpoint_index::tantivy::query::DfaWrapper;
use stillpoint_index::tantivy::schema::Field;
use stillpoint_index::tantivy::termdict::{TermDictionary, TermDictionaryBuilder};
use stillpoint_index::tantivy::{self as tantivy, Searcher};

use crate::text::text_fields;

/// The text fields' terms over a set of segments; each term carries the fields holding it as
/// bits (in [`text_fields`] order), stored in the dictionary value's `doc_freq`.
pub(crate) struct MergedTerms {
    dict: TermDictionary,
    fields: Vec<Field>,
}

impl MergedTerms {
    fn build(fields: &Fields, searcher: &Searcher) -> tantivy::Result<MergedTerms> {
        let fields: Vec<Field> = text_fields(fields).iter().map(|(f, _)| *f).collect();
        let mut all: Vec<(Vec<u8>, u32)> = Vec::new();
        for reader in searcher.segment_readers() {
            for (bit, field) in fields.iter().enumerate() {
                let inverted = reader.inverted_index(*field)?;
                let mut stream = inverted.terms().stream()?;
                while stream.advance() {
                    all.push((stream.key().to_vec(), 1 << bit));
                }
            }
        }
        all.sort_unstable();
        let mut builder = TermDictionaryBuilder::create(Vec::new())?;
        let mut i = 0;
        while i < all.len() {
            let mut mask = 0;
            let mut j = i;
            while j < all.len() && all[j].0 == all[i].0 {
                mask |= all[j].1;
                j += 1;
            }
            builder.insert(
                &all[i].0,
                &TermInfo {
                    doc_freq: mask,
                    postings_range: 0..0,
                    positions_range: 0..0,
                },
            )?;
            i = j;
        }
        let bytes = builder.finish()?;
        Ok(MergedTerms {
            dict: TermDictionary::open(FileSlice::from(bytes))?,
            fields,
        })
    }

    /// The terms the automaton accepts, each with the fields holding it (bits in
    /// [`text_fields`] order).
    pub(crate) fn expand(&self, automaton: &DfaWrapper) -> io::Result<Vec<(Vec<u8>, u32)>> {
        let mut stream = self.dict.search(automaton).into_stream()?;
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.key().to_vec(), stream.value().doc_freq));
        }
        Ok(out)
    }

    /// The bit of a text field in [`MergedTerms::expand`]'s masks.
    pub(crate) fn field_bit(&self, field: Field) -> Option<u32> {
        let position = self.fields.iter().position(|f| *f == field)?;
        Some(1 << position)
    }
}

/// The merged terms of the searcher seen last.
#[derive(Default)]
pub(crate) struct TermsCache {
    current: Mutex<Option<(Vec<SegmentId>, Arc<MergedTerms>)>>,
}

impl TermsCache {
    pub(crate) fn get(
        &self,
        fields: &Fields,
        searcher: &Searcher,
    ) -> tantivy::Result<Arc<MergedTerms>> {
        let segments: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        // Held while building: concurrent searches of a new segment set wait for one build.
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((ids, terms)) = current.as_ref()
            && *ids == segments
        {
            return Ok(terms.clone());
        }
        let terms = Arc::new(MergedTerms::build(fields, searcher)?);
        *current = Some((segments, terms.clone()));
        Ok(terms)
    }
}
