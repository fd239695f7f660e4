//! The terms of every full-text field over all segments of a searcher, merged into one
//! dictionary, so a query word's typo and prefix variants are found by one automaton walk per
//! query instead of one per segment and field (eight segments and five fields were forty walks
//! of the dictionaries for each approximate word, a quarter of a text search's time). Each
//! segment then looks its few variants up by exact term.
//!
//! Built on the first text search after the set of segments changed (a commit or a merge),
//! from the segments' own term dictionaries: a superset of any one segment's terms, so looking
//! the variants up per segment finds exactly the terms a walk of that segment would. Each
//! segment's sorted terms are kept, so a commit reads only its new segment's; merging the lists
//! and building the dictionary again cost about 55 ms on the 1M index (46,000 distinct terms,
//! 360 KB), reading all eight segments' terms another 110 ms (on a loaded machine).

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};

use stillpoint_index::Fields;
use stillpoint_index::tantivy::directory::FileSlice;
use stillpoint_index::tantivy::index::SegmentId;
use stillpoint_index::tantivy::postings::TermInfo;
use stillpoint_index::tantivy::query::DfaWrapper;
use stillpoint_index::tantivy::schema::Field;
use stillpoint_index::tantivy::termdict::{TermDictionary, TermDictionaryBuilder};
use stillpoint_index::tantivy::{self as tantivy, Searcher, SegmentReader};

use crate::text::text_fields;

/// The text fields' terms over a set of segments; each term carries the fields holding it as
/// bits (in [`text_fields`] order), stored in the dictionary value's `doc_freq`.
pub(crate) struct MergedTerms {
    dict: TermDictionary,
    fields: Vec<Field>,
    /// The words approximated since these terms were merged (see [`MergedTerms::fuzzy`]), and
    /// the bytes of their variants.
    fuzzy: Mutex<(HashMap<FuzzyKey, Arc<Fuzzy>>, usize)>,
}

/// Words whose automaton and variants [`MergedTerms`] remembers, at most, and the bytes of their
/// variants (a short prefix has thousands): the memo starts over when either is reached.
const FUZZY_WORDS: usize = 2_048;
const FUZZY_BYTES: usize = 16 << 20;

/// A typo-tolerant or prefix word: its text (the stem, or the prefix typed), the edits it
/// allows, and whether it is a prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct FuzzyKey {
    pub text: String,
    pub distance: u8,
    pub prefix: bool,
}

/// A word's automaton and the merged terms it accepts (see [`MergedTerms::expand`]).
pub(crate) struct Fuzzy {
    pub automaton: Arc<DfaWrapper>,
    pub expansion: Vec<(Vec<u8>, u32)>,
}

impl MergedTerms {
    fn build(fields: Vec<Field>, segments: &[Arc<SegmentTerms>]) -> tantivy::Result<MergedTerms> {
        // Merged pairwise: each segment's list is sorted, and a merge of sorted lists costs a
        // few milliseconds where sorting every segment's terms together cost a hundred.
        let mut merged: Vec<(&[u8], u32)> = Vec::new();
        for segment in segments {
            let mut next = Vec::with_capacity(merged.len().max(segment.len()));
            let (mut a, mut b) = (merged.iter().peekable(), segment.iter().peekable());
            loop {
                let item = match (a.peek(), b.peek()) {
                    (Some(x), Some(y)) => match x.0.cmp(y.0.as_slice()) {
                        std::cmp::Ordering::Less => *a.next().expect("peeked"),
                        std::cmp::Ordering::Greater => {
                            let y = b.next().expect("peeked");
                            (y.0.as_slice(), y.1)
                        }
                        std::cmp::Ordering::Equal => {
                            let (x, y) = (a.next().expect("peeked"), b.next().expect("peeked"));
                            (x.0, x.1 | y.1)
                        }
                    },
                    (Some(_), None) => *a.next().expect("peeked"),
                    (None, Some(_)) => {
                        let y = b.next().expect("peeked");
                        (y.0.as_slice(), y.1)
                    }
                    (None, None) => break,
                };
                next.push(item);
            }
            merged = next;
        }
        let mut builder = TermDictionaryBuilder::create(Vec::new())?;
        for (term, mask) in merged {
            builder.insert(
                term,
                &TermInfo {
                    doc_freq: mask,
                    postings_range: 0..0,
                    positions_range: 0..0,
                },
            )?;
        }
        let bytes = builder.finish()?;
        Ok(MergedTerms {
            dict: TermDictionary::open(FileSlice::from(bytes))?,
            fields,
            fuzzy: Mutex::default(),
        })
    }

