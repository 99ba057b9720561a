//! Archive completeness over HTTP: one account's checks with the link that
//! fills each missing part, the percentage recomputed from the checks, the
//! report of the caller's scope only (least complete first), and the pages.

use crate::support::*;
use serde_json::{Value, json};

kam_store::on_both_engines!(completeness_is_scoped_recomputable_and_linked,);

fn check<'a>(j: &'a Value, name: &str) -> &'a Value {
    j["checks"].as_array().unwrap().iter().find(|c| c["check"] == name).unwrap_or_else(|| panic!("{name}: {j}"))
}

/// Passed over applicable, rounded down, as an auditor recounts it.
fn recount(j: &Value) -> i64 {
    let checks = j["checks"].as_array().unwrap();
    let n = |o: &str| checks.iter().filter(|c| c["outcome"] == o).count() as i64;
    n("pass") * 100 / (n("pass") + n("fail"))
}

async fn completeness_is_scoped_recomputable_and_linked(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let url = format!("/api/v1/accounts/{}/completeness", w.acc_a);
    let r = t.api(&w.rep_a, "GET", &url, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    // The world's account has its grade and a decision maker, nothing else of the card.
    assert_eq!(check(&j, "profile.grade")["outcome"], "pass");
    assert_eq!(check(&j, "decision_maker")["outcome"], "pass");
    assert!(check(&j, "decision_maker")["link"].is_null(), "a passing check has nothing to fill");
    let industry = check(&j, "profile.industry");
    assert_eq!(industry["outcome"], "fail");
    assert_eq!(industry["link"], format!("/accounts/{}/edit", w.acc_a));
    assert_eq!(check(&j, "visit_plan")["link"], format!("/accounts/{}/visit-plan?year=2026", w.acc_a));
    assert_eq!(check(&j, "capability")["link"], format!("/accounts/{}/capability/2026/11", w.acc_a));
    assert_eq!(check(&j, "statement")["outcome"], "not_applicable", "no ledger yet");
    assert_eq!(j["percent"], recount(&j));
    assert_eq!(j["percent"], 2 * 100 / 13);
    // Filling two fields of the card moves the figure.
    let r = t
        .api(
            &w.rep_a,
            "PATCH",
            &format!("/api/v1/accounts/{}", w.acc_a),
            Some(json!({"industry": "chemicals", "city": "福州市"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = t.api(&w.rep_a, "GET", &url, None).await.json();
    assert_eq!((j["percent"].as_i64(), recount(&j)), (Some(4 * 100 / 13), 4 * 100 / 13));
    // Another team's account is not there for the rep, by API or page.
    let far = format!("/api/v1/accounts/{}/completeness", w.acc_c);
    assert_eq!(t.api(&w.rep_a, "GET", &far, None).await.status, 404);
    let rep = t.browser("rep_page", kam_core::Role::Sales, Some("East")).await;
    assert_eq!(t.get(&rep, &format!("/accounts/{}/completeness", w.acc_c)).await.status, 404);
    // The report: the rep's own, the manager's team, least complete first.
    let mine = t.api(&w.rep_a, "GET", "/api/v1/completeness", None).await.json();
    let ids = |j: &Value| {
        j["items"].as_array().unwrap().iter().map(|c| c["account_id"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&mine), vec![w.acc_a], "{mine}");
    let team = t.api(&w.m_east, "GET", "/api/v1/completeness", None).await.json();
    assert_eq!(ids(&team), vec![w.acc_b, w.acc_a], "乙 is less complete: {team}");
    assert_eq!(team["total"], 2);
    let all = t.api(&w.admin, "GET", "/api/v1/completeness?per_page=1&page=2", None).await.json();
    assert_eq!((all["total"].as_i64(), all["items"].as_array().unwrap().len()), (Some(3), 1));
    // The page of the report: the rep sees their account and its missing parts as links, not the others.
    let boss = t.browser("boss_page", kam_core::Role::Manager, Some("East")).await;
    let page = t.get(&boss, "/completeness").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("甲客户有限公司") && page.body.contains("乙客户有限公司"), "{}", page.body);
    assert!(!page.body.contains("丙客户有限公司"));
    assert!(page.body.contains(&format!("href=\"/accounts/{}/edit\"", w.acc_b)));
    // The account's own page lists what is missing first, and its header says how complete it is.
    let own = t.get(&boss, &format!("/accounts/{}/completeness", w.acc_a)).await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains(&format!("{}%", 4 * 100 / 13)), "{}", own.body);
    let show = t.get(&boss, &format!("/accounts/{}", w.acc_a)).await;
    assert!(show.body.contains("completeness-link") && show.body.contains("档案完整"), "the header links to it");
}
