//! The account's lifecycle 客户生命周期 and churn 客户流失: the stage computed
//! from its orders and churn records (a stage a user set on the profile card
//! is kept and shown as set by hand), the churn-risk flag when the gap since
//! the last order outgrows the account's own rhythm, and the churn record's
//! vocabulary (reason categories, win-back outcomes).
//!
//! The rules, first that applies (`computed`):
//! 1. a churn record, and no order after its date → lost 已流失;
//! 2. a churn record with an order after its date, within the last year
//!    (or a win-back action that succeeded within the last year) → winback 挽回期;
//! 3. no order → prospect 准客户;
//! 4. no order for `LOST_DAYS` (365) days → lost;
//! 5. the churn-risk flag, or the last 12 months' revenue below half the
//!    12 months before → declining 衰退期;
//! 6. the first order within `ACQUISITION_DAYS` (180) days → acquisition 获取期;
//! 7. the first order within `CULTIVATION_DAYS` (730) days → cultivation 培养期;
//! 8. otherwise → retention 保留期.
//!
//! The churn-risk flag: with at least three order days (two gaps), the days
//! since the last order exceed `factor` × the median gap between order days.

use serde::Serialize;
use time::Date;

use crate::fields::{EnumDef, FieldDef, Kind};

pub const ACQUISITION_DAYS: i64 = 180;
pub const CULTIVATION_DAYS: i64 = 730;
pub const LOST_DAYS: i64 = 365;
/// A win-back counts for a year.
pub const WINBACK_DAYS: i64 = 365;
/// The churn-risk factor until the admin sets another.
pub const DEFAULT_FACTOR: f64 = 2.0;

/// The stages, in the profile card's `stage` choice (`account::STAGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Prospect,
    Acquisition,
    Cultivation,
    Retention,
    Declining,
    Lost,
    Winback,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Prospect,
        Stage::Acquisition,
        Stage::Cultivation,
        Stage::Retention,
        Stage::Declining,
        Stage::Lost,
        Stage::Winback,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Prospect => "prospect",
            Stage::Acquisition => "acquisition",
            Stage::Cultivation => "cultivation",
            Stage::Retention => "retention",
            Stage::Declining => "declining",
            Stage::Lost => "lost",
            Stage::Winback => "winback",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Why the computed stage is what it is: the rule's key (`lifecycle.rule.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Churned,
    WonBack,
    NoOrder,
    LongGap,
    ChurnRisk,
    Shrinking,
    NewAccount,
    Growing,
    Established,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Churned => "churned",
            Rule::WonBack => "won_back",
            Rule::NoOrder => "no_order",
            Rule::LongGap => "long_gap",
            Rule::ChurnRisk => "churn_risk",
            Rule::Shrinking => "shrinking",
            Rule::NewAccount => "new_account",
            Rule::Growing => "growing",
            Rule::Established => "established",
        }
    }
}

/// The churn-risk flag's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Risk {
    /// Days since the last order.
    pub gap_days: i64,
    /// The median gap between the account's order days.
    pub median_gap_days: f64,
    pub factor: f64,
    /// True when `gap_days > factor × median_gap_days`.
    pub at_risk: bool,
}

/// What the rules read of one account.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Distinct order days of its purchases, ascending.
    pub order_days: Vec<Date>,
    /// Purchases (fen, with tax) in the last 12 months and the 12 before.
    pub last_12: i64,
    pub previous_12: i64,
    /// The newest churn record's date.
    pub churned_on: Option<Date>,
    /// The day of the newest win-back action that succeeded, on that record.
    pub won_back_on: Option<Date>,
}

/// The account's lifecycle: the stage in effect, the computed one and why,
/// the stage set by hand, and the churn-risk figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lifecycle {
    pub stage: Stage,
    pub computed: Stage,
    pub rule: Rule,
    pub manual: Option<Stage>,
    pub risk: Option<Risk>,
}

/// The median gap in days between consecutive order days (`days` ascending,
/// distinct); None with fewer than three days.
pub fn median_gap(days: &[Date]) -> Option<f64> {
    if days.len() < 3 {
        return None;
    }
    let mut gaps: Vec<i64> = days.windows(2).map(|w| (w[1] - w[0]).whole_days()).collect();
    gaps.sort_unstable();
    let n = gaps.len();
    Some(if n % 2 == 1 { gaps[n / 2] as f64 } else { (gaps[n / 2 - 1] + gaps[n / 2]) as f64 / 2.0 })
}

/// The churn-risk figures of an account on `today` (None without a rhythm:
/// fewer than three order days).
pub fn risk(days: &[Date], today: Date, factor: f64) -> Option<Risk> {
    let median = median_gap(days)?;
    let last = *days.last()?;
    let gap_days = (today - last).whole_days();
    Some(Risk { gap_days, median_gap_days: median, factor, at_risk: gap_days as f64 > factor * median })
}

