//! Credit assessment 信用评估: a score out of 100 computed from the ledger and
//! the profile, the factors shown one by one, a rating, a suggested limit,
//! and the comparison with the same period last year (上年同期).
//!
//! The formula (each factor's points, adding up to at most 100):
//!
//! | factor | points |
//! |---|---|
//! | on-time payment ratio (charges due in the 12 months to the day, by amount, settled by their due date; payments clear the oldest charges first) | ratio × 30; no charge due yet: 15 |
//! | overdue: the oldest unpaid charge's days past due | 0 days 20 · 1–30: 15 · 31–60: 10 · 61–90: 5 · over 90: 0 |
//! | DSO over 90 days against the payment terms | ≤ terms: 20 · ≤ terms + 30: 12 · ≤ terms + 60: 6 · more: 0 · no sales: 10 |
//! | asset-liability ratio 资产负债率 | ≤ 50 %: 15 · ≤ 70 %: 10 · ≤ 85 %: 5 · more: 0 · unknown: 7 |
//! | years of cooperation | ≥ 5: 15 · ≥ 3: 11 · ≥ 1: 7 · less: 3 · unknown: 3 |
//!
//! Rating: A from 85, B from 70, C from 55, D below. Suggested limit: the
//! average monthly credit sales of the last 12 months times 3 (A), 2 (B),
//! 1 (C) or 0 (D: cash in advance), rounded down to ¥1,000.

use serde::Serialize;
use time::Date;

use crate::access::{Actor, Role};
use crate::ledger::{self, Posted};

/// One factor with its measured value and its points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    pub key: &'static str,
    /// The measurement as shown (a ratio, days, a percentage, years), None when unknown.
    pub value: Option<f64>,
    pub points: i64,
    pub max: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub as_of: Date,
    pub score: i64,
    pub rating: &'static str,
    pub suggested_limit: i64,
    pub overdue_amount: i64,
    pub factors: Vec<Factor>,
}

/// What the profile adds to the ledger.
#[derive(Debug, Clone, Copy, Default)]
pub struct Profile {
    pub payment_terms_days: i64,
    pub asset_liability_ratio: Option<f64>,
    pub cooperation_since: Option<Date>,
}

/// The share (by amount) of the charges due in `(from, as_of]` that were
/// settled by their due date, credits clearing the oldest charges first.
pub fn on_time_ratio(entries: &[Posted], from: Date, as_of: Date) -> Option<f64> {
    let mut charges: Vec<(Date, Date, i64, i64)> = entries
        .iter()
        .filter(|e| e.amount > 0 && e.date <= as_of)
        .map(|e| (e.due.unwrap_or(e.date), e.date, e.id, e.amount))
        .collect();
    charges.sort();
    let mut credits: Vec<(Date, i64, i64)> =
        entries.iter().filter(|e| e.amount < 0 && e.date <= as_of).map(|e| (e.date, e.id, -e.amount)).collect();
    credits.sort();
    // When each charge was fully covered.
    let mut covered_on: Vec<Option<Date>> = vec![None; charges.len()];
    let (mut ci, mut left) = (0usize, charges.first().map(|c| c.3).unwrap_or(0));
    for (day, _, mut amount) in credits {
        while amount > 0 && ci < charges.len() {
            let take = amount.min(left);
            amount -= take;
            left -= take;
            if left == 0 {
                covered_on[ci] = Some(day);
                ci += 1;
                left = charges.get(ci).map(|c| c.3).unwrap_or(0);
            }
        }
    }
    let due: Vec<usize> = (0..charges.len()).filter(|i| charges[*i].0 > from && charges[*i].0 <= as_of).collect();
    let total: i64 = due.iter().map(|i| charges[*i].3).sum();
    if total == 0 {
        return None;
    }
    let on_time: i64 =
        due.iter().filter(|i| covered_on[**i].is_some_and(|d| d <= charges[**i].0)).map(|i| charges[*i].3).sum();
    Some(on_time as f64 / total as f64)
}

pub fn rating(score: i64) -> &'static str {
    match score {
        85.. => "A",
        70..=84 => "B",
        55..=69 => "C",
        _ => "D",
    }
}

