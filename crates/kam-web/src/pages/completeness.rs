//! Archive completeness: one account's checks with a link to fill each
//! missing part, and the report of the least complete archives in scope.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use kam_core::AccountId;
use kam_core::completeness::Outcome;
use std::collections::HashMap;

use super::{ctx, render};
use crate::AppState;
use crate::auth::Authed;
use crate::completeness::{label, link, missing};
use crate::error::PageError;
use crate::i18n::t;
use crate::view::{Ctx, Pager};

pub fn router() -> Router<AppState> {
    Router::new().route("/accounts/{id}/completeness", get(account)).route("/completeness", get(report))
}

pub struct CheckRow {
    pub label: String,
    /// "pass", "fail" or "na".
    pub state: &'static str,
    pub state_label: String,
    pub link: Option<String>,
}

#[derive(Template)]
#[template(path = "completeness.html")]
struct AccountPage {
    ctx: Ctx,
    account_id: AccountId,
    name: String,
    percent: i64,
    rows: Vec<CheckRow>,
}

async fn account(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let today = state.store.today();
    let c = state.store.completeness(&auth.user.actor(), id).await?;
    let mut rows: Vec<CheckRow> = c
        .checks
        .iter()
        .map(|(k, o)| {
            let (st, key) = match o {
                Outcome::Pass => ("pass", "complete.pass"),
                Outcome::Fail => ("fail", "complete.fail"),
                Outcome::NotApplicable => ("na", "complete.na"),
            };
            CheckRow {
                label: label(lang, k),
                state: st,
                state_label: t(lang, key).to_string(),
                link: (*o == Outcome::Fail).then(|| link(id, k, today, c.unsigned_worklog)),
            }
        })
        .collect();
    // What is missing first.
    rows.sort_by_key(|r| match r.state {
        "fail" => 0,
        "pass" => 1,
        _ => 2,
    });
    render(&AccountPage {
        ctx: ctx(&state, &auth, "accounts", None).await,
        account_id: id,
        name: c.name,
        percent: c.percent,
        rows,
    })
}

pub struct ReportRow {
    pub account_id: AccountId,
    pub name: String,
    pub owner: String,
    pub percent: i64,
    pub missing: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "completeness_report.html")]
struct ReportPage {
    ctx: Ctx,
    total: i64,
    rows: Vec<ReportRow>,
    pager: Pager,
    pager_text: String,
}

async fn report(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let today = state.store.today();
    let page_no = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let p = state.store.completeness_report(&auth.user.actor(), page_no, 50).await?;
    let rows = p
        .items
        .iter()
        .map(|c| ReportRow {
            account_id: c.account_id,
            name: c.name.clone(),
            owner: c.owner_name.clone().unwrap_or_else(|| t(lang, "accounts.in_pool").to_string()),
            percent: c.percent,
            missing: missing(lang, c, today),
        })
        .collect();
    let pager = Pager::new(p.page, p.per_page, p.total, |n| format!("/completeness?page={n}"));
    let pager_text = pager.text(lang);
    render(&ReportPage { ctx: ctx(&state, &auth, "completeness", None).await, total: p.total, rows, pager, pager_text })
}
