//! Downloads, for pages and API alike: a file answered as an attachment
//! named in UTF-8, and the audited .xlsx exports (对账单, 附表五) — the
//! workbooks are built beside their pages (with `workbook`), the download
//! and its audit row here. A workbook that cannot be written is an internal
//! error of the answer, not of the store.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use kam_core::AccountId;
use kam_core::StatementId;
use kam_store::StoreError;
use rust_xlsxwriter::XlsxError;

use crate::i18n::Lang;

/// The file itself, with its checked type, never rendered inline as HTML.
pub fn file_response(name: &str, content_type: &str, body: Vec<u8>) -> Response {
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"attachment\"; filename*=UTF-8''{encoded}")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// An .xlsx download named in UTF-8.
pub fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    file_response(name, crate::api::routes::XLSX, bytes)
}

/// The statement's workbook as a download, for pages and API alike; the export is audited.
pub async fn statement_download<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &kam_core::Actor,
    lang: Lang,
    id: StatementId,
) -> Result<Response, E> {
    let s = store.statement(actor, id).await?;
    let company = store.company().await?;
    let bytes = crate::pages::statements::statement_xlsx(lang, &s, &company)?;
    store.record_export(actor, "statement", id, Some(s.account_id)).await?;
    Ok(xlsx_response(&format!("对账单-{}-{}.xlsx", s.account_name, s.period), bytes))
}

/// 附表五's workbook as a download, for pages and API alike; the export is audited.
pub async fn performance_download<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &kam_core::Actor,
    lang: Lang,
    id: AccountId,
    year: i32,
) -> Result<Response, E> {
    let p = store.performance(actor, id, year).await?;
    let bytes = crate::pages::credit::performance_xlsx(lang, &p)?;
    store.record_export(actor, "performance", id, Some(id)).await?;
    Ok(xlsx_response(&format!("附表五-{}-{year}.xlsx", p.account_name), bytes))
}
