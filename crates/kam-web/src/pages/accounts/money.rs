//! The trade tabs: orders, contracts, the ledger with its statements, and
//! credit — and the balance and rating the header shows.

use super::show::{Body, Tab, TabCx};
use crate::error::PageError;
use crate::i18n::t;
use crate::pages::{contracts as contract_pages, credit, ledger, orders as order_pages, statements};
use crate::view;

pub struct Orders {
    pub can_order: bool,
    pub rows: Vec<order_pages::OrderRow>,
}

pub struct Contracts {
    pub can_contract: bool,
    pub rows: Vec<contract_pages::Row>,
}

pub struct LedgerTab {
    pub can_post: bool,
    pub ledgers: Vec<ledger::LedgerView>,
    pub statements: Vec<statements::Row>,
}

/// What the money reads give the header, and the ledger or credit tab when it is the one shown.
pub(super) struct MoneyHead {
    pub balances: Vec<String>,
    pub credit_rating: Option<String>,
    pub body: Option<Body>,
}

/// For a reader who may see the account's money: one read of its ledgers
/// serves the header's balance and rating and the ledger and credit tabs.
pub(super) async fn header_and_tab(cx: &TabCx<'_>, tab: Tab) -> Result<MoneyHead, PageError> {
    let (store, lang, actor, id) = (&cx.state.store, cx.lang, &cx.actor, cx.id());
    let ledgers = store.ledgers(actor, id).await?;
    let this_month = kam_core::time_util::month_of(store.today());
    let period = match (tab, cx.filter.period) {
        (Tab::Credit, Some(p)) if kam_core::credit::period_ends(p).is_some() => p.to_string(),
        _ => this_month.clone(),
    };
    let mut out = MoneyHead {
        balances: ledgers
            .iter()
            .filter(|l| !l.entries.is_empty())
            .map(|l| view::money(l.balance, &l.currency))
            .collect(),
        credit_rating: None,
        body: None,
    };
    if ledgers.iter().any(|l| !l.entries.is_empty()) || tab == Tab::Credit {
        let v = store.credit_for(actor, cx.account, &ledgers, &period).await?;
        out.credit_rating = Some(v.rating.clone());
        if tab == Tab::Credit {
            // A month not yet begun cannot be overridden (the store refuses it too).
            let open = period <= this_month;
            let mut panel = credit::panel(lang, &v, kam_core::credit::can_override(actor) && open);
            // An override that came back: what was typed, and why not.
            if let Some(p) = cx.posted {
                panel.typed = (
                    p.form.text("rating").to_string(),
                    p.form.text("credit_limit").to_string(),
                    p.form.text("reason").to_string(),
                );
                panel.errors = p.errors.0.iter().map(|(k, v)| (k.clone(), t(lang, v).to_string())).collect();
            }
            out.body = Some(Body::Credit(Box::new(panel)));
        }
    }
    if tab == Tab::Ledger {
        let f = kam_store::statements::StatementFilter { account_id: Some(id), per_page: 60, ..Default::default() };
        out.body = Some(Body::Ledger(LedgerTab {
            can_post: kam_core::ledger::can_post(actor),
            ledgers: ledger::ledger_views(lang, &ledgers),
            statements: statements::rows(lang, &store.statements(actor, &f).await?.items),
        }));
    }
    Ok(out)
}

pub(super) async fn orders(cx: &TabCx<'_>) -> Result<Orders, PageError> {
    let f = kam_store::orders::OrderFilter { account_id: Some(cx.id()), per_page: 200, ..Default::default() };
    let list = cx.state.store.orders(&cx.actor, &f).await?;
    Ok(Orders {
        can_order: kam_core::order::can_place(&cx.actor, &cx.account.facts()),
        rows: order_pages::order_rows(cx.lang, &list.items),
    })
}

pub(super) async fn contracts(cx: &TabCx<'_>) -> Result<Contracts, PageError> {
    let list = cx.state.store.contracts(&cx.actor, Some(cx.id())).await?;
    Ok(Contracts {
        can_contract: kam_core::contract::can_write(&cx.actor, &cx.account.facts()),
        rows: contract_pages::rows(cx.lang, &list),
    })
}
