//! A search response's JSON with each hit's search-independent parts copied, not serialised.
//!
//! Serialising the hits was an eighth of the server's CPU on the load mix: some fifty strings
//! per hit escaped one by one, twenty hits a page, though most of a hit (its profile, and each
//! location but for its distance) is the same on every page that shows it. A kept record
//! ([`crate::records`]) therefore carries that JSON, rendered once ([`RecordJson`]), and
//! [`SearchResponse::write_json`] copies it, writing only what the search adds: distances, the
//! score and the highlights. The facets' counts, some hundred values a page, are written
//! without serde's work per field. The bytes are those `serde_json::to_writer` writes, which
//! the tests hold it to.

use serde::Serialize;

use crate::response::{FacetCounts, Hit, HitJson, Profile, PublicLocation, SearchResponse};

/// A record's JSON that no search changes: its profile's object and each of its locations'
/// (privacy applied, no distance), each without its closing brace, so that a search appends its
/// own fields (`distance_km` is the last field of both) before closing it.
pub(crate) struct RecordJson {
    profile: Box<[u8]>,
    locations: Box<[Box<[u8]>]>,
}

impl std::fmt::Debug for RecordJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordJson")
            .field("profile", &String::from_utf8_lossy(&self.profile))
            .field("locations", &self.locations.len())
            .finish()
    }
}

impl RecordJson {
    pub(crate) fn new(profile: &Profile, locations: &[PublicLocation]) -> RecordJson {
        RecordJson {
            profile: open_object(profile),
            locations: locations.iter().map(open_object).collect(),
        }
    }

    /// The bytes it holds.
    pub(crate) fn len(&self) -> usize {
        self.profile.len() + self.locations.iter().map(|l| l.len()).sum::<usize>()
    }
}

/// `value`'s JSON object without its closing brace. Every object passed has a field that is
/// never skipped (`id`, `country`), so a field appended after a comma is well formed.
fn open_object(value: &impl Serialize) -> Box<[u8]> {
    let mut json = serde_json::to_vec(value).expect("a profile or a location serialises");
    debug_assert!(json.ends_with(b"}") && json.len() > 2);
    json.pop();
    json.into_boxed_slice()
}

impl SearchResponse {
    /// Appends the response's JSON to `out`: the bytes `serde_json::to_writer` writes, with
    /// each hit's profile and locations copied from its record's JSON rendered once (see the
    /// module's documentation). A hit changed since the engine made it (another profile, other
    /// locations) is serialised field by field instead.
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(b"{\"total\":");
        value(out, &self.total)?;
        out.extend_from_slice(b",\"took_ms\":");
        value(out, &self.took_ms)?;
        if let Some(center) = &self.center {
            out.extend_from_slice(b",\"center\":");
            value(out, center)?;
        }
        out.extend_from_slice(b",\"sort\":");
        value(out, self.sort)?;
        out.extend_from_slice(b",\"offset\":");
        value(out, &self.offset)?;
        out.extend_from_slice(b",\"limit\":");
        value(out, &self.limit)?;
        out.extend_from_slice(b",\"hits\":");
        array(out, &self.hits, write_hit)?;
        if let Some(cursor) = &self.next_cursor {
            out.extend_from_slice(b",\"next_cursor\":");
            value(out, cursor)?;
        }
        out.extend_from_slice(b",\"facets\":");
        array(out, &self.facets, write_facet)?;
        out.extend_from_slice(b",\"advisories\":");
        value(out, &self.advisories)?;
        out.push(b'}');
        Ok(())
    }
}

fn value(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) -> serde_json::Result<()> {
    serde_json::to_writer(out, value)
}

/// A JSON array of `items`, each written by `write`.
fn array<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut Vec<u8>, T) -> serde_json::Result<()>,
) -> serde_json::Result<()> {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item)?;
    }
    out.push(b']');
    Ok(())
}

/// One facet's counts as serde writes them, less serde's work per field: the keys are
/// written as they are (serde escapes every key like any string), and the values' strings are
/// the only ones escaped. A page's facets are a hundred values and more, four fields each.
fn write_facet(out: &mut Vec<u8>, facet: &FacetCounts) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"facet\":");
    value(out, facet.facet)?;
    out.extend_from_slice(b",\"values\":");
    array(out, &facet.values, |out, v| {
        out.extend_from_slice(b"{\"value\":");
        value(out, &v.value)?;
        out.extend_from_slice(b",\"label\":");
        value(out, &v.label)?;
        out.extend_from_slice(b",\"count\":");
        value(out, &v.count)?;
        out.extend_from_slice(if v.selected {
            b",\"selected\":true}"
        } else {
            b",\"selected\":false}"
        });
        Ok(())
    })?;
    out.extend_from_slice(b",\"distinct\":");
    value(out, &facet.distinct)?;
    out.push(b'}');
    Ok(())
}

/// One hit in the order of its fields (`Hit`'s derived serialisation: the flattened profile,
/// then `distance_km`, `nearest_location`, `locations`, `score`, `highlights`).
fn write_hit(out: &mut Vec<u8>, hit: &Hit) -> serde_json::Result<()> {
    let Some(HitJson { record, nearest }) = hit.json.as_ref().filter(|json| unchanged(hit, json))
    else {
        return value(out, hit);
    };
    let json = &record.json;
    out.extend_from_slice(&json.profile);
    if let Some(km) = hit.distance_km {
        out.extend_from_slice(b",\"distance_km\":");
        value(out, &km)?;
    }
    out.extend_from_slice(b",\"nearest_location\":");
    close_location(
        out,
        &json.locations[*nearest],
        hit.nearest_location.distance_km,
    )?;
    out.extend_from_slice(b",\"locations\":");
    array(
        out,
        json.locations.iter().zip(&hit.locations),
        |out, (location, shown)| close_location(out, location, shown.distance_km),
    )?;
    if let Some(score) = hit.score {
        out.extend_from_slice(b",\"score\":");
        value(out, &score)?;
    }
    if let Some(highlights) = &hit.highlights {
        out.extend_from_slice(b",\"highlights\":");
        value(out, highlights)?;
    }
    out.push(b'}');
    Ok(())
}

/// Whether the hit still shows what its record's JSON says: the same profile (a profile
/// changed through `Arc::make_mut` is a copy) and as many locations, the nearest among them at
/// the same point.
fn unchanged(hit: &Hit, json: &HitJson) -> bool {
    let record = &json.record;
    std::sync::Arc::ptr_eq(&hit.profile, &record.profile)
        && hit.locations.len() == record.json.locations.len()
        && hit
            .locations
            .iter()
            .zip(&record.locations)
            .all(|(shown, kept)| {
                shown.lat == kept.lat
                    && shown.lon == kept.lon
                    && shown.visibility == kept.visibility
            })
        && hit.locations.get(json.nearest).is_some_and(|l| {
            l.lat == hit.nearest_location.lat
                && l.lon == hit.nearest_location.lon
                && l.distance_km == hit.nearest_location.distance_km
        })
}

fn close_location(out: &mut Vec<u8>, open: &[u8], km: Option<f64>) -> serde_json::Result<()> {
    out.extend_from_slice(open);
    if let Some(km) = km {
        out.extend_from_slice(b",\"distance_km\":");
        value(out, &km)?;
    }
    out.push(b'}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    #[test]
    fn an_open_object_takes_a_field_after_it() {
        let open = open_object(&serde_json::json!({"id": "a:1"}));
        let mut out = open.to_vec();
        let _ = write!(out, ",\"n\":1}}");
        assert_eq!(out, br#"{"id":"a:1","n":1}"#);
    }
}
