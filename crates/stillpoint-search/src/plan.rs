//! Validation: a [`SearchRequest`] becomes a [`Plan`] with every value checked against the
//! limits and normalised through the vocabulary, or a list of every invalid parameter.

use stillpoint_gazetteer::Gazetteer;
use stillpoint_model::Vocabulary;
use stillpoint_model::codes::{is_country, language_name};
use stillpoint_model::text::fold;

use crate::cursor::CursorKey;
use crate::error::InvalidParam;
use crate::request::{BoundingBox, Facet, Limits, SearchRequest, Sort};
use crate::response::{Advisory, Center, PlaceCandidate};
use crate::text::{PhraseTable, TextQuery};
use stillpoint_index::tantivy::tokenizer::TextAnalyzer;

/// One facet filter, with its values normalised to what the index holds.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub facet: Facet,
    pub values: Vec<String>,
}

/// A validated request.
#[derive(Debug)]
pub(crate) struct Plan {
    pub text: Option<TextQuery>,
    pub center: Option<(f64, f64)>,
    pub center_info: Option<Center>,
    pub radius_km: Option<f64>,
    pub bbox: Option<BoundingBox>,
    pub groups: Vec<Group>,
    /// Flag filters: (flag, wanted value).
    pub flags: Vec<(Flag, bool)>,
    pub fee_max: Option<f64>,
    /// Only this association's members.
    pub association: Option<String>,
    pub verified: bool,
    pub sort: Sort,
    pub facets: Vec<Facet>,
    pub facet_size: usize,
    pub limit: usize,
    pub offset: usize,
    pub cursor: Option<CursorKey>,
    pub advisories: Vec<Advisory>,
}

impl Plan {
    /// Whether a practitioner must hold a verified credential: `verified` without a body or
    /// credential filter (with one, the filter itself uses verified credentials).
    pub fn require_verified(&self) -> bool {
        self.verified
            && !self
                .groups
                .iter()
                .any(|g| matches!(g.facet, Facet::Body | Facet::Credential))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flag {
    Accepting,
    HomeVisits,
    Wheelchair,
    SlidingScale,
}

pub(crate) struct Context<'a> {
    pub vocabulary: &'a Vocabulary,
    pub gazetteer: &'a Gazetteer,
    pub phrases: &'a PhraseTable,
    pub limits: &'a Limits,
}

pub(crate) fn plan(
    request: &SearchRequest,
    cx: &Context<'_>,
    analyzer: &mut TextAnalyzer,
) -> Result<Plan, Vec<InvalidParam>> {
    let mut errors: Vec<InvalidParam> = Vec::new();
    let mut invalid = |name: &str, reason: String| errors.push(InvalidParam::new(name, reason));
    let limits = cx.limits;

    // Free text.
    let q = request
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty());
    if let Some(q) = q
        && q.chars().count() > limits.max_query_chars
    {
        invalid(
            "q",
            format!(
                "is {} characters long; at most {} are allowed",
                q.chars().count(),
                limits.max_query_chars
            ),
        );
    }
    // Parsed untrimmed at the end: a trailing space says the last word is complete, so it is not
    // also matched as a prefix.
    // A query over the limit is refused without being parsed.
    let within_limit = q.is_none_or(|q| q.chars().count() <= limits.max_query_chars);
    let text = q.filter(|_| within_limit).map(|_| {
        let typed = request.q.as_deref().unwrap_or_default().trim_start();
        TextQuery::parse(typed, cx.phrases, analyzer)
    });

    // Centre.
    let mut center = None;
    let mut center_info = None;
    match (request.lat, request.lon) {
        (Some(lat), Some(lon)) => {
            let mut ok = true;
            if !(-90.0..=90.0).contains(&lat) {
                invalid("lat", format!("{lat} is outside -90..90"));
                ok = false;
            }
            if !(-180.0..=180.0).contains(&lon) {
                invalid("lon", format!("{lon} is outside -180..180"));
                ok = false;
            }
            if request.near.is_some() {
                invalid(
                    "near",
                    "give either near or lat and lon, not both".to_string(),
                );
                ok = false;
            }
            if ok {
                center = Some((lat, lon));
                center_info = Some(Center {
                    lat,
                    lon,
                    label: None,
                    query: None,
                    alternatives: Vec::new(),
                });
            }
        }
        (Some(_), None) => invalid("lon", "lat needs lon".to_string()),
        (None, Some(_)) => invalid("lat", "lon needs lat".to_string()),
        (None, None) => {
            if let Some(near) = request.near.as_deref().map(str::trim) {
                if near.is_empty() {
                    invalid("near", "is empty".to_string());
                } else if near.chars().count() > limits.max_query_chars {
                    invalid(
                        "near",
                        format!("is longer than {} characters", limits.max_query_chars),
                    );
                } else {
                    let places = cx.gazetteer.resolve(near, 6);
                    match places.split_first() {
                        None => invalid("near", format!("no known place matches {near:?}")),
                        Some((first, rest)) => {
                            center = Some((first.lat, first.lon));
                            center_info = Some(Center {
                                lat: first.lat,
                                lon: first.lon,
                                label: Some(first.label.clone()),
                                query: Some(near.to_string()),
                                alternatives: rest
                                    .iter()
                                    .map(|p| PlaceCandidate {
                                        label: p.label.clone(),
                                        lat: p.lat,
                                        lon: p.lon,
                                        country: p.country.clone(),
                                        region: p.region.clone(),
                                        population: p.population,
                                    })
                                    .collect(),
                            });
                        }
                    }
                }
            }
        }
    }

