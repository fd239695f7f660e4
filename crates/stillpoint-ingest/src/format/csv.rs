//! CSV feeds: the feed fields flattened, lists separated by `|`, one row per location. Rows with
//! the same member_id form one practitioner and must agree on every non-location column.

use std::collections::HashMap;
use std::io::BufRead;

use stillpoint_model::feed::{CSV_HEADERS, CSV_LOCATION_HEADERS};
use stillpoint_model::{FeedContact, FeedCredential, FeedFees, FeedLocation, FeedRecord};

use crate::error::IngestError;
use crate::record::{FieldError, SourceRecord};

/// Where a CSV practitioner's rows are, in the order its member id first appeared.
struct Group {
    member_id: String,
    rows: Vec<(u64, Vec<String>)>,
}

pub(super) fn read_csv(
    input: Box<dyn BufRead + '_>,
    max_record_bytes: usize,
    sink: &mut dyn FnMut(SourceRecord) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(input);
    let mut header = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut header).map_err(csv_fatal)? {
        return Ok(());
    }
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 {
                h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h)
            } else {
                h
            };
            String::from_utf8_lossy(h).trim().to_ascii_lowercase()
        })
        .collect();
    let mut columns: HashMap<&str, usize> = HashMap::new();
    let mut header_warnings = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if !CSV_HEADERS.contains(&name.as_str()) {
            header_warnings.push(FieldError::new(name.clone(), "unknown column, ignored"));
        } else if columns.insert(name, i).is_some() {
            return Err(IngestError::Header(format!(
                "column {name:?} appears twice"
            )));
        }
    }
    for required in ["member_id", "name", "country"] {
        if !columns.contains_key(required) {
            return Err(IngestError::Header(format!(
                "required column {required:?} is missing"
            )));
        }
    }

    let mut groups: Vec<Group> = Vec::new();
    let mut by_member: HashMap<String, usize> = HashMap::new();
    let mut row = csv::ByteRecord::new();
    loop {
        let read = reader.read_byte_record(&mut row);
        let line = reader.position().line().max(2);
        match read {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) if e.is_io_error() => return Err(csv_fatal(e)),
            Err(e) => {
                sink(row_error(line, None, "", format!("malformed CSV: {e}")))?;
                continue;
            }
        }
        let line = row.position().map_or(line, csv::Position::line);
        if row
            .iter()
            .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        if row.as_slice().len() > max_record_bytes {
            sink(row_error(
                line,
                None,
                "",
                format!(
                    "row is {} bytes, at most {max_record_bytes} are accepted",
                    row.as_slice().len()
                ),
            ))?;
            continue;
        }
        if row.len() != names.len() {
            sink(row_error(
                line,
                None,
                "",
                format!(
                    "row has {} fields, the header has {}",
                    row.len(),
                    names.len()
                ),
            ))?;
            continue;
        }
        let mut cells = Vec::with_capacity(CSV_HEADERS.len());
        let mut bad_column = None;
        for header in CSV_HEADERS {
            let cell = match columns.get(header) {
                Some(&i) => match std::str::from_utf8(&row[i]) {
                    Ok(text) => text.trim().to_owned(),
                    Err(_) => {
                        bad_column.get_or_insert(*header);
                        String::from_utf8_lossy(&row[i]).into_owned()
                    }
                },
                None => String::new(),
            };
            cells.push(cell);
        }
        let member_id = cells[0].clone();
        if let Some(column) = bad_column {
            let id = (column != "member_id" && !member_id.is_empty()).then_some(member_id);
            sink(row_error(line, id, column, "invalid UTF-8".into()))?;
            continue;
        }
        if member_id.is_empty() {
            sink(row_error(line, None, "member_id", "is required".into()))?;
            continue;
        }
        match by_member.get(&member_id) {
            Some(&g) => groups[g].rows.push((line, cells)),
            None => {
                by_member.insert(member_id.clone(), groups.len());
                groups.push(Group {
                    member_id,
                    rows: vec![(line, cells)],
                });
            }
        }
    }

    let mut header_warnings = Some(header_warnings);
    for group in groups {
        let mut record = build_record(&group);
        if let Some(warnings) = header_warnings.take() {
            // Unknown columns are reported once, with the first record.
            record.warnings.extend(warnings);
        }
        sink(record)?;
    }
    Ok(())
}

