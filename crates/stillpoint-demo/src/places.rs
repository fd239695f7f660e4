//! Where practitioners live: cities drawn in proportion to population, weighted towards the
//! countries where craniosacral therapy has directories, and biased by the publishing association.
//!
//! The table is built once per [`crate::Generator`] (an alias table over all cities and a coarse
//! grid for "a nearby town"); each draw is then constant time.

use std::collections::HashMap;

use rand::Rng;

use crate::cities::CityInput;
use crate::random::{Alias, DemoRng};

/// Countries with craniosacral associations and directories; the rest of the world is kept but
/// rare, so the demo is not dominated by megacities where nobody publishes a feed.
pub const CST_COUNTRIES: &[&str] = &[
    "AT", "AU", "BE", "CA", "CH", "DE", "DK", "ES", "FR", "GB", "IE", "IT", "NL", "NO", "NZ", "SE",
    "US",
];

/// Where an association's members live.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reach {
    /// A national association: 95% of members in these countries, 4% in other CST countries,
    /// 1% anywhere else.
    National(Vec<String>),
    /// Upledger-style international bodies: 55% in the US, 42% in other CST countries, 3%
    /// anywhere else.
    UsEmphasis,
    /// No known bias: 94% in CST countries, 6% anywhere else.
    General,
}

impl Reach {
    /// The reach of an association: a few known ids, else the country the vocabulary gives the
    /// body, else general.
    pub fn of(association: &str, body_country: Option<&str>) -> Reach {
        let national =
            |codes: &[&str]| Reach::National(codes.iter().map(|c| c.to_string()).collect());
        match association {
            "csta-uk" | "ctet" | "cnhc" => national(&["GB", "IE"]),
            "bcta-na" => national(&["US", "CA"]),
            "upledger" | "iahp" => Reach::UsEmphasis,
            _ => match body_country {
                Some(country) => national(&[country]),
                None => Reach::General,
            },
        }
    }

    /// Which of the three groups of [`Reach::shares`] a country falls in: the association's
    /// home, the other CST countries, or elsewhere.
    fn group(&self, country: &str) -> usize {
        let home = match self {
            Reach::National(home) => home.iter().any(|h| h == country),
            Reach::UsEmphasis => country == "US",
            Reach::General => CST_COUNTRIES.contains(&country),
        };
        if home {
            0
        } else if CST_COUNTRIES.contains(&country) {
            1
        } else {
            2
        }
    }

    /// The share of members in each group; within a group, cities weigh by population. Fixed
    /// shares (rather than population multipliers) keep a small country's national association
    /// at home however large the rest of the world is.
    fn shares(&self) -> [f64; 3] {
        match self {
            Reach::National(_) => [0.95, 0.04, 0.01],
            Reach::UsEmphasis => [0.55, 0.42, 0.03],
            Reach::General => [0.94, 0.0, 0.06],
        }
    }
}

/// A city the generator may place someone in: the gazetteer's own type, owned, so the generator
/// borrows nothing.
pub(crate) use stillpoint_gazetteer::City;

/// Grid cell size in degrees for the nearby-town lookup.
const CELL: f64 = 0.25;

/// How far away a 'nearby' town may be (at high latitudes the 3x3 grid cells bound it too).
pub(crate) const NEARBY_KM: f64 = 25.0;

/// A city as the nearby-town scan reads it: packed, and stored cell by cell so one scan walks
/// contiguous memory.
#[derive(Debug, Clone, Copy)]
struct GridPoint {
    lat: f64,
    lon: f64,
    population: f64,
    country: u16,
    index: u32,
}

/// Neighbouring city indices with cumulative populations, for a weighted draw.
type Neighbours = Box<[(u32, f64)]>;

/// The cities with their sampling weights.
#[derive(Debug, Clone)]
pub(crate) struct CityTable {
    cities: Vec<City>,
    weights: Alias,
    /// All cities, grouped by grid cell (input order within a cell).
    points: Vec<GridPoint>,
    /// Grid cell -> range of `points`.
    cells: HashMap<(i32, i32), (u32, u32)>,
    /// Per origin city: its neighbours with cumulative populations, filled on first use.
    nearby_cache: Vec<Option<Neighbours>>,
}

impl CityTable {
    /// Keeps the cities with a positive weight; falls back to [`crate::BUILTIN_CITIES`] when none
    /// is left, so a generator always has somewhere to put people.
    pub fn new<C: CityInput>(cities: &[C], reach: &Reach) -> CityTable {
        let table = CityTable::build(cities, reach);
        if !table.weights.is_empty() {
            table
        } else {
            CityTable::build(crate::BUILTIN_CITIES, reach)
        }
    }

