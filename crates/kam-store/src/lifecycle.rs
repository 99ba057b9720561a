//! Lifecycle and churn (see `kam_core::lifecycle`): an account's computed
//! stage beside the one set by hand, the churn-risk flag over the accounts in
//! the reader's scope (the owner's on Today), churn records 客户流失 with their
//! win-back actions (a pending dated action is a reminder), and the churn
//! report by reason, month, grade and rep.
//!
//! Reads: the facts of a set of accounts are three statements whatever their
//! number (distinct order days, the two 12-month sums, the newest churn with
//! its won-back day); the rules run in Rust. The report is four GROUP BYs.

use std::collections::HashMap;

use kam_core::lifecycle::{self, ACTION_FIELDS, CHURN_FIELDS, Facts, Lifecycle, Risk};
use kam_core::time_util::{add_months, parse_date};
use kam_core::{AccountId, Actor, Record, UserId, Value};
use serde::Serialize;
use sqlx::Row;
use time::{Date, Duration};

use crate::accounts::scope_sql;
use crate::forecasts::PURCHASES;
use crate::sql::{Q, columns, read_record};
use crate::write::{Also, Target};
use crate::{Result, Store, StoreError};

pub(crate) const FACTOR: &str = "churn.factor";
const CHURN: Target = Target::new("churns", "churn", CHURN_FIELDS);
const ACTION: Target = Target::new("churn_actions", "winback_action", ACTION_FIELDS);

/// A win-back action on a churn record.
#[derive(Debug, Clone, Serialize)]
pub struct WinbackAction {
    pub id: i64,
    pub churn_id: i64,
    #[serde(flatten)]
    pub rec: Record,
}

/// A churn record with its actions.
#[derive(Debug, Clone, Serialize)]
pub struct Churn {
    pub id: i64,
    pub account_id: AccountId,
    pub account_name: String,
    pub owner_name: Option<String>,
    #[serde(flatten)]
    pub rec: Record,
    pub created_at: String,
    pub actions: Vec<WinbackAction>,
}

/// One account's lifecycle with what it was computed from.
#[derive(Debug, Clone, Serialize)]
pub struct AccountLifecycle {
    pub account_id: AccountId,
    #[serde(flatten)]
    pub lifecycle: Lifecycle,
    pub first_order: Option<String>,
    pub last_order: Option<String>,
    pub order_days: i64,
    pub last_12: i64,
    pub previous_12: i64,
    pub churns: Vec<Churn>,
}

/// An account at risk of churning.
#[derive(Debug, Clone, Serialize)]
pub struct AtRisk {
    pub account_id: AccountId,
    pub account_name: String,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub last_order: String,
    #[serde(flatten)]
    pub risk: Risk,
}

/// The accounts at risk in a scope, most overdue against their rhythm first.
#[derive(Debug, Clone, Serialize)]
pub struct ChurnRisks {
    pub factor: f64,
    pub total: i64,
    pub items: Vec<AtRisk>,
}

/// A count of churns under a key (a reason, a month, a grade, a rep).
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub key: String,
    pub label: Option<String>,
    pub churns: i64,
    pub won_back: i64,
}

/// The churn report of a year.
#[derive(Debug, Clone, Serialize)]
pub struct ChurnReport {
    pub year: i32,
    pub total: i64,
    pub won_back: i64,
    pub by_reason: Vec<Count>,
    pub by_month: Vec<Count>,
    pub by_grade: Vec<Count>,
    pub by_rep: Vec<Count>,
}

