//! 客户综合销售力分析 (附表六/七): per account and month, 25 factors in eight
//! groups, each scored 4 (strong) … 1 (weak) or left empty; the sheet's
//! subtotals and totals; the scores KAM suggests from what it already knows;
//! and the side-by-side comparison of several accounts with ranks.
//!
//! Totals count the cells that are filled: an empty cell adds nothing, and an
//! average is over the filled months only (a month with no cell filled is not
//! a zero). The year's total is the sum of the months' totals; the year's
//! average is that total over the months with any cell filled.
//!
//! ## Suggestions
//!
//! | factor | from | score |
//! |---|---|---|
//! | 11 平均用量 | quantity ordered in the month against the account's monthly average over the twelve months before it (cancelled and returned orders left out) | ratio ≥ 1.1: 4 · ≥ 0.9: 3 · ≥ 0.6: 2 · less: 1 · no history: none |
//! | 19 投诉处理 | complaints received in the twelve months to the month's end: the share replied by their reply deadline | ≥ 95 %: 4 · ≥ 80 %: 3 · ≥ 60 %: 2 · less: 1 · no complaint: none |
//! | 21/22 计划完成 | orders against targets | none until targets exist in KAM |
//! | 25 信用度 | the credit rating of the month (信用评估, an override in force included) | A: 4 · B: 3 · C: 2 · D: 1 |
//!
//! A suggestion is only offered; the score stands when the rep saves it.

use serde::Serialize;

/// Factors on the sheet.
pub const FACTORS: usize = 25;
/// Months of a year.
pub const MONTHS: usize = 12;

/// The eight groups of the form, each with its first and last factor number.
pub const GROUPS: [(&str, u8, u8); 8] = [
    ("company", 1, 4),
    ("salesforce", 5, 7),
    ("customers", 8, 11),
    ("promotion", 12, 14),
    ("public_relations", 15, 16),
    ("inventory", 17, 17),
    ("after_sales", 18, 20),
    ("relationship", 21, 25),
];

/// The factors' keys, numbered from 1 as on the form (labels: `capability.f.<key>`).
pub const FACTOR_KEYS: [&str; FACTORS] = [
    "company_system",
    "sales_management",
    "hr_system",
    "staff_training",
    "sales_headcount",
    "sales_quality",
    "sales_per_head",
    "customer_count",
    "customer_level",
    "customer_relationship",
    "average_usage",
    "promotion_methods",
    "advertising",
    "image",
    "government",
    "media",
    "inventory_management",
    "distribution",
    "complaint_handling",
    "technical_service",
    "last_year_plan",
    "this_year_plan",
    "market_share",
    "sales_potential",
    "creditworthiness",
];

/// A score sheet (附表六 as rows): one row per account, year and month, a
/// column per factor (named by its label), each 1–4 or blank.
pub static IMPORT_FIELDS: &[crate::fields::FieldDef] = &{
    use crate::fields::{FieldDef, Kind};
    [
        FieldDef::new("year", Kind::Int(2000, 2100), "capability").required(),
        FieldDef::new("month", Kind::Int(1, 12), "capability").required(),
        FieldDef::new(FACTOR_KEYS[0], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[1], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[2], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[3], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[4], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[5], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[6], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[7], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[8], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[9], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[10], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[11], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[12], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[13], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[14], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[15], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[16], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[17], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[18], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[19], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[20], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[21], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[22], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[23], Kind::Int(1, 4), "capability"),
        FieldDef::new(FACTOR_KEYS[24], Kind::Int(1, 4), "capability"),
    ]
};

/// The group a factor (1–25) belongs to.
pub fn group_of(factor: u8) -> &'static str {
    GROUPS.iter().find(|(_, a, b)| (*a..=*b).contains(&factor)).map(|g| g.0).unwrap_or("")
}

/// A score as the form takes it: 1–4.
pub fn valid_score(s: i64) -> bool {
    (1..=4).contains(&s)
}

