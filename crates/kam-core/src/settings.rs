//! The instance's settings the admin keeps: the issuing company (its name,
//! address and bank details print on statements), the working hours that
//! complaint deadlines count in, and the currencies in use. Each setting is
//! validated here; the store keeps them as key/value rows.

use serde::{Deserialize, Serialize};
use time::{Duration, PrimitiveDateTime, Time, Weekday};

use crate::fields::{FieldErrors, ISO_4217};

/// The issuing company 本公司, as statements and printed forms carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Company {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub tax_id: String,
    pub bank_name: String,
    pub bank_account: String,
}

impl Company {
    /// The settings keys and their values, in form order.
    pub fn pairs(&self) -> [(&'static str, &str); 6] {
        [
            ("company.name", &self.name),
            ("company.address", &self.address),
            ("company.phone", &self.phone),
            ("company.tax_id", &self.tax_id),
            ("company.bank_name", &self.bank_name),
            ("company.bank_account", &self.bank_account),
        ]
    }

    /// Builds the company from the stored (or typed) values, trimmed, with
    /// each field's limit checked.
    pub fn from_values(get: impl Fn(&str) -> Option<String>) -> Result<Company, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut field = |key: &str, max: usize| {
            let v = get(key).unwrap_or_default().trim().to_string();
            if v.chars().any(char::is_control) {
                errors.add(key, "err.control_char");
            } else if v.chars().count() > max {
                errors.add(key, if max == 200 { "err.too_long_200" } else { "err.too_long_100" });
            }
            v
        };
        let c = Company {
            name: field("company.name", 200),
            address: field("company.address", 200),
            phone: field("company.phone", 100),
            tax_id: field("company.tax_id", 100),
            bank_name: field("company.bank_name", 100),
            bank_account: field("company.bank_account", 100),
        };
        errors.into_result(c)
    }
}

/// Working hours 工作时间: the days of the week and the hours of the day that
/// service deadlines count. None in `WorkingHours` terms means round the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WorkingHours {
    pub start: Time,
    pub end: Time,
    /// Monday first.
    pub days: [bool; 7],
}

impl Default for WorkingHours {
    /// 09:00–18:00, Monday to Friday.
    fn default() -> Self {
        WorkingHours {
            start: Time::from_hms(9, 0, 0).unwrap_or(Time::MIDNIGHT),
            end: Time::from_hms(18, 0, 0).unwrap_or(Time::MIDNIGHT),
            days: [true, true, true, true, true, false, false],
        }
    }
}

fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

impl WorkingHours {
    /// As stored: `09:00-18:00 1,2,3,4,5` (days 1 = Monday … 7 = Sunday).
    pub fn to_setting(&self) -> String {
        let days: Vec<String> = (0..7).filter(|i| self.days[*i]).map(|i| (i + 1).to_string()).collect();
        format!("{}-{} {}", hhmm(self.start), hhmm(self.end), days.join(","))
    }

    pub fn start_text(&self) -> String {
        hhmm(self.start)
    }

    pub fn end_text(&self) -> String {
        hhmm(self.end)
    }

    /// Reads the stored form; None when it is not one.
    pub fn from_setting(s: &str) -> Option<WorkingHours> {
        let (hours, days) = s.trim().split_once(' ')?;
        let (a, b) = hours.split_once('-')?;
        let mut set = [false; 7];
        for d in days.split(',') {
            let i: usize = d.trim().parse().ok()?;
            *set.get_mut(i.checked_sub(1)?)? = true;
        }
        Self::new(a, b, set).ok()
    }

    /// Working hours from a form: start before end, at least one day.
    pub fn new(start: &str, end: &str, days: [bool; 7]) -> Result<WorkingHours, FieldErrors> {
        let mut errors = FieldErrors::default();
        let parse = |s: &str| crate::fields::parse_time(s.trim()).and_then(|(h, m)| Time::from_hms(h, m, 0).ok());
        let (s, e) = (parse(start), parse(end));
        if s.is_none() {
            errors.add("work_start", "err.time");
        }
        if e.is_none() {
            errors.add("work_end", "err.time");
        }
        if let (Some(s), Some(e)) = (s, e)
            && e <= s
        {
            errors.add("work_end", "err.time_order");
        }
        if !days.iter().any(|d| *d) {
            errors.add("work_days", "err.required");
        }
        errors.into_result(())?;
        Ok(WorkingHours { start: s.unwrap_or(Time::MIDNIGHT), end: e.unwrap_or(Time::MIDNIGHT), days })
    }

    fn works_on(&self, d: Weekday) -> bool {
        self.days[usize::from(d.number_days_from_monday())]
    }

    /// The first working moment at or after `t`.
    fn snap(&self, t: PrimitiveDateTime) -> PrimitiveDateTime {
        let mut t = t;
        for _ in 0..8 {
            let day = t.date();
            if self.works_on(day.weekday()) && t < PrimitiveDateTime::new(day, self.end) {
                return t.max(PrimitiveDateTime::new(day, self.start));
            }
            t = PrimitiveDateTime::new(day.next_day().unwrap_or(day), self.start);
        }
        t
    }

    /// The same clock time on the next working day.
    fn next_working_day(&self, t: PrimitiveDateTime) -> PrimitiveDateTime {
        let mut day = t.date();
        for _ in 0..7 {
            day = day.next_day().unwrap_or(day);
            if self.works_on(day.weekday()) {
                break;
            }
        }
        PrimitiveDateTime::new(day, t.time())
    }

