//! /api/v1/me and /api/v1/search.

use axum::Json;
use axum::extract::State;
use serde_json::json;

use super::QueryMap;
use super::routes::*;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new().get("/api/v1/me", me, doc("getMe", "users", "The calling user").ok("Me")).get(
        "/api/v1/search",
        search,
        doc("search", "search", "Accounts and contacts by any part of a name, code or phone (q=…)")
            .required_query("q", text(), "any part of a name, code or phone; two characters find by bigram")
            .query("limit", int(), "at most this many hits (1–100, default 20)")
            .ok("SearchResult"),
    )
}

async fn me(api: ApiUser) -> Json<serde_json::Value> {
    let u = &api.user;
    Json(json!({
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role.as_str(),
        "team_id": u.team_id,
        "team_name": u.team_name,
        "locale": u.locale,
    }))
}

async fn search(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let text = q.get("q").map(|s| s.trim().chars().take(100).collect::<String>()).unwrap_or_default();
    let limit = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(20).clamp(1, 100);
    let hits = state.store.search(&api.user.actor(), &text, limit).await?;
    Ok(Json(json!({ "items": hits })))
}
