//! Credit standing on the account page (the credit tab: each factor, this
//! period against the same period last year, finance's override) and 附表五
//! 客户业绩统计及信用评估表 as a screen, a print page and an .xlsx.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::AccountId;
use kam_core::credit::{Assessment, RATINGS};
use kam_core::fields::parse_money;
use kam_core::time_util::display_ts;
use kam_store::StoreError;
use kam_store::credit::{CreditView, Performance};

use super::{ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts/{id}/credit", post(override_credit))
        .route("/accounts/{id}/performance", get(performance))
        .route("/accounts/{id}/performance/print", get(print))
        .route("/accounts/{id}/performance/xlsx", get(xlsx))
}

/// The credit tab's content.
pub struct CreditPanel {
    pub period: String,
    /// (factor label, this period's value, points/max, last year's value, points/max)
    pub factors: Vec<(String, String, String, String, String)>,
    pub score: (i64, i64),
    pub computed: (String, String),
    pub rating: String,
    pub suggested: String,
    pub limit: String,
    pub overdue: String,
    /// (rating, limit, reason, by whom and when, "in effect since …")
    pub overridden: Option<(String, String, String, String, String)>,
    pub can_override: bool,
    pub ratings: Vec<&'static str>,
    /// What the override form holds: (rating, limit, reason) — typed, when it came back.
    pub typed: (String, String, String),
    /// The override's errors, field by field.
    pub errors: std::collections::BTreeMap<String, String>,
}

impl CreditPanel {
    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
    /// The rating the override form has chosen.
    pub fn chosen(&self, r: &str) -> bool {
        if self.typed.0.is_empty() { r == self.rating } else { r == self.typed.0 }
    }
}

fn value_text(lang: Lang, key: &str, v: Option<f64>) -> String {
    match (key, v) {
        (_, None) => t(lang, "credit.unknown").to_string(),
        ("on_time_ratio" | "asset_liability_ratio", Some(x)) => format!("{x}%"),
        ("days_overdue" | "dso", Some(x)) => t(lang, "credit.days").replace("{n}", &x.to_string()),
        (_, Some(x)) => t(lang, "credit.years").replace("{n}", &x.to_string()),
    }
}

fn factor_rows(lang: Lang, now: &Assessment, before: &Assessment) -> Vec<(String, String, String, String, String)> {
    now.factors
        .iter()
        .zip(before.factors.iter())
        .map(|(a, b)| {
            (
                t(lang, &format!("credit.factor.{}", a.key)).to_string(),
                value_text(lang, a.key, a.value),
                format!("{}/{}", a.points, a.max),
                value_text(lang, b.key, b.value),
                format!("{}/{}", b.points, b.max),
            )
        })
        .collect()
}

/// "in effect since 2026-11" in the reader's language.
pub fn since_text(lang: Lang, period: &str) -> String {
    t(lang, "credit.since").replace("{period}", period)
}

pub fn panel(lang: Lang, v: &CreditView, can_override: bool) -> CreditPanel {
    let m = |x: i64| view::money(x, &v.currency);
    CreditPanel {
        period: v.period.clone(),
        factors: factor_rows(lang, &v.current, &v.last_year),
        score: (v.current.score, v.last_year.score),
        computed: (v.current.rating.to_string(), v.last_year.rating.to_string()),
        rating: v.rating.clone(),
        suggested: m(v.current.suggested_limit),
        limit: v.credit_limit.map(m).unwrap_or_else(|| "—".into()),
        overdue: m(v.current.overdue_amount),
        overridden: v.overridden.as_ref().map(|o| {
            (
                o.rating.clone(),
                m(o.credit_limit),
                o.reason.clone(),
                format!("{} {}", o.by_name.clone().unwrap_or_default(), display_ts(&o.at)),
                since_text(lang, &o.since),
            )
        }),
        can_override,
        ratings: RATINGS.to_vec(),
        typed: Default::default(),
        errors: Default::default(),
    }
}

