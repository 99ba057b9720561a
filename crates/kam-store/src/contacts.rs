//! Contacts 联系人 and their ties to accounts. A contact is visible when one of
//! its accounts is; its personal fields only to the owner of one of its
//! accounts, managers and admin (the caller redacts them for others).

use crate::write::{Also, Gone, Target};
use kam_core::AccountId;
use kam_core::ContactId;
use kam_core::access::AccountFacts;
use kam_core::audit::{Action, created, deleted};
use kam_core::contact::{FIELDS, LINK_FIELDS};
use kam_core::fields::{self, Access};
use kam_core::{Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::{Account, Page, scope_sql};
use crate::audit::Entry;
use crate::sql::{Q, columns, insert, read_record, update};
use crate::{Result, Store, StoreError, Tx, search};

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub id: ContactId,
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
    pub account_id: AccountId,
    pub account_name: String,
    #[serde(flatten)]
    pub rec: Record,
}

#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    pub account_id: Option<AccountId>,
    pub buying_role: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

pub(crate) fn search_texts(rec: &Record) -> Vec<Option<&str>> {
    // Only general fields are searchable: a hit must not tell a reader a value they may not see.
    ["name", "mobile", "phone", "email", "wechat"]
        .iter()
        .filter(|f| kam_core::visibility::field_class("contact", f) == kam_core::visibility::Class::General)
        .map(|f| rec.get(f).and_then(Value::as_text))
        .collect()
}

pub(crate) fn visible_sql(q: &mut Q, actor: &Actor) {
    q.push("c.deleted_at IS NULL AND EXISTS (SELECT 1 FROM account_contacts ac JOIN accounts a ON a.id = ac.account_id WHERE ac.contact_id = c.id AND ");
    scope_sql(q, actor, "a");
    q.push(")");
}

fn push_filters(q: &mut Q, f: &ContactFilter) {
    if let Some(a) = f.account_id {
        q.push(" AND c.id IN (SELECT contact_id FROM account_contacts WHERE account_id = ").arg(a).push(")");
    }
    if let Some(r) = f.buying_role.as_deref().filter(|r| !r.is_empty()) {
        q.push(" AND c.id IN (SELECT contact_id FROM account_contacts WHERE buying_role = ").arg(r).push(")");
    }
}

const TARGET: Target = Target::new("contacts", "contact", FIELDS);

impl Store {
    /// Contacts selected by `rows` (a query of `c.id`, the fields, `c.created_at`,
    /// `c.updated_at`, in the order wanted) with their visible accounts: two
    /// queries however many contacts.
    async fn load(&self, actor: &Actor, rows: Q) -> Result<Vec<Contact>> {
        self.load_on(&mut *self.pool().acquire().await?, actor, rows).await
    }

    /// `load` on one connection (a transaction's, or one taken from the pool).
    async fn load_on(&self, conn: &mut sqlx::AnyConnection, actor: &Actor, rows: Q) -> Result<Vec<Contact>> {
        let mut out = Vec::new();
        for row in rows.query().fetch_all(&mut *conn).await? {
            out.push(Contact {
                id: crate::sql::id(&row, "id")?,
                rec: read_record(&row, FIELDS)?,
                accounts: Vec::new(),
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                actor_owns_account: false,
                actor_can_edit: false,
            });
        }
        if out.is_empty() {
            return Ok(out);
        }
        let mut q = Q::new(
            "SELECT ac.contact_id, ac.account_id, a.name AS account_name, a.owner_id, o.team_id AS owner_team_id, \
             (SELECT COUNT(*) FROM account_shares sh WHERE sh.account_id = a.id AND sh.user_id = ",
        );
        q.arg(actor.user_id);
        q.push(&format!(
            ") AS shared, {} FROM account_contacts ac JOIN accounts a ON a.id = ac.account_id \
             LEFT JOIN users o ON o.id = a.owner_id WHERE ac.contact_id IN (",
            columns(LINK_FIELDS, "ac")
        ));
        q.list(out.iter().map(|c| c.id));
        q.push(") AND ");
        scope_sql(&mut q, actor, "a");
        q.push(" ORDER BY a.name");
        let general = actor.can_write_field(Access::General);
        for row in q.query().fetch_all(&mut *conn).await? {
            let contact_id: ContactId = crate::sql::id(&row, "contact_id")?;
            let facts = AccountFacts {
                owner_id: crate::sql::opt_id(&row, "owner_id")?,
                owner_team_id: crate::sql::opt_id(&row, "owner_team_id")?,
                shared_with_actor: row.try_get::<i64, _>("shared")? > 0,
            };
            if let Some(c) = out.iter_mut().find(|c| c.id == contact_id) {
                c.actor_owns_account |= facts.owner_id == Some(actor.user_id);
                c.actor_can_edit |= general && actor.can_edit_account(&facts);
                c.accounts.push(Link {
                    account_id: crate::sql::id(&row, "account_id")?,
                    account_name: row.try_get("account_name")?,
                    rec: read_record(&row, LINK_FIELDS)?,
                });
            }
        }
        Ok(out)
    }