    /// The deadline `hours` after `from` counted in working time: each whole
    /// 24 hours is one working day (a 72-hour resolution is due three
    /// working days later at the same hour), the rest are working hours
    /// (an 8-hour reply to a complaint received on Friday at 16:45 is due on
    /// Monday at 15:45). Time outside working hours does not count; nights,
    /// weekends and the hours before opening are skipped.
    pub fn add(&self, from: PrimitiveDateTime, hours: i64) -> PrimitiveDateTime {
        let hours = hours.clamp(0, 24 * 3660);
        let mut t = self.snap(from);
        for _ in 0..hours / 24 {
            t = self.next_working_day(t);
        }
        let mut left = Duration::hours(hours % 24);
        // Each pass uses up one working day's hours (or moves to the next).
        for _ in 0..64 {
            let day = t.date();
            let close = PrimitiveDateTime::new(day, self.end);
            let today = close - t;
            if left <= today {
                return t + left;
            }
            left -= today;
            t = self.snap(PrimitiveDateTime::new(day.next_day().unwrap_or(day), self.start));
        }
        t
    }
}

/// The currencies offered when none were chosen.
pub const DEFAULT_CURRENCIES: &[&str] = &["CNY", "USD", "EUR", "HKD"];

/// The currencies the admin enables, from a list like `CNY, USD`: each an
/// ISO 4217 code, CNY always among them, no repeats, in the order given.
pub fn parse_currencies(s: &str) -> Result<Vec<String>, &'static str> {
    let mut out: Vec<String> = Vec::new();
    for c in s.split([',', ' ', '，', '\n']).map(str::trim).filter(|c| !c.is_empty()) {
        let c = c.to_ascii_uppercase();
        if ISO_4217.binary_search(&c.as_str()).is_err() {
            return Err("err.currency");
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if !out.iter().any(|c| c == "CNY") {
        out.insert(0, "CNY".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn working_hours_skip_nights_and_weekends() {
        let w = WorkingHours::default();
        // Friday 2026-11-27 16:45 + 8 h: 1h15 on Friday, the rest on Monday from 09:00.
        assert_eq!(w.add(datetime!(2026-11-27 16:45), 8), datetime!(2026-11-30 15:45));
        // Received at night: the clock starts at 09:00 the next working day.
        assert_eq!(w.add(datetime!(2026-11-24 23:30), 4), datetime!(2026-11-25 13:00));
        // Saturday: starts Monday.
        assert_eq!(w.add(datetime!(2026-11-28 10:00), 8), datetime!(2026-11-30 17:00));
        // Exactly at closing: due at closing, not the next morning.
        assert_eq!(w.add(datetime!(2026-11-30 10:00), 8), datetime!(2026-11-30 18:00));
        // Across the year end (2026-12-31 is a Thursday).
        assert_eq!(w.add(datetime!(2026-12-31 17:00), 9), datetime!(2027-01-01 17:00));
        // 29 February 2028 is a Tuesday.
        assert_eq!(w.add(datetime!(2028-02-28 17:30), 1), datetime!(2028-02-29 09:30));
        // Whole days are working days: 72 hours from Monday 09:00 is Thursday 09:00,
        // from Friday 17:00 it is Wednesday 17:00.
        assert_eq!(w.add(datetime!(2026-11-30 09:00), 72), datetime!(2026-12-03 09:00));
        assert_eq!(w.add(datetime!(2026-11-27 17:00), 72), datetime!(2026-12-02 17:00));
        assert_eq!(w.add(datetime!(2026-11-27 17:00), 26), datetime!(2026-12-01 10:00));
        assert_eq!(w.add(datetime!(2026-11-30 09:00), 0), datetime!(2026-11-30 09:00));
    }

    #[test]
    fn working_hours_stored_and_checked() {
        let w = WorkingHours::default();
        assert_eq!(w.to_setting(), "09:00-18:00 1,2,3,4,5");
        assert_eq!(WorkingHours::from_setting(&w.to_setting()), Some(w));
        let seven = WorkingHours::new("08:30", "20:00", [true; 7]).unwrap();
        assert_eq!(WorkingHours::from_setting(&seven.to_setting()), Some(seven));
        assert_eq!(seven.add(datetime!(2026-11-28 19:00), 2), datetime!(2026-11-29 09:30), "Saturday counts");
        assert_eq!(WorkingHours::from_setting("09:00-18:00 8"), None);
        assert_eq!(WorkingHours::from_setting("junk"), None);
        let e = WorkingHours::new("18:00", "09:00", [false; 7]).unwrap_err();
        assert_eq!(e.0.get("work_end"), Some(&"err.time_order"));
        assert_eq!(e.0.get("work_days"), Some(&"err.required"));
        assert_eq!(WorkingHours::new("25:00", "09:00", [true; 7]).unwrap_err().0.get("work_start"), Some(&"err.time"));
    }

    #[test]
    fn currencies_are_iso_codes_with_cny() {
        assert_eq!(parse_currencies("usd, eur，USD"), Ok(vec!["CNY".into(), "USD".into(), "EUR".into()]));
        assert_eq!(parse_currencies(""), Ok(vec!["CNY".into()]));
        assert_eq!(parse_currencies("CNY XYZ"), Err("err.currency"));
    }

    #[test]
    fn company_fields_are_limited() {
        let long = "长".repeat(201);
        let e = Company::from_values(|k| (k == "company.name").then(|| long.clone())).unwrap_err();
        assert_eq!(e.0.get("company.name"), Some(&"err.too_long_200"));
        let c = Company::from_values(|k| Some(format!(" {k} "))).unwrap();
        assert_eq!(c.bank_account, "company.bank_account");
    }
}
