//! A segment's locations as an implicit quadtree: every location's cell on the finest geo grid
//! (1/64°) as a Morton (Z-order) code, in arrays sorted by that code, so that any quadtree node
//! (a square of 2^k by 2^k finest cells) is one contiguous range of each array, found by binary
//! search.
//!
//! Documents are laid out in rank order (the Z-order of their first location, see
//! [`crate::columns::SegmentColumns::rank`]), so the first locations need no array of their own
//! beyond their codes; every other location is listed apart ([`Spatial::extra_z`]).
//!
//! Two walks use it, both best-first from the node nearest the centre:
//! - [`nearest`]: the locations in increasing distance, until the page is full and the next
//!   node lies beyond its worst hit (nearest first without a radius);
//! - [`within`]: every node that reaches within a distance, telling the caller whether a node
//!   lies wholly inside the radius (so its documents match without a distance test, and its
//!   precomputed facet counts can be added at once, see
//!   [`crate::blocks::NodeCounts`]).

use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::LazyLock;

use stillpoint_index::geo::{LEVELS, cell_size, columns, rows, spread, z_order};

use crate::columns::Points;
use crate::geo::{EARTH_RADIUS_KM, haversine_km};

/// Levels of the implicit quadtree above the finest cells: 2^15 columns cover the 23,040 of the
/// finest grid.
pub(crate) const TOP: u32 = 15;

/// Codes at or above this belong to no point (documents without a location sort last).
pub(crate) const NO_POINT: u32 = 1 << 30;

/// Fewer entries than this in a node: its entries are read one by one rather than split.
const LEAF: u32 = 48;

/// Codes per sampled code in [`SampledCodes`]: 256 bytes, four cache lines.
const SAMPLE: usize = 64;

/// Codes, with every [`SAMPLE`]th code apart. A walk cuts ranges of codes by binary search
/// thousands of times per search; over a megabyte-sized array nearly every step of that search
/// is a cache miss. The sample (1/64 of the size) stays in cache, and after it the search reads
/// one stretch of [`SAMPLE`] codes.
///
/// Each range a walk is given ([`SampledCodes::range`]) must be sorted; the whole need not be
/// (the lists of several facet values, each sorted, one after another).
pub(crate) struct SampledCodes {
    codes: Vec<u32>,
    sample: Vec<u32>,
    /// The quadtree over all the codes, when they are sorted as a whole (see [`Tree`]).
    tree: Option<Tree>,
}

impl SampledCodes {
    pub fn new(codes: Vec<u32>) -> SampledCodes {
        let sample = codes.iter().step_by(SAMPLE).copied().collect();
        SampledCodes {
            codes,
            sample,
            tree: None,
        }
    }

    /// The same, with the quadtree that walks over all of them split nodes by, when they are
    /// sorted as a whole (otherwise walks split by binary search, as over [`SampledCodes::new`]).
    pub fn with_tree(codes: Vec<u32>) -> SampledCodes {
        let tree = codes.is_sorted().then(|| Tree::build(&codes));
        debug_assert!(tree.is_some(), "a tree over unsorted codes");
        SampledCodes {
            tree,
            ..SampledCodes::new(codes)
        }
    }

    /// The codes `range` of these, for a walk.
    pub fn range(&self, range: std::ops::Range<usize>) -> Codes<'_> {
        debug_assert!(self.codes[range.clone()].is_sorted());
        Codes {
            all: self,
            start: range.start,
            len: range.end - range.start,
            tree: None,
        }
    }

    pub fn all(&self) -> Codes<'_> {
        Codes {
            tree: self.tree.as_ref(),
            ..self.range(0..self.codes.len())
        }
    }
}

/// Where the quarters of each large square of the quadtree start among sorted codes, and
/// their own nodes: a walk splits a node by reading it (one cache line) instead of cutting its
/// range by three binary searches per source, which was the walk's largest cost (some 10% of
/// a radius search, nearly all of it cache misses).
///
/// Only squares above the finest level holding more than [`LEAF`] codes have a node. A walk
/// splits the others (rarely: they are read entry by entry), and ranges that are not the whole
/// of the codes (a facet value's list, a node's own codes), by their ends when they lie in one
/// quarter and else by binary search.
pub(crate) struct Tree {
    nodes: Vec<TreeNode>,
}

/// A square's range of codes, where its second to fourth quarters start, and the quarters'
/// nodes ([`NO_NODE`] for a quarter without one).
#[derive(Clone, Copy, Debug)]
struct TreeNode {
    range: (u32, u32),
    cuts: [u32; 3],
    children: [u32; 4],
}

const NO_NODE: u32 = u32::MAX;

impl Tree {
    /// The root is the whole world ([`TOP`]) over the codes below [`NO_POINT`].
    fn build(codes: &[u32]) -> Tree {
        let mut tree = Tree { nodes: Vec::new() };
        let hi = codes.partition_point(|&c| c < NO_POINT) as u32;
        tree.node(codes, Square { k: TOP, x: 0, y: 0 }, 0, hi);
        tree
    }

    /// The root's node, when it has one.
    fn root(&self) -> u32 {
        if self.nodes.is_empty() { NO_NODE } else { 0 }
    }

    /// Adds the node of `square` (codes `lo..hi`) and those below it; returns its index.
    fn node(&mut self, codes: &[u32], square: Square, lo: u32, hi: u32) -> u32 {
        if hi - lo <= LEAF || square.k == 0 {
            return NO_NODE;
        }
        let at = self.nodes.len();
        let cut = quarter_cuts(square, lo, hi, |from, to, bound| {
            from + codes[from as usize..to as usize].partition_point(|&c| u64::from(c) < bound)
                as u32
        });
        self.nodes.push(TreeNode {
            range: (lo, hi),
            cuts: [cut[1], cut[2], cut[3]],
            children: [NO_NODE; 4],
        });
        for c in 0..4 {
            let child = square.quarter(c);
            let index = self.node(codes, child, cut[c as usize], cut[c as usize + 1]);
            self.nodes[at].children[c as usize] = index;
        }
        at as u32
    }
}

