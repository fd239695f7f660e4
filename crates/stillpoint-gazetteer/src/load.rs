//! Decoding the embedded `places.tsv.gz` and building the lookup maps.
//!
//! The file is one gzip'd UTF-8 text in sections, each opened by an `@name` line; rows are
//! tab-separated and `#` lines are comments. `scripts/gazetteer/README.md` documents the
//! columns and how the file is derived.

use std::io::Read;
use std::sync::OnceLock;

use flate2::read::GzDecoder;

use crate::fold::fold_into;
use crate::index::{HashIndex, Span, hash_key};
use crate::place::{CityRecord, PostalRecord};
use crate::postal::parse_postal;
use crate::regions::Regions;
use crate::{ALT_BIT, Gazetteer};

/// Why a gazetteer file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a gzip stream.
    #[error("gazetteer data is not valid gzip: {0}")]
    Decompress(#[from] std::io::Error),
    /// The decompressed text is not UTF-8.
    #[error("gazetteer data is not UTF-8")]
    Utf8,
    /// A row does not have the shape its section requires.
    #[error("gazetteer data line {line}: {reason}")]
    Format {
        /// 1-based line number in the decompressed text.
        line: usize,
        /// What was wrong.
        reason: &'static str,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Preamble,
    Countries,
    Regions,
    Cities,
    Zips,
    Fsas,
    Unknown,
}

/// The tab-separated columns of one row. Hand-rolled rather than `str::split` and
/// `str::parse`: these run for ~160,000 rows on every start.
struct Row<'a> {
    rest: Option<&'a str>,
    line: usize,
}

impl<'a> Row<'a> {
    fn new(line: &'a str, number: usize) -> Self {
        Row {
            rest: Some(line),
            line: number,
        }
    }

    fn error(&self, reason: &'static str) -> LoadError {
        LoadError::Format {
            line: self.line,
            reason,
        }
    }

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        // A plain loop: fields are short, and it stays quick in unoptimised test builds.
        let bytes = rest.as_bytes();
        let mut end = 0;
        while end < bytes.len() && bytes[end] != b'\t' {
            end += 1;
        }
        self.rest = rest.get(end + 1..);
        rest.get(..end)
    }

    fn text(&mut self) -> Result<&'a str, LoadError> {
        self.next().ok_or(self.error("missing column"))
    }

    fn degrees(&mut self) -> Result<f64, LoadError> {
        let field = self.text()?;
        parse_decimal(field).ok_or(self.error("bad coordinate"))
    }

    fn count(&mut self) -> Result<u64, LoadError> {
        let field = self.text()?;
        field.parse().map_err(|_| self.error("bad number"))
    }
}

/// Decimal text as written by the derivation script ("-105.27055") to the same `f64` that
/// `str::parse` gives: the digits form an exact integer, and one correctly rounded division
/// by an exact power of ten is the nearest double to the decimal.
fn parse_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    let (negative, unsigned) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if int.is_empty() || int.len() + frac.len() > 15 || frac.len() >= POW10.len() {
        return s.parse().ok();
    }
    let mut n: u64 = 0;
    for part in [int, frac] {
        for &b in part.as_bytes() {
            if !b.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u64::from(b - b'0');
        }
    }
    let value = n as f64 / POW10[frac.len()];
    Some(if negative { -value } else { value })
}

fn is_country_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

pub(crate) fn from_gzip(bytes: &[u8]) -> Result<Gazetteer, LoadError> {
    // The embedded file inflates to about 2.5 times its size; reserving avoids regrowth.
    let mut raw = Vec::with_capacity(bytes.len().saturating_mul(5) / 2);
    GzDecoder::new(bytes).read_to_end(&mut raw)?;
    let text = String::from_utf8(raw).map_err(|_| LoadError::Utf8)?;
    from_text(text)
}

