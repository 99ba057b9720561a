//! List exports: a list as .xlsx with the viewer's filters and sort, and only
//! the fields the viewer may see (the one visibility table, `Viewer::sees_field`);
//! headers are the fields' labels, so an exported sheet imports back as it is.
//! Every export is audited.

use kam_core::fields::{self, FieldDef, Kind, Raw};
use kam_core::visibility;
use kam_core::visibility::Viewer;
use kam_core::{Actor, Value};
use kam_store::StoreError;
use kam_store::accounts::AccountFilter;
use kam_store::contacts::ContactFilter;
use rust_xlsxwriter::XlsxError;

use crate::i18n::{Lang, t};
use crate::workbook::{Book, Sheet};
use serde_json::Value as Json;

/// The most rows one export writes.
pub const MAX_EXPORT_ROWS: i64 = 50_000;

/// One value as the form shows it: money as money, a choice by its label,
/// yes/no in words — what the importer reads back.
pub(crate) fn cell(
    sheet: &mut Sheet<'_>,
    lang: Lang,
    row: u32,
    col: u16,
    d: &FieldDef,
    v: &Value,
) -> Result<(), XlsxError> {
    match (d.kind, v) {
        (Kind::Money | Kind::MoneyDelta, Value::Int(fen)) => sheet.money(row, col, *fen),
        (Kind::Enum(e), Value::Text(code)) => sheet.text(row, col, t(lang, &format!("enum.{}.{code}", e.name))),
        (Kind::Bool, Value::Bool(b)) => sheet.text(row, col, t(lang, if *b { "common.yes" } else { "common.no" })),
        (_, Value::Int(n)) => sheet.number(row, col, *n as f64),
        (_, Value::Float(x)) => sheet.number(row, col, *x),
        (_, Value::Text(s)) => sheet.text(row, col, s),
        _ => Ok(()),
    }
}

/// Row 0: the columns' labels, by message key (a key without a message, such
/// as "0–30", is its own label).
pub(crate) fn header(
    sheet: &mut Sheet<'_>,
    lang: Lang,
    keys: impl IntoIterator<Item = String>,
) -> Result<(), XlsxError> {
    for (i, k) in keys.into_iter().enumerate() {
        sheet.text(0, i as u16, t(lang, &k))?;
    }
    Ok(())
}

/// Whether a paged export stops after this page: the list's last, or the row cap reached.
fn last_page(total: i64, page: i64, per_page: i64, rows_written: u32) -> bool {
    total <= page * per_page || i64::from(rows_written) > MAX_EXPORT_ROWS
}

/// The finished workbook, once the export's audit row is written.
pub(crate) async fn audited<E: From<StoreError> + From<XlsxError>>(
    book: Book,
    store: &kam_store::Store,
    actor: &Actor,
    what: &str,
) -> Result<Vec<u8>, E> {
    store.record_export(actor, what, 0, None).await?;
    Ok(book.finish()?)
}

/// One value of a stripped JSON record written as its field's cell.
pub(crate) fn json_cell(
    sheet: &mut crate::workbook::Sheet<'_>,
    lang: Lang,
    row: u32,
    col: u16,
    d: &FieldDef,
    v: &Json,
) -> Result<(), XlsxError> {
    if v.is_null() {
        return Ok(());
    }
    match fields::parse(d, Raw::Json(v)) {
        Ok(value) => cell(sheet, lang, row, col, d, &value),
        Err(_) => sheet.text(row, col, &v.to_string()),
    }
}