/// Where the quarters of `square` (codes `lo..hi`) start: `lo`, the three cuts, `hi`. `cut`
/// gives where a bound goes among the codes `from..to`.
fn quarter_cuts(square: Square, lo: u32, hi: u32, cut: impl Fn(u32, u32, u64) -> u32) -> [u32; 5] {
    let k = square.k - 1;
    let first = u64::from(square.prefix()) << 2;
    let mut cuts = [lo, lo, lo, lo, hi];
    for c in 1..4 {
        let start = (first + c as u64) << (2 * k);
        cuts[c] = cut(cuts[c - 1], hi, start);
    }
    cuts
}

impl std::ops::Deref for SampledCodes {
    type Target = [u32];

    fn deref(&self) -> &[u32] {
        &self.codes
    }
}

/// A range of [`SampledCodes`], indexed from its start.
#[derive(Clone, Copy)]
pub(crate) struct Codes<'a> {
    all: &'a SampledCodes,
    start: usize,
    len: usize,
    /// The quadtree, for the whole of sorted codes only.
    tree: Option<&'a Tree>,
}

impl Codes<'_> {
    pub fn len(self) -> usize {
        self.len
    }

    /// Code `i` of the range.
    fn get(self, i: u32) -> u32 {
        self.all.codes[self.start + i as usize]
    }

    /// Where `bound` would go among the codes `lo..hi` of the range: `lo` plus the number of
    /// them below it.
    pub fn cut(self, lo: u32, hi: u32, bound: u64) -> u32 {
        debug_assert!(lo <= hi && hi as usize <= self.len);
        let below = |v: &u32| u64::from(*v) < bound;
        let (a, b) = (self.start + lo as usize, self.start + hi as usize);
        let codes = &self.all.codes;
        // The samples within a..b: those at `j * SAMPLE` for j in ja..jb.
        let (ja, jb) = (a.div_ceil(SAMPLE), b.div_ceil(SAMPLE));
        let (from, to) = if ja >= jb {
            (a, b)
        } else {
            // The first sample at or above the bound: the cut lies after the sample before it
            // (below the bound) and at or before it.
            let j = ja + self.all.sample[ja..jb].partition_point(below);
            (
                if j == ja { a } else { (j - 1) * SAMPLE + 1 },
                if j == jb { b } else { j * SAMPLE },
            )
        };
        (from + codes[from..to].partition_point(below) - self.start) as u32
    }
}

/// Every location of a segment by Z-order code.
pub(crate) struct Spatial {
    /// Per rank position, the code of the document's first location ([`NO_POINT`] without one);
    /// sorted, since rank order is that order.
    pub z: SampledCodes,
    /// Per point (index into the points' `lat`/`lon`), the rank position of its document.
    pub point_position: Vec<u32>,
    /// Every location but the documents' first, by code: the code and the point.
    pub extra_z: SampledCodes,
    pub extra_point: Vec<u32>,
    /// Per other location (in the same order), its unit vector, its document's rank position,
    /// and that document's first point and unit vector: a search walking an area reads them in
    /// order instead of looking each up elsewhere.
    pub extra_xyz: Vec<[f32; 3]>,
    pub extra_position: Vec<u32>,
    pub extra_first: Vec<u32>,
    pub extra_first_xyz: Vec<[f32; 3]>,
}

impl Spatial {
    /// From the points in rank order (`offsets` per position, then `lat`, `lon` and unit vector
    /// `xyz` per point).
    pub fn build(offsets: &[u32], lat: &[f64], lon: &[f64], xyz: &[[f32; 3]]) -> Spatial {
        let positions = offsets.len().saturating_sub(1);
        let mut z = Vec::with_capacity(positions);
        let mut point_position = vec![0u32; lat.len()];
        let mut extra: Vec<(u32, u32, u32, u32)> = Vec::new();
        for position in 0..positions {
            let (start, end) = (offsets[position] as usize, offsets[position + 1] as usize);
            z.push(if start < end {
                z_order(lat[start], lon[start])
            } else {
                NO_POINT
            });
            for point in start..end {
                point_position[point] = position as u32;
                if point > start {
                    extra.push((
                        z_order(lat[point], lon[point]),
                        point as u32,
                        position as u32,
                        start as u32,
                    ));
                }
            }
        }
        debug_assert!(z.is_sorted());
        extra.sort_unstable();
        Spatial {
            z: SampledCodes::with_tree(z),
            point_position,
            extra_z: SampledCodes::with_tree(extra.iter().map(|e| e.0).collect()),
            extra_point: extra.iter().map(|e| e.1).collect(),
            extra_xyz: extra.iter().map(|e| xyz[e.1 as usize]).collect(),
            extra_position: extra.iter().map(|e| e.2).collect(),
            extra_first: extra.iter().map(|e| e.3).collect(),
            extra_first_xyz: extra.iter().map(|e| xyz[e.3 as usize]).collect(),
        }
    }
}

/// The locations of the documents that visit clients at home, apart from the others: such a
/// document matches a radius when the centre lies within its home-visit distance of it, so a
/// search would otherwise walk every location within the largest such distance (40 km on the
/// generated index: sixteen times a 10 km circle), for the few documents of that kind.
///
/// They are kept in classes by distance (each at most twice the one before), so that a search
/// walks only the classes reaching beyond its radius, each as far as its bound.
pub(crate) struct HomeAreas {
    pub classes: Vec<HomeClass>,
}

/// The documents whose home-visit distance lies in `(km / 2, km]` (the first class: `(0, km]`).
pub(crate) struct HomeClass {
    /// Every home-visit distance of the class is at most this.
    pub km: f64,
    /// Every location of the class's documents, by code, and in the same order what a search
    /// needs of it: a walk reads them front to back rather than looking each up in the
    /// segment's points (a cache miss apiece, the class being a sparse share of them).
    pub z: SampledCodes,
    pub entries: Vec<HomeEntry>,
}

/// A location of a document with home visits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HomeEntry {
    /// The location's unit vector (see [`Centre::chord2`]).
    pub xyz: [f32; 3],
    /// The document's home-visit distance, prepared for [`Centre::beyond`].
    pub home: Threshold,
    /// The location's point (index into the segment's points).
    pub point: u32,
    /// The document's rank position.
    pub position: u32,
    /// Whether the document has other locations.
    pub others: bool,
}

/// The smallest class bound (km); the bounds double from there.
const HOME_CLASS_KM: f64 = 5.0;

