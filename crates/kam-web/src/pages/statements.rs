//! Reconciliation statement pages 对账单: the month's list with the
//! "generate all" action, a statement with sending, the customer's answers
//! line by line and the settling of disputes, the print page and the .xlsx.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
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
    pub id: i64,
    pub account_id: i64,
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

async fn list(State(state): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    if !kam_core::ledger::can_see_money(&actor) {
        return Err(PageError::NotFound(lang));
    }
    let period = q
        .period
        .clone()
        .filter(|p| statement::month_bounds(p).is_some())
        // The month before this one: the usual month to reconcile.
        .unwrap_or_else(|| kam_core::time_util::previous_month(state.store.today()));
    let status = q.status.clone().filter(|s| statement::STATUS.values.contains(&s.as_str()));
    let f =
        StatementFilter { period: Some(period.clone()), status: status.clone(), per_page: 500, ..Default::default() };
    let p = state.store.statements(&actor, &f).await.map_err(|e| PageError::store(lang, e))?;
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
    render(&page, lang)
}

async fn generate(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    let lang = f.auth.lang;
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
        Err(e) => Err(PageError::store(lang, e)),
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
    id: i64,
    flash: Option<&str>,
    error: Option<&str>,
    typed: Option<&crate::auth::FormData>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let s = state.store.statement(&actor, id).await.map_err(|e| PageError::store(lang, e))?;
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
    super::render_checked(&page, lang, failed)
}

async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    show_page(&state, &auth, id, q.msg.as_deref(), None, None).await
}

/// A rule about the statement's state or a bad answer is explained on the statement.
async fn after(
    state: &AppState,
    f: &AuthForm,
    id: i64,
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
        Err(e) => Err(PageError::store(f.auth.lang, e)),
    }
}

async fn send(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    let r = state.store.send_statement(&f.auth.user.actor(), id).await;
    after(&state, &f, id, r, "statement.sent").await
}

async fn void(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    let s = state.store.statement(&f.auth.user.actor(), id).await.map_err(|e| PageError::store(f.auth.lang, e))?;
    match state.store.void_statement(&f.auth.user.actor(), id).await {
        Ok(()) => Ok(see_other(&format!("/statements?period={}", s.period), "statement.voided")),
        Err(e) => after(&state, &f, id, Err(e), "").await,
    }
}

async fn regenerate(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    let s = state.store.statement(&f.auth.user.actor(), id).await.map_err(|e| PageError::store(f.auth.lang, e))?;
    match state.store.regenerate_statement(&f.auth.user.actor(), id).await {
        Ok(Some(new)) => Ok(see_other(&format!("/statements/{new}"), "statement.regenerated")),
        Ok(None) => Ok(see_other(&format!("/statements?period={}", s.period), "statement.voided")),
        Err(e) => after(&state, &f, id, Err(e), "").await,
    }
}

