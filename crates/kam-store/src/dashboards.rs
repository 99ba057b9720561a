//! The figures behind each role's dashboard (see `kam_core::dashboard`),
//! composed from the store's own scoped aggregates: attainment of the
//! quarter, the forecast's rep sums against target, the churn risks, the
//! receivables' aging summed per currency, collections of the last twelve
//! months, statements by status and the orders on credit hold (finance),
//! visit-plan compliance and the capability trend (manager), complaints by
//! status and against their deadlines and satisfaction by month (service,
//! manager). Each figure is one grouped read (the receivables and the
//! forecast are their own pages' reads), so a board costs a fixed number of
//! statements whatever the data.

use kam_core::Actor;
use kam_core::dashboard::Board;
use kam_core::ledger::Aging;
use kam_core::targets::Period;
use serde::Serialize;

use kam_core::activity::SurveyMonth;
use sqlx::Row;

use crate::accounts::scope_sql;
use crate::forecasts::Rollup;
use crate::lifecycle::ChurnRisks;
use crate::sql::Q;
use crate::targets::Attainment;
use crate::visit_plans::RepTally;
use crate::{Result, Store, StoreError};

/// Complaints in scope by status, and the open ones against their deadlines
/// (`kam_core::complaint::overdue`, at the store's "now", China time).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ComplaintTally {
    /// (status, complaints), in the workflow's order; closed ones included.
    pub by_status: Vec<(String, i64)>,
    /// Not closed.
    pub open: i64,
    /// Open and past neither deadline, the resolution not due within a day.
    pub on_track: i64,
    /// Open, past neither deadline, the resolution due within 24 hours.
    pub due_soon: i64,
    /// Not yet replied to past the reply deadline.
    pub reply_overdue: i64,
    /// Open past the resolution deadline.
    pub resolution_overdue: i64,
}

/// The capability sheets' (附表六) average score of one month over the accounts in scope.
#[derive(Debug, Clone, Serialize)]
pub struct CapabilityMonth {
    /// `YYYY-MM`
    pub month: String,
    /// Accounts with any score that month.
    pub accounts: i64,
    /// The average of the filled cells (1–4), two decimals.
    pub average: Option<f64>,
}

/// Statements of one period by status.
#[derive(Debug, Clone, Serialize)]
pub struct StatementCount {
    pub period: String,
    pub status: String,
    pub statements: i64,
}

/// An order held by the credit check, waiting for release.
#[derive(Debug, Clone, Serialize)]
pub struct HeldOrder {
    pub order_id: kam_core::OrderId,
    pub number: Option<String>,
    pub account_id: kam_core::AccountId,
    pub account_name: String,
    pub order_date: String,
    pub currency: String,
    pub total_with_tax: i64,
}

/// The orders on credit hold in scope: how many and worth what per
/// currency, and the oldest of them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CreditHolds {
    pub orders: i64,
    /// (currency, total with tax)
    pub totals: Vec<(String, i64)>,
    pub oldest: Vec<HeldOrder>,
}

/// The receivables of a currency, summed over the accounts in scope.
#[derive(Debug, Clone, Serialize)]
pub struct AgingTotal {
    pub currency: String,
    pub accounts: i64,
    pub balance: i64,
    pub aging: Aging,
}

