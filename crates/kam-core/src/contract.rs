//! Contracts and agreements 合同与协议: the terms, the status, amendments
//! 合同存异与变更情况 as dated records (never by overwriting), service level
//! terms that complaint deadlines use, attachments, and the expiry reminders.

use time::Date;

use crate::access::{AccountFacts, Actor, Role};
use crate::complaint::{PRIORITY, Sla, default_sla};
use crate::fields::{EnumDef, FieldDef, Kind, Record, Value};

pub static CONTRACT_TYPE: EnumDef =
    EnumDef { name: "contract_type", values: &["sales", "framework", "sla", "nda", "other"] };

pub static STATUS: EnumDef = EnumDef { name: "contract_status", values: &["draft", "active", "expired", "terminated"] };

pub static FIELDS: &[FieldDef] = &[
    FieldDef::new("contract_no", Kind::Text(50), "contract").required(),
    FieldDef::new("contract_type", Kind::Enum(&CONTRACT_TYPE), "contract").required(),
    FieldDef::new("title", Kind::Text(200), "contract").required(),
    FieldDef::new("signed_on", Kind::Date, "contract"),
    FieldDef::new("valid_from", Kind::Date, "contract"),
    FieldDef::new("valid_to", Kind::Date, "contract"),
    FieldDef::new("amount", Kind::Money, "contract"),
    FieldDef::new("currency", Kind::Currency, "contract"),
    FieldDef::new("payment_terms", Kind::LongText, "terms"),
    FieldDef::new("delivery_terms", Kind::LongText, "terms"),
    FieldDef::new("after_sales_terms", Kind::LongText, "terms"),
    FieldDef::new("rights_obligations", Kind::LongText, "terms"),
    // Service level terms: hours to reply and to resolve a complaint, per priority.
    FieldDef::new("sla_reply_urgent", Kind::Int(1, 8760), "sla"),
    FieldDef::new("sla_resolve_urgent", Kind::Int(1, 8760), "sla"),
    FieldDef::new("sla_reply_high", Kind::Int(1, 8760), "sla"),
    FieldDef::new("sla_resolve_high", Kind::Int(1, 8760), "sla"),
    FieldDef::new("sla_reply_normal", Kind::Int(1, 8760), "sla"),
    FieldDef::new("sla_resolve_normal", Kind::Int(1, 8760), "sla"),
    FieldDef::new("sla_reply_low", Kind::Int(1, 8760), "sla"),
    FieldDef::new("sla_resolve_low", Kind::Int(1, 8760), "sla"),
];

pub const GROUPS: &[&str] = &["contract", "terms", "sla"];

/// A contract sheet's column besides the fields: the status it is recorded
/// at (draft or active; empty: draft). An expired contract is an active one
/// past its end, so a sheet's 已过期 is recorded active.
pub static IMPORT_FIELDS: &[FieldDef] = &[FieldDef::new("status", Kind::Enum(&STATUS), "contract")];

/// 合同存异与变更情况: when, what changed, by how much the amount changed.
pub static AMENDMENT_FIELDS: &[FieldDef] = &[
    FieldDef::new("amended_on", Kind::Date, "amendment").required(),
    FieldDef::new("change", Kind::LongText, "amendment").required(),
    FieldDef::new("amount_delta", Kind::MoneyDelta, "amendment"),
];

/// Attachments: the largest file accepted, and the kinds.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// The content type of an upload, judged by its first bytes (never by the
/// name or the type the browser claims): PDF, PNG, JPEG, or an Office
/// Open XML document (a zip: .docx / .xlsx). None refuses the file.
pub fn sniff(bytes: &[u8], name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".docx") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".xlsx") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else {
        None
    }
}

/// The steps a contract may take: a draft is signed into force or dropped;
/// an active one is terminated (expiry follows from the end date).
pub fn can_move(from: &str, to: &str) -> bool {
    matches!((from, to), ("draft", "active") | ("draft", "terminated") | ("active", "terminated"))
}

/// The status a reader sees: an active contract past its end date is expired.
pub fn effective_status(stored: &str, valid_to: Option<Date>, today: Date) -> &'static str {
    match stored {
        "active" if valid_to.is_some_and(|d| d < today) => "expired",
        s => STATUS.values.iter().find(|v| **v == s).copied().unwrap_or("draft"),
    }
}

/// The service level a contract sets for a priority, if it sets one; the
/// default fills the half it leaves open.
pub fn sla_of(rec: &Record, priority: &str) -> Option<Sla> {
    if !PRIORITY.values.contains(&priority) {
        return None;
    }
    let get = |k: &str| rec.get(format!("sla_{k}_{priority}").as_str()).and_then(Value::as_int);
    let (reply, resolve) = (get("reply"), get("resolve"));
    if reply.is_none() && resolve.is_none() {
        return None;
    }
    let d = default_sla(priority);
    Some(Sla { reply_hours: reply.unwrap_or(d.reply_hours), resolve_hours: resolve.unwrap_or(d.resolve_hours) })
}

/// The amount in force: the signed amount with the amendments' deltas (none
/// when neither says anything).
pub fn current_amount(signed: Option<i64>, deltas: i64) -> Option<i64> {
    if signed.is_none() && deltas == 0 { None } else { Some(signed.unwrap_or(0) + deltas) }
}

/// Whether a contract's terms apply on a day: active and within its validity.
pub fn in_force(status: &str, valid_from: Option<Date>, valid_to: Option<Date>, on: Date) -> bool {
    status == "active" && valid_from.is_none_or(|f| f <= on) && valid_to.is_none_or(|t| t >= on)
}

