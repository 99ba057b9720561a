//! Merging duplicate accounts: the survivor takes the picked value of each
//! field and everything that hangs off the merged-away account (contacts,
//! activities, orders, contracts, visits and plans, complaints, the ledger
//! and the history); the merged-away account is archived and points at the
//! survivor. One transaction, one audit row of what moved.

use std::collections::BTreeMap;

use kam_core::account::FIELDS;
use kam_core::audit::Action;
use kam_core::merge::{self, Pick};
use kam_core::{AccountId, Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::Account;
use crate::audit::Entry;
use crate::sql::Q;
use crate::write::{Also, Change, Target};
use crate::{Result, Store, StoreError, Tx, search};

mod contacts;
pub use contacts::{ContactMergeCounts, MergedContact};

/// Records that follow their account wholesale: (table, what the counts call them).
const MOVED: &[(&str, &str)] = &[
    ("interactions", "interactions"),
    ("service_records", "service_records"),
    ("needs", "needs"),
    ("surveys", "surveys"),
    ("complaints", "complaints"),
    ("complaint_steps", "complaint_steps"),
    ("visits", "visits"),
    ("market_participants", "market_participants"),
    ("worklog_visits", "worklog_visits"),
    ("worklog_collections", "worklog_collections"),
    ("orders", "orders"),
    ("contracts", "contracts"),
    ("account_partners", "partners"),
    ("share_observations", "share_observations"),
    ("churns", "churns"),
    ("churn_actions", "churn_actions"),
];

/// Ties the survivor may already hold: (table, the column that must not
/// repeat, label). A tie the survivor already has stays with the merged-away
/// account (archived with it), so nothing is overwritten.
const TIES: &[(&str, &str, &str)] = &[
    ("account_contacts", "contact_id", "contacts"),
    ("account_competitors", "competitor_id", "competitors"),
    ("account_shares", "user_id", "shares"),
    ("visit_plans", "year", "visit_plans"),
    ("capability_sheets", "year", "capability_sheets"),
];

/// What a merge would move or moved: label → number of records.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MergeCounts {
    /// Records that move to the survivor.
    pub moved: BTreeMap<&'static str, i64>,
    /// Records that stay with the merged-away account: the survivor holds the
    /// same tie already (a contact, a competitor, a plan of that year), or they
    /// are issued documents of that account (statements, credit decisions).
    pub kept: BTreeMap<&'static str, i64>,
}

/// A merge before the fact: the two accounts as the reader sees them, and what would move.
#[derive(Debug, Clone, Serialize)]
pub struct MergePreview {
    pub survivor: Account,
    pub merged: Account,
    pub counts: MergeCounts,
}

/// A merge's survivor after the fact, and what moved.
#[derive(Debug, Clone, Serialize)]
pub struct Merged {
    pub survivor: Account,
    pub merged_id: AccountId,
    pub counts: MergeCounts,
}

const TARGET: Target = Target::new("accounts", "account", FIELDS);

