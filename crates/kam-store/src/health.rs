//! The account health score (see `kam_core::health`): the figures of every
//! account in the reader's scope read in two aggregate statements (one row
//! per account; one per account and currency for the ledger), scored by
//! kam-core's one formula, so one account's explanation and the list of the
//! least healthy read the same numbers.

use std::collections::HashMap;

use kam_core::AccountId;
use kam_core::Actor;
use kam_core::UserId;
use kam_core::health::{Health, Inputs, Weights, assess};
use serde::Serialize;
use sqlx::Row;
use time::{Date, Duration};

use crate::accounts::{Page, scope_sql};
use crate::classification::LIVE;
use crate::sql::Q;
use crate::{Engine, Result, Store, StoreError};

pub(crate) const WEIGHTS: &str = "health.weights";

/// One account's health as of today.
#[derive(Debug, Clone, Serialize)]
pub struct AccountHealth {
    pub account_id: AccountId,
    pub name: String,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub health: Health,
}

/// Which accounts the list shows.
#[derive(Debug, Clone, Default)]
pub struct HealthFilter {
    /// One rep's accounts (within the reader's scope).
    pub owner_id: Option<UserId>,
    pub page: i64,
    pub per_page: i64,
}

/// `date + n days` of a 'YYYY-MM-DD' column, as text, on either engine.
pub(crate) fn plus_days(engine: Engine, col: &str, n: i64) -> String {
    match engine {
        Engine::Sqlite => format!("date({col}, '+{n} days')"),
        Engine::Postgres => format!("to_char(CAST({col} AS date) + {n}, 'YYYY-MM-DD')"),
    }
}

/// The day of a stored date or date-time (`YYYY-MM-DD…`).
fn parse_day(s: &str) -> Option<Date> {
    kam_core::time_util::parse_date(s.get(..10)?)
}

impl Store {
    /// The admin's weights, or the defaults.
    pub async fn health_weights(&self) -> Result<Weights> {
        Ok(self.setting(WEIGHTS).await?.and_then(|s| Weights::from_setting(&s)).unwrap_or_default())
    }

    /// Sets the weights (admin only, audited).
    pub async fn set_health_weights(&self, actor: &Actor, w: Weights) -> Result<()> {
        let change = crate::settings::SettingsChange { health: Some(w.0), ..Default::default() };
        self.save_settings(actor, &change).await
    }

    /// One account's health with its factors.
    pub async fn health(&self, actor: &Actor, id: AccountId) -> Result<AccountHealth> {
        let f = HealthFilter { page: 1, per_page: 1, ..Default::default() };
        self.assessed(actor, &f, Some(id)).await?.pop().ok_or(StoreError::NotFound)
    }

    /// The accounts in scope (or one rep's), least healthy first; accounts
    /// without a score last; then by name.
    pub async fn health_list(&self, actor: &Actor, f: &HealthFilter) -> Result<Page<AccountHealth>> {
        let per_page = f.per_page.clamp(1, 200);
        let page = f.page.max(1);
        let mut all = self.assessed(actor, f, None).await?;
        all.sort_by(|a, b| {
            (a.health.score.is_none(), a.health.score, &a.name, a.account_id).cmp(&(
                b.health.score.is_none(),
                b.health.score,
                &b.name,
                b.account_id,
            ))
        });
        let total = all.len() as i64;
        let items = all.into_iter().skip(((page - 1) * per_page) as usize).take(per_page as usize).collect();
        Ok(Page { items, page, per_page, total })
    }

