//! /api/v1/reports: the index of the nine forms (附表一–九) and the
//! statements with their pages, print pages and workbooks; and the workbooks
//! of 附表三, 附表四, 附表八 and 附表九, laid out like the forms.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use kam_core::AccountId;
use serde_json::{Value, json};

use super::routes::*;
use super::{Id, QueryMap};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::i18n::t;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/reports", list, doc("listReports", "reports", "The nine forms of the account file rules (附表一–九) and the statements, as far as the caller may see them (附表五 and statements for readers of money): each with its title, whether it is of the caller's scope, one account or one record, and the addresses of its page, print page and workbook (`{id}` for the account or record; `{year}` in an API address)").ok("Reports"))
        .get("/api/v1/accounts/{id}/visits/xlsx", visits, doc("exportVisitForm", "reports", "附表三 客户拜访档案记录 of one account as .xlsx laid out like the form (拜访序次 … 下次计划时间, oldest first, at most 200 visits); audited").file(XLSX))
        .get("/api/v1/complaints/{id}/xlsx", complaint, doc("exportComplaintCard", "reports", "附表八 客户投诉管理卡 of one complaint as .xlsx laid out like the card; audited").file(XLSX))
        .get("/api/v1/worklogs/{id}/xlsx", worklog, doc("exportWorklogForm", "reports", "附表九 业务工作日志 of one log as .xlsx laid out like the form (visits, collections, market and product analysis, internal affairs, the supervisor's evaluation and the sign-off boxes); audited").file(XLSX))
        .get("/api/v1/reports/sales", sales, doc("salesReport", "reports", "The sales report 销售报表 of a year (`year`, this year by default): delivered orders in CNY of the accounts in the caller's scope, dated in the year, with their orders, amounts with and without tax (fen), by month (all twelve), product (with the quantity and unit), rep (the account's owner) and grade; readers of money only").query("year", json!({"type": "integer"}), "this year when absent").ok("SalesReport"))
        .get("/api/v1/reports/sales.xlsx", sales_xlsx, doc("exportSalesReport", "reports", "The sales report of a year as .xlsx: a sheet each by month, product, rep and grade with the figures as numbers (money in yuan); the same scope; audited").query("year", json!({"type": "integer"}), "this year when absent").file(XLSX))
        .get("/api/v1/accounts/{id}/card.xlsx", card, doc("exportProfileCard", "reports", "附表四 客户资料卡 as .xlsx laid out like the form: the card group by group, the decision makers, the main managers and the main competitors, only what the caller may see; audited").file(XLSX))
}

async fn list(State(_state): State<AppState>, api: ApiUser) -> Result<Json<Value>, ApiError> {
    let items: Vec<Value> = crate::reports::for_reader(&api.user.actor())
        .map(|f| {
            json!({"form": f.form, "title": t(api.lang, f.key), "of": f.of, "page": f.page, "print": f.print,
                   "xlsx": f.xlsx, "api_xlsx": f.api_xlsx})
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn sales(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<Value>, ApiError> {
    let year = super::year_param(q.get("year"), state.store.today())?;
    Ok(Json(json!(state.store.sales_report(&api.user.actor(), year).await?)))
}

async fn sales_xlsx(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Response, ApiError> {
    let year = super::year_param(q.get("year"), state.store.today())?;
    let bytes = crate::sales::xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang, year).await?;
    Ok(crate::downloads::xlsx_response(&format!("sales-{year}.xlsx"), bytes))
}

async fn visits(State(state): State<AppState>, api: ApiUser, Id(id): Id<AccountId>) -> Result<Response, ApiError> {
    crate::record_forms::visits_download(&state.store, &api.user.actor(), id).await
}

async fn complaint(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<kam_core::ActivityId>,
) -> Result<Response, ApiError> {
    crate::record_forms::complaint_download(&state.store, &api.user.actor(), id).await
}

async fn worklog(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<kam_core::WorklogId>,
) -> Result<Response, ApiError> {
    crate::record_forms::worklog_download(&state.store, &api.user.actor(), id).await
}

async fn card(State(state): State<AppState>, api: ApiUser, Id(id): Id<AccountId>) -> Result<Response, ApiError> {
    crate::profile_card::download(&state.store, &api.user.actor(), api.lang, id).await
}
