//! Contacts 联系人 and their ties to accounts. A contact is visible when one of
//! its accounts is; its personal fields only to the owner of one of its
//! accounts, managers and admin (the caller redacts them for others).

use kam_core::audit::{Action, created, deleted};
use kam_core::contact::{FIELDS, LINK_FIELDS};
use kam_core::fields::{self, Access};
use kam_core::time_util::now_text;
use kam_core::{Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::{Page, scope_sql};
use crate::audit::{Entry, write};
use crate::sql::{Arg, Q, columns, insert, read_record, update};
use crate::{Result, Store, StoreError, Tx, search};

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub id: i64,
    #[serde(flatten)]
    pub rec: Record,
    pub accounts: Vec<Link>,
    pub created_at: String,
    pub updated_at: String,
    /// The actor owns one of the contact's accounts.
    #[serde(skip)]
    pub actor_owns_account: bool,
    /// The actor may edit one of the contact's accounts.
    #[serde(skip)]
    pub actor_can_edit: bool,
}

/// The tie of a contact to one account.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub account_id: i64,
    pub account_name: String,
    #[serde(flatten)]
    pub rec: Record,
}

#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    pub account_id: Option<i64>,
    pub buying_role: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

fn search_texts(rec: &Record) -> Vec<Option<&str>> {
    ["name", "mobile", "phone", "email", "wechat"].iter().map(|f| rec.get(f).and_then(Value::as_text)).collect()
}

fn visible_sql(q: &mut Q, actor: &Actor) {
    q.push("c.deleted_at IS NULL AND EXISTS (SELECT 1 FROM account_contacts ac JOIN accounts a ON a.id = ac.account_id WHERE ac.contact_id = c.id AND ");
    scope_sql(q, actor, "a");
    q.push(")");
}

impl Store {
    async fn links(&self, actor: &Actor, contact_id: i64) -> Result<Vec<(Link, bool)>> {
        let mut q = Q::new(&format!(
            "SELECT ac.account_id, a.name AS account_name, a.owner_id, {} FROM account_contacts ac JOIN accounts a ON a.id = ac.account_id WHERE ac.contact_id = ",
            columns(LINK_FIELDS, "ac")
        ));
        q.arg(contact_id).push(" AND ");
        scope_sql(&mut q, actor, "a");
        q.push(" ORDER BY a.name");
        let mut out = Vec::new();
        for row in q.query().fetch_all(self.pool()).await? {
            let owner: Option<i64> = row.try_get("owner_id")?;
            out.push((
                Link {
                    account_id: row.try_get("account_id")?,
                    account_name: row.try_get("account_name")?,
                    rec: read_record(&row, LINK_FIELDS)?,
                },
                owner == Some(actor.user_id),
            ));
        }
        Ok(out)
    }

    /// Names of the contact's accounts the actor may see.
    pub async fn contact_account_names(&self, actor: &Actor, contact_id: i64) -> Result<Vec<String>> {
        Ok(self.links(actor, contact_id).await?.into_iter().map(|(l, _)| l.account_name).collect())
    }

    async fn contact_row(&self, actor: &Actor, id: i64) -> Result<(i64, Record, String, String)> {
        let mut q = Q::new(&format!(
            "SELECT c.id, {}, c.created_at, c.updated_at FROM contacts c WHERE c.id = ",
            columns(FIELDS, "c")
        ));
        q.arg(id).push(" AND ");
        visible_sql(&mut q, actor);
        let row = q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        Ok((row.try_get("id")?, read_record(&row, FIELDS)?, row.try_get("created_at")?, row.try_get("updated_at")?))
    }

    /// One contact with the accounts the actor may see.
    pub async fn contact(&self, actor: &Actor, id: i64) -> Result<Contact> {
        let (id, rec, created_at, updated_at) = self.contact_row(actor, id).await?;
        let links = self.links(actor, id).await?;
        let mut can_edit = false;
        for (l, _) in &links {
            if let Ok(a) = self.account(actor, l.account_id).await {
                can_edit |= actor.can_edit_account(&a.facts()) && actor.can_write_field(Access::General);
            }
        }
        Ok(Contact {
            id,
            rec,
            actor_owns_account: links.iter().any(|(_, own)| *own),
            actor_can_edit: can_edit,
            accounts: links.into_iter().map(|(l, _)| l).collect(),
            created_at,
            updated_at,
        })
    }

