//! What the generator draws from the vocabulary: weighted specialty, profession and technique
//! tables, the bodies with the approach their training follows, and the publishing association's
//! own bodies (whose credentials its feed verifies).
//!
//! Weights are keyed by everyday names ("chronic pain", "massage therapist") resolved through the
//! vocabulary's own lookup, so they follow whatever ids the shipped vocabulary uses; names it does
//! not know simply contribute nothing.

use rand::Rng;
use stillpoint_model::vocabulary::{Term, Vocabulary};

use crate::names::FREE_TEXT_PROFESSIONS;
use crate::prose::{lower_first, short_label};
use crate::random::{DemoRng, Weighted, chance, pick};

/// A craniosacral approach (the vocabulary's three approach ids, in its order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Approach {
    Biodynamic,
    Biomechanical,
    Integrative,
}

impl Approach {
    pub fn id(self) -> &'static str {
        match self {
            Approach::Biodynamic => "biodynamic",
            Approach::Biomechanical => "biomechanical",
            Approach::Integrative => "integrative",
        }
    }
}

/// The general approach mix of the field: biodynamic ~40%, biomechanical ~35%, integrative ~15%,
/// unspecified ~10%.
const GENERAL_MIX: [(Option<Approach>, f64); 4] = [
    (Some(Approach::Biodynamic), 0.40),
    (Some(Approach::Biomechanical), 0.35),
    (Some(Approach::Integrative), 0.15),
    (None, 0.10),
];

/// Common reasons people seek CST weigh more than rare ones (default weight 1).
const SPECIALTY_WEIGHTS: &[(&str, f64)] = &[
    ("chronic pain", 6.0),
    ("headaches", 6.0),
    ("migraine", 6.0),
    ("neck pain", 5.0),
    ("back pain", 5.0),
    ("neck and back pain", 5.0),
    ("anxiety", 5.0),
    ("stress", 5.0),
    ("infants", 5.0),
    ("babies", 5.0),
    ("children", 4.0),
    ("pregnancy", 4.0),
    ("tmj", 3.0),
    ("trauma", 2.5),
    ("sleep", 2.0),
    ("insomnia", 2.0),
    ("fibromyalgia", 2.0),
    ("concussion", 2.0),
];

/// Massage therapists are by far the most common CST practitioners.
const PROFESSION_WEIGHTS: &[(&str, f64)] = &[
    ("massage therapist", 40.0),
    ("craniosacral therapist", 15.0),
    ("physical therapist", 12.0),
    ("physiotherapist", 12.0),
    ("occupational therapist", 8.0),
    ("osteopath", 6.0),
    ("chiropractor", 6.0),
    ("nurse", 5.0),
    ("midwife", 4.0),
    ("complementary therapist", 3.0),
];

/// Upledger's techniques for biomechanical practitioners; "primary respiration" is biodynamic
/// language and rare there.
const BIOMECHANICAL_TECHNIQUES: &[(&str, f64)] = &[
    ("still point induction", 4.0),
    ("somatoemotional release", 3.0),
    ("v-spread", 2.0),
    ("diaphragm releases", 2.0),
    ("cranial base release", 2.0),
    ("dural tube", 2.0),
    ("primary respiration", 0.1),
];

/// Biodynamic practitioners name few techniques, and mostly the listening ones.
const BIODYNAMIC_TECHNIQUES: &[(&str, f64)] = &[("primary respiration", 8.0), ("still point", 2.0)];

/// Integrative and unspecified practitioners: the biomechanical preferences, without excluding
/// the biodynamic ones.
const GENERAL_TECHNIQUES: &[(&str, f64)] = &[
    ("still point induction", 4.0),
    ("somatoemotional release", 2.0),
    ("primary respiration", 2.0),
];

/// Bodies that train and certify in many countries although the vocabulary gives them a home.
const INTERNATIONAL: &[&str] = &["upledger", "iahp", "iabt"];

