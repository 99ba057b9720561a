//! The ledger 财务记录: each account's money as append-only entries. An entry
//! is never changed; a mistake is undone by a reversing entry that points at
//! it. Balances, aging and DSO are derived from the entries here, on i64
//! minor units (分), per currency.
//!
//! Sign convention: an entry's `amount` is its effect on what the customer
//! owes us (the receivable). Invoices and upward adjustments are positive;
//! payments, discounts, returns and downward adjustments negative. Users type
//! every amount as a positive figure; the kind gives the sign.

use serde::Serialize;
use time::Date;

use crate::access::{AccountFacts, Actor, Role};
use crate::fields::{EnumDef, FieldDef, Kind};

pub static ENTRY_KIND: EnumDef = EnumDef {
    name: "entry_kind",
    values: &["opening_balance", "invoice", "payment", "discount", "return", "adjustment_up", "adjustment_down"],
};

pub static PAYMENT_METHOD: EnumDef = EnumDef {
    name: "payment_method",
    values: &["bank_transfer", "acceptance_bill", "cash", "cheque", "online", "other"],
};

/// What a user posts. `amount` is the positive figure; `due_date` applies to
/// invoices (from the account's payment terms when left empty).
pub static FIELDS: &[FieldDef] = &[
    FieldDef::new("entry_date", Kind::Date, "entry").required(),
    FieldDef::new("kind", Kind::Enum(&ENTRY_KIND), "entry").required(),
    FieldDef::new("amount", Kind::Money, "entry").required(),
    FieldDef::new("currency", Kind::Currency, "entry"),
    FieldDef::new("due_date", Kind::Date, "entry"),
    FieldDef::new("payment_method", Kind::Enum(&PAYMENT_METHOD), "reference"),
    FieldDef::new("voucher_no", Kind::Text(50), "reference"),
    FieldDef::new("invoice_no", Kind::Text(50), "reference"),
    FieldDef::new("contract_no", Kind::Text(50), "reference"),
    FieldDef::new("reference", Kind::Text(200), "reference"),
    FieldDef::new("note", Kind::Text(500), "reference"),
];

pub const GROUPS: &[&str] = &["entry", "reference"];

/// The signed effect of a positive figure of a kind on the receivable.
pub fn signed(kind: &str, figure: i64) -> i64 {
    match kind {
        "opening_balance" | "invoice" | "adjustment_up" => figure,
        _ => -figure,
    }
}

/// Whether an entry of this kind is a sale on credit (counts for DSO and aging).
pub fn is_charge(kind: &str) -> bool {
    matches!(kind, "opening_balance" | "invoice" | "adjustment_up")
}

/// Who may post entries: finance and admin.
pub fn can_post(actor: &Actor) -> bool {
    matches!(actor.role, Role::Finance | Role::Admin)
}

/// Whether a role sees money at all (ledgers, receivables, statements,
/// amounts on other records), as the visibility table says.
pub fn can_see_money(actor: &Actor) -> bool {
    crate::visibility::Viewer::of(actor).sees_money()
}

/// Who may read an account's ledger: finance, admin and auditors on every
/// account; managers and reps on the accounts they may see (read-only);
/// service staff not at all.
pub fn can_read(actor: &Actor, a: &AccountFacts) -> bool {
    match actor.role {
        Role::Finance | Role::Admin | Role::Auditor => true,
        Role::Manager | Role::Sales => actor.can_read_account(a),
        Role::Service => false,
    }
}

/// One posted entry as the rules see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Posted {
    pub id: i64,
    pub date: Date,
    pub kind: String,
    /// Signed effect on the receivable.
    pub amount: i64,
    pub due: Option<Date>,
    /// The entry this one reverses.
    pub reverses: Option<i64>,
}

/// Why a reversal is refused.
pub fn check_reversal(original: &Posted, already_reversed: bool) -> Result<(), &'static str> {
    if original.reverses.is_some() {
        Err("err.reverse_reversal")
    } else if already_reversed {
        Err("err.already_reversed")
    } else {
        Ok(())
    }
}

