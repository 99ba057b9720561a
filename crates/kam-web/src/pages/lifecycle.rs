//! Lifecycle and churn pages: one account's stage (computed, and set by
//! hand), its churn-risk figures, churn records with win-back actions and
//! their forms; /churns, the churn report of a year by reason, month, grade
//! and rep with its chart, the accounts at risk in scope and the records.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::lifecycle::{ACTION_FIELDS, CHURN_FIELDS, Lifecycle};
use kam_core::{AccountId, FieldErrors, Record, Value};
use kam_store::lifecycle::{AccountLifecycle, Churn, ChurnReport};

use super::{ctx, render_checked, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::charts::{Series, bars};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx, InputGroup, Pager};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts/{id}/lifecycle", get(account))
        .route("/accounts/{id}/churns", post(create_churn))
        .route("/churns/{id}/actions", post(add_action))
        .route("/winback-actions/{id}", post(update_action))
        .route("/churns", get(report))
        .route("/churns.xlsx", get(report_xlsx))
}

/// The stage's label.
pub fn stage_label(lang: Lang, s: kam_core::lifecycle::Stage) -> String {
    t(lang, &format!("enum.stage.{}", s.as_str())).to_string()
}

use crate::dashboards::risk_text;

/// The account header's lifecycle badge: the stage in effect and the risk flag.
pub fn badge(lang: Lang, l: &Lifecycle) -> (String, bool) {
    (stage_label(lang, l.stage), l.risk.is_some_and(|r| r.at_risk))
}

/// The churn and action fields as posted.
fn posted_map(form: &crate::auth::FormData) -> HashMap<String, String> {
    CHURN_FIELDS.iter().chain(ACTION_FIELDS).map(|d| (d.name.to_string(), form.text(d.name).to_string())).collect()
}

pub struct ActionRow {
    pub id: i64,
    pub due_on: String,
    pub action: String,
    pub outcome: String,
    pub outcome_key: String,
    pub note: String,
    pub overdue: bool,
}

pub struct ChurnBox {
    pub id: i64,
    pub churned_on: String,
    pub reason_category: String,
    pub reason: String,
    pub actions: Vec<ActionRow>,
}

fn text(rec: &Record, f: &str) -> String {
    rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string()
}

