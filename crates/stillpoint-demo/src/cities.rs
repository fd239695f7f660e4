//! The generator's input cities: the [`CityInput`] trait, implemented for the gazetteer's `City`
//! (so `Gazetteer::embedded().cities()` is passed as it is) and for [`CitySample`], plain borrowed
//! data for callers and tests without a gazetteer.

/// What the generator needs to know about a city. Implemented for the gazetteer's `City` and for
/// [`CitySample`] (plain borrowed data, for callers and tests without a gazetteer).
pub trait CityInput {
    /// Display name ("Boulder", "Zürich").
    fn name(&self) -> &str;
    /// Postal-style region abbreviation where one exists ("CO", "ON", "NSW"), else an admin code.
    fn region_code(&self) -> Option<&str>;
    /// Region display name ("Colorado", "Bavaria").
    fn region(&self) -> Option<&str>;
    /// ISO 3166-1 alpha-2 code, upper case.
    fn country(&self) -> &str;
    fn lat(&self) -> f64;
    fn lon(&self) -> f64;
    fn population(&self) -> u64;
}

/// A city as plain borrowed data, for callers (and tests) without a gazetteer type of their own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CitySample<'a> {
    pub name: &'a str,
    pub region_code: Option<&'a str>,
    pub region: Option<&'a str>,
    pub country: &'a str,
    pub lat: f64,
    pub lon: f64,
    pub population: u64,
}

impl CityInput for CitySample<'_> {
    fn name(&self) -> &str {
        self.name
    }
    fn region_code(&self) -> Option<&str> {
        self.region_code
    }
    fn region(&self) -> Option<&str> {
        self.region
    }
    fn country(&self) -> &str {
        self.country
    }
    fn lat(&self) -> f64 {
        self.lat
    }
    fn lon(&self) -> f64 {
        self.lon
    }
    fn population(&self) -> u64 {
        self.population
    }
}

/// The embedded gazetteer's cities can be passed as they are:
/// `Generator::new(&vocabulary, Gazetteer::embedded().cities(), seed, association)`.
impl CityInput for stillpoint_gazetteer::City {
    fn name(&self) -> &str {
        &self.name
    }
    fn region_code(&self) -> Option<&str> {
        self.region_code.as_deref()
    }
    fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
    fn country(&self) -> &str {
        &self.country
    }
    fn lat(&self) -> f64 {
        self.lat
    }
    fn lon(&self) -> f64 {
        self.lon
    }
    fn population(&self) -> u64 {
        self.population
    }
}
