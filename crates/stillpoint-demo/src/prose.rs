//! The words people read: bios, practice names and the slugs web and mail addresses are made of.
//!
//! Bios describe, they never promise: "I work with people living with migraine", not "I treat" or
//! "relieves". A directory must not make health claims, and neither should its demo data.

use std::fmt::Write;

use rand::Rng;

use crate::catalog::{Approach, TermChoice};
use crate::locale::Culture;
use crate::names::{PRACTICE_KINDS, PRACTICE_WORDS};
use crate::random::{DemoRng, chance, pick, pick_weighted};

/// What a bio may mention.
#[derive(Debug)]
pub(crate) struct BioFacts<'a> {
    pub approach: Option<Approach>,
    pub specialties: &'a [&'a TermChoice],
    /// Technique and profession as they read in a sentence ([`TermChoice::phrase`]).
    pub technique: Option<&'a str>,
    pub profession: Option<&'a str>,
    pub trained_with: Option<&'a str>,
    pub since: i32,
    pub minutes: Option<u32>,
}

/// A 1-4 sentence bio: in English, or for a non-English culture sometimes in its language.
pub(crate) fn bio(rng: &mut DemoRng, culture: Culture, facts: &BioFacts<'_>) -> String {
    let native = chance(rng, 0.3);
    match culture {
        Culture::German if native => german_bio(rng, facts),
        Culture::French if native => french_bio(rng, facts),
        Culture::Dutch if native => dutch_bio(rng, facts),
        _ => english_bio(rng, facts),
    }
}

fn english_bio(rng: &mut DemoRng, facts: &BioFacts<'_>) -> String {
    let mut text = String::with_capacity(320);
    let opening = match facts.approach {
        Some(Approach::Biodynamic) => pick(
            rng,
            &[
                "I practise biodynamic craniosacral therapy, a quiet, receptive way of working that follows the body's own rhythms.",
                "My work is biodynamic: I listen with light, still hands and let each session unfold at the client's pace.",
                "I offer biodynamic craniosacral sessions grounded in stillness and deep listening.",
            ],
        ),
        Some(Approach::Biomechanical) => pick(
            rng,
            &[
                "I use the Upledger approach to CranioSacral Therapy, a light-touch, technique-based method.",
                "My sessions follow the biomechanical CranioSacral Therapy model developed by John Upledger.",
                "I work with a light, technique-based approach to the craniosacral system of the head, spine and sacrum.",
            ],
        ),
        Some(Approach::Integrative) => pick(
            rng,
            &[
                "I combine biomechanical techniques with a biodynamic, listening approach, depending on what each client needs.",
                "My practice draws on both the biomechanical and the biodynamic traditions of craniosacral work.",
            ],
        ),
        None => pick(
            rng,
            &[
                "I offer gentle, hands-on craniosacral sessions; clients stay fully clothed.",
                "Craniosacral therapy is at the heart of my practice: a gentle, hands-on way of working.",
            ],
        ),
    };
    text.push_str(opening);

    // The sentences that may follow the opening, in this order; 0-3 of the applicable ones are
    // kept, so a bio has 1-4 sentences.
    let applicable = [
        facts.specialties.iter().any(|t| !t.population),
        facts.specialties.iter().any(|t| t.population),
        facts.technique.is_some(),
        true,
        facts.profession.is_some(),
        facts.minutes.is_some(),
    ];
    let available = applicable.iter().filter(|a| **a).count();
    let extra = pick_weighted(rng, &[(0usize, 0.1), (1, 0.3), (2, 0.35), (3, 0.25)]).min(available);
    let mut keep = [false; 6];
    let mut kept = 0;
    while kept < extra {
        let i = rng.random_range(0..keep.len());
        if applicable[i] && !keep[i] {
            keep[i] = true;
            kept += 1;
        }
    }
    // Writing into a String cannot fail.
    for sentence in (0..keep.len()).filter(|&i| keep[i]) {
        text.push(' ');
        match sentence {
            0 => {
                let lead = pick(
                    rng,
                    &[
                        "I work with people living with",
                        "Many of my clients come with",
                        "I often see clients with",
                    ],
                );
                let conditions = facts.specialties.iter().filter(|t| !t.population).take(3);
                push_sentence_list(&mut text, lead, conditions.map(|t| t.phrase.as_str()));
            }
            1 => {
                let lead = pick(
                    rng,
                    &[
                        "My practice has a particular focus on",
                        "I have a special interest in",
                        "I also offer sessions focused on",
                    ],
                );
                let populations = facts.specialties.iter().filter(|t| t.population).take(2);
                push_sentence_list(&mut text, lead, populations.map(|t| t.phrase.as_str()));
            }
            2 => {
                let _ = write!(
                    text,
                    "Sessions often include {}.",
                    facts.technique.unwrap_or_default()
                );
            }
            3 => {
                let _ = match (facts.trained_with, rng.random_range(0..3)) {
                    (Some(body), 0) => write!(
                        text,
                        "I trained with {body} and have been in practice since {}.",
                        facts.since
                    ),
                    (Some(body), 1) => write!(text, "Trained through {body}."),
                    _ => write!(text, "In practice since {}.", facts.since),
                };
            }
            4 => {
                let profession = facts.profession.unwrap_or_default();
                let _ = write!(text, "I am also {} {profession}.", article(profession));
            }
            _ => {
                let minutes = facts.minutes.unwrap_or_default();
                let _ = write!(
                    text,
                    "Sessions last about {minutes} minutes and take place fully clothed."
                );
            }
        }
    }
    text
}

