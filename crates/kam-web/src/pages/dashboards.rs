//! Dashboards per role: each chart drawn by the server as SVG with its
//! figures in a table beside it (readable without the chart, printable).
//! `/dashboard` opens the reader's own board.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kam_core::dashboard::Board;

use super::{ctx, render};
use crate::AppState;
use crate::auth::Authed;
use crate::dashboards::Panel;
use crate::error::PageError;
use crate::i18n::t;
use crate::view::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(mine))
        .route("/dashboards/{role}", get(show))
        .route("/dashboards/{role}/xlsx", get(xlsx))
}

/// An account at churn risk: id, name, why.
pub type RiskRow = (kam_core::AccountId, String, String);

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Page {
    ctx: Ctx,
    title: String,
    today: String,
    board: &'static str,
    boards: Vec<(&'static str, String, bool)>,
    panels: Vec<Panel>,
    /// The churn risks: how many, and (id, name, why).
    risks: Option<(i64, Vec<RiskRow>)>,
}

async fn mine(auth: Authed) -> Result<Response, PageError> {
    let board = Board::first_for(&auth.user.actor()).ok_or(PageError::Forbidden("err.forbidden"))?;
    Ok(Redirect::to(&format!("/dashboards/{}", board.as_str())).into_response())
}

async fn xlsx(State(state): State<AppState>, auth: Authed, Path(role): Path<String>) -> Result<Response, PageError> {
    let board = Board::parse(&role).ok_or(PageError::NotFound)?;
    let bytes = crate::dashboards::xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang, board).await?;
    Ok(crate::downloads::xlsx_response(&format!("dashboard-{role}.xlsx"), bytes))
}

async fn show(State(state): State<AppState>, auth: Authed, Path(role): Path<String>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let board = Board::parse(&role).ok_or(PageError::NotFound)?;
    let d = state.store.dashboard(&actor, board).await?;
    let panels = crate::dashboards::panels(lang, &d);
    let risks = d.churn_risks.as_ref().map(|r| {
        (
            r.total,
            r.items
                .iter()
                .map(|a| (a.account_id, a.account_name.clone(), crate::dashboards::risk_text(lang, &a.risk)))
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
        board: board.as_str(),
        boards,
        panels,
        risks,
    })
}
