//! A practitioner's practice locations: 1-3, the extras in the same or a nearby town.
//!
//! The mix is chosen to exercise ingest: about 60% of locations carry coordinates, the rest only a
//! city, region and (outside North America) a postal code for ingest to geocode; about 10% are
//! home practices marked `visibility: "city"` that still carry their street address in the feed,
//! which ingest must drop.

use rand::Rng;
use stillpoint_model::FeedLocation;

use crate::locale::{self, Culture};
#[cfg(test)]
use crate::places::NEARBY_KM;
use crate::places::{CityTable, jitter, spread_km};
use crate::random::{DemoRng, chance, pick_weighted};

/// The locations of a practitioner whose first practice is in city `home`.
pub(crate) fn locations(
    rng: &mut DemoRng,
    cities: &mut CityTable,
    home: usize,
    culture: Culture,
) -> Vec<FeedLocation> {
    let count = pick_weighted(rng, &[(1usize, 0.75), (2, 0.20), (3, 0.05)]);
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let city = if n > 0 && chance(rng, 0.5) {
            cities.nearby(rng, home).unwrap_or(home)
        } else {
            home
        };
        out.push(location(rng, cities, city, culture, n, count));
    }
    out
}

fn location(
    rng: &mut DemoRng,
    cities: &CityTable,
    index: usize,
    culture: Culture,
    n: usize,
    count: usize,
) -> FeedLocation {
    let city = cities.get(index);
    let country = city.country.as_str();
    let home_practice = chance(rng, 0.10);
    let with_point = chance(rng, 0.6);
    let (lat, lon) = if with_point {
        let (lat, lon) = jitter(rng, city.lat, city.lon, spread_km(city.population));
        (Some(lat), Some(lon))
    } else {
        (None, None)
    };
    // A location without coordinates must name its city and region for ingest to find it; with
    // coordinates the region is sometimes left out, as real feeds do, except where people always
    // write the state or province.
    let always_region = matches!(country, "US" | "CA" | "AU");
    let region = locale::feed_region(country, city.region_code.as_deref(), city.region.as_deref())
        .filter(|_| !with_point || always_region || chance(rng, 0.85))
        .map(str::to_string);
    let postal_code = if chance(rng, 0.75) {
        locale::postal_code(rng, country)
    } else {
        None
    };
    let address =
        (home_practice || chance(rng, 0.92)).then(|| locale::street_address(rng, country, culture));
    let label = if home_practice && chance(rng, 0.5) {
        Some("Home practice".to_string())
    } else if count > 1 {
        Some(match (n, rng.random_range(0..3)) {
            (0, 0) => "Main practice".to_string(),
            (_, 1) => format!("{} clinic", city.name),
            _ => city.name.clone(),
        })
    } else {
        None
    };
    let visibility = if home_practice {
        Some("city".to_string())
    } else {
        // Explicit "exact" sometimes, so both the default and the spelled-out value are seen.
        chance(rng, 0.3).then(|| "exact".to_string())
    };
    FeedLocation {
        label,
        address,
        city: Some(city.name.clone()),
        region,
        postal_code,
        country: country.to_string(),
        lat,
        lon,
        visibility,
        wheelchair_accessible: pick_weighted(
            rng,
            &[(Some(true), 0.3), (Some(false), 0.4), (None, 0.3)],
        ),
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::BUILTIN_CITIES;
    use crate::places::{Reach, distance_km};

    #[test]
    fn extra_locations_stay_near_home() {
        let mut cities = CityTable::new(BUILTIN_CITIES, &Reach::General);
        let mut rng = DemoRng::seed_from_u64(11);
        for _ in 0..500 {
            let home = cities.sample(&mut rng);
            let origin = cities.get(home);
            let origin = origin.clone();
            for loc in locations(&mut rng, &mut cities, home, Culture::English) {
                assert_eq!(loc.country, origin.country);
                if let (Some(lat), Some(lon)) = (loc.lat, loc.lon) {
                    let d = distance_km(origin.lat, origin.lon, lat, lon);
                    assert!(d < NEARBY_KM + 13.0, "{} {d}", origin.name);
                } else {
                    assert!(loc.city.is_some());
                }
            }
        }
    }
}
