//! 附表六/七: a month's column written as one audited change within the
//! account's scope, the sheet's totals, KAM's suggestions from orders,
//! complaints and credit, several sheets read at once.

use super::*;
use kam_core::capability::{Column, FACTORS};

fn column(cells: &[(usize, u8)]) -> Column {
    let mut c = [None; FACTORS];
    for (f, s) in cells {
        c[f - 1] = Some(*s);
    }
    c
}

pub async fn capability_months_are_scored_within_scope_and_audited(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "销售力甲").await;
    let b = account(&s, &w.rep3, "销售力乙").await;
    // Today is 2026-11-28: November may be scored, December not yet.
    let nov = column(&[(1, 4), (3, 3), (25, 2)]);
    let sheet = s.set_capability_month(&w.rep1, a, 2026, 11, &nov).await.unwrap();
    assert_eq!(sheet.sheet.month_total(11), Some(9));
    assert_eq!(sheet.sheet.subtotal(11, 0), Some(7), "company: 4 + 3, two cells empty");
    assert!(sheet.can_score);
    for (year, month) in [(2026, 12), (2027, 1), (2999, 1)] {
        match s.set_capability_month(&w.rep1, a, year, month, &nov).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.0.get("month").copied(), Some("capability.err_future")),
            other => panic!("{year}-{month}: {other:?}"),
        }
    }
    match s.set_capability_month(&w.rep1, a, 2026, 11, &column(&[(2, 5)])).await {
        Err(StoreError::Invalid(e)) => assert!(e.0.contains_key("f2"), "{e:?}"),
        other => panic!("a score of 5: {other:?}"),
    }
    assert!(matches!(s.set_capability_month(&w.rep1, a, 2026, 0, &nov).await, Err(StoreError::Invalid(_))));
    // Who may write: not a colleague, not another team, not finance; the team's manager may.
    assert!(matches!(s.set_capability_month(&w.rep2, a, 2026, 11, &nov).await, Err(StoreError::NotFound)));
    assert!(matches!(s.set_capability_month(&w.rep3, a, 2026, 11, &nov).await, Err(StoreError::NotFound)));
    assert!(matches!(s.set_capability_month(&w.fin, a, 2026, 11, &nov).await, Err(StoreError::Forbidden(_))));
    assert!(!s.capability_sheet(&w.fin, a, 2026).await.unwrap().can_score, "finance reads, does not score");
    let march = column(&[(1, 3), (2, 2)]);
    s.set_capability_month(&w.m1, a, 2026, 3, &march).await.unwrap();
    // Rewriting March: factor 1 emptied, 2 changed, 4 added; 3 unchanged is not in the change.
    let sheet = s.set_capability_month(&w.rep1, a, 2026, 3, &column(&[(2, 4), (4, 1)])).await.unwrap();
    assert_eq!(sheet.sheet.months[2][0], None);
    assert_eq!(sheet.sheet.year_total(), Some(9 + 5));
    assert_eq!(sheet.sheet.year_average(), Some(7.0), "14 over the two months filled");
    // Saving the same column again writes nothing.
    s.set_capability_month(&w.rep1, a, 2026, 3, &column(&[(2, 4), (4, 1)])).await.unwrap();
    let sid = sheet.sheet_id.expect("a sheet once written");
    let h = s.entity_history(&w.rep1, "capability", sid).await.unwrap();
    assert_eq!(h.len(), 3, "three changes, the repeat none: {h:?}");
    let last = &h[0].changes;
    assert_eq!(last["m3_f1"], serde_json::json!([3, null]));
    assert_eq!(last["m3_f2"], serde_json::json!([2, 4]));
    assert_eq!(last["m3_f4"], serde_json::json!([null, 1]));
    assert!(last.get("m3_f3").is_none());
    assert_eq!(h[0].account_id, Some(a));
    assert!(s.entity_history(&w.rep3, "capability", sid).await.unwrap().is_empty(), "another team sees no history");
    // Several sheets at once: only what the reader may see, in the order asked.
    s.set_capability_month(&w.rep3, b, 2026, 11, &column(&[(1, 1)])).await.unwrap();
    let both = s.capability_sheets(&w.admin, &[b, a], 2026).await.unwrap();
    assert_eq!(both.iter().map(|x| x.account_id).collect::<Vec<_>>(), vec![b, a]);
    assert_eq!(both[0].sheet.month_total(11), Some(1));
    let mine = s.capability_sheets(&w.rep1, &[a, b], 2026).await.unwrap();
    assert_eq!(mine.iter().map(|x| x.account_id).collect::<Vec<_>>(), vec![a], "another team's sheet is left out");
    assert!(matches!(s.capability_sheet(&w.rep1, b, 2026).await, Err(StoreError::NotFound)));
    assert_eq!(s.capability_sheet(&w.rep1, a, 2025).await.unwrap().sheet.year_total(), None, "a year not filled");
}