    /// Contacts the actor may see, optionally of one account.
    pub async fn list_contacts(&self, actor: &Actor, f: &ContactFilter) -> Result<Page<Contact>> {
        let per_page = f.per_page.clamp(1, 200);
        let page = f.page.max(1);
        let mut wh = Q::new(" WHERE ");
        visible_sql(&mut wh, actor);
        if let Some(a) = f.account_id {
            wh.push(" AND c.id IN (SELECT contact_id FROM account_contacts WHERE account_id = ").arg(a).push(")");
        }
        if let Some(r) = f.buying_role.as_deref().filter(|r| !r.is_empty()) {
            wh.push(" AND c.id IN (SELECT contact_id FROM account_contacts WHERE buying_role = ").arg(r).push(")");
        }
        let mut count = Q::new("SELECT COUNT(*) AS n FROM contacts c");
        count.sql.push_str(&wh.sql);
        count.args = wh.args.clone();
        let total: i64 = count.query().fetch_one(self.pool()).await?.try_get("n")?;
        let mut q = Q::new("SELECT c.id FROM contacts c");
        q.sql.push_str(&wh.sql);
        q.args = wh.args;
        q.push(" ORDER BY c.name, c.id LIMIT ").arg(per_page).push(" OFFSET ").arg((page - 1) * per_page);
        let mut items = Vec::new();
        for row in q.query().fetch_all(self.pool()).await? {
            items.push(self.contact(actor, row.try_get("id")?).await?);
        }
        Ok(Page { items, page, per_page, total })
    }

    /// Contacts of one account with their tie to it (primary first).
    pub async fn account_contacts(&self, actor: &Actor, account_id: i64) -> Result<Vec<Contact>> {
        self.account(actor, account_id).await?;
        let mut q = Q::new(
            "SELECT ac.contact_id FROM account_contacts ac JOIN contacts c ON c.id = ac.contact_id WHERE c.deleted_at IS NULL AND ac.account_id = ",
        );
        q.arg(account_id).push(" ORDER BY ac.is_primary DESC, c.name");
        let mut out = Vec::new();
        for row in q.query().fetch_all(self.pool()).await? {
            out.push(self.contact(actor, row.try_get("contact_id")?).await?);
        }
        Ok(out)
    }

    async fn editable_account(&self, tx: &mut Tx, actor: &Actor, account_id: i64) -> Result<()> {
        let _ = tx;
        let acc = self.account(actor, account_id).await?;
        if !actor.can_edit_account(&acc.facts()) || !actor.can_write_field(Access::General) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        Ok(())
    }

    fn check_personal(actor: &Actor, owns: bool, rec: &Record) -> Result<()> {
        let touches_personal = rec
            .iter()
            .any(|(k, v)| fields::def(FIELDS, k).is_some_and(|d| d.access == Access::Personal) && !v.is_null());
        if touches_personal && !actor.can_see_personal(owns) {
            return Err(StoreError::Forbidden("err.field_forbidden"));
        }
        Ok(())
    }

