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
    /// The column that keeps who created a record (`created_by`, a work log's
    /// `author_id`), if the table keeps it.
    pub created_by: Option<&'static str>,
    /// Whether the table keeps `created_at` (ties and sub-rows do not: their
    /// history is their audit rows).
    pub created_at: bool,
    /// Whether the table keeps `updated_at` (append-only tables do not).
    pub updated_at: bool,
}

impl Target {
    pub const fn new(table: &'static str, entity: &'static str, fields: &'static [FieldDef]) -> Target {
        Target { table, entity, fields, created_by: Some("created_by"), created_at: true, updated_at: true }
    }
    /// A table without `created_by` (catalogue records: products, competitors).
    pub const fn catalogue(table: &'static str, entity: &'static str, fields: &'static [FieldDef]) -> Target {
        Target { created_by: None, ..Target::new(table, entity, fields) }
    }
    /// A row that lives inside its account and keeps no stamps of its own
    /// (a competitor's position, a partner): its history is its audit rows.
    pub const fn tie(table: &'static str, entity: &'static str, fields: &'static [FieldDef]) -> Target {
        Target { table, entity, fields, created_by: None, created_at: false, updated_at: false }
    }
    /// Who created a record is kept in `column` (a work log's author).
    pub const fn authored(self, column: &'static str) -> Target {
        Target { created_by: Some(column), ..self }
    }
    /// Rows that are never changed once written (ledger entries): no `updated_at`.
    pub const fn append_only(self) -> Target {
        Target { updated_at: false, ..self }
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
        let id = self.insert_stamped(tx, w, rec, also.columns).await?;
        self.audit_created(tx, w, id, rec, also.changes).await?;
        Ok(I::from(id))
    }

    /// The first half of `insert_audited`, for a record whose audit row names
    /// values known only once it has an id (an order's number): the stamped
    /// insert. The caller then writes `audit_created` in the same transaction.
    pub(crate) async fn insert_stamped(
        &self,
        tx: &mut Tx,
        w: Writer<'_>,
        rec: &Record,
        columns: &[(&str, Arg)],
    ) -> Result<i64> {
        let t = w.target;
        let now = self.now_text();
        let mut cols: Vec<(&str, Arg)> = columns.to_vec();
        if let Some(column) = t.created_by {
            cols.push((column, Arg::from(w.actor.user_id)));
        }
        if t.created_at {
            cols.push(("created_at", now.clone().into()));
        }
        if t.updated_at {
            cols.push(("updated_at", now.into()));
        }
        Ok(insert(t.table, t.fields, rec, &cols).query().fetch_one(&mut **tx).await?.try_get("id")?)
    }

    /// The second half of `insert_audited`: the audit row of a new record, its
    /// values and then `also`.
    pub(crate) async fn audit_created(
        &self,
        tx: &mut Tx,
        w: Writer<'_>,
        id: i64,
        rec: &Record,
        also: &[Change],
    ) -> Result<()> {
        let mut changes = created(rec);
        changes.extend(also.iter().cloned());
        Entry::new(Some(w.actor.user_id), Action::Create, w.target.entity, id)
            .account(w.account)
            .changes(&changes)
            .write(tx, self.clock())
            .await
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
        if t.updated_at {
            cols.push(("updated_at", self.now_text().into()));
        }
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
