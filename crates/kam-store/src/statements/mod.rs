//! Monthly reconciliation statements 对账单: generated for a month in one
//! action, each a snapshot of one account's ledger in one currency (every
//! entry covered exactly once — a unique index holds it), sent, answered by
//! the customer line by line, and disputes resolved by an adjustment entry or
//! withdrawn. A confirmed statement is never rewritten.

use kam_core::AccountId;
use kam_core::EntryId;
use kam_core::StatementId;
use std::collections::{BTreeMap, HashMap, HashSet};

use kam_core::audit::Action;
use kam_core::ledger::{self, Posted};
use kam_core::statement::{self, Answer, month_bounds};
use kam_core::{Actor, Value};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::{Page, scope_sql};
use crate::audit::Entry;
use crate::ledger::entry_record;
use crate::sql::Q;
use crate::{Result, Store, StoreError};

mod answers;
mod generate;

#[derive(Debug, Clone, Serialize)]
pub struct StatementLine {
    pub id: i64,
    pub entry_id: EntryId,
    pub entry_date: String,
    pub kind: String,
    /// Signed, as in the ledger.
    pub amount: i64,
    pub reference: Option<String>,
    /// agreed | disputed (None before the customer answered).
    pub answer: Option<String>,
    pub customer_amount: Option<i64>,
    pub note: Option<String>,
    /// adjusted | withdrawn, for a disputed line.
    pub resolution: Option<String>,
    pub adjustment_entry_id: Option<EntryId>,
    pub resolution_note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub id: StatementId,
    pub account_id: AccountId,
    pub account_name: String,
    pub currency: String,
    pub period: String,
    pub period_start: String,
    pub period_end: String,
    pub opening: i64,
    pub closing: i64,
    pub status: String,
    pub sent_at: Option<String>,
    pub answered_at: Option<String>,
    pub resolved_at: Option<String>,
    pub created_at: String,
    pub lines: Vec<StatementLine>,
    /// The account's first statement: the charges still open that make up
    /// its opening balance (credits applied oldest first), and the credit
    /// left unapplied (negative). Empty on later statements, which open at
    /// the previous closing.
    pub opening_items: Vec<OpeningItem>,
    pub opening_unapplied: i64,
}

/// A charge still open at the start of an account's first statement.
#[derive(Debug, Clone, Serialize)]
pub struct OpeningItem {
    pub entry_id: EntryId,
    pub entry_date: String,
    pub due_date: String,
    pub kind: String,
    pub reference: Option<String>,
    /// The charge as posted.
    pub amount: i64,
    /// What of it is still open.
    pub open: i64,
}

#[derive(Debug, Clone, Default)]
pub struct StatementFilter {
    pub period: Option<String>,
    pub status: Option<String>,
    pub account_id: Option<AccountId>,
    pub page: i64,
    pub per_page: i64,
}

/// What one generation did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Generated {
    pub period: String,
    pub created: Vec<StatementId>,
    /// Accounts that already had this month's statement.
    pub existing: usize,
}

/// How a disputed line is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Post the adjustment that takes the customer's figure.
    Adjust,
    /// The customer withdraws the dispute.
    Withdraw,
}

fn select(actor: &Actor) -> Q {
    let mut q = Q::new(
        "SELECT s.id, s.account_id, a.name AS account_name, s.currency, s.period, s.period_start, s.period_end, \
         s.opening, s.closing, s.status, s.sent_at, s.answered_at, s.resolved_at, s.created_at \
         FROM statements s JOIN accounts a ON a.id = s.account_id WHERE ",
    );
    scope_sql(&mut q, actor, "a");
    q
}

fn read(r: &sqlx::any::AnyRow) -> Result<Statement> {
    Ok(Statement {
        id: crate::sql::id(r, "id")?,
        account_id: crate::sql::id(r, "account_id")?,
        account_name: r.try_get("account_name")?,
        currency: r.try_get("currency")?,
        period: r.try_get("period")?,
        period_start: r.try_get("period_start")?,
        period_end: r.try_get("period_end")?,
        opening: r.try_get("opening")?,
        closing: r.try_get("closing")?,
        status: r.try_get("status")?,
        sent_at: r.try_get("sent_at")?,
        answered_at: r.try_get("answered_at")?,
        resolved_at: r.try_get("resolved_at")?,
        created_at: r.try_get("created_at")?,
        lines: Vec::new(),
        opening_items: Vec::new(),
        opening_unapplied: 0,
    })
}

/// A ledger entry as statements read it from a row of `id_col`, entry_date,
/// kind, amount, due_date and reverses_id (`fallback` for an unreadable date).
fn posted_row(r: &sqlx::any::AnyRow, id_col: &str, fallback: time::Date) -> Result<Posted> {
    let date: String = r.try_get("entry_date")?;
    let due: Option<String> = r.try_get("due_date")?;
    Ok(Posted {
        id: r.try_get(id_col)?,
        date: kam_core::time_util::parse_date(&date).unwrap_or(fallback),
        kind: r.try_get("kind")?,
        amount: r.try_get("amount")?,
        due: due.as_deref().and_then(kam_core::time_util::parse_date),
        reverses: r.try_get("reverses_id")?,
    })
}

