//! Products 产品 and orders 销售记录/订单: lines, totals with and without tax
//! (含税/不含税), the order's steps, and the credit limit check made when an
//! order is placed.
//!
//! Rounding, stated once: unit prices include VAT (含税价, as Chinese price
//! lists quote them); a line's total with tax is quantity × unit price × (1 −
//! discount), rounded half away from zero to the 分; the amount without tax is
//! total ÷ (1 + rate), rounded the same way; the tax is the difference, so the
//! two always add up. An order's totals are the sums of its lines.

use serde::Serialize;

use crate::access::{AccountFacts, Actor, Role};
use crate::fields::{EnumDef, FieldDef, Kind};
use crate::ledger::PAYMENT_METHOD;

pub static PRODUCT_FIELDS: &[FieldDef] = &[
    FieldDef::new("code", Kind::Text(50), "product").required(),
    FieldDef::new("name", Kind::Text(200), "product").required(),
    FieldDef::new("unit", Kind::Text(20), "product").required(),
    FieldDef::new("list_price", Kind::Money, "product"),
    FieldDef::new("tax_rate", Kind::VatRate, "product"),
    FieldDef::new("active", Kind::Bool, "product"),
    FieldDef::new("note", Kind::Text(500), "product"),
];

pub static ORDER_FIELDS: &[FieldDef] = &[
    FieldDef::new("order_date", Kind::Date, "order").required(),
    // The order's number in the system it came from (an ERP, last year's sheet).
    FieldDef::new("external_no", Kind::Text(50), "order"),
    FieldDef::new("contract_no", Kind::Text(50), "order"),
    FieldDef::new("payment_method", Kind::Enum(&PAYMENT_METHOD), "order"),
    FieldDef::new("currency", Kind::Currency, "order"),
    FieldDef::new("delivery_date", Kind::Date, "order"),
    FieldDef::new("note", Kind::LongText, "order"),
];

/// A line: product (outside the registry), quantity, unit price with tax,
/// discount and VAT rate (13 % goods, 6 % services by default).
pub static LINE_FIELDS: &[FieldDef] = &[
    FieldDef::new("quantity", Kind::Quantity, "line").required(),
    // Empty: the product's list price.
    FieldDef::new("unit_price", Kind::Money, "line"),
    FieldDef::new("discount_pct", Kind::Percent, "line"),
    FieldDef::new("tax_rate", Kind::VatRate, "line"),
];

/// The columns of an order sheet besides the order's and the line's fields:
/// the line's product (by code or exact name) and the status the order is
/// recorded at (empty: delivered — a sheet of orders is a record of business done).
pub static IMPORT_FIELDS: &[FieldDef] = &[
    FieldDef::new("product", Kind::Text(200), "line").required(),
    FieldDef::new("status", Kind::Enum(&STATUS), "order"),
];

/// The status an imported order is recorded at when its sheet names none.
pub const IMPORTED_STATUS: &str = "delivered";

/// The default VAT rate of goods.
pub const DEFAULT_TAX_RATE: f64 = 13.0;

pub static STATUS: EnumDef = EnumDef {
    name: "order_status",
    values: &["credit_hold", "placed", "in_production", "shipped", "delivered", "cancelled", "returned"],
};

/// The steps an order may take from a status.
pub fn next_steps(from: &str) -> &'static [&'static str] {
    match from {
        "credit_hold" => &["placed", "cancelled"],
        "placed" => &["in_production", "shipped", "cancelled"],
        "in_production" => &["shipped", "cancelled"],
        "shipped" => &["delivered", "returned"],
        "delivered" => &["returned"],
        _ => &[],
    }
}

pub fn can_move(from: &str, to: &str) -> bool {
    next_steps(from).contains(&to)
}

/// Orders not yet invoiced that count against the credit limit.
pub fn is_open(status: &str) -> bool {
    matches!(status, "placed" | "in_production" | "shipped")
}

/// Rounds `n / d` half away from zero (d > 0).
fn round_div(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d { q + n.signum() } else { q }
}

/// A percentage as basis points (13 → 1300).
fn bp(pct: f64) -> i128 {
    (pct * 100.0).round() as i128
}

/// One line's totals in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub with_tax: i64,
    pub without_tax: i64,
    pub tax: i64,
}

impl std::ops::Add for Totals {
    type Output = Totals;
    fn add(self, o: Totals) -> Totals {
        Totals {
            with_tax: self.with_tax + o.with_tax,
            without_tax: self.without_tax + o.without_tax,
            tax: self.tax + o.tax,
        }
    }
}

/// A line's totals: quantity in thousandths, unit price with tax in minor units.
pub fn line_totals(quantity_milli: i64, unit_price: i64, discount_pct: f64, tax_rate_pct: f64) -> Totals {
    let gross =
        round_div(i128::from(quantity_milli) * i128::from(unit_price) * (10_000 - bp(discount_pct)), 10_000_000);
    let without = round_div(gross * 10_000, 10_000 + bp(tax_rate_pct));
    Totals { with_tax: gross as i64, without_tax: without as i64, tax: (gross - without) as i64 }
}

