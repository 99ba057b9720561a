//! The 360° page: a header every tab shares (name, badges, owner, balance,
//! credit rating, actions, the grouped tab bar) and one tab's body, built by
//! the tab's own module and shown by its own template (`account/*.html`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kam_core::AccountId;
use kam_core::activity::ActivityKind;
use kam_core::fields::Access;
use kam_core::{Actor, FieldErrors};
use kam_store::accounts::Account;

use super::{analysis, money, people, profile, working_day};
use crate::AppState;
use crate::auth::{Authed, FormData};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::pages::{ctx, render};
use crate::view::{self, Ctx, HistoryRow};

/// A tab of the 360° page.
#[derive(Debug, Clone, Copy)]
pub enum Tab {
    Profile,
    Timeline,
    Contacts,
    /// The records of one activity kind (interactions, visits, complaints …).
    Activity(&'static ActivityKind),
    Orders,
    Contracts,
    Ledger,
    Credit,
    Events,
    Competition,
    Business,
    History,
}

impl PartialEq for Tab {
    fn eq(&self, other: &Tab) -> bool {
        self.key() == other.key()
    }
}

impl Tab {
    /// Every tab, in the order of the tab bar.
    pub fn all() -> Vec<Tab> {
        let mut t = vec![Tab::Profile, Tab::Timeline, Tab::Contacts];
        t.extend(kam_core::activity::KINDS.iter().map(|k| Tab::Activity(k)));
        t.extend([
            Tab::Orders,
            Tab::Contracts,
            Tab::Ledger,
            Tab::Credit,
            Tab::Events,
            Tab::Competition,
            Tab::Business,
            Tab::History,
        ]);
        t
    }

    /// The tab's name in URLs (`?tab=`) and message keys (`tab.<key>`).
    pub fn key(self) -> &'static str {
        match self {
            Tab::Profile => "profile",
            Tab::Timeline => "timeline",
            Tab::Contacts => "contacts",
            Tab::Activity(k) => k.resource,
            Tab::Orders => "orders",
            Tab::Contracts => "contracts",
            Tab::Ledger => "ledger",
            Tab::Credit => "credit",
            Tab::Events => "events",
            Tab::Competition => "competition",
            Tab::Business => "business",
            Tab::History => "history",
        }
    }

    pub fn parse(key: &str) -> Option<Tab> {
        Tab::all().into_iter().find(|t| t.key() == key)
    }

    /// Tabs of money: only for those who may read the account's ledger.
    fn is_money(self) -> bool {
        matches!(self, Tab::Ledger | Tab::Credit)
    }
}

/// The tabs in groups, so the active one is always in sight: 概况,
/// 联系与拜访, 服务, 交易与财务, 分析, 历史. Every tab is in one group.
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

fn tab_groups(lang: Lang, shown: &[Tab], active: Tab) -> Vec<TabGroup> {
    TAB_GROUPS
        .iter()
        .filter_map(|(g, keys)| {
            let tabs: Vec<(String, String)> = keys
                .iter()
                .filter(|k| shown.iter().any(|s| s.key() == **k))
                .map(|k| (k.to_string(), t(lang, &format!("tab.{k}")).to_string()))
                .collect();
            let first = tabs.first()?.0.clone();
            Some(TabGroup {
                label: t(lang, &format!("tabgroup.{g}")).to_string(),
                first,
                active: keys.contains(&active.key()),
                tabs,
            })
        })
        .collect()
}

