//! Sales targets 销售目标: the attainment of a period (delivered and collected
//! against target, per rep, team and company) above the year's grid of
//! monthly targets, which a manager fills for the team's reps (or the team)
//! and saves in one go.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use kam_core::FieldErrors;
use kam_core::targets::{Level, Period, parse_amount, sum};
use std::collections::HashMap;

use super::{ctx, render_checked, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::t;
use crate::view::{self, Ctx};

pub fn router() -> Router<AppState> {
    Router::new().route("/targets", get(page).post(save))
}

pub struct GridRow {
    pub id: i64,
    pub name: String,
    pub can_set: bool,
    /// (field name, value as typed or stored, error)
    pub cells: Vec<(String, String, Option<String>)>,
    pub year_total: String,
}

pub struct AttRow {
    pub name: String,
    pub target: String,
    pub reps_target: String,
    pub delivered: String,
    pub delivered_pct: String,
    pub collected: String,
    pub collected_pct: String,
    pub bar: i64,
    pub strong: bool,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    ctx: Ctx,
    level: &'static str,
    year: i32,
    period: String,
    from: String,
    to: String,
    months: Vec<String>,
    rows: Vec<GridRow>,
    any_settable: bool,
    attained: Vec<AttRow>,
    has_errors: bool,
}

fn yuan(fen: Option<i64>) -> String {
    fen.map(|f| view::money(f, "CNY")).unwrap_or_default()
}

fn pct(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.1}%")).unwrap_or_default()
}

fn yuan_input(fen: Option<i64>) -> String {
    fen.map(|f| if f % 100 == 0 { (f / 100).to_string() } else { format!("{}.{:02}", f / 100, f % 100) })
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
async fn build(
    state: &AppState,
    auth: &Authed,
    level: Level,
    year: i32,
    period: Period,
    typed: Option<&HashMap<String, String>>,
    errors: &FieldErrors,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let targets = state.store.targets(&actor, level, year).await?;
    let a = state.store.attainment(&actor, &period).await?;
    let rows: Vec<GridRow> = targets
        .iter()
        .map(|r| GridRow {
            id: r.id,
            name: r.name.clone(),
            can_set: r.can_set,
            cells: (0..12)
                .map(|i| {
                    let name = format!("t_{}_{}", r.id, i + 1);
                    let value = typed.and_then(|t| t.get(&name).cloned()).unwrap_or_else(|| yuan_input(r.months[i]));
                    let err = errors.0.get(&name).map(|k| t(lang, k).to_string());
                    (name, value, err)
                })
                .collect(),
            year_total: yuan(sum(&r.months, &Period { year, from: 1, to: 12 })),
        })
        .collect();
    let mut attained = Vec::new();
    let mut push = |x: &kam_store::targets::Attained, strong: bool| {
        let name = match x.level {
            "company" => t(lang, "target.company").to_string(),
            _ => x.name.clone(),
        };
        attained.push(AttRow {
            name,
            target: yuan(x.target),
            reps_target: if x.level == "rep" { String::new() } else { yuan(x.reps_target) },
            delivered: view::money(x.delivered, "CNY"),
            delivered_pct: pct(x.delivered_pct),
            collected: view::money(x.collected, "CNY"),
            collected_pct: pct(x.collected_pct),
            bar: x.delivered_pct.map(|p| p.clamp(0.0, 100.0).round() as i64).unwrap_or(0),
            strong,
        });
    };
    if let Some(c) = &a.company {
        push(c, true);
    }
    for team in &a.teams {
        push(team, true);
        for r in a.reps.iter().filter(|r| r.team_id == team.team_id) {
            push(r, false);
        }
    }
    for r in a.reps.iter().filter(|r| !a.teams.iter().any(|t| t.team_id == r.team_id)) {
        push(r, false);
    }
    render_checked(
        &TargetsPage {
            ctx: ctx(state, auth, "targets", msg).await,
            level: level.as_str(),
            year,
            period: a.period,
            from: a.from,
            to: a.to,
            months: (1..=12).map(|m| t(lang, "capability.month_n").replace("{n}", &m.to_string())).collect(),
            any_settable: rows.iter().any(|r| r.can_set),
            rows,
            attained,
            has_errors: !errors.is_empty(),
        },
        !errors.is_empty(),
    )
}

fn asked(q: &HashMap<String, String>, today: time::Date) -> (Level, i32, Period) {
    let level = q.get("level").and_then(|l| Level::parse(l)).unwrap_or(Level::Rep);
    let year = q.get("year").and_then(|y| y.parse().ok()).filter(|y| (2000..=2100).contains(y)).unwrap_or(today.year());
    let period = q.get("period").and_then(|p| Period::parse(p)).unwrap_or_else(|| Period::quarter_of(today));
    (level, year, period)
}

async fn page(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (level, year, period) = asked(&q, state.store.today());
    build(&state, &auth, level, year, period, None, &FieldErrors::default(), q.get("msg").map(String::as_str)).await
}

/// POST /targets: every settable row of the grid in one save.
async fn save(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    let today = state.store.today();
    let q: HashMap<String, String> =
        ["level", "year", "period"].iter().map(|k| (k.to_string(), f.form.text(k).to_string())).collect();
    let (level, year, period) = asked(&q, today);
    let actor = f.auth.user.actor();
    let current = state.store.targets(&actor, level, year).await?;
    let mut errors = FieldErrors::default();
    let mut typed = HashMap::new();
    let mut rows = Vec::new();
    for r in current.iter().filter(|r| r.can_set) {
        let mut m = [None; 12];
        for (i, cell) in m.iter_mut().enumerate() {
            let name = format!("t_{}_{}", r.id, i + 1);
            let v = f.form.text(&name).to_string();
            match parse_amount(&v) {
                Ok(a) => *cell = a,
                Err(k) => errors.add(&name, k),
            }
            typed.insert(name, v);
        }
        rows.push((r.id, m));
    }
    if !errors.is_empty() {
        return build(&state, &f.auth, level, year, period, Some(&typed), &errors, None).await;
    }
    state.store.set_targets(&actor, level, year, &rows).await?;
    Ok(see_other(&format!("/targets?level={}&year={year}&period={}", level.as_str(), period.text()), "common.saved"))
}
