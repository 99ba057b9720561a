//! 附表一 客户归类汇总表: the form's columns (序号 … 客户等级) with filters,
//! beside each grade the computed ABC class and RFM scores; a row whose
//! grade disagrees says so, and a manager accepts the computed class in one
//! action. Its workbook is the same list.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::AccountId;
use kam_core::account::{CUSTOMER_TYPE, GRADE, INDUSTRY};
use kam_core::fields::EnumDef;
use kam_core::visibility::Viewer;
use std::collections::HashMap;

use super::{ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::t;
use crate::view::{self, Ctx, Pager};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/classification", get(list))
        .route("/classification.xlsx", get(xlsx))
        .route("/accounts/{id}/classification/accept", post(accept))
}

pub struct Select {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub options: Vec<(String, String)>,
}

pub struct Row {
    pub seq: i64,
    pub account_id: AccountId,
    pub name: String,
    pub contact: String,
    pub title: String,
    pub phone: String,
    pub address: String,
    pub industry: String,
    pub customer_type: String,
    pub grade: String,
    pub abc: String,
    pub revenue: String,
    pub rfm: String,
    pub disagrees: bool,
    pub can_accept: bool,
}

#[derive(Template)]
#[template(path = "classification.html")]
struct ListPage {
    ctx: Ctx,
    total: i64,
    selects: Vec<Select>,
    q: String,
    disagreeing: bool,
    rows: Vec<Row>,
    money: bool,
    thresholds: String,
    pager: Pager,
    pager_text: String,
    export_href: String,
    print_href: String,
    back: String,
}

const PER_PAGE: i64 = 50;

fn select(
    lang: crate::i18n::Lang,
    name: &'static str,
    label: &str,
    e: &EnumDef,
    q: &HashMap<String, String>,
) -> Select {
    Select {
        name,
        label: label.to_string(),
        value: q.get(name).cloned().unwrap_or_default(),
        options: e.values.iter().map(|v| (v.to_string(), view::choice(lang, e.name, v))).collect(),
    }
}

/// The query without paging and notices, to link the export, the pages and the way back.
fn query_of(q: &HashMap<String, String>, page: Option<i64>) -> String {
    let mut pairs: Vec<(&str, String)> = q
        .iter()
        .filter(|(k, v)| !v.is_empty() && !matches!(k.as_str(), "page" | "per_page" | "msg"))
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    pairs.sort();
    if let Some(p) = page {
        pairs.push(("page", p.to_string()));
    }
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let mut f = crate::classification::filter_of(&q);
    f.per_page = PER_PAGE;
    let page = state.store.classification(&actor, &f).await?;
    let accounts =
        state.store.accounts_by_id(&actor, &page.items.iter().map(|r| r.account_id).collect::<Vec<_>>()).await?;
    let money = Viewer::of(&actor).sees_money();
    let t_ = state.store.abc_thresholds().await?;
    let abc = EnumDef { name: "abc", values: &["A", "B", "C"] };
    let rows = page
        .items
        .iter()
        .enumerate()
        .map(|(i, r)| Row {
            seq: (page.page - 1) * page.per_page + i as i64 + 1,
            account_id: r.account_id,
            name: r.name.clone(),
            contact: r.contact_name.clone().unwrap_or_default(),
            title: r.contact_title.clone().unwrap_or_default(),
            phone: r.contact_phone.clone().unwrap_or_default(),
            address: r.address.clone(),
            industry: r.industry.as_deref().map(|v| view::choice(lang, "industry", v)).unwrap_or_default(),
            customer_type: r
                .customer_type
                .as_deref()
                .map(|v| view::choice(lang, "customer_type", v))
                .unwrap_or_default(),
            grade: r.grade.clone().unwrap_or_default(),
            abc: r.abc.clone(),
            revenue: view::money(r.revenue, "CNY"),
            rfm: match (r.recency, r.frequency, r.monetary) {
                (Some(a), Some(b), Some(c)) => format!("{a}-{b}-{c}"),
                _ => String::new(),
            },
            disagrees: r.disagrees,
            can_accept: r.disagrees
                && accounts
                    .iter()
                    .find(|a| a.id == r.account_id)
                    .is_some_and(|a| kam_core::classification::can_accept(&actor, &a.facts())),
        })
        .collect();
    let pager =
        Pager::new(page.page, page.per_page, page.total, |p| format!("/classification?{}", query_of(&q, Some(p))));
    let pager_text = pager.text(lang);
    let page = ListPage {
        ctx: ctx(&state, &auth, "classification", q.get("msg").map(String::as_str)).await,
        total: page.total,
        selects: vec![
            select(lang, "industry", &view::label(lang, "account", "industry"), &INDUSTRY, &q),
            select(lang, "customer_type", &view::label(lang, "account", "customer_type"), &CUSTOMER_TYPE, &q),
            select(lang, "grade", &view::label(lang, "account", "grade"), &GRADE, &q),
            Select {
                options: abc.values.iter().map(|v| (v.to_string(), v.to_string())).collect(),
                ..select(lang, "abc", t(lang, "class.abc"), &abc, &q)
            },
        ],
        q: q.get("q").cloned().unwrap_or_default(),
        disagreeing: f.disagreeing,
        rows,
        money,
        thresholds: t(lang, "class.thresholds").replace("{a}", &t_.a.to_string()).replace("{b}", &t_.b.to_string()),
        pager,
        pager_text,
        export_href: format!("/classification.xlsx?{}", query_of(&q, None)),
        print_href: format!("/classification/print?{}", query_of(&q, None)),
        back: format!("/classification?{}", query_of(&q, Some(f.page))),
    };
    render(&page)
}

async fn xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let f = crate::classification::filter_of(&q);
    crate::classification::download(&state.store, &auth.user.actor(), auth.lang, &f).await
}

async fn accept(State(state): State<AppState>, Path(id): Path<AccountId>, f: AuthForm) -> Result<Response, PageError> {
    state.store.accept_computed_grade(&f.auth.user.actor(), id).await?;
    // Back to the list as it was (a local path only).
    let back = f.form.text("back");
    let back = if back.starts_with("/classification") && !back.starts_with("//") { back } else { "/classification" };
    Ok(see_other(back, "class.accepted"))
}
