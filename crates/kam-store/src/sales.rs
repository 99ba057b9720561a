//! The sales report 销售报表 of a year: delivered orders (status delivered,
//! dated in the year, as attainment counts them) of the accounts in the
//! reader's scope, in CNY, by month, product, rep (the account's owner) and
//! grade — four grouped reads, whatever the data.

use kam_core::Actor;
use serde::Serialize;
use sqlx::Row;

use crate::accounts::scope_sql;
use crate::sql::Q;
use crate::{Result, Store, StoreError};

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct SalesLine {
    /// The month `YYYY-MM`, the product code, the owner's id or the grade; empty: none.
    pub key: String,
    /// The product's name or the rep's display name.
    pub label: Option<String>,
    /// Orders (for a product: orders with a line of it).
    pub orders: i64,
    /// The quantity sold (products only), in the product's unit.
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    /// In fen.
    pub with_tax: i64,
    pub without_tax: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SalesReport {
    pub year: i32,
    pub orders: i64,
    pub with_tax: i64,
    pub without_tax: i64,
    /// The twelve months, January first (a month without sales is zeros).
    pub by_month: Vec<SalesLine>,
    /// Largest first.
    pub by_product: Vec<SalesLine>,
    pub by_rep: Vec<SalesLine>,
    pub by_grade: Vec<SalesLine>,
}

impl Store {
    /// The sales report of `year` (readers of money only).
    pub async fn sales_report(&self, actor: &Actor, year: i32) -> Result<SalesReport> {
        if !kam_core::ledger::can_see_money(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        let orders = async |key: &str, label: Option<&str>, join: &str| -> Result<Vec<SalesLine>> {
            let label_col = label.map(|l| format!(", {l} AS label")).unwrap_or_default();
            let label_group = label.map(|l| format!(", {l}")).unwrap_or_default();
            let mut q = Q::new(&format!(
                "SELECT {key} AS k{label_col}, COUNT(*) AS n, CAST(SUM(o.total_with_tax) AS BIGINT) AS w, \
                 CAST(SUM(o.total_without_tax) AS BIGINT) AS wo FROM orders o JOIN accounts a ON a.id = o.account_id {join} \
                 WHERE o.status = 'delivered' AND COALESCE(o.currency, 'CNY') = 'CNY' AND o.order_date >= "
            ));
            q.arg(from.clone()).push(" AND o.order_date <= ").arg(to.clone()).push(" AND ");
            scope_sql(&mut q, actor, "a");
            q.push(&format!(" GROUP BY {key}{label_group} ORDER BY k"));
            q.query()
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| {
                    Ok(SalesLine {
                        key: r.try_get::<Option<String>, _>("k")?.unwrap_or_default(),
                        label: if label.is_some() { r.try_get("label")? } else { None },
                        orders: r.try_get("n")?,
                        quantity: None,
                        unit: None,
                        with_tax: r.try_get("w")?,
                        without_tax: r.try_get("wo")?,
                    })
                })
                .collect()
        };
        let months = orders("SUBSTR(o.order_date, 1, 7)", None, "").await?;
        let by_rep =
            orders("CAST(a.owner_id AS TEXT)", Some("u.display_name"), "LEFT JOIN users u ON u.id = a.owner_id")
                .await?;
        let by_grade = orders("a.grade", None, "").await?;
        let by_month = (1..=12)
            .map(|m| {
                let key = format!("{year:04}-{m:02}");
                months.iter().find(|l| l.key == key).cloned().unwrap_or(SalesLine {
                    key,
                    label: None,
                    orders: 0,
                    quantity: None,
                    unit: None,
                    with_tax: 0,
                    without_tax: 0,
                })
            })
            .collect();
        // Products from the order lines.
        let mut q = Q::new(
            "SELECT l.product_code AS k, l.product_name AS label, l.unit, COUNT(DISTINCT o.id) AS n, \
             SUM(CAST(l.quantity AS DOUBLE PRECISION)) AS qty, CAST(SUM(l.with_tax) AS BIGINT) AS w, \
             CAST(SUM(l.without_tax) AS BIGINT) AS wo FROM order_lines l JOIN orders o ON o.id = l.order_id \
             JOIN accounts a ON a.id = o.account_id WHERE o.status = 'delivered' AND COALESCE(o.currency, 'CNY') = 'CNY' \
             AND o.order_date >= ",
        );
        q.arg(from.clone()).push(" AND o.order_date <= ").arg(to.clone()).push(" AND ");
        scope_sql(&mut q, actor, "a");
        q.push(" GROUP BY l.product_code, l.product_name, l.unit ORDER BY w DESC, k");
        let mut by_product = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            by_product.push(SalesLine {
                key: r.try_get("k")?,
                label: r.try_get("label")?,
                orders: r.try_get("n")?,
                quantity: r.try_get::<Option<f64>, _>("qty")?.map(|x| (x * 1000.0).round() / 1000.0),
                unit: r.try_get("unit")?,
                with_tax: r.try_get("w")?,
                without_tax: r.try_get("wo")?,
            });
        }
        let mut by_rep = by_rep;
        by_rep.sort_by(|a, b| b.with_tax.cmp(&a.with_tax).then(a.key.cmp(&b.key)));
        Ok(SalesReport {
            year,
            orders: months.iter().map(|l| l.orders).sum(),
            with_tax: months.iter().map(|l| l.with_tax).sum(),
            without_tax: months.iter().map(|l| l.without_tax).sum(),
            by_month,
            by_product,
            by_rep,
            by_grade,
        })
    }
}
