//! The private iCalendar (RFC 5545) feed of a user's reminders: all-day events,
//! CRLF lines folded at 75 octets, text escaped.

use kam_core::reminder::Reminder;
use time::OffsetDateTime;

/// Escapes TEXT values (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn compact_date(d: &str) -> String {
    d.replace('-', "")
}

fn next_day(d: &str) -> String {
    kam_core::time_util::parse_date(d)
        .and_then(|d| d.next_day())
        .map(|d| compact_date(&d.to_string()))
        .unwrap_or_else(|| compact_date(d))
}

/// The calendar text. `label` turns a reminder into its summary line.
pub fn ics(name: &str, items: &[Reminder], now: OffsetDateTime, label: impl Fn(&Reminder) -> String) -> String {
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//KAM//Key Account Management//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    for r in items {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}@kam", r.key), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(&format!("DTSTART;VALUE=DATE:{}", compact_date(&r.due)), &mut out);
        fold(&format!("DTEND;VALUE=DATE:{}", next_day(&r.due)), &mut out);
        fold(&format!("SUMMARY:{}", escape(&label(r))), &mut out);
        fold(&format!("DESCRIPTION:{}", escape(&format!("{}\n{}", r.account_name, r.detail))), &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_folding() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let mut out = String::new();
        fold(&"客".repeat(40), &mut out);
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), "客".repeat(40));
    }
}
