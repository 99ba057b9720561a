//! Competitors 竞争对手 (shared records), their position at each account, and
//! the account's own business: its suppliers 货源 and customers.

use crate::error::unique;
use crate::write::{Also, Gone, Target};
use kam_core::AccountId;
use kam_core::CompetitorId;
use kam_core::contact::{COMPETITOR_FIELDS, PARTNER_FIELDS, POSITION_FIELDS, SHARE_FIELDS};
use kam_core::fields::Access;
use kam_core::{Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;

use crate::sql::{Arg, Q, columns, read_record};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Competitor {
    pub id: CompetitorId,
    #[serde(flatten)]
    pub rec: Record,
    /// Accounts (in the reader's scope) where it competes.
    pub account_count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Position {
    pub id: i64,
    pub account_id: AccountId,
    pub competitor_id: CompetitorId,
    pub competitor_name: String,
    #[serde(flatten)]
    pub rec: Record,
}

#[derive(Debug, Clone, Serialize)]
pub struct Partner {
    pub id: i64,
    pub account_id: AccountId,
    #[serde(flatten)]
    pub rec: Record,
}

const COMPETITOR: Target = Target::catalogue("competitors", "competitor", COMPETITOR_FIELDS);
const POSITION: Target = Target::tie("account_competitors", "competitor_position", POSITION_FIELDS);
const PARTNER: Target = Target::tie("account_partners", "account_partner", PARTNER_FIELDS);
const SHARE: Target = Target::new("share_observations", "share_observation", SHARE_FIELDS).append_only();

/// One dated share at an account: a competitor's, or ours when `competitor_id` is none.
#[derive(Debug, Clone, Serialize)]
pub struct Share {
    pub id: i64,
    pub account_id: AccountId,
    pub account_name: String,
    pub competitor_id: Option<CompetitorId>,
    pub competitor_name: Option<String>,
    #[serde(flatten)]
    pub rec: Record,
}

/// The most share observations one read returns.
pub const MAX_SHARES: i64 = 2000;

fn share_select() -> String {
    format!(
        "SELECT h.id, h.account_id, a.name AS account_name, h.competitor_id, c.name AS competitor_name, {} \
         FROM share_observations h JOIN accounts a ON a.id = h.account_id LEFT JOIN competitors c ON c.id = h.competitor_id WHERE ",
        columns(SHARE_FIELDS, "h")
    )
}

fn read_share(r: &sqlx::any::AnyRow) -> Result<Share> {
    Ok(Share {
        id: r.try_get("id")?,
        account_id: crate::sql::id(r, "account_id")?,
        account_name: r.try_get("account_name")?,
        competitor_id: crate::sql::opt_id(r, "competitor_id")?,
        competitor_name: r.try_get("competitor_name")?,
        rec: read_record(r, SHARE_FIELDS)?,
    })
}

fn name_taken(e: StoreError) -> StoreError {
    e.on_constraint(&unique::COMPETITOR_NAME, || StoreError::field("name", "err.taken"))
}

impl Store {
    /// Competitors with the number of in-scope accounts where each competes; all, or the one `id`.
    async fn load_competitors(&self, actor: &Actor, id: Option<CompetitorId>) -> Result<Vec<Competitor>> {
        let mut q = Q::new(&format!(
            "SELECT c.id, {}, (SELECT COUNT(*) FROM account_competitors p JOIN accounts a ON a.id = p.account_id WHERE p.competitor_id = c.id AND ",
            columns(COMPETITOR_FIELDS, "c")
        ));
        crate::accounts::scope_sql(&mut q, actor, "a");
        q.push(") AS n FROM competitors c");
        if let Some(id) = id {
            q.push(" WHERE c.id = ").arg(id);
        }
        q.push(" ORDER BY c.name");
        q.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Competitor {
                    id: crate::sql::id(r, "id")?,
                    rec: read_record(r, COMPETITOR_FIELDS)?,
                    account_count: r.try_get("n")?,
                })
            })
            .collect()
    }

    pub async fn competitors(&self, actor: &Actor) -> Result<Vec<Competitor>> {
        self.load_competitors(actor, None).await
    }

    pub async fn competitor(&self, actor: &Actor, id: CompetitorId) -> Result<Competitor> {
        self.load_competitors(actor, Some(id)).await?.pop().ok_or(StoreError::NotFound)
    }

    pub async fn create_competitor(&self, actor: &Actor, rec: Record) -> Result<Competitor> {
        if !actor.can_edit_competitors() {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        StoreError::check_required(COMPETITOR_FIELDS, &rec, true)?;
        let mut tx = self.begin().await?;
        let w = COMPETITOR.by(actor, None);
        let id = self.insert_audited(&mut tx, w, &rec, Also::default()).await.map_err(name_taken)?;
        tx.commit().await?;
        self.competitor(actor, id).await
    }

    pub async fn update_competitor(&self, actor: &Actor, id: CompetitorId, rec: Record) -> Result<Competitor> {
        if !actor.can_edit_competitors() {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let before = self.competitor(actor, id).await?;
        let mut tx = self.begin().await?;
        let w = COMPETITOR.by(actor, None);
        let written = self.update_audited(&mut tx, w, id, &before.rec, rec, Also::default()).await;
        if written.map_err(name_taken)?.is_none() {
            return Ok(before);
        }
        tx.commit().await?;
        self.competitor(actor, id).await
    }

    /// May `actor` write the account's general fields and the rows that live in it?
    pub(crate) fn check_edit(actor: &Actor, acc: &crate::accounts::Account) -> Result<()> {
        if !actor.can_edit_account(&acc.facts()) || !actor.can_write_field(Access::General) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        Ok(())
    }

    /// Competitors at one account.
    pub async fn positions(&self, actor: &Actor, account_id: AccountId) -> Result<Vec<Position>> {
        self.account(actor, account_id).await?;
        let mut q = Q::new(&format!(
            "SELECT p.id, p.account_id, p.competitor_id, c.name AS competitor_name, {} FROM account_competitors p JOIN competitors c ON c.id = p.competitor_id WHERE p.account_id = ",
            columns(POSITION_FIELDS, "p")
        ));
        q.arg(account_id).push(" ORDER BY p.share_pct DESC, c.name");
        q.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Position {
                    id: r.try_get("id")?,
                    account_id: crate::sql::id(r, "account_id")?,
                    competitor_id: crate::sql::id(r, "competitor_id")?,
                    competitor_name: r.try_get("competitor_name")?,
                    rec: read_record(r, POSITION_FIELDS)?,
                })
            })
            .collect()
    }

    /// Adds or changes a competitor's position at an account.
    pub async fn set_position(
        &self,
        actor: &Actor,
        account_id: AccountId,
        competitor_id: CompetitorId,
        rec: Record,
    ) -> Result<()> {
        self.competitor(actor, competitor_id).await.map_err(|_| StoreError::field("competitor_id", "err.choice"))?;
        let mut tx = self.begin().await?;
        self.set_position_in(&mut tx, actor, account_id, competitor_id, rec).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `set_position` in the caller's transaction: the position's id, and
    /// its fields before when it was there already (None: added). The
    /// competitor is the caller's to have checked.
    pub(crate) async fn set_position_in(
        &self,
        tx: &mut crate::Tx,
        actor: &Actor,
        account_id: AccountId,
        competitor_id: CompetitorId,
        rec: Record,
    ) -> Result<(i64, Option<Record>)> {
        let acc = self.account_in(tx, actor, account_id).await?;
        Self::check_edit(actor, &acc)?;
        let mut q = Q::new(&format!(
            "SELECT p.id, {} FROM account_competitors p WHERE p.account_id = ",
            columns(POSITION_FIELDS, "p")
        ));
        q.arg(account_id).push(" AND p.competitor_id = ").arg(competitor_id);
        let existing = match q.query().fetch_optional(&mut **tx).await? {
            Some(r) => Some((r.try_get::<i64, _>("id")?, read_record(&r, POSITION_FIELDS)?)),
            None => None,
        };
        let w = POSITION.by(actor, Some(account_id));
        match existing {
            // The same position again (a retry, or only competitor_id): nothing to write.
            Some((id, before)) => {
                self.update_audited(tx, w, id, &before, rec, Also::default()).await?;
                Ok((id, Some(before)))
            }
            None => {
                let columns = [("account_id", account_id.into()), ("competitor_id", Arg::from(competitor_id))];
                let link = [("competitor_id", Value::Null, Value::from(competitor_id))];
                let id: i64 = self.insert_audited(tx, w, &rec, Also { columns: &columns, changes: &link }).await?;
                Ok((id, None))
            }
        }
    }

    /// Takes back a position an import wrote: removed if it added it, its
    /// fields back if it changed it; then a competitor it added, once no
    /// account holds it.
    pub(crate) async fn undo_position_in(
        &self,
        tx: &mut crate::Tx,
        actor: &Actor,
        position_id: i64,
        before: Option<Record>,
    ) -> Result<()> {
        let mut q = Q::new(&format!(
            "SELECT p.account_id, p.competitor_id, {} FROM account_competitors p WHERE p.id = ",
            columns(POSITION_FIELDS, "p")
        ));
        q.arg(position_id);
        let r = q.query().fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?;
        let account: AccountId = crate::sql::id(&r, "account_id")?;
        let competitor: CompetitorId = crate::sql::id(&r, "competitor_id")?;
        let now = read_record(&r, POSITION_FIELDS)?;
        let w = POSITION.by(actor, Some(account));
        match before {
            Some(rec) => {
                let rec: Record =
                    POSITION_FIELDS.iter().map(|d| (d.name, rec.get(d.name).cloned().unwrap_or(Value::Null))).collect();
                self.update_audited(tx, w, position_id, &now, rec, Also::default()).await?;
            }
            None => {
                let also = [("competitor_id", Value::from(competitor), Value::Null)];
                self.delete_audited(tx, w, position_id, &now, Gone::Removed, &also).await?;
            }
        }
        Ok(())
    }

    /// Competitors by exact name, a batch of names per query.
    pub(crate) async fn competitor_ids_by_name(
        &self,
        names: &[String],
    ) -> Result<std::collections::HashMap<String, CompetitorId>> {
        let mut out = std::collections::HashMap::new();
        for chunk in names.chunks(500) {
            let mut q = Q::new("SELECT id, name FROM competitors WHERE name IN (");
            q.list(chunk.iter().cloned()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                out.insert(r.try_get("name")?, crate::sql::id(&r, "id")?);
            }
        }
        Ok(out)
    }

    /// The competitor of that exact name, added to the shared list when it is
    /// not there (by whoever may keep the list); (id, whether it was added).
    pub(crate) async fn competitor_named_in(
        &self,
        tx: &mut crate::Tx,
        actor: &Actor,
        name: &str,
    ) -> Result<(CompetitorId, bool)> {
        let mut q = Q::new("SELECT id FROM competitors WHERE name = ");
        q.arg(name);
        if let Some(r) = q.query().fetch_optional(&mut **tx).await? {
            return Ok((crate::sql::id(&r, "id")?, false));
        }
        if !actor.can_edit_competitors() {
            return Err(StoreError::field("competitor", "err.import_competitor_unknown"));
        }
        let rec: Record = [("name", Value::Text(name.to_string()))].into_iter().collect();
        let id =
            self.insert_audited(tx, COMPETITOR.by(actor, None), &rec, Also::default()).await.map_err(name_taken)?;
        Ok((id, true))
    }

    /// Removes a competitor an import added, once no account holds it.
    pub(crate) async fn remove_unused_competitor_in(
        &self,
        tx: &mut crate::Tx,
        actor: &Actor,
        id: CompetitorId,
    ) -> Result<()> {
        let mut q = Q::new("SELECT COUNT(*) AS n FROM account_competitors WHERE competitor_id = ");
        q.arg(id);
        if q.query().fetch_one(&mut **tx).await?.try_get::<i64, _>("n")? > 0 {
            return Ok(());
        }
        let mut q =
            Q::new(&format!("SELECT c.id, {} FROM competitors c WHERE c.id = ", columns(COMPETITOR_FIELDS, "c")));
        q.arg(id);
        let Some(r) = q.query().fetch_optional(&mut **tx).await? else { return Ok(()) };
        let rec = read_record(&r, COMPETITOR_FIELDS)?;
        self.delete_audited(tx, COMPETITOR.by(actor, None), id, &rec, Gone::Removed, &[]).await
    }

    pub async fn remove_position(&self, actor: &Actor, account_id: AccountId, position_id: i64) -> Result<()> {
        let acc = self.account(actor, account_id).await?;
        Self::check_edit(actor, &acc)?;
        let p = self
            .positions(actor, account_id)
            .await?
            .into_iter()
            .find(|p| p.id == position_id)
            .ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let also = [("competitor_id", Value::from(p.competitor_id), Value::Null)];
        self.delete_audited(&mut tx, POSITION.by(actor, Some(account_id)), position_id, &p.rec, Gone::Removed, &also)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account's suppliers and customers.
    pub async fn partners(&self, actor: &Actor, account_id: AccountId) -> Result<Vec<Partner>> {
        self.account(actor, account_id).await?;
        let mut q = Q::new(&format!(
            "SELECT p.id, p.account_id, {} FROM account_partners p WHERE p.account_id = ",
            columns(PARTNER_FIELDS, "p")
        ));
        q.arg(account_id).push(" ORDER BY p.kind DESC, p.share_pct DESC, p.name");
        q.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Partner {
                    id: r.try_get("id")?,
                    account_id: crate::sql::id(r, "account_id")?,
                    rec: read_record(r, PARTNER_FIELDS)?,
                })
            })
            .collect()
    }

    pub async fn add_partner(&self, actor: &Actor, account_id: AccountId, rec: Record) -> Result<i64> {
        let acc = self.account(actor, account_id).await?;
        Self::check_edit(actor, &acc)?;
        StoreError::check_required(PARTNER_FIELDS, &rec, true)?;
        let mut tx = self.begin().await?;
        let columns = [("account_id", account_id.into())];
        let w = PARTNER.by(actor, Some(account_id));
        let id = self.insert_audited(&mut tx, w, &rec, Also { columns: &columns, ..Default::default() }).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn remove_partner(&self, actor: &Actor, account_id: AccountId, partner_id: i64) -> Result<()> {
        let acc = self.account(actor, account_id).await?;
        Self::check_edit(actor, &acc)?;
        let p = self
            .partners(actor, account_id)
            .await?
            .into_iter()
            .find(|p| p.id == partner_id)
            .ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        self.delete_audited(&mut tx, PARTNER.by(actor, Some(account_id)), partner_id, &p.rec, Gone::Removed, &[])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The share history at an account (competitors' and ours), oldest first.
    pub async fn account_shares(&self, actor: &Actor, account_id: AccountId) -> Result<Vec<Share>> {
        self.account(actor, account_id).await?;
        let mut q = Q::new(&share_select());
        q.push("h.account_id = ").arg(account_id);
        q.push(" ORDER BY h.observed_on, h.id LIMIT ").arg(MAX_SHARES);
        q.query().fetch_all(self.pool()).await?.iter().map(read_share).collect()
    }

    /// A competitor's share history at the accounts in the reader's scope,
    /// by account, oldest first.
    pub async fn competitor_shares(&self, actor: &Actor, competitor_id: CompetitorId) -> Result<Vec<Share>> {
        self.competitor(actor, competitor_id).await?;
        let mut q = Q::new(&share_select());
        q.push("h.competitor_id = ").arg(competitor_id).push(" AND ");
        crate::accounts::scope_sql(&mut q, actor, "a");
        q.push(" ORDER BY a.name, h.account_id, h.observed_on, h.id LIMIT ").arg(MAX_SHARES);
        q.query().fetch_all(self.pool()).await?.iter().map(read_share).collect()
    }

    /// Records a share observed at an account — a competitor's, or ours
    /// without one — by whoever may edit the account; not dated after today.
    /// A competitor's observation that is its latest at the account also
    /// sets its position's share there (adding the position if it has none),
    /// in the same transaction.
    pub async fn record_share(
        &self,
        actor: &Actor,
        account_id: AccountId,
        competitor_id: Option<CompetitorId>,
        rec: Record,
    ) -> Result<Share> {
        let acc = self.account(actor, account_id).await?;
        Self::check_edit(actor, &acc)?;
        if let Some(c) = competitor_id {
            self.competitor(actor, c).await.map_err(|_| StoreError::field("competitor_id", "err.choice"))?;
        }
        StoreError::check_required(SHARE_FIELDS, &rec, true)?;
        if let Some(Value::Float(p)) = rec.get("share_pct")
            && !(0.0..=100.0).contains(p)
        {
            return Err(StoreError::field("share_pct", "err.share_range"));
        }
        self.check_not_future(&rec, "observed_on")?;
        let day = rec.get("observed_on").and_then(Value::as_text).unwrap_or_default().to_string();
        let mut tx = self.begin().await?;
        let columns = [("account_id", account_id.into()), ("competitor_id", Arg::from(competitor_id.map(|c| c.0)))];
        let link = [("competitor_id", Value::Null, competitor_id.map(Value::from).unwrap_or(Value::Null))];
        let w = SHARE.by(actor, Some(account_id));
        let id: i64 = self.insert_audited(&mut tx, w, &rec, Also { columns: &columns, changes: &link }).await?;
        if let Some(c) = competitor_id {
            let mut q = Q::new("SELECT COUNT(*) AS n FROM share_observations WHERE account_id = ");
            q.arg(account_id).push(" AND competitor_id = ").arg(c).push(" AND observed_on > ").arg(day);
            if q.query().fetch_one(&mut *tx).await?.try_get::<i64, _>("n")? == 0 {
                let share: Record =
                    [("share_pct", rec.get("share_pct").cloned().unwrap_or(Value::Null))].into_iter().collect();
                self.set_position_in(&mut tx, actor, account_id, c, share).await?;
            }
        }
        tx.commit().await?;
        let mut q = Q::new(&share_select());
        q.push("h.id = ").arg(id);
        read_share(&q.query().fetch_one(self.pool()).await?)
    }

    /// Removes a share observation entered by mistake (audited; the position's share stays as it is).
    pub async fn remove_share(&self, actor: &Actor, account_id: AccountId, share_id: i64) -> Result<()> {
        let acc = self.account(actor, account_id).await?;
        Self::check_edit(actor, &acc)?;
        let mut q = Q::new(&share_select());
        q.push("h.id = ").arg(share_id).push(" AND h.account_id = ").arg(account_id);
        let h = read_share(&q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)?;
        let mut tx = self.begin().await?;
        let also = [("competitor_id", h.competitor_id.map(Value::from).unwrap_or(Value::Null), Value::Null)];
        self.delete_audited(&mut tx, SHARE.by(actor, Some(account_id)), share_id, &h.rec, Gone::Removed, &also).await?;
        tx.commit().await?;
        Ok(())
    }
}
