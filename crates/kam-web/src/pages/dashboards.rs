//! Dashboards per role: each chart drawn by the server as SVG with its
//! figures in a table beside it (readable without the chart, printable).
//! `/dashboard` opens the reader's own board.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kam_core::dashboard::Board;
use kam_core::fields::format_minor;

use super::{ctx, render};
use crate::AppState;
use crate::auth::Authed;
use crate::charts::{Series, bars};
use crate::error::PageError;
use crate::i18n::t;
use crate::view::Ctx;

pub fn router() -> Router<AppState> {
    Router::new().route("/dashboard", get(mine)).route("/dashboards/{role}", get(show))
}

/// One chart with its table: column heads, rows of (label, cells).
pub struct Panel {
    pub id: &'static str,
    pub title: String,
    pub svg: Option<String>,
    pub heads: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
    pub note: Option<String>,
}

/// An account at churn risk: id, name, why.
pub type RiskRow = (kam_core::AccountId, String, String);

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Page {
    ctx: Ctx,
    title: String,
    today: String,
    boards: Vec<(&'static str, String, bool)>,
    panels: Vec<Panel>,
    /// The churn risks: how many, and (id, name, why).
    risks: Option<(i64, Vec<RiskRow>)>,
}

async fn mine(auth: Authed) -> Result<Response, PageError> {
    let board = Board::of(auth.user.role)
        .filter(|b| b.may_open(&auth.user.actor()))
        .ok_or(PageError::Forbidden("err.forbidden"))?;
    Ok(Redirect::to(&format!("/dashboards/{}", board.as_str())).into_response())
}

fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

fn money(v: Option<i64>) -> String {
    v.map(|v| format_minor(v, true)).unwrap_or_else(|| "–".into())
}

fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "–".into())
}

