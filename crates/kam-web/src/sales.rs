//! The sales report 销售报表 (`Store::sales_report`) as panels — by month
//! (with a chart), product, rep and grade — for its page and its workbook
//! alike (`dashboards::panels_sheets`); the export is audited.

use kam_core::Actor;
use kam_store::StoreError;
use kam_store::sales::{SalesLine, SalesReport};
use rust_xlsxwriter::XlsxError;

use crate::charts::{Series, bars};
use crate::dashboards::{Cell, Panel, panels_sheets};
use crate::i18n::{Lang, t};
use crate::workbook::Book;

fn heads(lang: Lang, quantity: bool) -> Vec<String> {
    let mut keys = vec!["sales.orders"];
    if quantity {
        keys.extend(["sales.quantity", "sales.unit"]);
    }
    keys.extend(["sales.with_tax", "sales.without_tax", "sales.share"]);
    keys.iter().map(|k| t(lang, k).to_string()).collect()
}

fn cells(l: &SalesLine, total: i64, quantity: bool) -> Vec<Cell> {
    let mut c = vec![Cell::Count(l.orders)];
    if quantity {
        c.push(Cell::Score(l.quantity));
        c.push(Cell::Text(l.unit.clone().unwrap_or_default()));
    }
    let share = (total > 0).then(|| (l.with_tax as f64 * 1000.0 / total as f64).round() / 10.0);
    c.extend([Cell::Money(Some(l.with_tax)), Cell::Money(Some(l.without_tax)), Cell::Pct(share)]);
    c
}

/// The report's four panels.
pub fn panels(lang: Lang, r: &SalesReport) -> Vec<Panel> {
    let none = t(lang, "common.none").to_string();
    let labels: Vec<String> = r
        .by_month
        .iter()
        .map(|l| l.key.get(5..).unwrap_or_default().trim_start_matches('0').to_string() + "月")
        .collect();
    let with_tax: Vec<Option<f64>> = r.by_month.iter().map(|l| Some(l.with_tax as f64 / 100.0)).collect();
    let title = format!("{} {}", t(lang, "sales.by_month"), r.year);
    let month = Panel {
        id: "by-month",
        svg: Some(bars(&title, &labels, &[Series { name: t(lang, "sales.with_tax"), values: &with_tax }], "元")),
        title,
        heads: heads(lang, false),
        rows: r.by_month.iter().map(|l| (l.key.clone(), cells(l, r.with_tax, false))).collect(),
        note: Some(t(lang, "sales.note").to_string()),
    };
    let table =
        |id: &'static str, key: &str, lines: &[SalesLine], quantity: bool, label: &dyn Fn(&SalesLine) -> String| {
            Panel {
                id,
                svg: None,
                title: format!("{} {}", t(lang, key), r.year),
                heads: heads(lang, quantity),
                rows: lines.iter().map(|l| (label(l), cells(l, r.with_tax, quantity))).collect(),
                note: None,
            }
        };
    vec![
        month,
        table("by-product", "sales.by_product", &r.by_product, true, &|l| {
            format!("{} {}", l.key, l.label.clone().unwrap_or_default())
        }),
        table("by-rep", "sales.by_rep", &r.by_rep, false, &|l| {
            l.label.clone().unwrap_or_else(|| t(lang, "accounts.in_pool").to_string())
        }),
        table("by-grade", "sales.by_grade", &r.by_grade, false, &|l| {
            if l.key.is_empty() { none.clone() } else { l.key.clone() }
        }),
    ]
}

/// The sales report of a year as a workbook: a sheet per panel; audited.
pub async fn xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    year: i32,
) -> Result<Vec<u8>, E> {
    let r = store.sales_report(actor, year).await?;
    let mut book = Book::new(lang);
    panels_sheets(&mut book, &panels(lang, &r))?;
    crate::exports::audited(book, store, actor, "sales_report").await
}
