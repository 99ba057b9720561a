//! The Today page: the user's reminders (overdue, due today, the next week)
//! with done/snooze, and the private calendar feed that carries them.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kam_core::AccountId;
use kam_core::reminder::{Reminder, ReminderKind};
use time::Duration;

use super::{Flash, ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/today", get(today))
        .route("/reminders/{key}/done", post(done))
        .route("/reminders/{key}/snooze", post(snooze))
        .route("/calendar/feed", post(create_feed))
        .route("/calendar/feed/revoke", post(revoke_feed))
        .route("/calendar/{file}", get(feed))
}

/// Days ahead the Today page looks.
pub const HORIZON_DAYS: i64 = 7;
/// Days ahead the calendar feed carries.
pub const FEED_DAYS: i64 = 90;

pub struct Item {
    pub key: String,
    pub kind: String,
    pub due: String,
    pub title: String,
    pub detail: String,
    pub account_id: Option<AccountId>,
    pub account_name: String,
    pub href: String,
    pub overdue: bool,
}

/// A reminder's kind label and detail line in the reader's language.
pub fn describe(lang: Lang, r: &Reminder) -> (String, String) {
    let kind = t(lang, &format!("reminder.{}", r.kind.as_str())).to_string();
    let detail = match r.kind {
        ReminderKind::Birthday => t(lang, "reminder.birthday_detail").replace("{n}", &r.detail),
        ReminderKind::FollowUp | ReminderKind::PlannedVisit | ReminderKind::Objection => r.detail.clone(),
        ReminderKind::Winback => t(lang, "reminder.winback_detail").to_string(),
        ReminderKind::HeldOrder => t(lang, "reminder.held_order_detail").to_string(),
        ReminderKind::ReturnedLog => t(lang, "reminder.returned_log_detail").to_string(),
        ReminderKind::Signoff => t(lang, &format!("worklog.step.{}", r.detail)).to_string(),
        ReminderKind::ContractExpiry => t(lang, "contract.ends_on").replace("{d}", &r.detail),
        ReminderKind::Complaint => match r.detail.split_once(' ') {
            Some((which, due)) => format!("{} {due}", t(lang, &format!("field.complaint.{which}_due"))),
            None => r.detail.clone(),
        },
    };
    (kind, detail)
}

#[derive(Template)]
#[template(path = "today.html")]
struct Page {
    ctx: Ctx,
    today: String,
    sections: Vec<(String, Vec<Item>)>,
    has_feed: bool,
    feed_url: Option<String>,
    /// Auditors read only: no answers, no feed.
    read_only: bool,
    /// The user's own accounts at churn risk: how many, and the first ten
    /// (account id, name, last order, why).
    risks_total: i64,
    risks: Vec<(kam_core::AccountId, String, String, String)>,
}

async fn page(
    state: &AppState,
    auth: &Authed,
    flash: Option<&str>,
    feed_url: Option<String>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let today = state.store.today();
    let list = state.store.reminders(&auth.user, today, HORIZON_DAYS).await?;
    let today_s = today.to_string();
    let mut sections: Vec<(String, Vec<Item>)> = vec![
        (t(lang, "today.overdue").into(), vec![]),
        (t(lang, "today.due").into(), vec![]),
        (t(lang, "today.upcoming").into(), vec![]),
    ];
    for r in list {
        let (kind, detail) = describe(lang, &r);
        let slot = if r.overdue {
            0
        } else if r.due == today_s {
            1
        } else {
            2
        };
        sections[slot].1.push(Item {
            key: r.key,
            kind,
            due: r.due,
            title: r.title,
            detail,
            account_id: r.account_id,
            account_name: r.account_name,
            href: r.href,
            overdue: r.overdue,
        });
    }
    sections.retain(|(_, items)| !items.is_empty());
    let actor = auth.user.actor();
    let risks = state.store.churn_risks(&actor, Some(auth.user.id), 10).await?;
    let p = Page {
        ctx: ctx(state, auth, "today", flash).await,
        today: today_s,
        sections,
        has_feed: state.store.has_calendar_feed(auth.user.id).await?,
        feed_url,
        read_only: actor.read_only(),
        risks_total: risks.total,
        risks: risks
            .items
            .iter()
            .map(|a| {
                (
                    a.account_id,
                    a.account_name.clone(),
                    a.last_order.clone(),
                    crate::dashboards::risk_text(lang, &a.risk),
                )
            })
            .collect(),
    };
    render(&p)
}

async fn today(State(state): State<AppState>, auth: Authed, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    page(&state, &auth, flash.msg.as_deref(), None).await
}

async fn done(State(state): State<AppState>, Path(key): Path<String>, f: AuthForm) -> Result<Response, PageError> {
    state.store.answer_reminder(&f.auth.user.actor(), &key, true, None).await?;
    Ok(see_other("/today", "today.marked_done"))
}

async fn snooze(State(state): State<AppState>, Path(key): Path<String>, f: AuthForm) -> Result<Response, PageError> {
    let days = f.form.int("days").filter(|d| (1..=90).contains(d)).ok_or(PageError::BadRequest)?;
    let until = state.store.today() + Duration::days(days);
    state.store.answer_reminder(&f.auth.user.actor(), &key, false, Some(until)).await?;
    Ok(see_other("/today", "today.snoozed"))
}

/// The address a calendar app subscribes to, from the request's own host.
fn feed_address(headers: &HeaderMap, secure: bool, token: &str) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    format!("{}://{host}/calendar/{token}.ics", if secure { "https" } else { "http" })
}

async fn create_feed(State(state): State<AppState>, headers: HeaderMap, f: AuthForm) -> Result<Response, PageError> {
    let token = state.store.create_calendar_feed(&f.auth.user.actor()).await?;
    // Shown once, on this response; only its digest is stored.
    page(&state, &f.auth, None, Some(feed_address(&headers, state.config.secure_cookies, &token))).await
}

async fn revoke_feed(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    state.store.revoke_calendar_feed(&f.auth.user.actor()).await?;
    Ok(see_other("/today", "calendar.revoked"))
}

/// GET /calendar/{secret}.ics — no session: the secret is the credential.
async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else { return StatusCode::NOT_FOUND.into_response() };
    let user = match state.store.calendar_feed_user(token).await {
        Ok(Some(u)) => u,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "calendar feed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let lang = crate::auth::user_lang(&user);
    let today = state.store.today();
    let items = match state.store.reminders(&user, today, FEED_DAYS).await {
        Ok(items) => items,
        Err(e) => {
            tracing::error!(error = %e, "calendar feed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let body = crate::calendar::ics(t(lang, "calendar.name"), &items, state.store.clock().now(), |r| {
        let (kind, _) = describe(lang, r);
        if r.account_name.is_empty() {
            format!("{kind}: {}", r.title)
        } else {
            format!("{kind}: {} · {}", r.title, r.account_name)
        }
    });
    ([(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")], body)
        .into_response()
}
