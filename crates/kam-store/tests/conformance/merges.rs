//! Merging duplicate accounts: every dependent record moves, the ledger by
//! copies and reversals on the entries' own dates, the old id points at the
//! survivor, one transaction.

use std::collections::BTreeMap;

use kam_core::activity::INTERACTION;
use kam_core::merge::Pick;

use super::*;

pub async fn merging_accounts_moves_every_dependent_record(s: Store) {
    let w = world(&s).await;
    let mk = |name: &str, extra: &[(&'static str, Value)]| {
        let mut r = rec(&[("name", text(name))]);
        r.extend(extra.iter().cloned());
        AccountInput { rec: r, ..Default::default() }
    };
    let code = "91350100M000100Y43";
    let keep = s.create_account(&w.rep1, mk("合并客户有限公司", &[("phone", text("021-11111111"))])).await.unwrap().id;
    let gone = s
        .create_account(
            &w.rep1,
            mk(
                "合并客户有限公司（旧）",
                &[("phone", text("021-22222222")), ("city", text("上海市")), ("credit_code", text(code))],
            ),
        )
        .await
        .unwrap()
        .id;
    let child = s
        .create_account(&w.rep1, AccountInput { parent: Some(Some(gone)), ..mk("合并客户子公司", &[]) })
        .await
        .unwrap()
        .id;
    let theirs = account(&s, &w.rep3, "南方客户").await;

    // What hangs off the duplicate: contacts (one on both), an interaction, a
    // contract, an order, visit plans, a share, and a ledger with a reversal.
    let both = s.create_contact(&w.rep1, keep, rec(&[("name", text("共同联系人"))]), Record::new()).await.unwrap();
    s.link_contact(&w.rep1, gone, both.id, Record::new()).await.unwrap();
    let only = s.create_contact(&w.rep1, gone, rec(&[("name", text("旧联系人"))]), Record::new()).await.unwrap();
    let call = rec(&[("occurred_at", text("2026-11-10T09:00")), ("channel", text("visit")), ("subject", text("拜访"))]);
    let act = s.create_activity(&INTERACTION, &w.rep1, gone, call).await.unwrap();
    s.create_contract(
        &w.rep1,
        gone,
        rec(&[("contract_no", text("MG-1")), ("contract_type", text("sales")), ("title", text("合同"))]),
    )
    .await
    .unwrap();
    let p = s
        .create_product(
            &w.admin,
            rec(&[("code", text("MG-P")), ("name", text("膜")), ("unit", text("Kg")), ("list_price", Value::Int(100))]),
        )
        .await
        .unwrap();
    let line = kam_store::orders::LineInput { product_id: Some(p.id), rec: rec(&[("quantity", text("1"))]) };
    let order = kam_store::orders::OrderInput { rec: rec(&[("order_date", text("2026-11-11"))]), lines: vec![line] };
    let order = s.create_order(&w.rep1, gone, order).await.unwrap();
    let day = |m: u8| time::Date::from_calendar_date(2026, time::Month::try_from(m).unwrap(), 3).unwrap();
    s.set_visit_plan(&w.rep1, keep, 2026, &[Some(day(2))]).await.unwrap();
    s.set_visit_plan(&w.rep1, gone, 2026, &[Some(day(3))]).await.unwrap();
    let next_year = time::macros::date!(2027 - 03 - 03);
    s.set_visit_plan(&w.rep1, gone, 2027, &[Some(next_year)]).await.unwrap();
    s.share_account(&w.rep1, gone, w.rep2.user_id).await.unwrap();
    let entry = |kind: &str, date: &str, amount: i64| {
        rec(&[("kind", text(kind)), ("entry_date", text(date)), ("amount", Value::Int(amount))])
    };
    s.post_entry(&w.fin, keep, entry("invoice", "2026-03-01", 100_000)).await.unwrap();
    s.post_entry(&w.fin, gone, entry("opening_balance", "2026-01-01", 50_000)).await.unwrap();
    let wrong = s.post_entry(&w.fin, gone, entry("invoice", "2026-02-01", 7_000)).await.unwrap();
    s.reverse_entry(&w.fin, wrong.id, time::macros::date!(2026 - 02 - 10), Some("开错")).await.unwrap();
    s.post_entry(&w.fin, gone, entry("payment", "2026-04-01", 20_000)).await.unwrap();
    let balance_on = |entries: &[kam_store::ledger::LedgerEntry], d: &str| -> i64 {
        entries.iter().filter(|e| e.text("entry_date") <= d).map(|e| e.amount()).sum()
    };
    let before_keep = s.ledger_entries(&w.fin, keep).await.unwrap();
    let before_gone = s.ledger_entries(&w.fin, gone).await.unwrap();
    let dates = ["2026-01-01", "2026-02-05", "2026-02-10", "2026-03-01", "2026-04-01", "2026-11-28"];
    let together: Vec<i64> = dates.iter().map(|d| balance_on(&before_keep, d) + balance_on(&before_gone, d)).collect();

    // Who may: the one who may edit both; not a colleague, not another team, not finance.
    let none = BTreeMap::new();
    assert!(matches!(s.merge_accounts(&w.rep2, keep, gone, &none).await, Err(StoreError::NotFound)));
    assert!(matches!(s.merge_accounts(&w.fin, keep, gone, &none).await, Err(StoreError::Forbidden(_))));
    match s.merge_accounts(&w.rep1, keep, theirs, &none).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0.get("merged_id"), Some(&"err.merge_other")),
        other => panic!("another team's account: {other:?}"),
    }
    assert!(matches!(s.merge_accounts(&w.rep1, keep, keep, &none).await, Err(StoreError::Invalid(_))));
    // A pick the rep may not make is refused, and nothing moved.
    let bad = BTreeMap::from([("bank_name".to_string(), Pick::Merged)]);
    assert!(matches!(s.merge_accounts(&w.rep1, keep, gone, &bad).await, Err(StoreError::Invalid(_))));
    assert_eq!(s.account(&w.rep1, gone).await.unwrap().id, gone);

    let preview = s.merge_preview(&w.rep1, keep, gone).await.unwrap().counts;
    assert_eq!(preview.moved.get("contacts"), Some(&1));
    assert_eq!(preview.kept.get("contacts"), Some(&1), "the contact both hold");
    assert_eq!(preview.moved.get("ledger_entries"), Some(&4));
    assert_eq!(preview.moved.get("visit_plans"), Some(&1), "2027; the survivor has its own 2026 plan");
    assert_eq!(preview.kept.get("visit_plans"), Some(&1));

    let picks = BTreeMap::from([("phone".to_string(), Pick::Merged), ("credit_code".to_string(), Pick::Merged)]);
    let done = s.merge_accounts(&w.rep1, keep, gone, &picks).await.unwrap();
    assert_eq!(done.counts.moved.get("interactions"), Some(&1));
    assert_eq!(done.counts.moved.get("orders"), Some(&1));
    assert_eq!(done.counts.moved.get("subsidiaries"), Some(&1));
    let sv = done.survivor;
    assert_eq!(sv.text("phone"), Some("021-22222222"), "picked");
    assert_eq!(sv.text("credit_code"), Some(code), "the merged-away account's code, freed by its leaving");
    assert_eq!(sv.text("city"), Some("上海市"), "only the other held it");
    assert_eq!(sv.name(), "合并客户有限公司", "unpicked: the survivor's");

    // The old id answers with the survivor, to those who see it.
    assert!(matches!(s.account(&w.rep1, gone).await, Err(StoreError::Merged { into, .. }) if into == keep.0));
    assert!(matches!(s.account(&w.rep3, gone).await, Err(StoreError::NotFound)));
    assert_eq!(s.account_merged_into(&w.rep1, gone).await.unwrap(), Some(keep));
    // Everything moved.
    assert_eq!(s.activity(&INTERACTION, &w.rep1, act.id).await.unwrap().account_id, keep);
    assert_eq!(s.order(&w.rep1, order.id).await.unwrap().account_id, keep);
    assert_eq!(s.account(&w.rep1, child).await.unwrap().parent_id, Some(keep));
    let c = s.contact(&w.rep1, only.id).await.unwrap();
    assert_eq!(c.accounts.iter().map(|l| l.account_id).collect::<Vec<_>>(), vec![keep]);
    assert!(s.account(&w.rep2, keep).await.unwrap().shared_with_me, "the share follows");
    let plan = s.visit_plan(&w.rep1, keep, 2027).await.unwrap();
    assert_eq!(plan.slots[0].planned, Some(next_year), "the other year's plan moved");
    let plan = s.visit_plan(&w.rep1, keep, 2026).await.unwrap();
    assert_eq!(plan.slots[0].planned, Some(day(2)), "the survivor's own plan of the year stands");
    let timeline = s.account_timeline(&w.rep1, keep, &["contract"], 10).await.unwrap();
    assert_eq!(timeline.len(), 1);
    // The ledger: nothing changed, the survivor owes on every date what both owed.
    let after_keep = s.ledger_entries(&w.fin, keep).await.unwrap();
    let after_gone: Vec<_> = s.ledger_entries(&w.admin, gone).await.err().into_iter().collect();
    assert!(matches!(after_gone[0], StoreError::Merged { .. }));
    assert_eq!(dates.iter().map(|d| balance_on(&after_keep, d)).collect::<Vec<i64>>(), together);
    assert_eq!(after_keep.len(), 5);
    assert!(after_keep.iter().any(|e| e.reverses_id.is_some()), "the reversal stays a reversal of the copy");
    for e in &before_gone {
        assert!(s.try_tamper_ledger(e.id).await.0.is_err());
    }
    // History: the survivor's shows the merge and the merged-away account's past.
    let h = s.account_history(keep).await.unwrap();
    assert_eq!((h[1].entity.as_str(), h[1].action.as_str()), ("account", "merge"));
    assert!(h.iter().any(|r| r.entity == "account" && r.action == "create" && r.entity_id == gone.0));
    assert!(s.search(&w.rep1, "合并客户有限公司（旧）", 10).await.unwrap().iter().all(|h| h.id != gone.0));
    // The credit code moved; the merged-away account cannot be merged again.
    assert!(matches!(s.merge_accounts(&w.rep1, keep, gone, &none).await, Err(StoreError::Invalid(_))));
}

