//! The audit trail: written in the same transaction as each change, read back
//! as the History of a record. The table refuses UPDATE and DELETE by trigger.

use kam_core::AccountId;
use kam_core::UserId;
use kam_core::audit::{Action, changes_json};
use kam_core::{Actor, Value};
use serde::Serialize;
use sqlx::Row;

use crate::sql::Q;
use crate::{Result, Store, Tx};

/// One audit row as read back.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    pub account_id: Option<AccountId>,
    /// `{"field": [before, after]}`
    pub changes: serde_json::Value,
}

/// What is being recorded.
pub struct Entry<'a> {
    pub actor: Option<UserId>,
    pub action: Action,
    pub entity: &'a str,
    pub entity_id: i64,
    pub account_id: Option<AccountId>,
    pub changes: &'a [(&'a str, Value, Value)],
}

impl<'a> Entry<'a> {
    /// An audit entry about `entity` #`entity_id`, by `actor` (None: the system or the operator CLI).
    pub fn new(actor: Option<UserId>, action: Action, entity: &'a str, entity_id: impl Into<i64>) -> Self {
        Entry { actor, action, entity, entity_id: entity_id.into(), account_id: None, changes: &[] }
    }
    /// The account the entry belongs to (shown in that account's History).
    pub fn account(mut self, account_id: Option<AccountId>) -> Self {
        self.account_id = account_id;
        self
    }
    pub fn changes(mut self, changes: &'a [(&'a str, Value, Value)]) -> Self {
        self.changes = changes;
        self
    }
    /// Writes the entry inside the caller's transaction, stamped by the application's clock.
    pub(crate) async fn write(self, tx: &mut Tx, clock: &crate::Clock) -> Result<()> {
        let e = self;
        let mut q =
            Q::new("INSERT INTO audit_log (at, actor_id, action, entity, entity_id, account_id, changes) VALUES (");
        q.arg(clock.now_text()).push(", ").arg(e.actor).push(", ").arg(e.action.as_str());
        q.push(", ").arg(e.entity).push(", ").arg(e.entity_id).push(", ").arg(e.account_id);
        q.push(", ").arg(changes_json(e.changes)).push(")");
        q.query().execute(&mut **tx).await?;
        Ok(())
    }
}

const SELECT: &str = "SELECT l.id, l.at, l.actor_id, u.display_name AS actor_name, l.action, l.entity, \
     l.entity_id, l.account_id, l.changes FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id ";

fn read(row: &sqlx::any::AnyRow) -> Result<AuditRow> {
    let changes: String = row.try_get("changes")?;
    Ok(AuditRow {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor_id: crate::sql::opt_id(row, "actor_id")?,
        actor_name: row.try_get("actor_name")?,
        action: row.try_get("action")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        account_id: crate::sql::opt_id(row, "account_id")?,
        changes: serde_json::from_str(&changes).unwrap_or(serde_json::Value::Null),
    })
}

impl Store {
    /// Everything recorded about an account and what hangs off it, newest
    /// first, with the history of the accounts merged into it. The caller has
    /// checked that the account is in scope.
    pub async fn account_history(&self, account_id: AccountId) -> Result<Vec<AuditRow>> {
        let mut q = Q::new(SELECT);
        q.push("WHERE (l.account_id = ").arg(account_id);
        q.push(" OR l.account_id IN (SELECT m.id FROM accounts m WHERE m.merged_into = ").arg(account_id);
        q.push(")) ORDER BY l.id DESC LIMIT 500");
        q.query().fetch_all(self.pool()).await?.iter().map(read).collect()
    }

    /// The history of one record by entity name and id, as `actor` may read
    /// it: rows about an account the actor cannot see (a contact's title at
    /// another team's account, its tie there) are left out.
    pub async fn entity_history(&self, actor: &Actor, entity: &str, id: i64) -> Result<Vec<AuditRow>> {
        let mut q = Q::new(SELECT);
        q.push("WHERE l.entity = ").arg(entity).push(" AND l.entity_id = ").arg(id);
        q.push(" AND (l.account_id IS NULL OR l.account_id IN (SELECT a.id FROM accounts a WHERE ");
        crate::accounts::scope_sql(&mut q, actor, "a");
        q.push(")) ORDER BY l.id DESC LIMIT 500");
        q.query().fetch_all(self.pool()).await?.iter().map(read).collect()
    }

    /// Tries to alter an audit row; the triggers must refuse. For tests of the
    /// append-only guarantee.
    #[cfg(feature = "testing")]
    pub async fn try_tamper_audit(&self, id: i64) -> (Result<()>, Result<()>) {
        let mut u = Q::new("UPDATE audit_log SET action = 'tampered' WHERE id = ");
        u.arg(id);
        let upd = u.query().execute(self.pool()).await.map(|_| ()).map_err(Into::into);
        let mut d = Q::new("DELETE FROM audit_log WHERE id = ");
        d.arg(id);
        let del = d.query().execute(self.pool()).await.map(|_| ()).map_err(Into::into);
        (upd, del)
    }

    /// Records that a user exported a record (exports are reads that leave the system).
    pub async fn record_export(
        &self,
        actor: &kam_core::Actor,
        entity: &str,
        id: impl Into<i64>,
        account: Option<AccountId>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        Entry::new(Some(actor.user_id), Action::Export, entity, id)
            .account(account)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The latest audit rows, for tests and the admin.
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditRow>> {
        let mut q = Q::new(SELECT);
        q.push("ORDER BY l.id DESC LIMIT ").arg(limit);
        q.query().fetch_all(self.pool()).await?.iter().map(read).collect()
    }
}
