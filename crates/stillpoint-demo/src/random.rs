//! Small sampling helpers on top of `rand`: a cumulative-weight table, weighted choice from short
//! constant tables, and the fixed calendar every generated date is relative to.
//!
//! Everything here is a pure function of the RNG state, so a seed fully determines the output.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The generator's PRNG: ChaCha8 is fast, seedable from a `u64` and portable across platforms.
pub(crate) type DemoRng = ChaCha8Rng;

/// A cumulative-weight table: built once, then each draw is one binary search. Items with a zero
/// (or negative, or NaN) weight are never drawn.
#[derive(Debug, Clone, Default)]
pub(crate) struct Weighted {
    cumulative: Vec<f64>,
    /// How many items have a positive weight.
    positive: usize,
}

impl Weighted {
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut total = 0.0;
        let mut positive = 0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                if w > 0.0 {
                    total += w;
                    positive += 1;
                }
                total
            })
            .collect();
        Weighted {
            cumulative,
            positive,
        }
    }

    pub fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    /// An index drawn in proportion to its weight, or `None` when every weight is zero.
    pub fn sample(&self, rng: &mut DemoRng) -> Option<usize> {
        let total = self.total();
        if total <= 0.0 {
            return None;
        }
        let target = rng.random::<f64>() * total;
        // The first index whose cumulative weight exceeds the target; zero-weight items share
        // their predecessor's cumulative value and so can never be that first index.
        let i = self.cumulative.partition_point(|&c| c <= target);
        Some(i.min(self.cumulative.len() - 1))
    }

    /// Up to `k` distinct indices, each drawn in proportion to its weight among those not yet
    /// drawn (by rejection: `k` is small next to the table, so retries are rare).
    pub fn sample_distinct(&self, rng: &mut DemoRng, k: usize, out: &mut Vec<usize>) {
        out.clear();
        let k = k.min(self.positive);
        let mut attempts = 0;
        while out.len() < k && attempts < 64 * (k + 1) {
            attempts += 1;
            if let Some(i) = self.sample(rng)
                && !out.contains(&i)
            {
                out.push(i);
            }
        }
    }
}

/// Walker's alias table: O(1) draws from a large weighted table (the ~100k cities), where a
/// binary search over cumulative weights would cost a dozen cache misses per draw.
#[derive(Debug, Clone, Default)]
pub(crate) struct Alias {
    /// Per slot: the probability of keeping the slot's own index, and the index taken otherwise.
    slots: Vec<(f64, u32)>,
}

