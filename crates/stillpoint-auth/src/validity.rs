//! How long a new token lasts: `--expires 365d` and friends.

use std::time::Duration;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use crate::error::{AuthError, Result};

/// The longest validity accepted: ten calendar years, leap days included (3,653 days), so `10y`
/// is always accepted.
pub const MAX_VALIDITY: Duration = Duration::from_secs(3_653 * 86_400);

/// Parses a validity such as `365d`, `12h`, `30m`, `2w`, `1y`, `90 days`, `1 year 6 months` or
/// ISO 8601 `P90D` (jiff's friendly and ISO 8601 formats). Units are case-sensitive: `m` is
/// minutes and `mo` months. Years and months count from today (UTC); days are 24 hours. Refuses
/// zero, negative and more than [`MAX_VALIDITY`].
pub fn parse_validity(text: &str) -> Result<Duration> {
    parse_validity_from(text, Timestamp::now().to_zoned(TimeZone::UTC).date())
}

/// [`parse_validity`] with years and months counted from `today`.
pub(crate) fn parse_validity_from(text: &str, today: Date) -> Result<Duration> {
    let text = text.trim();
    let invalid = |reason: String| AuthError::InvalidValidity { reason };
    if text.is_empty() {
        return Err(invalid("it is empty".to_owned()));
    }
    let shown: String = text.chars().take(40).collect();
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!(
            "{shown:?} has no unit; write e.g. {shown}d for days"
        )));
    }
    let span: Span = text.parse().map_err(|_| {
        invalid(format!(
            "{shown:?} is not a duration like 365d, 12h, 30m, 2w or \"1 year\""
        ))
    })?;
    if span.is_negative() {
        return Err(invalid(format!("{shown:?} is negative")));
    }
    let too_long = || invalid(format!("{shown:?} is longer than ten years"));
    let duration = span.to_duration(today).map_err(|_| too_long())?;
    let duration = Duration::try_from(duration).map_err(|_| too_long())?;
    check_validity(duration)
}

/// Refuses a zero validity and one longer than [`MAX_VALIDITY`].
pub(crate) fn check_validity(duration: Duration) -> Result<Duration> {
    if duration.is_zero() {
        Err(AuthError::InvalidValidity {
            reason: "it must be longer than zero".to_owned(),
        })
    } else if duration > MAX_VALIDITY {
        Err(AuthError::InvalidValidity {
            reason: "it must be at most ten years".to_owned(),
        })
    } else {
        Ok(duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3_600;
    const DAY: u64 = 24 * HOUR;

    fn parse(text: &str) -> Result<Duration> {
        parse_validity_from(text, jiff::civil::date(2025, 3, 1))
    }

    #[test]
    fn accepts_the_documented_forms() {
        let cases: &[(&str, u64)] = &[
            ("365d", 365 * DAY),
            ("12h", 12 * HOUR),
            ("30m", 30 * 60),
            ("2w", 14 * DAY),
            ("90 days", 90 * DAY),
            (" 7d ", 7 * DAY),
            ("1d 12h", DAY + 12 * HOUR),
            ("P90D", 90 * DAY),
            ("PT12H", 12 * HOUR),
            // From 2025-03-01: a year without a leap day, a month of 31 days.
            ("1y", 365 * DAY),
            ("1 year", 365 * DAY),
            ("1mo", 31 * DAY),
            // Two leap days in the ten years from 2025-03-01.
            ("10y", 3_652 * DAY),
        ];
        for &(text, seconds) in cases {
            assert_eq!(parse(text).unwrap(), Duration::from_secs(seconds), "{text}");
        }
    }

    #[test]
    fn refuses_zero_negative_too_long_and_unitless() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("0d", "longer than zero"),
            ("0s", "longer than zero"),
            ("-5d", "negative"),
            ("5 days ago", "negative"),
            ("11y", "ten years"),
            ("3654d", "ten years"),
            ("999999999999y", "not a duration"),
            ("365", "no unit"),
            ("soon", "not a duration"),
            ("365 d x", "not a duration"),
        ];
        for (text, expected) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }

    #[test]
    fn refusal_quotes_at_most_forty_characters_of_the_input() {
        let err = parse(&"x".repeat(1_000)).unwrap_err().to_string();
        assert!(err.len() < 150, "{err}");
    }

    #[test]
    fn ten_years_with_three_leap_days_is_still_accepted() {
        let from = jiff::civil::date(2024, 1, 1);
        let ten = parse_validity_from("10y", from).unwrap();
        assert_eq!(ten, Duration::from_secs(3_653 * DAY));
        assert_eq!(ten, MAX_VALIDITY);
    }

    #[test]
    fn today_based_parse_accepts_ten_years() {
        assert!(parse_validity("10y").is_ok());
        assert!(parse_validity("365d").is_ok());
    }
}
