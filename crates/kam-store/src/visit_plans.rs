//! Visit plans 客户拜访计划 (附表二): twelve planned dates per account and
//! year, filled with actual dates as visit records fulfil them; a visit's next
//! planned date lands in the plan of its year. Read under the account's scope.

use kam_core::AccountId;
use kam_core::ActivityId;
use kam_core::UserId;
use kam_core::audit::Action;
use kam_core::time_util::parse_date;
use kam_core::visit_plan::{SLOTS, Slot, Tally, fulfils, place};
use kam_core::{Actor, Value};
use serde::Serialize;
use sqlx::Row;
use time::Date;

use crate::accounts::scope_sql;
use crate::audit::Entry;
use crate::sql::Q;
use crate::{Result, Stamp, Store, StoreError, Tx};

/// One account's plan for one year.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub account_id: AccountId,
    pub account_name: String,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub year: i32,
    pub slots: Vec<Slot>,
}

/// Plan versus actual for one rep.
#[derive(Debug, Clone, Serialize)]
pub struct RepTally {
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    #[serde(flatten)]
    pub tally: Tally,
}

async fn plan_id(tx: &mut Tx, account_id: AccountId, year: i32, create: bool, stamp: &Stamp) -> Result<Option<i64>> {
    let mut q = Q::new("SELECT id FROM visit_plans WHERE account_id = ");
    q.arg(account_id).push(" AND year = ").arg(i64::from(year));
    if let Some(row) = q.query().fetch_optional(&mut **tx).await? {
        return Ok(Some(row.try_get("id")?));
    }
    if !create {
        return Ok(None);
    }
    let mut q = Q::new("INSERT INTO visit_plans (account_id, year, created_by, created_at, updated_at) VALUES (");
    q.arg(account_id).push(", ").arg(i64::from(year)).push(", ").arg(stamp.by).push(", ").arg(stamp.at.as_str());
    q.push(", ").arg(stamp.at.as_str());
    q.push(") RETURNING id");
    let id: i64 = q.query().fetch_one(&mut **tx).await?.try_get("id")?;
    for seq in 1..=SLOTS as i64 {
        let mut q = Q::new("INSERT INTO visit_plan_slots (plan_id, seq) VALUES (");
        q.arg(id).push(", ").arg(seq).push(")");
        q.query().execute(&mut **tx).await?;
    }
    Ok(Some(id))
}

async fn slots_of(tx: &mut Tx, plan: i64) -> Result<Vec<Slot>> {
    let mut q = Q::new("SELECT seq, planned_on, actual_on FROM visit_plan_slots WHERE plan_id = ");
    q.arg(plan).push(" ORDER BY seq");
    let mut out = vec![Slot::default(); SLOTS];
    for row in q.query().fetch_all(&mut **tx).await? {
        let seq: i64 = row.try_get("seq")?;
        let p: Option<String> = row.try_get("planned_on")?;
        let a: Option<String> = row.try_get("actual_on")?;
        if let Some(s) = out.get_mut((seq - 1) as usize) {
            *s = Slot { planned: p.as_deref().and_then(parse_date), actual: a.as_deref().and_then(parse_date) };
        }
    }
    Ok(out)
}

/// A new visit record: it fulfils a planned slot of its year, and its next
/// planned date goes into the plan of that date's year. Same transaction.
pub(crate) async fn on_visit(
    tx: &mut Tx,
    account_id: AccountId,
    visit_id: ActivityId,
    visited: Date,
    next: Option<Date>,
    stamp: &Stamp,
) -> Result<()> {
    if let Some(plan) = plan_id(tx, account_id, visited.year(), false, stamp).await? {
        let slots = slots_of(tx, plan).await?;
        if let Some(i) = fulfils(&slots, visited) {
            let mut q = Q::new("UPDATE visit_plan_slots SET actual_on = ");
            q.arg(visited.to_string()).push(", visit_id = ").arg(visit_id);
            q.push(" WHERE plan_id = ").arg(plan).push(" AND seq = ").arg(i as i64 + 1);
            q.query().execute(&mut **tx).await?;
        }
    }
    if let Some(next) = next
        && let Some(plan) = plan_id(tx, account_id, next.year(), true, stamp).await?
    {
        let slots = slots_of(tx, plan).await?;
        if let Some(i) = place(&slots, next) {
            let mut q = Q::new("UPDATE visit_plan_slots SET planned_on = ");
            q.arg(next.to_string()).push(" WHERE plan_id = ").arg(plan).push(" AND seq = ").arg(i as i64 + 1);
            q.query().execute(&mut **tx).await?;
        }
    }
    Ok(())
}