/// A sheet of records of one entity: leading columns (JSON key, label key),
/// then the entity's fields the viewer sees, from stripped JSON.
pub(crate) fn records_sheet(
    book: &mut Book,
    actor: &Actor,
    title: &str,
    entity: &str,
    lead: &[(&str, &str)],
    items: &[Json],
) -> Result<(), XlsxError> {
    let lang = book.lang;
    let viewer = Viewer::of(actor);
    let stem = visibility::entity_of(entity).map(|e| e.labels).unwrap_or(entity);
    let defs: Vec<&FieldDef> = visibility::fields_of(entity).filter(|d| viewer.sees_field(entity, d.name)).collect();
    let mut sheet = book.sheet(title)?;
    let labels = lead.iter().map(|(_, l)| l.to_string()).chain(defs.iter().map(|d| format!("field.{stem}.{}", d.name)));
    header(&mut sheet, lang, labels)?;
    for (r, item) in items.iter().enumerate() {
        let row = r as u32 + 1;
        for (i, (key, _)) in lead.iter().enumerate() {
            match &item[*key] {
                Json::String(s) => sheet.text(row, i as u16, s)?,
                Json::Number(n) => sheet.number(row, i as u16, n.as_f64().unwrap_or(0.0))?,
                _ => {}
            }
        }
        for (i, d) in defs.iter().enumerate() {
            json_cell(&mut sheet, lang, row, (lead.len() + i) as u16, d, &item[d.name])?;
        }
    }
    sheet.widths(&[(0, 14.0)])?;
    Ok(())
}

/// Every page of a list, up to `cap` records.
pub(crate) async fn all_pages<T, F, Fut>(mut page_of: F, cap: usize) -> Result<Vec<T>, StoreError>
where
    F: FnMut(i64) -> Fut,
    Fut: std::future::Future<Output = Result<kam_store::accounts::Page<T>, StoreError>>,
{
    let mut out = Vec::new();
    for n in 1.. {
        let p = page_of(n).await?;
        let last = p.total <= n * p.per_page || p.items.is_empty();
        out.extend(p.items);
        if last || out.len() >= cap {
            break;
        }
    }
    Ok(out)
}

/// An activity kind's list (联系记录, 拜访记录 …) as a workbook: every record
/// the caller sees (of one account, if given), newest first, as the API shows
/// it to them, under its account — the columns the kind's import reads.
pub async fn activities_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    kind: &'static kam_core::activity::ActivityKind,
    account_id: Option<kam_core::AccountId>,
) -> Result<Vec<u8>, E> {
    let list = all_pages(
        |page| {
            let f = kam_store::activity::ActivityFilter { account_id, page, per_page: 200 };
            async move { store.list_activities(kind, actor, &f).await }
        },
        MAX_EXPORT_ROWS as usize,
    )
    .await?;
    let items = match crate::redact::json(actor, kind.entity, &list) {
        serde_json::Value::Array(items) => items,
        _ => Vec::new(),
    };
    let mut book = Book::new(lang);
    let key = format!("activity.{}.title", kind.entity);
    records_sheet(&mut book, actor, t(lang, &key), kind.entity, &[("account_name", "import.account_ref")], &items)?;
    audited(book, store, actor, kind.resource).await
}

/// The contracts list 合同 as a workbook: every contract the caller sees, under its account.
pub async fn contracts_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
) -> Result<Vec<u8>, E> {
    let list = store.contracts(actor, None).await?;
    let items = match crate::redact::json(actor, "contract", &list) {
        serde_json::Value::Array(items) => items,
        _ => Vec::new(),
    };
    let items = &items[..items.len().min(MAX_EXPORT_ROWS as usize)];
    let mut book = Book::new(lang);
    let lead = [("account_name", "import.account_ref"), ("status", "field.order.status")];
    records_sheet(&mut book, actor, t(lang, "contract.title"), "contract", &lead, items)?;
    audited(book, store, actor, "contracts").await
}

