//! /api/v1/contracts: contracts with `/transition`, `/amendments` and
//! `/attachments` (multipart upload, download within scope).

use axum::body::Bytes;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kam_core::FieldErrors;
use kam_core::contract::{AMENDMENT_FIELDS, FIELDS, MAX_ATTACHMENT_BYTES};
use serde_json::{Value as V, json};

use super::{Id, Ids, object, parse_fields, query_map};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/contracts", get(list).post(create))
        .route("/api/v1/contracts/{id}", get(show).patch(patch))
        .route("/api/v1/contracts/{id}/transition", post(transition))
        .route("/api/v1/contracts/{id}/amendments", get(amendments).post(amend))
        .route(
            "/api/v1/contracts/{id}/attachments",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES + 64 * 1024)),
        )
        .route("/api/v1/contracts/{id}/attachments/{attachment_id}", get(download))
        .route("/api/v1/accounts/{id}/contracts", get(of_account))
}

const READ_ONLY: &[&str] = &[
    "id",
    "account_id",
    "account_name",
    "status",
    "stored_status",
    "current_amount",
    "amendments",
    "attachments",
    "created_at",
    "updated_at",
];

fn any(_: &kam_core::FieldDef) -> bool {
    true
}

async fn list(State(state): State<AppState>, api: ApiUser, RawQuery(raw): RawQuery) -> Result<Json<V>, ApiError> {
    let q = query_map(api.lang, raw)?;
    let account = q.get("account_id").and_then(|a| a.parse().ok());
    let items = state.store.contracts(&api.user.actor(), account).await.map_err(|e| ApiError::store(api.lang, e))?;
    Ok(Json(json!({ "items": items })))
}

async fn of_account(State(state): State<AppState>, api: ApiUser, Id(id): Id) -> Result<Json<V>, ApiError> {
    let items = state.store.contracts(&api.user.actor(), Some(id)).await.map_err(|e| ApiError::store(api.lang, e))?;
    Ok(Json(json!({ "items": items })))
}

async fn show(State(state): State<AppState>, api: ApiUser, Id(id): Id) -> Result<Json<V>, ApiError> {
    let c = state.store.contract(&api.user.actor(), id).await.map_err(|e| ApiError::store(api.lang, e))?;
    Ok(Json(json!(c)))
}

/// POST {"account_id", fields…}
async fn create(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let lang = api.lang;
    let body = object(lang, &body)?;
    let Some(account) = body.get("account_id").and_then(V::as_i64) else {
        let mut e = FieldErrors::default();
        e.add("account_id", "err.required");
        return Err(ApiError::invalid(lang, &e));
    };
    let rec = parse_fields(lang, FIELDS, &body, &["account_id"], &[], &any)?;
    let c = state.store.create_contract(&api.user.actor(), account, rec).await.map_err(|e| ApiError::store(lang, e))?;
    Ok((StatusCode::CREATED, Json(json!(c))).into_response())
}

async fn patch(State(state): State<AppState>, api: ApiUser, Id(id): Id, body: Bytes) -> Result<Json<V>, ApiError> {
    let body = object(api.lang, &body)?;
    let rec = parse_fields(api.lang, FIELDS, &body, &[], READ_ONLY, &any)?;
    let c = state.store.update_contract(&api.user.actor(), id, rec).await.map_err(|e| ApiError::store(api.lang, e))?;
    Ok(Json(json!(c)))
}

/// POST {"to": "active" | "terminated"}
async fn transition(State(state): State<AppState>, api: ApiUser, Id(id): Id, body: Bytes) -> Result<Json<V>, ApiError> {
    let lang = api.lang;
    let body = object(lang, &body)?;
    let to = body.get("to").and_then(V::as_str).filter(|s| matches!(*s, "active" | "terminated"));
    let Some(to) = to else {
        let mut e = FieldErrors::default();
        e.add("to", "err.choice");
        return Err(ApiError::invalid(lang, &e));
    };
    let c = state.store.transition_contract(&api.user.actor(), id, to).await.map_err(|e| ApiError::store(lang, e))?;
    Ok(Json(json!(c)))
}

async fn amendments(State(state): State<AppState>, api: ApiUser, Id(id): Id) -> Result<Json<V>, ApiError> {
    let c = state.store.contract(&api.user.actor(), id).await.map_err(|e| ApiError::store(api.lang, e))?;
    Ok(Json(json!({ "items": c.amendments, "current_amount": c.current_amount })))
}

/// POST {"amended_on", "change", "amount_delta"? (signed minor units)}
async fn amend(State(state): State<AppState>, api: ApiUser, Id(id): Id, body: Bytes) -> Result<Response, ApiError> {
    let body = object(api.lang, &body)?;
    let rec = parse_fields(api.lang, AMENDMENT_FIELDS, &body, &[], &[], &any)?;
    let c = state.store.amend_contract(&api.user.actor(), id, rec).await.map_err(|e| ApiError::store(api.lang, e))?;
    Ok((StatusCode::CREATED, Json(json!(c))).into_response())
}

/// multipart/form-data with one `file` part.
async fn upload(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id,
    mut parts: Multipart,
) -> Result<Response, ApiError> {
    let lang = api.lang;
    let too_large = || {
        let mut e = FieldErrors::default();
        e.add("file", "err.file_too_large");
        ApiError::invalid(lang, &e)
    };
    let mut file = None;
    while let Some(field) = parts.next_field().await.map_err(|_| too_large())? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            file = Some((name, field.bytes().await.map_err(|_| too_large())?.to_vec()));
        }
    }
    let Some((name, body)) = file else {
        let mut e = FieldErrors::default();
        e.add("file", "err.required");
        return Err(ApiError::invalid(lang, &e));
    };
    let a = state
        .store
        .attach_to_contract(&api.user.actor(), id, &name, body)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    Ok((StatusCode::CREATED, Json(json!(a))).into_response())
}

async fn download(State(state): State<AppState>, api: ApiUser, Ids(id, aid): Ids) -> Result<Response, ApiError> {
    let (meta, body) =
        state.store.contract_attachment(&api.user.actor(), id, aid).await.map_err(|e| ApiError::store(api.lang, e))?;
    Ok(crate::pages::file_response(&meta.file_name, &meta.content_type, body))
}
