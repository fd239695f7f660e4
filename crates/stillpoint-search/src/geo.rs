//! Distances on the sphere and the geo cells that cover a circle or a box.

use stillpoint_index::geo::{LEVELS, cell_id, cell_of};

use crate::request::BoundingBox;

/// Mean Earth radius (IUGG), the sphere every distance is measured on.
pub const EARTH_RADIUS_KM: f64 = 6_371.008_8;

/// Great-circle distance in km between two points in degrees (haversine).
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let dphi = (lat2 - lat1).to_radians();
    let dlambda = (lon2 - lon1).to_radians();
    let a = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// Most cells a covering may have before a coarser level is used.
const MAX_CELLS: usize = 512;

/// Degrees of latitude per km on the sphere.
const DEG_PER_KM: f64 = 180.0 / (std::f64::consts::PI * EARTH_RADIUS_KM);

/// The boxes (not crossing the antimeridian) that contain every point within `radius_km` of the
/// centre. Slightly generous so floating-point rounding never loses a point on the edge.
pub fn circle_boxes(lat: f64, lon: f64, radius_km: f64) -> Vec<BoundingBox> {
    let dlat = radius_km * DEG_PER_KM * 1.000_001 + 1e-9;
    let min_lat = (lat - dlat).max(-90.0);
    let max_lat = (lat + dlat).min(90.0);
    // Every meridian is within reach when the circle contains a pole or spans half the globe.
    let full = lat + dlat >= 90.0 || lat - dlat <= -90.0 || radius_km * DEG_PER_KM >= 90.0;
    let dlon = if full {
        180.0
    } else {
        // The widest longitude offset of a circle on the sphere: asin(sin r / cos lat).
        let r = radius_km / EARTH_RADIUS_KM;
        let ratio = r.sin() / lat.to_radians().cos();
        if ratio >= 1.0 {
            180.0
        } else {
            (ratio.asin().to_degrees() * 1.000_001 + 1e-9).min(180.0)
        }
    };
    if dlon >= 180.0 {
        return vec![BoundingBox {
            min_lon: -180.0,
            min_lat,
            max_lon: 180.0,
            max_lat,
        }];
    }
    let (west, east) = (lon - dlon, lon + dlon);
    let wrap = |x: f64| {
        if x < -180.0 {
            x + 360.0
        } else if x > 180.0 {
            x - 360.0
        } else {
            x
        }
    };
    BoundingBox {
        min_lon: wrap(west),
        min_lat,
        max_lon: wrap(east),
        max_lat,
    }
    .split()
}

/// The geo cell ids, all at one level, that together cover the boxes: the finest level with at
/// most `MAX_CELLS` cells (or the coarsest level whatever its count).
pub fn covering_cells(boxes: &[BoundingBox]) -> Vec<u64> {
    for level in (0..LEVELS).rev() {
        let count: usize = boxes.iter().map(|b| cell_count(level, b)).sum();
        if count <= MAX_CELLS || level == 0 {
            let mut cells = Vec::with_capacity(count);
            for b in boxes {
                let (x0, y0) = cell_of(level, b.min_lat, b.min_lon);
                let (x1, y1) = cell_of(level, b.max_lat, b.max_lon);
                for x in x0..=x1 {
                    for y in y0..=y1 {
                        cells.push(cell_id(level, x, y));
                    }
                }
            }
            cells.sort_unstable();
            cells.dedup();
            return cells;
        }
    }
    unreachable!("level 0 always returns")
}

fn cell_count(level: u8, b: &BoundingBox) -> usize {
    let (x0, y0) = cell_of(level, b.min_lat, b.min_lon);
    let (x1, y1) = cell_of(level, b.max_lat, b.max_lon);
    ((x1 - x0 + 1) * (y1 - y0 + 1)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        // Boulder, CO to Denver, CO: about 39 km.
        let d = haversine_km(40.015, -105.2705, 39.7392, -104.9903);
        assert!((d - 38.9).abs() < 0.5, "{d}");
        // A quarter of the equator.
        let q = haversine_km(0.0, 0.0, 0.0, 90.0);
        assert!((q - EARTH_RADIUS_KM * std::f64::consts::FRAC_PI_2).abs() < 1e-6);
        // Antipodes.
        let a = haversine_km(10.0, 20.0, -10.0, -160.0);
        assert!(
            (a - EARTH_RADIUS_KM * std::f64::consts::PI).abs() < 1e-3,
            "{a}"
        );
        assert_eq!(haversine_km(12.0, 34.0, 12.0, 34.0), 0.0);
    }

    #[test]
    fn circle_boxes_contain_the_circle() {
        for &(lat, lon, r) in &[
            (40.0, -105.0, 50.0),
            (0.0, 179.9, 30.0),
            (-0.0, -179.95, 30.0),
            (89.5, 10.0, 100.0),
            (-89.9, 0.0, 5.0),
            (60.0, 0.0, 999.0),
        ] {
            let boxes = circle_boxes(lat, lon, r);
            // Walk the circle's edge and check every point is inside some box.
            for i in 0..360 {
                let bearing = f64::from(i).to_radians();
                let (plat, plon) = destination(lat, lon, r * 0.999_999, bearing);
                assert!(
                    boxes.iter().any(|b| b.contains(plat, plon)),
                    "({lat},{lon}) r={r}: ({plat},{plon}) outside {boxes:?}"
                );
            }
        }
    }

    #[test]
    fn coverings_stay_small() {
        let boxes = circle_boxes(51.5, -0.12, 100.0);
        let cells = covering_cells(&boxes);
        assert!(!cells.is_empty() && cells.len() <= MAX_CELLS);
        let world = covering_cells(&[BoundingBox {
            min_lon: -180.0,
            min_lat: -90.0,
            max_lon: 180.0,
            max_lat: 90.0,
        }]);
        assert_eq!(world.len(), 360 * 180);
    }

    /// The point at `distance_km` along `bearing` (radians) from a start point.
    fn destination(lat: f64, lon: f64, distance_km: f64, bearing: f64) -> (f64, f64) {
        let d = distance_km / EARTH_RADIUS_KM;
        let (phi1, l1) = (lat.to_radians(), lon.to_radians());
        let phi2 = (phi1.sin() * d.cos() + phi1.cos() * d.sin() * bearing.cos()).asin();
        let l2 =
            l1 + (bearing.sin() * d.sin() * phi1.cos()).atan2(d.cos() - phi1.sin() * phi2.sin());
        let mut lon2 = l2.to_degrees();
        if lon2 > 180.0 {
            lon2 -= 360.0;
        } else if lon2 < -180.0 {
            lon2 += 360.0;
        }
        (phi2.to_degrees(), lon2)
    }
}