/// The contacts list as a workbook: every contact the filter finds, the fields
/// the viewer may see of each (a contact's personal data only where the viewer
/// owns one of its accounts), then the first account and the title there —
/// the columns a contact import reads.
pub async fn contacts_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    filter: ContactFilter,
) -> Result<Vec<u8>, E> {
    // Every field some contact may show this viewer; each row shows its own.
    let widest = Viewer::new(actor, true);
    let defs: Vec<&FieldDef> =
        kam_core::contact::FIELDS.iter().filter(|d| widest.sees_field("contact", d.name)).collect();
    let links: Vec<&FieldDef> = kam_core::contact::LINK_FIELDS.iter().collect();
    let mut book = Book::new(lang);
    let mut sheet = book.sheet(t(lang, "contacts.title"))?;
    let account_col = defs.len() as u16;
    let labels = defs.iter().map(|d| format!("field.contact.{}", d.name));
    let links_labels = links.iter().map(|d| format!("field.contact.{}", d.name));
    let account_ref = std::iter::once("import.account_ref".to_string());
    header(&mut sheet, lang, labels.chain(account_ref).chain(links_labels))?;
    let mut row = 1u32;
    let mut f = ContactFilter { page: 1, per_page: 200, ..filter };
    loop {
        let page = store.list_contacts(actor, &f).await?;
        for mut c in page.items.into_iter() {
            Viewer::new(actor, c.actor_owns_account).strip_record("contact", &mut c.rec);
            for (i, d) in defs.iter().enumerate() {
                if let Some(v) = c.rec.get(d.name) {
                    cell(&mut sheet, lang, row, i as u16, d, v)?;
                }
            }
            if let Some(l) = c.accounts.first() {
                sheet.text(row, account_col, &l.account_name)?;
                for (i, d) in links.iter().enumerate() {
                    if let Some(v) = l.rec.get(d.name) {
                        cell(&mut sheet, lang, row, account_col + 1 + i as u16, d, v)?;
                    }
                }
            }
            row += 1;
        }
        if last_page(page.total, f.page, f.per_page, row) {
            break;
        }
        f.page += 1;
    }
    sheet.widths(&[(0, 14.0), (account_col, 30.0)])?;
    drop(sheet);
    audited(book, store, actor, "contacts").await
}

/// The accounts list as a workbook: every account the filter finds (read a
/// page at a time), the visible fields in card order, then owner and parent.
pub async fn accounts_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    filter: AccountFilter,
) -> Result<Vec<u8>, E> {
    let viewer = Viewer::of(actor);
    let defs: Vec<&FieldDef> =
        kam_core::account::FIELDS.iter().filter(|d| viewer.sees_field("account", d.name)).collect();
    let mut book = Book::new(lang);
    let mut sheet = book.sheet(t(lang, "accounts.title"))?;
    let labels = defs.iter().map(|d| format!("field.account.{}", d.name));
    header(&mut sheet, lang, labels.chain(["accounts.owner".to_string(), "accounts.parent".to_string()]))?;
    let (owner_col, parent_col) = (defs.len() as u16, defs.len() as u16 + 1);
    let mut row = 1u32;
    let mut f = AccountFilter { page: 1, per_page: 200, ..filter };
    loop {
        let page = store.list_accounts(actor, &f).await?;
        for a in &page.items {
            for (i, d) in defs.iter().enumerate() {
                if let Some(v) = a.rec.get(d.name) {
                    cell(&mut sheet, lang, row, i as u16, d, v)?;
                }
            }
            sheet.text(row, owner_col, a.owner_name.as_deref().unwrap_or_default())?;
            sheet.text(row, parent_col, a.parent_name.as_deref().unwrap_or_default())?;
            row += 1;
        }
        if last_page(page.total, f.page, f.per_page, row) {
            break;
        }
        f.page += 1;
    }
    sheet.widths(&[(0, 32.0), (2, 22.0)])?;
    drop(sheet);
    audited(book, store, actor, "accounts").await
}

/// The receivables list 应收账款 as of a day: per account and currency the
/// balance, its aging by due date, what is overdue and for how long, and DSO —
/// the figures of the receivables page, as numbers a spreadsheet sums.
pub async fn receivables_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    as_of: time::Date,
) -> Result<Vec<u8>, E> {
    if !kam_core::ledger::can_see_money(actor) {
        return Err(StoreError::NotFound.into());
    }
    let list = store.receivables(actor, as_of).await?;
    let mut book = Book::new(lang);
    let title = format!("{} {as_of}", t(lang, "receivables.title"));
    let mut sheet = book.sheet(&title)?;
    let labels = [
        "order.account",
        "accounts.owner",
        "field.account.currency",
        "receivables.balance",
        "0–30",
        "31–60",
        "61–90",
        "90+",
        "receivables.overdue",
        "receivables.days",
        "DSO",
    ];
    header(&mut sheet, lang, labels.map(str::to_string))?;
    for (i, r) in list.iter().take(MAX_EXPORT_ROWS as usize).enumerate() {
        let row = i as u32 + 1;
        let a = &r.aging;
        sheet.text(row, 0, &r.account_name)?;
        sheet.text(row, 1, r.owner_name.as_deref().unwrap_or_default())?;
        sheet.text(row, 2, &r.currency)?;
        for (c, v) in [r.balance, a.d0_30, a.d31_60, a.d61_90, a.d90_plus, a.overdue].iter().enumerate() {
            sheet.money(row, 3 + c as u16, *v)?;
        }
        sheet.number(row, 9, a.max_days_overdue as f64)?;
        if let Some(d) = r.dso {
            sheet.number(row, 10, d)?;
        }
    }
    sheet.widths(&[(0, 32.0), (1, 12.0)])?;
    drop(sheet);
    audited(book, store, actor, "receivables").await
}

