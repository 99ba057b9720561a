//! Complaints 客户投诉管理卡 (附表八): the card's fields, the workflow
//! received → analysing → handling → replied → closed (and reopened), and the
//! reply and resolution deadlines from the account's service level — a
//! default per priority until contracts carry SLA terms. Deadlines are local
//! (China) date-times; "now" is converted to local time before comparing.

use time::{Duration, OffsetDateTime, PrimitiveDateTime, macros::format_description};

use crate::activity::ActivityKind;
use crate::fields::{EnumDef, FieldDef, Kind, Record, Value};
use crate::settings::WorkingHours;

pub static PRIORITY: EnumDef = EnumDef { name: "priority", values: &["urgent", "high", "normal", "low"] };
pub static STATUS: EnumDef =
    EnumDef { name: "complaint_status", values: &["received", "analysing", "handling", "replied", "closed"] };

/// Hours to reply and to resolve, by priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sla {
    pub reply_hours: i64,
    pub resolve_hours: i64,
}

/// The service level used until a contract says otherwise.
pub fn default_sla(priority: &str) -> Sla {
    match priority {
        "urgent" => Sla { reply_hours: 4, resolve_hours: 24 },
        "high" => Sla { reply_hours: 8, resolve_hours: 72 },
        "low" => Sla { reply_hours: 72, resolve_hours: 14 * 24 },
        _ => Sla { reply_hours: 24, resolve_hours: 7 * 24 },
    }
}

use crate::time_util::CHINA as LOCAL;

fn parse_local(s: &str) -> Option<PrimitiveDateTime> {
    PrimitiveDateTime::parse(s, format_description!("[year]-[month]-[day]T[hour]:[minute]")).ok()
}

fn format_local(t: PrimitiveDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day]T[hour]:[minute]")).unwrap_or_default()
}

/// (reply due, resolution due) for a complaint received at a local date-time.
/// An urgent complaint's hours run round the clock; every other priority's
/// count in working time (`WorkingHours::add`: whole days as working days),
/// so a high-priority reply is not due at 00:45.
pub fn deadlines(received_at: &str, priority: &str, sla: Sla, hours: &WorkingHours) -> Option<(String, String)> {
    let t = parse_local(received_at)?;
    let after = |h: i64| if priority == "urgent" { t + Duration::hours(h) } else { hours.add(t, h) };
    Some((format_local(after(sla.reply_hours)), format_local(after(sla.resolve_hours))))
}

/// Which deadlines a stored complaint has missed at instant `now` (none when
/// its status or deadlines are missing).
pub fn overdue_of(rec: &Record, now: OffsetDateTime) -> Overdue {
    let g = |f: &str| rec.get(f).and_then(Value::as_text);
    match (g("status"), g("reply_due"), g("resolve_due")) {
        (Some(s), Some(r), Some(d)) => overdue(s, r, d, now),
        _ => Overdue::default(),
    }
}

/// Which deadlines a complaint has missed at instant `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Overdue {
    pub reply: bool,
    pub resolution: bool,
}

impl Overdue {
    pub fn any(self) -> bool {
        self.reply || self.resolution
    }
}

pub fn overdue(status: &str, reply_due: &str, resolve_due: &str, now: OffsetDateTime) -> Overdue {
    let now = now.to_offset(LOCAL);
    let now = PrimitiveDateTime::new(now.date(), now.time());
    let past = |due: &str| parse_local(due).is_some_and(|d| now > d);
    Overdue {
        reply: matches!(status, "received" | "analysing" | "handling") && past(reply_due),
        resolution: status != "closed" && past(resolve_due),
    }
}

/// The allowed steps of the workflow; closing may be undone by reopening
/// (back to analysing).
pub fn can_move(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("received", "analysing")
            | ("analysing", "handling")
            | ("handling", "replied")
            | ("replied", "closed")
            | ("replied", "handling")
            | ("closed", "analysing")
    )
}

/// What a complaint must say before it is replied to or closed: how it was
/// handled (处理办法) and what came of it (处理结果).
pub const NEEDED_TO_REPLY: &[&str] = &["remedy", "result"];

/// The fields still empty that a move to `to` needs.
pub fn missing_to_move(to: &str, rec: &Record) -> Vec<&'static str> {
    if !matches!(to, "replied" | "closed") {
        return Vec::new();
    }
    NEEDED_TO_REPLY
        .iter()
        .copied()
        .filter(|f| rec.get(f).and_then(Value::as_text).is_none_or(|t| t.trim().is_empty()))
        .collect()
}

/// The steps offered from a status.
pub fn next_steps(from: &str) -> Vec<&'static str> {
    STATUS.values.iter().copied().filter(|to| can_move(from, to)).collect()
}

/// Status and deadlines of a new complaint, or of one whose receipt time or
/// priority changed (`before` is the stored record).
fn derive(rec: &Record, before: Option<&Record>) -> Record {
    let text = |r: &Record, f: &str| r.get(f).and_then(Value::as_text).map(str::to_string);
    let get = |f: &str| text(rec, f).or_else(|| before.and_then(|b| text(b, f)));
    let mut out = Record::new();
    if before.is_none() {
        out.insert("status", Value::Text("received".into()));
    }
    let touched = before.is_none() || rec.contains_key("received_at") || rec.contains_key("priority");
    if touched
        && let (Some(at), Some(p)) = (get("received_at"), get("priority"))
        && let Some((reply, resolve)) = deadlines(&at, &p, default_sla(&p), &WorkingHours::default())
    {
        out.insert("reply_due", Value::Text(reply));
        out.insert("resolve_due", Value::Text(resolve));
    }
    out
}

