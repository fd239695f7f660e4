//! Per-segment bit sets in rank order (see [`crate::columns::SegmentColumns::rank`]), built on
//! first use: one per flag bit and one per frequent facet value, and for a rare value the list
//! of its positions.
//!
//! A quadtree node is a range of rank positions. A node wholly inside a radius is counted
//! with these sets instead of document by document: the documents passing the filters are
//! the AND of the flags' sets and of each facet filter's selected values (see [`RangeMasks`]),
//! and a value's count is the population count of its set ANDed with that mask, a word (64
//! documents) at a time. The cost then grows with the node's width in words and the number of
//! values it holds, not with its documents (a dense city's circle holds tens of thousands).
//!
//! The documents a search reads one by one (on a circle's edge, or matching its text) are
//! marked in a bit set over the segment and counted the same way after the pass, the filters
//! applied to the marked words only (see [`RankBits::count_passing`]).
//!
//! The frequent values' sets are stored word-major (a word of every value, then the next word
//! of every value), since both ways of counting take a stretch of positions over every value
//! at once: as one set per value, each value's word was a cache miss of its own, and counting
//! the marked words of a circle's edge cost twice as much.

use std::sync::Arc;

use crate::columns::{Multi, untag};

/// A value's positions: a bit set when frequent (its column among the frequent values' sets),
/// else the positions themselves (ascending).
enum ValueBits {
    Dense(usize),
    Sparse(Box<[u32]>),
}

/// The bit sets of one segment (deleted documents included: see [`alive_bits`]).
pub(crate) struct RankBits {
    /// Per flag bit (see [`crate::columns::SegmentColumns::flags`]), its positions.
    flags: Vec<Box<[u64]>>,
    /// Per value, at `base[slot] + ord` (see [`RankBits::build`]), its positions.
    values: Vec<ValueBits>,
    /// The frequent values' indexes, by column.
    columns: Vec<usize>,
    /// The frequent values' bit sets, word-major: word `w` of column `j` is at
    /// `w * columns.len() + j`. Counting a stretch of positions over every value then reads
    /// memory front to back, where one set per value would take a cache miss per value and
    /// word.
    dense: Box<[u64]>,
    /// Every position holding a rare value, with the value, in position order.
    rare: Vec<(u32, u32)>,
}

/// What each value is counted over (see [`RankBits::selection_by_slot`]), as a code: 0 when
/// the value is not counted, 1 over the documents passing every filter, `2 + g` over those
/// passing every filter but facet filter `g`.
pub(crate) struct Selection {
    /// Per frequent value's column.
    columns: Vec<u8>,
    /// The counted columns as runs of one code: `(first, end, code)`. A facet's values are
    /// side by side, so a search's codes come in a few long runs, and counting a word by runs
    /// reads each run's mask once (a column at a time, the mask was looked up per column).
    runs: Vec<(usize, usize, u8)>,
    /// Per value index.
    values: Vec<u8>,
}

/// The filters a document must pass besides its candidates' own condition (see
/// [`RankBits::count_passing`] and [`RankBits::passes`]).
#[derive(Clone, Copy)]
pub(crate) struct Filters<'a> {
    /// The live documents, when some are deleted (see [`alive_bits`]).
    pub alive: Option<&'a [u64]>,
    /// Flag bits every passing document holds.
    pub flag_mask: u16,
    /// Per facet filter, the indexes of its selected values.
    pub groups: &'a [Vec<usize>],
}

/// Positions marked in a bit set over a segment's rank positions, and which of its words hold
/// any: counted after a pass (see [`RankBits::count_passing`]) from those words only.
///
/// The set is as wide as the segment (125 KB for a million documents) and a search marks a few
/// thousand words of it at most: zeroing a fresh one and then scanning it for marked words cost
/// some 3% of a radius search. A thread keeps its last set, cleared word by word on drop.
pub(crate) struct Marks {
    words: Vec<u64>,
    /// The indexes of the non-zero words, in the order they were first marked.
    touched: Vec<usize>,
}

thread_local! {
    /// A thread's last set (all zero) and its list's allocation.
    static SPARE_MARKS: std::cell::Cell<Option<(Vec<u64>, Vec<usize>)>> =
        const { std::cell::Cell::new(None) };
}

