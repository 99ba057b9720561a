//! Lifecycle and churn: /api/v1/accounts/{id}/lifecycle (the computed stage,
//! the one set by hand, the churn-risk figures, the churn records),
//! /api/v1/churn-risks, /api/v1/churns (records, their win-back actions, and
//! the report by reason, month, grade and rep).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::AccountId;
use kam_core::lifecycle::{ACTION_FIELDS, CHURN_FIELDS};
use serde_json::{Value, json};

use super::routes::*;
use super::{Id, QueryMap, by_role, object, page_params, parse_fields, year_param};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/accounts/{id}/lifecycle", lifecycle, doc("getAccountLifecycle", "lifecycle", "The account's lifecycle stage: the one in effect (set by hand on the profile card, else computed), the computed one with the rule that gave it, the churn-risk figures (days since the last order against the median gap × the admin's factor; null with fewer than three order days), the order history it read and the churn records with their win-back actions").ok("AccountLifecycle"))
        .post("/api/v1/accounts/{id}/churns", create, doc("createChurn", "lifecycle", "Record that the account churned 客户流失 (date, reason category and words); audited").body("ChurnInput").created("Churn"))
        .get("/api/v1/churn-risks", risks, doc("listChurnRisks", "lifecycle", "Accounts in the caller's scope (mine=true: only those the caller owns) whose days since the last order exceed the factor × their median gap, most overdue against their rhythm first; accounts with a churn record are left out").query("mine", json!({"type": "boolean"}), "only the caller's own accounts").query("limit", json!({"type": "integer", "minimum": 1, "maximum": 500}), "how many (50)").ok("ChurnRisks"))
        .get("/api/v1/churns", list, doc("listChurns", "lifecycle", "Churn records of a year in the caller's scope, newest first, with their win-back actions").query("year", json!({"type": "integer"}), "this year when absent").paged().ok("Churns"))
        .get("/api/v1/churns/report", report, doc("churnReport", "lifecycle", "The churn report of a year: counts by reason category, month, grade and rep, each with how many were won back").query("year", json!({"type": "integer"}), "this year when absent").ok("ChurnReport"))
        .get("/api/v1/churns/report.xlsx", report_xlsx, doc("exportChurnReport", "lifecycle", "The churn report of a year as .xlsx: one sheet each for the counts by reason category, month, grade and rep, with churns and won back as numbers; in the caller's scope; audited").query("year", json!({"type": "integer"}), "this year when absent").file(XLSX))
        .get("/api/v1/churns/{id}", show, doc("getChurn", "lifecycle", "One churn record with its win-back actions").ok("Churn"))
        .patch("/api/v1/churns/{id}", patch, doc("patchChurn", "lifecycle", "Change a churn record's date or reason; audited").body("ChurnPatch").ok("Churn"))
        .post("/api/v1/churns/{id}/actions", add_action, doc("addWinbackAction", "lifecycle", "Add a win-back action 挽回措施 (due date, what; outcome pending unless given); a pending action is a reminder for the account's owner on its day").body("WinbackInput").created("Churn"))
        .patch("/api/v1/winback-actions/{id}", patch_action, doc("patchWinbackAction", "lifecycle", "Record a win-back action's outcome (succeeded: the account counts as won back) or change it; audited").body("WinbackPatch").ok("Churn"))
}

async fn lifecycle(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.store.account_lifecycle(&api.user.actor(), id).await?)))
}

async fn create(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    let rec = parse_fields(CHURN_FIELDS, &body, &[], &["id"], &by_role(&actor))?;
    let c = state.store.create_churn(&actor, id, rec).await?;
    Ok((StatusCode::CREATED, Json(json!(c))).into_response())
}

async fn risks(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<Value>, ApiError> {
    let mine = match q.get("mine").map(String::as_str) {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(_) => return Err(ApiError::field("mine", "err.boolean")),
    };
    let limit = match q.get("limit").filter(|l| !l.is_empty()) {
        None => 50,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=500).contains(l))
            .ok_or_else(|| ApiError::field("limit", "err.range"))?,
    };
    let owner = mine.then_some(api.user.id);
    Ok(Json(json!(state.store.churn_risks(&api.user.actor(), owner, limit).await?)))
}

async fn list(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<Value>, ApiError> {
    let year = year_param(q.get("year"), state.store.today())?;
    let (page, per_page) = page_params(&q);
    Ok(Json(json!(state.store.churns(&api.user.actor(), Some(year), page, per_page).await?)))
}

async fn report_xlsx(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Response, ApiError> {
    let year = year_param(q.get("year"), state.store.today())?;
    let bytes = crate::exports::churn_report_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang, year).await?;
    Ok(crate::downloads::xlsx_response(&format!("churns-{year}.xlsx"), bytes))
}

async fn report(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<Value>, ApiError> {
    let year = year_param(q.get("year"), state.store.today())?;
    Ok(Json(json!(state.store.churn_report(&api.user.actor(), year).await?)))
}

async fn show(State(state): State<AppState>, api: ApiUser, Id(id): Id) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.store.churn(&api.user.actor(), id).await?)))
}

async fn patch(State(state): State<AppState>, api: ApiUser, Id(id): Id, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    let rec = parse_fields(CHURN_FIELDS, &body, &[], &["id"], &by_role(&actor))?;
    Ok(Json(json!(state.store.update_churn(&actor, id, rec).await?)))
}

async fn add_action(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    let rec = parse_fields(ACTION_FIELDS, &body, &[], &["id"], &by_role(&actor))?;
    let c = state.store.add_winback(&actor, id, rec).await?;
    Ok((StatusCode::CREATED, Json(json!(c))).into_response())
}

async fn patch_action(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    let rec = parse_fields(ACTION_FIELDS, &body, &[], &["id"], &by_role(&actor))?;
    Ok(Json(json!(state.store.update_winback(&actor, id, rec).await?)))
}
