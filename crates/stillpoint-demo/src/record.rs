//! [`Generator`]: one practitioner after another, as an endless iterator of [`FeedRecord`]s.
//!
//! The rates below are the demo's distribution (and the bench's); they are documented next to
//! the draws so a reader can check a generated feed against them.

use rand::{Rng, SeedableRng};
use stillpoint_model::vocabulary::Vocabulary;
use stillpoint_model::{FeedContact, FeedCredential, FeedFees, FeedRecord};

use crate::catalog::{Approach, Catalog, Role};
use crate::cities::CityInput;
use crate::locale;
use crate::location;
use crate::places::{CityTable, Reach};
use crate::prose::{self, BioFacts};
use crate::random::{self, DemoRng, PUBLISHED, chance, pick, pick_weighted};

/// Generates practitioner records for one association's feed.
///
/// The iterator never ends: take as many records as you need (`generator.take(n)`). Records are
/// built one at a time, so memory stays flat however many are drawn.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: DemoRng,
    catalog: Catalog,
    cities: CityTable,
    next_member: u64,
    scratch: Vec<usize>,
}

impl Generator {
    /// A generator for `association`'s feed. Same inputs, same records: the RNG is seeded from
    /// `seed` mixed with the association id, so two associations generated with one seed still
    /// list different people.
    pub fn new<C: CityInput>(
        vocabulary: &Vocabulary,
        cities: &[C],
        seed: u64,
        association: &str,
    ) -> Generator {
        let catalog = Catalog::new(vocabulary, association);
        let reach = Reach::of(association, catalog.association_country.as_deref());
        Generator {
            rng: DemoRng::seed_from_u64(seed ^ fnv1a(association.as_bytes())),
            cities: CityTable::new(cities, &reach),
            catalog,
            next_member: 1,
            scratch: Vec::with_capacity(8),
        }
    }