/// A page of churn records.
#[derive(Debug, Clone, Serialize)]
pub struct Churns {
    pub items: Vec<Churn>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl Store {
    /// The admin's churn-risk factor (2.0 until set).
    pub async fn churn_factor(&self) -> Result<f64> {
        Ok(self
            .setting(FACTOR)
            .await?
            .and_then(|s| lifecycle::parse_factor(&s).ok())
            .unwrap_or(lifecycle::DEFAULT_FACTOR))
    }

    /// The rules' facts of `ids` on `today`: three statements.
    async fn lifecycle_facts(&self, ids: &[AccountId], today: Date) -> Result<HashMap<AccountId, Facts>> {
        let mut out: HashMap<AccountId, Facts> = ids.iter().map(|id| (*id, Facts::default())).collect();
        if ids.is_empty() {
            return Ok(out);
        }
        for chunk in ids.chunks(5_000) {
            let mut q = Q::new("SELECT o.account_id, o.order_date FROM orders o WHERE o.account_id IN (");
            q.list(chunk.iter().map(|i| i.0)).push(") AND ").push(PURCHASES).push(" AND o.order_date <= ");
            q.arg(today.to_string()).push(" GROUP BY o.account_id, o.order_date ORDER BY o.account_id, o.order_date");
            for r in q.query().fetch_all(self.pool()).await? {
                let id: AccountId = crate::sql::id(&r, "account_id")?;
                let day: String = r.try_get("order_date")?;
                if let (Some(f), Some(d)) = (out.get_mut(&id), parse_date(&day)) {
                    f.order_days.push(d);
                }
            }
            let (y1, y2) = (add_months(today, -12), add_months(today, -24));
            let mut q = Q::new(&format!(
                "SELECT o.account_id, \
                 CAST(SUM(CASE WHEN o.order_date > '{y1}' THEN o.total_with_tax ELSE 0 END) AS BIGINT) AS last_12, \
                 CAST(SUM(CASE WHEN o.order_date <= '{y1}' THEN o.total_with_tax ELSE 0 END) AS BIGINT) AS previous_12 \
                 FROM orders o WHERE o.account_id IN ("
            ));
            q.list(chunk.iter().map(|i| i.0)).push(") AND ").push(PURCHASES);
            q.push(" AND o.order_date > ").arg(y2.to_string()).push(" AND o.order_date <= ").arg(today.to_string());
            q.push(" GROUP BY o.account_id");
            for r in q.query().fetch_all(self.pool()).await? {
                if let Some(f) = out.get_mut(&crate::sql::id(&r, "account_id")?) {
                    f.last_12 = r.try_get("last_12")?;
                    f.previous_12 = r.try_get("previous_12")?;
                }
            }
            // The newest churn of each account and the newest success on it.
            let mut q = Q::new(
                "SELECT c.account_id, c.churned_on, (SELECT MAX(x.due_on) FROM churn_actions x WHERE x.churn_id = c.id \
                 AND x.outcome = 'succeeded') AS won_back_on FROM churns c WHERE c.account_id IN (",
            );
            q.list(chunk.iter().map(|i| i.0)).push(") AND c.churned_on <= ").arg(today.to_string());
            q.push(" ORDER BY c.account_id, c.churned_on, c.id");
            for r in q.query().fetch_all(self.pool()).await? {
                if let Some(f) = out.get_mut(&crate::sql::id(&r, "account_id")?) {
                    let on: String = r.try_get("churned_on")?;
                    let won: Option<String> = r.try_get("won_back_on")?;
                    f.churned_on = parse_date(&on);
                    f.won_back_on = won.as_deref().and_then(parse_date);
                }
            }
        }
        Ok(out)
    }

    /// One account's lifecycle, its churn records and their actions.
    pub async fn account_lifecycle(&self, actor: &Actor, id: AccountId) -> Result<AccountLifecycle> {
        let acc = self.account(actor, id).await?;
        let today = self.today();
        let factor = self.churn_factor().await?;
        let facts = self.lifecycle_facts(&[id], today).await?.remove(&id).unwrap_or_default();
        let lifecycle = lifecycle::lifecycle(&facts, acc.text("stage"), today, factor);
        let churns = self.load_churns(actor, Some(id), None, None, 1, 100).await?.items;
        // Money figures only for those who see money.
        let money = kam_core::ledger::can_see_money(actor);
        Ok(AccountLifecycle {
            account_id: id,
            lifecycle,
            first_order: facts.order_days.first().map(Date::to_string),
            last_order: facts.order_days.last().map(Date::to_string),
            order_days: facts.order_days.len() as i64,
            last_12: if money { facts.last_12 } else { 0 },
            previous_12: if money { facts.previous_12 } else { 0 },
            churns,
        })
    }

    /// The accounts in the reader's scope (only those `owner` owns, when
    /// given) whose gap since the last order is past the factor × their
    /// median gap, most overdue first; `limit` of them, and how many in all.
    pub async fn churn_risks(&self, actor: &Actor, owner: Option<UserId>, limit: usize) -> Result<ChurnRisks> {
        let today = self.today();
        let factor = self.churn_factor().await?;
        let mut q = Q::new(
            "SELECT o.account_id, o.order_date, a.name, a.owner_id, u.display_name AS owner_name FROM orders o \
             JOIN accounts a ON a.id = o.account_id LEFT JOIN users u ON u.id = a.owner_id WHERE ",
        );
        scope_sql(&mut q, actor, "a");
        if let Some(o) = owner {
            q.push(" AND a.owner_id = ").arg(o);
        }
        q.push(" AND ").push(PURCHASES).push(" AND o.order_date <= ").arg(today.to_string());
        // Accounts with a churn record are past the flag: they have their record.
        q.push(" AND NOT EXISTS (SELECT 1 FROM churns c WHERE c.account_id = a.id)");
        q.push(" GROUP BY o.account_id, o.order_date, a.name, a.owner_id, u.display_name ORDER BY o.account_id, o.order_date");
        let mut items = Vec::new();
        let mut current: Option<(AtRisk, Vec<Date>)> = None;
        let finish = |c: Option<(AtRisk, Vec<Date>)>, items: &mut Vec<AtRisk>| {
            if let Some((mut a, days)) = c
                && let Some(r) = lifecycle::risk(&days, today, factor)
                && r.at_risk
                && r.gap_days <= lifecycle::LOST_DAYS
            {
                a.risk = r;
                a.last_order = days.last().map(Date::to_string).unwrap_or_default();
                items.push(a);
            }
        };
        for r in q.query().fetch_all(self.pool()).await? {
            let id: AccountId = crate::sql::id(&r, "account_id")?;
            let day: String = r.try_get("order_date")?;
            let Some(day) = parse_date(&day) else { continue };
            if current.as_ref().is_none_or(|(a, _)| a.account_id != id) {
                finish(current.take(), &mut items);
                current = Some((
                    AtRisk {
                        account_id: id,
                        account_name: r.try_get("name")?,
                        owner_id: r.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
                        owner_name: r.try_get("owner_name")?,
                        last_order: String::new(),
                        risk: Risk { gap_days: 0, median_gap_days: 0.0, factor, at_risk: false },
                    },
                    Vec::new(),
                ));
            }
            if let Some((_, days)) = current.as_mut() {
                days.push(day);
            }
        }
        finish(current.take(), &mut items);
        let ratio = |a: &AtRisk| a.risk.gap_days as f64 / a.risk.median_gap_days.max(1.0);
        items.sort_by(|x, y| ratio(y).total_cmp(&ratio(x)).then(x.account_id.0.cmp(&y.account_id.0)));
        let total = items.len() as i64;
        items.truncate(limit);
        Ok(ChurnRisks { factor, total, items })
    }

    /// Churn records in the reader's scope (one account's, or those of a
    /// year), newest first, a page, each with its actions.
    async fn load_churns(
        &self,
        actor: &Actor,
        account: Option<AccountId>,
        year: Option<i32>,
        only: Option<i64>,
        page: i64,
        per_page: i64,
    ) -> Result<Churns> {
        let per_page = per_page.clamp(1, 200);
        let page = page.clamp(1, crate::sql::MAX_PAGE);
        let filter = |q: &mut Q| {
            scope_sql(q, actor, "a");
            if let Some(id) = account {
                q.push(" AND c.account_id = ").arg(id);
            }
            if let Some(id) = only {
                q.push(" AND c.id = ").arg(id);
            }
            if let Some(y) = year {
                q.push(" AND c.churned_on >= ").arg(format!("{y:04}-01-01"));
                q.push(" AND c.churned_on <= ").arg(format!("{y:04}-12-31"));
            }
        };
        let mut q = Q::new("SELECT COUNT(*) AS n FROM churns c JOIN accounts a ON a.id = c.account_id WHERE ");
        filter(&mut q);
        let total: i64 = q.query().fetch_one(self.pool()).await?.try_get("n")?;
        let mut q = Q::new(&format!(
            "SELECT c.id, c.account_id, a.name AS account_name, u.display_name AS owner_name, c.created_at, {} \
             FROM churns c JOIN accounts a ON a.id = c.account_id LEFT JOIN users u ON u.id = a.owner_id WHERE ",
            columns(CHURN_FIELDS, "c")
        ));
        filter(&mut q);
        q.push(" ORDER BY c.churned_on DESC, c.id DESC LIMIT ")
            .arg(per_page)
            .push(" OFFSET ")
            .arg((page - 1) * per_page);
        let mut items = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            items.push(Churn {
                id: r.try_get("id")?,
                account_id: crate::sql::id(&r, "account_id")?,
                account_name: r.try_get("account_name")?,
                owner_name: r.try_get("owner_name")?,
                rec: read_record(&r, CHURN_FIELDS)?,
                created_at: r.try_get("created_at")?,
                actions: Vec::new(),
            });
        }
        if !items.is_empty() {
            let mut q = Q::new(&format!(
                "SELECT x.id, x.churn_id, {} FROM churn_actions x WHERE x.churn_id IN (",
                columns(ACTION_FIELDS, "x")
            ));
            q.list(items.iter().map(|c| c.id)).push(") ORDER BY x.due_on, x.id");
            let mut by: HashMap<i64, Vec<WinbackAction>> = HashMap::new();
            for r in q.query().fetch_all(self.pool()).await? {
                let churn_id: i64 = r.try_get("churn_id")?;
                by.entry(churn_id).or_default().push(WinbackAction {
                    id: r.try_get("id")?,
                    churn_id,
                    rec: read_record(&r, ACTION_FIELDS)?,
                });
            }
            for c in &mut items {
                c.actions = by.remove(&c.id).unwrap_or_default();
            }
        }
        Ok(Churns { items, page, per_page, total })
    }