impl Store {
    /// The two accounts of a merge, read in one transaction and checked: both
    /// in scope, different, and the actor may merge them.
    async fn merge_pair(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        survivor: AccountId,
        merged: AccountId,
    ) -> Result<(Account, Account)> {
        if survivor == merged {
            return Err(StoreError::field("merged_id", "err.merge_same"));
        }
        let s = self.account_in(tx, actor, survivor).await?;
        let m = self.account_in(tx, actor, merged).await.map_err(|e| match e {
            StoreError::NotFound => StoreError::field("merged_id", "err.merge_other"),
            e => e,
        })?;
        if !merge::can_merge_accounts(actor, &s.facts(), &m.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        Ok((s, m))
    }

    /// The two accounts of a merge and what merging `merged` into `survivor`
    /// would move, counted in SQL (a fixed number of queries whatever the
    /// accounts hold). Writes nothing.
    pub async fn merge_preview(&self, actor: &Actor, survivor: AccountId, merged: AccountId) -> Result<MergePreview> {
        let mut tx = self.begin().await?;
        let (survivor, merged) = self.merge_pair(&mut tx, actor, survivor, merged).await?;
        let counts = merge_counts(&mut tx, survivor.id, merged.id).await?;
        tx.rollback().await?;
        Ok(MergePreview { survivor, merged, counts })
    }

    /// Merges `merged` into `survivor`: the survivor's fields as picked (an
    /// unpicked field keeps the survivor's value, or takes the other's when the
    /// survivor has none); everything that hangs off `merged` moves; `merged`
    /// is archived, points at the survivor, and its old id leads there.
    pub async fn merge_accounts(
        &self,
        actor: &Actor,
        survivor: AccountId,
        merged: AccountId,
        picks: &BTreeMap<String, Pick>,
    ) -> Result<Merged> {
        let mut tx = self.begin().await?;
        // Both rows locked, lower id first, before they are read: two merges of
        // the same pair, either way round, run one after the other, and the
        // second finds its account gone.
        let mut ids = [survivor, merged];
        ids.sort();
        for id in ids {
            let mut q = Q::new("UPDATE accounts SET updated_at = updated_at WHERE deleted_at IS NULL AND id = ");
            q.arg(id);
            if q.query().execute(&mut *tx).await?.rows_affected() != 1 && id == merged {
                return Err(StoreError::field("merged_id", "err.merge_other"));
            }
        }
        let (s, m) = self.merge_pair(&mut tx, actor, survivor, merged).await?;
        let may_pick = |d: &kam_core::FieldDef| merge::may_pick(actor, "account", d);
        let changes = merge::survivor_changes(FIELDS, &s.rec, &m.rec, picks, may_pick).map_err(StoreError::Invalid)?;
        let counts = merge_counts(&mut tx, survivor, merged).await?;

        // The merged-away account leaves first, so the survivor may take its credit code.
        let mut q = Q::new("UPDATE accounts SET deleted_at = ");
        q.arg(self.now_text()).push(", merged_into = ").arg(survivor).push(" WHERE id = ").arg(merged);
        q.query().execute(&mut *tx).await?;
        let mut q = Q::new("UPDATE accounts SET merged_into = ");
        q.arg(survivor).push(" WHERE merged_into = ").arg(merged);
        q.query().execute(&mut *tx).await?;
        search::remove(&mut tx, "account", merged).await?;

        for (table, _) in MOVED {
            let mut q = Q::new(&format!("UPDATE {table} SET account_id = "));
            q.arg(survivor).push(" WHERE account_id = ").arg(merged);
            q.query().execute(&mut *tx).await?;
        }
        for (table, col, _) in TIES {
            let mut q = Q::new(&format!("UPDATE {table} SET account_id = "));
            q.arg(survivor).push(" WHERE account_id = ").arg(merged);
            q.push(&format!(" AND {col} NOT IN (SELECT t.{col} FROM {table} t WHERE t.account_id = "));
            q.arg(survivor).push(")");
            q.query().execute(&mut *tx).await?;
        }
        // Subsidiaries of the merged-away account are the survivor's now.
        let mut q = Q::new("UPDATE accounts SET parent_id = ");
        q.arg(survivor).push(" WHERE parent_id = ").arg(merged).push(" AND id <> ").arg(survivor);
        q.query().execute(&mut *tx).await?;
        self.move_ledger_in(&mut tx, actor, merged, survivor).await?;

        let mut trail: Vec<Change> = vec![
            ("merged_into", Value::Null, Value::Int(survivor.0)),
            ("name", Value::Text(m.name().to_string()), Value::Null),
        ];
        trail.extend(counts.moved.iter().map(|(k, n)| (*k, Value::Null, Value::Int(*n))));
        Entry::new(Some(actor.user_id), Action::Merge, "account", merged)
            .account(Some(survivor))
            .changes(&trail)
            .write(&mut tx, self.clock())
            .await?;

        // The survivor takes the picked values; a parent that was the merged-away
        // account becomes that account's own parent.
        let mut extra = Vec::new();
        let mut links: Vec<Change> = Vec::new();
        if s.parent_id == Some(merged) {
            let up = m.parent_id.filter(|p| *p != survivor);
            extra.push(("parent_id", crate::sql::Arg::from(up)));
            links.push(("parent_id", Value::Int(merged.0), up.map(|p| Value::Int(p.0)).unwrap_or(Value::Null)));
        }
        let mut after: Record = s.rec.clone();
        after.extend(changes.clone());
        let also = Also { columns: &extra, changes: &links };
        self.update_audited(&mut tx, TARGET.by(actor, Some(survivor)), survivor, &s.rec, changes, also)
            .await
            .map_err(Store::map_unique)?;
        crate::accounts::reindex(&mut tx, survivor, &after).await?;
        let survivor_now = self.account_in(&mut tx, actor, survivor).await?;
        tx.commit().await?;
        Ok(Merged { survivor: survivor_now, merged_id: merged, counts })
    }

    /// The account a merged-away id now lives on, when the reader may see it
    /// (what `account` answers for that id).
    pub async fn account_merged_into(&self, actor: &Actor, id: AccountId) -> Result<Option<AccountId>> {
        Ok(match self.gone(actor, id).await? {
            StoreError::Merged { into, .. } => Some(AccountId(into)),
            _ => None,
        })
    }
}

/// Counts of what a merge moves and keeps, in one query.
async fn merge_counts(tx: &mut Tx, survivor: AccountId, merged: AccountId) -> Result<MergeCounts> {
    let mut q = Q::new("SELECT ");
    let mut first = true;
    let mut sep = |q: &mut Q| {
        if !first {
            q.push(", ");
        }
        first = false;
    };
    for (i, (table, _)) in MOVED.iter().enumerate() {
        sep(&mut q);
        q.push(&format!("(SELECT COUNT(*) FROM {table} WHERE account_id = ")).arg(merged).push(&format!(") AS m{i}"));
    }
    for (i, (table, col, _)) in TIES.iter().enumerate() {
        sep(&mut q);
        q.push(&format!("(SELECT COUNT(*) FROM {table} x WHERE x.account_id = ")).arg(merged);
        q.push(&format!(" AND x.{col} NOT IN (SELECT t.{col} FROM {table} t WHERE t.account_id = "));
        q.arg(survivor).push(&format!(")) AS t{i}"));
        sep(&mut q);
        q.push(&format!("(SELECT COUNT(*) FROM {table} x WHERE x.account_id = ")).arg(merged);
        q.push(&format!(" AND x.{col} IN (SELECT t.{col} FROM {table} t WHERE t.account_id = "));
        q.arg(survivor).push(&format!(")) AS k{i}"));
    }
    sep(&mut q);
    q.push("(SELECT COUNT(*) FROM ledger_entries WHERE account_id = ").arg(merged).push(") AS ledger");
    sep(&mut q);
    q.push("(SELECT COUNT(*) FROM accounts WHERE deleted_at IS NULL AND parent_id = ").arg(merged);
    q.push(" AND id <> ").arg(survivor).push(") AS subsidiaries");
    sep(&mut q);
    q.push("(SELECT COUNT(*) FROM statements WHERE account_id = ").arg(merged).push(") AS statements");
    sep(&mut q);
    q.push("(SELECT COUNT(*) FROM credit_overrides WHERE account_id = ").arg(merged).push(") AS credit");
    let row = q.query().fetch_one(&mut **tx).await?;
    let n = |c: &str| -> Result<i64> { Ok(row.try_get::<i64, _>(c)?) };
    let mut out = MergeCounts::default();
    for (i, (_, label)) in MOVED.iter().enumerate() {
        out.moved.insert(label, n(&format!("m{i}"))?);
    }
    for (i, (_, _, label)) in TIES.iter().enumerate() {
        out.moved.insert(label, n(&format!("t{i}"))?);
        out.kept.insert(label, n(&format!("k{i}"))?);
    }
    out.moved.insert("ledger_entries", n("ledger")?);
    out.moved.insert("subsidiaries", n("subsidiaries")?);
    out.kept.insert("statements", n("statements")?);
    out.kept.insert("credit_decisions", n("credit")?);
    out.moved.retain(|_, v| *v > 0);
    out.kept.retain(|_, v| *v > 0);
    Ok(out)
}