impl HomeAreas {
    /// From every location's code (first locations by rank position, then [`Spatial::extra_z`]),
    /// the points (`offsets` per rank position, unit vectors `xyz` per point) and the home-visit
    /// distance at each rank position (`None` or not positive: none).
    pub fn build(
        spatial: &Spatial,
        offsets: &[u32],
        xyz: &[[f32; 3]],
        home_km: impl Fn(u32) -> Option<f64>,
    ) -> HomeAreas {
        // Class `c` holds the distances up to `HOME_CLASS_KM * 2^c`.
        let class_of = |km: f64| {
            let mut class = 0;
            while km > HOME_CLASS_KM * 2f64.powi(class) && class < 64 {
                class += 1;
            }
            class
        };
        // (class, code, point, km)
        let mut entries: Vec<(i32, u32, u32, f64)> = Vec::new();
        let mut add = |position: u32, z: u32, point: u32| {
            if let Some(km) = home_km(position).filter(|&km| km > 0.0) {
                entries.push((class_of(km), z, point, km));
            }
        };
        for (position, &z) in spatial.z.iter().enumerate() {
            if z < NO_POINT {
                add(position as u32, z, offsets[position]);
            }
        }
        for (i, &z) in spatial.extra_z.iter().enumerate() {
            let point = spatial.extra_point[i];
            add(spatial.point_position[point as usize], z, point);
        }
        entries.sort_unstable_by_key(|e| (e.0, e.1, e.2));
        let entry = |&(_, _, point, km): &(i32, u32, u32, f64)| {
            let position = spatial.point_position[point as usize];
            HomeEntry {
                xyz: xyz[point as usize],
                home: Threshold::new(km),
                point,
                position,
                others: offsets[position as usize + 1] - offsets[position as usize] > 1,
            }
        };
        let classes = entries
            .chunk_by(|a, b| a.0 == b.0)
            .map(|class| HomeClass {
                km: HOME_CLASS_KM * 2f64.powi(class[0].0),
                z: SampledCodes::with_tree(class.iter().map(|e| e.1).collect()),
                entries: class.iter().map(entry).collect(),
            })
            .collect();
        HomeAreas { classes }
    }
}

/// One sorted array of locations: their codes, and per entry either the rank position of a
/// document (first locations) or a point (other locations).
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub z: Codes<'a>,
    /// The entries' ids; `None` when each entry's id is `base` plus its index.
    pub ids: Option<&'a [u32]>,
    pub base: u32,
    pub kind: Kind,
}

impl Source<'_> {
    pub fn id(&self, i: u32) -> u32 {
        self.ids.map_or(self.base + i, |ids| ids[i as usize])
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// Entries are rank positions; the location is the document's first.
    First,
    /// Entries are points; the location is not its document's first.
    Extra,
}

/// A square of the quadtree: columns `x << k ..` and rows `y << k ..` of the finest grid.
#[derive(Clone, Copy, Debug)]
struct Square {
    k: u32,
    x: u32,
    y: u32,
}

impl Square {
    /// The square's extent in degrees, widened by a hair so that a point rounded into one of
    /// its cells is never outside it.
    fn bounds(self) -> (f64, f64, f64, f64) {
        let size = cell_size(LEVELS - 1);
        let finest = LEVELS - 1;
        let x0 = u64::from(self.x) << self.k;
        let y0 = u64::from(self.y) << self.k;
        let x1 = ((u64::from(self.x) + 1) << self.k).min(columns(finest));
        let y1 = ((u64::from(self.y) + 1) << self.k).min(rows(finest));
        const HAIR: f64 = 1e-9;
        (
            (y0 as f64 * size - 90.0 - HAIR).max(-90.0),
            (y1 as f64 * size - 90.0 + HAIR).min(90.0),
            (x0 as f64 * size - 180.0 - HAIR).max(-180.0),
            (x1 as f64 * size - 180.0 + HAIR).min(180.0),
        )
    }

    fn prefix(self) -> u32 {
        spread(self.x) | (spread(self.y) << 1)
    }

    /// Quarter `c` (0-3, in the order of their codes).
    fn quarter(self, c: u32) -> Square {
        Square {
            k: self.k - 1,
            x: self.x * 2 + (c & 1),
            y: self.y * 2 + (c >> 1),
        }
    }

    fn is_empty_area(self) -> bool {
        let finest = LEVELS - 1;
        (u64::from(self.x) << self.k) >= columns(finest)
            || (u64::from(self.y) << self.k) >= rows(finest)
    }
}

/// A point (degrees) on the unit sphere, single precision: 12 bytes per location, close
/// enough for its chord ([`Centre::chord2`]) to tell a distance within [`slack`].
pub(crate) fn unit_vector(lat: f64, lon: f64) -> [f32; 3] {
    let (phi, lambda) = (lat.to_radians(), lon.to_radians());
    [
        (phi.cos() * lambda.cos()) as f32,
        (phi.cos() * lambda.sin()) as f32,
        phi.sin() as f32,
    ]
}

/// How far the distance told by a chord ([`Centre::chord2`]) may be from the haversine
/// distance around `km` (below [`TRUSTED_KM`]): rounding the vector's components to single precision moves the
/// chord by at most 5.2e-8 of the radius, which the `asin` stretches by 1 / cos(d / 2R), so at
/// most 0.6 m up to 12,000 km; two metres are allowed, and the haversine itself is good to far
/// less.
pub(crate) fn slack(km: f64) -> f64 {
    2e-3 + km.abs() * 1e-9
}

/// Beyond this distance the chord's `asin` stretches the rounding too much to trust (towards
/// the antipode): distances there are always measured exactly.
const TRUSTED_KM: f64 = 12_000.0;

/// A distance prepared for [`Centre::chord2`]: the squared chords of the distance less and
/// plus its [`slack`], between which (or beyond [`TRUSTED_KM`]) only the exact distance can
/// tell.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Threshold {
    pub km: f64,
    below: f64,
    above: f64,
}

/// The squared chord of [`TRUSTED_KM`].
static TRUSTED_CHORD2: LazyLock<f64> = LazyLock::new(|| chord2_of(TRUSTED_KM));

