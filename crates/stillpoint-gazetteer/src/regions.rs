//! Countries and first-level regions (states, provinces, cantons): display names, the
//! postal-style abbreviations people type, and the words that can qualify a place name
//! ("CO", "Colorado", "FR", "France", "UK").

use crate::fold::fold;
use crate::index::FxHashMap;
use crate::tables::{
    AU_ABBREVIATIONS, CA_ABBREVIATIONS, COUNTRY_ALIASES, REGION_ALIASES, US_POSTAL_EXTRA,
};

/// Longest qualifier phrase in words ("saint vincent and the grenadines").
pub(crate) const MAX_QUALIFIER_WORDS: usize = 6;

/// One reading of a qualifier word or phrase: "CA" is both Canada and California.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Qualifier {
    Country(Box<str>),
    /// Index into [`Regions`].
    Region(u32),
}

/// A country's first-level region, or the "no region" of a country for places without one.
#[derive(Debug)]
pub(crate) struct Region {
    pub(crate) country: Box<str>,
    /// Display code: postal abbreviation or GeoNames admin1 code; `None` for "no region".
    pub(crate) code: Option<Box<str>>,
    /// Display name, when GeoNames has one.
    pub(crate) name: Option<Box<str>>,
}

/// Country and region tables, filled by the loader from the embedded file.
#[derive(Debug, Default)]
pub(crate) struct Regions {
    regions: Vec<Region>,
    /// "US.CO", "CA.08" and "CA.ON" -> index into `regions`; "CH." for no region.
    by_code: FxHashMap<Box<str>, u32>,
    countries: FxHashMap<Box<str>, Box<str>>,
    qualifiers: FxHashMap<Box<str>, Vec<Qualifier>>,
    builtin_added: bool,
}

/// The abbreviation people use for a GeoNames admin1 code, where it differs.
pub(crate) fn display_code<'a>(country: &str, admin1: &'a str) -> &'a str {
    let table = match country {
        "CA" => CA_ABBREVIATIONS,
        "AU" => AU_ABBREVIATIONS,
        _ => return admin1,
    };
    table
        .iter()
        .find(|(raw, _)| *raw == admin1)
        .map_or(admin1, |(_, abbr)| abbr)
}

fn key(country: &str, code: &str) -> String {
    let mut k = String::with_capacity(country.len() + code.len() + 1);
    k.push_str(&country.to_ascii_uppercase());
    k.push('.');
    k.push_str(&code.to_ascii_uppercase());
    k
}

impl Regions {
    pub(crate) fn add_country(&mut self, iso: &str, name: &str) {
        let q = Qualifier::Country(iso.into());
        self.add_qualifier(&fold(iso), q.clone());
        self.add_qualifier(&fold(name), q);
        self.countries.insert(iso.into(), name.into());
    }

    /// Adds a named region; later rows for the same code only add qualifier words.
    pub(crate) fn add_region(&mut self, country: &str, admin1: &str, name: &str) {
        let code = display_code(country, admin1);
        let index = match self.by_code.get(key(country, admin1).as_str()) {
            Some(&index) => index,
            None => {
                let index = self.push(Region {
                    country: country.into(),
                    code: Some(code.into()),
                    name: Some(name.into()),
                });
                self.by_code.insert(key(country, admin1).into(), index);
                self.by_code.insert(key(country, code).into(), index);
                index
            }
        };
        // Numeric admin1 codes ("08") mean nothing in free text and would shadow ZIP-like input.
        if code.bytes().any(|b| b.is_ascii_alphabetic()) {
            self.add_qualifier(&fold(code), Qualifier::Region(index));
        }
        self.add_qualifier(&fold(name), Qualifier::Region(index));
    }

    fn push(&mut self, region: Region) -> u32 {
        self.regions.push(region);
        u32::try_from(self.regions.len() - 1).unwrap_or(u32::MAX)
    }