    // A box deserialised from JSON never went through its parser.
    if let Some(Err(reason)) = request.bbox.map(|b| b.validate()) {
        invalid("bbox", reason);
    }

    // Radius.
    let radius_km = request.radius.map(|d| d.km);
    if let Some(r) = radius_km {
        if r < 0.0 || r.is_nan() {
            invalid("radius", format!("{r} km is negative"));
        } else if r > limits.max_radius_km {
            invalid(
                "radius",
                format!(
                    "{r} km is above the largest radius, {} km",
                    limits.max_radius_km
                ),
            );
        }
        if request.lat.is_none() && request.near.is_none() {
            invalid("radius", "needs a centre: near, or lat and lon".to_string());
        }
    }

    // Filters.
    if request.filters.len() > limits.max_filter_values {
        invalid(
            "filters",
            format!(
                "{} filter values; at most {} are allowed",
                request.filters.len(),
                limits.max_filter_values
            ),
        );
    }
    let mut groups = Vec::new();
    for (facet, values) in request.filters.iter() {
        let mut normalised: Vec<String> = Vec::new();
        for value in values {
            match normalise(cx, facet, value) {
                Ok(ids) => {
                    for id in ids {
                        if !normalised.contains(&id) {
                            normalised.push(id);
                        }
                    }
                }
                Err(reason) => invalid(facet.name(), reason),
            }
        }
        if !normalised.is_empty() {
            groups.push(Group {
                facet,
                values: normalised,
            });
        }
    }
    let flags = [
        (Flag::Accepting, request.flags.accepting),
        (Flag::HomeVisits, request.flags.home_visits),
        (Flag::Wheelchair, request.flags.wheelchair),
        (Flag::SlidingScale, request.flags.sliding_scale),
    ]
    .into_iter()
    .filter_map(|(flag, want)| want.map(|w| (flag, w)))
    .collect();
    if let Some(fee) = request.fee_max
        && !(fee >= 0.0 && fee.is_finite())
    {
        invalid("fee_max", format!("{fee} is not a fee (a number >= 0)"));
    }

    // Order and paging.
    let has_text = text.is_some();
    let sort = request.sort.unwrap_or(if has_text {
        Sort::Relevance
    } else if center.is_some() || request.near.is_some() || request.lat.is_some() {
        Sort::Distance
    } else {
        Sort::Name
    });
    if sort == Sort::Distance && request.lat.is_none() && request.near.is_none() {
        invalid(
            "sort",
            "distance needs a centre: near, or lat and lon".to_string(),
        );
    }
    if request.limit > limits.max_limit {
        invalid(
            "limit",
            format!(
                "{} is above the largest page, {}",
                request.limit, limits.max_limit
            ),
        );
    }
    // Saturating: huge values from a client must be refused, not overflow.
    let window = request.offset.saturating_add(request.limit);
    if window > limits.max_window {
        invalid(
            "offset",
            format!(
                "offset + limit is {window}; at most {} (use the cursor to go deeper)",
                limits.max_window
            ),
        );
    }
    if request.facet_size > limits.max_facet_size {
        invalid(
            "facet_size",
            format!(
                "{} is above the largest, {}",
                request.facet_size, limits.max_facet_size
            ),
        );
    }
    let cursor = match request.cursor.as_deref() {
        None => None,
        Some(token) => match CursorKey::decode(token) {
            Ok(key) if key.sort != sort => {
                invalid(
                    "cursor",
                    format!(
                        "was made for sort={}, this search sorts by {}",
                        key.sort.name(),
                        sort.name()
                    ),
                );
                None
            }
            Ok(key) => {
                if request.offset > 0 {
                    invalid("offset", "cannot be combined with a cursor".to_string());
                }
                Some(key)
            }
            Err(reason) => {
                invalid("cursor", reason);
                None
            }
        },
    };