fn churn_box(lang: Lang, c: &Churn, today: &str) -> ChurnBox {
    ChurnBox {
        id: c.id,
        churned_on: text(&c.rec, "churned_on"),
        reason_category: t(lang, &format!("enum.churn_reason.{}", text(&c.rec, "reason_category"))).to_string(),
        reason: text(&c.rec, "reason"),
        actions: c
            .actions
            .iter()
            .map(|a| {
                let outcome = text(&a.rec, "outcome");
                let due = text(&a.rec, "due_on");
                ActionRow {
                    id: a.id,
                    overdue: outcome == "pending" && due.as_str() < today,
                    due_on: due,
                    action: text(&a.rec, "action"),
                    outcome: t(lang, &format!("enum.winback_outcome.{outcome}")).to_string(),
                    outcome_key: outcome,
                    note: text(&a.rec, "outcome_note"),
                }
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "lifecycle.html")]
struct AccountPage {
    ctx: Ctx,
    account_id: AccountId,
    name: String,
    stage: String,
    computed: String,
    rule: String,
    manual: bool,
    risk: Option<String>,
    at_risk: bool,
    facts: Vec<(String, String)>,
    churns: Vec<ChurnBox>,
    can_edit: bool,
    churn_form: Vec<InputGroup>,
    /// The new action's values and errors as posted: (due_on, action).
    action_values: (String, String),
    action_errors: (String, String),
    /// The churn whose action form came back with errors.
    action_for: Option<i64>,
    has_errors: bool,
    outcomes: Vec<(String, String)>,
    today: String,
}

async fn account_page(
    state: &AppState,
    auth: &Authed,
    id: AccountId,
    flash: Option<&str>,
    posted: Option<(&HashMap<String, String>, FieldErrors, Option<i64>)>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let acc = state.store.account(&actor, id).await?;
    let l: AccountLifecycle = state.store.account_lifecycle(&actor, id).await?;
    let today = state.store.today().to_string();
    let sees_money = kam_core::ledger::can_see_money(&actor);
    let mut facts = vec![
        (t(lang, "lifecycle.first_order").to_string(), l.first_order.clone().unwrap_or_else(|| "–".into())),
        (t(lang, "lifecycle.last_order").to_string(), l.last_order.clone().unwrap_or_else(|| "–".into())),
        (t(lang, "lifecycle.order_days").to_string(), l.order_days.to_string()),
    ];
    if sees_money {
        facts.push((t(lang, "lifecycle.last_12").to_string(), kam_core::fields::format_minor(l.last_12, true)));
        facts.push((t(lang, "lifecycle.previous_12").to_string(), kam_core::fields::format_minor(l.previous_12, true)));
    }
    let (posted, errors, action_for) = match posted {
        Some((p, e, f)) => (Some(p), e, f),
        None => (None, FieldErrors::default(), None),
    };
    let values = |d: &kam_core::FieldDef| -> String {
        match posted {
            Some(p) => p.get(d.name).cloned().unwrap_or_default(),
            None if d.name == "churned_on" || d.name == "due_on" => today.clone(),
            None => String::new(),
        }
    };
    let churn_errors = if action_for.is_none() { errors.clone() } else { FieldErrors::default() };
    let action_errors = if action_for.is_some() { errors.clone() } else { FieldErrors::default() };
    let churn_form = view::form(lang, "churn", CHURN_FIELDS, &["churn"], &values, &churn_errors, &|_| true, &|_| false);
    let err = |f: &str| action_errors.0.get(f).map(|k| t(lang, k).to_string()).unwrap_or_default();
    let action_errors = (err("due_on"), err("action"));
    let action_values = match (posted, action_for) {
        (Some(p), Some(_)) => {
            (p.get("due_on").cloned().unwrap_or_default(), p.get("action").cloned().unwrap_or_default())
        }
        _ => (today.clone(), String::new()),
    };
    let p = AccountPage {
        ctx: ctx(state, auth, "accounts", flash).await,
        account_id: id,
        name: acc.name().to_string(),
        stage: stage_label(lang, l.lifecycle.stage),
        computed: stage_label(lang, l.lifecycle.computed),
        rule: t(lang, &format!("lifecycle.rule.{}", l.lifecycle.rule.as_str())).to_string(),
        manual: l.lifecycle.manual.is_some(),
        risk: l.lifecycle.risk.as_ref().map(|r| risk_text(lang, r)),
        at_risk: l.lifecycle.risk.is_some_and(|r| r.at_risk),
        facts,
        churns: l.churns.iter().map(|c| churn_box(lang, c, &today)).collect(),
        can_edit: actor.can_edit_account(&acc.facts()),
        churn_form,
        action_values,
        action_errors,
        action_for,
        has_errors: !errors.is_empty(),
        outcomes: kam_core::lifecycle::OUTCOME
            .values
            .iter()
            .map(|v| (v.to_string(), t(lang, &format!("enum.winback_outcome.{v}")).to_string()))
            .collect(),
        today: today.clone(),
    };
    let failed = p.has_errors;
    render_checked(&p, failed)
}

async fn account(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    Query(flash): Query<super::Flash>,
) -> Result<Response, PageError> {
    account_page(&state, &auth, id, flash.msg.as_deref(), None).await
}

async fn create_churn(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(CHURN_FIELDS, &f.form, &|_| true, &mut errors);
    let posted = posted_map(&f.form);
    let actor = f.auth.user.actor();
    super::form_flow(
        errors,
        async || state.store.create_churn(&actor, id, rec).await,
        |_| see_other(&format!("/accounts/{id}/lifecycle"), "common.saved"),
        async |errors| account_page(&state, &f.auth, id, None, Some((&posted, errors, None))).await,
    )
    .await
}

async fn add_action(
    State(state): State<AppState>,
    Path(churn_id): Path<i64>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let actor = f.auth.user.actor();
    let churn = state.store.churn(&actor, churn_id).await?;
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(&ACTION_FIELDS[..2], &f.form, &|_| true, &mut errors);
    let posted = posted_map(&f.form);
    let account = churn.account_id;
    super::form_flow(
        errors,
        async || state.store.add_winback(&actor, churn_id, rec).await,
        |_| see_other(&format!("/accounts/{account}/lifecycle"), "common.saved"),
        async |errors| account_page(&state, &f.auth, account, None, Some((&posted, errors, Some(churn_id)))).await,
    )
    .await
}

async fn update_action(
    State(state): State<AppState>,
    Path(action_id): Path<i64>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let actor = f.auth.user.actor();
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(&ACTION_FIELDS[2..], &f.form, &|_| true, &mut errors);
    if !errors.is_empty() {
        return Err(PageError::BadRequest);
    }
    let churn = state.store.update_winback(&actor, action_id, rec).await?;
    Ok(see_other(&format!("/accounts/{}/lifecycle", churn.account_id), "common.saved"))
}

pub struct CountRow {
    pub label: String,
    pub churns: i64,
    pub won_back: i64,
}

pub struct RiskRow {
    pub account_id: AccountId,
    pub name: String,
    pub owner: String,
    pub last_order: String,
    pub text: String,
}

pub struct ListRow {
    pub account_id: AccountId,
    pub account: String,
    pub owner: String,
    pub churned_on: String,
    pub reason: String,
    pub actions: usize,
    pub won_back: bool,
}

#[derive(Template)]
#[template(path = "churns.html")]
struct ReportPage {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    total: i64,
    won_back: i64,
    chart: String,
    sections: Vec<(String, &'static str, Vec<CountRow>)>,
    risks_total: i64,
    factor: String,
    risks: Vec<RiskRow>,
    rows: Vec<ListRow>,
    pager: Pager,
    pager_text: String,
}

/// The twelve months of the report with their counts (a month without churns: 0).
pub fn by_month(r: &ChurnReport) -> Vec<(String, i64, i64)> {
    (1..=12)
        .map(|m| {
            let key = format!("{:04}-{m:02}", r.year);
            let c = r.by_month.iter().find(|c| c.key == key);
            (key, c.map_or(0, |c| c.churns), c.map_or(0, |c| c.won_back))
        })
        .collect()
}

async fn report_xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let year = super::year_of(&q, state.store.today().year());
    let bytes =
        crate::exports::churn_report_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang, year).await?;
    Ok(crate::downloads::xlsx_response(&format!("churns-{year}.xlsx"), bytes))
}

async fn report(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let this_year = state.store.today().year();
    let year = super::year_of(&q, this_year);
    let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let r = state.store.churn_report(&actor, year).await?;
    let risks = state.store.churn_risks(&actor, None, 50).await?;
    let list = state.store.churns(&actor, Some(year), page, 50).await?;
    let months = by_month(&r);
    let labels: Vec<String> = months.iter().map(|(k, _, _)| format!("{}月", &k[5..].trim_start_matches('0'))).collect();
    let lost: Vec<Option<f64>> = months.iter().map(|m| Some(m.1 as f64)).collect();
    let won: Vec<Option<f64>> = months.iter().map(|m| Some(m.2 as f64)).collect();
    let chart = bars(
        t(lang, "churn.by_month"),
        &labels,
        &[
            Series { name: t(lang, "churn.churns"), values: &lost },
            Series { name: t(lang, "churn.won_back"), values: &won },
        ],
        "",
    );
    let sections = crate::exports::churn_sections(lang, &r)
        .into_iter()
        .map(|(title, id, rows)| {
            let rows = rows.into_iter().map(|(label, churns, won_back)| CountRow { label, churns, won_back }).collect();
            (title, id, rows)
        })
        .collect();
    let pager = Pager::new(list.page, list.per_page, list.total, |n| format!("/churns?year={year}&page={n}"));
    let pager_text = pager.text(lang);
    let p = ReportPage {
        ctx: ctx(&state, &auth, "churns", None).await,
        year,
        years: (this_year - 4..=this_year).rev().collect(),
        total: r.total,
        won_back: r.won_back,
        chart,
        sections,
        risks_total: risks.total,
        factor: format!("{:.1}", risks.factor),
        risks: risks
            .items
            .iter()
            .map(|a| RiskRow {
                account_id: a.account_id,
                name: a.account_name.clone(),
                owner: a.owner_name.clone().unwrap_or_else(|| t(lang, "accounts.in_pool").to_string()),
                last_order: a.last_order.clone(),
                text: risk_text(lang, &a.risk),
            })
            .collect(),
        rows: list
            .items
            .iter()
            .map(|c| ListRow {
                account_id: c.account_id,
                account: c.account_name.clone(),
                owner: c.owner_name.clone().unwrap_or_default(),
                churned_on: text(&c.rec, "churned_on"),
                reason: t(lang, &format!("enum.churn_reason.{}", text(&c.rec, "reason_category"))).to_string(),
                actions: c.actions.len(),
                won_back: c.actions.iter().any(|a| text(&a.rec, "outcome") == "succeeded"),
            })
            .collect(),
        pager,
        pager_text,
    };
    render_checked(&p, false)
}