impl Alias {
    /// Built with Vose's method; items with a zero weight are never drawn. Empty when no weight
    /// is positive.
    pub fn new(weights: &[f64]) -> Alias {
        let total: f64 = weights.iter().filter(|w| **w > 0.0).sum();
        if total <= 0.0 {
            return Alias::default();
        }
        let n = weights.len();
        let mut scaled: Vec<f64> = weights
            .iter()
            .map(|&w| w.max(0.0) * n as f64 / total)
            .collect();
        let mut slots: Vec<(f64, u32)> = (0..n).map(|i| (1.0, i as u32)).collect();
        let (mut small, mut large): (Vec<u32>, Vec<u32>) =
            (0..n as u32).partition(|&i| scaled[i as usize] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            slots[s as usize] = (scaled[s as usize], l);
            scaled[l as usize] += scaled[s as usize] - 1.0;
            if scaled[l as usize] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Whatever is left is 1 up to rounding and keeps itself; a zero-weight item can only be
        // left over through rounding, and then hands its slot to the heaviest item.
        let heaviest = (0..n)
            .max_by(|&a, &b| weights[a].total_cmp(&weights[b]))
            .unwrap_or(0);
        for i in small.into_iter().chain(large) {
            if weights[i as usize] <= 0.0 {
                slots[i as usize] = (0.0, heaviest as u32);
            }
        }
        Alias { slots }
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// An index drawn in proportion to its weight (`None` when the table is empty).
    pub fn sample(&self, rng: &mut DemoRng) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let slot = rng.random_range(0..self.slots.len());
        let (keep, other) = self.slots[slot];
        Some(if rng.random::<f64>() < keep {
            slot
        } else {
            other as usize
        })
    }
}

/// `true` with probability `p`.
pub(crate) fn chance(rng: &mut DemoRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// One item of a short `(item, weight)` table, in proportion to the weights (a linear scan; the
/// tables this is used on have a handful of rows).
pub(crate) fn pick_weighted<T: Copy>(rng: &mut DemoRng, table: &[(T, f64)]) -> T {
    let total: f64 = table.iter().map(|(_, w)| w).sum();
    let mut target = rng.random::<f64>() * total;
    for &(item, weight) in table {
        if target < weight {
            return item;
        }
        target -= weight;
    }
    table[table.len() - 1].0
}

/// A uniformly chosen element of a non-empty slice.
pub(crate) fn pick<'a, T>(rng: &mut DemoRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// The date generated feeds are "published" on. Fixed rather than read from the clock, so a seed
/// gives the same feed on every run; `last_confirmed` lies in the two years before it.
pub(crate) const PUBLISHED: (i32, u32, u32) = (2026, 11, 1);

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// `YYYY-MM-DD`.
pub(crate) fn iso_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(10);
    push_padded(&mut out, y.max(0) as u64, 4);
    out.push('-');
    push_padded(&mut out, u64::from(m), 2);
    out.push('-');
    push_padded(&mut out, u64::from(d), 2);
    out
}

/// Appends `n` in decimal, zero-padded to at least `width` digits. Dates and member ids are
/// written for every record; this skips `format!`'s machinery.
pub(crate) fn push_padded(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    while n > 0 || digits.len() - i < width.max(1) {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for &b in &digits[i..] {
        out.push(char::from(b));
    }
}

/// A uniformly drawn day of `year`.
pub(crate) fn day_in_year(rng: &mut DemoRng, year: i32) -> i64 {
    let start = days_from_civil(year, 1, 1);
    let end = days_from_civil(year + 1, 1, 1);
    rng.random_range(start..end)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for (date, days) in [
            ((1970, 1, 1), 0),
            ((2000, 2, 29), 11_016),
            ((2026, 11, 1), 20_758),
        ] {
            assert_eq!(days_from_civil(date.0, date.1, date.2), days, "{date:?}");
            assert_eq!(civil_from_days(days), date);
        }
        assert_eq!(iso_date(days_from_civil(1985, 3, 7)), "1985-03-07");
        let padded = |n, width| {
            let mut out = String::new();
            push_padded(&mut out, n, width);
            out
        };
        assert_eq!(padded(42, 6), "000042");
        assert_eq!(padded(1_234_567, 6), "1234567");
        assert_eq!(padded(0, 1), "0");
    }

    #[test]
    fn zero_weights_are_never_drawn() {
        let table = Weighted::new([0.0, 2.0, 0.0, 1.0, 0.0]);
        let mut rng = DemoRng::seed_from_u64(1);
        let mut seen = [0usize; 5];
        for _ in 0..3000 {
            seen[table.sample(&mut rng).unwrap()] += 1;
        }
        assert_eq!((seen[0], seen[2], seen[4]), (0, 0, 0));
        assert!(seen[1] > seen[3] * 3 / 2, "{seen:?}");
        assert_eq!(Weighted::new([0.0, 0.0]).sample(&mut rng), None);
    }

    #[test]
    fn alias_draws_follow_the_weights() {
        let weights = [0.0, 1.0, 3.0, 0.0, 6.0];
        let table = Alias::new(&weights);
        let mut rng = DemoRng::seed_from_u64(8);
        let mut seen = [0usize; 5];
        for _ in 0..10_000 {
            seen[table.sample(&mut rng).unwrap()] += 1;
        }
        assert_eq!((seen[0], seen[3]), (0, 0));
        for (i, expected) in [(1, 1_000.0), (2, 3_000.0), (4, 6_000.0)] {
            assert!((seen[i] as f64 - expected).abs() < 250.0, "{seen:?}");
        }
        assert!(Alias::new(&[0.0, 0.0]).is_empty());
    }

    #[test]
    fn distinct_samples_stop_at_the_number_of_drawable_items() {
        let table = Weighted::new([1.0, 0.0, 5.0]);
        let mut rng = DemoRng::seed_from_u64(2);
        let mut out = Vec::new();
        table.sample_distinct(&mut rng, 6, &mut out);
        out.sort_unstable();
        assert_eq!(out, [0, 2]);
    }
}
