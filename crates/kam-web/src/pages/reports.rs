//! The nine forms in one place (附表一–九 and the statements): the Reports
//! page with each form's page, print page and workbook, an account chosen by
//! name for the forms of one account; and the print pages and workbooks the
//! forms lacked: 附表一 and 附表四 (附表二's are in `visit_plans`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kam_core::AccountId;
use std::collections::HashMap;

use super::{ctx, render};
use crate::AppState;
use crate::auth::Authed;
use crate::error::PageError;
use crate::i18n::t;
use crate::reports::{Of, for_reader, form, with_id};
use crate::view::{self, Ctx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(index))
        .route("/reports/open", get(open))
        .route("/accounts/{id}/card/print", get(card_print))
        .route("/accounts/{id}/card.xlsx", get(card_xlsx))
        .route("/classification/print", get(classification_print))
}

pub struct FormRow {
    pub form: u8,
    pub title: String,
    pub number: String,
    /// Of one account: chosen on this page.
    pub per_account: bool,
    /// Of one record: opened from its list.
    pub per_record: bool,
    pub page: String,
    pub print: Option<String>,
    pub xlsx: Option<String>,
}

/// The form asked for, the name typed and the accounts matching it (address, name).
type Asked = Option<(u8, String, Vec<(String, String)>)>;

#[derive(Template)]
#[template(path = "reports.html")]
struct IndexPage {
    ctx: Ctx,
    forms: Vec<FormRow>,
    asked: Asked,
}

fn number(lang: crate::i18n::Lang, n: u8) -> String {
    if n == 0 { t(lang, "reports.statements_no").into() } else { t(lang, &format!("reports.no{n}")).into() }
}

async fn index_page(state: &AppState, auth: &Authed, asked: Asked) -> Result<Response, PageError> {
    let lang = auth.lang;
    let forms = for_reader(&auth.user.actor())
        .map(|f| FormRow {
            form: f.form,
            title: t(lang, f.key).into(),
            number: number(lang, f.form),
            per_account: f.of == Of::Account,
            per_record: f.of == Of::Record,
            page: f.page.to_string(),
            print: f.print.filter(|_| f.of == Of::Scope).map(str::to_string),
            xlsx: f.xlsx.filter(|x| !x.contains("{id}")).map(str::to_string),
        })
        .collect();
    render(&IndexPage { ctx: ctx(state, auth, "reports", None).await, forms, asked })
}

async fn index(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    index_page(&state, &auth, None).await
}

/// GET /reports/open?form=4&q=name: one match opens its print page; several are listed.
async fn open(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let n: u8 = q.get("form").and_then(|f| f.parse().ok()).ok_or(PageError::BadRequest)?;
    let f = form(n).filter(|f| f.of == Of::Account).ok_or(PageError::BadRequest)?;
    if !for_reader(&auth.user.actor()).any(|x| x.form == n) {
        return Err(PageError::NotFound);
    }
    let name = q.get("q").map(|s| s.trim().to_string()).unwrap_or_default();
    let target = f.print.unwrap_or(f.page);
    let hits: Vec<(String, String)> = if name.is_empty() {
        vec![]
    } else {
        state
            .store
            .search(&auth.user.actor(), &name, 20)
            .await?
            .into_iter()
            .filter(|h| h.entity == "account")
            .map(|h| (with_id(target, h.id), h.name))
            .collect()
    };
    match hits.as_slice() {
        [(href, _)] => Ok(Redirect::to(href).into_response()),
        _ => index_page(&state, &auth, Some((n, name, hits))).await,
    }
}

#[derive(Template)]
#[template(path = "print_card.html")]
struct CardPrint {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    card: crate::profile_card::Card,
    tables: Vec<(String, Vec<String>, Vec<Vec<String>>)>,
    printed: String,
}

/// GET /accounts/{id}/card/print: 附表四 as the paper form.
async fn card_print(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    use crate::profile_card::{COMPETITOR_COLUMNS, LEADER_COLUMNS, MANAGER_COLUMNS, build, heading};
    let lang = crate::i18n::Lang::Zh;
    let card = build(&state.store, &auth.user.actor(), lang, id).await?;
    let heads = |key: &str, cols: &[&str]| cols.iter().map(|c| heading(lang, key, c)).collect::<Vec<_>>();
    let tables = vec![
        (t(lang, "card.leaders").to_string(), heads("leaders", &LEADER_COLUMNS), card.leaders.clone()),
        (t(lang, "card.managers").to_string(), heads("managers", &MANAGER_COLUMNS), card.managers.clone()),
        (t(lang, "card.competitor").to_string(), heads("competitor", &COMPETITOR_COLUMNS), card.competitors.clone()),
    ];
    render(&CardPrint {
        lang: lang.code(),
        print_label: t(lang, "common.print").into(),
        back: format!("/accounts/{id}"),
        back_label: t(lang, "common.back").into(),
        card,
        tables,
        printed: format!("打印日期 {}", state.store.today()),
    })
}

async fn card_xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    crate::profile_card::download(&state.store, &auth.user.actor(), auth.lang, id).await
}

/// The rows 附表一's print page holds at most.
const PRINT_ROWS: i64 = 1000;

#[derive(Template)]
#[template(path = "print_classification.html")]
struct ClassPrint {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    rows: Vec<[String; 9]>,
    total: i64,
    cut: bool,
    printed: String,
}

/// GET /classification/print: 附表一 with the list's filters, as the paper form.
async fn classification_print(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = crate::i18n::Lang::Zh;
    let actor = auth.user.actor();
    let f = crate::classification::filter_of(&q);
    let p = state.store.classification_upto(&actor, &f, PRINT_ROWS).await?;
    let total = p.total;
    let rows: Vec<[String; 9]> = p
        .items
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            [
                (i + 1).to_string(),
                r.name,
                r.contact_name.unwrap_or_default(),
                r.contact_title.unwrap_or_default(),
                r.contact_phone.unwrap_or_default(),
                r.address,
                r.industry.as_deref().map(|v| view::choice(lang, "industry", v)).unwrap_or_default(),
                r.customer_type.as_deref().map(|v| view::choice(lang, "customer_type", v)).unwrap_or_default(),
                r.grade.unwrap_or_default(),
            ]
        })
        .collect();
    let back = serde_urlencoded::to_string(q.iter().filter(|(k, _)| k.as_str() != "page").collect::<Vec<_>>())
        .unwrap_or_default();
    render(&ClassPrint {
        lang: lang.code(),
        print_label: t(lang, "common.print").into(),
        back: format!("/classification?{back}"),
        back_label: t(lang, "common.back").into(),
        cut: total > rows.len() as i64,
        total,
        rows,
        printed: format!("打印日期 {}", state.store.today()),
    })
}