/// The orders list 销售记录 as a workbook: every order the filter finds, as
/// the API shows it to the viewer (`redact::json`, the one visibility table:
/// no amounts for a role that sees no money), newest first; a second sheet
/// 订单明细 holds their lines in the shape the order import reads, so the
/// workbook imports back (KAM's order number is the external number).
pub async fn orders_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    filter: kam_store::orders::OrderFilter,
) -> Result<Vec<u8>, E> {
    // (JSON key, label key, whether money)
    let columns: [(&str, &str, bool); 10] = [
        ("number", "order.number", false),
        ("account_name", "order.account", false),
        ("status", "order.status", false),
        ("order_date", "field.order.order_date", false),
        ("delivery_date", "field.order.delivery_date", false),
        ("contract_no", "field.order.contract_no", false),
        ("currency", "field.order.currency", false),
        ("total_with_tax", "order.total_with_tax", true),
        ("total_without_tax", "order.total_without_tax", true),
        ("tax", "order.tax", true),
    ];
    let mut book = Book::new(lang);
    let mut sheet = book.sheet(t(lang, "order.title"))?;
    header(&mut sheet, lang, columns.iter().map(|(_, label, _)| label.to_string()))?;
    sheet.widths(&[(0, 20.0), (1, 32.0)])?;
    drop(sheet);
    let mut sheet = book.sheet(t(lang, "order.lines"))?;
    order_lines_header(&mut sheet, lang)?;
    drop(sheet);
    let (mut row, mut line_row) = (1u32, 1u32);
    let mut f = kam_store::orders::OrderFilter { page: 1, per_page: 200, ..filter };
    loop {
        let mut page = store.orders(actor, &f).await?;
        store.attach_lines(&mut page.items).await?;
        let shown = crate::redact::json(actor, "order", &page.items);
        let mut sheet = book.sheet_at(0)?;
        for o in shown.as_array().into_iter().flatten() {
            for (i, (key, _, money)) in columns.iter().enumerate() {
                let col = i as u16;
                match (&o[*key], money) {
                    (serde_json::Value::Number(n), true) => sheet.money(row, col, n.as_i64().unwrap_or(0))?,
                    (serde_json::Value::String(code), _) if *key == "status" => {
                        sheet.text(row, col, t(lang, &format!("enum.order_status.{code}")))?
                    }
                    (serde_json::Value::String(text), _) => sheet.text(row, col, text)?,
                    _ => {}
                }
            }
            row += 1;
        }
        drop(sheet);
        let mut sheet = book.sheet_at(1)?;
        order_lines(&mut sheet, lang, &shown, &mut line_row)?;
        drop(sheet);
        if last_page(page.total, f.page, f.per_page, row.max(line_row)) {
            break;
        }
        f.page += 1;
    }
    audited(book, store, actor, "orders").await
}

/// The order lines sheet, in the shape the order import reads: (where the
/// value is, JSON key, label key); "" reads the order, "line" the line.
const LINE_COLUMNS: [(&str, &str, &str); 12] = [
    ("", "account_name", "import.account_ref"),
    ("", "external_no", "field.order.external_no"),
    ("", "order_date", "field.order.order_date"),
    ("", "status", "field.order.status"),
    ("", "currency", "field.order.currency"),
    ("", "delivery_date", "field.order.delivery_date"),
    ("", "contract_no", "field.order.contract_no"),
    ("line", "product_code", "field.order.product"),
    ("line", "quantity", "field.order_line.quantity"),
    ("line", "unit_price", "field.order_line.unit_price"),
    ("line", "discount_pct", "field.order_line.discount_pct"),
    ("line", "tax_rate", "field.order_line.tax_rate"),
];

