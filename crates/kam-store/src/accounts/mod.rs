//! Accounts 客户 (the profile card 附表四): scoped list/get, create/update/delete
//! with field-level rules, the group hierarchy, the public pool 公海 and handover.

use crate::error::unique;
use kam_core::AccountId;
use kam_core::TeamId;
use kam_core::UserId;
use kam_core::access::AccountFacts;
use kam_core::account::{self, FIELDS};
use kam_core::audit::{Action, deleted};
use kam_core::fields;
use kam_core::{Actor, Record, Role, Scope, Value};
use serde::Serialize;
use sqlx::Row;

use crate::audit::Entry;
use crate::sql::{Arg, Q, columns, read_record};
use crate::write::{Also, Change, Target};
use crate::{Result, Store, StoreError, Tx, search};

const TARGET: Target = Target::new("accounts", "account", FIELDS);

mod pool;

/// An account as read, with its relations resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: AccountId,
    #[serde(flatten)]
    pub rec: Record,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    #[serde(skip)]
    pub owner_team_id: Option<TeamId>,
    pub parent_id: Option<AccountId>,
    pub parent_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub shared_with_me: bool,
}

impl Account {
    pub fn facts(&self) -> AccountFacts {
        AccountFacts {
            owner_id: self.owner_id,
            owner_team_id: self.owner_team_id,
            shared_with_actor: self.shared_with_me,
        }
    }
    pub fn name(&self) -> &str {
        self.rec.get("name").and_then(Value::as_text).unwrap_or_default()
    }
    pub fn text(&self, f: &str) -> Option<&str> {
        self.rec.get(f).and_then(Value::as_text)
    }
}

/// Filters of the account list.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub grade: Option<String>,
    pub customer_type: Option<String>,
    pub industry: Option<String>,
    pub stage: Option<String>,
    pub owner_id: Option<UserId>,
    /// Only accounts in the pool (no owner).
    pub pool: bool,
    /// Only accounts of this parent.
    pub parent_id: Option<AccountId>,
    pub sort: Option<String>,
    pub desc: bool,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// What a create or update asks for, beyond the plain fields.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    pub rec: Record,
    /// `Some(None)`: put in the pool; `Some(Some(id))`: this owner; `None`: unchanged / default.
    pub owner: Option<Option<UserId>>,
    /// `Some(None)`: no parent.
    pub parent: Option<Option<AccountId>>,
}

/// Another account whose name is very close.
#[derive(Debug, Clone, Serialize)]
pub struct Similar {
    pub id: AccountId,
    pub name: String,
}

/// Appends the SQL condition "account `alias` is visible to `actor`".
/// The accounts whose card the actor may edit, in SQL: the rule of
/// `Actor::can_edit_account` (for sales, managers and admin; finance edits
/// finance fields of all, service and auditors none).
pub(crate) fn edit_scope_sql(q: &mut Q, actor: &Actor, alias: &str) {
    scope_sql(q, actor, alias);
    match actor.role {
        kam_core::Role::Admin | kam_core::Role::Finance => {}
        kam_core::Role::Manager => {
            q.push(&format!(" AND ({alias}.owner_id IS NULL OR {alias}.owner_id = ")).arg(actor.user_id);
            if let Some(team) = actor.team_id {
                q.push(&format!(" OR {alias}.owner_id IN (SELECT tu.id FROM users tu WHERE tu.team_id = "));
                q.arg(team).push(")");
            }
            q.push(")");
        }
        kam_core::Role::Sales => {
            q.push(&format!(" AND {alias}.owner_id = ")).arg(actor.user_id);
        }
        kam_core::Role::Service | kam_core::Role::Auditor => {
            q.push(" AND 1 = 0");
        }
    }
}

pub fn scope_sql(q: &mut Q, actor: &Actor, alias: &str) {
    q.push(&format!("{alias}.deleted_at IS NULL"));
    match actor.scope() {
        Scope::All => {}
        // Each alternative is indexable on its own (owner_id, the shares' user_id,
        // the team's users), so the engines can answer the OR from indexes.
        Scope::Own { user_id } => {
            q.push(&format!(" AND ({alias}.owner_id IS NULL OR {alias}.owner_id = ")).arg(user_id);
            q.push(&format!(" OR {alias}.id IN (SELECT s.account_id FROM account_shares s WHERE s.user_id = "));
            q.arg(user_id).push("))");
        }
        Scope::Team { team_id, user_id } => {
            q.push(&format!(" AND ({alias}.owner_id IS NULL OR {alias}.owner_id = ")).arg(user_id);
            q.push(&format!(" OR {alias}.owner_id IN (SELECT tu.id FROM users tu WHERE tu.team_id = ")).arg(team_id);
            q.push(&format!(") OR {alias}.id IN (SELECT s.account_id FROM account_shares s WHERE s.user_id = "));
            q.arg(user_id).push("))");
        }
    }
}