/// Two merges of one pair, either way round, at once: one wins, the other
/// finds its account gone, and one of the two stays live.
pub async fn racing_merges_of_one_pair_leave_one_account(s: Store) {
    let w = world(&s).await;
    for round in 0..4 {
        let a = account(&s, &w.rep1, &format!("竞速客户甲{round}")).await;
        let b = account(&s, &w.rep1, &format!("竞速客户乙{round}")).await;
        let (s1, s2, r1, r2) = (s.clone(), s.clone(), w.rep1.clone(), w.rep1.clone());
        let one = tokio::spawn(async move { s1.merge_accounts(&r1, a, b, &BTreeMap::new()).await });
        let two = tokio::spawn(async move { s2.merge_accounts(&r2, b, a, &BTreeMap::new()).await });
        let results = [one.await.unwrap(), two.await.unwrap()];
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "round {round}: {results:?}");
        for r in &results {
            if let Err(e) = r {
                assert!(matches!(e, StoreError::NotFound | StoreError::Invalid(_)), "round {round}: {e:?}");
            }
        }
        let alive = [s.account(&w.rep1, a).await.is_ok(), s.account(&w.rep1, b).await.is_ok()];
        assert_eq!(alive.iter().filter(|x| **x).count(), 1, "round {round}");
    }
}

