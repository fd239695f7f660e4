//! Free text: the query words, their vocabulary expansions, the tantivy query they become, and
//! the highlighting of matched words.
//!
//! Every query word (or vocabulary phrase) is one clause, and every clause must match. A clause
//! matches when its words match the full-text fields (stemmed, with typo tolerance and, for the
//! last word, as a prefix) or when the practitioner carries a vocabulary value the phrase names:
//! "jaw pain" is a synonym of the specialty `tmj`, so it matches every practitioner listing
//! `tmj` as well as bios that mention a jaw and pain. Names of the practice itself ("cranial
//! sacral", "Craniosacral-Therapie") match every practitioner, since every listing is one.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use stillpoint_index::Fields;
use stillpoint_index::tantivy::query::{
    AutomatonWeight, BooleanQuery, BoostQuery, ConstScoreQuery, ConstScorer, DfaWrapper,
    EnableScoring, Explanation, FuzzyTermQuery, Occur, Query, Scorer, TermQuery, Weight,
};
use stillpoint_index::tantivy::schema::{Field, IndexRecordOption};
use stillpoint_index::tantivy::tokenizer::TextAnalyzer;
use stillpoint_index::tantivy::{self as tantivy, DocId, Score, SegmentReader, Term};
use stillpoint_model::Vocabulary;
use stillpoint_model::text::fold;

use crate::request::Facet;
use crate::terms::{Fuzzy, FuzzyKey, MergedTerms};
use crate::union::{SeekUnionQuery, UnionDocSet};

/// What a vocabulary phrase stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// A facet value: `specialty = tmj`.
    Value(Facet, String),
    /// The practice itself: every practitioner.
    Everything,
}

/// Folded phrases of the vocabulary and what they stand for.
#[derive(Debug, Default)]
pub(crate) struct PhraseTable {
    phrases: HashMap<String, Vec<Target>>,
    /// Longest phrase, in words.
    max_words: usize,
    /// One-word phrases, for typo-tolerant and prefix matching.
    single_words: Vec<String>,
    /// Per length in characters, the indexes of the one-word phrases that long: a typo-tolerant
    /// word is compared with those whose length is within its edits only (measuring every
    /// phrase's length on each query word was most of planning a text search).
    by_length: Vec<Vec<usize>>,
}

impl PhraseTable {
    pub(crate) fn new(vocabulary: &Vocabulary) -> PhraseTable {
        let mut table = PhraseTable::default();
        for term in &vocabulary.practice.terms {
            table.add(term, Target::Everything);
        }
        table.add(&vocabulary.practice.label, Target::Everything);
        let sections = [
            (Facet::Approach, &vocabulary.approaches),
            (Facet::Profession, &vocabulary.professions),
            (Facet::Specialty, &vocabulary.specialties),
            (Facet::Technique, &vocabulary.techniques),
        ];
        for (facet, terms) in sections {
            for term in terms {
                let target = Target::Value(facet, term.id.clone());
                for name in [&term.id, &term.label].into_iter().chain(&term.synonyms) {
                    table.add(name, target.clone());
                }
            }
        }
        for body in &vocabulary.bodies {
            let target = Target::Value(Facet::Body, body.id.clone());
            for name in [&body.id, &body.name].into_iter().chain(&body.short_name) {
                table.add(name, target.clone());
            }
            for credential in &body.credentials {
                let target =
                    Target::Value(Facet::Credential, format!("{}:{}", body.id, credential.id));
                for name in [&credential.id, &credential.label]
                    .into_iter()
                    .chain(&credential.synonyms)
                {
                    table.add(name, target.clone());
                }
            }
        }
        table.single_words = table
            .phrases
            .keys()
            .filter(|p| !p.contains(' '))
            .cloned()
            .collect();
        table.single_words.sort_unstable();
        for (i, w) in table.single_words.iter().enumerate() {
            let length = w.chars().count();
            if table.by_length.len() <= length {
                table.by_length.resize(length + 1, Vec::new());
            }
            table.by_length[length].push(i);
        }
        table
    }

    fn add(&mut self, name: &str, target: Target) {
        let folded = fold(name);
        if folded.is_empty() {
            return;
        }
        self.max_words = self.max_words.max(folded.split(' ').count());
        let targets = self.phrases.entry(folded).or_default();
        if !targets.contains(&target) {
            targets.push(target);
        }
    }

