//! 附表六 客户综合销售力分析表: an account's sheet of a year (factors down in
//! their groups, months across, subtotals and totals), the form that fills
//! one month's column (KAM's suggestions beside, on a phone too), its print
//! page and workbook; 附表七 客户综合销售力对比分析表: 2–6 accounts side by
//! side with ranks, one overlaid radar, one radar each and the trend, and
//! its print page.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use kam_core::AccountId;
use kam_core::FieldErrors;
use kam_core::capability::{Column, FACTOR_KEYS, FACTORS, GROUPS, MONTHS};
use kam_core::visibility::Viewer;
use kam_store::capability::last_month;

use super::{ctx, render, render_checked, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::capability::{self as cap, Compared, avg, factor_label, group_label};
use crate::error::PageError;
use crate::i18n::t;
use crate::view::{self, Ctx, HistoryRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts/{id}/capability", get(sheet))
        .route("/accounts/{id}/capability/print", get(print_sheet))
        .route("/accounts/{id}/capability/xlsx", get(xlsx))
        .route("/accounts/{id}/capability/{year}/{month}", get(month_form).post(save_month))
        .route("/capability/compare", get(compare))
        .route("/capability/compare/print", get(print_compare))
        .route("/capability/compare.xlsx", get(compare_xlsx))
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
    msg: Option<String>,
}

fn year_of(q: &YearQuery, today: time::Date) -> i32 {
    q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(today.year())
}

/// One line of the sheet as shown: a factor, or a group's subtotal.
pub struct Line {
    pub label: String,
    /// The group's name on the first line of a group (with the rows it spans), else empty.
    pub group: Option<(String, usize)>,
    pub subtotal: bool,
    pub cells: Vec<String>,
    pub average: String,
}

fn lines(lang: crate::i18n::Lang, s: &kam_core::capability::Sheet) -> Vec<Line> {
    let mut out = Vec::new();
    for (g, (_, first, last)) in GROUPS.iter().enumerate() {
        for f in *first..=*last {
            out.push(Line {
                label: factor_label(lang, f as usize),
                group: (f == *first).then(|| (group_label(lang, g), usize::from(last - first) + 2)),
                subtotal: false,
                cells: (0..MONTHS)
                    .map(|m| s.months[m][(f - 1) as usize].map(|x| x.to_string()).unwrap_or_default())
                    .collect(),
                average: avg(s.factor_average(f)),
            });
        }
        out.push(Line {
            label: t(lang, "capability.subtotal").to_string(),
            group: None,
            subtotal: true,
            cells: (1..=MONTHS).map(|m| s.subtotal(m, g).map(|x| x.to_string()).unwrap_or_default()).collect(),
            average: avg(s.group_average(g)),
        });
    }
    out
}

#[derive(Template)]
#[template(path = "capability_sheet.html")]
struct SheetPage {
    ctx: Ctx,
    account_id: AccountId,
    account_name: String,
    year: i32,
    months: Vec<String>,
    lines: Vec<Line>,
    totals: Vec<String>,
    year_total: String,
    year_average: String,
    /// Months that may be filled: (month, its label).
    fillable: Vec<(usize, String)>,
    this_month: usize,
    can_score: bool,
    history: Vec<HistoryRow>,
}

fn month_labels(lang: crate::i18n::Lang) -> Vec<String> {
    (1..=MONTHS).map(|m| t(lang, "capability.month_n").replace("{n}", &m.to_string())).collect()
}

async fn sheet(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let today = state.store.today();
    let year = year_of(&q, today);
    let actor = auth.user.actor();
    let s = state.store.capability_sheet(&actor, id, year).await?;
    let history = match s.sheet_id {
        Some(sid) => {
            let rows = state.store.entity_history(&actor, "capability", sid).await?;
            view::history(lang, &rows, Viewer::of(&actor), &view::Names::load(&state.store, &actor, &rows).await)
        }
        None => Vec::new(),
    };
    let labels = month_labels(lang);
    let last = last_month(year, today).unwrap_or(0);
    let page = SheetPage {
        ctx: ctx(&state, &auth, "accounts", q.msg.as_deref()).await,
        account_id: id,
        account_name: s.account_name.clone(),
        year,
        lines: lines(lang, &s.sheet),
        totals: (1..=MONTHS).map(|m| s.sheet.month_total(m).map(|x| x.to_string()).unwrap_or_default()).collect(),
        year_total: s.sheet.year_total().map(|x| x.to_string()).unwrap_or_default(),
        year_average: avg(s.sheet.year_average()),
        fillable: (1..=last).rev().map(|m| (m, labels[m - 1].clone())).collect(),
        this_month: last,
        months: labels,
        can_score: s.can_score,
        history,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "print_capability.html")]
struct PrintSheet {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    account_name: String,
    year: i32,
    months: Vec<String>,
    lines: Vec<Line>,
    totals: Vec<String>,
    year_total: String,
    year_average: String,
    printed: String,
}

async fn print_sheet(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    // The form as on paper: its headings in Chinese.
    let lang = crate::i18n::Lang::Zh;
    let today = state.store.today();
    let year = year_of(&q, today);
    let s = state.store.capability_sheet(&auth.user.actor(), id, year).await?;
    render(&PrintSheet {
        lang: lang.code(),
        print_label: t(lang, "common.print").into(),
        back: format!("/accounts/{id}/capability?year={year}"),
        back_label: t(lang, "common.back").into(),
        account_name: s.account_name.clone(),
        year,
        months: month_labels(lang),
        lines: lines(lang, &s.sheet),
        totals: (1..=MONTHS).map(|m| s.sheet.month_total(m).map(|x| x.to_string()).unwrap_or_default()).collect(),
        year_total: s.sheet.year_total().map(|x| x.to_string()).unwrap_or_default(),
        year_average: avg(s.sheet.year_average()),
        printed: format!("打印日期 {today}"),
    })
}

async fn xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = year_of(&q, state.store.today());
    cap::sheet_download(&state.store, &auth.user.actor(), auth.lang, id, year).await
}

