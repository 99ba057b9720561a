//! /api/v1/competitors: the shared competitor records.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::CompetitorId;
use kam_core::contact::COMPETITOR_FIELDS;
use serde_json::json;

use super::routes::*;
use super::{Id, by_role, object, parse_fields};
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