    fn get(&self, phrase: &str) -> Option<&Vec<Target>> {
        self.phrases.get(phrase)
    }

    /// Targets of one-word phrases within `distance` edits of `word`, or starting with it when
    /// `prefix`.
    fn approximate(&self, word: &str, distance: u8, prefix: bool) -> Vec<Target> {
        let mut out: Vec<Target> = Vec::new();
        let mut push = |phrase: &str| {
            for t in &self.phrases[phrase] {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
        };
        if prefix && word.len() >= MIN_PREFIX {
            let start = self.single_words.partition_point(|w| w.as_str() < word);
            for w in self.single_words[start..]
                .iter()
                .take_while(|w| w.starts_with(word))
            {
                push(w);
            }
        }
        if distance > 0 {
            // Lengths in characters: folded text keeps Greek and Cyrillic letters.
            let length = word.chars().count();
            let lengths =
                length.saturating_sub(usize::from(distance))..=length + usize::from(distance);
            let mut near: Vec<usize> = lengths
                .filter_map(|l| self.by_length.get(l))
                .flatten()
                .copied()
                .filter(|&i| edit_distance(&self.single_words[i], word, distance) <= distance)
                .collect();
            // In the phrases' order, as when every phrase was compared.
            near.sort_unstable();
            for i in near {
                push(&self.single_words[i]);
            }
        }
        out
    }
}

/// Shortest last word completed as a prefix.
const MIN_PREFIX: usize = 3;

/// Words that carry no meaning in a directory query; dropped unless nothing else is left.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "at", "by", "for", "from", "in", "me", "my", "near", "of", "on", "or", "the",
    "to", "who", "with", "works",
];

/// Words every listing implies ("craniosacral therapist in Boulder"): they need not match.
const GENERIC: &[&str] = &[
    "practitioner",
    "practitioners",
    "session",
    "sessions",
    "therapies",
    "therapist",
    "therapists",
    "therapy",
    "treatment",
    "treatments",
];

/// One query word, as matched against the full-text fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Word {
    /// Folded as typed.
    pub folded: String,
    /// Folded and stemmed, as indexed.
    pub stem: String,
    /// Edits tolerated: 1 from 5 letters, 2 from 9, counted on the stem (what is matched):
    /// "running" stems to "run", and one edit on a three-letter stem would match "ruhig".
    pub distance: u8,
    /// The last word also matches as a prefix.
    pub prefix: bool,
}

impl Word {
    /// What the last word completes as a prefix: the stem when stemming left the word alone,
    /// else the word as typed. "anne" stems to "ann", which must not complete to "anna"; a
    /// complete word still matches through its stem.
    pub(crate) fn prefix_text(&self) -> &str {
        if self.stem == self.folded {
            &self.stem
        } else {
            &self.folded
        }
    }
}

/// One clause: its words match the text, or one of its targets matches the facets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Clause {
    pub words: Vec<Word>,
    pub targets: Vec<Target>,
}

/// A parsed free-text query.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextQuery {
    /// Clauses that must all match; empty when the query only names the practice.
    pub clauses: Vec<Clause>,
    /// Every word worth highlighting, including those of dropped clauses.
    pub highlight: Vec<Word>,
}

