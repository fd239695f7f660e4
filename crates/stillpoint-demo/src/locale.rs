//! Country conventions: which names, languages, street pattern, postal code, phone format and
//! currency a practitioner in a given country gets. One function per convention, each a small
//! table keyed by country code.

use rand::Rng;

use crate::names::{self, NameTable};
use crate::random::{DemoRng, chance, pick, pick_weighted};

/// A language group: decides names, street patterns, practice names and native bios.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Culture {
    English,
    German,
    Dutch,
    French,
    Spanish,
    Italian,
    Scandinavian,
}

const CULTURES: [Culture; 7] = [
    Culture::English,
    Culture::German,
    Culture::Dutch,
    Culture::French,
    Culture::Spanish,
    Culture::Italian,
    Culture::Scandinavian,
];

impl Culture {
    pub fn names(self) -> &'static NameTable {
        match self {
            Culture::English => &names::ENGLISH,
            Culture::German => &names::GERMAN,
            Culture::Dutch => &names::DUTCH,
            Culture::French => &names::FRENCH,
            Culture::Spanish => &names::SPANISH,
            Culture::Italian => &names::ITALIAN,
            Culture::Scandinavian => &names::SCANDINAVIAN,
        }
    }

    /// The ISO 639-1 code of the culture's language (Scandinavian depends on the country).
    pub fn language(self, country: &str) -> &'static str {
        match self {
            Culture::English => "en",
            Culture::German => "de",
            Culture::Dutch => "nl",
            Culture::French => "fr",
            Culture::Spanish => "es",
            Culture::Italian => "it",
            Culture::Scandinavian => match country {
                "DK" => "da",
                "NO" => "no",
                _ => "sv",
            },
        }
    }
}

/// The local culture of a city: the country's language, or the regional one in bilingual
/// countries (Quebec, Wallonia, Romandy, Ticino).
pub(crate) fn local_culture(
    rng: &mut DemoRng,
    country: &str,
    region_code: Option<&str>,
) -> Culture {
    let region = region_code.unwrap_or("");
    match country {
        "DE" | "AT" => Culture::German,
        "CH" => match region {
            "GE" | "VD" | "NE" | "JU" => Culture::French,
            "TI" => Culture::Italian,
            _ => Culture::German,
        },
        "NL" => Culture::Dutch,
        "BE" => match region {
            "WAL" => Culture::French,
            "BRU" if chance(rng, 0.6) => Culture::French,
            _ => Culture::Dutch,
        },
        "FR" | "LU" | "MC" => Culture::French,
        "CA" if region == "QC" => Culture::French,
        "ES" | "MX" | "AR" | "CL" | "CO" => Culture::Spanish,
        "IT" => Culture::Italian,
        "DK" | "SE" | "NO" => Culture::Scandinavian,
        _ => Culture::English,
    }
}

/// The culture a practitioner's name comes from: mostly local, sometimes another (people move).
pub(crate) fn name_culture(rng: &mut DemoRng, local: Culture) -> Culture {
    if chance(rng, 0.08) {
        *pick(rng, &CULTURES)
    } else {
        local
    }
}

/// The languages a practitioner offers sessions in: local first, then their own if different,
/// then English often where it is not local, and occasionally one more.
pub(crate) fn languages(
    rng: &mut DemoRng,
    country: &str,
    local: Culture,
    own: Culture,
    out: &mut Vec<String>,
) {
    out.clear();
    let mut add = |code: &str| {
        if !out.iter().any(|l| l == code) {
            out.push(code.to_string());
        }
    };
    add(local.language(country));
    if own != local && chance(rng, 0.6) {
        add(own.language(country));
    }
    let english = match country {
        "NL" | "DK" | "SE" | "NO" => 0.75,
        "CA" => 0.85,
        "DE" | "AT" | "CH" | "BE" => 0.55,
        _ => 0.4,
    };
    if local != Culture::English && chance(rng, english) {
        add("en");
    }
    if country == "US" && chance(rng, 0.08) {
        add("es");
    }
    if chance(rng, 0.05) {
        let extra = *pick(rng, &["fr", "de", "es", "it", "nl", "pt"]);
        add(extra);
    }
}