async fn override_credit(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let period = f.form.text("period").to_string();
    let limit = parse_money(f.form.text("credit_limit").trim());
    let back = format!("/accounts/{id}?tab=credit&period={period}");
    let result = match limit {
        None => {
            let mut e = kam_core::FieldErrors::default();
            e.add("credit_limit", "err.money");
            Err(StoreError::Invalid(e))
        }
        Some(limit) => {
            state
                .store
                .override_credit(&f.auth.user.actor(), id, &period, f.form.text("rating"), limit, f.form.text("reason"))
                .await
        }
    };
    match result {
        Ok(_) => Ok(see_other(&back, "credit.overridden")),
        // Back on the tab with what was typed and the reason beside its field.
        Err(StoreError::Invalid(errors)) => {
            let filter = super::accounts::TabFilter { kind: None, period: Some(&period) };
            let posted = super::accounts::Posted { form: &f.form, errors };
            let mut res = super::accounts::show_page(
                &state,
                &f.auth,
                id,
                super::accounts::Tab::Credit,
                None,
                Some(posted),
                filter,
            )
            .await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

// ---------------------------------------------------------------- 附表五

pub struct PerfRow {
    pub seq: String,
    pub contract_no: String,
    pub amendments: String,
    pub quantity: String,
    pub delivered_on: String,
    pub value: String,
    pub collected: String,
    pub collected_on: String,
    pub cum_sales: String,
    pub cum_collected: String,
}

fn perf_rows(p: &Performance) -> Vec<PerfRow> {
    let m = |x: i64| view::money(x, &p.currency);
    p.rows
        .iter()
        .map(|r| {
            let delivery = r.value != 0;
            PerfRow {
                seq: r.seq.map(|s| s.to_string()).unwrap_or_default(),
                contract_no: r.contract_no.clone(),
                amendments: r.amendments.clone(),
                quantity: r.quantity.clone(),
                delivered_on: if delivery { r.date.clone() } else { String::new() },
                value: if delivery { m(r.value) } else { String::new() },
                collected: if r.collected != 0 { m(r.collected) } else { String::new() },
                collected_on: if r.collected != 0 { r.date.clone() } else { String::new() },
                cum_sales: m(r.cumulative_sales),
                cum_collected: m(r.cumulative_collected),
            }
        })
        .collect()
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

fn year_of(q: &YearQuery, today: time::Date) -> i32 {
    q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(today.year())
}

#[derive(Template)]
#[template(path = "performance.html")]
struct PerfPage {
    ctx: Ctx,
    p: Performance,
    rows: Vec<PerfRow>,
    totals: (String, String, String, String, String),
    /// The override standing at the year's end: (reason, "in effect since …").
    standing: Option<(String, String)>,
}

fn totals(p: &Performance) -> (String, String, String, String, String) {
    let m = |x: i64| view::money(x, &p.currency);
    (m(p.total_sales), m(p.total_collected), m(p.opening), m(p.other), m(p.closing))
}

async fn load(state: &AppState, auth: &Authed, id: AccountId, q: &YearQuery) -> Result<Performance, PageError> {
    Ok(state.store.performance(&auth.user.actor(), id, year_of(q, state.store.today())).await?)
}

async fn performance(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let p = load(&state, &auth, id, &q).await?;
    let standing = p.overridden.as_ref().map(|o| (o.reason.clone(), since_text(auth.lang, &o.since)));
    let page = PerfPage {
        ctx: ctx(&state, &auth, "accounts", None).await,
        rows: perf_rows(&p),
        totals: totals(&p),
        standing,
        p,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "print_performance.html")]
struct PrintPage {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    p: Performance,
    rows: Vec<PerfRow>,
    totals: (String, String, String, String, String),
    printed: String,
}

async fn print(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let p = load(&state, &auth, id, &q).await?;
    let page = PrintPage {
        lang: lang.code(),
        print_label: t(lang, "common.print").into(),
        back: format!("/accounts/{id}/performance?year={}", p.year),
        back_label: t(lang, "common.back").into(),
        rows: perf_rows(&p),
        totals: totals(&p),
        printed: format!("打印日期 {}", state.store.today()),
        p,
    };
    render(&page)
}

/// 附表五 as a workbook: one row per delivery or collection, amounts in yuan.
pub(crate) fn performance_xlsx(lang: Lang, p: &Performance) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = crate::workbook::Book::new(lang);
    let mut ws = book.sheet(&format!("附表五 {}", p.year))?;
    ws.title(t(lang, "perf.title"))?;
    ws.label(1, 0, "perf.account")?;
    ws.text(1, 1, &p.account_name)?;
    ws.label(1, 3, "perf.year")?;
    ws.number(1, 4, p.year as f64)?;
    ws.text(1, 5, &p.currency)?;
    ws.headers(
        3,
        &[
            "perf.seq",
            "perf.contract_no",
            "perf.amendments",
            "perf.quantity",
            "perf.delivered_on",
            "perf.value",
            "perf.collected",
            "perf.collected_on",
            "perf.cum_sales",
            "perf.cum_collected",
        ],
    )?;
    let mut row = 4;
    for (r, v) in p.rows.iter().zip(perf_rows(p)) {
        ws.text(row, 0, &v.seq)?;
        ws.text(row, 1, &v.contract_no)?;
        ws.text(row, 2, &v.amendments)?;
        ws.text(row, 3, &v.quantity)?;
        ws.date(row, 4, &v.delivered_on)?;
        if r.value != 0 {
            ws.money(row, 5, r.value)?;
        }
        if r.collected != 0 {
            ws.money(row, 6, r.collected)?;
        }
        ws.date(row, 7, &v.collected_on)?;
        ws.money(row, 8, r.cumulative_sales)?;
        ws.money(row, 9, r.cumulative_collected)?;
        row += 1;
    }
    ws.bold_label(row, 0, "perf.total")?;
    ws.total(row, 5, p.total_sales)?;
    ws.total(row, 6, p.total_collected)?;
    ws.label(row + 2, 0, "perf.rating")?;
    let standing =
        p.overridden.as_ref().map(|o| format!("，{}：{}", t(lang, "credit.overridden_by"), since_text(lang, &o.since)));
    let points = t(lang, "perf.points");
    ws.text(row + 2, 1, &format!("{}（{} {points}{}）", p.rating, p.score, standing.unwrap_or_default()))?;
    ws.label(row + 3, 0, "perf.rating_last_year")?;
    ws.text(row + 3, 1, &format!("{}（{} {points}）", p.rating_last_year, p.score_last_year))?;
    ws.label(row + 4, 0, "perf.closing")?;
    ws.money(row + 4, 1, p.closing)?;
    ws.widths(&[(1, 14.0), (2, 30.0), (3, 14.0), (4, 14.0), (5, 14.0), (6, 14.0), (7, 14.0), (8, 14.0), (9, 14.0)])?;
    book.finish()
}

async fn xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    crate::downloads::performance_download(
        &state.store,
        &auth.user.actor(),
        auth.lang,
        id,
        year_of(&q, state.store.today()),
    )
    .await
}
