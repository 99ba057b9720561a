//! Reconciliation statement pages 对账单: the month's list with the
//! "generate all" action, a statement with sending, the customer's answers
//! line by line and the settling of disputes, the print page and the .xlsx.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kam_core::AccountId;
use kam_core::StatementId;
use kam_core::fields::parse_money;
use kam_core::statement::{self, Answer};
use kam_store::StoreError;
use kam_store::statements::{Resolution, Statement, StatementFilter};

use super::{ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/statements", get(list))
        .route("/statements.xlsx", get(export))
        .route("/statements/generate", post(generate))
        .route("/statements/{id}", get(show))
        .route("/statements/{id}/send", post(send))
        .route("/statements/{id}/void", post(void))
        .route("/statements/{id}/regenerate", post(regenerate))
        .route("/statements/{id}/answers", post(answers))
        .route("/statements/{id}/lines/{line}/resolve", post(resolve))
        .route("/statements/{id}/print", get(print))
        .route("/statements/{id}/xlsx", get(xlsx))
}

pub fn status_label(lang: Lang, s: &str) -> String {
    view::choice(lang, "statement_status", s)
}

pub struct Row {
    pub id: StatementId,
    pub account_id: AccountId,
    pub account: String,
    pub period: String,
    pub currency: String,
    pub opening: String,
    pub closing: String,
    pub status: String,
    pub status_code: String,
}

pub fn rows(lang: Lang, list: &[Statement]) -> Vec<Row> {
    list.iter()
        .map(|s| Row {
            id: s.id,
            account_id: s.account_id,
            account: s.account_name.clone(),
            period: s.period.clone(),
            currency: s.currency.clone(),
            opening: view::money(s.opening, &s.currency),
            closing: view::money(s.closing, &s.currency),
            status: status_label(lang, &s.status),
            status_code: s.status.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "statements.html")]
struct ListPage {
    ctx: Ctx,
    period: String,
    status: String,
    statuses: Vec<(String, String)>,
    rows: Vec<Row>,
    total: i64,
    can_manage: bool,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    period: Option<String>,
    status: Option<String>,
    msg: Option<String>,
    n: Option<i64>,
}

impl ListQuery {
    /// The month shown (the month before this one by default: the usual month
    /// to reconcile) and the status filter, if a valid one.
    fn filters(&self, state: &AppState) -> (String, Option<String>) {
        let period = self
            .period
            .clone()
            .filter(|p| statement::month_bounds(p).is_some())
            .unwrap_or_else(|| kam_core::time_util::previous_month(state.store.today()));
        (period, self.status.clone().filter(|s| statement::STATUS.values.contains(&s.as_str())))
    }
}

/// The month's statements (with the status filter) as .xlsx.
async fn export(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let (period, status) = q.filters(&state);
    let f = StatementFilter { period: Some(period.clone()), status, ..Default::default() };
    let bytes = crate::exports::statements_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang, f).await?;
    Ok(crate::downloads::xlsx_response(&format!("对账单 {period}.xlsx"), bytes))
}

async fn list(State(state): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    if !kam_core::ledger::can_see_money(&actor) {
        return Err(PageError::NotFound);
    }
    let (period, status) = q.filters(&state);
    let f =
        StatementFilter { period: Some(period.clone()), status: status.clone(), per_page: 500, ..Default::default() };
    let p = state.store.statements(&actor, &f).await?;
    let mut c = ctx(&state, &auth, "ledger", None).await;
    if let Some(m) = q.msg.as_deref() {
        c.flash = Some(if m == "statement.generated" {
            c.t(m).replace("{n}", &q.n.unwrap_or(0).to_string())
        } else {
            c.t(m)
        });
    }
    let page = ListPage {
        ctx: c,
        period,
        status: status.unwrap_or_default(),
        statuses: statement::STATUS.values.iter().map(|s| (s.to_string(), status_label(lang, s))).collect(),
        rows: rows(lang, &p.items),
        total: p.total,
        can_manage: statement::can_manage(&actor),
    };
    render(&page)
}

