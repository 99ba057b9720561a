//! The health score over HTTP: the points add up to the score, the list and
//! the pages hold the caller's scope only, money figures only for readers of
//! money, the admin's weights by API and form.

use crate::support::*;
use serde_json::{Value, json};

kam_store::on_both_engines!(health_is_scoped_explained_and_weighted,);

fn factor<'a>(j: &'a Value, key: &str) -> &'a Value {
    j["factors"].as_array().unwrap().iter().find(|f| f["factor"] == key).unwrap_or_else(|| panic!("{key}: {j}"))
}

async fn health_is_scoped_explained_and_weighted(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    // The cashier posts an invoice due last month for acc_a: all of it overdue.
    let inv = json!({"account_id": w.acc_a, "entry_date": "2026-09-01", "kind": "invoice", "amount": 50000, "due_date": "2026-10-01"});
    let r = t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(inv)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let url = format!("/api/v1/accounts/{}/health", w.acc_a);
    let j = t.api(&w.rep_a, "GET", &url, None).await.json();
    let points: i64 = j["factors"].as_array().unwrap().iter().map(|f| f["points"].as_i64().unwrap()).sum();
    assert_eq!(j["score"].as_i64(), Some(points), "the points add up to the score: {j}");
    let overdue = factor(&j, "overdue_receivables");
    assert_eq!((overdue["value"].as_f64(), overdue["score"].as_f64()), (Some(100.0), Some(0.0)));
    // Only complaints (15, at full) and the ledger (20, at nothing) apply to a world account: 15 of 35.
    assert_eq!(j["score"], 15 * 100 / 35 + 1, "42.86 rounds to 43");
    assert_eq!(j["weakest"], "overdue_receivables");
    // Service staff see the score and the points, not the money figures.
    let svc = t.api(&w.service, "GET", &url, None).await.json();
    assert_eq!(svc["score"], j["score"]);
    let hidden = factor(&svc, "overdue_receivables");
    assert!(hidden["value"].is_null() && hidden["explanation"] == "数值仅对财务人员显示", "{hidden}");
    // Another team's account: not there, by API or page.
    assert_eq!(t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/health", w.acc_c), None).await.status, 404);
    let rep = t.browser("rep_h", kam_core::Role::Sales, Some("East")).await;
    assert_eq!(t.get(&rep, &format!("/accounts/{}/health", w.acc_c)).await.status, 404);
    // The list: the manager's team only, worst first; one rep's accounts by filter.
    let ids = |j: &Value| {
        j["items"].as_array().unwrap().iter().map(|c| c["account_id"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    let team = t.api(&w.m_east, "GET", "/api/v1/health", None).await.json();
    assert_eq!(ids(&team), vec![w.acc_a, w.acc_b], "43 before 100: {team}");
    let one = t.api(&w.m_east, "GET", &format!("/api/v1/health?owner={}", w.rep_b_id), None).await.json();
    assert_eq!(ids(&one), vec![w.acc_b]);
    let foreign = t.api(&w.m_east, "GET", &format!("/api/v1/health?owner={}", w.rep_c_id), None).await.json();
    assert_eq!(foreign["total"], 0, "another team's rep gives nothing");
    assert_eq!(ids(&t.api(&w.rep_c, "GET", "/api/v1/health", None).await.json()), vec![w.acc_c]);
    // Weights: the rep may not; the admin may, all seven named and checked.
    let weights = |w: [i64; 7]| json!({"weights": kam_core::health::FACTORS.iter().zip(w).map(|(k, v)| json!({"factor": k, "weight": v})).collect::<Vec<_>>()});
    let only_complaints = weights([0, 0, 0, 10, 0, 0, 0]);
    assert_eq!(t.api(&w.rep_a, "PUT", "/api/v1/health/weights", Some(only_complaints.clone())).await.status, 403);
    let bad = t
        .api(
            &w.admin,
            "PUT",
            "/api/v1/health/weights",
            Some(json!({"weights": [{"factor": "complaints", "weight": 10}]})),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let zero = weights([0; 7]);
    assert_eq!(t.api(&w.admin, "PUT", "/api/v1/health/weights", Some(zero)).await.status, 422);
    let r = t.api(&w.admin, "PUT", "/api/v1/health/weights", Some(only_complaints.clone())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/health/weights", None).await.json(), only_complaints);
    assert_eq!(t.api(&w.rep_a, "GET", &url, None).await.json()["score"], 100);
    // The admin's form keeps the weights with the rest of the settings; a bad weight is explained.
    let admin = t.browser("adm_h", kam_core::Role::Admin, None).await;
    let page = t.get(&admin, "/admin").await;
    assert!(page.body.contains("name=\"health_complaints\" value=\"10\""), "the form shows the weights");
    let mut form: Vec<(&str, &str)> =
        vec![("work_start", "09:00"), ("work_end", "18:00"), ("work_days", "1"), ("currencies", "CNY")];
    form.extend([("health_contact_recency", "abc"), ("health_complaints", "10")]);
    let r = t.post(&admin, "/admin/instance", &form).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("权重须为 0–100 的整数"), "explained");
    // The pages: the list and the account's explanation, the header's link.
    let boss = t.browser("boss_h", kam_core::Role::Manager, Some("East")).await;
    let list = t.get(&boss, "/health").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("甲客户有限公司") && !list.body.contains("丙客户有限公司"));
    let own = t.get(&boss, &format!("/accounts/{}/health", w.acc_a)).await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains("id=\"health-sum\">100<"), "{}", own.body);
    let show = t.get(&boss, &format!("/accounts/{}", w.acc_a)).await;
    assert!(show.body.contains("id=\"health-link\""));
}
