//! From a feed record to a practitioner: validation, vocabulary normalisation, geocoding,
//! verification and privacy. Every problem of a record is reported, not just the first.

mod location;
pub(crate) mod text;

use std::sync::Arc;

use stillpoint_gazetteer::Gazetteer;
use stillpoint_model::date::Date;
use stillpoint_model::vocabulary::Term;
use stillpoint_model::{
    Contact, Credential, FeedRecord, Fees, Practitioner, PractitionerId, Vocabulary, codes,
};

use crate::record::FieldError;

/// Longest bio, in characters.
pub const MAX_BIO_CHARS: usize = 5_000;
const MAX_NAME_CHARS: usize = 200;
const MAX_LIST_ITEMS: usize = 50;
const MAX_LOCATIONS: usize = 20;

/// Normalises the records of one association's feed.
#[derive(Debug)]
pub struct Normalizer {
    vocabulary: Arc<Vocabulary>,
    places: location::PlaceCache,
    association: String,
}

/// A normalised record and the remarks made on the way.
pub type Normalized = (Practitioner, Vec<FieldError>);

impl Normalizer {
    pub fn new(
        vocabulary: Arc<Vocabulary>,
        gazetteer: &'static Gazetteer,
        association: &str,
    ) -> Self {
        Normalizer {
            vocabulary,
            places: location::PlaceCache::new(gazetteer),
            association: association.to_owned(),
        }
    }

