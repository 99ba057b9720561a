//! Sales forecasts (see `kam_core::forecast`): the BG/NBD fit on the
//! instance's whole order history, kept in `forecast_fits` (append-only, the
//! newest in use, refreshed on demand and once a day on start), and per
//! account in the reader's scope its P(alive), expected orders and revenue in
//! the coming three months, beside the plainer same-period-last-year
//! forecast, rolled up per rep and team against their targets.
//!
//! Reads: one grouped statement over the orders for the fit's histories, one
//! for the accounts in scope (their histories and the last-year sums), one
//! for the targets; the model's arithmetic per account runs in Rust.

use std::collections::HashMap;

use kam_core::audit::Action;
use kam_core::forecast::{self, Fit, History, LastYear, NoFit, Params};
use kam_core::visibility::{Class, Sight, sight};
use kam_core::{AccountId, Actor, Role, TeamId, UserId};
use serde::Serialize;
use sqlx::Row;
use time::{Date, Duration};

use crate::accounts::scope_sql;
use crate::audit::Entry;
use crate::sql::Q;
use crate::{Result, Store, StoreError};

/// The orders that count as purchases: every order but the cancelled and returned.
pub(crate) const PURCHASES: &str = "o.status NOT IN ('cancelled', 'returned')";

/// A stored fit.
#[derive(Debug, Clone, Serialize)]
pub struct StoredFit {
    pub id: i64,
    pub fitted_at: String,
    /// The last day of the order history the fit read.
    pub calibration_end: String,
    /// fitted | too_short | no_convergence
    pub status: String,
    pub params: Option<Params>,
    pub log_likelihood: Option<f64>,
    pub accounts: i64,
    pub repeat_accounts: i64,
    pub iterations: i64,
}

/// One account's forecast for the coming period.
#[derive(Debug, Clone, Serialize)]
pub struct AccountForecast {
    pub account_id: AccountId,
    pub account_name: String,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub team_id: Option<TeamId>,
    pub first_order: String,
    pub last_order: String,
    /// Distinct order days.
    pub order_days: i64,
    /// Mean order value (fen): purchases' total over their number.
    pub average_order: i64,
    /// From the fit (None without one).
    pub p_alive: Option<f64>,
    pub expected_orders: Option<f64>,
    pub expected_revenue: Option<i64>,
    pub last_year: LastYear,
}