/// Collections of one month (all currencies' figures apart).
#[derive(Debug, Clone, Serialize)]
pub struct MonthCollected {
    pub month: String,
    pub currency: String,
    pub collected: i64,
    pub payments: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub board: Board,
    pub today: String,
    pub attainment: Option<Attainment>,
    pub forecast_from: Option<String>,
    pub forecast_to: Option<String>,
    pub forecast: Vec<Rollup>,
    pub churn_risks: Option<ChurnRisks>,
    pub receivables: Vec<AgingTotal>,
    pub collections: Vec<MonthCollected>,
    /// This quarter's visit plans against the visits, per rep (manager).
    pub visit_plans: Option<Vec<RepTally>>,
    /// The last twelve months' capability scores (manager).
    pub capability: Option<Vec<CapabilityMonth>>,
    /// Complaints by status and deadline (manager, service).
    pub complaints: Option<ComplaintTally>,
    /// Satisfaction and NPS of the last twelve months that had surveys (manager, service).
    pub satisfaction: Option<Vec<SurveyMonth>>,
    /// Statements of the last three months by status (finance).
    pub statements: Option<Vec<StatementCount>>,
    /// Orders on credit hold (finance, manager).
    pub credit_holds: Option<CreditHolds>,
}

/// How many held orders a board lists.
const HELD_LISTED: i64 = 10;