impl Store {
    /// The plans of a year for the accounts in scope (optionally one account);
    /// accounts without a plan that year are left out unless asked for by id.
    pub async fn visit_plans(&self, actor: &Actor, year: i32, account_id: Option<AccountId>) -> Result<Vec<Plan>> {
        let mut q = Q::new(
            "SELECT a.id AS account_id, a.name AS account_name, a.owner_id, o.display_name AS owner_name, p.id AS plan_id \
             FROM accounts a LEFT JOIN users o ON o.id = a.owner_id JOIN visit_plans p ON p.account_id = a.id AND p.year = ",
        );
        q.arg(i64::from(year)).push(" WHERE ");
        scope_sql(&mut q, actor, "a");
        if let Some(id) = account_id {
            q.push(" AND a.id = ").arg(id);
        }
        q.push(" ORDER BY a.name, a.id");
        let rows = q.query().fetch_all(self.pool()).await?;
        let mut plans = Vec::new();
        let mut ids = Vec::new();
        for row in &rows {
            ids.push(row.try_get::<i64, _>("plan_id")?);
            plans.push(Plan {
                account_id: crate::sql::id(row, "account_id")?,
                account_name: row.try_get("account_name")?,
                owner_id: crate::sql::opt_id(row, "owner_id")?,
                owner_name: row.try_get("owner_name")?,
                year,
                slots: vec![Slot::default(); SLOTS],
            });
        }
        if !ids.is_empty() {
            let mut q = Q::new("SELECT plan_id, seq, planned_on, actual_on FROM visit_plan_slots WHERE plan_id IN (");
            q.list(ids.iter().copied());
            q.push(")");
            for row in q.query().fetch_all(self.pool()).await? {
                let plan: i64 = row.try_get("plan_id")?;
                let seq: i64 = row.try_get("seq")?;
                let p: Option<String> = row.try_get("planned_on")?;
                let a: Option<String> = row.try_get("actual_on")?;
                if let Some(k) = ids.iter().position(|x| *x == plan)
                    && let Some(s) = plans[k].slots.get_mut((seq - 1) as usize)
                {
                    *s = Slot { planned: p.as_deref().and_then(parse_date), actual: a.as_deref().and_then(parse_date) };
                }
            }
        }
        Ok(plans)
    }

    /// One account's plan for a year (empty slots when there is none yet).
    pub async fn visit_plan(&self, actor: &Actor, account_id: AccountId, year: i32) -> Result<Plan> {
        let a = self.account(actor, account_id).await?;
        Ok(self.visit_plans(actor, year, Some(account_id)).await?.pop().unwrap_or(Plan {
            account_id,
            account_name: a.name().to_string(),
            owner_id: a.owner_id,
            owner_name: a.owner_name.clone(),
            year,
            slots: vec![Slot::default(); SLOTS],
        }))
    }

