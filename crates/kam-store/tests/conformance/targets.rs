//! Sales targets on both engines: a manager sets the team's reps' months in
//! one audited save, others may not; attainment sums delivered orders and
//! collections per rep in SQL, rolls them up to the team and the company,
//! and each reader sees their own part only.

use super::*;
use kam_core::targets::{Level, Period};
use kam_store::orders::{LineInput, OrderInput};

pub async fn targets_roll_up_and_attain_within_scope(s: Store) {
    let (w, a, p) = money_world(&s).await;
    let rep = |id: UserId| id.0;
    let months = |pairs: &[(usize, i64)]| {
        let mut m = [None; 12];
        for (i, v) in pairs {
            m[i - 1] = Some(*v);
        }
        m
    };
    // The manager sets October and November for rep1, November for rep2.
    let rows = [
        (rep(w.rep1.user_id), months(&[(10, 100_000), (11, 200_000)])),
        (rep(w.rep2.user_id), months(&[(11, 50_000)])),
    ];
    s.set_targets(&w.m1, Level::Rep, 2026, &rows).await.unwrap();
    // Not a rep of another team, not by a rep, nothing half-written.
    let far = [(rep(w.rep1.user_id), months(&[(12, 1)])), (rep(w.rep3.user_id), months(&[(11, 9)]))];
    assert!(matches!(s.set_targets(&w.m1, Level::Rep, 2026, &far).await, Err(StoreError::NotFound)));
    assert!(matches!(
        s.set_targets(&w.rep1, Level::Rep, 2026, &[(rep(w.rep1.user_id), months(&[(11, 1)]))]).await,
        Err(StoreError::Forbidden(_))
    ));
    let mine = s.targets(&w.m1, Level::Rep, 2026).await.unwrap();
    let r1 = mine.iter().find(|r| r.id == rep(w.rep1.user_id)).unwrap();
    assert_eq!(
        (r1.months[9], r1.months[10], r1.months[11]),
        (Some(100_000), Some(200_000), None),
        "December untouched"
    );
    assert!(mine.iter().all(|r| r.id != rep(w.rep3.user_id)), "the South rep is not in the East manager's sight");
    assert_eq!(s.targets(&w.rep1, Level::Rep, 2026).await.unwrap().len(), 1, "a rep sees their own row");
    // One audit row per rep saved.
    let audited = s.recent_audit(50).await.unwrap();
    assert_eq!(audited.iter().filter(|e| e.entity == "target_rep_2026").count(), 2);

    // Actuals: a delivered November order of ¥1,130 × 100 with tax, a payment of ¥500 (and one reversed).
    let o = s
        .create_order(
            &w.rep1,
            a,
            OrderInput {
                rec: rec(&[("order_date", text("2026-11-02"))]),
                lines: vec![LineInput {
                    product_id: Some(p),
                    rec: rec(&[("quantity", text("100")), ("unit_price", Value::Int(1_130))]),
                }],
            },
        )
        .await
        .unwrap();
    s.transition_order(&w.rep1, o.id, "shipped", "2026-11-03", None).await.unwrap();
    let o = s.transition_order(&w.rep1, o.id, "delivered", "2026-11-05", None).await.unwrap();
    s.post_entry(&w.fin, a, post("payment", "2026-11-20", 50_000)).await.unwrap();
    let wrong = s.post_entry(&w.fin, a, post("payment", "2026-11-21", 70_000)).await.unwrap();
    s.reverse_entry(&w.fin, wrong.id, time::macros::date!(2026 - 11 - 22), Some("重复")).await.unwrap();
    s.post_entry(&w.fin, a, post("payment", "2026-09-30", 1_000)).await.unwrap();

    let q4 = Period::parse("2026-Q4").unwrap();
    let all = s.attainment(&w.admin, &q4).await.unwrap();
    let r1 = all.reps.iter().find(|r| r.id == Some(rep(w.rep1.user_id))).unwrap();
    assert_eq!((r1.target, r1.delivered, r1.collected), (Some(300_000), o.total_with_tax, 50_000));
    assert_eq!(r1.delivered_pct, Some((o.total_with_tax as f64 * 1000.0 / 300_000.0).round() / 10.0));
    let east = all.teams.iter().find(|t| t.team_id == w.m1.team_id).unwrap();
    assert_eq!((east.target, east.reps_target), (Some(350_000), Some(350_000)), "no team target: the reps' sum");
    assert_eq!(east.delivered, o.total_with_tax);
    let company = all.company.expect("the admin sees the company");
    assert_eq!((company.target, company.delivered, company.collected), (Some(350_000), o.total_with_tax, 50_000));
    // A team target of its own replaces the sum; the sum stays beside it.
    let team = w.m1.team_id.unwrap().0;
    s.set_targets(&w.m1, Level::Team, 2026, &[(team, months(&[(10, 200_000), (11, 200_000), (12, 200_000)]))])
        .await
        .unwrap();
    let east = s.attainment(&w.m1, &q4).await.unwrap();
    assert_eq!(east.teams.len(), 1);
    assert_eq!((east.teams[0].target, east.teams[0].reps_target), (Some(600_000), Some(350_000)));
    assert!(east.company.is_none(), "a manager sees their team, not the company");
    // October alone: rep1's October target, nothing delivered; the September payment is outside every quarter's view.
    let oct = s.attainment(&w.rep1, &Period::parse("2026-10").unwrap()).await.unwrap();
    assert_eq!(oct.reps.len(), 1);
    assert_eq!((oct.reps[0].target, oct.reps[0].delivered, oct.reps[0].collected), (Some(100_000), 0, 0));
    assert!(oct.teams.is_empty(), "a rep sees no team sums");
    // The South rep sees nothing of East's.
    let south = s.attainment(&w.rep3, &q4).await.unwrap();
    assert_eq!((south.reps.len(), south.reps[0].delivered, south.reps[0].target), (1, 0, None));
}
