//! Orders 销售记录: lines priced in kam-core, the credit limit checked when an
//! order is placed (serialised per account, so concurrent orders cannot pass
//! the limit together), the order's timed steps, and the ledger entries that
//! delivery and return post.

use kam_core::AccountId;
use kam_core::OrderId;
use kam_core::ProductId;
use kam_core::audit::Action;
use kam_core::fields::{Value, parse_quantity};
use kam_core::order::{self, LINE_FIELDS, ORDER_FIELDS, Totals};
use kam_core::time_util::parse_date;
use kam_core::{Actor, Record};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::{Page, scope_sql};
use crate::audit::Entry;
use crate::ledger::{currency_of, entry_record};
use crate::sql::{Arg, Q, columns, insert, read_record};
use crate::write::Target;
use crate::{Result, Store, StoreError, Tx};

const TARGET: Target = Target::new("orders", "order", ORDER_FIELDS);

/// One line as written: the product and the line's fields.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub product_id: Option<ProductId>,
    pub rec: Record,
}

#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    pub rec: Record,
    pub lines: Vec<LineInput>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderLine {
    pub id: i64,
    pub product_id: i64,
    pub product_code: String,
    pub product_name: String,
    pub unit: String,
    #[serde(flatten)]
    pub rec: Record,
    #[serde(flatten)]
    pub totals: Totals,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderStep {
    pub from_status: Option<String>,
    pub to_status: String,
    pub on_date: String,
    pub at: String,
    pub by_name: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub account_id: AccountId,
    pub account_name: String,
    pub status: String,
    #[serde(flatten)]
    pub rec: Record,
    pub total_with_tax: i64,
    pub total_without_tax: i64,
    pub tax: i64,
    /// What the credit check saw when the order was placed.
    pub credit_limit: Option<i64>,
    pub credit_exposure: Option<i64>,
    pub approved_by_name: Option<String>,
    pub approved_at: Option<String>,
    pub lines: Vec<OrderLine>,
    pub steps: Vec<OrderStep>,
    pub created_by_name: Option<String>,
    pub created_at: String,
}

impl Order {
    pub fn currency(&self) -> &str {
        self.rec.get("currency").and_then(Value::as_text).unwrap_or("CNY")
    }
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub account_id: Option<AccountId>,
    pub status: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

fn select(actor: &Actor) -> Q {
    let mut q = Q::new(&format!(
        "SELECT r.id, r.number, r.account_id, a.name AS account_name, r.status, {}, r.total_with_tax, \
         r.total_without_tax, r.tax, r.credit_limit, r.credit_exposure, ap.display_name AS approved_by_name, \
         r.approved_at, u.display_name AS created_by_name, r.created_at FROM orders r \
         JOIN accounts a ON a.id = r.account_id LEFT JOIN users u ON u.id = r.created_by \
         LEFT JOIN users ap ON ap.id = r.approved_by WHERE ",
        columns(ORDER_FIELDS, "r")
    ));
    scope_sql(&mut q, actor, "a");
    q
}

fn read(r: &sqlx::any::AnyRow) -> Result<Order> {
    Ok(Order {
        id: crate::sql::id(r, "id")?,
        number: r.try_get::<Option<String>, _>("number")?.unwrap_or_default(),
        account_id: crate::sql::id(r, "account_id")?,
        account_name: r.try_get("account_name")?,
        status: r.try_get("status")?,
        rec: read_record(r, ORDER_FIELDS)?,
        total_with_tax: r.try_get("total_with_tax")?,
        total_without_tax: r.try_get("total_without_tax")?,
        tax: r.try_get("tax")?,
        credit_limit: r.try_get("credit_limit")?,
        credit_exposure: r.try_get("credit_exposure")?,
        approved_by_name: r.try_get("approved_by_name")?,
        approved_at: r.try_get("approved_at")?,
        lines: Vec::new(),
        steps: Vec::new(),
        created_by_name: r.try_get("created_by_name")?,
        created_at: r.try_get("created_at")?,
    })
}

async fn record_step(
    tx: &mut Tx,
    order_id: i64,
    from: Option<&str>,
    to: &str,
    on: &str,
    note: Option<&str>,
    stamp: &crate::Stamp,
) -> Result<()> {
    let mut q =
        Q::new("INSERT INTO order_steps (order_id, from_status, to_status, on_date, at, by_user, note) VALUES (");
    q.arg(order_id).push(", ").arg(from.map(str::to_string)).push(", ").arg(to).push(", ").arg(on);
    q.push(", ").arg(stamp.at.as_str()).push(", ").arg(stamp.by).push(", ").arg(note.map(str::to_string)).push(")");
    q.query().execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    /// Loads the lines of a page of orders, in one query.
    pub async fn attach_lines(&self, orders: &mut [Order]) -> Result<()> {
        if orders.is_empty() {
            return Ok(());
        }
        let mut q = Q::new(&format!(
            "SELECT l.id, l.order_id, l.product_id, l.product_code, l.product_name, l.unit, {}, l.with_tax, \
             l.without_tax, l.tax FROM order_lines l WHERE l.order_id IN (",
            columns(LINE_FIELDS, "l")
        ));
        q.list(orders.iter().map(|o| o.id.0)).push(") ORDER BY l.order_id, l.position, l.id");
        let mut by_order: std::collections::HashMap<i64, Vec<OrderLine>> = std::collections::HashMap::new();
        for r in q.query().fetch_all(self.pool()).await? {
            by_order.entry(r.try_get("order_id")?).or_default().push(OrderLine {
                id: crate::sql::id(&r, "id")?,
                product_id: r.try_get("product_id")?,
                product_code: r.try_get("product_code")?,
                product_name: r.try_get("product_name")?,
                unit: r.try_get("unit")?,
                rec: read_record(&r, LINE_FIELDS)?,
                totals: Totals {
                    with_tax: r.try_get("with_tax")?,
                    without_tax: r.try_get("without_tax")?,
                    tax: r.try_get("tax")?,
                },
            });
        }
        for o in orders.iter_mut() {
            o.lines = by_order.remove(&o.id.0).unwrap_or_default();
        }
        Ok(())
    }

    async fn order_details(&self, mut o: Order) -> Result<Order> {
        self.attach_lines(std::slice::from_mut(&mut o)).await?;
        let mut q = Q::new(
            "SELECT s.from_status, s.to_status, s.on_date, s.at, u.display_name AS by_name, s.note FROM order_steps s \
             LEFT JOIN users u ON u.id = s.by_user WHERE s.order_id = ",
        );
        q.arg(o.id).push(" ORDER BY s.id");
        for r in q.query().fetch_all(self.pool()).await? {
            o.steps.push(OrderStep {
                from_status: r.try_get("from_status")?,
                to_status: r.try_get("to_status")?,
                on_date: r.try_get("on_date")?,
                at: r.try_get("at")?,
                by_name: r.try_get("by_name")?,
                note: r.try_get("note")?,
            });
        }
        Ok(o)
    }

    /// One order with its lines and steps, within scope.
    pub async fn order(&self, actor: &Actor, id: OrderId) -> Result<Order> {
        let mut q = select(actor);
        q.push(" AND r.id = ").arg(id);
        let o = read(&q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)?;
        self.order_details(o).await
    }

    /// Orders within scope, newest first (lines and steps not loaded).
    pub async fn orders(&self, actor: &Actor, f: &OrderFilter) -> Result<Page<Order>> {
        let per_page = if f.per_page <= 0 { 50 } else { f.per_page.clamp(1, 200) };
        let page = f.page.clamp(1, crate::sql::MAX_PAGE);
        let mut q = select(actor);
        if let Some(a) = f.account_id {
            self.account(actor, a).await?;
            q.push(" AND r.account_id = ").arg(a);
        }
        if let Some(s) = &f.status {
            q.push(" AND r.status = ").arg(s.clone());
        }
        let mut count = q.clone();
        count.sql = format!("SELECT COUNT(*) AS n FROM ({}) x", count.sql);
        let total: i64 = count.query().fetch_one(self.pool()).await?.try_get("n")?;
        q.push(" ORDER BY r.order_date DESC, r.id DESC LIMIT ")
            .arg(per_page)
            .push(" OFFSET ")
            .arg((page - 1) * per_page);
        let items = q.query().fetch_all(self.pool()).await?.iter().map(read).collect::<Result<_>>()?;
        Ok(Page { items, page, per_page, total })
    }

    /// What is wrong with an order before anything is read: missing fields,
    /// lines without product or quantity, figures out of range, a date
    /// outside the business dates. The form, the API and the import ask this.
    pub fn order_errors(&self, input: &OrderInput) -> kam_core::FieldErrors {
        let mut errors = kam_core::fields::missing_required(ORDER_FIELDS, &input.rec, true);
        if input.lines.is_empty() {
            errors.add("lines", "err.no_lines");
        }
        for (i, l) in input.lines.iter().enumerate() {
            for (f, k) in kam_core::fields::missing_required(LINE_FIELDS, &l.rec, true).0 {
                errors.add(&format!("lines.{i}.{f}"), k);
            }
            if l.product_id.is_none() {
                errors.add(&format!("lines.{i}.product_id"), "err.required");
            }
            let q = l.rec.get("quantity").and_then(Value::as_text).and_then(parse_quantity);
            if q == Some(0) {
                errors.add(&format!("lines.{i}.quantity"), "err.zero_quantity");
            }
            if let Some(Value::Float(d)) = l.rec.get("discount_pct")
                && !(0.0..=100.0).contains(d)
            {
                errors.add(&format!("lines.{i}.discount_pct"), "err.range");
            }
            if let Some(Value::Float(r)) = l.rec.get("tax_rate")
                && !(0.0..=100.0).contains(r)
            {
                errors.add(&format!("lines.{i}.tax_rate"), "err.range");
            }
        }
        if let Some(Err(k)) = input
            .rec
            .get("order_date")
            .and_then(Value::as_text)
            .and_then(parse_date)
            .map(|d| self.check_business_date(d))
        {
            errors.add("order_date", k);
        }
        errors
    }

    /// Places an order. Over the credit limit (balance + open orders + this
    /// order) it is held (`credit_hold`) until finance or a manager releases
    /// it. The account row is locked first, so concurrent orders are checked
    /// one after the other.
    pub async fn create_order(&self, actor: &Actor, account_id: AccountId, input: OrderInput) -> Result<Order> {
        let errors = self.order_errors(&input);
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.begin().await?;
        let id = self.place_order_in(&mut tx, actor, account_id, &input, None).await?;
        tx.commit().await?;
        self.order(actor, id).await
    }

    /// Writes a checked order in the caller's transaction. `recorded`: the
    /// status an imported order is recorded at — an order done with
    /// (delivered, cancelled, returned) is history and takes no credit check
    /// and posts nothing (the ledger's own import carries what was invoiced);
    /// an open one is checked as a new order is, and held when over the limit.
    pub(crate) async fn place_order_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        account_id: AccountId,
        input: &OrderInput,
        recorded: Option<(&str, &str)>,
    ) -> Result<OrderId> {
        // The lock: every order on this account waits here for the one before.
        let mut lock = Q::new("UPDATE accounts SET updated_at = updated_at WHERE id = ");
        lock.arg(account_id);
        lock.query().execute(&mut **tx).await?;
        let acc = self.account_in(tx, actor, account_id).await?;
        if !order::can_place(actor, &acc.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut rec = input.rec.clone();
        if rec.get("currency").is_none_or(Value::is_null) {
            rec.insert("currency", Value::Text(currency_of(&acc)));
        }
        let currency = rec.get("currency").and_then(Value::as_text).unwrap_or("CNY").to_string();
        self.check_currency(tx, &currency).await?;
        // Price every line from its product.
        let mut lines = Vec::new();
        let mut total = Totals::default();
        for (i, l) in input.lines.iter().enumerate() {
            let pid = l.product_id.unwrap_or_default();
            // Inside the transaction: a connection waiting for this account's lock must not starve it.
            let p = match Self::product_in(tx, pid).await {
                Ok(p) if p.active() => p,
                _ => return Err(StoreError::field(&format!("lines.{i}.product_id"), "err.choice")),
            };
            let mut lrec = l.rec.clone();
            if lrec.get("unit_price").is_none_or(Value::is_null) {
                match p.rec.get("list_price").and_then(Value::as_int) {
                    Some(price) => lrec.insert("unit_price", Value::Int(price)),
                    None => return Err(StoreError::field(&format!("lines.{i}.unit_price"), "err.required")),
                };
            }
            let rate = match lrec.get("tax_rate") {
                Some(Value::Float(r)) => *r,
                _ => match p.rec.get("tax_rate") {
                    Some(Value::Float(r)) => *r,
                    _ => order::DEFAULT_TAX_RATE,
                },
            };
            lrec.insert("tax_rate", Value::Float(rate));
            let discount = match lrec.get("discount_pct") {
                Some(Value::Float(d)) => *d,
                _ => 0.0,
            };
            let qty = lrec.get("quantity").and_then(Value::as_text).and_then(parse_quantity).unwrap_or(0);
            let price = lrec.get("unit_price").and_then(Value::as_int).unwrap_or(0);
            let t = order::line_totals(qty, price, discount, rate);
            total = total + t;
            lines.push((p, lrec, t));
        }
        let limit = acc.rec.get("credit_limit").and_then(Value::as_int);
        let (status, exposure) = match recorded {
            Some((done, _)) if !order::is_open(done) => (done, None),
            _ => {
                // The credit check.
                let balance = Self::balance_in(tx, account_id, &currency, self.today()).await?;
                let mut q = Q::new(
                    "SELECT CAST(COALESCE(SUM(total_with_tax), 0) AS BIGINT) AS n FROM orders WHERE account_id = ",
                );
                q.arg(account_id).push(" AND currency = ").arg(currency.clone());
                q.push(" AND status IN ('placed', 'in_production', 'shipped')");
                let open: i64 = q.query().fetch_one(&mut **tx).await?.try_get("n")?;
                let check = order::credit_check(limit, balance, open, total.with_tax);
                let wanted = recorded.map(|(s, _)| s).unwrap_or("placed");
                (if check.over { "credit_hold" } else { wanted }, Some(check.exposure))
            }
        };
        let columns = [
            ("account_id", account_id.into()),
            ("status", status.into()),
            ("total_with_tax", Arg::Int(Some(total.with_tax))),
            ("total_without_tax", Arg::Int(Some(total.without_tax))),
            ("tax", Arg::Int(Some(total.tax))),
            ("credit_limit", Arg::Int(exposure.and(limit))),
            ("credit_exposure", Arg::Int(exposure)),
        ];
        let w = TARGET.by(actor, Some(account_id));
        let id = self.insert_stamped(tx, w, &rec, &columns).await?;
        let date = rec.get("order_date").and_then(Value::as_text).unwrap_or_default().replace('-', "");
        let number = format!("SO{date}-{id:05}");
        let mut q = Q::new("UPDATE orders SET number = ");
        q.arg(number.clone()).push(" WHERE id = ").arg(id);
        q.query().execute(&mut **tx).await?;
        for (i, (p, lrec, t)) in lines.iter().enumerate() {
            insert(
                "order_lines",
                LINE_FIELDS,
                lrec,
                &[
                    ("order_id", Arg::Int(Some(id))),
                    ("position", Arg::Int(Some(i as i64))),
                    ("product_id", Arg::from(p.id)),
                    ("product_code", p.text("code").into()),
                    ("product_name", p.text("name").into()),
                    ("unit", p.text("unit").into()),
                    ("with_tax", Arg::Int(Some(t.with_tax))),
                    ("without_tax", Arg::Int(Some(t.without_tax))),
                    ("tax", Arg::Int(Some(t.tax))),
                ],
            )
            .query()
            .fetch_one(&mut **tx)
            .await?;
        }
        let text = |f: &str| rec.get(f).and_then(Value::as_text).filter(|s| !s.is_empty()).map(str::to_string);
        // A delivered order's step is on its delivery date when the sheet gives one.
        let on = match status {
            "delivered" => text("delivery_date").or(text("order_date")),
            _ => text("order_date"),
        }
        .unwrap_or_default();
        record_step(tx, id, None, status, &on, recorded.map(|(_, note)| note), &self.stamp(actor.user_id)).await?;
        let mut also = vec![
            ("number", Value::Null, Value::Text(number)),
            ("status", Value::Null, Value::Text(status.into())),
            ("total_with_tax", Value::Null, Value::Int(total.with_tax)),
        ];
        if let Some(e) = exposure {
            also.push(("credit_exposure", Value::Null, Value::Int(e)));
        }
        self.audit_created(tx, w, id, &rec, &also).await?;
        Ok(OrderId(id))
    }

    /// Moves an order one step, on a day. Releasing a held order needs credit
    /// approval; delivery posts the invoice (货物价款) to the ledger, due after
    /// the account's payment terms; a return of a delivered order posts the
    /// credit note.
    pub async fn transition_order(
        &self,
        actor: &Actor,
        id: OrderId,
        to: &str,
        on: &str,
        note: Option<&str>,
    ) -> Result<Order> {
        let Some(day) = parse_date(on) else { return Err(StoreError::field("on_date", "err.date")) };
        if let Err(k) = self.check_business_date(day) {
            return Err(StoreError::field("on_date", k));
        }
        let o = self.order(actor, id).await?;
        if o.rec.get("order_date").and_then(Value::as_text).and_then(parse_date).is_some_and(|d| day < d) {
            return Err(StoreError::field("on_date", "err.before_order"));
        }
        if !order::can_move(&o.status, to) {
            return Err(StoreError::Conflict("err.order_step"));
        }
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, o.account_id).await?;
        let releasing = o.status == "credit_hold" && to == "placed";
        let allowed = if releasing {
            order::can_approve_credit(actor, &acc.facts())
        } else {
            order::can_move_order(actor, &acc.facts())
        };
        if !allowed {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let now = self.now_text();
        let mut q = Q::new("UPDATE orders SET status = ");
        q.arg(to).push(", updated_at = ").arg(now.clone());
        if releasing {
            q.push(", approved_by = ").arg(actor.user_id).push(", approved_at = ").arg(now.clone());
        }
        q.push(" WHERE status = ").arg(o.status.clone()).push(" AND id = ").arg(id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.order_step"));
        }
        record_step(&mut tx, id.0, Some(&o.status), to, on, note, &self.stamp(actor.user_id)).await?;
        let currency = o.currency().to_string();
        let contract = o.rec.get("contract_no").and_then(Value::as_text).map(str::to_string);
        let post = |kind: &str, due: Option<String>| {
            let mut rec = entry_record(kind, on, o.total_with_tax, &currency, due);
            rec.insert("reference", Value::Text(o.number.clone()));
            rec.insert("contract_no", contract.clone().map(Value::Text).unwrap_or(Value::Null));
            rec
        };
        // A delivery worth nothing (a 100 % discount) posts no invoice: the ledger holds no zero entries.
        if to == "delivered" && o.total_with_tax != 0 {
            let terms = acc.rec.get("payment_terms_days").and_then(Value::as_int).unwrap_or(0);
            let rec = post("invoice", Some((day + time::Duration::days(terms)).to_string()));
            self.insert_entry(&mut tx, actor, o.account_id, &rec, Some(id), None).await?;
        }
        if to == "returned" && o.status == "delivered" && o.total_with_tax != 0 {
            let rec = post("return", None);
            self.insert_entry(&mut tx, actor, o.account_id, &rec, Some(id), None).await?;
        }
        let changes = [("status", Value::Text(o.status.clone()), Value::Text(to.to_string()))];
        Entry::new(Some(actor.user_id), if releasing { Action::Approve } else { Action::Update }, "order", id)
            .account(Some(o.account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        self.order(actor, id).await
    }
}
