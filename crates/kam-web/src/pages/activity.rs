//! Pages of account activity records, one set of handlers for every kind in
//! `kam_core::activity::KINDS`: the list of all visible records, a record's
//! card, the form, and the rows shown in the account page's tab.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::AccountId;
use kam_core::ActivityId;
use kam_core::ContactId;
use kam_core::activity::{ActivityKind, KINDS};
use kam_core::fields::{FieldDef, Kind, Value};
use kam_core::visibility::Viewer;
use kam_core::{Actor, FieldErrors};
use kam_store::accounts::Account;
use kam_store::activity::{Activity, ActivityFilter};

use super::{ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed, FormData};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx, InputGroup, Pager, ShownGroup};

pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    for kind in KINDS.iter().copied() {
        let res = kind.resource;
        r = r
            .route(&format!("/{res}"), get(move |s, a, q| list(kind, s, a, q)))
            .route(
                &format!("/{res}/{{id}}"),
                get(move |s, a, p, q| show(kind, s, a, p, q)).post(move |s, p, f| update(kind, s, p, f)),
            )
            .route(&format!("/{res}/{{id}}/edit"), get(move |s, a, p, q| edit_form(kind, s, a, p, q)))
            .route(&format!("/{res}/{{id}}/delete"), post(move |s, p, f| delete(kind, s, p, f)))
            .route(&format!("/accounts/{{id}}/{res}/new"), get(move |s, a, p| new_form(kind, s, a, p)))
            .route(&format!("/accounts/{{id}}/{res}"), post(move |s, p, f| create(kind, s, p, f)));
    }
    r.route("/complaints/{id}/transition", post(transition))
}