/// Two cards of one person: the survivor keeps its values and gains what only
/// the other held (a personal field among them), takes its ties to accounts
/// (where it has none), its place in interactions; the old id leads to it.
pub async fn merging_contacts_moves_ties_and_mentions(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "联系人合并甲").await;
    let b = account(&s, &w.rep1, "联系人合并乙").await;
    let theirs = account(&s, &w.rep3, "联系人合并南方").await;
    let keep = s
        .create_contact(&w.rep1, a, rec(&[("name", text("陈立新")), ("mobile", text("13900001111"))]), Record::new())
        .await
        .unwrap()
        .id;
    let gone = s
        .create_contact(
            &w.rep1,
            a,
            rec(&[("name", text("陈立新（旧）")), ("department", text("采购部")), ("hobbies", text("钓鱼"))]),
            rec(&[("title", text("经理"))]),
        )
        .await
        .unwrap()
        .id;
    s.link_contact(&w.rep1, b, gone, rec(&[("title", text("顾问"))])).await.unwrap();
    let other =
        s.create_contact(&w.rep3, theirs, rec(&[("name", text("南方联系人"))]), Record::new()).await.unwrap().id;
    let call = rec(&[
        ("occurred_at", text("2026-11-10T09:00")),
        ("channel", text("visit")),
        ("subject", text("拜访")),
        ("their_contacts", text(&format!("{},{}", keep.0, gone.0))),
    ]);
    let act = s.create_activity(&INTERACTION, &w.rep1, a, call).await.unwrap();
    let call = rec(&[
        ("occurred_at", text("2026-11-11T09:00")),
        ("channel", text("phone")),
        ("subject", text("电话")),
        ("their_contacts", text(&gone.0.to_string())),
    ]);
    let act2 = s.create_activity(&INTERACTION, &w.rep1, b, call).await.unwrap();

    let none = BTreeMap::new();
    assert!(matches!(s.merge_contacts(&w.rep1, keep, keep, &none).await, Err(StoreError::Invalid(_))));
    assert!(
        matches!(s.merge_contacts(&w.rep1, keep, other, &none).await, Err(StoreError::Invalid(_))),
        "another team's"
    );
    assert!(matches!(s.merge_contacts(&w.rep3, keep, gone, &none).await, Err(StoreError::NotFound)));
    assert!(matches!(s.merge_contacts(&w.fin, keep, gone, &none).await, Err(StoreError::Forbidden(_))));
    let (_, _, counts, pickable) = s.contact_merge_preview(&w.rep1, keep, gone).await.unwrap();
    assert_eq!(counts.moved.get("accounts"), Some(&1), "the tie to 乙");
    assert_eq!(counts.kept.get("accounts"), Some(&1), "both are at 甲");
    assert_eq!(counts.moved.get("interactions"), Some(&2));
    assert!(pickable.contains(&"hobbies"), "the rep owns both accounts: personal fields are theirs to pick");

    let picks = BTreeMap::from([("mobile".to_string(), Pick::Survivor)]);
    let done = s.merge_contacts(&w.rep1, keep, gone, &picks).await.unwrap();
    let c = done.survivor;
    assert_eq!(c.rec.get("name"), Some(&text("陈立新")));
    assert_eq!(c.rec.get("department"), Some(&text("采购部")), "only the other held it");
    assert_eq!(c.rec.get("hobbies"), Some(&text("钓鱼")));
    let mut at: Vec<AccountId> = c.accounts.iter().map(|l| l.account_id).collect();
    at.sort();
    assert_eq!(at, vec![a, b]);
    let tie_b = c.accounts.iter().find(|l| l.account_id == b).unwrap();
    assert_eq!(tie_b.rec.get("title"), Some(&text("顾问")), "the tie moved with its title");
    let (s, rep1) = (&s, &w.rep1);
    let list = async |id| {
        let a = s.activity(&INTERACTION, rep1, id).await.unwrap();
        a.rec.get("their_contacts").and_then(Value::as_text).unwrap_or_default().to_string()
    };
    assert_eq!(list(act.id).await, keep.0.to_string(), "named once");
    assert_eq!(list(act2.id).await, keep.0.to_string());
    assert!(
        matches!(s.contact(&w.rep1, gone).await, Err(StoreError::Merged { entity: "contact", into }) if into == keep.0)
    );
    assert!(matches!(s.contact(&w.rep3, gone).await, Err(StoreError::NotFound)));
    let history = s.account_history(a).await.unwrap();
    assert!(history.iter().any(|h| h.entity == "contact" && h.action == "merge" && h.entity_id == gone.0));
    // Merged once: a second merge of the same pair finds it gone.
    assert!(matches!(s.merge_contacts(&w.rep1, keep, gone, &none).await, Err(StoreError::Invalid(_))));
}
