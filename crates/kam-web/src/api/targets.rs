//! /api/v1/targets and /api/v1/attainment: sales targets per rep and team by
//! month, and attainment of a period against delivered orders and collections.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use kam_core::targets::{Level, Period};
use serde_json::{Value, json};

use super::routes::*;
use super::{QueryMap, object};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/targets", list, doc("listTargets", "targets", "A year's monthly targets (fen) of the reps or the teams in the caller's sight (a rep: their own), each with whether the caller may set it").query("level", one_of(&["rep", "team"]), "rep (default) or team").query("year", int(), "the year (default: this year, China time)").ok("Targets"))
        .put("/api/v1/targets", set, doc("setTargets", "targets", "Set the months of several reps or teams in one transaction (the admin; a manager for the team and its reps); null empties a month; audited per rep or team").body("TargetsInput").ok("Targets"))
        .get("/api/v1/attainment", attainment, doc("getAttainment", "targets", "Targets against delivered orders (with tax, by order date) and against collections (payments, reversals left out) over a period, per rep, per team (its own target, else the reps' sum; both shown) and for the company (callers who see every team)").query("period", text(), "YYYY-MM, YYYY-Qn or YYYY (default: this quarter)").ok("Attainment"))
}

fn level_of(q: Option<&String>) -> Result<Level, ApiError> {
    q.map(|l| Level::parse(l).ok_or_else(|| ApiError::field("level", "err.invalid"))).unwrap_or(Ok(Level::Rep))
}

async fn targets_json(state: &AppState, api: &ApiUser, level: Level, year: i32) -> Result<Value, ApiError> {
    let rows = state.store.targets(&api.user.actor(), level, year).await?;
    Ok(json!({"level": level, "year": year, "items": rows}))
}

async fn list(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<Value>, ApiError> {
    let level = level_of(q.get("level"))?;
    let year = super::year_param(q.get("year"), state.store.today())?;
    Ok(Json(targets_json(&state, &api, level, year).await?))
}

/// PUT {"level": "rep", "year": 2026, "items": [{"id": 3, "months": [null, …, 100000]}]}.
async fn set(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body = object(&body)?;
    let level = level_of(body.get("level").and_then(Value::as_str).map(str::to_string).as_ref())?;
    let year = body
        .get("year")
        .and_then(Value::as_i64)
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| ApiError::field("year", "err.range"))? as i32;
    let mut rows = Vec::new();
    for (i, item) in body.get("items").and_then(Value::as_array).cloned().unwrap_or_default().iter().enumerate() {
        let id = item
            .get("id")
            .and_then(Value::as_i64)
            .ok_or_else(|| ApiError::field(&format!("items.{i}.id"), "err.required"))?;
        let months = item.get("months").and_then(Value::as_array).filter(|m| m.len() == 12);
        let months = months.ok_or_else(|| ApiError::field(&format!("items.{i}.months"), "target.err_months"))?;
        let mut m = [None; 12];
        for (k, v) in months.iter().enumerate() {
            m[k] = match v {
                Value::Null => None,
                v => Some(
                    v.as_i64()
                        .filter(|a| *a >= 0)
                        .ok_or_else(|| ApiError::field(&format!("items.{i}.months.{k}"), "target.err_amount"))?,
                ),
            };
        }
        rows.push((id, m));
    }
    state.store.set_targets(&api.user.actor(), level, year, &rows).await?;
    Ok(Json(targets_json(&state, &api, level, year).await?))
}

async fn attainment(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<Value>, ApiError> {
    let p = match q.get("period").filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p).ok_or_else(|| ApiError::field("period", "err.period"))?,
        None => Period::quarter_of(state.store.today()),
    };
    Ok(Json(json!(state.store.attainment(&api.user.actor(), &p).await?)))
}
