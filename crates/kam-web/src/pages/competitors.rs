//! Competitors 竞争对手: shared records, listed with the number of accounts
//! (in the reader's scope) where each one competes.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use kam_core::CompetitorId;
use kam_core::FieldErrors;
use kam_core::contact::COMPETITOR_FIELDS;
use kam_core::fields::{FieldDef, Value};

use super::{Flash, ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::t;
use crate::view::{self, Ctx, InputGroup};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/competitors", get(list).post(create))
        .route("/competitors.xlsx", get(export))
        .route("/competitors/{id}/edit", get(edit))
        .route("/competitors/{id}", get(show).post(update))
}

/// One share observation as a table shows it.
pub struct ShareRow {
    pub id: i64,
    pub account_id: kam_core::AccountId,
    pub account: String,
    /// The competitor's name, or "ours".
    pub whose: String,
    pub day: String,
    pub share: String,
    pub source: String,
    pub note: String,
}

/// The share observations as table rows; a missing competitor is ours.
pub fn share_rows(lang: crate::i18n::Lang, shares: &[kam_store::competitors::Share]) -> Vec<ShareRow> {
    shares
        .iter()
        .map(|h| ShareRow {
            id: h.id,
            account_id: h.account_id,
            account: h.account_name.clone(),
            whose: h.competitor_name.clone().unwrap_or_else(|| t(lang, "share.ours").to_string()),
            day: view::rec_text(&h.rec, "observed_on"),
            share: view::pct(&h.rec, "share_pct"),
            source: view::rec_text(&h.rec, "source"),
            note: view::rec_text(&h.rec, "note"),
        })
        .collect()
}

/// The most lines a share chart draws (the others stay in its table).
const SHARE_LINES: usize = 8;

/// The share history as lines over the observation dates, one line per key
/// (a competitor at an account, or an account for a competitor); a share
/// holds from its observation until the next one. None without observations.
pub fn share_chart(
    title: &str,
    shares: &[kam_store::competitors::Share],
    key: &dyn Fn(&kam_store::competitors::Share) -> String,
) -> Option<String> {
    if shares.is_empty() {
        return None;
    }
    let day = |h: &kam_store::competitors::Share| view::rec_text(&h.rec, "observed_on");
    let mut days: Vec<String> = shares.iter().map(day).collect();
    days.sort();
    days.dedup();
    let mut keys: Vec<String> = Vec::new();
    for h in shares {
        let k = key(h);
        if !keys.contains(&k) && keys.len() < SHARE_LINES {
            keys.push(k);
        }
    }
    // Each key's share on each day it was observed (the last of a day counts), in one pass.
    let mut seen: std::collections::HashMap<(String, String), f64> = std::collections::HashMap::new();
    for h in shares {
        let pct = match h.rec.get("share_pct") {
            Some(Value::Float(x)) => *x,
            Some(Value::Int(n)) => *n as f64,
            _ => continue,
        };
        seen.insert((key(h), day(h)), pct);
    }
    let values: Vec<Vec<Option<f64>>> = keys
        .iter()
        .map(|k| {
            let mut last = None;
            days.iter()
                .map(|d| {
                    if let Some(p) = seen.get(&(k.clone(), d.clone())) {
                        last = Some(*p);
                    }
                    last
                })
                .collect()
        })
        .collect();
    let names: Vec<String> = keys
        .iter()
        .map(|k| if k.chars().count() > 10 { k.chars().take(9).collect::<String>() + "…" } else { k.clone() })
        .collect();
    let series: Vec<crate::charts::Series<'_>> =
        names.iter().zip(&values).map(|(name, values)| crate::charts::Series { name, values }).collect();
    Some(crate::charts::lines(title, &days, &series))
}

pub struct Row {
    pub id: CompetitorId,
    pub name: String,
    pub products: String,
    pub strengths: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "competitors.html")]
