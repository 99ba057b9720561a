//! 客户综合销售力分析表 (附表六) and its comparison (附表七): an account's
//! sheet of a year, a month's column written as one audited change, the
//! scores KAM suggests from complaints, orders and credit, and several
//! accounts' sheets read at once. Read under the account's scope.

use kam_core::AccountId;
use kam_core::audit::Action;
use kam_core::capability::{self, Column, FACTORS, MONTHS, Sheet, Suggestion};
use kam_core::visibility::Viewer;
use kam_core::{Actor, Value};
use serde::Serialize;
use sqlx::Row;
use time::{Date, Month};

use crate::accounts::scope_sql;
use crate::audit::Entry;
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

/// One account's sheet of one year.
#[derive(Debug, Clone, Serialize)]
pub struct CapabilitySheet {
    pub account_id: AccountId,
    pub account_name: String,
    pub year: i32,
    /// The sheet's id once anything was written (its history hangs off it).
    pub sheet_id: Option<i64>,
    pub sheet: Sheet,
    /// Whether the reader may fill its months.
    pub can_score: bool,
}

/// The last month of `year` that may be scored on `today`: none of a future
/// year, December of a past one.
pub fn last_month(year: i32, today: Date) -> Option<usize> {
    match year.cmp(&today.year()) {
        std::cmp::Ordering::Greater => None,
        std::cmp::Ordering::Equal => Some(u8::from(today.month()) as usize),
        std::cmp::Ordering::Less => Some(MONTHS),
    }
}

fn month_bounds(year: i32, month: usize) -> Option<(Date, Date)> {
    let m = Month::try_from(month as u8).ok()?;
    let first = Date::from_calendar_date(year, m, 1).ok()?;
    let last = Date::from_calendar_date(year, m, m.length(year)).ok()?;
    Some((first, last))
}

async fn sheet_id(tx: &mut Tx, account_id: AccountId, year: i32) -> Result<Option<i64>> {
    let mut q = Q::new("SELECT id FROM capability_sheets WHERE account_id = ");
    q.arg(account_id).push(" AND year = ").arg(i64::from(year));
    Ok(match q.query().fetch_optional(&mut **tx).await? {
        Some(r) => Some(r.try_get("id")?),
        None => None,
    })
}

/// A sheet's month as stored, read in `tx`.
async fn month_column(tx: &mut Tx, sheet: i64, month: usize) -> Result<Column> {
    let mut q = Q::new("SELECT factor, score FROM capability_scores WHERE sheet_id = ");
    q.arg(sheet).push(" AND month = ").arg(month as i64);
    let mut out: Column = [None; FACTORS];
    for r in q.query().fetch_all(&mut **tx).await? {
        let f: i64 = r.try_get("factor")?;
        if (1..=FACTORS as i64).contains(&f) {
            out[(f - 1) as usize] = u8::try_from(r.try_get::<i64, _>("score")?).ok();
        }
    }
    Ok(out)
}

/// Audit name of one cell: `m11_f19` (month 11, factor 19).
pub fn cell_name(month: usize, factor: usize) -> String {
    format!("m{month}_f{factor}")
}

