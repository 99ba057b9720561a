//! Dashboards over HTTP: each role's board opens for the roles that may see
//! it, its charts are well-formed SVG (parsed as XML) beside their tables,
//! and no rep's or manager's board includes another team's figures.

use crate::support::*;
use serde_json::json;

kam_store::on_both_engines!(
    dashboards_draw_their_figures_within_scope,
    service_board_and_workbooks_stay_in_scope,
    sales_report_by_month_product_rep_and_grade
);

/// Every `<svg>…</svg>` of a page, each parsed as XML to its end.
fn svgs(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in body.split("<svg").skip(1) {
        let end = part.find("</svg>").expect("a closed svg");
        let svg = format!("<svg{}</svg>", &part[..end]);
        let mut r = quick_xml::Reader::from_str(&svg);
        let mut depth = 0i64;
        loop {
            match r.read_event() {
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not XML: {e}: {svg}"),
            }
        }
        assert_eq!(depth, 0, "balanced: {svg}");
        out.push(svg);
    }
    out
}

async fn dashboards_draw_their_figures_within_scope(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let prod = json!({"code": "P-D", "name": "缠绕膜", "unit": "Kg", "list_price": 1000});
    let pid = t.api(&w.fin, "POST", "/api/v1/products", Some(prod)).await.json()["id"].as_i64().unwrap();
    for (who, account, qty) in [(&w.rep_a, w.acc_a, "3"), (&w.rep_c, w.acc_c, "7")] {
        let body =
            json!({"account_id": account, "order_date": "2026-11-02", "lines": [{"product_id": pid, "quantity": qty}]});
        let r = t.api(who, "POST", "/api/v1/orders", Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let targets = json!({"level": "rep", "year": 2026, "items": [{"id": w.rep_a_id.0, "months": [null, null, null, null, null, null, null, null, null, 100000, 200000, 300000]}]});
    assert_eq!(t.api(&w.m_east, "PUT", "/api/v1/targets", Some(targets)).await.status, 200);

    // The rep's own board: their figures, not the South's.
    let d = t.api(&w.rep_a, "GET", "/api/v1/dashboards/rep", None).await;
    assert_eq!(d.status, 200, "{}", d.body);
    let d = d.json();
    let reps = d["attainment"]["reps"].as_array().unwrap();
    assert!(reps.iter().all(|r| r["name"] != "rep_c"), "{reps:?}");
    let me = reps.iter().find(|r| r["name"] == "rep_a").expect("rep_a's attainment");
    assert_eq!(me["target"], 600000, "the quarter's three months");
    assert!(me["delivered"].as_i64().unwrap() == 0, "placed, not yet delivered");
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/dashboards/manager", None).await.status, 403);
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/dashboards/finance", None).await.status, 403);
    assert_eq!(t.api(&w.service, "GET", "/api/v1/dashboards/rep", None).await.status, 403);
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/dashboards/nonsense", None).await.status, 404);
    // The East manager's board: the East's reps only.
    let m = t.api(&w.m_east, "GET", "/api/v1/dashboards/manager", None).await.json();
    let names: Vec<&str> =
        m["attainment"]["reps"].as_array().unwrap().iter().filter_map(|r| r["name"].as_str()).collect();
    assert!(names.contains(&"rep_a") && !names.contains(&"rep_c"), "{names:?}");
    assert!(m["forecast"].as_array().unwrap().iter().all(|r| r["name"] != "rep_c"));
    // Finance: twelve months of collections, this one last.
    let f = t.api(&w.fin, "GET", "/api/v1/dashboards/finance", None).await.json();
    let months: Vec<&str> = f["collections"].as_array().unwrap().iter().filter_map(|c| c["month"].as_str()).collect();
    assert_eq!((months.len(), months.first().copied(), months.last().copied()), (12, Some("2025-12"), Some("2026-11")));

    // The pages: charts parse as XML, the tables beside them, no other team's names.
    let boss = t.browser("boss_d", kam_core::Role::Manager, Some("East")).await;
    let r = t.get(&boss, "/dashboard").await;
    assert_eq!(r.status, 303);
    let page = t.get(&boss, "/dashboards/manager").await;
    assert_eq!(page.status, 200);
    let charts = svgs(&page.body);
    assert!(charts.len() >= 2, "attainment and forecast at least");
    assert!(page.body.contains("dash-attainment") && page.body.contains("rep_a"));
    assert!(!page.body.contains("rep_c") && !page.body.contains("丙客户"));
    assert!(charts.iter().any(|s| s.contains("目标")), "Chinese labels in the charts");
    let finance = t.get(&boss, "/dashboards/finance").await;
    assert_eq!(finance.status, 200);
    assert!(svgs(&finance.body).iter().any(|s| s.contains("11月")));
    assert_eq!(t.get(&boss, "/dashboards/manager?lang=en").await.status, 200);
}

/// Every sheet of a workbook: (name, rows of cells as text).
fn sheets(xlsx: Vec<u8>) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).unwrap();
            (n, range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect())
        })
        .collect()
}