fn select(actor: &Actor) -> Q {
    let mut q = Q::new(&format!(
        "SELECT a.id, {}, a.owner_id, o.display_name AS owner_name, o.team_id AS owner_team_id, a.parent_id, \
         p.name AS parent_name, a.created_at, a.updated_at, \
         (SELECT COUNT(*) FROM account_shares sh WHERE sh.account_id = a.id AND sh.user_id = ",
        columns(FIELDS, "a")
    ));
    q.arg(actor.user_id);
    // The parent's name only when the reader may see the parent too.
    q.push(") AS shared FROM accounts a LEFT JOIN users o ON o.id = a.owner_id LEFT JOIN accounts p ON p.id = a.parent_id AND ");
    scope_sql(&mut q, actor, "p");
    q.push(" WHERE ");
    scope_sql(&mut q, actor, "a");
    q
}

fn read(row: &sqlx::any::AnyRow) -> Result<Account> {
    Ok(Account {
        id: crate::sql::id(row, "id")?,
        rec: read_record(row, FIELDS)?,
        owner_id: crate::sql::opt_id(row, "owner_id")?,
        owner_name: row.try_get("owner_name")?,
        owner_team_id: crate::sql::opt_id(row, "owner_team_id")?,
        parent_id: crate::sql::opt_id(row, "parent_id")?,
        parent_name: row.try_get("parent_name")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        shared_with_me: row.try_get::<i64, _>("shared")? > 0,
    })
}

fn push_filters(q: &mut Q, actor: &Actor, f: &AccountFilter) {
    for (col, v) in
        [("grade", &f.grade), ("customer_type", &f.customer_type), ("industry", &f.industry), ("stage", &f.stage)]
    {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            q.push(&format!(" AND a.{col} = ")).arg(v);
        }
    }
    if f.pool {
        q.push(" AND a.owner_id IS NULL");
    } else if let Some(o) = f.owner_id {
        q.push(" AND a.owner_id = ").arg(o);
    } else if actor.scope() != Scope::All {
        // Reps and managers see the pool in its own view, not mixed into their list.
        q.push(" AND a.owner_id IS NOT NULL");
    }
    if let Some(p) = f.parent_id {
        q.push(" AND a.parent_id = ").arg(p);
    }
}

/// The account's own search text: name, short name, credit code, phone, fax.
fn search_texts(rec: &Record) -> Vec<Option<&str>> {
    // Only general fields are searchable: a hit must not tell a reader a value they may not see.
    ["name", "short_name", "credit_code", "phone", "fax"]
        .iter()
        .filter(|f| kam_core::visibility::field_class("account", f) == kam_core::visibility::Class::General)
        .map(|f| rec.get(f).and_then(Value::as_text))
        .collect()
}

