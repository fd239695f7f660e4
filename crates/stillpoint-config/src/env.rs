//! `STILLPOINT_<SECTION>_<KEY>` environment overrides, applied to the parsed file before it is
//! turned into typed sections (so they get the same type checks as the file).

use crate::ConfigError;

const PREFIX: &str = "STILLPOINT_";

/// Variables of the binary itself rather than of the configuration file.
const NOT_CONFIG: &[&str] = &["STILLPOINT_CONFIG", "STILLPOINT_LOG"];

pub(crate) fn apply_overrides(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with(PREFIX) && !NOT_CONFIG.contains(&k.as_str()))
        .collect();
    vars.sort();
    for (name, raw) in vars {
        let key = name[PREFIX.len()..].to_ascii_lowercase();
        let value = parse_scalar(&raw);
        if key == "vocabulary" {
            table.insert(key, value);
            continue;
        }
        let target = table.iter_mut().find_map(|(section, item)| {
            let rest = key.strip_prefix(section.as_str())?.strip_prefix('_')?;
            let section = item.as_table_mut()?;
            section
                .contains_key(rest)
                .then(|| (section, rest.to_owned()))
        });
        match target {
            Some((section, field)) => {
                // Keep the file's type where the text allows it: "7700" for a string key stays a
                // string, "50" for an integer key becomes an integer.
                let value = match (&section[&field], value) {
                    (toml::Value::String(_), _) => toml::Value::String(raw.clone()),
                    // Lists are written comma-separated: "https://a.org,https://b.org".
                    (toml::Value::Array(_), _) => toml::Value::Array(
                        raw.split(',')
                            .map(str::trim)
                            .filter(|item| !item.is_empty())
                            .map(|item| toml::Value::String(item.to_owned()))
                            .collect(),
                    ),
                    (toml::Value::Float(_), toml::Value::Integer(i)) => {
                        toml::Value::Float(i as f64)
                    }
                    (_, value) => value,
                };
                section.insert(field, value);
            }
            None => {
                return Err(ConfigError::Env {
                    name,
                    message: "does not name a configuration key (see config/stillpoint.toml)"
                        .into(),
                });
            }
        }
    }
    Ok(())
}

fn parse_scalar(raw: &str) -> toml::Value {
    if let Ok(i) = raw.parse::<i64>() {
        toml::Value::Integer(i)
    } else if let Ok(f) = raw.parse::<f64>() {
        toml::Value::Float(f)
    } else if let Ok(b) = raw.parse::<bool>() {
        toml::Value::Boolean(b)
    } else {
        toml::Value::String(raw.to_owned())
    }
}