    /// The next practitioner.
    pub fn record(&mut self) -> FeedRecord {
        let mut member_id = String::with_capacity(9);
        member_id.push_str("M-");
        random::push_padded(&mut member_id, self.next_member, 6);
        self.next_member += 1;
        let rng = &mut self.rng;
        let catalog = &self.catalog;

        let home = self.cities.sample(rng);
        let city = self.cities.get(home);
        let country = city.country.clone();
        let local = locale::local_culture(rng, &country, city.region_code.as_deref());
        let own = locale::name_culture(rng, local);
        let names = own.names();
        let (first, last) = (*pick(rng, names.first), *pick(rng, names.last));
        let name = format!("{first} {last}");
        let practice_name = prose::practice_name(rng, local, &country, last, &city.name);

        let approach = pick_weighted(rng, &catalog.approach_mix);
        // Recent decades trained far more practitioners than the 1980s did.
        let since = 2025 - (40.0 * rng.random::<f64>().powf(1.6)) as i32;
        let credentials = credentials(rng, catalog, approach, &country, since);

        let mut professions = Vec::new();
        let count = pick_weighted(rng, &[(1, 0.78), (2, 0.20), (0, 0.02)]);
        catalog.professions.sample(rng, count, &mut self.scratch);
        for &i in &self.scratch {
            professions.push(catalog.professions.terms[i].written(rng, 0.05).to_string());
        }
        let first_profession = self
            .scratch
            .first()
            .map(|&i| catalog.professions.terms[i].phrase.as_str());
        // ~1%: a profession the vocabulary does not know, so ingest's warning path sees traffic.
        if !catalog.free_professions.is_empty() && chance(rng, 0.01) {
            professions.push(pick(rng, &catalog.free_professions).to_string());
        }

        let count = pick_weighted(rng, &[(2, 0.2), (3, 0.3), (4, 0.25), (5, 0.15), (6, 0.1)]);
        catalog.specialties.sample(rng, count, &mut self.scratch);
        let chosen: Vec<_> = self
            .scratch
            .iter()
            .map(|&i| &catalog.specialties.terms[i])
            .collect();
        // ~10% of values are a label or synonym, so normalisation is exercised.
        let specialties = chosen
            .iter()
            .map(|t| t.written(rng, 0.10).to_string())
            .collect();

        let count = match approach {
            Some(Approach::Biomechanical) => rng.random_range(1..=3),
            Some(Approach::Biodynamic) => rng.random_range(0..=1),
            _ => rng.random_range(0..=2),
        };
        let technique_table = catalog.techniques(approach);
        technique_table.sample(rng, count, &mut self.scratch);
        let techniques: Vec<String> = self
            .scratch
            .iter()
            .map(|&i| technique_table.terms[i].written(rng, 0.05).to_string())
            .collect();
        let first_technique = self
            .scratch
            .first()
            .map(|&i| technique_table.terms[i].phrase.as_str());

        let mut languages = Vec::with_capacity(3);
        locale::languages(rng, &country, local, own, &mut languages);
        let locations = location::locations(rng, &mut self.cities, home, local);

        let mut session_minutes = Vec::with_capacity(2);
        if chance(rng, 0.9) {
            locale::session_minutes(rng, &mut session_minutes);
        }
        let trained_with = credentials
            .first()
            .and_then(|c| catalog.bodies.iter().find(|b| b.id == c.body))
            .map(|b| b.name.as_str());
        let bio = chance(rng, 0.9).then(|| {
            let facts = BioFacts {
                approach,
                specialties: &chosen,
                technique: first_technique,
                profession: first_profession,
                trained_with,
                since,
                minutes: session_minutes.first().copied(),
            };
            prose::bio(rng, local, &facts)
        });

        let approach = approach.map(|a| approach_written(rng, catalog, a));
        let contact = contact(rng, &country, first, last, practice_name.as_deref());
        let last_confirmed = chance(rng, 0.95).then(|| {
            let published = random::days_from_civil(PUBLISHED.0, PUBLISHED.1, PUBLISHED.2);
            random::iso_date(published - rng.random_range(0..730))
        });
        FeedRecord {
            member_id,
            name,
            practice_name,
            approach,
            credentials,
            professions,
            specialties,
            techniques,
            languages,
            locations,
            // ~15% visit clients at home, within 5-40 km.
            home_visits_km: chance(rng, 0.15).then(|| f64::from(rng.random_range(1..=8) * 5)),
            accepting_new_clients: pick_weighted(
                rng,
                &[(Some(true), 0.7), (Some(false), 0.2), (None, 0.1)],
            ),
            fees: fees(rng, &country),
            session_minutes,
            contact: Some(contact),
            bio,
            practicing_since: Some(since),
            last_confirmed,
        }
    }
}

impl Iterator for Generator {
    type Item = FeedRecord;

    fn next(&mut self) -> Option<FeedRecord> {
        Some(self.record())
    }
}

/// The approach id, or now and then its label ("Biodynamic"), which ingest must normalise.
fn approach_written(rng: &mut DemoRng, catalog: &Catalog, approach: Approach) -> String {
    let entry = catalog
        .approach_labels
        .iter()
        .find(|(id, _)| id == approach.id());
    match entry {
        Some((_, label)) if chance(rng, 0.05) => label.clone(),
        _ => approach.id().to_string(),
    }
}

/// Mostly one credential from the publishing association's own bodies (~85%, so it verifies),
/// else a claim from another body of the same approach; ~20% add a second, unverified one.
fn credentials(
    rng: &mut DemoRng,
    catalog: &Catalog,
    approach: Option<Approach>,
    country: &str,
    since: i32,
) -> Vec<FeedCredential> {
    let own = catalog
        .own_body(rng, approach)
        .filter(|_| chance(rng, 0.85));
    let primary = own
        .or_else(|| catalog.body_for(rng, approach, country, Role::Primary, &[]))
        .or_else(|| catalog.body_for(rng, approach, country, Role::Extra, &[]));
    let Some(primary) = primary else {
        return Vec::new();
    };
    let mut chosen = vec![primary];
    if chance(rng, 0.2)
        && let Some(extra) = catalog.body_for(rng, approach, country, Role::Extra, &chosen)
    {
        chosen.push(extra);
    }
    chosen
        .into_iter()
        .map(|i| {
            let body = &catalog.bodies[i];
            let year = rng.random_range(since..=2025.max(since));
            let start = random::day_in_year(rng, year);
            // Some registries renew yearly; a few listings carry an expiry date.
            let expires = chance(rng, 0.2).then(|| {
                let published = random::days_from_civil(PUBLISHED.0, PUBLISHED.1, PUBLISHED.2);
                random::iso_date(published + rng.random_range(-30..700))
            });
            FeedCredential {
                body: body.id.clone(),
                credential: body.credential(rng).to_string(),
                since: Some(random::iso_date(start)),
                expires,
            }
        })
        .collect()
}