/// A street address in the local pattern.
pub(crate) fn street_address(rng: &mut DemoRng, country: &str, culture: Culture) -> String {
    let stems = match (culture, country) {
        (Culture::Scandinavian, "SE") => names::SWEDISH_STREETS,
        _ => culture.names().streets,
    };
    let stem = pick(rng, stems);
    match culture {
        Culture::English => {
            let number = if matches!(country, "US" | "CA") {
                rng.random_range(1..9_999)
            } else {
                rng.random_range(1..250)
            };
            let kind = match country {
                "US" | "CA" => pick(rng, &["St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Way", "Pl"]),
                _ => pick(
                    rng,
                    &[
                        "Road", "Street", "Lane", "Avenue", "Close", "Terrace", "Gardens",
                    ],
                ),
            };
            let mut address = format!("{number} {stem} {kind}");
            if matches!(country, "US" | "CA") && chance(rng, 0.2) {
                address.push_str(&format!(", Suite {}", rng.random_range(100..500)));
            }
            address
        }
        Culture::German => {
            let kinds: &[&str] = match country {
                "CH" => &["strasse", "weg", "gasse", "platz"],
                "AT" => &["gasse", "straße", "weg", "platz"],
                _ => &["straße", "weg", "allee", "ring"],
            };
            format!("{stem}{} {}", pick(rng, kinds), rng.random_range(1..120))
        }
        Culture::Dutch => {
            let kind = pick(rng, &["straat", "laan", "weg", "plein", "singel"]);
            format!("{stem}{kind} {}", rng.random_range(1..200))
        }
        Culture::French => {
            let kind = pick(rng, &["rue", "avenue", "boulevard", "place"]);
            let number = rng.random_range(1..150);
            if matches!(country, "CH" | "BE") {
                let mut kind = kind.to_string();
                kind[..1].make_ascii_uppercase();
                format!("{kind} {stem} {number}")
            } else {
                format!("{number} {kind} {stem}")
            }
        }
        Culture::Spanish => {
            let kind = pick(rng, &["Calle", "Calle", "Avenida", "Plaza", "Paseo"]);
            format!("{kind} {stem}, {}", rng.random_range(1..150))
        }
        Culture::Italian => {
            let kind = pick(rng, &["Via", "Via", "Corso", "Viale", "Piazza"]);
            format!("{kind} {stem} {}", rng.random_range(1..150))
        }
        Culture::Scandinavian => {
            let kinds: &[&str] = match country {
                "DK" => &["gade", "vej", "allé"],
                "NO" => &["gata", "veien", "gate"],
                _ => &["gatan", "vägen", "gränd"],
            };
            format!("{stem}{} {}", pick(rng, kinds), rng.random_range(1..90))
        }
    }
}

const UPPER: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXY";
const EIRCODE: &[u8] = b"ACDEFHKNPRTVWXY0123456789";

fn letter(rng: &mut DemoRng, alphabet: &[u8]) -> char {
    char::from(*pick(rng, alphabet))
}

/// A postal code in the country's format. `None` for the US and Canada on purpose: a made-up
/// ZIP or FSA would geocode to the wrong place, while ingest resolves city + region correctly.
/// Elsewhere the code has the right shape but is not tied to the city (the gazetteer has no
/// postal data there, so ingest falls back to the city).
pub(crate) fn postal_code(rng: &mut DemoRng, country: &str) -> Option<String> {
    let number = |rng: &mut DemoRng, n: u32| rng.random_range(1_000..10u32.pow(n));
    Some(match country {
        "GB" => {
            let (a, b) = (letter(rng, UPPER), letter(rng, UPPER));
            let (c, d) = (letter(rng, UPPER), letter(rng, UPPER));
            format!(
                "{a}{b}{} {}{c}{d}",
                rng.random_range(1..20),
                rng.random_range(0..10)
            )
        }
        "IE" => {
            let unique: String = (0..4).map(|_| letter(rng, EIRCODE)).collect();
            format!(
                "{}{:02} {unique}",
                letter(rng, b"ACDEFHKNPRTVWXY"),
                rng.random_range(1..25)
            )
        }
        "DE" | "FR" | "ES" | "IT" => format!("{:05}", number(rng, 5)),
        "AT" | "CH" | "BE" | "DK" | "NO" | "AU" | "NZ" => number(rng, 4).to_string(),
        "NL" => {
            let (a, b) = (letter(rng, UPPER), letter(rng, UPPER));
            format!("{} {a}{b}", number(rng, 4))
        }
        "SE" => format!(
            "{} {:02}",
            rng.random_range(100..990),
            rng.random_range(0..100)
        ),
        _ => return None,
    })
}

/// Phone number patterns per country: `#` is any digit, `N` a digit from 2 to 9 (no trunk or
/// service prefix). Where a regulator reserves numbers for fiction (US and Canadian 555-01xx,
/// Ofcom's drama ranges, ACMA's) those are used, so no generated listing rings a real line.
#[rustfmt::skip]
const PHONE_PATTERNS: &[(&str, &[&str])] = &[
    ("AT", &["01 N## ####", "0662 N#####", "0316 N#####", "0664 N######"]),
    ("AU", &["(02) 5550 ####", "(03) 7010 ####", "(07) 5550 ####", "(08) 5550 ####"]),
    ("BE", &["02 N## ## ##", "09 N## ## ##", "04 N## ## ##", "0470 ## ## ##"]),
    ("CA", &["(N##) 555-01##"]),
    ("CH", &["044 N## ## ##", "061 N## ## ##", "031 N## ## ##", "022 N## ## ##",
             "079 N## ## ##"]),
    ("DE", &["030 N######", "040 N######", "089 N######", "0221 N######", "0761 N#####",
             "0170 N######"]),
    ("DK", &["N# ## ## ##"]),
    ("ES", &["91# ### ###", "93# ### ###", "6## ### ###"]),
    ("FR", &["01 ## ## ## ##", "04 ## ## ## ##", "06 ## ## ## ##"]),
    ("GB", &["020 7946 0###", "0117 496 0###", "0161 496 0###", "0131 496 0###", "07700 900###"]),
    ("IE", &["01 N## ####", "021 N## ####", "087 N## ####"]),
    ("IT", &["02 #### ####", "06 #### ####", "3## ### ####"]),
    ("NL", &["020 N## ####", "030 N## ####", "010 N## ####", "070 N## ####", "06 N#######"]),
    ("NO", &["22 ## ## ##", "4## ## ###"]),
    ("NZ", &["(09) N## ####", "(04) N## ####", "021 ### ####"]),
    ("SE", &["08-N## ## ##", "031-N## ## ##", "070-### ## ##"]),
    ("US", &["(N##) 555-01##"]),
];

