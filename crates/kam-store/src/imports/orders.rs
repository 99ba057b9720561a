//! Order sheets (销售记录): one line per row; rows naming the same account
//! and external order number are one order, the first of them carrying the
//! order's columns. Each row is checked by the order's own rules
//! (`order_errors`) as an order of its line; a later row that disagrees with
//! its order's first row (another date, currency …) is refused, and an order
//! with a refused line is held back whole. An order the account already
//! holds under that external number is a duplicate. Orders are recorded at
//! their sheet status (empty: delivered), history without a credit check or
//! ledger entries (see `place_order_in`); an undo deletes them while nothing
//! has stood on them since.

use std::collections::{BTreeMap, HashMap, HashSet};

use kam_core::audit::Action;
use kam_core::order::{IMPORT_FIELDS, IMPORTED_STATUS, LINE_FIELDS, ORDER_FIELDS};
use kam_core::{AccountId, Actor, OrderId, Value};
use sqlx::Row;

use super::{CellError, Duplicate, Made, OnDuplicate, PlanRow, parse_cells, text, to_create_on};
use crate::audit::Entry;
use crate::orders::{LineInput, OrderInput};
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

/// The columns every line of one order must agree on.
const ORDER_LEVEL: &[&str] = &["order_date", "contract_no", "payment_method", "currency", "delivery_date", "status"];

fn refused(field: &str, key: &str) -> CellError {
    CellError { field: field.into(), message: key.into() }
}

impl Store {
    pub(super) async fn check_orders(
        &self,
        actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let found = self.rows_accounts(actor, input, |f| kam_core::order::can_place(actor, f)).await?;
        let names: Vec<String> = input.iter().filter_map(|(_, v)| v.get("product")).cloned().collect();
        let products = self.products_by_ref(&names).await?;
        // (account, external number) → index in `out` of the order's first row.
        let mut orders: HashMap<(AccountId, String), usize> = HashMap::new();
        for ((row, values), (account_id, mut errors)) in input.iter_mut().zip(found) {
            let mut values = std::mem::take(values);
            // A later line of an order: its blank order cells are the first line's
            // (sheets leave them blank or merged); a filled one must agree.
            let external = values.get("external_no").filter(|s| !s.is_empty()).cloned();
            let mut line_of = None;
            if let (Some(a), Some(ext)) = (account_id, external) {
                match orders.get(&(a, ext.clone())) {
                    Some(&first) => {
                        let first: &PlanRow = &out[first];
                        line_of = Some(first.row);
                        for f in ORDER_LEVEL {
                            let theirs = first.values.get(*f).cloned().unwrap_or_default();
                            match values.get(*f).filter(|v| !v.is_empty()) {
                                None if !theirs.is_empty() => {
                                    values.insert(f.to_string(), theirs);
                                }
                                Some(mine) if *mine != theirs => errors.push(refused(f, "err.import_order_differs")),
                                _ => {}
                            }
                        }
                    }
                    None => {
                        orders.insert((a, ext), out.len());
                    }
                }
            }
            let head = parse_cells(ORDER_FIELDS, &values, &mut errors);
            let line = parse_cells(LINE_FIELDS, &values, &mut errors);
            parse_cells(IMPORT_FIELDS, &values, &mut errors);
            let reference = values.get("product").map(String::as_str).unwrap_or_default();
            let product = match (products.by_code.get(reference), products.by_name.get(reference)) {
                (Some(p), _) | (None, Some(Some(p))) => Some(*p),
                (None, Some(None)) => {
                    errors.push(refused("product", "err.import_product_ambiguous"));
                    None
                }
                (None, None) => {
                    if !reference.is_empty() {
                        errors.push(refused("product", "err.import_product_unknown"));
                    }
                    None
                }
            };
            let product_id = match product {
                Some((_, false)) => {
                    errors.push(refused("product", "err.import_product_inactive"));
                    None
                }
                p => p.map(|(id, _)| id),
            };
            if errors.is_empty() {
                // The order's own rules, as for an order of this one line.
                let one = OrderInput { rec: head, lines: vec![LineInput { product_id, rec: line }] };
                for (f, k) in self.order_errors(&one).0 {
                    let field = f.strip_prefix("lines.0.").unwrap_or(&f);
                    let field = if field == "product_id" { "product" } else { field };
                    errors.push(refused(field, k));
                }
            }
            out.push(PlanRow { account_id, line_of, product_id, ..PlanRow::new(*row, &mut values, errors) });
        }
        // An order with a refused line is held back whole.
        let bad: HashSet<usize> =
            out.iter().filter(|p| !p.errors.is_empty()).map(|p| p.line_of.unwrap_or(p.row)).collect();
        for p in out.iter_mut().filter(|p| p.errors.is_empty() && bad.contains(&p.line_of.unwrap_or(p.row))) {
            p.errors.push(refused("external_no", "err.import_order_incomplete"));
        }
        // Orders the accounts already hold under those numbers (their external
        // number, or KAM's own, as an exported sheet gives it), a batch per query.
        let keys: Vec<String> = orders.keys().map(|(_, e)| e.clone()).collect::<HashSet<_>>().into_iter().collect();
        let mut stored: HashMap<(AccountId, String), (i64, String)> = HashMap::new();
        for chunk in keys.chunks(500) {
            let mut q = Q::new("SELECT id, account_id, external_no, number FROM orders WHERE external_no IN (");
            q.list(chunk.iter().cloned()).push(") OR number IN (").list(chunk.iter().cloned()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                let account: AccountId = crate::sql::id(&r, "account_id")?;
                let number = r.try_get::<Option<String>, _>("number")?.unwrap_or_default();
                let found = (r.try_get("id")?, number.clone());
                if let Some(ext) = r.try_get::<Option<String>, _>("external_no")? {
                    stored.insert((account, ext), found.clone());
                }
                stored.insert((account, number), found);
            }
        }
        for p in out.iter_mut() {
            let ext = p.values.get("external_no").cloned().unwrap_or_default();
            if let Some(a) = p.account_id
                && let Some((id, number)) = stored.get(&(a, ext))
            {
                p.duplicate = Some(Duplicate::Existing { id: *id, name: Some(number.clone()) });
            }
        }
        Ok(())
    }