struct Page {
    ctx: Ctx,
    rows: Vec<Row>,
    can_edit: bool,
    form_title: String,
    action: String,
    has_errors: bool,
    groups: Vec<InputGroup>,
}

async fn page(
    state: &AppState,
    auth: &Authed,
    flash: Option<&str>,
    editing: Option<CompetitorId>,
    values: &(dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let list = state.store.competitors(&auth.user.actor()).await?;
    let txt = |r: &kam_core::Record, f: &str| r.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
    let groups = view::form(lang, "competitor", COMPETITOR_FIELDS, &["basic"], values, &errors, &|_| true, &|_| false);
    let p = Page {
        ctx: ctx(state, auth, "competitors", flash).await,
        rows: list
            .iter()
            .map(|c| Row {
                id: c.id,
                name: txt(&c.rec, "name"),
                products: txt(&c.rec, "products"),
                strengths: txt(&c.rec, "strengths"),
                count: c.account_count,
            })
            .collect(),
        can_edit: auth.user.actor().can_edit_competitors(),
        form_title: t(lang, if editing.is_some() { "common.edit" } else { "competition.new_competitor" }).into(),
        action: editing.map(|id| format!("/competitors/{id}")).unwrap_or_else(|| "/competitors".into()),
        has_errors: !errors.is_empty(),
        groups,
    };
    let mut res = render(&p)?;
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "competitor.html")]
struct Detail {
    ctx: Ctx,
    id: CompetitorId,
    name: String,
    /// The profile: (label, text) of every field but the name.
    profile: Vec<(String, String)>,
    accounts: i64,
    can_edit: bool,
    shares: Vec<ShareRow>,
    svg: Option<String>,
}

/// A competitor's profile with its share history at the reader's accounts.
async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<CompetitorId>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let c = state.store.competitor(&actor, id).await?;
    let shares = state.store.competitor_shares(&actor, id).await?;
    let name = view::rec_text(&c.rec, "name");
    let profile = COMPETITOR_FIELDS
        .iter()
        .filter(|d| d.name != "name")
        .map(|d| (t(lang, &format!("field.competitor.{}", d.name)).to_string(), view::rec_text(&c.rec, d.name)))
        .collect();
    let title = format!("{name} · {}", t(lang, "share.at_accounts"));
    render(&Detail {
        ctx: ctx(&state, &auth, "competitors", None).await,
        id,
        svg: share_chart(&title, &shares, &|h| h.account_name.clone()),
        shares: share_rows(lang, &shares),
        name,
        profile,
        accounts: c.account_count,
        can_edit: actor.can_edit_competitors(),
    })
}

/// The competitors as .xlsx.
async fn export(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let bytes = crate::exports::competitors_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang).await?;
    Ok(crate::downloads::xlsx_response("竞争对手.xlsx", bytes))
}

async fn list(State(state): State<AppState>, auth: Authed, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    page(&state, &auth, flash.msg.as_deref(), None, &|_| String::new(), FieldErrors::default()).await
}

async fn edit(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<CompetitorId>,
) -> Result<Response, PageError> {
    let c = state.store.competitor(&auth.user.actor(), id).await?;
    let values = view::stored_text(&c.rec);
    page(&state, &auth, None, Some(id), &values, FieldErrors::default()).await
}

async fn create(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    save(state, f, None).await
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<CompetitorId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    save(state, f, Some(id)).await
}

async fn save(state: AppState, f: AuthForm, id: Option<CompetitorId>) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(COMPETITOR_FIELDS, &f.form, &|_| true, &mut errors);
    let values = view::posted_text(&f.form);
    let actor = f.auth.user.actor();
    super::form_flow(
        errors,
        async || match id {
            Some(id) => state.store.update_competitor(&actor, id, rec).await,
            None => state.store.create_competitor(&actor, rec).await,
        },
        |_| see_other("/competitors", "common.saved"),
        async |errors| page(&state, &f.auth, None, id, &values, errors).await,
    )
    .await
}
