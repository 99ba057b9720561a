//! The health score on both engines: every factor read from the records
//! (the visit plan's grace in SQL date arithmetic, the ledger's overdue part,
//! open complaints, the survey trend, 附表六), the contributions adding up to
//! the score as computed by hand, the list worst first within scope, and the
//! admin's weights.

use super::*;
use kam_core::activity::{INTERACTION, SURVEY, VISIT};
use kam_core::complaint::COMPLAINT;

fn factor<'a>(h: &'a kam_core::health::Health, key: &str) -> &'a kam_core::health::Factor {
    h.factors.iter().find(|f| f.key == key).unwrap()
}

pub async fn health_explains_itself_within_scope(s: Store) {
    let (w, a, _) = money_world(&s).await;
    let far = account(&s, &w.rep3, "健康丙").await;
    // A new account: only complaints apply (none), so it is at 100.
    let fresh = account(&s, &w.rep1, "健康新").await;
    let h = s.health(&w.rep1, fresh).await.unwrap().health;
    assert_eq!(h.score, Some(100));
    assert_eq!(factor(&h, "contact_recency").score, None, "too young to have been called");

    // a: four visits planned (every 92 days), March on time, May late, July missed, December to come.
    let plan = [
        Some(time::macros::date!(2026 - 03 - 10)),
        Some(time::macros::date!(2026 - 05 - 10)),
        Some(time::macros::date!(2026 - 07 - 10)),
        Some(time::macros::date!(2026 - 12 - 10)),
    ];
    s.set_visit_plan(&w.rep1, a, 2026, &plan).await.unwrap();
    for day in ["2026-03-12T10:00", "2026-05-25T10:00"] {
        let v = rec(&[("visited_at", text(day)), ("goal", text("回访"))]);
        s.create_activity(&VISIT, &w.rep1, a, v).await.unwrap();
    }
    // The last contact: a call 46 days before the 28th of November.
    let call = rec(&[("occurred_at", text("2026-10-13T09:00")), ("channel", text("phone")), ("subject", text("电话"))]);
    s.create_activity(&INTERACTION, &w.rep1, a, call).await.unwrap();
    // Ledger: 10,000 due in October less 4,000 paid is overdue, 30,000 is not due: 6,000 of 36,000.
    let due = |kind: &str, date: &str, amount: i64, due: &str| {
        let mut r = post(kind, date, amount);
        r.insert("due_date", text(due));
        r
    };
    s.post_entry(&w.fin, a, due("invoice", "2026-09-01", 10_000, "2026-10-01")).await.unwrap();
    s.post_entry(&w.fin, a, due("invoice", "2026-11-20", 30_000, "2026-12-20")).await.unwrap();
    s.post_entry(&w.fin, a, post("payment", "2026-11-25", 4_000)).await.unwrap();
    // An invoice posted and reversed leaves nothing behind.
    let wrong = s.post_entry(&w.fin, a, due("invoice", "2026-08-01", 50_000, "2026-09-01")).await.unwrap();
    s.reverse_entry(&w.fin, wrong.id, time::macros::date!(2026 - 11 - 02), Some("录错")).await.unwrap();
    // One open complaint, not yet due.
    let c = rec(&[
        ("received_at", text("2026-11-28T09:00")),
        ("complainant", text("李经理")),
        ("subject", text("包装破损")),
        ("content", text("两箱破损")),
        ("priority", text("normal")),
    ]);
    s.create_activity(&COMPLAINT, &w.rep1, a, c).await.unwrap();
    // Satisfaction fell from 5 to 4.
    for (day, score) in [("2026-06-01", 5), ("2026-11-01", 4)] {
        let r = rec(&[("surveyed_on", text(day)), ("overall", Value::Int(score))]);
        s.create_activity(&SURVEY, &w.rep1, a, r).await.unwrap();
    }
    // 附表六 for November: 3 and 2, average 2.5.
    let mut col = [None; kam_core::capability::FACTORS];
    col[0] = Some(3);
    col[1] = Some(2);
    s.set_capability_month(&w.rep1, a, 2026, 11, &col).await.unwrap();

    let h = s.health(&w.rep1, a).await.unwrap().health;
    let r = factor(&h, "contact_recency");
    assert_eq!((r.value, r.of, r.score), (Some(46.0), Some(92.0), Some(1.0)));
    let v = factor(&h, "visit_plan");
    assert_eq!((v.value, v.of, v.extra, v.score), (Some(1.0), Some(3.0), Some(1.0), Some(0.5)));
    let o = factor(&h, "overdue_receivables");
    assert_eq!(o.value, Some(16.7), "6,000 of 36,000");
    let c = factor(&h, "complaints");
    assert_eq!((c.value, c.extra, c.score), (Some(1.0), Some(0.0), Some(0.75)));
    assert_eq!(factor(&h, "satisfaction").score, Some(0.55));
    assert_eq!(factor(&h, "order_trend").score, None, "no orders in two years");
    assert_eq!(factor(&h, "capability").value, Some(2.5));
    // By hand: (20×1 + 15×0.5 + 20×5/6 + 15×0.75 + 10×0.55 + 10×0.5) ÷ 90 × 100 = 73.24 → 73;
    // points 22.22, 8.33, 18.52, 12.5, 6.11, 0, 5.56 → floors 71, the two largest remainders (capability, overdue) +1.
    assert_eq!(h.score, Some(73));
    let points: Vec<i64> = h.factors.iter().map(|f| f.points).collect();
    assert_eq!(points, vec![22, 8, 19, 12, 6, 0, 6]);
    assert_eq!(points.iter().sum::<i64>(), 73);

    // Scope: another team's account is not there; the list is worst first.
    assert!(matches!(s.health(&w.rep1, far).await, Err(StoreError::NotFound)));
    let f = kam_store::health::HealthFilter { page: 1, per_page: 50, ..Default::default() };
    let mine = s.health_list(&w.rep1, &f).await.unwrap();
    let ids: Vec<AccountId> = mine.items.iter().map(|x| x.account_id).collect();
    assert_eq!(ids, vec![a, fresh], "73 before 100, nothing of rep3's");
    let theirs = s.health_list(&w.rep3, &f).await.unwrap();
    assert_eq!(theirs.items.iter().map(|x| x.account_id).collect::<Vec<_>>(), vec![far]);
    let by_owner = kam_store::health::HealthFilter { owner_id: Some(w.rep3.user_id), ..f.clone() };
    assert_eq!(s.health_list(&w.m1, &by_owner).await.unwrap().total, 0, "rep3 is not in m1's team");

    // The admin's weights: only the ledger counts; a rep may not set them.
    let only_money = kam_core::health::Weights([0, 0, 100, 0, 0, 0, 0]);
    assert!(matches!(s.set_health_weights(&w.rep1, only_money).await, Err(StoreError::Forbidden(_))));
    s.set_health_weights(&w.admin, only_money).await.unwrap();
    assert_eq!(s.health_weights().await.unwrap(), only_money);
    let h = s.health(&w.rep1, a).await.unwrap().health;
    assert_eq!(h.score, Some(83), "1 − 1/6");
    assert_eq!(s.health(&w.rep1, fresh).await.unwrap().health.score, None, "nothing weighted applies");
}