/// "{lead} a, b and c."
fn push_sentence_list<'a>(text: &mut String, lead: &str, items: impl Iterator<Item = &'a str>) {
    text.push_str(lead);
    let mut items = items.peekable();
    let mut first = true;
    while let Some(item) = items.next() {
        text.push_str(match (first, items.peek()) {
            (true, _) => " ",
            (false, None) => " and ",
            (false, Some(_)) => ", ",
        });
        text.push_str(item);
        first = false;
    }
    text.push('.');
}

fn german_bio(rng: &mut DemoRng, facts: &BioFacts<'_>) -> String {
    let opening = match facts.approach {
        Some(Approach::Biodynamic) => {
            "Ich arbeite biodynamisch: ruhig, lauschend und im Tempo meiner Klientinnen und Klienten."
        }
        Some(Approach::Biomechanical) => {
            "Ich arbeite mit der CranioSacral Therapie nach Upledger, einer sanften, technikorientierten Methode."
        }
        Some(Approach::Integrative) => {
            "In meiner Praxis verbinde ich biomechanische Techniken mit biodynamischer Arbeit."
        }
        None => "Ich biete sanfte Kraniosakraltherapie an; die Behandlung findet bekleidet statt.",
    };
    let mut text = opening.to_string();
    if let Some(body) = facts.trained_with.filter(|_| chance(rng, 0.6)) {
        text.push_str(&format!(
            " Ausgebildet bei {body}, in eigener Praxis seit {}.",
            facts.since
        ));
    }
    if let Some(minutes) = facts.minutes {
        text.push_str(&format!(" Eine Sitzung dauert etwa {minutes} Minuten."));
    }
    text
}

fn french_bio(rng: &mut DemoRng, facts: &BioFacts<'_>) -> String {
    let opening = match facts.approach {
        Some(Approach::Biodynamic) => {
            "Je pratique la thérapie crânio-sacrée biodynamique, une approche douce et à l'écoute."
        }
        Some(Approach::Biomechanical) => {
            "Je pratique la thérapie crânio-sacrée selon l'approche Upledger, avec un toucher très léger."
        }
        Some(Approach::Integrative) => {
            "J'associe les techniques biomécaniques à une écoute biodynamique."
        }
        None => {
            "Je propose des séances de thérapie crânio-sacrée, un travail manuel doux, en restant habillé."
        }
    };
    let mut text = opening.to_string();
    if let Some(body) = facts.trained_with.filter(|_| chance(rng, 0.6)) {
        text.push_str(&format!(
            " Formé(e) auprès de {body}, en cabinet depuis {}.",
            facts.since
        ));
    }
    if let Some(minutes) = facts.minutes {
        text.push_str(&format!(" Une séance dure environ {minutes} minutes."));
    }
    text
}

fn dutch_bio(rng: &mut DemoRng, facts: &BioFacts<'_>) -> String {
    let opening = match facts.approach {
        Some(Approach::Biodynamic) => {
            "Ik werk biodynamisch: rustig, luisterend en in het tempo van de cliënt."
        }
        Some(Approach::Biomechanical) => {
            "Ik werk volgens de Upledger-methode, met een zachte, technische benadering."
        }
        Some(Approach::Integrative) => {
            "In mijn praktijk combineer ik biomechanische technieken met biodynamisch werk."
        }
        None => {
            "Ik bied zachte craniosacraal therapie aan; je blijft gekleed tijdens de behandeling."
        }
    };
    let mut text = opening.to_string();
    if let Some(body) = facts.trained_with.filter(|_| chance(rng, 0.6)) {
        text.push_str(&format!(
            " Opgeleid bij {body}, praktijk sinds {}.",
            facts.since
        ));
    }
    if let Some(minutes) = facts.minutes {
        text.push_str(&format!(" Een sessie duurt ongeveer {minutes} minuten."));
    }
    text
}

