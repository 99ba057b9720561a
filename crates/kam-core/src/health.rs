//! The account health score 0–100 that explains itself: seven factors, each
//! scored 0–1 from figures KAM already holds, weighted by the admin, with
//! each factor's contribution in whole points that add up to the score.
//!
//! | factor | value shown | score 0–1 | does not apply when |
//! |---|---|---|---|
//! | `contact_recency` | days since the last contact (interaction or visit) against the plan's interval: 365 ÷ the planned visits of this year's 附表二, else 30 days | 1 up to the interval, falling evenly to 0 at three intervals | never contacted and the account is younger than the interval |
//! | `visit_plan` | this year's planned visits on time, late, and due (planned more than 7 days ago or done) | (on time + half the late) ÷ due | none due yet |
//! | `overdue_receivables` | the percent of the open balance past its due date (the worst currency) | 1 − that share; nothing owed: 1 | no ledger entry |
//! | `complaints` | open complaints, of them overdue | 1 − ¼ per open − ¼ more per overdue, at least 0 | never |
//! | `satisfaction` | the latest survey's overall score (1–5) within a year, and the one before | (score − 1) ÷ 4, less 0.2 when it fell | no survey within a year |
//! | `order_trend` | the trailing twelve months' revenue against the twelve before, in percent change | this year ÷ last year, at most 1; new revenue: 1 | no revenue in either year |
//! | `capability` | the average score (1–4) of the latest month of 附表六 within twelve months | (average − 1) ÷ 3 | no score within twelve months |
//!
//! **The score** is Σ weight × score ÷ Σ weight over the factors that apply,
//! times 100, rounded half up. **The contributions** are each factor's
//! 100 × weight × score ÷ Σ weight, rounded to whole points by the largest
//! remainder so that they add up to the score exactly. A factor that does
//! not apply contributes nothing and its weight is shared by the others.
//! When no weighted factor applies there is no score.

use serde::Serialize;

/// The factors, in the order shown.
pub const FACTORS: [&str; 7] =
    ["contact_recency", "visit_plan", "overdue_receivables", "complaints", "satisfaction", "order_trend", "capability"];

/// Days between contacts when the account has no visit plan this year.
pub const DEFAULT_INTERVAL_DAYS: i64 = 30;

/// The admin's weights, one per factor (0–100 each, at least one above 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Weights(pub [i64; 7]);

impl Default for Weights {
    fn default() -> Self {
        Weights([20, 15, 20, 15, 10, 10, 10])
    }
}

impl Weights {
    pub fn new(w: [i64; 7]) -> Result<Weights, &'static str> {
        if w.iter().all(|x| (0..=100).contains(x)) && w.iter().any(|x| *x > 0) {
            Ok(Weights(w))
        } else {
            Err("health.err_weights")
        }
    }

    /// As stored: `20,15,20,15,10,10,10`.
    pub fn to_setting(self) -> String {
        self.0.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }

    pub fn from_setting(s: &str) -> Option<Weights> {
        let v: Vec<i64> = s.split(',').map(|p| p.trim().parse().ok()).collect::<Option<_>>()?;
        Weights::new(v.try_into().ok()?).ok()
    }

    pub fn of(&self, factor: &str) -> i64 {
        FACTORS.iter().position(|f| *f == factor).map(|i| self.0[i]).unwrap_or(0)
    }
}

/// What the store reads for one account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    /// Days since the last contact; None when there has been none.
    pub days_since_contact: Option<i64>,
    pub account_age_days: i64,
    /// Planned visits in this year's plan.
    pub planned_this_year: i64,
    pub visits_on_time: i64,
    pub visits_late: i64,
    pub visits_missed: i64,
    /// (overdue, open balance) of the account's worst currency; None without a ledger.
    pub receivable: Option<(i64, i64)>,
    pub complaints_open: i64,
    pub complaints_overdue: i64,
    /// (latest overall score within a year, the one before it).
    pub satisfaction: Option<(i64, Option<i64>)>,
    /// (the trailing twelve months' revenue, the twelve months before).
    pub revenue: (i64, i64),
    /// The average score of the latest month of 附表六 within twelve months.
    pub capability: Option<f64>,
}