    fn select_rows(actor: &Actor) -> Q {
        let mut q =
            Q::new(&format!("SELECT c.id, {}, c.created_at, c.updated_at FROM contacts c ", columns(FIELDS, "c")));
        q.push("WHERE ");
        visible_sql(&mut q, actor);
        q
    }

    /// Visible contacts by id, in the given order (for search hits).
    pub async fn contacts_by_ids(&self, actor: &Actor, ids: &[ContactId]) -> Result<Vec<Contact>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Self::select_rows(actor);
        q.push(" AND c.id IN (");
        q.list(ids.iter().copied());
        q.push(")");
        let mut list = self.load(actor, q).await?;
        list.sort_by_key(|c| ids.iter().position(|i| *i == c.id));
        Ok(list)
    }

    /// One contact with the accounts the actor may see. A merged-away id
    /// answers with the contact it was merged into, when the reader sees that one.
    pub async fn contact(&self, actor: &Actor, id: ContactId) -> Result<Contact> {
        let mut q = Self::select_rows(actor);
        q.push(" AND c.id = ").arg(id);
        match self.load(actor, q).await?.pop() {
            Some(c) => Ok(c),
            None => {
                let mut q = Q::new("SELECT c.id FROM contacts c WHERE ");
                visible_sql(&mut q, actor);
                q.push(" AND c.id = (SELECT m.merged_into FROM contacts m WHERE m.deleted_at IS NOT NULL AND m.id = ");
                q.arg(id).push(")");
                Err(match q.query().fetch_optional(self.pool()).await? {
                    Some(row) => StoreError::Merged { entity: "contact", into: row.try_get("id")? },
                    None => StoreError::NotFound,
                })
            }
        }
    }

    /// `contact` read in the caller's transaction.
    pub(crate) async fn contact_in(&self, tx: &mut Tx, actor: &Actor, id: ContactId) -> Result<Contact> {
        let mut q = Self::select_rows(actor);
        q.push(" AND c.id = ").arg(id);
        self.load_on(tx, actor, q).await?.pop().ok_or(StoreError::NotFound)
    }

    /// Contacts the actor may see, optionally of one account.
    pub async fn list_contacts(&self, actor: &Actor, f: &ContactFilter) -> Result<Page<Contact>> {
        let per_page = f.per_page.clamp(1, 200);
        let page = f.page.clamp(1, crate::sql::MAX_PAGE);
        let mut count = Q::new("SELECT COUNT(*) AS n FROM contacts c WHERE ");
        visible_sql(&mut count, actor);
        push_filters(&mut count, f);
        let total: i64 = count.query().fetch_one(self.pool()).await?.try_get("n")?;
        let mut q = Self::select_rows(actor);
        push_filters(&mut q, f);
        q.push(" ORDER BY c.name, c.id LIMIT ").arg(per_page).push(" OFFSET ").arg((page - 1) * per_page);
        let items = self.load(actor, q).await?;
        Ok(Page { items, page, per_page, total })
    }

    /// Contacts of one account with their tie to it (primary first).
    pub async fn account_contacts(&self, actor: &Actor, account_id: AccountId) -> Result<Vec<Contact>> {
        self.account(actor, account_id).await?;
        let mut q = Q::new(&format!(
            "SELECT c.id, {}, c.created_at, c.updated_at FROM contacts c JOIN account_contacts l ON l.contact_id = c.id \
             WHERE c.deleted_at IS NULL AND l.account_id = ",
            columns(FIELDS, "c")
        ));
        q.arg(account_id).push(" ORDER BY l.is_primary DESC, c.name, c.id");
        self.load(actor, q).await
    }

    /// The account, read inside the write transaction, if the actor may edit it.
    async fn editable_account(&self, tx: &mut Tx, actor: &Actor, account_id: AccountId) -> Result<Account> {
        let acc = self.account_in(tx, actor, account_id).await?;
        if !actor.can_edit_account(&acc.facts()) || !actor.can_write_field(Access::General) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        Ok(acc)
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

    async fn write_link(&self, tx: &mut Tx, account_id: AccountId, contact_id: ContactId, link: &Record) -> Result<()> {
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
                    update("account_contacts", LINK_FIELDS, link, &[], row.try_get::<i64, _>("id")?)
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
                    &[("account_id", account_id.into()), ("contact_id", contact_id.into())],
                )
                .query()
                .fetch_one(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Creates a contact at an account the actor may edit.
    pub async fn create_contact(
        &self,
        actor: &Actor,
        account_id: AccountId,
        rec: Record,
        link: Record,
    ) -> Result<Contact> {
        let mut tx = self.begin().await?;
        let id = self.create_contact_in(&mut tx, actor, account_id, rec, link).await?;
        tx.commit().await?;
        self.contact(actor, id).await
    }

    /// `create_contact` inside the caller's transaction (an import's rows).
    pub(crate) async fn create_contact_in(
        &self,
        tx: &mut crate::Tx,
        actor: &Actor,
        account_id: AccountId,
        rec: Record,
        link: Record,
    ) -> Result<ContactId> {
        let owns = self.editable_account(tx, actor, account_id).await?.owner_id == Some(actor.user_id);
        Self::check_personal(actor, owns, &rec)?;
        StoreError::check_required(FIELDS, &rec, true)?;
        let mut also = created(&link);
        also.push(("account_id", Value::Null, account_id.into()));
        let w = TARGET.by(actor, Some(account_id));
        let id: ContactId = self.insert_audited(tx, w, &rec, Also { changes: &also, ..Default::default() }).await?;
        self.write_link(tx, account_id, id, &link).await?;
        search::index(tx, "contact", id, &search_texts(&rec)).await?;
        Ok(id)
    }

    /// Changes a contact's own fields.
    pub async fn update_contact(&self, actor: &Actor, id: ContactId, rec: Record) -> Result<Contact> {
        let before = self.contact(actor, id).await?;
        let mut tx = self.begin().await?;
        if !self.update_contact_in(&mut tx, actor, &before, rec).await? {
            return Ok(before);
        }
        tx.commit().await?;
        self.contact(actor, id).await
    }

    /// `update_contact` inside the caller's transaction (a dossier's rows);
    /// false when nothing changed.
    pub(crate) async fn update_contact_in(
        &self,
        tx: &mut crate::Tx,
        actor: &Actor,
        before: &Contact,
        rec: Record,
    ) -> Result<bool> {
        if !before.actor_can_edit {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let touches_personal = rec.keys().any(|k| fields::def(FIELDS, k).is_some_and(|d| d.access == Access::Personal));
        if touches_personal && !actor.can_see_personal(before.actor_owns_account) {
            return Err(StoreError::Forbidden("err.field_forbidden"));
        }
        StoreError::check_required(FIELDS, &rec, false)?;
        let mut merged = before.rec.clone();
        merged.extend(rec.clone());
        let w = TARGET.by(actor, before.accounts.first().map(|l| l.account_id));
        if self.update_audited(tx, w, before.id, &before.rec, rec, Also::default()).await?.is_none() {
            return Ok(false);
        }
        search::index(tx, "contact", before.id, &search_texts(&merged)).await?;
        Ok(true)
    }

    /// Ties a contact to an account (or changes the tie: title, role, attitude, primary).
    ///
    /// A new tie needs edit rights on the contact itself (on one of the accounts
    /// it is already at) as well as on the account: seeing a contact — on an
    /// account shared read-only, or in the pool — is no licence to adopt it, and
    /// with it its personal fields and the right to change or archive it.
    pub async fn link_contact(
        &self,
        actor: &Actor,
        account_id: AccountId,
        contact_id: ContactId,
        link: Record,
    ) -> Result<Contact> {
        let before = self.contact(actor, contact_id).await?;
        let tied = before.accounts.iter().find(|l| l.account_id == account_id);
        if tied.is_none() && !before.actor_can_edit {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut tx = self.begin().await?;
        self.editable_account(&mut tx, actor, account_id).await?;
        let old = tied.map(|l| l.rec.clone()).unwrap_or_default();
        self.write_link(&mut tx, account_id, contact_id, &link).await?;
        let mut changes = fields::diff(&old, &link);
        let action = if old.is_empty() {
            changes.push(("account_id", Value::Null, account_id.into()));
            Action::Link
        } else {
            Action::Update
        };
        Entry::new(Some(actor.user_id), action, "contact", contact_id)
            .account(Some(account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        self.contact(actor, contact_id).await
    }

    /// Removes a contact's tie to an account; a contact without accounts is archived.
    pub async fn unlink_contact(&self, actor: &Actor, account_id: AccountId, contact_id: ContactId) -> Result<()> {
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
        changes.push(("account_id", account_id.into(), Value::Null));
        Entry::new(Some(actor.user_id), Action::Unlink, "contact", contact_id)
            .account(Some(account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        let mut q = Q::new("SELECT COUNT(*) AS n FROM account_contacts WHERE contact_id = ");
        q.arg(contact_id);
        if q.query().fetch_one(&mut *tx).await?.try_get::<i64, _>("n")? == 0 {
            self.archive_contact(&mut tx, actor, contact_id, &before.rec, Some(account_id)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn archive_contact(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: ContactId,
        rec: &Record,
        account_id: Option<AccountId>,
    ) -> Result<()> {
        self.delete_audited(tx, TARGET.by(actor, account_id), id, rec, Gone::Archived, &[]).await?;
        search::remove(tx, "contact", id).await
    }

    /// Deletes (archives) a contact the actor may edit.
    pub async fn delete_contact(&self, actor: &Actor, id: ContactId) -> Result<()> {
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
