//! The ledger 财务记录: append-only entries per account and currency (the
//! table refuses UPDATE and DELETE by trigger), reversals, balances with the
//! running balance, and receivables (aging, DSO, overdue, collections).

use crate::error::unique;
use kam_core::AccountId;
use kam_core::EntryId;
use kam_core::OrderId;
use kam_core::UserId;
use std::collections::BTreeMap;

use kam_core::ledger::{self, Aging, FIELDS, Posted};
use kam_core::time_util::parse_date;
use kam_core::{Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;
use time::Date;

use crate::accounts::{Account, scope_sql};
use crate::sql::{Arg, Q, columns, read_record};
use crate::write::{Also, Change, Target};
use crate::{Result, Store, StoreError, Tx};

/// Ledger entries are written once and never changed (a correction is a reversal).
const TARGET: Target = Target::new("ledger_entries", "ledger_entry", FIELDS).append_only();

/// One posted entry as read.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerEntry {
    pub id: EntryId,
    pub account_id: AccountId,
    /// The fields; `amount` here is signed: its effect on what the customer owes.
    #[serde(flatten)]
    pub rec: Record,
    pub order_id: Option<OrderId>,
    /// The entry this one reverses.
    pub reverses_id: Option<EntryId>,
    /// The entry that reverses this one.
    pub reversed_by: Option<EntryId>,
    pub created_by_name: Option<String>,
    pub created_at: String,
}

impl LedgerEntry {
    pub fn amount(&self) -> i64 {
        self.rec.get("amount").and_then(Value::as_int).unwrap_or(0)
    }
    pub fn text(&self, f: &str) -> &str {
        self.rec.get(f).and_then(Value::as_text).unwrap_or_default()
    }
    pub fn posted(&self) -> Posted {
        Posted {
            id: self.id.0,
            date: parse_date(self.text("entry_date")).unwrap_or(time::Date::MIN),
            kind: self.text("kind").to_string(),
            amount: self.amount(),
            due: parse_date(self.text("due_date")),
            reverses: self.reverses_id.map(i64::from),
        }
    }
}

/// An account's ledger in one currency, with the balance after each entry.
#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    pub account_id: AccountId,
    pub currency: String,
    pub entries: Vec<(LedgerEntry, i64)>,
    pub balance: i64,
}

/// Receivables of one account in one currency.
#[derive(Debug, Clone, Serialize)]
pub struct Receivable {
    pub account_id: AccountId,
    pub account_name: String,
    pub owner_name: Option<String>,
    pub currency: String,
    pub balance: i64,
    pub aging: Aging,
    /// Days sales outstanding over the last 90 days.
    pub dso: Option<f64>,
}

/// Payments received per rep (the account's owner) in a period.
#[derive(Debug, Clone, Serialize)]
pub struct Collections {
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub currency: String,
    pub collected: i64,
    pub payments: i64,
}

fn select() -> Q {
    Q::new(&format!(
        "SELECT e.id, e.account_id, {}, e.order_id, e.reverses_id, \
         (SELECT r.id FROM ledger_entries r WHERE r.reverses_id = e.id) AS reversed_by, \
         u.display_name AS created_by_name, e.created_at FROM ledger_entries e LEFT JOIN users u ON u.id = e.created_by ",
        columns(FIELDS, "e")
    ))
}

