//! Market analyses 市场分析: the records per industry and region with their
//! form, and the region × industry view of our accounts and revenue beside
//! the latest analysis of each market (`Store::market_regions`).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::FieldErrors;
use kam_core::fields::{FieldDef, Value, format_minor};
use kam_core::market::ANALYSIS_FIELDS;
use kam_core::visibility::Viewer;
use kam_store::market_analyses::AnalysisFilter;

use super::{ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::charts::{Series, bars};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx, InputGroup};

const ENTITY: &str = "market_analysis";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/market-analyses", get(list).post(create))
        .route("/market-analyses/{id}/edit", get(edit))
        .route("/market-analyses/{id}", post(update))
        .route("/market-analyses/{id}/delete", post(delete))
}

/// One analysis as the list shows it: (id, cells in the order of `heads`).
type Row = (i64, Vec<String>);

/// One cell of the region × industry view as text.
pub struct RegionRow {
    pub province: String,
    pub industry: String,
    pub accounts: i64,
    pub revenue: String,
    pub market_size: String,
    pub recorded: String,
    pub computed: String,
    pub growth: String,
    pub analysed_on: String,
}

#[derive(Template)]
#[template(path = "market_analyses.html")]
struct Page {
    ctx: Ctx,
    year: i32,
    sees_money: bool,
    heads: Vec<String>,
    rows: Vec<Row>,
    regions: Vec<RegionRow>,
    svg: Option<String>,
    can_edit: bool,
    form_title: String,
    action: String,
    has_errors: bool,
    groups: Vec<InputGroup>,
}

fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "–".into())
}

fn money(v: Option<i64>) -> String {
    v.map(|v| format_minor(v, true)).unwrap_or_else(|| "–".into())
}

fn industry_label(lang: Lang, code: &str) -> String {
    if code.is_empty() { t(lang, "mkt.no_industry").into() } else { t(lang, &format!("enum.industry.{code}")).into() }
}

/// The columns the list shows: every field the viewer sees but the long texts.
fn list_fields(viewer: &Viewer) -> Vec<&'static FieldDef> {
    ANALYSIS_FIELDS
        .iter()
        .filter(|d| !matches!(d.name, "trend" | "notes") && viewer.sees_field(ENTITY, d.name))
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    auth: &Authed,
    q: &HashMap<String, String>,
    editing: Option<i64>,
    values: &(dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let viewer = Viewer::of(&actor);
    let today = state.store.today();
    let year = super::year_of(q, today.year());
    let f = AnalysisFilter {
        industry: q.get("industry").filter(|v| !v.is_empty()).cloned(),
        page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        per_page: 50,
        ..Default::default()
    };
    let list = state.store.market_analyses(&actor, &f).await?;
    let fields = list_fields(&viewer);
    let heads = fields.iter().map(|d| t(lang, &format!("field.{ENTITY}.{}", d.name)).to_string()).collect();
    let rows = list
        .items
        .iter()
        .map(|a| {
            let cells = fields
                .iter()
                .map(|d| match (d.name, a.rec.get(d.name)) {
                    ("industry", Some(Value::Text(c))) => industry_label(lang, c),
                    ("market_size", Some(Value::Int(v))) => format_minor(*v, true),
                    ("our_share_pct", _) => view::pct(&a.rec, d.name),
                    (_, Some(v)) => v.form_text(d.kind),
                    (_, None) => String::new(),
                })
                .collect();
            (a.id, cells)
        })
        .collect();
    let cells = state.store.market_regions(&actor, year).await?;
    let none = t(lang, "mkt.no_province").to_string();
    let regions: Vec<RegionRow> = cells
        .iter()
        .map(|c| RegionRow {
            province: if c.province.is_empty() { none.clone() } else { c.province.clone() },
            industry: industry_label(lang, &c.industry),
            accounts: c.accounts,
            revenue: money(c.revenue),
            market_size: money(c.market_size),
            recorded: pct(c.recorded_share_pct),
            computed: pct(c.computed_share_pct),
            growth: c.growth_pct.map(|g| format!("{g}%")).unwrap_or_else(|| "–".into()),
            analysed_on: c.analysed_on.clone().unwrap_or_default(),
        })
        .collect();
    // The chart: the accounts of the ten largest cells (and their revenue, for readers of money).
    let mut top: Vec<usize> = (0..cells.len()).filter(|i| cells[*i].accounts > 0).collect();
    top.sort_by_key(|i| std::cmp::Reverse((cells[*i].revenue.unwrap_or(0), cells[*i].accounts)));
    top.truncate(10);
    let labels: Vec<String> = top
        .iter()
        .map(|i| format!("{}{}", regions[*i].province.chars().take(2).collect::<String>(), regions[*i].industry))
        .collect();
    let accounts: Vec<Option<f64>> = top.iter().map(|i| Some(cells[*i].accounts as f64)).collect();
    let title = format!("{} {year}", t(lang, "mkt.regions_title"));
    let svg = (!top.is_empty())
        .then(|| bars(&title, &labels, &[Series { name: t(lang, "mkt.accounts"), values: &accounts }], ""));
    let can_edit = actor.can_write_field(kam_core::fields::Access::General);
    let groups = view::form(
        lang,
        ENTITY,
        ANALYSIS_FIELDS,
        &["market_analysis"],
        values,
        &errors,
        &|d| viewer.sees_field(ENTITY, d.name),
        &|d| !viewer.sees_field(ENTITY, d.name),
    );
    let p = Page {
        ctx: ctx(state, auth, "market_analyses", q.get("msg").map(String::as_str)).await,
        year,
        sees_money: kam_core::ledger::can_see_money(&actor),
        heads,
        rows,
        regions,
        svg,
        can_edit,
        form_title: t(lang, if editing.is_some() { "common.edit" } else { "mkt.new" }).into(),
        action: editing.map(|id| format!("/market-analyses/{id}")).unwrap_or_else(|| "/market-analyses".into()),
        has_errors: !errors.is_empty(),
        groups,
    };
    let mut res = render(&p)?;
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    page(&state, &auth, &q, None, &|_| String::new(), FieldErrors::default()).await
}

async fn edit(State(state): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let a = state.store.market_analysis(&auth.user.actor(), id).await?;
    let values = view::stored_text(&a.rec);
    page(&state, &auth, &HashMap::new(), Some(id), &values, FieldErrors::default()).await
}

async fn create(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    save(state, f, None).await
}

async fn update(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    save(state, f, Some(id)).await
}

async fn delete(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    state.store.delete_market_analysis(&f.auth.user.actor(), id).await?;
    Ok(see_other("/market-analyses", "common.deleted"))
}

async fn save(state: AppState, f: AuthForm, id: Option<i64>) -> Result<Response, PageError> {
    let actor = f.auth.user.actor();
    let viewer = Viewer::of(&actor);
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(ANALYSIS_FIELDS, &f.form, &|d| viewer.sees_field(ENTITY, d.name), &mut errors);
    let values = view::posted_text(&f.form);
    super::form_flow(
        errors,
        async || match id {
            Some(id) => state.store.update_market_analysis(&actor, id, rec).await,
            None => state.store.create_market_analysis(&actor, rec).await,
        },
        |_| see_other("/market-analyses", "common.saved"),
        async |errors| page(&state, &f.auth, &HashMap::new(), id, &values, errors).await,
    )
    .await
}
