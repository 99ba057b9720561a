//! Sales targets over HTTP: the manager's grid saves the team's months in one
//! go and explains a bad cell; the API refuses a rep and service staff; a
//! rep's attainment never includes another team's figures.

use crate::support::*;
use calamine::Reader;
use serde_json::{Value, json};

kam_store::on_both_engines!(
    targets_are_set_by_managers_and_attained_within_scope,
    forecasts_say_how_they_were_made_and_stay_in_scope,
);

async fn targets_are_set_by_managers_and_attained_within_scope(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let boss = t.browser("boss_t", kam_core::Role::Manager, Some("East")).await;
    let page = t.get(&boss, "/targets?period=2026-Q4&year=2026").await;
    assert_eq!(page.status, 200);
    let (a, c) = (w.rep_a_id.0, w.rep_c_id.0);
    assert!(page.body.contains(&format!("name=\"t_{a}_11\"")), "the team's rep is editable");
    assert!(!page.body.contains(&format!("t_{c}_11")), "another team's rep is not there");
    // A bad cell comes back explained, nothing saved.
    let bad_cell = format!("t_{a}_11");
    let r = t
        .post(
            &boss,
            "/targets",
            &[("level", "rep"), ("year", "2026"), ("period", "2026-Q4"), (bad_cell.as_str(), "很多")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请输入不小于 0 的金额") && r.body.contains("很多"), "kept and explained");
    let oct = format!("t_{a}_10");
    let nov = format!("t_{a}_11");
    let r = t
        .post(
            &boss,
            "/targets",
            &[
                ("level", "rep"),
                ("year", "2026"),
                ("period", "2026-Q4"),
                (oct.as_str(), "1,000"),
                (nov.as_str(), "¥2000"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let got = t.api(&w.m_east, "GET", "/api/v1/targets?level=rep&year=2026", None).await.json();
    let row = got["items"].as_array().unwrap().iter().find(|r| r["id"] == a).unwrap().clone();
    assert_eq!(
        (row["months"][9].as_i64(), row["months"][10].as_i64(), row["months"][11].clone()),
        (Some(100_000), Some(200_000), Value::Null)
    );
    // The API: a rep may not set, service staff see no money figures.
    let put = json!({"level": "rep", "year": 2026, "items": [{"id": a, "months": [null, null, null, null, null, null, null, null, null, null, 1, null]}]});
    assert_eq!(t.api(&w.rep_a, "PUT", "/api/v1/targets", Some(put.clone())).await.status, 403);
    assert_eq!(t.api(&w.service, "GET", "/api/v1/attainment", None).await.status, 403);
    let short = json!({"level": "rep", "year": 2026, "items": [{"id": a, "months": [1]}]});
    assert_eq!(t.api(&w.admin, "PUT", "/api/v1/targets", Some(short)).await.status, 422);
    // Attainment: a delivered order of rep_a in November.
    let prod = json!({"code": "P-T", "name": "包装膜", "unit": "Kg", "list_price": 100});
    let pid = t.api(&w.admin, "POST", "/api/v1/products", Some(prod)).await.json()["id"].as_i64().unwrap();
    let o =
        json!({"account_id": w.acc_a, "order_date": "2026-11-02", "lines": [{"product_id": pid, "quantity": "500"}]});
    let o = t.api(&w.rep_a, "POST", "/api/v1/orders", Some(o)).await.json();
    let oid = o["id"].as_i64().unwrap();
    for step in ["shipped", "delivered"] {
        let r = t
            .api(
                &w.rep_a,
                "POST",
                &format!("/api/v1/orders/{oid}/transition"),
                Some(json!({"to": step, "date": "2026-11-05"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let att = t.api(&w.rep_a, "GET", "/api/v1/attainment?period=2026-Q4", None).await.json();
    assert_eq!(att["reps"].as_array().unwrap().len(), 1, "the rep's own row: {att}");
    assert_eq!(
        (att["reps"][0]["target"].as_i64(), att["reps"][0]["delivered"].as_i64()),
        (Some(300_000), Some(50_000))
    );
    assert_eq!(att["reps"][0]["delivered_pct"], 16.7);
    assert!(att["teams"].as_array().unwrap().is_empty() && att["company"].is_null());
    let south = t.api(&w.rep_c, "GET", "/api/v1/attainment?period=2026-Q4", None).await.json();
    assert_eq!((south["reps"].as_array().unwrap().len(), south["reps"][0]["delivered"].as_i64()), (1, Some(0)));
    let all = t.api(&w.fin, "GET", "/api/v1/attainment?period=2026-11", None).await.json();
    assert_eq!(
        (all["company"]["target"].as_i64(), all["company"]["delivered"].as_i64()),
        (Some(200_000), Some(50_000))
    );
    assert_eq!(t.api(&w.fin, "GET", "/api/v1/attainment?period=2026-Q5", None).await.status, 422);
    // The page shows the figures.
    let page = t.get(&boss, "/targets?period=2026-Q4").await;
    assert!(page.body.contains("16.7%"), "{}", page.body);
}

/// The forecast page and API: too little history says so; the manager refits
/// from the page; a rep sees their accounts' forecasts only and may not refit;
/// service staff, who see no money, get none.
async fn forecasts_say_how_they_were_made_and_stay_in_scope(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let prod = json!({"code": "P-F", "name": "缠绕膜", "unit": "Kg", "list_price": 1000});
    let pid = t.api(&w.fin, "POST", "/api/v1/products", Some(prod)).await.json()["id"].as_i64().unwrap();
    for (who, account, day) in
        [(&w.rep_a, w.acc_a, "2026-03-02"), (&w.rep_a, w.acc_a, "2026-09-10"), (&w.rep_c, w.acc_c, "2026-10-01")]
    {
        let body = json!({"account_id": account, "order_date": day, "lines": [{"product_id": pid, "quantity": "2"}]});
        let r = t.api(who, "POST", "/api/v1/orders", Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let boss = t.browser("boss_f", kam_core::Role::Manager, Some("East")).await;
    let page = t.get(&boss, "/forecasts").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("BG/NBD"), "the page says how the forecast is made");
    assert!(page.body.contains("尚未拟合"), "no fit yet");
    // The manager refits from the page: the history is too short, and the page says so.
    let r = t.post(&boss, "/forecasts/refresh", &[]).await;
    assert_eq!(r.status, 303);
    let loc = r.headers[axum::http::header::LOCATION].to_str().unwrap().to_string();
    let page = t.get(&boss, &loc).await;
    assert!(page.body.contains("订单历史太短"), "{}", page.body);
    assert!(page.body.contains("甲客户有限公司"), "the team's account with its last-year forecast");
    assert!(!page.body.contains("丙客户"), "not another team's");
    // The API: the fit's status and the rep's own accounts only.
    let f = t.api(&w.rep_a, "GET", "/api/v1/forecasts", None).await;
    assert_eq!(f.status, 200, "{}", f.body);
    let f = f.json();
    assert_eq!(f["fit"]["status"], "too_short");
    assert_eq!(f["fit"]["params"], Value::Null);
    let ids: Vec<i64> = f["items"].as_array().unwrap().iter().map(|i| i["account_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![w.acc_a]);
    assert_eq!(f["items"][0]["order_days"], 2);
    assert_eq!(f["items"][0]["p_alive"], Value::Null, "no model figures without a fit");
    assert_eq!(t.api(&w.rep_c, "GET", "/api/v1/forecasts", None).await.json()["total"], 1);
    assert_eq!(t.api(&w.rep_a, "POST", "/api/v1/forecasts/refresh", None).await.status, 403);
    assert_eq!(t.api(&w.service, "GET", "/api/v1/forecasts", None).await.status, 403);
    let r = t.api(&w.admin, "POST", "/api/v1/forecasts/refresh", None).await;
    assert_eq!((r.status.as_u16(), r.json()["accounts"].as_i64()), (200, Some(2)), "{}", r.body);
    // In English too.
    let en = t.get(&boss, "/forecasts?lang=en").await;
    assert_eq!(en.status, 200);
    // As a workbook: the rep's own account only, its figures as numbers; none for service staff.
    let xlsx = t.download(&w.rep_a, "/api/v1/forecasts.xlsx").await;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    assert_eq!(book.sheet_names(), ["预测与目标", "按客户"]);
    let range = book.worksheet_range("按客户").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 2, "one account: {rows:?}");
    assert_eq!(rows[1][0], "甲客户有限公司");
    assert_eq!(rows[1][3], "2", "order days as a number");
    assert_eq!(t.api(&w.service, "GET", "/api/v1/forecasts.xlsx", None).await.status, 403);
    assert!(page.body.contains(r#"href="/forecasts.xlsx""#));
    let x = t.get(&boss, "/forecasts.xlsx").await;
    assert_eq!(x.status, 200);
    assert!(x.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
}
