//! The paging cursor: the sort key of the last hit of a page, so the next page starts strictly
//! after it even when documents were added or removed in between.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::request::Sort;

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CursorKey {
    #[serde(rename = "s")]
    pub sort: Sort,
    #[serde(rename = "k")]
    pub key: Primary,
    pub id: String,
}

/// The primary sort value of a hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Primary {
    /// Relevance score (higher first) or distance in km (lower first). Carried as its bit
    /// pattern: serde_json does not always parse a printed f64 back to the same value, and one
    /// unit in the last place repeats or skips hits at the page boundary.
    Number(#[serde(with = "f64_bits")] f64),
    /// Folded name (A to Z).
    Text(String),
}

impl CursorKey {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("a cursor always serialises");
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(token: &str) -> Result<CursorKey, String> {
        let invalid = || "is not a cursor from a previous response".to_string();
        if token.len() > 2048 {
            return Err(invalid());
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let key: CursorKey = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        let consistent = match (&key.sort, &key.key) {
            (Sort::Name, Primary::Text(_)) => true,
            (Sort::Relevance | Sort::Distance, Primary::Number(n)) => n.is_finite(),
            _ => false,
        };
        if consistent { Ok(key) } else { Err(invalid()) }
    }
}

mod f64_bits {
    use super::*;

    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(value.to_bits())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        u64::deserialize(deserializer).map(f64::from_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        let key = CursorKey {
            sort: Sort::Distance,
            key: Primary::Number(12.5),
            id: "upledger:42".into(),
        };
        assert_eq!(CursorKey::decode(&key.encode()).unwrap(), key);
        let name = CursorKey {
            sort: Sort::Name,
            key: Primary::Text("anna".into()),
            id: "a:1".into(),
        };
        assert_eq!(CursorKey::decode(&name.encode()).unwrap(), name);
        assert!(CursorKey::decode("not a cursor").is_err());
        assert!(CursorKey::decode("").is_err());
        let mismatched = CursorKey {
            sort: Sort::Name,
            key: Primary::Number(1.0),
            id: "a:1".into(),
        };
        assert!(CursorKey::decode(&mismatched.encode()).is_err());
    }

    #[test]
    fn numbers_survive_the_round_trip_to_the_last_bit() {
        // Distances whose shortest decimal form serde_json parses back one unit off.
        for n in [
            985.6906946328695,
            212.91890726713459,
            1.2e-14,
            f64::from(0.1f32),
        ] {
            let key = CursorKey {
                sort: Sort::Distance,
                key: Primary::Number(n),
                id: "a:1".into(),
            };
            assert_eq!(
                CursorKey::decode(&key.encode()).unwrap().key,
                Primary::Number(n)
            );
        }
    }
}
