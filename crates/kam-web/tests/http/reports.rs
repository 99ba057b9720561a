//! The nine forms in one place over HTTP: the index by role, an account's
//! form opened by its name within scope only, and the print pages and
//! workbooks 附表一, 附表二 and 附表四 gained, read back with calamine.

use crate::support::*;
use calamine::Reader;
use serde_json::json;

kam_store::on_both_engines!(reports_reach_every_form_within_scope,);

fn rows_of(xlsx: Vec<u8>) -> Vec<Vec<String>> {
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let name = book.sheet_names()[0].clone();
    // An Excel date as its serial: 2026-03-10 is day 46091 since 1899-12-30.
    book.worksheet_range(&name)
        .unwrap()
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    calamine::Data::DateTime(d) => format!("date:{}", d.as_f64()),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect()
}

async fn reports_reach_every_form_within_scope(store: kam_store::Store) {
    let t = TestApp::new(store);
    let w = world(&t).await;
    // The index: every form for finance, no money forms for service staff.
    let forms = |j: serde_json::Value| {
        j["items"].as_array().unwrap().iter().map(|f| f["form"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(forms(t.api(&w.fin, "GET", "/api/v1/reports", None).await.json()), vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
    assert_eq!(forms(t.api(&w.service, "GET", "/api/v1/reports", None).await.json()), vec![1, 2, 3, 4, 6, 7, 8, 9]);
    let rep = t.browser("boss_r", kam_core::Role::Manager, Some("East")).await;
    let page = t.get(&rep, "/reports").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("客户资料卡") && page.body.contains("业务工作日志"), "{}", page.body);
    // An account's form by its name: one match opens it; another team's account is not found.
    let r = t.get(&rep, "/reports/open?form=4&q=甲客户").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.headers["location"], format!("/accounts/{}/card/print", w.acc_a).as_str());
    let r = t.get(&rep, "/reports/open?form=4&q=丙客户").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("没有找到名称含“丙客户”的客户"), "{}", r.body);
    assert_eq!(t.get(&rep, "/reports/open?form=2&q=甲").await.status, 400, "附表二 is not of one account");

    // 附表四: the card with its decision maker; not another team's.
    let card = t.get(&rep, &format!("/accounts/{}/card/print", w.acc_a)).await;
    assert_eq!(card.status, 200);
    assert!(card.body.contains("客户资料卡") && card.body.contains("企业决策领导") && card.body.contains("赵一"));
    assert_eq!(t.get(&rep, &format!("/accounts/{}/card/print", w.acc_c)).await.status, 404);
    assert_eq!(t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/card.xlsx", w.acc_c), None).await.status, 404);
    let rows = rows_of(t.download(&w.rep_a, &format!("/api/v1/accounts/{}/card.xlsx", w.acc_a)).await);
    assert!(rows[0][0].contains("客户资料卡") && rows[0][0].contains("甲客户有限公司"), "{:?}", rows[0]);
    let flat: Vec<&str> = rows.iter().flatten().map(String::as_str).collect();
    assert!(flat.contains(&"企业决策领导") && flat.contains(&"赵一") && flat.contains(&"总经理"), "{flat:?}");
    assert!(flat.contains(&"钓鱼"), "the owner sees the decision maker's hobbies");
    let svc = rows_of(t.download(&w.service, &format!("/api/v1/accounts/{}/card.xlsx", w.acc_a)).await);
    let svc: Vec<&str> = svc.iter().flatten().map(String::as_str).collect();
    assert!(svc.contains(&"赵一") && !svc.contains(&"钓鱼"), "personal data is the owner's: {svc:?}");

    // 附表二: the year's plans laid out like the form, the rep's own only.
    let plan = json!({"planned": ["2026-03-10", "2026-06-10"]});
    let r = t.api(&w.rep_a, "PUT", &format!("/api/v1/accounts/{}/visit-plans/2026", w.acc_a), Some(plan)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let plan = json!({"planned": ["2026-04-01"]});
    t.api(&w.rep_c, "PUT", &format!("/api/v1/accounts/{}/visit-plans/2026", w.acc_c), Some(plan)).await;
    let rows = rows_of(t.download(&w.rep_a, "/api/v1/visit-plans.xlsx?year=2026").await);
    assert!(rows[0][0].contains("客户拜访计划") && rows[0][0].contains("2026"));
    assert_eq!((rows[1][0].as_str(), rows[1][1].as_str(), rows[1][2].as_str()), ("序次", "客户", "第一次"));
    assert_eq!((rows[2][2].as_str(), rows[2][3].as_str()), ("计划", "实施"));
    assert_eq!(rows.len(), 4, "the rep's one plan: {rows:?}");
    assert_eq!(rows[3][1], "甲客户有限公司");
    let serial = (time::macros::date!(2026 - 03 - 10) - time::macros::date!(1899 - 12 - 30)).whole_days();
    assert_eq!(rows[3][2], format!("date:{serial}"), "an Excel date");
    assert_eq!(rows[3][3], "", "not visited");
    let printed = t.get(&rep, "/visit-plans/print?year=2026").await;
    assert!(
        printed.body.contains("客户拜访计划") && printed.body.contains("03-10") && !printed.body.contains("丙客户")
    );

    // 附表三 and 附表八: an account's visits and one complaint, laid out like the forms.
    let v =
        json!({"account_id": w.acc_a, "visited_at": "2026-11-20T10:00", "goal": "介绍新品", "objections": "价格偏高"});
    let r = t.api(&w.rep_a, "POST", "/api/v1/visits", Some(v)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let rows = rows_of(t.download(&w.rep_a, &format!("/api/v1/accounts/{}/visits/xlsx", w.acc_a)).await);
    assert!(rows[0][0].contains("客户拜访档案记录"));
    assert_eq!((rows[1][0].as_str(), rows[1][2].as_str()), ("客户名称", "甲客户有限公司"));
    assert_eq!((rows[2][2].as_str(), rows[3][2].as_str(), rows[3][6].as_str()), ("拜访目标", "介绍新品", "价格偏高"));
    assert_eq!(t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/visits/xlsx", w.acc_c), None).await.status, 404);
    let c = json!({"account_id": w.acc_a, "received_at": "2026-11-27T10:00", "complainant": "李经理", "subject": "包装破损", "content": "两箱破损", "priority": "high"});
    let r = t.api(&w.rep_a, "POST", "/api/v1/complaints", Some(c)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let cid = r.json()["id"].as_i64().unwrap();
    let rows = rows_of(t.download(&w.rep_a, &format!("/api/v1/complaints/{cid}/xlsx")).await);
    assert!(rows[0][0].contains("客户投诉管理卡"));
    assert_eq!((rows[1][0].as_str(), rows[1][1].as_str()), ("客户名称", "甲客户有限公司"));
    assert_eq!((rows[2][0].as_str(), rows[2][1].as_str()), ("投诉主题", "包装破损"));
    assert_eq!((rows[6][0].as_str(), rows[6][1].as_str()), ("投诉内容", "两箱破损"));
    assert_eq!(t.api(&w.rep_c, "GET", &format!("/api/v1/complaints/{cid}/xlsx"), None).await.status, 404);
    let page = t.get(&rep, &format!("/complaints/{cid}/xlsx")).await;
    assert_eq!(page.status, 200, "the page's download");

    // 附表九: the rep's log laid out like the form.
    let log = json!({"log_date": "2026-11-27", "market_analysis": "需求回暖", "visits": [{"account_id": w.acc_a, "person": "赵一", "time_from": "09:00", "time_to": "10:00", "content": "谈年度框架"}]});
    let r = t.api(&w.rep_a, "POST", "/api/v1/worklogs", Some(log)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let lid = r.json()["id"].as_i64().unwrap();
    let rows = rows_of(t.download(&w.rep_a, &format!("/api/v1/worklogs/{lid}/xlsx")).await);
    assert!(rows[0][0].contains("业务工作日志"));
    let flat: Vec<&str> = rows.iter().flatten().map(String::as_str).collect();
    for part in [
        "客户拜访记录",
        "甲客户有限公司",
        "谈年度框架",
        "销售回款记录",
        "市场分析",
        "需求回暖",
        "主管评价",
        "出纳",
        "部门主管",
    ] {
        assert!(flat.contains(&part), "{part}: {flat:?}");
    }
    assert_eq!(t.api(&w.rep_c, "GET", &format!("/api/v1/worklogs/{lid}/xlsx"), None).await.status, 404);

    // 附表一's print page keeps the list's filters and the rep's scope.
    let printed = t.get(&rep, "/classification/print?grade=B").await;
    assert_eq!(printed.status, 200);
    assert!(printed.body.contains("客户归类汇总表") && printed.body.contains("甲客户有限公司"));
    assert!(!printed.body.contains("丙客户有限公司"));
    assert!(!t.get(&rep, "/classification/print?grade=A").await.body.contains("甲客户有限公司"), "filtered");
}