    /// A word's automaton (made by `automaton`) and its variants among these terms, remembered
    /// until the segments change: visitors search the same conditions again and again, and a
    /// distance-2 automaton and its walk of the terms cost as much as the rest of a search
    /// near a city.
    pub(crate) fn fuzzy(
        &self,
        key: &FuzzyKey,
        automaton: impl FnOnce() -> tantivy::Result<DfaWrapper>,
    ) -> tantivy::Result<Arc<Fuzzy>> {
        let memo = || self.fuzzy.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = memo().0.get(key) {
            return Ok(found.clone());
        }
        let automaton = Arc::new(automaton()?);
        let expansion = self.expand(&automaton)?;
        let bytes = expansion
            .iter()
            .map(|(term, _)| term.len() + 32)
            .sum::<usize>();
        let made = Arc::new(Fuzzy {
            automaton,
            expansion,
        });
        let mut memo = memo();
        let (words, held) = &mut *memo;
        if words.len() >= FUZZY_WORDS || *held + bytes > FUZZY_BYTES {
            words.clear();
            *held = 0;
        }
        words.insert(key.clone(), made.clone());
        *held += bytes;
        Ok(made)
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

/// One segment's text terms, sorted, each with the fields holding it (bits in [`text_fields`]
/// order).
type SegmentTerms = Vec<(Vec<u8>, u32)>;

fn segment_terms(fields: &[Field], reader: &SegmentReader) -> tantivy::Result<SegmentTerms> {
    let mut all: SegmentTerms = Vec::new();
    for (bit, field) in fields.iter().enumerate() {
        let inverted = reader.inverted_index(*field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            all.push((stream.key().to_vec(), 1 << bit));
        }
    }
    all.sort_unstable();
    all.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 |= later.1;
        }
        same
    });
    Ok(all)
}

/// The merged terms of the searcher seen last, and each live segment's own terms (a commit
/// adds a small segment: only its terms are read, then the lists are merged again).
#[derive(Default)]
pub(crate) struct TermsCache {
    current: Mutex<Option<(Vec<SegmentId>, Arc<MergedTerms>)>>,
    segments: Mutex<HashMap<SegmentId, Arc<SegmentTerms>>>,
}

impl TermsCache {
    pub(crate) fn get(
        &self,
        fields: &Fields,
        searcher: &Searcher,
    ) -> tantivy::Result<Arc<MergedTerms>> {
        let ids: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        // Held while building: concurrent searches of a new segment set wait for one build.
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, terms)) = current.as_ref()
            && *seen == ids
        {
            return Ok(terms.clone());
        }
        let fields: Vec<Field> = text_fields(fields).iter().map(|(f, _)| *f).collect();
        let mut cached = self.segments.lock().unwrap_or_else(|e| e.into_inner());
        let mut lists = Vec::with_capacity(ids.len());
        for reader in searcher.segment_readers() {
            let list = match cached.get(&reader.segment_id()) {
                Some(list) => list.clone(),
                None => {
                    let list = Arc::new(segment_terms(&fields, reader)?);
                    cached.insert(reader.segment_id(), list.clone());
                    list
                }
            };
            lists.push(list);
        }
        cached.retain(|id, _| ids.contains(id));
        let terms = Arc::new(MergedTerms::build(fields, &lists)?);
        *current = Some((ids, terms.clone()));
        Ok(terms)
    }
}
