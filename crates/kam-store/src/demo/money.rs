//! The demo's money: products, opening balances, contracts, orders through
//! their steps with invoices, payments and a reversal, and the credit terms.

use super::*;

/// Products, and for the first accounts an opening balance, orders in every
/// state (delivered ones invoiced through the ledger) and payments, so that
/// receivables, aging and credit holds have something to show.
pub(super) async fn add_money(store: &Store, admin: &Actor, accounts: &[AccountId], rng: &mut Rng) -> Result<()> {
    use crate::orders::{LineInput, OrderInput};
    let products: &[(&str, &str, &str, i64)] = &[
        ("BM-100", "工业包装膜", "Kg", 1_130),
        ("BM-200", "高阻隔复合膜", "Kg", 2_260),
        ("ZD-050", "缠绕膜 50cm", "卷", 4_520),
        ("JD-010", "胶带 48mm", "箱", 16_950),
        ("FW-001", "上门技术服务", "次", 106_000),
    ];
    let mut ids = Vec::new();
    for (code, name, unit, price) in products {
        let mut rec = Record::new();
        rec.insert("code", text(*code));
        rec.insert("name", text(*name));
        rec.insert("unit", text(*unit));
        rec.insert("list_price", Value::Int(*price));
        if code.starts_with("FW") {
            rec.insert("tax_rate", Value::Float(6.0));
        }
        ids.push(store.create_product(admin, rec).await?.id);
    }
    let today = store.today();
    let day = |n: i64| (today - time::Duration::days(n)).to_string();
    for (i, account) in accounts.iter().take(40).enumerate() {
        let acc = store.account(admin, *account).await?;
        if acc.owner_id.is_none() {
            continue;
        }
        let mut opening = Record::new();
        opening.insert("entry_date", text(day(120)));
        opening.insert("kind", text("opening_balance"));
        opening.insert("amount", Value::Int((rng.below(50) as i64 + 1) * 100_000));
        opening.insert("reference", text("系统上线期初余额"));
        opening.insert("due_date", text(day(90)));
        let opened = store.post_entry(admin, *account, opening).await?;
        if rng.chance(75) {
            // Most customers settled the old balance on time.
            let mut pay = Record::new();
            pay.insert("entry_date", text(day(100)));
            pay.insert("kind", text("payment"));
            pay.insert("amount", Value::Int(opened.amount()));
            pay.insert("payment_method", text("bank_transfer"));
            pay.insert("voucher_no", text(format!("PZ{}-O{i:03}", today.year())));
            store.post_entry(admin, *account, pay).await?;
        }
        if i < 24 {
            // A framework contract in force (some near their end), and for a few an SLA.
            let ends = if i % 4 == 0 { 40 + rng.below(50) as i64 } else { 200 + rng.below(300) as i64 };
            let mut c = Record::new();
            c.insert("contract_no", text(format!("KJ-{}-{:03}", today.year(), i)));
            c.insert("contract_type", text(if i % 6 == 0 { "sla" } else { "framework" }));
            c.insert("title", text(if i % 6 == 0 { "年度服务级别协议" } else { "年度采购框架协议" }));
            c.insert("signed_on", text(day(300)));
            c.insert("valid_from", text(day(300)));
            c.insert("valid_to", text((today + time::Duration::days(ends)).to_string()));
            c.insert("amount", Value::Int((rng.below(90) as i64 + 10) * 1_000_000));
            c.insert("payment_terms", text("货到验收合格后 30 天内付款"));
            if i % 6 == 0 {
                c.insert("sla_reply_urgent", Value::Int(2));
                c.insert("sla_resolve_urgent", Value::Int(12));
                c.insert("sla_reply_high", Value::Int(4));
                c.insert("sla_resolve_high", Value::Int(48));
            }
            let made = store.create_contract(admin, *account, c).await?;
            store.transition_contract(admin, made.id, "active").await?;
        }
        for k in 0..(1 + rng.below(3)) {
            let ago = 100 - (k as i64) * 30 - rng.below(10) as i64;
            let mut rec = Record::new();
            rec.insert("order_date", text(day(ago)));
            rec.insert("contract_no", text(format!("HT-{}-{:03}", today.year(), i * 3 + k)));
            rec.insert("payment_method", text(*rng.pick(&["bank_transfer", "acceptance_bill"])));
            let line = |p: ProductId, qty: usize| LineInput {
                product_id: Some(p),
                rec: [("quantity", text(qty.to_string()))].into_iter().collect(),
            };
            let lines =
                vec![line(*rng.pick(&ids[..4]), 50 + rng.below(400)), line(*rng.pick(&ids[..4]), 10 + rng.below(100))];
            let o = store.create_order(admin, *account, OrderInput { rec, lines }).await?;
            if o.status != "placed" {
                continue;
            }
            let steps: &[(&str, i64)] = match k {
                0 => &[("in_production", 3), ("shipped", 8), ("delivered", 10)],
                1 => &[("shipped", 5), ("delivered", 7)],
                _ => &[("in_production", 2)],
            };
            for (to, after) in steps {
                let on = day((ago - after).max(0));
                store.transition_order(admin, o.id, to, &on, None).await?;
            }
            if k == 0 && rng.chance(70) {
                let mut pay = Record::new();
                pay.insert("entry_date", text(day((ago - 40).max(0))));
                pay.insert("kind", text("payment"));
                pay.insert("amount", Value::Int(o.total_with_tax / 100 * (50 + rng.below(51) as i64)));
                pay.insert("payment_method", text("bank_transfer"));
                pay.insert("voucher_no", text(format!("PZ{}{:04}", today.year(), i * 7 + k)));
                store.post_entry(admin, *account, pay).await?;
            }
        }
    }
    // Last month's statements: generated, three sent, one confirmed, one disputed.
    let last = today.replace_day(1).map(|d| d - time::Duration::days(1)).unwrap_or(today);
    let period = kam_core::time_util::month_of(last);
    let made = store.generate_statements(admin, &period, None).await?;
    for (n, id) in made.created.iter().take(3).enumerate() {
        store.send_statement(admin, *id).await?;
        let st = store.statement(admin, *id).await?;
        match (n, st.lines.first()) {
            (0, _) => {
                store.answer_statement(admin, *id, &[]).await?;
            }
            (1, Some(line)) => {
                let answer = kam_core::statement::Answer::Disputed {
                    customer_amount: line.amount - line.amount.signum() * 50_000,
                    note: "客户称有一笔 500 元的折让未计入".into(),
                };
                store.answer_statement(admin, *id, &[(line.id, answer)]).await?;
            }
            _ => {}
        }
    }
    // One account at its limit, with an order waiting for credit approval.
    let mut owned = None;
    for a in accounts.iter().take(40) {
        if store.account(admin, *a).await?.owner_id.is_some() {
            owned = Some(*a);
            break;
        }
    }
    if let Some(first) = owned {
        let ledgers = store.ledgers(admin, first).await?;
        let balance = ledgers.first().map(|l| l.balance).unwrap_or(0);
        let mut terms = Record::new();
        terms.insert("credit_limit", Value::Int(balance.max(0) + 100_000));
        store.update_account(admin, first, crate::accounts::AccountInput { rec: terms, ..Default::default() }).await?;
        let mut rec = Record::new();
        rec.insert("order_date", text(day(1)));
        rec.insert("note", text("客户追加订单，超出信用额度"));
        let lines =
            vec![LineInput { product_id: Some(ids[1]), rec: [("quantity", text("200"))].into_iter().collect() }];
        store.create_order(admin, first, OrderInput { rec, lines }).await?;
    }
    Ok(())
}