/// One factor as shown: its figures, its score and what it adds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    pub key: &'static str,
    /// The figure the factor is about (days, visits, percent, complaints, score).
    pub value: Option<f64>,
    /// What it is measured against (the interval, visits due, the previous score).
    pub of: Option<f64>,
    /// A second figure (late visits, overdue complaints).
    pub extra: Option<f64>,
    /// 0–1; None when the factor does not apply.
    pub score: Option<f64>,
    pub weight: i64,
    /// The most this factor can add now (its weight's share of 100).
    pub max_points: f64,
    /// What it adds, in whole points.
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    /// 0–100; None when no weighted factor applies.
    pub score: Option<i64>,
    pub factors: Vec<Factor>,
}

/// The interval between contacts the plan asks for.
pub fn interval(planned_this_year: i64) -> i64 {
    if planned_this_year > 0 { (365 + planned_this_year - 1) / planned_this_year } else { DEFAULT_INTERVAL_DAYS }
}

fn clamp(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// (value, of, extra, score) of one factor.
type Part = (Option<f64>, Option<f64>, Option<f64>, Option<f64>);

/// Each factor's part, in `FACTORS` order.
fn scored(i: &Inputs) -> [Part; 7] {
    let every = interval(i.planned_this_year);
    let recency = match i.days_since_contact {
        None if i.account_age_days < every => None,
        None => Some(0.0),
        Some(d) if d <= every => Some(1.0),
        Some(d) => Some(clamp(1.0 - (d - every) as f64 / (2 * every) as f64)),
    };
    let due = i.visits_on_time + i.visits_late + i.visits_missed;
    let visits = (due > 0).then(|| (i.visits_on_time as f64 + i.visits_late as f64 / 2.0) / due as f64);
    let (overdue_pct, overdue) = match i.receivable {
        None => (None, None),
        Some((_, balance)) if balance <= 0 => (Some(0.0), Some(1.0)),
        Some((overdue, balance)) => {
            let share = (overdue.max(0) as f64 / balance as f64).min(1.0);
            (Some((share * 1000.0).round() / 10.0), Some(clamp(1.0 - share)))
        }
    };
    let complaints = clamp(1.0 - 0.25 * i.complaints_open as f64 - 0.25 * i.complaints_overdue as f64);
    let satisfaction = i.satisfaction.map(|(s, prev)| {
        let level = (s - 1) as f64 / 4.0;
        clamp(if prev.is_some_and(|p| s < p) { level - 0.2 } else { level })
    });
    let (cur, prev) = i.revenue;
    let (trend_pct, trend) = match (cur, prev) {
        (c, p) if c <= 0 && p <= 0 => (None, None),
        (_, p) if p <= 0 => (None, Some(1.0)),
        (c, p) => (Some(((c as f64 / p as f64 - 1.0) * 1000.0).round() / 10.0), Some(clamp(c as f64 / p as f64))),
    };
    let capability = i.capability.map(|a| clamp((a - 1.0) / 3.0));
    let f = |x: i64| Some(x as f64);
    [
        (i.days_since_contact.map(|d| d as f64), f(every), None, recency),
        (f(i.visits_on_time), f(due), f(i.visits_late), visits),
        (overdue_pct, None, None, overdue),
        (f(i.complaints_open), None, f(i.complaints_overdue), Some(complaints)),
        (i.satisfaction.map(|s| s.0 as f64), i.satisfaction.and_then(|s| s.1).map(|p| p as f64), None, satisfaction),
        (trend_pct, None, None, trend),
        (i.capability.map(|a| (a * 10.0).round() / 10.0), f(4), None, capability),
    ]
}

/// The score and its explanation.
pub fn assess(i: &Inputs, w: &Weights) -> Health {
    let parts = scored(i);
    let total_weight: i64 = parts.iter().zip(w.0).filter(|(p, _)| p.3.is_some()).map(|(_, w)| w).sum();
    let exact: Vec<f64> = parts
        .iter()
        .zip(w.0)
        .map(|(p, w)| match p.3 {
            Some(s) if total_weight > 0 => 100.0 * w as f64 * s / total_weight as f64,
            _ => 0.0,
        })
        .collect();
    let score = (total_weight > 0).then(|| (exact.iter().sum::<f64>() + 1e-9).round() as i64);
    let points = largest_remainder(&exact, score.unwrap_or(0));
    let factors = parts
        .iter()
        .zip(w.0)
        .zip(points)
        .enumerate()
        .map(|(k, ((p, w), points))| Factor {
            key: FACTORS[k],
            value: p.0,
            of: p.1,
            extra: p.2,
            score: p.3,
            weight: w,
            max_points: if p.3.is_some() && total_weight > 0 {
                (1000.0 * w as f64 / total_weight as f64).round() / 10.0
            } else {
                0.0
            },
            points,
        })
        .collect();
    Health { score, factors }
}

/// Whole numbers from `exact` that add up to `total`: each rounded down, then
/// one more to the largest remainders (the first on a tie).
pub fn largest_remainder(exact: &[f64], total: i64) -> Vec<i64> {
    let mut out: Vec<i64> = exact.iter().map(|x| (x + 1e-9).floor() as i64).collect();
    let mut left = total - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.partial_cmp(&ra).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b))
    });
    for k in order.into_iter().cycle().take(exact.len() * 2) {
        if left <= 0 {
            break;
        }
        if exact[k] > 0.0 {
            out[k] += 1;
            left -= 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> Inputs {
        Inputs {
            days_since_contact: Some(10),
            account_age_days: 400,
            planned_this_year: 12,
            visits_on_time: 10,
            visits_late: 0,
            visits_missed: 0,
            receivable: Some((0, 50_000)),
            complaints_open: 0,
            complaints_overdue: 0,
            satisfaction: Some((5, Some(4))),
            revenue: (120, 100),
            capability: Some(4.0),
        }
    }

    #[test]
    fn a_healthy_account_scores_100_and_every_weight_adds_fully() {
        let h = assess(&healthy(), &Weights::default());
        assert_eq!(h.score, Some(100));
        assert_eq!(h.factors.iter().map(|f| f.points).collect::<Vec<_>>(), vec![20, 15, 20, 15, 10, 10, 10]);
        assert_eq!(h.factors[5].value, Some(20.0), "revenue up 20 %");
        assert_eq!(h.factors[0].of, Some(31.0), "365 ÷ 12 planned visits, rounded up");
    }

    #[test]
    fn contributions_add_up_to_the_score_by_hand() {
        // Recency: 46 days against 31 → 1 − 15/62 = 0.758…; visits (6 + 2/2)/10 = 0.7;
        // overdue 25,000 of 100,000 → 0.75; complaints 2 open, 1 overdue → 0.25;
        // satisfaction 3 after 4 → 0.5 − 0.2 = 0.3; revenue 60 of 100 → 0.6; capability 2.5 → 0.5.
        let i = Inputs {
            days_since_contact: Some(46),
            account_age_days: 900,
            planned_this_year: 12,
            visits_on_time: 6,
            visits_late: 2,
            visits_missed: 2,
            receivable: Some((25_000, 100_000)),
            complaints_open: 2,
            complaints_overdue: 1,
            satisfaction: Some((3, Some(4))),
            revenue: (60, 100),
            capability: Some(2.5),
        };
        let h = assess(&i, &Weights::default());
        // 20×0.758 + 15×0.7 + 20×0.75 + 15×0.25 + 10×0.3 + 10×0.6 + 10×0.5 = 15.16 + 10.5 + 15 + 3.75 + 3 + 6 + 5 = 58.41
        assert_eq!(h.score, Some(58));
        let points: Vec<i64> = h.factors.iter().map(|f| f.points).collect();
        assert_eq!(points.iter().sum::<i64>(), 58);
        // Floors 15, 10, 15, 3, 3, 6, 5 = 57; the largest remainder (0.75 of complaints) takes the last point.
        assert_eq!(points, vec![15, 10, 15, 4, 3, 6, 5]);
        assert_eq!((h.factors[1].value, h.factors[1].of, h.factors[1].extra), (Some(6.0), Some(10.0), Some(2.0)));
        assert_eq!(h.factors[2].value, Some(25.0));
        assert_eq!(h.factors[5].value, Some(-40.0));
    }

    #[test]
    fn a_factor_that_does_not_apply_shares_its_weight() {
        let i = Inputs {
            days_since_contact: None,
            account_age_days: 5,
            receivable: None,
            satisfaction: None,
            revenue: (0, 0),
            capability: None,
            ..Inputs::default()
        };
        let h = assess(&i, &Weights::default());
        // Only complaints applies (no visits due, a new account not yet contacted): 15 of 15.
        assert_eq!(h.score, Some(100));
        assert_eq!(h.factors[3].max_points, 100.0);
        assert!(h.factors.iter().filter(|f| f.key != "complaints").all(|f| f.score.is_none() && f.points == 0));
        // Complaints weighted 0: nothing applies, no score.
        let h = assess(&i, &Weights([20, 15, 20, 0, 10, 10, 10]));
        assert_eq!(h.score, None);
    }

    #[test]
    fn recency_falls_evenly_to_zero_at_three_intervals() {
        let at = |d: i64| {
            scored(&Inputs { days_since_contact: Some(d), account_age_days: 400, ..Inputs::default() })[0].3.unwrap()
        };
        assert_eq!(at(30), 1.0);
        assert_eq!(at(60), 0.5);
        assert_eq!(at(90), 0.0);
        assert_eq!(at(400), 0.0);
        let never = Inputs { days_since_contact: None, account_age_days: 30, ..Inputs::default() };
        assert_eq!(scored(&never)[0].3, Some(0.0), "old enough to have been called");
    }

    #[test]
    fn receivables_and_orders_at_their_edges() {
        let s = |i: Inputs| scored(&i);
        assert_eq!(s(Inputs { receivable: Some((0, -500)), ..Inputs::default() })[2].3, Some(1.0), "a prepayment");
        assert_eq!(s(Inputs { receivable: Some((900, 600)), ..Inputs::default() })[2].3, Some(0.0), "all overdue");
        assert_eq!(s(Inputs { revenue: (50, 0), ..Inputs::default() })[5], (None, None, None, Some(1.0)));
        assert_eq!(s(Inputs { revenue: (0, 80), ..Inputs::default() })[5].3, Some(0.0));
        assert_eq!(s(Inputs { satisfaction: Some((1, Some(2))), ..Inputs::default() })[4].3, Some(0.0));
    }

    #[test]
    fn weights_round_trip_and_are_checked() {
        let w = Weights([5, 0, 30, 15, 10, 10, 30]);
        assert_eq!(Weights::from_setting(&w.to_setting()), Some(w));
        assert_eq!(Weights::new([0; 7]), Err("health.err_weights"));
        assert_eq!(Weights::new([101, 0, 0, 0, 0, 0, 0]), Err("health.err_weights"));
        assert_eq!(Weights::from_setting("1,2,3"), None);
        assert_eq!(w.of("capability"), 30);
    }

    #[test]
    fn largest_remainder_keeps_the_total() {
        assert_eq!(largest_remainder(&[33.34, 33.33, 33.33], 100), vec![34, 33, 33]);
        assert_eq!(largest_remainder(&[0.0, 0.0], 0), vec![0, 0]);
        assert_eq!(largest_remainder(&[12.5, 12.5], 25), vec![13, 12], "the first on a tie");
    }
}