/// The squared chord between points `km` apart (at most [`TRUSTED_KM`]).
fn chord2_of(km: f64) -> f64 {
    let half = (km.clamp(0.0, TRUSTED_KM) / (2.0 * EARTH_RADIUS_KM)).sin();
    4.0 * half * half
}

impl Threshold {
    pub fn new(km: f64) -> Threshold {
        Threshold {
            km,
            // Nothing is clearly within a distance shorter than the slack.
            below: if km - slack(km) > 0.0 {
                chord2_of(km - slack(km))
            } else {
                -1.0
            },
            above: chord2_of(km + slack(km)),
        }
    }

    /// Whether a point of this squared chord is certainly within the distance.
    pub fn clearly_within(self, chord2: f64) -> bool {
        chord2 < self.below
    }

    /// Whether a point of this squared chord is certainly beyond the distance.
    pub fn clearly_beyond(self, chord2: f64) -> bool {
        chord2 > self.above && chord2 < *TRUSTED_CHORD2
    }
}

/// The last few [`Threshold`]s made, for distances that repeat (the page's worst hit, which
/// changes seldom; home-visit distances, a handful of round values).
#[derive(Default)]
pub(crate) struct ThresholdMemo {
    made: RefCell<Vec<Threshold>>,
    /// The slot the next new threshold takes once the memo is full.
    next: Cell<usize>,
}

impl ThresholdMemo {
    const SIZE: usize = 8;

    pub fn get(&self, km: f64) -> Threshold {
        let mut made = self.made.borrow_mut();
        if let Some(t) = made.iter().find(|t| t.km.to_bits() == km.to_bits()) {
            return *t;
        }
        let t = Threshold::new(km);
        if made.len() < Self::SIZE {
            made.push(t);
        } else {
            let slot = self.next.get();
            made[slot] = t;
            self.next.set((slot + 1) % Self::SIZE);
        }
        t
    }
}

/// Distances from a centre to squares: never more than the distance to any point inside
/// ([`Centre::lower`]) and never less ([`Centre::upper`]), with a margin for rounding.
pub(crate) struct Centre {
    pub lat: f64,
    pub lon: f64,
    sin_lat: f64,
    cos_lat: f64,
    xyz: [f64; 3],
    /// The last point measured and its distance: many documents share a point (those placed
    /// at their city's centre), and they come one after another in code order.
    last: Cell<(f64, f64, f64)>,
}

impl Centre {
    pub fn new(lat: f64, lon: f64) -> Centre {
        Centre {
            lat,
            lon,
            sin_lat: lat.to_radians().sin(),
            cos_lat: lat.to_radians().cos(),
            xyz: unit_vector(lat, lon).map(f64::from),
            last: Cell::new((f64::NAN, f64::NAN, f64::NAN)),
        }
    }

    /// The squared chord to a point, between unit vectors (the point's in single precision):
    /// no trigonometry at all. It grows with the distance, and a [`Threshold`] tells which side
    /// of a distance it lies.
    pub fn chord2(&self, xyz: [f32; 3]) -> f64 {
        let dx = f64::from(xyz[0]) - self.xyz[0];
        let dy = f64::from(xyz[1]) - self.xyz[1];
        let dz = f64::from(xyz[2]) - self.xyz[2];
        dx * dx + dy * dy + dz * dz
    }

    /// Whether a point (its [`Centre::chord2`] given) lies farther than `threshold`: decided by
    /// the chord when it is clear by more than [`slack`], otherwise by the exact distance to
    /// the point's latitude and longitude (asked of `point` only then: they are a cache miss
    /// away), so the answer is always that of `distance(lat, lon) > km`.
    pub fn beyond(
        &self,
        chord2: f64,
        threshold: Threshold,
        point: impl FnOnce() -> (f64, f64),
    ) -> bool {
        if threshold.clearly_beyond(chord2) {
            true
        } else if threshold.clearly_within(chord2) {
            false
        } else {
            let (lat, lon) = point();
            self.distance(lat, lon) > threshold.km
        }
    }

    /// The great-circle distance to a point ([`haversine_km`], so equal to it bit for bit).
    pub fn distance(&self, lat: f64, lon: f64) -> f64 {
        let (a, b, d) = self.last.get();
        if a.to_bits() == lat.to_bits() && b.to_bits() == lon.to_bits() {
            return d;
        }
        let d = haversine_km(self.lat, self.lon, lat, lon);
        self.last.set((lat, lon, d));
        d
    }

    /// A lower bound of the distance to any point of the square, exact but for rounding: a
    /// walk stops once the page's worst hit is nearer than the next node, so a loose bound
    /// walks nodes far beyond it (the distance to a meridian's whole great circle, bound
    /// before, put London 5,300 km from Boulder rather than 7,500, and a filter met only in
    /// Europe then walked all of it).
    fn lower(&self, s: Square) -> f64 {
        let (lat0, lat1, lon0, lon1) = s.bounds();
        let holds = |l: f64| {
            (lon0..=lon1).contains(&l)
                || (lon0..=lon1).contains(&(l - 360.0))
                || (lon0..=lon1).contains(&(l + 360.0))
        };
        let bound = if holds(self.lon) {
            // The centre's meridian crosses the square: the latitude gap.
            let dlat = if self.lat < lat0 {
                lat0 - self.lat
            } else if self.lat > lat1 {
                self.lat - lat1
            } else {
                0.0
            };
            dlat.to_radians() * EARTH_RADIUS_KM
        } else {
            // Every parallel of the square is nearest the centre at the meridian edge nearer in
            // longitude; along that edge, the cosine of the distance is
            // `sin(lat) sin(c) + cos(lat) cos(c) cos(delta)`, a sinusoid in the latitude: over
            // the edge it peaks inside (the distance is then that to the edge's great circle),
            // or at a corner, either one when it dips inside (beyond a quarter of the globe).
            let fold = |l: f64| {
                let d = (l - self.lon).rem_euclid(360.0);
                if d > 180.0 { 360.0 - d } else { d }
            };
            let (edge, delta) = if fold(lon0) <= fold(lon1) {
                (lon0, fold(lon0))
            } else {
                (lon1, fold(lon1))
            };
            // A node's bound costs a walk most of its trigonometry: each sine and cosine is
            // taken once, the centre's kept with it, the edge's latitudes' shared with the
            // corners' distances.
            let b = self.cos_lat * delta.to_radians().cos();
            let (sin0, cos0) = lat0.to_radians().sin_cos();
            let (sin1, cos1) = lat1.to_radians().sin_cos();
            let rising = |sin: f64, cos: f64| self.sin_lat * cos > b * sin;
            // The haversine to the corner at `lat` (`haversine_km`'s terms, its cosine given);
            // both corners share the longitude's term.
            let half_lon = || ((edge - self.lon).to_radians() / 2.0).sin().powi(2);
            let corner = |lat: f64, cos: f64, half_lon: f64| {
                let half_lat = ((lat - self.lat).to_radians() / 2.0).sin().powi(2);
                let a = half_lat + self.cos_lat * cos * half_lon;
                2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
            };
            match (rising(sin0, cos0), rising(sin1, cos1)) {
                (true, false) => {
                    (self.cos_lat.abs() * delta.to_radians().sin())
                        .min(1.0)
                        .asin()
                        * EARTH_RADIUS_KM
                }
                (false, false) => corner(lat0, cos0, half_lon()),
                (true, true) => corner(lat1, cos1, half_lon()),
                (false, true) => {
                    let half_lon = half_lon();
                    corner(lat0, cos0, half_lon).min(corner(lat1, cos1, half_lon))
                }
            }
        };
        (bound * (1.0 - 1e-9) - 1e-9).max(0.0)
    }

