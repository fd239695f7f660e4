//! Structured location of one practice address from an ingest feed.

use crate::fold::fold;
use crate::lookup::truncate;
use crate::place::Place;
use crate::postal::{PostalKey, parse_postal};
use crate::resolve::MAX_QUERY_BYTES;
use crate::{Gazetteer, LocationQuery};

/// Countries whose addresses use US ZIP codes.
const ZIP_COUNTRIES: &[&str] = &["US", "PR", "VI", "GU", "AS", "MP", "FM", "MH", "PW"];

impl Gazetteer {
    pub(crate) fn locate_impl(&self, query: &LocationQuery<'_>) -> Option<Place> {
        let country = self.regions.country_code(truncate(query.country, 64))?;
        if let Some(code) = query.postal_code {
            let key = parse_postal(truncate(code, 32), country == "US");
            let fits = match &key {
                Some(PostalKey::Zip(_)) => ZIP_COUNTRIES.contains(&country),
                Some(PostalKey::Fsa(_)) => country == "CA",
                None => false,
            };
            if let Some(index) = key.filter(|_| fits).and_then(|k| self.postal(&k)) {
                return Some(self.postal_place(index));
            }
        }

        let city = fold(truncate(query.city?, MAX_QUERY_BYTES));
        if city.is_empty() {
            return None;
        }
        // A region that names nothing in this country is noise in the feed, not a constraint.
        let regions = query
            .region
            .map(|r| self.regions.regions_named(country, truncate(r, 64)))
            .unwrap_or_default();
        let in_region = |region: u32| {
            self.country_of(region) == country && (regions.is_empty() || regions.contains(&region))
        };
        if let Some(best) = self
            .candidates(&city)
            .into_iter()
            .find(|c| in_region(self.cities[c.city].region))
        {
            return Some(self.city_place(best.city));
        }
        if ZIP_COUNTRIES.contains(&country) {
            // Puerto Rico and the other territories file their ZIPs under "US".
            let territory = (country != "US")
                .then(|| self.regions.find("US", country).map(|(index, _)| index))
                .flatten();
            return self
                .zip_towns(&city, |p| {
                    (regions.is_empty() || regions.contains(&p.region))
                        && territory.is_none_or(|t| p.region == t)
                })
                .into_iter()
                .next();
        }
        None
    }
}