pub(crate) fn order_lines_header(sheet: &mut Sheet<'_>, lang: Lang) -> Result<(), XlsxError> {
    header(sheet, lang, LINE_COLUMNS.iter().map(|(_, _, label)| label.to_string()))?;
    sheet.widths(&[(0, 32.0), (1, 20.0), (7, 16.0)])
}

/// The lines of orders as the viewer sees them (`shown`: stripped JSON with
/// their lines), one row each from `row` on; KAM's number stands for a
/// missing external number, so the sheet imports back onto the same orders.
pub(crate) fn order_lines(
    sheet: &mut Sheet<'_>,
    lang: Lang,
    shown: &serde_json::Value,
    row: &mut u32,
) -> Result<(), XlsxError> {
    for o in shown.as_array().into_iter().flatten() {
        for l in o["lines"].as_array().into_iter().flatten() {
            for (i, (from, key, _)) in LINE_COLUMNS.iter().enumerate() {
                let col = i as u16;
                let v = match (*from, *key) {
                    ("", "external_no") => o.get("external_no").filter(|v| v.is_string()).unwrap_or(&o["number"]),
                    ("", k) => &o[k],
                    (_, k) => &l[k],
                };
                match (v, *key) {
                    (serde_json::Value::Number(n), "unit_price") => sheet.money(*row, col, n.as_i64().unwrap_or(0))?,
                    (serde_json::Value::Number(n), _) => sheet.number(*row, col, n.as_f64().unwrap_or(0.0))?,
                    (serde_json::Value::String(code), "status") => {
                        sheet.text(*row, col, t(lang, &format!("enum.order_status.{code}")))?
                    }
                    (serde_json::Value::String(text), _) => sheet.text(*row, col, text)?,
                    _ => {}
                }
            }
            *row += 1;
        }
    }
    Ok(())
}

/// The stripped JSON items of a list, as the API shows them to the viewer.
fn shown<T: serde::Serialize>(actor: &Actor, entity: &str, list: &[T]) -> Vec<Json> {
    match crate::redact::json(actor, entity, &list) {
        Json::Array(items) => items.into_iter().take(MAX_EXPORT_ROWS as usize).collect(),
        _ => Vec::new(),
    }
}

/// The product list 产品 as a workbook: every product, active or not, with
/// the fields the viewer sees (no list price for a role that sees no money) —
/// the columns the product import reads.
pub async fn products_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
) -> Result<Vec<u8>, E> {
    let items = shown(actor, "product", &store.products(true).await?);
    let mut book = Book::new(lang);
    records_sheet(&mut book, actor, t(lang, "product.title"), "product", &[], &items)?;
    audited(book, store, actor, "products").await
}

/// The competitors 竞争对手 as a workbook: each profile with the number of
/// accounts in the viewer's scope where it competes.
pub async fn competitors_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
) -> Result<Vec<u8>, E> {
    let items = shown(actor, "competitor", &store.competitors(actor).await?);
    let mut book = Book::new(lang);
    let lead = [("account_count", "competition.accounts")];
    records_sheet(&mut book, actor, t(lang, "nav.competitors"), "competitor", &lead, &items)?;
    audited(book, store, actor, "competitors").await
}

/// The market activities 市场活动 as a workbook, newest first, read a page at a
/// time; each row also counts the participants at accounts the viewer sees.
pub async fn market_activities_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
) -> Result<Vec<u8>, E> {
    let list = all_pages(|page| store.market_activities(actor, page, 200), MAX_EXPORT_ROWS as usize).await?;
    let mut items = shown(actor, "market_activity", &list);
    for (item, e) in items.iter_mut().zip(&list) {
        item["participant_count"] = Json::from(e.participants.len());
    }
    let mut book = Book::new(lang);
    let lead = [("participant_count", "market.participant_count")];
    records_sheet(&mut book, actor, t(lang, "market.title"), "market_activity", &lead, &items)?;
    audited(book, store, actor, "market-activities").await
}

