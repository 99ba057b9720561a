//! Sales targets 销售目标 and their attainment.
//!
//! - **Targets** are set per rep and per team, one amount (money, in fen) per
//!   month; a quarter's or a year's target is the sum of its months. A month
//!   left empty has no target (not a target of zero).
//! - **Who sets them**: the admin for every rep and team; a manager for the
//!   reps of their own team and for that team. Nobody else.
//! - **Who reads them**: as accounts are read — the admin, finance, auditors
//!   and service staff everything; a manager their team and its reps; a rep
//!   their own row.
//! - **Actuals**, for any period: *delivered* — the orders of the rep's
//!   accounts (the account's owner now) with status delivered, dated in the
//!   period, with tax; *collected* — the payments posted to those accounts in
//!   the period (a reversed payment and its reversal left out). Both are shown.
//! - **Roll-up**: a team's actuals are its reps' sums; a team's target is its
//!   own where set, and the sum of its reps' targets is shown beside it; the
//!   company's figures are the sums over the teams in sight.
//! - **Attainment** = actual ÷ target in percent, one decimal; none without a target.

use serde::Serialize;
use time::Date;

use crate::{Actor, Role, TeamId};

/// What a target is set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Rep,
    Team,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Rep => "rep",
            Level::Team => "team",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "rep" => Some(Level::Rep),
            "team" => Some(Level::Team),
            _ => None,
        }
    }
}

/// A target sheet's level column: a rep's row or a team's.
pub static LEVEL: crate::fields::EnumDef = crate::fields::EnumDef { name: "target_level", values: &["rep", "team"] };

/// A target sheet (销售目标表): one row per rep or team and year, its twelve
/// months in yuan; the level blank means a rep. The rep is named by user name
/// or display name, the team by its name.
pub static IMPORT_FIELDS: &[crate::fields::FieldDef] = &{
    use crate::fields::{FieldDef, Kind};
    [
        FieldDef::new("level", Kind::Enum(&LEVEL), "target"),
        FieldDef::new("subject", Kind::Text(100), "target").required(),
        FieldDef::new("year", Kind::Int(2000, 2100), "target").required(),
        FieldDef::new("m01", Kind::Money, "target"),
        FieldDef::new("m02", Kind::Money, "target"),
        FieldDef::new("m03", Kind::Money, "target"),
        FieldDef::new("m04", Kind::Money, "target"),
        FieldDef::new("m05", Kind::Money, "target"),
        FieldDef::new("m06", Kind::Money, "target"),
        FieldDef::new("m07", Kind::Money, "target"),
        FieldDef::new("m08", Kind::Money, "target"),
        FieldDef::new("m09", Kind::Money, "target"),
        FieldDef::new("m10", Kind::Money, "target"),
        FieldDef::new("m11", Kind::Money, "target"),
        FieldDef::new("m12", Kind::Money, "target"),
    ]
};

/// The largest month's target, in fen (10^12 yuan).
pub const MAX_AMOUNT: i64 = 100_000_000_000_000;

/// A period of whole months: a month `2026-11`, a quarter `2026-Q4` or a year `2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    /// First and last month, 1–12.
    pub from: u8,
    pub to: u8,
}

impl Period {
    /// Years 2000–2100 only.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let year_of = |y: &str| y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
        if let Some((y, q)) = s.split_once("-Q").or_else(|| s.split_once("-q")) {
            let q: u8 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            return Some(Period { year: year_of(y)?, from: 3 * q - 2, to: 3 * q });
        }
        if let Some((y, m)) = s.split_once('-') {
            let m: u8 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
            return Some(Period { year: year_of(y)?, from: m, to: m });
        }
        Some(Period { year: year_of(s)?, from: 1, to: 12 })
    }

    /// The quarter a day falls in.
    pub fn quarter_of(d: Date) -> Period {
        let q = (u8::from(d.month()) - 1) / 3 + 1;
        Period { year: d.year(), from: 3 * q - 2, to: 3 * q }
    }

    /// As typed: `2026-11`, `2026-Q4`, `2026`, or `2026-01..2026-05` for another run of months.
    pub fn text(&self) -> String {
        match (self.from, self.to) {
            (1, 12) => self.year.to_string(),
            (f, t) if f == t => format!("{}-{f:02}", self.year),
            (f, t) if t == f + 2 && f % 3 == 1 => format!("{}-Q{}", self.year, f.div_ceil(3)),
            (f, t) => format!("{y}-{f:02}..{y}-{t:02}", y = self.year),
        }
    }

    /// The first and the last day.
    pub fn days(&self) -> (Date, Date) {
        let month = |m: u8| time::Month::try_from(m).unwrap_or(time::Month::January);
        let first = Date::from_calendar_date(self.year, month(self.from), 1).unwrap_or(Date::MIN);
        let next = if self.to == 12 {
            Date::from_calendar_date(self.year + 1, time::Month::January, 1)
        } else {
            Date::from_calendar_date(self.year, month(self.to + 1), 1)
        };
        (first, next.map(|d| d - time::Duration::days(1)).unwrap_or(Date::MAX))
    }

    pub fn contains_month(&self, m: u8) -> bool {
        (self.from..=self.to).contains(&m)
    }
}

