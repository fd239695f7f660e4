//! The feed format: a practitioner listing as an association publishes it (see
//! `docs/feed-format.md`). These types are the wire shape of one JSON record; CSV rows flatten the
//! same fields ([`CSV_HEADERS`]). Nothing here is validated yet: `stillpoint-ingest` turns a
//! [`FeedRecord`] into a [`crate::Practitioner`] or into per-field errors.

use serde::{Deserialize, Deserializer, Serialize};

/// One practitioner as published in a feed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedRecord {
    pub member_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practice_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approach: Option<String>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub credentials: Vec<FeedCredential>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub professions: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub specialties: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub techniques: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub languages: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub locations: Vec<FeedLocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_visits_km: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepting_new_clients: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<FeedFees>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub session_minutes: Vec<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<FeedContact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practicing_since: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_confirmed: Option<String>,
}

/// A credential claim: `body` is a vocabulary id, `credential` one of its credential codes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedCredential {
    pub body: String,
    pub credential: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// One practice location.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedLocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// `exact` (default) or `city`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wheelchair_accessible: Option<bool>,
}

/// Fees for one session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedFees {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sliding_scale: Option<bool>,
}

/// How to reach the practitioner. `email` is shown only when `public_email` is true.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_email: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_url: Option<String>,
}

/// The CSV headers, in their canonical order. Lists are `|`-separated, a credential item is
/// `body:credential`, and a practitioner with several locations has one row per location.
pub const CSV_HEADERS: &[&str] = &[
    "member_id",
    "name",
    "practice_name",
    "approach",
    "credentials",
    "professions",
    "specialties",
    "techniques",
    "languages",
    "location_label",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "lat",
    "lon",
    "visibility",
    "wheelchair_accessible",
    "home_visits_km",
    "accepting_new_clients",
    "fee_min",
    "fee_max",
    "currency",
    "sliding_scale",
    "session_minutes",
    "phone",
    "email",
    "public_email",
    "website",
    "booking_url",
    "bio",
    "practicing_since",
    "last_confirmed",
];

/// The CSV columns that describe one location; every other column describes the practitioner and
/// must agree across its rows.
pub const CSV_LOCATION_HEADERS: &[&str] = &[
    "location_label",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "lat",
    "lon",
    "visibility",
    "wheelchair_accessible",
];

impl FeedRecord {
    /// Flattens the record into CSV rows (one per location, at least one), cells in
    /// [`CSV_HEADERS`] order.
    pub fn to_csv_rows(&self) -> Vec<Vec<String>> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        let flag = |v: Option<bool>| v.map(|b| b.to_string()).unwrap_or_default();
        let credentials = self
            .credentials
            .iter()
            .map(|c| format!("{}:{}", c.body, c.credential))
            .collect::<Vec<_>>()
            .join("|");
        let fees = self.fees.clone().unwrap_or_default();
        let contact = self.contact.clone().unwrap_or_default();
        let empty = FeedLocation::default();
        let locations: Vec<&FeedLocation> = if self.locations.is_empty() {
            vec![&empty]
        } else {
            self.locations.iter().collect()
        };
        locations
            .into_iter()
            .map(|loc| {
                vec![
                    self.member_id.clone(),
                    self.name.clone(),
                    opt(&self.practice_name),
                    opt(&self.approach),
                    credentials.clone(),
                    self.professions.join("|"),
                    self.specialties.join("|"),
                    self.techniques.join("|"),
                    self.languages.join("|"),
                    opt(&loc.label),
                    opt(&loc.address),
                    opt(&loc.city),
                    opt(&loc.region),
                    opt(&loc.postal_code),
                    loc.country.clone(),
                    num(loc.lat),
                    num(loc.lon),
                    opt(&loc.visibility),
                    flag(loc.wheelchair_accessible),
                    num(self.home_visits_km),
                    flag(self.accepting_new_clients),
                    num(fees.min),
                    num(fees.max),
                    if self.fees.is_some() {
                        fees.currency.clone()
                    } else {
                        String::new()
                    },
                    flag(fees.sliding_scale),
                    self.session_minutes
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join("|"),
                    opt(&contact.phone),
                    opt(&contact.email),
                    flag(contact.public_email),
                    opt(&contact.website),
                    opt(&contact.booking_url),
                    opt(&self.bio),
                    self.practicing_since
                        .map(|y| y.to_string())
                        .unwrap_or_default(),
                    opt(&self.last_confirmed),
                ]
            })
            .collect()
    }
}

/// Lets feeds write `"specialties": null` for an empty list.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_have_one_cell_per_header_and_one_row_per_location() {
        let record = FeedRecord {
            member_id: "A-1".into(),
            name: "Ana".into(),
            credentials: vec![FeedCredential {
                body: "upledger".into(),
                credential: "CST-T".into(),
                ..Default::default()
            }],
            locations: vec![
                FeedLocation {
                    country: "US".into(),
                    ..Default::default()
                },
                FeedLocation {
                    country: "CA".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let rows = record.to_csv_rows();
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.len() == CSV_HEADERS.len()));
        assert_eq!(rows[0][4], "upledger:CST-T");
        assert_eq!(rows[1][14], "CA");
    }

    #[test]
    fn null_lists_read_as_empty() {
        let record: FeedRecord = serde_json::from_str(
            r#"{"member_id":"a","name":"b","specialties":null,"locations":[]}"#,
        )
        .unwrap();
        assert!(record.specialties.is_empty());
    }
}