/// The statements 对账单 the filter finds (a month, a status) as a workbook:
/// period, account, currency, opening and closing balance as numbers, status
/// and the days it was sent and answered.
pub async fn statements_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    filter: kam_store::statements::StatementFilter,
) -> Result<Vec<u8>, E> {
    if !kam_core::ledger::can_see_money(actor) {
        return Err(StoreError::NotFound.into());
    }
    let mut book = Book::new(lang);
    let mut sheet = book.sheet(t(lang, "statement.title"))?;
    let labels = [
        "statement.period",
        "order.account",
        "field.account.currency",
        "statement.opening",
        "statement.closing",
        "order.status",
        "statement.sent_at",
        "statement.answered_at",
    ];
    header(&mut sheet, lang, labels.map(str::to_string))?;
    let mut row = 1u32;
    let mut f = kam_store::statements::StatementFilter { page: 1, per_page: 500, ..filter };
    loop {
        let page = store.statements(actor, &f).await?;
        for s in &page.items {
            sheet.text(row, 0, &s.period)?;
            sheet.text(row, 1, &s.account_name)?;
            sheet.text(row, 2, &s.currency)?;
            sheet.money(row, 3, s.opening)?;
            sheet.money(row, 4, s.closing)?;
            sheet.text(row, 5, t(lang, &format!("enum.statement_status.{}", s.status)))?;
            sheet.text(row, 6, s.sent_at.as_deref().map(day_of).unwrap_or_default())?;
            sheet.text(row, 7, s.answered_at.as_deref().map(day_of).unwrap_or_default())?;
            row += 1;
        }
        if last_page(page.total, f.page, f.per_page, row) || page.items.is_empty() {
            break;
        }
        f.page += 1;
    }
    sheet.widths(&[(0, 10.0), (1, 32.0)])?;
    drop(sheet);
    audited(book, store, actor, "statements").await
}

/// The day of a stored timestamp (its first ten characters, YYYY-MM-DD).
fn day_of(ts: &str) -> &str {
    ts.get(..10).unwrap_or(ts)
}

/// The work logs 工作日志 the filter finds as a workbook: day, author, status,
/// visits and the collections written down, as the list page shows them.
pub async fn worklogs_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    filter: kam_store::worklogs::WorklogFilter,
) -> Result<Vec<u8>, E> {
    let mut book = Book::new(lang);
    let mut sheet = book.sheet(t(lang, "worklog.list"))?;
    let labels = ["worklog.date", "worklog.author", "worklog.status", "worklog.visit_count", "worklog.paid_total"];
    header(&mut sheet, lang, labels.map(str::to_string))?;
    let mut row = 1u32;
    let mut f = kam_store::worklogs::WorklogFilter { page: 1, per_page: 200, ..filter };
    loop {
        let page = store.worklogs(actor, &f).await?;
        for w in &page.items {
            sheet.text(row, 0, &w.log_date)?;
            sheet.text(row, 1, &w.author_name)?;
            sheet.text(row, 2, t(lang, &format!("worklog.status.{}", w.status.as_str())))?;
            sheet.number(row, 3, w.visit_count as f64)?;
            sheet.money(row, 4, w.paid_total)?;
            row += 1;
        }
        if last_page(page.total, f.page, f.per_page, row) || page.items.is_empty() {
            break;
        }
        f.page += 1;
    }
    sheet.widths(&[(0, 12.0), (1, 16.0)])?;
    drop(sheet);
    audited(book, store, actor, "worklogs").await
}

