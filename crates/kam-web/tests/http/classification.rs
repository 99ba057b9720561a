//! 附表一 over HTTP: the rows of the caller's scope only, revenue only for
//! readers of money, the computed class accepted by a manager (page and
//! API), the workbook read back, the admin's cut-offs.

use crate::support::*;
use calamine::Reader;
use serde_json::json;

kam_store::on_both_engines!(classification_lists_accepts_and_exports_within_scope,);

async fn classification_lists_accepts_and_exports_within_scope(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let prod = json!({"code": "P-1", "name": "包装膜", "unit": "Kg", "list_price": 100});
    let pid = t.api(&w.admin, "POST", "/api/v1/products", Some(prod)).await.json()["id"].as_i64().unwrap();
    // Revenue: A 3 × ¥1.00 × 300 = ¥900, B ¥100, C (South) ¥1,000; every world account is graded B.
    for (token, acc, qty) in [(&w.rep_a, w.acc_a, "900"), (&w.rep_b, w.acc_b, "100"), (&w.rep_c, w.acc_c, "1000")] {
        let o = json!({"account_id": acc, "order_date": "2026-11-02", "lines": [{"product_id": pid, "quantity": qty}]});
        let r = t.api(token, "POST", "/api/v1/orders", Some(o)).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // Company-wide: C ¥1,000 (A), A ¥900 (A: 1,000 of 2,000 above it is 50 %), B ¥100 (95 % above: C).
    let list = t.api(&w.rep_a, "GET", "/api/v1/classification", None).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let j = list.json();
    let items = j["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the rep's own account only: {j}");
    assert_eq!((items[0]["account_id"].as_i64(), items[0]["abc"].as_str()), (Some(w.acc_a), Some("A")));
    assert_eq!(items[0]["revenue"], 90_000);
    assert_eq!(items[0]["contact_name"], "赵一");
    assert_eq!(items[0]["disagrees"], true, "graded B, computed A");
    let team = t.api(&w.m_east, "GET", "/api/v1/classification", None).await.json();
    let ids: Vec<i64> = team["items"].as_array().unwrap().iter().map(|r| r["account_id"].as_i64().unwrap()).collect();
    assert!(ids.contains(&w.acc_a) && ids.contains(&w.acc_b) && !ids.contains(&w.acc_c), "{ids:?}");
    let b = team["items"].as_array().unwrap().iter().find(|r| r["account_id"] == w.acc_b).unwrap().clone();
    assert_eq!((b["abc"].as_str(), b["disagrees"].as_bool()), (Some("C"), Some(true)));
    // Service staff see the classes, not the revenue.
    let svc = t.api(&w.service, "GET", "/api/v1/classification?per_page=200", None).await.json();
    assert!(
        svc["items"].as_array().unwrap().iter().all(|r| r.get("revenue").is_none() && r["abc"].is_string()),
        "{svc}"
    );
    // Accepting: the rep may not; another team's manager cannot reach it; the team's manager can.
    assert_eq!(
        t.api(&w.rep_a, "POST", &format!("/api/v1/accounts/{}/classification/accept", w.acc_a), None).await.status,
        403
    );
    assert_eq!(
        t.api(&w.m_east, "POST", &format!("/api/v1/accounts/{}/classification/accept", w.acc_c), None).await.status,
        404
    );
    let r = t.api(&w.m_east, "POST", &format!("/api/v1/accounts/{}/classification/accept", w.acc_a), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["grade"], "A");
    assert_eq!(t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}", w.acc_a), None).await.json()["grade"], "A");
    // The page: the disagreeing row with its button, accepted in one click.
    let boss = t.browser("boss", kam_core::Role::Manager, Some("East")).await;
    let page = t.get(&boss, "/classification?disagreeing=1").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("乙客户有限公司") && !page.body.contains("甲客户有限公司"), "A agrees now");
    assert!(page.body.contains(&format!("/accounts/{}/classification/accept", w.acc_b)));
    let r = t
        .post(
            &boss,
            &format!("/accounts/{}/classification/accept", w.acc_b),
            &[("back", "/classification?disagreeing=1")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.headers["location"].to_str().unwrap().starts_with("/classification?disagreeing=1"));
    assert_eq!(t.api(&w.rep_b, "GET", &format!("/api/v1/accounts/{}", w.acc_b), None).await.json()["grade"], "C");
    let r = t
        .post(&boss, &format!("/accounts/{}/classification/accept", w.acc_b), &[("back", "https://evil.example/")])
        .await;
    assert_eq!(
        r.headers["location"].to_str().unwrap().split('?').next(),
        Some("/classification"),
        "only a local way back"
    );
    // The workbook: the form's columns, the rep's rows only, read back.
    let xlsx = t.download(&w.m_east, "/api/v1/classification.xlsx").await;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let name = book.sheet_names()[0].clone();
    let rows: Vec<Vec<String>> =
        book.worksheet_range(&name).unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert!(rows[0][0].contains("附表一"));
    assert_eq!(
        &rows[1][..9],
        ["序号", "公司名称", "联系人", "职务", "联系方式", "公司地址", "所属行业", "客户类型", "客户等级"]
    );
    let names: Vec<&str> = rows[2..].iter().map(|r| r[1].as_str()).collect();
    assert!(names.contains(&"甲客户有限公司") && !names.contains(&"丙客户有限公司"), "{names:?}");
    let svc_x = t.download(&w.service, "/api/v1/classification.xlsx").await;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(svc_x)).unwrap();
    let name = book.sheet_names()[0].clone();
    let head: Vec<String> =
        book.worksheet_range(&name).unwrap().rows().nth(1).unwrap().iter().map(|c| c.to_string()).collect();
    assert!(!head.iter().any(|h| h.contains("金额")), "no revenue column for service staff: {head:?}");
    // The cut-offs: the admin's, checked.
    assert_eq!(
        t.api(&w.m_east, "PUT", "/api/v1/classification/thresholds", Some(json!({"a": 50, "b": 80}))).await.status,
        403
    );
    let r = t.api(&w.admin, "PUT", "/api/v1/classification/thresholds", Some(json!({"a": 90, "b": 80}))).await;
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]["fields"]["a"].is_string());
    assert_eq!(
        t.api(&w.admin, "PUT", "/api/v1/classification/thresholds", Some(json!({"a": 40, "b": 99}))).await.status,
        200
    );
    let again = t.api(&w.m_east, "GET", "/api/v1/classification", None).await.json();
    let a = again["items"].as_array().unwrap().iter().find(|r| r["account_id"] == w.acc_a).unwrap().clone();
    assert_eq!(a["abc"], "B", "50 % above it is past a 40 % cut-off");
    assert_eq!(again["thresholds"], json!({"a": 40, "b": 99}));
}
