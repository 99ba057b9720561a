//! Credit assessments 信用评估: computed in kam-core from the account's ledger
//! (in its own currency) and profile, for a month and the same month a year
//! earlier; finance may override the rating and limit with a reason, which
//! also sets the account's credit limit the order check uses.
//!
//! **An override stands until finance changes it.** Made for a month, it is
//! in effect for that month and every later one until finance overrides
//! again: the rating of a period is that of the newest override made for the
//! period or an earlier one, else the computed rating. It does not lapse at
//! the month's end (the limit it set on the account does not either), and a
//! month before it keeps its computed rating. The credit tab and 附表五 show
//! the override in effect and the month it has stood since.

use kam_core::AccountId;
use kam_core::EntryId;
use kam_core::OrderId;
use std::collections::{HashMap, HashSet};

use kam_core::audit::Action;
use kam_core::credit::{self, Assessment, Profile};
use kam_core::ledger::Posted;
use kam_core::time_util::parse_date;
use kam_core::{Actor, Value};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::Account;
use crate::audit::Entry;
use crate::ledger::{Ledger, currency_of, group_ledgers};
use crate::sql::Q;
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Override {
    /// The month it was made for: it stands from then on (`YYYY-MM`).
    pub since: String,
    pub rating: String,
    pub credit_limit: i64,
    pub computed_score: i64,
    pub computed_rating: String,
    pub reason: String,
    pub by_name: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreditView {
    pub account_id: AccountId,
    pub period: String,
    pub currency: String,
    pub current: Assessment,
    /// 上年同期
    pub last_year: Assessment,
    /// Finance's override in effect for the period (the newest one made for
    /// it or an earlier month).
    pub overridden: Option<Override>,
    /// The rating in effect: the override's, or the computed one.
    pub rating: String,
    /// The rating in effect a year earlier, by the same rule.
    pub last_year_rating: String,
    /// The account's credit limit as set now.
    pub credit_limit: Option<i64>,
}

impl Store {
    /// The assessment of an account for a month (`YYYY-MM`).
    pub async fn credit(&self, actor: &Actor, account_id: AccountId, period: &str) -> Result<CreditView> {
        let acc = self.ledger_account(actor, account_id).await?;
        let ledgers = group_ledgers(&acc, self.entries_of(account_id).await?);
        self.credit_for(actor, &acc, &ledgers, period).await
    }

    /// The assessment from an account and its ledgers already read (the
    /// account page has them), so they are not read twice.
    pub async fn credit_for(
        &self,
        actor: &Actor,
        acc: &Account,
        ledgers: &[Ledger],
        period: &str,
    ) -> Result<CreditView> {
        if !kam_core::ledger::can_read(actor, &acc.facts()) {
            return Err(StoreError::NotFound);
        }
        let Some((end, prev)) = credit::assessment_days(period, self.today()) else {
            return Err(StoreError::field("period", "err.period"));
        };
        let account_id = acc.id;
        let currency = currency_of(acc);
        let entries: Vec<Posted> = ledgers
            .iter()
            .filter(|l| l.currency == currency)
            .flat_map(|l| l.entries.iter().map(|(e, _)| e.posted()))
            .collect();
        let profile = Profile {
            payment_terms_days: acc.rec.get("payment_terms_days").and_then(Value::as_int).unwrap_or(0),
            asset_liability_ratio: match acc.rec.get("asset_liability_ratio") {
                Some(Value::Float(f)) => Some(*f),
                _ => None,
            },
            cooperation_since: acc.text("cooperation_since").and_then(parse_date),
        };
        let current = credit::assess(&entries, profile, end);
        let last_year = credit::assess(&entries, profile, prev);
        // The overrides up to the period, newest first, read once for both periods.
        let overrides = self.overrides_up_to(account_id, period).await?;
        let last_period = kam_core::time_util::month_of(prev);
        let in_effect = |p: &str| overrides.iter().find(|o| o.since.as_str() <= p).cloned();
        let overridden = in_effect(period);
        let last_year_rating = match in_effect(&last_period) {
            Some(o) => o.rating,
            None => last_year.rating.to_string(),
        };
        Ok(CreditView {
            account_id,
            period: period.to_string(),
            currency,
            rating: overridden.as_ref().map(|o| o.rating.clone()).unwrap_or_else(|| current.rating.to_string()),
            last_year_rating,
            credit_limit: acc.rec.get("credit_limit").and_then(Value::as_int),
            current,
            last_year,
            overridden,
        })
    }

    /// The overrides made for `period` or an earlier month, newest first: the
    /// first whose month is at most a period is the one standing in it.
    async fn overrides_up_to(&self, account_id: AccountId, period: &str) -> Result<Vec<Override>> {
        let mut q = Q::new(
            "SELECT o.period, o.rating, o.credit_limit, o.computed_score, o.computed_rating, o.reason, u.display_name AS by_name, o.created_at \
             FROM credit_overrides o LEFT JOIN users u ON u.id = o.created_by WHERE o.account_id = ",
        );
        q.arg(account_id).push(" AND o.period <= ").arg(period).push(" ORDER BY o.id DESC");
        q.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Override {
                    since: r.try_get("period")?,
                    rating: r.try_get("rating")?,
                    credit_limit: r.try_get("credit_limit")?,
                    computed_score: r.try_get("computed_score")?,
                    computed_rating: r.try_get("computed_rating")?,
                    reason: r.try_get("reason")?,
                    by_name: r.try_get("by_name")?,
                    at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Finance overrides the rating and sets the credit limit, with a reason.
    pub async fn override_credit(
        &self,
        actor: &Actor,
        account_id: AccountId,
        period: &str,
        rating: &str,
        limit: i64,
        reason: &str,
    ) -> Result<CreditView> {
        if !credit::can_override(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut errors = kam_core::FieldErrors::default();
        if !credit::RATINGS.contains(&rating) {
            errors.add("rating", "err.choice");
        }
        if !(0..=100_000_000_000_000).contains(&limit) {
            errors.add("credit_limit", "err.range");
        }
        if reason.trim().is_empty() {
            errors.add("reason", "err.required");
        }
        // It stands from its month on and sets the limit now: a month not yet begun would show a
        // rating that does not yet hold beside a limit that already does.
        if kam_core::statement::month_bounds(period).is_some_and(|(first, _)| first > self.today()) {
            errors.add("period", "err.future_period");
        }
        errors.into_result(()).map_err(StoreError::Invalid)?;
        let view = self.credit(actor, account_id, period).await?;
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, account_id).await?;
        let mut q = Q::new(
            "INSERT INTO credit_overrides (account_id, period, rating, credit_limit, computed_score, computed_rating, reason, created_by, created_at) VALUES (",
        );
        q.arg(account_id).push(", ").arg(period).push(", ").arg(rating).push(", ").arg(limit).push(", ");
        q.arg(view.current.score).push(", ").arg(view.current.rating).push(", ").arg(reason.trim()).push(", ");
        q.arg(actor.user_id).push(", ").arg(self.now_text()).push(")");
        q.query().execute(&mut *tx).await?;
        let mut q = Q::new("UPDATE accounts SET credit_limit = ");
        q.arg(limit).push(", updated_at = ").arg(self.now_text()).push(" WHERE id = ").arg(account_id);
        q.query().execute(&mut *tx).await?;
        let before = acc.rec.get("credit_limit").cloned().unwrap_or(Value::Null);
        let changes = [
            ("credit_limit", before, Value::Int(limit)),
            ("rating", Value::Text(view.current.rating.into()), Value::Text(rating.into())),
            ("reason", Value::Null, Value::Text(reason.trim().into())),
        ];
        Entry::new(Some(actor.user_id), Action::Update, "credit", account_id)
            .account(Some(account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        self.credit(actor, account_id, period).await
    }
}

/// One line of 附表五: a delivery or a collection, with the running totals.
#[derive(Debug, Clone, Serialize)]
pub struct PerformanceRow {
    pub date: String,
    /// 销售序号 (deliveries are numbered; collections are not).
    pub seq: Option<i64>,
    pub order_id: Option<OrderId>,
    pub contract_no: String,
    /// 合同存异与变更情况: the contract's amendments, as text.
    pub amendments: String,
    /// 提货量, e.g. "1200 Kg"
    pub quantity: String,
    pub value: i64,
    pub collected: i64,
    pub cumulative_sales: i64,
    pub cumulative_collected: i64,
}

/// 附表五 客户业绩统计及信用评估表 for an account and a year.
#[derive(Debug, Clone, Serialize)]
pub struct Performance {
    pub account_id: AccountId,
    pub account_name: String,
    pub year: i32,
    pub currency: String,
    pub rows: Vec<PerformanceRow>,
    pub total_sales: i64,
    pub total_collected: i64,
    /// The balance before the year, the year's other entries (discounts,
    /// returns, adjustments, opening balances), and the balance after it:
    /// opening + sales − collected + other = closing, as in the ledger.
    pub opening: i64,
    pub other: i64,
    pub closing: i64,
    /// The rating in effect at the year's end (or today): finance's override
    /// where one stands, else the computed one.
    pub rating: String,
    pub rating_last_year: String,
    /// The override behind `rating`, with the month it has stood since.
    pub overridden: Option<Override>,
    pub score: i64,
    pub score_last_year: i64,
}

impl Store {
    /// Deliveries (delivered orders) and collections (payments) of a year, by
    /// date, with cumulative sales and collections, and the credit rating at
    /// the year's end (or today) against the same day a year before.
    pub async fn performance(&self, actor: &Actor, account_id: AccountId, year: i32) -> Result<Performance> {
        let acc = self.ledger_account(actor, account_id).await?;
        let entries = self.entries_of(account_id).await?;
        let currency = currency_of(&acc);
        let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
        let in_year = |d: &str| d >= from.as_str() && d <= to.as_str();
        // The quantities of the account's orders and the amendments of its
        // contracts, read once for the whole table.
        let mut q = Q::new(
            "SELECT l.order_id, l.quantity, l.unit FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.account_id = ",
        );
        q.arg(account_id).push(" ORDER BY l.order_id, l.position");
        let mut quantities: HashMap<OrderId, Vec<String>> = HashMap::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let (qty, unit): (String, String) = (r.try_get("quantity")?, r.try_get("unit")?);
            quantities.entry(crate::sql::id(&r, "order_id")?).or_default().push(format!("{qty} {unit}"));
        }
        let mut q = Q::new(
            "SELECT c.contract_no, m.amended_on, m.change FROM contract_amendments m JOIN contracts c ON c.id = m.contract_id \
             WHERE c.deleted_at IS NULL AND c.account_id = ",
        );
        q.arg(account_id).push(" ORDER BY m.amended_on, m.id");
        let mut amended: HashMap<String, Vec<String>> = HashMap::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let (on, change): (String, String) = (r.try_get("amended_on")?, r.try_get("change")?);
            amended.entry(r.try_get("contract_no")?).or_default().push(format!("{on} {change}"));
        }
        // Deliveries are the invoices (a delivered order's invoice carries the
        // order and its contract number); collections are the payments.
        // A reversal and the entry it reverses, both in the year, cancel: neither
        // is a delivery or a collection. A reversal of an earlier year's entry
        // is a correction of that year: it counts among the year's other entries.
        let in_year_ids: HashSet<EntryId> =
            entries.iter().filter(|e| in_year(e.text("entry_date"))).map(|e| e.id).collect();
        let cancelled: HashSet<EntryId> = entries
            .iter()
            .filter(|e| in_year(e.text("entry_date")))
            .filter_map(|e| e.reverses_id.filter(|o| in_year_ids.contains(o)).map(|o| [o, e.id]))
            .flatten()
            .collect();
        let listed = |e: &crate::ledger::LedgerEntry| {
            matches!(e.text("kind"), "invoice" | "payment") && e.reverses_id.is_none() && !cancelled.contains(&e.id)
        };
        let mut events: Vec<(String, EntryId, PerformanceRow)> = Vec::new();
        for e in entries.iter().filter(|e| e.text("currency") == currency && in_year(e.text("entry_date")) && listed(e))
        {
            let date = e.text("entry_date").to_string();
            match e.text("kind") {
                "invoice" => {
                    let contract = e.text("contract_no").to_string();
                    let quantity =
                        e.order_id.and_then(|o| quantities.get(&o)).map(|q| q.join("，")).unwrap_or_default();
                    let amendments = amended.get(&contract).map(|a| a.join("；")).unwrap_or_default();
                    events.push((
                        date.clone(),
                        e.id,
                        PerformanceRow {
                            date,
                            seq: None,
                            order_id: e.order_id,
                            contract_no: contract,
                            amendments,
                            quantity,
                            value: e.amount(),
                            collected: 0,
                            cumulative_sales: 0,
                            cumulative_collected: 0,
                        },
                    ));
                }
                "payment" => events.push((
                    date.clone(),
                    e.id,
                    PerformanceRow {
                        date,
                        seq: None,
                        order_id: None,
                        contract_no: e.text("contract_no").to_string(),
                        amendments: String::new(),
                        quantity: String::new(),
                        value: 0,
                        collected: -e.amount(),
                        cumulative_sales: 0,
                        cumulative_collected: 0,
                    },
                )),
                _ => {}
            }
        }
        events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mine = || entries.iter().filter(|e| e.text("currency") == currency);
        let opening: i64 = mine().filter(|e| e.text("entry_date") < from.as_str()).map(|e| e.amount()).sum();
        let other: i64 = mine().filter(|e| in_year(e.text("entry_date")) && !listed(e)).map(|e| e.amount()).sum();
        let closing: i64 = mine().filter(|e| e.text("entry_date") <= to.as_str()).map(|e| e.amount()).sum();
        let (mut sales, mut collected, mut seq) = (0i64, 0i64, 0i64);
        let rows: Vec<PerformanceRow> = events
            .into_iter()
            .map(|(_, _, mut r)| {
                if r.value != 0 {
                    seq += 1;
                    r.seq = Some(seq);
                }
                sales += r.value;
                collected += r.collected;
                r.cumulative_sales = sales;
                r.cumulative_collected = collected;
                r
            })
            .collect();
        let today = self.today();
        let end = parse_date(&to).map(|d| d.min(today)).unwrap_or(today);
        let period = kam_core::time_util::month_of(end);
        let ledgers = group_ledgers(&acc, entries);
        let view = self.credit_for(actor, &acc, &ledgers, &period).await?;
        Ok(Performance {
            account_id,
            account_name: acc.name().to_string(),
            year,
            currency,
            total_sales: sales,
            total_collected: collected,
            opening,
            other,
            closing,
            rating: view.rating.clone(),
            rating_last_year: view.last_year_rating.clone(),
            overridden: view.overridden.clone(),
            score: view.current.score,
            score_last_year: view.last_year.score,
            rows,
        })
    }
}