    /// Sets the twelve planned dates of an account's plan (actual dates stay).
    pub async fn set_visit_plan(
        &self,
        actor: &Actor,
        account_id: AccountId,
        year: i32,
        planned: &[Option<Date>],
    ) -> Result<Plan> {
        if planned.len() > SLOTS {
            return Err(StoreError::field("planned", "err.range"));
        }
        let mut errors = kam_core::FieldErrors::default();
        for (i, d) in planned.iter().enumerate() {
            if d.is_some_and(|d| d.year() != year) {
                errors.add(&format!("planned_{}", i + 1), "err.plan_year");
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.begin().await?;
        self.set_visit_plan_in(&mut tx, actor, account_id, year, planned).await?;
        tx.commit().await?;
        self.visit_plan(actor, account_id, year).await
    }

    /// `set_visit_plan` in the caller's transaction (its dates checked by the
    /// caller): the plan's id and its planned dates before.
    pub(crate) async fn set_visit_plan_in(
        &self,
        tx: &mut crate::Tx,
        actor: &Actor,
        account_id: AccountId,
        year: i32,
        planned: &[Option<Date>],
    ) -> Result<(i64, Vec<Option<Date>>)> {
        let acc = self.account_in(tx, actor, account_id).await?;
        if !actor.can_record_activity(&acc.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let plan =
            plan_id(tx, account_id, year, true, &self.stamp(actor.user_id)).await?.ok_or(StoreError::NotFound)?;
        let before = slots_of(tx, plan).await?;
        let mut changes = Vec::new();
        for seq in 0..SLOTS {
            let new = planned.get(seq).copied().flatten();
            if before[seq].planned != new {
                let mut q = Q::new("UPDATE visit_plan_slots SET planned_on = ");
                q.arg(new.map(|d| d.to_string()))
                    .push(" WHERE plan_id = ")
                    .arg(plan)
                    .push(" AND seq = ")
                    .arg(seq as i64 + 1);
                q.query().execute(&mut **tx).await?;
                let v = |d: Option<Date>| d.map(|d| Value::Text(d.to_string())).unwrap_or(Value::Null);
                changes.push((SLOT_NAMES[seq], v(before[seq].planned), v(new)));
            }
        }
        if !changes.is_empty() {
            let mut q = Q::new("UPDATE visit_plans SET updated_at = ");
            q.arg(self.now_text()).push(" WHERE id = ").arg(plan);
            q.query().execute(&mut **tx).await?;
            Entry::new(Some(actor.user_id), Action::Update, "visit_plan", plan)
                .account(Some(account_id))
                .changes(&changes)
                .write(tx, self.clock())
                .await?;
        }
        Ok((plan, before.iter().map(|s| s.planned).collect()))
    }

    /// The account and year of a plan (an import's undo), in the caller's transaction.
    pub(crate) async fn plan_of(tx: &mut crate::Tx, plan: i64) -> Result<(AccountId, i32)> {
        let mut q = Q::new("SELECT account_id, year FROM visit_plans WHERE id = ");
        q.arg(plan);
        let r = q.query().fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?;
        Ok((crate::sql::id(&r, "account_id")?, r.try_get::<i64, _>("year")? as i32))
    }

    /// (account, year) of the plans of these accounts that hold a planned date.
    pub(crate) async fn planned_years(
        &self,
        accounts: &[AccountId],
    ) -> Result<std::collections::HashSet<(AccountId, i32)>> {
        let mut out = std::collections::HashSet::new();
        for chunk in accounts.chunks(500) {
            let mut q = Q::new(
                "SELECT DISTINCT p.account_id, p.year FROM visit_plans p JOIN visit_plan_slots s ON s.plan_id = p.id \
                 WHERE s.planned_on IS NOT NULL AND p.account_id IN (",
            );
            q.list(chunk.iter().copied()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                out.insert((crate::sql::id(&r, "account_id")?, r.try_get::<i64, _>("year")? as i32));
            }
        }
        Ok(out)
    }

    /// Plan versus actual per rep (account owner) over the plans in scope:
    /// the slots planned in `from..=to`, counted by state
    /// (`kam_core::visit_plan::state`) in one grouped read.
    pub async fn visit_plan_summary(&self, actor: &Actor, from: Date, to: Date, today: Date) -> Result<Vec<RepTally>> {
        let grace = kam_core::visit_plan::GRACE_DAYS;
        let on_time = format!("s.actual_on <= {}", crate::health::plus_days(self.engine(), "s.planned_on", grace));
        let due_by = (today - time::Duration::days(grace)).to_string();
        let count = |cond: &str| format!("CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT)");
        let mut q = Q::new(&format!(
            "SELECT a.owner_id, o.display_name AS owner_name, COUNT(*) AS planned, {} AS on_time, {} AS late, {} AS missed, {} AS pending \
             FROM visit_plan_slots s JOIN visit_plans p ON p.id = s.plan_id JOIN accounts a ON a.id = p.account_id \
             LEFT JOIN users o ON o.id = a.owner_id WHERE s.planned_on >= ",
            count(&format!("s.actual_on IS NOT NULL AND {on_time}")),
            count(&format!("s.actual_on IS NOT NULL AND NOT ({on_time})")),
            count(&format!("s.actual_on IS NULL AND s.planned_on < '{due_by}'")),
            count(&format!("s.actual_on IS NULL AND s.planned_on >= '{due_by}'")),
        ));
        q.arg(from.to_string()).push(" AND s.planned_on <= ").arg(to.to_string()).push(" AND ");
        scope_sql(&mut q, actor, "a");
        q.push(" GROUP BY a.owner_id, o.display_name");
        let mut out = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            out.push(RepTally {
                owner_id: crate::sql::opt_id(&r, "owner_id")?,
                owner_name: r.try_get("owner_name")?,
                tally: Tally {
                    planned: r.try_get("planned")?,
                    on_time: r.try_get("on_time")?,
                    late: r.try_get("late")?,
                    missed: r.try_get("missed")?,
                    pending: r.try_get("pending")?,
                },
            });
        }
        out.sort_by(|a, b| a.owner_name.cmp(&b.owner_name));
        Ok(out)
    }
}

/// Audit names of the twelve planned dates.
const SLOT_NAMES: [&str; SLOTS] = [
    "planned_1",
    "planned_2",
    "planned_3",
    "planned_4",
    "planned_5",
    "planned_6",
    "planned_7",
    "planned_8",
    "planned_9",
    "planned_10",
    "planned_11",
    "planned_12",
];
