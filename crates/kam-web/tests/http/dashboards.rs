//! Dashboards over HTTP: each role's board opens for the roles that may see
//! it, its charts are well-formed SVG (parsed as XML) beside their tables,
//! and no rep's or manager's board includes another team's figures.

use crate::support::*;
use serde_json::json;

kam_store::on_both_engines!(dashboards_draw_their_figures_within_scope);

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
