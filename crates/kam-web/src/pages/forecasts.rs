//! Sales forecasts 销售预测: how the forecast was made (the BG/NBD fit in use:
//! its parameters, the history it read, when), the coming three months per
//! rep and team against target, and per account P(alive), expected orders
//! and revenue beside the same-period-last-year forecast; managers and admin
//! refit on demand.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::Role;

use super::{ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::t;
use crate::view::{self, Ctx, Pager};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/forecasts", get(page))
        .route("/forecasts.xlsx", get(xlsx))
        .route("/forecasts/refresh", post(refresh))
}

async fn xlsx(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let bytes = crate::exports::forecasts_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang).await?;
    Ok(crate::downloads::xlsx_response("forecasts.xlsx", bytes))
}

pub struct RollRow {
    pub name: String,
    pub strong: bool,
    pub expected: String,
    pub last_year: String,
    pub target: String,
    pub pct: String,
}

pub struct AccRow {
    pub id: i64,
    pub name: String,
    pub owner: String,
    pub last_order: String,
    pub order_days: i64,
    pub average: String,
    pub p_alive: String,
    pub expected_orders: String,
    pub expected: String,
    pub last_year: String,
    pub trend: String,
}

#[derive(Template)]
#[template(path = "forecasts.html")]
struct ForecastsPage {
    ctx: Ctx,
    from: String,
    to: String,
    /// The fit's status message key and its figures (empty without a fit).
    fit_status: String,
    fit_lines: Vec<(String, String)>,
    can_refresh: bool,
    totals: (String, String),
    rollups: Vec<RollRow>,
    rows: Vec<AccRow>,
    pager: Pager,
    pager_text: String,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
    msg: Option<String>,
}

fn yuan(fen: i64) -> String {
    view::money(fen, "CNY")
}

async fn page(State(state): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let per_page = 50;
    let f = state.store.forecasts(&actor, q.page.unwrap_or(1), per_page).await?;
    let (fit_status, fit_lines) = match &f.fit {
        None => ("forecast.no_fit".to_string(), Vec::new()),
        Some(fit) => {
            let mut lines = vec![
                (t(lang, "forecast.fitted_at").to_string(), kam_core::time_util::display_ts(&fit.fitted_at)),
                (t(lang, "forecast.calibration_end").to_string(), fit.calibration_end.clone()),
                (t(lang, "forecast.accounts").to_string(), format!("{} / {}", fit.accounts, fit.repeat_accounts)),
            ];
            if let Some(p) = fit.params {
                lines.push(("r, α".into(), format!("{:.3}, {:.3}", p.r, p.alpha)));
                lines.push(("a, b".into(), format!("{:.3}, {:.3}", p.a, p.b)));
                lines.push((t(lang, "forecast.mean_rate").to_string(), format!("{:.3}", p.r / p.alpha)));
                lines.push((t(lang, "forecast.mean_drop").to_string(), format!("{:.1}%", 100.0 * p.a / (p.a + p.b))));
            }
            if let Some(ll) = fit.log_likelihood {
                lines.push((t(lang, "forecast.log_likelihood").to_string(), format!("{ll:.1}")));
            }
            (format!("forecast.status.{}", fit.status), lines)
        }
    };
    let pct = |e: i64, target: Option<i64>| match target {
        Some(t) if t > 0 => format!("{:.1}%", e as f64 * 100.0 / t as f64),
        _ => String::new(),
    };
    let roll = |r: &kam_store::forecasts::Rollup, strong: bool| RollRow {
        name: r.name.clone(),
        strong,
        expected: yuan(r.expected_revenue),
        last_year: yuan(r.last_year_forecast),
        target: r.target.map(yuan).unwrap_or_default(),
        pct: pct(r.expected_revenue, r.target),
    };
    let mut rollups: Vec<RollRow> = f.teams.iter().map(|r| roll(r, true)).collect();
    rollups.extend(f.reps.iter().map(|r| roll(r, false)));
    let rows = f
        .items
        .iter()
        .map(|i| AccRow {
            id: i.account_id.0,
            name: i.account_name.clone(),
            owner: i.owner_name.clone().unwrap_or_default(),
            last_order: i.last_order.clone(),
            order_days: i.order_days,
            average: yuan(i.average_order),
            p_alive: i.p_alive.map(|p| format!("{:.0}%", p * 100.0)).unwrap_or_default(),
            expected_orders: i.expected_orders.map(|e| format!("{e:.2}")).unwrap_or_default(),
            expected: i.expected_revenue.map(yuan).unwrap_or_default(),
            last_year: yuan(i.last_year.forecast),
            trend: i.last_year.trend.map(|t| format!("×{t:.2}")).unwrap_or_default(),
        })
        .collect();
    let pager = Pager::new(f.page, f.per_page, f.total, |p| format!("/forecasts?page={p}"));
    let pager_text = pager.text(lang);
    render(&ForecastsPage {
        ctx: ctx(&state, &auth, "targets", q.msg.as_deref()).await,
        from: f.from,
        to: f.to,
        fit_status,
        fit_lines,
        can_refresh: matches!(actor.role, Role::Admin | Role::Manager),
        totals: (yuan(f.expected_revenue), yuan(f.last_year_forecast)),
        rollups,
        rows,
        pager,
        pager_text,
    })
}

async fn refresh(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    state.store.refresh_forecast(Some(&f.auth.user.actor())).await?;
    Ok(see_other("/forecasts", "forecast.refreshed"))
}
