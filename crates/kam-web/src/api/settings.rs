//! /api/v1/settings: the issuing company, the working hours complaint
//! deadlines count in, and the enabled currencies. Everyone reads them (the
//! company prints on statements, the currencies fill the inputs); the admin
//! changes them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use kam_core::FieldErrors;
use kam_core::settings::{Company, WorkingHours};
use serde_json::{Value, json};

use super::object;
use super::routes::*;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get(
            "/api/v1/settings",
            show,
            doc("getSettings", "settings", "The issuing company, the working hours and the enabled currencies")
                .ok("Settings"),
        )
        .put(
            "/api/v1/settings",
            save,
            doc(
                "putSettings",
                "settings",
                "Change the settings (admin); parts left out stay as they are, all of it is saved or nothing",
            )
            .body("SettingsInput")
            .ok("Settings"),
        )
}

async fn settings_json(state: &AppState, api: &ApiUser) -> Result<Value, ApiError> {
    let store = |e| ApiError::from(e);
    let mut company = serde_json::to_value(state.store.company().await.map_err(store)?).unwrap_or_default();
    // The bank details are money (the visibility table's class): not for those who see none.
    if !kam_core::ledger::can_see_money(&api.user.actor())
        && let Some(c) = company.as_object_mut()
    {
        c.remove("bank_name");
        c.remove("bank_account");
    }
    let w = state.store.working_hours().await.map_err(store)?;
    let currencies = state.store.currencies().await.map_err(store)?;
    let days: Vec<usize> = (0..7).filter(|i| w.days[*i]).map(|i| i + 1).collect();
    Ok(json!({
        "company": company,
        "working_hours": {"start": w.start_text(), "end": w.end_text(), "days": days},
        "currencies": currencies,
        "churn_factor": state.store.churn_factor().await.map_err(store)?,
    }))
}

async fn show(State(state): State<AppState>, api: ApiUser) -> Result<Json<Value>, ApiError> {
    settings_json(&state, &api).await.map(Json)
}

async fn save(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body = object(&body)?;
    let mut errors = FieldErrors::default();
    let mut change = kam_store::settings::SettingsChange::default();
    for key in body.keys() {
        if !["company", "working_hours", "currencies", "churn_factor"].contains(&key.as_str()) {
            errors.add(key, "err.unknown_field");
        }
    }
    if let Some(c) = body.get("company") {
        match serde_json::from_value::<Company>(c.clone()) {
            Ok(c) => change.company = Some(c),
            Err(_) => errors.add("company", "err.type_object"),
        }
    }
    if let Some(w) = body.get("working_hours") {
        let text = |k: &str| w.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let mut days = [false; 7];
        let listed = w.get("days").and_then(Value::as_array).cloned().unwrap_or_default();
        for d in &listed {
            match d.as_u64().filter(|d| (1..=7).contains(d)) {
                Some(d) => days[d as usize - 1] = true,
                None => errors.add("working_hours.days", "err.weekday"),
            }
        }
        match WorkingHours::new(&text("start"), &text("end"), days) {
            Ok(w) => change.working_hours = Some(w),
            Err(e) => {
                for (k, v) in e.0 {
                    let name = match k.as_str() {
                        "work_start" => "working_hours.start",
                        "work_end" => "working_hours.end",
                        _ => "working_hours.days",
                    };
                    errors.add(name, v);
                }
            }
        }
    }
    if let Some(c) = body.get("currencies") {
        match c.as_array().map(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<_>>>()) {
            Some(Some(list)) => change.currencies = Some(list.join(",")),
            _ => errors.add("currencies", "err.currency"),
        }
    }
    if let Some(f) = body.get("churn_factor") {
        match f.as_f64() {
            Some(f) => change.churn_factor = Some(f.to_string()),
            None => errors.add("churn_factor", "err.churn_factor"),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    state.store.save_settings(&api.user.actor(), &change).await?;
    settings_json(&state, &api).await.map(Json)
}
