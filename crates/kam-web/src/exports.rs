//! List exports: a list as .xlsx with the viewer's filters and sort, and only
//! the fields the viewer may see (the one visibility table, `Viewer::sees_field`);
//! headers are the fields' labels, so an exported sheet imports back as it is.
//! Every export is audited.

use kam_core::Actor;
use kam_core::fields::{FieldDef, Kind};
use kam_core::visibility::Viewer;
use kam_store::StoreError;
use kam_store::accounts::AccountFilter;
use rust_xlsxwriter::XlsxError;

use crate::i18n::{Lang, t};
use crate::workbook::Book;

/// The most rows one export writes.
pub const MAX_EXPORT_ROWS: i64 = 50_000;

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
    for (i, d) in defs.iter().enumerate() {
        sheet.text(0, i as u16, t(lang, &format!("field.account.{}", d.name)))?;
    }
    let (owner_col, parent_col) = (defs.len() as u16, defs.len() as u16 + 1);
    sheet.text(0, owner_col, t(lang, "accounts.owner"))?;
    sheet.text(0, parent_col, t(lang, "accounts.parent"))?;
    let mut row = 1u32;
    let mut f = AccountFilter { page: 1, per_page: 200, ..filter };
    loop {
        let page = store.list_accounts(actor, &f).await?;
        for a in &page.items {
            for (i, d) in defs.iter().enumerate() {
                let col = i as u16;
                let Some(v) = a.rec.get(d.name) else { continue };
                match (d.kind, v) {
                    (Kind::Money | Kind::MoneyDelta, kam_core::Value::Int(fen)) => sheet.money(row, col, *fen)?,
                    (Kind::Enum(e), kam_core::Value::Text(code)) => {
                        sheet.text(row, col, t(lang, &format!("enum.{}.{code}", e.name)))?
                    }
                    (Kind::Bool, kam_core::Value::Bool(b)) => {
                        sheet.text(row, col, t(lang, if *b { "common.yes" } else { "common.no" }))?
                    }
                    (_, kam_core::Value::Int(n)) => sheet.number(row, col, *n as f64)?,
                    (_, kam_core::Value::Float(x)) => sheet.number(row, col, *x)?,
                    (_, kam_core::Value::Text(s)) => sheet.text(row, col, s)?,
                    _ => {}
                }
            }
            sheet.text(row, owner_col, a.owner_name.as_deref().unwrap_or_default())?;
            sheet.text(row, parent_col, a.parent_name.as_deref().unwrap_or_default())?;
            row += 1;
        }
        let done = page.items.len() < f.per_page as usize || i64::from(row) > MAX_EXPORT_ROWS;
        if done {
            break;
        }
        f.page += 1;
    }
    sheet.widths(&[(0, 32.0), (2, 22.0)])?;
    drop(sheet);
    store.record_export(actor, "accounts", 0, None).await?;
    Ok(book.finish()?)
}
