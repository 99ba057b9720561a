//! /api/v1/contacts and the contacts of an account. Personal fields are left
//! out of every answer for readers who may not see them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::AccountId;
use kam_core::Actor;
use kam_core::ContactId;
use kam_core::contact::{FIELDS, LINK_FIELDS};
use kam_core::visibility::Viewer;
use kam_store::contacts::{Contact, ContactFilter};
use serde_json::json;

use super::routes::*;
use super::{Id, Ids, QueryMap, by_role, object, page_params, parse_fields};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::redact;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get(
            "/api/v1/contacts.xlsx",
            export,
            doc(
                "exportContacts",
                "contacts",
                "The contacts list as .xlsx with the same filters as GET /api/v1/contacts (every page, at most 50,000 rows): the fields the caller may see of each contact (personal data only where the caller owns one of its accounts), its first account and the title there — the columns a contact import reads; audited",
            )
            .query("account_id", int(), "contacts of one account")
            .query("buying_role", text(), "buying role")
            .file(XLSX),
        )
        .get(
            "/api/v1/contacts",
            list,
            doc(
                "listContacts",
                "contacts",
                "Contacts in the caller's scope; filters account_id, buying_role; page, per_page",
            )
            .paged()
            .query("account_id", int(), "contacts of one account")
            .query("buying_role", text(), "buying role")
            .ok("ContactList"),
        )
        .post(
            "/api/v1/contacts",
            create,
            doc("createContact", "contacts", "Create a contact (account_id required)")
                .body("ContactInput")
                .created("Contact"),
        )
        .get(
            "/api/v1/contacts/{id}",
            show,
            doc("getContact", "contacts", "One contact; personal fields only for the owner, managers and admin")
                .ok("Contact"),
        )
        .patch(
            "/api/v1/contacts/{id}",
            patch,
            doc("patchContact", "contacts", "Change the named fields of a contact").body("ContactPatch").ok("Contact"),
        )
        .delete("/api/v1/contacts/{id}", delete, doc("deleteContact", "contacts", "Archive a contact").no_content())
        .get(
            "/api/v1/contacts/{id}/history",
            history,
            doc("contactHistory", "contacts", "Audit trail of a contact").ok("History"),
        )
        .get(
            "/api/v1/accounts/{id}/contacts",
            of_account,
            doc("accountContacts", "contacts", "Contacts of an account").ok("ContactList"),
        )
        .post(
            "/api/v1/accounts/{id}/contacts",
            create_at_account,
            doc("createAccountContact", "contacts", "Create a contact at this account")
                .body("ContactInput")
                .created("Contact"),
        )
        .put(
            "/api/v1/accounts/{id}/contacts/{contact_id}",
            link,
            doc("linkContact", "contacts", "Tie an existing contact to this account, or change the tie")
                .body("ContactLink")
                .ok("Contact"),
        )
        .delete(
            "/api/v1/accounts/{id}/contacts/{contact_id}",
            unlink,
            doc("unlinkContact", "contacts", "Remove a contact's tie to this account").no_content(),
        )
}

const READ_ONLY: &[&str] = &["id", "accounts", "created_at", "updated_at", "age"];
const LINK_KEYS: &[&str] = &["title", "buying_role", "relationship", "attitude", "is_primary"];

/// A contact as JSON, with what the reader may see.
pub fn contact_json(actor: &Actor, mut c: Contact) -> serde_json::Value {
    Viewer::new(actor, c.actor_owns_account).strip_record("contact", &mut c.rec);
    let mut v = json!(c);
    // Convenience: the title at the first account.
    v["title"] =
        c.accounts.first().and_then(|l| l.rec.get("title")).map(|t| t.to_json()).unwrap_or(serde_json::Value::Null);
    v
}

async fn list(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (page, per_page) = page_params(&q);
    let f = ContactFilter {
        account_id: q.get("account_id").and_then(|v| v.parse().ok()),
        buying_role: q.get("buying_role").cloned(),
        page,
        per_page,
    };
    let actor = api.user.actor();
    let p = state.store.list_contacts(&actor, &f).await?;
    let items: Vec<_> = p.items.into_iter().map(|c| contact_json(&actor, c)).collect();
    Ok(Json(json!({ "items": items, "page": p.page, "per_page": p.per_page, "total": p.total })))
}