/// One month's column: factor 1 at index 0.
pub type Column = [Option<u8>; FACTORS];

/// One account's sheet of a year: month 1 at index 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sheet {
    pub months: [Column; MONTHS],
}

impl Default for Sheet {
    fn default() -> Self {
        Sheet { months: [[None; FACTORS]; MONTHS] }
    }
}

/// The sum of a column's filled cells from factor `first` to `last`, None when none is filled.
fn sum(col: &Column, first: u8, last: u8) -> Option<i64> {
    let cells: Vec<i64> = (first..=last).filter_map(|f| col[(f - 1) as usize]).map(i64::from).collect();
    if cells.is_empty() { None } else { Some(cells.iter().sum()) }
}

impl Sheet {
    /// A group's subtotal in a month (1–12).
    pub fn subtotal(&self, month: usize, group: usize) -> Option<i64> {
        let (_, a, b) = GROUPS[group];
        sum(&self.months[month - 1], a, b)
    }

    /// A month's total over its filled cells.
    pub fn month_total(&self, month: usize) -> Option<i64> {
        sum(&self.months[month - 1], 1, FACTORS as u8)
    }

    /// The months with any cell filled.
    pub fn filled_months(&self) -> usize {
        (1..=MONTHS).filter(|m| self.month_total(*m).is_some()).count()
    }

    /// The sum of the months' totals.
    pub fn year_total(&self) -> Option<i64> {
        let t: Vec<i64> = (1..=MONTHS).filter_map(|m| self.month_total(m)).collect();
        if t.is_empty() { None } else { Some(t.iter().sum()) }
    }

    /// The year's total over the months filled.
    pub fn year_average(&self) -> Option<f64> {
        self.year_total().map(|t| t as f64 / self.filled_months() as f64)
    }

    /// A factor's (1–25) average over the months it is filled in.
    pub fn factor_average(&self, factor: u8) -> Option<f64> {
        let v: Vec<f64> = self.months.iter().filter_map(|c| c[(factor - 1) as usize]).map(f64::from).collect();
        if v.is_empty() { None } else { Some(v.iter().sum::<f64>() / v.len() as f64) }
    }

    /// A group's subtotal averaged over the months it has a cell filled in.
    pub fn group_average(&self, group: usize) -> Option<f64> {
        let v: Vec<i64> = (1..=MONTHS).filter_map(|m| self.subtotal(m, group)).collect();
        if v.is_empty() { None } else { Some(v.iter().sum::<i64>() as f64 / v.len() as f64) }
    }

    /// The 25 values one account brings to a comparison: a month's scores, or
    /// (month None) each factor's average over the year.
    pub fn values(&self, month: Option<usize>) -> [Option<f64>; FACTORS] {
        let mut out = [None; FACTORS];
        for (i, v) in out.iter_mut().enumerate() {
            *v = match month {
                Some(m) => self.months[m - 1][i].map(f64::from),
                None => self.factor_average(i as u8 + 1),
            };
        }
        out
    }
}

/// A score KAM proposes for one factor, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// 1–25.
    pub factor: u8,
    pub score: u8,
    /// The message key of the reason (`capability.why.<reason>`).
    pub reason: &'static str,
    /// The figures the reason quotes, by placeholder name.
    pub figures: Vec<(&'static str, String)>,
}

/// 19 投诉处理: `on_time` of `total` complaints replied by their deadline.
pub fn suggest_complaints(total: i64, on_time: i64) -> Option<Suggestion> {
    if total <= 0 {
        return None;
    }
    // Whole per-mille, so 19 of 20 is exactly 950 and scores 4.
    let share = on_time.clamp(0, total) * 1000 / total;
    let score = match share {
        950.. => 4,
        800.. => 3,
        600.. => 2,
        _ => 1,
    };
    Some(Suggestion {
        factor: 19,
        score,
        reason: "complaints",
        figures: vec![("on_time", on_time.to_string()), ("total", total.to_string())],
    })
}

