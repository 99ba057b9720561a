//! 附表六/七 over HTTP: a month's column through the API and the page form,
//! field errors in the caller's language, the sheet's workbook read back,
//! the comparison with its ranks and radar, and nothing of another team's.

use crate::support::*;
use calamine::Reader;
use serde_json::{Value, json};

kam_store::on_both_engines!(capability_sheets_are_filled_compared_and_exported, capability_stays_within_scope,);

fn scores(cells: &[(usize, i64)]) -> Value {
    let mut v = vec![Value::Null; 25];
    for (f, s) in cells {
        v[f - 1] = json!(s);
    }
    Value::Array(v)
}

async fn capability_sheets_are_filled_compared_and_exported(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let (a, b) = (w.acc_a, w.acc_b);
    // The API: November (today is 2026-11-28) for account A, by its rep.
    let r = t
        .api(
            &w.rep_a,
            "PUT",
            &format!("/api/v1/accounts/{a}/capability/2026"),
            Some(json!({"month": 11, "scores": scores(&[(1, 4), (2, 3), (25, 1)])})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["month_totals"][10], 8);
    assert_eq!(j["groups"][0]["subtotals"][10], 7);
    assert_eq!(j["factors"][24]["months"][10], 1);
    assert_eq!(j["year_total"], 8);
    // Bad input: field by field, nothing written.
    let r = t
        .api(
            &w.rep_a,
            "PUT",
            &format!("/api/v1/accounts/{a}/capability/2026"),
            Some(json!({"month": 12, "scores": scores(&[(3, 5)])})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.json()["error"]["fields"]["f3"].is_string(), "{}", r.body);
    let r = t
        .api(
            &w.rep_a,
            "PUT",
            &format!("/api/v1/accounts/{a}/capability/2026"),
            Some(json!({"month": 12, "scores": scores(&[(3, 4)])})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["fields"]["month"], "尚未到来的月份不能评分。", "{}", r.body);
    let r = t
        .api(
            &w.rep_a,
            "PUT",
            &format!("/api/v1/accounts/{a}/capability/2026"),
            Some(json!({"month": 5, "scores": [4]})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]["fields"]["scores"].is_string());
    let r = t
        .api(
            &w.rep_a,
            "PUT",
            &format!("/api/v1/accounts/{a}/capability/1900"),
            Some(json!({"month": 5, "scores": scores(&[])})),
        )
        .await;
    assert_eq!(r.status, 422);
    let got = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{a}/capability/2026"), None).await.json();
    assert_eq!(got["year_total"], 8, "the refused writes left nothing");
    assert_eq!(got["suggestions"]["month"], 11, "this month's suggestions come with the sheet");

    // The page: the form of November (the team's manager fills it), then the sheet with the saved column.
    let rep = t.browser("boss", kam_core::Role::Manager, Some("East")).await;
    let form = t.get(&rep, &format!("/accounts/{a}/capability/2026/11")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("公司体制") && form.body.contains("信用度"));
    let mut fields: Vec<(String, String)> = (1..=25).map(|f| (format!("f{f}"), String::new())).collect();
    fields[0].1 = "3".into();
    fields[9].1 = "2".into();
    fields[4].1 = "9".into();
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let bad = t.post(&rep, &format!("/accounts/{a}/capability/2026/11"), &refs).await;
    assert_eq!(bad.status, 422, "a score of 9 comes back on the form");
    assert!(bad.body.contains("评分只能是 4、3、2、1 或不评。"));
    fields[4].1 = "4".into();
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let ok = t.post(&rep, &format!("/accounts/{a}/capability/2026/11"), &refs).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let page = t.get(&rep, &format!("/accounts/{a}/capability?year=2026")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("11月 · 1 公司体制"), "the history names the cell: {}", page.body);
    let got = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{a}/capability/2026"), None).await.json();
    assert_eq!(got["month_totals"][10], 3 + 2 + 4);
    assert_eq!(got["factors"][24]["months"][10], Value::Null, "the page's empty choice emptied factor 25");
    assert!(t.get(&rep, &format!("/accounts/{a}/capability/2026/12")).await.status == 404, "no form for December yet");

    // The workbook, laid out like the form, read back.
    let xlsx = t.download(&w.rep_a, &format!("/api/v1/accounts/{a}/capability/2026/xlsx")).await;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert!(rows[0][0].contains("客户综合销售力分析表") && rows[0][0].contains("甲客户有限公司"));
    assert_eq!(rows[2][0], "公司");
    assert_eq!(rows[2][1], "1 公司体制");
    assert_eq!(rows[2][12], "3", "November is column M");
    let total = rows.iter().find(|r| r[0] == "合计").expect("the totals row");
    assert_eq!(total[12], "9");

    // 附表七: A against B (B scored by its own rep), November.
    let r = t
        .api(
            &w.rep_b,
            "PUT",
            &format!("/api/v1/accounts/{b}/capability/2026"),
            Some(json!({"month": 11, "scores": scores(&[(1, 4), (2, 4), (3, 4)])})),
        )
        .await;
    assert_eq!(r.status, 200);
    let c = t.api(&w.m_east, "GET", &format!("/api/v1/capability/compare?accounts={a},{b}&month=2026-11"), None).await;
    assert_eq!(c.status, 200, "{}", c.body);
    let c = c.json();
    assert_eq!(c["items"][0]["total"], 9.0);
    assert_eq!(c["items"][1]["total"], 12.0);
    assert_eq!((c["items"][0]["rank"].as_i64(), c["items"][1]["rank"].as_i64()), (Some(2), Some(1)));
    let r = t.api(&w.m_east, "GET", &format!("/api/v1/capability/compare?accounts={a}&month=2026-11"), None).await;
    assert_eq!(r.status, 422, "one account is no comparison");
    let r = t.api(&w.m_east, "GET", &format!("/api/v1/capability/compare?accounts={a},{b}&month=2999-01"), None).await;
    assert_eq!(r.status, 422);
    let m = rep;
    let page = t.get(&m, &format!("/capability/compare?accounts={a},{b}&month=2026-11")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg class=\"chart radar\""), "the radar is drawn by the server");
    assert_eq!(page.body.matches("class=\"series\"").count(), 2 + 2, "one overlaid radar with both, one each");
    let print = t.get(&m, &format!("/capability/compare/print?accounts={a},{b}&month=2026")).await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains("客户综合销售力对比分析表") && print.body.contains("2026 年平均"));
    // 附表七's workbook: one column per account, the totals and ranks at the foot.
    let x = t.download(&w.m_east, &format!("/api/v1/capability/compare.xlsx?accounts={a},{b}&month=2026-11")).await;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(x)).unwrap();
    let name = book.sheet_names()[0].clone();
    let rows: Vec<Vec<String>> =
        book.worksheet_range(&name).unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert!(rows[0][0].contains("客户综合销售力对比分析表") && rows[0][0].contains("2026-11"), "{:?}", rows[0]);
    assert_eq!((rows[1][2].as_str(), rows[1][3].as_str()), ("甲客户有限公司", "乙客户有限公司"));
    let n = rows.len();
    assert_eq!((rows[n - 2][0].as_str(), rows[n - 2][2].as_str(), rows[n - 2][3].as_str()), ("合计", "9", "12"));
    assert_eq!((rows[n - 1][0].as_str(), rows[n - 1][2].as_str(), rows[n - 1][3].as_str()), ("名次", "2", "1"));
    let page_x = t.get(&m, &format!("/capability/compare.xlsx?accounts={a},{b}&month=2026-11")).await;
    assert_eq!(page_x.status, 200);
}