pub(crate) fn from_text(text: String) -> Result<Gazetteer, LoadError> {
    let mut regions = Regions::default();
    let mut whole = Vec::new();
    let mut sections = Vec::new();
    let mut postals = Vec::new();
    let mut section = Section::Preamble;
    // Rows are grouped by country and region, so the last lookup is nearly always the answer.
    let mut last_region: Option<(&str, &str, u32)> = None;
    let mut last_postal_region: Option<(&str, &str, u32)> = None;

    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('@') {
            section = match header.split('\t').next() {
                Some("countries") => Section::Countries,
                Some("regions") => Section::Regions,
                Some("cities") => Section::Cities,
                Some("zips") => Section::Zips,
                Some("fsas") => Section::Fsas,
                _ => Section::Unknown,
            };
            if !matches!(section, Section::Countries | Section::Regions) {
                regions.add_builtin();
            }
            continue;
        }
        let mut row = Row::new(line, i + 1);
        match section {
            Section::Countries => {
                let iso = row.text()?;
                regions.add_country(iso, row.text()?);
            }
            Section::Regions => {
                let (country, admin1) = (row.text()?, row.text()?);
                regions.add_region(country, admin1, row.text()?);
            }
            Section::Cities => {
                let name = row.text()?;
                let country = row.text()?;
                let admin1 = row.text()?;
                if !is_country_code(country) {
                    return Err(row.error("bad country code"));
                }
                let region = match last_region {
                    Some((c, a, index)) if c == country && a == admin1 => index,
                    _ => {
                        let index = regions.intern(country, admin1);
                        last_region = Some((country, admin1, index));
                        index
                    }
                };
                let (lat, lon, population) = (row.degrees()?, row.degrees()?, row.count()?);
                let is_section = row.text()? == "x";
                let record = CityRecord {
                    name: Span::of(&text, name),
                    alternates: Span::of(&text, row.next().unwrap_or("")),
                    region,
                    lat,
                    lon,
                    population,
                };
                if is_section {
                    sections.push(record);
                } else {
                    whole.push(record);
                }
            }
            Section::Zips | Section::Fsas => {
                let code = row.text()?;
                let city = row.text()?;
                let region_code = row.text()?;
                let country = if section == Section::Zips { "US" } else { "CA" };
                let region = match last_postal_region {
                    Some((c, r, index)) if c == country && r == region_code => index,
                    _ => {
                        let index = regions.intern(country, region_code);
                        last_postal_region = Some((country, region_code, index));
                        index
                    }
                };
                postals.push(PostalRecord {
                    code: Span::of(&text, code),
                    city: Span::of(&text, city),
                    region,
                    lat: row.degrees()?,
                    lon: row.degrees()?,
                });
            }
            Section::Preamble | Section::Unknown => {}
        }
    }
    if section == Section::Preamble {
        return Err(LoadError::Format {
            line: 1,
            reason: "no sections",
        });
    }
    regions.add_builtin();

    let whole_cities = whole.len();
    let mut cities = whole;
    cities.append(&mut sections);
    let names = index_cities(&text, &cities);
    let (postal_index, zip_towns) = index_postals(&text, &postals, &regions);
    Ok(Gazetteer {
        text,
        cities,
        whole_cities,
        city_list: OnceLock::new(),
        names,
        postals,
        postal_index,
        zip_towns,
        regions,
    })
}

fn index_cities(text: &str, cities: &[CityRecord]) -> HashIndex {
    // About 1.7 names per city in the embedded file.
    let mut index_of = HashIndex::with_capacity(cities.len() * 7 / 4);
    let mut key = Vec::new();
    for (index, city) in cities.iter().enumerate() {
        // Entries keep the city index in 31 bits beside ALT_BIT.
        let Some(index) = u32::try_from(index).ok().filter(|&i| i < 1 << 31) else {
            break;
        };
        let alternates = city.alternates.get(text).split('|');
        let names = std::iter::once(city.name.get(text)).chain(alternates);
        for (n, name) in names.enumerate() {
            fold_into(name, &mut key);
            if !key.is_empty() {
                let alt = if n == 0 { 0 } else { ALT_BIT };
                // A city reaches each key once, by its primary name when it has one.
                index_of.insert(hash_key(&key), (index << 1) | alt, |a, b| a >> 1 == b >> 1);
            }
        }
    }
    index_of
}