/// One factor on the month's form.
pub struct FactorInput {
    pub n: usize,
    pub label: String,
    /// The group's name on its first factor.
    pub group: Option<String>,
    /// What is selected: the stored score, the typed one after an error, else the suggestion.
    pub value: String,
    pub stored: String,
    pub suggestion: Option<(u8, String)>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "capability_form.html")]
struct MonthPage {
    ctx: Ctx,
    account_id: AccountId,
    account_name: String,
    year: i32,
    month: usize,
    month_label: String,
    factors: Vec<FactorInput>,
    has_errors: bool,
    month_error: Option<String>,
}

fn month_of(year: i32, month: usize, today: time::Date) -> Result<usize, PageError> {
    if !(2000..=2100).contains(&year) || !(1..=MONTHS).contains(&month) {
        return Err(PageError::NotFound);
    }
    // A month still to come cannot be assessed.
    if last_month(year, today).is_some_and(|l| month <= l) { Ok(month) } else { Err(PageError::NotFound) }
}

async fn month_page(
    state: &AppState,
    auth: &Authed,
    id: AccountId,
    year: i32,
    month: usize,
    typed: Option<&[String]>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let s = state.store.capability_sheet(&actor, id, year).await?;
    if !s.can_score {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let suggestions = state.store.capability_suggestions(&actor, id, year, month).await?;
    let col = &s.sheet.months[month - 1];
    let factors = (1..=FACTORS)
        .map(|f| {
            let stored = col[f - 1].map(|x| x.to_string()).unwrap_or_default();
            let suggestion =
                suggestions.iter().find(|x| usize::from(x.factor) == f).map(|x| (x.score, cap::reason(lang, x)));
            let value = match typed {
                Some(v) => v[f - 1].clone(),
                None if !stored.is_empty() => stored.clone(),
                None => suggestion.as_ref().map(|x| x.0.to_string()).unwrap_or_default(),
            };
            FactorInput {
                n: f,
                label: t(lang, &format!("capability.f.{}", FACTOR_KEYS[f - 1])).to_string(),
                group: GROUPS.iter().position(|g| usize::from(g.1) == f).map(|g| group_label(lang, g)),
                value,
                stored,
                suggestion,
                error: errors.0.get(&format!("f{f}")).map(|k| t(lang, k).to_string()),
            }
        })
        .collect();
    let page = MonthPage {
        ctx: ctx(state, auth, "accounts", None).await,
        account_id: id,
        account_name: s.account_name.clone(),
        year,
        month,
        month_label: t(lang, "capability.month_n").replace("{n}", &month.to_string()),
        factors,
        has_errors: !errors.is_empty(),
        month_error: errors.0.get("month").map(|k| t(lang, k).to_string()),
    };
    render_checked(&page, !errors.is_empty())
}

async fn month_form(
    State(state): State<AppState>,
    auth: Authed,
    Path((id, year, month)): Path<(AccountId, i32, usize)>,
) -> Result<Response, PageError> {
    let month = month_of(year, month, state.store.today())?;
    month_page(&state, &auth, id, year, month, None, FieldErrors::default()).await
}

async fn save_month(
    State(state): State<AppState>,
    Path((id, year, month)): Path<(AccountId, i32, usize)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let month = month_of(year, month, state.store.today())?;
    let typed: Vec<String> = (1..=FACTORS).map(|n| f.form.text(&format!("f{n}")).trim().to_string()).collect();
    let mut errors = FieldErrors::default();
    let mut column: Column = [None; FACTORS];
    for (i, v) in typed.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        match v.parse::<i64>().ok().filter(|s| kam_core::capability::valid_score(*s)) {
            Some(s) => column[i] = Some(s as u8),
            None => errors.add(&format!("f{}", i + 1), "capability.err_score"),
        }
    }
    super::form_flow(
        errors,
        async || state.store.set_capability_month(&f.auth.user.actor(), id, year, month, &column).await,
        |_| see_other(&format!("/accounts/{id}/capability?year={year}"), "common.saved"),
        async |errors| month_page(&state, &f.auth, id, year, month, Some(&typed), errors).await,
    )
    .await
}

