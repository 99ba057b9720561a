//! The one search box.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;

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
    /// The hits by kind, in the order the store answers.
    groups: Vec<(String, Vec<Shown>)>,
}

/// One hit as shown: link, name, detail.
type Shown = (String, String, String);

/// Where a hit of an entity opens.
fn href(entity: &str, id: i64) -> String {
    match entity {
        "account" => format!("/accounts/{id}"),
        "contact" => format!("/contacts/{id}"),
        "contract" => format!("/contracts/{id}"),
        e => match kam_core::activity::KINDS.iter().find(|k| k.entity == e) {
            Some(k) => format!("/{}/{id}", k.resource),
            None => "/".into(),
        },
    }
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
    let hits = state.store.search(&auth.user.actor(), &q, 50).await?;
    let mut groups: Vec<(String, Vec<Shown>)> = Vec::new();
    let mut last = String::new();
    for h in hits {
        if h.entity != last {
            groups.push((t(lang, &format!("entity.{}", h.entity)).to_string(), Vec::new()));
            last = h.entity.clone();
        }
        if let Some(g) = groups.last_mut() {
            g.1.push((href(&h.entity, h.id), h.name, h.detail.unwrap_or_default()));
        }
    }
    let heading =
        if q.is_empty() { t(lang, "search.title").to_string() } else { t(lang, "search.results").replace("{q}", &q) };
    render(&Page { ctx: ctx(&state, &auth, "", None).await, q, heading, groups })
}
