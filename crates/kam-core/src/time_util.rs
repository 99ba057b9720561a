//! Time conventions: timestamps stored as RFC 3339 UTC text, dates as `YYYY-MM-DD`.
//! Nothing here reads the system clock: "now" and "today" are values the
//! caller passes in, from the application's clock (`kam_store::Clock`).

use time::{Date, OffsetDateTime, UtcOffset, format_description::well_known::Rfc3339, macros::format_description};

/// China Standard Time (UTC+8), the instance's zone: "today" and local
/// date-times (complaint deadlines, visit times) are in it.
pub const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The date in China at instant `t`: from 16:00 UTC it is already the next day.
pub fn china_date(t: OffsetDateTime) -> Date {
    t.to_offset(CHINA).date()
}

/// The local (China) date-time at instant `t` as forms and local date-time
/// fields hold it: `YYYY-MM-DDTHH:MM`.
pub fn china_minute(t: OffsetDateTime) -> String {
    let l = t.to_offset(CHINA);
    format!("{}T{:02}:{:02}", l.date(), l.hour(), l.minute())
}

/// The month of a date as `YYYY-MM` (statement and credit periods).
pub fn month_of(d: Date) -> String {
    format!("{}-{:02}", d.year(), u8::from(d.month()))
}

/// The month before the month of `d`, as `YYYY-MM`.
pub fn previous_month(d: Date) -> String {
    month_of(d.replace_day(1).map(|first| first - time::Duration::days(1)).unwrap_or(d))
}

/// An instant as stored: RFC 3339 in UTC.
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
            let local = t.to_offset(CHINA);
            local.format(format_description!("[year]-[month]-[day] [hour]:[minute]")).unwrap_or_default()
        }
        None => s.to_string(),
    }
}

/// The same day of the year in `year` (a birthday, the same day a year
/// earlier): 29 February falls on 28 February in other years (the reminder,
/// the age and the credit assessment's "same day last year" agree on it).
pub fn same_day_in(birth: Date, year: i32) -> Date {
    Date::from_calendar_date(year, birth.month(), birth.day())
        .or_else(|_| Date::from_calendar_date(year, time::Month::February, 28))
        .unwrap_or(birth)
}

/// `d` moved by `months` calendar months, the day kept or, past the month's
/// end, its last day (31 January + 1 month = 28 or 29 February).
pub fn add_months(d: Date, months: i32) -> Date {
    let index = d.year() * 12 + (d.month() as i32 - 1) + months;
    let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u8);
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(d)
}

/// Whole years between a birth date and today (UTC+8).
pub fn age(birth: &str, today: Date) -> Option<i32> {
    let b = parse_date(birth)?;
    let mut years = today.year() - b.year();
    if today < same_day_in(b, today.year()) {
        years -= 1;
    }
    (years >= 0).then_some(years)
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_are_added_with_month_ends_kept() {
        use time::macros::date;
        assert_eq!(super::add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(super::add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(super::add_months(date!(2028 - 02 - 29), -12), date!(2027 - 02 - 28));
        assert_eq!(super::add_months(date!(2026 - 12 - 06), 1), date!(2027 - 01 - 06));
        assert_eq!(super::add_months(date!(2026 - 01 - 15), -1), date!(2025 - 12 - 15));
        assert_eq!(super::add_months(date!(2026 - 03 - 01), -26), date!(2024 - 01 - 01));
    }

    use super::*;
    use time::macros::date;

    #[test]
    fn age_counts_birthdays() {
        assert_eq!(age("1980-11-29", date!(2026 - 11 - 28)), Some(45));
        assert_eq!(age("1980-11-28", date!(2026 - 11 - 28)), Some(46));
    }

    #[test]
    fn months_across_the_year_end_and_leap_days() {
        assert_eq!(month_of(date!(2028 - 02 - 29)), "2028-02");
        assert_eq!(previous_month(date!(2027 - 01 - 01)), "2026-12");
        assert_eq!(previous_month(date!(2028 - 03 - 31)), "2028-02");
    }

    #[test]
    fn china_today_turns_at_sixteen_hundred_utc() {
        let t = |s: &str| parse_ts(s).unwrap();
        assert_eq!(china_date(t("2026-12-31T15:59:59Z")), date!(2026 - 12 - 31));
        assert_eq!(china_date(t("2026-12-31T16:00:00Z")), date!(2027 - 01 - 01));
        assert_eq!(china_date(t("2028-02-28T16:30:00Z")), date!(2028 - 02 - 29));
        assert_eq!(china_minute(t("2028-02-29T16:00:00Z")), "2028-03-01T00:00");
        assert_eq!(china_minute(t("2026-12-31T16:05:59Z")), "2027-01-01T00:05");
    }

    #[test]
    fn a_leap_day_birthday_counts_on_the_twenty_eighth_in_other_years() {
        assert_eq!(age("2000-02-29", date!(2027 - 02 - 27)), Some(26));
        assert_eq!(age("2000-02-29", date!(2027 - 02 - 28)), Some(27));
        assert_eq!(age("2000-02-29", date!(2028 - 02 - 28)), Some(27));
        assert_eq!(age("2000-02-29", date!(2028 - 02 - 29)), Some(28));
        assert_eq!(age("1990-12-31", date!(2026 - 12 - 31)), Some(36));
        assert_eq!(age("1990-12-31", date!(2027 - 01 - 01)), Some(36));
        assert_eq!(age("2027-01-01", date!(2026 - 12 - 31)), None, "not born yet");
    }

    #[test]
    fn timestamps_show_in_china_time() {
        assert_eq!(display_ts("2026-11-28T20:30:00Z"), "2026-11-29 04:30");
    }
}