    /// The folded longitude differences (0..180) to two meridians, smaller first.
    fn folded(&self, lon0: f64, lon1: f64) -> (f64, f64) {
        let fold = |l: f64| {
            let d = (l - self.lon).rem_euclid(360.0);
            if d > 180.0 { 360.0 - d } else { d }
        };
        let (a, b) = (fold(lon0), fold(lon1));
        (a.min(b), a.max(b))
    }

    /// An upper bound of the distance to any point of the square (infinite when a meridian of
    /// the square is more than 90° of longitude away). Within 90°, along a parallel the distance
    /// grows with the longitude difference and along a meridian it has a single minimum, so the
    /// maximum over the square is at a corner.
    fn upper(&self, s: Square) -> f64 {
        let (lat0, lat1, lon0, lon1) = s.bounds();
        let (_, far) = self.folded(lon0, lon1);
        if far >= 90.0 || lon1 - lon0 >= 90.0 {
            return f64::INFINITY;
        }
        // The haversine term of each corner, from the sines and cosines the corners share; the
        // largest term is the farthest corner.
        let half_sin = |d: f64| (d.to_radians() / 2.0).sin();
        let lat_terms = [lat0, lat1].map(|lat| (half_sin(lat - self.lat), lat.to_radians().cos()));
        let lon_terms = [lon0, lon1].map(|lon| half_sin(lon - self.lon));
        let mut a: f64 = 0.0;
        for (s_lat, cos) in lat_terms {
            for s_lon in lon_terms {
                a = a.max(s_lat * s_lat + self.cos_lat * cos * s_lon * s_lon);
            }
        }
        let most = 2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin();
        most * (1.0 + 1e-9) + 1e-9
    }
}

/// A node of the walk: a square with its range in each source.
struct Node {
    bound: f64,
    square: Square,
    /// Index of the node's ranges in the walk's arena (one range per source).
    ranges: usize,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    /// Reversed, so that the max-heap pops the nearest first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.bound.total_cmp(&self.bound)
    }
}

/// The queue of a best-first walk.
struct Walk<'a> {
    sources: &'a [Source<'a>],
    centre: &'a Centre,
    queue: BinaryHeap<Node>,
    arena: Vec<(u32, u32)>,
    /// Per range of the arena, its source's tree node ([`NO_NODE`] without one).
    nodes: Vec<u32>,
    /// Scratch for [`Walk::split`]: each source's cuts of the square being split, and the
    /// quarters' tree nodes.
    cuts: Vec<([u32; 5], [u32; 4])>,
}

impl<'a> Walk<'a> {
    /// A walk from `from`, or the whole world.
    fn new(sources: &'a [Source<'a>], centre: &'a Centre, from: Option<Square>) -> Walk<'a> {
        let mut walk = Walk {
            sources,
            centre,
            queue: BinaryHeap::new(),
            arena: Vec::new(),
            nodes: Vec::new(),
            cuts: Vec::with_capacity(sources.len()),
        };
        let ranges = walk.arena.len();
        for s in sources {
            let hi = s.z.cut(0, s.z.len() as u32, u64::from(NO_POINT));
            walk.arena.push((0, hi));
            // (A tree's root is the whole world's.)
            let tree = s.z.tree.filter(|_| from.is_none());
            walk.nodes.push(tree.map_or(NO_NODE, Tree::root));
        }
        let root = from.unwrap_or(Square { k: TOP, x: 0, y: 0 });
        walk.push_square(root, ranges);
        walk
    }

    fn size(&self, ranges: usize) -> u32 {
        self.arena[ranges..ranges + self.sources.len()]
            .iter()
            .map(|(lo, hi)| hi - lo)
            .sum()
    }

    fn push_square(&mut self, square: Square, ranges: usize) {
        if self.size(ranges) == 0 {
            return;
        }
        let bound = self.centre.lower(square);
        self.queue.push(Node {
            bound,
            square,
            ranges,
        });
    }

