//! The pool 公海 and who owns an account: claiming one (up to the limit per
//! rep), releasing it, a manager's handover of all of a rep's accounts, and
//! sharing an account with a colleague.

use super::*;
use kam_core::UserId;

impl Store {
    /// Takes an account from the pool, up to the configured limit per rep.
    pub async fn claim_account(&self, actor: &Actor, id: AccountId) -> Result<Account> {
        if !actor.can_claim() {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let limit = self.claim_limit().await?;
        let mut tx = self.begin().await?;
        // Serialise this rep's claims (portable row lock: a no-op update).
        let mut lock = Q::new("UPDATE users SET active = active WHERE id = ");
        lock.arg(actor.user_id);
        lock.query().execute(&mut *tx).await?;
        let acc = self.account_in(&mut tx, actor, id).await?;
        if acc.owner_id.is_some() {
            return Err(StoreError::Conflict("err.not_in_pool"));
        }
        let mut q = Q::new("SELECT COUNT(*) AS n FROM accounts WHERE deleted_at IS NULL AND owner_id = ");
        q.arg(actor.user_id);
        if q.query().fetch_one(&mut *tx).await?.try_get::<i64, _>("n")? >= limit {
            return Err(StoreError::Conflict("err.claim_limit"));
        }
        let mut q = Q::new("UPDATE accounts SET owner_id = ");
        q.arg(actor.user_id)
            .push(", updated_at = ")
            .arg(self.now_text())
            .push(" WHERE owner_id IS NULL AND id = ")
            .arg(id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.not_in_pool"));
        }
        let changes = [("owner_id", Value::Null, Value::from(actor.user_id))];
        Entry::new(Some(actor.user_id), Action::Claim, "account", id)
            .account(Some(id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        self.account(actor, id).await
    }

    /// Returns an account to the pool.
    pub async fn release_account(&self, actor: &Actor, id: AccountId) -> Result<()> {
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, id).await?;
        if !actor.can_release(&acc.facts()) {
            return Err(if acc.owner_id.is_none() {
                StoreError::Conflict("err.not_owned")
            } else {
                StoreError::Forbidden("err.forbidden")
            });
        }
        let mut q = Q::new("UPDATE accounts SET owner_id = NULL, updated_at = ");
        q.arg(self.now_text()).push(" WHERE id = ").arg(id);
        q.query().execute(&mut *tx).await?;
        let changes = [("owner_id", opt_int(acc.owner_id), Value::Null)];
        Entry::new(Some(actor.user_id), Action::Release, "account", id)
            .account(Some(id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hands every account of one rep to another in one transaction; returns how many.
    pub async fn handover(&self, actor: &Actor, from: UserId, to: UserId) -> Result<i64> {
        let mut tx = self.begin().await?;
        let (f, t) = (self.user_in(&mut tx, from).await, self.user_in(&mut tx, to).await);
        let (Ok(f), Ok(t)) = (f, t) else {
            return Err(StoreError::field("to_user_id", "err.owner"));
        };
        if !actor.can_handover(f.team_id, t.team_id) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        if from == to || !t.active || !matches!(t.role, Role::Sales | Role::Manager) {
            return Err(StoreError::field("to_user_id", "err.owner"));
        }
        let mut q = Q::new("SELECT id FROM accounts WHERE deleted_at IS NULL AND owner_id = ");
        q.arg(from).push(" ORDER BY id");
        let ids: Vec<AccountId> =
            q.query().fetch_all(&mut *tx).await?.iter().map(|r| crate::sql::id(r, "id")).collect::<Result<_>>()?;
        let mut q = Q::new("UPDATE accounts SET owner_id = ");
        q.arg(to)
            .push(", updated_at = ")
            .arg(self.now_text())
            .push(" WHERE deleted_at IS NULL AND owner_id = ")
            .arg(from);
        q.query().execute(&mut *tx).await?;
        let changes = [("owner_id", Value::from(from), Value::from(to))];
        for id in &ids {
            Entry::new(Some(actor.user_id), Action::Handover, "account", *id)
                .account(Some(*id))
                .changes(&changes)
                .write(&mut tx, self.clock())
                .await?;
        }
        let summary =
            [("accounts", Value::Null, Value::Int(ids.len() as i64)), ("to_user_id", Value::Null, Value::from(to))];
        Entry::new(Some(actor.user_id), Action::Handover, "user", from)
            .changes(&summary)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(ids.len() as i64)
    }

    /// Shares an account with another user (read access).
    pub async fn share_account(&self, actor: &Actor, id: AccountId, with_user: UserId) -> Result<()> {
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, id).await?;
        if !actor.can_edit_account(&acc.facts()) || actor.role == Role::Finance {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        self.user_in(&mut tx, with_user).await.map_err(|_| StoreError::field("user_id", "err.owner"))?;
        let mut q = Q::new("INSERT INTO account_shares (account_id, user_id) VALUES (");
        q.arg(id).push(", ").arg(with_user).push(") ON CONFLICT (account_id, user_id) DO NOTHING");
        q.query().execute(&mut *tx).await?;
        let changes = [("shared_with", Value::Null, Value::from(with_user))];
        Entry::new(Some(actor.user_id), Action::Update, "account", id)
            .account(Some(id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
