//! /api/v1/accounts/{id}/dossier: the account's whole file as one workbook,
//! and the way back — the diff of an edited dossier, then what the caller
//! accepts of it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::{AccountId, FieldErrors};
use serde_json::json;

use super::Id;
use super::routes::*;
use crate::AppState;
use crate::auth::ApiUser;
use crate::dossier;
use crate::error::ApiError;
use crate::import;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/accounts/{id}/dossier.xlsx", download, doc("downloadAccountDossier", "accounts", "The account's whole file as one workbook: profile (one field per row, with its code), contacts (with their ids), competition, every activity kind, order lines, contracts, ledger and statements — only what the caller may see; audited").file(XLSX))
        .post_upload(
            "/api/v1/accounts/{id}/dossier",
            upload,
            import::MAX_UPLOAD + 64 * 1024,
            doc("diffAccountDossier", "accounts", "Upload an edited dossier of this account: the field-by-field diff against the dossier as it would be exported now — profile changes, contact changes (by id) and new contacts, each with `error` when it cannot be written (the form's rules and the field rules), and the cells changed on read-only sheets (ledger, orders, signed records), which are refused. Writes nothing")
                .upload("file")
                .ok("DossierDiff"),
        )
        .post("/api/v1/accounts/{id}/dossier/apply", apply, doc("applyAccountDossier", "accounts", "Write the accepted changes of a diff (each as the diff gave it: `before` must still be the value now, or it is refused as stale) in one audited transaction").body("DossierAccepted").ok("DossierApplied"))
}

async fn download(State(state): State<AppState>, api: ApiUser, Id(id): Id<AccountId>) -> Result<Response, ApiError> {
    let bytes = dossier::export::<ApiError>(&state.store, &api.user.actor(), api.lang, id).await?;
    Ok(crate::downloads::xlsx_response(&format!("dossier-{}.xlsx", id.0), bytes))
}

async fn upload(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    mut parts: Multipart,
) -> Result<Response, ApiError> {
    let mut file = None;
    while let Some(field) = parts.next_field().await.map_err(|_| ApiError::bad_request())? {
        if field.name() == Some("file") {
            file = Some(field.bytes().await.map_err(|_| ApiError::bad_request())?.to_vec());
        }
    }
    let Some(bytes) = file else {
        let mut e = FieldErrors::default();
        e.add("file", "err.required");
        return Err(ApiError::invalid(&e));
    };
    let d = dossier::diff::<ApiError>(&state.store, &api.user.actor(), api.lang, id, &bytes).await?;
    Ok((StatusCode::OK, Json(json!(d))).into_response())
}

async fn apply(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let accepted: dossier::Accepted = serde_json::from_slice(&body).map_err(|_| {
        let mut e = FieldErrors::default();
        e.add("body", "err.bad_request");
        ApiError::invalid(&e)
    })?;
    let done = dossier::apply::<ApiError>(&state.store, &api.user.actor(), api.lang, id, accepted).await?;
    Ok(Json(json!(done)))
}
