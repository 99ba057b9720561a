//! 附表一 客户归类汇总表 for pages and API alike: the filters from a query,
//! the rows as the reader may see them (no revenue for those who see no
//! money), and the workbook laid out like the form. The rules live in
//! `kam_core::classification`, the figures are computed by the store.

use std::collections::HashMap;

use kam_core::Actor;
use kam_core::visibility::Viewer;
use kam_store::StoreError;
use kam_store::classification::{ClassFilter, ClassRow};
use rust_xlsxwriter::XlsxError;

use crate::i18n::{Lang, t};
use crate::workbook::Book;

/// The filters of the list and its export, from the query.
pub fn filter_of(q: &HashMap<String, String>) -> ClassFilter {
    let s = |k: &str| q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let (page, per_page) = crate::api::page_params(q);
    ClassFilter {
        q: s("q"),
        industry: s("industry"),
        customer_type: s("customer_type"),
        grade: s("grade"),
        abc: s("abc").filter(|v| ["A", "B", "C"].contains(&v.as_str())),
        disagreeing: matches!(q.get("disagreeing").map(String::as_str), Some("1" | "true" | "on")),
        page,
        per_page,
    }
}

/// An enum code by its label (empty for none).
fn label(lang: Lang, e: &str, code: Option<&str>) -> String {
    code.map(|c| t(lang, &format!("enum.{e}.{c}")).to_string()).unwrap_or_default()
}

/// The rows as JSON for the reader.
pub fn rows_json(actor: &Actor, rows: &[ClassRow]) -> serde_json::Value {
    crate::redact::json(actor, "classification", &rows)
}

/// The columns of the form, then KAM's: (message key, width).
const COLUMNS: [(&str, f64); 15] = [
    ("class.seq", 6.0),
    ("class.name", 28.0),
    ("class.contact", 10.0),
    ("class.title_col", 10.0),
    ("class.phone", 15.0),
    ("class.address", 26.0),
    ("class.industry", 12.0),
    ("class.type", 10.0),
    ("class.grade", 8.0),
    ("class.abc", 8.0),
    ("class.revenue", 14.0),
    ("class.r", 5.0),
    ("class.f", 5.0),
    ("class.m", 5.0),
    ("class.disagrees", 10.0),
];

/// 附表一 as a workbook: every row of the filter (at most the export cap),
/// the revenue column only for readers of money.
pub async fn xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    f: &ClassFilter,
) -> Result<Vec<u8>, E> {
    let money = Viewer::of(actor).sees_money();
    let columns: Vec<(&str, f64)> = COLUMNS.iter().copied().filter(|(k, _)| money || *k != "class.revenue").collect();
    let mut book = Book::new(lang);
    let mut ws = book.sheet(t(lang, "class.title"))?;
    ws.heading((0, 0), (0, columns.len() as u16 - 1), &format!("附表一 {}", t(lang, "class.title")))?;
    for (c, (k, _)) in columns.iter().enumerate() {
        ws.heading((1, c as u16), (1, c as u16), t(lang, k))?;
    }
    ws.repeat_rows(1, 1)?;
    ws.widths(&columns.iter().enumerate().map(|(c, (_, w))| (c as u16, *w)).collect::<Vec<_>>())?;
    let mut row = 2u32;
    let p = store.classification_upto(actor, f, crate::exports::MAX_EXPORT_ROWS).await?;
    {
        for r in &p.items {
            let mut cells: Vec<Cell> = vec![
                Cell::N(f64::from(row - 1)),
                Cell::T(r.name.clone()),
                Cell::T(r.contact_name.clone().unwrap_or_default()),
                Cell::T(r.contact_title.clone().unwrap_or_default()),
                Cell::T(r.contact_phone.clone().unwrap_or_default()),
                Cell::T(r.address.clone()),
                Cell::T(label(lang, "industry", r.industry.as_deref())),
                Cell::T(label(lang, "customer_type", r.customer_type.as_deref())),
                Cell::T(r.grade.clone().unwrap_or_default()),
                Cell::T(r.abc.clone()),
            ];
            if money {
                cells.push(Cell::M(r.revenue));
            }
            for s in [r.recency, r.frequency, r.monetary] {
                cells.push(s.map(|s| Cell::N(s as f64)).unwrap_or(Cell::T(String::new())));
            }
            cells.push(Cell::T(if r.disagrees { t(lang, "common.yes").to_string() } else { String::new() }));
            for (c, v) in cells.into_iter().enumerate() {
                match v {
                    Cell::T(s) => ws.text(row, c as u16, &s)?,
                    Cell::N(n) => ws.number(row, c as u16, n)?,
                    Cell::M(fen) => ws.money(row, c as u16, fen)?,
                }
            }
            row += 1;
        }
    }
    drop(ws);
    Ok(book.finish()?)
}

enum Cell {
    T(String),
    N(f64),
    M(i64),
}

/// 附表一's workbook as a download, for pages and API alike; audited.
pub async fn download<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    f: &ClassFilter,
) -> Result<axum::response::Response, E> {
    let bytes = xlsx::<E>(store, actor, lang, f).await?;
    store.record_export(actor, "classification", 0, None).await?;
    Ok(crate::downloads::xlsx_response("附表一-客户归类汇总表.xlsx", bytes))
}