/// What every tab shows above its body.
pub struct Header {
    pub id: AccountId,
    pub name: String,
    pub grade: String,
    pub shared: bool,
    pub owner: Option<String>,
    pub parent: Option<(AccountId, String)>,
    pub credit_code: String,
    pub can_edit: bool,
    pub can_claim: bool,
    pub can_release: bool,
    pub can_delete: bool,
    pub can_merge: bool,
    pub tab_groups: Vec<TabGroup>,
    pub tab: &'static str,
    /// The balance per currency, for those who may see money.
    pub balances: Vec<String>,
    pub credit_rating: Option<String>,
    /// The archive's completeness: percent and parts missing.
    pub completeness: (i64, usize),
    /// The health score (None: not assessable) and its band.
    pub health: (Option<i64>, &'static str),
    /// The lifecycle stage in effect and whether the churn-risk flag is up.
    pub lifecycle: (String, bool),
}

/// One tab's body.
pub enum Body {
    Profile(profile::Profile),
    Contacts(people::People),
    Timeline(working_day::Timeline),
    Activity(working_day::ActivityTab),
    Events(working_day::Events),
    Orders(money::Orders),
    Contracts(money::Contracts),
    Ledger(money::LedgerTab),
    Credit(Box<crate::pages::credit::CreditPanel>),
    Competition(analysis::Competition),
    Business(analysis::Business),
    History(Vec<HistoryRow>),
}

#[derive(Template)]
#[template(path = "account_show.html")]
struct ShowPage {
    ctx: Ctx,
    head: Header,
    body: Body,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ShowQuery {
    tab: Option<String>,
    msg: Option<String>,
    /// Timeline filter: one kind's entity name.
    kind: Option<String>,
    /// Credit tab: the month assessed (YYYY-MM).
    period: Option<String>,
}

/// What a tab is narrowed to: the timeline's kind, the credit tab's month.
#[derive(Default, Clone, Copy)]
pub struct TabFilter<'a> {
    pub kind: Option<&'a str>,
    pub period: Option<&'a str>,
}

/// A sub-form (competitor position, supplier/customer, credit override) that came back with errors.
pub struct Posted<'a> {
    pub form: &'a FormData,
    pub errors: FieldErrors,
}

/// A sub-form's values by field.
pub(super) type Values<'a> = Box<dyn Fn(&kam_core::FieldDef) -> String + Sync + 'a>;

/// What a tab's module builds its body from.
pub(super) struct TabCx<'a> {
    pub state: &'a AppState,
    pub lang: Lang,
    pub actor: Actor,
    pub account: &'a Account,
    /// May change the account's general fields (and so use the tab's own forms).
    pub general_edit: bool,
    pub posted: Option<&'a Posted<'a>>,
    pub filter: TabFilter<'a>,
}

impl TabCx<'_> {
    pub fn id(&self) -> AccountId {
        self.account.id
    }
    /// The posted values and errors of a sub-form that came back, or none.
    pub fn posted_values(&self) -> (Values<'_>, FieldErrors) {
        match self.posted {
            Some(p) => (Box::new(view::posted_text(p.form)), p.errors.clone()),
            None => (Box::new(|_: &kam_core::FieldDef| String::new()), FieldErrors::default()),
        }
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let tab = q.tab.as_deref().and_then(Tab::parse).unwrap_or(Tab::Profile);
    let filter = TabFilter { kind: q.kind.as_deref(), period: q.period.as_deref() };
    show_page(&state, &auth, id, tab, q.msg.as_deref(), None, filter).await
}

