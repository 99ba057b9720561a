//! Lifecycle and churn on both engines: the computed stage from the orders
//! (a stage set by hand kept beside it), the churn-risk flag against each
//! account's own rhythm and the admin's factor, within the reader's scope;
//! churn records and win-back actions (checked, audited, a pending action a
//! reminder for the owner) and the churn report's counts.

use super::*;
use kam_core::lifecycle::{Rule, Stage};
use kam_store::orders::{LineInput, OrderInput};
use kam_store::settings::SettingsChange;

async fn order(s: &Store, by: &Actor, p: ProductId, acc: AccountId, day: &str) {
    let input = OrderInput {
        rec: rec(&[("order_date", text(day))]),
        lines: vec![LineInput {
            product_id: Some(p),
            rec: rec(&[("quantity", text("1")), ("unit_price", Value::Int(100))]),
        }],
    };
    s.create_order(by, acc, input).await.unwrap();
}

fn factor(f: &str) -> SettingsChange {
    SettingsChange { churn_factor: Some(f.into()), ..Default::default() }
}

pub async fn lifecycle_and_churn_follow_the_rules_within_scope(s: Store) {
    let (w, _, p) = money_world(&s).await;
    // Today is 2026-11-28.
    // Monthly: gaps 30, 31, 31 → median 31; 88 days since 1 September > 2 × 31.
    let monthly = account(&s, &w.rep1, "每月订货客户").await;
    for d in ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"] {
        order(&s, &w.rep1, p, monthly, d).await;
    }
    // Steady: gaps 14 and 17 → median 15.5; 27 days since 1 November ≤ 31.
    let steady = account(&s, &w.rep1, "稳定订货客户").await;
    for d in ["2026-10-01", "2026-10-15", "2026-11-01"] {
        order(&s, &w.rep1, p, steady, d).await;
    }
    let south = account(&s, &w.rep3, "南方每月客户").await;
    for d in ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"] {
        order(&s, &w.rep3, p, south, d).await;
    }
    let prospect = account(&s, &w.rep1, "尚未订货客户").await;

    let l = s.account_lifecycle(&w.rep1, monthly).await.unwrap();
    assert_eq!((l.lifecycle.stage, l.lifecycle.rule), (Stage::Declining, Rule::ChurnRisk));
    let r = l.lifecycle.risk.unwrap();
    assert_eq!((r.gap_days, r.median_gap_days, r.at_risk), (88, 31.0, true));
    assert_eq!(
        (l.first_order.as_deref(), l.last_order.as_deref(), l.order_days),
        (Some("2026-06-01"), Some("2026-09-01"), 4)
    );
    let l = s.account_lifecycle(&w.rep1, steady).await.unwrap();
    assert_eq!((l.lifecycle.stage, l.lifecycle.rule), (Stage::Acquisition, Rule::NewAccount));
    assert!(!l.lifecycle.risk.unwrap().at_risk);
    assert_eq!(s.account_lifecycle(&w.rep1, prospect).await.unwrap().lifecycle.stage, Stage::Prospect);
    assert!(s.account_lifecycle(&w.rep1, south).await.is_err(), "another team's account");
    // A stage set by hand wins; the computed one stays visible.
    let manual = rec(&[("stage", text("retention"))]);
    s.update_account(&w.rep1, steady, AccountInput { rec: manual, ..Default::default() }).await.unwrap();
    let l = s.account_lifecycle(&w.rep1, steady).await.unwrap();
    assert_eq!(
        (l.lifecycle.stage, l.lifecycle.computed, l.lifecycle.manual),
        (Stage::Retention, Stage::Acquisition, Some(Stage::Retention))
    );

    // The flag within scope.
    let ids = |r: &kam_store::lifecycle::ChurnRisks| r.items.iter().map(|a| a.account_id).collect::<Vec<_>>();
    let r = s.churn_risks(&w.rep1, None, 50).await.unwrap();
    assert_eq!((r.total, ids(&r)), (1, vec![monthly]));
    assert_eq!(ids(&s.churn_risks(&w.m1, None, 50).await.unwrap()), vec![monthly], "the East manager: not the South");
    assert_eq!(s.churn_risks(&w.admin, None, 50).await.unwrap().total, 2);
    assert_eq!(
        s.churn_risks(&w.rep2, None, 50).await.unwrap().total,
        0,
        "a colleague's accounts are not in rep2's scope"
    );
    assert_eq!(s.churn_risks(&w.m1, Some(w.rep1.user_id), 50).await.unwrap().total, 1, "only rep1's own");
    assert_eq!(s.churn_risks(&w.admin, None, 1).await.unwrap().items.len(), 1, "the limit");
    // The admin's factor: 3 × 31 = 93 > 88, no longer at risk.
    assert!(matches!(s.save_settings(&w.rep1, &factor("3")).await, Err(StoreError::Forbidden(_))));
    assert!(
        matches!(s.save_settings(&w.admin, &factor("0.5")).await, Err(StoreError::Invalid(e)) if e.0.contains_key("churn_factor"))
    );
    s.save_settings(&w.admin, &factor("3")).await.unwrap();
    assert_eq!(s.churn_factor().await.unwrap(), 3.0);
    assert_eq!(s.churn_risks(&w.rep1, None, 50).await.unwrap().total, 0);
    let l = s.account_lifecycle(&w.rep1, monthly).await.unwrap();
    assert_eq!(l.lifecycle.stage, Stage::Acquisition, "first order 180 days ago");
    s.save_settings(&w.admin, &factor("2")).await.unwrap();

    // Churn records: checked, in one's own scope, audited.
    let bad = rec(&[("churned_on", text("2026-12-01")), ("reason_category", text("price"))]);
    assert!(
        matches!(s.create_churn(&w.rep1, monthly, bad).await, Err(StoreError::Invalid(e)) if e.0.contains_key("churned_on"))
    );
    let missing = rec(&[("churned_on", text("2026-11-20"))]);
    assert!(
        matches!(s.create_churn(&w.rep1, monthly, missing).await, Err(StoreError::Invalid(e)) if e.0.contains_key("reason_category"))
    );
    let good = rec(&[
        ("churned_on", text("2026-11-20")),
        ("reason_category", text("competitor")),
        ("reason", text("改用对手的膜")),
    ]);
    assert!(s.create_churn(&w.rep3, monthly, good.clone()).await.is_err(), "not rep3's account");
    assert!(s.create_churn(&w.fin, monthly, good.clone()).await.is_err(), "finance does not edit accounts");
    let churn = s.create_churn(&w.rep1, monthly, good).await.unwrap();
    assert_eq!(churn.account_id, monthly);
    let l = s.account_lifecycle(&w.rep1, monthly).await.unwrap();
    assert_eq!((l.lifecycle.stage, l.lifecycle.rule, l.churns.len()), (Stage::Lost, Rule::Churned, 1));
    assert_eq!(s.churn_risks(&w.rep1, None, 50).await.unwrap().total, 0, "a churned account has its record");

    // A win-back action is a reminder for the owner until its outcome is in.
    let action = rec(&[("due_on", text("2026-11-30")), ("action", text("总经理回访，报新价"))]);
    let c = s.add_winback(&w.rep1, churn.id, action).await.unwrap();
    let a = &c.actions[0];
    assert_eq!(a.rec.get("outcome"), Some(&text("pending")));
    let rep1 = s.user(w.rep1.user_id).await.unwrap();
    let today = time::macros::date!(2026 - 11 - 28);
    let key = format!("winback-{}", a.id);
    let r = s.reminders(&rep1, today, 7).await.unwrap();
    assert!(r.iter().any(|x| x.key == key && x.due == "2026-11-30" && x.account_id == Some(monthly)), "{r:?}");
    let rep2 = s.user(w.rep2.user_id).await.unwrap();
    assert!(!s.reminders(&rep2, today, 7).await.unwrap().iter().any(|x| x.key == key));
    let far = rec(&[("due_on", text("2999-01-01")), ("action", text("x"))]);
    assert!(
        matches!(s.add_winback(&w.rep1, churn.id, far).await, Err(StoreError::Invalid(e)) if e.0.contains_key("due_on"))
    );
    assert!(s.update_winback(&w.rep3, a.id, rec(&[("outcome", text("succeeded"))])).await.is_err());
    s.update_winback(&w.rep1, a.id, rec(&[("outcome", text("succeeded")), ("outcome_note", text("恢复订货"))]))
        .await
        .unwrap();
    assert!(!s.reminders(&rep1, today, 7).await.unwrap().iter().any(|x| x.key == key));
    let l = s.account_lifecycle(&w.rep1, monthly).await.unwrap();
    assert_eq!((l.lifecycle.stage, l.lifecycle.rule), (Stage::Winback, Rule::WonBack));
    let audit = s.recent_audit(10).await.unwrap();
    assert!(audit.iter().any(|e| e.entity == "churn" && e.entity_id == churn.id));
    assert_eq!(audit.iter().filter(|e| e.entity == "winback_action").count(), 2, "added and its outcome");

    // The report, by hand: one churn in November, won back, for competition, rep1's, grade unset.
    let south_churn = rec(&[("churned_on", text("2026-10-05")), ("reason_category", text("price"))]);
    s.create_churn(&w.rep3, south, south_churn).await.unwrap();
    let r = s.churn_report(&w.m1, 2026).await.unwrap();
    assert_eq!((r.total, r.won_back), (1, 1));
    let c = &r.by_reason[0];
    assert_eq!((r.by_reason.len(), c.key.as_str(), c.churns, c.won_back), (1, "competitor", 1, 1));
    assert_eq!(r.by_month.iter().map(|c| (c.key.as_str(), c.churns)).collect::<Vec<_>>(), vec![("2026-11", 1)]);
    assert_eq!(r.by_rep[0].label.as_deref(), Some("rep1"));
    let r = s.churn_report(&w.admin, 2026).await.unwrap();
    assert_eq!((r.total, r.won_back, r.by_reason.len(), r.by_month.len()), (2, 1, 2, 2));
    assert_eq!(s.churn_report(&w.admin, 2025).await.unwrap().total, 0);
    let list = s.churns(&w.rep3, Some(2026), 1, 50).await.unwrap();
    assert_eq!((list.total, list.items[0].account_id), (1, south));
}
