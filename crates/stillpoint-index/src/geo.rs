//! Geo cells: each location is indexed as the ids of the grid cells that contain it at several
//! levels, so a radius or box query becomes a small union of term lookups followed by an exact
//! distance check on the fast fields, instead of a scan of every point.
//!
//! Level `l` cuts the plane of (lon, lat) degrees into squares of [`cell_size`]`(l)` degrees.

/// Number of levels; level 0 is the coarsest. Coarser levels than 1° were dropped: a 1,000 km
/// radius is still only a few hundred 1° cells, and every level costs one term per location at
/// ingest.
pub const LEVELS: u8 = 4;

/// Cell side in degrees at `level`: 1°, 0.25°, 1/16°, 1/64° (about 1.7 km of latitude).
pub fn cell_size(level: u8) -> f64 {
    1.0 / f64::from(1u32 << (2 * u32::from(level)))
}

/// Number of cells along the longitude axis at `level`.
pub fn columns(level: u8) -> u64 {
    (360.0 / cell_size(level)).ceil() as u64
}

/// Number of cells along the latitude axis at `level` (rounded up, so that a grid whose side
/// does not divide 180° still nests).
pub fn rows(level: u8) -> u64 {
    (180.0 / cell_size(level)).ceil() as u64
}

/// The cell id at `level` of column `x` and row `y`: level in the top byte, then x and y.
pub fn cell_id(level: u8, x: u64, y: u64) -> u64 {
    (u64::from(level) << 56) | (x << 28) | y
}

/// The column and row containing a point at `level`.
pub fn cell_of(level: u8, lat: f64, lon: f64) -> (u64, u64) {
    let size = cell_size(level);
    let x = (((lon + 180.0) / size).floor() as u64).min(columns(level) - 1);
    let y = (((lat + 90.0) / size).floor() as u64).min(rows(level) - 1);
    (x, y)
}

/// The Morton (Z-order) code of the point's cell on the finest grid: the column's bits at even
/// positions, the row's at odd ones (15 + 14 bits). Nearby points get nearby codes, so
/// documents sorted by it lie together by area (see [`crate::schema::Fields::z_order`]).
pub fn z_order(lat: f64, lon: f64) -> u32 {
    let (x, y) = cell_of(LEVELS - 1, lat, lon);
    spread(x as u32) | (spread(y as u32) << 1)
}

/// The low 16 bits of `v` at the even bit positions.
pub fn spread(v: u32) -> u32 {
    let mut v = v & 0xffff;
    v = (v | (v << 8)) & 0x00ff_00ff;
    v = (v | (v << 4)) & 0x0f0f_0f0f;
    v = (v | (v << 2)) & 0x3333_3333;
    (v | (v << 1)) & 0x5555_5555
}

/// The ids of every cell, one per level, that contains the point.
pub fn cells_of(lat: f64, lon: f64) -> impl Iterator<Item = u64> {
    (0..LEVELS).map(move |level| {
        let (x, y) = cell_of(level, lat, lon);
        cell_id(level, x, y)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_nest_across_levels() {
        for &(lat, lon) in &[
            (40.015, -105.27),
            (-89.99, 179.999),
            (90.0, 180.0),
            (0.0, 0.0),
        ] {
            let cells: Vec<u64> = cells_of(lat, lon).collect();
            assert_eq!(cells.len(), usize::from(LEVELS));
            for level in 1..LEVELS {
                let (x, y) = cell_of(level, lat, lon);
                let (px, py) = cell_of(level - 1, lat, lon);
                assert_eq!((x / 4, y / 4), (px, py), "level {level} at {lat},{lon}");
            }
        }
    }

    #[test]
    fn extreme_points_stay_inside_the_grid() {
        let (x, y) = cell_of(LEVELS - 1, 90.0, 180.0);
        assert_eq!((x, y), (columns(LEVELS - 1) - 1, rows(LEVELS - 1) - 1));
        assert_eq!(cell_of(0, -90.0, -180.0), (0, 0));
    }
}
