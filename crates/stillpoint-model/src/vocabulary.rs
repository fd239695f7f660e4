//! The controlled vocabulary (`config/vocabulary.toml`): certification bodies and their
//! credentials, approaches, professions, specialties, techniques and contraindication notices.
//!
//! Every label, synonym and id is matched folded ([`crate::text::fold`]), so "TMJ", "jaw pain" and
//! "TMD" all name the specialty `tmj`.

use foldhash::HashMap;

use serde::{Deserialize, Serialize};

use crate::text::fold;

/// Why a vocabulary could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum VocabularyError {
    /// The text is not valid TOML or does not have the vocabulary's shape.
    #[error("vocabulary: {0}")]
    Parse(#[from] toml::de::Error),
    /// The vocabulary parsed but contradicts itself (duplicate ids, dangling references...).
    #[error("vocabulary: {}", .0.join("; "))]
    Invalid(Vec<String>),
}

/// The whole vocabulary with its lookup tables.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    pub practice: Practice,
    #[serde(default)]
    pub approaches: Vec<Term>,
    #[serde(default)]
    pub bodies: Vec<Body>,
    #[serde(default)]
    pub professions: Vec<Term>,
    #[serde(default)]
    pub specialties: Vec<Term>,
    #[serde(default)]
    pub techniques: Vec<Term>,
    #[serde(default)]
    pub contraindications: Vec<Contraindication>,
    #[serde(skip)]
    lookup: Lookup,
}

/// The names of the practice itself; each is a search synonym of the others.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practice {
    pub label: String,
    pub terms: Vec<String>,
}

/// An approach, profession, specialty or technique.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Specialties only: `condition` or `population`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default)]
    pub synonyms: Vec<String>,
}

/// A certification body or association.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// `certification-body`, `association`, `registry` or `board`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Other bodies whose publications verify this body's credentials.
    #[serde(default)]
    pub vouched_by: Vec<String>,
    #[serde(default)]
    pub credentials: Vec<CredentialKind>,
}

/// A credential a body issues.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialKind {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub synonyms: Vec<String>,
}

/// A condition under which CST is avoided or needs a physician's word first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contraindication {
    pub id: String,
    pub label: String,
    /// `avoid`, `see-physician` or `modified-approach`.
    pub level: String,
    pub terms: Vec<String>,
    pub notice: String,
}

/// Folded name -> index tables, built once after parsing.
#[derive(Debug, Clone, Default)]
struct Lookup {
    /// Exact ids of every term section, tried before folding: feeds mostly give ids, and
    /// folding allocates.
    ids: [HashMap<String, usize>; 4],
    approaches: HashMap<String, usize>,
    bodies: HashMap<String, usize>,
    professions: HashMap<String, usize>,
    specialties: HashMap<String, usize>,
    techniques: HashMap<String, usize>,
    /// Per body: folded credential name -> index in `body.credentials`.
    credentials: Vec<HashMap<String, usize>>,
    /// Folded contraindication term -> the contraindications it names. A text matches a
    /// term when the term's words appear in it in a row (see
    /// [`Vocabulary::contraindications_in`]).
    contraindication_terms: HashMap<String, Vec<usize>>,
    /// Words in the longest term.
    contraindication_words: usize,
}

/// The term sections, for the exact-id table.
#[derive(Debug, Clone, Copy)]
enum Section {
    Approach,
    Profession,
    Specialty,
    Technique,
}

const APPROACHES: [&str; 3] = ["biodynamic", "biomechanical", "integrative"];
const BODY_KINDS: [&str; 4] = ["certification-body", "association", "registry", "board"];
const SPECIALTY_GROUPS: [&str; 2] = ["condition", "population"];
const LEVELS: [&str; 3] = ["avoid", "see-physician", "modified-approach"];

impl Vocabulary {
    /// Parses and validates a vocabulary.
    pub fn from_toml_str(text: &str) -> Result<Vocabulary, VocabularyError> {
        let mut vocabulary: Vocabulary = toml::from_str(text)?;
        let mut problems = Vec::new();
        vocabulary.lookup = vocabulary.build_lookup(&mut problems);
        vocabulary.validate(&mut problems);
        if problems.is_empty() {
            Ok(vocabulary)
        } else {
            Err(VocabularyError::Invalid(problems))
        }
    }

