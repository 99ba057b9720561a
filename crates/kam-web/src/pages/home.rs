//! The dashboard: counts and recently updated accounts.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use kam_core::Role;
use kam_core::UserId;
use kam_store::accounts::AccountFilter;

use super::accounts::{AccountRow, rows};
use super::{Flash, ctx, render};
use crate::AppState;
use crate::auth::Authed;
use crate::error::PageError;
use crate::view::Ctx;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    ctx: Ctx,
    mine: i64,
    mine_filter: bool,
    user_id: UserId,
    prospects: i64,
    pool: i64,
    due: i64,
    rows: Vec<AccountRow>,
    show_claim: bool,
}

async fn home(State(state): State<AppState>, auth: Authed, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let actor = auth.user.actor();
    let lang = auth.lang;
    let err = |e| PageError::from(e);
    let mine_filter = matches!(actor.role, Role::Sales | Role::Manager);
    let base = AccountFilter { page: 1, per_page: 8, ..Default::default() };
    let mine = state
        .store
        .count_accounts(&actor, &AccountFilter { owner_id: mine_filter.then_some(actor.user_id), ..base.clone() })
        .await
        .map_err(err)?;
    let prospects = state
        .store
        .count_accounts(&actor, &AccountFilter { stage: Some("prospect".into()), ..base.clone() })
        .await
        .map_err(err)?;
    let pool = state.store.count_accounts(&actor, &AccountFilter { pool: true, ..base.clone() }).await.map_err(err)?;
    let recent = state.store.list_accounts(&actor, &base).await.map_err(err)?;
    let today = state.store.today();
    let due = state.store.reminders(&auth.user, today, 0).await.map_err(err)?.len() as i64;
    let page = Home {
        ctx: ctx(&state, &auth, "home", flash.msg.as_deref()).await,
        mine,
        mine_filter,
        user_id: actor.user_id,
        prospects,
        pool,
        due,
        rows: rows(lang, &recent.items),
        show_claim: false,
    };
    render(&page)
}
