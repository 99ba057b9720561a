//! The ledger pages: posting an entry to an account (finance), reversing one,
//! the account's ledger with its running balance (a tab of the 360° page),
//! and receivables (aging, DSO, overdue, collections per rep).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::AccountId;
use kam_core::EntryId;
use kam_core::FieldErrors;
use kam_core::fields::FieldDef;
use kam_core::ledger::{self, FIELDS, GROUPS};
use kam_core::time_util::{display_ts, parse_date};
use kam_store::StoreError;
use kam_store::ledger::Ledger;

use super::{ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts/{id}/ledger/new", get(new_entry))
        .route("/accounts/{id}/ledger", post(create_entry))
        .route("/ledger-entries/{id}/reverse", post(reverse))
        .route("/receivables", get(receivables))
        .route("/receivables.xlsx", get(receivables_xlsx))
}

/// One entry as the ledger tab shows it.
pub struct LedgerRow {
    pub id: EntryId,
    pub date: String,
    pub kind: String,
    pub reference: String,
    pub debit: String,
    pub credit: String,
    pub balance: String,
    pub due: String,
    pub by: String,
    pub reversed: bool,
    pub is_reversal: bool,
}

pub struct LedgerView {
    pub currency: String,
    pub balance: String,
    pub rows: Vec<LedgerRow>,
}

/// An account's ledgers for the 360° page, newest entry first.
pub fn ledger_views(lang: Lang, ledgers: &[Ledger]) -> Vec<LedgerView> {
    ledgers
        .iter()
        .map(|l| {
            let money = |m: i64| view::money(m, &l.currency);
            let mut rows: Vec<LedgerRow> = l
                .entries
                .iter()
                .map(|(e, after)| {
                    let a = e.amount();
                    let refs: Vec<&str> = ["reference", "invoice_no", "voucher_no", "contract_no", "note"]
                        .iter()
                        .map(|f| e.text(f))
                        .filter(|s| !s.is_empty())
                        .collect();
                    LedgerRow {
                        id: e.id,
                        date: e.text("entry_date").to_string(),
                        kind: view::choice(lang, "entry_kind", e.text("kind")),
                        reference: refs.join(" · "),
                        debit: if a > 0 { money(a) } else { String::new() },
                        credit: if a < 0 { money(-a) } else { String::new() },
                        balance: money(*after),
                        due: e.text("due_date").to_string(),
                        by: format!("{} {}", e.created_by_name.clone().unwrap_or_default(), display_ts(&e.created_at)),
                        reversed: e.reversed_by.is_some(),
                        is_reversal: e.reverses_id.is_some(),
                    }
                })
                .collect();
            rows.reverse();
            LedgerView { currency: l.currency.clone(), balance: money(l.balance), rows }
        })
        .collect()
}

