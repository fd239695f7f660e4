//! Case and accent folding shared by the index and every query.
//!
//! Folding happens on both sides of every comparison, so a query matches whatever spelling the
//! data carries: "Zürich", "ZURICH" and "zurich" all become `zurich`, "St. John's" becomes
//! `st johns`, "Winston-Salem" becomes `winston salem`.

use deunicode::deunicode_char;

/// Case and accent folding used for matching (lowercase, strip diacritics, ß->ss, collapse
/// punctuation/whitespace to single spaces, trim).
///
/// Non-Latin scripts are transliterated to ASCII (deunicode's tables), so a query typed in
/// Cyrillic or Greek can still meet a romanised alternate name. Apostrophes vanish rather than
/// split words, because people type "St Johns" for "St. John's".
///
/// ```
/// use stillpoint_gazetteer::fold;
/// assert_eq!(fold("  Zürich "), "zurich");
/// assert_eq!(fold("Straße"), "strasse");
/// assert_eq!(fold("St. John's, NL"), "st johns nl");
/// ```
pub fn fold(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    fold_into(s, &mut out);
    // Only ASCII is ever pushed, so this cannot fail.
    String::from_utf8(out).unwrap_or_default()
}

/// [`fold`] into a reused buffer (cleared first), as ASCII bytes: the loader folds ~250,000
/// names at start-up and only hashes them.
pub(crate) fn fold_into(s: &str, out: &mut Vec<u8>) {
    out.clear();
    let mut folder = Folder {
        out,
        pending_space: false,
    };
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            folder.push(b);
            i += 1;
            continue;
        }
        let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        i += c.len_utf8();
        match deunicode_char(c) {
            Some(ascii) => ascii.bytes().for_each(|b| folder.push(b)),
            None => folder.push(b' '),
        }
    }
}

struct Folder<'a> {
    out: &'a mut Vec<u8>,
    pending_space: bool,
}

impl Folder<'_> {
    #[inline]
    fn push(&mut self, b: u8) {
        match b {
            b'a'..=b'z' | b'0'..=b'9' => self.push_word_byte(b),
            b'A'..=b'Z' => self.push_word_byte(b | 0x20),
            // Apostrophes and the grave accent some keyboards give for them join the word.
            b'\'' | b'`' => {}
            // deunicode only yields ASCII, but a separator is the safe reading of anything else.
            _ => self.pending_space = true,
        }
    }

    #[inline]
    fn push_word_byte(&mut self, b: u8) {
        if self.pending_space && !self.out.is_empty() {
            self.out.push(b' ');
        }
        self.pending_space = false;
        self.out.push(b);
    }
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_accents_and_punctuation() {
        let cases = [
            ("Zürich", "zurich"),
            ("ZURICH", "zurich"),
            ("Zu\u{308}rich", "zurich"), // decomposed ü
            ("München", "munchen"),
            ("Straße", "strasse"),
            ("Købnhavn", "kobnhavn"),
            ("Łódź", "lodz"),
            ("Ærøskøbing", "aeroskobing"),
            ("Montréal", "montreal"),
            ("Winston-Salem", "winston salem"),
            ("St. John’s", "st johns"),
            ("  Boulder ,  CO  ", "boulder co"),
            ("Washington, D.C.", "washington d c"),
            ("M5V 3L9", "m5v 3l9"),
            ("80302-1234", "80302 1234"),
            ("", ""),
            ("  ,;-  ", ""),
        ];
        for (input, want) in cases {
            assert_eq!(fold(input), want, "fold({input:?})");
        }
    }

    #[test]
    fn transliterates_other_scripts_to_ascii() {
        let folded = fold("Москва");
        assert!(folded.is_ascii());
        assert_eq!(folded, "moskva");
    }

    #[test]
    fn output_is_always_ascii_single_spaced_and_trimmed() {
        let inputs = [
            "\u{0}\u{7f}\u{feff}a\u{200b}b",
            "🦀 crab 🦀",
            "東京都",
            "\u{10ffff}\u{fffd}",
            "a\t\n\r b",
            "ʻOkina ʻAina",
        ];
        for input in inputs {
            let folded = fold(input);
            assert!(folded.is_ascii(), "{input:?} -> {folded:?}");
            assert!(
                !folded.starts_with(' ') && !folded.ends_with(' '),
                "{folded:?}"
            );
            assert!(!folded.contains("  "), "{folded:?}");
        }
    }
}