impl TextQuery {
    pub(crate) fn parse(q: &str, table: &PhraseTable, analyzer: &mut TextAnalyzer) -> TextQuery {
        let folded = fold(q);
        let all: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let meaningful: Vec<&str> = all
            .iter()
            .copied()
            .filter(|w| !STOPWORDS.contains(w))
            .collect();
        let words = if meaningful.is_empty() {
            all
        } else {
            meaningful
        };
        let last = words.len().saturating_sub(1);
        let ends_in_word = q.trim_end().len() == q.len();

        let mut query = TextQuery::default();
        let mut i = 0;
        while i < words.len() {
            // Longest vocabulary phrase starting here, or a compound written as two words
            // ("cranio sacrale" for "craniosacrale", as people type it).
            let longest = (2..=table.max_words.min(words.len() - i))
                .rev()
                .find_map(|n| {
                    let phrase = words[i..i + n].join(" ");
                    table.get(&phrase).map(|t| (n, t.clone()))
                })
                .or_else(|| {
                    let pair = words.get(i..i + 2)?;
                    table.get(&pair.concat()).map(|t| (2, t.clone()))
                });
            if let Some((n, mut targets)) = longest {
                // A name of the practice with words every listing implies ("craniosacral
                // therapist", "CST practitioner") names the practice, not the profession.
                let core: Vec<&str> = words[i..i + n]
                    .iter()
                    .copied()
                    .filter(|w| !GENERIC.contains(w))
                    .collect();
                if core.len() < n
                    && table
                        .get(&core.join(" "))
                        .is_some_and(|t| t.contains(&Target::Everything))
                {
                    targets = vec![Target::Everything];
                }
                let phrase_words: Vec<Word> = words[i..i + n]
                    .iter()
                    .map(|w| word(w, false, analyzer))
                    .collect();
                query.push(phrase_words, targets);
                i += n;
                continue;
            }
            let prefix = i == last && ends_in_word && words[i].len() >= MIN_PREFIX;
            let w = word(words[i], prefix, analyzer);
            let mut targets = table.get(&w.folded).cloned().unwrap_or_default();
            for t in table.approximate(&w.folded, w.distance, prefix) {
                if !targets.contains(&t) {
                    targets.push(t);
                }
            }
            if GENERIC.contains(&w.folded.as_str()) && words.len() > 1 {
                query.highlight.push(w);
            } else {
                query.push(vec![w], targets);
            }
            i += 1;
        }
        query
    }

    fn push(&mut self, words: Vec<Word>, targets: Vec<Target>) {
        self.highlight.extend(words.iter().cloned());
        if targets.contains(&Target::Everything) {
            return;
        }
        self.clauses.push(Clause { words, targets });
    }

    /// The tantivy query, or `None` when no clause constrains the results.
    pub(crate) fn to_query(
        &self,
        fields: &Fields,
        terms: &Arc<MergedTerms>,
    ) -> Option<Box<dyn Query>> {
        if self.clauses.is_empty() {
            return None;
        }
        let clauses = self
            .clauses
            .iter()
            .map(|clause| (Occur::Must, clause_query(clause, fields, terms)))
            .collect();
        Some(Box::new(BooleanQuery::new(clauses)))
    }
}

fn word(folded: &str, prefix: bool, analyzer: &mut TextAnalyzer) -> Word {
    let mut stem = String::new();
    let mut stream = analyzer.token_stream(folded);
    while stream.advance() {
        stem.push_str(&stream.token().text);
    }
    if stem.is_empty() {
        stem = folded.to_string();
    }
    let letters = stem.chars().count();
    let distance = match letters {
        0..5 => 0,
        5..9 => 1,
        _ => 2,
    };
    Word {
        folded: folded.to_string(),
        stem,
        distance,
        prefix,
    }
}

/// Full-text fields with their weights.
pub(crate) fn text_fields(fields: &Fields) -> [(Field, f32); 5] {
    [
        (fields.name, 3.0),
        (fields.practice_name, 2.0),
        (fields.place, 1.5),
        (fields.other_terms, 1.5),
        (fields.bio, 1.0),
    ]
}

/// The field a facet's values are indexed in.
pub(crate) fn facet_field(fields: &Fields, facet: Facet, verified: bool) -> Field {
    match facet {
        Facet::Approach => fields.approach,
        Facet::Body if verified => fields.verified_body,
        Facet::Body => fields.body,
        Facet::Credential if verified => fields.verified_credential,
        Facet::Credential => fields.credential,
        Facet::Profession => fields.profession,
        Facet::Specialty => fields.specialty,
        Facet::Technique => fields.technique,
        Facet::Language => fields.language,
        Facet::Country => fields.country,
        Facet::Region => fields.region,
    }
}

fn clause_query(clause: &Clause, fields: &Fields, terms: &Arc<MergedTerms>) -> Box<dyn Query> {
    let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
    let word_queries: Vec<Box<dyn Query>> = clause
        .words
        .iter()
        .map(|w| word_query(w, fields, terms))
        .collect();
    if word_queries.len() == 1 {
        alternatives.extend(word_queries);
    } else if !word_queries.is_empty() {
        let all = word_queries.into_iter().map(|q| (Occur::Must, q)).collect();
        alternatives.push(Box::new(BooleanQuery::new(all)));
    }
    for target in &clause.targets {
        if let Target::Value(facet, value) = target {
            // A value the query names scores like a good text match; verified or not (the
            // `verified` filter is applied separately).
            let field = facet_field(fields, *facet, false);
            let term = TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            );
            alternatives.push(Box::new(ConstScoreQuery::new(Box::new(term), 2.0)));
        }
    }
    Box::new(SeekUnionQuery(alternatives))
}

