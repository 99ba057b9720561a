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