fn index_postals(
    text: &str,
    postals: &[PostalRecord],
    regions: &Regions,
) -> (Vec<(u32, u32)>, HashIndex) {
    let mut by_code = Vec::with_capacity(postals.len());
    let mut towns = HashIndex::with_capacity(postals.len());
    let mut key = Vec::new();
    for (index, postal) in postals.iter().enumerate() {
        let Ok(index) = u32::try_from(index) else {
            break;
        };
        if let Some(code) = parse_postal(postal.code.get(text), false) {
            by_code.push((code.packed(), index));
        }
        if regions
            .get(postal.region)
            .is_some_and(|r| &*r.country == "US")
        {
            fold_into(postal.city.get(text), &mut key);
            towns.insert(hash_key(&key), index, |_, _| false);
        }
    }
    by_code.sort_unstable();
    (by_code, towns)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# comment\n\
@countries\tiso\tname\n\
US\tUnited States\n\
CH\tSwitzerland\n\
@regions\tcountry\tadmin1\tname\n\
US\tCO\tColorado\n\
CH\tZH\tZurich\n\
@cities\tname\tcountry\tadmin1\tlat\tlon\tpopulation\tsection\talternates\n\
Boulder\tUS\tCO\t40.01499\t-105.27055\t107349\t\t\n\
Zürich\tCH\tZH\t47.36667\t8.55\t341730\t\tZuerich|Zurigo\n\
Zürich (Kreis 1)\tCH\tZH\t47.37\t8.54\t6185\tx\t\n\
Nowhere\tXX\t\t1\t2\t1000\t\t\n\
@zips\tzip\tcity\tstate\tlat\tlon\n\
80302\tBoulder\tCO\t40.0172\t-105.2851\n\
@fsas\tfsa\tcity\tprovince\tlat\tlon\n\
M5V\tToronto\tON\t43.6525\t-79.3686\n";

    #[test]
    fn loads_every_section_of_a_small_file() {
        let g = from_text(SAMPLE.to_string()).unwrap();
        assert_eq!(g.cities().len(), 3, "sections are not whole cities");
        assert_eq!(g.cities.len(), 4);
        assert_eq!(g.region_name("US", "CO"), Some("Colorado"));
        assert_eq!(g.cities()[0].region.as_deref(), Some("Colorado"));
        assert_eq!(g.cities()[1].name, "Zürich");
        assert_eq!(g.cities()[2].region_code, None);
        assert_eq!(g.cities()[2].country, "XX");
        assert_eq!(g.postals.len(), 2);
        assert_eq!(g.names.get("zurigo").count(), 1);
        assert_eq!(g.names.get("zurich").count(), 1);
        assert_eq!(g.names.get("zurich kreis 1").count(), 1);
        assert_eq!(g.postal_index.len(), 2);
    }

    #[test]
    fn decimal_parsing_matches_the_standard_parser() {
        let cases = [
            "40.01499",
            "-105.27055",
            "0",
            "-0.5",
            "8.55",
            "179.99999",
            "-89.9",
            "1.",
            "12345",
            "0.000001",
            "1234567890.123456",
        ];
        for case in cases {
            assert_eq!(parse_decimal(case), case.parse().ok(), "{case}");
        }
        for bad in ["", "-", "4o.1", "1.2.3", ".5x"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn rejects_malformed_input_without_panicking() {
        let cases: [&[u8]; 4] = [b"", b"not gzip at all", &[0x1f, 0x8b, 8, 0], &[0xff; 64]];
        for bytes in cases {
            assert!(from_gzip(bytes).is_err());
        }
        let text_cases = [
            "",
            "@cities\nBoulder\tUS\tCO\tnorth\t1\t1\t\t\n",
            "@cities\nBoulder\tUSA\tCO\t1\t1\t1\t\t\n",
            "@zips\n80302\n",
            "@zips\n80302\tBoulder\tCO\tnorth\t1\n",
        ];
        for text in text_cases {
            assert!(from_text(text.to_string()).is_err(), "{text:?}");
        }
        assert!(matches!(
            from_text("@cities\nBoulder\tUS\tCO\tnorth\t1\t1\t\t\n".to_string()),
            Err(LoadError::Format { line: 2, .. })
        ));
    }
}
