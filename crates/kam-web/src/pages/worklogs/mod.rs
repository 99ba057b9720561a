//! Daily work log pages 业务工作日志 (附表九): the list (mine, my team's,
//! awaiting my signature), the day's form with its repeatable entry rows, the
//! log with its sign-off trail and the signing form, and the print page.

use kam_core::UserId;
use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kam_core::WorklogId;
use kam_core::fields::{FieldDef, Raw, Value};
use kam_core::time_util::display_ts;
use kam_core::worklog::{self, Decision, Entry, Input, SECTIONS, Status};
use kam_core::{FieldErrors, Role};
use kam_store::StoreError;
use kam_store::worklogs::{Worklog, WorklogFilter};

use super::{Flash, ctx, recordable_choices, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed, FormData};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx, Input as FormInput, InputGroup, Pager, RowSection};

mod form;
mod print;
mod show;

use form::{create, delete, edit_form, new_form, update};
use print::{print, xlsx};
use show::{make_visit, post_collection, show, sign, submit};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/worklogs", get(list).post(create))
        .route("/worklogs.xlsx", get(export))
        .route("/worklogs/today", get(today))
        .route("/worklogs/new", get(new_form))
        .route("/worklogs/{id}", get(show).post(update))
        .route("/worklogs/{id}/edit", get(edit_form))
        .route("/worklogs/{id}/delete", post(delete))
        .route("/worklogs/{id}/submit", post(submit))
        .route("/worklogs/{id}/sign", post(sign))
        .route("/worklogs/{id}/visits/{entry}/visit", post(make_visit))
        .route("/worklogs/{id}/print", get(print))
        .route("/worklogs/{id}/xlsx", get(xlsx))
        .route("/worklogs/{id}/collections/{entry}/post", post(post_collection))
}

pub(super) fn status_label(lang: Lang, s: Status) -> String {
    t(lang, &format!("worklog.status.{}", s.as_str())).to_string()
}

// ---------------------------------------------------------------- list

pub struct Row {
    pub id: i64,
    pub date: String,
    pub author: String,
    pub status: String,
    pub status_code: &'static str,
    pub visits: i64,
    pub paid: String,
    pub awaiting_me: bool,
}

#[derive(Template)]
#[template(path = "worklog_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    pager: Pager,
    can_write: bool,
    filter: ListQuery,
    statuses: Vec<(&'static str, String)>,
    authors: Vec<(UserId, String)>,
    awaiting_count: i64,
}

#[derive(serde::Deserialize, Default, Clone)]
struct ListQuery {
    page: Option<i64>,
    msg: Option<String>,
    status: Option<String>,
    author_id: Option<String>,
    awaiting: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl ListQuery {
    fn awaiting(&self) -> bool {
        self.awaiting.as_deref() == Some("1")
    }
    fn status_is(&self, code: &str) -> bool {
        self.status.as_deref() == Some(code)
    }
    fn author_is(&self, id: &UserId) -> bool {
        self.author_id.as_deref() == Some(id.to_string().as_str())
    }
    fn text(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
    /// The store filter of this query (bad dates and statuses are ignored).
    fn filter(&self, per_page: i64) -> WorklogFilter {
        let valid_date = |d: &Option<String>| d.clone().filter(|d| kam_core::time_util::parse_date(d).is_some());
        WorklogFilter {
            author_id: self.author_id.as_deref().and_then(|a| a.parse().ok()),
            status: self.status.as_deref().and_then(Status::parse),
            from: valid_date(&self.from),
            to: valid_date(&self.to),
            awaiting_me: self.awaiting(),
            page: self.page.unwrap_or(1),
            per_page,
        }
    }
    /// The list's filters as a query string (without the page).
    fn query(&self) -> String {
        let pairs = [
            ("status", self.status.clone()),
            ("author_id", self.author_id.clone()),
            ("awaiting", self.awaiting.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ];
        let q: Vec<(String, String)> =
            pairs.into_iter().filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k.to_string(), v))).collect();
        serde_urlencoded::to_string(q).unwrap_or_default()
    }
    fn href(&self, page: i64) -> String {
        let q = self.query();
        format!("/worklogs?{q}{}page={page}", if q.is_empty() { "" } else { "&" })
    }
    fn export_href(&self) -> String {
        format!("/worklogs.xlsx?{}", self.query())
    }
}

/// The list with its current filters as .xlsx.
async fn export(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let bytes =
        crate::exports::worklogs_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang, q.filter(200)).await?;
    Ok(crate::downloads::xlsx_response("工作日志.xlsx", bytes))
}

async fn list(State(state): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let f = q.filter(30);
    let p = state.store.worklogs(&actor, &f).await?;
    let awaiting_count = state
        .store
        .worklogs(&actor, &WorklogFilter { awaiting_me: true, per_page: 1, ..Default::default() })
        .await?
        .total;
    // Whose logs the reader may filter by: the team for a manager, everyone for admin and auditors.
    let authors = match actor.role {
        Role::Admin | Role::Auditor | Role::Manager => state
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| matches!(u.role, Role::Sales | Role::Manager))
            .filter(|u| {
                actor.role != Role::Manager
                    || u.id == actor.user_id
                    || (u.team_id.is_some() && u.team_id == actor.team_id)
            })
            .map(|u| (u.id, u.display_name))
            .collect(),
        _ => Vec::new(),
    };
    let filter = q.clone();
    let pager = Pager::new(p.page, p.per_page, p.total, |n| filter.href(n));
    let page = ListPage {
        ctx: ctx(&state, &auth, "worklogs", q.msg.as_deref()).await,
        rows: p
            .items
            .iter()
            .map(|w| Row {
                id: w.id,
                date: w.log_date.clone(),
                author: w.author_name.clone(),
                status: status_label(lang, w.status),
                status_code: w.status.as_str(),
                visits: w.visit_count,
                paid: view::money(w.paid_total, "CNY"),
                awaiting_me: w.awaiting_me,
            })
            .collect(),
        pager,
        can_write: worklog::can_write(&actor),
        filter: q,
        statuses: Status::ALL.iter().map(|s| (s.as_str(), status_label(lang, *s))).collect(),
        authors,
        awaiting_count,
    };
    render(&page)
}

/// The reader's log of today: opens it, or starts it.
async fn today(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let day = state.store.today().to_string();
    let found = state.store.worklog_of_day(&auth.user.actor(), &day).await?;
    Ok(match found {
        Some(log) => Redirect::to(&format!("/worklogs/{}", log.id)).into_response(),
        None => Redirect::to(&format!("/worklogs/new?date={day}")).into_response(),
    })
}
