//! /api/v1/accounts: list, get, create, patch, delete, history, claim,
//! release, handover, shares, and the account's competitors and partners.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::AccountId;
use kam_core::FieldErrors;
use kam_core::UserId;
use kam_core::account::FIELDS;
use kam_core::contact::{PARTNER_FIELDS, POSITION_FIELDS};
use kam_core::visibility::Viewer;
use kam_store::accounts::{AccountFilter, AccountInput};
use serde_json::json;

use super::routes::*;
use super::{Id, Ids, QueryMap, by_role, object, opt_id, page_params, parse_fields};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::redact;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/accounts", list, doc("listAccounts", "accounts", "Accounts in the caller's scope; filters grade, customer_type, industry, stage, owner_id, pool, parent_id; sort, dir, page, per_page").paged().query("grade", text(), "客户等级 A–D").query("customer_type", text(), "客户类型").query("industry", text(), "所属行业").query("stage", text(), "lifecycle stage").query("owner_id", int(), "责任业务员").query("pool", flag(), "only accounts of the public pool 公海").query("parent_id", int(), "accounts of a group 上级集团").query("sort", one_of(kam_core::account::SORTABLE), "sort column").query("dir", one_of(&["asc", "desc"]), "sort direction").ok("AccountList"))
        .get("/api/v1/accounts.xlsx", export, doc("exportAccounts", "accounts", "The accounts list as .xlsx with the same filters and sort as GET /api/v1/accounts (every page, at most 50,000 rows), only the fields the caller may see, headers as the fields' labels (so it imports back); audited").query("grade", text(), "客户等级 A–D").query("customer_type", text(), "客户类型").query("industry", text(), "所属行业").query("stage", text(), "lifecycle stage").query("owner_id", int(), "责任业务员").query("pool", flag(), "only accounts of the public pool 公海").query("sort", one_of(kam_core::account::SORTABLE), "sort column").query("dir", one_of(&["asc", "desc"]), "sort direction").file(XLSX))
        .post("/api/v1/accounts", create, doc("createAccount", "accounts", "Create an account (客户资料卡)").body("AccountInput").created("AccountCreated"))
        .post("/api/v1/accounts/handover", handover, doc("handoverAccounts", "accounts", "Hand all accounts of one rep to another").body("Handover").ok("HandoverResult"))
        .get("/api/v1/accounts/{id}", show, doc("getAccount", "accounts", "One account (客户资料卡); finance fields only for finance and admin").ok("Account"))
        .patch("/api/v1/accounts/{id}", patch, doc("patchAccount", "accounts", "Change the named fields of an account").body("AccountPatch").ok("Account"))
        .delete("/api/v1/accounts/{id}", delete, doc("deleteAccount", "accounts", "Archive an account (history is kept)").no_content())
        .get("/api/v1/accounts/{id}/history", history, doc("accountHistory", "accounts", "Audit trail of the account and what hangs off it").ok("History"))
        .post("/api/v1/accounts/{id}/claim", claim, doc("claimAccount", "pool", "Claim an account from the public pool").no_body().ok("Account"))
        .post("/api/v1/accounts/{id}/release", release, doc("releaseAccount", "pool", "Release an account to the public pool").no_body().ok("Account"))
        .post("/api/v1/accounts/{id}/shares", share, doc("shareAccount", "accounts", "Share an account with a user (read access)").body("Share").no_content())
        .get("/api/v1/accounts/{id}/competitors", positions, doc("accountCompetitors", "competitors", "Competitors at this account (share, prices, policy, technical requirements)").ok("PositionList"))
        .post("/api/v1/accounts/{id}/competitors", set_position, doc("setAccountCompetitor", "competitors", "Add or change a competitor's position at this account").body("PositionInput").created("Position"))
        .delete("/api/v1/accounts/{id}/competitors/{position_id}", remove_position, doc("removeAccountCompetitor", "competitors", "Remove a competitor's position").no_content())
        .get("/api/v1/accounts/{id}/partners", partners, doc("accountPartners", "accounts", "The account's suppliers and customers (货源/客户)").ok("PartnerList"))
        .post("/api/v1/accounts/{id}/partners", add_partner, doc("addAccountPartner", "accounts", "Add a supplier or customer of the account").body("PartnerInput").created("Partner"))
        .delete("/api/v1/accounts/{id}/partners/{partner_id}", remove_partner, doc("removeAccountPartner", "accounts", "Remove a supplier or customer").no_content())
}

/// Output-only keys a client may send back unchanged.
const READ_ONLY: &[&str] = &["id", "owner_name", "parent_name", "created_at", "updated_at", "shared_with_me"];

async fn list(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (page, per_page) = page_params(&q);
    let f = AccountFilter { page, per_page, ..filter_of(&q) };
    let p = state.store.list_accounts(&api.user.actor(), &f).await?;
    Ok(Json(
        json!({ "items": redact::json(&api.user.actor(), "account", &p.items), "page": p.page, "per_page": p.per_page, "total": p.total }),
    ))
}

/// The list's filters and sort from the query (the list and its export).
fn filter_of(q: &std::collections::HashMap<String, String>) -> AccountFilter {
    let s = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
    AccountFilter {
        grade: s("grade"),
        customer_type: s("customer_type"),
        industry: s("industry"),
        stage: s("stage"),
        owner_id: q.get("owner_id").and_then(|v| v.parse().ok()),
        pool: matches!(q.get("pool").map(String::as_str), Some("1" | "true")),
        parent_id: q.get("parent_id").and_then(|v| v.parse().ok()),
        sort: s("sort"),
        desc: matches!(q.get("dir").map(String::as_str), Some("desc")),
        page: 1,
        per_page: 50,
    }
}