    /// Queues the four quarters of a square. The quarters' codes follow each other: a source's
    /// tree node tells where each starts, or else its range's ends when it lies in one quarter,
    /// or else three binary searches.
    fn split(&mut self, square: Square, ranges: usize) {
        let mut cuts = std::mem::take(&mut self.cuts);
        cuts.clear();
        for i in 0..self.sources.len() {
            let (lo, hi) = self.arena[ranges + i];
            let z = self.sources[i].z;
            // (A walk may have emptied the range: then it is not the node's any more.)
            let node = z
                .tree
                .and_then(|t| t.nodes.get(self.nodes[ranges + i] as usize))
                .filter(|n| n.range == (lo, hi));
            // Without a node, a range lying in one quarter (as a facet value's list of a few
            // places does, from the whole world down to them) is told by its ends.
            let quarter = |i: u32| (z.get(i) >> (2 * (square.k - 1))) & 3;
            cuts.push(match node {
                Some(n) => ([lo, n.cuts[0], n.cuts[1], n.cuts[2], hi], n.children),
                None if lo < hi && quarter(lo) == quarter(hi - 1) => {
                    let q = quarter(lo) as usize;
                    let mut cut = [lo, lo, lo, lo, hi];
                    cut[q + 1..4].fill(hi);
                    (cut, [NO_NODE; 4])
                }
                None => (
                    quarter_cuts(square, lo, hi, |from, to, bound| z.cut(from, to, bound)),
                    [NO_NODE; 4],
                ),
            });
        }
        for c in 0..4u32 {
            let child = square.quarter(c);
            if child.is_empty_area() {
                continue;
            }
            let at = self.arena.len();
            for (cut, children) in &cuts {
                self.arena.push((cut[c as usize], cut[c as usize + 1]));
                self.nodes.push(children[c as usize]);
            }
            self.push_square(child, at);
        }
        self.cuts = cuts;
    }

    /// The ranges of a node, per source.
    fn ranges(&self, ranges: usize) -> &[(u32, u32)] {
        &self.arena[ranges..ranges + self.sources.len()]
    }
}

/// What [`nearest`] hands its caller: an entry of a source.
pub(crate) struct Found {
    pub kind: Kind,
    pub id: u32,
}

/// Which entries a [`nearest`] walk wants.
pub(crate) struct Wanted<'a> {
    /// Whether an entry is wanted at all (asked before its location is read: a filter most
    /// entries fail then costs little).
    pub entry: &'a dyn Fn(Kind, u32) -> bool,
    /// Whether any of a source's entries `lo..hi` may be (a node none of whose entries is
    /// wanted is dropped unsplit).
    pub range: &'a dyn Fn(usize, u32, u32) -> bool,
}

impl Wanted<'_> {
    pub const ALL: Wanted<'static> = Wanted {
        entry: &|_, _| true,
        range: &|_, _, _| true,
    };
}

/// Best-first over the sources' locations in increasing distance from the centre. `point` gives
/// an entry's location (an index into `points`); `visit` is called for the entries `wanted`
/// nearest first (by node); `worst` is the distance beyond which nothing more is wanted (the
/// page's worst hit once it is full). Returns whether the walk stopped because of `worst`
/// (rather than by running out of locations).
///
/// `from`: a square every entry of the sources lies in, to start from instead of the whole
/// world (a walk over a quadtree node's own entries would otherwise descend to it again, a
/// split and a bound per level).
#[allow(clippy::too_many_arguments)]
pub(crate) fn nearest(
    from: Option<Quad>,
    sources: &[Source<'_>],
    centre: &Centre,
    points: &Points,
    point: &dyn Fn(Kind, u32) -> usize,
    wanted: Wanted<'_>,
    visit: &mut dyn FnMut(Found),
    worst: &dyn Fn() -> Option<f64>,
) -> bool {
    let mut walk = Walk::new(sources, centre, from.map(|q| q.0));
    let memo = ThresholdMemo::default();
    while let Some(node) = walk.queue.pop() {
        if worst().is_some_and(|w| node.bound > w) {
            return true;
        }
        let mut any = false;
        for source in 0..sources.len() {
            let (lo, hi) = &mut walk.arena[node.ranges + source];
            if lo < hi && !(wanted.range)(source, *lo, *hi) {
                *hi = *lo;
            }
            any |= lo < hi;
        }
        if !any {
            continue;
        }
        if node.square.k == 0 || walk.size(node.ranges) <= LEAF {
            // A small node's entries are visited at once, in any order: the page keeps the
            // best whatever the order, and every entry left in the queue is farther than the
            // node popped last.
            for (source, &(lo, hi)) in walk.ranges(node.ranges).iter().enumerate() {
                let s = &sources[source];
                for i in lo..hi {
                    let id = s.id(i);
                    if !(wanted.entry)(s.kind, id) {
                        continue;
                    }
                    if let Some(w) = worst() {
                        let p = point(s.kind, id);
                        let chord2 = centre.chord2(points.xyz[p]);
                        if centre.beyond(chord2, memo.get(w), || (points.lat[p], points.lon[p])) {
                            continue;
                        }
                    }
                    visit(Found { kind: s.kind, id });
                }
            }
            continue;
        }
        walk.split(node.square, node.ranges);
    }
    false
}

/// A node reached by [`within`]: its entries per source, and where it lies.
pub(crate) struct Reached<'a> {
    /// The node's ranges, one per source.
    pub ranges: &'a [(u32, u32)],
    /// Lower bound of the distance from the centre to the node.
    pub near: f64,
    /// Whether every point of the node is within `inside` of the centre.
    pub inside: bool,
    /// The node's square: its level and Morton prefix name its precomputed counts, and a walk
    /// over the node's own entries starts from it (see [`nearest`]).
    pub quad: Quad,
}

/// A square of the quadtree.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Quad(Square);

impl Quad {
    /// Its level and Morton prefix (see [`crate::blocks::Blocks::node`]).
    pub fn key(self) -> (u32, u32) {
        (self.0.k, self.0.prefix())
    }
}

