//! Merging duplicate contacts: the survivor takes the picked value of each
//! field, the merged-away contact's ties to accounts (where the survivor has
//! none there), its place in interactions (their `their_contacts` lists),
//! market activities and work-log visits; the merged-away contact is archived
//! and points at the survivor. One transaction, one audit row of what moved.

use std::collections::BTreeMap;

use kam_core::audit::Action;
use kam_core::contact::FIELDS;
use kam_core::merge::{self, Pick};
use kam_core::visibility::Viewer;
use kam_core::{Actor, ContactId, Record, Value};
use serde::Serialize;
use sqlx::Row;

use crate::audit::Entry;
use crate::contacts::Contact;
use crate::sql::Q;
use crate::write::{Also, Change, Target};
use crate::{Result, Store, StoreError, Tx, search};

const TARGET: Target = Target::new("contacts", "contact", FIELDS);

/// Tables whose rows name one contact: (table, label).
const NAMED: &[(&str, &str)] = &[("market_participants", "market_participants"), ("worklog_visits", "worklog_visits")];

/// What a contact merge moves, and the ties that stay (the survivor is at that account already).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContactMergeCounts {
    pub moved: BTreeMap<&'static str, i64>,
    pub kept: BTreeMap<&'static str, i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MergedContact {
    pub survivor: Contact,
    pub merged_id: ContactId,
    pub counts: ContactMergeCounts,
}

/// Whether the user chooses a contact field: they may see it on both and write it.
fn may_pick_contact(actor: &Actor, s: &Contact, m: &Contact, d: &kam_core::FieldDef) -> bool {
    let owns = s.actor_owns_account && m.actor_owns_account;
    actor.can_write_field(d.access) && Viewer::new(actor, owns).sees_field("contact", d.name)
}

