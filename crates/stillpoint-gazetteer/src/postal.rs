//! Recognising postal codes by their shape: US ZIP (5 digits, ZIP+4) and Canadian postal
//! codes, of which only the forward sortation area (first three characters) is located.

use std::ops::Range;

/// A postal code reduced to the part the gazetteer locates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PostalKey {
    /// Five-digit US ZIP.
    Zip(String),
    /// Canadian forward sortation area, upper case ("M5V").
    Fsa(String),
}

impl PostalKey {
    /// A number unique per code, so the postal map needs no string keys: the ZIP's value,
    /// or the FSA's three bytes with the top bit set.
    pub(crate) fn packed(&self) -> u32 {
        match self {
            PostalKey::Zip(c) => c.bytes().fold(0u32, |n, b| {
                n.wrapping_mul(10)
                    .wrapping_add(u32::from(b.wrapping_sub(b'0')))
            }),
            PostalKey::Fsa(c) => c.bytes().fold(0u32, |n, b| (n << 8) | u32::from(b)) | 0x8000_0000,
        }
    }
}

fn is_fsa(w: &[u8]) -> bool {
    w.len() == 3
        && w[0].is_ascii_alphabetic()
        && w[1].is_ascii_digit()
        && w[2].is_ascii_alphabetic()
}

fn is_ldu(w: &[u8]) -> bool {
    w.len() == 3 && w[0].is_ascii_digit() && w[1].is_ascii_alphabetic() && w[2].is_ascii_digit()
}

fn all_digits(w: &[u8], len: usize) -> bool {
    w.len() == len && w.iter().all(u8::is_ascii_digit)
}

fn fsa(w: &[u8]) -> PostalKey {
    PostalKey::Fsa(String::from_utf8_lossy(&w[..3]).to_ascii_uppercase())
}

fn zip(w: &[u8]) -> PostalKey {
    PostalKey::Zip(String::from_utf8_lossy(&w[..5]).into_owned())
}

/// Parses a whole postal-code field: "80302", "80302-1234", "M5V 3L9", "m5v3l9", "M5V".
///
/// `us_dropped_zero` accepts four digits as a ZIP with its leading zero lost, which is what
/// spreadsheets do to New England ZIPs; only sensible when the country is known to be the US.
pub(crate) fn parse_postal(text: &str, us_dropped_zero: bool) -> Option<PostalKey> {
    let compact: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'-' | b'\t'))
        .collect();
    match compact.len() {
        5 | 9 if all_digits(&compact, compact.len()) => Some(zip(&compact)),
        4 if us_dropped_zero && all_digits(&compact, 4) => Some(PostalKey::Zip(format!(
            "0{}",
            String::from_utf8_lossy(&compact)
        ))),
        3 if is_fsa(&compact) => Some(fsa(&compact)),
        6 if is_fsa(&compact[..3]) && is_ldu(&compact[3..]) => Some(fsa(&compact)),
        _ => None,
    }
}

/// Finds the first postal code among folded query words and the words it spans, so the rest
/// of the query can still be read as a place name: "boulder co 80302", "m5v 3l9 toronto".
pub(crate) fn find_postal(words: &[&str]) -> Option<(PostalKey, Range<usize>)> {
    for (i, word) in words.iter().enumerate() {
        let w = word.as_bytes();
        let next = words.get(i + 1).map(|n| n.as_bytes());
        if all_digits(w, 5) {
            // "80302-1234" folds to "80302 1234".
            let end = if next.is_some_and(|n| all_digits(n, 4)) {
                i + 2
            } else {
                i + 1
            };
            return Some((zip(w), i..end));
        }
        if all_digits(w, 9) {
            return Some((zip(w), i..i + 1));
        }
        if is_fsa(w) {
            let end = if next.is_some_and(is_ldu) {
                i + 2
            } else {
                i + 1
            };
            return Some((fsa(w), i..end));
        }
        if w.len() == 6 && is_fsa(&w[..3]) && is_ldu(&w[3..]) {
            return Some((fsa(w), i..i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_key(s: &str) -> Option<PostalKey> {
        Some(PostalKey::Zip(s.into()))
    }

    fn fsa_key(s: &str) -> Option<PostalKey> {
        Some(PostalKey::Fsa(s.into()))
    }

    #[test]
    fn parses_whole_postal_fields() {
        let cases = [
            ("80302", false, zip_key("80302")),
            (" 80302-1234 ", false, zip_key("80302")),
            ("803021234", false, zip_key("80302")),
            ("2138", true, zip_key("02138")),
            ("2138", false, None),
            ("M5V 3L9", false, fsa_key("M5V")),
            ("m5v3l9", false, fsa_key("M5V")),
            ("M5V", false, fsa_key("M5V")),
            ("M5V-3L9", false, fsa_key("M5V")),
            ("SW1A 1AA", false, None),
            ("8030", false, None),
            ("", false, None),
            ("ü5v", false, None),
        ];
        for (input, dropped_zero, want) in cases {
            assert_eq!(parse_postal(input, dropped_zero), want, "{input:?}");
        }
    }

    #[test]
    fn packed_keys_are_distinct_per_code() {
        let keys = ["00501", "80302", "99950", "M5V", "A0A", "Y1A"];
        let packed: std::collections::HashSet<u32> = keys
            .iter()
            .map(|k| parse_postal(k, false).unwrap().packed())
            .collect();
        assert_eq!(packed.len(), keys.len());
        assert_eq!(parse_postal("80302", false).unwrap().packed(), 80302);
    }

    #[test]
    fn finds_postal_words_inside_free_text() {
        type Found = Option<(PostalKey, Range<usize>)>;
        let cases: [(&[&str], Found); 6] = [
            (&["80302"], Some((PostalKey::Zip("80302".into()), 0..1))),
            (
                &["boulder", "co", "80302", "1234"],
                Some((PostalKey::Zip("80302".into()), 2..4)),
            ),
            (&["m5v", "3l9"], Some((PostalKey::Fsa("M5V".into()), 0..2))),
            (
                &["toronto", "m5v3l9"],
                Some((PostalKey::Fsa("M5V".into()), 1..2)),
            ),
            (&["boulder", "co"], None),
            (&[], None),
        ];
        for (words, want) in cases {
            assert_eq!(find_postal(words), want, "{words:?}");
        }
    }
}