    async fn write_link(&self, tx: &mut Tx, account_id: i64, contact_id: i64, link: &Record) -> Result<()> {
        if link.get("is_primary") == Some(&Value::Bool(true)) {
            let mut q = Q::new("UPDATE account_contacts SET is_primary = 0 WHERE account_id = ");
            q.arg(account_id).push(" AND contact_id <> ").arg(contact_id);
            q.query().execute(&mut **tx).await?;
        }
        let mut q = Q::new("SELECT id FROM account_contacts WHERE account_id = ");
        q.arg(account_id).push(" AND contact_id = ").arg(contact_id);
        match q.query().fetch_optional(&mut **tx).await? {
            Some(row) => {
                if !link.is_empty() {
                    update("account_contacts", LINK_FIELDS, link, &[], row.try_get("id")?)
                        .query()
                        .execute(&mut **tx)
                        .await?;
                }
            }
            None => {
                insert(
                    "account_contacts",
                    LINK_FIELDS,
                    link,
                    &[("account_id", Arg::Int(Some(account_id))), ("contact_id", Arg::Int(Some(contact_id)))],
                )
                .query()
                .fetch_one(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Creates a contact at an account the actor may edit.
    pub async fn create_contact(&self, actor: &Actor, account_id: i64, rec: Record, link: Record) -> Result<Contact> {
        let mut tx = self.begin().await?;
        self.editable_account(&mut tx, actor, account_id).await?;
        let owns = self.account(actor, account_id).await?.owner_id == Some(actor.user_id);
        Self::check_personal(actor, owns, &rec)?;
        if rec.get("name").is_none_or(Value::is_null) {
            return Err(StoreError::field("name", "err.required"));
        }
        let now = now_text();
        let id: i64 = insert(
            "contacts",
            FIELDS,
            &rec,
            &[
                ("created_by", Arg::Int(Some(actor.user_id))),
                ("created_at", now.clone().into()),
                ("updated_at", now.into()),
            ],
        )
        .query()
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        self.write_link(&mut tx, account_id, id, &link).await?;
        search::index(&mut tx, "contact", id, &search_texts(&rec)).await?;
        let mut changes = created(&rec);
        changes.extend(created(&link));
        changes.push(("account_id", Value::Null, Value::Int(account_id)));
        write(
            &mut tx,
            Entry {
                actor: Some(actor.user_id),
                action: Action::Create,
                entity: "contact",
                entity_id: id,
                account_id: Some(account_id),
                changes: &changes,
            },
        )
        .await?;
        tx.commit().await?;
        self.contact(actor, id).await
    }

    /// Changes a contact's own fields.
    pub async fn update_contact(&self, actor: &Actor, id: i64, rec: Record) -> Result<Contact> {
        let before = self.contact(actor, id).await?;
        if !before.actor_can_edit {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let touches_personal = rec.keys().any(|k| fields::def(FIELDS, k).is_some_and(|d| d.access == Access::Personal));
        if touches_personal && !actor.can_see_personal(before.actor_owns_account) {
            return Err(StoreError::Forbidden("err.field_forbidden"));
        }
        if rec.get("name").is_some_and(Value::is_null) {
            return Err(StoreError::field("name", "err.required"));
        }
        let changes = fields::diff(&before.rec, &rec);
        if changes.is_empty() {
            return Ok(before);
        }
        let changed: Record = rec.into_iter().filter(|(k, _)| changes.iter().any(|c| c.0 == *k)).collect();
        let mut tx = self.begin().await?;
        update("contacts", FIELDS, &changed, &[("updated_at", now_text().into())], id)
            .query()
            .execute(&mut *tx)
            .await?;
        let mut merged = before.rec.clone();
        merged.extend(changed);
        search::index(&mut tx, "contact", id, &search_texts(&merged)).await?;
        let account_id = before.accounts.first().map(|l| l.account_id);
        write(
            &mut tx,
            Entry {
                actor: Some(actor.user_id),
                action: Action::Update,
                entity: "contact",
                entity_id: id,
                account_id,
                changes: &changes,
            },
        )
        .await?;
        tx.commit().await?;
        self.contact(actor, id).await
    }

    /// Ties a contact to an account (or changes the tie: title, role, attitude, primary).
    pub async fn link_contact(&self, actor: &Actor, account_id: i64, contact_id: i64, link: Record) -> Result<Contact> {
        let before = self.contact(actor, contact_id).await?;
        let mut tx = self.begin().await?;
        self.editable_account(&mut tx, actor, account_id).await?;
        let old =
            before.accounts.iter().find(|l| l.account_id == account_id).map(|l| l.rec.clone()).unwrap_or_default();
        self.write_link(&mut tx, account_id, contact_id, &link).await?;
        let mut changes = fields::diff(&old, &link);
        let action = if old.is_empty() {
            changes.push(("account_id", Value::Null, Value::Int(account_id)));
            Action::Link
        } else {
            Action::Update
        };
        write(
            &mut tx,
            Entry {
                actor: Some(actor.user_id),
                action,
                entity: "contact",
                entity_id: contact_id,
                account_id: Some(account_id),
                changes: &changes,
            },
        )
        .await?;
        tx.commit().await?;
        self.contact(actor, contact_id).await
    }

    /// Removes a contact's tie to an account; a contact without accounts is archived.
    pub async fn unlink_contact(&self, actor: &Actor, account_id: i64, contact_id: i64) -> Result<()> {
        let before = self.contact(actor, contact_id).await?;
        let Some(link) = before.accounts.iter().find(|l| l.account_id == account_id) else {
            return Err(StoreError::NotFound);
        };
        let mut tx = self.begin().await?;
        self.editable_account(&mut tx, actor, account_id).await?;
        let mut q = Q::new("DELETE FROM account_contacts WHERE account_id = ");
        q.arg(account_id).push(" AND contact_id = ").arg(contact_id);
        q.query().execute(&mut *tx).await?;
        let mut changes = deleted(&link.rec);
        changes.push(("account_id", Value::Int(account_id), Value::Null));
        write(
            &mut tx,
            Entry {
                actor: Some(actor.user_id),
                action: Action::Unlink,
                entity: "contact",
                entity_id: contact_id,
                account_id: Some(account_id),
                changes: &changes,
            },
        )
        .await?;
        let mut q = Q::new("SELECT COUNT(*) AS n FROM account_contacts WHERE contact_id = ");
        q.arg(contact_id);
        if q.query().fetch_one(&mut *tx).await?.try_get::<i64, _>("n")? == 0 {
            self.archive_contact(&mut tx, actor, contact_id, &before.rec, Some(account_id)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn archive_contact(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: i64,
        rec: &Record,
        account_id: Option<i64>,
    ) -> Result<()> {
        let mut q = Q::new("UPDATE contacts SET deleted_at = ");
        q.arg(now_text()).push(" WHERE id = ").arg(id);
        q.query().execute(&mut **tx).await?;
        search::remove(tx, "contact", id).await?;
        let changes = deleted(rec);
        write(
            tx,
            Entry {
                actor: Some(actor.user_id),
                action: Action::Delete,
                entity: "contact",
                entity_id: id,
                account_id,
                changes: &changes,
            },
        )
        .await
    }

    /// Deletes (archives) a contact the actor may edit.
    pub async fn delete_contact(&self, actor: &Actor, id: i64) -> Result<()> {
        let before = self.contact(actor, id).await?;
        if !before.actor_can_edit {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut tx = self.begin().await?;
        let account_id = before.accounts.first().map(|l| l.account_id);
        self.archive_contact(&mut tx, actor, id, &before.rec, account_id).await?;
        tx.commit().await?;
        Ok(())
    }
}
