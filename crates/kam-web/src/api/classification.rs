//! /api/v1/classification: 附表一 with the computed ABC class and RFM scores,
//! its workbook, accepting the computed class as an account's grade, and the
//! admin's ABC cut-offs.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use kam_core::AccountId;
use kam_core::classification::Thresholds;
use serde_json::{Value, json};

use super::routes::*;
use super::{Id, QueryMap, object};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/classification", list, doc("listClassification", "classification", "附表一 客户归类汇总表: the accounts in the caller's scope by name with their primary contact, address, industry, type and grade, beside the ABC class computed from the trailing twelve months' revenue over the whole company (Pareto at the admin's cut-offs), the RFM scores 1–5 (quintiles; ties take the higher) and whether the grade disagrees; revenue only for roles that see money").query("q", text(), "part of the name").query("industry", text(), "industry code").query("customer_type", text(), "customer type code").query("grade", one_of(kam_core::account::GRADE.values), "the grade given").query("abc", one_of(&["A", "B", "C"]), "the computed class").query("disagreeing", flag(), "only rows whose grade disagrees with the computed class").query("page", int(), "page (from 1)").query("per_page", int(), "rows per page (at most 200)").ok("ClassificationList"))
        .get("/api/v1/classification.xlsx", xlsx, doc("exportClassification", "classification", "附表一 as .xlsx with the same filters (every page, at most 50,000 rows), laid out like the form; audited").query("abc", one_of(&["A", "B", "C"]), "the computed class").query("disagreeing", flag(), "only disagreeing rows").file(XLSX))
        .post("/api/v1/accounts/{id}/classification/accept", accept, doc("acceptClassification", "classification", "Set the account's grade to its computed ABC class as computed now (managers for their team's accounts, admin); audited as an account update").no_body().ok("ClassificationAccepted"))
        .get("/api/v1/classification/thresholds", thresholds, doc("getClassificationThresholds", "classification", "The ABC cut-offs in percent of revenue (A while the accounts above are under a %, B under b %)").ok("ClassificationThresholds"))
        .put("/api/v1/classification/thresholds", set_thresholds, doc("setClassificationThresholds", "classification", "Set the ABC cut-offs (admin; 1 ≤ a < b ≤ 100)").body("ClassificationThresholds").ok("ClassificationThresholds"))
}

async fn list(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<Value>, ApiError> {
    let actor = api.user.actor();
    let f = crate::classification::filter_of(&q);
    let p = state.store.classification(&actor, &f).await?;
    let t = state.store.abc_thresholds().await?;
    Ok(Json(json!({
        "items": crate::classification::rows_json(&actor, &p.items), "page": p.page, "per_page": p.per_page, "total": p.total,
        "thresholds": t,
    })))
}

async fn xlsx(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Response, ApiError> {
    let f = crate::classification::filter_of(&q);
    crate::classification::download(&state.store, &api.user.actor(), api.lang, &f).await
}

async fn accept(State(state): State<AppState>, api: ApiUser, Id(id): Id<AccountId>) -> Result<Json<Value>, ApiError> {
    let grade = state.store.accept_computed_grade(&api.user.actor(), id).await?;
    Ok(Json(json!({"account_id": id, "grade": grade})))
}

async fn thresholds(State(state): State<AppState>, _api: ApiUser) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.store.abc_thresholds().await?)))
}

/// PUT {"a": 80, "b": 95}.
async fn set_thresholds(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body = object(&body)?;
    let get = |k: &str| body.get(k).and_then(Value::as_i64);
    let t = match (get("a"), get("b")) {
        (Some(a), Some(b)) => Thresholds::new(a, b),
        _ => Err("class.err_thresholds"),
    }
    .map_err(|k| ApiError::field("a", k))?;
    state.store.set_abc_thresholds(&api.user.actor(), t).await?;
    Ok(Json(json!(t)))
}
