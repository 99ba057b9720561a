//! Writing a log: the checks (one log a day, the author's own accounts and
//! contacts), its entry rows kept in step with the form, create, update and
//! delete while it is a draft or returned.

use super::*;
use crate::write::{Also, Target};

/// A log's author is who created it.
const TARGET: Target = Target::new("worklogs", "worklog", worklog::FIELDS).authored("author_id");

impl Store {
    /// Checks what the author wrote against the stores' facts: the accounts
    /// are theirs to see, contacts belong to the account, the day is not ahead.
    async fn check_worklog(&self, tx: &mut Tx, actor: &Actor, input: &Input) -> Result<()> {
        let mut errors = worklog::check(input);
        errors.0.extend(fields::missing_required(worklog::FIELDS, &input.rec, true).0);
        if let Some(day) = input.rec.get("log_date").and_then(Value::as_text).and_then(kam_core::time_util::parse_date)
            && day > self.today()
        {
            errors.add("log_date", "err.future_date");
        }
        for (section, _, with_account) in SECTIONS {
            if !with_account {
                continue;
            }
            for (i, e) in input.section(section).iter().enumerate() {
                let Some(account) = e.account_id else { continue };
                if self.account_in(tx, actor, account).await.is_err() {
                    errors.add(&format!("{section}.{i}.account_id"), "err.choice");
                    continue;
                }
                if let Some(c) = e.contact_id {
                    let mut q = Q::new("SELECT COUNT(*) AS n FROM account_contacts WHERE account_id = ");
                    q.arg(account).push(" AND contact_id = ").arg(c);
                    if q.query().fetch_one(&mut **tx).await?.try_get::<i64, _>("n")? == 0 {
                        errors.add(&format!("{section}.{i}.contact_id"), "err.choice");
                    }
                }
            }
        }
        errors.into_result(()).map_err(StoreError::Invalid)
    }

    /// Writes the entries of one section: updates the rows named by id, adds
    /// the new ones, removes the rows no longer listed; each change audited.
    async fn sync_entries(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        log_id: i64,
        section: &str,
        entries: &[worklog::Entry],
        before: &[EntryRow],
    ) -> Result<()> {
        let table = table_of(section);
        let entity = worklog::entity_of(section);
        let defs = SECTIONS.iter().find(|(s, ..)| *s == section).map(|(_, d, _)| *d).unwrap_or(worklog::AFFAIR_FIELDS);
        for (i, e) in entries.iter().enumerate() {
            let mut extra = vec![("position", Arg::Int(Some(i as i64)))];
            if e.account_id.is_some() {
                extra.push(("account_id", e.account_id.into()));
            }
            if section == "visits" {
                extra.push(("contact_id", e.contact_id.into()));
            }
            match e.id {
                Some(id) => {
                    let Some(old) = before.iter().find(|b| b.id == id) else {
                        return Err(StoreError::field(&format!("{section}.{i}.id"), "err.choice"));
                    };
                    let mut changes = fields::diff(&old.rec, &e.rec);
                    if old.ledger_entry_id.is_some() && (!changes.is_empty() || old.account_id != e.account_id) {
                        return Err(StoreError::field(&format!("{section}.{i}.paid_amount"), "err.collection_posted"));
                    }
                    if old.account_id != e.account_id {
                        changes.push((
                            "account_id",
                            old.account_id.map(Value::from).unwrap_or(Value::Null),
                            e.account_id.map(Value::from).unwrap_or(Value::Null),
                        ));
                    }
                    if old.contact_id != e.contact_id && section == "visits" {
                        changes.push((
                            "contact_id",
                            old.contact_id.map(Value::from).unwrap_or(Value::Null),
                            e.contact_id.map(Value::from).unwrap_or(Value::Null),
                        ));
                    }
                    update(table, defs, &e.rec, &extra, id).query().execute(&mut **tx).await?;
                    if !changes.is_empty() {
                        Entry::new(Some(actor.user_id), Action::Update, entity, id)
                            .account(e.account_id)
                            .changes(&changes)
                            .write(tx, self.clock())
                            .await?;
                    }
                }
                None => {
                    extra.push(("worklog_id", Arg::Int(Some(log_id))));
                    let id: i64 =
                        insert(table, defs, &e.rec, &extra).query().fetch_one(&mut **tx).await?.try_get("id")?;
                    let mut all = e.rec.clone();
                    all.insert("worklog_id", Value::Int(log_id));
                    let changes = created(&all);
                    Entry::new(Some(actor.user_id), Action::Create, entity, id)
                        .account(e.account_id)
                        .changes(&changes)
                        .write(tx, self.clock())
                        .await?;
                }
            }
        }
        for old in before.iter().filter(|b| !entries.iter().any(|e| e.id == Some(b.id))) {
            if old.ledger_entry_id.is_some() {
                return Err(StoreError::field(section, "err.collection_posted"));
            }
            let mut q = Q::new(&format!("DELETE FROM {table} WHERE id = "));
            q.arg(old.id);
            q.query().execute(&mut **tx).await?;
            let changes = deleted(&old.rec);
            Entry::new(Some(actor.user_id), Action::Delete, entity, old.id)
                .account(old.account_id)
                .changes(&changes)
                .write(tx, self.clock())
                .await?;
        }
        Ok(())
    }

