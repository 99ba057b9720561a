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

mod form;
mod show;

use form::{create, delete, edit_form, new_form, update};
use show::{show, transition};

pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    for kind in KINDS.iter().copied() {
        let res = kind.resource;
        r = r
            .route(&format!("/{res}"), get(move |s, a, q| list(kind, s, a, q)))
            .route(&format!("/{res}.xlsx"), get(move |s, a| export(kind, s, a)))
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

/// The kind's list as .xlsx: everything the user sees of it.
async fn export(
    kind: &'static kam_core::activity::ActivityKind,
    State(state): State<AppState>,
    auth: crate::auth::Authed,
) -> Result<axum::response::Response, crate::error::PageError> {
    let bytes = crate::exports::activities_xlsx::<crate::error::PageError>(
        &state.store,
        &auth.user.actor(),
        auth.lang,
        kind,
        None,
    )
    .await?;
    Ok(crate::downloads::xlsx_response(&format!("{}.xlsx", kind.resource), bytes))
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
    /// The kind's path segment (its export is `/{resource}.xlsx`).
    resource: &'static str,
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
    let pager_text = pager.text(lang);
    let l = labels(lang, kind);
    let view = ListPage {
        resource: kind.resource,
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
