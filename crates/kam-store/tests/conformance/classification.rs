//! 附表一: ABC classes and RFM scores computed in SQL over the trailing
//! twelve months, the same on both engines as the rules of
//! `kam_core::classification` computed by hand; rows within scope; the
//! computed class accepted as the grade in one audited update.

use super::*;
use kam_store::classification::ClassFilter;

pub async fn classification_ranks_revenue_and_accepts_the_class(s: Store) {
    use kam_store::orders::{LineInput, OrderInput};
    let (w, a, p) = money_world(&s).await;
    let b = account(&s, &w.rep1, "归类乙").await;
    let c = account(&s, &w.rep1, "归类丙").await;
    let d = account(&s, &w.rep1, "归类丁").await;
    let e = account(&s, &w.rep3, "归类戊").await;
    let order = async |acc: AccountId, day: &str, fen: i64| {
        let line =
            LineInput { product_id: Some(p), rec: rec(&[("quantity", text("1")), ("unit_price", Value::Int(fen))]) };
        s.create_order(&w.rep1, acc, OrderInput { rec: rec(&[("order_date", text(day))]), lines: vec![line] })
            .await
            .unwrap()
    };
    // Today is 2026-11-28: the window is 2025-11-29 … 2026-11-28.
    order(a, "2026-11-20", 50_000).await;
    order(a, "2026-12-15", 900_000).await; // dated ahead: not yet revenue
    order(b, "2026-09-01", 15_000).await;
    order(b, "2026-10-01", 15_000).await;
    for day in ["2026-02-01", "2026-03-01", "2026-06-01"] {
        order(c, day, 5_000).await;
    }
    let gone = order(c, "2026-07-01", 100_000).await;
    s.transition_order(&w.rep1, gone.id, "cancelled", "2026-07-02", None).await.unwrap();
    order(d, "2025-12-01", 5_000).await;
    order(d, "2025-11-28", 900_000).await; // a year and a day ago: outside
    for (acc, g) in [(a, "A"), (b, "B"), (c, "B"), (d, "D")] {
        let input = AccountInput { rec: rec(&[("grade", text(g))]), ..Default::default() };
        s.update_account(&w.rep1, acc, input).await.unwrap();
    }
    let all = async |f: ClassFilter| {
        let f = ClassFilter { per_page: 50, ..f };
        s.classification(&w.m1, &f).await.unwrap()
    };
    let page = all(ClassFilter::default()).await;
    assert_eq!(page.total, 4, "the manager's team: A–D, not the South's 戊");
    let row = |id: AccountId| page.items.iter().find(|r| r.account_id == id).unwrap().clone();
    // Revenue 50,000 / 30,000 / 15,000 / 5,000 of 100,000: above each 0, 50 %, 80 %, 95 %.
    let got: Vec<(i64, i64, &str)> = [a, b, c, d]
        .iter()
        .map(|x| row(*x))
        .map(|r| {
            (
                r.revenue,
                r.orders,
                if r.abc == "A" {
                    "A"
                } else if r.abc == "B" {
                    "B"
                } else {
                    "C"
                },
            )
        })
        .collect();
    assert_eq!(got, vec![(50_000, 1, "A"), (30_000, 2, "A"), (15_000, 3, "B"), (5_000, 1, "C")]);
    // RFM over the four with orders (n = 4): ceil(5k/4).
    let rfm = |id| {
        let r = row(id);
        (r.recency, r.frequency, r.monetary)
    };
    assert_eq!(rfm(a), (Some(5), Some(3), Some(5)), "latest; one order ties with 丁's (k = 2); the most revenue");
    assert_eq!(rfm(b), (Some(4), Some(4), Some(4)));
    assert_eq!(rfm(c), (Some(3), Some(5), Some(3)));
    assert_eq!(rfm(d), (Some(2), Some(3), Some(2)), "k = 1 gives ceil(5/4) = 2: no 1 among four");
    assert_eq!(row(a).last_order.as_deref(), Some("2026-11-20"));
    // The grade and the class: 乙 (B, computed A) disagrees; 丁's D agrees with C.
    let flagged: Vec<AccountId> = page.items.iter().filter(|r| r.disagrees).map(|r| r.account_id).collect();
    assert_eq!(flagged, vec![b]);
    let only = all(ClassFilter { disagreeing: true, ..Default::default() }).await;
    assert_eq!(only.items.iter().map(|r| r.account_id).collect::<Vec<_>>(), vec![b]);
    assert_eq!(all(ClassFilter { abc: Some("A".into()), ..Default::default() }).await.total, 2);
    assert_eq!(all(ClassFilter { q: Some("丙".into()), ..Default::default() }).await.total, 1);
    // The South's rep sees 戊 alone, class C without revenue; the class is of the whole company.
    let south = s.classification(&w.rep3, &ClassFilter { per_page: 50, ..Default::default() }).await.unwrap();
    assert_eq!(
        south.items.iter().map(|r| (r.account_id, r.abc.as_str(), r.recency)).collect::<Vec<_>>(),
        vec![(e, "C", None)]
    );

    // Accepting: not the rep, not another team's manager; the team's manager in one audited update.
    assert!(matches!(s.accept_computed_grade(&w.rep1, b).await, Err(StoreError::Forbidden(_))));
    assert!(matches!(s.accept_computed_grade(&w.m1, e).await, Err(StoreError::NotFound)));
    assert_eq!(s.accept_computed_grade(&w.m1, b).await.unwrap(), "A");
    let h = s.account_history(b).await.unwrap();
    assert_eq!(h[0].changes["grade"], serde_json::json!(["B", "A"]), "{:?}", h[0]);
    assert_eq!(all(ClassFilter { disagreeing: true, ..Default::default() }).await.total, 0);

    // The admin's cut-offs: 50 % / 80 % make 乙 (50 % above it) B.
    let t = kam_core::classification::Thresholds::new(50, 80).unwrap();
    assert!(matches!(s.set_abc_thresholds(&w.m1, t).await, Err(StoreError::Forbidden(_))));
    s.set_abc_thresholds(&w.admin, t).await.unwrap();
    let page = all(ClassFilter::default()).await;
    let classes: Vec<&str> =
        [a, b, c, d].iter().map(|x| page.items.iter().find(|r| r.account_id == *x).unwrap().abc.as_str()).collect();
    assert_eq!(classes, vec!["A", "B", "C", "C"]);
}