impl Marks {
    /// No position of `n` marked.
    pub fn new(n: usize) -> Marks {
        let (mut words, touched) = SPARE_MARKS
            .try_with(std::cell::Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        words.resize(self::words(n), 0);
        Marks { words, touched }
    }

    pub fn mark(&mut self, position: u32) {
        let w = position as usize / 64;
        if self.words[w] == 0 {
            self.touched.push(w);
        }
        self.words[w] |= 1 << (position % 64);
    }

    /// Marks the positions of word `w` (positions `64 * w..64 * w + 64`) set in `bits`.
    pub fn mark_word(&mut self, w: usize, bits: u64) {
        if bits == 0 {
            return;
        }
        if self.words[w] == 0 {
            self.touched.push(w);
        }
        self.words[w] |= bits;
    }

    /// The set, and the indexes of its non-zero words in ascending order.
    pub fn words(&mut self) -> (&[u64], &[usize]) {
        self.touched.sort_unstable();
        (&self.words, &self.touched)
    }
}

impl Drop for Marks {
    fn drop(&mut self) {
        for &w in &self.touched {
            self.words[w] = 0;
        }
        self.touched.clear();
        let spare = (
            std::mem::take(&mut self.words),
            std::mem::take(&mut self.touched),
        );
        // (After the thread's locals are gone, the set is simply freed.)
        let _ = SPARE_MARKS.try_with(|cell| cell.set(Some(spare)));
    }
}

/// A value's code in a [`Selection`].
fn selection_code(wanted: Option<Option<usize>>) -> u8 {
    match wanted {
        None => 0,
        Some(None) => 1,
        Some(Some(g)) => 2 + g as u8,
    }
}

/// Words of a bit set over `n` positions.
fn words(n: usize) -> usize {
    n.div_ceil(64)
}

impl RankBits {
    /// `rows` and `flags` per rank position; `base[slot]` is the index of the slot's first
    /// value (its ordinals follow). A value held by at least 1/64 of the positions is dense
    /// (its bit set is then at most twice the size of its list of positions).
    pub fn build(rows: &Multi, flags: &[u16], base: &[usize]) -> RankBits {
        let n = flags.len();
        let size = base.last().copied().unwrap_or(0);
        let mut held = vec![0u32; size];
        for &tagged in &rows.values {
            let (slot, ord) = untag(tagged);
            held[base[slot] + ord as usize] += 1;
        }
        let dense = |count: u32| count as usize * 64 >= n && count > 0;
        let columns: Vec<usize> = (0..size).filter(|&i| dense(held[i])).collect();
        let mut column_of = vec![usize::MAX; size];
        for (j, &i) in columns.iter().enumerate() {
            column_of[i] = j;
        }
        let width = columns.len();
        let mut bitsets = vec![0u64; words(n) * width];
        let mut lists: Vec<Vec<u32>> = held
            .iter()
            .map(|&c| {
                if dense(c) {
                    Vec::new()
                } else {
                    Vec::with_capacity(c as usize)
                }
            })
            .collect();
        let mut rare: Vec<(u32, u32)> = Vec::new();
        let mut flag_bits = vec![vec![0u64; words(n)]; 16];
        for (position, &f) in flags.iter().enumerate() {
            let (word, bit) = (position / 64, 1u64 << (position % 64));
            let mut f = f;
            while f != 0 {
                flag_bits[f.trailing_zeros() as usize][word] |= bit;
                f &= f - 1;
            }
            for &tagged in rows.of(position as u64) {
                let (slot, ord) = untag(tagged);
                let i = base[slot] + ord as usize;
                if dense(held[i]) {
                    bitsets[word * width + column_of[i]] |= bit;
                } else {
                    lists[i].push(position as u32);
                    rare.push((position as u32, i as u32));
                }
            }
        }
        RankBits {
            flags: flag_bits.into_iter().map(Vec::into_boxed_slice).collect(),
            values: lists
                .into_iter()
                .enumerate()
                .map(|(i, list)| {
                    if dense(held[i]) {
                        ValueBits::Dense(column_of[i])
                    } else {
                        ValueBits::Sparse(list.into_boxed_slice())
                    }
                })
                .collect(),
            columns,
            dense: bitsets.into_boxed_slice(),
            rare,
        }
    }

