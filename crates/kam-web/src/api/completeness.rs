//! /api/v1/completeness: how complete an account's archive is (the profile
//! card's fields and the six checks, each with the form that fills it) and the
//! report of the least complete archives in the caller's scope.

use axum::Json;
use axum::extract::State;
use kam_core::AccountId;
use serde_json::{Value, json};

use super::routes::*;
use super::{Id, QueryMap};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/accounts/{id}/completeness", account, doc("getCompleteness", "completeness", "The account's archive as checked today: each field of the profile card, a decision maker among its contacts, this year's visit plan, this month's capability score, last month's statement (when it had ledger activity), a successor for a contract in force ending within 30 days and the account's work logs signed; pass, fail or not applicable, with the page that fills each missing part; percent over the checks that apply").ok("Completeness"))
        .get("/api/v1/completeness", report, doc("listCompleteness", "completeness", "The accounts in the caller's scope, least complete archive first (then by name), each with its checks").query("page", int(), "page (from 1)").query("per_page", int(), "rows per page (at most 200)").ok("CompletenessReport"))
}

async fn account(State(state): State<AppState>, api: ApiUser, Id(id): Id<AccountId>) -> Result<Json<Value>, ApiError> {
    let c = state.store.completeness(&api.user.actor(), id).await?;
    Ok(Json(crate::completeness::json(api.lang, &c, state.store.today())))
}

async fn report(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<Value>, ApiError> {
    let int = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
    let p = state
        .store
        .completeness_report(&api.user.actor(), int("page").unwrap_or(1), int("per_page").unwrap_or(50).clamp(1, 200))
        .await?;
    let today = state.store.today();
    Ok(Json(json!({
        "items": p.items.iter().map(|c| crate::completeness::json(api.lang, c, today)).collect::<Vec<_>>(),
        "page": p.page, "per_page": p.per_page, "total": p.total,
    })))
}
