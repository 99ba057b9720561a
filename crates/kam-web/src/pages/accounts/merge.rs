//! Merging a duplicate into this account: pick the duplicate (the similar
//! names are offered), compare the two field by field choosing which value
//! stays, see what moves, confirm.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kam_core::account::FIELDS;
use kam_core::merge;
use kam_core::{AccountId, FieldErrors};
use kam_store::StoreError;
use kam_store::accounts::Account;

use super::form::{account_names, resolve_parent};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::t;
use crate::merging::{ShownRow, field_rows, parse_picks, shown_rows};
use crate::pages::{ctx, render_checked, see_other};
use crate::view::Ctx;

#[derive(Template)]
#[template(path = "account_merge.html")]
struct MergePage {
    ctx: Ctx,
    survivor: Account,
    merged: Option<Account>,
    /// The duplicate as typed (an id or an exact name).
    with: String,
    error: Option<String>,
    suggestions: Vec<(AccountId, String)>,
    names: Vec<String>,
    rows: Vec<ShownRow>,
    moved: Vec<(String, i64)>,
    kept: Vec<(String, i64)>,
}

pub(super) async fn form(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let with = q.get("with").map(String::as_str).unwrap_or("").trim().to_string();
    page(&state, &auth, id, &with, &Default::default(), FieldErrors::default()).await
}

async fn page(
    state: &AppState,
    auth: &Authed,
    id: AccountId,
    with: &str,
    picked: &HashMap<String, String>,
    mut errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let survivor = state.store.account(&actor, id).await?;
    if !merge::can_merge_accounts(&actor, &survivor.facts(), &survivor.facts()) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let mut merged = None;
    if !with.is_empty() {
        match resolve_parent(state, auth, with).await {
            Ok(Some(other)) => match state.store.merge_preview(&actor, id, other).await {
                Ok(p) => merged = Some((p.merged, p.counts)),
                Err(StoreError::Invalid(e)) => errors.0.extend(e.0),
                Err(StoreError::NotFound | StoreError::Merged { .. }) => errors.add("merged_id", "err.merge_other"),
                Err(e) => return Err(e.into()),
            },
            _ => errors.add("merged_id", "err.merge_other"),
        }
    }
    // Other accounts of a close name the user may merge here.
    let similar: Vec<AccountId> =
        state.store.similar_accounts(survivor.name(), Some(id)).await?.iter().take(20).map(|s| s.id).collect();
    let suggestions = state
        .store
        .accounts_by_id(&actor, &similar)
        .await?
        .into_iter()
        .filter(|a| merge::can_merge_accounts(&actor, &survivor.facts(), &a.facts()))
        .map(|a| (a.id, a.name().to_string()))
        .collect();
    let names = account_names(state, auth).await.into_iter().filter(|n| n != survivor.name()).collect();
    let currency = |a: &Account| a.text("currency").unwrap_or("CNY").to_string();
    let (mut rows, mut moved, mut kept) = (Vec::new(), Vec::new(), Vec::new());
    if let Some((m, counts)) = &merged {
        rows = shown_rows(
            lang,
            "account",
            FIELDS,
            field_rows(&actor, &survivor, m),
            picked,
            (&currency(&survivor), &currency(m)),
        );
        let label = |k: &str| t(lang, &format!("merge.what.{k}")).to_string();
        moved = counts.moved.iter().map(|(k, n)| (label(k), *n)).collect();
        kept = counts.kept.iter().map(|(k, n)| (label(k), *n)).collect();
    }
    let error = errors.0.values().next().map(|k| t(lang, k).to_string());
    let failed = error.is_some();
    let page = MergePage {
        ctx: ctx(state, auth, "accounts", None).await,
        survivor,
        merged: merged.map(|(m, _)| m),
        with: with.to_string(),
        error,
        suggestions,
        names,
        rows,
        moved,
        kept,
    };
    render_checked(&page, failed)
}

pub(super) async fn merge(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let actor = f.auth.user.actor();
    let other = f.form.int("merged_id").map(AccountId).ok_or(PageError::BadRequest)?;
    let pairs = f.form.0.iter().filter_map(|(k, v)| k.strip_prefix("pick.").map(|f| (f, v.as_str())));
    let picks = parse_picks(pairs).map_err(|_| PageError::BadRequest)?;
    match state.store.merge_accounts(&actor, id, other, &picks).await {
        Ok(_) => Ok(see_other(&format!("/accounts/{id}"), "merge.done")),
        Err(StoreError::Invalid(e)) => {
            let picked = f.form.0.iter().filter_map(|(k, v)| Some((k.strip_prefix("pick.")?.to_string(), v.clone())));
            page(&state, &f.auth, id, &other.to_string(), &picked.collect(), e).await
        }
        Err(e) => Err(e.into()),
    }
}
