//! /api/v1/visit-plans: the plans of a year, one account's plan (read and
//! replace the planned dates), and plan versus actual per rep.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use kam_core::AccountId;
use kam_core::FieldErrors;
use kam_core::time_util::parse_date;
use serde_json::json;
use time::Date;

use super::routes::*;
use super::{QueryMap, object};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/visit-plans", list, doc("listVisitPlans", "visit-plans", "Visit plans 客户拜访计划 (附表二) of a year for the accounts in the caller's scope: twelve planned dates each, with the actual visit dates").query("year", int(), "the year (default: this year, China time)").ok("VisitPlans"))
        .get("/api/v1/visit-plans.xlsx", xlsx, doc("exportVisitPlans", "visit-plans", "附表二 客户拜访计划 of a year as .xlsx laid out like the form (序次, 客户, the first to twelfth visit each with 计划 and 实施; merged headings, borders, A4 landscape); audited").query("year", int(), "the year (default: this year, China time)").file(XLSX))
        .get("/api/v1/visit-plans/summary", summary, doc("visitPlanSummary", "visit-plans", "Plan versus actual per rep over a period: planned, on time, late, missed, pending").query("from", date(), "first day (default: 1 January of this year)").query("to", date(), "last day (default: today)").ok("VisitPlanSummary"))
        .get("/api/v1/accounts/{id}/visit-plans/{year}", show, doc("getVisitPlan", "visit-plans", "One account's visit plan of a year").ok("VisitPlan"))
        .put("/api/v1/accounts/{id}/visit-plans/{year}", replace, doc("setVisitPlan", "visit-plans", "Set the planned dates of an account's year (up to twelve; fulfilled slots keep their visit)").body("VisitPlanInput").ok("VisitPlan"))
}

async fn list(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let year = super::year_param(q.get("year"), state.store.today())?;
    let items = state.store.visit_plans(&api.user.actor(), year, None).await?;
    Ok(Json(json!({ "year": year, "items": items })))
}

async fn xlsx(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<axum::response::Response, ApiError> {
    let year = super::year_param(q.get("year"), state.store.today())?;
    crate::visit_plans::download(&state.store, &api.user.actor(), api.lang, year).await
}

async fn summary(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let today = state.store.today();
    let date = |k: &str, default: Date| -> Result<Date, ApiError> {
        match q.get(k) {
            None => Ok(default),
            Some(v) => parse_date(v).ok_or_else(|| {
                let mut e = FieldErrors::default();
                e.add(k, "err.date");
                ApiError::invalid(&e)
            }),
        }
    };
    let from = date("from", Date::from_ordinal_date(today.year(), 1).unwrap_or(today))?;
    let to = date("to", today)?;
    let items = state.store.visit_plan_summary(&api.user.actor(), from, to, today).await?;
    Ok(Json(json!({ "from": from.to_string(), "to": to.to_string(), "items": items })))
}

async fn show(
    State(state): State<AppState>,
    api: ApiUser,
    Path((id, year)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id: AccountId = id.parse().map_err(|_| ApiError::not_found())?;
    let year = super::year_param(Some(&year), state.store.today())?;
    let plan = state.store.visit_plan(&api.user.actor(), id, year).await?;
    Ok(Json(json!(plan)))
}

/// PUT {"planned": ["2026-01-15", null, …]}: up to twelve planned dates.
async fn replace(
    State(state): State<AppState>,
    api: ApiUser,
    Path((id, year)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id: AccountId = id.parse().map_err(|_| ApiError::not_found())?;
    let year = super::year_param(Some(&year), state.store.today())?;
    let body = object(&body)?;
    let mut errors = FieldErrors::default();
    let mut planned = Vec::new();
    match body.get("planned").and_then(|v| v.as_array()) {
        Some(list) if list.len() <= kam_core::visit_plan::SLOTS => {
            for (i, v) in list.iter().enumerate() {
                match v {
                    serde_json::Value::Null => planned.push(None),
                    serde_json::Value::String(s) if parse_date(s).is_some() => planned.push(parse_date(s)),
                    _ => {
                        errors.add(&format!("planned_{}", i + 1), "err.date");
                        planned.push(None);
                    }
                }
            }
        }
        _ => errors.add("planned", "err.type_text"),
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    let plan = state.store.set_visit_plan(&api.user.actor(), id, year, &planned).await?;
    Ok(Json(json!(plan)))
}
