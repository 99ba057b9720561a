//! Market activity pages: the list, an event's card with its participants
//! (within the reader's scope), and the form.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::AccountId;
use kam_core::EventId;
use kam_core::fields::{Access, FieldDef, Value};
use kam_core::market::{FIELDS, GROUPS};
use kam_core::visibility::Viewer;
use kam_core::{Actor, FieldErrors};
use kam_store::market::Event;

use super::{Flash, ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx, Pager, ShownGroup};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/market-activities", get(list).post(create))
        .route("/market-activities.xlsx", get(export))
        .route("/market-activities/new", get(new_form))
        .route("/market-activities/{id}", get(show).post(update))
        .route("/market-activities/{id}/edit", get(edit_form))
        .route("/market-activities/{id}/delete", post(delete))
        .route("/market-activities/{id}/participants", post(add))
        .route("/market-activities/{id}/participants/{pid}/delete", post(remove))
}

/// One event in a table.
pub struct EventRow {
    pub id: EventId,
    pub date: String,
    pub kind: String,
    pub title: String,
    pub place: String,
    pub count: usize,
}

pub fn event_rows(lang: Lang, events: &[Event]) -> Vec<EventRow> {
    let txt = |e: &Event, f: &str| e.rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
    events
        .iter()
        .map(|e| EventRow {
            id: e.id,
            date: txt(e, "starts_on"),
            kind: view::choice(lang, "event_kind", &txt(e, "kind")),
            title: txt(e, "title"),
            place: txt(e, "place"),
            count: {
                let mut ids: Vec<AccountId> = e.participants.iter().map(|p| p.account_id).collect();
                ids.dedup();
                ids.len()
            },
        })
        .collect()
}

fn writer(actor: &Actor) -> bool {
    actor.can_write_field(Access::General)
}

#[derive(Template)]
#[template(path = "market_list.html")]
struct ListPage {
    ctx: Ctx,
    can_edit: bool,
    events: Vec<EventRow>,
    pager: Pager,
    pager_text: String,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
    msg: Option<String>,
}

/// The market activities as .xlsx.
async fn export(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let bytes =
        crate::exports::market_activities_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang).await?;
    Ok(crate::downloads::xlsx_response("市场活动.xlsx", bytes))
}

async fn list(State(state): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let p = state.store.market_activities(&auth.user.actor(), q.page.unwrap_or(1), 25).await?;
    let pager = Pager::new(p.page, p.per_page, p.total, |n| format!("/market-activities?page={n}"));
    let pager_text = pager.text(lang);
    let page = ListPage {
        ctx: ctx(&state, &auth, "activities", q.msg.as_deref()).await,
        can_edit: writer(&auth.user.actor()),
        events: event_rows(lang, &p.items),
        pager,
        pager_text,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "market_show.html")]
struct ShowPage {
    ctx: Ctx,
    id: EventId,
    title: String,
    can_edit: bool,
    card: Vec<ShownGroup>,
    participants: Vec<(i64, AccountId, String, String, String)>,
    choices: Vec<(String, String)>,
}

async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<EventId>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let e = state.store.market_activity(&actor, id).await?;
    // Who the reader may add: their recordable accounts, and those accounts' contacts.
    let choices = super::recordable_choices(&state, &actor, true).await;
    let page = ShowPage {
        ctx: ctx(&state, &auth, "activities", flash.msg.as_deref()).await,
        id,
        title: e.rec.get("title").and_then(Value::as_text).unwrap_or_default().to_string(),
        can_edit: writer(&actor),
        card: view::card(lang, "market_activity", FIELDS, GROUPS, &e.rec, Viewer::of(&auth.user.actor())),
        participants: e
            .participants
            .iter()
            .map(|p| {
                (
                    p.id,
                    p.account_id,
                    p.account_name.clone(),
                    p.contact_name.clone().unwrap_or_default(),
                    p.note.clone().unwrap_or_default(),
                )
            })
            .collect(),
        choices,
    };
    render(&page)
}

async fn form_page(
    state: &AppState,
    auth: &Authed,
    id: Option<EventId>,
    values: &(dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    if !writer(&auth.user.actor()) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let page = super::SimpleForm {
        ctx: ctx(state, auth, "activities", None).await,
        title: t(lang, if id.is_some() { "market.edit" } else { "market.new" }).into(),
        action: id.map(|i| format!("/market-activities/{i}")).unwrap_or_else(|| "/market-activities".into()),
        cancel: id.map(|i| format!("/market-activities/{i}")).unwrap_or_else(|| "/market-activities".into()),
        has_errors: !errors.is_empty(),
        groups: view::form(lang, "market_activity", FIELDS, GROUPS, values, &errors, &|_| true, &|_| false),
    };
    let failed = !errors.is_empty();
    super::render_checked(&page, failed)
}

async fn new_form(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    form_page(&state, &auth, None, &|_| String::new(), FieldErrors::default()).await
}

async fn edit_form(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<EventId>,
) -> Result<Response, PageError> {
    let e = state.store.market_activity(&auth.user.actor(), id).await?;
    let values = view::stored_text(&e.rec);
    form_page(&state, &auth, Some(id), &values, FieldErrors::default()).await
}

async fn save(state: AppState, f: AuthForm, id: Option<EventId>) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(FIELDS, &f.form, &|_| true, &mut errors);
    let values = view::posted_text(&f.form);
    let actor = f.auth.user.actor();
    crate::pages::form_flow(
        errors,
        async || match id {
            Some(i) => state.store.update_market_activity(&actor, i, rec).await,
            None => state.store.create_market_activity(&actor, rec).await,
        },
        |e| see_other(&format!("/market-activities/{}", e.id), "common.saved"),
        async |errors| form_page(&state, &f.auth, id, &values, errors).await,
    )
    .await
}

async fn create(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    save(state, f, None).await
}

async fn update(State(state): State<AppState>, Path(id): Path<EventId>, f: AuthForm) -> Result<Response, PageError> {
    save(state, f, Some(id)).await
}

async fn delete(State(state): State<AppState>, Path(id): Path<EventId>, f: AuthForm) -> Result<Response, PageError> {
    state.store.delete_market_activity(&f.auth.user.actor(), id).await?;
    Ok(see_other("/market-activities", "common.deleted"))
}

async fn add(State(state): State<AppState>, Path(id): Path<EventId>, f: AuthForm) -> Result<Response, PageError> {
    let who = f.form.text("who");
    let (account, contact) = match who.split_once(':') {
        Some((a, c)) => (a.parse().ok(), c.parse().ok()),
        None => (who.parse().ok(), None),
    };
    let account = account.ok_or(PageError::BadRequest)?;
    let note = f.form.get("note").filter(|n| !n.trim().is_empty());
    state.store.add_participant(&f.auth.user.actor(), id, account, contact, note).await?;
    Ok(see_other(&format!("/market-activities/{id}"), "common.saved"))
}

async fn remove(
    State(state): State<AppState>,
    Path((id, pid)): Path<(EventId, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.remove_participant(&f.auth.user.actor(), id, pid).await?;
    Ok(see_other(&format!("/market-activities/{id}"), "common.deleted"))
}