    /// Validates and normalises one record.
    pub fn normalize(&self, feed: &FeedRecord) -> Result<Normalized, Vec<FieldError>> {
        let v = &*self.vocabulary;
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let take = |field: &dyn Fn() -> String,
                    r: Result<Option<String>, String>,
                    errors: &mut Vec<FieldError>| {
            r.unwrap_or_else(|message| {
                errors.push(FieldError::new(field(), message));
                None
            })
        };

        let member_id = feed.member_id.trim();
        if !is_member_id(member_id) {
            errors.push(FieldError::new(
                "member_id",
                format!(
                    "{:?} must be 1-64 characters of A-Z a-z 0-9 . _ -",
                    feed.member_id
                ),
            ));
        }
        let name = take(
            &|| "name".into(),
            text::line(Some(&feed.name), MAX_NAME_CHARS),
            &mut errors,
        );
        if name.is_none() && feed.name.trim().is_empty() {
            errors.push(FieldError::new("name", "is required"));
        }
        let practice_name = take(
            &|| "practice_name".into(),
            text::line(feed.practice_name.as_deref(), MAX_NAME_CHARS),
            &mut errors,
        );
        let approach = feed
            .approach
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .and_then(|a| match v.approach(a) {
                Some(term) => Some(term.id.clone()),
                None => {
                    errors.push(FieldError::new(
                        "approach",
                        format!("{a:?} must be biodynamic, biomechanical or integrative"),
                    ));
                    None
                }
            });

        let mut credentials: Vec<Credential> = Vec::new();
        check_list_length("credentials", feed.credentials.len(), &mut errors);
        for (i, c) in feed.credentials.iter().take(MAX_LIST_ITEMS).enumerate() {
            let path = |f: &str| format!("credentials[{i}].{f}");
            let Some(body) = v.body(c.body.trim()) else {
                errors.push(FieldError::new(
                    path("body"),
                    format!("unknown certification body {:?}", c.body),
                ));
                continue;
            };
            let code = match v.credential(body, c.credential.trim()) {
                Some(kind) => kind.id.clone(),
                None => match take(
                    &|| path("credential"),
                    text::line(Some(&c.credential), 60),
                    &mut errors,
                ) {
                    Some(code) => {
                        warnings.push(FieldError::new(path("credential"), format!("{code:?} is not a credential the vocabulary lists for {}; kept as published", body.id)));
                        code
                    }
                    None => {
                        errors.push(FieldError::new(path("credential"), "is required"));
                        continue;
                    }
                },
            };
            let since = date(|| path("since"), c.since.as_deref(), &mut errors);
            let expires = date(|| path("expires"), c.expires.as_deref(), &mut errors);
            let credential = Credential {
                verified: v.vouches(&self.association, body),
                body: body.id.clone(),
                credential: code,
                since,
                expires,
            };
            if !credentials
                .iter()
                .any(|k| k.body == credential.body && k.credential == credential.credential)
            {
                credentials.push(credential);
            }
        }

        let (professions, other_professions) = self.terms(
            "professions",
            &feed.professions,
            |n| v.profession(n),
            &mut errors,
            &mut warnings,
        );
        let (specialties, other_specialties) = self.terms(
            "specialties",
            &feed.specialties,
            |n| v.specialty(n),
            &mut errors,
            &mut warnings,
        );
        let (techniques, other_techniques) = self.terms(
            "techniques",
            &feed.techniques,
            |n| v.technique(n),
            &mut errors,
            &mut warnings,
        );

        let mut languages: Vec<String> = Vec::new();
        check_list_length("languages", feed.languages.len(), &mut errors);
        for (i, language) in feed.languages.iter().take(MAX_LIST_ITEMS).enumerate() {
            match language_code(language) {
                Some(code) if !languages.iter().any(|l| l == code) => {
                    languages.push(code.to_owned())
                }
                Some(_) => {}
                None => warnings.push(FieldError::new(
                    format!("languages[{i}]"),
                    format!("{language:?} is not an ISO 639-1 language code; ignored"),
                )),
            }
        }

        let mut locations = Vec::new();
        if feed.locations.is_empty() {
            errors.push(FieldError::new(
                "locations",
                "at least one location is required",
            ));
        } else if feed.locations.len() > MAX_LOCATIONS {
            errors.push(FieldError::new(
                "locations",
                format!(
                    "{} locations, at most {MAX_LOCATIONS} are allowed",
                    feed.locations.len()
                ),
            ));
        } else {
            for (i, l) in feed.locations.iter().enumerate() {
                if let Some(location) =
                    location::normalize_location(&self.places, i, l, &mut errors, &mut warnings)
                {
                    locations.push(location);
                }
            }
        }

        let home_visits_km = feed.home_visits_km.filter(|&km| {
            let ok = (0.0..=500.0).contains(&km);
            if !ok {
                errors.push(FieldError::new(
                    "home_visits_km",
                    format!("{km} is out of range (0 to 500)"),
                ));
            }
            ok && km > 0.0
        });
        let fees = feed.fees.as_ref().and_then(|f| {
            let currency = f.currency.trim().to_ascii_uppercase();
            let mut ok = true;
            if !codes::is_currency(&currency) {
                errors.push(FieldError::new(
                    "fees.currency",
                    format!("{:?} is not an ISO 4217 currency code", f.currency),
                ));
                ok = false;
            }
            for (field, value) in [("fees.min", f.min), ("fees.max", f.max)] {
                if let Some(value) = value.filter(|v| !(0.0..=100_000.0).contains(v)) {
                    errors.push(FieldError::new(
                        field,
                        format!("{value} is out of range (0 to 100000)"),
                    ));
                    ok = false;
                }
            }
            if let (Some(min), Some(max)) = (f.min, f.max)
                && min > max
            {
                errors.push(FieldError::new(
                    "fees.min",
                    format!("{min} is more than fees.max {max}"),
                ));
                ok = false;
            }
            ok.then(|| Fees {
                min: f.min,
                max: f.max,
                currency,
                sliding_scale: f.sliding_scale == Some(true),
            })
        });
        let mut session_minutes = Vec::new();
        for (i, &minutes) in feed.session_minutes.iter().take(MAX_LIST_ITEMS).enumerate() {
            if !(5..=480).contains(&minutes) {
                errors.push(FieldError::new(
                    format!("session_minutes[{i}]"),
                    format!("{minutes} is out of range (5 to 480)"),
                ));
            } else if !session_minutes.contains(&minutes) {
                session_minutes.push(minutes);
            }
        }
        session_minutes.sort_unstable();

        let contact = feed.contact.clone().unwrap_or_default();
        let email = take(
            &|| "contact.email".into(),
            text::email(contact.email.as_deref()),
            &mut errors,
        );
        let contact = Contact {
            phone: take(
                &|| "contact.phone".into(),
                text::phone(contact.phone.as_deref()),
                &mut errors,
            ),
            // A private address is for the association only: it is never stored, so it can never
            // be shown.
            email: email.filter(|_| contact.public_email == Some(true)),
            website: take(
                &|| "contact.website".into(),
                text::url(contact.website.as_deref()),
                &mut errors,
            ),
            booking_url: take(
                &|| "contact.booking_url".into(),
                text::url(contact.booking_url.as_deref()),
                &mut errors,
            ),
        };
        let bio = take(
            &|| "bio".into(),
            text::paragraph(feed.bio.as_deref(), MAX_BIO_CHARS),
            &mut errors,
        );
        let practicing_since = feed.practicing_since.filter(|&year| {
            let ok = (1900..=2100).contains(&year);
            if !ok {
                errors.push(FieldError::new(
                    "practicing_since",
                    format!("{year} is not a plausible year"),
                ));
            }
            ok
        });
        let last_confirmed = date(
            || "last_confirmed".to_owned(),
            feed.last_confirmed.as_deref(),
            &mut errors,
        );

        if !errors.is_empty() {
            return Err(errors);
        }
        let practitioner = Practitioner {
            id: PractitionerId::new(&self.association, member_id),
            association: self.association.clone(),
            member_id: member_id.to_owned(),
            name: name.unwrap_or_default(),
            practice_name,
            approach,
            credentials,
            professions,
            other_professions,
            specialties,
            other_specialties,
            techniques,
            other_techniques,
            languages,
            locations,
            home_visits_km,
            accepting_new_clients: feed.accepting_new_clients,
            fees,
            session_minutes,
            contact,
            bio,
            practicing_since,
            last_confirmed,
        };
        Ok((practitioner, warnings))
    }