/// The list as .xlsx, the same filters as the list.
async fn export(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<axum::response::Response, ApiError> {
    let f = AccountFilter { page: 1, per_page: 200, ..filter_of(&q) };
    let bytes = crate::exports::accounts_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang, f).await?;
    Ok(crate::downloads::xlsx_response("客户.xlsx", bytes))
}

async fn show(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let a = state.store.account(&api.user.actor(), id).await?;
    Ok(Json(redact::json(&api.user.actor(), "account", &a)))
}

fn input(api: &ApiUser, body: &serde_json::Map<String, serde_json::Value>) -> Result<AccountInput, ApiError> {
    let actor = api.user.actor();
    let rec = parse_fields(FIELDS, body, &["owner_id", "parent_id"], READ_ONLY, &by_role(&actor))?;
    let mut errors = FieldErrors::default();
    let owner = opt_id(body, "owner_id", &mut errors);
    let parent = opt_id(body, "parent_id", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    Ok(AccountInput { rec, owner, parent })
}

async fn create(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let lang = api.lang;
    let body = object(&body)?;
    let input = input(&api, &body)?;
    let name = input.rec.get("name").and_then(kam_core::Value::as_text).unwrap_or_default().to_string();
    let similar = state.store.similar_accounts(&name, None).await?;
    let a = state.store.create_account(&api.user.actor(), input).await?;
    let mut v = redact::json(&api.user.actor(), "account", &a);
    let warnings: Vec<_> = similar
        .iter()
        .map(|s| json!({"code": "similar_name", "message": crate::i18n::t(lang, "accounts.similar_warning"), "account_id": s.id, "name": s.name}))
        .collect();
    v["warnings"] = json!(warnings);
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

async fn patch(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    // Out-of-scope ids answer 404 before anything about the body is said.
    state.store.account(&actor, id).await?;
    let input = input(&api, &body)?;
    let a = state.store.update_account(&actor, id, input).await?;
    Ok(Json(redact::json(&api.user.actor(), "account", &a)))
}

async fn delete(State(state): State<AppState>, api: ApiUser, Id(id): Id<AccountId>) -> Result<StatusCode, ApiError> {
    state.store.delete_account(&api.user.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn history(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = api.user.actor();
    let a = state.store.account(&actor, id).await?;
    let mut rows = state.store.account_history(id).await?;
    redact::audit(&mut rows, Viewer::new(&actor, a.owner_id == Some(actor.user_id)));
    Ok(Json(json!({ "items": rows })))
}

async fn claim(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let a = state.store.claim_account(&api.user.actor(), id).await?;
    Ok(Json(redact::json(&api.user.actor(), "account", &a)))
}

async fn release(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = api.user.actor();
    state.store.release_account(&actor, id).await?;
    let a = state.store.account(&actor, id).await?;
    Ok(Json(redact::json(&api.user.actor(), "account", &a)))
}

async fn handover(
    State(state): State<AppState>,
    api: ApiUser,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = object(&body)?;
    let mut errors = FieldErrors::default();
    let from = body.get("from_user_id").and_then(|v| v.as_i64()).map(UserId);
    let to = body.get("to_user_id").and_then(|v| v.as_i64()).map(UserId);
    if from.is_none() {
        errors.add("from_user_id", "err.required");
    }
    if to.is_none() {
        errors.add("to_user_id", "err.required");
    }
    let (Some(from), Some(to)) = (from, to) else { return Err(ApiError::invalid(&errors)) };
    let n = state.store.handover(&api.user.actor(), from, to).await?;
    Ok(Json(json!({ "moved": n, "from_user_id": from, "to_user_id": to })))
}

async fn share(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let body = object(&body)?;
    let user = super::required_id(&body, "user_id")?;
    state.store.share_account(&api.user.actor(), id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn positions(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let items = state.store.positions(&api.user.actor(), id).await?;
    Ok(Json(json!({ "items": items })))
}

async fn set_position(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    state.store.account(&actor, id).await?;
    let rec = parse_fields(
        POSITION_FIELDS,
        &body,
        &["competitor_id"],
        &["id", "account_id", "competitor_name"],
        &by_role(&actor),
    )?;
    let cid = super::required_id(&body, "competitor_id")?;
    state.store.set_position(&actor, id, cid, rec).await?;
    let items = state.store.positions(&actor, id).await?;
    let p = items.into_iter().find(|p| p.competitor_id == cid);
    Ok((StatusCode::CREATED, Json(json!(p))).into_response())
}

async fn remove_position(
    State(state): State<AppState>,
    api: ApiUser,
    Ids(id, pid): Ids<AccountId>,
) -> Result<StatusCode, ApiError> {
    state.store.remove_position(&api.user.actor(), id, pid).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn partners(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let items = state.store.partners(&api.user.actor(), id).await?;
    Ok(Json(json!({ "items": items })))
}

async fn add_partner(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    state.store.account(&actor, id).await?;
    let rec = parse_fields(PARTNER_FIELDS, &body, &[], &["id", "account_id"], &by_role(&actor))?;
    let pid = state.store.add_partner(&actor, id, rec).await?;
    let items = state.store.partners(&actor, id).await?;
    Ok((StatusCode::CREATED, Json(json!(items.into_iter().find(|p| p.id == pid)))).into_response())
}

async fn remove_partner(
    State(state): State<AppState>,
    api: ApiUser,
    Ids(id, pid): Ids<AccountId>,
) -> Result<StatusCode, ApiError> {
    state.store.remove_partner(&api.user.actor(), id, pid).await?;
    Ok(StatusCode::NO_CONTENT)
}