/// The assessment as of a day.
pub fn assess(entries: &[Posted], p: Profile, as_of: Date) -> Assessment {
    let entries = &ledger::without_reversed(entries, as_of);
    let year_ago = as_of - time::Duration::days(365);
    let ratio = on_time_ratio(entries, year_ago, as_of);
    let aging = ledger::aging(&entries.iter().filter(|e| e.date <= as_of).cloned().collect::<Vec<_>>(), as_of);
    let dso = ledger::dso(entries, as_of, 90);
    let years = p.cooperation_since.map(|s| ((as_of - s).whole_days() as f64 / 365.25 * 10.0).floor() / 10.0);
    let factors = vec![
        Factor {
            key: "on_time_ratio",
            value: ratio.map(|r| (r * 1000.0).round() / 10.0),
            points: ratio.map(|r| (r * 30.0).round() as i64).unwrap_or(15),
            max: 30,
        },
        Factor {
            key: "days_overdue",
            value: Some(aging.max_days_overdue as f64),
            points: match aging.max_days_overdue {
                0 => 20,
                1..=30 => 15,
                31..=60 => 10,
                61..=90 => 5,
                _ => 0,
            },
            max: 20,
        },
        Factor {
            key: "dso",
            value: dso,
            points: match dso {
                None => 10,
                Some(d) if d <= p.payment_terms_days as f64 => 20,
                Some(d) if d <= (p.payment_terms_days + 30) as f64 => 12,
                Some(d) if d <= (p.payment_terms_days + 60) as f64 => 6,
                Some(_) => 0,
            },
            max: 20,
        },
        Factor {
            key: "asset_liability_ratio",
            value: p.asset_liability_ratio,
            points: match p.asset_liability_ratio {
                None => 7,
                Some(r) if r <= 50.0 => 15,
                Some(r) if r <= 70.0 => 10,
                Some(r) if r <= 85.0 => 5,
                Some(_) => 0,
            },
            max: 15,
        },
        Factor {
            key: "years_of_cooperation",
            value: years,
            points: match years {
                Some(y) if y >= 5.0 => 15,
                Some(y) if y >= 3.0 => 11,
                Some(y) if y >= 1.0 => 7,
                _ => 3,
            },
            max: 15,
        },
    ];
    let score: i64 = factors.iter().map(|f| f.points).sum();
    let rating = rating(score);
    let sales: i64 =
        entries.iter().filter(|e| e.date > year_ago && e.date <= as_of && e.kind == "invoice").map(|e| e.amount).sum();
    let months = match rating {
        "A" => 3,
        "B" => 2,
        "C" => 1,
        _ => 0,
    };
    let suggested_limit = (sales.max(0) / 12 * months) / 100_000 * 100_000;
    Assessment { as_of, score, rating, suggested_limit, overdue_amount: aging.overdue, factors }
}

/// The days a period is assessed as of, and the same day a year earlier: the
/// month's last day for a month that has ended (or not begun), but *today*
/// for the month under way — as of its end, invoices not yet due would count
/// as late.
pub fn assessment_days(period: &str, today: Date) -> Option<(Date, Date)> {
    let (end, prev_end) = period_ends(period)?;
    let (first, _) = crate::statement::month_bounds(period)?;
    if first <= today && today < end {
        Some((today, crate::time_util::same_day_in(today, today.year() - 1)))
    } else {
        Some((end, prev_end))
    }
}

/// The last day of the month `YYYY-MM`, and the same month a year earlier.
pub fn period_ends(period: &str) -> Option<(Date, Date)> {
    let (_, end) = crate::statement::month_bounds(period)?;
    let (y, m) = period.split_once('-')?;
    let last_year = format!("{:04}-{m}", y.parse::<i32>().ok()? - 1);
    let (_, prev) = crate::statement::month_bounds(&last_year)?;
    Some((end, prev))
}

/// Overriding the computed rating and limit: finance and admin.
pub fn can_override(actor: &Actor) -> bool {
    matches!(actor.role, Role::Finance | Role::Admin)
}

