//! Archive completeness: each check passing, failing or not applying on
//! both engines, the percentage over what applies, and the report of the
//! least complete archives within the reader's scope.

use super::*;
use kam_core::completeness::Outcome;

fn outcome(c: &kam_store::completeness::Completeness, check: &str) -> Outcome {
    c.checks.iter().find(|(k, _)| k == check).map(|x| x.1).unwrap_or_else(|| panic!("{check}"))
}

pub async fn completeness_names_what_is_missing(s: Store) {
    let (w, a, _) = money_world(&s).await;
    let b = account(&s, &w.rep1, "完整乙").await;
    let far = account(&s, &w.rep3, "完整丙").await;
    // A bare account: ten profile fields and three checks fail (the credit terms are not on the card list);
    // no ledger, contract or work log, so those three do not apply.
    let bare = s.completeness(&w.rep1, b).await.unwrap();
    assert_eq!(bare.percent, 0);
    assert_eq!(outcome(&bare, "profile.industry"), Outcome::Fail);
    assert_eq!(outcome(&bare, "decision_maker"), Outcome::Fail);
    for na in ["statement", "contract_successor", "worklog_signed"] {
        assert_eq!(outcome(&bare, na), Outcome::NotApplicable, "{na}");
    }
    // Fill part of a's file: four profile fields, a decision maker, this year's plan, this month's 附表六.
    let card = rec(&[
        ("industry", text("chemicals")),
        ("grade", text("A")),
        ("phone", text("0591-88888888")),
        ("city", text("福州市")),
    ]);
    s.update_account(&w.rep1, a, AccountInput { rec: card, ..Default::default() }).await.unwrap();
    s.create_contact(&w.rep1, a, rec(&[("name", text("王总"))]), rec(&[("buying_role", text("decision_maker"))]))
        .await
        .unwrap();
    s.set_visit_plan(&w.rep1, a, 2026, &[Some(time::macros::date!(2026 - 12 - 10))]).await.unwrap();
    let mut col = [None; kam_core::capability::FACTORS];
    col[0] = Some(3);
    s.set_capability_month(&w.rep1, a, 2026, 11, &col).await.unwrap();
    // Money in October: October's statement is now due, and missing.
    s.post_entry(
        &w.fin,
        a,
        rec(&[("entry_date", text("2026-10-05")), ("kind", text("invoice")), ("amount", Value::Int(10_000))]),
    )
    .await
    .unwrap();
    // A contract ending within 30 days with no successor.
    let today = s.today();
    let day = |n: i64| (today + time::Duration::days(n)).to_string();
    let old = s
        .create_contract(
            &w.rep1,
            a,
            rec(&[
                ("contract_no", text("WZ-1")),
                ("contract_type", text("sales")),
                ("title", text("年度合同")),
                ("valid_from", text(&day(-300))),
                ("valid_to", text(&day(20))),
            ]),
        )
        .await
        .unwrap();
    s.transition_contract(&w.rep1, old.id, "active").await.unwrap();
    let c = s.completeness(&w.rep1, a).await.unwrap();
    assert_eq!(outcome(&c, "profile.industry"), Outcome::Pass);
    assert_eq!(outcome(&c, "profile.nature"), Outcome::Fail);
    assert_eq!(outcome(&c, "decision_maker"), Outcome::Pass);
    assert_eq!(outcome(&c, "visit_plan"), Outcome::Pass);
    assert_eq!(outcome(&c, "capability"), Outcome::Pass);
    assert_eq!(outcome(&c, "statement"), Outcome::Fail);
    assert_eq!(outcome(&c, "contract_successor"), Outcome::Fail);
    // 4 + 3 of 10 + 5 applicable: 7 of 15.
    assert_eq!(c.percent, 7 * 100 / 15);
    // The statement and the successor: both pass.
    s.generate_statements(&w.fin, "2026-10", Some(&[a])).await.unwrap();
    s.create_contract(
        &w.rep1,
        a,
        rec(&[
            ("contract_no", text("WZ-2")),
            ("contract_type", text("sales")),
            ("title", text("续签合同")),
            ("valid_from", text(&day(21))),
            ("valid_to", text(&day(400))),
        ]),
    )
    .await
    .unwrap();
    let c = s.completeness(&w.rep1, a).await.unwrap();
    assert_eq!((outcome(&c, "statement"), outcome(&c, "contract_successor")), (Outcome::Pass, Outcome::Pass));
    assert_eq!(c.percent, 9 * 100 / 15);
    // The report: the least complete first, the reader's scope only.
    let r = s.completeness_report(&w.rep1, 1, 50).await.unwrap();
    assert_eq!(r.items.iter().map(|x| x.account_id).collect::<Vec<_>>(), vec![b, a]);
    assert_eq!(r.total, 2);
    assert!(matches!(s.completeness(&w.rep1, far).await, Err(StoreError::NotFound)));
    let south = s.completeness_report(&w.rep3, 1, 50).await.unwrap();
    assert_eq!(south.items.iter().map(|x| x.account_id).collect::<Vec<_>>(), vec![far]);
}