async fn capability_stays_within_scope(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    let (a, c) = (w.acc_a, w.acc_c);
    let put = |cells| Some(json!({"month": 11, "scores": scores(cells)}));
    assert_eq!(
        t.api(&w.rep_c, "PUT", &format!("/api/v1/accounts/{c}/capability/2026"), put(&[(1, 2)])).await.status,
        200
    );
    // Another team's sheet: not found, to read, write, export or compare.
    assert_eq!(t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{c}/capability/2026"), None).await.status, 404);
    assert_eq!(
        t.api(&w.rep_a, "PUT", &format!("/api/v1/accounts/{c}/capability/2026"), put(&[(1, 4)])).await.status,
        404
    );
    assert_eq!(t.api(&w.m_east, "GET", &format!("/api/v1/accounts/{c}/capability/2026/xlsx"), None).await.status, 404);
    let r = t.api(&w.rep_a, "GET", &format!("/api/v1/capability/compare?accounts={a},{c}"), None).await;
    assert_eq!(r.status, 404, "a comparison naming another team's account answers as not found: {}", r.body);
    let r = t.api(&w.rep_a, "GET", &format!("/api/v1/capability/compare.xlsx?accounts={a},{c}"), None).await;
    assert_eq!(r.status, 404, "nor its workbook");
    // A colleague's account: readable for the manager, not writable for the colleague.
    assert_eq!(
        t.api(&w.rep_b, "PUT", &format!("/api/v1/accounts/{a}/capability/2026"), put(&[(1, 4)])).await.status,
        404
    );
    // Finance, service staff and the auditor read but do not score.
    for token in [&w.fin, &w.service, &w.auditor] {
        assert_eq!(t.api(token, "GET", &format!("/api/v1/accounts/{a}/capability/2026"), None).await.status, 200);
        let r = t.api(token, "PUT", &format!("/api/v1/accounts/{a}/capability/2026"), put(&[(1, 4)])).await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
    let got = t.api(&w.admin, "GET", &format!("/api/v1/accounts/{c}/capability/2026"), None).await.json();
    assert_eq!(got["year_total"], 2, "nothing but rep C's own score landed");
    // Service staff get no credit suggestion (a money figure).
    let s = t.api(&w.service, "GET", &format!("/api/v1/accounts/{a}/capability/2026?month=11"), None).await.json();
    assert!(s["suggestions"]["items"].as_array().unwrap().iter().all(|x| x["factor"] != 25), "{s}");
}