fn read(r: &sqlx::any::AnyRow) -> Result<LedgerEntry> {
    Ok(LedgerEntry {
        id: crate::sql::id(r, "id")?,
        account_id: crate::sql::id(r, "account_id")?,
        rec: read_record(r, FIELDS)?,
        order_id: crate::sql::opt_id(r, "order_id")?,
        reverses_id: crate::sql::opt_id(r, "reverses_id")?,
        reversed_by: crate::sql::opt_id(r, "reversed_by")?,
        created_by_name: r.try_get("created_by_name")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Every entry of an account, oldest first.
fn entries_q(account_id: AccountId) -> Q {
    let mut q = select();
    q.push("WHERE e.account_id = ").arg(account_id).push(" ORDER BY e.entry_date, e.id");
    q
}

/// The entry that reverses `orig` on `on`, saying why.
fn reversal(orig: &LedgerEntry, on: Date, note: &str) -> Record {
    let mut rec = orig.rec.clone();
    rec.insert("entry_date", Value::Text(on.to_string()));
    rec.insert("amount", Value::Int(-orig.amount()));
    rec.insert("due_date", Value::Null);
    rec.insert("reference", Value::Text(format!("冲销 #{}", orig.id)));
    rec.insert("note", Value::Text(note.chars().take(500).collect()));
    rec
}

/// The account's currency (CNY when none is set).
pub(crate) fn currency_of(acc: &Account) -> String {
    acc.text("currency").filter(|c| !c.is_empty()).unwrap_or("CNY").to_string()
}

/// The balance the credit check counts: every charge, credits only up to `today`.
fn balance_sql(account_id: AccountId, currency: &str, today: Date) -> Q {
    let mut q = Q::new("SELECT CAST(COALESCE(SUM(CASE WHEN amount < 0 AND entry_date > ");
    q.arg(today.to_string());
    q.push(" THEN 0 ELSE amount END), 0) AS BIGINT) AS b FROM ledger_entries WHERE account_id = ");
    q.arg(account_id).push(" AND currency = ").arg(currency);
    q
}

impl Store {
    /// The account, when the reader may see its money.
    pub(crate) async fn ledger_account(&self, actor: &Actor, account_id: AccountId) -> Result<Account> {
        let acc = self.account(actor, account_id).await?;
        if ledger::can_read(actor, &acc.facts()) { Ok(acc) } else { Err(StoreError::NotFound) }
    }

    /// Every entry of an account, oldest first (the caller checked the reader).
    pub(crate) async fn entries_of(&self, account_id: AccountId) -> Result<Vec<LedgerEntry>> {
        entries_q(account_id).query().fetch_all(self.pool()).await?.iter().map(read).collect()
    }

    /// Every entry of an account, oldest first.
    pub async fn ledger_entries(&self, actor: &Actor, account_id: AccountId) -> Result<Vec<LedgerEntry>> {
        self.ledger_account(actor, account_id).await?;
        self.entries_of(account_id).await
    }

    /// The account's ledgers, one per currency used (the account's own first).
    pub async fn ledgers(&self, actor: &Actor, account_id: AccountId) -> Result<Vec<Ledger>> {
        let acc = self.ledger_account(actor, account_id).await?;
        Ok(group_ledgers(&acc, self.entries_of(account_id).await?))
    }

    /// One entry, within the reader's scope.
    pub async fn ledger_entry(&self, actor: &Actor, id: EntryId) -> Result<LedgerEntry> {
        let mut q = select();
        q.push("WHERE e.id = ").arg(id);
        let e = read(&q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)?;
        self.ledger_account(actor, e.account_id).await?;
        Ok(e)
    }

    /// One entry read in the caller's transaction (the caller checks the reader).
    pub(crate) async fn ledger_entry_in(&self, tx: &mut Tx, id: EntryId) -> Result<LedgerEntry> {
        let mut q = select();
        q.push("WHERE e.id = ").arg(id);
        read(&q.query().fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?)
    }

    /// The balance of an account in a currency, inside a transaction.
    /// What the account owes for the credit check: every charge, but only the
    /// credits (payments, credit notes…) dated up to `today` — a payment
    /// dated next year frees no credit now.
    pub(crate) async fn balance_in(tx: &mut Tx, account_id: AccountId, currency: &str, today: Date) -> Result<i64> {
        Ok(balance_sql(account_id, currency, today).query().fetch_one(&mut **tx).await?.try_get("b")?)
    }

    /// What the account owes in a currency as of today, by the same rule (one
    /// aggregate in SQL, whatever the size of the ledger).
    pub async fn balance_today(&self, actor: &Actor, account_id: AccountId, currency: &str) -> Result<i64> {
        self.ledger_account(actor, account_id).await?;
        let q = balance_sql(account_id, currency, self.today());
        Ok(q.query().fetch_one(self.pool()).await?.try_get("b")?)
    }

    /// Writes one entry inside the caller's transaction (the amount already signed).
    pub(crate) async fn insert_entry(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        account_id: AccountId,
        rec: &Record,
        order_id: Option<OrderId>,
        reverses: Option<EntryId>,
    ) -> Result<EntryId> {
        let columns = [
            ("account_id", account_id.into()),
            ("order_id", Arg::from(order_id)),
            ("reverses_id", Arg::from(reverses)),
        ];
        let links: Vec<Change> = [("order_id", order_id.map(Value::from)), ("reverses_id", reverses.map(Value::from))]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, Value::Null, v)))
            .collect();
        let also = Also { columns: &columns, changes: &links };
        self.insert_audited(tx, TARGET.by(actor, Some(account_id)), rec, also)
            .await
            .map_err(|e| e.on_constraint(&unique::ONE_REVERSAL, || StoreError::Conflict("err.already_reversed")))
    }

    /// Posts an entry (finance): `amount` is the positive figure, the kind
    /// gives the sign; an invoice without a due date is due after the
    /// account's payment terms.
    pub async fn post_entry(&self, actor: &Actor, account_id: AccountId, rec: Record) -> Result<LedgerEntry> {
        if !ledger::can_post(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut tx = self.begin().await?;
        let id = self.post_entry_in(&mut tx, actor, account_id, rec).await?;
        tx.commit().await?;
        self.ledger_entry(actor, id).await
    }

    /// The rules an entry meets before any read: its required fields, its
    /// dates in the business window, a due date not before the entry's.
    pub(crate) fn check_entry(&self, rec: &Record) -> Result<()> {
        StoreError::check_required(FIELDS, rec, true)?;
        let day = |f: &str| rec.get(f).and_then(Value::as_text).and_then(parse_date);
        let mut errors = kam_core::FieldErrors::default();
        for f in ["entry_date", "due_date"] {
            if let Some(Err(k)) = day(f).map(|d| self.check_business_date(d)) {
                errors.add(f, k);
            }
        }
        if let (Some(d), Some(due)) = (day("entry_date"), day("due_date"))
            && due < d
        {
            errors.add("due_date", "err.due_before_date");
        }
        if rec.get("amount").and_then(Value::as_int) == Some(0) {
            errors.add("amount", "err.zero_amount");
        }
        errors.into_result(()).map_err(StoreError::Invalid)
    }

    /// `post_entry` inside the caller's transaction (an import's rows): the
    /// entry's rules (`check_entry`), the account in scope, the sign from the
    /// kind, the account's currency and payment terms, one opening balance
    /// per currency.
    pub(crate) async fn post_entry_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        account_id: AccountId,
        mut rec: Record,
    ) -> Result<EntryId> {
        if !ledger::can_post(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        self.check_entry(&rec)?;
        let acc = self.account_in(tx, actor, account_id).await?;
        let kind = rec.get("kind").and_then(Value::as_text).unwrap_or_default().to_string();
        let figure = rec.get("amount").and_then(Value::as_int).unwrap_or(0);
        rec.insert("amount", Value::Int(ledger::signed(&kind, figure)));
        if rec.get("currency").is_none_or(Value::is_null) {
            rec.insert("currency", Value::Text(currency_of(&acc)));
        }
        let currency = rec.get("currency").and_then(Value::as_text).unwrap_or("CNY").to_string();
        self.check_currency(tx, &currency).await?;
        if kind == "invoice" && rec.get("due_date").is_none_or(Value::is_null) {
            let terms = acc.rec.get("payment_terms_days").and_then(Value::as_int).unwrap_or(0);
            if let Some(d) = rec.get("entry_date").and_then(Value::as_text).and_then(parse_date) {
                rec.insert("due_date", Value::Text((d + time::Duration::days(terms)).to_string()));
            }
        }
        if kind == "opening_balance" {
            let mut q = Q::new(
                "SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'opening_balance' AND reverses_id IS NULL AND account_id = ",
            );
            q.arg(account_id).push(" AND currency = ").arg(currency.clone());
            q.push(" AND id NOT IN (SELECT reverses_id FROM ledger_entries WHERE reverses_id IS NOT NULL)");
            if q.query().fetch_one(&mut **tx).await?.try_get::<i64, _>("n")? > 0 {
                return Err(StoreError::field("kind", "err.opening_exists"));
            }
        }
        self.insert_entry(tx, actor, account_id, &rec, None, None).await
    }

    /// Undoes an entry by posting its reverse (finance); the original stays.
    pub async fn reverse_entry(&self, actor: &Actor, id: EntryId, on: Date, note: Option<&str>) -> Result<LedgerEntry> {
        let mut tx = self.begin().await?;
        let rid = self.reverse_entry_in(&mut tx, actor, id, on, note).await?;
        tx.commit().await?;
        self.ledger_entry(actor, rid).await
    }

    /// `reverse_entry` inside the caller's transaction (an import's undo).
    pub(crate) async fn reverse_entry_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: EntryId,
        on: Date,
        note: Option<&str>,
    ) -> Result<EntryId> {
        if !ledger::can_post(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let orig = self.ledger_entry_in(tx, id).await?;
        let acc = self.account_in(tx, actor, orig.account_id).await?;
        if !ledger::can_read(actor, &acc.facts()) {
            return Err(StoreError::NotFound);
        }
        ledger::check_reversal(&orig.posted(), orig.reversed_by.is_some()).map_err(StoreError::Conflict)?;
        if let Err(k) = self.check_business_date(on) {
            return Err(StoreError::field("entry_date", k));
        }
        if on < orig.posted().date {
            // A correction cannot come before what it corrects.
            return Err(StoreError::field("entry_date", "err.before_original"));
        }
        // A correction says why (the auditor reads it beside the two entries).
        let note =
            note.map(str::trim).filter(|n| !n.is_empty()).ok_or(StoreError::field("note", "err.reason_required"))?;
        let rec = reversal(&orig, on, note);
        self.insert_entry(tx, actor, orig.account_id, &rec, orig.order_id, Some(id)).await
    }

    /// Moves an account's ledger onto another account (a merge), inside the
    /// caller's transaction, without changing a row: every entry of `from` is
    /// copied onto `to` on its own date (a reversal as a reversal of the
    /// copy), and each live entry of `from` is reversed on its own date, so
    /// `from` owes nothing and `to`'s balance on every date is what the two
    /// owed together. The ledger keeps every entry; a work-log collection that
    /// pointed at an entry points at its copy.
    pub(crate) async fn move_ledger_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        from: AccountId,
        to: AccountId,
    ) -> Result<()> {
        let entries: Vec<LedgerEntry> =
            entries_q(from).query().fetch_all(&mut **tx).await?.iter().map(read).collect::<Result<_>>()?;
        let mut q = Q::new(
            "SELECT DISTINCT c.ledger_entry_id AS id FROM worklog_collections c JOIN ledger_entries e ON e.id = c.ledger_entry_id WHERE e.account_id = ",
        );
        q.arg(from);
        let collected: Vec<EntryId> =
            q.query().fetch_all(&mut **tx).await?.iter().map(|r| crate::sql::id(r, "id")).collect::<Result<_>>()?;
        let mut copies: std::collections::HashMap<EntryId, EntryId> = Default::default();
        let why = format!("合并至客户 #{to}");
        for e in &entries {
            let mut rec = e.rec.clone();
            let note = [
                Some(format!("由客户 #{from} 合并（原 #{}）", e.id)),
                e.rec.get("note").and_then(Value::as_text).map(str::to_string),
            ];
            let note: Vec<String> = note.into_iter().flatten().collect();
            rec.insert("note", Value::Text(note.join("；").chars().take(500).collect()));
            let reverses = e.reverses_id.and_then(|r| copies.get(&r).copied());
            let copy = self.insert_entry(tx, actor, to, &rec, e.order_id, reverses).await?;
            copies.insert(e.id, copy);
            if e.reverses_id.is_none() && e.reversed_by.is_none() {
                let on = e.posted().date;
                self.insert_entry(tx, actor, from, &reversal(e, on, &why), e.order_id, Some(e.id)).await?;
            }
        }
        for old in collected {
            let mut q = Q::new("UPDATE worklog_collections SET ledger_entry_id = ");
            q.arg(copies[&old]).push(" WHERE ledger_entry_id = ").arg(old);
            q.query().execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Receivables of every account in the reader's ledger scope with entries,
    /// as of a day: balance, aging, overdue, DSO (90 days); largest first.
    pub async fn receivables(&self, actor: &Actor, as_of: Date) -> Result<Vec<Receivable>> {
        if !ledger::can_see_money(actor) {
            return Ok(Vec::new());
        }
        let mut q = Q::new(&format!(
            "SELECT e.id, e.account_id, {}, e.reverses_id, a.name AS account_name, o.display_name AS owner_name \
             FROM ledger_entries e JOIN accounts a ON a.id = e.account_id LEFT JOIN users o ON o.id = a.owner_id WHERE ",
            columns(FIELDS, "e")
        ));
        scope_sql(&mut q, actor, "a");
        q.push(" AND e.entry_date <= ").arg(as_of.to_string()).push(" ORDER BY e.account_id, e.entry_date, e.id");
        // (account, currency) → (account name, owner name, entries)
        type Group = (String, Option<String>, Vec<Posted>);
        let mut groups: BTreeMap<(AccountId, String), Group> = BTreeMap::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let rec = read_record(&r, FIELDS)?;
            let text = |f: &str| rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
            let p = Posted {
                id: r.try_get("id")?,
                date: parse_date(&text("entry_date")).unwrap_or(as_of),
                kind: text("kind"),
                amount: rec.get("amount").and_then(Value::as_int).unwrap_or(0),
                due: parse_date(&text("due_date")),
                reverses: r.try_get("reverses_id")?,
            };
            let g = groups
                .entry((crate::sql::id(&r, "account_id")?, text("currency")))
                .or_insert_with(|| (String::new(), None, Vec::new()));
            g.0 = r.try_get("account_name")?;
            g.1 = r.try_get("owner_name")?;
            g.2.push(p);
        }
        let mut out: Vec<Receivable> = groups
            .into_iter()
            .map(|((account_id, currency), (account_name, owner_name, posted))| Receivable {
                account_id,
                account_name,
                owner_name,
                currency,
                balance: ledger::balance(&posted),
                aging: ledger::aging(&posted, as_of),
                dso: ledger::dso(&posted, as_of, 90),
            })
            .filter(|r| r.balance != 0 || r.aging.unapplied != 0)
            .collect();
        out.sort_by(|a, b| b.balance.cmp(&a.balance).then(a.account_id.cmp(&b.account_id)));
        Ok(out)
    }

    /// Payments received in `[from, to]` per rep (the account's owner), within scope.
    pub async fn collections(&self, actor: &Actor, from: Date, to: Date) -> Result<Vec<Collections>> {
        if !ledger::can_see_money(actor) {
            return Ok(Vec::new());
        }
        let mut q = Q::new(
            "SELECT a.owner_id, o.display_name AS owner_name, e.currency, CAST(-SUM(e.amount) AS BIGINT) AS collected, \
             COUNT(*) AS payments FROM ledger_entries e JOIN accounts a ON a.id = e.account_id \
             LEFT JOIN users o ON o.id = a.owner_id WHERE e.kind = 'payment' AND ",
        );
        scope_sql(&mut q, actor, "a");
        q.push(" AND e.entry_date >= ").arg(from.to_string()).push(" AND e.entry_date <= ").arg(to.to_string());
        q.push(" GROUP BY a.owner_id, o.display_name, e.currency ORDER BY collected DESC");
        q.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Collections {
                    owner_id: crate::sql::opt_id(r, "owner_id")?,
                    owner_name: r.try_get("owner_name")?,
                    currency: r.try_get("currency")?,
                    collected: r.try_get("collected")?,
                    payments: r.try_get("payments")?,
                })
            })
            .collect()
    }

    /// Tries to change and to remove a ledger entry behind the store's back
    /// (for the tests that prove the triggers refuse it).
    #[cfg(feature = "testing")]
    pub async fn try_tamper_ledger(&self, id: EntryId) -> (Result<()>, Result<()>) {
        let mut u = Q::new("UPDATE ledger_entries SET amount = 0 WHERE id = ");
        u.arg(id);
        let upd = u.query().execute(self.pool()).await.map(|_| ()).map_err(Into::into);
        let mut d = Q::new("DELETE FROM ledger_entries WHERE id = ");
        d.arg(id);
        let del = d.query().execute(self.pool()).await.map(|_| ()).map_err(Into::into);
        (upd, del)
    }
}

