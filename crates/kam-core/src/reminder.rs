//! Reminders: what each user has due today, overdue, or coming up — follow-ups
//! of contact records and decision makers' birthdays so far; later kinds (planned
//! visits, objections, complaint deadlines, sign-offs) add sources. Pure rules
//! here; the store gathers the candidates.

use serde::Serialize;
use time::{Date, Duration};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    FollowUp,
    Birthday,
    /// A complaint's reply or resolution deadline.
    Complaint,
    /// A visit planned by an earlier visit record.
    PlannedVisit,
    /// An open objection from a visit, until resolved.
    Objection,
    /// A work log waiting for the user's signature.
    Signoff,
    /// A contract reaching 90, 60 or 30 days before its end.
    ContractExpiry,
    /// An order held on credit, for those who may release it (finance, the account's manager).
    HeldOrder,
    /// The user's own work log, returned by a signer.
    ReturnedLog,
    /// A win-back action on a churned account, until its outcome is recorded.
    Winback,
}

impl ReminderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::FollowUp => "follow_up",
            ReminderKind::Birthday => "birthday",
            ReminderKind::Complaint => "complaint",
            ReminderKind::PlannedVisit => "planned_visit",
            ReminderKind::Objection => "objection",
            ReminderKind::Signoff => "signoff",
            ReminderKind::ContractExpiry => "contract",
            ReminderKind::HeldOrder => "held_order",
            ReminderKind::ReturnedLog => "returned_log",
            ReminderKind::Winback => "winback",
        }
    }
}

/// One thing to do on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reminder {
    /// Stable key of the reminder, used to mark it done or snooze it:
    /// `follow_up-<interaction id>`, `birthday-<contact id>-<year>`,
    /// `complaint-<id>-reply` / `complaint-<id>-resolve`, `planned_visit-<visit id>`,
    /// `objection-<visit id>`, `signoff-<work log id>-<round>`, `contract-<id>-<90|60|30>`.
    pub key: String,
    pub kind: ReminderKind,
    pub due: String,
    pub title: String,
    pub detail: String,
    /// The account it is about (none for a work log).
    pub account_id: Option<crate::AccountId>,
    pub account_name: String,
    /// Where the reminder comes from (a page path).
    pub href: String,
    pub overdue: bool,
}

/// How a user answered a reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderState {
    pub done: bool,
    pub snoozed_until: Option<Date>,
}

/// The day of the next birthday on or after `today` (29 February falls on
/// 28 February in other years).
pub fn next_birthday(birth: Date, today: Date) -> Date {
    let on = |year: i32| crate::time_util::same_day_in(birth, year);
    let this_year = on(today.year());
    if this_year >= today { this_year } else { on(today.year() + 1) }
}

/// When a reminder due on `due` shows, given the user's answer: `None` when done.
pub fn effective_due(due: Date, state: Option<&ReminderState>) -> Option<Date> {
    match state {
        Some(s) if s.done => None,
        Some(ReminderState { snoozed_until: Some(until), .. }) if *until > due => Some(*until),
        _ => Some(due),
    }
}

/// Which reminders a list shows: due on or before `today + horizon_days`,
/// sorted by day (overdue first), marked overdue when before today.
pub fn select(mut items: Vec<(Date, Reminder)>, today: Date, horizon_days: i64) -> Vec<Reminder> {
    let last = today + Duration::days(horizon_days);
    items.retain(|(d, _)| *d <= last);
    items.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.key.cmp(&b.1.key)));
    items
        .into_iter()
        .map(|(d, mut r)| {
            r.overdue = d < today;
            r.due = d.to_string();
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn r(key: &str) -> Reminder {
        Reminder {
            key: key.into(),
            kind: ReminderKind::FollowUp,
            due: String::new(),
            title: String::new(),
            detail: String::new(),
            account_id: Some(crate::AccountId(1)),
            account_name: String::new(),
            href: String::new(),
            overdue: false,
        }
    }

    #[test]
    fn birthdays_roll_to_next_year_and_leap_days() {
        assert_eq!(next_birthday(date!(1970 - 12 - 01), date!(2026 - 11 - 28)), date!(2026 - 12 - 01));
        assert_eq!(next_birthday(date!(1970 - 11 - 27), date!(2026 - 11 - 28)), date!(2027 - 11 - 27));
        assert_eq!(next_birthday(date!(1970 - 11 - 28), date!(2026 - 11 - 28)), date!(2026 - 11 - 28));
        assert_eq!(next_birthday(date!(1980 - 02 - 29), date!(2026 - 01 - 10)), date!(2026 - 02 - 28));
        assert_eq!(next_birthday(date!(1980 - 02 - 29), date!(2028 - 01 - 10)), date!(2028 - 02 - 29));
    }

    #[test]
    fn done_hides_and_snooze_moves() {
        let due = date!(2026 - 11 - 20);
        assert_eq!(effective_due(due, None), Some(due));
        assert_eq!(effective_due(due, Some(&ReminderState { done: true, snoozed_until: None })), None);
        let s = ReminderState { done: false, snoozed_until: Some(date!(2026 - 11 - 30)) };
        assert_eq!(effective_due(due, Some(&s)), Some(date!(2026 - 11 - 30)));
        let earlier = ReminderState { done: false, snoozed_until: Some(date!(2026 - 11 - 01)) };
        assert_eq!(effective_due(due, Some(&earlier)), Some(due), "a snooze never brings a reminder forward");
    }

    #[test]
    fn selection_orders_and_marks_overdue() {
        let today = date!(2026 - 11 - 28);
        let out = select(
            vec![
                (date!(2026 - 12 - 30), r("late")),
                (date!(2026 - 11 - 28), r("today")),
                (date!(2026 - 11 - 01), r("old")),
            ],
            today,
            7,
        );
        let keys: Vec<_> = out.iter().map(|r| (r.key.as_str(), r.overdue)).collect();
        assert_eq!(keys, vec![("old", true), ("today", false)]);
        assert_eq!(out[0].due, "2026-11-01");
    }
}