    /// Index of the region a place row names, creating a nameless entry for admin1 codes
    /// GeoNames lists no name for, and for places with no admin1 code at all.
    pub(crate) fn intern(&mut self, country: &str, admin1: &str) -> u32 {
        let k = key(country, admin1);
        if let Some(&index) = self.by_code.get(k.as_str()) {
            return index;
        }
        let code = (!admin1.is_empty()).then(|| display_code(country, admin1).into());
        let index = self.push(Region {
            country: country.into(),
            code,
            name: None,
        });
        self.by_code.insert(k.into(), index);
        index
    }

    /// Adds the hand-kept tables once, after the embedded regions so those take precedence.
    pub(crate) fn add_builtin(&mut self) {
        if std::mem::replace(&mut self.builtin_added, true) {
            return;
        }
        for (code, name) in US_POSTAL_EXTRA {
            self.add_region("US", code, name);
        }
        for (alias, iso) in COUNTRY_ALIASES {
            self.add_qualifier(alias, Qualifier::Country((*iso).into()));
        }
        for (alias, country, code) in REGION_ALIASES {
            if let Some(&index) = self.by_code.get(key(country, code).as_str()) {
                self.add_qualifier(alias, Qualifier::Region(index));
            }
        }
    }

    fn add_qualifier(&mut self, folded: &str, q: Qualifier) {
        if folded.is_empty() {
            return;
        }
        let list = self.qualifiers.entry(folded.into()).or_default();
        if !list.contains(&q) {
            list.push(q);
        }
    }

    pub(crate) fn get(&self, index: u32) -> Option<&Region> {
        self.regions.get(index as usize)
    }

    /// A region by GeoNames admin1 code or display code, in any case.
    pub(crate) fn find(&self, country: &str, code: &str) -> Option<(u32, &Region)> {
        if code.is_empty() {
            return None;
        }
        let index = *self.by_code.get(key(country, code).as_str())?;
        Some((index, self.get(index)?))
    }

    /// Whether a place in region `index` satisfies `q`.
    pub(crate) fn satisfies(&self, q: &Qualifier, index: u32) -> bool {
        match q {
            Qualifier::Region(r) => *r == index,
            Qualifier::Country(c) => self.get(index).is_some_and(|r| r.country == *c),
        }
    }

    /// Every reading of an already folded word or phrase; empty when it qualifies nothing.
    pub(crate) fn qualifiers(&self, folded: &str) -> &[Qualifier] {
        self.qualifiers.get(folded).map_or(&[], Vec::as_slice)
    }

