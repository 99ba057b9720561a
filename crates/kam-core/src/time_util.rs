//! Time conventions: timestamps stored as RFC 3339 UTC text, dates as `YYYY-MM-DD`.

use time::{Date, OffsetDateTime, format_description::well_known::Rfc3339, macros::format_description};

/// Now, as stored: RFC 3339 in UTC with whole seconds... plus microseconds for ordering.
pub fn now_text() -> String {
    format_ts(OffsetDateTime::now_utc())
}

pub fn format_ts(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).unwrap_or_default()
}

pub fn parse_ts(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

/// A local date-time `YYYY-MM-DDTHH:MM` (a space instead of `T` and trailing
/// seconds are accepted), normalised to `YYYY-MM-DDTHH:MM`.
pub fn parse_local_datetime(s: &str) -> Option<String> {
    let s = s.trim().replacen(' ', "T", 1);
    let head = s.get(..16)?;
    let rest = &s[16..];
    if !(rest.is_empty() || (rest.len() == 3 && rest.starts_with(':') && rest[1..].chars().all(|c| c.is_ascii_digit())))
    {
        return None;
    }
    time::PrimitiveDateTime::parse(head, format_description!("[year]-[month]-[day]T[hour]:[minute]")).ok()?;
    Some(head.to_string())
}

/// Shows a stored timestamp in the instance's zone (China Standard Time, UTC+8)
/// as `2026-11-28 14:05`.
pub fn display_ts(s: &str) -> String {
    match parse_ts(s) {
        Some(t) => {
            let local = t.to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC));
            local.format(format_description!("[year]-[month]-[day] [hour]:[minute]")).unwrap_or_default()
        }
        None => s.to_string(),
    }
}

/// Whole years between a birth date and today (UTC+8).
pub fn age(birth: &str, today: Date) -> Option<i32> {
    let b = parse_date(birth)?;
    let mut years = today.year() - b.year();
    if (today.month() as u8, today.day()) < (b.month() as u8, b.day()) {
        years -= 1;
    }
    (years >= 0).then_some(years)
}

pub fn today_local() -> Date {
    OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC)).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn age_counts_birthdays() {
        assert_eq!(age("1980-11-29", date!(2026 - 11 - 28)), Some(45));
        assert_eq!(age("1980-11-28", date!(2026 - 11 - 28)), Some(46));
    }

    #[test]
    fn timestamps_show_in_china_time() {
        assert_eq!(display_ts("2026-11-28T20:30:00Z"), "2026-11-29 04:30");
    }
}
