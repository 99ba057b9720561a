//! Monthly reconciliation 定期对账: a statement is a snapshot of one
//! account's ledger in one currency for a month — the opening balance, every
//! entry it covers, the closing balance — and the customer's answer, line by
//! line.
//!
//! Every entry is covered by exactly one statement. The first statement of an
//! account covers the entries before its month in its opening balance; each
//! later one opens at the previous closing and covers the entries dated up to
//! its month's end that no statement covered yet — so an entry posted later
//! with an earlier date (a correction) lands in the next statement and never
//! rewrites one already sent or confirmed, and consecutive statements chain.

use std::collections::HashSet;

use serde::Serialize;
use time::{Date, Month};

use crate::access::{Actor, Role};
use crate::ledger::Posted;

/// The first and last day of a month written `YYYY-MM`.
pub fn month_bounds(period: &str) -> Option<(Date, Date)> {
    let (y, m) = period.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    let first = Date::from_calendar_date(y.parse().ok()?, month, 1).ok()?;
    let last = first.replace_day(time::util::days_in_month(month, first.year())).ok()?;
    Some((first, last))
}

/// What a new statement holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub opening: i64,
    /// Entries folded into the opening balance (first statement only).
    pub opening_ids: Vec<i64>,
    /// The entries the statement lists, by date then id.
    pub lines: Vec<Posted>,
    pub closing: i64,
}

/// The next statement of an account and currency for the month ending
/// `period_end`: `previous` is the last statement's closing (None for the
/// first), `covered` the entries earlier statements cover.
pub fn figures(
    entries: &[Posted],
    covered: &HashSet<i64>,
    previous: Option<i64>,
    period_start: Date,
    period_end: Date,
) -> Figures {
    let open: Vec<&Posted> = entries.iter().filter(|e| !covered.contains(&e.id) && e.date <= period_end).collect();
    let (before, within): (Vec<&Posted>, Vec<&Posted>) = match previous {
        None => open.iter().partition(|e| e.date < period_start),
        Some(_) => (Vec::new(), open),
    };
    let opening = previous.unwrap_or_else(|| before.iter().map(|e| e.amount).sum());
    let mut lines: Vec<Posted> = within.into_iter().cloned().collect();
    lines.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    let closing = opening + lines.iter().map(|e| e.amount).sum::<i64>();
    Figures { opening, opening_ids: before.iter().map(|e| e.id).collect(), lines, closing }
}

pub static STATUS: crate::fields::EnumDef = crate::fields::EnumDef {
    name: "statement_status",
    values: &["draft", "sent", "confirmed", "disputed", "resolved"],
};

/// The customer's answer to one line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    Agreed,
    /// The customer's own figure for the line (signed like ours) and why.
    Disputed {
        customer_amount: i64,
        note: String,
    },
}

/// Recording the customer's answers: only on a sent statement (or again on a
/// disputed one); the statement is confirmed when every line is agreed,
/// disputed otherwise. A dispute needs a note.
pub fn answer_status(status: &str, answers: &[Answer]) -> Result<&'static str, &'static str> {
    if !matches!(status, "sent" | "disputed") {
        return Err("err.statement_not_sent");
    }
    if answers.iter().any(|a| matches!(a, Answer::Disputed { note, .. } if note.trim().is_empty())) {
        return Err("err.dispute_note");
    }
    Ok(if answers.iter().all(|a| *a == Answer::Agreed) { "confirmed" } else { "disputed" })
}

/// The adjustment that settles a disputed line in the customer's favour:
/// (kind, positive figure), or None when the figures agree.
pub fn settlement(ours: i64, customer: i64) -> Option<(&'static str, i64)> {
    let delta = customer - ours;
    match delta.signum() {
        1 => Some(("adjustment_up", delta)),
        -1 => Some(("adjustment_down", -delta)),
        _ => None,
    }
}

/// Next status once a dispute is resolved: resolved when no line is left open.
pub fn after_resolution(open_disputes_left: usize) -> &'static str {
    if open_disputes_left == 0 { "resolved" } else { "disputed" }
}