/// A vocabulary term and the other names a feed may write it with.
#[derive(Debug, Clone)]
pub(crate) struct TermChoice {
    pub id: String,
    /// The label as it reads mid-sentence: "migraine", "physical therapist", "TMJ".
    pub phrase: String,
    /// Label and synonyms: resolvable through the vocabulary, so they exercise normalisation.
    aliases: Vec<String>,
    /// A specialty describing who (infants, athletes) rather than what (migraine).
    pub population: bool,
}

impl TermChoice {
    fn new(term: &Term) -> TermChoice {
        let aliases = std::iter::once(&term.label)
            .chain(&term.synonyms)
            .filter(|a| !a.trim().is_empty() && **a != term.id)
            .cloned()
            .collect();
        TermChoice {
            id: term.id.clone(),
            phrase: lower_first(short_label(&term.label)),
            aliases,
            population: term.group.as_deref() == Some("population"),
        }
    }

    /// The id, or with probability `alias_rate` a label or synonym instead.
    pub fn written(&self, rng: &mut DemoRng, alias_rate: f64) -> &str {
        if !self.aliases.is_empty() && chance(rng, alias_rate) {
            let alias: &String = pick(rng, &self.aliases);
            alias
        } else {
            &self.id
        }
    }
}

/// A weighted table of terms.
#[derive(Debug, Clone, Default)]
pub(crate) struct TermTable {
    pub terms: Vec<TermChoice>,
    weights: Weighted,
}

impl TermTable {
    /// Terms named in `weights` (resolved through `lookup`; several names of one term keep the
    /// largest weight) get that weight, all others `default`.
    fn new<'v>(
        terms: &[Term],
        weights: &[(&str, f64)],
        default: f64,
        lookup: impl Fn(&str) -> Option<&'v Term>,
    ) -> TermTable {
        let mut named: Vec<Option<f64>> = vec![None; terms.len()];
        for (name, weight) in weights {
            if let Some(term) = lookup(name)
                && let Some(i) = terms.iter().position(|t| t.id == term.id)
            {
                named[i] = Some(named[i].map_or(*weight, |w| w.max(*weight)));
            }
        }
        TermTable {
            terms: terms.iter().map(TermChoice::new).collect(),
            weights: Weighted::new(named.into_iter().map(|w| w.unwrap_or(default))),
        }
    }

    /// Up to `k` distinct term indices, common terms more likely.
    pub fn sample(&self, rng: &mut DemoRng, k: usize, out: &mut Vec<usize>) {
        self.weights.sample_distinct(rng, k, out);
    }
}

/// A body that issues credentials.
#[derive(Debug, Clone)]
pub(crate) struct BodyChoice {
    pub id: String,
    pub name: String,
    pub country: Option<String>,
    /// A registry or board (national; registers people trained elsewhere).
    pub registry: bool,
    /// A certification body (its credentials are certifications, not memberships).
    pub certifier: bool,
    /// Trains or certifies across countries whatever its home country (Upledger, IAHP, IABT).
    pub international: bool,
    /// The approach its training follows; `None` for boards, registries and bodies teaching both.
    pub affinity: Option<Approach>,
    pub credentials: Vec<String>,
    /// The first credential listed (usually the entry level) is the most common.
    credential_weights: Weighted,
}

impl BodyChoice {
    pub fn credential(&self, rng: &mut DemoRng) -> &str {
        let i = self.credential_weights.sample(rng).unwrap_or(0);
        &self.credentials[i]
    }

    /// Whether someone of this approach plausibly holds this body's credential.
    pub fn suits(&self, approach: Option<Approach>) -> bool {
        match (self.affinity, approach) {
            (None, _) | (_, None) | (_, Some(Approach::Integrative)) => true,
            (Some(a), Some(b)) => a == b,
        }
    }
}

