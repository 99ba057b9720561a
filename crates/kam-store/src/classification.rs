//! Classification 客户归类汇总表 (附表一): the accounts in the reader's scope
//! with their primary contact (else the first tied to it), address, industry, type and grade, beside the
//! ABC class and RFM scores computed in SQL over every live account's orders
//! of the trailing twelve months (the rules: `kam_core::classification`);
//! accepting the computed class as the grade is one audited account update.

use kam_core::AccountId;
use kam_core::classification::{self, Thresholds};
use kam_core::{Actor, Value};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::{AccountInput, Page, scope_sql};
use crate::sql::Q;
use crate::{Result, Store, StoreError};

pub(crate) const THRESHOLDS: &str = "classification.abc";

/// One row of 附表一 with the computed figures.
#[derive(Debug, Clone, Serialize)]
pub struct ClassRow {
    pub account_id: AccountId,
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_title: Option<String>,
    pub contact_phone: Option<String>,
    pub address: String,
    pub industry: Option<String>,
    pub customer_type: Option<String>,
    pub grade: Option<String>,
    /// The trailing twelve months' revenue (a money figure).
    pub revenue: i64,
    pub orders: i64,
    pub last_order: Option<String>,
    pub abc: String,
    /// 1–5 each, None without an order in the twelve months.
    pub recency: Option<i64>,
    pub frequency: Option<i64>,
    pub monetary: Option<i64>,
    pub disagrees: bool,
}

/// Which rows of 附表一.
#[derive(Debug, Clone, Default)]
pub struct ClassFilter {
    pub q: Option<String>,
    pub industry: Option<String>,
    pub customer_type: Option<String>,
    pub grade: Option<String>,
    pub abc: Option<String>,
    /// Only the rows whose grade disagrees with the computed class.
    pub disagreeing: bool,
    pub page: i64,
    pub per_page: i64,
}

pub(crate) const LIVE: &str = "o.status NOT IN ('credit_hold', 'cancelled', 'returned')";

/// The ranked figures of every account with revenue in the window, as a
/// `WITH` clause named `ranked` (account_id, m, f, last_date, above, total, n, r_k, f_k, m_k).
fn ranked(q: &mut Q, today: time::Date) {
    let from = today.replace_year(today.year() - 1).unwrap_or(today - time::Duration::days(365));
    q.push(&format!(
        "WITH agg AS (SELECT o.account_id, CAST(SUM(o.total_with_tax) AS BIGINT) AS m, COUNT(*) AS f, MAX(o.order_date) AS last_date \
         FROM orders o JOIN accounts x ON x.id = o.account_id AND x.deleted_at IS NULL WHERE {LIVE} AND o.order_date > "
    ));
    q.arg(from.to_string()).push(" AND o.order_date <= ").arg(today.to_string());
    q.push(
        " GROUP BY o.account_id), ranked AS (SELECT account_id, m, f, last_date, \
         CAST(SUM(m) OVER (ORDER BY m DESC) - m * COUNT(*) OVER (PARTITION BY m) AS BIGINT) AS above, \
         CAST(SUM(m) OVER () AS BIGINT) AS total, COUNT(*) OVER () AS n, \
         COUNT(*) OVER (ORDER BY last_date) AS r_k, COUNT(*) OVER (ORDER BY f) AS f_k, COUNT(*) OVER (ORDER BY m) AS m_k FROM agg) ",
    );
}

/// The class in SQL, the same rule as `classification::abc`.
fn abc_sql(t: Thresholds) -> String {
    format!(
        "(CASE WHEN r.m IS NULL OR r.m <= 0 OR r.total <= 0 THEN 'C' WHEN r.above * 100 < {} * r.total THEN 'A' \
         WHEN r.above * 100 < {} * r.total THEN 'B' ELSE 'C' END)",
        t.a, t.b
    )
}

impl Store {
    /// The admin's ABC cut-offs (80 % / 95 % until set).
    pub async fn abc_thresholds(&self) -> Result<Thresholds> {
        Ok(self.setting(THRESHOLDS).await?.and_then(|s| Thresholds::from_setting(&s)).unwrap_or_default())
    }

    /// Sets the ABC cut-offs (admin only, audited).
    pub async fn set_abc_thresholds(&self, actor: &Actor, t: Thresholds) -> Result<()> {
        let change = crate::settings::SettingsChange { abc: Some((t.a, t.b)), ..Default::default() };
        self.save_settings(actor, &change).await
    }

    /// 附表一 for the reader: accounts in scope by name, with the figures.
    pub async fn classification(&self, actor: &Actor, f: &ClassFilter) -> Result<Page<ClassRow>> {
        self.classified(actor, f, f.per_page.clamp(1, 200)).await
    }

    /// The first `limit` rows (at most 50,000) of the same list in one
    /// statement, for its print page and workbook (the ranking over the
    /// whole company is computed once, not once per page).
    pub async fn classification_upto(&self, actor: &Actor, f: &ClassFilter, limit: i64) -> Result<Page<ClassRow>> {
        self.classified(actor, &ClassFilter { page: 1, ..f.clone() }, limit.clamp(1, 50_000)).await
    }