    /// Reads `words` as a run of qualifier phrases, longest phrase first ("new south wales"
    /// before "new"). `None` when some word qualifies nothing.
    pub(crate) fn parse_qualifiers<'s>(&'s self, words: &[&str]) -> Option<Vec<&'s [Qualifier]>> {
        let mut out = Vec::new();
        let mut start = 0;
        'outer: while start < words.len() {
            let longest = MAX_QUALIFIER_WORDS.min(words.len() - start);
            for len in (1..=longest).rev() {
                let phrase = words[start..start + len].join(" ");
                let found = self.qualifiers(&phrase);
                if !found.is_empty() {
                    out.push(found);
                    start += len;
                    continue 'outer;
                }
            }
            return None;
        }
        Some(out)
    }

    /// ISO code for a country given as a code or a name ("us", "USA", "Canada").
    pub(crate) fn country_code(&self, text: &str) -> Option<&str> {
        let folded = fold(text);
        self.qualifiers(&folded).iter().find_map(|q| match q {
            Qualifier::Country(iso) => Some(&**iso),
            Qualifier::Region(_) => None,
        })
    }

    /// Regions of one country that a region given as code or name may mean. Empty when the
    /// text names no region of that country.
    pub(crate) fn regions_named(&self, country: &str, text: &str) -> Vec<u32> {
        let mut found: Vec<u32> = self
            .qualifiers(&fold(text))
            .iter()
            .filter_map(|q| match q {
                Qualifier::Region(index) => Some(*index),
                Qualifier::Country(_) => None,
            })
            .filter(|&index| self.get(index).is_some_and(|r| &*r.country == country))
            .collect();
        if let Some((index, _)) = self.find(country, text.trim())
            && !found.contains(&index)
        {
            found.push(index);
        }
        found
    }

    pub(crate) fn len(&self) -> usize {
        self.regions.len()
    }

    pub(crate) fn country_count(&self) -> usize {
        self.countries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Regions {
        let mut r = Regions::default();
        r.add_country("US", "United States");
        r.add_country("CA", "Canada");
        r.add_country("FR", "France");
        r.add_region("US", "CO", "Colorado");
        r.add_region("US", "CA", "California");
        r.add_region("CA", "08", "Ontario");
        r.add_region("AU", "02", "New South Wales");
        r.add_builtin();
        r
    }

    fn name_of(r: &Regions, country: &str, code: &str) -> Option<(String, String)> {
        let (_, region) = r.find(country, code)?;
        Some((
            region.code.as_deref()?.into(),
            region.name.as_deref()?.into(),
        ))
    }

    #[test]
    fn display_codes_use_postal_abbreviations() {
        let cases = [
            ("CA", "08", "ON"),
            ("CA", "10", "QC"),
            ("AU", "02", "NSW"),
            ("US", "CO", "CO"),
            ("CH", "ZH", "ZH"),
            ("CA", "99", "99"),
        ];
        for (country, admin1, want) in cases {
            assert_eq!(display_code(country, admin1), want);
        }
    }

    #[test]
    fn region_found_by_admin1_and_display_code() {
        let r = sample();
        let ontario = Some(("ON".to_string(), "Ontario".to_string()));
        assert_eq!(name_of(&r, "CA", "08"), ontario);
        assert_eq!(name_of(&r, "ca", "on"), ontario);
        assert_eq!(name_of(&r, "US", "PR").unwrap().1, "Puerto Rico");
        assert_eq!(name_of(&r, "US", "ZZ"), None);
    }

    #[test]
    fn interning_reuses_named_regions_and_adds_nameless_ones() {
        let mut r = sample();
        let (colorado, _) = r.find("US", "CO").unwrap();
        assert_eq!(r.intern("US", "CO"), colorado);
        let unknown = r.intern("CA", "99");
        assert_eq!(r.get(unknown).unwrap().code.as_deref(), Some("99"));
        assert_eq!(r.get(unknown).unwrap().name, None);
        let none = r.intern("CH", "");
        assert_eq!(r.get(none).unwrap().code, None);
        assert_eq!(r.intern("CH", ""), none);
    }

    #[test]
    fn ambiguous_codes_keep_every_reading() {
        let r = sample();
        let (california, _) = r.find("US", "CA").unwrap();
        let ca = r.qualifiers("ca");
        assert!(ca.contains(&Qualifier::Country("CA".into())));
        assert!(ca.contains(&Qualifier::Region(california)));
    }

    #[test]
    fn parses_runs_of_multi_word_qualifiers() {
        let r = sample();
        let parsed = r.parse_qualifiers(&["new", "south", "wales"]).unwrap();
        assert_eq!(parsed.len(), 1);
        let parsed = r.parse_qualifiers(&["colorado", "usa"]).unwrap();
        assert_eq!(parsed.len(), 2);
        assert!(r.parse_qualifiers(&["colorado", "downtown"]).is_none());
        assert_eq!(r.parse_qualifiers(&[]).unwrap().len(), 0);
    }

    #[test]
    fn regions_named_accept_codes_names_and_admin1() {
        let r = sample();
        let (ontario, _) = r.find("CA", "ON").unwrap();
        assert_eq!(r.regions_named("CA", "Ontario"), vec![ontario]);
        assert_eq!(r.regions_named("CA", "on"), vec![ontario]);
        assert_eq!(r.regions_named("CA", "08"), vec![ontario]);
        assert!(r.regions_named("US", "Ontario").is_empty());
        assert_eq!(r.country_code("usa"), Some("US"));
        assert_eq!(r.country_code("Canada"), Some("CA"));
        assert_eq!(r.country_code("Narnia"), None);
    }
}