/// Business dates (entries, dues, orders, deliveries) lie in a window: by
/// default from 2000-01-01 to a year ahead of today (1900 and 2030 are typing
/// mistakes); an instance may set its own (`kam serve --earliest-business-date
/// --business-days-ahead`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    pub earliest: Date,
    pub days_ahead: i64,
}

pub const EARLIEST_BUSINESS_DATE: Date = time::macros::date!(2000 - 01 - 01);
pub const BUSINESS_DAYS_AHEAD: i64 = 366;

impl Default for DateWindow {
    fn default() -> Self {
        DateWindow { earliest: EARLIEST_BUSINESS_DATE, days_ahead: BUSINESS_DAYS_AHEAD }
    }
}

impl DateWindow {
    pub fn check(&self, d: Date, today: Date) -> Result<(), &'static str> {
        if d < self.earliest || d > today + time::Duration::days(self.days_ahead) {
            Err("err.date_window")
        } else {
            Ok(())
        }
    }
}

/// The balance: the sum of the entries.
pub fn balance(entries: &[Posted]) -> i64 {
    entries.iter().map(|e| e.amount).sum()
}

/// The entries with each reversal dated up to `as_of` taken out together with
/// the entry it reverses: a correction and what it corrects cancel (they sum
/// to zero), so neither ages, counts as a sale or a collection, or clears an
/// older charge. Both stay in the ledger and the statements; this is only how
/// aging, DSO, the credit factors and 附表五 read them. A reversal dated after
/// `as_of` did not exist yet: the original stands then.
pub fn without_reversed(entries: &[Posted], as_of: Date) -> Vec<Posted> {
    let cancelled: std::collections::HashSet<i64> = entries
        .iter()
        .filter(|e| e.date <= as_of)
        .filter_map(|e| e.reverses.map(|orig| [orig, e.id]))
        .flatten()
        .collect();
    entries.iter().filter(|e| !cancelled.contains(&e.id)).cloned().collect()
}

/// Entries in order with the balance after each (the ledger's running balance).
pub fn running(entries: &[Posted]) -> Vec<(&Posted, i64)> {
    let mut b = 0;
    entries
        .iter()
        .map(|e| {
            b += e.amount;
            (e, b)
        })
        .collect()
}

/// Aging buckets 账龄 by days past the due date: 0–30 (including not yet
/// due), 31–60, 61–90, over 90; plus what is past due at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Aging {
    pub d0_30: i64,
    pub d31_60: i64,
    pub d61_90: i64,
    pub d90_plus: i64,
    /// Past the due date (any bucket).
    pub overdue: i64,
    /// Credits not yet matched to any charge (a prepayment): a negative figure.
    pub unapplied: i64,
    /// Days the oldest unpaid charge is past due (0 when nothing is).
    pub max_days_overdue: i64,
}

impl Aging {
    pub fn total(&self) -> i64 {
        self.d0_30 + self.d31_60 + self.d61_90 + self.d90_plus + self.unapplied
    }
}

/// The open part of each charge after credits are applied oldest-first
/// (FIFO by due date, then date, then id): `(due, open amount)`.
pub fn open_charges(entries: &[Posted]) -> (Vec<(Date, i64)>, i64) {
    let (open, unapplied) = open_items(entries);
    (open.into_iter().map(|(_, due, amount)| (due, amount)).collect(), unapplied)
}

/// The same, naming each charge: `(entry id, due, open amount)` in FIFO
/// order, and the credit left unapplied (negative).
pub fn open_items(entries: &[Posted]) -> (Vec<(i64, Date, i64)>, i64) {
    let mut charges: Vec<(Date, Date, i64, i64)> =
        entries.iter().filter(|e| e.amount > 0).map(|e| (e.due.unwrap_or(e.date), e.date, e.id, e.amount)).collect();
    charges.sort();
    let mut credit: i64 = entries.iter().filter(|e| e.amount < 0).map(|e| -e.amount).sum();
    let mut open = Vec::new();
    for (due, _, id, amount) in charges {
        let applied = credit.min(amount);
        credit -= applied;
        if amount > applied {
            open.push((id, due, amount - applied));
        }
    }
    (open, -credit)
}

