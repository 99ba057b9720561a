//! Contact pages: list, card (personal fields only for those allowed), form,
//! ties to accounts, history.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::AccountId;
use kam_core::ContactId;
use kam_core::contact::{BUYING_ROLE, FIELDS, GROUPS, LINK_FIELDS};
use kam_core::fields::{FieldDef, Value};
use kam_core::visibility::Viewer;
use kam_core::{FieldErrors, Record, Role};
use kam_store::accounts::AccountFilter;
use kam_store::contacts::{Contact, ContactFilter};

use super::{ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::t;
use crate::view::{self, Ctx, HistoryRow, InputGroup, Pager, ShownGroup};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list))
        .route("/contacts.xlsx", get(export))
        .route("/contacts/{id}", get(show).post(update))
        .route("/contacts/{id}/edit", get(edit_form))
        .route("/contacts/{id}/merge", get(super::contact_merge::form).post(super::contact_merge::merge))
        .route("/contacts/{id}/delete", post(delete))
        .route("/contacts/{id}/links", post(link))
        .route("/contacts/{id}/links/{account_id}/delete", post(unlink))
        .route("/accounts/{id}/contacts/new", get(new_form))
        .route("/accounts/{id}/contacts", post(create))
}

pub struct ContactListRow {
    pub id: ContactId,
    pub name: String,
    pub accounts: String,
    pub mobile: String,
    pub email: String,
}

#[derive(Template)]
#[template(path = "contacts_list.html")]
struct ListPage {
    ctx: Ctx,
    roles: Vec<(String, String)>,
    role: String,
    rows: Vec<ContactListRow>,
    pager: Pager,
    pager_text: String,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    buying_role: Option<String>,
    page: Option<i64>,
    msg: Option<String>,
}

fn text(rec: &Record, f: &str) -> String {
    rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string()
}

/// GET /contacts.xlsx: the list as the viewer filtered it, every page, as a workbook.
async fn export(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let f = ContactFilter { buying_role: q.buying_role.filter(|r| !r.is_empty()), ..Default::default() };
    let bytes = crate::exports::contacts_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang, f).await?;
    Ok(crate::downloads::xlsx_response("联系人.xlsx", bytes))
}

async fn list(State(state): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let role = q.buying_role.clone().unwrap_or_default();
    let f = ContactFilter {
        buying_role: Some(role.clone()),
        page: q.page.unwrap_or(1),
        per_page: 25,
        ..Default::default()
    };
    let page = state.store.list_contacts(&auth.user.actor(), &f).await?;
    let pager = Pager::new(page.page, page.per_page, page.total, |p| format!("/contacts?buying_role={role}&page={p}"));
    let pager_text = pager.text(lang);
    let view = ListPage {
        ctx: ctx(&state, &auth, "contacts", q.msg.as_deref()).await,
        roles: BUYING_ROLE.values.iter().map(|v| (v.to_string(), view::choice(lang, "buying_role", v))).collect(),
        role: role.clone(),
        rows: page
            .items
            .iter()
            .map(|c| ContactListRow {
                id: c.id,
                name: text(&c.rec, "name"),
                accounts: c.accounts.iter().map(|l| l.account_name.as_str()).collect::<Vec<_>>().join("、"),
                mobile: text(&c.rec, "mobile"),
                email: text(&c.rec, "email"),
            })
            .collect(),
        pager,
        pager_text,
    };
    render(&view)
}

pub struct LinkRow {
    pub account_id: AccountId,
    pub account_name: String,
    pub title: String,
    pub buying_role: String,
    pub attitude: String,
    pub relationship: String,
    pub primary: String,
}

#[derive(Template)]
#[template(path = "contact_show.html")]
struct ShowPage {
    ctx: Ctx,
    id: ContactId,
    name: String,
    age: Option<i32>,
    can_edit: bool,
    can_merge: bool,
    tab: String,
    card: Vec<ShownGroup>,
    personal_hidden: bool,
    links: Vec<LinkRow>,
    link_accounts: Vec<(AccountId, String)>,
    groups: Vec<InputGroup>,
    history: Vec<HistoryRow>,
}

#[derive(serde::Deserialize, Default)]
struct ShowQuery {
    tab: Option<String>,
    msg: Option<String>,
}

