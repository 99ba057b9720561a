//! Downloads, for pages and API alike: a file answered as an attachment
//! named in UTF-8, and the audited .xlsx exports (对账单, 附表五) — the
//! workbooks are built beside their pages, the download and its audit row here.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use kam_store::StoreError;

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
pub async fn statement_download(
    store: &kam_store::Store,
    actor: &kam_core::Actor,
    lang: Lang,
    id: i64,
) -> Result<Response, StoreError> {
    let s = store.statement(actor, id).await?;
    let company = store.company().await?;
    let bytes =
        crate::pages::statements::statement_xlsx(lang, &s, &company).map_err(|e| StoreError::Config(e.to_string()))?;
    store.record_export(actor, "statement", id, Some(s.account_id)).await?;
    Ok(xlsx_response(&format!("对账单-{}-{}.xlsx", s.account_name, s.period), bytes))
}

/// 附表五's workbook as a download, for pages and API alike; the export is audited.
pub async fn performance_download(
    store: &kam_store::Store,
    actor: &kam_core::Actor,
    lang: Lang,
    id: i64,
    year: i32,
) -> Result<Response, StoreError> {
    let p = store.performance(actor, id, year).await?;
    let bytes = crate::pages::credit::performance_xlsx(lang, &p).map_err(|e| StoreError::Config(e.to_string()))?;
    store.record_export(actor, "performance", id, Some(id)).await?;
    Ok(xlsx_response(&format!("附表五-{}-{year}.xlsx", p.account_name), bytes))
}
