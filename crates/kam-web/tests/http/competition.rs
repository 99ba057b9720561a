//! The competitor's share history over HTTP: recorded through the API and
//! the account's competition tab, read back per account and per competitor
//! within scope, bad input answered field by field.

use crate::support::*;
use serde_json::json;

kam_store::on_both_engines!(share_history_through_api_and_pages, market_analyses_through_api_and_page);

async fn share_history_through_api_and_pages(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let body = json!({"name": "华南包材", "services": "上门安装", "strategy": "低价抢量", "weaknesses": "交期不稳"});
    let r = t.api(&w.rep_a, "POST", "/api/v1/competitors", Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["weaknesses"], "交期不稳", "the profile keeps strategy, services and weaknesses");
    let cid = r.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/accounts/{}/market-shares", w.acc_a);
    for (day, pct) in [("2026-05-01", 25.0), ("2026-10-01", 32.5)] {
        let r = t
            .api(
                &w.rep_a,
                "POST",
                &path,
                Some(json!({"competitor_id": cid, "observed_on": day, "share_pct": pct, "source": "采购经理"})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = t.api(&w.rep_a, "POST", &path, Some(json!({"observed_on": "2026-10-01", "share_pct": 60}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.json()["competitor_id"].is_null(), "ours");
    // Bad input: field by field, nothing written.
    let r =
        t.api(&w.rep_a, "POST", &path, Some(json!({"observed_on": "2999-01-01", "share_pct": 130, "colour": 1}))).await;
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]["fields"]["colour"].is_string(), "{}", r.body);
    let r = t.api(&w.rep_a, "POST", &path, Some(json!({"observed_on": "2999-01-01", "share_pct": 10}))).await;
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]["fields"]["observed_on"].is_string(), "{}", r.body);
    let r = t.api(&w.rep_a, "POST", &path, Some(json!({"observed_on": "2026-01-01", "share_pct": 130}))).await;
    assert!(r.status == 422 && r.json()["error"]["fields"]["share_pct"].is_string(), "{}", r.body);
    // Another team's rep neither reads nor writes it.
    assert_eq!(t.api(&w.rep_c, "GET", &path, None).await.status, 404);
    let r = t.api(&w.rep_c, "POST", &path, Some(json!({"observed_on": "2026-10-02", "share_pct": 1}))).await;
    assert_eq!(r.status, 404);
    let items = t.api(&w.rep_a, "GET", &path, None).await.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 3);
    // The position at the account carries the latest share.
    let pos = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/competitors", w.acc_a), None).await.json();
    assert_eq!(pos["items"][0]["share_pct"], 32.5);
    // The competitor's history: the South's rep sees none of the East's account.
    let mine = t.api(&w.rep_a, "GET", &format!("/api/v1/competitors/{cid}/shares"), None).await.json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    let south = t.api(&w.rep_c, "GET", &format!("/api/v1/competitors/{cid}/shares"), None).await.json();
    assert!(south["items"].as_array().unwrap().is_empty());

    // The pages: the competition tab draws the history and takes a new one.
    let rep = t.browser("share_rep", kam_core::Role::Sales, Some("East")).await;
    let me = t.store.user_by_username("share_rep").await.unwrap().unwrap().id;
    let acc =
        t.api(&w.admin, "POST", "/api/v1/accounts", Some(json!({"name": "份额页面客户", "owner_id": me.0}))).await;
    assert_eq!(acc.status, 201, "{}", acc.body);
    let acc_id = acc.json()["id"].as_i64().unwrap();
    let tab = format!("/accounts/{acc_id}?tab=competition");
    let page = t.get(&rep, &tab).await;
    assert!(page.body.contains("id=\"share-form\"") && page.body.contains("尚无占有率记录"));
    let form = format!("/accounts/{acc_id}/market-shares");
    let cid_s = cid.to_string();
    let bad = t
        .post(
            &rep,
            &form,
            &[("_form", "share"), ("competitor_id", &cid_s), ("observed_on", "2026-12-30"), ("share_pct", "20")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("日期不能晚于今天"), "the share form says why");
    let ok = t
        .post(
            &rep,
            &form,
            &[("_form", "share"), ("competitor_id", &cid_s), ("observed_on", "2026-11-01"), ("share_pct", "20")],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let ours = t
        .post(
            &rep,
            &form,
            &[("_form", "share"), ("competitor_id", "0"), ("observed_on", "2026-11-02"), ("share_pct", "70")],
        )
        .await;
    assert_eq!(ours.status, 303);
    let page = t.get(&rep, &tab).await;
    assert!(page.body.contains("我方（代理）") && page.body.contains("20%") && page.body.contains("<svg"));
    let detail = t.get(&rep, &format!("/competitors/{cid}")).await;
    assert_eq!(detail.status, 200);
    assert!(detail.body.contains("低价抢量") && detail.body.contains("份额页面客户"));
    assert!(!detail.body.contains("甲客户有限公司"), "not the teammate's account the rep does not hold");
    assert_eq!(t.get(&rep, &format!("/competitors/{cid}?lang=en")).await.status, 200);
}

async fn market_analyses_through_api_and_page(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let body = json!({"industry": "chemicals", "province": "浙江省", "analysed_on": "2026-06-30", "market_size": 100_000_000, "our_share_pct": 3.5, "growth_pct": 6, "trend": "环保型号增长快", "source": "行业协会"});
    let r = t.api(&w.m_east, "POST", "/api/v1/market-analyses", Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    // Bad input, field by field.
    let r = t
        .api(
            &w.m_east,
            "POST",
            "/api/v1/market-analyses",
            Some(json!({"industry": "nonsense", "analysed_on": "2026-13-01", "growth_pct": 5000})),
        )
        .await;
    assert_eq!(r.status, 422);
    let f = &r.json()["error"]["fields"];
    assert!(f["industry"].is_string() && f["analysed_on"].is_string() && f["growth_pct"].is_string(), "{f}");
    let r = t
        .api(
            &w.m_east,
            "POST",
            "/api/v1/market-analyses",
            Some(json!({"industry": "chemicals", "analysed_on": "2999-01-01"})),
        )
        .await;
    assert!(r.status == 422 && r.json()["error"]["fields"]["analysed_on"].is_string());
    // Service staff read it without the market size (money), and may not write it.
    let s = t.api(&w.service, "GET", &format!("/api/v1/market-analyses/{id}"), None).await.json();
    assert!(s.get("market_size").is_none() && s["trend"] == "环保型号增长快", "{s}");
    assert_eq!(
        t.api(
            &w.service,
            "POST",
            "/api/v1/market-analyses",
            Some(json!({"industry": "chemicals", "analysed_on": "2026-01-01", "market_size": 1}))
        )
        .await
        .status,
        403
    );
    let m = t.api(&w.m_east, "GET", &format!("/api/v1/market-analyses/{id}"), None).await.json();
    assert_eq!(m["market_size"], 100_000_000);
    let list = t.api(&w.rep_a, "GET", "/api/v1/market-analyses?industry=chemicals", None).await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/market-analyses?industry=retail", None).await.json()["total"], 0);
    // The region view: the analysed market is a cell even without an account there; each
    // reader counts their own accounts.
    let r = t.api(&w.rep_a, "GET", "/api/v1/market-analyses/regions?year=2026", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let items = r.json()["items"].as_array().unwrap().clone();
    let cell =
        items.iter().find(|c| c["province"] == "浙江省" && c["industry"] == "chemicals").expect("the analysed market");
    assert_eq!((cell["analysis_id"].as_i64(), cell["market_size"].as_i64()), (Some(id), Some(100_000_000)));
    let mine: i64 = items.iter().map(|c| c["accounts"].as_i64().unwrap()).sum();
    let all: i64 = t.api(&w.admin, "GET", "/api/v1/market-analyses/regions", None).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["accounts"].as_i64().unwrap())
        .sum();
    assert!(mine >= 1 && all > mine, "the rep's {mine} of {all}");
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/market-analyses/regions?year=2999", None).await.status, 422);
    let patched =
        t.api(&w.m_east, "PATCH", &format!("/api/v1/market-analyses/{id}"), Some(json!({"growth_pct": -2}))).await;
    assert_eq!(patched.json()["growth_pct"], -2);

    // The page: the region view and the list, and the form a manager fills.
    let boss = t.browser("mkt_boss", kam_core::Role::Manager, Some("East")).await;
    let page = t.get(&boss, "/market-analyses").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("id=\"market-regions\"") && page.body.contains("行业协会") && page.body.contains("化工")
    );
    let bad = t.post(&boss, "/market-analyses", &[("industry", "chemicals"), ("analysed_on", "2026-12-31")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("日期不能晚于今天"));
    let ok = t
        .post(
            &boss,
            "/market-analyses",
            &[
                ("industry", "retail"),
                ("province", "江苏省"),
                ("analysed_on", "2026-11-01"),
                ("market_size", "5,000,000.00"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let page = t.get(&boss, "/market-analyses").await;
    assert!(page.body.contains("江苏省") && page.body.contains("5,000,000.00"));
    let svc = t.browser("mkt_svc", kam_core::Role::Service, None).await;
    let page = t.get(&svc, "/market-analyses").await;
    assert!(page.status == 200 && !page.body.contains("5,000,000.00"), "no market size for service staff");
    assert_eq!(t.get(&boss, "/market-analyses?lang=en").await.status, 200);
    let del = t.post(&boss, &format!("/market-analyses/{id}/delete"), &[]).await;
    assert_eq!(del.status, 303);
    assert_eq!(t.api(&w.m_east, "GET", &format!("/api/v1/market-analyses/{id}"), None).await.status, 404);
}