    async fn classified(&self, actor: &Actor, f: &ClassFilter, per_page: i64) -> Result<Page<ClassRow>> {
        let t = self.abc_thresholds().await?;
        let today = self.today();
        let page = f.page.max(1);
        let class = abc_sql(t);
        let filters = |q: &mut Q| {
            q.push(" WHERE ");
            scope_sql(q, actor, "a");
            if let Some(s) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                q.push(" AND a.name LIKE ").arg(format!("%{}%", s.replace(['%', '_'], "")));
            }
            for (col, v) in [("industry", &f.industry), ("customer_type", &f.customer_type), ("grade", &f.grade)] {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    q.push(&format!(" AND a.{col} = ")).arg(v.to_string());
                }
            }
            if let Some(v) = f.abc.as_deref().filter(|v| !v.is_empty()) {
                q.push(&format!(" AND {class} = ")).arg(v.to_string());
            }
            if f.disagreeing {
                q.push(&format!(
                    " AND (a.grade IS NULL OR (a.grade = 'D' AND {class} <> 'C') OR (a.grade <> 'D' AND a.grade <> {class}))"
                ));
            }
        };
        let mut q = Q::new("");
        ranked(&mut q, today);
        q.push("SELECT COUNT(*) AS n FROM accounts a LEFT JOIN ranked r ON r.account_id = a.id");
        filters(&mut q);
        let total: i64 = q.query().fetch_one(self.pool()).await?.try_get("n")?;

        let mut q = Q::new("");
        ranked(&mut q, today);
        q.push(&format!(
            "SELECT a.id, a.name, a.industry, a.customer_type, a.grade, a.province, a.city, a.district, a.street, \
             c.name AS contact_name, ac.title AS contact_title, COALESCE(c.mobile, c.phone) AS contact_phone, \
             r.m, r.f, r.last_date, r.n, r.r_k, r.f_k, r.m_k, {class} AS abc \
             FROM accounts a LEFT JOIN ranked r ON r.account_id = a.id \
             LEFT JOIN account_contacts ac ON ac.id = (SELECT p.id FROM account_contacts p JOIN contacts pc ON pc.id = p.contact_id \
               AND pc.deleted_at IS NULL WHERE p.account_id = a.id ORDER BY p.is_primary DESC, p.id LIMIT 1) \
             LEFT JOIN contacts c ON c.id = ac.contact_id"
        ));
        filters(&mut q);
        q.push(" ORDER BY a.name, a.id LIMIT ").arg(per_page).push(" OFFSET ").arg((page - 1) * per_page);
        let mut items = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let n: Option<i64> = r.try_get("n")?;
            let score = |k: Option<i64>| match (k, n) {
                (Some(k), Some(n)) => Some(classification::quintile(k, n)),
                _ => None,
            };
            let grade: Option<String> = r.try_get("grade")?;
            let abc: String = r.try_get("abc")?;
            let address = ["province", "city", "district", "street"]
                .iter()
                .filter_map(|c| r.try_get::<Option<String>, _>(*c).ok().flatten())
                .collect::<Vec<_>>()
                .join("");
            items.push(ClassRow {
                account_id: crate::sql::id(&r, "id")?,
                name: r.try_get("name")?,
                contact_name: r.try_get("contact_name")?,
                contact_title: r.try_get("contact_title")?,
                contact_phone: r.try_get("contact_phone")?,
                address,
                industry: r.try_get("industry")?,
                customer_type: r.try_get("customer_type")?,
                disagrees: classification::disagrees(grade.as_deref(), &abc),
                grade,
                revenue: r.try_get::<Option<i64>, _>("m")?.unwrap_or(0),
                orders: r.try_get::<Option<i64>, _>("f")?.unwrap_or(0),
                last_order: r.try_get("last_date")?,
                recency: score(r.try_get("r_k")?),
                frequency: score(r.try_get("f_k")?),
                monetary: score(r.try_get("m_k")?),
                abc,
            });
        }
        Ok(Page { items, page, per_page, total })
    }

    /// Sets an account's grade to its computed ABC class, as computed now (a
    /// manager's or the admin's one action, audited as an account update).
    pub async fn accept_computed_grade(&self, actor: &Actor, id: AccountId) -> Result<String> {
        let t = self.abc_thresholds().await?;
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, id).await?;
        if !classification::can_accept(actor, &acc.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut q = Q::new("");
        ranked(&mut q, self.today());
        q.push(&format!(
            "SELECT {} AS abc FROM accounts a LEFT JOIN ranked r ON r.account_id = a.id WHERE a.id = ",
            abc_sql(t)
        ));
        q.arg(id);
        let class: String = q.query().fetch_one(&mut *tx).await?.try_get("abc")?;
        let rec = [("grade", Value::Text(class.clone()))].into_iter().collect();
        self.update_account_in(&mut tx, actor, &acc, AccountInput { rec, ..Default::default() }).await?;
        tx.commit().await?;
        Ok(class)
    }
}