    /// Starts the author's log of a day with what they wrote.
    pub async fn create_worklog(&self, actor: &Actor, input: Input) -> Result<Worklog> {
        if !worklog::can_write(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut tx = self.begin().await?;
        self.check_worklog(&mut tx, actor, &input).await?;
        let day = input.rec.get("log_date").and_then(Value::as_text).unwrap_or_default().to_string();
        let mut q = Q::new("SELECT COUNT(*) AS n FROM worklogs WHERE deleted_at IS NULL AND author_id = ");
        q.arg(actor.user_id).push(" AND log_date = ").arg(day);
        if q.query().fetch_one(&mut *tx).await?.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::field("log_date", "err.worklog_exists"));
        }
        let columns = [
            ("team_id", Arg::from(actor.team_id)),
            ("status", Status::Draft.as_str().into()),
            ("round", Arg::Int(Some(0))),
        ];
        let id: i64 = self
            .insert_audited(&mut tx, TARGET.by(actor, None), &input.rec, Also { columns: &columns, changes: &[] })
            .await?;
        for (section, _, _) in SECTIONS {
            self.sync_entries(&mut tx, actor, id, section, input.section(section), &[]).await?;
        }
        tx.commit().await?;
        self.worklog(actor, WorklogId(id)).await
    }

    /// Replaces what the author wrote (while a draft or returned).
    pub async fn update_worklog(&self, actor: &Actor, id: WorklogId, input: Input) -> Result<Worklog> {
        let before = self.worklog(actor, id).await?;
        if !worklog::can_edit(actor, &before.facts(actor), before.status) {
            return Err(StoreError::Forbidden("err.worklog_locked"));
        }
        let mut tx = self.begin().await?;
        let mut input = input;
        // The day of a log does not change; it names the log.
        input.rec.insert("log_date", Value::Text(before.date().to_string()));
        self.check_worklog(&mut tx, actor, &input).await?;
        let changes = fields::diff(&before.rec, &input.rec);
        let mut q = update("worklogs", worklog::FIELDS, &input.rec, &[("updated_at", self.now_text().into())], id);
        // Only while still editable: a concurrent submit wins.
        q.push(" AND status IN ('draft', 'returned')");
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Forbidden("err.worklog_locked"));
        }
        if !changes.is_empty() {
            Entry::new(Some(actor.user_id), Action::Update, "worklog", id)
                .changes(&changes)
                .write(&mut tx, self.clock())
                .await?;
        }
        for (section, _, _) in SECTIONS {
            self.sync_entries(&mut tx, actor, id.0, section, input.section(section), before.section(section)).await?;
        }
        tx.commit().await?;
        self.worklog(actor, id).await
    }

    /// Removes a draft that was never submitted.
    pub async fn delete_worklog(&self, actor: &Actor, id: WorklogId) -> Result<()> {
        let before = self.worklog(actor, id).await?;
        if !worklog::can_edit(actor, &before.facts(actor), before.status) || before.round > 0 {
            return Err(StoreError::Forbidden("err.worklog_locked"));
        }
        let mut tx = self.begin().await?;
        let mut q = Q::new("UPDATE worklogs SET deleted_at = ");
        q.arg(self.now_text()).push(" WHERE status = 'draft' AND round = 0 AND id = ").arg(id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Forbidden("err.worklog_locked"));
        }
        let changes = deleted(&before.rec);
        Entry::new(Some(actor.user_id), Action::Delete, "worklog", id)
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
