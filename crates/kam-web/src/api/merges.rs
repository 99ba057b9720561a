//! /api/v1/accounts/{id}/merge and /api/v1/contacts/{id}/merge: the
//! comparison of two duplicates and the merge of one into the other.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use kam_core::{AccountId, ContactId};
use serde_json::json;

use super::routes::*;
use super::{Id, QueryMap, object};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::merging::{contact_field_rows, field_rows, parse_picks};
use crate::redact;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/accounts/{id}/merge", preview, doc("previewAccountMerge", "accounts", "What merging the account `merged_id` into this one would do: the fields side by side (only those the caller may see; `default` is the value kept when no pick is sent, `pickable` whether the caller may choose), and the records that would move or stay. Writes nothing").query("merged_id", int(), "the duplicate to merge into this account").ok("MergePreview"))
        .post("/api/v1/accounts/{id}/merge", merge, doc("mergeAccounts", "accounts", "Merge the duplicate `merged_id` into this account in one audited transaction: each field as picked (`picks`: field → survivor | merged; unpicked fields keep this account's value, or take the other's where this one has none); contacts, activities, orders, contracts, visits and plans, complaints, subsidiaries, shares and history move; the ledger moves by copies and reversals on the entries' own dates (no entry changes). The merged-away id then answers 410 with `merged_into` and a Location").body("MergeInput").ok("MergeResult"))
        .get("/api/v1/contacts/{id}/merge", contact_preview, doc("previewContactMerge", "contacts", "What merging the contact `merged_id` into this one would do: the fields side by side (personal fields only where the caller sees them on both), `pickable` per field, and the ties and mentions that would move. Writes nothing").query("merged_id", int(), "the duplicate to merge into this contact").ok("ContactMergePreview"))
        .post("/api/v1/contacts/{id}/merge", contact_merge, doc("mergeContacts", "contacts", "Merge the duplicate contact `merged_id` into this one in one audited transaction: each field as picked (unpicked fields keep this contact's value, or take the other's where this one has none); its ties to accounts move where this contact has none, its mentions in interactions, market activities and work-log visits follow. The merged-away id then answers 410 with `merged_into`").body("MergeInput").ok("ContactMergeResult"))
}

fn merged_id<T: From<i64>>(q: &std::collections::HashMap<String, String>) -> Result<T, ApiError> {
    q.get("merged_id").and_then(|v| v.trim().parse::<i64>().ok()).map(T::from).ok_or_else(|| {
        let mut e = kam_core::FieldErrors::default();
        e.add("merged_id", "err.required");
        ApiError::invalid(&e)
    })
}

/// The body's picks: field → survivor | merged.
fn body_picks(
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<std::collections::BTreeMap<String, kam_core::merge::Pick>, ApiError> {
    match body.get("picks") {
        None | Some(serde_json::Value::Null) => Ok(Default::default()),
        Some(serde_json::Value::Object(m)) => {
            let pairs: Vec<(&str, &str)> = m.iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap_or(""))).collect();
            Ok(parse_picks(pairs.into_iter())?)
        }
        Some(_) => {
            let mut e = kam_core::FieldErrors::default();
            e.add("picks", "err.bad_request");
            Err(ApiError::invalid(&e))
        }
    }
}

async fn contact_preview(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ContactId>,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = api.user.actor();
    let (s, m, counts, pickable) = state.store.contact_merge_preview(&actor, id, merged_id(&q)?).await?;
    let fields: Vec<_> = contact_field_rows(&actor, &s, &m, &pickable).iter().map(|r| r.to_json()).collect();
    Ok(Json(json!({
        "survivor": super::contacts::contact_json(&actor, s),
        "merged": super::contacts::contact_json(&actor, m),
        "fields": fields,
        "counts": counts,
    })))
}

async fn contact_merge(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ContactId>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = api.user.actor();
    let body = object(&body)?;
    let merged: ContactId = super::required_id(&body, "merged_id")?;
    let done = state.store.merge_contacts(&actor, id, merged, &body_picks(&body)?).await?;
    Ok(Json(json!({
        "survivor": super::contacts::contact_json(&actor, done.survivor),
        "merged_id": done.merged_id,
        "counts": done.counts,
    })))
}

async fn preview(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    QueryMap(q): QueryMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = api.user.actor();
    let merged: AccountId = merged_id(&q)?;
    let p = state.store.merge_preview(&actor, id, merged).await?;
    let fields: Vec<_> = field_rows(&actor, &p.survivor, &p.merged).iter().map(|r| r.to_json()).collect();
    Ok(Json(json!({
        "survivor": redact::json(&actor, "account", &p.survivor),
        "merged": redact::json(&actor, "account", &p.merged),
        "fields": fields,
        "counts": p.counts,
    })))
}

async fn merge(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let actor = api.user.actor();
    let body = object(&body)?;
    let merged: AccountId = super::required_id(&body, "merged_id")?;
    let done = state.store.merge_accounts(&actor, id, merged, &body_picks(&body)?).await?;
    Ok(Json(json!({
        "survivor": redact::json(&actor, "account", &done.survivor),
        "merged_id": done.merged_id,
        "counts": done.counts,
    })))
}
