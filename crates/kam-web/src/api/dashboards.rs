//! /api/v1/dashboards/{role}: the figures behind each chart of a role's
//! dashboard, read within the caller's scope.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use kam_core::dashboard::Board;
use serde_json::{Value, json};

use super::routes::*;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/dashboards/{role}", show, doc("getDashboard", "dashboards", "The figures behind a role's dashboard (role: rep, manager, finance or service), within the caller's scope: the quarter's attainment per rep and team (rep, manager), the coming three months' forecast per rep against target (rep, manager), the churn risks (the caller's own on the rep board), the quarter's visit-plan compliance and the capability trend (manager), complaints by status and against their deadlines and satisfaction and NPS by month (manager, service), the receivables' aging summed per currency (rep, manager, finance), collections of the last twelve months and statements by status (finance), orders on credit hold (manager, finance). A rep opens the rep board, finance the finance board, service staff the service board, auditors the finance and service boards, managers and the admin every board").ok("Dashboard"))
        .get("/api/v1/dashboards/{role}/xlsx", xlsx, doc("exportDashboard", "dashboards", "A role's dashboard as .xlsx: one sheet per chart with the figures of its table as numbers (money in yuan), then the churn risks where the board has them; the same scope and roles as the board; audited").file(XLSX))
}

async fn xlsx(State(state): State<AppState>, api: ApiUser, Path(role): Path<String>) -> Result<Response, ApiError> {
    let board = Board::parse(&role).ok_or_else(ApiError::not_found)?;
    let bytes = crate::dashboards::xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang, board).await?;
    Ok(crate::downloads::xlsx_response(&format!("dashboard-{role}.xlsx"), bytes))
}

async fn show(State(state): State<AppState>, api: ApiUser, Path(role): Path<String>) -> Result<Json<Value>, ApiError> {
    let board = Board::parse(&role).ok_or_else(ApiError::not_found)?;
    Ok(Json(json!(state.store.dashboard(&api.user.actor(), board).await?)))
}