/// The target of a period from a year's months: the sum of the months set;
/// None when none of them is.
pub fn sum(months: &[Option<i64>; 12], p: &Period) -> Option<i64> {
    let set: Vec<i64> = (p.from..=p.to).filter_map(|m| months[(m - 1) as usize]).collect();
    (!set.is_empty()).then(|| set.iter().sum())
}

/// Actual ÷ target in percent, one decimal; None without a positive target.
pub fn attainment(actual: i64, target: Option<i64>) -> Option<f64> {
    target.filter(|t| *t > 0).map(|t| (actual as f64 * 1000.0 / t as f64).round() / 10.0)
}

/// Whether the actor may set a target for a rep (of `team`) or for `team`.
pub fn can_set(actor: &Actor, team: Option<TeamId>) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::Manager => actor.team_id.is_some() && actor.team_id == team,
        _ => false,
    }
}

/// A month's target as typed: a yuan figure (thousands separators, ¥ and
/// full-width digits allowed), empty for none; at most 10^12 yuan.
pub fn parse_amount(s: &str) -> Result<Option<i64>, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match crate::fields::parse_money(t) {
        Some(v) if (0..=MAX_AMOUNT).contains(&v) => Ok(Some(v)),
        _ => Err("target.err_amount"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_parse_and_span_their_days() {
        let q4 = Period::parse("2026-Q4").unwrap();
        assert_eq!((q4.from, q4.to), (10, 12));
        assert_eq!(q4.days(), (date!(2026 - 10 - 01), date!(2026 - 12 - 31)));
        assert_eq!(q4.text(), "2026-Q4");
        let feb = Period::parse("2028-02").unwrap();
        assert_eq!(feb.days(), (date!(2028 - 02 - 01), date!(2028 - 02 - 29)), "a leap year's February");
        assert_eq!(Period::parse("2026").unwrap().days(), (date!(2026 - 01 - 01), date!(2026 - 12 - 31)));
        assert_eq!(Period::quarter_of(date!(2026 - 12 - 31)).text(), "2026-Q4");
        assert_eq!(Period::quarter_of(date!(2027 - 01 - 01)).text(), "2027-Q1");
        for bad in ["2026-Q5", "2026-13", "1900", "2999-01", "abc", ""] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn sums_and_attainment_by_hand() {
        let mut months = [None; 12];
        months[9] = Some(100_000);
        months[11] = Some(300_000);
        let q4 = Period::parse("2026-Q4").unwrap();
        assert_eq!(sum(&months, &q4), Some(400_000), "November unset counts nothing");
        assert_eq!(sum(&months, &Period::parse("2026-11").unwrap()), None, "no target is not zero");
        assert_eq!(attainment(123_456, Some(400_000)), Some(30.9));
        assert_eq!(attainment(5, None), None);
        assert_eq!(attainment(5, Some(0)), None);
    }

    #[test]
    fn who_sets_targets() {
        let t = |role, team: Option<i64>| Actor { user_id: crate::UserId(1), role, team_id: team.map(TeamId) };
        assert!(can_set(&t(Role::Admin, None), Some(TeamId(2))));
        assert!(can_set(&t(Role::Manager, Some(2)), Some(TeamId(2))));
        assert!(!can_set(&t(Role::Manager, Some(2)), Some(TeamId(3))));
        assert!(!can_set(&t(Role::Manager, None), None));
        assert!(!can_set(&t(Role::Sales, Some(2)), Some(TeamId(2))));
        assert!(!can_set(&t(Role::Finance, None), Some(TeamId(2))));
    }

    #[test]
    fn amounts_as_typed() {
        assert_eq!(parse_amount(""), Ok(None));
        assert_eq!(parse_amount("¥12,000"), Ok(Some(1_200_000)));
        assert_eq!(parse_amount("-5"), Err("target.err_amount"));
        assert_eq!(parse_amount("abc"), Err("target.err_amount"));
    }
}