impl Store {
    /// One board's figures for `actor` (refused when the role may not open it).
    pub async fn dashboard(&self, actor: &Actor, board: Board) -> Result<Dashboard> {
        if !board.may_open(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let today = self.today();
        let mut d = Dashboard {
            board,
            today: today.to_string(),
            attainment: None,
            forecast_from: None,
            forecast_to: None,
            forecast: Vec::new(),
            churn_risks: None,
            receivables: Vec::new(),
            collections: Vec::new(),
            visit_plans: None,
            capability: None,
            complaints: None,
            satisfaction: None,
            statements: None,
            credit_holds: None,
        };
        let first = today.replace_day(1).expect("day 1");
        let year_back = kam_core::time_util::add_months(first, -11);
        if matches!(board, Board::Manager | Board::Service) {
            d.complaints = Some(self.complaint_tally(actor).await?);
            let since = year_back.to_string()[..7].to_string();
            d.satisfaction =
                Some(self.survey_trend(actor, None).await?.into_iter().filter(|m| m.month >= since).collect());
        }
        if board == Board::Service {
            return Ok(d);
        }
        if board == Board::Manager {
            let q = Period::quarter_of(today);
            let (from, to) = q.days();
            d.visit_plans = Some(self.visit_plan_summary(actor, from, to, today).await?);
            d.capability = Some(self.capability_trend(actor, year_back, today).await?);
        }
        if matches!(board, Board::Manager | Board::Finance) {
            d.credit_holds = Some(self.credit_holds(actor).await?);
        }
        if matches!(board, Board::Rep | Board::Manager) {
            d.attainment = Some(self.attainment(actor, &Period::quarter_of(today)).await?);
            let f = self.forecasts(actor, 1, 1).await?;
            (d.forecast_from, d.forecast_to, d.forecast) = (Some(f.from), Some(f.to), f.reps);
            let owner = (board == Board::Rep).then_some(actor.user_id);
            d.churn_risks = Some(self.churn_risks(actor, owner, 10).await?);
        }
        // Receivables: the rep's own accounts, the manager's team, finance's all.
        let mut totals: Vec<AgingTotal> = Vec::new();
        for r in self.receivables(actor, today).await? {
            let t = match totals.iter_mut().find(|t| t.currency == r.currency) {
                Some(t) => t,
                None => {
                    totals.push(AgingTotal {
                        currency: r.currency.clone(),
                        accounts: 0,
                        balance: 0,
                        aging: Aging::default(),
                    });
                    totals.last_mut().expect("just pushed")
                }
            };
            t.accounts += 1;
            t.balance += r.balance;
            let (a, b) = (&mut t.aging, &r.aging);
            a.d0_30 += b.d0_30;
            a.d31_60 += b.d31_60;
            a.d61_90 += b.d61_90;
            a.d90_plus += b.d90_plus;
            a.overdue += b.overdue;
            a.unapplied += b.unapplied;
            a.max_days_overdue = a.max_days_overdue.max(b.max_days_overdue);
        }
        totals.sort_by(|x, y| (x.currency != "CNY").cmp(&(y.currency != "CNY")).then(x.currency.cmp(&y.currency)));
        d.receivables = totals;
        if board == Board::Finance {
            d.statements = Some(self.statement_counts(actor, kam_core::time_util::add_months(first, -2)).await?);
            // The last twelve months, this one included: twelve grouped reads.
            for back in (0..12).rev() {
                let from = kam_core::time_util::add_months(first, -back);
                let to = kam_core::time_util::add_months(from, 1) - time::Duration::days(1);
                let month = from.to_string()[..7].to_string();
                let mut per: Vec<MonthCollected> = Vec::new();
                for c in self.collections(actor, from, to.min(today)).await? {
                    match per.iter_mut().find(|m| m.currency == c.currency) {
                        Some(m) => {
                            m.collected += c.collected;
                            m.payments += c.payments;
                        }
                        None => per.push(MonthCollected {
                            month: month.clone(),
                            currency: c.currency,
                            collected: c.collected,
                            payments: c.payments,
                        }),
                    }
                }
                if per.is_empty() {
                    per.push(MonthCollected { month, currency: "CNY".into(), collected: 0, payments: 0 });
                }
                d.collections.extend(per);
            }
        }
        Ok(d)
    }
}

impl Store {
    /// Complaints in scope by status, and the open ones against their deadlines.
    pub async fn complaint_tally(&self, actor: &Actor) -> Result<ComplaintTally> {
        let now = kam_core::time_util::china_minute(self.clock().now());
        let soon = kam_core::time_util::china_minute(self.clock().now() + time::Duration::hours(24));
        let sum = |cond: &str| format!("CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT)");
        // kam_core::complaint::overdue, in SQL: the two deadlines missed.
        let reply_late = format!("c.status IN ('received', 'analysing', 'handling') AND c.reply_due < '{now}'");
        let open = "c.status <> 'closed'";
        let mut q = Q::new(&format!(
            "SELECT c.status, COUNT(*) AS n, {} AS reply_overdue, {} AS resolution_overdue, {} AS due_soon, {} AS on_track \
             FROM complaints c JOIN accounts a ON a.id = c.account_id WHERE c.deleted_at IS NULL AND ",
            sum(&reply_late),
            sum(&format!("{open} AND c.resolve_due < '{now}'")),
            sum(&format!("{open} AND NOT ({reply_late}) AND c.resolve_due >= '{now}' AND c.resolve_due < '{soon}'")),
            sum(&format!("{open} AND NOT ({reply_late}) AND c.resolve_due >= '{soon}'")),
        ));
        scope_sql(&mut q, actor, "a");
        q.push(" GROUP BY c.status");
        let mut t = ComplaintTally::default();
        for r in q.query().fetch_all(self.pool()).await? {
            let status: String = r.try_get("status")?;
            let n: i64 = r.try_get("n")?;
            if status != "closed" {
                t.open += n;
            }
            t.reply_overdue += r.try_get::<i64, _>("reply_overdue")?;
            t.resolution_overdue += r.try_get::<i64, _>("resolution_overdue")?;
            t.due_soon += r.try_get::<i64, _>("due_soon")?;
            t.on_track += r.try_get::<i64, _>("on_track")?;
            t.by_status.push((status, n));
        }
        let order = |s: &str| kam_core::complaint::STATUS.values.iter().position(|v| *v == s).unwrap_or(usize::MAX);
        t.by_status.sort_by_key(|(s, _)| order(s));
        Ok(t)
    }

