//! Making statements: a month's statements for every account with entries (or
//! the chosen ones), chained to the previous month's closing; voiding one and
//! regenerating it after a correction; the status changes they go through.

use super::*;

impl Store {
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
                q.list(ids.iter().copied());
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

    pub(super) async fn set_status(
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
        q.list(from.iter().copied());
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
}