fn word_query(w: &Word, fields: &Fields, terms: &Arc<MergedTerms>) -> Box<dyn Query> {
    let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
    // One automaton and one expansion for the word, found on first use and shared by its fields.
    let shared: Arc<OnceLock<Arc<Fuzzy>>> = Arc::default();
    let key = FuzzyKey {
        text: if w.prefix {
            w.prefix_text().to_string()
        } else {
            w.stem.clone()
        },
        distance: w.distance,
        prefix: w.prefix,
    };
    for (field, weight) in text_fields(fields) {
        let term = Term::from_field_text(field, &w.stem);
        let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
        alternatives.push(Box::new(BoostQuery::new(Box::new(exact), weight)));
        if w.distance > 0 || w.prefix {
            let fuzzy = if w.prefix {
                let prefix = Term::from_field_text(field, w.prefix_text());
                FuzzyTermQuery::new_prefix(prefix, w.distance, true)
            } else {
                FuzzyTermQuery::new(term, w.distance, true)
            };
            let fuzzy = LazyFuzzyQuery {
                field,
                query: fuzzy,
                key: key.clone(),
                terms: terms.clone(),
                shared: shared.clone(),
            };
            // Approximate matches score below exact ones.
            alternatives.push(Box::new(BoostQuery::new(Box::new(fuzzy), weight * 0.3)));
        }
    }
    Box::new(SeekUnionQuery(alternatives))
}

/// A typo-tolerant or prefix match of one field, scoring a constant like [`FuzzyTermQuery`], but
/// reading the matched terms' postings lazily: tantivy's own weight reads every posting of every
/// matched term into a bit set per segment (a common word's in every bio), where a search with
/// an area seeks only its few candidates. Many matched terms (a short prefix) still take the bit
/// set, since a union of hundreds of postings seeks slowly.
///
/// The matched terms come from one walk of the automaton over every segment's terms merged
/// ([`MergedTerms`]), shared by the word's fields, instead of a walk per segment and field; the
/// merged terms remember it for the next searches of the word.
#[derive(Clone)]
struct LazyFuzzyQuery {
    field: Field,
    query: FuzzyTermQuery,
    key: FuzzyKey,
    terms: Arc<MergedTerms>,
    shared: Arc<OnceLock<Arc<Fuzzy>>>,
}

impl std::fmt::Debug for LazyFuzzyQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyFuzzyQuery")
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

/// Above this many matched terms in a segment, the bit set of tantivy's weight.
const LAZY_TERMS: usize = 16;

impl Query for LazyFuzzyQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let fuzzy = match self.shared.get() {
            Some(f) => f.clone(),
            None => {
                let f = self.terms.fuzzy(&self.key, || self.query.automaton())?;
                self.shared.get_or_init(|| f).clone()
            }
        };
        // A field absent from the merged terms (none of the text fields) matches nothing.
        let bit = self.terms.field_bit(self.field).unwrap_or(0);
        let terms = fuzzy
            .expansion
            .iter()
            .filter(|(_, mask)| mask & bit != 0)
            .map(|(term, _)| term.clone())
            .collect();
        Ok(Box::new(LazyFuzzyWeight {
            inner: AutomatonWeight::new(self.field, fuzzy.automaton.clone()),
            field: self.field,
            terms,
        }))
    }
}

struct LazyFuzzyWeight {
    inner: AutomatonWeight<DfaWrapper>,
    field: Field,
    /// The field's terms the automaton accepts in some segment.
    terms: Vec<Vec<u8>>,
}