/// The answer form: `answer.<line>` = agreed | disputed, with `amount.<line>`
/// (the customer's figure, as they see the line: a payment is a credit) and `note.<line>`.
async fn answers(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    let actor = f.auth.user.actor();
    let s = state.store.statement(&actor, id).await.map_err(|e| PageError::store(f.auth.lang, e))?;
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
    Path((id, line)): Path<(i64, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let how = match f.form.text("how") {
        "adjust" => Resolution::Adjust,
        "withdraw" => Resolution::Withdraw,
        _ => return Err(PageError::BadRequest(f.auth.lang)),
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

async fn print(State(state): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let s = state.store.statement(&auth.user.actor(), id).await.map_err(|e| PageError::store(lang, e))?;
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
        company: state.store.company().await.map_err(|e| PageError::store(lang, e))?,
        opening: view::money(s.opening, &s.currency),
        closing: view::money(s.closing, &s.currency),
        debit_total: view::money(debit, &s.currency),
        credit_total: view::money(credit, &s.currency),
        printed: format!("打印日期 {}", state.store.today()),
        s,
    };
    render(&page, lang)
}

/// The statement as an .xlsx workbook: amounts as numbers in yuan, dates as
/// dates, the period's totals, and a first statement's open items.
pub(crate) fn statement_xlsx(
    lang: Lang,
    s: &Statement,
    company: &kam_core::settings::Company,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(s.period.as_str())?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let bold_money = Format::new().set_bold().set_num_format("#,##0.00");
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let yuan = |m: i64| m as f64 / 100.0;
    let date = |ws: &mut rust_xlsxwriter::Worksheet, row: u32, col: u16, d: &str| match ExcelDateTime::parse_from_str(d)
    {
        Ok(v) => ws.write_datetime_with_format(row, col, v, &day).map(|_| ()),
        Err(_) => ws.write_string(row, col, d).map(|_| ()),
    };
    ws.write_string_with_format(0, 0, t(lang, "statement.doc_title"), &bold)?;
    if !company.name.is_empty() {
        ws.write_string(0, 2, format!("{}：{}", t(lang, "statement.issuer"), company.name))?;
    }
    ws.write_string(1, 0, t(lang, "order.account"))?;
    ws.write_string(1, 1, &s.account_name)?;
    if !company.bank_account.is_empty() {
        ws.write_string(
            1,
            2,
            format!("{}：{} {}", t(lang, "statement.bank"), company.bank_name, company.bank_account),
        )?;
    }
    ws.write_string(2, 0, t(lang, "statement.period"))?;
    date(ws, 2, 1, &s.period_start)?;
    date(ws, 2, 2, &s.period_end)?;
    ws.write_string(3, 0, t(lang, "field.ledger_entry.currency"))?;
    ws.write_string(3, 1, &s.currency)?;
    let heads = [
        "field.ledger_entry.entry_date",
        "field.ledger_entry.kind",
        "ledger.reference",
        "ledger.debit",
        "ledger.credit",
        "statement.customer_answer",
        "statement.customer_amount",
        "statement.note",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(5, c as u16, t(lang, h), &bold)?;
    }
    ws.write_string(6, 2, t(lang, "statement.opening"))?;
    ws.write_number_with_format(6, 3, yuan(s.opening), &money)?;
    let mut row = 7;
    let (mut debit, mut credit) = (0, 0);
    for (v, line) in line_views(lang, s).iter().zip(&s.lines) {
        date(ws, row, 0, &v.date)?;
        ws.write_string(row, 1, &v.kind)?;
        ws.write_string(row, 2, &v.reference)?;
        if line.amount > 0 {
            debit += line.amount;
            ws.write_number_with_format(row, 3, yuan(line.amount), &money)?;
        } else {
            credit -= line.amount;
            ws.write_number_with_format(row, 4, yuan(-line.amount), &money)?;
        }
        ws.write_string(row, 5, &v.answer)?;
        if let Some(c) = line.customer_amount {
            // In the line's own column sense, as on screen and in print.
            ws.write_number_with_format(row, 6, yuan(c.abs()), &money)?;
        }
        ws.write_string(row, 7, &v.note)?;
        row += 1;
    }
    ws.write_string_with_format(row, 2, t(lang, "statement.subtotal"), &bold)?;
    ws.write_number_with_format(row, 3, yuan(debit), &bold_money)?;
    ws.write_number_with_format(row, 4, yuan(credit), &bold_money)?;
    row += 1;
    ws.write_string_with_format(row, 2, t(lang, "statement.closing"), &bold)?;
    ws.write_number_with_format(row, 3, yuan(s.closing), &bold_money)?;
    if !s.opening_items.is_empty() || s.opening_unapplied != 0 {
        row += 2;
        ws.write_string_with_format(row, 0, t(lang, "statement.opening_items"), &bold)?;
        row += 1;
        for (c, h) in ["field.ledger_entry.entry_date", "statement.due", "field.ledger_entry.kind", "ledger.reference"]
            .iter()
            .chain(&["ledger.debit", "statement.open_amount"])
            .enumerate()
        {
            ws.write_string_with_format(row, c as u16, t(lang, h), &bold)?;
        }
        for o in &s.opening_items {
            row += 1;
            date(ws, row, 0, &o.entry_date)?;
            date(ws, row, 1, &o.due_date)?;
            ws.write_string(row, 2, view::choice(lang, "entry_kind", &o.kind))?;
            ws.write_string(row, 3, o.reference.as_deref().unwrap_or_default())?;
            ws.write_number_with_format(row, 4, yuan(o.amount), &money)?;
            ws.write_number_with_format(row, 5, yuan(o.open), &money)?;
        }
        if s.opening_unapplied != 0 {
            row += 1;
            ws.write_string(row, 3, t(lang, "statement.unapplied"))?;
            ws.write_number_with_format(row, 5, yuan(s.opening_unapplied), &money)?;
        }
    }
    ws.set_column_width(0, 12)?;
    ws.set_column_width(1, 18)?;
    ws.set_column_width(2, 30)?;
    for c in 3..8 {
        ws.set_column_width(c, 14)?;
    }
    wb.save_to_buffer()
}

async fn xlsx(State(state): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    crate::downloads::statement_download(&state.store, &auth.user.actor(), auth.lang, id)
        .await
        .map_err(|e| PageError::store(auth.lang, e))
}
