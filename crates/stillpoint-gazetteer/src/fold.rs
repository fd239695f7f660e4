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
    let mut out = Folder {
        out: String::with_capacity(s.len()),
        pending_space: false,
    };
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c as u8);
        } else if let Some(ascii) = deunicode_char(c) {
            for b in ascii.bytes() {
                out.push(b);
            }
        } else {
            out.push(b' ');
        }
    }
    out.out
}

struct Folder {
    out: String,
    pending_space: bool,
}

impl Folder {
    fn push(&mut self, b: u8) {
        match b {
            b'a'..=b'z' | b'0'..=b'9' => self.push_word_byte(b),
            b'A'..=b'Z' => self.push_word_byte(b.to_ascii_lowercase()),
            // Apostrophes and the grave accent some keyboards give for them join the word.
            b'\'' | b'`' => {}
            _ => self.pending_space = true,
        }
    }

    fn push_word_byte(&mut self, b: u8) {
        if self.pending_space && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.pending_space = false;
        self.out.push(b as char);
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
            assert!(!folded.starts_with(' ') && !folded.ends_with(' '), "{folded:?}");
            assert!(!folded.contains("  "), "{folded:?}");
        }
    }
}