/// Every node of the sources within `reach` of the centre, nearest first. With `whole`, a node
/// wholly inside `inside` (at most `reach`) with at least `whole` first locations is handed over
/// whole, and other nodes are split down to small ones to find such nodes; without, a node
/// wholly within `reach`, or wholly beyond `inside`, is handed over whole. `visit` receives each node once.
pub(crate) fn within(
    sources: &[Source<'_>],
    centre: &Centre,
    inside: f64,
    reach: f64,
    whole: Option<u32>,
    visit: &mut dyn FnMut(Reached<'_>),
) {
    let mut walk = Walk::new(sources, centre, None);
    while let Some(node) = walk.queue.pop() {
        if node.bound > reach {
            // Every later node is farther still.
            break;
        }
        let size = walk.size(node.ranges);
        let (lo, hi) = walk.ranges(node.ranges)[0];
        let small = node.square.k == 0 || size <= LEAF;
        // A small node is read document by document with exact distances anyway: where it lies
        // is only worth measuring when it may be taken whole.
        let upper = if small && whole.is_none_or(|min| hi - lo < min) {
            f64::INFINITY
        } else {
            centre.upper(node.square)
        };
        let is_inside = upper <= inside;
        let within_reach = upper <= reach;
        let take = match whole {
            // Inside: whole when dense. Within reach: document by document, when too sparse to
            // hold a dense node inside or wholly beyond `inside`.
            Some(min) => is_inside || (within_reach && (hi - lo < min || node.bound > inside)),
            // Within reach, or wholly beyond `inside` (where most documents are ruled out without
            // a distance): document by document.
            None => within_reach || node.bound > inside,
        };
        if take || small {
            visit(Reached {
                ranges: walk.ranges(node.ranges),
                near: node.bound,
                inside: is_inside,
                quad: Quad(node.square),
            });
            continue;
        }
        walk.split(node.square, node.ranges);
    }
}

#[cfg(test)]
mod tests {
    use stillpoint_index::geo::cell_of;

    use super::*;

    /// A deterministic stream of numbers in [0, 1).
    fn uniform(mut seed: u64) -> impl FnMut() -> f64 {
        move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn codes_nest_like_the_grid() {
        let a = z_order(51.5, -0.12);
        let b = z_order(51.5001, -0.1199);
        // Same 1/16° cell: same code above the two lowest levels' bits.
        assert_eq!(a >> 4, b >> 4);
        assert!(z_order(90.0, 180.0) < NO_POINT);
    }

    #[test]
    fn a_tree_splits_squares_where_a_binary_search_does() {
        let mut next = uniform(11);
        // Clustered points (a few cities) and some without a location.
        let mut codes: Vec<u32> = (0..20_000)
            .map(|i| {
                let (lat, lon) = [(40.7, -74.0), (51.5, -0.1), (-33.9, 151.2)][i % 3];
                z_order(lat + next() * 0.5, lon + next() * 0.5)
            })
            .chain(std::iter::repeat_n(NO_POINT, 30))
            .collect();
        codes.sort_unstable();
        let sampled = SampledCodes::with_tree(codes.clone());
        let tree = sampled.tree.as_ref().unwrap();
        assert!(tree.nodes.len() > 100);
        let mut checked = 0;
        let mut stack = vec![(tree.root(), Square { k: TOP, x: 0, y: 0 })];
        let below = codes.partition_point(|&c| c < NO_POINT) as u32;
        assert_eq!(tree.nodes[0].range, (0, below));
        while let Some((index, square)) = stack.pop() {
            let node = tree.nodes[index as usize];
            let (lo, hi) = node.range;
            let cuts = quarter_cuts(square, lo, hi, |from, to, bound| {
                from + codes[from as usize..to as usize].partition_point(|&c| u64::from(c) < bound)
                    as u32
            });
            assert_eq!(node.cuts, [cuts[1], cuts[2], cuts[3]], "{square:?}");
            for c in 0..4 {
                let (a, b) = (cuts[c as usize], cuts[c as usize + 1]);
                match node.children[c as usize] {
                    NO_NODE => assert!(b - a <= LEAF || square.k == 1),
                    child => {
                        assert_eq!(tree.nodes[child as usize].range, (a, b));
                        stack.push((child, square.quarter(c)));
                    }
                }
            }
            checked += 1;
        }
        assert_eq!(checked, tree.nodes.len());
    }

    #[test]
    fn sampled_cuts_agree_with_a_binary_search() {
        let mut next = uniform(7);
        // Two sorted lists one after the other (as a facet's values' lists are), with runs of
        // equal codes longer than a sample's stretch.
        let mut list = |n: usize| {
            let mut codes: Vec<u32> = (0..n).map(|_| (next() * 300.0) as u32 * 7).collect();
            codes.extend(std::iter::repeat_n(1000, 150));
            codes.sort_unstable();
            codes
        };
        let first = list(700);
        let second = list(333);
        let codes = SampledCodes::new([first.clone(), second.clone()].concat());
        let mut next = uniform(8);
        for (range, sorted) in [
            (0..first.len(), &first),
            (first.len()..codes.len(), &second),
        ] {
            let view = codes.range(range);
            assert_eq!(view.len(), sorted.len());
            for _ in 0..4000 {
                let a = (next() * sorted.len() as f64) as u32;
                let b = a + (next() * (sorted.len() as u32 - a + 1) as f64) as u32;
                let bound = (next() * 2200.0) as u64;
                let want = a as usize
                    + sorted[a as usize..b as usize].partition_point(|&v| u64::from(v) < bound);
                assert_eq!(
                    view.cut(a, b, bound) as usize,
                    want,
                    "{a}..{b} below {bound}"
                );
            }
            assert_eq!(
                view.cut(0, view.len() as u32, u64::MAX) as usize,
                sorted.len()
            );
            assert_eq!(view.cut(0, view.len() as u32, 0), 0);
        }
    }

    #[test]
    fn home_areas_keep_every_location_in_the_class_of_its_distance() {
        // Per document (in rank order, by the code of its first location): its locations and
        // home-visit distance.
        type Doc = (Vec<(f64, f64)>, Option<f64>);
        // A class's bound, and per location its document's distance and its point.
        type Class = (f64, Vec<(f64, f64, f64)>);
        let mut docs: Vec<Doc> = vec![
            (vec![(51.5, -0.12)], None),
            (vec![(40.0, -105.0), (40.1, -105.1)], Some(12.0)),
            (vec![(48.8, 2.35)], Some(3.0)),
            (vec![(-33.9, 151.2)], Some(0.0)),
            (vec![(45.5, -73.6)], Some(40.0)),
            (vec![(45.6, -73.5)], Some(40.5)),
        ];
        docs.sort_by_key(|(points, _)| z_order(points[0].0, points[0].1));
        let mut offsets = vec![0u32];
        let (mut lat, mut lon) = (Vec::new(), Vec::new());
        for (points, _) in &docs {
            lat.extend(points.iter().map(|p| p.0));
            lon.extend(points.iter().map(|p| p.1));
            offsets.push(lat.len() as u32);
        }
        let xyz: Vec<_> = lat
            .iter()
            .zip(&lon)
            .map(|(&a, &b)| unit_vector(a, b))
            .collect();
        let spatial = Spatial::build(&offsets, &lat, &lon, &xyz);
        let areas = HomeAreas::build(&spatial, &offsets, &xyz, |p| docs[p as usize].1);
        let found: Vec<Class> = areas
            .classes
            .iter()
            .map(|class| {
                let mut entries: Vec<(f64, f64, f64)> = (0..class.entries.len())
                    .map(|i| {
                        let e = class.entries[i];
                        let p = e.point as usize;
                        assert_eq!(class.z[i], z_order(lat[p], lon[p]));
                        assert_eq!(e.xyz, xyz[p]);
                        assert_eq!(e.position, spatial.point_position[p]);
                        let (start, end) = (
                            offsets[e.position as usize],
                            offsets[e.position as usize + 1],
                        );
                        assert!(start as usize <= p && p < end as usize);
                        assert_eq!(e.others, end - start > 1);
                        (e.home.km, lat[p], lon[p])
                    })
                    .collect();
                entries.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
                (class.km, entries)
            })
            .collect();
        assert_eq!(
            found,
            vec![
                (5.0, vec![(3.0, 48.8, 2.35)]),
                (20.0, vec![(12.0, 40.0, -105.0), (12.0, 40.1, -105.1)]),
                (40.0, vec![(40.0, 45.5, -73.6)]),
                (80.0, vec![(40.5, 45.6, -73.5)]),
            ]
        );
        for class in &areas.classes {
            assert!(class.z.is_sorted());
        }
    }

    #[test]
    fn the_chord_decides_like_the_haversine() {
        let mut next = uniform(987654321);
        let centres = [(51.5, -0.12), (0.0, 179.99), (-89.9, 10.0), (40.0, -105.0)];
        for &(clat, clon) in &centres {
            let c = Centre::new(clat, clon);
            for i in 0..50_000 {
                // Near the centre, anywhere, and near its antipode.
                let spread = [0.5, 180.0, 0.5][i % 3];
                let (alat, alon) = if i % 3 == 2 {
                    (-clat, clon - 180.0)
                } else {
                    (clat, clon)
                };
                let lat = (alat + (next() - 0.5) * spread).clamp(-90.0, 90.0);
                let lon = alon + (next() - 0.5) * spread * 2.0;
                let exact = c.distance(lat, lon);
                let chord2 = c.chord2(unit_vector(lat, lon));
                if exact < TRUSTED_KM {
                    // The chord's distance is well within the slack.
                    let told = 2.0 * EARTH_RADIUS_KM * (chord2.sqrt() / 2.0).asin();
                    assert!((told - exact).abs() <= slack(exact) / 2.0, "{lat},{lon}");
                }
                if exact > 1.0 && exact < TRUSTED_KM {
                    // Clear cases are decided without the exact distance.
                    assert!(Threshold::new(exact * 0.5).clearly_beyond(chord2));
                    assert!(Threshold::new(exact + 10.0).clearly_within(chord2));
                }
                // Thresholds at, just around and far from the exact distance.
                for km in [
                    exact,
                    exact + 1e-9,
                    exact - 1e-9,
                    exact * 0.5,
                    exact + 10.0,
                    0.0,
                ] {
                    let t = Threshold::new(km);
                    assert_eq!(
                        c.beyond(chord2, t, || (lat, lon)),
                        exact > km,
                        "{lat},{lon} {km}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_lower_bound_is_the_distance_to_the_square() {
        // The least distance to points along the square's edges (where the nearest point of a
        // square the centre is outside lies), finely sampled: the bound is at most that, and
        // not much less.
        let mut next = uniform(99);
        for &(clat, clon) in &[(40.0, -105.0), (-33.9, 151.2), (64.1, -21.9), (0.0, 0.0)] {
            let c = Centre::new(clat, clon);
            for _ in 0..300 {
                let (x, y) = cell_of(LEVELS - 1, next() * 170.0 - 85.0, next() * 360.0 - 180.0);
                let k = 4 + (next() * 8.0) as u32;
                let s = Square {
                    k,
                    x: (x >> k) as u32,
                    y: (y >> k) as u32,
                };
                let (lat0, lat1, lon0, lon1) = s.bounds();
                let steps = 400;
                let mut least = f64::INFINITY;
                for i in 0..=steps {
                    let t = i as f64 / steps as f64;
                    let (lat, lon) = (lat0 + t * (lat1 - lat0), lon0 + t * (lon1 - lon0));
                    for (a, b) in [(lat, lon0), (lat, lon1), (lat0, lon), (lat1, lon)] {
                        least = least.min(c.distance(a, b));
                    }
                }
                let inside = (lat0..=lat1).contains(&clat) && (lon0..=lon1).contains(&clon);
                let lower = c.lower(s);
                if inside {
                    assert_eq!(lower, 0.0);
                    continue;
                }
                // A sample step is at most (side / 400) of a degree of arc.
                let step = (lat1 - lat0).max(lon1 - lon0) / steps as f64 * 111.2;
                assert!(
                    lower <= least,
                    "{s:?} from {clat},{clon}: {lower} > {least}"
                );
                assert!(
                    lower >= least - step,
                    "{s:?} from {clat},{clon}: {lower} well under {least}"
                );
            }
        }
    }

    #[test]
    fn bounds_hold_for_points_of_a_square() {
        let centres = [
            (51.5, -0.12),
            (0.0, 179.99),
            (-89.9, 10.0),
            (65.0, -179.9),
            (10.0, 0.0),
        ];
        let mut next = uniform(12345);
        for &(clat, clon) in &centres {
            let c = Centre::new(clat, clon);
            for _ in 0..20_000 {
                let lat = next() * 180.0 - 90.0;
                let lon = next() * 360.0 - 180.0;
                let (x, y) = cell_of(LEVELS - 1, lat, lon);
                let k = (next() * 16.0) as u32;
                let s = Square {
                    k,
                    x: (x >> k) as u32,
                    y: (y >> k) as u32,
                };
                let d = c.distance(lat, lon);
                assert!(
                    c.lower(s) <= d,
                    "lower {s:?} {lat},{lon} from {clat},{clon}"
                );
                if k < 10 {
                    assert!(
                        c.upper(s) >= d,
                        "upper {s:?} {lat},{lon} from {clat},{clon}"
                    );
                }
            }
        }
    }
}
