//! Merging a duplicate contact into this one: pick the duplicate (the other
//! contacts of its accounts are offered), compare field by field choosing
//! which value stays, see what moves, confirm.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kam_core::contact::FIELDS;
use kam_core::{ContactId, FieldErrors};
use kam_store::StoreError;
use kam_store::contacts::Contact;

use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::t;
use crate::merging::{ShownRow, contact_field_rows, parse_picks, shown_rows};
use crate::pages::{ctx, render_checked, see_other};
use crate::view::Ctx;

#[derive(Template)]
#[template(path = "contact_merge.html")]
struct MergePage {
    ctx: Ctx,
    id: ContactId,
    name: String,
    merged: Option<(ContactId, String)>,
    error: Option<String>,
    suggestions: Vec<(ContactId, String)>,
    rows: Vec<ShownRow>,
    moved: Vec<(String, i64)>,
    kept: Vec<(String, i64)>,
}

fn name_of(c: &Contact) -> String {
    c.rec.get("name").and_then(kam_core::Value::as_text).unwrap_or_default().to_string()
}

pub(super) async fn form(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ContactId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let with = q.get("with").map(String::as_str).unwrap_or("").trim().to_string();
    page(&state, &auth, id, &with, &Default::default(), FieldErrors::default()).await
}

async fn page(
    state: &AppState,
    auth: &Authed,
    id: ContactId,
    with: &str,
    picked: &HashMap<String, String>,
    mut errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let survivor = state.store.contact(&actor, id).await?;
    if !kam_core::merge::can_merge_contacts(&actor, survivor.actor_can_edit, true) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    // The other contacts of its accounts are the likely duplicates.
    let mut suggestions = Vec::new();
    for l in survivor.accounts.iter().take(5) {
        for c in state.store.account_contacts(&actor, l.account_id).await? {
            if c.id != id && c.actor_can_edit && !suggestions.iter().any(|(s, _)| *s == c.id) {
                suggestions.push((c.id, name_of(&c)));
            }
        }
    }
    suggestions.truncate(30);
    let (mut rows, mut moved, mut kept, mut merged) = (Vec::new(), Vec::new(), Vec::new(), None);
    if let Some(other) = with.parse::<i64>().ok().map(ContactId) {
        match state.store.contact_merge_preview(&actor, id, other).await {
            Ok((s, m, counts, pickable)) => {
                rows = shown_rows(
                    lang,
                    "contact",
                    FIELDS,
                    contact_field_rows(&actor, &s, &m, &pickable),
                    picked,
                    ("CNY", "CNY"),
                );
                let label = |k: &str| t(lang, &format!("merge.what.{k}")).to_string();
                moved = counts.moved.iter().map(|(k, n)| (label(k), *n)).collect();
                kept = counts.kept.iter().map(|(k, n)| (label(k), *n)).collect();
                merged = Some((m.id, name_of(&m)));
            }
            Err(StoreError::Invalid(e)) => errors.0.extend(e.0),
            Err(StoreError::NotFound | StoreError::Merged { .. } | StoreError::Forbidden(_)) => {
                errors.add("merged_id", "err.merge_other")
            }
            Err(e) => return Err(e.into()),
        }
    } else if !with.is_empty() {
        errors.add("merged_id", "err.merge_other");
    }
    let error = errors.0.values().next().map(|k| t(lang, k).to_string());
    let failed = error.is_some();
    let page = MergePage {
        ctx: ctx(state, auth, "contacts", None).await,
        id,
        name: name_of(&survivor),
        merged,
        error,
        suggestions,
        rows,
        moved,
        kept,
    };
    render_checked(&page, failed)
}

pub(super) async fn merge(
    State(state): State<AppState>,
    Path(id): Path<ContactId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let actor = f.auth.user.actor();
    let other = f.form.int("merged_id").map(ContactId).ok_or(PageError::BadRequest)?;
    let pairs = f.form.0.iter().filter_map(|(k, v)| k.strip_prefix("pick.").map(|f| (f, v.as_str())));
    let picks = parse_picks(pairs).map_err(|_| PageError::BadRequest)?;
    match state.store.merge_contacts(&actor, id, other, &picks).await {
        Ok(_) => Ok(see_other(&format!("/contacts/{id}"), "merge.done")),
        Err(StoreError::Invalid(e)) => {
            let picked = f.form.0.iter().filter_map(|(k, v)| Some((k.strip_prefix("pick.")?.to_string(), v.clone())));
            page(&state, &f.auth, id, &other.0.to_string(), &picked.collect(), e).await
        }
        Err(e) => Err(e.into()),
    }
}