/// The computed stage and its rule.
pub fn computed(f: &Facts, today: Date, factor: f64) -> (Stage, Rule) {
    let since = |d: Date| (today - d).whole_days();
    if let Some(churned) = f.churned_on {
        let back = f.order_days.iter().copied().find(|d| *d > churned);
        let back = match (back, f.won_back_on) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match back {
            None => return (Stage::Lost, Rule::Churned),
            Some(d) if since(d) <= WINBACK_DAYS => return (Stage::Winback, Rule::WonBack),
            Some(_) => {}
        }
    }
    let (Some(first), Some(last)) = (f.order_days.first(), f.order_days.last()) else {
        return (Stage::Prospect, Rule::NoOrder);
    };
    if since(*last) > LOST_DAYS {
        return (Stage::Lost, Rule::LongGap);
    }
    if risk(&f.order_days, today, factor).is_some_and(|r| r.at_risk) {
        return (Stage::Declining, Rule::ChurnRisk);
    }
    if f.previous_12 > 0 && f.last_12 * 2 < f.previous_12 {
        return (Stage::Declining, Rule::Shrinking);
    }
    if since(*first) <= ACQUISITION_DAYS {
        (Stage::Acquisition, Rule::NewAccount)
    } else if since(*first) <= CULTIVATION_DAYS {
        (Stage::Cultivation, Rule::Growing)
    } else {
        (Stage::Retention, Rule::Established)
    }
}

/// The lifecycle of an account whose profile card says `manual` (its
/// `stage` field, None when nobody set it).
pub fn lifecycle(f: &Facts, manual: Option<&str>, today: Date, factor: f64) -> Lifecycle {
    let (computed, rule) = computed(f, today, factor);
    let manual = manual.and_then(Stage::parse);
    Lifecycle { stage: manual.unwrap_or(computed), computed, rule, manual, risk: risk(&f.order_days, today, factor) }
}

/// The admin's churn-risk factor, kept as text: 1.0 to 10.0, one decimal.
pub fn parse_factor(s: &str) -> Result<f64, &'static str> {
    let v: f64 = s.trim().parse().map_err(|_| "err.churn_factor")?;
    if !(1.0..=10.0).contains(&v) {
        return Err("err.churn_factor");
    }
    Ok((v * 10.0).round() / 10.0)
}

pub static REASON: EnumDef = EnumDef {
    name: "churn_reason",
    values: &["price", "quality", "service", "competitor", "delivery", "relationship", "business_closed", "other"],
};
pub static OUTCOME: EnumDef = EnumDef { name: "winback_outcome", values: &["pending", "succeeded", "failed"] };

/// A churn record 客户流失: when, why (a category and words).
pub static CHURN_FIELDS: &[FieldDef] = &[
    FieldDef::new("churned_on", Kind::Date, "churn").required(),
    FieldDef::new("reason_category", Kind::Enum(&REASON), "churn").required(),
    FieldDef::new("reason", Kind::Text(2000), "churn"),
];

