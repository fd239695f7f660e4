//! Look-ups beside the search itself, for a user interface: the values of one facet that match
//! what the user has typed (with their counts under the current filters), completions across
//! practitioner names, places and specialties, and one practitioner by id rendered as a hit.
//!
//! They live in one file so the rest of the crate need not change for them: the facet values
//! reuse [`SearchEngine::search`] itself, and the profile reuses the hit rendering.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Serialize;
use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::tantivy::collector::TopDocs;
use stillpoint_index::tantivy::query::TermQuery;
use stillpoint_index::tantivy::schema::IndexRecordOption;
use stillpoint_index::tantivy::{DocAddress, DocSet, TERMINATED, Term};
use stillpoint_model::text::fold;

use crate::plan;
use crate::response::{FacetCounts, Hit};
use crate::{Facet, Result, SearchEngine, SearchError, SearchRequest, render};

/// Completions of one kind (at most this many each).
pub const DEFAULT_SUGGESTIONS: usize = 5;
/// Name terms of the index read for one completion; bounds the work on a one-letter prefix.
const MAX_NAME_TERMS: usize = 64;
/// Practitioner documents read for one completion.
const MAX_NAME_DOCS: usize = 64;

/// One completion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// `practitioner`, `place` or `specialty`.
    pub kind: &'static str,
    /// What to show ("Ana Müller", "Boulder, Colorado, US", "TMJ and jaw pain").
    pub text: String,
    /// What to search with: the practitioner id, the place label for `near`, the specialty id.
    pub value: String,
    /// The synonym that matched, when it was not the text itself ("jaw pain").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
}

/// Completions of a typed prefix, grouped by kind: specialties, places, then practitioners.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestions {
    pub query: String,
    pub suggestions: Vec<Suggestion>,
}

/// Whether `prefix` (folded) starts `text` (folded) or one of its words.
fn starts_a_word(text: &str, prefix: &str) -> bool {
    text.starts_with(prefix)
        || text
            .match_indices(' ')
            .any(|(i, _)| text[i + 1..].starts_with(prefix))
}

impl SearchEngine {
    /// The values of `facet` whose value or label (folded) starts with `prefix` or has a word
    /// that does ("mig" finds "Headaches and migraines"), with their counts under `request`'s
    /// filters (disjunctive, as in a search), most frequent first, at most `size`. The request's
    /// paging and facet choice are ignored.
    pub fn facet_values(
        &self,
        facet: Facet,
        prefix: &str,
        request: &SearchRequest,
        size: usize,
    ) -> Result<FacetCounts> {
        let mut request = request.clone();
        request.limit = 0;
        request.offset = 0;
        request.cursor = None;
        request.facets = Some(vec![facet]);
        request.facet_size = self.limits.max_facet_size;
        let response = self.search(&request)?;
        let mut counts = response
            .facets
            .into_iter()
            .next()
            .expect("the one facet asked for is counted");
        let prefix = fold(prefix);
        if !prefix.is_empty() {
            counts.values.retain(|v| {
                starts_a_word(&fold(&v.value), &prefix) || starts_a_word(&fold(&v.label), &prefix)
            });
        }
        counts.distinct = counts.values.iter().filter(|v| v.count > 0).count();
        counts.values.truncate(size);
        Ok(counts)
    }

    /// Completions of `query` across specialties (labels and synonyms of the vocabulary), places
    /// (the gazetteer's cities, most populous first) and practitioner names (a word of the name
    /// starts with the query), at most `per_kind` of each.
    pub fn suggest(&self, query: &str, per_kind: usize) -> Result<Suggestions> {
        let folded = fold(query);
        let mut suggestions = Vec::new();
        if !folded.is_empty() && per_kind > 0 {
            suggestions.extend(self.suggest_specialties(&folded, per_kind));
            suggestions.extend(suggest_places(self.gazetteer, &folded, per_kind));
            suggestions.extend(self.suggest_names(&folded, per_kind)?);
        }
        Ok(Suggestions {
            query: query.to_string(),
            suggestions,
        })
    }

    fn suggest_specialties(&self, folded: &str, limit: usize) -> Vec<Suggestion> {
        let mut out = Vec::new();
        for term in &self.vocabulary.specialties {
            let label = fold(&term.label);
            let matched = if starts_a_word(&label, folded) {
                Some(None)
            } else {
                term.synonyms
                    .iter()
                    .find(|s| starts_a_word(&fold(s), folded))
                    .map(|s| Some(s.clone()))
            };
            if let Some(matched) = matched {
                out.push(Suggestion {
                    kind: "specialty",
                    text: term.label.clone(),
                    value: term.id.clone(),
                    matched,
                });
            }
        }
        // Matches of the label itself first.
        out.sort_by_key(|s| s.matched.is_some());
        out.truncate(limit);
        out
    }

