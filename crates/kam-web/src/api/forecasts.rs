//! /api/v1/forecasts: the BG/NBD fit in use (its parameters and the data it
//! read) and the coming period's forecast per account in scope, with the
//! same-period-last-year forecast and the reps' and teams' sums against their
//! targets; POST /api/v1/forecasts/refresh refits (managers and admin).

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::routes::*;
use super::{QueryMap, page_params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/forecasts", list, doc("listForecasts", "forecasts", "The coming three months' sales forecast: the BG/NBD fit in use (parameters r, alpha, a, b, its log-likelihood, the accounts it read; status too_short when the history is too short), per account in scope P(alive), expected orders, average order and expected revenue (fen), the same period last year with the trend, and the reps' and teams' sums beside their targets; largest expected revenue first").paged().ok("Forecasts"))
        .get("/api/v1/forecasts.xlsx", xlsx, doc("exportForecasts", "forecasts", "The forecast as .xlsx: the teams' and reps' expected revenue, last-year forecast and target, then every account in scope (at most 50,000) with P(alive), expected orders, average order, expected revenue, the last-year forecast and the trend, as numbers; audited").file(XLSX))
        .post("/api/v1/forecasts/refresh", refresh, doc("refreshForecast", "forecasts", "Refit the model on the whole order history up to today (managers and admin); audited").no_body().ok("ForecastFit"))
}

async fn list(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<Value>, ApiError> {
    let (page, per_page) = page_params(&q);
    let f = state.store.forecasts(&api.user.actor(), page, per_page).await?;
    Ok(Json(json!(f)))
}

async fn xlsx(State(state): State<AppState>, api: ApiUser) -> Result<axum::response::Response, ApiError> {
    let bytes = crate::exports::forecasts_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang).await?;
    Ok(crate::downloads::xlsx_response("forecasts.xlsx", bytes))
}

async fn refresh(State(state): State<AppState>, api: ApiUser) -> Result<Json<Value>, ApiError> {
    let fit = state.store.refresh_forecast(Some(&api.user.actor())).await?;
    Ok(Json(json!(fit)))
}