/// The approach a body teaches, from its id or name: Upledger lineage is biomechanical, the
/// registered-craniosacral-therapist associations and trainings are biodynamic.
fn affinity(id: &str, name: &str) -> Option<Approach> {
    let name = name.to_lowercase();
    if matches!(id, "upledger" | "iahp") || name.contains("upledger") {
        Some(Approach::Biomechanical)
    } else if matches!(id, "bcta-na" | "csta-uk" | "csta-sa" | "ctet" | "iabt")
        || name.contains("biodynamic")
    {
        Some(Approach::Biodynamic)
    } else {
        None
    }
}

/// Everything drawn from the vocabulary, prepared once per generator.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub specialties: TermTable,
    pub professions: TermTable,
    /// Techniques for biodynamic, biomechanical and other practitioners; see [`Catalog::techniques`].
    techniques: [TermTable; 3],
    /// Free-text professions the vocabulary does not know.
    pub free_professions: Vec<&'static str>,
    /// Approach ids and labels as the vocabulary spells them.
    pub approach_labels: Vec<(String, String)>,
    pub bodies: Vec<BodyChoice>,
    /// Indices into `bodies` whose credentials the publishing association verifies.
    pub own: Vec<usize>,
    pub approach_mix: [(Option<Approach>, f64); 4],
    /// The association's country in the vocabulary, if any.
    pub association_country: Option<String>,
    /// The publishing association's id.
    pub association: String,
}

impl Catalog {
    pub fn new(vocabulary: &Vocabulary, association: &str) -> Catalog {
        let bodies: Vec<BodyChoice> = vocabulary
            .bodies
            .iter()
            .filter(|b| !b.credentials.is_empty())
            .map(|b| BodyChoice {
                id: b.id.clone(),
                name: b.name.clone(),
                country: b.country.clone(),
                registry: matches!(b.kind.as_str(), "registry" | "board"),
                certifier: b.kind == "certification-body",
                international: b.country.is_none() || INTERNATIONAL.contains(&b.id.as_str()),
                affinity: affinity(&b.id, &b.name),
                credentials: b.credentials.iter().map(|c| c.id.clone()).collect(),
                credential_weights: Weighted::new(
                    (0..b.credentials.len()).map(|i| if i == 0 { 3.0 } else { 1.0 }),
                ),
            })
            .collect();
        let own: Vec<usize> = bodies
            .iter()
            .enumerate()
            .filter(|(_, b)| {
                vocabulary
                    .body_by_id(&b.id)
                    .is_some_and(|body| vocabulary.vouches(association, body))
            })
            .map(|(i, _)| i)
            .collect();
        let approach_mix = mix_for(own.iter().map(|&i| bodies[i].affinity));
        Catalog {
            specialties: TermTable::new(&vocabulary.specialties, SPECIALTY_WEIGHTS, 1.0, |n| {
                vocabulary.specialty(n)
            }),
            professions: TermTable::new(&vocabulary.professions, PROFESSION_WEIGHTS, 1.0, |n| {
                vocabulary.profession(n)
            }),
            techniques: [
                BIODYNAMIC_TECHNIQUES,
                BIOMECHANICAL_TECHNIQUES,
                GENERAL_TECHNIQUES,
            ]
            .map(|weights| {
                let default = if weights == BIODYNAMIC_TECHNIQUES {
                    0.3
                } else {
                    1.0
                };
                TermTable::new(&vocabulary.techniques, weights, default, |n| {
                    vocabulary.technique(n)
                })
            }),
            free_professions: FREE_TEXT_PROFESSIONS
                .iter()
                .copied()
                .filter(|p| vocabulary.profession(p).is_none())
                .collect(),
            approach_labels: vocabulary
                .approaches
                .iter()
                .map(|a| (a.id.clone(), a.label.clone()))
                .collect(),
            bodies,
            own,
            approach_mix,
            association: association.to_string(),
            association_country: vocabulary
                .body_by_id(association)
                .and_then(|b| b.country.clone()),
        }
    }