/// 附表八: complainant, received by/at, subject, content, priority, handler,
/// analysis, remedy, result, replied by/at, customer reaction, notes.
pub static COMPLAINT: ActivityKind = ActivityKind {
    entity: "complaint",
    table: "complaints",
    resource: "complaints",
    fields: &[
        FieldDef::new("received_at", Kind::DateTime, "activity").required(),
        FieldDef::new("complainant", Kind::Text(100), "activity").required(),
        FieldDef::new("received_by", Kind::Text(100), "activity"),
        FieldDef::new("subject", Kind::Text(200), "activity").required(),
        FieldDef::new("content", Kind::LongText, "activity").required(),
        FieldDef::new("priority", Kind::Enum(&PRIORITY), "activity").required(),
        FieldDef::new("handler", Kind::Text(100), "handling"),
        FieldDef::new("analysis", Kind::LongText, "handling"),
        FieldDef::new("remedy", Kind::LongText, "handling"),
        FieldDef::new("result", Kind::LongText, "handling"),
        FieldDef::new("replied_by", Kind::Text(100), "handling"),
        FieldDef::new("replied_at", Kind::DateTime, "handling"),
        FieldDef::new("customer_reaction", Kind::LongText, "handling"),
        FieldDef::new("notes", Kind::LongText, "handling"),
    ],
    groups: &["activity", "handling"],
    title: "subject",
    when: "received_at",
    derived: &[
        FieldDef::new("status", Kind::Enum(&STATUS), "workflow"),
        FieldDef::new("reply_due", Kind::DateTime, "workflow"),
        FieldDef::new("resolve_due", Kind::DateTime, "workflow"),
    ],
    derive: Some(derive),
    hooks: crate::activity::Hooks {
        workflow: true,
        handler_field: Some("handler"),
        contract_deadlines: true,
        fulfils_visit_plan: false,
        monthly_trend: false,
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn deadlines_cross_month_and_year_ends() {
        let (urgent, w) = (default_sla("urgent"), WorkingHours::default());
        let d = |at: &str, p: &str| deadlines(at, p, default_sla(p), &w);
        assert_eq!(d("2026-01-31T20:00", "urgent"), Some(("2026-02-01T00:00".into(), "2026-02-01T20:00".into())));
        // High: 8 working hours to reply, 72 to resolve. Received on the
        // evening of Thursday 31 December: the clock starts Friday 09:00.
        assert_eq!(d("2026-12-31T22:30", "high"), Some(("2027-01-01T17:00".into(), "2027-01-06T09:00".into())));
        // Received 16:45 on a Wednesday: due the next morning, never 00:45.
        assert_eq!(d("2026-11-25T16:45", "high").unwrap().0, "2026-11-26T15:45");
        // Normal: a working day to reply, seven to resolve; 29 February 2028 counts.
        assert_eq!(d("2028-02-28T12:00", "normal"), Some(("2028-02-29T12:00".into(), "2028-03-08T12:00".into())));
        assert_eq!(deadlines("yesterday", "urgent", urgent, &w), None);
    }

    #[test]
    fn overdue_compares_in_china_time() {
        // Due 2026-02-01 20:00 China time = 12:00 UTC.
        let (reply, resolve) =
            deadlines("2026-01-31T20:00", "urgent", default_sla("urgent"), &WorkingHours::default()).unwrap();
        let before = datetime!(2026-02-01 11:59 UTC);
        let after = datetime!(2026-02-01 12:01 UTC);
        assert!(
            !overdue("handling", &reply, &resolve, datetime!(2026-01-31 15:59 UTC)).any(),
            "23:59 local: nothing missed"
        );
        assert!(
            overdue("handling", &reply, &resolve, datetime!(2026-01-31 16:01 UTC)).reply,
            "00:01 local on the 1st: reply missed"
        );
        assert!(!overdue("handling", &reply, &resolve, before).resolution);
        assert!(overdue("handling", &reply, &resolve, after).resolution, "past 20:00 local although UTC says 12:01");
        assert_eq!(overdue("replied", &reply, &resolve, after), Overdue { reply: false, resolution: true });
        assert_eq!(overdue("closed", &reply, &resolve, after), Overdue::default());
    }

    #[test]
    fn workflow_steps() {
        assert_eq!(next_steps("received"), vec!["analysing"]);
        assert_eq!(next_steps("replied"), vec!["handling", "closed"]);
        assert_eq!(next_steps("closed"), vec!["analysing"], "reopen");
        assert!(!can_move("received", "closed"));
        assert!(!can_move("handling", "received"));
    }

    #[test]
    fn new_complaints_start_received_with_deadlines() {
        let mut rec = Record::new();
        rec.insert("received_at", Value::Text("2026-11-28T09:00".into()));
        rec.insert("priority", Value::Text("high".into()));
        let d = derive(&rec, None);
        assert_eq!(d.get("status"), Some(&Value::Text("received".into())));
        // Saturday: eight working hours from Monday 09:00.
        assert_eq!(d.get("reply_due"), Some(&Value::Text("2026-11-30T17:00".into())));
        let mut change = Record::new();
        change.insert("priority", Value::Text("urgent".into()));
        let d = derive(&change, Some(&rec));
        assert_eq!(d.get("resolve_due"), Some(&Value::Text("2026-11-29T09:00".into())));
        assert!(!d.contains_key("status"), "editing never changes the status");
        let mut notes = Record::new();
        notes.insert("notes", Value::Text("x".into()));
        assert!(derive(&notes, Some(&rec)).is_empty());
    }
}