    async fn assessed(&self, actor: &Actor, f: &HealthFilter, only: Option<AccountId>) -> Result<Vec<AccountHealth>> {
        let today = self.today();
        let t = today.to_string();
        let year = i64::from(today.year());
        let month = i64::from(u8::from(today.month()));
        let now_local = kam_core::time_util::china_minute(self.clock().now());
        let year_ago = (today - Duration::days(365)).to_string();
        let two_years_ago = (today - Duration::days(730)).to_string();
        let grace = kam_core::visit_plan::GRACE_DAYS;
        let due_by = (today - Duration::days(grace)).to_string();
        let filter = |q: &mut Q| {
            scope_sql(q, actor, "a");
            if let Some(id) = only {
                q.push(" AND a.id = ").arg(id);
            }
            if let Some(o) = f.owner_id {
                q.push(" AND a.owner_id = ").arg(o);
            }
        };
        let mut q = Q::new("SELECT a.id, a.name, a.owner_id, o.display_name AS owner_name, a.created_at");
        q.push(", (SELECT MAX(i.occurred_at) FROM interactions i WHERE i.account_id = a.id AND i.deleted_at IS NULL AND i.occurred_at <= ");
        q.arg(format!("{t}T23:59")).push(") AS last_interaction");
        q.push(", (SELECT MAX(v.visited_at) FROM visits v WHERE v.account_id = a.id AND v.deleted_at IS NULL AND v.visited_at <= ");
        q.arg(format!("{t}T23:59")).push(") AS last_visit");
        // This year's plan: planned slots, and the due ones by state (kam_core::visit_plan::state).
        let slots = " FROM visit_plans vp JOIN visit_plan_slots s ON s.plan_id = vp.id WHERE vp.account_id = a.id AND vp.year = ";
        q.push(&format!(", (SELECT COUNT(*){slots}")).arg(year).push(" AND s.planned_on IS NOT NULL) AS planned");
        let on_time = format!("s.actual_on <= {}", plus_days(self.engine(), "s.planned_on", grace));
        q.push(&format!(", (SELECT COUNT(*){slots}")).arg(year);
        q.push(&format!(" AND s.planned_on IS NOT NULL AND s.actual_on IS NOT NULL AND {on_time}) AS on_time"));
        q.push(&format!(", (SELECT COUNT(*){slots}")).arg(year);
        q.push(&format!(" AND s.planned_on IS NOT NULL AND s.actual_on IS NOT NULL AND NOT ({on_time})) AS late"));
        q.push(&format!(", (SELECT COUNT(*){slots}")).arg(year);
        q.push(" AND s.planned_on IS NOT NULL AND s.actual_on IS NULL AND s.planned_on < ")
            .arg(due_by)
            .push(") AS missed");
        // Complaints open, and of them overdue (kam_core::complaint::overdue).
        q.push(", (SELECT COUNT(*) FROM complaints c WHERE c.account_id = a.id AND c.deleted_at IS NULL AND c.status <> 'closed') AS open_complaints");
        q.push(", (SELECT COUNT(*) FROM complaints c WHERE c.account_id = a.id AND c.deleted_at IS NULL AND c.status <> 'closed' AND (c.resolve_due < ");
        q.arg(now_local.clone()).push(" OR (c.status IN ('received', 'analysing', 'handling') AND c.reply_due < ");
        q.arg(now_local).push("))) AS overdue_complaints");
        // The latest survey within a year and the one before it.
        let survey = "SELECT sv.overall FROM surveys sv WHERE sv.account_id = a.id AND sv.deleted_at IS NULL AND sv.surveyed_on <= ";
        q.push(&format!(", ({survey}")).arg(t.clone()).push(" AND sv.surveyed_on > ").arg(year_ago.clone());
        q.push(" ORDER BY sv.surveyed_on DESC, sv.id DESC LIMIT 1) AS survey_latest");
        q.push(&format!(", ({survey}"))
            .arg(t.clone())
            .push(" ORDER BY sv.surveyed_on DESC, sv.id DESC LIMIT 1 OFFSET 1) AS survey_before");
        // Revenue: the trailing twelve months and the twelve before (as 附表一 counts it).
        let revenue = format!(
            "SELECT CAST(COALESCE(SUM(o2.total_with_tax), 0) AS BIGINT) FROM orders o2 WHERE o2.account_id = a.id AND {} AND o2.order_date > ",
            LIVE.replace("o.", "o2.")
        );
        q.push(&format!(", ({revenue}"))
            .arg(year_ago.clone())
            .push(" AND o2.order_date <= ")
            .arg(t.clone())
            .push(") AS revenue_now");
        q.push(&format!(", ({revenue}"))
            .arg(two_years_ago)
            .push(" AND o2.order_date <= ")
            .arg(year_ago)
            .push(") AS revenue_before");
        // 附表六: the average of the latest month scored within twelve months.
        let key = "(cs.year * 100 + cc.month)";
        let window = |q: &mut Q| {
            q.push(&format!(" AND {key} <= "))
                .arg(year * 100 + month)
                .push(&format!(" AND {key} > "))
                .arg((year - 1) * 100 + month);
        };
        q.push(&format!(", (SELECT AVG(CAST(cc.score AS DOUBLE PRECISION)) FROM capability_sheets cs JOIN capability_scores cc ON cc.sheet_id = cs.id WHERE cs.account_id = a.id AND {key} = (SELECT MAX({key}) FROM capability_sheets cs JOIN capability_scores cc ON cc.sheet_id = cs.id WHERE cs.account_id = a.id"));
        window(&mut q);
        q.push(")) AS capability");
        q.push(" FROM accounts a LEFT JOIN users o ON o.id = a.owner_id WHERE ");
        filter(&mut q);
        let rows = q.query().fetch_all(self.pool()).await?;

        // The ledger per account and currency: overdue (charges due before today less every credit) and the balance.
        let mut q = Q::new(
            "SELECT e.account_id, e.currency, CAST(SUM(e.amount) AS BIGINT) AS balance, \
             CAST(SUM(CASE WHEN e.amount > 0 AND COALESCE(e.due_date, e.entry_date) < ",
        );
        q.arg(t.clone()).push(" THEN e.amount ELSE 0 END) AS BIGINT) AS due, CAST(SUM(CASE WHEN e.amount < 0 THEN -e.amount ELSE 0 END) AS BIGINT) AS paid");
        q.push(" FROM ledger_entries e JOIN accounts a ON a.id = e.account_id WHERE e.entry_date <= ").arg(t.clone());
        q.push(" AND e.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = e.id AND r.entry_date <= ");
        q.arg(t).push(") AND ");
        filter(&mut q);
        q.push(" GROUP BY e.account_id, e.currency");
        let mut ledgers: HashMap<AccountId, (i64, i64)> = HashMap::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let id: AccountId = crate::sql::id(&r, "account_id")?;
            let balance: i64 = r.try_get("balance")?;
            let overdue = (r.try_get::<i64, _>("due")? - r.try_get::<i64, _>("paid")?).max(0);
            // The worst currency: the larger overdue share.
            let share = |(o, b): (i64, i64)| if b > 0 { o as f64 / b as f64 } else { 0.0 };
            let e = ledgers.entry(id).or_insert((overdue, balance));
            if share((overdue, balance)) > share(*e) {
                *e = (overdue, balance);
            }
        }