impl Store {
    /// The names of those of `ids` the actor may see (history shows names, not ids).
    pub async fn account_names(
        &self,
        actor: &Actor,
        ids: &[AccountId],
    ) -> Result<std::collections::HashMap<AccountId, String>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let mut q = Q::new("SELECT a.id, a.name FROM accounts a WHERE ");
        scope_sql(&mut q, actor, "a");
        q.push(" AND a.id IN (");
        for (i, id) in ids.iter().take(500).enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.arg(*id);
        }
        q.push(")");
        let rows = q.query().fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((crate::sql::id(r, "id")?, r.try_get("name")?))).collect()
    }

    /// One page of the accounts the actor may see.
    pub async fn list_accounts(&self, actor: &Actor, f: &AccountFilter) -> Result<Page<Account>> {
        let per_page = f.per_page.clamp(1, 200);
        let page = f.page.clamp(1, crate::sql::MAX_PAGE);
        let mut count = Q::new("SELECT COUNT(*) AS n FROM accounts a WHERE ");
        scope_sql(&mut count, actor, "a");
        push_filters(&mut count, actor, f);
        let total: i64 = count.query().fetch_one(self.pool()).await?.try_get("n")?;

        let mut q = select(actor);
        push_filters(&mut q, actor, f);
        let sort = f.sort.as_deref().filter(|s| account::SORTABLE.contains(s)).unwrap_or("updated_at");
        let dir = if f.desc || (f.sort.is_none() && sort == "updated_at") { "DESC" } else { "ASC" };
        q.push(&format!(" ORDER BY a.{sort} {dir}, a.id {dir} LIMIT ")).arg(per_page);
        q.push(" OFFSET ").arg((page - 1) * per_page);
        let items = q.query().fetch_all(self.pool()).await?.iter().map(read).collect::<Result<_>>()?;
        Ok(Page { items, page, per_page, total })
    }

    /// Those of `ids` the actor may see, in one query (at most 200).
    pub async fn accounts_by_id(&self, actor: &Actor, ids: &[AccountId]) -> Result<Vec<Account>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = select(actor);
        q.push(" AND a.id IN (");
        q.list(ids.iter().take(200).map(|i| i.0));
        q.push(") ORDER BY a.name");
        q.query().fetch_all(self.pool()).await?.iter().map(read).collect()
    }

    /// One account, or NotFound when it does not exist or is out of scope.
    /// A merged-away id answers with the account it was merged into, when the
    /// reader may see that one.
    pub async fn account(&self, actor: &Actor, id: AccountId) -> Result<Account> {
        let mut q = select(actor);
        q.push(" AND a.id = ").arg(id);
        match q.query().fetch_optional(self.pool()).await? {
            Some(row) => read(&row),
            None => Err(self.gone(actor, id).await?),
        }
    }

    /// Why an account does not answer: merged into one the reader sees, or not found.
    pub(crate) async fn gone(&self, actor: &Actor, id: AccountId) -> Result<StoreError> {
        let mut q = Q::new("SELECT a.id FROM accounts a WHERE ");
        scope_sql(&mut q, actor, "a");
        q.push(" AND a.id = (SELECT m.merged_into FROM accounts m WHERE m.deleted_at IS NOT NULL AND m.id = ");
        q.arg(id).push(")");
        Ok(match q.query().fetch_optional(self.pool()).await? {
            Some(row) => StoreError::Merged { entity: "account", into: row.try_get("id")? },
            None => StoreError::NotFound,
        })
    }

    pub(crate) async fn account_in(&self, tx: &mut Tx, actor: &Actor, id: AccountId) -> Result<Account> {
        let mut q = select(actor);
        q.push(" AND a.id = ").arg(id);
        read(&q.query().fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?)
    }

    /// Direct subsidiaries of an account, within scope.
    pub async fn child_accounts(&self, actor: &Actor, id: AccountId) -> Result<Vec<Account>> {
        let mut q = select(actor);
        q.push(" AND a.parent_id = ").arg(id).push(" ORDER BY a.name");
        q.query().fetch_all(self.pool()).await?.iter().map(read).collect()
    }

    /// Accounts (in any scope: a duplicate must be caught even if it is not
    /// yours) whose name is very close to `name`; only ids and names are shown.
    pub async fn similar_accounts(&self, name: &str, except: Option<AccountId>) -> Result<Vec<Similar>> {
        let key = account::name_key(name);
        let ts = kam_core::search::terms(&kam_core::search::normalise(&key));
        if ts.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Q::new(
            "SELECT a.id, a.name FROM accounts a WHERE a.deleted_at IS NULL AND a.id IN (SELECT t.entity_id FROM search_terms t WHERE t.entity = 'account' AND t.term IN (",
        );
        q.list(ts.iter().cloned());
        let need = (ts.len() as f64 * 0.5).ceil() as i64;
        q.push(") GROUP BY t.entity_id HAVING COUNT(*) >= ").arg(need).push(") LIMIT 200");
        let mut out = Vec::new();
        for row in q.query().fetch_all(self.pool()).await? {
            let id: AccountId = crate::sql::id(&row, "id")?;
            let other: String = row.try_get("name")?;
            if Some(id) != except && account::is_similar(name, &other) {
                out.push(Similar { id, name: other });
            }
        }
        Ok(out)
    }

    /// Checks the field-level write rules for every field in `rec`.
    /// Refuses a write naming a field that is not the account's or that the actor may not write.
    fn check_writable(actor: &Actor, rec: &Record) -> Result<()> {
        let writable = |name: &str| fields::def(FIELDS, name).is_some_and(|d| actor.can_write_field(d.access));
        if rec.keys().all(|k| writable(k)) { Ok(()) } else { Err(StoreError::Forbidden("err.field_forbidden")) }
    }

    /// Validates a new owner: an active sales rep or manager the actor may assign to.
    async fn check_owner(&self, tx: &mut Tx, actor: &Actor, owner: UserId) -> Result<()> {
        let user = self.user_in(tx, owner).await.map_err(|_| StoreError::field("owner_id", "err.owner"))?;
        if !user.active || !actor.can_assign_owner(user.id, user.team_id, user.role) {
            return Err(StoreError::field("owner_id", "err.owner"));
        }
        Ok(())
    }

    /// A parent must be visible and must not be the account or below it.
    async fn check_parent(&self, tx: &mut Tx, actor: &Actor, id: Option<AccountId>, parent: AccountId) -> Result<()> {
        self.account_in(tx, actor, parent).await.map_err(|_| StoreError::field("parent_id", "err.parent"))?;
        let mut cur = Some(parent);
        let mut steps = 0;
        while let Some(c) = cur {
            if Some(c) == id {
                return Err(StoreError::field("parent_id", "err.parent_cycle"));
            }
            steps += 1;
            if steps > 100 {
                return Err(StoreError::field("parent_id", "err.parent_cycle"));
            }
            let mut q = Q::new("SELECT parent_id FROM accounts WHERE id = ");
            q.arg(c);
            cur = q
                .query()
                .fetch_optional(&mut **tx)
                .await?
                .and_then(|r| r.try_get::<Option<i64>, _>("parent_id").ok())
                .flatten()
                .map(AccountId);
        }
        Ok(())
    }

    pub(crate) fn map_unique(e: StoreError) -> StoreError {
        e.on_constraint(&unique::CREDIT_CODE, || StoreError::field("credit_code", "err.credit_code.taken"))
    }

    /// Creates an account. A sales rep's new account is theirs unless they put
    /// it in the pool or name another owner they may assign to.
    pub async fn create_account(&self, actor: &Actor, input: AccountInput) -> Result<Account> {
        let mut tx = self.begin().await?;
        let id = self.create_account_in(&mut tx, actor, input).await?;
        let acc = self.account_in(&mut tx, actor, id).await;
        tx.commit().await?;
        match acc {
            Ok(a) => Ok(a),
            // Created into someone else's hands: the creator may no longer see it.
            Err(StoreError::NotFound) => self.account(&Actor { role: Role::Admin, ..actor.clone() }, id).await,
            Err(e) => Err(e),
        }
    }

    /// `create_account` inside the caller's transaction (an import's rows).
    pub(crate) async fn create_account_in(&self, tx: &mut Tx, actor: &Actor, input: AccountInput) -> Result<AccountId> {
        if !actor.can_create_account() {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        Self::check_writable(actor, &input.rec)?;
        StoreError::check_required(FIELDS, &input.rec, true)?;
        check_division(&input.rec, None)?;
        let owner = match input.owner {
            Some(o) => o,
            None if actor.role == Role::Admin => None,
            None => Some(actor.user_id),
        };
        if let Some(o) = owner {
            self.check_owner(tx, actor, o).await?;
        }
        let mut rec = input.rec;
        rec.entry("currency").or_insert(Value::Null);
        if rec.get("currency").is_some_and(Value::is_null) {
            rec.insert("currency", Value::Text("CNY".into()));
        }
        rec.entry("stage").or_insert(Value::Null);
        let parent = input.parent.flatten();
        if let Some(p) = parent {
            self.check_parent(tx, actor, None, p).await?;
        }
        let columns = [("owner_id", Arg::from(owner)), ("parent_id", parent.into())];
        let mut links = vec![("owner_id", Value::Null, owner.map(Value::from).unwrap_or(Value::Null))];
        if let Some(p) = parent {
            links.push(("parent_id", Value::Null, p.into()));
        }
        let w = TARGET.by(actor, None);
        let id: AccountId = AccountId(self.insert_stamped(tx, w, &rec, &columns).await.map_err(Self::map_unique)?);
        search::index(tx, "account", id, &search_texts(&rec)).await?;
        // The new account's own history shows its creation.
        self.audit_created(tx, TARGET.by(actor, Some(id)), id.0, &rec, &links).await?;
        Ok(id)
    }

    /// Changes the named fields (and owner/parent) of an account.
    pub async fn update_account(&self, actor: &Actor, id: AccountId, input: AccountInput) -> Result<Account> {
        let mut tx = self.begin().await?;
        let before = self.account_in(&mut tx, actor, id).await?;
        let written = self.update_account_in(&mut tx, actor, &before, input).await?;
        tx.commit().await?;
        if !written {
            return Ok(before);
        }
        match self.account(actor, id).await {
            Err(StoreError::NotFound) => Ok(before),
            other => other,
        }
    }

    /// `update_account` of a record read in the caller's transaction; whether
    /// anything changed.
    pub(crate) async fn update_account_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        before: &Account,
        input: AccountInput,
    ) -> Result<bool> {
        let id = before.id;
        if !actor.can_edit_account(&before.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        Self::check_writable(actor, &input.rec)?;
        StoreError::check_required(FIELDS, &input.rec, false)?;
        check_division(&input.rec, Some(&before.rec))?;
        let mut links: Vec<Change> = Vec::new();
        let mut extra: Vec<(&str, Arg)> = Vec::new();
        if let Some(owner) = input.owner
            && owner != before.owner_id
        {
            {
                match owner {
                    Some(o) => self.check_owner(tx, actor, o).await?,
                    None if !actor.can_release(&before.facts()) => {
                        return Err(StoreError::field("owner_id", "err.owner"));
                    }
                    None => {}
                }
                if actor.role == Role::Sales && owner.is_some() {
                    return Err(StoreError::field("owner_id", "err.owner"));
                }
                extra.push(("owner_id", Arg::from(owner)));
                links.push(("owner_id", opt_int(before.owner_id), opt_int(owner)));
            }
        }
        if let Some(parent) = input.parent
            && parent != before.parent_id
        {
            {
                if let Some(p) = parent {
                    self.check_parent(tx, actor, Some(id), p).await?;
                }
                extra.push(("parent_id", parent.into()));
                links.push(("parent_id", opt_int(before.parent_id), opt_int(parent)));
            }
        }
        let mut merged = before.rec.clone();
        merged.extend(input.rec.clone());
        let also = Also { columns: &extra, changes: &links };
        let written = self
            .update_audited(tx, TARGET.by(actor, Some(id)), id, &before.rec, input.rec, also)
            .await
            .map_err(Self::map_unique)?;
        if written.is_none() {
            return Ok(false);
        }
        reindex(tx, id, &merged).await?;
        Ok(true)
    }

    /// Deletes (archives) an account; refused while it has subsidiaries.
    pub async fn delete_account(&self, actor: &Actor, id: AccountId) -> Result<()> {
        let mut tx = self.begin().await?;
        let before = self.account_in(&mut tx, actor, id).await?;
        if !actor.can_delete_account(&before.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        self.archive_account_in(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Archives an account the caller may remove (refused while it has
    /// subsidiaries), with its audit row, inside the caller's transaction.
    pub(crate) async fn archive_account_in(&self, tx: &mut Tx, actor: &Actor, before: &Account) -> Result<()> {
        let id = before.id;
        let mut q = Q::new("SELECT COUNT(*) AS n FROM accounts WHERE deleted_at IS NULL AND parent_id = ");
        q.arg(id);
        if q.query().fetch_one(&mut **tx).await?.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::Conflict("err.has_children"));
        }
        let mut q = Q::new("UPDATE accounts SET deleted_at = ");
        q.arg(self.now_text()).push(" WHERE id = ").arg(id);
        q.query().execute(&mut **tx).await?;
        search::remove(tx, "account", id).await?;
        let changes = deleted(&before.rec);
        Entry::new(Some(actor.user_id), Action::Delete, "account", id)
            .account(Some(id))
            .changes(&changes)
            .write(tx, self.clock())
            .await
    }

    /// Number of accounts the actor sees (for dashboards).
    pub async fn count_accounts(&self, actor: &Actor, f: &AccountFilter) -> Result<i64> {
        let mut count = Q::new("SELECT COUNT(*) AS n FROM accounts a WHERE ");
        scope_sql(&mut count, actor, "a");
        push_filters(&mut count, actor, f);
        Ok(count.query().fetch_one(self.pool()).await?.try_get("n")?)
    }
}

/// Rewrites an account's search text (its record as it now stands).
pub(crate) async fn reindex(tx: &mut Tx, id: AccountId, rec: &Record) -> Result<()> {
    search::index(tx, "account", id, &search_texts(rec)).await
}

fn opt_int(v: Option<impl Into<i64>>) -> Value {
    v.map(|v| Value::Int(v.into())).unwrap_or(Value::Null)
}

/// The account's city lies in its province (as the record will stand after
/// the write), by the division list shipped with KAM.
fn check_division(rec: &kam_core::Record, before: Option<&kam_core::Record>) -> Result<()> {
    if !rec.contains_key("province") && !rec.contains_key("city") {
        return Ok(());
    }
    let get = |f: &str| {
        match rec.get(f) {
            Some(v) => v.as_text().map(str::to_string),
            None => before.and_then(|b| b.get(f)).and_then(Value::as_text).map(str::to_string),
        }
        .unwrap_or_default()
    };
    kam_core::divisions::check(&get("province"), &get("city")).map_err(|k| StoreError::field("city", k))
}
