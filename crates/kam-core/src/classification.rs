//! Classification 客户归类 (附表一): beside the grade a person gives (A/B/C/D),
//! the class KAM computes from the trailing twelve months' revenue (ABC,
//! Pareto) and the RFM scores (recency, frequency, monetary).
//!
//! - **Revenue**: the orders dated in the twelve months to today (the day a
//!   year ago excluded), with tax, cancelled, returned and held orders left
//!   out, in the order's own figures (currencies are not converted).
//! - **ABC**: accounts by revenue, highest first. An account is A while the
//!   revenue of the accounts above it is under `a` % of the total (so the
//!   account that crosses `a` % is still A), B while under `b` %, else C.
//!   Accounts with equal revenue share a class (those above them are the
//!   ones with more). No revenue in twelve months: C.
//! - **RFM**: among the accounts with an order in the twelve months, each
//!   score is the quintile of the account's place: `ceil(5 × k / n)` where
//!   `n` is the number of those accounts and `k` how many of them do no
//!   better (recency: the last order no later; frequency: no more orders;
//!   monetary: no more revenue). Ties take the same, higher quintile, so
//!   with many ties a low score may be unused.

use serde::Serialize;

/// The admin's ABC cut-offs, in whole percent of revenue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    pub a: i64,
    pub b: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { a: 80, b: 95 }
    }
}

impl Thresholds {
    /// Checked: 1 ≤ a < b ≤ 100.
    pub fn new(a: i64, b: i64) -> Result<Thresholds, &'static str> {
        if (1..100).contains(&a) && a < b && b <= 100 { Ok(Thresholds { a, b }) } else { Err("class.err_thresholds") }
    }

    /// As stored: `80,95`.
    pub fn to_setting(self) -> String {
        format!("{},{}", self.a, self.b)
    }

    pub fn from_setting(s: &str) -> Option<Thresholds> {
        let (a, b) = s.split_once(',')?;
        Thresholds::new(a.trim().parse().ok()?, b.trim().parse().ok()?).ok()
    }
}

/// The ABC class of an account with `revenue`, when the accounts with more
/// revenue than it make `above` of `total`.
pub fn abc(above: i64, revenue: i64, total: i64, t: Thresholds) -> &'static str {
    if revenue <= 0 || total <= 0 {
        "C"
    } else if above * 100 < t.a * total {
        "A"
    } else if above * 100 < t.b * total {
        "B"
    } else {
        "C"
    }
}

/// The quintile score of a place: `k` of `n` do no better.
pub fn quintile(k: i64, n: i64) -> i64 {
    if n <= 0 || k <= 0 {
        return 1;
    }
    ((5 * k + n - 1) / n).clamp(1, 5)
}

/// Whether the grade given disagrees with the class computed: a grade of A,
/// B or C differs, and D (below C) agrees with C only.
pub fn disagrees(grade: Option<&str>, class: &str) -> bool {
    match grade {
        Some("D") => class != "C",
        Some(g) => g != class,
        None => true,
    }
}

/// Who may accept the computed class as an account's grade: admin, and
/// managers for the accounts they may edit.
pub fn can_accept(actor: &crate::Actor, a: &crate::access::AccountFacts) -> bool {
    matches!(actor.role, crate::Role::Admin | crate::Role::Manager) && actor.can_edit_account(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ranks as the store computes them, for a list of revenues.
    fn classes(revenues: &[i64], t: Thresholds) -> Vec<&'static str> {
        let total: i64 = revenues.iter().sum();
        revenues.iter().map(|r| abc(revenues.iter().filter(|o| *o > r).sum(), *r, total, t)).collect()
    }

    #[test]
    fn abc_at_exactly_80_and_95_percent() {
        let t = Thresholds::default();
        // 50 + 30 = 80 % exactly: both A; the next starts at 80 %: B; 95 %: C.
        assert_eq!(classes(&[50, 30, 15, 5], t), vec!["A", "A", "B", "C"]);
        // One account over 80 % alone is still A; the one after it at 85 %: B.
        assert_eq!(classes(&[85, 10, 5], t), vec!["A", "B", "C"]);
        // Just under 80 % before it: A.
        assert_eq!(classes(&[7_999, 2_000, 1], t), vec!["A", "A", "C"], "79.99 % above the second");
        // Ties share a class: two of 40 each have 20 above them.
        assert_eq!(classes(&[20, 40, 40], t), vec!["B", "A", "A"], "80 of 100 above the 20");
        assert_eq!(classes(&[0, 10], t), vec!["C", "A"], "no revenue is C");
        assert_eq!(classes(&[50, 30, 15, 5], Thresholds::new(50, 80).unwrap()), vec!["A", "B", "C", "C"]);
    }

    #[test]
    fn thresholds_are_checked_and_stored() {
        assert_eq!(Thresholds::new(95, 80), Err("class.err_thresholds"));
        assert_eq!(Thresholds::new(0, 80), Err("class.err_thresholds"));
        assert_eq!(Thresholds::new(80, 101), Err("class.err_thresholds"));
        assert_eq!(Thresholds::from_setting("70, 90"), Some(Thresholds { a: 70, b: 90 }));
        assert_eq!(Thresholds::from_setting("x"), None);
        assert_eq!(Thresholds::default().to_setting(), "80,95");
    }

    #[test]
    fn quintiles_with_ties_take_the_higher() {
        // Five distinct: 1 … 5.
        assert_eq!((1..=5).map(|k| quintile(k, 5)).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
        // Ten accounts: two per quintile.
        assert_eq!((1..=10).map(|k| quintile(k, 10)).collect::<Vec<_>>(), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // Values 10, 10, 20, 30, 40: the two tens have k = 2 each and share 2; no 1 is given.
        assert_eq!(quintile(2, 5), 2);
        // Everyone tied: all 5.
        assert_eq!(quintile(7, 7), 5);
        assert_eq!(quintile(1, 1), 5, "one account alone is the best");
        assert_eq!(quintile(0, 0), 1);
    }

    #[test]
    fn grade_disagreement() {
        assert!(!disagrees(Some("A"), "A"));
        assert!(disagrees(Some("B"), "A"));
        assert!(!disagrees(Some("D"), "C"), "D is below C");
        assert!(disagrees(Some("D"), "B"));
        assert!(disagrees(None, "C"));
    }
}
