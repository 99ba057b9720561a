//! Account pages: the list (with the pool view), the 360° page with its tabs,
//! the profile-card form, pool actions, sharing, competition and business.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::account::{self, FIELDS, GROUPS};
use kam_core::contact::{PARTNER_FIELDS, POSITION_FIELDS};
use kam_core::fields::{FieldDef, Kind, Value};
use kam_core::visibility::Viewer;
use kam_core::{FieldErrors, Role};
use kam_store::StoreError;
use kam_store::accounts::{Account, AccountFilter, AccountInput};

use super::{ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed, FormData};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx, HistoryRow, InputGroup, Pager, ShownGroup};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list).post(create))
        .route("/pool", get(pool))
        .route("/accounts/new", get(new_form))
        .route("/accounts/{id}", get(show).post(update))
        .route("/accounts/{id}/edit", get(edit_form))
        .route("/accounts/{id}/delete", post(delete))
        .route("/accounts/{id}/claim", post(claim))
        .route("/accounts/{id}/release", post(release))
        .route("/accounts/{id}/share", post(share))
        .route("/accounts/{id}/competitors", post(add_position))
        .route("/accounts/{id}/competitors/{pid}/delete", post(remove_position))
        .route("/accounts/{id}/partners", post(add_partner))
        .route("/accounts/{id}/partners/{pid}/delete", post(remove_partner))
}

/// One line of an account table.
pub struct AccountRow {
    pub id: i64,
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

fn enum_label(lang: Lang, a: &Account, field: &str) -> String {
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
}

const PER_PAGE: i64 = 25;

async fn owner_options(state: &AppState, auth: &Authed) -> Vec<(String, String)> {
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
    let pager_text =
        t(lang, "common.page").replace("{p}", &pager.page.to_string()).replace("{n}", &pager.pages.to_string());
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
    };
    render(&page_view)
}

async fn list(State(state): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    list_page(state, auth, q, false).await
}

async fn pool(State(state): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    list_page(state, auth, q, true).await
}

// ---- the 360° page ----

pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub buying_role: String,
    pub attitude: String,
    pub mobile: String,
    pub email: String,
    pub primary: bool,
}

pub struct PositionRow {
    pub id: i64,
    pub competitor: String,
    pub share: String,
    pub products: String,
    pub prices: String,
    pub policy: String,
    pub tech: String,
}

pub struct PartnerRow {
    pub id: i64,
    pub name: String,
    pub products: String,
    pub share: String,
    pub volume: String,
    pub notes: String,
}

#[derive(Template)]
#[template(path = "account_show.html")]
struct ShowPage {
    ctx: Ctx,
    id: i64,
    name: String,
    grade: String,
    stage: String,
    shared: bool,
    owner: Option<String>,
    parent: Option<(i64, String)>,
    credit_code: String,
    can_edit: bool,
    can_claim: bool,
    can_release: bool,
    can_delete: bool,
    can_share: bool,
    tab_groups: Vec<TabGroup>,
    tab: String,
    card: Vec<ShownGroup>,
    children: Vec<(i64, String)>,
    share_users: Vec<(i64, String)>,
    contacts: Vec<ContactRow>,
    positions: Vec<PositionRow>,
    competitor_options: Vec<(i64, String)>,
    competitor_value: i64,
    has_errors: bool,
    sales_situation: String,
    usage_volume: String,
    partner_groups: Vec<(String, Vec<PartnerRow>)>,
    groups: Vec<InputGroup>,
    history: Vec<HistoryRow>,
    /// The tab of an activity kind: its rows and where to record a new one.
    is_activity_tab: bool,
    rows: Vec<super::activity::Row>,
    activity_new: Option<(String, String)>,
    show_account: bool,
    when_label: String,
    kind_label: String,
    title_label: String,
    trend: Vec<kam_core::activity::SurveyMonth>,
    /// Timeline: filter links (href, label, active) and the entries.
    timeline_filters: Vec<(String, String, bool)>,
    timeline: Vec<super::activity::Row>,
    events: Vec<super::market::EventRow>,
    /// Money: the orders tab, the ledger tab, and the balance in the header.
    rows_orders: Vec<super::orders::OrderRow>,
    ledgers: Vec<super::ledger::LedgerView>,
    can_order: bool,
    can_post: bool,
    balances: Vec<String>,
    statement_rows: Vec<super::statements::Row>,
    contract_rows: Vec<super::contracts::Row>,
    can_contract: bool,
    /// The credit rating in the header, and the credit tab.
    credit_rating: Option<String>,
    credit: Option<super::credit::CreditPanel>,
}

