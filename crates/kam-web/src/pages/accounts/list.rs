//! The account list and the pool.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kam_core::AccountId;
use kam_core::Role;
use kam_core::account::{self, FIELDS};
use kam_core::fields::Kind;
use kam_store::accounts::{Account, AccountFilter};

use crate::AppState;
use crate::auth::Authed;
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::pages::{ctx, render};
use crate::view::{self, Ctx, Pager};

/// One line of an account table.
pub struct AccountRow {
    pub id: AccountId,
    pub name: String,
    pub short_name: String,
    pub grade: String,
    pub industry: String,
    pub customer_type: String,
    pub stage: String,
    pub city: String,
    pub owner: String,
    pub updated: String,
}

pub(super) fn enum_label(lang: Lang, a: &Account, field: &str) -> String {
    let def = kam_core::fields::def(FIELDS, field);
    match (a.text(field), def.map(|d| d.kind)) {
        (Some(v), Some(Kind::Enum(e))) => view::choice(lang, e.name, v),
        (Some(v), _) => v.to_string(),
        _ => String::new(),
    }
}

pub fn rows(lang: Lang, items: &[Account]) -> Vec<AccountRow> {
    items
        .iter()
        .map(|a| AccountRow {
            id: a.id,
            name: a.name().to_string(),
            short_name: a.text("short_name").unwrap_or_default().to_string(),
            grade: a.text("grade").unwrap_or_default().to_string(),
            industry: enum_label(lang, a, "industry"),
            customer_type: enum_label(lang, a, "customer_type"),
            stage: enum_label(lang, a, "stage"),
            city: a.text("city").unwrap_or_default().to_string(),
            owner: a.owner_name.clone().unwrap_or_default(),
            updated: kam_core::time_util::display_ts(&a.updated_at),
        })
        .collect()
}

/// Query of the list page.
#[derive(serde::Deserialize, serde::Serialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
}

impl ListQuery {
    pub fn filter(&self, per_page: i64) -> AccountFilter {
        let nonempty = |o: &Option<String>| o.clone().filter(|s| !s.is_empty());
        AccountFilter {
            grade: nonempty(&self.grade),
            customer_type: nonempty(&self.customer_type),
            industry: nonempty(&self.industry),
            stage: nonempty(&self.stage),
            owner_id: self.owner_id.as_deref().and_then(|o| o.parse().ok()),
            pool: matches!(self.pool.as_deref(), Some("1" | "true" | "on")),
            parent_id: None,
            sort: nonempty(&self.sort),
            desc: self.dir.as_deref() == Some("desc"),
            page: self.page.unwrap_or(1),
            per_page,
        }
    }
}

pub struct FilterSelect {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "accounts_list.html")]
struct ListPage {
    ctx: Ctx,
    title: String,
    action: &'static str,
    pool_mode: bool,
    pool_checked: bool,
    claim_limit: i64,
    filters: Vec<FilterSelect>,
    sorts: Vec<(String, String)>,
    sort: String,
    desc: bool,
    rows: Vec<AccountRow>,
    show_claim: bool,
    pager: Pager,
    pager_text: String,
    export_href: String,
}

const PER_PAGE: i64 = 25;

pub(crate) async fn owner_options(state: &AppState, auth: &Authed) -> Vec<(String, String)> {
    let users = state.store.users().await.unwrap_or_default();
    let me = auth.user.actor();
    users
        .into_iter()
        .filter(|u| u.active && matches!(u.role, Role::Sales | Role::Manager))
        .filter(|u| match me.role {
            Role::Sales => u.id == me.user_id,
            Role::Manager => u.team_id == me.team_id,
            _ => true,
        })
        .map(|u| (u.id.to_string(), u.display_name))
        .collect()
}

async fn list_page(state: AppState, auth: Authed, q: ListQuery, pool_mode: bool) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let mut f = q.filter(PER_PAGE);
    if pool_mode {
        f.pool = true;
    }
    let page = state.store.list_accounts(&actor, &f).await?;
    let action = if pool_mode { "/pool" } else { "/accounts" };
    let enum_filter = |name: &'static str, value: &Option<String>| {
        let def = kam_core::fields::def(FIELDS, name).expect("field exists");
        let Kind::Enum(e) = def.kind else { unreachable!("enum filters are enums") };
        FilterSelect {
            name,
            label: view::label(lang, "account", name),
            value: value.clone().unwrap_or_default(),
            options: e.values.iter().map(|v| (v.to_string(), view::choice(lang, e.name, v))).collect(),
        }
    };
    let mut filters = vec![
        enum_filter("grade", &q.grade),
        enum_filter("customer_type", &q.customer_type),
        enum_filter("industry", &q.industry),
        enum_filter("stage", &q.stage),
    ];
    if !pool_mode && actor.role != Role::Sales {
        filters.push(FilterSelect {
            name: "owner_id",
            label: t(lang, "accounts.owner").into(),
            value: q.owner_id.clone().unwrap_or_default(),
            options: owner_options(&state, &auth).await,
        });
    }
    let sorts = account::SORTABLE
        .iter()
        .map(|s| {
            let key = match *s {
                "updated_at" => "common.updated_at".to_string(),
                "created_at" => "common.created_at".to_string(),
                other => format!("field.account.{other}"),
            };
            (s.to_string(), t(lang, &key).to_string())
        })
        .collect();
    let base = q.clone();
    let pager = Pager::new(page.page, page.per_page, page.total, |p| {
        let mut qq = base.clone();
        qq.page = Some(p);
        qq.msg = None;
        format!("{action}?{}", serde_urlencoded::to_string(&qq).unwrap_or_default())
    });
    let pager_text = pager.text(lang);
    let title = if pool_mode {
        t(lang, "accounts.pool_title").to_string()
    } else if f.stage.as_deref() == Some("prospect") {
        t(lang, "accounts.prospects_title").to_string()
    } else {
        t(lang, "accounts.title").to_string()
    };
    let section = if pool_mode {
        "pool"
    } else if f.stage.as_deref() == Some("prospect") {
        "prospects"
    } else {
        "accounts"
    };
    let claim_limit = state.store.claim_limit().await?;
    let export_query = ListQuery {
        page: None,
        msg: None,
        pool: if pool_mode { Some("1".into()) } else { q.pool.clone() },
        ..q.clone()
    };
    let export_href = format!("/accounts.xlsx?{}", serde_urlencoded::to_string(&export_query).unwrap_or_default());
    let page_view = ListPage {
        ctx: ctx(&state, &auth, section, q.msg.as_deref()).await,
        title,
        action,
        pool_mode,
        pool_checked: f.pool,
        claim_limit,
        filters,
        sorts,
        sort: f.sort.clone().unwrap_or_else(|| "updated_at".into()),
        desc: f.desc || f.sort.is_none(),
        rows: rows(lang, &page.items),
        show_claim: pool_mode && actor.can_claim(),
        pager,
        pager_text,
        export_href,
    };
    render(&page_view)
}

pub(super) async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    list_page(state, auth, q, false).await
}

pub(super) async fn pool(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    list_page(state, auth, q, true).await
}

/// GET /accounts.xlsx: the list as the viewer filtered it, every page, as a workbook.
pub(super) async fn export(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let bytes =
        crate::exports::accounts_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang, q.filter(200)).await?;
    Ok(crate::downloads::xlsx_response("客户.xlsx", bytes))
}
