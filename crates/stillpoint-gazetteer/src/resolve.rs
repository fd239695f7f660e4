//! Free-text place resolution: what people type in a "near" box ("boulder colorado",
//! "Paris, FR", "M5V 3L9", "75001 Paris").

use crate::Gazetteer;
use crate::fold::fold;
use crate::lookup::truncate;
use crate::place::{Place, distance_km};
use crate::postal::find_postal;
use crate::regions::Qualifier;

/// Longer input is not a place name; cutting it keeps the work per query bounded.
pub(crate) const MAX_QUERY_BYTES: usize = 200;
const MAX_WORDS: usize = 12;
/// A postal code and a city named in the same query agree when this close.
const AGREEING_KM: f64 = 50.0;

/// Groups of qualifier readings; a place must satisfy one reading of every group.
type Qualifiers<'g> = Vec<&'g [Qualifier]>;

impl Gazetteer {
    /// Reads comma-separated parts as "name [qualifiers], qualifiers, ...": the longest run
    /// of leading words that names a place, the remaining words as region or country.
    fn resolve_name(&self, parts: &[Vec<&str>]) -> Vec<Place> {
        let Some((first, rest)) = parts.split_first() else {
            return Vec::new();
        };
        // Later parts that qualify nothing ("Boulder, downtown") are ignored rather than
        // allowed to empty the answer.
        let later: Qualifiers<'_> = rest
            .iter()
            .filter_map(|words| self.regions.parse_qualifiers(words))
            .flatten()
            .collect();
        for split in (1..=first.len()).rev() {
            let Some(mut qualifiers) = self.regions.parse_qualifiers(&first[split..]) else {
                continue;
            };
            qualifiers.extend(later.iter().copied());
            let name = first[..split].join(" ");
            let cities: Vec<Place> = self
                .candidates(&name)
                .into_iter()
                .filter(|c| self.satisfies(&qualifiers, self.cities[c.city].region))
                .map(|c| self.city_place(c.city))
                .collect();
            if !cities.is_empty() {
                return cities;
            }
            let towns = self.zip_towns(&name, |p| self.satisfies(&qualifiers, p.region));
            if !towns.is_empty() {
                return towns;
            }
        }
        Vec::new()
    }

    pub(crate) fn resolve_impl(&self, query: &str, limit: usize) -> Vec<Place> {
        if limit == 0 {
            return Vec::new();
        }
        let mut parts: Vec<String> = truncate(query, MAX_QUERY_BYTES)
            .split([',', ';', '/', '|'])
            .map(fold)
            .filter(|p| !p.is_empty())
            .collect();
        let word_count: usize = parts.iter().map(|p| p.split(' ').count()).sum();
        if parts.is_empty() || word_count > MAX_WORDS {
            return Vec::new();
        }

        let words: Vec<&str> = parts.iter().flat_map(|p| p.split(' ')).collect();
        let postal = find_postal(&words);
        if let Some((_, span)) = &postal {
            // Drop the postal words, keeping the comma structure of what is left.
            let mut seen = 0;
            let kept: Vec<String> = parts
                .iter()
                .map(|p| {
                    let kept: Vec<&str> = p
                        .split(' ')
                        .filter(|_| {
                            seen += 1;
                            !span.contains(&(seen - 1))
                        })
                        .collect();
                    kept.join(" ")
                })
                .filter(|p| !p.is_empty())
                .collect();
            parts = kept;
        }
        let parts: Vec<Vec<&str>> = parts.iter().map(|p| p.split(' ').collect()).collect();

        let postal_place = postal
            .and_then(|(key, _)| self.postal(&key))
            .filter(|&index| {
                // "75001, France": a qualifier-only remainder must fit the postal code.
                let all: Vec<&str> = parts.iter().flatten().copied().collect();
                self.regions
                    .parse_qualifiers(&all)
                    .is_none_or(|q| self.satisfies(&q, self.postals[index].region))
            })
            .map(|index| self.postal_place(index));

        let mut out = self.resolve_name(&parts);
        if let Some(postal) = postal_place {
            let agrees = out.is_empty()
                || out
                    .iter()
                    .any(|c| distance_km((c.lat, c.lon), (postal.lat, postal.lon)) <= AGREEING_KM);
            // "75001 Paris" means Paris, France, not the Texas ZIP 75001.
            if agrees {
                out.insert(0, postal);
            } else {
                out.push(postal);
            }
        }
        out.truncate(limit);
        out
    }
}