impl Store {
    /// The sheets of a year of the accounts asked for that the actor may read,
    /// in the order asked (an account out of scope is left out).
    pub async fn capability_sheets(
        &self,
        actor: &Actor,
        accounts: &[AccountId],
        year: i32,
    ) -> Result<Vec<CapabilitySheet>> {
        if accounts.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Q::new(
            "SELECT a.id, a.name, a.owner_id, o.team_id AS owner_team_id, s.id AS sheet_id, \
             (SELECT COUNT(*) FROM account_shares sh WHERE sh.account_id = a.id AND sh.user_id = ",
        );
        q.arg(actor.user_id);
        q.push(") AS shared FROM accounts a LEFT JOIN users o ON o.id = a.owner_id LEFT JOIN capability_sheets s ON s.account_id = a.id AND s.year = ");
        q.arg(i64::from(year)).push(" WHERE ");
        scope_sql(&mut q, actor, "a");
        q.push(" AND a.id IN (").list(accounts.iter().copied()).push(")");
        let mut found = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let facts = kam_core::access::AccountFacts {
                owner_id: crate::sql::opt_id(&r, "owner_id")?,
                owner_team_id: crate::sql::opt_id(&r, "owner_team_id")?,
                shared_with_actor: r.try_get::<i64, _>("shared")? > 0,
            };
            found.push(CapabilitySheet {
                account_id: crate::sql::id(&r, "id")?,
                account_name: r.try_get("name")?,
                year,
                sheet_id: r.try_get("sheet_id")?,
                sheet: Sheet::default(),
                can_score: capability::can_score(actor, &facts),
            });
        }
        let ids: Vec<i64> = found.iter().filter_map(|s| s.sheet_id).collect();
        if !ids.is_empty() {
            let mut q = Q::new("SELECT sheet_id, month, factor, score FROM capability_scores WHERE sheet_id IN (");
            q.list(ids.iter().copied()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                let (sid, m, f, s): (i64, i64, i64, i64) =
                    (r.try_get("sheet_id")?, r.try_get("month")?, r.try_get("factor")?, r.try_get("score")?);
                if let Some(sheet) = found.iter_mut().find(|x| x.sheet_id == Some(sid))
                    && (1..=MONTHS as i64).contains(&m)
                    && (1..=FACTORS as i64).contains(&f)
                {
                    sheet.sheet.months[(m - 1) as usize][(f - 1) as usize] = u8::try_from(s).ok();
                }
            }
        }
        Ok(accounts.iter().filter_map(|id| found.iter().find(|s| s.account_id == *id).cloned()).collect())
    }

    /// One account's sheet of a year (empty when nothing is filled yet).
    pub async fn capability_sheet(&self, actor: &Actor, account_id: AccountId, year: i32) -> Result<CapabilitySheet> {
        self.capability_sheets(actor, &[account_id], year).await?.pop().ok_or(StoreError::NotFound)
    }

    /// Writes one month's column (factor 1 first; None empties a cell) as one
    /// audited change: the cells that changed, before → after.
    pub async fn set_capability_month(
        &self,
        actor: &Actor,
        account_id: AccountId,
        year: i32,
        month: usize,
        column: &Column,
    ) -> Result<CapabilitySheet> {
        let mut tx = self.begin().await?;
        self.set_capability_month_in(&mut tx, actor, account_id, year, month, column).await?;
        tx.commit().await?;
        self.capability_sheet(actor, account_id, year).await
    }

    /// The month's column written inside `tx` by the form's rules (a month
    /// not in the future, scores 1–4, an account the actor may score), one
    /// audit row when a cell changed; the sheet's id and the column before.
    pub(crate) async fn set_capability_month_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        account_id: AccountId,
        year: i32,
        month: usize,
        column: &Column,
    ) -> Result<(i64, Column)> {
        let mut errors = kam_core::FieldErrors::default();
        match last_month(year, self.today()) {
            _ if !(1..=MONTHS).contains(&month) => errors.add("month", "err.range"),
            Some(last) if month <= last => {}
            _ => errors.add("month", "capability.err_future"),
        }
        for (i, c) in column.iter().enumerate() {
            if c.is_some_and(|s| !capability::valid_score(i64::from(s))) {
                errors.add(&format!("f{}", i + 1), "capability.err_score");
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let acc = self.account_in(tx, actor, account_id).await?;
        if !capability::can_score(actor, &acc.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let now = self.now_text();
        let sheet = match sheet_id(tx, account_id, year).await? {
            Some(id) => id,
            None => {
                let mut q = Q::new(
                    "INSERT INTO capability_sheets (account_id, year, created_by, created_at, updated_at) VALUES (",
                );
                q.arg(account_id).push(", ").arg(i64::from(year)).push(", ").arg(actor.user_id);
                q.push(", ").arg(now.as_str()).push(", ").arg(now.as_str()).push(") RETURNING id");
                q.query().fetch_one(&mut **tx).await?.try_get("id")?
            }
        };
        let before = month_column(tx, sheet, month).await?;
        let mut changes: Vec<(String, Value, Value)> = Vec::new();
        for i in 0..FACTORS {
            let (old, new) = (before[i], column[i]);
            if old == new {
                continue;
            }
            let factor = i as i64 + 1;
            let mut q = match (old, new) {
                (_, None) => Q::new("DELETE FROM capability_scores WHERE sheet_id = "),
                (None, Some(s)) => {
                    let mut q = Q::new("INSERT INTO capability_scores (sheet_id, month, factor, score) VALUES (");
                    q.arg(sheet).push(", ").arg(month as i64).push(", ").arg(factor).push(", ");
                    q.arg(i64::from(s)).push(")");
                    q
                }
                (Some(_), Some(s)) => {
                    let mut q = Q::new("UPDATE capability_scores SET score = ");
                    q.arg(i64::from(s)).push(" WHERE sheet_id = ");
                    q
                }
            };
            if !(old.is_none() && new.is_some()) {
                q.arg(sheet).push(" AND month = ").arg(month as i64).push(" AND factor = ").arg(factor);
            }
            q.query().execute(&mut **tx).await?;
            let v = |s: Option<u8>| s.map(|s| Value::Int(i64::from(s))).unwrap_or(Value::Null);
            changes.push((cell_name(month, i + 1), v(old), v(new)));
        }
        if !changes.is_empty() {
            let mut q = Q::new("UPDATE capability_sheets SET updated_at = ");
            q.arg(now.as_str()).push(" WHERE id = ").arg(sheet);
            q.query().execute(&mut **tx).await?;
            let refs: Vec<(&str, Value, Value)> =
                changes.iter().map(|(k, a, b)| (k.as_str(), a.clone(), b.clone())).collect();
            Entry::new(Some(actor.user_id), Action::Update, "capability", sheet)
                .account(Some(account_id))
                .changes(&refs)
                .write(tx, self.clock())
                .await?;
        }
        Ok((sheet, before))
    }

    /// An account's month of a year as stored (all None when never scored), read in `tx`.
    pub(crate) async fn capability_month_in(
        &self,
        tx: &mut Tx,
        account_id: AccountId,
        year: i32,
        month: usize,
    ) -> Result<Column> {
        match sheet_id(tx, account_id, year).await? {
            Some(sheet) => month_column(tx, sheet, month).await,
            None => Ok([None; FACTORS]),
        }
    }

    /// The account and year of a sheet, read in `tx`.
    pub(crate) async fn capability_sheet_of(tx: &mut Tx, sheet: i64) -> Result<(AccountId, i32)> {
        let mut q = Q::new("SELECT account_id, year FROM capability_sheets WHERE id = ");
        q.arg(sheet);
        let r = q.query().fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?;
        Ok((crate::sql::id(&r, "account_id")?, r.try_get::<i64, _>("year")? as i32))
    }

    /// The scores KAM suggests for one month of an account's sheet (see
    /// `kam_core::capability`); the credit rating only for readers of money.
    pub async fn capability_suggestions(
        &self,
        actor: &Actor,
        account_id: AccountId,
        year: i32,
        month: usize,
    ) -> Result<Vec<Suggestion>> {
        let acc = self.account(actor, account_id).await?;
        let Some((first, last)) = month_bounds(year, month) else {
            return Err(StoreError::field("month", "err.range"));
        };
        let mut out = Vec::new();

        // 11: quantities ordered in the month and in the twelve months before.
        let history_from = month_bounds(year - 1, month).map(|b| b.0).unwrap_or(first);
        let mut q = Q::new(
            "SELECT o.order_date, l.quantity FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.account_id = ",
        );
        q.arg(account_id).push(" AND o.order_date >= ").arg(history_from.to_string());
        q.push(" AND o.order_date <= ").arg(last.to_string());
        q.push(" AND o.status NOT IN ('credit_hold', 'cancelled', 'returned')");
        let (mut month_qty, mut history_qty) = (0.0, 0.0);
        let mut months = std::collections::BTreeSet::new();
        let first_text = first.to_string();
        for r in q.query().fetch_all(self.pool()).await? {
            let day: String = r.try_get("order_date")?;
            let qty: f64 = r.try_get::<String, _>("quantity")?.parse().unwrap_or(0.0);
            if day >= first_text {
                month_qty += qty;
            } else {
                history_qty += qty;
                months.insert(day.get(..7).unwrap_or_default().to_string());
            }
        }
        out.extend(capability::suggest_usage(month_qty, history_qty, months.len() as i64));

        // 19: complaints received in the twelve months to the month's end,
        // decided (replied, or past their reply deadline now).
        let from = month_bounds(year - 1, month).map(|b| b.1).unwrap_or(first) + time::Duration::days(1);
        let now_local = kam_core::time_util::china_minute(self.clock().now());
        let mut q = Q::new(
            "SELECT COUNT(*) AS total, \
             COALESCE(SUM(CASE WHEN replied_at IS NOT NULL AND replied_at <= reply_due THEN 1 ELSE 0 END), 0) AS on_time \
             FROM complaints WHERE deleted_at IS NULL AND account_id = ",
        );
        q.arg(account_id).push(" AND received_at >= ").arg(format!("{from}T00:00"));
        q.push(" AND received_at <= ").arg(format!("{last}T23:59"));
        q.push(" AND (replied_at IS NOT NULL OR reply_due < ").arg(now_local).push(")");
        let r = q.query().fetch_one(self.pool()).await?;
        out.extend(capability::suggest_complaints(r.try_get("total")?, r.try_get("on_time")?));

        // 25: the month's credit rating, for readers of money.
        if Viewer::of(actor).sees_money() && kam_core::ledger::can_read(actor, &acc.facts()) {
            let period = kam_core::time_util::month_of(first);
            if let Ok(c) = self.credit(actor, account_id, &period).await {
                out.extend(capability::suggest_credit(&c.rating));
            }
        }
        Ok(out)
    }
}