    /// Counts the documents set in `mask`, a bit set over the whole segment, that pass the
    /// filters: live (`alive`, when some documents are deleted), holding every flag bit of
    /// `flag_mask` and one of the values of each facet filter (`groups[g]`: indexes of the
    /// values). Returns how many pass, and adds to `counts` (indexed like the values) the
    /// documents holding each value counted, over the documents `selection` names for it.
    ///
    /// `words` are the indexes of the mask's non-zero words, ascending: each costs a pass over
    /// the frequent values' words there (side by side in memory), and a look at each rare value
    /// held within it.
    pub fn count_passing(
        &self,
        mask: &[u64],
        words: &[usize],
        filters: Filters<'_>,
        selection: &Selection,
        counts: &mut [u32],
    ) -> u64 {
        let (Some(&first), Some(&last)) = (words.first(), words.last()) else {
            return 0;
        };
        let (lo, hi) = ((first * 64) as u32, ((last + 1) * 64) as u32);
        // The masks below hold one word per non-zero word of `mask`.
        let mut base: Vec<u64> = words.iter().map(|&w| mask[w]).collect();
        if let Some(alive) = filters.alive {
            for (m, &w) in base.iter_mut().zip(words) {
                *m &= alive[w];
            }
        }
        let mut flags = filters.flag_mask;
        while flags != 0 {
            let set = &self.flags[flags.trailing_zeros() as usize];
            for (m, &w) in base.iter_mut().zip(words) {
                *m &= set[w];
            }
            flags &= flags - 1;
        }
        // Where a position's word sits among `words` (its bit is set in `mask`).
        let at = |p: u32| {
            words
                .binary_search(&(p as usize / 64))
                .expect("a set bit's word is non-zero")
        };
        let held: Vec<Vec<u64>> = filters
            .groups
            .iter()
            .map(|values| {
                let mut held = vec![0u64; words.len()];
                for &i in values {
                    match &self.values[i] {
                        &ValueBits::Dense(j) => {
                            let width = self.columns.len();
                            for (m, &w) in held.iter_mut().zip(words) {
                                *m |= self.dense[w * width + j];
                            }
                        }
                        ValueBits::Sparse(list) => {
                            let from = list.partition_point(|&p| p < lo);
                            for &p in list[from..].iter().take_while(|&&p| p < hi) {
                                if is_set(mask, p as usize) {
                                    held[at(p)] |= 1 << (p % 64);
                                }
                            }
                        }
                    }
                }
                held
            })
            .collect();
        let and_groups = |skip: Option<usize>| -> Vec<u64> {
            let mut out = base.clone();
            for (g, held) in held.iter().enumerate() {
                if Some(g) != skip {
                    for (o, h) in out.iter_mut().zip(held) {
                        *o &= h;
                    }
                }
            }
            out
        };
        let all = and_groups(None);
        let except: Vec<Vec<u64>> = (0..held.len()).map(|g| and_groups(Some(g))).collect();
        let word_masks_of = |code: u8| {
            if code == 1 {
                &all
            } else {
                &except[code as usize - 2]
            }
        };
        let mut per_column = vec![0u32; self.columns.len()];
        let mut word_masks = vec![0u64; 2 + except.len()];
        for (k, &w) in words.iter().enumerate() {
            word_masks[1] = all[k];
            for (g, except) in except.iter().enumerate() {
                word_masks[2 + g] = except[k];
            }
            self.add_word(w, &word_masks, selection, &mut per_column);
        }
        self.add_columns(&per_column, selection, counts);
        // The rare values within the marked words only (the words' span may hold tens of
        // thousands of rare entries, most of them in unmarked words).
        let mut from = 0;
        for (k, &w) in words.iter().enumerate() {
            let (word_lo, word_hi) = ((w * 64) as u32, (w * 64 + 64) as u32);
            from = gallop(&self.rare, from, |&(p, _)| p < word_lo);
            for &(p, i) in &self.rare[from..] {
                if p >= word_hi {
                    break;
                }
                let bit = 1u64 << (p % 64);
                let code = selection.values[i as usize];
                if mask[w] & bit != 0 && code != 0 && word_masks_of(code)[k] & bit != 0 {
                    counts[i as usize] += 1;
                }
            }
        }
        all.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// What each value is counted over (see [`Selection`]): `wanted(i)` is `None` when value
    /// `i` is not counted, `Some(None)` when it is counted over the documents passing every
    /// filter, `Some(Some(g))` over those passing every filter but `g` (a filter's own facet,
    /// whose disjunctive counts show what ticking another of its values adds).
    #[cfg(test)]
    pub fn selection(&self, wanted: &dyn Fn(usize) -> Option<Option<usize>>) -> Selection {
        let values: Vec<u8> = (0..self.values.len())
            .map(|i| selection_code(wanted(i)))
            .collect();
        self.selection_of(values)
    }

    /// What each value is counted over, asked per facet column (`wanted(slot)`, as the tests'
    /// `selection` asks per value): the values of the column in slot `s` are
    /// `base[s]..base[s + 1]` (see [`RankBits::build`]). Asking for each of the thousands of
    /// values (regions are most of them), a search spent 2% of its CPU.
    pub fn selection_by_slot(
        &self,
        base: &[usize],
        wanted: &dyn Fn(usize) -> Option<Option<usize>>,
    ) -> Selection {
        let mut values = vec![0u8; self.values.len()];
        for (slot, range) in base.windows(2).enumerate() {
            let code = selection_code(wanted(slot));
            if code != 0 {
                values[range[0]..range[1]].fill(code);
            }
        }
        self.selection_of(values)
    }

    fn selection_of(&self, values: Vec<u8>) -> Selection {
        let columns: Vec<u8> = self.columns.iter().map(|&i| values[i]).collect();
        let mut runs: Vec<(usize, usize, u8)> = Vec::new();
        for (j, &code) in columns.iter().enumerate() {
            match runs.last_mut() {
                Some((_, end, last)) if *last == code && *end == j => *end = j + 1,
                _ if code != 0 => runs.push((j, j + 1, code)),
                _ => {}
            }
        }
        Selection {
            columns,
            runs,
            values,
        }
    }

    /// Adds to `per_column` the documents of word `w` that hold each frequent value, within
    /// the mask its selection code names (`word_masks[code]`, the first one empty).
    fn add_word(
        &self,
        w: usize,
        word_masks: &[u64],
        selection: &Selection,
        per_column: &mut [u32],
    ) {
        if word_masks[1..].iter().all(|&m| m == 0) {
            return;
        }
        let width = self.columns.len();
        let row = &self.dense[w * width..(w + 1) * width];
        for &(first, end, code) in &selection.runs {
            let mask = word_masks[code as usize];
            if mask == 0 {
                continue;
            }
            for (n, &bits) in per_column[first..end].iter_mut().zip(&row[first..end]) {
                *n += (bits & mask).count_ones();
            }
        }
    }

    /// Adds the counts per column to `counts` (indexed like the values), for the values counted
    /// (`counts` may be empty when none is).
    fn add_columns(&self, per_column: &[u32], selection: &Selection, counts: &mut [u32]) {
        for ((&i, &n), &code) in self.columns.iter().zip(per_column).zip(&selection.columns) {
            if code != 0 {
                counts[i] += n;
            }
        }
    }

    /// Adds to `counts` (indexed like the values) how many positions of `range` set in the
    /// masks (filled for the range) hold each value, within the mask `selection` names for it.
    pub fn count_range(
        &self,
        range: &Range,
        masks: &mut RangeMasks,
        selection: &Selection,
        counts: &mut [u32],
    ) {
        let RangeMasks {
            all,
            except,
            per_column,
            word_masks,
            ..
        } = masks;
        per_column.clear();
        per_column.resize(self.columns.len(), 0);
        word_masks.clear();
        word_masks.resize(2 + except.len(), 0);
        for w in range.w0..range.w1 {
            let k = w - range.w0;
            word_masks[1] = all[k];
            for (g, except) in except.iter().enumerate() {
                word_masks[2 + g] = except[k];
            }
            self.add_word(w, word_masks, selection, per_column);
        }
        self.add_columns(per_column, selection, counts);
        // The rare values, in one pass over the range's entries.
        let from = self.rare.partition_point(|&(p, _)| p < range.lo);
        for &(p, i) in &self.rare[from..] {
            if p >= range.hi {
                break;
            }
            let code = selection.values[i as usize];
            let mask = match code {
                0 => continue,
                1 => &all[..],
                _ => &except[code as usize - 2][..],
            };
            if range.test(mask, p) {
                counts[i as usize] += 1;
            }
        }
    }

    /// Whether the document at `position` holds value `i`.
    fn holds(&self, i: usize, position: u32) -> bool {
        match &self.values[i] {
            &ValueBits::Dense(j) => {
                let p = position as usize;
                self.dense[p / 64 * self.columns.len() + j] & (1 << (p % 64)) != 0
            }
            ValueBits::Sparse(list) => list.binary_search(&position).is_ok(),
        }
    }

    /// Whether the document at `position` passes the filters (see [`Filters`]).
    pub fn passes(&self, position: u32, filters: Filters<'_>) -> bool {
        let p = position as usize;
        let mut flags = filters.flag_mask;
        while flags != 0 {
            if !is_set(&self.flags[flags.trailing_zeros() as usize], p) {
                return false;
            }
            flags &= flags - 1;
        }
        filters.alive.is_none_or(|a| is_set(a, p))
            && filters
                .groups
                .iter()
                .all(|values| values.iter().any(|&i| self.holds(i, position)))
    }

    /// ORs into `mask` the positions of `range` holding value `i`.
    fn or_into(&self, i: usize, range: &Range, mask: &mut [u64]) {
        match &self.values[i] {
            &ValueBits::Dense(j) => {
                let width = self.columns.len();
                for (k, m) in mask.iter_mut().enumerate() {
                    *m |= self.dense[(range.w0 + k) * width + j];
                }
            }
            ValueBits::Sparse(list) => {
                let from = list.partition_point(|&p| p < range.lo);
                for &p in &list[from..] {
                    if p >= range.hi {
                        break;
                    }
                    let at = p as usize - range.w0 * 64;
                    mask[at / 64] |= 1 << (at % 64);
                }
            }
        }
    }
}

/// The first index at or after `from` where `before` fails (`before` holds on a prefix of
/// `list`), found by doubling steps from `from` and then halving: cheap when it is near.
fn gallop<T>(list: &[T], from: usize, before: impl Fn(&T) -> bool) -> usize {
    let mut step = 1;
    let mut lo = from;
    while lo + step <= list.len() && before(&list[lo + step - 1]) {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(list.len());
    lo + list[lo..hi].partition_point(before)
}

pub(crate) fn is_set(bits: &[u64], position: usize) -> bool {
    bits[position / 64] & (1 << (position % 64)) != 0
}

/// The live documents in rank order, as a bit set.
pub(crate) fn alive_bits(order: &[u32], is_deleted: &dyn Fn(u32) -> bool) -> Box<[u64]> {
    let mut bits = vec![0u64; words(order.len())];
    for (position, &doc) in order.iter().enumerate() {
        if !is_deleted(doc) {
            bits[position / 64] |= 1 << (position % 64);
        }
    }
    bits.into_boxed_slice()
}

/// Whether any of the positions `lo..hi` is set in `bits`.
pub(crate) fn any_set(bits: &[u64], lo: u32, hi: u32) -> bool {
    if lo >= hi {
        return false;
    }
    let (w0, w1) = (lo as usize / 64, (hi as usize - 1) / 64);
    let head = !0u64 << (lo % 64);
    let tail = !0u64 >> (63 - (hi - 1) % 64);
    if w0 == w1 {
        return bits[w0] & head & tail != 0;
    }
    bits[w0] & head != 0 || bits[w0 + 1..w1].iter().any(|&w| w != 0) || bits[w1] & tail != 0
}

/// The positions whose lowest fee (`fees`, per rank position) is at most `max`, among those of
/// `alive` (every position without it).
pub(crate) fn fee_within(fees: &[f64], max: f64, alive: Option<&[u64]>) -> Arc<[u64]> {
    let mut bits: Vec<u64> = fees
        .chunks(64)
        .map(|chunk| {
            chunk
                .iter()
                .enumerate()
                .fold(0u64, |word, (i, &fee)| word | (u64::from(fee <= max) << i))
        })
        .collect();
    if let Some(alive) = alive {
        for (b, a) in bits.iter_mut().zip(alive) {
            *b &= a;
        }
    }
    bits.into()
}

/// A range of rank positions and the words that cover it.
pub(crate) struct Range {
    lo: u32,
    hi: u32,
    w0: usize,
    w1: usize,
}

impl Range {
    pub fn new(lo: u32, hi: u32) -> Range {
        Range {
            lo,
            hi,
            w0: lo as usize / 64,
            w1: words(hi as usize),
        }
    }

    /// Whether `position` (within the range) is set in a mask over the range's words.
    pub fn test(&self, mask: &[u64], position: u32) -> bool {
        let at = position as usize - self.w0 * 64;
        mask[at / 64] & (1 << (at % 64)) != 0
    }
}

/// The masks of one range under a search's filters: `all` holds the documents passing every
/// filter, and `except[g]` those passing every filter but facet filter `g` (the documents that
/// facet `g`'s disjunctive counts are taken over).
#[derive(Default)]
pub(crate) struct RangeMasks {
    pub all: Vec<u64>,
    pub except: Vec<Vec<u64>>,
    base: Vec<u64>,
    groups: Vec<Vec<u64>>,
    /// Scratch of [`RankBits::count_range`].
    per_column: Vec<u32>,
    word_masks: Vec<u64>,
}

impl RangeMasks {
    /// Fills the masks for `range` under the filters (see [`Filters`]).
    pub fn fill(&mut self, bits: &RankBits, range: &Range, filters: Filters<'_>) {
        let Filters {
            alive,
            flag_mask,
            groups,
        } = filters;
        let n = range.w1 - range.w0;
        self.base.clear();
        self.base.resize(n, !0);
        if n > 0 {
            self.base[0] &= !0u64 << (range.lo % 64);
            let end = range.hi as usize - range.w0 * 64;
            if !end.is_multiple_of(64) {
                self.base[n - 1] &= (1u64 << (end % 64)) - 1;
            }
        }
        if let Some(alive) = alive {
            for (m, a) in self.base.iter_mut().zip(&alive[range.w0..range.w1]) {
                *m &= a;
            }
        }
        let mut flags = flag_mask;
        while flags != 0 {
            let set = &bits.flags[flags.trailing_zeros() as usize];
            for (m, f) in self.base.iter_mut().zip(&set[range.w0..range.w1]) {
                *m &= f;
            }
            flags &= flags - 1;
        }
        self.groups.resize_with(groups.len(), Vec::new);
        for (mask, values) in self.groups.iter_mut().zip(groups) {
            mask.clear();
            mask.resize(n, 0);
            for &i in values {
                bits.or_into(i, range, mask);
            }
        }
        let and_groups = |out: &mut Vec<u64>, base: &[u64], skip: Option<usize>| {
            out.clear();
            out.extend_from_slice(base);
            for (g, mask) in self.groups.iter().enumerate() {
                if Some(g) != skip {
                    for (o, m) in out.iter_mut().zip(mask) {
                        *o &= m;
                    }
                }
            }
        };
        and_groups(&mut self.all, &self.base, None);
        self.except.resize_with(groups.len(), Vec::new);
        for g in 0..groups.len() {
            and_groups(&mut self.except[g], &self.base, Some(g));
        }
    }

    /// How many documents pass every filter.
    pub fn total(&self) -> u32 {
        self.all.iter().map(|w| w.count_ones()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::tag;

    /// Rows of two slots: slot 0 has 2 values, slot 1 has 3 (value 2 rare).
    fn fixture(n: usize) -> (Multi, Vec<u16>, Vec<usize>) {
        let mut rows = Multi {
            offsets: vec![0],
            values: Vec::new(),
        };
        let mut flags = Vec::new();
        for p in 0..n {
            rows.values.push(tag(0, (p % 2) as u32));
            if p.is_multiple_of(3) {
                rows.values.push(tag(1, 0));
            }
            if p.is_multiple_of(5) {
                rows.values.push(tag(1, 1));
            }
            if p == 77 || p == 136 {
                rows.values.push(tag(1, 2));
            }
            rows.offsets.push(rows.values.len() as u32);
            flags.push(if p.is_multiple_of(4) { 0b1 } else { 0b10 });
        }
        (rows, flags, vec![0, 2, 5])
    }

    #[test]
    fn marks_list_their_words_and_come_back_cleared() {
        for n in [1000, 300, 5000] {
            let mut marks = Marks::new(n);
            assert!(marks.words.iter().all(|&w| w == 0), "{n}");
            for p in [299u32, 5, 64, 0, 6, 130] {
                marks.mark(p);
            }
            let (set, nonzero) = marks.words();
            assert_eq!(nonzero, [0, 1, 2, 4]);
            assert_eq!(set.len(), words(n));
            assert_eq!(set[0], 1 | 1 << 5 | 1 << 6);
            assert!(
                (0..n as u32)
                    .all(|p| is_set(set, p as usize) == [299, 5, 64, 0, 6, 130].contains(&p))
            );
        }
    }

    #[test]
    fn a_selection_by_slot_is_that_of_each_of_its_values() {
        let (rows, flags, _) = fixture(300);
        // Slot 0 holds values 0-1, slot 1 is empty, slot 2 holds values 2-4.
        let base = [0, 2, 2, 5];
        let bits = RankBits::build(&rows, &flags, &base);
        for codes in [
            [None, None, None],
            [Some(None), Some(Some(0)), Some(Some(1))],
        ] {
            let by_slot = bits.selection_by_slot(&base, &|slot| codes[slot]);
            let by_value = bits.selection(&|i| codes[if i < 2 { 0 } else { 2 }]);
            assert_eq!(by_slot.values, by_value.values);
            assert_eq!(by_slot.columns, by_value.columns);
            assert_eq!(by_slot.runs, by_value.runs);
        }
    }

    #[test]
    fn counts_over_a_segment_mask_match_a_document_by_document_count() {
        let n = 300;
        let (rows, flags, base) = fixture(n);
        let bits = RankBits::build(&rows, &flags, &base);
        let holds = |p: usize, i: usize| {
            rows.of(p as u64).iter().any(|&t| {
                let (s, o) = untag(t);
                base[s] + o as usize == i
            })
        };
        let dead = |p: usize| p.is_multiple_of(7);
        let alive = alive_bits(&(0..n as u32).collect::<Vec<_>>(), &|doc| {
            dead(doc as usize)
        });
        // Value 1 is not wanted; with a filter on slot 1 (value 2 selected, then value 2 and
        // the rare value 4), slot 1's values count over the documents passing every other
        // filter.
        for (filtered, groups) in [(false, vec![]), (true, vec![2]), (true, vec![2, 4])] {
            let groups = if filtered { vec![groups] } else { vec![] };
            let filters = Filters {
                alive: filtered.then_some(&alive[..]),
                flag_mask: if filtered { 0b1 } else { 0 },
                groups: &groups,
            };
            let wanted = |i: usize| match i {
                1 => None,
                2.. if filtered => Some(Some(0)),
                _ => Some(None),
            };
            let passes = |p: usize, own: bool| {
                !filtered
                    || (!dead(p)
                        && flags[p] & 1 != 0
                        && (own || groups[0].iter().any(|&i| holds(p, i))))
            };
            for chosen in [
                vec![],
                vec![77],
                vec![5, 77, 136, 299],
                (0..300).step_by(7).collect(),
                (0..300).step_by(2).collect(),
            ] {
                let mut mask = vec![0u64; words(n)];
                for &p in &chosen {
                    mask[p / 64] |= 1 << (p % 64);
                }
                let nonzero: Vec<usize> = (0..mask.len()).filter(|&w| mask[w] != 0).collect();
                let mut counts = vec![0u32; 5];
                let selection = bits.selection(&wanted);
                let total = bits.count_passing(&mask, &nonzero, filters, &selection, &mut counts);
                let mut expected = vec![0u32; 5];
                for &p in &chosen {
                    for (i, count) in expected.iter_mut().enumerate() {
                        let own = wanted(i) == Some(Some(0));
                        if wanted(i).is_some() && holds(p, i) && passes(p, own) {
                            *count += 1;
                        }
                    }
                }
                let passing = chosen.iter().filter(|&&p| passes(p, false)).count();
                assert_eq!(total as usize, passing, "{groups:?} {chosen:?}");
                assert_eq!(counts, expected, "{groups:?} {chosen:?}");
            }
        }
    }

    #[test]
    fn masks_and_counts_match_a_document_by_document_count() {
        let n = 300;
        let (rows, flags, base) = fixture(n);
        let bits = RankBits::build(&rows, &flags, &base);
        assert!(matches!(bits.values[4], ValueBits::Sparse(_)));
        let dead = |p: usize| p.is_multiple_of(7);
        let alive = alive_bits(&(0..n as u32).collect::<Vec<_>>(), &|doc| {
            dead(doc as usize)
        });
        let holds = |p: usize, i: usize| {
            rows.of(p as u64).iter().any(|&t| {
                let (s, o) = untag(t);
                base[s] + o as usize == i
            })
        };
        let mut masks = RangeMasks::default();
        for (lo, hi) in [
            (0, 300),
            (5, 70),
            (64, 128),
            (63, 65),
            (100, 101),
            (136, 137),
        ] {
            let range = Range::new(lo, hi);
            // Flag bit 0, and value 0 or 1 of slot 1.
            let groups = vec![vec![2, 3]];
            let filters = Filters {
                alive: Some(&alive),
                flag_mask: 0b1,
                groups: &groups,
            };
            masks.fill(&bits, &range, filters);
            let passes = |p: usize, skip_group: bool| {
                !dead(p) && flags[p] & 1 != 0 && (skip_group || holds(p, 2) || holds(p, 3))
            };
            let expected: Vec<u32> = (lo..hi).filter(|&p| passes(p as usize, false)).collect();
            let set: Vec<u32> = (lo..hi).filter(|&p| range.test(&masks.all, p)).collect();
            assert_eq!(set, expected);
            let passing: Vec<u32> = (lo..hi).filter(|&p| bits.passes(p, filters)).collect();
            assert_eq!(passing, expected);
            assert_eq!(masks.total() as usize, expected.len());
            // Slot 1's values over the documents passing the other filters; value 1 is not
            // counted.
            let wanted = |i: usize| match i {
                1 => None,
                2.. => Some(Some(0)),
                _ => Some(None),
            };
            let mut counts = vec![0u32; 5];
            bits.count_range(&range, &mut masks, &bits.selection(&wanted), &mut counts);
            for (i, &count) in counts.iter().enumerate() {
                let want = (lo..hi)
                    .filter(|&p| {
                        wanted(i).is_some() && passes(p as usize, i >= 2) && holds(p as usize, i)
                    })
                    .count();
                assert_eq!(count as usize, want, "{lo}..{hi} {i}");
            }
        }
    }

    #[test]
    fn any_set_agrees_with_testing_each_position() {
        let mut bits = vec![0u64; 4];
        for p in [3usize, 64, 130, 191, 255] {
            bits[p / 64] |= 1 << (p % 64);
        }
        for lo in 0..256u32 {
            for hi in lo..=256u32 {
                let want = (lo..hi).any(|p| is_set(&bits, p as usize));
                assert_eq!(any_set(&bits, lo, hi), want, "{lo}..{hi}");
            }
        }
    }

    #[test]
    fn a_fee_limit_keeps_the_live_positions_with_a_fee_within_it() {
        let fees: Vec<f64> = (0..130)
            .map(|p| if p % 5 == 0 { f64::NAN } else { p as f64 })
            .collect();
        let alive = alive_bits(&(0..130).collect::<Vec<u32>>(), &|p| p % 7 == 0);
        let within = fee_within(&fees, 100.0, Some(&alive));
        for p in 0..130usize {
            let want = p % 5 != 0 && p <= 100 && p % 7 != 0;
            assert_eq!(is_set(&within, p), want, "position {p}");
        }
        assert!(is_set(&fee_within(&fees, 100.0, None), 7));
    }
}
