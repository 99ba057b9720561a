//! The figures behind each role's dashboard (see `kam_core::dashboard`),
//! composed from the store's own scoped aggregates: attainment of the
//! quarter, the forecast's rep sums against target, the churn risks, the
//! receivables' aging summed per currency, collections of the last twelve
//! months. A fixed number of statements per board, whatever the data.

use kam_core::Actor;
use kam_core::dashboard::Board;
use kam_core::ledger::Aging;
use kam_core::targets::Period;
use serde::Serialize;

use crate::forecasts::Rollup;
use crate::lifecycle::ChurnRisks;
use crate::targets::Attainment;
use crate::{Result, Store, StoreError};

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
}

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
        };
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
            // The last twelve months, this one included: twelve grouped reads.
            let first = today.replace_day(1).expect("day 1");
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