pub static RATINGS: &[&str] = &["A", "B", "C", "D"];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn e(id: i64, d: Date, kind: &str, figure: i64, due: Option<Date>) -> Posted {
        Posted { id, date: d, kind: kind.into(), amount: ledger::signed(kind, figure), due, reverses: None }
    }

    #[test]
    fn the_month_under_way_is_assessed_as_of_today() {
        let d = |s: &str| crate::time_util::parse_date(s).unwrap();
        assert_eq!(assessment_days("2026-12", d("2026-12-01")), Some((d("2026-12-01"), d("2025-12-01"))));
        assert_eq!(assessment_days("2026-11", d("2026-12-01")), Some((d("2026-11-30"), d("2025-11-30"))), "ended");
        assert_eq!(assessment_days("2027-01", d("2026-12-01")), Some((d("2027-01-31"), d("2026-01-31"))), "not begun");
        assert_eq!(assessment_days("2028-02", d("2028-02-29")), Some((d("2028-02-29"), d("2027-02-28"))));
        assert_eq!(assessment_days("2028-02", d("2028-02-10")), Some((d("2028-02-10"), d("2027-02-10"))));
        assert_eq!(assessment_days("2028-13", d("2028-02-10")), None);
    }

    #[test]
    fn periods_end_on_the_last_day_including_29_february() {
        assert_eq!(period_ends("2028-02"), Some((date!(2028 - 02 - 29), date!(2027 - 02 - 28))));
        assert_eq!(period_ends("2029-02"), Some((date!(2029 - 02 - 28), date!(2028 - 02 - 29))));
        assert_eq!(period_ends("2026-12"), Some((date!(2026 - 12 - 31), date!(2025 - 12 - 31))));
        assert_eq!(period_ends("2026-13"), None);
        assert_eq!(period_ends("26-12"), None);
    }

    #[test]
    fn on_time_by_amount_oldest_first() {
        let entries = vec![
            e(1, date!(2026 - 01 - 01), "invoice", 1_000, Some(date!(2026 - 02 - 01))),
            e(2, date!(2026 - 03 - 01), "invoice", 3_000, Some(date!(2026 - 04 - 01))),
            e(3, date!(2026 - 01 - 20), "payment", 1_000, None),
            e(4, date!(2026 - 04 - 15), "payment", 3_000, None),
        ];
        // The first paid before its due date, the second two weeks late.
        assert_eq!(on_time_ratio(&entries, date!(2025 - 12 - 01), date!(2026 - 06 - 30)), Some(0.25));
        assert_eq!(on_time_ratio(&entries, date!(2026 - 02 - 15), date!(2026 - 06 - 30)), Some(0.0));
        assert_eq!(on_time_ratio(&[], date!(2025 - 12 - 01), date!(2026 - 06 - 30)), None);
    }

    #[test]
    fn the_formula_adds_up_and_rates() {
        let as_of = date!(2026 - 11 - 30);
        let good = vec![
            e(1, date!(2026 - 09 - 05), "invoice", 1_200_000, Some(date!(2026 - 10 - 05))),
            e(2, date!(2026 - 09 - 25), "payment", 1_200_000, None),
        ];
        let p = Profile {
            payment_terms_days: 30,
            asset_liability_ratio: Some(45.0),
            cooperation_since: Some(date!(2018 - 01 - 01)),
        };
        let a = assess(&good, p, as_of);
        let pts: Vec<i64> = a.factors.iter().map(|f| f.points).collect();
        assert_eq!(pts, vec![30, 20, 20, 15, 15]);
        assert_eq!((a.score, a.rating), (100, "A"));
        assert_eq!(a.suggested_limit, 300_000, "¥12,000 a year: ¥1,000 a month × 3");
        let bad = vec![e(1, date!(2026 - 05 - 01), "invoice", 500_000, Some(date!(2026 - 06 - 01)))];
        let p = Profile { payment_terms_days: 30, asset_liability_ratio: Some(90.0), cooperation_since: None };
        let a = assess(&bad, p, as_of);
        assert_eq!(a.factors[1].value, Some(182.0));
        assert_eq!(
            (a.score, a.rating, a.suggested_limit),
            (13, "D", 0),
            "on time 0, overdue 0, no sales 10, ratio 0, unknown 3"
        );
        assert_eq!(a.overdue_amount, 500_000);
        assert_eq!(
            [rating(85), rating(84), rating(70), rating(69), rating(55), rating(54)],
            ["A", "B", "B", "C", "C", "D"]
        );
    }

    #[test]
    fn same_period_last_year() {
        assert_eq!(period_ends("2026-02"), Some((date!(2026 - 02 - 28), date!(2025 - 02 - 28))));
        assert_eq!(period_ends("2028-02").map(|p| p.1), Some(date!(2027 - 02 - 28)));
        assert_eq!(period_ends("x"), None);
    }
}
