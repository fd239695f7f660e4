//! Stored practitioners and raw counts turned into the response's hits and facet values.

use std::sync::Arc;

use stillpoint_gazetteer::Gazetteer;
use stillpoint_index::tantivy::tokenizer::TextAnalyzer;
use stillpoint_model::codes::language_name;
use stillpoint_model::{Location, Practitioner, Visibility, Vocabulary};

use crate::geo::haversine_km;
use crate::plan::Plan;
use crate::records::Record;
use crate::request::Facet;
use crate::response::{
    FacetCounts, FacetValue, Highlights, Hit, HitCredential, HitJson, Profile, PublicLocation,
};
use crate::text::{TokenMatches, highlight};
use crate::values::ColumnValues;

/// Characters of bio shown around the first match.
const BIO_WINDOW: usize = 240;

/// What a hit shows of a practitioner whatever the search: made once per record (see
/// [`crate::records`]) and shared by the pages that show them.
pub(crate) fn profile(p: Practitioner, vocabulary: &Vocabulary) -> Profile {
    let credentials = p
        .credentials
        .into_iter()
        .map(|c| {
            let body = vocabulary.body_by_id(&c.body);
            let label = body
                .and_then(|b| b.credentials.iter().find(|k| k.id == c.credential))
                .map_or_else(|| c.credential.clone(), |k| k.label.clone());
            HitCredential {
                body_name: body.map_or_else(|| c.body.clone(), |b| b.name.clone()),
                body: c.body,
                credential: c.credential,
                label,
                verified: c.verified,
            }
        })
        .collect();
    Profile {
        id: p.id.as_str().to_string(),
        association: p.association,
        name: p.name,
        practice_name: p.practice_name,
        approach: p.approach,
        credentials,
        professions: p
            .professions
            .into_iter()
            .chain(p.other_professions)
            .collect(),
        specialties: p
            .specialties
            .into_iter()
            .chain(p.other_specialties)
            .collect(),
        techniques: p.techniques.into_iter().chain(p.other_techniques).collect(),
        languages: p.languages,
        accepting_new_clients: p.accepting_new_clients,
        home_visits_km: p.home_visits_km,
        fees: p.fees,
        contact: p.contact,
        last_confirmed: p.last_confirmed,
    }
}