    /// Names with a word starting with the query's last word, read from the `name` field's
    /// term dictionary (so a prefix costs a range of terms, not a pass over documents), then
    /// checked against the whole query on the stored name.
    fn suggest_names(&self, folded: &str, limit: usize) -> Result<Vec<Suggestion>> {
        let last = folded.rsplit(' ').next().unwrap_or(folded);
        // The dictionary holds stems ("james" is "jame"): look up the shorter of the word and
        // its stem, then check the real name.
        let mut analyzer = self.analyzers.take();
        let mut stem = last.to_string();
        analyzer.token_stream(last).process(&mut |t| {
            if t.text.len() < stem.len() {
                stem = t.text.clone();
            }
        });
        let searcher = self.reader.searcher();
        let mut docs = Vec::new();
        'segments: for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(self.fields.name)?;
            let mut upper = stem.clone().into_bytes();
            upper.push(0xff);
            let mut terms = inverted
                .terms()
                .range()
                .ge(&stem)
                .lt(&upper)
                .into_stream()?;
            let mut seen_terms = 0;
            while terms.advance() && seen_terms < MAX_NAME_TERMS {
                seen_terms += 1;
                let mut postings = inverted
                    .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
                while postings.doc() != TERMINATED {
                    let doc = postings.doc();
                    if !segment.is_deleted(doc) {
                        docs.push(DocAddress::new(ord as u32, doc));
                        if docs.len() >= MAX_NAME_DOCS {
                            break 'segments;
                        }
                    }
                    postings.advance();
                }
            }
        }
        let mut out: Vec<(bool, String, Suggestion)> = Vec::new();
        let mut names = HashSet::new();
        for address in docs {
            let record = self
                .records
                .get(&searcher, &self.fields, &self.vocabulary, address)?;
            let p = &record.profile;
            let name = fold(&p.name);
            if starts_a_word(&name, folded) && names.insert(p.id.clone()) {
                out.push((
                    !name.starts_with(folded),
                    name,
                    Suggestion {
                        kind: "practitioner",
                        text: p.name.clone(),
                        value: p.id.clone(),
                        matched: None,
                    },
                ));
            }
        }
        // Names starting with the query first, then A to Z.
        out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        Ok(out.into_iter().take(limit).map(|(_, _, s)| s).collect())
    }

    /// One practitioner by id, rendered as a search hit (privacy applied: a city-only location
    /// shows no address or postal code), from the last reloaded commit.
    pub fn practitioner(&self, id: &str) -> Result<Option<Hit>> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = top.first() else {
            return Ok(None);
        };
        let record = self
            .records
            .get(&searcher, &self.fields, &self.vocabulary, *address)?;
        let mut analyzer = self.analyzers.take();
        let cx = self.context();
        // An empty request: no centre, no text, so the hit carries no distance or highlight.
        let plan = plan::plan(&SearchRequest::default(), &cx, &mut analyzer)
            .map_err(SearchError::Invalid)?;
        Ok(Some(render::hit(&record, &plan, 0.0, None)))
    }
}

/// Whole cities by folded name, sorted, built once per gazetteer on first use (about 100,000
/// names; a prefix is then a binary search).
struct PlaceNames {
    gazetteer: usize,
    names: Vec<(String, u32)>,
}

fn place_names(gazetteer: &'static Gazetteer) -> Option<&'static [(String, u32)]> {
    static NAMES: OnceLock<PlaceNames> = OnceLock::new();
    let key = std::ptr::from_ref(gazetteer) as usize;
    let built = NAMES.get_or_init(|| {
        let mut names: Vec<(String, u32)> = gazetteer
            .cities()
            .iter()
            .enumerate()
            .map(|(i, c)| (fold(&c.name), i as u32))
            .collect();
        names.sort_unstable();
        PlaceNames {
            gazetteer: key,
            names,
        }
    });
    // Another gazetteer than the one cached (tests may load their own): no place completions
    // rather than wrong ones.
    (built.gazetteer == key).then_some(built.names.as_slice())
}

fn suggest_places(gazetteer: &'static Gazetteer, folded: &str, limit: usize) -> Vec<Suggestion> {
    let Some(names) = place_names(gazetteer) else {
        return Vec::new();
    };
    let start = names.partition_point(|(name, _)| name.as_str() < folded);
    let cities = gazetteer.cities();
    let mut matches: Vec<&stillpoint_gazetteer::City> = names[start..]
        .iter()
        .take_while(|(name, _)| name.starts_with(folded))
        .map(|(_, i)| &cities[*i as usize])
        .collect();
    matches.sort_by_key(|c| std::cmp::Reverse(c.population));
    matches
        .into_iter()
        .take(limit)
        .map(|c| {
            let label = match &c.region {
                Some(region) => format!("{}, {region}, {}", c.name, c.country),
                None => format!("{}, {}", c.name, c.country),
            };
            Suggestion {
                kind: "place",
                text: label.clone(),
                value: label,
                matched: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_the_start_of_any_word() {
        assert!(starts_a_word("headaches and migraines", "mig"));
        assert!(starts_a_word("headaches and migraines", "head"));
        assert!(!starts_a_word("headaches and migraines", "aches"));
    }

    #[test]
    fn places_complete_by_population() {
        let places = suggest_places(Gazetteer::embedded(), "bould", 3);
        assert_eq!(places[0].text, "Boulder, Colorado, US");
        assert!(places.iter().all(|p| p.kind == "place"));
    }
}
