//! The health score: one account's factors with what each found, its rate,
//! weight and contribution, and the list of the least healthy accounts in
//! scope (or one rep's), with the factor that costs each the most.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use kam_core::{AccountId, UserId};
use std::collections::HashMap;

use super::{ctx, render};
use crate::AppState;
use crate::auth::Authed;
use crate::error::PageError;
use crate::health::{explain, label, num, weakest};
use crate::i18n::t;
use crate::view::{Ctx, Pager};

pub fn router() -> Router<AppState> {
    Router::new().route("/accounts/{id}/health", get(account)).route("/health", get(list))
}

pub struct FactorRow {
    pub key: &'static str,
    pub label: String,
    pub found: String,
    /// "80%", or "does not apply".
    pub rate: String,
    pub applies: bool,
    pub weight: i64,
    pub points: i64,
    pub of_max: String,
    /// The bar's width: the points over the factor's most.
    pub bar: i64,
}

#[derive(Template)]
#[template(path = "health.html")]
struct AccountPage {
    ctx: Ctx,
    account_id: AccountId,
    name: String,
    score: String,
    points_total: i64,
    rows: Vec<FactorRow>,
}

async fn account(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let a = state.store.health(&actor, id).await?;
    let rows = a
        .health
        .factors
        .iter()
        .map(|f| FactorRow {
            key: f.key,
            label: label(lang, f.key),
            found: explain(lang, &actor, f),
            rate: f
                .score
                .map(|s| format!("{}%", (s * 100.0).round() as i64))
                .unwrap_or_else(|| t(lang, "health.na").into()),
            applies: f.score.is_some(),
            weight: f.weight,
            points: f.points,
            of_max: t(lang, "health.of_max").replace("{m}", &num(f.max_points)),
            bar: if f.max_points > 0.0 {
                ((f.points as f64 / f.max_points) * 100.0).round().min(100.0) as i64
            } else {
                0
            },
        })
        .collect::<Vec<_>>();
    render(&AccountPage {
        ctx: ctx(&state, &auth, "accounts", None).await,
        account_id: id,
        name: a.name,
        score: a.health.score.map(|s| s.to_string()).unwrap_or_else(|| t(lang, "health.none").into()),
        points_total: rows.iter().map(|r| r.points).sum(),
        rows,
    })
}

pub struct ListRow {
    pub account_id: AccountId,
    pub name: String,
    pub owner: String,
    pub score: String,
    /// "low", "mid" or "high" for the colour.
    pub band: &'static str,
    pub weakest: String,
}

#[derive(Template)]
#[template(path = "health_list.html")]
struct ListPage {
    ctx: Ctx,
    total: i64,
    rows: Vec<ListRow>,
    owners: Vec<(String, String)>,
    owner: String,
    pager: Pager,
    pager_text: String,
}

async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let owner = q.get("owner").and_then(|o| o.parse::<i64>().ok()).map(UserId::from);
    let f = kam_store::health::HealthFilter {
        owner_id: owner,
        page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        per_page: 50,
    };
    let p = state.store.health_list(&actor, &f).await?;
    let rows = p
        .items
        .iter()
        .map(|a| ListRow {
            account_id: a.account_id,
            name: a.name.clone(),
            owner: a.owner_name.clone().unwrap_or_else(|| t(lang, "accounts.in_pool").to_string()),
            score: a.health.score.map(|s| s.to_string()).unwrap_or_else(|| t(lang, "health.none").into()),
            band: crate::health::band(a.health.score),
            weakest: weakest(&a.health)
                .map(|w| format!("{}：{}", label(lang, w.key), explain(lang, &actor, w)))
                .unwrap_or_default(),
        })
        .collect();
    let owner_q = owner.map(|o| format!("owner={o}&")).unwrap_or_default();
    let pager = Pager::new(p.page, p.per_page, p.total, |n| format!("/health?{owner_q}page={n}"));
    let pager_text = pager.text(lang);
    render(&ListPage {
        ctx: ctx(&state, &auth, "health", None).await,
        total: p.total,
        rows,
        owners: super::accounts::owner_options(&state, &auth).await,
        owner: owner.map(|o| o.to_string()).unwrap_or_default(),
        pager,
        pager_text,
    })
}
