//! /api/v1/health: the account health score with each factor's figures,
//! weight and contribution, the list of the least healthy accounts in the
//! caller's scope, and the admin's weights.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use kam_core::health::{FACTORS, Weights};
use kam_core::{AccountId, UserId};
use serde_json::{Value, json};

use super::routes::*;
use super::{Id, QueryMap, object};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/accounts/{id}/health", account, doc("getHealth", "health", "The account's health score 0–100 as of today with its seven factors: each one's figures (the overdue share and the revenue trend only for roles that see money), its score 0–1 (null when it does not apply), its weight, the most it can add and what it adds in whole points; the points add up to the score").ok("Health"))
        .get("/api/v1/health", list, doc("listHealth", "health", "The accounts in the caller's scope, lowest score first (accounts without a score last, then by name), with their factors").query("owner", int(), "one rep's accounts (user id)").query("page", int(), "page (from 1)").query("per_page", int(), "rows per page (at most 200)").ok("HealthList"))
        .get("/api/v1/health/weights", weights, doc("getHealthWeights", "health", "The weight of each factor (0–100), in the order of the factors").ok("HealthWeights"))
        .put("/api/v1/health/weights", set_weights, doc("setHealthWeights", "health", "Set the weights (admin; every factor named once, each 0–100, at least one above 0); audited").body("HealthWeights").ok("HealthWeights"))
}

async fn account(State(state): State<AppState>, api: ApiUser, Id(id): Id<AccountId>) -> Result<Json<Value>, ApiError> {
    let actor = api.user.actor();
    let h = state.store.health(&actor, id).await?;
    Ok(Json(crate::health::json(api.lang, &actor, &h)))
}

async fn list(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<Value>, ApiError> {
    let actor = api.user.actor();
    let int = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
    let f = kam_store::health::HealthFilter {
        owner_id: int("owner").map(UserId::from),
        page: int("page").unwrap_or(1),
        per_page: int("per_page").unwrap_or(50),
    };
    let p = state.store.health_list(&actor, &f).await?;
    Ok(Json(json!({
        "items": p.items.iter().map(|h| crate::health::json(api.lang, &actor, h)).collect::<Vec<_>>(),
        "page": p.page, "per_page": p.per_page, "total": p.total,
    })))
}

/// `{"weights": [{"factor": "contact_recency", "weight": 20}, …]}` in the order of the factors.
fn weights_json(w: Weights) -> Value {
    json!({"weights": FACTORS.iter().zip(w.0).map(|(k, v)| json!({"factor": k, "weight": v})).collect::<Vec<_>>()})
}

async fn weights(State(state): State<AppState>, _api: ApiUser) -> Result<Json<Value>, ApiError> {
    Ok(Json(weights_json(state.store.health_weights().await?)))
}

/// PUT the same shape, every factor named once.
async fn set_weights(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body = object(&body)?;
    let items = body.get("weights").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut w: [Option<i64>; 7] = [None; 7];
    for item in &items {
        let pos = item.get("factor").and_then(Value::as_str).and_then(|k| FACTORS.iter().position(|f| *f == k));
        match (pos, item.get("weight").and_then(Value::as_i64)) {
            (Some(i), Some(v)) if w[i].is_none() => w[i] = Some(v),
            _ => return Err(ApiError::field("weights", "health.err_weights")),
        }
    }
    // Every factor named once, each in range.
    let all: Option<Vec<i64>> = w.iter().copied().collect();
    let w = all
        .and_then(|v| <[i64; 7]>::try_from(v).ok())
        .ok_or("health.err_weights")
        .and_then(Weights::new)
        .map_err(|k| ApiError::field("weights", k))?;
    state.store.set_health_weights(&api.user.actor(), w).await?;
    Ok(Json(weights_json(w)))
}