#[derive(serde::Deserialize, Default)]
struct ShowQuery {
    tab: Option<String>,
    msg: Option<String>,
    /// Timeline filter: one activity kind's entity name.
    kind: Option<String>,
    /// Credit tab: the month assessed (YYYY-MM).
    period: Option<String>,
}

/// What a tab is narrowed to: the timeline's kind, the credit tab's month.
#[derive(Default, Clone, Copy)]
pub(super) struct TabFilter<'a> {
    pub kind: Option<&'a str>,
    pub period: Option<&'a str>,
}

/// The tabs of the 360° page: the card, people, each activity kind, competition, business, history.
fn tabs() -> Vec<&'static str> {
    let mut t = vec!["profile", "timeline", "contacts"];
    t.extend(kam_core::activity::KINDS.iter().map(|k| k.resource));
    t.extend(["orders", "contracts", "ledger", "credit", "events", "competition", "business", "history"]);
    t
}

/// The tabs in groups, so the active one is always in sight: 概况,
/// 联系与拜访, 服务, 交易与财务, 分析, 历史. Every tab of `tabs()` is in one group.
const TAB_GROUPS: &[(&str, &[&str])] = &[
    ("overview", &["profile", "timeline"]),
    ("contact", &["contacts", "interactions", "visits", "events"]),
    ("service", &["service-records", "complaints", "surveys"]),
    ("trade", &["orders", "contracts", "ledger", "credit"]),
    ("analysis", &["needs", "competition", "business"]),
    ("history", &["history"]),
];

/// A group of tabs as the page shows it.
pub struct TabGroup {
    pub label: String,
    /// Where the group's own tab leads: its first tab.
    pub first: String,
    pub active: bool,
    pub tabs: Vec<(String, String)>,
}

fn tab_groups(lang: crate::i18n::Lang, shown: &[&str], active: &str) -> Vec<TabGroup> {
    TAB_GROUPS
        .iter()
        .filter_map(|(g, keys)| {
            let tabs: Vec<(String, String)> = keys
                .iter()
                .filter(|k| shown.contains(k))
                .map(|k| (k.to_string(), t(lang, &format!("tab.{k}")).to_string()))
                .collect();
            let first = tabs.first()?.0.clone();
            Some(TabGroup {
                label: t(lang, &format!("tabgroup.{g}")).to_string(),
                first,
                active: keys.contains(&active),
                tabs,
            })
        })
        .collect()
}

fn rec_text(rec: &kam_core::Record, f: &str) -> String {
    rec.get(f).map(|v| v.form_text(Kind::LongText)).unwrap_or_default()
}

fn pct(rec: &kam_core::Record, f: &str) -> String {
    match rec.get(f) {
        Some(Value::Float(x)) => format!("{}%", Value::Float(*x).form_text(Kind::Percent)),
        _ => String::new(),
    }
}

async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let tab = q.tab.filter(|t| tabs().contains(&t.as_str())).unwrap_or_else(|| "profile".into());
    let filter = TabFilter { kind: q.kind.as_deref(), period: q.period.as_deref() };
    show_page(&state, &auth, id, &tab, q.msg.as_deref(), None, filter).await
}

/// A sub-form (competitor position, supplier/customer) that came back with errors.
pub(super) struct Posted<'a> {
    pub form: &'a FormData,
    pub errors: FieldErrors,
}

