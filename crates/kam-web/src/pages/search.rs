//! The one search box.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use kam_store::search::Hit;

use super::{ctx, render};
use crate::AppState;
use crate::auth::Authed;
use crate::error::PageError;
use crate::i18n::t;
use crate::view::Ctx;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

#[derive(Template)]
#[template(path = "search.html")]
struct Page {
    ctx: Ctx,
    q: String,
    heading: String,
    accounts: Vec<Hit>,
    contacts: Vec<Hit>,
}

#[derive(serde::Deserialize, Default)]
struct SearchQuery {
    q: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    auth: Authed,
    Query(sq): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let q = sq.q.unwrap_or_default().trim().chars().take(100).collect::<String>();
    let hits = state.store.search(&auth.user.actor(), &q, 50).await.map_err(|e| PageError::store(lang, e))?;
    let (accounts, contacts): (Vec<Hit>, Vec<Hit>) = hits.into_iter().partition(|h| h.entity == "account");
    let heading =
        if q.is_empty() { t(lang, "search.title").to_string() } else { t(lang, "search.results").replace("{q}", &q) };
    render(&Page { ctx: ctx(&state, &auth, "", None).await, q, heading, accounts, contacts }, lang)
}
