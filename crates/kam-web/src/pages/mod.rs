//! The HTML pages. Each feature module owns its routes; state never changes on GET.

mod accounts;
mod activity;
mod admin;
mod capability;
mod classification;
mod competitors;
mod completeness;
mod contact_merge;
mod contacts;
mod contracts;
pub(crate) mod credit;
mod dashboards;
mod forecasts;
mod health;
mod home;
mod imports;
mod ledger;
mod lifecycle;
mod market;
mod market_analyses;
mod orders;
mod print;
mod reports;
mod sales;
mod search;
mod session;
pub(crate) mod statements;
mod targets;
mod today;
mod visit_plans;
mod worklogs;

use axum::Router;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::AppState;
use crate::auth::Authed;
use crate::error::PageError;
use crate::view::Ctx;
use kam_core::{Actor, Value};
use kam_store::accounts::AccountFilter;
use kam_store::contacts::ContactFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(home::router())
        .merge(accounts::router())
        .merge(activity::router())
        .merge(contacts::router())
        .merge(competitors::router())
        .merge(search::router())
        .merge(admin::router())
        .merge(today::router())
        .merge(market::router())
        .merge(market_analyses::router())
        .merge(print::router())
        .merge(visit_plans::router())
        .merge(capability::router())
        .merge(classification::router())
        .merge(completeness::router())
        .merge(health::router())
        .merge(reports::router())
        .merge(sales::router())
        .merge(targets::router())
        .merge(forecasts::router())
        .merge(dashboards::router())
        .merge(lifecycle::router())
        .merge(worklogs::router())
        .merge(orders::router())
        .merge(ledger::router())
        .merge(statements::router())
        .merge(contracts::router())
        .merge(credit::router())
        .merge(imports::router())
}

/// The pages' boundary: the framework's own refusals of a page request (an
/// id that is not a number, a query that does not parse, a wrong method) are
/// the product's error page in the user's language, not plain text. A path
/// whose id is not a number names no record: 404.
pub async fn contract(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::http::header;
    let res = next.run(req).await;
    let status = res.status();
    let framework =
        crate::has_media_type(res.headers(), "text/plain") || res.headers().get(header::CONTENT_TYPE).is_none();
    if !status.is_client_error() || !framework {
        return res;
    }
    let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap_or_default();
    if status == axum::http::StatusCode::BAD_REQUEST && body.starts_with(b"Invalid URL") {
        return PageError::NotFound.into_response();
    }
    let mut out = PageError::BadRequest.into_response();
    *out.status_mut() = status;
    out
}

/// The one page form flow. `errors` are what parsing the form found; when
/// there are none, `save` writes. A write that succeeds goes where `done`
/// says; field errors — the parser's or the store's — bring the form back
/// through `again` with what was typed; any other refusal is the error page.
pub async fn form_flow<T>(
    errors: kam_core::FieldErrors,
    save: impl AsyncFnOnce() -> Result<T, kam_store::StoreError>,
    done: impl FnOnce(T) -> Response,
    again: impl AsyncFnOnce(kam_core::FieldErrors) -> Result<Response, PageError>,
) -> Result<Response, PageError> {
    let result = if errors.is_empty() { save().await } else { Err(kam_store::StoreError::Invalid(errors)) };
    match result {
        Ok(v) => Ok(done(v)),
        Err(kam_store::StoreError::Invalid(e)) => again(e).await,
        Err(e) => Err(e.into()),
    }
}

/// Renders a template or answers 500.
pub fn render(t: &impl askama::Template) -> Result<Response, PageError> {
    t.render().map(|h| Html(h).into_response()).map_err(PageError::internal)
}

/// Renders a page; 422 when it comes back with errors (a form or a refused step).
pub fn render_checked(t: &impl askama::Template, failed: bool) -> Result<Response, PageError> {
    let mut res = render(t)?;
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// A plain form page (`market_form.html`): a title, the field groups, where to post and where to go back.
#[derive(askama::Template)]
#[template(path = "market_form.html")]
pub struct SimpleForm {
    pub ctx: crate::view::Ctx,
    pub title: String,
    pub action: String,
    pub cancel: String,
    pub has_errors: bool,
    pub groups: Vec<crate::view::InputGroup>,
}

/// The page context for a logged-in user.
pub async fn ctx(state: &AppState, auth: &Authed, section: &'static str, flash: Option<&str>) -> Ctx {
    let demo = state.store.is_demo().await.unwrap_or(false);
    let mut c = Ctx::new(auth, demo, section, flash);
    c.currencies = state.store.currencies().await.unwrap_or_default();
    c
}

/// The users who can be given work (a sign-off step, a complaint to handle):
/// active, not auditors; `(user, "name · role")`.
pub fn workers(lang: crate::i18n::Lang, users: &[kam_store::users::User]) -> Vec<(&kam_store::users::User, String)> {
    users
        .iter()
        .filter(|u| u.active && !matches!(u.role, kam_core::Role::Auditor))
        .map(|u| (u, format!("{} · {}", u.display_name, crate::i18n::t(lang, &format!("role.{}", u.role.as_str())))))
        .collect()
}

/// Redirect after a successful post, with a flash message key.
pub fn see_other(path: &str, msg: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}msg={msg}")).into_response()
}

/// `?msg=` of a GET request, as a message key.
#[derive(serde::Deserialize, Default)]
pub struct Flash {
    pub msg: Option<String>,
}

/// The accounts the actor may record work on (first 200 by name), each
/// followed by its contacts when asked: `(value, label)` with the value
/// `<account id>` or `<account id>:<contact id>`.
pub async fn recordable_choices(state: &AppState, actor: &Actor, with_contacts: bool) -> Vec<(String, String)> {
    let accounts = state
        .store
        .list_accounts(
            actor,
            &AccountFilter { page: 1, per_page: 200, sort: Some("name".into()), ..Default::default() },
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let contacts = if with_contacts {
        state
            .store
            .list_contacts(actor, &ContactFilter { page: 1, per_page: 200, ..Default::default() })
            .await
            .map(|p| p.items)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut choices = Vec::new();
    for a in accounts.iter().filter(|a| actor.can_record_activity(&a.facts())) {
        choices.push((a.id.to_string(), a.name().to_string()));
        for c in contacts.iter().filter(|c| c.accounts.iter().any(|l| l.account_id == a.id)) {
            let name = c.rec.get("name").and_then(Value::as_text).unwrap_or_default();
            choices.push((format!("{}:{}", a.id, c.id), format!("{} · {name}", a.name())));
        }
    }
    choices
}

/// The year a report page is asked for (`?year=`, 2000–2100), else this year.
pub(super) fn year_of(q: &std::collections::HashMap<String, String>, this_year: i32) -> i32 {
    q.get("year").and_then(|y| y.parse::<i32>().ok()).filter(|y| (2000..=2100).contains(y)).unwrap_or(this_year)
}