/// What the credit check found when an order is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CreditCheck {
    pub limit: Option<i64>,
    /// Balance + open orders + this order.
    pub exposure: i64,
    pub over: bool,
}

/// Over the limit when balance + open orders + this order exceeds it; no
/// limit set means no check.
pub fn credit_check(limit: Option<i64>, balance: i64, open_orders: i64, this_order: i64) -> CreditCheck {
    let exposure = balance + open_orders + this_order;
    CreditCheck { limit, exposure, over: limit.is_some_and(|l| exposure > l) }
}

/// Placing orders: whoever may edit the account (its rep, their manager, admin).
pub fn can_place(actor: &Actor, a: &AccountFacts) -> bool {
    matches!(actor.role, Role::Sales | Role::Manager | Role::Admin) && actor.can_edit_account(a)
}

/// Moving an order along (production, shipping, delivery, cancellation):
/// the account's editors and finance.
pub fn can_move_order(actor: &Actor, a: &AccountFacts) -> bool {
    match actor.role {
        Role::Finance | Role::Admin => true,
        Role::Sales | Role::Manager => actor.can_edit_account(a),
        _ => false,
    }
}

/// Releasing an order held over the credit limit: finance, admin, or a
/// manager of the account's team — never the rep who placed it.
pub fn can_approve_credit(actor: &Actor, a: &AccountFacts) -> bool {
    match actor.role {
        Role::Finance | Role::Admin => true,
        Role::Manager => actor.can_edit_account(a),
        _ => false,
    }
}

/// Maintaining the product list.
pub fn can_edit_products(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Manager | Role::Finance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{TeamId, UserId};

    #[test]
    fn totals_round_half_away_from_zero_and_add_up() {
        // 3 × ¥11.30 with 13 % VAT: 33.90 with tax, 30.00 without, 3.90 tax.
        assert_eq!(line_totals(3_000, 1_130, 0.0, 13.0), Totals { with_tax: 3_390, without_tax: 3_000, tax: 390 });
        // 2.5 kg at ¥9.99 less 10 %: 22.4775 → 22.48.
        let t = line_totals(2_500, 999, 10.0, 13.0);
        assert_eq!(t.with_tax, 2_248);
        assert_eq!(t.without_tax + t.tax, t.with_tax);
        assert_eq!(t.without_tax, 1_989, "22.48 / 1.13 = 19.893… → 19.89");
        // Services at 6 %.
        assert_eq!(line_totals(1_000, 10_600, 0.0, 6.0).without_tax, 10_000);
        assert_eq!(round_div(5, 10), 1);
        assert_eq!(round_div(-5, 10), -1);
        assert_eq!(round_div(4, 10), 0);
    }

    #[test]
    fn order_steps() {
        assert!(can_move("placed", "in_production"));
        assert!(can_move("shipped", "delivered"));
        assert!(can_move("delivered", "returned"));
        assert!(can_move("credit_hold", "placed"));
        assert!(!can_move("delivered", "placed"), "no way back");
        assert!(!can_move("cancelled", "placed"));
        assert!(!can_move("placed", "delivered"), "delivery comes after shipping");
        assert!(!can_move("shipped", "cancelled"), "a shipped order is returned, not cancelled");
        for s in STATUS.values {
            for n in next_steps(s) {
                assert!(STATUS.values.contains(n));
            }
        }
    }

    #[test]
    fn the_credit_limit_counts_balance_open_orders_and_this_one() {
        assert!(!credit_check(Some(1_000), 400, 300, 300).over, "exactly at the limit is allowed");
        assert!(credit_check(Some(1_000), 400, 300, 301).over);
        assert!(!credit_check(None, 10_000, 0, 1).over, "no limit, no check");
        assert!(credit_check(Some(0), 0, 0, 1).over);
    }

    #[test]
    fn who_places_moves_and_approves() {
        let mine =
            AccountFacts { owner_id: Some(UserId(1)), owner_team_id: Some(TeamId(10)), shared_with_actor: false };
        let rep = Actor { user_id: UserId(1), role: Role::Sales, team_id: Some(TeamId(10)) };
        let other_rep = Actor { user_id: UserId(2), role: Role::Sales, team_id: Some(TeamId(10)) };
        let m = Actor { user_id: UserId(5), role: Role::Manager, team_id: Some(TeamId(10)) };
        let fin = Actor { user_id: UserId(9), role: Role::Finance, team_id: None };
        let svc = Actor { user_id: UserId(8), role: Role::Service, team_id: None };
        assert!(can_place(&rep, &mine) && !can_place(&other_rep, &mine) && !can_place(&fin, &mine));
        assert!(!can_approve_credit(&rep, &mine), "a rep never releases their own order");
        assert!(can_approve_credit(&m, &mine) && can_approve_credit(&fin, &mine));
        assert!(can_move_order(&fin, &mine) && !can_move_order(&svc, &mine));
        assert!(can_edit_products(&fin) && !can_edit_products(&rep));
    }
}
