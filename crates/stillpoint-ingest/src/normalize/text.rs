//! Rules for free-text values: trimmed, bounded, no control characters, nothing a spreadsheet
//! would execute.

/// Characters that make a spreadsheet treat a cell as a formula (OWASP's CSV injection list).
const FORMULA_PREFIXES: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A single-line value: trimmed; `None` when empty.
pub(crate) fn line(value: Option<&str>, max_chars: usize) -> Result<Option<String>, String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    check_length(value, max_chars)?;
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(format!("contains the control character {c:?}"));
    }
    check_formula(value)?;
    Ok(Some(collapse_spaces(value)))
}

/// A multi-line value (the bio): line breaks and tabs allowed, other control characters not.
pub(crate) fn paragraph(value: Option<&str>, max_chars: usize) -> Result<Option<String>, String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    check_length(value, max_chars)?;
    if let Some(c) = value
        .chars()
        .find(|&c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(format!("contains the control character {c:?}"));
    }
    if value.starts_with('=') || value.starts_with('@') {
        return Err("starts like a spreadsheet formula".to_owned());
    }
    Ok(Some(value.replace("\r\n", "\n").replace('\r', "\n")))
}

/// A link that will be rendered as one: http(s) only, so no `javascript:` reaches a page.
pub(crate) fn url(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(value) = line(value, 2000)? else {
        return Ok(None);
    };
    let lower = value.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !value.contains(char::is_whitespace) => Ok(Some(value)),
        _ => Err(format!("{value:?} is not an http(s) URL")),
    }
}

/// A phone number: digits with the usual separators, an optional leading `+` and extension.
pub(crate) fn phone(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    check_length(value, 40)?;
    let body = value.strip_prefix('+').unwrap_or(value);
    let allowed = |c: char| c.is_ascii_digit() || " ()-./".contains(c) || "extEXT".contains(c);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if !body.chars().all(allowed) || !(5..=20).contains(&digits) || body.starts_with(['-', '.']) {
        return Err(format!("{value:?} is not a phone number"));
    }
    Ok(Some(value.to_owned()))
}

/// An email address (a plausibility check, not RFC 5322).
pub(crate) fn email(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    check_length(value, 254)?;
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(|c: char| {
                    c.is_whitespace()
                        || c.is_control()
                        || c == ','
                        || c == ';'
                        || c == '<'
                        || c == '>'
                })
                && !domain.contains('@')
        }
        None => false,
    };
    if !valid || value.starts_with(FORMULA_PREFIXES) {
        return Err(format!("{value:?} is not an email address"));
    }
    Ok(Some(value.to_owned()))
}

fn check_length(value: &str, max_chars: usize) -> Result<(), String> {
    // Count lazily: a 10 MB value should not be walked twice to say it is too long.
    if value.len() > max_chars && value.chars().nth(max_chars).is_some() {
        let chars = value.chars().count();
        return Err(format!(
            "{chars} characters, at most {max_chars} are allowed"
        ));
    }
    Ok(())
}

fn check_formula(value: &str) -> Result<(), String> {
    if value.starts_with(FORMULA_PREFIXES) {
        return Err(format!("{value:?} starts like a spreadsheet formula"));
    }
    Ok(())
}

fn collapse_spaces(value: &str) -> String {
    if !value.contains("  ") {
        return value.to_owned();
    }
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_rules() {
        assert_eq!(
            line(Some("  Ana   Lee "), 10).unwrap().as_deref(),
            Some("Ana Lee")
        );
        assert_eq!(line(Some("   "), 10).unwrap(), None);
        for bad in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+2",
            "@SUM(A1)",
            "-2+3",
            "a\u{0}b",
            "far too long a name",
        ] {
            assert!(line(Some(bad), 12).is_err(), "{bad}");
        }
    }

    #[test]
    fn url_phone_email_rules() {
        assert!(url(Some("https://example.org/x")).unwrap().is_some());
        for bad in ["javascript:alert(1)", "ftp://x", "https://", "example.org"] {
            assert!(url(Some(bad)).is_err(), "{bad}");
        }
        assert!(phone(Some("+1 (303) 555-0100 ext 12")).is_ok());
        for bad in ["=1+1", "call me", "12"] {
            assert!(phone(Some(bad)).is_err(), "{bad}");
        }
        assert!(email(Some("ana@example.org")).is_ok());
        for bad in ["ana", "ana@x", "a b@x.org", "=a@x.org"] {
            assert!(email(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn paragraph_keeps_line_breaks_and_counts_characters() {
        assert_eq!(
            paragraph(Some("a\r\nb"), 10).unwrap().as_deref(),
            Some("a\nb")
        );
        let long = "é".repeat(11);
        let err = paragraph(Some(&long), 10).unwrap_err();
        assert_eq!(err, "11 characters, at most 10 are allowed");
    }
}
