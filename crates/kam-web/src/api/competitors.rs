//! /api/v1/competitors: the shared competitor records.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::contact::{COMPETITOR_FIELDS, SHARE_FIELDS};
use kam_core::{AccountId, CompetitorId};
use serde_json::json;

use super::routes::*;
use super::{Id, Ids, by_role, object, opt_id, parse_fields};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get(
            "/api/v1/competitors.xlsx",
            export,
            doc("exportCompetitors", "competitors", "The competitor profiles as .xlsx, each with the number of the caller's accounts where it competes; audited").file(super::routes::XLSX),
        )
        .get(
            "/api/v1/competitors",
            list,
            doc("listCompetitors", "competitors", "Shared competitor records").ok("CompetitorList"),
        )
        .post(
            "/api/v1/competitors",
            create,
            doc("createCompetitor", "competitors", "Create a competitor").body("CompetitorInput").created("Competitor"),
        )
        .get(
            "/api/v1/competitors/{id}",
            show,
            doc("getCompetitor", "competitors", "One competitor with the number of accounts it is at").ok("Competitor"),
        )
        .patch(
            "/api/v1/competitors/{id}",
            patch,
            doc("patchCompetitor", "competitors", "Change a competitor").body("CompetitorInput").ok("Competitor"),
        )
        .get(
            "/api/v1/competitors/{id}/shares",
            competitor_shares,
            doc("competitorShares", "competitors", "The competitor's share history at the accounts in the caller's scope: every dated observation, by account, oldest first (at most 2,000)").ok("MarketShareList"),
        )
        .get(
            "/api/v1/accounts/{id}/market-shares",
            account_shares,
            doc("accountMarketShares", "competitors", "The share history at an account: each competitor's and ours (代理市场占有率, `competitor_id` null), every dated observation, oldest first").ok("MarketShareList"),
        )
        .post(
            "/api/v1/accounts/{id}/market-shares",
            record_share,
            doc("recordMarketShare", "competitors", "Record a share observed at an account: a competitor's (`competitor_id`), or ours without one; not after today. A competitor's latest observation also sets its position's share at the account (adding the position if need be); by whoever may edit the account; audited").body("MarketShareInput").created("MarketShare"),
        )
        .delete(
            "/api/v1/accounts/{id}/market-shares/{share_id}",
            remove_share,
            doc("removeMarketShare", "competitors", "Remove a share observation entered by mistake (audited; the position's share stays)").no_content(),
        )
}

async fn competitor_shares(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<CompetitorId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let items = state.store.competitor_shares(&api.user.actor(), id).await?;
    Ok(Json(json!({ "items": items })))
}

async fn account_shares(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let items = state.store.account_shares(&api.user.actor(), id).await?;
    Ok(Json(json!({ "items": items })))
}

async fn record_share(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    state.store.account(&actor, id).await?;
    let read_only = ["id", "account_id", "account_name", "competitor_name"];
    let rec = parse_fields(SHARE_FIELDS, &body, &["competitor_id"], &read_only, &by_role(&actor))?;
    let mut errors = kam_core::fields::FieldErrors::default();
    let competitor = opt_id::<CompetitorId>(&body, "competitor_id", &mut errors).flatten();
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    let share = state.store.record_share(&actor, id, competitor, rec).await?;
    Ok((StatusCode::CREATED, Json(json!(share))).into_response())
}

async fn remove_share(
    State(state): State<AppState>,
    api: ApiUser,
    Ids(id, sid): Ids<AccountId>,
) -> Result<StatusCode, ApiError> {
    state.store.remove_share(&api.user.actor(), id, sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

const READ_ONLY: &[&str] = &["id", "account_count"];

async fn export(State(state): State<AppState>, api: ApiUser) -> Result<axum::response::Response, ApiError> {
    let bytes = crate::exports::competitors_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang).await?;
    Ok(crate::downloads::xlsx_response("竞争对手.xlsx", bytes))
}

async fn list(State(state): State<AppState>, api: ApiUser) -> Result<Json<serde_json::Value>, ApiError> {
    let items = state.store.competitors(&api.user.actor()).await?;
    let total = items.len();
    Ok(Json(json!({ "items": items, "page": 1, "per_page": total, "total": total })))
}

async fn show(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<CompetitorId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let c = state.store.competitor(&api.user.actor(), id).await?;
    Ok(Json(json!(c)))
}

async fn create(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    let rec = parse_fields(COMPETITOR_FIELDS, &body, &[], READ_ONLY, &by_role(&actor))?;
    let c = state.store.create_competitor(&actor, rec).await?;
    Ok((StatusCode::CREATED, Json(json!(c))).into_response())
}

async fn patch(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<CompetitorId>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    state.store.competitor(&actor, id).await?;
    let rec = parse_fields(COMPETITOR_FIELDS, &body, &[], READ_ONLY, &by_role(&actor))?;
    let c = state.store.update_competitor(&actor, id, rec).await?;
    Ok(Json(json!(c)))
}