pub(super) async fn show_page(
    state: &AppState,
    auth: &Authed,
    id: i64,
    tab: &str,
    flash: Option<&str>,
    posted: Option<Posted<'_>>,
    filter: TabFilter<'_>,
) -> Result<Response, PageError> {
    let (timeline_kind, credit_period) = (filter.kind, filter.period);
    let lang = auth.lang;
    let actor = auth.user.actor();
    let store = &state.store;
    let err = |e| PageError::from(e);
    let a = store.account(&actor, id).await.map_err(err)?;
    let facts = a.facts();
    let no_values = |_: &FieldDef| String::new();
    let (values, errors): (&(dyn Fn(&FieldDef) -> String + Sync), FieldErrors) = match &posted {
        Some(p) => (&view::posted_text(p.form), p.errors.clone()),
        None => (&no_values, FieldErrors::default()),
    };
    let general_edit = actor.can_edit_account(&facts) && actor.can_write_field(kam_core::fields::Access::General);
    let mut page = ShowPage {
        ctx: ctx(state, auth, "accounts", flash).await,
        id,
        name: a.name().to_string(),
        grade: a.text("grade").unwrap_or_default().to_string(),
        stage: enum_label(lang, &a, "stage"),
        shared: a.shared_with_me,
        owner: a.owner_name.clone(),
        parent: a.parent_id.zip(a.parent_name.clone()),
        credit_code: a.text("credit_code").unwrap_or_default().to_string(),
        can_edit: actor.can_edit_account(&facts),
        can_claim: a.owner_id.is_none() && actor.can_claim(),
        can_release: actor.can_release(&facts),
        can_delete: actor.can_delete_account(&facts),
        can_share: general_edit,
        tab_groups: tab_groups(
            lang,
            &tabs()
                .into_iter()
                .filter(|k| !matches!(*k, "ledger" | "credit") || kam_core::ledger::can_read(&actor, &facts))
                .collect::<Vec<_>>(),
            tab,
        ),
        tab: tab.to_string(),
        card: vec![],
        children: vec![],
        share_users: vec![],
        contacts: vec![],
        positions: vec![],
        competitor_options: vec![],
        competitor_value: posted.as_ref().and_then(|p| p.form.int("competitor_id")).unwrap_or(0),
        has_errors: !errors.is_empty(),
        sales_situation: rec_text(&a.rec, "sales_situation"),
        usage_volume: rec_text(&a.rec, "usage_volume"),
        partner_groups: vec![],
        groups: vec![],
        history: vec![],
        is_activity_tab: false,
        rows: vec![],
        activity_new: None,
        show_account: false,
        when_label: String::new(),
        kind_label: String::new(),
        title_label: String::new(),
        trend: vec![],
        timeline_filters: vec![],
        timeline: vec![],
        events: vec![],
        rows_orders: vec![],
        ledgers: vec![],
        can_order: kam_core::order::can_place(&actor, &facts),
        can_post: kam_core::ledger::can_post(&actor),
        balances: vec![],
        statement_rows: vec![],
        contract_rows: vec![],
        can_contract: kam_core::contract::can_write(&actor, &facts),
        credit_rating: None,
        credit: None,
    };
    // The balance in the header, for those who may see money.
    if kam_core::ledger::can_read(&actor, &facts) {
        let ledgers = store.ledgers(&actor, id).await.map_err(err)?;
        let period = match (tab, credit_period) {
            ("credit", Some(p)) if kam_core::credit::period_ends(p).is_some() => p.to_string(),
            _ => kam_core::time_util::month_of(state.store.today()),
        };
        if ledgers.iter().any(|l| !l.entries.is_empty()) || tab == "credit" {
            let view = store.credit_for(&actor, &a, &ledgers, &period).await.map_err(err)?;
            page.credit_rating = Some(view.rating.clone());
            if tab == "credit" {
                // A month not yet begun cannot be overridden (the store refuses it too).
                let open = period <= kam_core::time_util::month_of(state.store.today());
                let mut panel = super::credit::panel(lang, &view, kam_core::credit::can_override(&actor) && open);
                // An override that came back: what was typed, and why not.
                if let Some(p) = &posted {
                    panel.typed = (
                        p.form.text("rating").to_string(),
                        p.form.text("credit_limit").to_string(),
                        p.form.text("reason").to_string(),
                    );
                    panel.errors = p.errors.0.iter().map(|(k, v)| (k.clone(), t(lang, v).to_string())).collect();
                }
                page.credit = Some(panel);
            }
        }
        page.balances =
            ledgers.iter().filter(|l| !l.entries.is_empty()).map(|l| view::money(l.balance, &l.currency)).collect();
        if tab == "ledger" {
            page.ledgers = super::ledger::ledger_views(lang, &ledgers);
            let f = kam_store::statements::StatementFilter { account_id: Some(id), per_page: 60, ..Default::default() };
            page.statement_rows =
                super::statements::rows(lang, &store.statements(&actor, &f).await.map_err(err)?.items);
        }
    }
    // Only profile editors get the tab actions below; finance edits the card only.
    let tab_edit = general_edit;
    match tab {
        "profile" => {
            page.card = view::card(lang, "account", FIELDS, GROUPS, &a.rec, Viewer::of(&actor));
            page.children = store
                .child_accounts(&actor, id)
                .await
                .map_err(err)?
                .into_iter()
                .map(|c| (c.id, c.name().to_string()))
                .collect();
            if general_edit {
                page.share_users = store
                    .users()
                    .await
                    .map_err(err)?
                    .into_iter()
                    .filter(|u| u.active && u.id != actor.user_id && Some(u.id) != a.owner_id)
                    .map(|u| (u.id, format!("{} ({})", u.display_name, t(lang, &format!("role.{}", u.role.as_str())))))
                    .collect();
            }
        }
        "contacts" => {
            page.can_edit = tab_edit;
            for c in store.account_contacts(&actor, id).await.map_err(err)? {
                let link = c.accounts.iter().find(|l| l.account_id == id);
                let lt =
                    |f: &str| link.and_then(|l| l.rec.get(f)).and_then(Value::as_text).unwrap_or_default().to_string();
                page.contacts.push(ContactRow {
                    id: c.id,
                    name: rec_text(&c.rec, "name"),
                    title: lt("title"),
                    buying_role: link
                        .and_then(|l| l.rec.get("buying_role"))
                        .and_then(Value::as_text)
                        .map(|v| view::choice(lang, "buying_role", v))
                        .unwrap_or_default(),
                    attitude: link
                        .and_then(|l| l.rec.get("attitude"))
                        .and_then(Value::as_text)
                        .map(|v| view::choice(lang, "attitude", v))
                        .unwrap_or_default(),
                    mobile: rec_text(&c.rec, "mobile"),
                    email: rec_text(&c.rec, "email"),
                    primary: link.and_then(|l| l.rec.get("is_primary")) == Some(&Value::Bool(true)),
                });
            }
        }
        "competition" => {
            page.can_edit = tab_edit;
            page.positions = store
                .positions(&actor, id)
                .await
                .map_err(err)?
                .into_iter()
                .map(|p| PositionRow {
                    id: p.id,
                    competitor: p.competitor_name,
                    share: pct(&p.rec, "share_pct"),
                    products: rec_text(&p.rec, "products"),
                    prices: rec_text(&p.rec, "prices"),
                    policy: rec_text(&p.rec, "policy"),
                    tech: rec_text(&p.rec, "tech_requirements"),
                })
                .collect();
            page.competitor_options = store
                .competitors(&actor)
                .await
                .map_err(err)?
                .into_iter()
                .map(|c| (c.id, rec_text(&c.rec, "name")))
                .collect();
            page.groups =
                view::form(lang, "position", POSITION_FIELDS, &["position"], values, &errors, &|_| true, &|_| false);
            for g in &mut page.groups {
                g.title = t(lang, "competition.add").into();
            }
        }
        "business" => {
            page.can_edit = tab_edit;
            let partners = store.partners(&actor, id).await.map_err(err)?;
            for kind in ["supplier", "customer"] {
                let title =
                    t(lang, if kind == "supplier" { "business.suppliers" } else { "business.customers" }).to_string();
                let rows = partners
                    .iter()
                    .filter(|p| p.rec.get("kind").and_then(Value::as_text) == Some(kind))
                    .map(|p| PartnerRow {
                        id: p.id,
                        name: rec_text(&p.rec, "name"),
                        products: rec_text(&p.rec, "products"),
                        share: pct(&p.rec, "share_pct"),
                        volume: rec_text(&p.rec, "volume"),
                        notes: rec_text(&p.rec, "notes"),
                    })
                    .collect();
                page.partner_groups.push((title, rows));
            }
            page.groups =
                view::form(lang, "partner", PARTNER_FIELDS, &["partner"], values, &errors, &|_| true, &|_| false);
            for g in &mut page.groups {
                g.title = t(lang, "business.add").into();
            }
        }
        "contracts" => {
            let list = store.contracts(&actor, Some(id)).await.map_err(err)?;
            page.contract_rows = super::contracts::rows(lang, &list);
        }
        "orders" => {
            let f = kam_store::orders::OrderFilter { account_id: Some(id), per_page: 200, ..Default::default() };
            let list = store.orders(&actor, &f).await.map_err(err)?;
            page.rows_orders = super::orders::order_rows(lang, &list.items);
        }
        "events" => {
            let list = store.account_market_activities(&actor, id).await.map_err(err)?;
            page.events = super::market::event_rows(lang, &list);
        }
        "timeline" => {
            use kam_store::activity::{TIMELINE_MONEY_KINDS, is_timeline_kind};
            let chosen = timeline_kind.filter(|k| is_timeline_kind(k));
            let kinds: Vec<&str> = chosen.into_iter().collect();
            let items = store.account_timeline(&actor, id, &kinds, 200).await?;
            page.timeline = super::activity::timeline_rows(lang, &actor, &items, store.clock().now());
            let names = kam_core::activity::KINDS.iter().map(|k| k.entity).chain(TIMELINE_MONEY_KINDS);
            page.timeline_filters = std::iter::once((
                format!("/accounts/{id}?tab=timeline"),
                t(lang, "timeline.all").to_string(),
                chosen.is_none(),
            ))
            .chain(names.map(|k| {
                (
                    format!("/accounts/{id}?tab=timeline&kind={k}"),
                    t(lang, &format!("entity.{k}")).to_string(),
                    chosen == Some(k),
                )
            }))
            .collect();
        }
        other if kam_core::activity::by_resource(other).is_some() => {
            let kind = kam_core::activity::by_resource(other).expect("checked");
            let f = kam_store::activity::ActivityFilter { account_id: Some(id), page: 1, per_page: 200 };
            let list = store.list_activities(kind, &actor, &f).await.map_err(err)?;
            page.is_activity_tab = true;
            page.rows = super::activity::rows(lang, kind, &list.items, store.clock().now());
            page.trend = super::activity::trend(state, &actor, kind, Some(id)).await;
            let l = super::activity::labels(lang, kind);
            (page.when_label, page.kind_label, page.title_label) = (l.when_label, l.kind_label, l.title_label);
            if actor.can_record_activity(&facts) {
                page.activity_new = Some((
                    format!("/accounts/{id}/{}/new", kind.resource),
                    t(lang, &format!("activity.{}.new", kind.entity)).to_string(),
                ));
            }
        }
        _ => {
            let rows = store.account_history(id).await.map_err(err)?;
            let viewer = Viewer::new(&actor, a.owner_id == Some(actor.user_id));
            page.history = view::history(lang, &rows, viewer, &view::Names::load(store, &actor, &rows).await);
        }
    }
    render(&page)
}