async fn entry_form(
    state: &AppState,
    auth: &Authed,
    account_id: AccountId,
    values: &(dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let acc = state.store.account(&actor, account_id).await?;
    if !ledger::can_post(&actor) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let page = super::SimpleForm {
        ctx: ctx(state, auth, "orders", None).await,
        title: format!("{} · {}", t(lang, "ledger.post"), acc.name()),
        action: format!("/accounts/{account_id}/ledger"),
        cancel: format!("/accounts/{account_id}?tab=ledger"),
        has_errors: !errors.is_empty(),
        groups: view::form(lang, "ledger_entry", FIELDS, GROUPS, values, &errors, &|_| true, &|_| false),
    };
    let failed = page.has_errors;
    super::render_checked(&page, failed)
}

async fn new_entry(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    let today = state.store.today().to_string();
    let values = move |d: &FieldDef| if d.name == "entry_date" { today.clone() } else { String::new() };
    entry_form(&state, &auth, id, &values, FieldErrors::default()).await
}

async fn create_entry(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(FIELDS, &f.form, &|_| true, &mut errors);
    let values = view::posted_text(&f.form);
    let actor = f.auth.user.actor();
    super::form_flow(
        errors,
        async || {
            let entry = state.store.post_entry(&actor, id, rec).await?;
            // A payment beyond what was owed is posted, and said: the customer now has a credit.
            Ok(state.store.warnings_after_post(&actor, id, &entry).await.first().copied().unwrap_or("ledger.posted"))
        },
        |msg| see_other(&format!("/accounts/{id}?tab=ledger"), msg),
        async |errors| entry_form(&state, &f.auth, id, &values, errors).await,
    )
    .await
}

async fn reverse(State(state): State<AppState>, Path(id): Path<EntryId>, f: AuthForm) -> Result<Response, PageError> {
    let actor = f.auth.user.actor();
    let e = state.store.ledger_entry(&actor, id).await?;
    let on = f.form.get("entry_date").and_then(parse_date).unwrap_or_else(|| state.store.today());
    let note = f.form.get("note").filter(|n| !n.trim().is_empty());
    match state.store.reverse_entry(&actor, id, on, note).await {
        Ok(_) => Ok(see_other(&format!("/accounts/{}?tab=ledger", e.account_id), "ledger.reversed")),
        Err(StoreError::Conflict(k)) => Ok(see_other(&format!("/accounts/{}?tab=ledger", e.account_id), k)),
        Err(StoreError::Invalid(errs)) => {
            let k = errs.0.values().next().copied().unwrap_or("err.invalid");
            Ok(see_other(&format!("/accounts/{}?tab=ledger", e.account_id), k))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

// ---------------------------------------------------------------- receivables

pub struct ReceivableRow {
    pub account_id: AccountId,
    pub account: String,
    pub owner: String,
    pub balance: String,
    pub buckets: [String; 4],
    pub overdue: String,
    pub days: i64,
    pub dso: String,
}

#[derive(Template)]
#[template(path = "receivables.html")]
struct ReceivablesPage {
    ctx: Ctx,
    as_of: String,
    from: String,
    to: String,
    rows: Vec<ReceivableRow>,
    totals: Vec<(String, String, [String; 4], String)>,
    collections: Vec<(String, String, i64)>,
}

#[derive(serde::Deserialize, Default)]
struct RQuery {
    as_of: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// GET /receivables.xlsx?as_of=: the list as the page shows it, as a workbook.
async fn receivables_xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<RQuery>,
) -> Result<Response, PageError> {
    let as_of = q.as_of.as_deref().and_then(parse_date).unwrap_or_else(|| state.store.today());
    let bytes =
        crate::exports::receivables_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang, as_of).await?;
    Ok(crate::downloads::xlsx_response(&format!("应收账款-{as_of}.xlsx"), bytes))
}

async fn receivables(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<RQuery>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    if !kam_core::ledger::can_see_money(&actor) {
        return Err(PageError::NotFound);
    }
    let as_of = q.as_of.as_deref().and_then(parse_date).unwrap_or_else(|| state.store.today());
    let to = q.to.as_deref().and_then(parse_date).unwrap_or(as_of);
    let from = q.from.as_deref().and_then(parse_date).unwrap_or(to - time::Duration::days(89));
    let list = state.store.receivables(&actor, as_of).await?;
    let mut totals: std::collections::BTreeMap<String, (i64, [i64; 4], i64)> = Default::default();
    let rows = list
        .iter()
        .map(|r| {
            let a = &r.aging;
            let t = totals.entry(r.currency.clone()).or_default();
            t.0 += r.balance;
            for (i, v) in [a.d0_30, a.d31_60, a.d61_90, a.d90_plus].iter().enumerate() {
                t.1[i] += v;
            }
            t.2 += a.overdue;
            let m = |v: i64| view::money(v, &r.currency);
            ReceivableRow {
                account_id: r.account_id,
                account: r.account_name.clone(),
                owner: r.owner_name.clone().unwrap_or_default(),
                balance: m(r.balance),
                buckets: [m(a.d0_30), m(a.d31_60), m(a.d61_90), m(a.d90_plus)],
                overdue: m(a.overdue),
                days: a.max_days_overdue,
                dso: r.dso.map(|d| format!("{d}")).unwrap_or_else(|| "—".into()),
            }
        })
        .collect();
    let collections = state
        .store
        .collections(&actor, from, to)
        .await?
        .into_iter()
        .map(|c| {
            (
                c.owner_name.unwrap_or_else(|| t(lang, "accounts.in_pool").into()),
                view::money(c.collected, &c.currency),
                c.payments,
            )
        })
        .collect();
    let page = ReceivablesPage {
        ctx: ctx(&state, &auth, "ledger", None).await,
        as_of: as_of.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        rows,
        totals: totals
            .into_iter()
            .map(|(c, (b, k, o))| {
                let m = |v: i64| view::money(v, &c);
                (c.clone(), m(b), [m(k[0]), m(k[1]), m(k[2]), m(k[3])], m(o))
            })
            .collect(),
        collections,
    };
    render(&page)
}
