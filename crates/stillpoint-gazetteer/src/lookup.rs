//! Finding cities and postal codes by folded name or code, scoring them, and turning records
//! into [`Place`]s; shared by free-text resolution and structured location.

use std::collections::BTreeMap;

use crate::fold::fold;
use crate::place::{Place, PlaceKind, PostalRecord, city_label};
use crate::postal::PostalKey;
use crate::regions::{Qualifier, Region};
use crate::tables::{NICKNAMES, WORD_VARIANTS};
use crate::{ALT_BIT, Gazetteer};

/// A city matched only through an alternate name ("Falmouth" is an old name of Portland,
/// Maine) should lose to a town that carries the name today, unless it is far bigger.
const ALTERNATE_WEIGHT: f64 = 0.05;
/// Sections of a city lose to whole cities of the same name.
const SECTION_WEIGHT: f64 = 0.2;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub(crate) city: usize,
    score: f64,
}

impl Gazetteer {
    pub(crate) fn region_of(&self, index: u32) -> Option<&Region> {
        self.regions.get(index)
    }

    pub(crate) fn country_of(&self, region: u32) -> &str {
        self.region_of(region).map_or("", |r| &r.country)
    }

    pub(crate) fn satisfies(&self, qualifiers: &[&[Qualifier]], region: u32) -> bool {
        qualifiers
            .iter()
            .all(|group| group.iter().any(|q| self.regions.satisfies(q, region)))
    }

    pub(crate) fn city_place(&self, index: usize) -> Place {
        let record = &self.cities[index];
        let name = record.name.get(&self.text);
        let region = self.region_of(record.region);
        let region_name = region.and_then(|r| r.name.as_deref());
        let country = self.country_of(record.region);
        Place {
            kind: PlaceKind::City,
            name: name.to_string(),
            city: Some(name.to_string()),
            region_code: region.and_then(|r| r.code.as_deref()).map(str::to_string),
            region: region_name.map(str::to_string),
            country: country.to_string(),
            lat: record.lat,
            lon: record.lon,
            population: record.population,
            label: city_label(name, region_name, country),
        }
    }

    pub(crate) fn postal_place(&self, index: usize) -> Place {
        let record = &self.postals[index];
        let code = record.code.get(&self.text);
        let city = record.city.get(&self.text);
        let region = self.region_of(record.region);
        let region_code = region.and_then(|r| r.code.as_deref()).unwrap_or("");
        let country = self.country_of(record.region);
        Place {
            kind: PlaceKind::PostalCode,
            name: code.to_string(),
            city: Some(city.to_string()),
            region_code: Some(region_code.to_string()),
            region: region.and_then(|r| r.name.as_deref()).map(str::to_string),
            country: country.to_string(),
            lat: record.lat,
            lon: record.lon,
            population: 0,
            label: format!("{code} {city}, {region_code}, {country}"),
        }
    }

    /// Whether city `index` has `folded` as its name (or, with `alternate`, as one of its
    /// alternates): the name index keeps hashes only.
    pub(crate) fn city_has_name(&self, index: usize, folded: &str, alternate: bool) -> bool {
        let Some(city) = self.cities.get(index) else {
            return false;
        };
        if alternate {
            city.alternates
                .get(&self.text)
                .split('|')
                .any(|a| fold(a) == folded)
        } else {
            fold(city.name.get(&self.text)) == folded
        }
    }

    /// Cities whose folded name or alternate equals `folded`, trying "st"/"saint" style
    /// variants too, best first.
    pub(crate) fn candidates(&self, folded: &str) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = Vec::new();
        for key in name_variants(folded) {
            for entry in self.names.get(&key) {
                let city = (entry >> 1) as usize;
                let alternate = entry & ALT_BIT != 0;
                if !self.city_has_name(city, &key, alternate) {
                    continue;
                }
                let Some(record) = self.cities.get(city) else {
                    continue;
                };
                let mut score = record.population as f64;
                if alternate {
                    score *= ALTERNATE_WEIGHT;
                }
                if city >= self.whole_cities {
                    score *= SECTION_WEIGHT;
                }
                match out.iter_mut().find(|c| c.city == city) {
                    Some(seen) => seen.score = seen.score.max(score),
                    None => out.push(Candidate { city, score }),
                }
            }
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.city.cmp(&b.city)));
        out
    }

    pub(crate) fn postal(&self, key: &PostalKey) -> Option<usize> {
        let packed = key.packed();
        let at = self.postal_index.partition_point(|e| e.0 < packed);
        let &(found, index) = self.postal_index.get(at)?;
        (found == packed && (index as usize) < self.postals.len()).then_some(index as usize)
    }

    /// Towns known only from ZIP data (smaller than GeoNames' 1000 people), one place per
    /// state at the mean of its ZIP centroids, those with more ZIPs first.
    pub(crate) fn zip_towns(
        &self,
        folded: &str,
        keep: impl Fn(&PostalRecord) -> bool,
    ) -> Vec<Place> {
        let mut by_region: BTreeMap<u32, (f64, f64, usize, usize)> = BTreeMap::new();
        for key in name_variants(folded) {
            for index in self.zip_towns.get(&key) {
                let index = index as usize;
                let Some(postal) = self.postals.get(index) else {
                    continue;
                };
                if fold(postal.city.get(&self.text)) != key || !keep(postal) {
                    continue;
                }
                let entry = by_region
                    .entry(postal.region)
                    .or_insert((0.0, 0.0, 0, index));
                entry.0 += postal.lat;
                entry.1 += postal.lon;
                entry.2 += 1;
            }
        }
        let mut towns: Vec<_> = by_region.into_values().collect();
        towns.sort_by_key(|town| std::cmp::Reverse(town.2));
        towns
            .into_iter()
            .map(|(lat, lon, n, first)| {
                let mut place = self.postal_place(first);
                let name = place.city.clone().unwrap_or_default();
                place.kind = PlaceKind::City;
                place.label = city_label(&name, place.region.as_deref(), &place.country);
                place.name = name;
                place.lat = lat / n as f64;
                place.lon = lon / n as f64;
                place
            })
            .collect()
    }
}

/// The name itself, then the name with one abbreviation spelled out or in: "st louis" and
/// "saint louis" find each other.
pub(crate) fn name_variants(folded: &str) -> Vec<String> {
    let mut out = vec![folded.to_string()];
    if let Some((_, full)) = NICKNAMES.iter().find(|(nick, _)| *nick == folded) {
        out.push((*full).to_string());
    }
    let words: Vec<&str> = folded.split(' ').collect();
    for (i, word) in words.iter().enumerate() {
        for (short, long) in WORD_VARIANTS {
            let other = if word == short {
                long
            } else if word == long {
                short
            } else {
                continue;
            };
            let mut variant = words.clone();
            variant[i] = other;
            out.push(variant.join(" "));
        }
    }
    out
}

/// At most `max` bytes of `s`, cut at a character boundary.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_variants_swap_one_abbreviation_at_a_time() {
        assert_eq!(name_variants("boulder"), vec!["boulder"]);
        assert_eq!(name_variants("st louis"), vec!["st louis", "saint louis"]);
        assert_eq!(
            name_variants("port st lucie"),
            vec!["port st lucie", "port saint lucie"]
        );
        assert_eq!(
            name_variants("fort collins"),
            vec!["fort collins", "ft collins"]
        );
        assert_eq!(name_variants("nyc"), vec!["nyc", "new york city"]);
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("abc", 10), "abc");
        assert_eq!(truncate("zürich", 2), "z");
        assert_eq!(truncate("zürich", 3), "zü");
        assert_eq!(truncate("", 0), "");
    }
}
