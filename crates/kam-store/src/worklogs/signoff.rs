//! A log's way through its team's sign-off chain: submitting, each signer's
//! approval or return, the chain's configuration, what awaits a signer, and
//! what a signed log's rows become (visit records, posted collections).

use super::*;
use kam_core::ActivityId;
use kam_core::EntryId;
use kam_core::TeamId;
use kam_core::UserId;
use kam_core::WorklogId;

impl Store {
    /// Sends the log into its team's sign-off chain; the author can no longer change it.
    pub async fn submit_worklog(&self, actor: &Actor, id: WorklogId) -> Result<Worklog> {
        let log = self.worklog(actor, id).await?;
        if !worklog::can_edit(actor, &log.facts(actor), log.status) {
            return Err(StoreError::Forbidden("err.worklog_locked"));
        }
        let text = |f: &str| log.rec.get(f).and_then(Value::as_text).is_some_and(|t| !t.trim().is_empty());
        if log.visits.is_empty()
            && log.collections.is_empty()
            && log.affairs.is_empty()
            && !text("market_analysis")
            && !text("product_analysis")
        {
            return Err(StoreError::Conflict("err.worklog_empty"));
        }
        let team = log.author_team_id.ok_or(StoreError::Conflict("err.worklog_no_chain"))?;
        let configured: Vec<(Step, UserId)> =
            self.signoff_chain(team).await?.into_iter().map(|c| (c.step, c.signer_id)).collect();
        let chain = worklog::chain_for(&configured, log.author_id).map_err(StoreError::Conflict)?;
        let round = log.round + 1;
        let now = self.now_text();
        let mut tx = self.begin().await?;
        let mut q = Q::new("UPDATE worklogs SET status = 'submitted', round = ");
        q.arg(round).push(", submitted_at = ").arg(now.clone()).push(", team_id = ").arg(team);
        q.push(", updated_at = ").arg(now.clone()).push(" WHERE status IN ('draft', 'returned') AND round = ");
        q.arg(log.round).push(" AND id = ").arg(id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Forbidden("err.worklog_locked"));
        }
        for (step, signer) in &chain {
            let position = Step::ALL.iter().position(|s| s == step).unwrap_or(0) as i64;
            let mut q = Q::new("INSERT INTO worklog_signoffs (worklog_id, round, position, step, signer_id) VALUES (");
            q.arg(id).push(", ").arg(round).push(", ").arg(position).push(", ").arg(step.as_str());
            q.push(", ").arg(*signer).push(")");
            q.query().execute(&mut *tx).await?;
        }
        let changes = [
            ("status", Value::Text(log.status.as_str().into()), Value::Text(Status::Submitted.as_str().into())),
            ("round", Value::Int(log.round), Value::Int(round)),
        ];
        Entry::new(Some(actor.user_id), Action::Submit, "worklog", id)
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        self.worklog(actor, id).await
    }

    /// The next signer approves or returns the log, with a comment (and, at
    /// the evaluation step, the supervisor's evaluation).
    pub async fn sign_worklog(
        &self,
        actor: &Actor,
        id: WorklogId,
        decision: Decision,
        comment: Option<&str>,
        evaluation: Option<&str>,
    ) -> Result<Worklog> {
        let log = self.worklog(actor, id).await?;
        let signed = worklog::sign(log.status, &log.current_round(), actor.user_id, decision, comment, evaluation)
            .map_err(|e| match e {
                worklog::SignError::Rule(k) => StoreError::Conflict(k),
                worklog::SignError::Fields(f) => StoreError::Invalid(f),
            })?;
        let comment = comment.map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
        let now = self.now_text();
        let mut tx = self.begin().await?;
        let mut q = Q::new("UPDATE worklog_signoffs SET decision = ");
        q.arg(decision.as_str()).push(", comment = ").arg(comment.clone()).push(", decided_at = ").arg(now.clone());
        q.push(" WHERE decision IS NULL AND worklog_id = ").arg(id).push(" AND round = ").arg(log.round);
        q.push(" AND step = ").arg(signed.step.as_str());
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.worklog_not_your_turn"));
        }
        let mut q = Q::new("UPDATE worklogs SET status = ");
        q.arg(signed.status.as_str()).push(", updated_at = ").arg(now.clone());
        if let Some(ev) = &signed.evaluation {
            q.push(", evaluation = ").arg(ev.clone()).push(", evaluated_by = ").arg(actor.user_id);
            q.push(", evaluated_at = ").arg(now.clone());
        }
        q.push(" WHERE status = 'submitted' AND round = ").arg(log.round).push(" AND id = ").arg(id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.worklog_not_in_signoff"));
        }
        let mut changes = vec![
            ("step", Value::Null, Value::Text(signed.step.as_str().into())),
            ("status", Value::Text(log.status.as_str().into()), Value::Text(signed.status.as_str().into())),
        ];
        if let Some(c) = &comment {
            changes.push(("comment", Value::Null, Value::Text(c.clone())));
        }
        if let Some(ev) = &signed.evaluation {
            changes.push((
                "evaluation",
                log.evaluation.clone().map(Value::Text).unwrap_or(Value::Null),
                Value::Text(ev.clone()),
            ));
        }
        let action = if decision == Decision::Approve { Action::Approve } else { Action::Return };
        Entry::new(Some(actor.user_id), action, "worklog", id).changes(&changes).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        self.worklog(actor, id).await
    }

    /// Makes a visit record (附表三) from a visit entry of the author's log,
    /// so the visit is not typed twice; returns the visit's id. An entry
    /// already made into a visit returns that visit.
    pub async fn visit_from_entry(&self, actor: &Actor, id: WorklogId, entry_id: i64) -> Result<ActivityId> {
        let log = self.worklog(actor, id).await?;
        if log.author_id != actor.user_id {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let entry = log.visits.iter().find(|v| v.id == entry_id).ok_or(StoreError::NotFound)?;
        if let Some(v) = entry.visit_id {
            return Ok(v);
        }
        let text = |f: &str| entry.rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
        let at = |f: &str| Value::Text(format!("{}T{}", log.date(), text(f)));
        let content = text("content");
        let goal: String = content.lines().next().unwrap_or_default().chars().take(500).collect();
        let interviewees = match (entry.rec.get("person").and_then(Value::as_text), &entry.contact_name) {
            (Some(p), _) => Value::Text(p.chars().take(200).collect()),
            (None, Some(c)) => Value::Text(c.clone()),
            (None, None) => Value::Null,
        };
        let mut rec = Record::new();
        rec.insert("visited_at", at("time_from"));
        rec.insert("ended_at", at("time_to"));
        rec.insert("goal", Value::Text(goal));
        rec.insert("interviewees", interviewees);
        rec.insert("topics", Value::Text(content));
        rec.insert("result", entry.rec.get("result").cloned().unwrap_or(Value::Null));
        let account = entry.account_id.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let visit = self.create_activity_in(&mut tx, &VISIT, actor, account, rec).await?;
        let mut q = Q::new("UPDATE worklog_visits SET visit_id = ");
        q.arg(visit).push(" WHERE visit_id IS NULL AND id = ").arg(entry_id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.already_recorded"));
        }
        let changes = [("visit_id", Value::Null, Value::from(visit))];
        Entry::new(Some(actor.user_id), Action::Link, "worklog_visit", entry_id)
            .account(Some(account))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(visit)
    }

    /// Finance posts a collection entry of a log to the ledger as a payment
    /// (dated the log's day, referencing the log); the entry is linked to it
    /// and can no longer change. Returns the ledger entry's id.
    pub async fn post_collection(&self, actor: &Actor, id: WorklogId, entry_id: i64, note: &str) -> Result<EntryId> {
        if !kam_core::ledger::can_post(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        // Money reaches the ledger with the cashier's word on it (the bank slip, the receipt).
        let note = note.trim();
        if note.is_empty() {
            return Err(StoreError::field("note", "err.reason_required"));
        }
        if note.chars().count() > 500 || note.chars().any(char::is_control) {
            return Err(StoreError::field("note", "err.too_long_n500"));
        }
        let log = self.worklog(actor, id).await?;
        let entry = log.collections.iter().find(|c| c.id == entry_id).ok_or(StoreError::NotFound)?;
        if entry.ledger_entry_id.is_some() {
            return Err(StoreError::Conflict("err.collection_posted"));
        }
        let account = entry.account_id.ok_or(StoreError::NotFound)?;
        let paid = entry.rec.get("paid_amount").and_then(Value::as_int).unwrap_or(0);
        if paid <= 0 {
            return Err(StoreError::field("paid_amount", "err.zero_amount"));
        }
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, account).await?;
        let mut rec = crate::ledger::entry_record("payment", log.date(), paid, &crate::ledger::currency_of(&acc), None);
        rec.insert("reference", Value::Text(format!("业务工作日志 #{id} {}", log.author_name)));
        if let Some(c) = entry.rec.get("contract_no").filter(|v| !v.is_null()) {
            rec.insert("contract_no", c.clone());
        }
        rec.insert("note", Value::Text(note.to_string()));
        let ledger_id = self.insert_entry(&mut tx, actor, account, &rec, None, None).await?;
        let mut q = Q::new("UPDATE worklog_collections SET ledger_entry_id = ");
        q.arg(ledger_id).push(" WHERE ledger_entry_id IS NULL AND id = ").arg(entry_id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.collection_posted"));
        }
        let changes = [("ledger_entry_id", Value::Null, Value::from(ledger_id))];
        Entry::new(Some(actor.user_id), Action::Link, "worklog_collection", entry_id)
            .account(Some(account))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(ledger_id)
    }

    /// A team's sign-off chain in form order.
    pub async fn signoff_chain(&self, team_id: TeamId) -> Result<Vec<ChainStep>> {
        let mut q = Q::new(
            "SELECT c.step, c.signer_id, u.display_name AS signer_name FROM signoff_chains c \
             JOIN users u ON u.id = c.signer_id WHERE c.team_id = ",
        );
        q.arg(team_id);
        let mut out = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            out.push(ChainStep {
                step: step_of(&r.try_get::<String, _>("step")?)?,
                signer_id: crate::sql::id(&r, "signer_id")?,
                signer_name: r.try_get("signer_name")?,
            });
        }
        out.sort_by_key(|c| c.step);
        Ok(out)
    }

    /// Sets who signs each step of a team's logs (admin); steps left out are
    /// not part of the chain. Logs already submitted keep the chain they got.
    pub async fn set_signoff_chain(&self, actor: &Actor, team_id: TeamId, chain: &[(Step, UserId)]) -> Result<()> {
        if !actor.can_manage_users() {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        if !self.teams().await?.iter().any(|t| t.id == team_id) {
            return Err(StoreError::NotFound);
        }
        let users = self.users().await?;
        let mut errors = kam_core::FieldErrors::default();
        for (step, signer) in chain {
            if !users.iter().any(|u| u.id == *signer && u.active) {
                errors.add(step.as_str(), "err.choice");
            }
        }
        errors.into_result(()).map_err(StoreError::Invalid)?;
        let before = self.signoff_chain(team_id).await?;
        let mut tx = self.begin().await?;
        let mut q = Q::new("DELETE FROM signoff_chains WHERE team_id = ");
        q.arg(team_id);
        q.query().execute(&mut *tx).await?;
        for (step, signer) in chain {
            let mut q = Q::new("INSERT INTO signoff_chains (team_id, step, signer_id) VALUES (");
            q.arg(team_id).push(", ").arg(step.as_str()).push(", ").arg(*signer).push(")");
            q.query().execute(&mut *tx).await?;
        }
        let signer = |list: &[(Step, UserId)], s: Step| {
            list.iter().find(|(x, _)| *x == s).map(|(_, id)| Value::from(*id)).unwrap_or(Value::Null)
        };
        let before: Vec<(Step, UserId)> = before.iter().map(|c| (c.step, c.signer_id)).collect();
        let changes: Vec<(&str, Value, Value)> = Step::ALL
            .iter()
            .map(|s| (s.as_str(), signer(&before, *s), signer(chain, *s)))
            .filter(|(_, a, b)| a != b)
            .collect();
        Entry::new(Some(actor.user_id), Action::Update, "signoff_chain", team_id)
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Logs waiting for the user's signature, with the day each reached them
    /// (China time): for the reminders.
    pub async fn worklogs_awaiting(&self, user_id: UserId) -> Result<Vec<(Date, WorklogSummary, Step, i64)>> {
        let mut q = Q::new(
            "SELECT w.id, w.author_id, u.display_name AS author_name, w.log_date, w.status, w.round, w.submitted_at, \
             s.step, (SELECT MAX(p.decided_at) FROM worklog_signoffs p WHERE p.worklog_id = w.id AND p.round = w.round) \
             AS last_decided FROM worklogs w JOIN users u ON u.id = w.author_id \
             JOIN worklog_signoffs s ON s.worklog_id = w.id AND s.round = w.round AND s.signer_id = ",
        );
        q.arg(user_id).push(" AND s.decision IS NULL WHERE w.deleted_at IS NULL AND ");
        awaiting_sql(&mut q, user_id);
        let mut out = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let submitted: Option<String> = r.try_get("submitted_at")?;
            let last: Option<String> = r.try_get("last_decided")?;
            let reached = last.or(submitted).as_deref().and_then(local_day).unwrap_or_else(|| self.today());
            out.push((
                reached,
                WorklogSummary {
                    id: crate::sql::id(&r, "id")?,
                    author_id: crate::sql::id(&r, "author_id")?,
                    author_name: r.try_get("author_name")?,
                    log_date: r.try_get("log_date")?,
                    status: Status::Submitted,
                    visit_count: 0,
                    paid_total: 0,
                    submitted_at: r.try_get("submitted_at")?,
                    awaiting_me: true,
                },
                step_of(&r.try_get::<String, _>("step")?)?,
                r.try_get("round")?,
            ));
        }
        Ok(out)
    }
}