/// Fees in the local currency (~90% publish them); a single price or a range, rounded to the
/// local step; a sliding scale ~20% of the time.
fn fees(rng: &mut DemoRng, country: &str) -> Option<FeedFees> {
    let (currency, low, high, step) = locale::fee_range(country)?;
    if !chance(rng, 0.9) {
        return None;
    }
    let steps = ((high - low) / step) as u32;
    let min = low + f64::from(rng.random_range(0..=steps)) * step;
    let max = if chance(rng, 0.5) {
        min + f64::from(rng.random_range(1..=6)) * step
    } else {
        min
    };
    Some(FeedFees {
        min: Some(min),
        max: Some(max),
        currency: currency.to_string(),
        sliding_scale: pick_weighted(rng, &[(Some(true), 0.2), (Some(false), 0.3), (None, 0.5)]),
    })
}

/// Phone in the national format, a website under the reserved `.example` TLD (RFC 2606, so no
/// generated link points at a real site) and an email that is public about half the time.
fn contact(
    rng: &mut DemoRng,
    country: &str,
    first: &str,
    last: &str,
    practice: Option<&str>,
) -> FeedContact {
    let person = prose::slug(&format!("{first} {last}"));
    let domain = match practice {
        Some(practice) if chance(rng, 0.7) => prose::slug(practice),
        _ => format!(
            "{person}-{}",
            pick(rng, &["cst", "craniosacral", "bodywork", "therapy"])
        ),
    };
    let has_website = chance(rng, 0.6);
    let website = has_website.then(|| format!("https://www.{domain}.example/"));
    let booking_url =
        (has_website && chance(rng, 0.25)).then(|| format!("https://www.{domain}.example/book"));
    let email = chance(rng, 0.85).then(|| {
        if has_website {
            format!("{}@{domain}.example", prose::slug(first))
        } else {
            format!("{}@mail.example", person.replace('-', "."))
        }
    });
    let public_email = email
        .as_ref()
        .and_then(|_| pick_weighted(rng, &[(Some(true), 0.5), (Some(false), 0.35), (None, 0.15)]));
    FeedContact {
        phone: if chance(rng, 0.9) {
            locale::phone(rng, country)
        } else {
            None
        },
        email,
        public_email,
        website,
        booking_url,
    }
}

/// FNV-1a: a stable hash (unlike `std`'s, which may change between releases) for seed mixing.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Culture;

    #[test]
    fn fnv1a_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn fees_are_rounded_and_ordered() {
        let mut rng = DemoRng::seed_from_u64(9);
        for country in ["US", "GB", "CH", "SE", "DE"] {
            for _ in 0..100 {
                let Some(fees) = fees(&mut rng, country) else {
                    continue;
                };
                let (min, max) = (fees.min.unwrap(), fees.max.unwrap());
                assert!(min <= max && min > 0.0, "{country} {min} {max}");
                assert_eq!(min % 5.0, 0.0);
            }
        }
        assert!(fees(&mut rng, "JP").is_none());
    }

    #[test]
    fn culture_is_used_for_unknown_country() {
        let mut rng = DemoRng::seed_from_u64(1);
        assert_eq!(
            locale::local_culture(&mut rng, "JP", None),
            Culture::English
        );
    }
}
