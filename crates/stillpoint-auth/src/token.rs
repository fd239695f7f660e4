//! The token string, `spt_<id>_<secret>`: how it is drawn, recognised and hashed.
//!
//! The id is 12 lowercase hex characters (48 random bits): public, it names the token in `list`,
//! `revoke` and logs. The secret is 32 random bytes in base64url without padding (43 characters).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use crate::error::{AuthError, Result};

const PREFIX: &str = "spt_";
const ID_BYTES: usize = 6;
pub(crate) const ID_LEN: usize = 2 * ID_BYTES;
const SECRET_BYTES: usize = 32;
const SECRET_LEN: usize = 43;
/// Length of every token string.
pub(crate) const TOKEN_LEN: usize = PREFIX.len() + ID_LEN + 1 + SECRET_LEN;

/// SHA-256 of a whole token string: what the store keeps instead of the token.
pub(crate) type Hash = [u8; 32];

/// A newly created token, the only time it exists outside the holder's hands: print it once and
/// drop it. `Debug` and `Display` print `<redacted>`; [`Secret::expose`] gives the token itself.
pub struct Secret(String);

impl Secret {
    /// The whole token string (`spt_<id>_<secret>`), to hand to the association.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A new random id; the caller checks that it is unused.
pub(crate) fn random_id() -> Result<String> {
    let mut bytes = [0u8; ID_BYTES];
    fill_random(&mut bytes)?;
    Ok(to_hex(&bytes))
}

/// A new token with the given id and 256 random bits of secret.
pub(crate) fn random_token(id: &str) -> Result<Secret> {
    let mut bytes = [0u8; SECRET_BYTES];
    fill_random(&mut bytes)?;
    Ok(Secret(format!(
        "{PREFIX}{id}_{}",
        URL_SAFE_NO_PAD.encode(bytes)
    )))
}

pub(crate) fn fill_random(bytes: &mut [u8]) -> Result<()> {
    getrandom::fill(bytes).map_err(|e| AuthError::Random(e.to_string()))
}

/// The id of a well-formed token string, `None` for anything else.
pub(crate) fn parse(token: &str) -> Option<&str> {
    if token.len() != TOKEN_LEN {
        return None;
    }
    let rest = token.strip_prefix(PREFIX)?;
    let id = rest.get(..ID_LEN)?;
    let secret = rest.get(ID_LEN..)?.strip_prefix('_')?;
    if !is_id(id) || secret.len() != SECRET_LEN {
        return None;
    }
    // Decoding also refuses non-canonical trailing bits, so each secret has one spelling.
    match URL_SAFE_NO_PAD.decode(secret) {
        Ok(bytes) if bytes.len() == SECRET_BYTES => Some(id),
        _ => None,
    }
}

/// Whether `text` has the shape of a token id.
pub(crate) fn is_id(text: &str) -> bool {
    text.len() == ID_LEN
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A fast hash is right here: the secret is 256 random bits, so there is nothing for a slow,
/// salted password hash to protect against (no dictionary, no brute force of the preimage), and
/// verifying stays cheap on every request.
pub(crate) fn hash(token: &str) -> Hash {
    Sha256::digest(token.as_bytes()).into()
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(2 * bytes.len());
    for &byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// A stored hash back into bytes, `None` unless it is 64 hex digits.
pub(crate) fn hash_from_hex(text: &str) -> Option<Hash> {
    fn digit(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut hash = [0u8; 32];
    for (out, pair) in hash.iter_mut().zip(bytes.chunks_exact(2)) {
        *out = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_have_the_documented_shape_and_parse_back_to_their_id() {
        let id = random_id().unwrap();
        assert!(is_id(&id), "{id}");
        let token = random_token(&id).unwrap();
        assert_eq!(token.expose().len(), TOKEN_LEN);
        assert!(token.expose().starts_with(&format!("spt_{id}_")));
        assert_eq!(parse(token.expose()), Some(id.as_str()));
    }

    #[test]
    fn malformed_strings_are_refused_without_panicking() {
        let good = random_token("0123456789ab").unwrap();
        let good = good.expose();
        let cases = [
            String::new(),
            "spt_".to_owned(),
            good[..good.len() - 1].to_owned(),
            format!("{good}A"),
            good.replacen("spt_", "spx_", 1),
            good.replacen("0123456789ab", "0123456789AB", 1),
            good.replacen("0123456789ab", "0123456789ag", 1),
            good.replacen("ab_", "abX", 1),
            // Same length, a multi-byte character straddling the id/secret boundary.
            format!("spt_0123456789aé{}", &good[17..]),
            format!("{}!", &good[..good.len() - 1]),
        ];
        for case in &cases {
            assert_eq!(parse(case), None, "{case:?}");
        }
    }

    #[test]
    fn secret_debug_and_display_are_redacted() {
        let token = random_token("0123456789ab").unwrap();
        let secret_part = &token.expose()[17..];
        for shown in [
            format!("{token:?}"),
            format!("{token}"),
            format!("{token:#?}"),
        ] {
            assert!(!shown.contains(secret_part), "{shown}");
            assert!(shown.contains("redacted"), "{shown}");
        }
    }

    #[test]
    fn hashes_round_trip_through_hex() {
        let hash = hash("spt_x");
        assert_eq!(hash_from_hex(&to_hex(&hash)), Some(hash));
        assert_eq!(hash_from_hex("zz"), None);
        assert_eq!(hash_from_hex(&"g".repeat(64)), None);
        assert_eq!(hash_from_hex(&"é".repeat(32)), None);
    }
}