/// A rep's or team's forecast of the period against its target.
#[derive(Debug, Clone, Serialize)]
pub struct Rollup {
    pub level: &'static str,
    pub id: i64,
    pub name: String,
    pub expected_revenue: i64,
    pub last_year_forecast: i64,
    pub target: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Forecasts {
    pub fit: Option<StoredFit>,
    /// The coming period: the next three calendar months.
    pub from: String,
    pub to: String,
    pub items: Vec<AccountForecast>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub reps: Vec<Rollup>,
    pub teams: Vec<Rollup>,
    pub expected_revenue: i64,
    pub last_year_forecast: i64,
}

/// The coming period of `today`: the first of next month to the end of the third month.
pub fn coming_period(today: Date) -> (Date, Date) {
    let first_next = kam_core::time_util::add_months(today.replace_day(1).expect("day 1"), 1);
    let end = kam_core::time_util::add_months(first_next, 3) - Duration::days(1);
    (first_next, end)
}

fn day_number(d: &str) -> Option<i64> {
    kam_core::time_util::parse_date(d).map(|d| i64::from(d.to_julian_day()))
}

fn reads_money(actor: &Actor) -> Result<()> {
    if sight(actor.role, Class::Money) == Sight::No { Err(StoreError::Forbidden("err.forbidden")) } else { Ok(()) }
}

impl Store {
    /// The fit in use: the newest.
    pub async fn forecast_fit(&self) -> Result<Option<StoredFit>> {
        let r = sqlx::query(
            "SELECT id, fitted_at, calibration_end, status, r, alpha, a, b, log_likelihood, accounts, \
             repeat_accounts, iterations FROM forecast_fits ORDER BY fitted_at DESC, id DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = r else { return Ok(None) };
        let f = |k: &str| r.try_get::<Option<f64>, _>(k);
        let params = match (f("r")?, f("alpha")?, f("a")?, f("b")?) {
            (Some(r), Some(alpha), Some(a), Some(b)) => Some(Params { r, alpha, a, b }),
            _ => None,
        };
        Ok(Some(StoredFit {
            id: r.try_get("id")?,
            fitted_at: r.try_get("fitted_at")?,
            calibration_end: r.try_get("calibration_end")?,
            status: r.try_get("status")?,
            params,
            log_likelihood: f("log_likelihood")?,
            accounts: r.try_get("accounts")?,
            repeat_accounts: r.try_get("repeat_accounts")?,
            iterations: r.try_get("iterations")?,
        }))
    }

    /// Every account's history up to `end`, for the fit: one grouped statement.
    async fn histories(&self, end: Date) -> Result<Vec<History>> {
        let mut q = Q::new(
            "SELECT MIN(o.order_date) AS first_day, MAX(o.order_date) AS last_day, \
             COUNT(DISTINCT o.order_date) AS days FROM orders o JOIN accounts a ON a.id = o.account_id \
             WHERE a.deleted_at IS NULL AND ",
        );
        q.push(PURCHASES).push(" AND o.order_date <= ").arg(end.to_string()).push(" GROUP BY o.account_id");
        let end = i64::from(end.to_julian_day());
        let mut out = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let first: String = r.try_get("first_day")?;
            let last: String = r.try_get("last_day")?;
            if let (Some(f), Some(l)) = (day_number(&first), day_number(&last))
                && let Some(h) = History::from_days(f, l, r.try_get("days")?, end)
            {
                out.push(h);
            }
        }
        Ok(out)
    }

