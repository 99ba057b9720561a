//! The profile-card form (new and edit), pool actions, sharing, and the
//! competition and business sub-forms of the 360° page.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kam_core::AccountId;
use kam_core::CompetitorId;
use kam_core::UserId;
use kam_core::account::{FIELDS, GROUPS};
use kam_core::contact::{PARTNER_FIELDS, POSITION_FIELDS};
use kam_core::fields::{FieldDef, Value};
use kam_core::{FieldErrors, Role};
use kam_store::StoreError;
use kam_store::accounts::{Account, AccountFilter, AccountInput};

use super::list::owner_options;
use super::show::{Posted, Tab, TabFilter, show_page};
use crate::AppState;
use crate::auth::{AuthForm, Authed, FormData};
use crate::error::PageError;
use crate::i18n::t;
use crate::pages::{ctx, render, see_other};
use crate::view::{self, Ctx, InputGroup};

#[derive(Template)]
#[template(path = "account_form.html")]
struct FormPage {
    ctx: Ctx,
    title: String,
    action: String,
    cancel: String,
    has_errors: bool,
    similar: Vec<(AccountId, String)>,
    show_relations: bool,
    can_assign: bool,
    owner_options: Vec<(String, String)>,
    owner_value: String,
    owner_error: Option<String>,
    parent_value: String,
    parent_options: Vec<String>,
    parent_error: Option<String>,
    groups: Vec<InputGroup>,
}

struct FormState<'a> {
    values: &'a (dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
    owner_value: String,
    parent_value: String,
    similar: Vec<(AccountId, String)>,
}