/// One count of the churn report: its title, its id on the page, and its
/// rows of (label, churns, won back).
pub type ChurnSection = (String, &'static str, Vec<(String, i64, i64)>);

/// The churn report's four counts (reason, month, grade, rep): what the page
/// shows and the workbook holds, from one place.
pub fn churn_sections(lang: Lang, r: &kam_store::lifecycle::ChurnReport) -> Vec<ChurnSection> {
    let rows = |counts: &[kam_store::lifecycle::Count], label: &dyn Fn(&kam_store::lifecycle::Count) -> String| {
        counts.iter().map(|c| (label(c), c.churns, c.won_back)).collect::<Vec<_>>()
    };
    let none = t(lang, "common.none").to_string();
    vec![
        (
            t(lang, "churn.by_reason").to_string(),
            "by-reason",
            rows(&r.by_reason, &|c| t(lang, &format!("enum.churn_reason.{}", c.key)).to_string()),
        ),
        (t(lang, "churn.by_month").to_string(), "by-month", rows(&r.by_month, &|c| c.key.clone())),
        (
            t(lang, "churn.by_grade").to_string(),
            "by-grade",
            rows(&r.by_grade, &|c| if c.key.is_empty() { none.clone() } else { c.key.clone() }),
        ),
        (
            t(lang, "churn.by_rep").to_string(),
            "by-rep",
            rows(&r.by_rep, &|c| c.label.clone().unwrap_or_else(|| t(lang, "accounts.in_pool").to_string())),
        ),
    ]
}

/// The churn report 客户流失分析 of a year as a workbook: one sheet per count
/// (reason, month, grade, rep) with churns and won back, as numbers; in the
/// viewer's scope, as the page shows it; audited.
pub async fn churn_report_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    year: i32,
) -> Result<Vec<u8>, E> {
    let r = store.churn_report(actor, year).await?;
    let mut book = Book::new(lang);
    for (title, _, rows) in churn_sections(lang, &r) {
        let mut sheet = book.sheet(&title)?;
        sheet.text(0, 0, &format!("{title} {year}"))?;
        sheet.text(0, 1, t(lang, "churn.churns"))?;
        sheet.text(0, 2, t(lang, "churn.won_back"))?;
        for (i, (label, churns, won)) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.text(row, 0, label)?;
            sheet.number(row, 1, *churns as f64)?;
            sheet.number(row, 2, *won as f64)?;
        }
        sheet.widths(&[(0, 24.0), (1, 12.0), (2, 12.0)])?;
    }
    audited(book, store, actor, "churn_report").await
}

/// The coming period's sales forecast 销售预测 as a workbook: the teams' and
/// reps' sums against their targets, then every account in scope (P(alive),
/// expected orders, average order, expected revenue, the same period last
/// year's forecast and the trend), as numbers; audited.
pub async fn forecasts_xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
) -> Result<Vec<u8>, E> {
    let f = store.forecasts_for_export(actor, MAX_EXPORT_ROWS).await?;
    let mut book = Book::new(lang);
    let mut sheet = book.sheet(t(lang, "forecast.against_target"))?;
    sheet.text(0, 0, &format!("{} – {}", f.from, f.to))?;
    for (i, k) in ["forecast.expected_revenue", "forecast.last_year", "target.target"].iter().enumerate() {
        sheet.text(0, i as u16 + 1, t(lang, k))?;
    }
    for (i, r) in f.teams.iter().chain(&f.reps).enumerate() {
        let row = i as u32 + 1;
        sheet.text(row, 0, &r.name)?;
        sheet.money(row, 1, r.expected_revenue)?;
        sheet.money(row, 2, r.last_year_forecast)?;
        if let Some(target) = r.target {
            sheet.money(row, 3, target)?;
        }
    }
    sheet.widths(&[(0, 22.0), (1, 16.0), (2, 16.0), (3, 16.0)])?;
    drop(sheet);
    let mut sheet = book.sheet(t(lang, "forecast.by_account"))?;
    let labels = [
        "order.account",
        "accounts.owner",
        "forecast.last_order",
        "forecast.order_days",
        "forecast.average",
        "forecast.p_alive",
        "forecast.expected_orders",
        "forecast.expected_revenue",
        "forecast.last_year",
        "forecast.trend",
    ];
    header(&mut sheet, lang, labels.map(str::to_string))?;
    for (i, a) in f.items.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.text(row, 0, &a.account_name)?;
        sheet.text(row, 1, a.owner_name.as_deref().unwrap_or_default())?;
        sheet.text(row, 2, &a.last_order)?;
        sheet.number(row, 3, a.order_days as f64)?;
        sheet.money(row, 4, a.average_order)?;
        if let Some(p) = a.p_alive {
            sheet.number(row, 5, (p * 1000.0).round() / 1000.0)?;
        }
        if let Some(x) = a.expected_orders {
            sheet.number(row, 6, (x * 100.0).round() / 100.0)?;
        }
        if let Some(x) = a.expected_revenue {
            sheet.money(row, 7, x)?;
        }
        sheet.money(row, 8, a.last_year.forecast)?;
        if let Some(x) = a.last_year.trend {
            sheet.number(row, 9, (x * 100.0).round() / 100.0)?;
        }
    }
    sheet.widths(&[(0, 28.0), (1, 12.0), (2, 12.0)])?;
    drop(sheet);
    audited(book, store, actor, "forecasts").await
}