/// 25 信用度: the month's credit rating.
pub fn suggest_credit(rating: &str) -> Option<Suggestion> {
    let score = match rating {
        "A" => 4,
        "B" => 3,
        "C" => 2,
        "D" => 1,
        _ => return None,
    };
    Some(Suggestion { factor: 25, score, reason: "credit", figures: vec![("rating", rating.to_string())] })
}

/// 11 平均用量: the month's ordered quantity against the account's monthly
/// average of the twelve months before (`history`: their total quantity and
/// the number of those months that had orders at all — no orders in a year is
/// no history).
pub fn suggest_usage(month_qty: f64, history_qty: f64, months_with_orders: i64) -> Option<Suggestion> {
    if months_with_orders <= 0 || history_qty <= 0.0 {
        return None;
    }
    let average = history_qty / 12.0;
    let ratio = month_qty / average;
    let score = if ratio >= 1.1 {
        4
    } else if ratio >= 0.9 {
        3
    } else if ratio >= 0.6 {
        2
    } else {
        1
    };
    Some(Suggestion {
        factor: 11,
        score,
        reason: "usage",
        figures: vec![("qty", trim(month_qty)), ("average", trim(average)), ("pct", format!("{:.0}", ratio * 100.0))],
    })
}

/// A quantity without trailing zeros.
fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One account's place in a comparison (附表七).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub values: [Option<f64>; FACTORS],
    /// The sum of the filled values, None when nothing is filled.
    pub total: Option<f64>,
    /// 1 for the highest total; equal totals share a rank (1, 1, 3); no total, no rank.
    pub rank: Option<usize>,
}

/// Totals and ranks of the accounts compared, in the order given.
pub fn compare(values: &[[Option<f64>; FACTORS]]) -> Vec<Ranked> {
    let totals: Vec<Option<f64>> = values
        .iter()
        .map(|v| {
            let f: Vec<f64> = v.iter().flatten().copied().collect();
            if f.is_empty() { None } else { Some(f.iter().sum()) }
        })
        .collect();
    values
        .iter()
        .zip(&totals)
        .map(|(v, t)| Ranked {
            values: *v,
            total: *t,
            rank: t.map(|t| 1 + totals.iter().flatten().filter(|o| **o > t + 1e-9).count()),
        })
        .collect()
}