async fn service_board_and_workbooks_stay_in_scope(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    // Two complaints: the East's (acc_a) and the South's (acc_c), both urgent and a week old.
    for acc in [w.acc_a, w.acc_c] {
        let c = json!({"account_id": acc, "received_at": "2026-11-20T10:00", "complainant": "李经理", "subject": "包装破损", "content": "两箱破损", "priority": "urgent"});
        let r = t.api(&w.service, "POST", "/api/v1/complaints", Some(c)).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = t
        .api(
            &w.service,
            "POST",
            "/api/v1/surveys",
            Some(json!({"account_id": w.acc_c, "surveyed_on": "2026-11-05", "overall": 4, "nps": 10})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);

    // Service staff open their own board (no money on it), not the money boards.
    let d = t.api(&w.service, "GET", "/api/v1/dashboards/service", None).await;
    assert_eq!(d.status, 200, "{}", d.body);
    let d = d.json();
    assert_eq!(d["complaints"]["open"], 2);
    assert_eq!(d["complaints"]["reply_overdue"], 2);
    assert_eq!(
        d["satisfaction"][0],
        json!({"month": "2026-11", "responses": 1, "average": 4.0, "nps": 100, "nps_responses": 1})
    );
    assert!(d["receivables"].as_array().unwrap().is_empty() && d["credit_holds"].is_null());
    for board in ["rep", "manager", "finance"] {
        assert_eq!(t.api(&w.service, "GET", &format!("/api/v1/dashboards/{board}"), None).await.status, 403, "{board}");
    }
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/dashboards/service", None).await.status, 403);
    assert_eq!(t.api(&w.fin, "GET", "/api/v1/dashboards/service/xlsx", None).await.status, 403);
    // The East manager's boards count the East's complaint only.
    let m = t.api(&w.m_east, "GET", "/api/v1/dashboards/manager", None).await.json();
    assert_eq!(m["complaints"]["open"], 1, "{}", m["complaints"]);
    assert!(m["visit_plans"].is_array() && m["capability"].is_array() && m["credit_holds"]["orders"] == 0);
    let s = t.api(&w.m_east, "GET", "/api/v1/dashboards/service", None).await.json();
    assert_eq!(s["complaints"]["open"], 1);
    assert!(s["satisfaction"].as_array().unwrap().is_empty(), "the South's survey is not the East's");

    // The workbooks: one sheet per chart, figures as numbers, the East's only.
    let book = sheets(t.download(&w.m_east, "/api/v1/dashboards/service/xlsx").await);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["1 投诉（按状态）", "2 未结投诉与时限", "3 满意度趋势（近 12 个月）"], "{names:?}");
    assert_eq!(book[0].1[1], ["已受理", "1"]);
    let deadline = &book[1].1;
    assert!(deadline.iter().any(|r| r[0] == "回复已超时" && r[1] == "1"), "{deadline:?}");
    let all = sheets(t.download(&w.service, "/api/v1/dashboards/service/xlsx").await);
    assert_eq!(all[0].1[1], ["已受理", "2"]);
    let manager = sheets(t.download(&w.m_east, "/api/v1/dashboards/manager/xlsx").await);
    let names: Vec<&str> = manager.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.iter().any(|n| n.contains("拜访计划完成")) && names.iter().any(|n| n.contains("信用冻结订单")),
        "{names:?}"
    );
    assert!(manager.iter().all(|(_, rows)| rows.iter().flatten().all(|c| !c.contains("丙客户") && c != "rep_c")));
    let fin = sheets(t.download(&w.fin, "/api/v1/dashboards/finance/xlsx").await);
    let collections = fin.iter().find(|(n, _)| n.contains("回款")).expect("collections");
    assert_eq!(collections.1.len(), 13, "twelve months under the heads");
    assert_eq!(collections.1[12][0], "2026-11");

    // The pages: the service board in the menu and as a page, with its workbook linked.
    let svc = t.browser("svc_d", kam_core::Role::Service, None).await;
    let r = t.get(&svc, "/dashboard").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.headers["location"].to_str().unwrap(), "/dashboards/service");
    let page = t.get(&svc, "/dashboards/service").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"href="/dashboard""#), "the menu links the board");
    assert!(page.body.contains(r#"href="/dashboards/service/xlsx""#));
    assert!(page.body.contains("dash-complaints-deadline") && page.body.contains("dash-satisfaction"));
    assert!(svgs(&page.body).len() >= 3);
    assert_eq!(t.get(&svc, "/dashboards/finance").await.status, 403);
    let x = t.get(&svc, "/dashboards/service/xlsx").await;
    assert_eq!(x.status, 200);
    assert!(x.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert_eq!(t.get(&svc, "/dashboards/service?lang=en").await.status, 200);
    let admin = t.store.user_by_username("adm").await.unwrap().unwrap().actor();
    let h = t.store.entity_history(&admin, "dashboard_service", 0).await.unwrap();
    assert_eq!(h.len(), 3, "every workbook of the board is audited, the refused one not: {h:?}");
    assert!(h.iter().all(|r| r.action == "export"));
}

async fn sales_report_by_month_product_rep_and_grade(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let prod = json!({"code": "P-S", "name": "拉伸膜", "unit": "Kg", "list_price": 1000});
    let pid = t.api(&w.fin, "POST", "/api/v1/products", Some(prod)).await.json()["id"].as_i64().unwrap();
    // A delivered order each at acc_a (East) and acc_c (South); one placed only at acc_a.
    for (who, account, qty, deliver) in
        [(&w.rep_a, w.acc_a, "3", true), (&w.rep_c, w.acc_c, "7", true), (&w.rep_a, w.acc_a, "5", false)]
    {
        let body =
            json!({"account_id": account, "order_date": "2026-11-02", "lines": [{"product_id": pid, "quantity": qty}]});
        let r = t.api(who, "POST", "/api/v1/orders", Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        if deliver {
            for to in ["in_production", "shipped", "delivered"] {
                let r = t
                    .api(
                        who,
                        "POST",
                        &format!("/api/v1/orders/{id}/transition"),
                        Some(json!({"to": to, "on_date": "2026-11-05"})),
                    )
                    .await;
                assert_eq!(r.status, 200, "{}", r.body);
            }
        }
    }
    let east = t.api(&w.rep_a, "GET", "/api/v1/reports/sales?year=2026", None).await;
    assert_eq!(east.status, 200, "{}", east.body);
    let east = east.json();
    assert_eq!(east["orders"], 1, "delivered only, the rep's own");
    assert_eq!(east["by_month"][10]["key"], "2026-11");
    assert_eq!(east["by_month"][10]["orders"], 1);
    assert_eq!(east["by_product"][0]["quantity"], 3.0);
    assert!(east["by_rep"].as_array().unwrap().iter().all(|r| r["label"] != "rep_c"));
    let all = t.api(&w.admin, "GET", "/api/v1/reports/sales", None).await.json();
    assert_eq!(all["orders"], 2);
    assert_eq!(all["by_product"][0]["quantity"], 10.0);
    assert_eq!(t.api(&w.service, "GET", "/api/v1/reports/sales", None).await.status, 403);
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/reports/sales?year=2999", None).await.status, 422);
    // The workbook: four sheets, the months as numbers, the South's rep absent for the East.
    let book = sheets(t.download(&w.m_east, "/api/v1/reports/sales.xlsx?year=2026").await);
    assert_eq!(book.len(), 4, "{:?}", book.iter().map(|(n, _)| n).collect::<Vec<_>>());
    let months = &book[0].1;
    assert_eq!(
        (months[1][0].as_str(), months[12][0].as_str()),
        ("2026-01", "2026-12"),
        "twelve months under the heads"
    );
    assert!(months[14][0].contains("已交付订单"), "the note under the table");
    assert_eq!(months[11][1], "1", "November's one order");
    assert!(book.iter().all(|(_, rows)| rows.iter().flatten().all(|c| c != "rep_c")));
    let reps = &book[2].1;
    let total_east: f64 = reps[1..].iter().map(|r| r[2].parse::<f64>().unwrap()).sum();
    assert_eq!(total_east, east["with_tax"].as_i64().unwrap() as f64 / 100.0, "the sheet sums to the report");
    // The page.
    let boss = t.browser("sales_boss", kam_core::Role::Manager, Some("East")).await;
    let page = t.get(&boss, "/reports/sales?year=2026").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("dash-by-product") && page.body.contains("拉伸膜") && !page.body.contains("rep_c"));
    assert!(svgs(&page.body).iter().any(|s| s.contains("11月")));
    assert!(page.body.contains(r#"href="/reports/sales.xlsx?year=2026""#));
    let x = t.get(&boss, "/reports/sales.xlsx?year=2026").await;
    assert_eq!(x.status, 200);
    assert_eq!(t.get(&boss, "/reports/sales?lang=en").await.status, 200);
    let svc = t.browser("sales_svc", kam_core::Role::Service, None).await;
    assert_eq!(t.get(&svc, "/reports/sales").await.status, 403);
}