/// Entries grouped per currency (the account's own first), each with the
/// balance after every entry.
pub(crate) fn group_ledgers(acc: &Account, entries: Vec<LedgerEntry>) -> Vec<Ledger> {
    let own = currency_of(acc);
    let mut by: BTreeMap<(bool, String), Vec<LedgerEntry>> = BTreeMap::new();
    for e in entries {
        let c = e.text("currency").to_string();
        by.entry((c != own, c)).or_default().push(e);
    }
    if by.is_empty() {
        by.insert((false, own), Vec::new());
    }
    by.into_iter()
        .map(|((_, currency), entries)| {
            let mut b = 0;
            let entries: Vec<(LedgerEntry, i64)> = entries
                .into_iter()
                .map(|e| {
                    b += e.amount();
                    (e, b)
                })
                .collect();
            Ledger { account_id: acc.id, currency, entries, balance: b }
        })
        .collect()
}

/// The signed record of a posted figure (used by orders on delivery and return).
pub(crate) fn entry_record(kind: &str, date: &str, figure: i64, currency: &str, due: Option<String>) -> Record {
    let mut rec = Record::new();
    rec.insert("entry_date", Value::Text(date.to_string()));
    rec.insert("kind", Value::Text(kind.to_string()));
    rec.insert("amount", Value::Int(ledger::signed(kind, figure)));
    rec.insert("currency", Value::Text(currency.to_string()));
    rec.insert("due_date", due.map(Value::Text).unwrap_or(Value::Null));
    rec
}

impl Store {
    /// What a just-posted entry should warn about, as message keys: a payment
    /// beyond what was owed leaves the customer a credit (it is posted, and
    /// said). Pages show it as a warning, the API answers it beside the entry.
    pub async fn warnings_after_post(
        &self,
        actor: &Actor,
        account: AccountId,
        entry: &LedgerEntry,
    ) -> Vec<&'static str> {
        let mut out = Vec::new();
        if entry.text("kind") == "payment"
            && self.balance_today(actor, account, entry.text("currency")).await.is_ok_and(|b| b < 0)
        {
            out.push("ledger.overpaid");
        }
        out
    }
}
