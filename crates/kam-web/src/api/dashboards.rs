//! /api/v1/dashboards/{role}: the figures behind each chart of a role's
//! dashboard, read within the caller's scope.

use axum::Json;
use axum::extract::{Path, State};
use kam_core::dashboard::Board;
use serde_json::{Value, json};

use super::routes::*;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new().get("/api/v1/dashboards/{role}", show, doc("getDashboard", "dashboards", "The figures behind a role's dashboard (role: rep, manager or finance), within the caller's scope: the quarter's attainment per rep and team (rep, manager), the coming three months' forecast per rep against target (rep, manager), the churn risks (the caller's own on the rep board), the receivables' aging summed per currency, and collections of the last twelve months (finance). A rep opens the rep board, finance and auditors the finance board, managers and the admin every board; service staff none (money)").ok("Dashboard"))
}

async fn show(State(state): State<AppState>, api: ApiUser, Path(role): Path<String>) -> Result<Json<Value>, ApiError> {
    let board = Board::parse(&role).ok_or_else(ApiError::not_found)?;
    Ok(Json(json!(state.store.dashboard(&api.user.actor(), board).await?)))
}