/// A win-back action 挽回措施: what, by when, and how it came out.
pub static ACTION_FIELDS: &[FieldDef] = &[
    FieldDef::new("due_on", Kind::Date, "winback").required(),
    FieldDef::new("action", Kind::Text(500), "winback").required(),
    FieldDef::new("outcome", Kind::Enum(&OUTCOME), "winback").required(),
    FieldDef::new("outcome_note", Kind::Text(1000), "winback"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn facts(days: &[Date]) -> Facts {
        Facts { order_days: days.to_vec(), ..Facts::default() }
    }

    #[test]
    fn the_median_gap_is_the_middle_gap_or_the_mean_of_the_two() {
        assert_eq!(median_gap(&[date!(2026 - 01 - 01), date!(2026 - 02 - 01)]), None);
        // Gaps 31, 28, 31 → 31.
        let days = [date!(2026 - 01 - 01), date!(2026 - 02 - 01), date!(2026 - 03 - 01), date!(2026 - 04 - 01)];
        assert_eq!(median_gap(&days), Some(31.0));
        // Gaps 10, 20 → 15; across 29 February 2028: 28 Feb → 1 Mar is 2 days.
        let days = [date!(2028 - 02 - 18), date!(2028 - 02 - 28), date!(2028 - 03 - 19)];
        assert_eq!(median_gap(&days), Some(15.0));
        assert_eq!(median_gap(&[date!(2028 - 02 - 27), date!(2028 - 02 - 28), date!(2028 - 03 - 01)]), Some(1.5));
    }

    #[test]
    fn the_flag_rises_only_past_factor_times_the_median() {
        // Orders every 30 days, the last on 1 October; median 30, factor 2 → 60 days.
        let days = [date!(2026 - 07 - 03), date!(2026 - 08 - 02), date!(2026 - 09 - 01), date!(2026 - 10 - 01)];
        let at = |today| risk(&days, today, 2.0).unwrap();
        assert_eq!(at(date!(2026 - 11 - 30)).gap_days, 60);
        assert!(!at(date!(2026 - 11 - 30)).at_risk, "exactly twice is not past it");
        assert!(at(date!(2026 - 12 - 01)).at_risk);
        assert!(!risk(&days, date!(2026 - 12 - 30), 3.0).unwrap().at_risk, "90 days is not past 3 × 30");
        assert!(risk(&days, date!(2026 - 12 - 31), 3.0).unwrap().at_risk);
        assert!(risk(&days[..2], date!(2027 - 12 - 01), 2.0).is_none(), "two orders make no rhythm");
    }

    #[test]
    fn the_stages_follow_the_rules_in_order() {
        let today = date!(2026 - 12 - 06);
        assert_eq!(computed(&facts(&[]), today, 2.0), (Stage::Prospect, Rule::NoOrder));
        assert_eq!(computed(&facts(&[date!(2026 - 09 - 01)]), today, 2.0), (Stage::Acquisition, Rule::NewAccount));
        // 180 days back is still acquisition, 181 is cultivation.
        assert_eq!(computed(&facts(&[date!(2026 - 06 - 09)]), today, 2.0).0, Stage::Acquisition);
        assert_eq!(computed(&facts(&[date!(2026 - 06 - 08)]), today, 2.0).0, Stage::Cultivation);
        assert_eq!(
            computed(&facts(&[date!(2024 - 01 - 10), date!(2026 - 11 - 01)]), today, 2.0),
            (Stage::Retention, Rule::Established)
        );
        // No order for more than a year.
        assert_eq!(computed(&facts(&[date!(2025 - 12 - 05)]), today, 2.0), (Stage::Lost, Rule::LongGap));
        assert_eq!(computed(&facts(&[date!(2025 - 12 - 06)]), today, 2.0).1, Rule::Growing);
        // Monthly buyer silent for 70 days.
        let monthly = [date!(2026 - 06 - 27), date!(2026 - 07 - 27), date!(2026 - 08 - 27), date!(2026 - 09 - 27)];
        assert_eq!(computed(&facts(&monthly), today, 2.0), (Stage::Declining, Rule::ChurnRisk));
        assert_eq!(computed(&facts(&monthly), today, 3.0), (Stage::Acquisition, Rule::NewAccount));
        // Revenue halved and a bit.
        let f = Facts { last_12: 49, previous_12: 100, ..facts(&[date!(2024 - 01 - 10), date!(2026 - 11 - 01)]) };
        assert_eq!(computed(&f, today, 2.0), (Stage::Declining, Rule::Shrinking));
        let f = Facts { last_12: 50, ..f };
        assert_eq!(computed(&f, today, 2.0).0, Stage::Retention);
    }

    #[test]
    fn a_churn_record_makes_it_lost_until_won_back_for_a_year() {
        let today = date!(2026 - 12 - 06);
        let days = [date!(2025 - 01 - 10), date!(2026 - 03 - 01)];
        let f = Facts { churned_on: Some(date!(2026 - 05 - 01)), ..facts(&days) };
        assert_eq!(computed(&f, today, 2.0), (Stage::Lost, Rule::Churned));
        let won = Facts { won_back_on: Some(date!(2026 - 10 - 01)), ..f.clone() };
        assert_eq!(computed(&won, today, 2.0), (Stage::Winback, Rule::WonBack));
        let ordered = Facts { order_days: vec![days[0], days[1], date!(2026 - 11 - 20)], ..f.clone() };
        assert_eq!(computed(&ordered, today, 2.0), (Stage::Winback, Rule::WonBack));
        // Won back more than a year ago: the ordinary rules again.
        let old = Facts { churned_on: Some(date!(2024 - 05 - 01)), won_back_on: Some(date!(2025 - 06 - 01)), ..f };
        assert_eq!(computed(&old, today, 2.0), (Stage::Cultivation, Rule::Growing));
    }

    #[test]
    fn a_stage_set_by_hand_wins_and_the_computed_one_stays_visible() {
        let today = date!(2026 - 12 - 06);
        let l = lifecycle(&facts(&[]), Some("retention"), today, 2.0);
        assert_eq!((l.stage, l.computed, l.manual), (Stage::Retention, Stage::Prospect, Some(Stage::Retention)));
        let l = lifecycle(&facts(&[]), None, today, 2.0);
        assert_eq!((l.stage, l.manual), (Stage::Prospect, None));
    }

    #[test]
    fn the_factor_is_checked() {
        assert_eq!(parse_factor(" 2.5 "), Ok(2.5));
        assert_eq!(parse_factor("1"), Ok(1.0));
        assert!(parse_factor("0.9").is_err());
        assert!(parse_factor("11").is_err());
        assert!(parse_factor("x").is_err());
    }

    #[test]
    fn every_stage_is_a_profile_card_choice() {
        for s in Stage::ALL {
            assert!(crate::account::STAGE.values.contains(&s.as_str()), "{s:?}");
        }
    }
}
