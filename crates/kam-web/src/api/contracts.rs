//! /api/v1/contracts: contracts with `/transition`, `/amendments` and
//! `/attachments` (multipart upload, download within scope).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::AccountId;
use kam_core::ContractId;
use kam_core::FieldErrors;
use kam_core::contract::{AMENDMENT_FIELDS, FIELDS, MAX_ATTACHMENT_BYTES};
use serde_json::{Value as V, json};

use super::routes::*;
use super::{Id, Ids, QueryMap, object, parse_fields};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::redact;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/contracts.xlsx", export, doc("exportContracts", "contracts", "The contracts list as .xlsx: every contract the caller sees, under its account, with its status; audited").file(super::routes::XLSX))
        .get("/api/v1/contracts", list, doc("listContracts", "contracts", "Contracts 合同与协议 within scope (account_id filter)").query("account_id", int(), "contracts of one account").ok("ContractList"))
        .post("/api/v1/contracts", create, doc("createContract", "contracts", "Add a contract (a draft) to an account").body("ContractInput").created("Contract"))
        .get("/api/v1/contracts/{id}", show, doc("getContract", "contracts", "One contract with its amendments and attachments").ok("Contract"))
        .patch("/api/v1/contracts/{id}", patch, doc("patchContract", "contracts", "Change a draft's terms (an active contract changes by amendment only)").body("ContractInput").ok("Contract"))
        .post("/api/v1/contracts/{id}/transition", transition, doc("transitionContract", "contracts", "Put a draft into force, or terminate").body("ContractTransition").ok("Contract"))
        .get("/api/v1/contracts/{id}/amendments", amendments, doc("listAmendments", "contracts", "The amendments 合同存异与变更情况, oldest first").ok("AmendmentList"))
        .post("/api/v1/contracts/{id}/amendments", amend, doc("amendContract", "contracts", "Record an amendment (dated, with the amount's change); the contract is never overwritten").body("AmendmentInput").created("Contract"))
        .post_upload(
            "/api/v1/contracts/{id}/attachments",
            upload,
            MAX_ATTACHMENT_BYTES + 64 * 1024,
            doc(
                "uploadContractAttachment",
                "contracts",
                "Upload a file (multipart/form-data, part 'file'): PDF, PNG, JPEG, .docx or .xlsx by its bytes, at most 10 MB",
            )
            .upload("file")
            .created("Attachment"),
        )
        .get("/api/v1/contracts/{id}/attachments/{attachment_id}", download, doc("downloadContractAttachment", "contracts", "Download an attachment (within scope; audited)").file("application/octet-stream"))
        .get("/api/v1/accounts/{id}/contracts", of_account, doc("listAccountContracts", "contracts", "The account's contracts").ok("ContractList"))
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

async fn export(State(state): State<AppState>, api: ApiUser) -> Result<axum::response::Response, ApiError> {
    let bytes = crate::exports::contracts_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang).await?;
    Ok(crate::downloads::xlsx_response("合同.xlsx", bytes))
}

async fn list(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<V>, ApiError> {
    let account = q.get("account_id").and_then(|a| a.parse().ok());
    let items = state.store.contracts(&api.user.actor(), account).await?;
    Ok(Json(json!({ "items": redact::json(&api.user.actor(), "contract", &items) })))
}

async fn of_account(State(state): State<AppState>, api: ApiUser, Id(id): Id<AccountId>) -> Result<Json<V>, ApiError> {
    let items = state.store.contracts(&api.user.actor(), Some(id)).await?;
    Ok(Json(json!({ "items": redact::json(&api.user.actor(), "contract", &items) })))
}

async fn show(State(state): State<AppState>, api: ApiUser, Id(id): Id<ContractId>) -> Result<Json<V>, ApiError> {
    let c = state.store.contract(&api.user.actor(), id).await?;
    Ok(Json(redact::json(&api.user.actor(), "contract", &c)))
}

/// POST {"account_id", fields…}
async fn create(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let account = super::required_id(&body, "account_id")?;
    let rec = parse_fields(FIELDS, &body, &["account_id"], &[], &any)?;
    let c = state.store.create_contract(&api.user.actor(), account, rec).await?;
    Ok((StatusCode::CREATED, Json(redact::json(&api.user.actor(), "contract", &c))).into_response())
}

async fn patch(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ContractId>,
    body: Bytes,
) -> Result<Json<V>, ApiError> {
    let body = object(&body)?;
    let rec = parse_fields(FIELDS, &body, &[], READ_ONLY, &any)?;
    let c = state.store.update_contract(&api.user.actor(), id, rec).await?;
    Ok(Json(redact::json(&api.user.actor(), "contract", &c)))
}

/// POST {"to": "active" | "terminated"}
async fn transition(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ContractId>,
    body: Bytes,
) -> Result<Json<V>, ApiError> {
    let body = object(&body)?;
    let to = body.get("to").and_then(V::as_str).filter(|s| matches!(*s, "active" | "terminated"));
    let Some(to) = to else {
        let mut e = FieldErrors::default();
        e.add("to", "err.choice");
        return Err(ApiError::invalid(&e));
    };
    let c = state.store.transition_contract(&api.user.actor(), id, to).await?;
    Ok(Json(redact::json(&api.user.actor(), "contract", &c)))
}

async fn amendments(State(state): State<AppState>, api: ApiUser, Id(id): Id<ContractId>) -> Result<Json<V>, ApiError> {
    let c = state.store.contract(&api.user.actor(), id).await?;
    let mut v = json!({ "items": redact::json(&api.user.actor(), "contract_amendment", &c.amendments) });
    if kam_core::visibility::Viewer::of(&api.user.actor()).sees_field("contract", "current_amount") {
        v["current_amount"] = json!(c.current_amount);
    }
    Ok(Json(v))
}

/// POST {"amended_on", "change", "amount_delta"? (signed minor units)}
async fn amend(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ContractId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let rec = parse_fields(AMENDMENT_FIELDS, &body, &[], &[], &any)?;
    let c = state.store.amend_contract(&api.user.actor(), id, rec).await?;
    Ok((StatusCode::CREATED, Json(redact::json(&api.user.actor(), "contract", &c))).into_response())
}

/// multipart/form-data with one `file` part.
async fn upload(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ContractId>,
    mut parts: Multipart,
) -> Result<Response, ApiError> {
    // Over the size limit: a field error on `file` (422); a body that is not
    // multipart at all: 400.
    let refused = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            let mut f = FieldErrors::default();
            f.add("file", "err.file_too_large");
            ApiError::invalid(&f)
        } else {
            ApiError::bad_request()
        }
    };
    let mut file = None;
    while let Some(field) = parts.next_field().await.map_err(refused)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            file = Some((name, field.bytes().await.map_err(refused)?.to_vec()));
        }
    }
    let Some((name, body)) = file else {
        let mut e = FieldErrors::default();
        e.add("file", "err.required");
        return Err(ApiError::invalid(&e));
    };
    let a = state.store.attach_to_contract(&api.user.actor(), id, &name, body).await?;
    Ok((StatusCode::CREATED, Json(json!(a))).into_response())
}

async fn download(
    State(state): State<AppState>,
    api: ApiUser,
    Ids(id, aid): Ids<ContractId>,
) -> Result<Response, ApiError> {
    let (meta, body) = state.store.contract_attachment(&api.user.actor(), id, aid).await?;
    Ok(crate::downloads::file_response(&meta.file_name, &meta.content_type, body))
}