// ---- the profile-card form ----

#[derive(Template)]
#[template(path = "account_form.html")]
struct FormPage {
    ctx: Ctx,
    title: String,
    action: String,
    cancel: String,
    has_errors: bool,
    similar: Vec<(i64, String)>,
    show_relations: bool,
    can_assign: bool,
    owner_options: Vec<(String, String)>,
    owner_value: String,
    owner_error: Option<String>,
    parent_value: String,
    parent_options: Vec<String>,
    parent_error: Option<String>,
    groups: Vec<InputGroup>,
}

struct FormState<'a> {
    values: &'a (dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
    owner_value: String,
    parent_value: String,
    similar: Vec<(i64, String)>,
}

async fn form_page(
    state: &AppState,
    auth: &Authed,
    existing: Option<&Account>,
    st: FormState<'_>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let writable = |d: &FieldDef| view::can_write(&auth.user, d);
    let groups = view::form(lang, "account", FIELDS, GROUPS, st.values, &st.errors, &writable, &|_| false);
    let mut owners = vec![("pool".to_string(), t(lang, "accounts.put_in_pool").to_string())];
    owners.extend(owner_options(state, auth).await);
    // Parents: the names of visible accounts, typed or picked from the list.
    let parents = state
        .store
        .list_accounts(
            &actor,
            &AccountFilter { page: 1, per_page: 200, sort: Some("name".into()), ..Default::default() },
        )
        .await
        .map(|p| p.items.iter().map(|a| a.name().to_string()).collect())
        .unwrap_or_default();
    let page = FormPage {
        ctx: ctx(state, auth, "accounts", None).await,
        title: t(lang, if existing.is_some() { "accounts.edit" } else { "accounts.new" }).to_string(),
        action: existing.map(|a| format!("/accounts/{}", a.id)).unwrap_or_else(|| "/accounts".into()),
        cancel: existing.map(|a| format!("/accounts/{}", a.id)).unwrap_or_else(|| "/accounts".into()),
        has_errors: !st.errors.is_empty(),
        similar: st.similar,
        show_relations: actor.can_write_field(kam_core::fields::Access::General),
        can_assign: matches!(actor.role, Role::Admin | Role::Manager) || existing.is_none(),
        owner_options: owners,
        owner_value: st.owner_value,
        owner_error: st.errors.0.get("owner_id").map(|k| t(lang, k).to_string()),
        parent_value: st.parent_value,
        parent_options: parents,
        parent_error: st.errors.0.get("parent_id").map(|k| t(lang, k).to_string()),
        groups,
    };
    let mut res = render(&page)?;
    if !st.errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn new_form(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    if !auth.user.actor().can_create_account() {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let defaults = |d: &FieldDef| match d.name {
        "currency" => "CNY".to_string(),
        "stage" => "prospect".to_string(),
        _ => String::new(),
    };
    let owner = if auth.user.role == Role::Admin { "pool".to_string() } else { auth.user.id.to_string() };
    form_page(
        &state,
        &auth,
        None,
        FormState {
            values: &defaults,
            errors: FieldErrors::default(),
            owner_value: owner,
            parent_value: String::new(),
            similar: vec![],
        },
    )
    .await
}

async fn edit_form(State(state): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let actor = auth.user.actor();
    let a = state.store.account(&actor, id).await?;
    if !actor.can_edit_account(&a.facts()) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let values = view::stored_text(&a.rec);
    let owner = a.owner_id.map(|o| o.to_string()).unwrap_or_else(|| "pool".into());
    // A parent the editor may not see keeps its place by id (its name stays hidden).
    let parent = a.parent_name.clone().or(a.parent_id.map(|p| p.to_string())).unwrap_or_default();
    form_page(
        &state,
        &auth,
        Some(&a),
        FormState {
            values: &values,
            errors: FieldErrors::default(),
            owner_value: owner,
            parent_value: parent,
            similar: vec![],
        },
    )
    .await
}

/// Resolves the parent field: an id, or the exact name of a visible account.
async fn resolve_parent(state: &AppState, auth: &Authed, raw: &str) -> Result<Option<i64>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(id) = raw.parse::<i64>() {
        return Ok(Some(id));
    }
    let hits = state.store.search(&auth.user.actor(), raw, 50).await.map_err(|_| ())?;
    hits.into_iter().find(|h| h.entity == "account" && h.name == raw).map(|h| Some(h.id)).ok_or(())
}

/// Reads the profile-card form into an input, collecting field errors.
async fn read_input(
    state: &AppState,
    auth: &Authed,
    form: &FormData,
    errors: &mut FieldErrors,
    existing: Option<&Account>,
) -> AccountInput {
    let writable = |d: &FieldDef| view::can_write(&auth.user, d);
    let rec = view::parse_form(FIELDS, form, &writable, errors);
    let actor = auth.user.actor();
    let mut input = AccountInput { rec, ..Default::default() };
    if actor.can_write_field(kam_core::fields::Access::General) {
        if let Some(o) = form.get("owner").filter(|o| !o.is_empty()) {
            let owner = if o == "pool" { None } else { o.parse().ok() };
            if existing.is_none_or(|a| a.owner_id != owner) {
                input.owner = Some(owner);
            }
        }
        match resolve_parent(state, auth, form.text("parent")).await {
            Ok(p) => input.parent = Some(p),
            Err(()) => errors.add("parent_id", "err.parent"),
        }
    }
    input
}

fn field_errors(e: StoreError) -> Result<FieldErrors, PageError> {
    match e {
        StoreError::Invalid(fe) => Ok(fe),
        other => Err(PageError::from(other)),
    }
}

async fn create(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    let (auth, form) = (&f.auth, &f.form);
    let mut errors = FieldErrors::default();
    let input = read_input(&state, auth, form, &mut errors, None).await;
    let values = view::posted_text(form);
    let owner_value = form.text("owner").to_string();
    let parent_value = form.text("parent").to_string();
    if !errors.is_empty() {
        return form_page(
            &state,
            auth,
            None,
            FormState { values: &values, errors, owner_value, parent_value, similar: vec![] },
        )
        .await;
    }
    if !form.flag("confirm_similar") {
        let name = input.rec.get("name").and_then(Value::as_text).unwrap_or_default();
        let similar = state.store.similar_accounts(name, None).await?;
        if !similar.is_empty() {
            let similar = similar.into_iter().map(|s| (s.id, s.name)).collect();
            return form_page(
                &state,
                auth,
                None,
                FormState { values: &values, errors, owner_value, parent_value, similar },
            )
            .await;
        }
    }
    match state.store.create_account(&auth.user.actor(), input).await {
        Ok(a) => Ok(see_other(&format!("/accounts/{}", a.id), "common.saved")),
        Err(e) => {
            let errors = field_errors(e)?;
            form_page(
                &state,
                auth,
                None,
                FormState { values: &values, errors, owner_value, parent_value, similar: vec![] },
            )
            .await
        }
    }
}

async fn update(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    let (auth, form) = (&f.auth, &f.form);
    let actor = auth.user.actor();
    let existing = state.store.account(&actor, id).await?;
    let mut errors = FieldErrors::default();
    let input = read_input(&state, auth, form, &mut errors, Some(&existing)).await;
    let values = view::posted_text(form);
    let stored = view::stored_text(&existing.rec);
    // Read-only fields show what is stored, the rest what was typed.
    let shown = |d: &FieldDef| {
        if view::can_write(&auth.user, d) { values(d) } else { stored(d) }
    };
    let owner_value = form
        .get("owner")
        .map(str::to_string)
        .unwrap_or_else(|| existing.owner_id.map(|o| o.to_string()).unwrap_or_else(|| "pool".into()));
    let parent_value = form.text("parent").to_string();
    if !errors.is_empty() {
        return form_page(
            &state,
            auth,
            Some(&existing),
            FormState { values: &shown, errors, owner_value, parent_value, similar: vec![] },
        )
        .await;
    }
    match state.store.update_account(&actor, id, input).await {
        Ok(_) => Ok(see_other(&format!("/accounts/{id}"), "common.saved")),
        Err(e) => {
            let errors = field_errors(e)?;
            form_page(
                &state,
                auth,
                Some(&existing),
                FormState { values: &shown, errors, owner_value, parent_value, similar: vec![] },
            )
            .await
        }
    }
}

async fn delete(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    state.store.delete_account(&f.auth.user.actor(), id).await?;
    Ok(see_other("/accounts", "common.deleted"))
}

async fn claim(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    state.store.claim_account(&f.auth.user.actor(), id).await?;
    Ok(see_other(&format!("/accounts/{id}"), "accounts.claimed"))
}

async fn release(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    state.store.release_account(&f.auth.user.actor(), id).await?;
    Ok(see_other("/pool", "accounts.released"))
}

async fn share(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    let user = f.form.int("user_id").ok_or(PageError::BadRequest)?;
    state.store.share_account(&f.auth.user.actor(), id, user).await?;
    Ok(see_other(&format!("/accounts/{id}"), "accounts.share_done"))
}

async fn add_position(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    let competitor = f.form.int("competitor_id").ok_or(PageError::BadRequest)?;
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(POSITION_FIELDS, &f.form, &|_| true, &mut errors);
    let result = if errors.is_empty() {
        state.store.set_position(&f.auth.user.actor(), id, competitor, rec).await
    } else {
        Err(StoreError::Invalid(errors))
    };
    sub_form_result(&state, &f, id, "competition", result).await
}

async fn remove_position(
    State(state): State<AppState>,
    Path((id, pid)): Path<(i64, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.remove_position(&f.auth.user.actor(), id, pid).await?;
    Ok(see_other(&format!("/accounts/{id}?tab=competition"), "common.deleted"))
}

async fn add_partner(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(PARTNER_FIELDS, &f.form, &|_| true, &mut errors);
    let result = if errors.is_empty() {
        state.store.add_partner(&f.auth.user.actor(), id, rec).await.map(|_| ())
    } else {
        Err(StoreError::Invalid(errors))
    };
    sub_form_result(&state, &f, id, "business", result).await
}

/// After a sub-form post: back to the tab, or the tab again with the errors.
async fn sub_form_result(
    state: &AppState,
    f: &AuthForm,
    id: i64,
    tab: &str,
    result: Result<(), StoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(see_other(&format!("/accounts/{id}?tab={tab}"), "common.saved")),
        Err(StoreError::Invalid(errors)) => {
            let mut res =
                show_page(state, &f.auth, id, tab, None, Some(Posted { form: &f.form, errors }), TabFilter::default())
                    .await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

async fn remove_partner(
    State(state): State<AppState>,
    Path((id, pid)): Path<(i64, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.remove_partner(&f.auth.user.actor(), id, pid).await?;
    Ok(see_other(&format!("/accounts/{id}?tab=business"), "common.deleted"))
}

#[cfg(test)]
mod tab_tests {
    use super::*;

    #[test]
    fn every_tab_is_in_exactly_one_group_and_the_active_group_holds_it() {
        for tab in tabs() {
            let n = TAB_GROUPS.iter().filter(|(_, keys)| keys.contains(&tab)).count();
            assert_eq!(n, 1, "{tab}");
            let groups = tab_groups(crate::i18n::Lang::Zh, &tabs(), tab);
            let active: Vec<&TabGroup> = groups.iter().filter(|g| g.active).collect();
            assert_eq!(active.len(), 1);
            assert!(active[0].tabs.iter().any(|(k, _)| k == tab));
        }
        let grouped: usize = TAB_GROUPS.iter().map(|(_, k)| k.len()).sum();
        assert_eq!(grouped, tabs().len(), "no group names a tab that does not exist");
        // A tab the reader may not see leaves its group (and an emptied group goes).
        let no_money: Vec<&str> = tabs().into_iter().filter(|k| !matches!(*k, "ledger" | "credit")).collect();
        let trade = tab_groups(crate::i18n::Lang::Zh, &no_money, "orders");
        assert!(trade.iter().all(|g| g.tabs.iter().all(|(k, _)| k != "ledger")));
    }
}