        let weights = self.health_weights().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: AccountId = crate::sql::id(&r, "id")?;
            let created: String = r.try_get("created_at")?;
            let last = [r.try_get::<Option<String>, _>("last_interaction")?, r.try_get("last_visit")?]
                .into_iter()
                .flatten()
                .filter_map(|s| parse_day(&s))
                .max();
            let before: Option<i64> = r.try_get("survey_before")?;
            let inputs = Inputs {
                days_since_contact: last.map(|d| (today - d).whole_days().max(0)),
                account_age_days: parse_day(&created).map(|d| (today - d).whole_days()).unwrap_or(0),
                planned_this_year: r.try_get("planned")?,
                visits_on_time: r.try_get("on_time")?,
                visits_late: r.try_get("late")?,
                visits_missed: r.try_get("missed")?,
                receivable: ledgers.get(&id).copied(),
                complaints_open: r.try_get("open_complaints")?,
                complaints_overdue: r.try_get("overdue_complaints")?,
                satisfaction: r.try_get::<Option<i64>, _>("survey_latest")?.map(|s| (s, before)),
                revenue: (r.try_get("revenue_now")?, r.try_get("revenue_before")?),
                capability: r.try_get("capability")?,
            };
            out.push(AccountHealth {
                account_id: id,
                name: r.try_get("name")?,
                owner_id: crate::sql::opt_id(&r, "owner_id")?,
                owner_name: r.try_get("owner_name")?,
                health: assess(&inputs, &weights),
            });
        }
        Ok(out)
    }
}
