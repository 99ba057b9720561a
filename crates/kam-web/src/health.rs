//! The health score for pages and API alike: each factor's name and the
//! sentence that says what it found, its figures only where the visibility
//! table lets the reader see them (the overdue share and the revenue trend
//! are money), and the factor that costs the most.

use kam_core::Actor;
use kam_core::health::Factor;
use kam_core::visibility::{Viewer, field_class};
use kam_store::health::AccountHealth;
use serde_json::{Value, json};

use crate::i18n::{Lang, t};

/// Whether the reader may see a factor's figures.
pub fn visible(actor: &Actor, key: &str) -> bool {
    Viewer::of(actor).sees(field_class("health", key))
}

pub fn label(lang: Lang, key: &str) -> String {
    t(lang, &format!("health.f.{key}")).to_string()
}

/// A figure without a trailing ".0".
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 { format!("{}", x as i64) } else { format!("{x:.1}") }
}

/// What the factor found, in a sentence.
pub fn explain(lang: Lang, actor: &Actor, f: &Factor) -> String {
    if !visible(actor, f.key) {
        return t(lang, "health.hidden").to_string();
    }
    let fill = |key: &str| {
        t(lang, key)
            .replace("{v}", &f.value.map(num).unwrap_or_default())
            .replace("{t}", &f.of.map(num).unwrap_or_default())
            .replace("{x}", &f.extra.map(num).unwrap_or_default())
    };
    let k = f.key;
    match (k, f.value, f.of, f.score) {
        ("contact_recency", None, _, None) => fill("health.e.contact_recency_new"),
        ("contact_recency", None, _, _) => fill("health.e.contact_recency_never"),
        ("visit_plan", _, _, None) => fill("health.e.visit_plan_none"),
        ("overdue_receivables", None, _, _) => fill("health.e.overdue_receivables_none"),
        ("satisfaction", None, _, _) => fill("health.e.satisfaction_none"),
        ("satisfaction", Some(_), None, _) => fill("health.e.satisfaction_one"),
        ("order_trend", None, _, None) => fill("health.e.order_trend_none"),
        ("order_trend", None, _, Some(_)) => fill("health.e.order_trend_new"),
        ("order_trend", Some(v), _, _) if v >= 0.0 => fill("health.e.order_trend_up"),
        ("order_trend", Some(_), _, _) => {
            t(lang, "health.e.order_trend_down").replace("{v}", &f.value.map(|v| num(-v)).unwrap_or_default())
        }
        ("capability", None, _, _) => fill("health.e.capability_none"),
        _ => fill(&format!("health.e.{k}")),
    }
}

/// The colour band of a score: under 50 low, under 75 middling.
pub fn band(score: Option<i64>) -> &'static str {
    match score {
        Some(s) if s < 50 => "low",
        Some(s) if s < 75 => "mid",
        Some(_) => "high",
        None => "na",
    }
}

/// The factor that costs the most points (what it could add less what it adds).
pub fn weakest(h: &kam_core::health::Health) -> Option<&Factor> {
    h.factors
        .iter()
        .filter(|f| f.score.is_some() && f.max_points - (f.points as f64) >= 1.0)
        .max_by(|a, b| (a.max_points - a.points as f64).total_cmp(&(b.max_points - b.points as f64)))
}

pub fn json(lang: Lang, actor: &Actor, a: &AccountHealth) -> Value {
    json!({
        "account_id": a.account_id, "name": a.name, "owner_id": a.owner_id, "owner_name": a.owner_name,
        "score": a.health.score,
        "weakest": weakest(&a.health).map(|f| f.key),
        "factors": a.health.factors.iter().map(|f| {
            let shown = visible(actor, f.key);
            json!({
                "factor": f.key, "label": label(lang, f.key), "explanation": explain(lang, actor, f),
                "value": if shown { f.value } else { None }, "of": if shown { f.of } else { None },
                "extra": if shown { f.extra } else { None },
                "score": f.score, "weight": f.weight, "max_points": f.max_points, "points": f.points,
            })
        }).collect::<Vec<_>>(),
    })
}