    /// Fits the model on the whole history up to today and keeps the fit
    /// (managers and admin; `None`: the system, on start). Audited.
    pub async fn refresh_forecast(&self, actor: Option<&Actor>) -> Result<StoredFit> {
        if let Some(a) = actor
            && !matches!(a.role, Role::Admin | Role::Manager)
        {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let end = self.today();
        let sample = self.histories(end).await?;
        let repeat = sample.iter().filter(|h| h.x > 0.0).count() as i64;
        let fit: std::result::Result<Fit, NoFit> = forecast::fit(&sample);
        let (status, params, ll, iterations) = match &fit {
            Ok(f) => ("fitted", Some(f.params), Some(f.log_likelihood), f.iterations as i64),
            Err(NoFit::TooShort) => ("too_short", None, None, 0),
            Err(NoFit::NoConvergence) => ("no_convergence", None, None, 0),
        };
        let mut tx = self.begin().await?;
        let mut q = Q::new(
            "INSERT INTO forecast_fits (fitted_at, calibration_end, status, r, alpha, a, b, log_likelihood, \
             accounts, repeat_accounts, iterations, fitted_by) VALUES (",
        );
        q.arg(self.now_text()).push(", ").arg(end.to_string()).push(", ").arg(status);
        // A missing figure is a literal NULL, not a bound one: PostgreSQL keeps a
        // prepared statement's parameter types per connection, and a NULL bound
        // first would type the column's parameter for the fits that follow.
        for v in [params.map(|p| p.r), params.map(|p| p.alpha), params.map(|p| p.a), params.map(|p| p.b), ll] {
            match v {
                Some(x) => q.push(", ").arg(Some(x)),
                None => q.push(", NULL"),
            };
        }
        q.push(", ").arg(sample.len() as i64).push(", ").arg(repeat).push(", ").arg(iterations);
        q.push(", ").arg(actor.map(|a| a.user_id)).push(") RETURNING id");
        let id: i64 = q.query().fetch_one(&mut *tx).await?.try_get("id")?;
        Entry::new(actor.map(|a| a.user_id), Action::Create, "forecast_fit", id).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        self.forecast_fit().await?.ok_or(StoreError::NotFound)
    }

    /// Refits once a day: when there is no fit yet, or the newest read an earlier day's history.
    pub async fn refresh_forecast_if_stale(&self) -> Result<Option<StoredFit>> {
        let today = self.today().to_string();
        match self.forecast_fit().await? {
            Some(f) if f.calibration_end >= today => Ok(None),
            _ => self.refresh_forecast(None).await.map(Some),
        }
    }

    /// The coming period's forecasts of the accounts in the reader's scope
    /// that have ordered, largest expected revenue first, a page of them;
    /// the reps' and teams' sums against their targets.
    pub async fn forecasts(&self, actor: &Actor, page: i64, per_page: i64) -> Result<Forecasts> {
        self.forecasts_up_to(actor, page, per_page.clamp(1, 200)).await
    }

    /// The same, with up to `max` accounts on its one page: an export's.
    pub async fn forecasts_for_export(&self, actor: &Actor, max: i64) -> Result<Forecasts> {
        self.forecasts_up_to(actor, 1, max.max(1)).await
    }

    async fn forecasts_up_to(&self, actor: &Actor, page: i64, per_page: i64) -> Result<Forecasts> {
        reads_money(actor)?;
        let today = self.today();
        let (from, to) = coming_period(today);
        let fit = self.forecast_fit().await?;
        let params = fit.as_ref().and_then(|f| f.params);
        let (ly_from, ly_to) = (kam_core::time_util::add_months(from, -12), kam_core::time_util::add_months(to, -12));
        let (y1, y2) = (kam_core::time_util::add_months(today, -12), kam_core::time_util::add_months(today, -24));
        let sum_between = |a: Date, b: Date, name: &str| {
            format!(
                "CAST(SUM(CASE WHEN o.order_date >= '{a}' AND o.order_date <= '{b}' THEN o.total_with_tax ELSE 0 END) AS BIGINT) AS {name}"
            )
        };
        let mut q = Q::new(&format!(
            "SELECT a.id, a.name, a.owner_id, u.display_name AS owner_name, u.team_id, MIN(o.order_date) AS first_day, \
             MAX(o.order_date) AS last_day, COUNT(DISTINCT o.order_date) AS days, COUNT(*) AS orders, \
             CAST(SUM(o.total_with_tax) AS BIGINT) AS total, {}, {}, {} \
             FROM orders o JOIN accounts a ON a.id = o.account_id LEFT JOIN users u ON u.id = a.owner_id WHERE ",
            sum_between(ly_from, ly_to, "last_year"),
            sum_between(y1 + Duration::days(1), today, "last_12"),
            sum_between(y2 + Duration::days(1), y1, "previous_12"),
        ));
        scope_sql(&mut q, actor, "a");
        q.push(" AND ").push(PURCHASES).push(" AND o.order_date <= ").arg(today.to_string());
        q.push(" GROUP BY a.id, a.name, a.owner_id, u.display_name, u.team_id");
        let end = i64::from(today.to_julian_day());
        let (w_from, w_to) = (
            (i64::from(from.to_julian_day()) - 1 - end) as f64 / 7.0,
            (i64::from(to.to_julian_day()) - end) as f64 / 7.0,
        );
        let mut items = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let first: String = r.try_get("first_day")?;
            let last: String = r.try_get("last_day")?;
            let orders: i64 = r.try_get("orders")?;
            let total: i64 = r.try_get("total")?;
            let average_order = if orders > 0 { (total as f64 / orders as f64).round() as i64 } else { 0 };
            let history = match (day_number(&first), day_number(&last)) {
                (Some(f), Some(l)) => History::from_days(f, l, r.try_get("days")?, end),
                _ => None,
            };
            let (p_alive, expected_orders) = match (params, history) {
                (Some(p), Some(h)) => (
                    Some(forecast::p_alive(&p, &h)),
                    Some(forecast::expected_orders(&p, &h, w_to) - forecast::expected_orders(&p, &h, w_from)),
                ),
                _ => (None, None),
            };
            items.push(AccountForecast {
                account_id: crate::sql::id(&r, "id")?,
                account_name: r.try_get("name")?,
                owner_id: r.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
                owner_name: r.try_get("owner_name")?,
                team_id: r.try_get::<Option<i64>, _>("team_id")?.map(TeamId),
                first_order: first,
                last_order: last,
                order_days: r.try_get("days")?,
                average_order,
                p_alive,
                expected_orders,
                expected_revenue: expected_orders.map(|e| (e * average_order as f64).round() as i64),
                last_year: forecast::last_year(
                    r.try_get("last_year")?,
                    r.try_get("last_12")?,
                    r.try_get("previous_12")?,
                ),
            });
        }
        items.sort_by(|x, y| {
            y.expected_revenue
                .unwrap_or(y.last_year.forecast)
                .cmp(&x.expected_revenue.unwrap_or(x.last_year.forecast))
                .then(x.account_id.0.cmp(&y.account_id.0))
        });
        // Roll-ups per rep and team, with the period's targets.
        let mut reps: HashMap<i64, Rollup> = HashMap::new();
        let mut teams: HashMap<i64, Rollup> = HashMap::new();
        for f in &items {
            let e = f.expected_revenue.unwrap_or(0);
            if let Some(o) = f.owner_id {
                let r = reps.entry(o.0).or_insert_with(|| Rollup {
                    level: "rep",
                    id: o.0,
                    name: f.owner_name.clone().unwrap_or_default(),
                    expected_revenue: 0,
                    last_year_forecast: 0,
                    target: None,
                });
                r.expected_revenue += e;
                r.last_year_forecast += f.last_year.forecast;
            }
            if let Some(t) = f.team_id {
                let r = teams.entry(t.0).or_insert_with(|| Rollup {
                    level: "team",
                    id: t.0,
                    name: String::new(),
                    expected_revenue: 0,
                    last_year_forecast: 0,
                    target: None,
                });
                r.expected_revenue += e;
                r.last_year_forecast += f.last_year.forecast;
            }
        }
        let months: Vec<String> =
            (0..3).map(|i| kam_core::time_util::add_months(from, i).to_string()[..7].to_string()).collect();
        for (level, map) in [("rep", &mut reps), ("team", &mut teams)] {
            if map.is_empty() {
                continue;
            }
            let mut q =
                Q::new("SELECT ref_id, CAST(SUM(amount) AS BIGINT) AS amount FROM sales_targets WHERE level = ");
            q.arg(level).push(" AND month IN (").list(months.iter().cloned()).push(") AND ref_id IN (");
            q.list(map.keys().copied()).push(") GROUP BY ref_id");
            for r in q.query().fetch_all(self.pool()).await? {
                if let Some(x) = map.get_mut(&r.try_get::<i64, _>("ref_id")?) {
                    x.target = Some(r.try_get("amount")?);
                }
            }
        }
        if !teams.is_empty() {
            for t in self.teams().await? {
                if let Some(x) = teams.get_mut(&t.id.0) {
                    x.name = t.name.clone();
                }
            }
        }
        let sorted = |m: HashMap<i64, Rollup>| {
            let mut v: Vec<Rollup> = m.into_values().collect();
            v.sort_by(|a, b| b.expected_revenue.cmp(&a.expected_revenue).then(a.id.cmp(&b.id)));
            v
        };
        let total = items.len() as i64;
        let page = page.clamp(1, crate::sql::MAX_PAGE);
        let expected_revenue = items.iter().filter_map(|f| f.expected_revenue).sum();
        let last_year_forecast = items.iter().map(|f| f.last_year.forecast).sum();
        let start = ((page - 1) * per_page) as usize;
        let items = items.into_iter().skip(start).take(per_page as usize).collect();
        Ok(Forecasts {
            fit,
            from: from.to_string(),
            to: to.to_string(),
            items,
            page,
            per_page,
            total,
            reps: sorted(reps),
            teams: sorted(teams),
            expected_revenue,
            last_year_forecast,
        })
    }
}
