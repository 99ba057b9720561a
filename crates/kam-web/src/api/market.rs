//! /api/v1/market-activities: events and their participants (within scope).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::AccountId;
use kam_core::EventId;
use kam_core::market::FIELDS;
use serde_json::json;

use super::routes::*;
use super::{Id, Ids, QueryMap, by_role, object, page_params, parse_fields};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/market-activities.xlsx", export, doc("exportMarketActivities", "market-activities", "The market activities as .xlsx, newest first, with the number of participants at the caller's accounts; audited").file(super::routes::XLSX))
        .get("/api/v1/market-activities", list, doc("listMarketActivities", "market-activities", "Market activities 市场活动 (trade shows, seminars, promotions) with their participants within the caller's scope, newest first").paged().ok("MarketActivityList"))
        .post("/api/v1/market-activities", create, doc("createMarketActivity", "market-activities", "Record a market activity (sales reps, managers, admin)").body("MarketActivityInput").created("MarketActivity"))
        .get("/api/v1/market-activities/{id}", show, doc("getMarketActivity", "market-activities", "One market activity; participants from accounts outside the caller's scope are left out").ok("MarketActivity"))
        .patch("/api/v1/market-activities/{id}", patch, doc("patchMarketActivity", "market-activities", "Change the named fields of a market activity").body("MarketActivityInput").ok("MarketActivity"))
        .delete("/api/v1/market-activities/{id}", delete, doc("deleteMarketActivity", "market-activities", "Archive a market activity").no_content())
        .post("/api/v1/market-activities/{id}/participants", add, doc("addMarketParticipant", "market-activities", "Add an account (and one of its contacts) that took part; the caller must be able to edit the account").body("ParticipantInput").created("MarketActivity"))
        .delete("/api/v1/market-activities/{id}/participants/{pid}", remove, doc("removeMarketParticipant", "market-activities", "Remove a participant").no_content())
        .get("/api/v1/accounts/{id}/market-activities", of_account, doc("accountMarketActivities", "market-activities", "The market activities an account took part in").ok("MarketActivityItems"))
}

const READ_ONLY: &[&str] = &["id", "participants", "created_at", "updated_at"];

async fn export(State(state): State<AppState>, api: ApiUser) -> Result<axum::response::Response, ApiError> {
    let bytes = crate::exports::market_activities_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang).await?;
    Ok(crate::downloads::xlsx_response("市场活动.xlsx", bytes))
}

async fn list(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (page, per_page) = page_params(&q);
    let p = state.store.market_activities(&api.user.actor(), page, per_page).await?;
    Ok(Json(json!({ "items": p.items, "page": p.page, "per_page": p.per_page, "total": p.total })))
}

async fn show(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<EventId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let e = state.store.market_activity(&api.user.actor(), id).await?;
    Ok(Json(json!(e)))
}

async fn create(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    let rec = parse_fields(FIELDS, &body, &[], READ_ONLY, &by_role(&actor))?;
    let e = state.store.create_market_activity(&actor, rec).await?;
    Ok((StatusCode::CREATED, Json(json!(e))).into_response())
}

async fn patch(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<EventId>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    state.store.market_activity(&actor, id).await?;
    let rec = parse_fields(FIELDS, &body, &[], READ_ONLY, &by_role(&actor))?;
    let e = state.store.update_market_activity(&actor, id, rec).await?;
    Ok(Json(json!(e)))
}

async fn delete(State(state): State<AppState>, api: ApiUser, Id(id): Id<EventId>) -> Result<StatusCode, ApiError> {
    state.store.delete_market_activity(&api.user.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST {"account_id", "contact_id"?, "note"?}
async fn add(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<EventId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let account = super::required_id(&body, "account_id")?;
    let contact = body.get("contact_id").and_then(|v| v.as_i64()).map(kam_core::ContactId);
    let note = body.get("note").and_then(|v| v.as_str());
    let e = state.store.add_participant(&api.user.actor(), id, account, contact, note).await?;
    Ok((StatusCode::CREATED, Json(json!(e))).into_response())
}

async fn remove(
    State(state): State<AppState>,
    api: ApiUser,
    Ids(id, pid): Ids<EventId>,
) -> Result<StatusCode, ApiError> {
    state.store.remove_participant(&api.user.actor(), id, pid).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn of_account(
    State(state): State<AppState>,
    api: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id: AccountId = id.parse().map_err(|_| ApiError::not_found())?;
    let items = state.store.account_market_activities(&api.user.actor(), id).await?;
    Ok(Json(json!({ "items": items })))
}