    fn build<C: CityInput>(input: &[C], reach: &Reach) -> CityTable {
        let mut cities = Vec::new();
        let mut groups = Vec::new();
        let mut group_totals = [0.0; 3];
        for c in input {
            let valid = c.lat().abs() <= 90.0 && c.lon().abs() <= 180.0 && c.country().len() == 2;
            let group = reach.group(c.country());
            if !valid || c.population() == 0 || reach.shares()[group] <= 0.0 {
                continue;
            }
            group_totals[group] += c.population() as f64;
            groups.push(group);
            cities.push(City {
                name: c.name().to_string(),
                region_code: c.region_code().map(str::to_string),
                region: c.region().map(str::to_string),
                country: c.country().to_ascii_uppercase(),
                lat: c.lat(),
                lon: c.lon(),
                population: c.population(),
            });
        }
        let shares = reach.shares();
        let weights: Vec<f64> = cities
            .iter()
            .zip(&groups)
            .map(|(city, &g)| city.population as f64 * shares[g] / group_totals[g])
            .collect();
        let mut keyed: Vec<((i32, i32), GridPoint)> = cities
            .iter()
            .enumerate()
            .map(|(i, city)| {
                let point = GridPoint {
                    lat: city.lat,
                    lon: city.lon,
                    population: city.population as f64,
                    country: country_key(&city.country),
                    index: i as u32,
                };
                (cell(city.lat, city.lon), point)
            })
            .collect();
        // Stable: within a cell the input order is kept, so scans are deterministic.
        keyed.sort_by_key(|(key, _)| *key);
        let mut cells = HashMap::new();
        let mut start = 0;
        for i in 1..=keyed.len() {
            if i == keyed.len() || keyed[i].0 != keyed[start].0 {
                cells.insert(keyed[start].0, (start as u32, i as u32));
                start = i;
            }
        }
        let points = keyed.into_iter().map(|(_, point)| point).collect();
        CityTable {
            cities,
            weights: Alias::new(&weights),
            points,
            cells,
            nearby_cache: Vec::new(),
        }
    }

    pub fn get(&self, index: usize) -> &City {
        &self.cities[index]
    }

    /// A city index, in proportion to population times the reach multiplier.
    pub fn sample(&self, rng: &mut DemoRng) -> usize {
        self.weights.sample(rng).unwrap_or(0)
    }

    /// Another city in the same country within [`NEARBY_KM`] of `index`, larger towns more
    /// likely; `None` when there is none.
    pub fn nearby(&mut self, rng: &mut DemoRng, index: usize) -> Option<usize> {
        // Big cities are drawn again and again, and dense areas hold hundreds of towns: the
        // neighbour list of each origin is built once and then sampled by binary search.
        if self.nearby_cache.is_empty() {
            self.nearby_cache.resize(self.cities.len(), None);
        }
        if self.nearby_cache[index].is_none() {
            self.nearby_cache[index] = Some(self.neighbours(index));
        }
        let neighbours = self.nearby_cache[index].as_deref()?;
        let total = neighbours.last()?.1;
        let target = rng.random::<f64>() * total;
        let i = neighbours.partition_point(|&(_, cumulative)| cumulative <= target);
        neighbours
            .get(i.min(neighbours.len() - 1))
            .map(|&(j, _)| j as usize)
    }

    /// The cities of the same country within [`NEARBY_KM`] of `index` (scanning the 3x3 grid
    /// cells around it), with cumulative populations.
    fn neighbours(&self, index: usize) -> Neighbours {
        let origin = &self.cities[index];
        let country = country_key(&origin.country);
        let cos_lat = origin.lat.to_radians().cos().max(0.01);
        let max_deg2 = (NEARBY_KM / KM_PER_DEGREE).powi(2);
        let (row, col) = cell(origin.lat, origin.lon);
        let mut out = Vec::new();
        let mut total = 0.0;
        for dr in -1..=1 {
            for dc in -1..=1 {
                let Some(&(start, end)) = self.cells.get(&(row + dr, col + dc)) else {
                    continue;
                };
                for point in &self.points[start as usize..end as usize] {
                    let (dy, dx) = (point.lat - origin.lat, (point.lon - origin.lon) * cos_lat);
                    if point.country == country
                        && point.index as usize != index
                        && dy * dy + dx * dx <= max_deg2
                        && point.population > 0.0
                    {
                        total += point.population;
                        out.push((point.index, total));
                    }
                }
            }
        }
        out.into_boxed_slice()
    }
}

fn country_key(country: &str) -> u16 {
    let b = country.as_bytes();
    u16::from_be_bytes([
        b.first().copied().unwrap_or(0),
        b.get(1).copied().unwrap_or(0),
    ])
}

fn cell(lat: f64, lon: f64) -> (i32, i32) {
    ((lat / CELL).floor() as i32, (lon / CELL).floor() as i32)
}

const KM_PER_DEGREE: f64 = 111.32;

/// Equirectangular distance: accurate to well under a percent at the few tens of km used here.
#[cfg(test)]
pub(crate) fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let mean_lat = ((lat1 + lat2) / 2.0).to_radians();
    let dx = (lon2 - lon1) * mean_lat.cos();
    let dy = lat2 - lat1;
    (dx * dx + dy * dy).sqrt() * KM_PER_DEGREE
}