/// Generating, sending, recording answers and resolving: finance and admin.
pub fn can_manage(actor: &Actor) -> bool {
    matches!(actor.role, Role::Finance | Role::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn e(id: i64, d: Date, amount: i64) -> Posted {
        Posted {
            id,
            date: d,
            kind: if amount > 0 { "invoice" } else { "payment" }.into(),
            amount,
            due: None,
            reverses: None,
        }
    }

    #[test]
    fn months() {
        assert_eq!(month_bounds("2026-02"), Some((date!(2026 - 02 - 01), date!(2026 - 02 - 28))));
        assert_eq!(month_bounds("2028-02").map(|b| b.1), Some(date!(2028 - 02 - 29)));
        assert_eq!(month_bounds("2026-12").map(|b| b.1), Some(date!(2026 - 12 - 31)));
        assert_eq!(month_bounds("2026-13"), None);
        assert_eq!(month_bounds("26-1"), None);
    }

    #[test]
    fn a_late_correction_lands_in_the_next_statement() {
        let mut entries = vec![
            e(1, date!(2026 - 09 - 20), 1_000),
            e(2, date!(2026 - 10 - 05), 500),
            e(3, date!(2026 - 10 - 20), -300),
        ];
        let (s, t) = month_bounds("2026-10").unwrap();
        let oct = figures(&entries, &HashSet::new(), None, s, t);
        assert_eq!((oct.opening, oct.closing, oct.opening_ids.clone()), (1_000, 1_200, vec![1]));
        assert_eq!(oct.lines.iter().map(|l| l.id).collect::<Vec<_>>(), vec![2, 3]);
        // Posted in November, dated October: not in the October statement.
        entries.push(e(4, date!(2026 - 10 - 25), -50));
        entries.push(e(5, date!(2026 - 11 - 03), 700));
        let covered: HashSet<i64> = [1, 2, 3].into();
        let (s, t) = month_bounds("2026-11").unwrap();
        let nov = figures(&entries, &covered, Some(oct.closing), s, t);
        assert_eq!(nov.opening, oct.closing, "statements chain");
        assert_eq!(nov.lines.iter().map(|l| l.id).collect::<Vec<_>>(), vec![4, 5]);
        assert_eq!(nov.closing, 1_200 - 50 + 700);
    }

    #[test]
    fn answers_and_settlements() {
        assert_eq!(answer_status("sent", &[Answer::Agreed, Answer::Agreed]), Ok("confirmed"));
        let d = Answer::Disputed { customer_amount: 900, note: "发票金额应为 900".into() };
        assert_eq!(answer_status("sent", &[Answer::Agreed, d.clone()]), Ok("disputed"));
        assert_eq!(answer_status("draft", &[Answer::Agreed]), Err("err.statement_not_sent"));
        assert_eq!(
            answer_status("confirmed", &[Answer::Agreed]),
            Err("err.statement_not_sent"),
            "a confirmed statement stays"
        );
        let bare = Answer::Disputed { customer_amount: 900, note: " ".into() };
        assert_eq!(answer_status("sent", &[bare]), Err("err.dispute_note"));
        assert_eq!(settlement(1_000, 900), Some(("adjustment_down", 100)));
        assert_eq!(settlement(-500, -400), Some(("adjustment_up", 100)), "a payment they say was smaller");
        assert_eq!(settlement(5, 5), None);
        assert_eq!(after_resolution(0), "resolved");
        assert_eq!(after_resolution(1), "disputed");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Month after month, over random postings (some back-dated) for
            /// several accounts: each closing is its opening plus its lines,
            /// consecutive statements chain, every entry is covered once, and
            /// the statements of a month add up to the change in total
            /// receivables they cover.
            #[test]
            fn statements_chain_and_add_up(
                raw in proptest::collection::vec((0usize..3, -200i64..400, -50_000i64..50_000, 0usize..6), 1..80)
            ) {
                let months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"];
                let base = date!(2025 - 12 - 01);
                // Entries become known month by month (posted in month `posted_in`).
                let mut known: Vec<(usize, usize, Posted)> = Vec::new();
                for (i, (acc, day, amount, posted_in)) in raw.iter().enumerate() {
                    let d = (base + time::Duration::days(*day)).min(month_bounds(months[*posted_in]).unwrap().1);
                    known.push((*acc, *posted_in, Posted { id: i as i64, date: d, kind: "x".into(), amount: *amount, due: None, reverses: None }));
                }
                let mut covered: Vec<HashSet<i64>> = vec![HashSet::new(); 3];
                let mut previous: Vec<Option<i64>> = vec![None; 3];
                let mut total_covered = 0i64;
                for (m, period) in months.iter().enumerate() {
                    let (s, t) = month_bounds(period).unwrap();
                    let mut month_change = 0i64;
                    let mut newly = 0i64;
                    for acc in 0..3 {
                        let entries: Vec<Posted> = known.iter().filter(|(a, p, _)| *a == acc && *p <= m).map(|(_, _, e)| e.clone()).collect();
                        let f = figures(&entries, &covered[acc], previous[acc], s, t);
                        prop_assert_eq!(f.closing, f.opening + f.lines.iter().map(|l| l.amount).sum::<i64>());
                        if let Some(p) = previous[acc] {
                            prop_assert_eq!(f.opening, p);
                        }
                        for id in f.lines.iter().map(|l| l.id).chain(f.opening_ids.iter().copied()) {
                            prop_assert!(covered[acc].insert(id), "covered twice");
                        }
                        newly += f.opening_ids.iter().map(|id| known[*id as usize].2.amount).sum::<i64>();
                        month_change += f.closing - f.opening;
                        previous[acc] = Some(f.closing);
                    }
                    let before = total_covered;
                    total_covered += month_change + newly;
                    let sum_closing: i64 = previous.iter().map(|p| p.unwrap_or(0)).sum();
                    prop_assert_eq!(sum_closing, total_covered);
                    prop_assert_eq!(total_covered - before - newly, month_change);
                }
            }
        }
    }
}