/// Aging as of a day.
pub fn aging(entries: &[Posted], as_of: Date) -> Aging {
    let (open, unapplied) = open_charges(&without_reversed(entries, as_of));
    let mut a = Aging { unapplied, ..Aging::default() };
    for (due, amount) in open {
        let days = (as_of - due).whole_days();
        match days {
            ..=30 => a.d0_30 += amount,
            31..=60 => a.d31_60 += amount,
            61..=90 => a.d61_90 += amount,
            _ => a.d90_plus += amount,
        }
        if days > 0 {
            a.overdue += amount;
            a.max_days_overdue = a.max_days_overdue.max(days);
        }
    }
    a
}

/// Days sales outstanding over the `days` up to `as_of`: the receivable at
/// `as_of` divided by the credit sales of the period, times the days. None
/// when there were no sales in the period.
pub fn dso(entries: &[Posted], as_of: Date, days: i64) -> Option<f64> {
    let entries = &without_reversed(entries, as_of);
    let from = as_of - time::Duration::days(days);
    let sales: i64 = entries
        .iter()
        .filter(|e| e.date > from && e.date <= as_of && is_charge(&e.kind) && e.kind != "opening_balance")
        .map(|e| e.amount)
        .sum();
    let receivable: i64 = entries.iter().filter(|e| e.date <= as_of).map(|e| e.amount).sum();
    if sales <= 0 {
        return None;
    }
    Some(((receivable.max(0) as f64 / sales as f64) * days as f64 * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{TeamId, UserId};
    use time::macros::date;

    fn e(id: i64, d: Date, kind: &str, figure: i64, due: Option<Date>) -> Posted {
        Posted { id, date: d, kind: kind.into(), amount: signed(kind, figure), due, reverses: None }
    }

    #[test]
    fn business_dates_lie_in_a_window() {
        let today = date!(2026 - 12 - 01);
        assert_eq!(DateWindow::default().check(date!(2000 - 01 - 01), today), Ok(()));
        assert_eq!(DateWindow::default().check(date!(1999 - 12 - 31), today), Err("err.date_window"));
        assert_eq!(DateWindow::default().check(date!(2027 - 12 - 02), today), Ok(()));
        assert_eq!(DateWindow::default().check(date!(2027 - 12 - 03), today), Err("err.date_window"));
        assert_eq!(DateWindow::default().check(date!(2030 - 01 - 01), today), Err("err.date_window"));
        let wide = DateWindow { earliest: date!(1990 - 01 - 01), days_ahead: 3 * 365 };
        assert_eq!(wide.check(date!(1995 - 06 - 30), today), Ok(()));
        assert_eq!(wide.check(date!(2029 - 06 - 30), today), Ok(()));
        assert_eq!(wide.check(date!(1989 - 12 - 31), today), Err("err.date_window"));
    }

    #[test]
    fn kinds_give_the_sign() {
        assert_eq!(signed("invoice", 100), 100);
        assert_eq!(signed("payment", 100), -100);
        assert_eq!(signed("return", 100), -100);
        assert_eq!(signed("discount", 100), -100);
        assert_eq!(signed("adjustment_up", 100), 100);
        assert_eq!(signed("adjustment_down", 100), -100);
        assert_eq!(signed("opening_balance", 100), 100);
    }

    #[test]
    fn aging_at_bucket_edges() {
        let as_of = date!(2026 - 11 - 30);
        let due = |days: i64| Some(as_of - time::Duration::days(days));
        let entries = vec![
            e(1, date!(2026 - 01 - 01), "invoice", 1, due(-5)),
            e(2, date!(2026 - 01 - 01), "invoice", 10, due(0)),
            e(3, date!(2026 - 01 - 01), "invoice", 100, due(30)),
            e(4, date!(2026 - 01 - 01), "invoice", 1_000, due(31)),
            e(5, date!(2026 - 01 - 01), "invoice", 10_000, due(60)),
            e(6, date!(2026 - 01 - 01), "invoice", 100_000, due(61)),
            e(7, date!(2026 - 01 - 01), "invoice", 1_000_000, due(90)),
            e(8, date!(2026 - 01 - 01), "invoice", 10_000_000, due(91)),
        ];
        let a = aging(&entries, as_of);
        assert_eq!(a.d0_30, 111);
        assert_eq!(a.d31_60, 11_000);
        assert_eq!(a.d61_90, 1_100_000);
        assert_eq!(a.d90_plus, 10_000_000);
        assert_eq!(a.overdue, 11_111_100, "due today is not yet overdue; one day past is");
        assert_eq!(a.max_days_overdue, 91);
        assert_eq!(a.total(), balance(&entries));
    }

    #[test]
    fn aging_counts_calendar_days_across_the_leap_day_and_year_end() {
        let inv = |id, due| e(id, date!(2027 - 12 - 01), "invoice", 1_000, Some(due));
        // Due on 28 February 2028: one day overdue on the 29th, two on 1 March.
        let entries = [inv(1, date!(2028 - 02 - 28))];
        assert_eq!(aging(&entries, date!(2028 - 02 - 28)).overdue, 0);
        assert_eq!(aging(&entries, date!(2028 - 02 - 29)).max_days_overdue, 1);
        assert_eq!(aging(&entries, date!(2028 - 03 - 01)).max_days_overdue, 2);
        // Due on New Year's Eve: 30 days past on 30 January, 31 (the next bucket) on the 31st.
        let entries = [inv(2, date!(2026 - 12 - 31))];
        assert_eq!(aging(&entries, date!(2027 - 01 - 30)).d0_30, 1_000);
        assert_eq!(aging(&entries, date!(2027 - 01 - 31)).d31_60, 1_000);
    }

    #[test]
    fn dso_windows_span_the_year_end_and_the_leap_day() {
        // The 90 days up to 31 March 2028 begin on 2 January (30 + 29 + 31 days: 2028 is a leap year).
        let entries = vec![
            e(1, date!(2028 - 01 - 01), "invoice", 50_000, None),
            e(2, date!(2028 - 01 - 02), "invoice", 90_000, None),
            e(3, date!(2028 - 03 - 01), "payment", 45_000, None),
        ];
        // Sales 90 000 (1 January is outside), receivable 95 000: 95 days.
        assert_eq!(dso(&entries, date!(2028 - 03 - 31), 90), Some(95.0));
        // Up to New Year's Eve the window begins on 3 October.
        let entries = vec![e(1, date!(2026 - 10 - 03), "invoice", 30_000, None)];
        assert_eq!(dso(&entries, date!(2026 - 12 - 31), 90), Some(90.0));
        assert_eq!(dso(&entries, date!(2027 - 01 - 01), 90), None, "out of the window the next day");
    }

    #[test]
    fn a_reversal_and_its_original_cancel_in_aging_and_dso() {
        let as_of = date!(2026 - 11 - 30);
        let rev = |id, d, of: &Posted| Posted {
            id,
            date: d,
            kind: of.kind.clone(),
            amount: -of.amount,
            due: None,
            reverses: Some(of.id),
        };
        let old = e(1, date!(2026 - 08 - 01), "invoice", 5_000, Some(date!(2026 - 09 - 01)));
        let pay = e(2, date!(2026 - 11 - 01), "payment", 5_000, None);
        let undo = rev(3, date!(2026 - 11 - 15), &pay);
        // The payment was posted by mistake and reversed: the old invoice is still 90 days overdue,
        // not cleared by the payment while the reversal becomes a young charge.
        let a = aging(&[old.clone(), pay.clone(), undo.clone()], as_of);
        assert_eq!((a.max_days_overdue, a.overdue, a.d61_90, a.d0_30), (90, 5_000, 5_000, 0));
        // Before the reversal existed, the payment stood.
        assert_eq!(aging(&[old.clone(), pay.clone(), undo.clone()], date!(2026 - 11 - 10)).overdue, 0);
        // A reversed invoice is no sale in DSO.
        let inv = e(4, date!(2026 - 10 - 01), "invoice", 9_000, None);
        let inv_undo = rev(5, date!(2026 - 10 - 02), &inv);
        assert_eq!(dso(&[inv.clone(), inv_undo.clone()], as_of, 90), None);
        assert_eq!(without_reversed(&[inv, inv_undo, old.clone()], as_of), vec![old]);
    }

    #[test]
    fn payments_clear_the_oldest_charges_first() {
        let as_of = date!(2026 - 11 - 30);
        let entries = vec![
            e(1, date!(2026 - 07 - 01), "invoice", 5_000, Some(date!(2026 - 08 - 01))),
            e(2, date!(2026 - 10 - 01), "invoice", 3_000, Some(date!(2026 - 11 - 01))),
            e(3, date!(2026 - 11 - 10), "payment", 6_000, None),
        ];
        let a = aging(&entries, as_of);
        assert_eq!((a.d90_plus, a.d0_30, a.d31_60), (0, 2_000, 0), "the older invoice is paid first");
        assert_eq!(a.overdue, 2_000);
        // Overpaid: a prepayment shows as unapplied credit.
        let more = [entries.clone(), vec![e(4, date!(2026 - 11 - 20), "payment", 3_000, None)]].concat();
        let a = aging(&more, as_of);
        assert_eq!((a.d0_30, a.unapplied, a.total()), (0, -1_000, -1_000));
    }

    #[test]
    fn dso_over_a_period() {
        let as_of = date!(2026 - 11 - 30);
        let entries = vec![
            e(1, date!(2026 - 09 - 15), "invoice", 90_000, None),
            e(2, date!(2026 - 10 - 15), "invoice", 90_000, None),
            e(3, date!(2026 - 11 - 15), "payment", 120_000, None),
        ];
        // Receivable 60 000 over sales of 180 000 in 90 days: 30 days.
        assert_eq!(dso(&entries, as_of, 90), Some(30.0));
        assert_eq!(dso(&entries, date!(2026 - 01 - 01), 90), None, "no sales, no DSO");
    }

    #[test]
    fn a_reversal_is_final() {
        let orig = e(1, date!(2026 - 11 - 01), "payment", 500, None);
        assert_eq!(check_reversal(&orig, false), Ok(()));
        assert_eq!(check_reversal(&orig, true), Err("err.already_reversed"));
        let rev = Posted { reverses: Some(1), amount: 500, ..orig.clone() };
        assert_eq!(check_reversal(&rev, false), Err("err.reverse_reversal"));
        assert_eq!(balance(&[orig, rev]), 0);
    }

    #[test]
    fn who_posts_and_reads() {
        let mine =
            AccountFacts { owner_id: Some(UserId(1)), owner_team_id: Some(TeamId(10)), shared_with_actor: false };
        let other =
            AccountFacts { owner_id: Some(UserId(3)), owner_team_id: Some(TeamId(20)), shared_with_actor: false };
        let rep = Actor { user_id: UserId(1), role: Role::Sales, team_id: Some(TeamId(10)) };
        let fin = Actor { user_id: UserId(9), role: Role::Finance, team_id: None };
        let svc = Actor { user_id: UserId(8), role: Role::Service, team_id: None };
        assert!(can_read(&rep, &mine) && !can_read(&rep, &other));
        assert!(!can_post(&rep) && can_post(&fin));
        assert!(can_read(&fin, &other));
        assert!(!can_read(&svc, &mine), "service staff do not see money");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn entry() -> impl Strategy<Value = (u8, i64, i64)> {
            (0u8..7, 1i64..1_000_000, 0i64..400)
        }

        proptest! {
            /// Every balance equals the sum of its entries and the aging buckets
            /// always add up to it, whatever the mix and order of postings.
            #[test]
            fn aging_adds_up_to_the_balance(raw in proptest::collection::vec(entry(), 0..60), as_of_offset in 0i64..500) {
                let start = date!(2025 - 01 - 01);
                let entries: Vec<Posted> = raw
                    .iter()
                    .enumerate()
                    .map(|(i, (k, fig, day))| {
                        let kind = ENTRY_KIND.values[*k as usize];
                        let d = start + time::Duration::days(*day);
                        e(i as i64, d, kind, *fig, Some(d + time::Duration::days(30)))
                    })
                    .collect();
                let as_of = start + time::Duration::days(as_of_offset);
                let a = aging(&entries, as_of);
                prop_assert_eq!(a.total(), balance(&entries));
                prop_assert!(a.overdue <= a.d0_30 + a.d31_60 + a.d61_90 + a.d90_plus);
                prop_assert!(a.unapplied <= 0);
                let last = running(&entries).last().map(|(_, b)| *b).unwrap_or(0);
                prop_assert_eq!(last, balance(&entries));
            }
        }
    }
}
