//! The search response in the other two formats: CSV (a referrer's short list, one row per
//! practitioner with its nearest location) and GeoJSON (one feature per location). Both are
//! built from the same [`SearchResponse`], whose locations already have privacy applied.

use serde_json::{Value, json};
use stillpoint_search::SearchResponse;
use stillpoint_search::response::{Hit, PublicLocation};

const CSV_HEADER: &[&str] = &[
    "id",
    "name",
    "practice_name",
    "distance_km",
    "location",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "email",
    "website",
    "booking_url",
    "credentials",
    "specialties",
    "languages",
    "accepting_new_clients",
    "home_visits_km",
];

/// One row per practitioner.
pub fn csv(response: &SearchResponse) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER)?;
    for hit in &response.hits {
        let l = &hit.nearest_location;
        let credentials: Vec<String> = hit
            .credentials
            .iter()
            .map(|c| {
                let verified = if c.verified { ", verified" } else { "" };
                format!("{} ({}{verified})", c.credential, c.body_name)
            })
            .collect();
        let row: Vec<String> = vec![
            text(&hit.id),
            text(&hit.name),
            opt_text(hit.practice_name.as_deref()),
            hit.distance_km.map(|d| d.to_string()).unwrap_or_default(),
            opt_text(l.label.as_deref()),
            opt_text(l.address.as_deref()),
            opt_text(l.city.as_deref()),
            opt_text(l.region.as_deref()),
            opt_text(l.postal_code.as_deref()),
            text(&l.country),
            opt_text(hit.contact.phone.as_deref()),
            opt_text(hit.contact.email.as_deref()),
            opt_text(hit.contact.website.as_deref()),
            opt_text(hit.contact.booking_url.as_deref()),
            text(&credentials.join("; ")),
            text(&hit.specialties.join("; ")),
            text(&hit.languages.join("; ")),
            hit.accepting_new_clients
                .map(|a| a.to_string())
                .unwrap_or_default(),
            hit.home_visits_km
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ];
        writer.write_record(&row)?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

/// A text cell, defused: a spreadsheet runs a cell starting with `=`, `+`, `-`, `@` as a
/// formula, and feeds are written by many hands.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

fn opt_text(value: Option<&str>) -> String {
    value.map(text).unwrap_or_default()
}

/// A FeatureCollection with one Point per location of every hit, and the page's total and
/// cursor as foreign members.
pub fn geojson(response: &SearchResponse) -> Value {
    let features: Vec<Value> = response
        .hits
        .iter()
        .flat_map(|hit| {
            hit.locations
                .iter()
                .enumerate()
                .map(move |(i, location)| feature(hit, i, location))
        })
        .collect();
    let mut collection = json!({
        "type": "FeatureCollection",
        "features": features,
        "total": response.total,
    });
    if let Some(cursor) = &response.next_cursor {
        collection["next_cursor"] = json!(cursor);
    }
    collection
}

fn feature(hit: &Hit, index: usize, l: &PublicLocation) -> Value {
    let credentials: Vec<&str> = hit
        .credentials
        .iter()
        .map(|c| c.credential.as_str())
        .collect();
    json!({
        "type": "Feature",
        "id": format!("{}#{index}", hit.id),
        "geometry": { "type": "Point", "coordinates": [l.lon, l.lat] },
        "properties": {
            "practitioner_id": hit.id,
            "name": hit.name,
            "practice_name": hit.practice_name,
            "location": l.label,
            "address": l.address,
            "city": l.city,
            "region": l.region,
            "postal_code": l.postal_code,
            "country": l.country,
            "visibility": l.visibility,
            "distance_km": l.distance_km,
            "accepting_new_clients": hit.accepting_new_clients,
            "credentials": credentials,
            "website": hit.contact.website,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("Ana"), "Ana");
    }
}