/// A record as one search shows it: its profile, with distances from the search's centre and
/// highlights of its text.
///
/// `highlights`: the search's words (a text search) and an analyzer to find them with.
pub(crate) fn hit(
    record: &Arc<Record>,
    plan: &Plan,
    score: f32,
    highlights: Option<(&mut TokenMatches<'_>, &mut TextAnalyzer)>,
) -> Hit {
    let p = &record.profile;
    let highlights = highlights.and_then(|(words, analyzer)| {
        let h = Highlights {
            name: highlight(&p.name, words, analyzer, None),
            practice_name: p
                .practice_name
                .as_deref()
                .and_then(|t| highlight(t, words, analyzer, None)),
            bio: record
                .bio
                .as_deref()
                .and_then(|t| highlight(t, words, analyzer, Some(BIO_WINDOW))),
        };
        (h.name.is_some() || h.practice_name.is_some() || h.bio.is_some()).then_some(h)
    });
    let locations: Vec<PublicLocation> = record
        .locations
        .iter()
        .map(|l| PublicLocation {
            distance_km: plan
                .center
                .map(|(lat, lon)| round_km(haversine_km(lat, lon, l.lat, l.lon))),
            ..l.clone()
        })
        .collect();
    let nearest = locations
        .iter()
        .enumerate()
        .min_by(|(ia, a), (ib, b)| {
            let da = a.distance_km.unwrap_or(0.0);
            let db = b.distance_km.unwrap_or(0.0);
            da.total_cmp(&db).then(ia.cmp(ib))
        })
        .map_or(0, |(i, _)| i);
    // Rounding keeps the order, so the least rounded distance is the least distance rounded.
    let distance_km = locations
        .iter()
        .filter_map(|l| l.distance_km)
        .min_by(f64::total_cmp);
    let nearest = nearest.min(locations.len().saturating_sub(1));
    Hit {
        profile: record.profile.clone(),
        distance_km,
        nearest_location: locations[nearest].clone(),
        json: Some(HitJson {
            record: record.clone(),
            nearest,
        }),
        locations,
        score: (plan.sort == crate::request::Sort::Relevance && plan.text.is_some())
            .then_some(score),
        highlights,
    }
}

/// A location as the public may see it (see [`PublicLocation`]), with no distance.
pub(crate) fn public_location(l: &Location) -> PublicLocation {
    let exact = l.visibility == Visibility::Exact;
    let shared = |text: &Option<String>| text.as_deref().map(Arc::from);
    PublicLocation {
        label: shared(&l.label),
        address: shared(&l.address).filter(|_| exact),
        city: shared(&l.city),
        region: shared(&l.region),
        postal_code: shared(&l.postal_code).filter(|_| exact),
        country: Arc::from(l.country.as_str()),
        lat: l.point.lat,
        lon: l.point.lon,
        visibility: l.visibility,
        wheelchair_accessible: l.wheelchair_accessible,
        distance_km: None,
    }
}

/// Distances to the metre.
fn round_km(km: f64) -> f64 {
    (km * 1000.0).round() / 1000.0
}

/// The merged counts of one facet (by value id, see [`ColumnValues`]) as response values.
pub(crate) fn facet_counts(
    facet: Facet,
    counts: &[u64],
    values: &ColumnValues,
    plan: &Plan,
    vocabulary: &Vocabulary,
    gazetteer: &Gazetteer,
) -> FacetCounts {
    let selected: &[String] = plan
        .groups
        .iter()
        .find(|g| g.facet == facet)
        .map_or(&[], |g| &g.values);
    // (count, id) of the values with a count, most first, then by value (ids are in value
    // order); only the shown ones are sorted.
    let mut shown: Vec<(u64, u32)> = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(id, c)| (*c, id as u32))
        .collect();
    let distinct = shown.len();
    let order = |a: &(u64, u32), b: &(u64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if shown.len() > plan.facet_size {
        shown.select_nth_unstable_by(plan.facet_size, order);
        shown.truncate(plan.facet_size);
    }
    shown.sort_unstable_by(order);
    let mut out: Vec<FacetValue> = shown
        .into_iter()
        .map(|(count, id)| {
            let value = &values.values[id as usize];
            FacetValue {
                value: value.clone(),
                label: values.labels[id as usize].clone(),
                count,
                selected: selected.contains(value),
            }
        })
        .collect();
    // Selected values always appear, with their real count even when the cut drops them.
    for value in selected {
        if !out.iter().any(|v| v.value == *value) {
            let id = values.id(value);
            out.push(FacetValue {
                label: id.map_or_else(
                    || label(facet, value, vocabulary, gazetteer),
                    |id| values.labels[id].clone(),
                ),
                count: id.map_or(0, |id| counts[id]),
                value: value.clone(),
                selected: true,
            });
        }
    }
    FacetCounts {
        facet: facet.name(),
        values: out,
        distinct,
    }
}

/// A human label for a facet value.
pub(crate) fn label(
    facet: Facet,
    value: &str,
    vocabulary: &Vocabulary,
    gazetteer: &Gazetteer,
) -> String {
    let found = match facet {
        Facet::Approach => vocabulary.approach(value).map(|t| t.label.clone()),
        Facet::Profession => vocabulary.profession(value).map(|t| t.label.clone()),
        Facet::Specialty => vocabulary.specialty(value).map(|t| t.label.clone()),
        Facet::Technique => vocabulary.technique(value).map(|t| t.label.clone()),
        Facet::Body => vocabulary
            .body_by_id(value)
            .map(|b| b.short_name.clone().unwrap_or_else(|| b.name.clone())),
        Facet::Credential => value.split_once(':').and_then(|(body, credential)| {
            let body = vocabulary.body_by_id(body)?;
            let kind = body.credentials.iter().find(|k| k.id == credential)?;
            let body_name = body.short_name.as_ref().unwrap_or(&body.name);
            Some(format!("{} ({body_name})", kind.label))
        }),
        Facet::Language => language_name(value).map(str::to_string),
        Facet::Country => None,
        Facet::Region => value
            .split_once('-')
            .and_then(|(country, code)| gazetteer.region_name(country, code))
            .map(|name| {
                let country = value.split_once('-').map_or("", |(c, _)| c);
                format!("{name}, {country}")
            }),
    };
    found.unwrap_or_else(|| value.to_string())
}