/// Whether the actor may fill an account's sheet: whoever may record activities on it
/// (its owner, the team's manager, admin), not service staff, finance or the auditor.
pub fn can_score(actor: &crate::Actor, a: &crate::access::AccountFacts) -> bool {
    matches!(actor.role, crate::Role::Admin | crate::Role::Manager | crate::Role::Sales) && actor.can_record_activity(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(cells: &[(u8, u8)]) -> Column {
        let mut c = [None; FACTORS];
        for (f, s) in cells {
            c[(*f - 1) as usize] = Some(*s);
        }
        c
    }

    #[test]
    fn groups_cover_the_25_factors_once_in_order() {
        let mut next = 1;
        for (_, a, b) in GROUPS {
            assert_eq!(a, next);
            next = b + 1;
        }
        assert_eq!(next as usize, FACTORS + 1);
        assert_eq!(group_of(11), "customers");
        assert_eq!(group_of(17), "inventory");
        assert_eq!(group_of(25), "relationship");
    }

    #[test]
    fn subtotals_and_totals_count_filled_cells_only() {
        let mut s = Sheet::default();
        // March: company 4+3 (2 and 4 empty), customers 2, relationship 1+4.
        s.months[2] = col(&[(1, 4), (3, 3), (9, 2), (21, 1), (25, 4)]);
        // November: every factor 3.
        s.months[10] = [Some(3); FACTORS];
        assert_eq!(s.subtotal(3, 0), Some(7));
        assert_eq!(s.subtotal(3, 1), None, "salesforce left empty in March");
        assert_eq!(s.subtotal(3, 2), Some(2));
        assert_eq!(s.subtotal(3, 7), Some(5));
        assert_eq!(s.month_total(3), Some(14));
        assert_eq!(s.month_total(11), Some(75));
        assert_eq!(s.month_total(1), None);
        assert_eq!(s.filled_months(), 2);
        assert_eq!(s.year_total(), Some(89));
        assert_eq!(s.year_average(), Some(44.5), "89 over the two months filled, not over twelve");
        assert_eq!(s.factor_average(1), Some(3.5));
        assert_eq!(s.factor_average(2), Some(3.0), "only November has it");
        assert_eq!(s.group_average(1), Some(9.0), "salesforce: November's 9 alone");
        assert_eq!(Sheet::default().year_average(), None);
        let v = s.values(Some(3));
        assert_eq!((v[0], v[1]), (Some(4.0), None));
        assert_eq!(s.values(None)[0], Some(3.5));
    }

    #[test]
    fn complaint_handling_thresholds() {
        assert_eq!(suggest_complaints(0, 0), None, "no complaint, no suggestion");
        assert_eq!(suggest_complaints(20, 19).unwrap().score, 4, "exactly 95 %");
        assert_eq!(suggest_complaints(21, 19).unwrap().score, 3, "90.5 %");
        assert_eq!(suggest_complaints(5, 4).unwrap().score, 3, "exactly 80 %");
        assert_eq!(suggest_complaints(5, 3).unwrap().score, 2, "exactly 60 %");
        assert_eq!(suggest_complaints(3, 1).unwrap().score, 1);
        let s = suggest_complaints(4, 4).unwrap();
        assert_eq!((s.factor, s.score, s.reason), (19, 4, "complaints"));
        assert_eq!(s.figures, vec![("on_time", "4".to_string()), ("total", "4".to_string())]);
    }

    #[test]
    fn credit_rating_maps_to_the_score() {
        assert_eq!(suggest_credit("A").unwrap().score, 4);
        assert_eq!(suggest_credit("B").unwrap().score, 3);
        assert_eq!(suggest_credit("C").unwrap().score, 2);
        assert_eq!(suggest_credit("D").unwrap().score, 1);
        assert_eq!(suggest_credit(""), None);
    }

    #[test]
    fn usage_against_the_monthly_average() {
        // 1,200 kg over the year before: 100 a month.
        assert_eq!(suggest_usage(110.0, 1200.0, 12).unwrap().score, 4, "exactly 110 %");
        assert_eq!(suggest_usage(109.0, 1200.0, 12).unwrap().score, 3);
        assert_eq!(suggest_usage(90.0, 1200.0, 12).unwrap().score, 3, "exactly 90 %");
        assert_eq!(suggest_usage(60.0, 1200.0, 3).unwrap().score, 2, "exactly 60 %");
        assert_eq!(suggest_usage(0.0, 1200.0, 1).unwrap().score, 1, "nothing ordered this month");
        assert_eq!(suggest_usage(50.0, 0.0, 0), None, "no history");
        let s = suggest_usage(150.0, 1200.0, 12).unwrap();
        assert_eq!(s.figures[1], ("average", "100".to_string()));
        assert_eq!(s.figures[2], ("pct", "150".to_string()));
    }

    #[test]
    fn comparison_ranks_share_ties_and_skip_empty() {
        let mut a = [None; FACTORS];
        a[0] = Some(4.0);
        a[1] = Some(3.0);
        let mut b = [None; FACTORS];
        b[0] = Some(3.5);
        b[5] = Some(3.5);
        let mut c = [None; FACTORS];
        c[24] = Some(2.0);
        let empty = [None; FACTORS];
        let r = compare(&[a, b, c, empty]);
        assert_eq!(r.iter().map(|x| x.total).collect::<Vec<_>>(), vec![Some(7.0), Some(7.0), Some(2.0), None]);
        assert_eq!(r.iter().map(|x| x.rank).collect::<Vec<_>>(), vec![Some(1), Some(1), Some(3), None]);
    }
}
