//! A few dozen real cities (GeoNames coordinates and populations), so the generator works without
//! a gazetteer: in unit tests, and as the fallback when the caller's cities all weigh nothing.
//! Region codes follow the gazetteer's convention: postal abbreviations for US, CA and AU,
//! GeoNames admin1 codes elsewhere.

use crate::cities::CitySample;

const fn city(
    name: &'static str,
    region_code: &'static str,
    region: &'static str,
    country: &'static str,
    lat: f64,
    lon: f64,
    population: u64,
) -> CitySample<'static> {
    CitySample {
        name,
        region_code: Some(region_code),
        region: Some(region),
        country,
        lat,
        lon,
        population,
    }
}

/// The built-in cities: every country of [`crate::CST_COUNTRIES`] and two beyond them.
#[rustfmt::skip]
pub const BUILTIN_CITIES: &[CitySample<'static>] = &[
    city("New York City", "NY", "New York", "US", 40.71427, -74.00597, 8_175_133),
    city("Los Angeles", "CA", "California", "US", 34.05223, -118.24368, 3_971_883),
    city("Chicago", "IL", "Illinois", "US", 41.85003, -87.65005, 2_720_546),
    city("Austin", "TX", "Texas", "US", 30.26715, -97.74306, 961_855),
    city("Seattle", "WA", "Washington", "US", 47.60621, -122.33207, 753_675),
    city("Denver", "CO", "Colorado", "US", 39.73915, -104.9847, 715_522),
    city("Portland", "OR", "Oregon", "US", 45.52345, -122.67621, 652_503),
    city("Boulder", "CO", "Colorado", "US", 40.01499, -105.27055, 108_250),
    city("Asheville", "NC", "North Carolina", "US", 35.60095, -82.55402, 92_870),
    city("Palm Beach Gardens", "FL", "Florida", "US", 26.82339, -80.13865, 56_000),
    city("Toronto", "ON", "Ontario", "CA", 43.70011, -79.4163, 2_731_571),
    city("Montréal", "QC", "Quebec", "CA", 45.50884, -73.58781, 1_762_949),
    city("Vancouver", "BC", "British Columbia", "CA", 49.24966, -123.11934, 631_486),
    city("London", "ENG", "England", "GB", 51.50853, -0.12574, 7_556_900),
    city("Edinburgh", "SCT", "Scotland", "GB", 55.95206, -3.19648, 464_990),
    city("Bristol", "ENG", "England", "GB", 51.45523, -2.59665, 430_713),
    city("Manchester", "ENG", "England", "GB", 53.48095, -2.23743, 395_515),
    city("Brighton", "ENG", "England", "GB", 50.82838, -0.13947, 139_001),
    city("Dublin", "L", "Leinster", "IE", 53.33306, -6.24889, 1_024_027),
    city("Cork", "M", "Munster", "IE", 51.89797, -8.47061, 125_622),
    city("Berlin", "16", "Berlin", "DE", 52.52437, 13.41053, 3_426_354),
    city("Hamburg", "04", "Hamburg", "DE", 53.55073, 9.99302, 1_739_117),
    city("Munich", "02", "Bavaria", "DE", 48.13743, 11.57549, 1_260_391),
    city("Freiburg", "01", "Baden-Württemberg", "DE", 47.9959, 7.85222, 215_966),
    city("Amsterdam", "07", "North Holland", "NL", 52.37403, 4.88969, 741_636),
    city("Utrecht", "09", "Utrecht", "NL", 52.09083, 5.12222, 290_529),
    city("Brussels", "BRU", "Brussels Capital", "BE", 50.85045, 4.34878, 1_019_022),
    city("Gent", "VLG", "Flanders", "BE", 51.05, 3.71667, 231_493),
    city("Liège", "WAL", "Wallonia", "BE", 50.63373, 5.56749, 182_597),
    city("Zürich", "ZH", "Zurich", "CH", 47.36667, 8.55, 341_730),
    city("Genève", "GE", "Geneva", "CH", 46.20222, 6.14569, 183_981),
    city("Bern", "BE", "Bern", "CH", 46.94809, 7.44744, 121_631),
    city("Lugano", "TI", "Ticino", "CH", 46.01008, 8.96004, 63_185),
    city("Vienna", "09", "Vienna", "AT", 48.20849, 16.37208, 1_691_468),
    city("Paris", "11", "Île-de-France", "FR", 48.85341, 2.3488, 2_138_551),
    city("Lyon", "84", "Auvergne-Rhône-Alpes", "FR", 45.74846, 4.84671, 472_317),
    city("Madrid", "29", "Madrid", "ES", 40.4165, -3.70256, 3_255_944),
    city("Barcelona", "56", "Catalonia", "ES", 41.38879, 2.15899, 1_621_537),
    city("Rome", "07", "Lazio", "IT", 41.89193, 12.51133, 2_318_895),
    city("Milan", "09", "Lombardy", "IT", 45.46427, 9.18951, 1_371_498),
    city("Copenhagen", "17", "Capital Region", "DK", 55.67594, 12.56553, 1_153_615),
    city("Stockholm", "26", "Stockholm", "SE", 59.32938, 18.06871, 1_515_017),
    city("Oslo", "12", "Oslo", "NO", 59.91273, 10.74609, 580_000),
    city("Sydney", "NSW", "New South Wales", "AU", -33.86785, 151.20732, 4_627_345),
    city("Melbourne", "VIC", "Victoria", "AU", -37.814, 144.96332, 4_246_375),
    city("Byron Bay", "NSW", "New South Wales", "AU", -28.64338, 153.61236, 9_246),
    city("Auckland", "AUK", "Auckland", "NZ", -36.84853, 174.76349, 417_910),
    city("Wellington", "WGN", "Wellington", "NZ", -41.28664, 174.77557, 381_900),
    city("Tokyo", "40", "Tokyo", "JP", 35.6895, 139.69171, 8_336_599),
    city("São Paulo", "27", "São Paulo", "BR", -23.5475, -46.63611, 10_021_295),
];