/// `sql` (ending in WHERE) narrowed to the statements of `s`'s account and currency.
fn chain(s: &Statement, sql: &str) -> Q {
    let mut q = Q::new(sql);
    q.push("account_id = ").arg(s.account_id).push(" AND currency = ").arg(s.currency.clone());
    q
}

fn manager(actor: &Actor) -> Result<()> {
    if statement::can_manage(actor) { Ok(()) } else { Err(StoreError::Forbidden("err.forbidden")) }
}

impl Store {
    /// One statement with its lines, for those who may read the account's ledger.
    pub async fn statement(&self, actor: &Actor, id: StatementId) -> Result<Statement> {
        let mut q = select(actor);
        q.push(" AND s.id = ").arg(id);
        let mut s = read(&q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)?;
        let acc = self.account(actor, s.account_id).await?;
        if !ledger::can_read(actor, &acc.facts()) {
            return Err(StoreError::NotFound);
        }
        let mut q = Q::new(
            "SELECT id, entry_id, entry_date, kind, amount, reference, answer, customer_amount, note, resolution, \
             adjustment_entry_id, resolution_note FROM statement_lines WHERE in_opening = 0 AND statement_id = ",
        );
        q.arg(id).push(" ORDER BY position");
        for r in q.query().fetch_all(self.pool()).await? {
            s.lines.push(StatementLine {
                id: crate::sql::id(&r, "id")?,
                entry_id: crate::sql::id(&r, "entry_id")?,
                entry_date: r.try_get("entry_date")?,
                kind: r.try_get("kind")?,
                amount: r.try_get("amount")?,
                reference: r.try_get("reference")?,
                answer: r.try_get("answer")?,
                customer_amount: r.try_get("customer_amount")?,
                note: r.try_get("note")?,
                resolution: r.try_get("resolution")?,
                adjustment_entry_id: crate::sql::opt_id(&r, "adjustment_entry_id")?,
                resolution_note: r.try_get("resolution_note")?,
            });
        }
        // The first statement's opening balance, as the open items that make it up.
        let mut q = Q::new(
            "SELECT l.entry_id, l.entry_date, l.kind, l.amount, l.reference, e.due_date, e.reverses_id \
             FROM statement_lines l JOIN ledger_entries e ON e.id = l.entry_id WHERE l.in_opening = 1 AND l.statement_id = ",
        );
        q.arg(id).push(" ORDER BY l.entry_date, l.entry_id");
        let rows = q.query().fetch_all(self.pool()).await?;
        if !rows.is_empty() {
            let start = kam_core::time_util::parse_date(&s.period_start).unwrap_or(time::Date::MIN);
            let mut posted = Vec::new();
            let mut info = HashMap::new();
            for r in &rows {
                let p = posted_row(r, "entry_id", start)?;
                info.insert(
                    p.id,
                    (r.try_get::<String, _>("entry_date")?, r.try_get::<Option<String>, _>("reference")?),
                );
                posted.push(p);
            }
            let (open, unapplied) = ledger::open_items(&ledger::without_reversed(&posted, start));
            let by_id: HashMap<i64, &Posted> = posted.iter().map(|p| (p.id, p)).collect();
            for (entry, due, left) in open {
                let (Some(p), Some((date, reference))) = (by_id.get(&entry), info.get(&entry)) else { continue };
                s.opening_items.push(OpeningItem {
                    entry_id: EntryId(entry),
                    entry_date: date.clone(),
                    due_date: due.to_string(),
                    kind: p.kind.clone(),
                    reference: reference.clone(),
                    amount: p.amount,
                    open: left,
                });
            }
            s.opening_unapplied = unapplied;
        }
        Ok(s)
    }

    /// Statements within scope (without lines), newest month first.
    pub async fn statements(&self, actor: &Actor, f: &StatementFilter) -> Result<Page<Statement>> {
        if !ledger::can_see_money(actor) {
            return Ok(Page { items: vec![], page: 1, per_page: 1, total: 0 });
        }
        let per_page = if f.per_page <= 0 { 100 } else { f.per_page.clamp(1, 500) };
        let page = f.page.clamp(1, crate::sql::MAX_PAGE);
        let mut q = select(actor);
        if let Some(p) = &f.period {
            q.push(" AND s.period = ").arg(p.clone());
        }
        if let Some(st) = &f.status {
            q.push(" AND s.status = ").arg(st.clone());
        }
        if let Some(a) = f.account_id {
            q.push(" AND s.account_id = ").arg(a);
        }
        let mut count = q.clone();
        count.sql = format!("SELECT COUNT(*) AS n FROM ({}) x", count.sql);
        let total: i64 = count.query().fetch_one(self.pool()).await?.try_get("n")?;
        q.push(" ORDER BY s.period DESC, a.name, s.id LIMIT ")
            .arg(per_page)
            .push(" OFFSET ")
            .arg((page - 1) * per_page);
        let items = q.query().fetch_all(self.pool()).await?.iter().map(read).collect::<Result<_>>()?;
        Ok(Page { items, page, per_page, total })
    }
}