    /// The average capability score (附表六) per month from `from`'s month to
    /// `to`'s, over the accounts in scope; months without a score left out.
    pub async fn capability_trend(
        &self,
        actor: &Actor,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<CapabilityMonth>> {
        let mut q = Q::new(
            "SELECT cs.year, sc.month, COUNT(DISTINCT cs.account_id) AS accounts, CAST(SUM(sc.score) AS BIGINT) AS total, \
             COUNT(*) AS cells FROM capability_scores sc JOIN capability_sheets cs ON cs.id = sc.sheet_id \
             JOIN accounts a ON a.id = cs.account_id WHERE cs.year >= ",
        );
        q.arg(i64::from(from.year())).push(" AND cs.year <= ").arg(i64::from(to.year())).push(" AND ");
        scope_sql(&mut q, actor, "a");
        q.push(" GROUP BY cs.year, sc.month ORDER BY cs.year, sc.month");
        let (lo, hi) = (from.to_string()[..7].to_string(), to.to_string()[..7].to_string());
        let mut out = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let month = format!("{:04}-{:02}", r.try_get::<i64, _>("year")?, r.try_get::<i64, _>("month")?);
            if month < lo || month > hi {
                continue;
            }
            let cells: i64 = r.try_get("cells")?;
            out.push(CapabilityMonth {
                month,
                accounts: r.try_get("accounts")?,
                average: kam_core::activity::average(r.try_get("total")?, cells),
            });
        }
        Ok(out)
    }

    /// Statements in scope by period and status, of `from`'s month onwards.
    pub async fn statement_counts(&self, actor: &Actor, from: time::Date) -> Result<Vec<StatementCount>> {
        if !kam_core::ledger::can_see_money(actor) {
            return Ok(Vec::new());
        }
        let mut q = Q::new(
            "SELECT s.period, s.status, COUNT(*) AS n FROM statements s JOIN accounts a ON a.id = s.account_id WHERE s.period >= ",
        );
        q.arg(from.to_string()[..7].to_string()).push(" AND ");
        scope_sql(&mut q, actor, "a");
        q.push(" GROUP BY s.period, s.status ORDER BY s.period, s.status");
        let mut out = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            out.push(StatementCount {
                period: r.try_get("period")?,
                status: r.try_get("status")?,
                statements: r.try_get("n")?,
            });
        }
        Ok(out)
    }

    /// The orders on credit hold in scope: the count and totals per
    /// currency, and the oldest few.
    pub async fn credit_holds(&self, actor: &Actor) -> Result<CreditHolds> {
        if !kam_core::ledger::can_see_money(actor) {
            return Ok(CreditHolds::default());
        }
        let from = " FROM orders o JOIN accounts a ON a.id = o.account_id WHERE o.status = 'credit_hold' AND ";
        let mut q = Q::new(&format!(
            "SELECT COALESCE(o.currency, 'CNY') AS currency, COUNT(*) AS n, CAST(SUM(o.total_with_tax) AS BIGINT) AS total{from}"
        ));
        scope_sql(&mut q, actor, "a");
        q.push(" GROUP BY COALESCE(o.currency, 'CNY') ORDER BY COALESCE(o.currency, 'CNY')");
        let mut h = CreditHolds::default();
        for r in q.query().fetch_all(self.pool()).await? {
            h.orders += r.try_get::<i64, _>("n")?;
            h.totals.push((r.try_get("currency")?, r.try_get("total")?));
        }
        if h.orders > 0 {
            let mut q = Q::new(&format!(
                "SELECT o.id, o.number, o.account_id, a.name, o.order_date, COALESCE(o.currency, 'CNY') AS currency, o.total_with_tax{from}"
            ));
            scope_sql(&mut q, actor, "a");
            q.push(" ORDER BY o.order_date, o.id LIMIT ").arg(HELD_LISTED);
            for r in q.query().fetch_all(self.pool()).await? {
                h.oldest.push(HeldOrder {
                    order_id: crate::sql::id(&r, "id")?,
                    number: r.try_get("number")?,
                    account_id: crate::sql::id(&r, "account_id")?,
                    account_name: r.try_get("name")?,
                    order_date: r.try_get("order_date")?,
                    currency: r.try_get("currency")?,
                    total_with_tax: r.try_get("total_with_tax")?,
                });
            }
        }
        Ok(h)
    }
}