#[derive(serde::Deserialize, Default)]
struct CompareQuery {
    accounts: Option<String>,
    /// Typed names or ids, one per box.
    #[serde(default)]
    a1: String,
    #[serde(default)]
    a2: String,
    #[serde(default)]
    a3: String,
    #[serde(default)]
    a4: String,
    #[serde(default)]
    a5: String,
    #[serde(default)]
    a6: String,
    month: Option<String>,
}

/// One account of the comparison as the page shows it.
pub struct ComparedRow {
    pub account_id: AccountId,
    pub name: String,
    pub colour: &'static str,
    pub total: String,
    pub rank: String,
    pub radar: String,
}

#[derive(Template)]
#[template(path = "capability_compare.html")]
struct ComparePage {
    ctx: Ctx,
    names: Vec<String>,
    boxes: Vec<String>,
    period: String,
    error: Option<String>,
    table: Vec<(String, Vec<String>)>,
    rows: Vec<ComparedRow>,
    radar: String,
    trend: String,
    query: String,
}

#[derive(Template)]
#[template(path = "print_compare.html")]
struct PrintCompare {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    period: String,
    table: Vec<(String, Vec<String>)>,
    rows: Vec<ComparedRow>,
    radar: String,
    printed: String,
}

/// What the comparison page was asked: the accounts (by the `accounts` list
/// or the typed boxes), the period, the boxes as typed, and an error to show.
struct Asked {
    ids: Option<Vec<AccountId>>,
    year: i32,
    month: Option<usize>,
    boxes: Vec<String>,
    error: Option<&'static str>,
}

async fn asked(state: &AppState, auth: &Authed, q: &CompareQuery) -> Asked {
    let today = state.store.today();
    let mut error = None;
    let (year, month) = match q.month.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(m) => cap::parse_period(m).unwrap_or_else(|| {
            error = Some("err.period");
            (today.year(), Some(u8::from(today.month()) as usize))
        }),
        None => (today.year(), Some(u8::from(today.month()) as usize)),
    };
    let typed: Vec<String> = [&q.a1, &q.a2, &q.a3, &q.a4, &q.a5, &q.a6].iter().map(|s| s.trim().to_string()).collect();
    let mut ids = Vec::new();
    if let Some(list) = q.accounts.as_deref().filter(|s| !s.is_empty()) {
        match cap::parse_accounts(list) {
            Some(v) => ids = v,
            None => error = Some("capability.err_accounts"),
        }
    }
    for name in typed.iter().filter(|s| !s.is_empty()) {
        match super::accounts::resolve_parent(state, auth, name).await {
            Ok(Some(id)) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(()) => error = Some("capability.err_unknown"),
        }
    }
    let mut boxes = typed;
    if q.accounts.is_some() && boxes.iter().all(String::is_empty) {
        boxes = ids.iter().map(|i| i.to_string()).collect();
    }
    boxes.resize(cap::COMPARE_MAX, String::new());
    let any = q.accounts.is_some() || boxes.iter().any(|b| !b.is_empty());
    if any && error.is_none() && !(cap::COMPARE_MIN..=cap::COMPARE_MAX).contains(&ids.len()) {
        error = Some("capability.err_accounts");
    }
    Asked { ids: (any && error.is_none()).then_some(ids), year, month, boxes, error }
}