async fn form_page(
    state: &AppState,
    auth: &Authed,
    existing: Option<&Account>,
    st: FormState<'_>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let writable = |d: &FieldDef| view::can_write(&auth.user, d);
    let groups = view::form(lang, "account", FIELDS, GROUPS, st.values, &st.errors, &writable, &|_| false);
    let mut owners = vec![("pool".to_string(), t(lang, "accounts.put_in_pool").to_string())];
    owners.extend(owner_options(state, auth).await);
    // Parents: the names of visible accounts, typed or picked from the list.
    let parents = account_names(state, auth).await;
    let page = FormPage {
        ctx: ctx(state, auth, "accounts", None).await,
        title: t(lang, if existing.is_some() { "accounts.edit" } else { "accounts.new" }).to_string(),
        action: existing.map(|a| format!("/accounts/{}", a.id)).unwrap_or_else(|| "/accounts".into()),
        cancel: existing.map(|a| format!("/accounts/{}", a.id)).unwrap_or_else(|| "/accounts".into()),
        has_errors: !st.errors.is_empty(),
        similar: st.similar,
        show_relations: actor.can_write_field(kam_core::fields::Access::General),
        can_assign: matches!(actor.role, Role::Admin | Role::Manager) || existing.is_none(),
        owner_options: owners,
        owner_value: st.owner_value,
        owner_error: st.errors.0.get("owner_id").map(|k| t(lang, k).to_string()),
        parent_value: st.parent_value,
        parent_options: parents,
        parent_error: st.errors.0.get("parent_id").map(|k| t(lang, k).to_string()),
        groups,
    };
    let mut res = render(&page)?;
    if !st.errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub(super) async fn new_form(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    if !auth.user.actor().can_create_account() {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let defaults = |d: &FieldDef| match d.name {
        "currency" => "CNY".to_string(),
        "stage" => "prospect".to_string(),
        _ => String::new(),
    };
    let owner = if auth.user.role == Role::Admin { "pool".to_string() } else { auth.user.id.to_string() };
    form_page(
        &state,
        &auth,
        None,
        FormState {
            values: &defaults,
            errors: FieldErrors::default(),
            owner_value: owner,
            parent_value: String::new(),
            similar: vec![],
        },
    )
    .await
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    let actor = auth.user.actor();
    let a = state.store.account(&actor, id).await?;
    if !actor.can_edit_account(&a.facts()) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let values = view::stored_text(&a.rec);
    let owner = a.owner_id.map(|o| o.to_string()).unwrap_or_else(|| "pool".into());
    // A parent the editor may not see keeps its place by id (its name stays hidden).
    let parent = a.parent_name.clone().or(a.parent_id.map(|p| p.to_string())).unwrap_or_default();
    form_page(
        &state,
        &auth,
        Some(&a),
        FormState {
            values: &values,
            errors: FieldErrors::default(),
            owner_value: owner,
            parent_value: parent,
            similar: vec![],
        },
    )
    .await
}

/// The names of the first 200 visible accounts by name, offered where an
/// account is typed by name (a parent, the duplicate of a merge).
pub(in crate::pages) async fn account_names(state: &AppState, auth: &Authed) -> Vec<String> {
    let f = AccountFilter { page: 1, per_page: 200, sort: Some("name".into()), ..Default::default() };
    state
        .store
        .list_accounts(&auth.user.actor(), &f)
        .await
        .map(|p| p.items.iter().map(|a| a.name().to_string()).collect())
        .unwrap_or_default()
}

/// Resolves the parent field: an id, or the exact name of a visible account.
pub(in crate::pages) async fn resolve_parent(
    state: &AppState,
    auth: &Authed,
    raw: &str,
) -> Result<Option<AccountId>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(id) = raw.parse::<AccountId>() {
        return Ok(Some(id));
    }
    let hits = state.store.search(&auth.user.actor(), raw, 50).await.map_err(|_| ())?;
    hits.into_iter().find(|h| h.entity == "account" && h.name == raw).map(|h| Some(AccountId(h.id))).ok_or(())
}

/// Reads the profile-card form into an input, collecting field errors.
async fn read_input(
    state: &AppState,
    auth: &Authed,
    form: &FormData,
    errors: &mut FieldErrors,
    existing: Option<&Account>,
) -> AccountInput {
    let writable = |d: &FieldDef| view::can_write(&auth.user, d);
    let rec = view::parse_form(FIELDS, form, &writable, errors);
    let actor = auth.user.actor();
    let mut input = AccountInput { rec, ..Default::default() };
    if actor.can_write_field(kam_core::fields::Access::General) {
        if let Some(o) = form.get("owner").filter(|o| !o.is_empty()) {
            let owner = if o == "pool" { None } else { o.parse().ok() };
            if existing.is_none_or(|a| a.owner_id != owner) {
                input.owner = Some(owner);
            }
        }
        match resolve_parent(state, auth, form.text("parent")).await {
            Ok(p) => input.parent = Some(p),
            Err(()) => errors.add("parent_id", "err.parent"),
        }
    }
    input
}

fn field_errors(e: StoreError) -> Result<FieldErrors, PageError> {
    match e {
        StoreError::Invalid(fe) => Ok(fe),
        other => Err(PageError::from(other)),
    }
}

pub(super) async fn create(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    let (auth, form) = (&f.auth, &f.form);
    let mut errors = FieldErrors::default();
    let input = read_input(&state, auth, form, &mut errors, None).await;
    let values = view::posted_text(form);
    let owner_value = form.text("owner").to_string();
    let parent_value = form.text("parent").to_string();
    if !errors.is_empty() {
        return form_page(
            &state,
            auth,
            None,
            FormState { values: &values, errors, owner_value, parent_value, similar: vec![] },
        )
        .await;
    }
    if !form.flag("confirm_similar") {
        let name = input.rec.get("name").and_then(Value::as_text).unwrap_or_default();
        let similar = state.store.similar_accounts(name, None).await?;
        if !similar.is_empty() {
            let similar = similar.into_iter().map(|s| (s.id, s.name)).collect();
            return form_page(
                &state,
                auth,
                None,
                FormState { values: &values, errors, owner_value, parent_value, similar },
            )
            .await;
        }
    }
    match state.store.create_account(&auth.user.actor(), input).await {
        Ok(a) => Ok(see_other(&format!("/accounts/{}", a.id), "common.saved")),
        Err(e) => {
            let errors = field_errors(e)?;
            form_page(
                &state,
                auth,
                None,
                FormState { values: &values, errors, owner_value, parent_value, similar: vec![] },
            )
            .await
        }
    }
}

pub(super) async fn update(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let (auth, form) = (&f.auth, &f.form);
    let actor = auth.user.actor();
    let existing = state.store.account(&actor, id).await?;
    let mut errors = FieldErrors::default();
    let input = read_input(&state, auth, form, &mut errors, Some(&existing)).await;
    let values = view::posted_text(form);
    let stored = view::stored_text(&existing.rec);
    // Read-only fields show what is stored, the rest what was typed.
    let shown = |d: &FieldDef| {
        if view::can_write(&auth.user, d) { values(d) } else { stored(d) }
    };
    let owner_value = form
        .get("owner")
        .map(str::to_string)
        .unwrap_or_else(|| existing.owner_id.map(|o| o.to_string()).unwrap_or_else(|| "pool".into()));
    let parent_value = form.text("parent").to_string();
    if !errors.is_empty() {
        return form_page(
            &state,
            auth,
            Some(&existing),
            FormState { values: &shown, errors, owner_value, parent_value, similar: vec![] },
        )
        .await;
    }
    match state.store.update_account(&actor, id, input).await {
        Ok(_) => Ok(see_other(&format!("/accounts/{id}"), "common.saved")),
        Err(e) => {
            let errors = field_errors(e)?;
            form_page(
                &state,
                auth,
                Some(&existing),
                FormState { values: &shown, errors, owner_value, parent_value, similar: vec![] },
            )
            .await
        }
    }
}

pub(super) async fn delete(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.delete_account(&f.auth.user.actor(), id).await?;
    Ok(see_other("/accounts", "common.deleted"))
}

pub(super) async fn claim(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.claim_account(&f.auth.user.actor(), id).await?;
    Ok(see_other(&format!("/accounts/{id}"), "accounts.claimed"))
}

pub(super) async fn release(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.release_account(&f.auth.user.actor(), id).await?;
    Ok(see_other("/pool", "accounts.released"))
}

pub(super) async fn share(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let user = f.form.int("user_id").map(UserId).ok_or(PageError::BadRequest)?;
    state.store.share_account(&f.auth.user.actor(), id, user).await?;
    Ok(see_other(&format!("/accounts/{id}"), "accounts.share_done"))
}

pub(super) async fn add_position(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let competitor = f.form.int("competitor_id").map(CompetitorId).ok_or(PageError::BadRequest)?;
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(POSITION_FIELDS, &f.form, &|_| true, &mut errors);
    let save = async || state.store.set_position(&f.auth.user.actor(), id, competitor, rec).await;
    sub_form(&state, &f, id, Tab::Competition, errors, save).await
}

pub(super) async fn remove_position(
    State(state): State<AppState>,
    Path((id, pid)): Path<(AccountId, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.remove_position(&f.auth.user.actor(), id, pid).await?;
    Ok(see_other(&format!("/accounts/{id}?tab=competition"), "common.deleted"))
}

pub(super) async fn record_share(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(kam_core::contact::SHARE_FIELDS, &f.form, &|_| true, &mut errors);
    // "Whose share": a competitor's id, or 0 / empty for ours.
    let competitor = f.form.int("competitor_id").filter(|c| *c > 0).map(CompetitorId);
    let save = async || state.store.record_share(&f.auth.user.actor(), id, competitor, rec).await;
    sub_form(&state, &f, id, Tab::Competition, errors, save).await
}

pub(super) async fn remove_share(
    State(state): State<AppState>,
    Path((id, sid)): Path<(AccountId, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.remove_share(&f.auth.user.actor(), id, sid).await?;
    Ok(see_other(&format!("/accounts/{id}?tab=competition"), "common.deleted"))
}

pub(super) async fn add_partner(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(PARTNER_FIELDS, &f.form, &|_| true, &mut errors);
    let save = async || state.store.add_partner(&f.auth.user.actor(), id, rec).await;
    sub_form(&state, &f, id, Tab::Business, errors, save).await
}

/// A sub-form of a tab: saved, back to the tab; refused, the tab again with what was typed and why.
async fn sub_form<T>(
    state: &AppState,
    f: &AuthForm,
    id: AccountId,
    tab: Tab,
    errors: FieldErrors,
    save: impl AsyncFnOnce() -> Result<T, StoreError>,
) -> Result<Response, PageError> {
    crate::pages::form_flow(
        errors,
        save,
        |_| see_other(&format!("/accounts/{id}?tab={}", tab.key()), "common.saved"),
        async |errors| {
            let posted = Some(Posted { form: &f.form, errors });
            let mut res = show_page(state, &f.auth, id, tab, None, posted, TabFilter::default()).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        },
    )
    .await
}

pub(super) async fn remove_partner(
    State(state): State<AppState>,
    Path((id, pid)): Path<(AccountId, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.remove_partner(&f.auth.user.actor(), id, pid).await?;
    Ok(see_other(&format!("/accounts/{id}?tab=business"), "common.deleted"))
}