pub async fn show_page(
    state: &AppState,
    auth: &Authed,
    id: AccountId,
    tab: Tab,
    flash: Option<&str>,
    posted: Option<Posted<'_>>,
    filter: TabFilter<'_>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let store = &state.store;
    let a = store.account(&actor, id).await?;
    let facts = a.facts();
    let sees_money = kam_core::ledger::can_read(&actor, &facts);
    let shown: Vec<Tab> = Tab::all().into_iter().filter(|t| !t.is_money() || sees_money).collect();
    let tab = if tab.is_money() && !sees_money { Tab::Profile } else { tab };
    let mut head = Header {
        id,
        name: a.name().to_string(),
        grade: a.text("grade").unwrap_or_default().to_string(),
        shared: a.shared_with_me,
        owner: a.owner_name.clone(),
        parent: a.parent_id.zip(a.parent_name.clone()),
        credit_code: a.text("credit_code").unwrap_or_default().to_string(),
        can_edit: actor.can_edit_account(&facts),
        can_claim: a.owner_id.is_none() && actor.can_claim(),
        can_release: actor.can_release(&facts),
        can_delete: actor.can_delete_account(&facts),
        can_merge: kam_core::merge::can_merge_accounts(&actor, &facts, &facts),
        tab_groups: tab_groups(lang, &shown, tab),
        tab: tab.key(),
        balances: vec![],
        credit_rating: None,
        completeness: {
            let c = store.completeness(&actor, id).await?;
            (c.percent, c.checks.iter().filter(|x| x.1 == kam_core::completeness::Outcome::Fail).count())
        },
        health: {
            let s = store.health(&actor, id).await?.health.score;
            (s, crate::health::band(s))
        },
        lifecycle: crate::pages::lifecycle::badge(lang, &store.account_lifecycle(&actor, id).await?.lifecycle),
    };
    let general_edit = actor.can_edit_account(&facts) && actor.can_write_field(Access::General);
    let cx = TabCx { state, lang, actor, account: &a, general_edit, posted: posted.as_ref(), filter };
    // The balance and the rating in the header, for those who may see money;
    // the ledger and credit tabs are built from the same reads.
    let mut money_body = None;
    if sees_money {
        let m = money::header_and_tab(&cx, tab).await?;
        (head.balances, head.credit_rating, money_body) = (m.balances, m.credit_rating, m.body);
    }
    let body = match (tab, money_body) {
        (_, Some(body)) => body,
        (Tab::Profile, _) => Body::Profile(profile::build(&cx).await?),
        (Tab::Contacts, _) => Body::Contacts(people::build(&cx).await?),
        (Tab::Timeline, _) => Body::Timeline(working_day::timeline(&cx).await?),
        (Tab::Activity(kind), _) => Body::Activity(working_day::activity(&cx, kind).await?),
        (Tab::Events, _) => Body::Events(working_day::events(&cx).await?),
        (Tab::Orders, _) => Body::Orders(money::orders(&cx).await?),
        (Tab::Contracts, _) => Body::Contracts(money::contracts(&cx).await?),
        (Tab::Competition, _) => Body::Competition(analysis::competition(&cx).await?),
        (Tab::Business, _) => Body::Business(analysis::business(&cx).await?),
        // The money reads fill these two; without money rights the tab became the profile.
        (Tab::Ledger | Tab::Credit, None) => Body::Profile(profile::build(&cx).await?),
        (Tab::History, _) => {
            let rows = store.account_history(id).await?;
            let viewer = kam_core::visibility::Viewer::new(&cx.actor, a.owner_id == Some(cx.actor.user_id));
            Body::History(view::history(lang, &rows, viewer, &view::Names::load(store, &cx.actor, &rows).await))
        }
    };
    render(&ShowPage { ctx: ctx(state, auth, "accounts", flash).await, head, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tab_is_in_exactly_one_group_and_the_active_group_holds_it() {
        for tab in Tab::all() {
            assert_eq!(Tab::parse(tab.key()), Some(tab));
            let n = TAB_GROUPS.iter().filter(|(_, keys)| keys.contains(&tab.key())).count();
            assert_eq!(n, 1, "{}", tab.key());
            let groups = tab_groups(Lang::Zh, &Tab::all(), tab);
            let active: Vec<&TabGroup> = groups.iter().filter(|g| g.active).collect();
            assert_eq!(active.len(), 1);
            assert!(active[0].tabs.iter().any(|(k, _)| k == tab.key()));
        }
        let grouped: usize = TAB_GROUPS.iter().map(|(_, k)| k.len()).sum();
        assert_eq!(grouped, Tab::all().len(), "no group names a tab that does not exist");
        // A tab the reader may not see leaves its group (and an emptied group goes).
        let no_money: Vec<Tab> = Tab::all().into_iter().filter(|k| !k.is_money()).collect();
        let trade = tab_groups(Lang::Zh, &no_money, Tab::Orders);
        assert!(trade.iter().all(|g| g.tabs.iter().all(|(k, _)| k != "ledger")));
    }
}
