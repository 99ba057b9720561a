//! The one write path of registry records: an insert stamped with who and
//! when and its audit row; an update of only the fields that changed and its
//! audit row. Both run inside the caller's transaction, so a record type adds
//! its own checks and side rows (links, search, steps) around them and the
//! whole write commits or leaves nothing.

use kam_core::audit::{Action, created};
use kam_core::fields::{self, FieldDef};
use kam_core::{AccountId, Actor, Record, Value};
use sqlx::Row;

use crate::audit::Entry;
use crate::sql::{Arg, insert, update};
use crate::{Result, Store, Tx};

/// A change of one field: (field, before, after), as audit rows keep it.
pub type Change = (&'static str, Value, Value);

/// Where a record type is stored and audited.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub table: &'static str,
    /// The audit entity.
    pub entity: &'static str,
    pub fields: &'static [FieldDef],
    /// Whether the table keeps who created a record (`created_by`).
    pub created_by: bool,
}

impl Target {
    pub const fn new(table: &'static str, entity: &'static str, fields: &'static [FieldDef]) -> Target {
        Target { table, entity, fields, created_by: true }
    }
    /// A table without `created_by` (catalogue records: products, competitors).
    pub const fn catalogue(table: &'static str, entity: &'static str, fields: &'static [FieldDef]) -> Target {
        Target { table, entity, fields, created_by: false }
    }
}

impl Target {
    /// A write of this record type by `actor`, shown in `account`'s history.
    pub fn by<'a>(&'a self, actor: &'a Actor, account: Option<AccountId>) -> Writer<'a> {
        Writer { target: self, actor, account }
    }
}

/// A write: of what, who makes it, and the account whose history shows it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Writer<'a> {
    pub target: &'a Target,
    pub actor: &'a Actor,
    pub account: Option<AccountId>,
}

/// What a write adds to the record's own fields: columns the system sets, and
/// changes the audit row also names (derived values, links).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Also<'a> {
    pub columns: &'a [(&'a str, Arg)],
    pub changes: &'a [Change],
}

impl Store {
    /// Inserts `rec` with the `extra` columns, stamped (`created_by`,
    /// `created_at`, `updated_at`), and writes its audit row: the record's
    /// values, then `also` (derived values, links). Returns the new id.
    pub(crate) async fn insert_audited<I: From<i64>>(
        &self,
        tx: &mut Tx,
        w: Writer<'_>,
        rec: &Record,
        also: Also<'_>,
    ) -> Result<I> {
        let (t, by) = (w.target, w);
        let now = self.now_text();
        let mut cols: Vec<(&str, Arg)> = also.columns.to_vec();
        if t.created_by {
            cols.push(("created_by", Arg::from(by.actor.user_id)));
        }
        cols.extend([("created_at", now.clone().into()), ("updated_at", now.into())]);
        let id: i64 = insert(t.table, t.fields, rec, &cols).query().fetch_one(&mut **tx).await?.try_get("id")?;
        let mut changes = created(rec);
        changes.extend(also.changes.iter().cloned());
        Entry::new(Some(by.actor.user_id), Action::Create, t.entity, id)
            .account(by.account)
            .changes(&changes)
            .write(tx, self.clock())
            .await?;
        Ok(I::from(id))
    }

    /// Writes the fields of `rec` whose values differ from `before`, with the
    /// `extra` columns and `updated_at`, and the audit row of the change (plus
    /// `also`). Nothing changed: no write, no row, `None`.
    pub(crate) async fn update_audited(
        &self,
        tx: &mut Tx,
        w: Writer<'_>,
        id: impl Into<i64>,
        before: &Record,
        rec: Record,
        also: Also<'_>,
    ) -> Result<Option<Vec<Change>>> {
        let (t, by, id) = (w.target, w, id.into());
        let mut changes = fields::diff(before, &rec);
        if changes.is_empty() && also.changes.is_empty() {
            return Ok(None);
        }
        let changed: Record = rec.into_iter().filter(|(k, _)| changes.iter().any(|c| c.0 == *k)).collect();
        let mut cols: Vec<(&str, Arg)> = also.columns.to_vec();
        cols.push(("updated_at", self.now_text().into()));
        update(t.table, t.fields, &changed, &cols, id).query().execute(&mut **tx).await?;
        changes.extend(also.changes.iter().cloned());
        Entry::new(Some(by.actor.user_id), Action::Update, t.entity, id)
            .account(by.account)
            .changes(&changes)
            .write(tx, self.clock())
            .await?;
        Ok(Some(changes))
    }
}

/// How a record leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gone {
    /// Archived (`deleted_at`): it stays for history.
    Archived,
    /// Removed for good: a tie or a sub-record whose history is its audit row.
    Removed,
}

impl Store {
    /// Archives or removes a record and writes the audit row of what it held (plus `also`).
    pub(crate) async fn delete_audited(
        &self,
        tx: &mut Tx,
        w: Writer<'_>,
        id: impl Into<i64>,
        before: &Record,
        how: Gone,
        also: &[Change],
    ) -> Result<()> {
        let (table, id): (_, i64) = (w.target.table, id.into());
        let mut q = match how {
            Gone::Archived => {
                let mut q = crate::sql::Q::new(&format!("UPDATE {table} SET deleted_at = "));
                q.arg(self.now_text()).push(" WHERE id = ");
                q
            }
            Gone::Removed => crate::sql::Q::new(&format!("DELETE FROM {table} WHERE id = ")),
        };
        q.arg(id).query().execute(&mut **tx).await?;
        let mut changes = kam_core::audit::deleted(before);
        changes.extend(also.iter().cloned());
        Entry::new(Some(w.actor.user_id), Action::Delete, w.target.entity, id)
            .account(w.account)
            .changes(&changes)
            .write(tx, self.clock())
            .await
    }
}

/// The fields of `rec` that differ from `before` (what an update writes).
pub(crate) fn changed_fields(before: &Record, rec: &Record) -> Record {
    let changes = fields::diff(before, rec);
    rec.iter().filter(|(k, _)| changes.iter().any(|c| c.0 == **k)).map(|(k, v)| (*k, v.clone())).collect()
}