    /// Writes one order: its first row with the rows that are its later lines.
    pub(super) async fn commit_order_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        (import_id, p, lines): (i64, &PlanRow, &[&PlanRow]),
        choice: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        let Some(account_id) = to_create_on(p, choice)? else { return Ok(None) };
        let mut errors = Vec::new();
        let rec = parse_cells(ORDER_FIELDS, &p.values, &mut errors);
        let status = parse_cells(IMPORT_FIELDS, &p.values, &mut errors)
            .get("status")
            .map(text)
            .filter(|s| !s.is_empty())
            .unwrap_or(IMPORTED_STATUS)
            .to_string();
        let lines = std::iter::once(p)
            .chain(lines.iter().copied())
            .map(|l| LineInput { product_id: l.product_id, rec: parse_cells(LINE_FIELDS, &l.values, &mut errors) })
            .collect();
        let input = OrderInput { rec, lines };
        let found = self.order_errors(&input);
        if !found.is_empty() {
            return Err(StoreError::Invalid(found));
        }
        let note = format!("导入 #{import_id}");
        let id = self.place_order_in(tx, actor, account_id, &input, Some((&status, &note))).await?;
        made.push(Made { entity: "order".into(), id: id.0, action: "created", before: None });
        Ok(Some("created"))
    }

    /// Deletes an imported order with its lines and steps, in the undo's
    /// transaction; an order something was posted against stays (refused).
    pub(super) async fn undo_order(&self, tx: &mut Tx, actor: &Actor, id: OrderId) -> Result<()> {
        let mut q = Q::new("SELECT account_id, number FROM orders WHERE id = ");
        q.arg(id);
        let r = q.query().fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?;
        let account: AccountId = crate::sql::id(&r, "account_id")?;
        let number: Option<String> = r.try_get("number")?;
        let mut q = Q::new("SELECT COUNT(*) AS n FROM ledger_entries WHERE order_id = ");
        q.arg(id);
        if q.query().fetch_one(&mut **tx).await?.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::Conflict("err.import_undo_blocked"));
        }
        for table in ["order_steps", "order_lines"] {
            let mut q = Q::new(&format!("DELETE FROM {table} WHERE order_id = "));
            q.arg(id);
            q.query().execute(&mut **tx).await?;
        }
        let mut q = Q::new("DELETE FROM orders WHERE id = ");
        q.arg(id);
        q.query().execute(&mut **tx).await?;
        let changes = [("number", number.map(Value::Text).unwrap_or(Value::Null), Value::Null)];
        Entry::new(Some(actor.user_id), Action::Delete, "order", id)
            .account(Some(account))
            .changes(&changes)
            .write(tx, self.clock())
            .await?;
        Ok(())
    }
}