    /// The technique table for a practitioner of `approach`.
    pub fn techniques(&self, approach: Option<Approach>) -> &TermTable {
        match approach {
            Some(Approach::Biodynamic) => &self.techniques[0],
            Some(Approach::Biomechanical) => &self.techniques[1],
            _ => &self.techniques[2],
        }
    }

    /// A body suiting `approach` for a practitioner in `country`, skipping `exclude`; `None`
    /// when no body qualifies.
    ///
    /// A primary credential comes from a training body or association (registries and boards
    /// only register people trained elsewhere), preferring the practitioner's country. An extra
    /// one may also come from a registry or board, but only from one of their own country:
    /// those are national.
    pub fn body_for(
        &self,
        rng: &mut DemoRng,
        approach: Option<Approach>,
        country: &str,
        role: Role,
        exclude: &[usize],
    ) -> Option<usize> {
        let mut total = 0.0;
        let mut chosen = None;
        for (i, body) in self.bodies.iter().enumerate() {
            if exclude.contains(&i) || !body.suits(approach) {
                continue;
            }
            // International trainings count as local everywhere; a national body abroad is rare.
            let home = match body.country.as_deref() {
                _ if body.international => None,
                Some(c) => Some(c == country),
                None => None,
            };
            let weight = match (role, body.registry, home) {
                (Role::Primary, true, _) => 0.0,
                (Role::Primary, false, Some(true)) => 3.0,
                (Role::Primary, false, None) => 1.0,
                (Role::Primary, false, Some(false)) => 0.02,
                (Role::Extra, true, Some(true)) => 3.0,
                (Role::Extra, true, _) => 0.0,
                (Role::Extra, false, Some(true)) => 1.5,
                (Role::Extra, false, None) => 1.0,
                (Role::Extra, false, Some(false)) => 0.02,
            };
            // Certification is what a listing shows first; association membership comes second.
            let weight = if body.certifier && role == Role::Primary {
                2.0 * weight
            } else {
                weight
            };
            if weight <= 0.0 {
                continue;
            }
            total += weight;
            if rng.random::<f64>() * total < weight {
                chosen = Some(i);
            }
        }
        chosen
    }

    /// One of the association's own bodies suiting `approach`: the association itself three
    /// times as likely as a body it merely vouches for.
    pub fn own_body(&self, rng: &mut DemoRng, approach: Option<Approach>) -> Option<usize> {
        let mut total = 0.0;
        let mut chosen = None;
        for &i in &self.own {
            let body = &self.bodies[i];
            if !body.suits(approach) {
                continue;
            }
            let weight = if body.id == self.association {
                3.0
            } else {
                1.0
            };
            total += weight;
            if rng.random::<f64>() * total < weight {
                chosen = Some(i);
            }
        }
        chosen
    }
}

/// What a credential is for in [`Catalog::body_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Primary,
    Extra,
}

/// An association whose own credentials all follow one approach mostly lists people of that
/// approach; any other association gets the field's general mix.
fn mix_for(affinities: impl Iterator<Item = Option<Approach>>) -> [(Option<Approach>, f64); 4] {
    let mut seen = None;
    for affinity in affinities {
        match (seen, affinity) {
            (_, None) => return GENERAL_MIX,
            (None, Some(a)) => seen = Some(a),
            (Some(s), Some(a)) if s != a => return GENERAL_MIX,
            _ => {}
        }
    }
    match seen {
        Some(Approach::Biomechanical) => [
            (Some(Approach::Biomechanical), 0.70),
            (Some(Approach::Integrative), 0.15),
            (Some(Approach::Biodynamic), 0.05),
            (None, 0.10),
        ],
        Some(Approach::Biodynamic) => [
            (Some(Approach::Biodynamic), 0.72),
            (Some(Approach::Integrative), 0.15),
            (Some(Approach::Biomechanical), 0.03),
            (None, 0.10),
        ],
        _ => GENERAL_MIX,
    }
}