async fn transition(
    State(state): State<AppState>,
    Path(id): Path<ActivityId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let to = f.form.text("to").to_string();
    let note = f.form.get("note");
    match state.store.transition_complaint(&f.auth.user.actor(), id, &to, note).await {
        Ok(_) => Ok(see_other(&format!("/complaints/{id}"), "complaint.moved")),
        // Not said yet how it was handled: to the form, which says what is missing.
        Err(kam_store::StoreError::Invalid(_)) => {
            Ok(see_other(&format!("/complaints/{id}/edit"), "err.complaint_needs_reply"))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// One line of an activity table.
pub struct Row {
    pub href: String,
    pub when: String,
    pub account_id: AccountId,
    pub account_name: String,
    pub kind: String,
    pub title: String,
    pub note: String,
    pub by: String,
    /// A warning badge (an overdue complaint).
    pub flag: String,
}

fn first_enum(kind: &ActivityKind) -> Option<&'static FieldDef> {
    kind.fields.iter().find(|d| matches!(d.kind, Kind::Enum(_)))
}

fn text_of(lang: Lang, kind: &ActivityKind, a: &Activity, field: &str) -> String {
    match (kam_core::fields::def(kind.fields, field), a.rec.get(field)) {
        (Some(d), Some(v)) => view::display(lang, d, v, "CNY"),
        _ => String::new(),
    }
}

/// Rows for a table of records of one kind.
/// The rows of an account's timeline as the store built it (every kind, orders and contracts).
pub fn timeline_rows(
    lang: Lang,
    actor: &kam_core::Actor,
    items: &[kam_store::activity::TimelineItem],
    now: time::OffsetDateTime,
) -> Vec<Row> {
    use kam_store::activity::TimelineRecord;
    let sees_total = kam_core::visibility::Viewer::of(actor).sees_field("order", "total_with_tax");
    items
        .iter()
        .filter_map(|i| {
            let mut row = match &i.record {
                TimelineRecord::Activity(a) => {
                    let kind = kam_core::activity::KINDS.iter().find(|k| k.entity == i.kind)?;
                    rows(lang, kind, std::slice::from_ref(a), now).pop()?
                }
                TimelineRecord::Order(o) => {
                    let status = super::orders::status_label(lang, &o.status);
                    Row {
                        href: format!("/orders/{}", o.id),
                        when: i.when.clone(),
                        account_id: o.account_id,
                        account_name: o.account_name.clone(),
                        kind: String::new(),
                        title: if sees_total {
                            format!("{} {}", o.number, view::money(o.total_with_tax, o.currency()))
                        } else {
                            o.number.clone()
                        },
                        flag: if o.status == "credit_hold" { status.clone() } else { String::new() },
                        note: status,
                        by: o.created_by_name.clone().unwrap_or_default(),
                    }
                }
                TimelineRecord::Contract(c) => Row {
                    href: format!("/contracts/{}", c.id),
                    when: i.when.clone(),
                    account_id: c.account_id,
                    account_name: c.account_name.clone(),
                    kind: String::new(),
                    title: format!("{} {}", c.text("contract_no"), c.text("title")),
                    note: super::contracts::status_label(lang, &c.status),
                    by: String::new(),
                    flag: String::new(),
                },
            };
            row.kind = t(lang, &format!("entity.{}", i.kind)).to_string();
            Some(row)
        })
        .collect()
}

pub fn rows(lang: Lang, kind: &ActivityKind, items: &[Activity], now: time::OffsetDateTime) -> Vec<Row> {
    items
        .iter()
        .map(|a| {
            let mut title: String = text_of(lang, kind, a, kind.title).chars().take(60).collect();
            if title.is_empty() {
                title = format!("#{}", a.id);
            }
            // Follow-ups show under the title where the kind has them.
            let note = match (
                a.rec.get("next_step").and_then(Value::as_text),
                a.rec.get("follow_up_date").and_then(Value::as_text),
            ) {
                (Some(n), Some(d)) => format!("{n} · {d}"),
                (Some(n), None) => n.to_string(),
                (None, Some(d)) => d.to_string(),
                _ => String::new(),
            };
            let flag = if kam_core::complaint::overdue_of(&a.rec, now).any() {
                t(lang, "complaint.overdue").to_string()
            } else {
                String::new()
            };
            let note = if kind.hooks.workflow {
                let status = kam_core::fields::def(kind.derived, "status")
                    .and_then(|d| a.rec.get("status").map(|v| view::display(lang, d, v, "CNY")))
                    .unwrap_or_default();
                let due = a.rec.get("resolve_due").and_then(Value::as_text).unwrap_or_default().replace('T', " ");
                format!("{status} · {} {due}", t(lang, "field.complaint.resolve_due"))
            } else {
                note
            };
            Row {
                flag,
                href: format!("/{}/{}", kind.resource, a.id),
                when: text_of(lang, kind, a, kind.when).replace('T', " "),
                account_id: a.account_id,
                account_name: a.account_name.clone(),
                kind: first_enum(kind).map(|d| text_of(lang, kind, a, d.name)).unwrap_or_default(),
                title,
                note,
                by: a.created_by_name.clone().unwrap_or_default(),
            }
        })
        .collect()
}

/// Column labels of an activity table.
pub struct Labels {
    pub when_label: String,
    pub kind_label: String,
    pub title_label: String,
}

pub fn labels(lang: Lang, kind: &ActivityKind) -> Labels {
    Labels {
        when_label: view::label(lang, kind.entity, kind.when),
        kind_label: first_enum(kind).map(|d| view::label(lang, kind.entity, d.name)).unwrap_or_default(),
        title_label: view::label(lang, kind.entity, kind.title),
    }
}

#[derive(Template)]
#[template(path = "activity_list.html")]
struct ListPage {
    ctx: Ctx,
    title: String,
    kinds: Vec<(String, String, bool)>,
    rows: Vec<Row>,
    show_account: bool,
    when_label: String,
    kind_label: String,
    title_label: String,
    pager: Pager,
    pager_text: String,
    trend: Vec<kam_core::activity::SurveyMonth>,
}

/// The satisfaction trend for the surveys kind, empty for the others.
pub async fn trend(
    state: &AppState,
    actor: &Actor,
    kind: &ActivityKind,
    account_id: Option<AccountId>,
) -> Vec<kam_core::activity::SurveyMonth> {
    if kind.hooks.monthly_trend {
        state.store.survey_trend(actor, account_id).await.unwrap_or_default()
    } else {
        Vec::new()
    }
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    account_id: Option<AccountId>,
    page: Option<i64>,
    msg: Option<String>,
}

async fn list(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let f = ActivityFilter { account_id: q.account_id, page: q.page.unwrap_or(1), per_page: 25 };
    let page = state.store.list_activities(kind, &auth.user.actor(), &f).await?;
    let pager = Pager::new(page.page, page.per_page, page.total, |p| format!("/{}?page={p}", kind.resource));
    let pager_text =
        t(lang, "common.page").replace("{p}", &pager.page.to_string()).replace("{n}", &pager.pages.to_string());
    let l = labels(lang, kind);
    let view = ListPage {
        ctx: ctx(&state, &auth, "activities", q.msg.as_deref()).await,
        title: t(lang, &format!("activity.{}.title", kind.entity)).into(),
        kinds: KINDS
            .iter()
            .map(|k| {
                (
                    format!("/{}", k.resource),
                    t(lang, &format!("activity.{}.title", k.entity)).to_string(),
                    k.entity == kind.entity,
                )
            })
            .collect(),
        rows: rows(lang, kind, &page.items, state.store.clock().now()),
        show_account: true,
        when_label: l.when_label,
        kind_label: l.kind_label,
        title_label: l.title_label,
        pager,
        pager_text,
        trend: trend(&state, &auth.user.actor(), kind, q.account_id).await,
    };
    render(&view)
}

#[derive(Template)]
#[template(path = "activity_show.html")]
struct ShowPage {
    ctx: Ctx,
    title: String,
    href: String,
    account_id: AccountId,
    account_name: String,
    by: String,
    created: String,
    can_edit: bool,
    card: Vec<ShownGroup>,
    workflow: Option<Workflow>,
}

/// A complaint's workflow on its card: the steps offered, the overdue flags, the history of steps.
pub struct Workflow {
    pub moves: Vec<(String, String)>,
    pub overdue_reply: bool,
    pub overdue_resolution: bool,
    pub steps: Vec<(String, String, String, String)>,
}

async fn may_record(state: &AppState, actor: &Actor, account_id: AccountId) -> bool {
    match state.store.account(actor, account_id).await {
        Ok(a) => actor.can_record_activity(&a.facts()),
        Err(_) => false,
    }
}

async fn show(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ActivityId>,
    Query(flash): Query<super::Flash>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let a = state.store.activity(kind, &actor, id).await?;
    let page = ShowPage {
        ctx: ctx(&state, &auth, "activities", flash.msg.as_deref()).await,
        title: format!(
            "{} · {}",
            t(lang, &format!("entity.{}", kind.entity)),
            text_of(lang, kind, &a, kind.when).replace('T', " ")
        ),
        href: format!("/{}/{id}", kind.resource),
        account_id: a.account_id,
        account_name: a.account_name.clone(),
        by: a.created_by_name.clone().unwrap_or_default(),
        created: kam_core::time_util::display_ts(&a.created_at),
        can_edit: may_record(&state, &actor, a.account_id).await,
        card: {
            let viewer = Viewer::of(&actor);
            let mut card = view::card(lang, kind.entity, kind.derived, &["workflow"], &a.rec, viewer);
            card.extend(view::card(lang, kind.entity, kind.fields, kind.groups, &a.rec, viewer));
            card
        },
        workflow: None,
    };
    let mut page = page;
    // Linked contacts show by name.
    if let Some(d) = kind.fields.iter().find(|d| matches!(d.kind, kam_core::Kind::IdList))
        && let Some(ids) = a.rec.get(d.name).and_then(Value::as_text)
    {
        let contacts = state.store.account_contacts(&actor, a.account_id).await.unwrap_or_default();
        let names: Vec<String> = ids
            .split(',')
            .filter_map(|id| id.parse::<i64>().ok())
            .filter_map(|id| contacts.iter().find(|c| c.id == ContactId(id)))
            .filter_map(|c| c.rec.get("name").and_then(Value::as_text).map(str::to_string))
            .collect();
        let label = view::label(lang, kind.entity, d.name);
        for item in page.card.iter_mut().flat_map(|g| g.items.iter_mut()).filter(|i| i.label == label) {
            item.value = names.join("、");
        }
    }
    if kind.hooks.workflow {
        let status = a.rec.get("status").and_then(Value::as_text).unwrap_or("received");
        let o = kam_core::complaint::overdue_of(&a.rec, state.store.clock().now());
        let label = |s: &str| view::choice(lang, "complaint_status", s);
        let steps = state.store.complaint_steps(&actor, id).await?;
        page.workflow = Some(Workflow {
            moves: if page.can_edit {
                kam_core::complaint::next_steps(status)
                    .into_iter()
                    .map(|to| {
                        let text = if status == "closed" {
                            t(lang, "complaint.reopen").to_string()
                        } else {
                            format!("{} {}", t(lang, "complaint.move_to"), label(to))
                        };
                        (to.to_string(), text)
                    })
                    .collect()
            } else {
                vec![]
            },
            overdue_reply: o.reply,
            overdue_resolution: o.resolution,
            steps: steps
                .into_iter()
                .map(|s| {
                    (
                        kam_core::time_util::display_ts(&s.at),
                        s.by_name.unwrap_or_default(),
                        label(&s.to_status),
                        s.note.unwrap_or_default(),
                    )
                })
                .collect(),
        });
    }
    render(&page)
}

#[derive(Template)]
#[template(path = "activity_form.html")]
struct FormPage {
    ctx: Ctx,
    title: String,
    account_name: String,
    action: String,
    cancel: String,
    has_errors: bool,
    groups: Vec<InputGroup>,
    people: Vec<String>,
}

struct FormSpec<'a> {
    kind: &'static ActivityKind,
    account: &'a Account,
    existing: Option<ActivityId>,
    values: &'a (dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
}

async fn form_page(state: &AppState, auth: &Authed, spec: FormSpec<'_>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let kind = spec.kind;
    let viewer = Viewer::of(&auth.user.actor());
    let hidden = |d: &kam_core::FieldDef| !viewer.sees_field(kind.entity, d.name);
    let mut groups =
        view::form(lang, kind.entity, kind.fields, kind.groups, spec.values, &spec.errors, &|_| true, &hidden);
    // Their people: the account's contacts to tick (linked by id), and names to type for anyone else.
    let contacts = if kind.fields.iter().any(|d| matches!(d.kind, kam_core::Kind::IdList)) {
        state.store.account_contacts(&auth.user.actor(), spec.account.id).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let people: Vec<String> =
        contacts.iter().filter_map(|c| c.rec.get("name").and_then(Value::as_text).map(str::to_string)).collect();
    // A handler (a complaint's 处理人) is one of the users who may work on it.
    let handlers: Vec<(String, String)> = if kind.hooks.handler_field.is_some() {
        let users = state.store.users().await.unwrap_or_default();
        super::workers(lang, &users).into_iter().map(|(u, label)| (u.display_name.clone(), label)).collect()
    } else {
        Vec::new()
    };
    for i in groups.iter_mut().flat_map(|g| g.inputs.iter_mut()) {
        if Some(i.name.as_str()) == kind.hooks.handler_field && !handlers.is_empty() {
            i.kind = "select";
            i.options = handlers.clone();
            if !i.value.is_empty() && !handlers.iter().any(|(v, _)| *v == i.value) {
                i.options.push((i.value.clone(), i.value.clone()));
            }
        }
        if i.name == "their_people" && !people.is_empty() {
            i.list = Some("people".into());
        }
        if i.kind == "multi" {
            i.options = contacts
                .iter()
                .map(|c| (c.id.to_string(), c.rec.get("name").and_then(Value::as_text).unwrap_or_default().to_string()))
                .collect();
        }
    }
    let (title_key, action, cancel) = match spec.existing {
        Some(id) => ("edit", format!("/{}/{id}", kind.resource), format!("/{}/{id}", kind.resource)),
        None => (
            "new",
            format!("/accounts/{}/{}", spec.account.id, kind.resource),
            format!("/accounts/{}?tab={}", spec.account.id, kind.resource),
        ),
    };
    let page = FormPage {
        ctx: ctx(state, auth, "activities", None).await,
        title: t(lang, &format!("activity.{}.{title_key}", kind.entity)).into(),
        account_name: spec.account.name().into(),
        action,
        cancel,
        has_errors: !spec.errors.is_empty(),
        groups,
        people,
    };
    let mut res = render(&page)?;
    if !spec.errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn recordable_account(state: &AppState, auth: &Authed, account_id: AccountId) -> Result<Account, PageError> {
    let actor = auth.user.actor();
    let a = state.store.account(&actor, account_id).await?;
    if !actor.can_record_activity(&a.facts()) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    Ok(a)
}

async fn new_form(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    auth: Authed,
    Path(account_id): Path<AccountId>,
) -> Result<Response, PageError> {
    let account = recordable_account(&state, &auth, account_id).await?;
    let me = auth.user.display_name.clone();
    let now = kam_core::time_util::china_minute(state.store.clock().now());
    let today = now.get(..10).unwrap_or_default().to_string();
    // 拜访序次: the next number for this account.
    let sequence = if kam_core::fields::def(kind.fields, "sequence").is_some() {
        let f = ActivityFilter { account_id: Some(account_id), page: 1, per_page: 1 };
        state
            .store
            .list_activities(kind, &auth.user.actor(), &f)
            .await
            .map(|p| (p.total + 1).to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let defaults = |d: &FieldDef| match (d.name, d.kind) {
        ("replied_at", _) => String::new(),
        (_, Kind::DateTime) => now.clone(),
        ("analysed_on" | "surveyed_on", _) => today.clone(),
        ("our_staff" | "staff" | "received_by", _) => me.clone(),
        ("priority", _) => "normal".to_string(),
        ("sequence", _) => sequence.clone(),
        _ => String::new(),
    };
    form_page(
        &state,
        &auth,
        FormSpec { kind, account: &account, existing: None, values: &defaults, errors: FieldErrors::default() },
    )
    .await
}

fn parse(kind: &'static ActivityKind, form: &FormData, errors: &mut FieldErrors) -> kam_core::Record {
    view::parse_form(kind.fields, form, &|_| true, errors)
}

async fn create(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    Path(account_id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    save(kind, &state, &f, account_id, None).await
}

/// A new record of the account (`existing` None) or changes to one: saved,
/// back to where it is shown; refused, the form again.
async fn save(
    kind: &'static ActivityKind,
    state: &AppState,
    f: &AuthForm,
    account_id: AccountId,
    existing: Option<ActivityId>,
) -> Result<Response, PageError> {
    let account = recordable_account(state, &f.auth, account_id).await?;
    let mut errors = FieldErrors::default();
    let rec = parse(kind, &f.form, &mut errors);
    let values = view::posted_text(&f.form);
    let actor = f.auth.user.actor();
    super::form_flow(
        errors,
        async || match existing {
            Some(id) => state.store.update_activity(kind, &actor, id, rec).await,
            None => state.store.create_activity(kind, &actor, account_id, rec).await,
        },
        |_| match existing {
            Some(id) => see_other(&format!("/{}/{id}", kind.resource), "common.saved"),
            None => see_other(&format!("/accounts/{account_id}?tab={}", kind.resource), "common.saved"),
        },
        async |errors| {
            form_page(state, &f.auth, FormSpec { kind, account: &account, existing, values: &values, errors }).await
        },
    )
    .await
}

async fn edit_form(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ActivityId>,
    Query(flash): Query<super::Flash>,
) -> Result<Response, PageError> {
    let a = state.store.activity(kind, &auth.user.actor(), id).await?;
    let account = recordable_account(&state, &auth, a.account_id).await?;
    let values = view::stored_text(&a.rec);
    // Sent here by a refused reply: mark what the reply needs.
    let mut errors = FieldErrors::default();
    if flash.msg.as_deref() == Some("err.complaint_needs_reply") {
        for f in kam_core::complaint::missing_to_move("replied", &a.rec) {
            errors.add(f, "err.complaint_needs_reply");
        }
    }
    let mut res =
        form_page(&state, &auth, FormSpec { kind, account: &account, existing: Some(id), values: &values, errors })
            .await?;
    // Marked fields on a form just opened are guidance, not a refused post.
    *res.status_mut() = axum::http::StatusCode::OK;
    Ok(res)
}

async fn update(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    Path(id): Path<ActivityId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let a = state.store.activity(kind, &f.auth.user.actor(), id).await?;
    save(kind, &state, &f, a.account_id, Some(id)).await
}

async fn delete(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    Path(id): Path<ActivityId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let a = state.store.activity(kind, &f.auth.user.actor(), id).await?;
    state.store.delete_activity(kind, &f.auth.user.actor(), id).await?;
    Ok(see_other(&format!("/accounts/{}?tab={}", a.account_id, kind.resource), "common.deleted"))
}
