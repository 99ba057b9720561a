//! Sales targets and attainment (see `kam_core::targets`): a year's monthly
//! targets per rep and team written as one audited transaction, and the
//! actuals of a period — delivered orders and collections per rep — summed in
//! SQL (two grouped statements, whatever the number of accounts), rolled up
//! to teams and the company.

use std::collections::HashMap;

use kam_core::audit::Action;
use kam_core::targets::{self, Level, Period};
use kam_core::visibility::{Class, Sight, sight};
use kam_core::{Actor, Role, Scope, TeamId, UserId, Value};
use serde::Serialize;
use sqlx::Row;

use crate::audit::Entry;
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

/// One rep's or team's targets of a year.
#[derive(Debug, Clone, Serialize)]
pub struct TargetRow {
    pub level: Level,
    /// The user's or the team's id.
    pub id: i64,
    pub name: String,
    pub team_id: Option<TeamId>,
    pub months: [Option<i64>; 12],
    pub can_set: bool,
}

/// A rep's, team's or the company's figures over a period.
#[derive(Debug, Clone, Serialize)]
pub struct Attained {
    pub level: &'static str,
    pub id: Option<i64>,
    pub name: String,
    pub team_id: Option<TeamId>,
    pub target: Option<i64>,
    /// For a team and the company: the sum of the reps' targets.
    pub reps_target: Option<i64>,
    pub delivered: i64,
    pub collected: i64,
    pub delivered_pct: Option<f64>,
    pub collected_pct: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attainment {
    pub period: String,
    pub from: String,
    pub to: String,
    pub reps: Vec<Attained>,
    pub teams: Vec<Attained>,
    pub company: Option<Attained>,
}

fn reads_money(actor: &Actor) -> Result<()> {
    if sight(actor.role, Class::Money) == Sight::No { Err(StoreError::Forbidden("err.forbidden")) } else { Ok(()) }
}

/// The audit entity of a rep's or team's targets of a year: `target_rep_2026`.
pub(crate) fn target_entity(level: Level, year: i32) -> String {
    format!("target_{}_{year}", level.as_str())
}

fn month_key(year: i32, m: u8) -> String {
    format!("{year}-{m:02}")
}

/// The index 0–11 of a stored month key.
fn month_index(key: &str) -> Option<usize> {
    key.get(5..7).and_then(|x| x.parse::<usize>().ok()).filter(|i| (1..=12).contains(i)).map(|i| i - 1)
}

fn add(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    }
}

impl Store {
    /// The reps and teams the actor sees, as (level, id, name, team).
    pub(crate) async fn target_subjects(&self, actor: &Actor) -> Result<Vec<(Level, i64, String, Option<TeamId>)>> {
        let mut out = Vec::new();
        let users = self.users().await?;
        let teams = self.teams().await?;
        let in_sight = |team: Option<TeamId>, user: UserId| match actor.scope() {
            Scope::All => true,
            Scope::Team { team_id, .. } => team == Some(team_id),
            Scope::Own { user_id } => user == user_id,
        };
        for t in &teams {
            let team_visible = match actor.scope() {
                Scope::All => true,
                Scope::Team { team_id, .. } => t.id == team_id,
                Scope::Own { .. } => false,
            };
            if team_visible {
                out.push((Level::Team, t.id.0, t.name.clone(), Some(t.id)));
            }
        }
        for u in users.iter().filter(|u| u.active && matches!(u.role, Role::Sales | Role::Manager)) {
            if in_sight(u.team_id, u.id) {
                out.push((Level::Rep, u.id.0, u.display_name.clone(), u.team_id));
            }
        }
        Ok(out)
    }

    /// The targets of a year at a level, for the reps or teams in sight.
    pub async fn targets(&self, actor: &Actor, level: Level, year: i32) -> Result<Vec<TargetRow>> {
        reads_money(actor)?;
        let subjects: Vec<_> = self.target_subjects(actor).await?.into_iter().filter(|s| s.0 == level).collect();
        let mut q = Q::new("SELECT ref_id, month, amount FROM sales_targets WHERE level = ");
        q.arg(level.as_str())
            .push(" AND month >= ")
            .arg(month_key(year, 1))
            .push(" AND month <= ")
            .arg(month_key(year, 12));
        let mut stored: HashMap<(i64, usize), i64> = HashMap::new();
        for r in q.query().fetch_all(self.pool()).await? {
            if let Some(i) = month_index(&r.try_get::<String, _>("month")?) {
                stored.insert((r.try_get("ref_id")?, i), r.try_get("amount")?);
            }
        }
        Ok(subjects
            .into_iter()
            .map(|(level, id, name, team_id)| TargetRow {
                level,
                id,
                name,
                team_id,
                months: std::array::from_fn(|i| stored.get(&(id, i)).copied()),
                can_set: targets::can_set(actor, team_id),
            })
            .collect())
    }

