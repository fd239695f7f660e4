//! A union of queries that seeks its parts instead of filling a window: tantivy's union of
//! `Should` clauses advances every part through the next 4,096 documents on each seek beyond
//! its window, scoring each posting there, so a search that seeks a few candidates per window
//! (an area's documents, spread over the whole doc-id range) decoded and scored every posting
//! of every text alternative. Scores are the sum of the parts matching, in the parts' order.

use stillpoint_index::tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use stillpoint_index::tantivy::{
    self as tantivy, DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term,
};

/// Matches what any part matches (tantivy's `BooleanQuery` of `Should` clauses), scoring the
/// sum of the matching parts.
#[derive(Debug)]
pub(crate) struct SeekUnionQuery(pub Vec<Box<dyn Query>>);

impl Clone for SeekUnionQuery {
    fn clone(&self) -> SeekUnionQuery {
        SeekUnionQuery(self.0.iter().map(|q| q.box_clone()).collect())
    }
}

impl Query for SeekUnionQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .0
            .iter()
            .map(|q| q.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(SeekUnionWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.0 {
            q.query_terms(visitor);
        }
    }
}

struct SeekUnionWeight(Vec<Box<dyn Weight>>);

impl Weight for SeekUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.0.len());
        for weight in &self.0 {
            let scorer = weight.scorer(reader, boost)?;
            // Parts this segment cannot match (a word absent from a field) would be asked
            // on every seek; they add nothing to a score.
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        if scorers.len() == 1 {
            return Ok(scorers.pop().expect("one part"));
        }
        Ok(Box::new(UnionDocSet::new(scorers)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("sum of", scorer.score());
        for weight in &self.0 {
            if let Ok(part) = weight.explain(reader, doc) {
                explanation.add_detail(part);
            }
        }
        Ok(explanation)
    }
}

impl<S: Scorer> Scorer for UnionDocSet<S> {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut score = 0.0;
        for set in &mut self.sets {
            if set.doc() == doc {
                score += set.score();
            }
        }
        score
    }
}

/// The union of a few doc sets, seeking each.
pub(crate) struct UnionDocSet<D> {
    sets: Vec<D>,
    doc: DocId,
}

impl<D: DocSet> UnionDocSet<D> {
    pub(crate) fn new(sets: Vec<D>) -> UnionDocSet<D> {
        let doc = sets.iter().map(DocSet::doc).min().unwrap_or(TERMINATED);
        UnionDocSet { sets, doc }
    }
}

impl<D: DocSet> DocSet for UnionDocSet<D> {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let current = self.doc;
        let mut next = TERMINATED;
        for set in &mut self.sets {
            let doc = if set.doc() == current {
                set.advance()
            } else {
                set.doc()
            };
            next = next.min(doc);
        }
        self.doc = next;
        next
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut next = TERMINATED;
        for set in &mut self.sets {
            let doc = if set.doc() < target {
                set.seek(target)
            } else {
                set.doc()
            };
            next = next.min(doc);
        }
        self.doc = next;
        next
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.sets.iter().map(DocSet::size_hint).sum()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use stillpoint_index::tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
    use stillpoint_index::tantivy::schema::{Field, IndexRecordOption, Schema, TEXT};
    use stillpoint_index::tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    const WORDS: [&str; 5] = ["a", "b", "c", "d", "e"];

    fn index(docs: &[Vec<usize>]) -> (Index, Field) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (i, words) in docs.iter().enumerate() {
            let text: Vec<&str> = words.iter().map(|w| WORDS[*w]).collect();
            let mut doc = TantivyDocument::default();
            doc.add_text(body, text.join(" "));
            writer.add_document(doc).unwrap();
            // A few segments.
            if i % 97 == 96 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        (index, body)
    }

    fn parts(body: Field, boosts: &[f32]) -> Vec<Box<dyn Query>> {
        boosts
            .iter()
            .enumerate()
            .map(|(i, boost)| {
                let term = TermQuery::new(
                    Term::from_field_text(body, WORDS[i]),
                    IndexRecordOption::WithFreqs,
                );
                Box::new(BoostQuery::new(Box::new(term), *boost)) as Box<dyn Query>
            })
            .collect()
    }

    proptest! {
        /// Same documents and the same scores as tantivy's union of `Should` clauses, whether
        /// walked or sought.
        #[test]
        fn seek_union_matches_boolean_should(
            docs in prop::collection::vec(prop::collection::vec(0..5usize, 0..6), 1..400),
            boosts in prop::collection::vec(0.1f32..4.0, 1..5),
            targets in prop::collection::vec(0..400u32, 0..60),
        ) {
            let (index, body) = index(&docs);
            let searcher = index.reader().unwrap().searcher();
            let scoring = EnableScoring::enabled_from_searcher(&searcher);
            let ours = SeekUnionQuery(parts(body, &boosts)).weight(scoring).unwrap();
            let should = parts(body, &boosts).into_iter().map(|q| (Occur::Should, q)).collect();
            let theirs = BooleanQuery::new(should).weight(scoring).unwrap();
            let mut targets = targets;
            targets.sort_unstable();
            for reader in searcher.segment_readers() {
                let mut a = ours.scorer(reader, 1.0).unwrap();
                let mut b = theirs.scorer(reader, 1.0).unwrap();
                while b.doc() != TERMINATED {
                    prop_assert_eq!(a.doc(), b.doc());
                    prop_assert_eq!(a.score().to_bits(), b.score().to_bits());
                    a.advance();
                    b.advance();
                }
                prop_assert_eq!(a.doc(), TERMINATED);

                let mut a = ours.scorer(reader, 1.0).unwrap();
                let mut b = theirs.scorer(reader, 1.0).unwrap();
                for &t in &targets {
                    if b.doc() > t && a.doc() > t {
                        continue;
                    }
                    let (x, y) = (a.seek(t), b.seek(t));
                    prop_assert_eq!(x, y);
                    if x == TERMINATED {
                        break;
                    }
                    prop_assert_eq!(a.score().to_bits(), b.score().to_bits());
                }
            }
        }
    }
}