/// A point uniformly distributed in a disc of `radius_km` around (`lat`, `lon`), kept in range
/// and rounded to 5 decimals (about a metre), as a feed would give it.
pub(crate) fn jitter(rng: &mut DemoRng, lat: f64, lon: f64, radius_km: f64) -> (f64, f64) {
    let distance = radius_km * rng.random::<f64>().sqrt();
    let angle = rng.random::<f64>() * std::f64::consts::TAU;
    // Near the poles a km is many degrees of longitude; the clamp keeps the offset finite.
    let cos_lat = lat.to_radians().cos().max(0.01);
    let new_lat = (lat + distance * angle.sin() / KM_PER_DEGREE).clamp(-90.0, 90.0);
    let mut new_lon = lon + distance * angle.cos() / (KM_PER_DEGREE * cos_lat);
    if new_lon > 180.0 {
        new_lon -= 360.0;
    } else if new_lon < -180.0 {
        new_lon += 360.0;
    }
    (round5(new_lat), round5(new_lon))
}

fn round5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

/// How far from the centre a practice may lie: bigger cities spread wider.
pub(crate) fn spread_km(population: u64) -> f64 {
    (0.8 + (population as f64).sqrt() / 600.0).min(12.0)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::BUILTIN_CITIES;
    use crate::cities::CitySample;

    #[test]
    fn national_reach_keeps_most_members_at_home() {
        let table = CityTable::new(BUILTIN_CITIES, &Reach::of("csta-uk", None));
        let mut rng = DemoRng::seed_from_u64(7);
        let home = (0..2000)
            .filter(|_| ["GB", "IE"].contains(&table.get(table.sample(&mut rng)).country.as_str()))
            .count();
        assert!(home > 1800, "{home}");
    }

    #[test]
    fn reach_table() {
        // (association, its vocabulary country, city country, share of that city's group)
        let cases = [
            ("bcta-na", None, "CA", 0.95),
            ("bcta-na", None, "DE", 0.04),
            ("bcta-na", None, "JP", 0.01),
            ("upledger", None, "US", 0.55),
            ("upledger", None, "GB", 0.42),
            ("cranio-suisse", Some("CH"), "CH", 0.95),
            ("anyone", None, "NZ", 0.94),
            ("anyone", None, "JP", 0.06),
        ];
        for (association, country, city_country, share) in cases {
            let reach = Reach::of(association, country);
            assert_eq!(
                reach.shares()[reach.group(city_country)],
                share,
                "{association} {city_country}"
            );
        }
    }

    #[test]
    fn a_small_countrys_association_stays_at_home() {
        let table = CityTable::new(BUILTIN_CITIES, &Reach::of("cranio-suisse", Some("CH")));
        let mut rng = DemoRng::seed_from_u64(12);
        let home = (0..2000)
            .filter(|_| table.get(table.sample(&mut rng)).country == "CH")
            .count();
        assert!(home > 1850, "{home}");
    }

    #[test]
    fn empty_or_weightless_input_falls_back_to_builtin_cities() {
        let none: [CitySample<'_>; 0] = [];
        assert!(!CityTable::new(&none, &Reach::General).weights.is_empty());
        let ghost = [CitySample {
            population: 0,
            ..BUILTIN_CITIES[0]
        }];
        assert!(CityTable::new(&ghost, &Reach::General).cities.len() > 1);
        assert_eq!(
            CityTable::new(&ghost, &Reach::General).points.len(),
            BUILTIN_CITIES.len()
        );
    }

    #[test]
    fn nearby_finds_a_neighbour_in_the_same_country_only() {
        let cities = [
            CitySample {
                name: "A",
                country: "BE",
                lat: 50.85,
                lon: 4.35,
                ..BUILTIN_CITIES[0]
            },
            CitySample {
                name: "B",
                country: "BE",
                lat: 50.88,
                lon: 4.70,
                ..BUILTIN_CITIES[0]
            },
            CitySample {
                name: "C",
                country: "NL",
                lat: 50.86,
                lon: 4.36,
                ..BUILTIN_CITIES[0]
            },
            CitySample {
                name: "D",
                country: "BE",
                lat: 51.22,
                lon: 4.40,
                ..BUILTIN_CITIES[0]
            },
        ];
        let mut table = CityTable::new(&cities, &Reach::General);
        let mut rng = DemoRng::seed_from_u64(3);
        for _ in 0..50 {
            assert_eq!(table.nearby(&mut rng, 0), Some(1));
        }
        assert_eq!(table.nearby(&mut rng, 3), None);
    }

    #[test]
    fn jitter_stays_in_range_and_close() {
        let mut rng = DemoRng::seed_from_u64(4);
        for (lat, lon) in [
            (0.0, 179.999),
            (89.99, 10.0),
            (-33.87, 151.21),
            (47.37, -180.0),
        ] {
            for _ in 0..200 {
                let (a, b) = jitter(&mut rng, lat, lon, 5.0);
                assert!(
                    (-90.0..=90.0).contains(&a) && (-180.0..=180.0).contains(&b),
                    "{a} {b}"
                );
                if lat.abs() < 80.0 && lon.abs() < 179.0 {
                    assert!(distance_km(lat, lon, a, b) <= 5.01);
                }
            }
        }
    }
}
