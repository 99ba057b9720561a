//! The boards' aggregates (kam_store::dashboards): complaints by status and
//! against their deadlines, the quarter's visit-plan compliance, the
//! capability trend, statements by status and orders on credit hold — each
//! counted within the viewer's scope, every figure worked out by hand below.

use super::*;

pub async fn dashboards_count_complaints_plans_holds_and_statements_within_scope(s: Store) {
    use kam_core::activity::VISIT;
    use kam_core::complaint::COMPLAINT;
    use kam_core::dashboard::Board;
    use kam_store::orders::{LineInput, OrderInput};
    use time::macros::date;
    let (w, a, p) = money_world(&s).await;
    let b = account(&s, &w.rep3, "南方看板客户").await;
    let svc = testing::user(&s, "svc_d", Role::Service, None).await;
    let svc = actor(&s, svc).await;

    // Complaints. "Now" is the store's clock (2026-11-28, China time).
    let now = s.clock().now();
    let minute = |t: time::OffsetDateTime| kam_core::time_util::china_minute(t);
    let card = |at: &str, priority: &str| {
        rec(&[
            ("received_at", text(at)),
            ("complainant", text("李经理")),
            ("subject", text("交货延迟")),
            ("content", text("晚到")),
            ("priority", text(priority)),
        ])
    };
    // c1: urgent, a week old: both its reply (4 h) and its resolution (24 h) are overdue.
    s.create_activity(&COMPLAINT, &svc, a, card("2026-11-20T10:00", "urgent")).await.unwrap();
    // c2: low, yesterday, being analysed: within both deadlines (72 and 336 working hours).
    let c2 = s.create_activity(&COMPLAINT, &svc, a, card("2026-11-27T09:00", "low")).await.unwrap();
    s.transition_complaint(&svc, c2.id, "analysing", None).await.unwrap();
    // c3: urgent, an hour ago: reply due in three hours, resolution within the day.
    s.create_activity(&COMPLAINT, &svc, a, card(&minute(now - time::Duration::hours(1)), "urgent")).await.unwrap();
    // c4: the South's, overdue: not the East manager's.
    s.create_activity(&COMPLAINT, &svc, b, card("2026-11-20T10:00", "urgent")).await.unwrap();

    let east = s.complaint_tally(&w.m1).await.unwrap();
    assert_eq!(east.by_status, vec![("received".to_string(), 2), ("analysing".to_string(), 1)]);
    assert_eq!(
        (east.open, east.on_track, east.due_soon, east.reply_overdue, east.resolution_overdue),
        (3, 1, 1, 1, 1),
        "{east:?}"
    );
    let all = s.complaint_tally(&svc).await.unwrap();
    assert_eq!((all.open, all.reply_overdue, all.resolution_overdue, all.on_track), (4, 2, 2, 1));
    let mine = s.complaint_tally(&w.rep2).await.unwrap();
    assert_eq!(mine.open, 0, "a teammate without the accounts counts none");

    // Visit plans this quarter (Q4): 10-01 missed, 10-10 visited on 10-12 (on time), 11-25 and
    // 12-15 not yet due (11-25 + 7 days is after today) → 1 of the 2 due slots on time: 50 %.
    let planned = [
        Some(date!(2026 - 10 - 01)),
        Some(date!(2026 - 10 - 10)),
        Some(date!(2026 - 11 - 25)),
        Some(date!(2026 - 12 - 15)),
        Some(date!(2026 - 03 - 01)),
    ];
    s.set_visit_plan(&w.rep1, a, 2026, &planned).await.unwrap();
    s.set_visit_plan(&w.rep3, b, 2026, &[Some(date!(2026 - 10 - 05))]).await.unwrap();
    let visit = rec(&[("visited_at", text("2026-10-12T10:00")), ("goal", text("拜访"))]);
    s.create_activity(&VISIT, &w.rep1, a, visit).await.unwrap();

    // Capability: the East's account scored in November (4 and 2: average 3), the South's in October.
    let mut nov = [None; kam_core::capability::FACTORS];
    (nov[0], nov[1]) = (Some(4), Some(2));
    s.set_capability_month(&w.rep1, a, 2026, 11, &nov).await.unwrap();
    let mut oct = [None; kam_core::capability::FACTORS];
    oct[0] = Some(1);
    s.set_capability_month(&w.rep3, b, 2026, 10, &oct).await.unwrap();

    // Orders: one within the limit, one over it (held); the South's held too.
    let order = |qty: &str| OrderInput {
        rec: rec(&[("order_date", text("2026-11-02"))]),
        lines: vec![LineInput {
            product_id: Some(p),
            rec: rec(&[("quantity", text(qty)), ("unit_price", Value::Int(1_130))]),
        }],
    };
    assert_eq!(s.create_order(&w.rep1, a, order("300")).await.unwrap().status, "placed");
    assert_eq!(s.create_order(&w.rep1, a, order("600")).await.unwrap().status, "credit_hold");
    let tight = rec(&[("credit_limit", Value::Int(100))]);
    s.update_account(&w.fin, b, AccountInput { rec: tight, ..Default::default() }).await.unwrap();
    assert_eq!(s.create_order(&w.rep3, b, order("1")).await.unwrap().status, "credit_hold");

    // Statements of October for both accounts.
    s.post_entry(&w.fin, a, post("invoice", "2026-10-05", 50_000)).await.unwrap();
    s.post_entry(&w.fin, b, post("invoice", "2026-10-08", 70_000)).await.unwrap();
    s.generate_statements(&w.fin, "2026-10", None).await.unwrap();

    let m = s.dashboard(&w.m1, Board::Manager).await.unwrap();
    let plans = m.visit_plans.as_ref().unwrap();
    assert_eq!(plans.len(), 1, "the East's rep only: {plans:?}");
    let t = plans[0].tally;
    assert_eq!((t.planned, t.on_time, t.late, t.missed, t.pending), (4, 1, 0, 1, 2), "March is another quarter");
    let cap = m.capability.as_ref().unwrap();
    assert_eq!(cap.len(), 1, "{cap:?}");
    assert_eq!((cap[0].month.as_str(), cap[0].accounts, cap[0].average), ("2026-11", 1, Some(3.0)));
    let holds = m.credit_holds.as_ref().unwrap();
    assert_eq!((holds.orders, holds.totals.clone()), (1, vec![("CNY".to_string(), 678_000)]));
    assert_eq!(holds.oldest[0].account_id, a);
    assert_eq!(m.complaints.as_ref().unwrap().open, 3);
    assert!(m.statements.is_none(), "statements are finance's board");

    let admin = s.dashboard(&w.admin, Board::Manager).await.unwrap();
    let cap = admin.capability.unwrap();
    let months: Vec<(&str, Option<f64>)> = cap.iter().map(|c| (c.month.as_str(), c.average)).collect();
    assert_eq!(months, vec![("2026-10", Some(1.0)), ("2026-11", Some(3.0))]);
    assert_eq!(admin.visit_plans.unwrap().len(), 2);

    let f = s.dashboard(&w.fin, Board::Finance).await.unwrap();
    let st = f.statements.unwrap();
    assert_eq!(st.len(), 1, "{st:?}");
    assert_eq!((st[0].period.as_str(), st[0].status.as_str(), st[0].statements), ("2026-10", "draft", 2));
    let holds = f.credit_holds.unwrap();
    assert_eq!((holds.orders, holds.totals), (2, vec![("CNY".to_string(), 678_000 + 1_130)]));
    assert!(f.complaints.is_none() && f.visit_plans.is_none());

    let service = s.dashboard(&svc, Board::Service).await.unwrap();
    assert_eq!(service.complaints.unwrap().open, 4);
    assert!(service.receivables.is_empty() && service.credit_holds.is_none(), "the service board holds no money");
    assert!(matches!(s.dashboard(&svc, Board::Finance).await, Err(StoreError::Forbidden(_))));
    assert!(matches!(s.dashboard(&w.rep1, Board::Service).await, Err(StoreError::Forbidden(_))));
    assert!(matches!(s.dashboard(&w.fin, Board::Service).await, Err(StoreError::Forbidden(_))));
}
