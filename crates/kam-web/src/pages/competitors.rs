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
        .route("/competitors/{id}", axum::routing::post(update))
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