    fn build_lookup(&self, problems: &mut Vec<String>) -> Lookup {
        let terms = |section: &str, items: &[Term], problems: &mut Vec<String>| {
            let mut map = HashMap::default();
            for (i, term) in items.iter().enumerate() {
                let names = [&term.id, &term.label].into_iter().chain(&term.synonyms);
                insert_names(&mut map, names, i, section, &term.id, problems, |j| {
                    items[j].id.clone()
                });
            }
            map
        };
        let mut bodies = HashMap::default();
        let mut credentials = Vec::new();
        for (i, body) in self.bodies.iter().enumerate() {
            let names = [&body.id, &body.name].into_iter().chain(&body.short_name);
            insert_names(&mut bodies, names, i, "bodies", &body.id, problems, |j| {
                self.bodies[j].id.clone()
            });
            let mut map = HashMap::default();
            for (k, credential) in body.credentials.iter().enumerate() {
                let names = [&credential.id, &credential.label]
                    .into_iter()
                    .chain(&credential.synonyms);
                let section = format!("bodies.{}.credentials", body.id);
                insert_names(
                    &mut map,
                    names,
                    k,
                    &section,
                    &credential.id,
                    problems,
                    |j| body.credentials[j].id.clone(),
                );
            }
            credentials.push(map);
        }
        let mut contraindication_terms: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, c) in self.contraindications.iter().enumerate() {
            for term in c.terms.iter().map(|t| fold(t)).filter(|t| !t.is_empty()) {
                let indexes = contraindication_terms.entry(term).or_default();
                if !indexes.contains(&i) {
                    indexes.push(i);
                }
            }
        }
        let contraindication_words = contraindication_terms
            .keys()
            .map(|t| t.split(' ').count())
            .max()
            .unwrap_or(0);
        let ids = [
            (Section::Approach, &self.approaches),
            (Section::Profession, &self.professions),
            (Section::Specialty, &self.specialties),
            (Section::Technique, &self.techniques),
        ]
        .map(|(_, items)| {
            items
                .iter()
                .enumerate()
                .map(|(i, t)| (t.id.clone(), i))
                .collect()
        });
        Lookup {
            ids,
            approaches: terms("approaches", &self.approaches, problems),
            bodies,
            professions: terms("professions", &self.professions, problems),
            specialties: terms("specialties", &self.specialties, problems),
            techniques: terms("techniques", &self.techniques, problems),
            credentials,
            contraindication_terms,
            contraindication_words,
        }
    }

    fn validate(&self, problems: &mut Vec<String>) {
        let ids: Vec<&str> = self.approaches.iter().map(|a| a.id.as_str()).collect();
        if ids != APPROACHES {
            problems.push(format!(
                "approaches must be exactly {APPROACHES:?}, found {ids:?}"
            ));
        }
        for body in &self.bodies {
            if !BODY_KINDS.contains(&body.kind.as_str()) {
                problems.push(format!(
                    "bodies.{}: kind must be one of {BODY_KINDS:?}",
                    body.id
                ));
            }
            for other in &body.vouched_by {
                if other == &body.id || self.body_by_id(other).is_none() {
                    problems.push(format!(
                        "bodies.{}: vouched_by names unknown body {other:?}",
                        body.id
                    ));
                }
            }
        }
        for term in &self.specialties {
            if !term
                .group
                .as_deref()
                .is_some_and(|g| SPECIALTY_GROUPS.contains(&g))
            {
                problems.push(format!(
                    "specialties.{}: group must be one of {SPECIALTY_GROUPS:?}",
                    term.id
                ));
            }
        }
        for c in &self.contraindications {
            if !LEVELS.contains(&c.level.as_str()) {
                problems.push(format!(
                    "contraindications.{}: level must be one of {LEVELS:?}",
                    c.id
                ));
            }
            if c.terms.is_empty() || c.notice.trim().is_empty() {
                problems.push(format!(
                    "contraindications.{}: needs terms and a notice",
                    c.id
                ));
            }
        }
        let all_ids = self
            .approaches
            .iter()
            .chain(&self.professions)
            .chain(&self.specialties)
            .chain(&self.techniques)
            .map(|t| t.id.as_str())
            .chain(self.bodies.iter().map(|b| b.id.as_str()))
            .chain(self.contraindications.iter().map(|c| c.id.as_str()));
        for id in all_ids {
            if !is_vocabulary_id(id) {
                problems.push(format!("{id:?} is not a lowercase kebab-case id"));
            }
        }
    }

    /// An approach by id, label or synonym.
    pub fn approach(&self, name: &str) -> Option<&Term> {
        self.term(
            Section::Approach,
            &self.approaches,
            &self.lookup.approaches,
            name,
        )
    }

    /// Exact id first (no allocation), then the folded label or synonym.
    fn term<'a>(
        &self,
        section: Section,
        items: &'a [Term],
        names: &HashMap<String, usize>,
        name: &str,
    ) -> Option<&'a Term> {
        let exact = self.lookup.ids[section as usize].get(name);
        exact.or_else(|| names.get(&fold(name))).map(|&i| &items[i])
    }

    /// A body by exact id.
    pub fn body_by_id(&self, id: &str) -> Option<&Body> {
        self.bodies.iter().find(|b| b.id == id)
    }

    /// A body by id, name or short name.
    pub fn body(&self, name: &str) -> Option<&Body> {
        self.lookup
            .bodies
            .get(&fold(name))
            .map(|&i| &self.bodies[i])
    }

    /// A credential of `body` by code, label or synonym.
    pub fn credential(&self, body: &Body, name: &str) -> Option<&CredentialKind> {
        let index = self.bodies.iter().position(|b| b.id == body.id)?;
        let credentials = &self.bodies[index].credentials;
        self.lookup.credentials[index]
            .get(&fold(name))
            .map(|&i| &credentials[i])
    }

    /// Whether a credential of `body` published by `association` counts as verified: the
    /// association is the issuing body or one the vocabulary lets vouch for it.
    pub fn vouches(&self, association: &str, body: &Body) -> bool {
        association == body.id || body.vouched_by.iter().any(|b| b == association)
    }

    pub fn profession(&self, name: &str) -> Option<&Term> {
        self.term(
            Section::Profession,
            &self.professions,
            &self.lookup.professions,
            name,
        )
    }

    pub fn specialty(&self, name: &str) -> Option<&Term> {
        self.term(
            Section::Specialty,
            &self.specialties,
            &self.lookup.specialties,
            name,
        )
    }

    pub fn technique(&self, name: &str) -> Option<&Term> {
        self.term(
            Section::Technique,
            &self.techniques,
            &self.lookup.techniques,
            name,
        )
    }

    /// The contraindications whose terms appear, as whole words, in `text`.
    ///
    /// Every run of up to the longest term's number of words is looked up: a search asks this
    /// of its query and of each selected specialty, and a scan of every term was 3% of a
    /// radius search's CPU.
    pub fn contraindications_in(&self, text: &str) -> Vec<&Contraindication> {
        let lookup = &self.lookup;
        let folded = fold(text);
        // Folded text is words separated by single spaces: a run of words is a slice of it.
        let starts: Vec<usize> = std::iter::once(0)
            .chain(folded.match_indices(' ').map(|(i, _)| i + 1))
            .collect();
        let ends: Vec<usize> = folded
            .match_indices(' ')
            .map(|(i, _)| i)
            .chain(std::iter::once(folded.len()))
            .collect();
        let mut found: Vec<usize> = Vec::new();
        for (w, &start) in starts.iter().enumerate() {
            for &end in ends.iter().skip(w).take(lookup.contraindication_words) {
                if let Some(indexes) = lookup.contraindication_terms.get(&folded[start..end]) {
                    found.extend_from_slice(indexes);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .map(|i| &self.contraindications[i])
            .collect()
    }
}

/// Lowercase kebab-case: `[a-z0-9]+(-[a-z0-9]+)*`.
pub fn is_vocabulary_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn insert_names<'a>(
    map: &mut HashMap<String, usize>,
    names: impl Iterator<Item = &'a String>,
    index: usize,
    section: &str,
    id: &str,
    problems: &mut Vec<String>,
    id_of: impl Fn(usize) -> String,
) {
    for name in names {
        let key = fold(name);
        if key.is_empty() {
            problems.push(format!("{section}.{id}: empty name"));
            continue;
        }
        if let Some(&other) = map.get(&key)
            && other != index
        {
            problems.push(format!(
                "{section}: {name:?} names both {:?} and {id:?}",
                id_of(other)
            ));
            continue;
        }
        map.insert(key, index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
        [practice]
        label = "Craniosacral therapy"
        terms = ["craniosacral", "cranial sacral"]
        [[approaches]]
        id = "biodynamic"
        label = "Biodynamic"
        synonyms = ["BCST"]
        [[approaches]]
        id = "biomechanical"
        label = "Biomechanical"
        [[approaches]]
        id = "integrative"
        label = "Integrative"
        [[bodies]]
        id = "upledger"
        name = "Upledger Institute International"
        kind = "certification-body"
        vouched_by = ["iahp"]
        [[bodies.credentials]]
        id = "CST-T"
        label = "Techniques Certified"
        [[bodies]]
        id = "iahp"
        name = "International Association of Healthcare Practitioners"
        kind = "association"
        [[specialties]]
        id = "tmj"
        label = "TMJ and jaw disorders"
        group = "condition"
        synonyms = ["jaw pain", "TMD"]
        [[contraindications]]
        id = "aneurysm"
        label = "Brain aneurysm"
        level = "avoid"
        terms = ["aneurysm", "brain aneurysm"]
        notice = "Please talk to your physician first."
    "#;

    #[test]
    fn synonyms_labels_and_ids_normalise_folded() {
        let v = Vocabulary::from_toml_str(SMALL).unwrap();
        for name in ["tmj", "TMJ", "Jaw pain", "tmd", "TMJ and jaw disorders"] {
            assert_eq!(
                v.specialty(name).map(|t| t.id.as_str()),
                Some("tmj"),
                "{name}"
            );
        }
        assert!(v.specialty("migraine").is_none());
        assert_eq!(v.approach("bcst").unwrap().id, "biodynamic");
        let upledger = v.body("Upledger Institute International").unwrap();
        assert_eq!(v.credential(upledger, "cst-t").unwrap().id, "CST-T");
    }

    #[test]
    fn vouching_rule() {
        let v = Vocabulary::from_toml_str(SMALL).unwrap();
        let upledger = v.body_by_id("upledger").unwrap();
        assert!(v.vouches("upledger", upledger));
        assert!(v.vouches("iahp", upledger));
        assert!(!v.vouches("bcta-na", upledger));
    }

    #[test]
    fn contraindications_match_whole_words() {
        let v = Vocabulary::from_toml_str(SMALL).unwrap();
        assert_eq!(v.contraindications_in("history of Brain-Aneurysm").len(), 1);
        assert!(v.contraindications_in("aneurysmal").is_empty());
        assert_eq!(v.contraindications_in("brain  ANEURYSM, recent").len(), 1);
        assert!(v.contraindications_in("brain").is_empty());
        assert!(v.contraindications_in("").is_empty());
        assert!(v.contraindications_in("  ,, ").is_empty());
    }

    #[test]
    fn contradictions_are_reported_together() {
        let text = SMALL
            .replace("synonyms = [\"jaw pain\", \"TMD\"]", "synonyms = [\"\"]")
            .replace("vouched_by = [\"iahp\"]", "vouched_by = [\"nobody\"]");
        let err = Vocabulary::from_toml_str(&text).unwrap_err().to_string();
        assert!(
            err.contains("empty name") && err.contains("nobody"),
            "{err}"
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let text = SMALL.replace(
            "kind = \"association\"",
            "kind = \"association\"\ncolour = 1",
        );
        assert!(matches!(
            Vocabulary::from_toml_str(&text),
            Err(VocabularyError::Parse(_))
        ));
    }
}
