//! The lookup structures built at load: a fast hasher, a sorted hash index, and spans into
//! the decompressed text so names cost no allocation.
//!
//! About 250,000 names are indexed on every start, so the load time is mostly spent here.
//! Keys are our own embedded data plus short query strings: hash flooding is not a concern.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (as in rustc), with the final rotation `rustc-hash` 2 adds so the high bits that
/// `hashbrown` uses for its control bytes are well mixed.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// FxHash of a folded key.
pub(crate) fn hash_key(folded: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(folded);
    h.finish()
}

const EMPTY: u32 = u32::MAX;

/// Folded key -> many `u32` values: an open-addressing table of (key hash, value).
///
/// Inserting is a short probe with no allocation per key, simple enough to stay quick in
/// unoptimised test builds too; a `HashMap` of ~250,000 string keys spent most of the load
/// time allocating and missing the cache. Keys are not stored: two keys may share a hash,
/// so callers confirm a value against the text it came from (see `Gazetteer::candidates`).
#[derive(Debug)]
pub(crate) struct HashIndex {
    /// (low half of the key hash, value); the half also picks the slot, so the table can
    /// grow without the keys. Eight-byte slots halve the cache misses of building it.
    slots: Vec<(u32, u32)>,
    len: usize,
}

impl HashIndex {
    pub(crate) fn with_capacity(values: usize) -> Self {
        // At most half full keeps probe runs short.
        let size = (values.max(8) * 2).next_power_of_two();
        HashIndex {
            slots: vec![(0, EMPTY); size],
            len: 0,
        }
    }

    /// Adds `value` under `hash`, unless a value already under that hash agrees with it
    /// according to `same` (the earlier one stays).
    pub(crate) fn insert(&mut self, hash: u64, value: u32, same: impl Fn(u32, u32) -> bool) {
        if value == EMPTY {
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let tag = hash as u32;
        let mut i = tag as usize & mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.1 == EMPTY {
                *slot = (tag, value);
                self.len += 1;
                return;
            }
            if slot.0 == tag && same(slot.1, value) {
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![(0, EMPTY); size]);
        self.len = 0;
        for (tag, value) in old {
            if value != EMPTY {
                self.insert(u64::from(tag), value, |_, _| false);
            }
        }
    }

    /// Values whose key hashes like `folded`, oldest first; a superset of the values of
    /// `folded`.
    pub(crate) fn get(&self, folded: &str) -> impl Iterator<Item = u32> + '_ {
        let tag = hash_key(folded.as_bytes()) as u32;
        let mask = self.slots.len() - 1;
        let start = tag as usize & mask;
        // Walk the probe run from the home slot to the first empty slot.
        (0..self.slots.len())
            .map(move |step| self.slots[(start + step) & mask])
            .take_while(|slot| slot.1 != EMPTY)
            .filter(move |slot| slot.0 == tag)
            .map(|slot| slot.1)
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// A piece of the gazetteer's decompressed text, so loaded names need no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// The span `part` occupies in `text`; `part` must be a sub-slice of `text`.
    pub(crate) fn of(text: &str, part: &str) -> Span {
        let start = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(part.len()).unwrap_or(0),
        }
    }

    pub(crate) fn get<'t>(&self, text: &'t str) -> &'t str {
        let start = self.start as usize;
        text.get(start..start + self.len as usize).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> u64 {
        hash_key(s.as_bytes())
    }

    #[test]
    fn hash_index_returns_every_value_of_a_key() {
        let mut index = HashIndex::with_capacity(2);
        for (k, v) in [("portland", 6), ("boulder", 2), ("portland", 3)] {
            index.insert(key(k), v, |_, _| false);
        }
        assert_eq!(index.get("portland").collect::<Vec<_>>(), vec![6, 3]);
        assert_eq!(index.get("boulder").collect::<Vec<_>>(), vec![2]);
        assert_eq!(index.get("zurich").count(), 0);
        assert_eq!(index.len(), 3);
    }

    #[test]
    fn hash_index_keeps_the_first_of_values_that_agree() {
        // Same city (value >> 1) reached twice under one key: the first stays.
        let mut index = HashIndex::with_capacity(4);
        for v in [8, 9, 4] {
            index.insert(key("zurich"), v, |a, b| a >> 1 == b >> 1);
        }
        assert_eq!(index.get("zurich").collect::<Vec<_>>(), vec![8, 4]);
    }

    #[test]
    fn hash_index_grows_past_its_capacity() {
        let mut index = HashIndex::with_capacity(1);
        for v in 0..1000 {
            index.insert(key(&format!("town {v}")), v, |_, _| false);
        }
        assert_eq!(index.len(), 1000);
        for v in [0, 499, 999] {
            assert_eq!(index.get(&format!("town {v}")).collect::<Vec<_>>(), vec![v]);
        }
    }

    #[test]
    fn span_reads_back_its_slice() {
        let text = String::from("Boulder\tUS");
        let part = &text[8..10];
        let span = Span::of(&text, part);
        assert_eq!(span.get(&text), "US");
        assert_eq!(span.get("short"), "");
    }

    #[test]
    fn hasher_separates_similar_keys() {
        let keys = [
            "a",
            "b",
            "ab",
            "ba",
            "portland",
            "portlant",
            "",
            "12345678",
            "123456789",
        ];
        let hashes: std::collections::HashSet<u64> = keys.iter().map(|k| key(k)).collect();
        assert_eq!(hashes.len(), keys.len());
    }
}