    let mut facets = request
        .facets
        .clone()
        .unwrap_or_else(|| Facet::ALL.to_vec());
    facets.sort_unstable();
    facets.dedup();

    if !errors.is_empty() {
        return Err(errors);
    }

    let advisories = advisories(cx.vocabulary, q, &groups);
    Ok(Plan {
        text,
        center,
        center_info,
        radius_km,
        bbox: request.bbox,
        groups,
        flags,
        fee_max: request.fee_max,
        association: request.association.clone(),
        verified: request.verified,
        sort,
        facets,
        facet_size: request.facet_size,
        limit: request.limit,
        offset: request.offset,
        cursor,
        advisories,
    })
}

/// A filter value as the index holds it: vocabulary ids for vocabulary facets (labels and
/// synonyms accepted), upper-case country and region codes, lower-case language codes.
fn normalise(cx: &Context<'_>, facet: Facet, value: &str) -> Result<Vec<String>, String> {
    let v = cx.vocabulary;
    let value = value.trim();
    if value.is_empty() {
        return Err("an empty value".to_string());
    }
    let unknown = |what: &str| Err(format!("unknown {what} {value:?}"));
    match facet {
        Facet::Approach => v
            .approach(value)
            .map(|t| vec![t.id.clone()])
            .map_or_else(|| unknown("approach"), Ok),
        Facet::Profession => v
            .profession(value)
            .map(|t| vec![t.id.clone()])
            .map_or_else(|| unknown("profession"), Ok),
        Facet::Specialty => v
            .specialty(value)
            .map(|t| vec![t.id.clone()])
            .map_or_else(|| unknown("specialty"), Ok),
        Facet::Technique => v
            .technique(value)
            .map(|t| vec![t.id.clone()])
            .map_or_else(|| unknown("technique"), Ok),
        Facet::Body => v
            .body(value)
            .map(|b| vec![b.id.clone()])
            .map_or_else(|| unknown("certification body"), Ok),
        Facet::Credential => match value.split_once(':') {
            Some((body, credential)) => {
                let Some(body) = v.body(body) else {
                    return Err(format!("unknown certification body {body:?} in {value:?}"));
                };
                match v.credential(body, credential) {
                    Some(c) => Ok(vec![format!("{}:{}", body.id, c.id)]),
                    None => Err(format!("{} issues no credential {credential:?}", body.id)),
                }
            }
            // A bare credential name means it from any body that issues it.
            None => {
                let keys: Vec<String> = v
                    .bodies
                    .iter()
                    .filter_map(|b| v.credential(b, value).map(|c| format!("{}:{}", b.id, c.id)))
                    .collect();
                if keys.is_empty() {
                    Err(format!(
                        "unknown credential {value:?} (write body:credential, e.g. upledger:CST-D)"
                    ))
                } else {
                    Ok(keys)
                }
            }
        },
        Facet::Language => {
            let code = value.to_ascii_lowercase();
            if language_name(&code).is_some() {
                Ok(vec![code])
            } else {
                Err(format!("{value:?} is not an ISO 639-1 language code"))
            }
        }
        Facet::Country => {
            let code = value.to_ascii_uppercase();
            if is_country(&code) {
                Ok(vec![code])
            } else {
                Err(format!(
                    "{value:?} is not an ISO 3166-1 alpha-2 country code"
                ))
            }
        }
        Facet::Region => {
            let code = value.to_ascii_uppercase();
            match code.split_once('-') {
                Some((country, region)) if is_country(country) && !region.is_empty() => {
                    Ok(vec![code])
                }
                _ => Err(format!(
                    "{value:?} is not a region; write country-region, e.g. US-CO"
                )),
            }
        }
    }
}

/// Contraindication notices for the query text and the selected specialties.
fn advisories(vocabulary: &Vocabulary, q: Option<&str>, groups: &[Group]) -> Vec<Advisory> {
    let mut texts: Vec<String> = q.map(str::to_string).into_iter().collect();
    for group in groups.iter().filter(|g| g.facet == Facet::Specialty) {
        for id in &group.values {
            texts.push(fold(id));
            if let Some(term) = vocabulary.specialty(id) {
                texts.push(term.label.clone());
            }
        }
    }
    let mut out: Vec<Advisory> = Vec::new();
    for text in &texts {
        for c in vocabulary.contraindications_in(text) {
            if !out.iter().any(|a| a.id == c.id) {
                out.push(Advisory {
                    id: c.id.clone(),
                    label: c.label.clone(),
                    level: c.level.clone(),
                    notice: c.notice.clone(),
                });
            }
        }
    }
    out
}