fn build_record(group: &Group) -> SourceRecord {
    let location_lines: Vec<u64> = group.rows.iter().map(|(line, _)| *line).collect();
    let (first_line, first) = &group.rows[0];
    let mut errors = Vec::new();
    let col = |name: &str| {
        CSV_HEADERS
            .iter()
            .position(|h| *h == name)
            .expect("known column")
    };
    for (line, cells) in &group.rows[1..] {
        for (i, header) in CSV_HEADERS.iter().enumerate() {
            if !CSV_LOCATION_HEADERS.contains(header) && cells[i] != first[i] {
                errors.push(FieldError::new(
                    *header,
                    format!(
                        "rows {first_line} and {line} of member {:?} disagree",
                        group.member_id
                    ),
                ));
            }
        }
    }
    let get = |cells: &[String], name: &str| -> Option<String> {
        let value = &cells[col(name)];
        (!value.is_empty()).then(|| value.clone())
    };
    let mut cell_errors = Vec::new();
    let mut number = |cells: &[String], name: &str, path: &str| -> Option<f64> {
        let value = get(cells, name)?;
        match value.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                cell_errors.push(FieldError::new(path, format!("{value:?} is not a number")));
                None
            }
        }
    };
    let mut flags = Vec::new();
    let mut flag = |cells: &[String], name: &str, path: &str| -> Option<bool> {
        let value = get(cells, name)?;
        match value.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Some(true),
            "false" | "no" | "n" | "0" => Some(false),
            _ => {
                flags.push(FieldError::new(
                    path,
                    format!("{value:?} is not true or false"),
                ));
                None
            }
        }
    };
    let list = |cells: &[String], name: &str| -> Vec<String> {
        get(cells, name)
            .map(|v| {
                v.split('|')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };

    let mut locations = Vec::new();
    for (i, (_, cells)) in group.rows.iter().enumerate() {
        let path = |field: &str| format!("locations[{i}].{field}");
        locations.push(FeedLocation {
            label: get(cells, "location_label"),
            address: get(cells, "address"),
            city: get(cells, "city"),
            region: get(cells, "region"),
            postal_code: get(cells, "postal_code"),
            country: get(cells, "country").unwrap_or_default(),
            lat: number(cells, "lat", &path("lat")),
            lon: number(cells, "lon", &path("lon")),
            visibility: get(cells, "visibility"),
            wheelchair_accessible: flag(
                cells,
                "wheelchair_accessible",
                &path("wheelchair_accessible"),
            ),
        });
    }
    let mut credentials = Vec::new();
    for (i, item) in list(first, "credentials").iter().enumerate() {
        match item.split_once(':') {
            Some((body, credential))
                if !body.trim().is_empty() && !credential.trim().is_empty() =>
            {
                credentials.push(FeedCredential {
                    body: body.trim().to_owned(),
                    credential: credential.trim().to_owned(),
                    since: None,
                    expires: None,
                });
            }
            _ => errors.push(FieldError::new(
                format!("credentials[{i}]"),
                format!("{item:?} should be written body:credential, e.g. upledger:CST-T"),
            )),
        }
    }
    let mut session_minutes = Vec::new();
    for item in list(first, "session_minutes") {
        match item.parse::<u32>() {
            Ok(m) => session_minutes.push(m),
            Err(_) => errors.push(FieldError::new(
                "session_minutes",
                format!("{item:?} is not a whole number of minutes"),
            )),
        }
    }
    let practicing_since = get(first, "practicing_since").and_then(|v| match v.parse::<i32>() {
        Ok(y) => Some(y),
        Err(_) => {
            errors.push(FieldError::new(
                "practicing_since",
                format!("{v:?} is not a year"),
            ));
            None
        }
    });
    let fee_min = number(first, "fee_min", "fees.min");
    let fee_max = number(first, "fee_max", "fees.max");
    let currency = get(first, "currency");
    let sliding_scale = flag(first, "sliding_scale", "fees.sliding_scale");
    let fees = if fee_min.is_some()
        || fee_max.is_some()
        || currency.is_some()
        || sliding_scale.is_some()
    {
        Some(FeedFees {
            min: fee_min,
            max: fee_max,
            currency: currency.unwrap_or_default(),
            sliding_scale,
        })
    } else {
        None
    };
    let public_email = flag(first, "public_email", "contact.public_email");
    let contact = FeedContact {
        phone: get(first, "phone"),
        email: get(first, "email"),
        public_email,
        website: get(first, "website"),
        booking_url: get(first, "booking_url"),
    };
    let contact = (contact != FeedContact::default()).then_some(contact);
    let home_visits_km = number(first, "home_visits_km", "home_visits_km");
    let accepting_new_clients = flag(first, "accepting_new_clients", "accepting_new_clients");
    let record = FeedRecord {
        member_id: group.member_id.clone(),
        name: get(first, "name").unwrap_or_default(),
        practice_name: get(first, "practice_name"),
        approach: get(first, "approach"),
        credentials,
        professions: list(first, "professions"),
        specialties: list(first, "specialties"),
        techniques: list(first, "techniques"),
        languages: list(first, "languages"),
        locations,
        home_visits_km,
        accepting_new_clients,
        fees,
        session_minutes,
        contact,
        bio: get(first, "bio").map(|b| b.replace("\\n", "\n")),
        practicing_since,
        last_confirmed: get(first, "last_confirmed"),
    };
    errors.extend(cell_errors);
    errors.extend(flags);
    SourceRecord {
        line: *first_line,
        location_lines,
        member_id: Some(group.member_id.clone()),
        record: if errors.is_empty() {
            Ok(record)
        } else {
            Err(errors)
        },
        warnings: Vec::new(),
    }
}

/// The CSV column a field path refers to, and the index of the location row it belongs to.
pub fn csv_field_name(path: &str) -> (Option<usize>, String) {
    if let Some(rest) = path.strip_prefix("locations[")
        && let Some((index, field)) = rest.split_once("].")
        && let Ok(index) = index.parse::<usize>()
    {
        let field = field.split(['.', '[']).next().unwrap_or(field);
        let column = if field == "label" {
            "location_label"
        } else {
            field
        };
        return (Some(index), column.to_owned());
    }
    let head = path.split(['[']).next().unwrap_or(path);
    let column = match head {
        "fees.min" => "fee_min",
        "fees.max" => "fee_max",
        "fees.currency" | "fees" => "currency",
        "fees.sliding_scale" => "sliding_scale",
        "locations" => "country",
        other => other.strip_prefix("contact.").unwrap_or(other),
    };
    (None, column.split('.').next().unwrap_or(column).to_owned())
}

fn row_error(line: u64, member_id: Option<String>, column: &str, message: String) -> SourceRecord {
    SourceRecord {
        line,
        location_lines: Vec::new(),
        member_id,
        record: Err(vec![FieldError::new(column, message)]),
        warnings: Vec::new(),
    }
}

fn csv_fatal(e: csv::Error) -> IngestError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => IngestError::Read(io),
        other => IngestError::Header(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Vec<SourceRecord> {
        let mut out = Vec::new();
        read_csv(Box::new(input.as_bytes()), 1 << 20, &mut |r| {
            out.push(r);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn rows_of_one_member_merge_into_locations_in_any_order() {
        let records = read(
            "name,member_id,country,city,lat,lon,credentials,extra\n\
             Ana,a1,US,Boulder,40.0,-105.2,upledger:CST-T|iahp:MEMBER,x\n\
             Ben,b1,GB,London,,,,\n\
             Ana,a1,US,Denver,39.7,-104.9,upledger:CST-T|iahp:MEMBER,y\n",
        );
        assert_eq!(records.len(), 2);
        let ana = records[0].record.as_ref().unwrap();
        assert_eq!(ana.locations.len(), 2);
        assert_eq!(ana.locations[1].city.as_deref(), Some("Denver"));
        assert_eq!(ana.credentials[1].credential, "MEMBER");
        assert_eq!(records[0].location_lines, vec![2, 4]);
        assert_eq!(records[0].warnings[0].path, "extra");
    }

    #[test]
    fn disagreeing_rows_name_both_lines_and_the_column() {
        let records = read("member_id,name,country,phone\na,Ana,US,1\na,Ana,US,2\n");
        let errors = records[0].record.as_ref().unwrap_err();
        assert_eq!(errors[0].path, "phone");
        assert!(
            errors[0].message.contains("rows 2 and 3"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn bad_cells_name_their_column_and_row() {
        let records = read(
            "member_id,name,country,lat,lon\na,Ana,US,40,-105\na,Ana,US,north,-105\nb,Bo,US,1\n",
        );
        let errors = records
            .iter()
            .find(|r| r.member_id.as_deref() == Some("a"))
            .unwrap()
            .record
            .as_ref()
            .unwrap_err();
        assert_eq!(errors[0].path, "locations[1].lat");
        assert_eq!(csv_field_name(&errors[0].path), (Some(1), "lat".to_owned()));
        let short = records.iter().find(|r| r.line == 4).unwrap();
        assert!(
            short.record.as_ref().unwrap_err()[0]
                .message
                .contains("4 fields")
        );
    }

    #[test]
    fn missing_required_column_is_fatal() {
        let err = read_csv(
            Box::new(&b"name,country\nAna,US\n"[..]),
            1 << 20,
            &mut |_| Ok(()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("member_id"), "{err}");
    }

    #[test]
    fn field_paths_map_to_columns() {
        for (path, want) in [
            ("fees.min", (None, "fee_min")),
            ("contact.phone", (None, "phone")),
            ("credentials[2].body", (None, "credentials")),
            ("locations[0].label", (Some(0), "location_label")),
            ("specialties[3]", (None, "specialties")),
            ("name", (None, "name")),
        ] {
            assert_eq!(csv_field_name(path), (want.0, want.1.to_owned()), "{path}");
        }
    }
}
