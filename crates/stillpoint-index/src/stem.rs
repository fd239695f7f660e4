//! The full-text tokenizer, fused into one pass with a memo.
//!
//! Its tokens are exactly those of the chain `SimpleTokenizer` -> `RemoveLongFilter(40)` ->
//! `LowerCaser` -> `AsciiFoldingFilter` -> English stemming (same text, positions and offsets; a
//! test compares them). The chain is fused because indexing spent most of its tokenizing time
//! copying and re-scanning each word once per filter: here a word is found by scanning bytes,
//! looked up by its raw spelling in a memo of finished terms, and only a word not seen before
//! goes through lowercasing, folding and the Snowball stemmer (the same few thousand words make
//! up most of what practitioners write).

use foldhash::HashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// Memo size beyond which it is cleared, so an adversarial feed cannot grow it without bound.
const MAX_MEMO: usize = 100_000;

/// Words of this many bytes or more are dropped (tantivy's `RemoveLongFilter::limit(40)`).
const MAX_WORD_BYTES: usize = 40;

/// The tokenizer of the full-text fields: words split on non-alphanumerics, words of 40 bytes or
/// more dropped, lowercased, accents folded, stemmed (English).
#[derive(Clone)]
pub struct TextTokenizer {
    token: Token,
    /// Raw word as written -> its indexed term.
    memo: HashMap<String, String>,
    /// Lowercasing and folding of one word, by tantivy's own filters so they cannot drift.
    fold: TextAnalyzer,
    stemmer: frostem::Stemmer,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer")
            .field("memo", &self.memo.len())
            .finish_non_exhaustive()
    }
}

impl Default for TextTokenizer {
    fn default() -> Self {
        TextTokenizer {
            token: Token::default(),
            memo: HashMap::default(),
            fold: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

impl Tokenizer for TextTokenizer {
    type TokenStream<'a> = TextTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TextTokenStream<'a> {
        if self.memo.len() > MAX_MEMO {
            self.memo.clear();
        }
        self.token.reset();
        TextTokenStream {
            text,
            cursor: 0,
            token: &mut self.token,
            memo: &mut self.memo,
            fold: &mut self.fold,
            stemmer: &self.stemmer,
        }
    }
}

/// Token stream of [`TextTokenizer`].
pub struct TextTokenStream<'a> {
    text: &'a str,
    /// Byte offset where the search for the next word starts (always a char boundary).
    cursor: usize,
    token: &'a mut Token,
    memo: &'a mut HashMap<String, String>,
    fold: &'a mut TextAnalyzer,
    stemmer: &'a frostem::Stemmer,
}

impl TextTokenStream<'_> {
    /// The next run of alphanumeric characters at or after the cursor, as byte offsets.
    fn next_word(&mut self) -> Option<(usize, usize)> {
        let start = scan(self.text, self.cursor, true)?;
        let end = scan(self.text, start, false).unwrap_or(self.text.len());
        self.cursor = end;
        Some((start, end))
    }

    fn term_of(&mut self, word: &str) {
        let text = &mut self.token.text;
        text.clear();
        if let Some(term) = self.memo.get(word) {
            text.push_str(term);
            return;
        }
        let mut stream = self.fold.token_stream(word);
        if stream.advance() {
            text.push_str(&stream.token().text);
        }
        let term = self.stemmer.stem(text).into_owned();
        text.clear();
        text.push_str(&term);
        self.memo.insert(word.to_owned(), term);
    }
}

/// Byte offset of the first char at or after `from` whose alphanumericity is `alphanumeric`.
fn scan(text: &str, from: usize, alphanumeric: bool) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if b.is_ascii_alphanumeric() == alphanumeric {
                return Some(i);
            }
            i += 1;
        } else {
            let c = text[i..].chars().next()?;
            if c.is_alphanumeric() == alphanumeric {
                return Some(i);
            }
            i += c.len_utf8();
        }
    }
    None
}

impl TokenStream for TextTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((start, end)) = self.next_word() {
            // Positions count every word, dropped ones included, as the unfused chain did.
            self.token.position = self.token.position.wrapping_add(1);
            if end - start >= MAX_WORD_BYTES {
                continue;
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            let word = &self.text[start..end];
            self.term_of(word);
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{
        AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
        Token,
    };

    use super::TextTokenizer;

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().clone());
        }
        out
    }

    /// The unfused chain the tokenizer replaces.
    fn reference() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::default())
            .build()
    }

    #[test]
    fn fused_tokenizer_matches_the_filter_chain_it_replaces() {
        let mut ours = TextAnalyzer::from(TextTokenizer::default());
        let mut theirs = reference();
        let texts = [
            "",
            "   ",
            "Migraines and headaches; working with infants, babies and running athletes. Migraines again!",
            "Craniosacral THERAPY for TMJ/TMD, jaw-pain & post-surgical recovery (since 1998).",
            "Zürich Straße Thérapie crânio-sacrée Ærø ŒUVRE naïve café déjà-vu",
            "Москва Αθήνα 東京 İstanbul ΣΊΣΥΦΟΣ ǅemal ﬁne ½ ² ③",
            "a antidisestablishmentarianismantidisestablishment b pneumonoultramicroscopicsilicovolcanoconiosis c",
            "ééééééééééééééééééééé short ééééééééééééééééééé",
            "trailing-word",
            "x\u{0301}y tab\there\nnew line\r\n\u{00a0}nbsp",
        ];
        for _ in 0..2 {
            for text in texts {
                assert_eq!(
                    tokens(&mut ours, text),
                    tokens(&mut theirs, text),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn fused_tokenizer_matches_the_chain_on_random_text() {
        // Deterministic pseudo-random texts over an alphabet mixing ASCII, separators, accents,
        // ligatures, non-Latin scripts, combining marks and digits of other scripts.
        let alphabet: Vec<char> =
            "aAbBeEiInNsSyYzZ09 -.,'\t\nàÉüßæŒøłİıΣσςЖж東ﬁ½²③\u{0301}\u{00a0}\u{2019}"
                .chars()
                .collect();
        let mut ours = TextAnalyzer::from(TextTokenizer::default());
        let mut theirs = reference();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let len = (next() % 120) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(
                tokens(&mut ours, &text),
                tokens(&mut theirs, &text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn words_are_stemmed() {
        let mut ours = TextAnalyzer::from(TextTokenizer::default());
        let texts: Vec<String> = tokens(&mut ours, "Migraines RUNNING")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(texts, ["migrain", "run"]);
    }
}