    /// Sets the year's months of several reps or teams in one transaction,
    /// one audit row per rep or team changed (`m01` … `m12`). Each must be in
    /// sight and settable by the actor, or nothing is written.
    pub async fn set_targets(
        &self,
        actor: &Actor,
        level: Level,
        year: i32,
        rows: &[(i64, [Option<i64>; 12])],
    ) -> Result<()> {
        if !(2000..=2100).contains(&year) {
            let mut e = kam_core::FieldErrors::default();
            e.add("year", "err.range");
            return Err(StoreError::Invalid(e));
        }
        if rows.iter().flat_map(|r| r.1.iter().flatten()).any(|a| !(0..=targets::MAX_AMOUNT).contains(a)) {
            let mut e = kam_core::FieldErrors::default();
            e.add("months", "target.err_amount");
            return Err(StoreError::Invalid(e));
        }
        let current = self.targets(actor, level, year).await?;
        let mut tx = self.begin().await?;
        for (id, months) in rows {
            let row = current.iter().find(|r| r.id == *id).ok_or(StoreError::NotFound)?;
            if !row.can_set {
                return Err(StoreError::Forbidden("err.forbidden"));
            }
            self.set_target_row_in(&mut tx, actor, level, year, *id, months).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One rep's or team's months of a year written inside `tx`, one audit
    /// row (`m01` … `m12`) when anything changed; the months as they were.
    /// The caller has checked that the actor may set them.
    pub(crate) async fn set_target_row_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        level: Level,
        year: i32,
        id: i64,
        months: &[Option<i64>; 12],
    ) -> Result<[Option<i64>; 12]> {
        let now = self.now_text();
        // Read inside the transaction: what another save wrote meanwhile is what changes.
        let before = self.target_months_in(tx, level, year, id).await?;
        let mut changes: Vec<(String, Value, Value)> = Vec::new();
        for i in 0..12 {
            let (old, new) = (before[i], months[i]);
            if old == new {
                continue;
            }
            let key = month_key(year, i as u8 + 1);
            let mut q = Q::new("DELETE FROM sales_targets WHERE level = ");
            q.arg(level.as_str()).push(" AND ref_id = ").arg(id).push(" AND month = ").arg(key.clone());
            q.query().execute(&mut **tx).await?;
            if let Some(a) = new {
                let mut q =
                    Q::new("INSERT INTO sales_targets (level, ref_id, month, amount, updated_by, updated_at) VALUES (");
                q.arg(level.as_str()).push(", ").arg(id).push(", ").arg(key).push(", ").arg(a);
                q.push(", ").arg(actor.user_id).push(", ").arg(now.as_str()).push(")");
                q.query().execute(&mut **tx).await?;
            }
            let v = |x: Option<i64>| x.map(Value::Int).unwrap_or(Value::Null);
            changes.push((format!("m{:02}", i + 1), v(old), v(new)));
        }
        if !changes.is_empty() {
            let refs: Vec<(&str, Value, Value)> =
                changes.iter().map(|(k, a, b)| (k.as_str(), a.clone(), b.clone())).collect();
            Entry::new(Some(actor.user_id), Action::Update, &target_entity(level, year), id)
                .changes(&refs)
                .write(tx, self.clock())
                .await?;
        }
        Ok(before)
    }

    /// One rep's or team's months of a year as stored, read in `tx`.
    pub(crate) async fn target_months_in(
        &self,
        tx: &mut Tx,
        level: Level,
        year: i32,
        id: i64,
    ) -> Result<[Option<i64>; 12]> {
        let mut q = Q::new("SELECT month, amount FROM sales_targets WHERE level = ");
        q.arg(level.as_str()).push(" AND ref_id = ").arg(id);
        q.push(" AND month >= ").arg(month_key(year, 1)).push(" AND month <= ").arg(month_key(year, 12));
        let mut months = [None; 12];
        for r in q.query().fetch_all(&mut **tx).await? {
            if let Some(i) = month_index(&r.try_get::<String, _>("month")?) {
                months[i] = Some(r.try_get::<i64, _>("amount")?);
            }
        }
        Ok(months)
    }

    /// Targets against delivered orders and collections over a period, per
    /// rep, team and (for those who see every team) the company.
    pub async fn attainment(&self, actor: &Actor, p: &Period) -> Result<Attainment> {
        reads_money(actor)?;
        let (from, to) = p.days();
        let subjects = self.target_subjects(actor).await?;
        let reps: Vec<i64> = subjects.iter().filter(|s| s.0 == Level::Rep).map(|s| s.1).collect();
        let team_ids: Vec<i64> = subjects.iter().filter(|s| s.0 == Level::Team).map(|s| s.1).collect();
        // Targets: the period's months of the reps and teams in sight.
        let mut target: HashMap<(Level, i64), i64> = HashMap::new();
        for (level, ids) in [(Level::Rep, &reps), (Level::Team, &team_ids)] {
            if ids.is_empty() {
                continue;
            }
            let mut q =
                Q::new("SELECT ref_id, CAST(SUM(amount) AS BIGINT) AS amount FROM sales_targets WHERE level = ");
            q.arg(level.as_str()).push(" AND month >= ").arg(month_key(p.year, p.from));
            q.push(" AND month <= ").arg(month_key(p.year, p.to)).push(" AND ref_id IN (").list(ids.iter().copied());
            q.push(") GROUP BY ref_id");
            for r in q.query().fetch_all(self.pool()).await? {
                target.insert((level, r.try_get("ref_id")?), r.try_get("amount")?);
            }
        }
        // Actuals per owner, in SQL.
        let mut delivered: HashMap<i64, i64> = HashMap::new();
        let mut collected: HashMap<i64, i64> = HashMap::new();
        if !reps.is_empty() {
            let mut q = Q::new(
                "SELECT a.owner_id, CAST(SUM(o.total_with_tax) AS BIGINT) AS total FROM orders o \
                 JOIN accounts a ON a.id = o.account_id AND a.deleted_at IS NULL \
                 WHERE o.status = 'delivered' AND o.order_date >= ",
            );
            q.arg(from.to_string()).push(" AND o.order_date <= ").arg(to.to_string());
            q.push(" AND a.owner_id IN (").list(reps.iter().copied()).push(") GROUP BY a.owner_id");
            for r in q.query().fetch_all(self.pool()).await? {
                delivered.insert(r.try_get("owner_id")?, r.try_get("total")?);
            }
            let mut q = Q::new(
                "SELECT a.owner_id, CAST(SUM(-e.amount) AS BIGINT) AS total FROM ledger_entries e \
                 JOIN accounts a ON a.id = e.account_id AND a.deleted_at IS NULL \
                 WHERE e.kind = 'payment' AND e.reverses_id IS NULL AND e.entry_date >= ",
            );
            q.arg(from.to_string()).push(" AND e.entry_date <= ").arg(to.to_string());
            q.push(" AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = e.id AND r.entry_date <= ");
            q.arg(to.to_string())
                .push(") AND a.owner_id IN (")
                .list(reps.iter().copied())
                .push(") GROUP BY a.owner_id");
            for r in q.query().fetch_all(self.pool()).await? {
                collected.insert(r.try_get("owner_id")?, r.try_get("total")?);
            }
        }
        let row = |level: &'static str,
                   id: Option<i64>,
                   name: String,
                   team_id,
                   target: Option<i64>,
                   reps_target,
                   d: i64,
                   c: i64| Attained {
            level,
            id,
            name,
            team_id,
            target,
            reps_target,
            delivered: d,
            collected: c,
            delivered_pct: targets::attainment(d, target),
            collected_pct: targets::attainment(c, target),
        };
        let rep_rows: Vec<Attained> = subjects
            .iter()
            .filter(|s| s.0 == Level::Rep)
            .map(|(_, id, name, team)| {
                let (d, c) = (delivered.get(id).copied().unwrap_or(0), collected.get(id).copied().unwrap_or(0));
                row("rep", Some(*id), name.clone(), *team, target.get(&(Level::Rep, *id)).copied(), None, d, c)
            })
            .collect();
        let team_rows: Vec<Attained> = subjects
            .iter()
            .filter(|s| s.0 == Level::Team)
            .map(|(_, id, name, team)| {
                let members: Vec<&Attained> = rep_rows.iter().filter(|r| r.team_id == *team).collect();
                let reps_target = members.iter().fold(None, |acc, r| add(acc, r.target));
                let own = target.get(&(Level::Team, *id)).copied();
                let (d, c) = (members.iter().map(|r| r.delivered).sum(), members.iter().map(|r| r.collected).sum());
                row("team", Some(*id), name.clone(), *team, own.or(reps_target), reps_target, d, c)
            })
            .collect();
        let company = (actor.scope() == Scope::All).then(|| {
            let t = team_rows.iter().fold(None, |acc, r| add(acc, r.target));
            let reps_t = rep_rows.iter().fold(None, |acc, r| add(acc, r.target));
            let d = rep_rows.iter().map(|r| r.delivered).sum();
            let c = rep_rows.iter().map(|r| r.collected).sum();
            row("company", None, String::new(), None, t, reps_t, d, c)
        });
        Ok(Attainment {
            period: p.text(),
            from: from.to_string(),
            to: to.to_string(),
            reps: rep_rows,
            teams: team_rows,
            company,
        })
    }
}
