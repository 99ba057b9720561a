//! /api/v1/market-analyses: market records per industry and region (市场分析)
//! and the region × industry view of the caller's accounts and revenue.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::market::ANALYSIS_FIELDS;
use kam_store::market_analyses::AnalysisFilter;
use serde_json::json;

use super::routes::*;
use super::{Id, QueryMap, by_role, object, page_params, parse_fields, year_param};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::redact;

const ENTITY: &str = "market_analysis";

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/market-analyses", list, doc("listMarketAnalyses", "market-analyses", "Market analyses 市场分析 (market size a year, our share, growth, trend, date, source per industry and province/city), the latest first; filters `industry`, `province`; the market size only for readers of money").paged().ok("MarketAnalysisList"))
        .post("/api/v1/market-analyses", create, doc("createMarketAnalysis", "market-analyses", "Record a market analysis (writers of general fields); not dated after today; audited").body("MarketAnalysisInput").created("MarketAnalysis"))
        .get("/api/v1/market-analyses/regions", regions, doc("marketRegions", "market-analyses", "The region × industry view of a year (`year`, this year by default): per province and industry the caller's accounts, their delivered orders with tax (fen; readers of money), and the latest analysis of that market dated up to the year's end with its market size, the share it recorded and ours computed as revenue ÷ market size").ok("MarketRegions"))
        .get("/api/v1/market-analyses/{id}", show, doc("getMarketAnalysis", "market-analyses", "One market analysis").ok("MarketAnalysis"))
        .patch("/api/v1/market-analyses/{id}", patch, doc("patchMarketAnalysis", "market-analyses", "Change the named fields of a market analysis; audited").body("MarketAnalysisInput").ok("MarketAnalysis"))
        .delete("/api/v1/market-analyses/{id}", delete, doc("deleteMarketAnalysis", "market-analyses", "Remove a market analysis (audited)").no_content())
}

const READ_ONLY: &[&str] = &["id", "created_at", "updated_at"];

async fn list(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (page, per_page) = page_params(&q);
    let pick = |k: &str| q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let f = AnalysisFilter { industry: pick("industry"), province: pick("province"), page, per_page };
    let actor = api.user.actor();
    let p = state.store.market_analyses(&actor, &f).await?;
    Ok(Json(
        json!({ "items": redact::json(&actor, ENTITY, &p.items), "page": p.page, "per_page": p.per_page, "total": p.total }),
    ))
}

async fn show(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = api.user.actor();
    let a = state.store.market_analysis(&actor, id).await?;
    Ok(Json(redact::json(&actor, ENTITY, &a)))
}

async fn create(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    let rec = parse_fields(ANALYSIS_FIELDS, &body, &[], READ_ONLY, &by_role(&actor))?;
    let a = state.store.create_market_analysis(&actor, rec).await?;
    Ok((StatusCode::CREATED, Json(redact::json(&actor, ENTITY, &a))).into_response())
}

async fn patch(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<i64>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    state.store.market_analysis(&actor, id).await?;
    let rec = parse_fields(ANALYSIS_FIELDS, &body, &[], READ_ONLY, &by_role(&actor))?;
    let a = state.store.update_market_analysis(&actor, id, rec).await?;
    Ok(Json(redact::json(&actor, ENTITY, &a)))
}

async fn delete(State(state): State<AppState>, api: ApiUser, Id(id): Id<i64>) -> Result<StatusCode, ApiError> {
    state.store.delete_market_analysis(&api.user.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn regions(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let year = year_param(q.get("year"), state.store.today())?;
    let items = state.store.market_regions(&api.user.actor(), year).await?;
    Ok(Json(json!({ "year": year, "items": items })))
}