/// The list as .xlsx, the same filters as the list.
async fn export(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<axum::response::Response, ApiError> {
    let f = ContactFilter {
        account_id: q.get("account_id").and_then(|v| v.parse().ok()),
        buying_role: q.get("buying_role").cloned(),
        ..Default::default()
    };
    let bytes = crate::exports::contacts_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang, f).await?;
    Ok(crate::downloads::xlsx_response("联系人.xlsx", bytes))
}

async fn show(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ContactId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = api.user.actor();
    let c = state.store.contact(&actor, id).await?;
    Ok(Json(contact_json(&actor, c)))
}

/// Whether the actor may write personal fields of a contact at this account.
async fn personal_ok(state: &AppState, actor: &Actor, account_id: AccountId) -> bool {
    match state.store.account(actor, account_id).await {
        Ok(a) => actor.can_see_personal(a.owner_id == Some(actor.user_id)),
        Err(_) => false,
    }
}

async fn create_in(
    state: &AppState,
    api: &ApiUser,
    account_id: AccountId,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<Response, ApiError> {
    let actor = api.user.actor();
    state.store.account(&actor, account_id).await?;
    let personal = personal_ok(state, &actor, account_id).await;
    let contact_body: serde_json::Map<_, _> =
        body.iter().filter(|(k, _)| !LINK_KEYS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    let link_body: serde_json::Map<_, _> =
        body.iter().filter(|(k, _)| LINK_KEYS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    let rec = parse_fields(FIELDS, &contact_body, &["account_id"], READ_ONLY, &|d| {
        (!crate::view::is_personal(d) || personal) && actor.can_write_field(d.access)
    })?;
    let link = parse_fields(LINK_FIELDS, &link_body, &[], &[], &by_role(&actor))?;
    let c = state.store.create_contact(&actor, account_id, rec, link).await?;
    Ok((StatusCode::CREATED, Json(contact_json(&actor, c))).into_response())
}

async fn create(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let account_id = super::required_id(&body, "account_id")?;
    create_in(&state, &api, account_id, &body).await
}

async fn create_at_account(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    create_in(&state, &api, id, &body).await
}

async fn of_account(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = api.user.actor();
    let list = state.store.account_contacts(&actor, id).await?;
    let items: Vec<_> = list.into_iter().map(|c| contact_json(&actor, c)).collect();
    Ok(Json(json!({ "items": items })))
}

async fn patch(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ContactId>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    let before = state.store.contact(&actor, id).await?;
    let personal = actor.can_see_personal(before.actor_owns_account);
    let rec = parse_fields(FIELDS, &body, &[], READ_ONLY, &|d| {
        (!crate::view::is_personal(d) || personal) && actor.can_write_field(d.access)
    })?;
    let c = state.store.update_contact(&actor, id, rec).await?;
    Ok(Json(contact_json(&actor, c)))
}

async fn delete(State(state): State<AppState>, api: ApiUser, Id(id): Id<ContactId>) -> Result<StatusCode, ApiError> {
    state.store.delete_contact(&api.user.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn history(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ContactId>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = api.user.actor();
    let c = state.store.contact(&actor, id).await?;
    let mut rows = state.store.entity_history(&api.user.actor(), "contact", id.0).await?;
    redact::audit(&mut rows, Viewer::new(&actor, c.actor_owns_account));
    Ok(Json(json!({ "items": rows })))
}

/// PUT /accounts/{id}/contacts/{contact_id}: ties a contact to the account or changes the tie.
async fn link(
    State(state): State<AppState>,
    api: ApiUser,
    Ids(account_id, contact_id): Ids<AccountId, ContactId>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = if body.is_empty() { serde_json::Map::new() } else { object(&body)? };
    let actor = api.user.actor();
    state.store.account(&actor, account_id).await?;
    let link = parse_fields(LINK_FIELDS, &body, &[], &["account_id", "account_name"], &by_role(&actor))?;
    let c = state.store.link_contact(&actor, account_id, contact_id, link).await?;
    Ok(Json(contact_json(&actor, c)))
}

async fn unlink(
    State(state): State<AppState>,
    api: ApiUser,
    Ids(account_id, contact_id): Ids<AccountId, ContactId>,
) -> Result<StatusCode, ApiError> {
    state.store.unlink_contact(&api.user.actor(), account_id, contact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
