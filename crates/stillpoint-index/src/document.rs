//! Practitioner <-> tantivy document.

use sha2::{Digest, Sha256};
use stillpoint_model::Practitioner;
use stillpoint_model::date::Date;
use stillpoint_model::text::fold;
use tantivy::TantivyDocument;
use tantivy::schema::Value;

use crate::error::{IndexError, Result};
use crate::geo;
use crate::schema::Fields;

/// A practitioner's stored form (the JSON of the `record` field) and its content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    json: String,
    hash: u64,
}

impl StoredRecord {
    /// Serialises the normalised practitioner and hashes it.
    ///
    /// The hash is the first 8 bytes (big-endian) of the SHA-256 of the stored JSON: the same
    /// on every machine, process and build, unlike `std`'s randomly seeded hashers, so hashes
    /// written by one build compare with records normalised by the next. A change of the model
    /// or of the vocabulary that changes the stored JSON changes the hash, which is right: such a
    /// member must be indexed again.
    pub fn of(p: &Practitioner) -> StoredRecord {
        let json = serde_json::to_string(p).expect("a practitioner always serialises");
        let digest = Sha256::digest(json.as_bytes());
        let mut head = [0u8; 8];
        head.copy_from_slice(&digest[..8]);
        StoredRecord {
            json,
            hash: u64::from_be_bytes(head),
        }
    }

    /// The content hash (see [`StoredRecord::of`]).
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The stored JSON.
    pub fn json(&self) -> &str {
        &self.json
    }
}

/// Maps practitioners to documents.
#[derive(Debug, Clone)]
pub struct DocumentMapper {
    fields: Fields,
}

impl DocumentMapper {
    pub fn new(fields: Fields) -> Self {
        DocumentMapper { fields }
    }

    /// The document of one practitioner. Everything in it comes from the normalised record, so
    /// what privacy removed there (street addresses, exact points of city-only locations) cannot
    /// reach the index.
    pub fn to_document(&self, p: &Practitioner) -> TantivyDocument {
        self.document(p, StoredRecord::of(p))
    }

    /// The document of one practitioner whose stored form was already made (to compare its
    /// hash first); `record` must be [`StoredRecord::of`] `p`.
    pub fn document(&self, p: &Practitioner, record: StoredRecord) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, p.id.as_str());
        doc.add_text(f.association, &p.association);
        doc.add_u64(f.content_hash, record.hash);
        let z_order = p.locations.first().map_or(u64::MAX, |l| {
            u64::from(geo::z_order(l.point.lat, l.point.lon))
        });
        doc.add_u64(f.z_order, z_order);
        doc.add_text(f.record, record.json);
        doc.add_text(f.name_sort, fold(&p.name));

        doc.add_text(f.name, &p.name);
        if let Some(practice) = &p.practice_name {
            doc.add_text(f.practice_name, practice);
        }
        if let Some(bio) = &p.bio {
            doc.add_text(f.bio, bio);
        }
        if let Some(approach) = &p.approach {
            doc.add_text(f.approach, approach);
        }
        for id in &p.professions {
            doc.add_text(f.profession, id);
        }
        for id in &p.specialties {
            doc.add_text(f.specialty, id);
        }
        for id in &p.techniques {
            doc.add_text(f.technique, id);
        }
        for other in p
            .other_professions
            .iter()
            .chain(&p.other_specialties)
            .chain(&p.other_techniques)
        {
            doc.add_text(f.other_terms, other);
        }
        for credential in &p.credentials {
            let key = credential.key();
            doc.add_text(f.body, &credential.body);
            doc.add_text(f.credential, &key);
            if credential.verified {
                doc.add_text(f.verified_body, &credential.body);
                doc.add_text(f.verified_credential, &key);
            }
        }
        for language in &p.languages {
            doc.add_text(f.language, language);
        }
        let mut countries: Vec<&str> = Vec::new();
        let mut regions: Vec<String> = Vec::new();
        for location in &p.locations {
            if !countries.contains(&location.country.as_str()) {
                countries.push(&location.country);
            }
            if let Some(region) = location.region_key()
                && !regions.contains(&region)
            {
                regions.push(region);
            }
            for place in [&location.city, &location.region].into_iter().flatten() {
                doc.add_text(f.place, place);
            }
            doc.add_f64(f.lat, location.point.lat);
            doc.add_f64(f.lon, location.point.lon);
            for cell in geo::cells_of(location.point.lat, location.point.lon) {
                doc.add_u64(f.geo_cell, cell);
            }
        }
        for country in countries {
            doc.add_text(f.country, country);
        }
        for region in regions {
            doc.add_text(f.region, region);
        }

        let flag = |b: bool| u64::from(b);
        doc.add_u64(f.accepting, flag(p.accepting_new_clients == Some(true)));
        doc.add_u64(
            f.home_visits,
            flag(p.home_visits_km.is_some_and(|km| km > 0.0)),
        );
        doc.add_u64(f.wheelchair, flag(p.wheelchair_accessible()));
        doc.add_u64(
            f.sliding_scale,
            flag(p.fees.as_ref().is_some_and(|fees| fees.sliding_scale)),
        );
        doc.add_u64(f.verified, flag(p.has_verified_credential()));
        if let Some(fees) = &p.fees {
            if let Some(min) = fees.min.or(fees.max) {
                doc.add_f64(f.fee_min, min);
            }
            if let Some(max) = fees.max.or(fees.min) {
                doc.add_f64(f.fee_max, max);
            }
        }
        if let Some(km) = p.home_visits_km {
            doc.add_f64(f.home_visits_km, km);
        }
        if let Some(date) = p.last_confirmed.as_deref().and_then(Date::parse) {
            doc.add_i64(f.last_confirmed, date.days_since_epoch());
        }
        doc
    }
}

/// Decodes the stored record of a document.
pub fn practitioner_from_stored(fields: &Fields, doc: &TantivyDocument) -> Result<Practitioner> {
    let json = doc
        .get_first(fields.record)
        .and_then(|v| v.as_str())
        .ok_or_else(|| IndexError::Corrupt("document has no stored record".into()))?;
    serde_json::from_str(json).map_err(|e| IndexError::Corrupt(e.to_string()))
}