/// Expiry reminders at 90, 60 and 30 days: the threshold reached by `by`
/// (today plus the reminder horizon), and its day. None when the end is
/// further away or already past.
pub fn expiry_reminder(valid_to: Date, today: Date, by: Date) -> Option<(i64, Date)> {
    if valid_to < today {
        return None;
    }
    [30, 60, 90].into_iter().map(|days| (days, valid_to - time::Duration::days(days))).find(|(_, due)| *due <= by)
}

/// Writing contracts: whoever may edit the account's card, and finance.
pub fn can_write(actor: &Actor, a: &AccountFacts) -> bool {
    match actor.role {
        Role::Finance | Role::Admin => true,
        Role::Manager | Role::Sales => actor.can_edit_account(a),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{TeamId, UserId};
    use time::macros::date;

    #[test]
    fn uploads_are_judged_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7 ...", "合同.pdf"), Some("application/pdf"));
        assert_eq!(sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0], "scan.png"), Some("image/png"));
        assert_eq!(sniff(b"PK\x03\x04....", "合同.docx").map(|s| s.contains("word")), Some(true));
        assert_eq!(sniff(b"MZ\x90\x00", "合同.pdf"), None, "an executable named .pdf");
        assert_eq!(sniff(b"PK\x03\x04", "archive.zip"), None);
        assert_eq!(sniff(b"<html>", "x.html"), None);
    }

    #[test]
    fn status_steps_and_expiry() {
        assert!(can_move("draft", "active") && can_move("active", "terminated"));
        assert!(!can_move("terminated", "active") && !can_move("active", "draft"));
        let today = date!(2026 - 11 - 29);
        assert_eq!(effective_status("active", Some(date!(2026 - 11 - 28)), today), "expired");
        assert_eq!(effective_status("active", Some(today), today), "active", "valid through its last day");
        assert_eq!(effective_status("terminated", Some(date!(2026 - 01 - 01)), today), "terminated");
        assert!(in_force("active", Some(date!(2026 - 01 - 01)), Some(date!(2026 - 12 - 31)), today));
        assert!(!in_force("active", Some(date!(2026 - 12 - 01)), None, today));
        assert!(!in_force("draft", None, None, today));
    }

    #[test]
    fn contracts_expire_the_day_after_their_end_across_year_ends_and_leap_days() {
        assert_eq!(effective_status("active", Some(date!(2026 - 12 - 31)), date!(2026 - 12 - 31)), "active");
        assert_eq!(effective_status("active", Some(date!(2026 - 12 - 31)), date!(2027 - 01 - 01)), "expired");
        assert_eq!(effective_status("active", Some(date!(2028 - 02 - 29)), date!(2028 - 02 - 29)), "active");
        assert_eq!(effective_status("active", Some(date!(2028 - 02 - 29)), date!(2028 - 03 - 01)), "expired");
        // 30 days before 29 February 2028 is 30 January; 90 days before 1 January is 3 October.
        assert_eq!(
            expiry_reminder(date!(2028 - 02 - 29), date!(2028 - 01 - 30), date!(2028 - 01 - 30)),
            Some((30, date!(2028 - 01 - 30)))
        );
        assert_eq!(
            expiry_reminder(date!(2027 - 01 - 01), date!(2026 - 10 - 03), date!(2026 - 10 - 03)),
            Some((90, date!(2026 - 10 - 03)))
        );
        assert_eq!(expiry_reminder(date!(2027 - 01 - 01), date!(2026 - 10 - 02), date!(2026 - 10 - 02)), None);
    }

    #[test]
    fn expiry_reminders_at_90_60_30_days() {
        let today = date!(2026 - 11 - 29);
        let by = today + time::Duration::days(7);
        let end = |d: i64| today + time::Duration::days(d);
        assert_eq!(expiry_reminder(end(120), today, by), None, "still far");
        assert_eq!(expiry_reminder(end(95), today, by), Some((90, end(5))), "the 90-day mark within the week");
        assert_eq!(expiry_reminder(end(70), today, by).map(|r| r.0), Some(90));
        assert_eq!(expiry_reminder(end(60), today, by).map(|r| r.0), Some(60));
        assert_eq!(expiry_reminder(end(10), today, by), Some((30, end(-20))), "the 30-day mark passed: overdue");
        assert_eq!(expiry_reminder(end(-1), today, by), None, "expired already");
    }

    #[test]
    fn sla_terms_override_the_default_per_priority() {
        let mut rec = Record::new();
        rec.insert("sla_reply_urgent", Value::Int(2));
        rec.insert("sla_resolve_urgent", Value::Int(12));
        rec.insert("sla_reply_normal", Value::Int(8));
        assert_eq!(sla_of(&rec, "urgent"), Some(Sla { reply_hours: 2, resolve_hours: 12 }));
        assert_eq!(
            sla_of(&rec, "normal"),
            Some(Sla { reply_hours: 8, resolve_hours: default_sla("normal").resolve_hours })
        );
        assert_eq!(sla_of(&rec, "low"), None, "no terms for low: the default applies");
        assert_eq!(sla_of(&rec, "bogus"), None);
    }

    #[test]
    fn who_writes() {
        let mine =
            AccountFacts { owner_id: Some(UserId(1)), owner_team_id: Some(TeamId(10)), shared_with_actor: false };
        assert!(can_write(&Actor { user_id: UserId(1), role: Role::Sales, team_id: Some(TeamId(10)) }, &mine));
        assert!(!can_write(&Actor { user_id: UserId(2), role: Role::Sales, team_id: Some(TeamId(10)) }, &mine));
        assert!(can_write(&Actor { user_id: UserId(9), role: Role::Finance, team_id: None }, &mine));
        assert!(!can_write(&Actor { user_id: UserId(8), role: Role::Service, team_id: None }, &mine));
    }
}