fn sees_personal(auth: &Authed, c: &Contact) -> bool {
    auth.user.actor().can_see_personal(c.actor_owns_account)
}

/// Accounts the user may tie contacts to (those whose card they may edit).
async fn editable_accounts(state: &AppState, auth: &Authed) -> Vec<(AccountId, String)> {
    let actor = auth.user.actor();
    let f = AccountFilter { page: 1, per_page: 200, sort: Some("name".into()), ..Default::default() };
    state
        .store
        .list_accounts(&actor, &f)
        .await
        .map(|p| {
            p.items
                .into_iter()
                .filter(|a| actor.can_edit_account(&a.facts()) && actor.role != Role::Finance)
                .map(|a| (a.id, a.name().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ContactId>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let c = state.store.contact(&actor, id).await?;
    let personal = sees_personal(&auth, &c);
    let tab = if q.tab.as_deref() == Some("history") { "history" } else { "profile" };
    let mut page = ShowPage {
        ctx: ctx(&state, &auth, "contacts", q.msg.as_deref()).await,
        id,
        name: text(&c.rec, "name"),
        age: if personal {
            c.rec
                .get("birth_date")
                .and_then(Value::as_text)
                .and_then(|b| kam_core::time_util::age(b, state.store.today()))
        } else {
            None
        },
        can_edit: c.actor_can_edit,
        can_merge: kam_core::merge::can_merge_contacts(&actor, c.actor_can_edit, true),
        tab: tab.into(),
        card: view::card(
            lang,
            "contact",
            FIELDS,
            GROUPS,
            &c.rec,
            Viewer::new(&auth.user.actor(), c.actor_owns_account),
        ),
        personal_hidden: !personal,
        links: c
            .accounts
            .iter()
            .map(|l| {
                let en = |f: &str, e: &str| {
                    l.rec.get(f).and_then(Value::as_text).map(|v| view::choice(lang, e, v)).unwrap_or_default()
                };
                LinkRow {
                    account_id: l.account_id,
                    account_name: l.account_name.clone(),
                    title: text(&l.rec, "title"),
                    buying_role: en("buying_role", "buying_role"),
                    attitude: en("attitude", "attitude"),
                    relationship: text(&l.rec, "relationship"),
                    primary: if l.rec.get("is_primary") == Some(&Value::Bool(true)) {
                        t(lang, "common.yes").into()
                    } else {
                        String::new()
                    },
                }
            })
            .collect(),
        link_accounts: vec![],
        groups: vec![],
        history: vec![],
    };
    if tab == "history" {
        let rows = state.store.entity_history(&auth.user.actor(), "contact", id.0).await?;
        page.history = view::history(
            lang,
            &rows,
            Viewer::new(&actor, c.actor_owns_account),
            &view::Names::load(&state.store, &actor, &rows).await,
        );
    } else if c.actor_can_edit {
        page.link_accounts = editable_accounts(&state, &auth).await;
        let none = |_: &FieldDef| String::new();
        page.groups =
            view::form(lang, "contact", LINK_FIELDS, &["link"], &none, &FieldErrors::default(), &|_| true, &|_| false);
    }
    render(&page)
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct FormPage {
    ctx: Ctx,
    title: String,
    subtitle: String,
    action: String,
    cancel: String,
    has_errors: bool,
    groups: Vec<InputGroup>,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    auth: &Authed,
    title: String,
    subtitle: String,
    action: String,
    cancel: String,
    with_link: bool,
    personal: bool,
    values: &(dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let hidden = |d: &FieldDef| view::is_personal(d) && !personal;
    let mut groups = view::form(lang, "contact", FIELDS, GROUPS, values, &errors, &|_| true, &hidden);
    if with_link {
        groups.extend(view::form(lang, "contact", LINK_FIELDS, &["link"], values, &errors, &|_| true, &|_| false));
    }
    let page = FormPage {
        ctx: ctx(state, auth, "contacts", None).await,
        title,
        subtitle,
        action,
        cancel,
        has_errors: !errors.is_empty(),
        groups,
    };
    let mut res = render(&page)?;
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn new_form(
    State(state): State<AppState>,
    auth: Authed,
    Path(account_id): Path<AccountId>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let a = state.store.account(&actor, account_id).await?;
    if !actor.can_edit_account(&a.facts()) || actor.role == Role::Finance {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let personal = actor.can_see_personal(a.owner_id == Some(actor.user_id));
    let none = |_: &FieldDef| String::new();
    form_page(
        &state,
        &auth,
        t(lang, "contacts.new").into(),
        a.name().into(),
        format!("/accounts/{account_id}/contacts"),
        format!("/accounts/{account_id}?tab=contacts"),
        true,
        personal,
        &none,
        FieldErrors::default(),
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    Path(account_id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let (auth, form) = (&f.auth, &f.form);
    let lang = auth.lang;
    let actor = auth.user.actor();
    let a = state.store.account(&actor, account_id).await?;
    let personal = actor.can_see_personal(a.owner_id == Some(actor.user_id));
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(FIELDS, form, &|d| !view::is_personal(d) || personal, &mut errors);
    let link = view::parse_form(LINK_FIELDS, form, &|_| true, &mut errors);
    let values = view::posted_text(form);
    let retry = |errors| {
        form_page(
            &state,
            auth,
            t(lang, "contacts.new").into(),
            a.name().into(),
            format!("/accounts/{account_id}/contacts"),
            format!("/accounts/{account_id}?tab=contacts"),
            true,
            personal,
            &values,
            errors,
        )
    };
    super::form_flow(
        errors,
        async || state.store.create_contact(&actor, account_id, rec, link).await,
        |c| see_other(&format!("/contacts/{}", c.id), "common.saved"),
        async |errors| retry(errors).await,
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ContactId>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let c = state.store.contact(&auth.user.actor(), id).await?;
    if !c.actor_can_edit {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let personal = sees_personal(&auth, &c);
    let values = view::stored_text(&c.rec);
    form_page(
        &state,
        &auth,
        t(lang, "contacts.edit").into(),
        text(&c.rec, "name"),
        format!("/contacts/{id}"),
        format!("/contacts/{id}"),
        false,
        personal,
        &values,
        FieldErrors::default(),
    )
    .await
}

async fn update(State(state): State<AppState>, Path(id): Path<ContactId>, f: AuthForm) -> Result<Response, PageError> {
    let (auth, form) = (&f.auth, &f.form);
    let lang = auth.lang;
    let actor = auth.user.actor();
    let c = state.store.contact(&actor, id).await?;
    let personal = sees_personal(auth, &c);
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(FIELDS, form, &|d| !view::is_personal(d) || personal, &mut errors);
    let values = view::posted_text(form);
    let retry = |errors| {
        form_page(
            &state,
            auth,
            t(lang, "contacts.edit").into(),
            text(&c.rec, "name"),
            format!("/contacts/{id}"),
            format!("/contacts/{id}"),
            false,
            personal,
            &values,
            errors,
        )
    };
    super::form_flow(
        errors,
        async || state.store.update_contact(&actor, id, rec).await,
        |_| see_other(&format!("/contacts/{id}"), "common.saved"),
        async |errors| retry(errors).await,
    )
    .await
}

async fn delete(State(state): State<AppState>, Path(id): Path<ContactId>, f: AuthForm) -> Result<Response, PageError> {
    state.store.delete_contact(&f.auth.user.actor(), id).await?;
    Ok(see_other("/contacts", "common.deleted"))
}

async fn link(State(state): State<AppState>, Path(id): Path<ContactId>, f: AuthForm) -> Result<Response, PageError> {
    let account_id = AccountId(f.form.int("account_id").ok_or(PageError::BadRequest)?);
    let mut errors = FieldErrors::default();
    let link = view::parse_form(LINK_FIELDS, &f.form, &|_| true, &mut errors);
    if !errors.is_empty() {
        return Err(PageError::BadRequest);
    }
    state.store.link_contact(&f.auth.user.actor(), account_id, id, link).await?;
    Ok(see_other(&format!("/contacts/{id}"), "common.saved"))
}

async fn unlink(
    State(state): State<AppState>,
    Path((id, account_id)): Path<(ContactId, AccountId)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.unlink_contact(&f.auth.user.actor(), account_id, id).await?;
    Ok(see_other(&format!("/accounts/{account_id}?tab=contacts"), "common.saved"))
}
