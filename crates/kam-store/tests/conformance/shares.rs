//! 竞争对手分析: the share history at an account — a competitor's dated
//! observations and ours — within the account's scope; a competitor's
//! latest observation is its position's share; removal is audited.

use super::*;

pub async fn share_history_is_dated_scoped_and_sets_the_latest_position(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "份额客户甲").await;
    let b = account(&s, &w.rep3, "份额客户乙").await;
    let comp = s.create_competitor(&w.rep1, rec(&[("name", text("份额对手"))])).await.unwrap();
    let share = |day: &str, pct: f64| rec(&[("observed_on", text(day)), ("share_pct", Value::Float(pct))]);
    let pos_share = |s: &Store| {
        let s = s.clone();
        let rep1 = w.rep1.clone();
        async move {
            let p = s.positions(&rep1, a).await.unwrap();
            p.iter().find(|p| p.competitor_id == comp.id).map(|p| p.rec.get("share_pct").cloned())
        }
    };

    // The first observation adds the position with its share.
    let h1 = s.record_share(&w.rep1, a, Some(comp.id), share("2026-03-01", 40.0)).await.unwrap();
    assert_eq!(h1.competitor_name.as_deref(), Some("份额对手"));
    assert_eq!(pos_share(&s).await, Some(Some(Value::Float(40.0))));
    // A later one moves it; an older one, entered afterwards, only fills the history.
    s.record_share(&w.rep1, a, Some(comp.id), share("2026-09-01", 30.0)).await.unwrap();
    s.record_share(&w.rep1, a, Some(comp.id), share("2026-06-01", 35.0)).await.unwrap();
    assert_eq!(pos_share(&s).await, Some(Some(Value::Float(30.0))), "the latest observation stands");
    // Ours: no competitor.
    let ours = s.record_share(&w.rep1, a, None, share("2026-09-01", 55.5)).await.unwrap();
    assert!(ours.competitor_id.is_none() && ours.competitor_name.is_none());

    let hist = s.account_shares(&w.rep1, a).await.unwrap();
    let days: Vec<String> = hist.iter().map(|h| h.rec["observed_on"].as_text().unwrap().to_string()).collect();
    assert_eq!(days, ["2026-03-01", "2026-06-01", "2026-09-01", "2026-09-01"], "oldest first");

    // Refused: a date after today (2026-11-28), a share over 100, no date, another team's account,
    // an unknown competitor; nothing written.
    match s.record_share(&w.rep1, a, Some(comp.id), share("2026-11-29", 10.0)).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0.get("observed_on"), Some(&"err.future_date")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        s.record_share(&w.rep1, a, None, rec(&[("share_pct", Value::Float(10.0))])).await,
        Err(StoreError::Invalid(e)) if e.0.contains_key("observed_on")
    ));
    assert!(matches!(
        s.record_share(&w.rep2, a, None, share("2026-10-01", 10.0)).await,
        Err(StoreError::NotFound | StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.record_share(&w.rep1, a, Some(kam_core::CompetitorId(999_999)), share("2026-10-01", 10.0)).await,
        Err(StoreError::Invalid(e)) if e.0.contains_key("competitor_id")
    ));
    assert!(matches!(
        s.record_share(&w.rep1, a, None, share("2026-10-01", 100.5)).await,
        Err(StoreError::Invalid(e)) if e.0.get("share_pct") == Some(&"err.share_range")
    ));
    assert!(matches!(s.account_shares(&w.rep3, a).await, Err(StoreError::NotFound)));
    assert_eq!(s.account_shares(&w.rep1, a).await.unwrap().len(), 4);

    // The competitor's history across accounts: each reader's own accounts.
    s.record_share(&w.rep3, b, Some(comp.id), share("2026-08-01", 20.0)).await.unwrap();
    let east = s.competitor_shares(&w.m1, comp.id).await.unwrap();
    assert!(east.iter().all(|h| h.account_id == a) && east.len() == 3, "{east:?}");
    let all = s.competitor_shares(&w.admin, comp.id).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all.iter().filter(|h| h.account_id == b).count(), 1);

    // Removing an observation is audited with what it said.
    s.remove_share(&w.rep1, a, h1.id).await.unwrap();
    assert_eq!(s.account_shares(&w.rep1, a).await.unwrap().len(), 3);
    assert!(matches!(s.remove_share(&w.rep1, a, h1.id).await, Err(StoreError::NotFound)));
    assert!(matches!(s.remove_share(&w.rep1, b, ours.id).await, Err(StoreError::NotFound)), "another team's account");
    let audit = s.entity_history(&w.admin, "share_observation", h1.id).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"create") && actions.len() == 2, "{actions:?}");
}
