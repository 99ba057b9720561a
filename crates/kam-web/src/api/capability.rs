//! /api/v1/accounts/{id}/capability/{year} (附表六: read the sheet, PUT a
//! month's column, the workbook) and /api/v1/capability/compare (附表七).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use kam_core::AccountId;
use kam_core::FieldErrors;
use kam_core::capability::{Column, FACTORS, MONTHS};
use serde_json::Value as Json_;

use super::routes::*;
use super::{QueryMap, object};
use crate::AppState;
use crate::auth::ApiUser;
use crate::capability as cap;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/accounts/{id}/capability/{year}", show, doc("getCapability", "capability", "附表六 客户综合销售力分析表 of a year: the 25 factors (score 1–4 or null per month), group subtotals, monthly totals, the year's total and average (over the months filled), and KAM's suggested scores with their reasons for one month").query("month", int(), "the month whose suggestions to include (default: this month in this year, else none)").ok("CapabilitySheet"))
        .put("/api/v1/accounts/{id}/capability/{year}", put_month, doc("setCapabilityMonth", "capability", "Write one month's column: 25 scores (1–4 or null to empty a cell); months after this one cannot be scored; one audited change").body("CapabilityMonthInput").ok("CapabilitySheet"))
        .get("/api/v1/accounts/{id}/capability/{year}/xlsx", xlsx, doc("exportCapability", "capability", "附表六 as .xlsx laid out like the form (audited as an export)").file(XLSX))
        .get("/api/v1/capability/compare", compare, doc("compareCapability", "capability", "附表七 客户综合销售力对比分析表: 2–6 accounts' factors side by side for a month (or each factor's average over a year), with totals, ranks (equal totals share a rank) and each account's monthly totals").query("accounts", text(), "2–6 account ids, comma-separated").query("month", text(), "YYYY-MM, or YYYY for the year's averages (default: this month)").ok("CapabilityComparison"))
        .get("/api/v1/capability/compare.xlsx", compare_xlsx, doc("exportCapabilityComparison", "capability", "附表七 as .xlsx laid out like the form: the 25 factors in their groups as rows, one column per account, totals and ranks (same parameters as the comparison); audited").query("accounts", text(), "2–6 account ids, comma-separated").query("month", text(), "YYYY-MM, or YYYY for the year's averages (default: this month)").file(XLSX))
}

fn ids(id: &str, year: &str, today: time::Date) -> Result<(AccountId, i32), ApiError> {
    let id: AccountId = id.parse().map_err(|_| ApiError::not_found())?;
    Ok((id, super::year_param(Some(&year.to_string()), today)?))
}

async fn show(
    State(state): State<AppState>,
    api: ApiUser,
    Path((id, year)): Path<(String, String)>,
    QueryMap(q): QueryMap,
) -> Result<Json<Json_>, ApiError> {
    let today = state.store.today();
    let (id, year) = ids(&id, &year, today)?;
    let actor = api.user.actor();
    let sheet = state.store.capability_sheet(&actor, id, year).await?;
    let month = match q.get("month").filter(|m| !m.is_empty()) {
        Some(m) => Some(
            m.parse::<usize>()
                .ok()
                .filter(|m| (1..=MONTHS).contains(m))
                .ok_or_else(|| ApiError::field("month", "err.range"))?,
        ),
        None => (year == today.year()).then_some(u8::from(today.month()) as usize),
    };
    let suggestions = match month {
        Some(m) => Some((m, state.store.capability_suggestions(&actor, id, year, m).await?)),
        None => None,
    };
    Ok(Json(cap::sheet_json(api.lang, &sheet, suggestions.as_ref().map(|(m, s)| (*m, s.as_slice())))))
}

/// PUT {"month": 11, "scores": [4, 3, null, …]} (25 items, factor 1 first).
async fn put_month(
    State(state): State<AppState>,
    api: ApiUser,
    Path((id, year)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Json_>, ApiError> {
    let (id, year) = ids(&id, &year, state.store.today())?;
    let body = object(&body)?;
    let mut errors = FieldErrors::default();
    let month = body.get("month").and_then(Json_::as_i64).filter(|m| (1..=MONTHS as i64).contains(m));
    if month.is_none() {
        errors.add("month", "err.range");
    }
    let mut column: Column = [None; FACTORS];
    match body.get("scores").and_then(Json_::as_array) {
        Some(list) if list.len() == FACTORS => {
            for (i, v) in list.iter().enumerate() {
                match v {
                    Json_::Null => {}
                    v => match v.as_i64().filter(|s| kam_core::capability::valid_score(*s)) {
                        Some(s) => column[i] = Some(s as u8),
                        None => errors.add(&format!("f{}", i + 1), "capability.err_score"),
                    },
                }
            }
        }
        _ => errors.add("scores", "capability.err_scores"),
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    let month = month.unwrap_or(1) as usize;
    let actor = api.user.actor();
    let sheet = state.store.set_capability_month(&actor, id, year, month, &column).await?;
    Ok(Json(cap::sheet_json(api.lang, &sheet, None)))
}

async fn xlsx(
    State(state): State<AppState>,
    api: ApiUser,
    Path((id, year)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (id, year) = ids(&id, &year, state.store.today())?;
    cap::sheet_download(&state.store, &api.user.actor(), api.lang, id, year).await
}

/// The accounts and the period asked for.
fn compare_query(
    q: &std::collections::HashMap<String, String>,
    today: time::Date,
) -> Result<(Vec<AccountId>, i32, Option<usize>), ApiError> {
    let accounts = cap::parse_accounts(q.get("accounts").map(String::as_str).unwrap_or(""))
        .ok_or_else(|| ApiError::field("accounts", "capability.err_accounts"))?;
    let (year, month) = match q.get("month").filter(|m| !m.is_empty()) {
        Some(m) => cap::parse_period(m).ok_or_else(|| ApiError::field("month", "err.period"))?,
        None => (today.year(), Some(u8::from(today.month()) as usize)),
    };
    Ok((accounts, year, month))
}

async fn compare_xlsx(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Response, ApiError> {
    let (accounts, year, month) = compare_query(&q, state.store.today())?;
    cap::compare_download(&state.store, &api.user.actor(), api.lang, &accounts, year, month).await
}

async fn compare(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<Json_>, ApiError> {
    let (accounts, year, month) = compare_query(&q, state.store.today())?;
    let items = cap::compare(&state.store, &api.user.actor(), &accounts, year, month).await?;
    Ok(Json(cap::compare_json(api.lang, year, month, &items)))
}
