//! Archive completeness (一个客户一份档案，不得出现缺页丢失): which parts of an
//! account's file are missing or stale, as checks that pass, fail or do not
//! apply, and the share that passes.
//!
//! | check | passes when | applies |
//! |---|---|---|
//! | each profile-card field of `PROFILE` (附表四) | it is filled | always |
//! | `decision_maker` | a contact tied to the account is a decision maker | always |
//! | `visit_plan` | this year's visit plan (附表二) has a planned date | always |
//! | `capability` | this month's column of 附表六 has a score | always |
//! | `statement` | a statement exists for last month | the account has ledger entries up to last month's end |
//! | `contract_successor` | every contract in force ending within 30 days has a successor (another contract of the account ending later) | such a contract exists |
//! | `worklog_signed` | every work log naming the account, dated before today, is signed off | such a log exists |
//!
//! The percentage is the passing checks over those that apply, rounded down
//! (so 100 % means nothing is missing).

use serde::Serialize;

/// The profile-card fields the form asks for.
pub const PROFILE: [&str; 10] = [
    "credit_code",
    "province",
    "city",
    "street",
    "phone",
    "industry",
    "customer_type",
    "grade",
    "nature",
    "business_scope",
];

/// The checks beyond the profile, in the order shown.
pub const CHECKS: [&str; 6] =
    ["decision_maker", "visit_plan", "capability", "statement", "contract_successor", "worklog_signed"];

/// Days before a contract ends that it needs a successor.
pub const CONTRACT_DAYS: i64 = 30;

/// One check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    NotApplicable,
}

/// A passing share, rounded down: `passed` of `applicable` (100 with nothing to check).
pub fn percent(passed: i64, applicable: i64) -> i64 {
    if applicable <= 0 { 100 } else { passed.clamp(0, applicable) * 100 / applicable }
}

/// The percentage of a list of outcomes.
pub fn percent_of(outcomes: &[Outcome]) -> i64 {
    let applicable = outcomes.iter().filter(|o| **o != Outcome::NotApplicable).count() as i64;
    let passed = outcomes.iter().filter(|o| **o == Outcome::Pass).count() as i64;
    percent(passed, applicable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::*;

    #[test]
    fn percentages_count_what_applies_and_round_down() {
        assert_eq!(percent_of(&[Pass, Pass, Fail]), 66, "two of three, rounded down");
        assert_eq!(percent_of(&[Pass, NotApplicable, NotApplicable]), 100);
        assert_eq!(percent_of(&[NotApplicable]), 100, "nothing to check: nothing missing");
        assert_eq!(percent_of(&[Fail, Fail]), 0);
        // Ten profile fields with three filled, and the six checks of which two pass and two do not apply.
        let mut all = vec![Pass; 3];
        all.extend([Fail; 7]);
        all.extend([Pass, Pass, Fail, Fail, NotApplicable, NotApplicable]);
        assert_eq!(percent_of(&all), 5 * 100 / 14);
        assert_eq!(percent(15, 14), 100, "never above 100");
    }
}
