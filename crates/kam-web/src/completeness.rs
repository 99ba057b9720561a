//! Archive completeness for pages and API alike: each check's label and the
//! link that goes straight to the form that fills it.

use kam_core::AccountId;
use kam_core::completeness::Outcome;
use kam_store::completeness::Completeness;
use serde_json::{Value, json};

use crate::i18n::{Lang, t};

/// A check's name as the reader reads it.
pub fn label(lang: Lang, check: &str) -> String {
    match check.strip_prefix("profile.") {
        Some(f) => format!("{} · {}", t(lang, "complete.profile"), crate::view::label(lang, "account", f)),
        None => t(lang, &format!("complete.c.{check}")).to_string(),
    }
}

/// Where to fill a missing part.
pub fn link(id: AccountId, check: &str, today: time::Date, unsigned_worklog: Option<i64>) -> String {
    let last_month = kam_core::time_util::previous_month(today);
    match check {
        c if c.starts_with("profile.") => format!("/accounts/{id}/edit"),
        "decision_maker" => format!("/accounts/{id}?tab=contacts"),
        "visit_plan" => format!("/accounts/{id}/visit-plan?year={}", today.year()),
        "capability" => format!("/accounts/{id}/capability/{}/{}", today.year(), u8::from(today.month())),
        "statement" => format!("/statements?period={last_month}"),
        "contract_successor" => format!("/accounts/{id}?tab=contracts"),
        "worklog_signed" => unsigned_worklog.map(|w| format!("/worklogs/{w}")).unwrap_or_else(|| "/worklogs".into()),
        _ => format!("/accounts/{id}"),
    }
}

/// The missing parts as a list reads them: (label, link), the card's missing
/// fields as one part with their count, the other checks one by one.
pub fn missing(lang: Lang, c: &Completeness, today: time::Date) -> Vec<(String, String)> {
    let failing = || c.checks.iter().filter(|(_, o)| *o == Outcome::Fail);
    let card = failing().filter(|(k, _)| k.starts_with("profile.")).count();
    let mut out = Vec::new();
    match card {
        0 => {}
        1 => out.extend(
            failing()
                .find(|(k, _)| k.starts_with("profile."))
                .map(|(k, _)| (label(lang, k), link(c.account_id, k, today, None))),
        ),
        n => out.push((
            t(lang, "complete.profile_n").replace("{n}", &n.to_string()),
            format!("/accounts/{}/edit", c.account_id),
        )),
    }
    out.extend(
        failing()
            .filter(|(k, _)| !k.starts_with("profile."))
            .map(|(k, _)| (label(lang, k), link(c.account_id, k, today, c.unsigned_worklog))),
    );
    out
}

pub fn json(lang: Lang, c: &Completeness, today: time::Date) -> Value {
    json!({
        "account_id": c.account_id, "name": c.name, "owner_name": c.owner_name, "percent": c.percent,
        "checks": c.checks.iter().map(|(k, o)| json!({
            "check": k, "outcome": o, "label": label(lang, k),
            "link": (*o == Outcome::Fail).then(|| link(c.account_id, k, today, c.unsigned_worklog)),
        })).collect::<Vec<_>>(),
    })
}
