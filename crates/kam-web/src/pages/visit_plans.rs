//! Visit plans 客户拜访计划 (附表二): the grid of a year (accounts as rows,
//! visits 1–12 as planned/actual columns), plan versus actual per rep, and
//! one account's plan form.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use kam_core::AccountId;
use kam_core::FieldErrors;
use kam_core::time_util::parse_date;
use kam_core::visit_plan::{SLOTS, Slot, SlotState, state};
use time::Date;

use super::{ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::t;
use crate::view::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/visit-plans", get(grid))
        .route("/visit-plans/print", get(print))
        .route("/visit-plans.xlsx", get(xlsx))
        .route("/accounts/{id}/visit-plan", get(form).post(save))
}

pub struct GridRow {
    pub account_id: AccountId,
    pub name: String,
    pub owner: String,
    pub cells: Vec<(String, String, &'static str)>,
}

#[derive(Template)]
#[template(path = "visit_plans.html")]
struct GridPage {
    ctx: Ctx,
    year: i32,
    headers: Vec<String>,
    rows: Vec<GridRow>,
    summary: Vec<(String, i64, i64, i64, i64, i64)>,
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

fn short(d: Option<Date>) -> String {
    d.map(|d| format!("{:02}-{:02}", d.month() as u8, d.day())).unwrap_or_default()
}

fn class(s: &Slot, today: Date) -> &'static str {
    match state(s, today) {
        SlotState::OnTime => "on_time",
        SlotState::Late => "late",
        SlotState::Missed => "missed",
        SlotState::Pending | SlotState::Unplanned => "",
    }
}

async fn grid(State(state): State<AppState>, auth: Authed, Query(q): Query<YearQuery>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let today = state.store.today();
    let year = year_of(&q, today);
    let actor = auth.user.actor();
    let plans = state.store.visit_plans(&actor, year, None).await?;
    let (from, to) =
        (Date::from_ordinal_date(year, 1).unwrap_or(today), Date::from_ordinal_date(year, 365).unwrap_or(today));
    let summary = state.store.visit_plan_summary(&actor, from, to, today).await?;
    let page = GridPage {
        ctx: ctx(&state, &auth, "activities", None).await,
        year,
        headers: (1..=SLOTS).map(|n| t(lang, "plan.visit_n").replace("{n}", &n.to_string())).collect(),
        rows: plans
            .into_iter()
            .map(|p| GridRow {
                account_id: p.account_id,
                name: p.account_name,
                owner: p.owner_name.unwrap_or_default(),
                cells: p.slots.iter().map(|s| (short(s.planned), short(s.actual), class(s, today))).collect(),
            })
            .collect(),
        summary: summary
            .into_iter()
            .map(|r| {
                (
                    r.owner_name.unwrap_or_else(|| t(lang, "accounts.in_pool").into()),
                    r.tally.planned,
                    r.tally.on_time,
                    r.tally.late,
                    r.tally.missed,
                    r.tally.pending,
                )
            })
            .collect(),
    };
    render(&page)
}

/// One account's row of the printed form.
pub struct PrintRow {
    pub name: String,
    pub cells: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "print_visit_plans.html")]
struct PrintPage {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    year: i32,
    headers: Vec<String>,
    rows: Vec<PrintRow>,
    printed: String,
}

fn year_of(q: &YearQuery, today: Date) -> i32 {
    q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(today.year())
}

/// GET /visit-plans/print: 附表二 of the year as the paper form.
async fn print(State(state): State<AppState>, auth: Authed, Query(q): Query<YearQuery>) -> Result<Response, PageError> {
    let lang = crate::i18n::Lang::Zh;
    let today = state.store.today();
    let year = year_of(&q, today);
    let plans = state.store.visit_plans(&auth.user.actor(), year, None).await?;
    render(&PrintPage {
        lang: lang.code(),
        print_label: t(lang, "common.print").into(),
        back: format!("/visit-plans?year={year}"),
        back_label: t(lang, "common.back").into(),
        year,
        headers: crate::visit_plans::visit_headers(lang),
        rows: plans
            .into_iter()
            .map(|p| PrintRow {
                name: p.account_name,
                cells: p.slots.iter().map(|s| (short(s.planned), short(s.actual))).collect(),
            })
            .collect(),
        printed: format!("打印日期 {today}"),
    })
}

async fn xlsx(State(state): State<AppState>, auth: Authed, Query(q): Query<YearQuery>) -> Result<Response, PageError> {
    let year = year_of(&q, state.store.today());
    crate::visit_plans::download(&state.store, &auth.user.actor(), auth.lang, year).await
}

pub struct SlotInput {
    pub n: usize,
    pub label: String,
    pub planned: String,
    pub actual: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "visit_plan_form.html")]
struct FormPage {
    ctx: Ctx,
    account_id: AccountId,
    account_name: String,
    year: i32,
    can_edit: bool,
    has_errors: bool,
    slots: Vec<SlotInput>,
}

async fn form_page(
    state: &AppState,
    auth: &Authed,
    id: AccountId,
    year: i32,
    typed: Option<&[String]>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let plan = state.store.visit_plan(&actor, id, year).await?;
    let account = state.store.account(&actor, id).await?;
    let page = FormPage {
        ctx: ctx(state, auth, "activities", None).await,
        account_id: id,
        account_name: plan.account_name.clone(),
        year,
        can_edit: actor.can_record_activity(&account.facts()),
        has_errors: !errors.is_empty(),
        slots: plan
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| SlotInput {
                n: i + 1,
                label: t(lang, "plan.visit_n").replace("{n}", &(i + 1).to_string()),
                planned: typed
                    .and_then(|v| v.get(i).cloned())
                    .unwrap_or_else(|| s.planned.map(|d| d.to_string()).unwrap_or_default()),
                actual: s.actual.map(|d| d.to_string()).unwrap_or_default(),
                error: errors.0.get(&format!("planned_{}", i + 1)).map(|k| t(lang, k).to_string()),
            })
            .collect(),
    };
    let mut res = render(&page)?;
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn form(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(state.store.today().year());
    form_page(&state, &auth, id, year, None, FieldErrors::default()).await
}

async fn save(State(state): State<AppState>, Path(id): Path<AccountId>, f: AuthForm) -> Result<Response, PageError> {
    let year = f
        .form
        .int("year")
        .and_then(|y| i32::try_from(y).ok())
        .filter(|y| (2000..=2100).contains(y))
        .ok_or(PageError::BadRequest)?;
    let typed: Vec<String> = (1..=SLOTS).map(|n| f.form.text(&format!("planned_{n}")).trim().to_string()).collect();
    let mut errors = FieldErrors::default();
    let mut planned = Vec::new();
    for (i, v) in typed.iter().enumerate() {
        if v.is_empty() {
            planned.push(None);
        } else {
            match parse_date(v) {
                Some(d) => planned.push(Some(d)),
                None => {
                    errors.add(&format!("planned_{}", i + 1), "err.date");
                    planned.push(None);
                }
            }
        }
    }
    super::form_flow(
        errors,
        async || state.store.set_visit_plan(&f.auth.user.actor(), id, year, &planned).await,
        |_| see_other(&format!("/accounts/{id}/visit-plan?year={year}"), "common.saved"),
        async |errors| form_page(&state, &f.auth, id, year, Some(&typed), errors).await,
    )
    .await
}
