//! Lifecycle and churn over HTTP: the owner sees the churn-risk flag on the
//! account and on Today; records a churn and a win-back action from the
//! lifecycle page (a bad date explained field by field); the action is a
//! reminder; the churn report and the risk list never include another
//! team's accounts; the admin's factor through the API.

use crate::support::*;
use calamine::Reader;
use serde_json::{Value, json};

kam_store::on_both_engines!(churn_is_flagged_recorded_and_reported_within_scope);

async fn churn_is_flagged_recorded_and_reported_within_scope(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let rep = t.browser("rep_l", kam_core::Role::Sales, Some("East")).await;
    let token = t.store.create_token("rep_l", "test").await.unwrap();
    let acc = t.api(&token, "POST", "/api/v1/accounts", Some(json!({"name": "月度订货有限公司", "grade": "A"}))).await;
    let acc = acc.json()["id"].as_i64().unwrap();
    let prod = json!({"code": "P-L", "name": "缠绕膜", "unit": "Kg", "list_price": 1000});
    let pid = t.api(&w.fin, "POST", "/api/v1/products", Some(prod)).await.json()["id"].as_i64().unwrap();
    // Monthly orders, the last on 1 September: 88 days before 2026-11-28, past 2 × 31.
    for (who, account) in [(&token, acc), (&w.rep_c, w.acc_c)] {
        for day in ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"] {
            let body =
                json!({"account_id": account, "order_date": day, "lines": [{"product_id": pid, "quantity": "1"}]});
            assert_eq!(t.api(who, "POST", "/api/v1/orders", Some(body)).await.status, 201);
        }
    }
    let page = t.get(&rep, &format!("/accounts/{acc}")).await;
    assert!(page.body.contains("churn-risk-badge"), "the account header shows the flag");
    assert!(page.body.contains("衰退期"));
    let today = t.get(&rep, "/today").await;
    assert!(today.body.contains("today-churn-risks") && today.body.contains("月度订货有限公司"));
    assert!(today.body.contains("距上次订货 88 天"), "says why");
    assert!(!today.body.contains("丙客户"), "not another team's account");
    let page = t.get(&rep, &format!("/accounts/{acc}/lifecycle")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("平时每 31 天订货一次"), "{}", page.body);

    // The API: the risk list in scope.
    let r = t.api(&token, "GET", "/api/v1/churn-risks?mine=true", None).await.json();
    assert_eq!((r["total"].as_i64(), r["items"][0]["account_id"].as_i64()), (Some(1), Some(acc)));
    assert_eq!(r["items"][0]["gap_days"], 88);
    let m = t.api(&w.m_east, "GET", "/api/v1/churn-risks", None).await.json();
    assert_eq!(m["total"], 1, "the East manager: not the South's account");
    assert_eq!(t.api(&w.rep_c, "GET", "/api/v1/churn-risks", None).await.json()["total"], 1);
    assert_eq!(t.api(&token, "GET", "/api/v1/churn-risks?limit=0", None).await.status, 422);
    assert_eq!(t.api(&w.rep_c, "GET", &format!("/api/v1/accounts/{acc}/lifecycle"), None).await.status, 404);

    // A churn recorded from the page: a future date is refused, field by field.
    let path = format!("/accounts/{acc}/churns");
    let bad = t.post(&rep, &path, &[("churned_on", "2999-01-01"), ("reason_category", "competitor")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("日期超出允许范围"));
    let ok = t
        .post(&rep, &path, &[("churned_on", "2026-11-20"), ("reason_category", "competitor"), ("reason", "改用对手")])
        .await;
    assert_eq!(ok.status, 303);
    let l = t.api(&token, "GET", &format!("/api/v1/accounts/{acc}/lifecycle"), None).await.json();
    assert_eq!((l["stage"].as_str(), l["rule"].as_str()), (Some("lost"), Some("churned")));
    let churn_id = l["churns"][0]["id"].as_i64().unwrap();
    // Another team cannot write on it.
    let path = format!("/api/v1/churns/{churn_id}/actions");
    let other = t.api(&w.rep_c, "POST", &path, Some(json!({"due_on": "2026-11-30", "action": "x"}))).await;
    assert_eq!(other.status, 404);
    let r = t
        .post(&rep, &format!("/churns/{churn_id}/actions"), &[("due_on", "2026-11-30"), ("action", "总经理回访")])
        .await;
    assert_eq!(r.status, 303);
    let today = t.get(&rep, "/today").await;
    assert!(today.body.contains("总经理回访") && today.body.contains("挽回措施"), "the action is a reminder");
    let l = t.api(&token, "GET", &format!("/api/v1/accounts/{acc}/lifecycle"), None).await.json();
    let action_id = l["churns"][0]["actions"][0]["id"].as_i64().unwrap();
    assert_eq!(l["churns"][0]["actions"][0]["outcome"], "pending");
    let r = t
        .post(&rep, &format!("/winback-actions/{action_id}"), &[("outcome", "succeeded"), ("outcome_note", "恢复订货")])
        .await;
    assert_eq!(r.status, 303);
    let l = t.api(&token, "GET", &format!("/api/v1/accounts/{acc}/lifecycle"), None).await.json();
    assert_eq!(l["stage"], "winback");
    assert!(!t.get(&rep, "/today").await.body.contains("总经理回访"), "done once its outcome is in");

    // The report within scope; the South's own churn is not the East's.
    let south = json!({"churned_on": "2026-10-05", "reason_category": "price"});
    let r = t.api(&w.rep_c, "POST", &format!("/api/v1/accounts/{}/churns", w.acc_c), Some(south)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let east = t.api(&w.m_east, "GET", "/api/v1/churns/report?year=2026", None).await.json();
    assert_eq!((east["total"].as_i64(), east["won_back"].as_i64()), (Some(1), Some(1)));
    assert_eq!(east["by_reason"][0]["key"], "competitor");
    assert_eq!(east["by_grade"][0]["key"], "A");
    assert_eq!(t.api(&w.admin, "GET", "/api/v1/churns/report", None).await.json()["total"], 2);
    assert_eq!(t.api(&w.m_east, "GET", "/api/v1/churns?year=2026", None).await.json()["total"], 1);
    assert_eq!(t.api(&w.m_east, "GET", "/api/v1/churns/report?year=1900", None).await.status, 422);
    // The report as a workbook: a sheet per count, the East's figures only, as numbers.
    let xlsx = t.download(&w.m_east, "/api/v1/churns/report.xlsx?year=2026").await;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    assert_eq!(book.sheet_names(), ["按原因", "按月份", "按客户等级", "按业务员"], "{:?}", book.sheet_names());
    let sheet = |book: &mut calamine::Sheets<_>, name: &str| -> Vec<Vec<String>> {
        let range = book.worksheet_range(name).unwrap();
        range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    };
    let reasons = sheet(&mut book, "按原因");
    assert_eq!(reasons[0][1], "流失");
    assert_eq!(reasons.len(), 2, "one reason in the East: {reasons:?}");
    assert_eq!((reasons[1][1].as_str(), reasons[1][2].as_str()), ("1", "1"));
    let months = sheet(&mut book, "按月份");
    assert!(months.iter().all(|r| r[0] != "2026-10"), "the South's October churn is not the East's: {months:?}");
    assert_eq!(t.api(&w.m_east, "GET", "/api/v1/churns/report.xlsx?year=2999", None).await.status, 422);
    let all = t.download(&w.admin, "/api/v1/churns/report.xlsx?year=2026").await;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(all)).unwrap();
    assert_eq!(sheet(&mut book, "按原因").len(), 3, "the admin sees both reasons");
    let boss = t.browser("boss_l", kam_core::Role::Manager, Some("East")).await;
    let page = t.get(&boss, "/churns").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("月度订货有限公司") && !page.body.contains("丙客户"));
    let svg = page.body.split("<svg").nth(1).and_then(|s| s.split("</svg>").next()).expect("a chart");
    assert!(svg.contains(r#"class="bar""#));
    assert_eq!(t.get(&boss, "/churns?lang=en").await.status, 200);
    assert!(page.body.contains(r#"href="/churns.xlsx?year=2026""#), "the page links its workbook");
    let x = t.get(&boss, "/churns.xlsx?year=2026").await;
    assert_eq!(x.status, 200);
    assert!(x.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));

    // The factor: the admin's, checked.
    let bad = t.api(&w.admin, "PUT", "/api/v1/settings", Some(json!({"churn_factor": 0.5}))).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("churn_factor"));
    assert_eq!(t.api(&w.rep_a, "PUT", "/api/v1/settings", Some(json!({"churn_factor": 3}))).await.status, 403);
    let ok = t.api(&w.admin, "PUT", "/api/v1/settings", Some(json!({"churn_factor": 3}))).await;
    assert_eq!(ok.json()["churn_factor"], Value::from(3.0));
    // 3 × 31 = 93 > 88: the South's account is no longer at risk (it has a churn record too).
    assert_eq!(t.api(&w.rep_c, "GET", "/api/v1/churn-risks", None).await.json()["total"], 0);
}