    /// The churn records of a year in the reader's scope.
    pub async fn churns(&self, actor: &Actor, year: Option<i32>, page: i64, per_page: i64) -> Result<Churns> {
        self.load_churns(actor, None, year, None, page, per_page).await
    }

    /// One churn record (in the reader's scope).
    pub async fn churn(&self, actor: &Actor, id: i64) -> Result<Churn> {
        self.load_churns(actor, None, None, Some(id), 1, 1).await?.items.pop().ok_or(StoreError::NotFound)
    }

    fn check_churn_day(&self, rec: &Record) -> Result<()> {
        if let Some(d) = rec.get("churned_on").and_then(Value::as_text).and_then(parse_date)
            && (d > self.today() || d.year() < 2000)
        {
            return Err(StoreError::field("churned_on", "err.date_range"));
        }
        Ok(())
    }

    /// Records that an account churned, by someone who may edit it.
    pub async fn create_churn(&self, actor: &Actor, account: AccountId, rec: Record) -> Result<Churn> {
        StoreError::check_required(CHURN_FIELDS, &rec, true)?;
        self.check_churn_day(&rec)?;
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, account).await?;
        Store::check_edit(actor, &acc)?;
        let columns = [("account_id", account.into())];
        let w = CHURN.by(actor, Some(account));
        let id: i64 = self.insert_audited(&mut tx, w, &rec, Also { columns: &columns, changes: &[] }).await?;
        tx.commit().await?;
        self.churn(actor, id).await
    }

    /// Changes a churn record's date or reason.
    pub async fn update_churn(&self, actor: &Actor, id: i64, rec: Record) -> Result<Churn> {
        self.check_churn_day(&rec)?;
        let before = self.churn(actor, id).await?;
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, before.account_id).await?;
        Store::check_edit(actor, &acc)?;
        let w = CHURN.by(actor, Some(before.account_id));
        self.update_audited(&mut tx, w, id, &before.rec, rec, Also::default()).await?;
        tx.commit().await?;
        self.churn(actor, id).await
    }

    /// Adds a win-back action to a churn record.
    pub async fn add_winback(&self, actor: &Actor, churn_id: i64, mut rec: Record) -> Result<Churn> {
        rec.entry("outcome").or_insert_with(|| Value::Text("pending".into()));
        StoreError::check_required(ACTION_FIELDS, &rec, true)?;
        self.check_action_day(&rec)?;
        let churn = self.churn(actor, churn_id).await?;
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, churn.account_id).await?;
        Store::check_edit(actor, &acc)?;
        let columns = [("churn_id", churn_id.into()), ("account_id", churn.account_id.into())];
        let link = [("churn_id", Value::Null, Value::Int(churn_id))];
        let w = ACTION.by(actor, Some(churn.account_id));
        let _: i64 = self.insert_audited(&mut tx, w, &rec, Also { columns: &columns, changes: &link }).await?;
        tx.commit().await?;
        self.churn(actor, churn_id).await
    }

    /// Records how a win-back action came out (or changes it).
    pub async fn update_winback(&self, actor: &Actor, action_id: i64, rec: Record) -> Result<Churn> {
        self.check_action_day(&rec)?;
        let mut q = Q::new("SELECT churn_id FROM churn_actions WHERE id = ");
        q.arg(action_id);
        let r = q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let churn = self.churn(actor, r.try_get("churn_id")?).await?;
        let before = churn.actions.iter().find(|a| a.id == action_id).ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, churn.account_id).await?;
        Store::check_edit(actor, &acc)?;
        let w = ACTION.by(actor, Some(churn.account_id));
        self.update_audited(&mut tx, w, action_id, &before.rec, rec, Also::default()).await?;
        tx.commit().await?;
        self.churn(actor, churn.id).await
    }

    fn check_action_day(&self, rec: &Record) -> Result<()> {
        if let Some(d) = rec.get("due_on").and_then(Value::as_text).and_then(parse_date) {
            let today = self.today();
            if d < today - Duration::days(3660) || d > today + Duration::days(3660) {
                return Err(StoreError::field("due_on", "err.date_range"));
            }
        }
        Ok(())
    }

    /// The churn report of a year in the reader's scope: by reason, month,
    /// grade and rep, each with how many were won back.
    pub async fn churn_report(&self, actor: &Actor, year: i32) -> Result<ChurnReport> {
        let won = "CASE WHEN EXISTS (SELECT 1 FROM churn_actions x WHERE x.churn_id = c.id AND x.outcome = 'succeeded') THEN 1 ELSE 0 END";
        let group = async |key: &str, label: Option<&str>, join: &str| -> Result<Vec<Count>> {
            let label_col = label.map(|l| format!(", {l} AS label")).unwrap_or_default();
            let label_group = label.map(|l| format!(", {l}")).unwrap_or_default();
            let mut q = Q::new(&format!(
                "SELECT {key} AS k{label_col}, COUNT(*) AS n, CAST(SUM({won}) AS BIGINT) AS w FROM churns c \
                 JOIN accounts a ON a.id = c.account_id {join} WHERE "
            ));
            scope_sql(&mut q, actor, "a");
            q.push(" AND c.churned_on >= ").arg(format!("{year:04}-01-01"));
            q.push(" AND c.churned_on <= ").arg(format!("{year:04}-12-31"));
            q.push(&format!(" GROUP BY {key}{label_group} ORDER BY k"));
            q.query()
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| {
                    Ok(Count {
                        key: r.try_get::<Option<String>, _>("k")?.unwrap_or_default(),
                        label: if label.is_some() { r.try_get("label")? } else { None },
                        churns: r.try_get("n")?,
                        won_back: r.try_get("w")?,
                    })
                })
                .collect()
        };
        let by_reason = group("c.reason_category", None, "").await?;
        let by_month = group("SUBSTR(c.churned_on, 1, 7)", None, "").await?;
        let by_grade = group("a.grade", None, "").await?;
        let by_rep =
            group("CAST(a.owner_id AS TEXT)", Some("u.display_name"), "LEFT JOIN users u ON u.id = a.owner_id").await?;
        let total = by_reason.iter().map(|c| c.churns).sum();
        let won_back = by_reason.iter().map(|c| c.won_back).sum();
        Ok(ChurnReport { year, total, won_back, by_reason, by_month, by_grade, by_rep })
    }
}
