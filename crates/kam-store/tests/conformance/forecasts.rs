//! Sales forecasts on both engines: no fit from too little history; a BG/NBD
//! fit on the whole company's orders, kept and audited, refreshed once a day;
//! each reader's forecasts cover their accounts only, expected revenue is the
//! expected orders times the account's average order, the last-year forecast
//! is the same period a year earlier times the trend, and the reps' sums
//! stand beside their targets.

use super::*;
use kam_core::targets::Level;
use kam_store::orders::{LineInput, OrderInput};

/// An order of `qty` at ¥1 (with tax) on `day`.
async fn order(s: &Store, by: &Actor, p: ProductId, acc: AccountId, day: String, qty: i64) -> kam_store::orders::Order {
    let input = OrderInput {
        rec: rec(&[("order_date", text(&day))]),
        lines: vec![LineInput {
            product_id: Some(p),
            rec: rec(&[("quantity", text(&qty.to_string())), ("unit_price", Value::Int(100))]),
        }],
    };
    s.create_order(by, acc, input).await.unwrap()
}

pub async fn forecasts_fit_the_history_and_stay_in_scope(s: Store) {
    let (w, a, p) = money_world(&s).await;
    // Today is 2026-11-28: the coming period is December to February.
    let none = s.refresh_forecast(Some(&w.m1)).await.unwrap();
    assert_eq!((none.status.as_str(), none.params), ("too_short", None));
    assert!(matches!(s.refresh_forecast(Some(&w.rep1)).await, Err(StoreError::Forbidden(_))));

    // 24 East accounts and 2 South ones, each with its own rhythm since 2025.
    let mut accounts = vec![a];
    for i in 1..24 {
        accounts.push(account(&s, &w.rep1, &format!("预测客户{i:02}")).await);
    }
    let south = [account(&s, &w.rep3, "南方客户一").await, account(&s, &w.rep3, "南方客户二").await];
    for (i, acc) in accounts.iter().chain(south.iter()).enumerate() {
        let repeats = i % 5;
        let gap = 20 + (i as i64 * 7) % 50;
        let start = time::macros::date!(2025 - 01 - 06) + time::Duration::days((i as i64 * 11) % 120);
        let by = if south.contains(acc) { &w.rep3 } else { &w.rep1 };
        for k in 0..=repeats as i64 {
            order(&s, by, p, *acc, (start + time::Duration::days(k * gap)).to_string(), 10 + k).await;
        }
    }
    // The hand-checked account: orders on 2025-12-10 (¥10) and 2026-01-20 (¥30); its December-February last year is ¥10.
    let hand = account(&s, &w.rep1, "手算客户").await;
    order(&s, &w.rep1, p, hand, "2025-12-10".into(), 10).await;
    let last = order(&s, &w.rep1, p, hand, "2026-01-20".into(), 30).await;
    // A cancelled order is no purchase.
    let cancelled = order(&s, &w.rep1, p, hand, "2026-11-01".into(), 999).await;
    s.transition_order(&w.rep1, cancelled.id, "cancelled", "2026-11-02", None).await.unwrap();

    let fit = s.refresh_forecast(Some(&w.m1)).await.unwrap();
    assert_eq!(fit.status, "fitted", "{fit:?}");
    assert_eq!(fit.accounts, 27);
    assert!(fit.repeat_accounts >= 5);
    assert_eq!(fit.calibration_end, "2026-11-28");
    let params = fit.params.expect("parameters");
    assert!(fit.log_likelihood.unwrap().is_finite() && fit.log_likelihood.unwrap() < 0.0);
    assert!([params.r, params.alpha, params.a, params.b].iter().all(|v| v.is_finite() && *v > 0.0), "{params:?}");
    assert!(s.recent_audit(20).await.unwrap().iter().any(|e| e.entity == "forecast_fit"));
    // Once a day: a second refresh-on-start the same day does nothing.
    assert!(s.refresh_forecast_if_stale().await.unwrap().is_none());

    let f = s.forecasts(&w.rep1, 1, 200).await.unwrap();
    assert_eq!((f.from.as_str(), f.to.as_str()), ("2026-12-01", "2027-02-28"));
    assert_eq!(f.total, 25, "rep1's 25 accounts, not the South's");
    assert!(f.items.iter().all(|i| !south.contains(&i.account_id)));
    let h = f.items.iter().find(|i| i.account_id == hand).unwrap();
    assert_eq!((h.order_days, h.first_order.as_str(), h.last_order.as_str()), (2, "2025-12-10", "2026-01-20"));
    assert_eq!(f.items.len(), 25, "all on one page");
    // Average order: (¥10 + ¥30) / 2, the cancelled order left out.
    let ten = last.total_with_tax / 3;
    assert_eq!(h.average_order, 2 * ten);
    // P(alive) and the expected orders from the stored parameters, by hand.
    let hist = kam_core::forecast::History { x: 1.0, t_x: 41.0 / 7.0, t: 353.0 / 7.0 };
    assert!((h.p_alive.unwrap() - kam_core::forecast::p_alive(&params, &hist)).abs() < 1e-9);
    let (w_from, w_to) = (2.0 / 7.0, 92.0 / 7.0);
    let e = kam_core::forecast::expected_orders(&params, &hist, w_to)
        - kam_core::forecast::expected_orders(&params, &hist, w_from);
    assert!((h.expected_orders.unwrap() - e).abs() < 1e-9);
    assert_eq!(h.expected_revenue, Some((e * h.average_order as f64).round() as i64));
    // Last year: December 2025 to February 2026 held ¥10 + ¥30; the trend needs both years (none before 2025-11-29).
    assert_eq!(h.last_year.same_period_last_year, 4 * ten);
    assert_eq!(h.last_year.trend, None);
    assert_eq!(h.last_year.forecast, 4 * ten);
    // Largest expected revenue first.
    let rev: Vec<i64> = f.items.iter().map(|i| i.expected_revenue.unwrap()).collect();
    assert!(rev.windows(2).all(|w| w[0] >= w[1]), "{rev:?}");

    // The rep's sum is the accounts' sum, beside the period's target.
    s.set_targets(
        &w.m1,
        Level::Rep,
        2026,
        &[(w.rep1.user_id.0, {
            let mut m = [None; 12];
            m[11] = Some(500_000);
            m
        })],
    )
    .await
    .unwrap();
    let f = s.forecasts(&w.m1, 1, 10).await.unwrap();
    assert_eq!((f.items.len(), f.total), (10, 25), "a page of them");
    let r1 = f.reps.iter().find(|r| r.id == w.rep1.user_id.0).unwrap();
    let all = s.forecasts(&w.rep1, 1, 200).await.unwrap();
    assert_eq!(r1.expected_revenue, all.items.iter().map(|i| i.expected_revenue.unwrap()).sum::<i64>());
    assert_eq!(r1.target, Some(500_000), "December's target; January and February have none");
    let east = f.teams.iter().find(|t| t.id == w.m1.team_id.unwrap().0).unwrap();
    assert_eq!((east.name.as_str(), east.expected_revenue), ("East", r1.expected_revenue));
    // The South rep sees their two accounts; finance sees everyone's; a role without money none.
    assert_eq!(s.forecasts(&w.rep3, 1, 50).await.unwrap().total, 2);
    assert_eq!(s.forecasts(&w.fin, 1, 50).await.unwrap().total, 27);
}
