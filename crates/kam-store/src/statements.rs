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

    /// Generates the month's statements of every account in the actor's
    /// scope that has ledger entries (or of the given accounts), in one
    /// transaction. An account that already has the month's statement, or a
    /// later one, is left as it is.
    pub async fn generate_statements(
        &self,
        actor: &Actor,
        period: &str,
        only: Option<&[AccountId]>,
    ) -> Result<Generated> {
        manager(actor)?;
        let Some((start, _)) = month_bounds(period) else { return Err(StoreError::field("period", "err.period")) };
        if start > self.today() {
            return Err(StoreError::field("period", "err.future_date"));
        }
        if only.is_some_and(|ids| ids.is_empty()) {
            return Ok(Generated { period: period.into(), ..Default::default() });
        }
        let mut tx = self.begin().await?;
        let out = self.generate_in(&mut tx, actor, period, only).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The generation itself, inside the caller's transaction.
    async fn generate_in(
        &self,
        tx: &mut crate::Tx,
        actor: &Actor,
        period: &str,
        only: Option<&[AccountId]>,
    ) -> Result<Generated> {
        let Some((start, end)) = month_bounds(period) else { return Err(StoreError::field("period", "err.period")) };
        // The accounts in scope (or the chosen ones), as a WHERE clause over `a`.
        let accounts = |q: &mut Q| {
            scope_sql(q, actor, "a");
            if let Some(ids) = only {
                q.push(" AND a.id IN (");
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        q.push(", ");
                    }
                    q.arg(*id);
                }
                q.push(")");
            }
        };
        // One generation at a time: a concurrent one waits here, then finds
        // this one's statements as existing (not a unique-key error).
        Q::new("UPDATE write_locks SET taken = taken + 1 WHERE name = 'statements'").query().execute(&mut **tx).await?;
        // Three reads for the whole month, not three per account: the latest
        // statement of each account and currency, the entries already
        // covered, and the entries up to the month's end.
        let mut q = Q::new(
            "SELECT s.account_id, s.currency, s.period, s.closing FROM statements s JOIN accounts a ON a.id = s.account_id WHERE ",
        );
        accounts(&mut q);
        q.push(" ORDER BY s.period DESC");
        let mut latest: HashMap<(AccountId, String), (String, i64)> = HashMap::new();
        for r in q.query().fetch_all(&mut **tx).await? {
            latest
                .entry((crate::sql::id(&r, "account_id")?, r.try_get("currency")?))
                .or_insert((r.try_get("period")?, r.try_get("closing")?));
        }
        let mut q = Q::new(
            "SELECT l.entry_id FROM statement_lines l JOIN statements s ON s.id = l.statement_id \
             JOIN accounts a ON a.id = s.account_id WHERE ",
        );
        accounts(&mut q);
        let covered: HashSet<i64> = q
            .query()
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get("entry_id"))
            .collect::<std::result::Result<_, _>>()?;
        let mut q = Q::new(
            "SELECT e.id, e.account_id, e.currency, e.entry_date, e.kind, e.amount, e.due_date, e.reverses_id, e.reference, \
             e.invoice_no, e.voucher_no FROM ledger_entries e JOIN accounts a ON a.id = e.account_id WHERE ",
        );
        accounts(&mut q);
        q.push(" AND e.entry_date <= ").arg(end.to_string()).push(" ORDER BY e.account_id, e.currency, e.id");
        let mut groups: BTreeMap<(AccountId, String), Vec<Posted>> = BTreeMap::new();
        let mut refs = HashMap::new();
        for r in q.query().fetch_all(&mut **tx).await? {
            let p = posted_row(&r, "id", end)?;
            let id = p.id;
            groups.entry((crate::sql::id(&r, "account_id")?, r.try_get("currency")?)).or_default().push(p);
            let parts: Vec<String> = ["reference", "invoice_no", "voucher_no"]
                .iter()
                .filter_map(|f| r.try_get::<Option<String>, _>(*f).ok().flatten())
                .filter(|s| !s.is_empty())
                .collect();
            refs.insert(id, parts.join(" · "));
        }
        let mut out = Generated { period: period.into(), ..Default::default() };
        let now = self.now_text();
        for ((account, currency), entries) in groups {
            let previous = match latest.get(&(account, currency.clone())) {
                Some((p, _)) if p.as_str() >= period => {
                    out.existing += 1;
                    continue;
                }
                Some((_, closing)) => Some(*closing),
                None => None,
            };
            let f = statement::figures(&entries, &covered, previous, start, end);
            if f.lines.is_empty() && f.opening == 0 {
                continue;
            }
            let mut q = Q::new(
                "INSERT INTO statements (account_id, currency, period, period_start, period_end, opening, closing, status, created_by, created_at) VALUES (",
            );
            q.arg(account).push(", ").arg(currency.clone()).push(", ").arg(period).push(", ").arg(start.to_string());
            q.push(", ").arg(end.to_string()).push(", ").arg(f.opening).push(", ").arg(f.closing).push(", 'draft', ");
            q.arg(actor.user_id).push(", ").arg(now.clone()).push(") RETURNING id");
            let sid: i64 = q.query().fetch_one(&mut **tx).await?.try_get("id")?;
            let by_id: HashMap<i64, &Posted> = entries.iter().map(|e| (e.id, e)).collect();
            let opening_entries = f.opening_ids.iter().filter_map(|id| by_id.get(id).copied()).map(|e| (e, true));
            let line_entries = f.lines.iter().map(|e| (e, false));
            for (pos, (e, in_opening)) in line_entries.chain(opening_entries).enumerate() {
                let mut q = Q::new(
                    "INSERT INTO statement_lines (statement_id, position, entry_id, in_opening, entry_date, kind, amount, reference) VALUES (",
                );
                q.arg(sid).push(", ").arg(pos as i64).push(", ").arg(e.id).push(", ").arg(i64::from(in_opening));
                q.push(", ").arg(e.date.to_string()).push(", ").arg(e.kind.clone()).push(", ").arg(e.amount);
                q.push(", ").arg(refs.get(&e.id).cloned().filter(|s| !s.is_empty())).push(")");
                q.query().execute(&mut **tx).await?;
            }
            let changes = [
                ("period", Value::Null, Value::Text(period.into())),
                ("opening", Value::Null, Value::Int(f.opening)),
                ("closing", Value::Null, Value::Int(f.closing)),
            ];
            Entry::new(Some(actor.user_id), Action::Create, "statement", sid)
                .account(Some(account))
                .changes(&changes)
                .write(tx, self.clock())
                .await?;
            out.created.push(StatementId(sid));
        }
        Ok(out)
    }

    async fn set_status(
        &self,
        actor: &Actor,
        s: &Statement,
        from: &[&str],
        to: &str,
        stamp: &str,
        tx: &mut crate::Tx,
    ) -> Result<()> {
        let mut q = Q::new("UPDATE statements SET status = ");
        q.arg(to)
            .push(&format!(", {stamp} = "))
            .arg(self.now_text())
            .push(" WHERE id = ")
            .arg(s.id)
            .push(" AND status IN (");
        for (i, f) in from.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.arg(*f);
        }
        q.push(")");
        if q.query().execute(&mut **tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.statement_state"));
        }
        let changes = [("status", Value::Text(s.status.clone()), Value::Text(to.into()))];
        Entry::new(Some(actor.user_id), Action::Update, "statement", s.id)
            .account(Some(s.account_id))
            .changes(&changes)
            .write(tx, self.clock())
            .await
    }

    /// Takes back a draft nobody has seen yet: its lines are released (the
    /// entries are uncovered again) and the statement is gone, the audit
    /// trail keeps its figures. Only the latest statement of its account and
    /// currency can go, so the chain of statements never breaks.
    pub async fn void_statement(&self, actor: &Actor, id: StatementId) -> Result<()> {
        manager(actor)?;
        let s = self.statement(actor, id).await?;
        let mut tx = self.begin().await?;
        self.void_in(&mut tx, actor, &s).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Generates a draft again from the ledger as it stands (a late entry
    /// dated in its month, a correction): the draft is voided and the
    /// month's statement of its account generated in one transaction. The
    /// new statement's id.
    pub async fn regenerate_statement(&self, actor: &Actor, id: StatementId) -> Result<Option<StatementId>> {
        manager(actor)?;
        let s = self.statement(actor, id).await?;
        let mut tx = self.begin().await?;
        self.void_in(&mut tx, actor, &s).await?;
        let g = self.generate_in(&mut tx, actor, &s.period, Some(&[s.account_id])).await?;
        // Of what was generated, the statement in this one's currency.
        let mut q = chain(&s, "SELECT id FROM statements WHERE ");
        q.push(" AND period = ").arg(s.period.clone());
        let new: Option<StatementId> =
            q.query().fetch_optional(&mut *tx).await?.map(|r| crate::sql::id(&r, "id")).transpose()?;
        tx.commit().await?;
        Ok(new.filter(|n| g.created.contains(n)))
    }

    async fn void_in(&self, tx: &mut crate::Tx, actor: &Actor, s: &Statement) -> Result<()> {
        if s.status != "draft" {
            return Err(StoreError::Conflict("err.statement_not_draft"));
        }
        let mut q = chain(s, "SELECT COUNT(*) AS n FROM statements WHERE ");
        q.push(" AND period > ").arg(s.period.clone());
        let later: i64 = q.query().fetch_one(&mut **tx).await?.try_get("n")?;
        if later > 0 {
            return Err(StoreError::Conflict("err.statement_not_latest"));
        }
        let mut q = Q::new("DELETE FROM statement_lines WHERE statement_id = ");
        q.arg(s.id);
        q.query().execute(&mut **tx).await?;
        let mut q = Q::new("DELETE FROM statements WHERE status = 'draft' AND id = ");
        q.arg(s.id);
        if q.query().execute(&mut **tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.statement_state"));
        }
        let changes = [
            ("period", Value::Text(s.period.clone()), Value::Null),
            ("opening", Value::Int(s.opening), Value::Null),
            ("closing", Value::Int(s.closing), Value::Null),
        ];
        Entry::new(Some(actor.user_id), Action::Delete, "statement", s.id)
            .account(Some(s.account_id))
            .changes(&changes)
            .write(tx, self.clock())
            .await
    }

    /// Marks a draft as sent to the customer.
    pub async fn send_statement(&self, actor: &Actor, id: StatementId) -> Result<Statement> {
        manager(actor)?;
        let s = self.statement(actor, id).await?;
        let mut tx = self.begin().await?;
        self.set_status(actor, &s, &["draft"], "sent", "sent_at", &mut tx).await?;
        tx.commit().await?;
        self.statement(actor, id).await
    }

    /// Records the customer's answer: lines not named are agreed.
    pub async fn answer_statement(
        &self,
        actor: &Actor,
        id: StatementId,
        answers: &[(i64, Answer)],
    ) -> Result<Statement> {
        manager(actor)?;
        let s = self.statement(actor, id).await?;
        let mut errors = kam_core::FieldErrors::default();
        for (line, _) in answers {
            if !s.lines.iter().any(|l| l.id == *line) {
                errors.add(&format!("lines.{line}"), "err.choice");
            }
        }
        errors.into_result(()).map_err(StoreError::Invalid)?;
        let all: Vec<(i64, Answer)> = s
            .lines
            .iter()
            .map(|l| {
                (l.id, answers.iter().find(|(id, _)| *id == l.id).map(|(_, a)| a.clone()).unwrap_or(Answer::Agreed))
            })
            .collect();
        let list: Vec<Answer> = all.iter().map(|(_, a)| a.clone()).collect();
        let to = statement::answer_status(&s.status, &list).map_err(|k| match k {
            "err.dispute_note" => StoreError::field("note", k),
            _ => StoreError::Conflict(k),
        })?;
        let mut tx = self.begin().await?;
        for (line, a) in &all {
            let mut q = Q::new("UPDATE statement_lines SET answer = ");
            match a {
                Answer::Agreed => {
                    q.arg("agreed").push(", customer_amount = NULL, note = NULL");
                }
                Answer::Disputed { customer_amount, note } => {
                    q.arg("disputed")
                        .push(", customer_amount = ")
                        .arg(*customer_amount)
                        .push(", note = ")
                        .arg(note.clone());
                }
            }
            q.push(" WHERE resolution IS NULL AND id = ").arg(*line);
            q.query().execute(&mut *tx).await?;
        }
        self.set_status(actor, &s, &["sent", "disputed"], to, "answered_at", &mut tx).await?;
        tx.commit().await?;
        self.statement(actor, id).await
    }

    /// Settles a disputed line: by posting the adjustment that takes the
    /// customer's figure (dated today, so it lands in the next statement), or
    /// by recording that the customer withdrew it. The statement is resolved
    /// when no dispute is left open.
    pub async fn resolve_line(
        &self,
        actor: &Actor,
        id: StatementId,
        line_id: i64,
        how: Resolution,
        note: Option<&str>,
    ) -> Result<Statement> {
        manager(actor)?;
        let s = self.statement(actor, id).await?;
        let line = s.lines.iter().find(|l| l.id == line_id).ok_or(StoreError::NotFound)?;
        if s.status != "disputed" || line.answer.as_deref() != Some("disputed") || line.resolution.is_some() {
            return Err(StoreError::Conflict("err.statement_state"));
        }
        // How a dispute was settled is said in words, for the customer file and the auditor.
        let note = Some(
            note.map(str::trim).filter(|n| !n.is_empty()).ok_or(StoreError::field("note", "err.reason_required"))?,
        );
        let mut tx = self.begin().await?;
        let mut adjustment = None;
        if how == Resolution::Adjust
            && let Some((kind, figure)) =
                statement::settlement(line.amount, line.customer_amount.unwrap_or(line.amount))
        {
            let mut rec = entry_record(kind, &self.today().to_string(), figure, &s.currency, None);
            rec.insert("reference", Value::Text(format!("对账单 {} 差异调整", s.period)));
            rec.insert("note", note.map(|n| Value::Text(n.chars().take(500).collect())).unwrap_or(Value::Null));
            adjustment = Some(self.insert_entry(&mut tx, actor, s.account_id, &rec, None, None).await?);
        }
        let mut q = Q::new("UPDATE statement_lines SET resolution = ");
        q.arg(if how == Resolution::Adjust { "adjusted" } else { "withdrawn" });
        q.push(", adjustment_entry_id = ").arg(adjustment).push(", resolution_note = ").arg(note.map(str::to_string));
        q.push(" WHERE resolution IS NULL AND id = ").arg(line_id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.statement_state"));
        }
        let open = s
            .lines
            .iter()
            .filter(|l| l.id != line_id && l.answer.as_deref() == Some("disputed") && l.resolution.is_none())
            .count();
        let changes = [
            ("line", Value::Null, Value::Int(line_id)),
            (
                "resolution",
                Value::Null,
                Value::Text(if how == Resolution::Adjust { "adjusted".into() } else { "withdrawn".into() }),
            ),
        ];
        Entry::new(Some(actor.user_id), Action::Update, "statement", s.id)
            .account(Some(s.account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        if statement::after_resolution(open) == "resolved" {
            self.set_status(actor, &s, &["disputed"], "resolved", "resolved_at", &mut tx).await?;
        }
        tx.commit().await?;
        self.statement(actor, id).await
    }
}