fn rows_of(lang: crate::i18n::Lang, items: &[Compared]) -> Vec<ComparedRow> {
    items
        .iter()
        .enumerate()
        .map(|(k, c)| ComparedRow {
            account_id: c.account_id,
            name: c.name.clone(),
            colour: crate::charts::PALETTE[k % crate::charts::PALETTE.len()],
            total: avg(c.ranked.total),
            rank: c.ranked.rank.map(|r| r.to_string()).unwrap_or_default(),
            radar: cap::radar_of(lang, c),
        })
        .collect()
}

/// The factors down, the accounts across.
fn table(lang: crate::i18n::Lang, items: &[Compared]) -> Vec<(String, Vec<String>)> {
    (1..=FACTORS)
        .map(|f| (factor_label(lang, f), items.iter().map(|c| avg(c.ranked.values[f - 1])).collect()))
        .collect()
}

async fn compared(state: &AppState, auth: &Authed, a: &Asked) -> Result<Vec<Compared>, PageError> {
    match &a.ids {
        Some(ids) => Ok(cap::compare(&state.store, &auth.user.actor(), ids, a.year, a.month).await?),
        None => Ok(Vec::new()),
    }
}

fn period_label(lang: crate::i18n::Lang, year: i32, month: Option<usize>) -> String {
    match month {
        Some(m) => format!("{year}-{m:02}"),
        None => t(lang, "capability.year_avg_of").replace("{year}", &year.to_string()),
    }
}

async fn compare(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<CompareQuery>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let a = asked(&state, &auth, &q).await;
    let items = compared(&state, &auth, &a).await?;
    let query = if a.ids.is_some() { q_string(&a) } else { String::new() };
    let title = format!("{} · {}", t(lang, "capability.compare_title"), period_label(lang, a.year, a.month));
    let page = ComparePage {
        ctx: ctx(&state, &auth, "capability", None).await,
        names: super::accounts::account_names(&state, &auth).await,
        boxes: a.boxes.clone(),
        period: cap::period_text(a.year, a.month),
        error: a.error.map(|k| t(lang, k).to_string()),
        table: table(lang, &items),
        radar: if items.is_empty() { String::new() } else { cap::radar(lang, &title, &items) },
        trend: if items.is_empty() { String::new() } else { cap::trend(lang, &items) },
        rows: rows_of(lang, &items),
        query,
    };
    render_checked(&page, a.error.is_some())
}

async fn print_compare(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<CompareQuery>,
) -> Result<Response, PageError> {
    let lang = crate::i18n::Lang::Zh;
    let a = asked(&state, &auth, &q).await;
    if a.ids.is_none() {
        return Err(PageError::BadRequest);
    }
    let items = compared(&state, &auth, &a).await?;
    let period = period_label(lang, a.year, a.month);
    render(&PrintCompare {
        lang: lang.code(),
        print_label: t(lang, "common.print").into(),
        back: format!("/capability/compare?{}", q_string(&a)),
        back_label: t(lang, "common.back").into(),
        radar: cap::radar(lang, &format!("客户综合销售力对比分析 · {period}"), &items),
        table: table(lang, &items),
        rows: rows_of(lang, &items),
        period,
        printed: format!("打印日期 {}", state.store.today()),
    })
}

async fn compare_xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<CompareQuery>,
) -> Result<Response, PageError> {
    let a = asked(&state, &auth, &q).await;
    let ids = a.ids.filter(|_| a.error.is_none()).ok_or(PageError::BadRequest)?;
    cap::compare_download(&state.store, &auth.user.actor(), auth.lang, &ids, a.year, a.month).await
}

fn q_string(a: &Asked) -> String {
    format!(
        "accounts={}&month={}",
        a.ids.iter().flatten().map(|i| i.to_string()).collect::<Vec<_>>().join(","),
        cap::period_text(a.year, a.month)
    )
}