/// The first of a label's alternatives: "Physical therapist / physiotherapist" reads as
/// "Physical therapist" in a sentence.
pub(crate) fn short_label(label: &str) -> &str {
    label.split(" / ").next().unwrap_or(label).trim()
}

/// Lower-cases the first letter when the first word is an ordinary capitalised word
/// ("Migraine" -> "migraine"); acronyms and coined spellings ("TMJ", "V-spread",
/// "SomatoEmotional") stay.
pub(crate) fn lower_first(text: &str) -> String {
    let first_word = text.split(' ').next().unwrap_or("");
    let mut chars = first_word.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second))
            if first.is_uppercase()
                && second.is_lowercase()
                && chars.all(|c| !c.is_uppercase()) =>
        {
            first
                .to_lowercase()
                .chain(text[first.len_utf8()..].chars())
                .collect()
        }
        _ => text.to_string(),
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A practice name in the local style, or `None` (most practitioners trade under their name).
pub(crate) fn practice_name(
    rng: &mut DemoRng,
    culture: Culture,
    country: &str,
    last: &str,
    city: &str,
) -> Option<String> {
    if !chance(rng, 0.35) {
        return None;
    }
    Some(match culture {
        Culture::English => match rng.random_range(0..3) {
            0 => format!(
                "{} {}",
                pick(rng, PRACTICE_WORDS),
                pick(rng, PRACTICE_KINDS)
            ),
            1 => format!("{city} {}", pick(rng, PRACTICE_KINDS)),
            _ => format!("{last} {}", pick(rng, PRACTICE_KINDS)),
        },
        Culture::German => match rng.random_range(0..4) {
            0 => "Praxis für Kraniosakraltherapie".to_string(),
            1 => format!("Praxis {last}"),
            2 => format!("Craniosacral-Praxis {city}"),
            _ => format!("Kraniosakrale Körperarbeit {last}"),
        },
        Culture::Dutch => match rng.random_range(0..3) {
            0 => "Praktijk voor Craniosacraal Therapie".to_string(),
            1 => format!("Praktijk {last}"),
            _ => format!("Craniosacraal {city}"),
        },
        Culture::French => match rng.random_range(0..3) {
            0 => "Cabinet de thérapie crânio-sacrée".to_string(),
            1 => format!("Cabinet {last}"),
            _ => format!("Crânio-sacré {city}"),
        },
        Culture::Spanish => format!("Centro de Terapia Craneosacral {city}"),
        Culture::Italian => match rng.random_range(0..2) {
            0 => format!("Studio di Terapia Craniosacrale {last}"),
            _ => format!("Craniosacrale {city}"),
        },
        Culture::Scandinavian => match country {
            "DK" => format!("Kraniosakral Terapi {city}"),
            "NO" => format!("Kraniosakral terapi {last}"),
            _ => format!("Kraniosakral terapi {city}"),
        },
    })
}

/// A lowercase ASCII slug for web and mail addresses: "Jürgen Müller" -> "juergen-mueller".
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        // ASCII letters and digits are nearly everything: handled without Unicode lower-casing.
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let c = c.to_lowercase().next().unwrap_or(c);
        let folded = match c {
            'ä' | 'æ' => "ae",
            'ö' | 'ø' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'å' | 'à' | 'á' | 'â' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ó' | 'ò' | 'ô' => "o",
            'ú' | 'ù' | 'û' => "u",
            'ñ' => "n",
            'ç' => "c",
            '\'' => "",
            _ => "-",
        };
        if folded == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(folded);
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_readable() {
        for (name, expected) in [
            ("Jürgen Müller", "juergen-mueller"),
            ("Siobhan O'Brien", "siobhan-obrien"),
            (
                "Praxis für Kraniosakraltherapie",
                "praxis-fuer-kraniosakraltherapie",
            ),
            ("Søren  de Vries-", "soeren-de-vries"),
            ("Crânio-sacré Genève", "cranio-sacre-geneve"),
        ] {
            assert_eq!(slug(name), expected);
        }
    }

    #[test]
    fn lower_first_keeps_acronyms() {
        assert_eq!(lower_first("Migraine"), "migraine");
        assert_eq!(
            lower_first("TMJ and jaw disorders"),
            "TMJ and jaw disorders"
        );
        assert_eq!(lower_first("Élan"), "élan");
        assert_eq!(
            lower_first("SomatoEmotional Release"),
            "SomatoEmotional Release"
        );
        assert_eq!(lower_first("V-spread"), "V-spread");
    }
}