pub async fn capability_suggestions_come_from_orders_complaints_and_credit(s: Store) {
    use kam_core::complaint::COMPLAINT;
    use kam_store::orders::{LineInput, OrderInput};
    let (w, a, p) = money_world(&s).await;
    let svc = testing::user(&s, "svc", Role::Service, None).await;
    let svc = actor(&s, svc).await;
    let order = async |day: &str, qty: &str| {
        let line =
            LineInput { product_id: Some(p), rec: rec(&[("quantity", text(qty)), ("unit_price", Value::Int(1))]) };
        s.create_order(&w.rep1, a, OrderInput { rec: rec(&[("order_date", text(day))]), lines: vec![line] })
            .await
            .unwrap()
    };
    // The twelve months before November 2026: 1,200 kg (100 a month); November itself 150.
    order("2026-01-15", "700").await;
    order("2026-06-30", "500").await;
    order("2026-11-02", "150").await;
    // The last day of October is history; a cancelled November order is no usage.
    order("2026-10-31", "0.5").await;
    let cancelled = order("2026-11-03", "900").await;
    s.transition_order(&w.rep1, cancelled.id, "cancelled", "2026-11-04", None).await.unwrap();
    let got = s.capability_suggestions(&w.rep1, a, 2026, 11).await.unwrap();
    let usage = got.iter().find(|x| x.factor == 11).expect("a usage suggestion");
    // History 1,200.5 over 12 months = 100.04; November 150 (the cancelled 900 left out): 150 %.
    assert_eq!((usage.score, usage.figures[0].1.as_str(), usage.figures[2].1.as_str()), (4, "150", "150"));
    let none = s.capability_suggestions(&w.rep1, a, 2026, 1).await.unwrap();
    assert!(none.iter().all(|x| x.factor != 11), "January 2026 has no history before it: {none:?}");

    // Complaints: received in the twelve months to November's end and decided.
    let complaint = async |received: &str, replied: Option<&str>| {
        let mut r = rec(&[
            ("received_at", text(received)),
            ("complainant", text("李经理")),
            ("subject", text("交货延迟")),
            ("content", text("晚到")),
            ("priority", text("urgent")),
        ]);
        let c = s.create_activity(&COMPLAINT, &svc, a, r.clone()).await.unwrap();
        if let Some(at) = replied {
            r.clear();
            r.insert("replied_at", text(at));
            s.update_activity(&COMPLAINT, &svc, c.id, r).await.unwrap();
        }
    };
    complaint("2026-10-10T10:00", Some("2026-10-10T12:00")).await; // urgent: due 14:00, replied on time
    complaint("2026-09-01T10:00", Some("2026-09-02T10:00")).await; // replied a day late
    complaint("2026-08-01T10:00", None).await; // never replied, long past due
    complaint("2026-11-28T23:00", None).await; // not due yet: undecided
    complaint("2025-11-30T10:00", Some("2025-11-30T11:00")).await; // before the twelve months
    let got = s.capability_suggestions(&w.rep1, a, 2026, 11).await.unwrap();
    let c = got.iter().find(|x| x.factor == 19).expect("a complaint suggestion");
    assert_eq!(c.figures, vec![("on_time", "1".to_string()), ("total", "3".to_string())]);
    assert_eq!(c.score, 1, "one in three on time");

    // Credit: the month's rating, for readers of money only.
    let rating = s.credit(&w.rep1, a, "2026-11").await.unwrap().rating;
    let credit = got.iter().find(|x| x.factor == 25).expect("a credit suggestion for the rep");
    assert_eq!(credit.score, kam_core::capability::suggest_credit(&rating).unwrap().score);
    let for_service = s.capability_suggestions(&svc, a, 2026, 11).await.unwrap();
    assert!(for_service.iter().all(|x| x.factor != 25), "service staff see no credit rating");
    assert!(matches!(s.capability_suggestions(&w.rep3, a, 2026, 11).await, Err(StoreError::NotFound)));
}