/// The id list with `from` replaced by `to` ("3,12" → "3,7"), sorted, without repeats.
fn repoint(list: &str, from: i64, to: i64) -> String {
    let mut ids: Vec<i64> =
        list.split(',').filter_map(|p| p.trim().parse().ok()).map(|i| if i == from { to } else { i }).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

impl Store {
    async fn contact_pair(&self, tx: &mut Tx, actor: &Actor, s: ContactId, m: ContactId) -> Result<(Contact, Contact)> {
        if s == m {
            return Err(StoreError::field("merged_id", "err.merge_same"));
        }
        let survivor = self.contact_in(tx, actor, s).await?;
        let merged = self.contact_in(tx, actor, m).await.map_err(|e| match e {
            StoreError::NotFound => StoreError::field("merged_id", "err.merge_other"),
            e => e,
        })?;
        if !merge::can_merge_contacts(actor, survivor.actor_can_edit, merged.actor_can_edit) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        Ok((survivor, merged))
    }

    /// The two contacts of a merge, what would move, and whether the user may
    /// pick each field. Writes nothing.
    pub async fn contact_merge_preview(
        &self,
        actor: &Actor,
        survivor: ContactId,
        merged: ContactId,
    ) -> Result<(Contact, Contact, ContactMergeCounts, Vec<&'static str>)> {
        let mut tx = self.begin().await?;
        let (s, m) = self.contact_pair(&mut tx, actor, survivor, merged).await?;
        let counts = contact_counts(&mut tx, survivor, merged).await?;
        tx.rollback().await?;
        let pickable = FIELDS.iter().filter(|d| may_pick_contact(actor, &s, &m, d)).map(|d| d.name).collect();
        Ok((s, m, counts, pickable))
    }

    /// Merges contact `merged` into `survivor` (see the module).
    pub async fn merge_contacts(
        &self,
        actor: &Actor,
        survivor: ContactId,
        merged: ContactId,
        picks: &BTreeMap<String, Pick>,
    ) -> Result<MergedContact> {
        let mut tx = self.begin().await?;
        let mut ids = [survivor, merged];
        ids.sort();
        for id in ids {
            let mut q = Q::new("UPDATE contacts SET updated_at = updated_at WHERE deleted_at IS NULL AND id = ");
            q.arg(id);
            if q.query().execute(&mut *tx).await?.rows_affected() != 1 && id == merged {
                return Err(StoreError::field("merged_id", "err.merge_other"));
            }
        }
        let (s, m) = self.contact_pair(&mut tx, actor, survivor, merged).await?;
        let changes = merge::survivor_changes(FIELDS, &s.rec, &m.rec, picks, |d| may_pick_contact(actor, &s, &m, d))
            .map_err(StoreError::Invalid)?;
        let counts = contact_counts(&mut tx, survivor, merged).await?;

        let mut q = Q::new("UPDATE contacts SET deleted_at = ");
        q.arg(self.now_text()).push(", merged_into = ").arg(survivor).push(" WHERE id = ").arg(merged);
        q.query().execute(&mut *tx).await?;
        let mut q = Q::new("UPDATE contacts SET merged_into = ");
        q.arg(survivor).push(" WHERE merged_into = ").arg(merged);
        q.query().execute(&mut *tx).await?;
        search::remove(&mut tx, "contact", merged).await?;
        // Ties to accounts the survivor is not at yet move; the others stay with the archived contact.
        let mut q = Q::new("UPDATE account_contacts SET contact_id = ");
        q.arg(survivor).push(" WHERE contact_id = ").arg(merged);
        q.push(" AND account_id NOT IN (SELECT t.account_id FROM account_contacts t WHERE t.contact_id = ");
        q.arg(survivor).push(")");
        q.query().execute(&mut *tx).await?;
        for (table, _) in NAMED {
            let mut q = Q::new(&format!("UPDATE {table} SET contact_id = "));
            q.arg(survivor).push(" WHERE contact_id = ").arg(merged);
            q.query().execute(&mut *tx).await?;
        }
        // Interactions name their contacts as an id list: each one naming the merged-away contact is rewritten.
        let mut q = Q::new("SELECT id, their_contacts FROM interactions WHERE ");
        like_id(&mut q, merged.0);
        for r in q.query().fetch_all(&mut *tx).await? {
            let (id, list): (i64, String) = (r.try_get("id")?, r.try_get("their_contacts")?);
            let mut u = Q::new("UPDATE interactions SET their_contacts = ");
            u.arg(repoint(&list, merged.0, survivor.0)).push(" WHERE id = ").arg(id);
            u.query().execute(&mut *tx).await?;
        }

        let mut trail: Vec<Change> = vec![
            ("merged_into", Value::Null, Value::Int(survivor.0)),
            ("name", Value::Text(m.rec.get("name").and_then(Value::as_text).unwrap_or_default().into()), Value::Null),
        ];
        trail.extend(counts.moved.iter().map(|(k, n)| (*k, Value::Null, Value::Int(*n))));
        let account = s.accounts.first().map(|l| l.account_id);
        Entry::new(Some(actor.user_id), Action::Merge, "contact", merged)
            .account(account)
            .changes(&trail)
            .write(&mut tx, self.clock())
            .await?;
        let mut after: Record = s.rec.clone();
        after.extend(changes.clone());
        if self
            .update_audited(&mut tx, TARGET.by(actor, account), survivor, &s.rec, changes, Also::default())
            .await?
            .is_some()
        {
            search::index(&mut tx, "contact", survivor, &crate::contacts::search_texts(&after)).await?;
        }
        let survivor_now = self.contact_in(&mut tx, actor, survivor).await?;
        tx.commit().await?;
        Ok(MergedContact { survivor: survivor_now, merged_id: merged, counts })
    }
}

/// `their_contacts` names `id` (",3,12," contains ",12,").
fn like_id(q: &mut Q, id: i64) {
    q.push("their_contacts IS NOT NULL AND (',' || their_contacts || ',') LIKE ").arg(format!("%,{id},%"));
}

/// Counts of what a contact merge moves and keeps, in one query.
async fn contact_counts(tx: &mut Tx, survivor: ContactId, merged: ContactId) -> Result<ContactMergeCounts> {
    let mut q = Q::new("SELECT (SELECT COUNT(*) FROM account_contacts x WHERE x.contact_id = ");
    q.arg(merged).push(" AND x.account_id NOT IN (SELECT t.account_id FROM account_contacts t WHERE t.contact_id = ");
    q.arg(survivor).push(")) AS ties, (SELECT COUNT(*) FROM account_contacts x WHERE x.contact_id = ");
    q.arg(merged).push(" AND x.account_id IN (SELECT t.account_id FROM account_contacts t WHERE t.contact_id = ");
    q.arg(survivor).push(")) AS kept");
    for (i, (table, _)) in NAMED.iter().enumerate() {
        q.push(&format!(", (SELECT COUNT(*) FROM {table} WHERE contact_id = ")).arg(merged).push(&format!(") AS n{i}"));
    }
    q.push(", (SELECT COUNT(*) FROM interactions WHERE ");
    like_id(&mut q, merged.0);
    q.push(") AS interactions");
    let row = q.query().fetch_one(&mut **tx).await?;
    let n = |c: &str| -> Result<i64> { Ok(row.try_get::<i64, _>(c)?) };
    let mut out = ContactMergeCounts::default();
    out.moved.insert("accounts", n("ties")?);
    for (i, (_, label)) in NAMED.iter().enumerate() {
        out.moved.insert(label, n(&format!("n{i}"))?);
    }
    out.moved.insert("interactions", n("interactions")?);
    out.kept.insert("accounts", n("kept")?);
    out.moved.retain(|_, v| *v > 0);
    out.kept.retain(|_, v| *v > 0);
    Ok(out)
}
