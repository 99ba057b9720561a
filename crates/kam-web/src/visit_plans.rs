//! 附表二 客户拜访计划 as the paper form lays it out — 序次, 客户, then the
//! first to twelfth visit each with 计划 and 实施 — for the print page and
//! the workbook of pages and API alike; the export is audited.

use kam_core::visit_plan::SLOTS;
use kam_store::StoreError;
use kam_store::visit_plans::Plan;
use rust_xlsxwriter::XlsxError;

use crate::i18n::{Lang, t};
use crate::workbook::Book;

/// 第一次 … 第十二次 (or "Visit 1" …).
pub fn visit_headers(lang: Lang) -> Vec<String> {
    const ZH: [&str; SLOTS] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];
    (1..=SLOTS)
        .map(|n| match lang {
            Lang::Zh => format!("第{}次", ZH[n - 1]),
            Lang::En => t(lang, "plan.visit_n").replace("{n}", &n.to_string()),
        })
        .collect()
}

pub fn grid_xlsx(lang: Lang, year: i32, plans: &[Plan]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new(lang);
    let mut ws = book.sheet(t(lang, "plan.title"))?;
    let last = 1 + 2 * SLOTS as u16;
    ws.heading((0, 0), (0, last), &format!("{} · {year}", t(lang, "plan.title")))?;
    ws.heading((1, 0), (2, 0), t(lang, "plan.seq"))?;
    ws.heading((1, 1), (2, 1), t(lang, "activity.account"))?;
    for (i, h) in visit_headers(lang).iter().enumerate() {
        let c = 2 + 2 * i as u16;
        ws.heading((1, c), (1, c + 1), h)?;
        ws.heading((2, c), (2, c), t(lang, "plan.planned"))?;
        ws.heading((2, c + 1), (2, c + 1), t(lang, "plan.actual"))?;
    }
    for (r, p) in plans.iter().enumerate() {
        let row = 3 + r as u32;
        ws.boxed(row, 0, Some((r + 1) as f64))?;
        ws.boxed_text(row, 1, &p.account_name)?;
        for (i, s) in p.slots.iter().enumerate() {
            let c = 2 + 2 * i as u16;
            ws.boxed_date(row, c, s.planned.map(|d| d.to_string()).as_deref())?;
            ws.boxed_date(row, c + 1, s.actual.map(|d| d.to_string()).as_deref())?;
        }
    }
    ws.repeat_rows(1, 2)?;
    ws.landscape()?;
    let mut widths = vec![(0u16, 5.0), (1, 22.0)];
    widths.extend((2..=last).map(|c| (c, 6.0)));
    ws.widths(&widths)?;
    book.finish()
}

/// 附表二 of a year for the reader's scope as a download.
pub async fn download<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &kam_core::Actor,
    lang: Lang,
    year: i32,
) -> Result<axum::response::Response, E> {
    let plans = store.visit_plans(actor, year, None).await?;
    let bytes = grid_xlsx(lang, year, &plans)?;
    store.record_export(actor, "visit_plan", i64::from(year), None).await?;
    Ok(crate::downloads::xlsx_response(&format!("附表二-客户拜访计划-{year}.xlsx"), bytes))
}