    /// Splits a list into vocabulary ids and unknown values kept as free text (a warning each).
    fn terms<'v>(
        &self,
        section: &str,
        values: &[String],
        lookup: impl Fn(&str) -> Option<&'v Term>,
        errors: &mut Vec<FieldError>,
        warnings: &mut Vec<FieldError>,
    ) -> (Vec<String>, Vec<String>) {
        let mut ids: Vec<String> = Vec::new();
        let mut other: Vec<String> = Vec::new();
        check_list_length(section, values.len(), errors);
        for (i, value) in values.iter().take(MAX_LIST_ITEMS).enumerate() {
            // Formatted only when there is something to report.
            let path = || format!("{section}[{i}]");
            match lookup(value) {
                Some(term) if !ids.contains(&term.id) => ids.push(term.id.clone()),
                Some(_) => {}
                None => match text::line(Some(value), 80) {
                    Ok(Some(text)) => {
                        warnings.push(FieldError::new(
                            path(),
                            format!("{text:?} is not in the vocabulary; kept as free text"),
                        ));
                        if !other.contains(&text) {
                            other.push(text);
                        }
                    }
                    Ok(None) => {}
                    Err(message) => errors.push(FieldError::new(path(), message)),
                },
            }
        }
        (ids, other)
    }
}

fn check_list_length(section: &str, len: usize, errors: &mut Vec<FieldError>) {
    if len > MAX_LIST_ITEMS {
        errors.push(FieldError::new(
            section,
            format!("{len} items, at most {MAX_LIST_ITEMS} are allowed"),
        ));
    }
}

fn date(
    path: impl FnOnce() -> String,
    value: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    match Date::parse(value) {
        Some(_) => Some(value.to_owned()),
        None => {
            errors.push(FieldError::new(
                path(),
                format!("{value:?} is not a date (YYYY-MM-DD)"),
            ));
            None
        }
    }
}

/// An ISO 639-1 code, or an English language name ("German" -> "de").
fn language_code(value: &str) -> Option<&'static str> {
    let value = value.trim();
    // Codes are lowercase ASCII, so comparing ignoring ASCII case is comparing with the
    // lowercased value, without allocating it.
    codes::LANGUAGES
        .iter()
        .find(|(code, name)| code.eq_ignore_ascii_case(value) || name.eq_ignore_ascii_case(value))
        .map(|(code, _)| *code)
}

/// 1-64 characters of `A-Za-z0-9._-`.
pub fn is_member_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}
