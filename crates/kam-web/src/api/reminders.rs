//! /api/v1/reminders: the caller's due and overdue items (and the coming days
//! with `?days=N`), marked done or snoozed.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kam_core::FieldErrors;
use kam_core::time_util::parse_date;
use serde_json::json;

use super::routes::*;
use super::{QueryMap, object};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/reminders", list, doc("listReminders", "reminders", "The caller's reminders due by today + days: follow-ups, planned visits, open objections, complaint deadlines, decision makers' birthdays, contract expiry, work logs to sign; overdue ones first").query("days", int(), "horizon in days after today (0–366, default 0)").ok("ReminderList"))
        .post("/api/v1/reminders/{key}/done", done, doc("reminderDone", "reminders", "Mark a reminder done (it no longer shows)").no_body().no_content())
        .post("/api/v1/reminders/{key}/snooze", snooze, doc("snoozeReminder", "reminders", "Snooze a reminder until a later day").body("Snooze").no_content())
}

async fn list(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let days = q.get("days").and_then(|d| d.parse().ok()).unwrap_or(0).clamp(0, 366);
    let items = state.store.reminders(&api.user, state.store.today(), days).await?;
    Ok(Json(json!({ "items": items, "today": state.store.today().to_string() })))
}

async fn done(State(state): State<AppState>, api: ApiUser, Path(key): Path<String>) -> Result<StatusCode, ApiError> {
    state.store.answer_reminder(&api.user.actor(), &key, true, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn snooze(
    State(state): State<AppState>,
    api: ApiUser,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let body = object(&body)?;
    let until = body.get("until").and_then(|v| v.as_str()).and_then(parse_date).filter(|d| *d > state.store.today());
    let Some(until) = until else {
        let mut e = FieldErrors::default();
        e.add("until", "err.date");
        return Err(ApiError::invalid(&e));
    };
    state.store.answer_reminder(&api.user.actor(), &key, false, Some(until)).await?;
    Ok(StatusCode::NO_CONTENT)
}