async fn show(State(state): State<AppState>, auth: Authed, Path(role): Path<String>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let board = Board::parse(&role).ok_or(PageError::NotFound)?;
    let d = state.store.dashboard(&actor, board).await?;
    let mut panels = Vec::new();
    if let Some(a) = &d.attainment {
        let rows: Vec<_> = a.reps.iter().chain(a.teams.iter()).collect();
        let labels: Vec<String> = a.reps.iter().map(|r| r.name.clone()).collect();
        let target: Vec<Option<f64>> = a.reps.iter().map(|r| r.target.map(yuan)).collect();
        let delivered: Vec<Option<f64>> = a.reps.iter().map(|r| Some(yuan(r.delivered))).collect();
        let collected: Vec<Option<f64>> = a.reps.iter().map(|r| Some(yuan(r.collected))).collect();
        let title = format!("{} {}", t(lang, "dash.attainment"), a.period);
        panels.push(Panel {
            id: "attainment",
            svg: (!labels.is_empty()).then(|| {
                bars(
                    &title,
                    &labels,
                    &[
                        Series { name: t(lang, "target.target"), values: &target },
                        Series { name: t(lang, "target.delivered"), values: &delivered },
                        Series { name: t(lang, "target.collected"), values: &collected },
                    ],
                    "元",
                )
            }),
            title,
            heads: ["target.target", "target.delivered", "%", "target.collected", "%"]
                .iter()
                .map(|k| t(lang, k).to_string())
                .collect(),
            rows: rows
                .iter()
                .map(|r| {
                    (
                        r.name.clone(),
                        vec![
                            money(r.target.or(r.reps_target)),
                            money(Some(r.delivered)),
                            pct(r.delivered_pct),
                            money(Some(r.collected)),
                            pct(r.collected_pct),
                        ],
                    )
                })
                .collect(),
            note: None,
        });
    }
    if d.attainment.is_some() {
        let labels: Vec<String> = d.forecast.iter().map(|r| r.name.clone()).collect();
        let expected: Vec<Option<f64>> = d.forecast.iter().map(|r| Some(yuan(r.expected_revenue))).collect();
        let last_year: Vec<Option<f64>> = d.forecast.iter().map(|r| Some(yuan(r.last_year_forecast))).collect();
        let target: Vec<Option<f64>> = d.forecast.iter().map(|r| r.target.map(yuan)).collect();
        let title = format!(
            "{} {} – {}",
            t(lang, "forecast.title"),
            d.forecast_from.clone().unwrap_or_default(),
            d.forecast_to.clone().unwrap_or_default()
        );
        panels.push(Panel {
            id: "forecast",
            svg: (!labels.is_empty()).then(|| {
                bars(
                    &title,
                    &labels,
                    &[
                        Series { name: t(lang, "forecast.expected_revenue"), values: &expected },
                        Series { name: t(lang, "forecast.last_year"), values: &last_year },
                        Series { name: t(lang, "target.target"), values: &target },
                    ],
                    "元",
                )
            }),
            title,
            heads: ["forecast.expected_revenue", "forecast.last_year", "target.target"]
                .iter()
                .map(|k| t(lang, k).to_string())
                .collect(),
            rows: d
                .forecast
                .iter()
                .map(|r| {
                    (
                        r.name.clone(),
                        vec![money(Some(r.expected_revenue)), money(Some(r.last_year_forecast)), money(r.target)],
                    )
                })
                .collect(),
            note: Some(t(lang, "dash.forecast_note").to_string()),
        });
    }
    {
        let buckets = ["0–30", "31–60", "61–90", "90+"];
        let cny = d.receivables.iter().find(|r| r.currency == "CNY");
        let title = t(lang, "dash.aging").to_string();
        let svg = cny.map(|r| {
            let v = [r.aging.d0_30, r.aging.d31_60, r.aging.d61_90, r.aging.d90_plus].map(|x| Some(yuan(x)));
            let labels: Vec<String> = buckets.iter().map(|b| format!("{b} {}", t(lang, "dash.days"))).collect();
            bars(&title, &labels, &[Series { name: "CNY", values: &v }], "元")
        });
        panels.push(Panel {
            id: "receivables",
            title,
            svg,
            heads: vec![
                t(lang, "dash.accounts").to_string(),
                t(lang, "ledger.balance").to_string(),
                "0–30".into(),
                "31–60".into(),
                "61–90".into(),
                "90+".into(),
                t(lang, "dash.overdue").to_string(),
            ],
            rows: d
                .receivables
                .iter()
                .map(|r| {
                    let a = &r.aging;
                    (
                        r.currency.clone(),
                        vec![
                            r.accounts.to_string(),
                            money(Some(r.balance)),
                            money(Some(a.d0_30)),
                            money(Some(a.d31_60)),
                            money(Some(a.d61_90)),
                            money(Some(a.d90_plus)),
                            money(Some(a.overdue)),
                        ],
                    )
                })
                .collect(),
            note: None,
        });
    }
    if !d.collections.is_empty() {
        let cny: Vec<_> = d.collections.iter().filter(|c| c.currency == "CNY").collect();
        let labels: Vec<String> = cny.iter().map(|c| c.month[5..].to_string() + "月").collect();
        let v: Vec<Option<f64>> = cny.iter().map(|c| Some(yuan(c.collected))).collect();
        let title = t(lang, "dash.collections").to_string();
        panels.push(Panel {
            id: "collections",
            svg: Some(bars(&title, &labels, &[Series { name: "CNY", values: &v }], "元")),
            title,
            heads: vec![
                t(lang, "dash.currency").to_string(),
                t(lang, "target.collected").to_string(),
                t(lang, "dash.payments").to_string(),
            ],
            rows: d
                .collections
                .iter()
                .map(|c| (c.month.clone(), vec![c.currency.clone(), money(Some(c.collected)), c.payments.to_string()]))
                .collect(),
            note: None,
        });
    }
    let risks = d.churn_risks.as_ref().map(|r| {
        (
            r.total,
            r.items
                .iter()
                .map(|a| (a.account_id, a.account_name.clone(), super::lifecycle::risk_text(lang, &a.risk)))
                .collect(),
        )
    });
    let boards = Board::ALL
        .iter()
        .filter(|b| b.may_open(&actor))
        .map(|b| (b.as_str(), t(lang, &format!("dash.board.{}", b.as_str())).to_string(), *b == board))
        .collect();
    render(&Page {
        ctx: ctx(&state, &auth, "dashboard", None).await,
        title: t(lang, &format!("dash.board.{}", board.as_str())).to_string(),
        today: d.today,
        boards,
        panels,
        risks,
    })
}