impl Weight for LazyFuzzyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        if self.terms.len() > LAZY_TERMS {
            return self.inner.scorer(reader, boost);
        }
        let inverted = reader.inverted_index(self.field)?;
        let mut postings = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            if let Some(info) = inverted.terms().get(term)? {
                postings
                    .push(inverted.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?);
            }
        }
        Ok(Box::new(ConstScorer::new(
            UnionDocSet::new(postings),
            boost,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

/// Damerau-Levenshtein (optimal string alignment) distance, capped: returns `max + 1` as soon as
/// the distance is known to exceed `max`.
pub(crate) fn edit_distance(a: &str, b: &str, max: u8) -> u8 {
    // Tokens are mostly ASCII: their bytes are their characters.
    if a.is_ascii() && b.is_ascii() {
        return edit_distance_of(a.as_bytes(), b.as_bytes(), max);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    edit_distance_of(&a, &b, max)
}

/// [`edit_distance`] over characters. Cells are capped at `max + 1` (a cap commutes with the
/// minimum and the increments, so the capped result is exact up to the cap), which lets them
/// fit a byte, and three rows of a word's length fit on the stack.
fn edit_distance_of<T: PartialEq>(a: &[T], b: &[T], max: u8) -> u8 {
    const STACK: usize = 64;
    let cap = max.saturating_add(1);
    if a.len().abs_diff(b.len()) > usize::from(max) {
        return cap;
    }
    let width = b.len() + 1;
    let mut stack = [0u8; 3 * STACK];
    let mut heap = Vec::new();
    let rows: &mut [u8] = if width <= STACK {
        &mut stack[..3 * width]
    } else {
        heap.resize(3 * width, 0);
        &mut heap
    };
    let (mut prev2, rest) = rows.split_at_mut(width);
    let (mut prev, mut cur) = rest.split_at_mut(width);
    for (j, cell) in prev.iter_mut().enumerate() {
        *cell = j.min(usize::from(cap)) as u8;
    }
    for i in 1..=a.len() {
        cur[0] = i.min(usize::from(cap)) as u8;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = prev[j]
                .saturating_add(1)
                .min(cur[j - 1].saturating_add(1))
                .min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2].saturating_add(1));
            }
            let v = v.min(cap);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min >= cap {
            return cap;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Whether an indexed (stemmed) token matches a query word, by the same rules as the query.
pub(crate) fn token_matches(token: &str, w: &Word) -> bool {
    let prefix = w.prefix_text();
    token == w.stem
        || (w.prefix && token.starts_with(prefix))
        || (w.distance > 0 && edit_distance(token, &w.stem, w.distance) <= w.distance)
        || (w.prefix
            && w.distance > 0
            && token.len() > prefix.len()
            && token
                .char_indices()
                .map(|(i, _)| i)
                .chain([token.len()])
                .filter(|&i| i >= prefix.len().saturating_sub(usize::from(w.distance)))
                .take(usize::from(w.distance) * 2 + 1)
                .any(|i| edit_distance(&token[..i], prefix, w.distance) <= w.distance))
}

/// Which indexed tokens match one search's words, remembered from one text to the next: the
/// bios of a page share most of their words, and a typo-tolerant prefix costs several edit
/// distances per token.
pub(crate) struct TokenMatches<'a> {
    words: &'a [Word],
    seen: foldhash::HashMap<String, bool>,
}

impl<'a> TokenMatches<'a> {
    pub(crate) fn new(words: &'a [Word]) -> TokenMatches<'a> {
        TokenMatches {
            words,
            seen: foldhash::HashMap::default(),
        }
    }

    fn test(&mut self, token: &str) -> bool {
        if let Some(&matched) = self.seen.get(token) {
            return matched;
        }
        let matched = self.words.iter().any(|w| token_matches(token, w));
        self.seen.insert(token.to_owned(), matched);
        matched
    }
}

/// `text` HTML-escaped with the tokens `words` matches wrapped in `<mark>`, or `None` when
/// nothing matched. Long text is cut to a window around the first match.
pub(crate) fn highlight(
    text: &str,
    words: &mut TokenMatches<'_>,
    analyzer: &mut TextAnalyzer,
    window: Option<usize>,
) -> Option<String> {
    let mut marks: Vec<(usize, usize)> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        // A window shows nothing past the first match and its own length.
        if let (Some(window), Some(&(first, _))) = (window, marks.first())
            && token.offset_from > first + window
        {
            break;
        }
        if words.test(&token.text) {
            marks.push((token.offset_from, token.offset_to));
        }
    }
    if marks.is_empty() {
        return None;
    }
    let (mut start, mut end) = (0, text.len());
    if let Some(window) = window
        && text.len() > window
    {
        let first = marks[0].0;
        start = floor_boundary(text, first.saturating_sub(window / 4));
        // Start at a word boundary.
        if start > 0
            && let Some(space) = text[start..first].find(' ')
        {
            start += space + 1;
        }
        end = floor_boundary(text, (start + window).min(text.len()));
        if end < text.len()
            && let Some(space) = text[start..end].rfind(' ')
            && start + space > first
        {
            end = start + space;
        }
    }
    let mut out = String::with_capacity(end - start + 32);
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for &(from, to) in marks.iter().filter(|(f, t)| *f >= start && *t <= end) {
        escape_into(&text[at..from], &mut out);
        out.push_str("<mark>");
        escape_into(&text[from..to], &mut out);
        out.push_str("</mark>");
        at = to;
    }
    escape_into(&text[at..end], &mut out);
    if end < text.len() {
        out.push('…');
    }
    Some(out)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `text` HTML-escaped onto `out`, copied a run at a time between the characters escaped (they
/// are ASCII, so never inside another character's bytes).
fn escape_into(text: &str, out: &mut String) {
    let mut from = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[from..i]);
        out.push_str(escaped);
        from = i + 1;
    }
    out.push_str(&text[from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Typo-tolerant phrases are looked up among those of a near length: the same targets, in
    /// the same order, as comparing the word with every one-word phrase.
    #[test]
    fn approximate_phrases_are_those_of_every_phrase_compared() {
        let vocabulary = Vocabulary::from_toml_str(stillpoint_config::DEFAULT_VOCABULARY).unwrap();
        let table = PhraseTable::new(&vocabulary);
        let every = |word: &str, distance: u8| {
            let mut out: Vec<Target> = Vec::new();
            for w in &table.single_words {
                if w.chars().count().abs_diff(word.chars().count()) <= usize::from(distance)
                    && edit_distance(w, word, distance) <= distance
                {
                    for t in &table.phrases[w] {
                        if !out.contains(t) {
                            out.push(t.clone());
                        }
                    }
                }
            }
            out
        };
        let mut words: Vec<String> = table.single_words.clone();
        for w in table.single_words.iter().step_by(5) {
            let chars: Vec<char> = w.chars().collect();
            // One letter dropped, one doubled, two swapped, one more at the end.
            for i in 0..chars.len() {
                let mut dropped = chars.clone();
                dropped.remove(i);
                words.push(dropped.iter().collect());
                let mut doubled = chars.clone();
                doubled.insert(i, chars[i]);
                words.push(doubled.iter().collect());
            }
            if chars.len() > 2 {
                let mut swapped = chars.clone();
                swapped.swap(0, 1);
                words.push(swapped.iter().collect());
            }
            words.push(format!("{w}x"));
        }
        words.extend(["", "a", "ωμέγα", "мигрень"].map(String::from));
        let mut found = 0;
        for word in &words {
            for distance in 1..=2 {
                let want = every(word, distance);
                found += usize::from(!want.is_empty());
                assert_eq!(table.approximate(word, distance, false), want, "{word:?}");
            }
        }
        assert!(found > 500, "{found}");
    }

    #[test]
    fn html_is_escaped_between_runs_of_text() {
        let mut out = String::new();
        escape_into(r#"Zürich <"Mühle"> & 'Café' ñ"#, &mut out);
        assert_eq!(
            out,
            "Zürich &lt;&quot;Mühle&quot;&gt; &amp; &#39;Café&#39; ñ"
        );
        let mut out = String::from("kept ");
        escape_into("", &mut out);
        escape_into("&", &mut out);
        assert_eq!(out, "kept &amp;");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("migraine", "migrane", 2), 1);
        assert_eq!(
            edit_distance("migraine", "migriane", 2),
            1,
            "a transposition is one edit"
        );
        assert_eq!(edit_distance("boulder", "bolder", 1), 1);
        assert_eq!(edit_distance("abc", "xyz", 1), 2, "capped at max + 1");
        assert_eq!(edit_distance("", "ab", 2), 2);
    }

    /// The optimal string alignment distance, uncapped, the textbook way.
    fn reference(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn capped_distances_match_the_textbook_ones() {
        // Short and long words (past the stack rows), ASCII and not, near and far apart.
        let long = "craniosacral".repeat(6);
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "migraine",
            "migrane",
            "migriane",
            "mgiraine",
            "zürich",
            "zurich",
            "zürihc",
            "naïve",
            "naive",
            &long,
            &long[1..],
            &format!("{long}x"),
            &long.replace('o', "0"),
        ];
        for a in words {
            for b in words {
                for max in [0u8, 1, 2, 3] {
                    let want = reference(a, b).min(usize::from(max) + 1);
                    assert_eq!(usize::from(edit_distance(a, b, max)), want, "{a} {b} {max}");
                }
            }
        }
    }
}
