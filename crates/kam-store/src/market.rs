//! Market activities 市场活动: company-wide events and their participants;
//! participants are read and written under each account's scope.

use crate::write::{Also, Gone, Target};
use kam_core::AccountId;
use kam_core::ContactId;
use kam_core::EventId;
use kam_core::audit::Action;
use kam_core::fields;
use kam_core::market::FIELDS;
use kam_core::{Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::{Page, scope_sql};
use crate::audit::Entry;
use crate::sql::{Q, columns, read_record};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: EventId,
    #[serde(flatten)]
    pub rec: Record,
    /// Participants at accounts the reader may see.
    pub participants: Vec<Participant>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Participant {
    pub id: i64,
    pub account_id: AccountId,
    pub account_name: String,
    pub contact_id: Option<ContactId>,
    pub contact_name: Option<String>,
    pub note: Option<String>,
}

/// Who writes the company-wide market records (events, analyses): the general fields' writers.
pub(crate) fn writer(actor: &Actor) -> Result<()> {
    if actor.can_write_field(fields::Access::General) { Ok(()) } else { Err(StoreError::Forbidden("err.forbidden")) }
}

const TARGET: Target = Target::new("market_activities", "market_activity", FIELDS);

impl Store {
    async fn participants(
        &self,
        actor: &Actor,
        event_ids: &[EventId],
        account_id: Option<AccountId>,
    ) -> Result<Vec<(EventId, Participant)>> {
        if event_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Q::new(
            "SELECT p.id, p.activity_id, p.account_id, a.name AS account_name, p.contact_id, c.name AS contact_name, p.note \
             FROM market_participants p JOIN accounts a ON a.id = p.account_id LEFT JOIN contacts c ON c.id = p.contact_id \
             WHERE p.activity_id IN (",
        );
        q.list(event_ids.iter().copied());
        q.push(") AND ");
        scope_sql(&mut q, actor, "a");
        if let Some(a) = account_id {
            q.push(" AND p.account_id = ").arg(a);
        }
        q.push(" ORDER BY a.name, p.id");
        q.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok((
                    crate::sql::id(r, "activity_id")?,
                    Participant {
                        id: r.try_get("id")?,
                        account_id: crate::sql::id(r, "account_id")?,
                        account_name: r.try_get("account_name")?,
                        contact_id: crate::sql::opt_id(r, "contact_id")?,
                        contact_name: r.try_get("contact_name")?,
                        note: r.try_get("note")?,
                    },
                ))
            })
            .collect()
    }

    async fn events_where(&self, actor: &Actor, q: Q, account_id: Option<AccountId>) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            out.push(Event {
                id: crate::sql::id(&r, "id")?,
                rec: read_record(&r, FIELDS)?,
                participants: Vec::new(),
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
            });
        }
        let ids: Vec<EventId> = out.iter().map(|e| e.id).collect();
        for (event, p) in self.participants(actor, &ids, account_id).await? {
            if let Some(e) = out.iter_mut().find(|e| e.id == event) {
                e.participants.push(p);
            }
        }
        Ok(out)
    }

    fn select_events() -> Q {
        Q::new(&format!(
            "SELECT m.id, {}, m.created_at, m.updated_at FROM market_activities m WHERE m.deleted_at IS NULL",
            columns(FIELDS, "m")
        ))
    }

    /// Events, newest first.
    pub async fn market_activities(&self, actor: &Actor, page: i64, per_page: i64) -> Result<Page<Event>> {
        let per_page = per_page.clamp(1, 200);
        let page = page.clamp(1, crate::sql::MAX_PAGE);
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM market_activities WHERE deleted_at IS NULL")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let mut q = Self::select_events();
        q.push(" ORDER BY m.starts_on DESC, m.id DESC LIMIT ")
            .arg(per_page)
            .push(" OFFSET ")
            .arg((page - 1) * per_page);
        let items = self.events_where(actor, q, None).await?;
        Ok(Page { items, page, per_page, total })
    }

    pub async fn market_activity(&self, actor: &Actor, id: EventId) -> Result<Event> {
        let mut q = Self::select_events();
        q.push(" AND m.id = ").arg(id);
        self.events_where(actor, q, None).await?.pop().ok_or(StoreError::NotFound)
    }

    /// The events an account took part in (the account must be in scope).
    pub async fn account_market_activities(&self, actor: &Actor, account_id: AccountId) -> Result<Vec<Event>> {
        self.account(actor, account_id).await?;
        let mut q = Self::select_events();
        q.push(" AND m.id IN (SELECT activity_id FROM market_participants WHERE account_id = ").arg(account_id);
        q.push(") ORDER BY m.starts_on DESC, m.id DESC");
        self.events_where(actor, q, Some(account_id)).await
    }

    pub async fn create_market_activity(&self, actor: &Actor, rec: Record) -> Result<Event> {
        writer(actor)?;
        StoreError::check_required(FIELDS, &rec, true)?;
        let mut tx = self.begin().await?;
        let id = self.insert_audited(&mut tx, TARGET.by(actor, None), &rec, Also::default()).await?;
        tx.commit().await?;
        self.market_activity(actor, id).await
    }

    pub async fn update_market_activity(&self, actor: &Actor, id: EventId, rec: Record) -> Result<Event> {
        writer(actor)?;
        let before = self.market_activity(actor, id).await?;
        StoreError::check_required(FIELDS, &rec, false)?;
        let mut tx = self.begin().await?;
        let w = TARGET.by(actor, None);
        if self.update_audited(&mut tx, w, id, &before.rec, rec, Also::default()).await?.is_none() {
            return Ok(before);
        }
        tx.commit().await?;
        self.market_activity(actor, id).await
    }

    pub async fn delete_market_activity(&self, actor: &Actor, id: EventId) -> Result<()> {
        writer(actor)?;
        let before = self.market_activity(actor, id).await?;
        let mut tx = self.begin().await?;
        self.delete_audited(&mut tx, TARGET.by(actor, None), id, &before.rec, Gone::Archived, &[]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that an account (and optionally one of its contacts) took part.
    pub async fn add_participant(
        &self,
        actor: &Actor,
        id: EventId,
        account_id: AccountId,
        contact_id: Option<ContactId>,
        note: Option<&str>,
    ) -> Result<Event> {
        let event = self.market_activity(actor, id).await?;
        let mut tx = self.begin().await?;
        let acc = self
            .account_in(&mut tx, actor, account_id)
            .await
            .map_err(|_| StoreError::field("account_id", "err.choice"))?;
        if !actor.can_record_activity(&acc.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        if let Some(c) = contact_id {
            let mut q = Q::new("SELECT COUNT(*) AS n FROM account_contacts WHERE account_id = ");
            q.arg(account_id).push(" AND contact_id = ").arg(c);
            if q.query().fetch_one(&mut *tx).await?.try_get::<i64, _>("n")? == 0 {
                return Err(StoreError::field("contact_id", "err.choice"));
            }
        }
        if event.participants.iter().any(|p| p.account_id == account_id && p.contact_id == contact_id) {
            return Err(StoreError::Conflict("err.already_participant"));
        }
        let mut q = Q::new(
            "INSERT INTO market_participants (activity_id, account_id, contact_id, note, created_by, created_at) VALUES (",
        );
        q.arg(id).push(", ").arg(account_id).push(", ").arg(contact_id).push(", ").arg(note.map(str::to_string));
        q.push(", ").arg(actor.user_id).push(", ").arg(self.now_text()).push(")");
        q.query().execute(&mut *tx).await?;
        let changes = [
            ("market_activity_id", Value::Null, Value::from(id)),
            ("contact_id", Value::Null, contact_id.map(Value::from).unwrap_or(Value::Null)),
        ];
        Entry::new(Some(actor.user_id), Action::Link, "market_activity", id)
            .account(Some(account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        self.market_activity(actor, id).await
    }

    pub async fn remove_participant(&self, actor: &Actor, id: EventId, participant_id: i64) -> Result<()> {
        let event = self.market_activity(actor, id).await?;
        let p = event.participants.iter().find(|p| p.id == participant_id).ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, p.account_id).await?;
        if !actor.can_record_activity(&acc.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut q = Q::new("DELETE FROM market_participants WHERE id = ");
        q.arg(participant_id);
        q.query().execute(&mut *tx).await?;
        let changes = [("market_activity_id", Value::from(id), Value::Null)];
        Entry::new(Some(actor.user_id), Action::Unlink, "market_activity", id)
            .account(Some(p.account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