/// A phone number in the national format, or `None` where no pattern is known.
pub(crate) fn phone(rng: &mut DemoRng, country: &str) -> Option<String> {
    let i = PHONE_PATTERNS
        .binary_search_by(|(c, _)| c.cmp(&country))
        .ok()?;
    let pattern = pick(rng, PHONE_PATTERNS[i].1);
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        out.push(match c {
            '#' => char::from(b'0' + rng.random_range(0..10u8)),
            'N' => char::from(b'0' + rng.random_range(2..10u8)),
            c => c,
        });
    }
    Some(out)
}

/// Currency and a typical per-session price range, with the step prices are rounded to.
pub(crate) fn fee_range(country: &str) -> Option<(&'static str, f64, f64, f64)> {
    Some(match country {
        "US" => ("USD", 90.0, 180.0, 5.0),
        "CA" => ("CAD", 90.0, 160.0, 5.0),
        "GB" => ("GBP", 45.0, 90.0, 5.0),
        "IE" => ("EUR", 60.0, 100.0, 5.0),
        "DE" | "AT" | "NL" | "BE" | "FR" => ("EUR", 60.0, 120.0, 5.0),
        "ES" | "IT" => ("EUR", 45.0, 90.0, 5.0),
        "CH" => ("CHF", 100.0, 160.0, 10.0),
        "DK" => ("DKK", 550.0, 950.0, 50.0),
        "SE" => ("SEK", 700.0, 1_100.0, 50.0),
        "NO" => ("NOK", 800.0, 1_300.0, 50.0),
        "AU" => ("AUD", 90.0, 160.0, 5.0),
        "NZ" => ("NZD", 80.0, 140.0, 5.0),
        _ => return None,
    })
}

/// The region as a feed writes it: the postal abbreviation where people use one (US, Canada,
/// Australia), otherwise the region's name; admin codes like "ENG" or "02" mean nothing to
/// people, so they are not written.
pub(crate) fn feed_region<'a>(
    country: &str,
    region_code: Option<&'a str>,
    region: Option<&'a str>,
) -> Option<&'a str> {
    match country {
        "US" | "CA" | "AU" => region_code.or(region),
        _ => region,
    }
}

/// A session length mix: 60 minutes is the norm, 45-90 common.
pub(crate) fn session_minutes(rng: &mut DemoRng, out: &mut Vec<u32>) {
    out.clear();
    let first = pick_weighted(rng, &[(60, 0.55), (45, 0.15), (75, 0.15), (90, 0.15)]);
    out.push(first);
    if chance(rng, 0.3) {
        let second = pick_weighted(rng, &[(90, 0.5), (45, 0.25), (75, 0.25)]);
        if second != first {
            out.push(second);
            out.sort_unstable();
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn phone_patterns_are_sorted_for_binary_search() {
        assert!(PHONE_PATTERNS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn phones_fill_their_patterns() {
        let mut rng = DemoRng::seed_from_u64(5);
        for _ in 0..50 {
            let us = phone(&mut rng, "US").unwrap();
            assert!(
                us.len() == 14 && us.contains(") 555-01") && !us.starts_with("(0"),
                "{us}"
            );
            let de = phone(&mut rng, "DE").unwrap();
            assert!(de.starts_with('0') && de.chars().all(|c| c.is_ascii_digit() || c == ' '));
        }
        assert_eq!(phone(&mut rng, "JP"), None);
    }

    #[test]
    fn postal_codes_have_the_national_shape() {
        let mut rng = DemoRng::seed_from_u64(6);
        type Check = fn(&str) -> bool;
        let cases: [(&str, Check); 5] = [
            ("DE", |c| {
                c.len() == 5 && c.bytes().all(|b| b.is_ascii_digit())
            }),
            ("NL", |c| c.len() == 7 && c.as_bytes()[4] == b' '),
            ("SE", |c| c.len() == 6 && c.as_bytes()[3] == b' '),
            ("GB", |c| c.contains(' ') && c.len() <= 8),
            ("CH", |c| c.len() == 4),
        ];
        for (country, valid) in cases {
            for _ in 0..50 {
                let code = postal_code(&mut rng, country).unwrap();
                assert!(valid(&code), "{country} {code}");
            }
        }
        assert_eq!(postal_code(&mut rng, "US"), None);
    }
}