async fn generate(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    let period = f.form.text("period").trim().to_string();
    match state.store.generate_statements(&f.auth.user.actor(), &period, None).await {
        Ok(g) => Ok(axum::response::Redirect::to(&format!(
            "/statements?period={period}&msg=statement.generated&n={}",
            g.created.len()
        ))
        .into_response()),
        Err(StoreError::Invalid(e)) => {
            let k = e.0.values().next().copied().unwrap_or("err.period");
            Ok(see_other(&format!("/statements?period={}", kam_core::time_util::month_of(state.store.today())), k))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// An open item of a first statement's opening balance.
pub struct OpeningView {
    pub date: String,
    pub due: String,
    pub kind: String,
    pub reference: String,
    pub amount: String,
    pub open: String,
}

fn opening_views(lang: Lang, s: &Statement) -> Vec<OpeningView> {
    s.opening_items
        .iter()
        .map(|o| OpeningView {
            date: o.entry_date.clone(),
            due: o.due_date.clone(),
            kind: view::choice(lang, "entry_kind", &o.kind),
            reference: o.reference.clone().unwrap_or_default(),
            amount: view::money(o.amount, &s.currency),
            open: view::money(o.open, &s.currency),
        })
        .collect()
}

pub struct LineView {
    pub id: i64,
    pub date: String,
    pub kind: String,
    pub reference: String,
    pub debit: String,
    pub credit: String,
    pub answer: String,
    pub answer_code: String,
    pub customer: String,
    /// The same figure as the answer form takes it back (no currency sign).
    pub customer_figure: String,
    pub note: String,
    pub resolution: String,
    pub open_dispute: bool,
}

#[derive(Template)]
#[template(path = "statement_show.html")]
struct ShowPage {
    ctx: Ctx,
    s: Statement,
    status: String,
    opening: String,
    closing: String,
    lines: Vec<LineView>,
    opening_items: Vec<OpeningView>,
    unapplied: String,
    can_manage: bool,
    error: Option<String>,
    /// The period has not ended yet (as of today): the figures may still change.
    provisional: bool,
}

fn line_views(lang: Lang, s: &Statement) -> Vec<LineView> {
    let m = |v: i64| view::money(v, &s.currency);
    s.lines
        .iter()
        .map(|l| LineView {
            id: l.id,
            date: l.entry_date.clone(),
            kind: view::choice(lang, "entry_kind", &l.kind),
            reference: l.reference.clone().unwrap_or_default(),
            debit: if l.amount > 0 { m(l.amount) } else { String::new() },
            credit: if l.amount < 0 { m(-l.amount) } else { String::new() },
            answer: l
                .answer
                .as_deref()
                .map(|a| t(lang, &format!("statement.answer.{a}")).to_string())
                .unwrap_or_default(),
            answer_code: l.answer.clone().unwrap_or_default(),
            // The customer's figure stands in the line's own column, as on
            // print and in the workbook: a payment they dispute is a credit.
            customer: l.customer_amount.map(|c| m(c.abs())).unwrap_or_default(),
            customer_figure: l
                .customer_amount
                .map(|c| kam_core::fields::format_minor(c.abs(), true))
                .unwrap_or_default(),
            note: l.note.clone().unwrap_or_default(),
            resolution: l
                .resolution
                .as_deref()
                .map(|r| {
                    let mut s = t(lang, &format!("statement.resolution.{r}")).to_string();
                    if let Some(n) = &l.resolution_note {
                        s.push_str(&format!("：{n}"));
                    }
                    s
                })
                .unwrap_or_default(),
            open_dispute: l.answer.as_deref() == Some("disputed") && l.resolution.is_none(),
        })
        .collect()
}

async fn show_page(
    state: &AppState,
    auth: &Authed,
    id: StatementId,
    flash: Option<&str>,
    error: Option<&str>,
    typed: Option<&crate::auth::FormData>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let s = state.store.statement(&actor, id).await?;
    let mut lines = line_views(lang, &s);
    // Answers that came back refused: what was typed, line by line.
    if let Some(form) = typed {
        for l in &mut lines {
            if let Some(a) = form.get(&format!("answer.{}", l.id)) {
                l.answer_code = a.to_string();
                l.customer_figure = form.text(&format!("amount.{}", l.id)).to_string();
                l.note = form.text(&format!("note.{}", l.id)).to_string();
            }
        }
    }
    let page = ShowPage {
        ctx: ctx(state, auth, "ledger", flash).await,
        status: status_label(lang, &s.status),
        opening: view::money(s.opening, &s.currency),
        closing: view::money(s.closing, &s.currency),
        lines,
        opening_items: opening_views(lang, &s),
        unapplied: if s.opening_unapplied != 0 { view::money(s.opening_unapplied, &s.currency) } else { String::new() },
        can_manage: statement::can_manage(&actor),
        error: error.map(|k| t(lang, k).to_string()),
        provisional: kam_core::time_util::parse_date(&s.period_end).is_some_and(|end| end >= state.store.today()),
        s,
    };
    let failed = page.error.is_some();
    super::render_checked(&page, failed)
}

async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<StatementId>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    show_page(&state, &auth, id, q.msg.as_deref(), None, None).await
}

/// A rule about the statement's state or a bad answer is explained on the statement.
async fn after(
    state: &AppState,
    f: &AuthForm,
    id: StatementId,
    r: Result<Statement, StoreError>,
    ok: &str,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(see_other(&format!("/statements/{id}"), ok)),
        Err(StoreError::Conflict(k)) => show_page(state, &f.auth, id, None, Some(k), Some(&f.form)).await,
        Err(StoreError::Invalid(e)) => {
            let k = e.0.values().next().copied().unwrap_or("err.invalid");
            show_page(state, &f.auth, id, None, Some(k), Some(&f.form)).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

async fn send(State(state): State<AppState>, Path(id): Path<StatementId>, f: AuthForm) -> Result<Response, PageError> {
    let r = state.store.send_statement(&f.auth.user.actor(), id).await;
    after(&state, &f, id, r, "statement.sent").await
}

async fn void(State(state): State<AppState>, Path(id): Path<StatementId>, f: AuthForm) -> Result<Response, PageError> {
    let s = state.store.statement(&f.auth.user.actor(), id).await?;
    match state.store.void_statement(&f.auth.user.actor(), id).await {
        Ok(()) => Ok(see_other(&format!("/statements?period={}", s.period), "statement.voided")),
        Err(e) => after(&state, &f, id, Err(e), "").await,
    }
}

async fn regenerate(
    State(state): State<AppState>,
    Path(id): Path<StatementId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let s = state.store.statement(&f.auth.user.actor(), id).await?;
    match state.store.regenerate_statement(&f.auth.user.actor(), id).await {
        Ok(Some(new)) => Ok(see_other(&format!("/statements/{new}"), "statement.regenerated")),
        Ok(None) => Ok(see_other(&format!("/statements?period={}", s.period), "statement.voided")),
        Err(e) => after(&state, &f, id, Err(e), "").await,
    }
}

/// The answer form: `answer.<line>` = agreed | disputed, with `amount.<line>`
/// (the customer's figure, as they see the line: a payment is a credit) and `note.<line>`.
async fn answers(
    State(state): State<AppState>,
    Path(id): Path<StatementId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let actor = f.auth.user.actor();
    let s = state.store.statement(&actor, id).await?;
    let mut list = Vec::new();
    for l in &s.lines {
        if f.form.text(&format!("answer.{}", l.id)) != "disputed" {
            continue;
        }
        let raw = f.form.text(&format!("amount.{}", l.id));
        let Some(figure) = parse_money(raw.trim()) else {
            return show_page(&state, &f.auth, id, None, Some("err.money"), Some(&f.form)).await;
        };
        // The customer writes the line's figure as it stands; the sign follows ours.
        let customer_amount = if l.amount < 0 { -figure.abs() } else { figure.abs() };
        list.push((
            l.id,
            Answer::Disputed { customer_amount, note: f.form.text(&format!("note.{}", l.id)).trim().to_string() },
        ));
    }
    let r = state.store.answer_statement(&actor, id, &list).await;
    after(&state, &f, id, r, "statement.answered").await
}

async fn resolve(
    State(state): State<AppState>,
    Path((id, line)): Path<(StatementId, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let how = match f.form.text("how") {
        "adjust" => Resolution::Adjust,
        "withdraw" => Resolution::Withdraw,
        _ => return Err(PageError::BadRequest),
    };
    let note = f.form.get("note").filter(|n| !n.trim().is_empty());
    let r = state.store.resolve_line(&f.auth.user.actor(), id, line, how, note).await;
    after(&state, &f, id, r, "statement.resolved_msg").await
}

// ---------------------------------------------------------------- print and .xlsx

#[derive(Template)]
#[template(path = "print_statement.html")]
struct PrintPage {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    s: Statement,
    lines: Vec<LineView>,
    opening_items: Vec<OpeningView>,
    unapplied: String,
    opening: String,
    closing: String,
    debit_total: String,
    credit_total: String,
    printed: String,
    company: kam_core::settings::Company,
}

async fn print(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<StatementId>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let s = state.store.statement(&auth.user.actor(), id).await?;
    let debit: i64 = s.lines.iter().filter(|l| l.amount > 0).map(|l| l.amount).sum();
    let credit: i64 = s.lines.iter().filter(|l| l.amount < 0).map(|l| -l.amount).sum();
    let page = PrintPage {
        lang: lang.code(),
        print_label: t(lang, "common.print").into(),
        back: format!("/statements/{id}"),
        back_label: t(lang, "common.back").into(),
        lines: line_views(lang, &s),
        opening_items: opening_views(lang, &s),
        unapplied: if s.opening_unapplied != 0 { view::money(s.opening_unapplied, &s.currency) } else { String::new() },
        company: state.store.company().await?,
        opening: view::money(s.opening, &s.currency),
        closing: view::money(s.closing, &s.currency),
        debit_total: view::money(debit, &s.currency),
        credit_total: view::money(credit, &s.currency),
        printed: format!("打印日期 {}", state.store.today()),
        s,
    };
    render(&page)
}

/// The statement as an .xlsx workbook: amounts as numbers in yuan, dates as
/// dates, the period's totals, and a first statement's open items.
pub(crate) fn statement_xlsx(
    lang: Lang,
    s: &Statement,
    company: &kam_core::settings::Company,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = crate::workbook::Book::new(lang);
    let mut ws = book.sheet(&s.period)?;
    ws.title(t(lang, "statement.doc_title"))?;
    if !company.name.is_empty() {
        ws.text(0, 2, &format!("{}：{}", t(lang, "statement.issuer"), company.name))?;
    }
    ws.label(1, 0, "order.account")?;
    ws.text(1, 1, &s.account_name)?;
    if !company.bank_account.is_empty() {
        ws.text(1, 2, &format!("{}：{} {}", t(lang, "statement.bank"), company.bank_name, company.bank_account))?;
    }
    ws.label(2, 0, "statement.period")?;
    ws.date(2, 1, &s.period_start)?;
    ws.date(2, 2, &s.period_end)?;
    ws.label(3, 0, "field.ledger_entry.currency")?;
    ws.text(3, 1, &s.currency)?;
    ws.headers(
        5,
        &[
            "field.ledger_entry.entry_date",
            "field.ledger_entry.kind",
            "ledger.reference",
            "ledger.debit",
            "ledger.credit",
            "statement.customer_answer",
            "statement.customer_amount",
            "statement.note",
        ],
    )?;
    ws.label(6, 2, "statement.opening")?;
    ws.money(6, 3, s.opening)?;
    let mut row = 7;
    let (mut debit, mut credit) = (0, 0);
    for (v, line) in line_views(lang, s).iter().zip(&s.lines) {
        ws.date(row, 0, &v.date)?;
        ws.text(row, 1, &v.kind)?;
        ws.text(row, 2, &v.reference)?;
        if line.amount > 0 {
            debit += line.amount;
            ws.money(row, 3, line.amount)?;
        } else {
            credit -= line.amount;
            ws.money(row, 4, -line.amount)?;
        }
        ws.text(row, 5, &v.answer)?;
        if let Some(c) = line.customer_amount {
            // In the line's own column sense, as on screen and in print.
            ws.money(row, 6, c.abs())?;
        }
        ws.text(row, 7, &v.note)?;
        row += 1;
    }
    ws.bold_label(row, 2, "statement.subtotal")?;
    ws.total(row, 3, debit)?;
    ws.total(row, 4, credit)?;
    row += 1;
    ws.bold_label(row, 2, "statement.closing")?;
    ws.total(row, 3, s.closing)?;
    if !s.opening_items.is_empty() || s.opening_unapplied != 0 {
        row += 2;
        ws.bold_label(row, 0, "statement.opening_items")?;
        row += 1;
        ws.headers(
            row,
            &[
                "field.ledger_entry.entry_date",
                "statement.due",
                "field.ledger_entry.kind",
                "ledger.reference",
                "ledger.debit",
                "statement.open_amount",
            ],
        )?;
        for o in &s.opening_items {
            row += 1;
            ws.date(row, 0, &o.entry_date)?;
            ws.date(row, 1, &o.due_date)?;
            ws.text(row, 2, &view::choice(lang, "entry_kind", &o.kind))?;
            ws.text(row, 3, o.reference.as_deref().unwrap_or_default())?;
            ws.money(row, 4, o.amount)?;
            ws.money(row, 5, o.open)?;
        }
        if s.opening_unapplied != 0 {
            row += 1;
            ws.label(row, 3, "statement.unapplied")?;
            ws.money(row, 5, s.opening_unapplied)?;
        }
    }
    ws.widths(&[(0, 12.0), (1, 18.0), (2, 30.0), (3, 14.0), (4, 14.0), (5, 14.0), (6, 14.0), (7, 14.0)])?;
    book.finish()
}

async fn xlsx(State(state): State<AppState>, auth: Authed, Path(id): Path<StatementId>) -> Result<Response, PageError> {
    crate::downloads::statement_download(&state.store, &auth.user.actor(), auth.lang, id).await
}
