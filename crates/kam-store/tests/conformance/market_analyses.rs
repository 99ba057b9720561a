//! 市场分析: market records per industry and region, and the region ×
//! industry view of the accounts in scope, their delivered revenue and the
//! latest analysis of each market, worked out by hand.

use super::*;

pub async fn market_analyses_and_the_region_view_within_scope(s: Store) {
    use kam_store::market_analyses::AnalysisFilter;
    use kam_store::orders::{LineInput, OrderInput};
    let (w, a, p) = money_world(&s).await;
    let place = rec(&[("province", text("浙江省")), ("industry", text("chemicals"))]);
    s.update_account(&w.rep1, a, AccountInput { rec: place.clone(), ..Default::default() }).await.unwrap();
    let b = account(&s, &w.rep3, "南方化工").await;
    s.update_account(&w.rep3, b, AccountInput { rec: place, ..Default::default() }).await.unwrap();
    // One delivered order of ¥3,390.00 at a (the East's), one at b (the South's).
    let order = OrderInput {
        rec: rec(&[("order_date", text("2026-11-02"))]),
        lines: vec![LineInput {
            product_id: Some(p),
            rec: rec(&[("quantity", text("300")), ("unit_price", Value::Int(1_130))]),
        }],
    };
    for (who, acc) in [(&w.rep1, a), (&w.rep3, b)] {
        let o = s.create_order(who, acc, order.clone()).await.unwrap();
        for (to, day) in [("in_production", "2026-11-03"), ("shipped", "2026-11-04"), ("delivered", "2026-11-05")] {
            s.transition_order(who, o.id, to, day, None).await.unwrap();
        }
    }
    let analysis = |day: &str, size: i64, share: f64| {
        rec(&[
            ("industry", text("chemicals")),
            ("province", text("浙江省")),
            ("analysed_on", text(day)),
            ("market_size", Value::Int(size)),
            ("our_share_pct", Value::Float(share)),
            ("growth_pct", Value::Int(8)),
            ("source", text("行业协会年报")),
        ])
    };
    let old = s.create_market_analysis(&w.m1, analysis("2025-06-30", 1_000_000, 1.0)).await.unwrap();
    let new = s.create_market_analysis(&w.m1, analysis("2026-06-30", 3_390_000, 2.5)).await.unwrap();
    // Refused: a date after today (2026-11-28), no industry.
    assert!(matches!(
        s.create_market_analysis(&w.m1, analysis("2026-12-01", 1, 1.0)).await,
        Err(StoreError::Invalid(e)) if e.0.contains_key("analysed_on")
    ));
    assert!(matches!(
        s.create_market_analysis(&w.m1, rec(&[("analysed_on", text("2026-01-01"))])).await,
        Err(StoreError::Invalid(e)) if e.0.contains_key("industry")
    ));
    let list = s
        .market_analyses(&w.rep1, &AnalysisFilter { industry: Some("chemicals".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((list.total, list.items[0].id), (2, new.id), "the latest first");

    // The East's view of 2026: its one account, its ¥3,390.00, the 2026 analysis: 339,000 of
    // 3,390,000 = 10.0 %.
    let east = s.market_regions(&w.m1, 2026).await.unwrap();
    let c = east.iter().find(|c| c.province == "浙江省" && c.industry == "chemicals").expect("the cell");
    assert_eq!((c.accounts, c.revenue, c.analysis_id), (1, Some(339_000), Some(new.id)));
    assert_eq!((c.market_size, c.recorded_share_pct, c.computed_share_pct), (Some(3_390_000), Some(2.5), Some(10.0)));
    // The admin's: both accounts, twice the revenue: 20.0 %.
    let all = s.market_regions(&w.admin, 2026).await.unwrap();
    let c = all.iter().find(|c| c.province == "浙江省" && c.industry == "chemicals").unwrap();
    assert_eq!((c.accounts, c.revenue, c.computed_share_pct), (2, Some(678_000), Some(20.0)));
    // 2025: no revenue that year; the 2025 analysis.
    let y25 = s.market_regions(&w.admin, 2025).await.unwrap();
    let c = y25.iter().find(|c| c.province == "浙江省" && c.industry == "chemicals").unwrap();
    assert_eq!((c.revenue, c.analysis_id, c.computed_share_pct), (Some(0), Some(old.id), Some(0.0)));

    // Changed and removed, audited.
    let changed = s.update_market_analysis(&w.m1, old.id, rec(&[("growth_pct", Value::Int(-3))])).await.unwrap();
    assert_eq!(changed.rec["growth_pct"], Value::Int(-3));
    s.delete_market_analysis(&w.m1, old.id).await.unwrap();
    assert!(matches!(s.market_analysis(&w.m1, old.id).await, Err(StoreError::NotFound)));
    let h = s.entity_history(&w.admin, "market_analysis", old.id).await.unwrap();
    assert_eq!(h.len(), 3, "created, changed, removed");
}

/// The sales report: delivered orders of the year only, in scope, by month,
/// product, rep and grade; the sums recomputed by hand.
pub async fn sales_report_counts_delivered_orders_within_scope(s: Store) {
    use kam_store::orders::{LineInput, OrderInput};
    let (w, a, p) = money_world(&s).await;
    s.update_account(&w.rep1, a, AccountInput { rec: rec(&[("grade", text("A"))]), ..Default::default() })
        .await
        .unwrap();
    let b = account(&s, &w.rep3, "南方销售客户").await;
    let order = |day: &str, qty: &str| OrderInput {
        rec: rec(&[("order_date", text(day))]),
        lines: vec![LineInput {
            product_id: Some(p),
            rec: rec(&[("quantity", text(qty)), ("unit_price", Value::Int(1_130))]),
        }],
    };
    let deliver = async |who: &Actor, acc: AccountId, day: &str, qty: &str| {
        let o = s.create_order(who, acc, order(day, qty)).await.unwrap();
        for to in ["in_production", "shipped", "delivered"] {
            s.transition_order(who, o.id, to, "2026-11-20", None).await.unwrap();
        }
    };
    // a: 100 kg in October, 200.5 kg in November (delivered); 50 kg placed only; b: 10 kg in November.
    deliver(&w.rep1, a, "2026-10-10", "100").await;
    deliver(&w.rep1, a, "2026-11-10", "200.5").await;
    s.create_order(&w.rep1, a, order("2026-11-11", "50")).await.unwrap();
    deliver(&w.rep3, b, "2026-11-12", "10").await;
    // ¥11.30 a kg with tax: 100 kg = 113,000 fen; 200.5 kg = 226,565; 10 kg = 11,300.
    let east = s.sales_report(&w.m1, 2026).await.unwrap();
    assert_eq!((east.orders, east.with_tax), (2, 113_000 + 226_565));
    assert_eq!(east.by_month.len(), 12);
    assert_eq!((east.by_month[9].key.as_str(), east.by_month[9].with_tax), ("2026-10", 113_000));
    assert_eq!((east.by_month[10].orders, east.by_month[0].orders), (1, 0));
    let prod = &east.by_product[0];
    assert_eq!(
        (prod.key.as_str(), prod.orders, prod.quantity, prod.unit.as_deref()),
        ("P-001", 2, Some(300.5), Some("Kg"))
    );
    assert_eq!(east.by_rep.len(), 1);
    assert_eq!((east.by_rep[0].label.as_deref(), east.by_rep[0].with_tax), (Some("rep1"), 339_565));
    assert_eq!((east.by_grade[0].key.as_str(), east.by_grade[0].orders), ("A", 2));
    let all = s.sales_report(&w.admin, 2026).await.unwrap();
    assert_eq!((all.orders, all.with_tax), (3, 339_565 + 11_300));
    assert_eq!(all.by_rep.len(), 2);
    assert_eq!(all.by_product[0].quantity, Some(310.5));
    assert_eq!(s.sales_report(&w.admin, 2025).await.unwrap().orders, 0);
    let svc = testing::user(&s, "svc_sales", Role::Service, None).await;
    assert!(matches!(s.sales_report(&actor(&s, svc).await, 2026).await, Err(StoreError::Forbidden(_))));
}
