//! The working day: activities, needs and surveys, Today and the calendar feed, complaints, visits and visit plans, market activities.

use crate::support::*;

kam_store::on_both_engines!(
    activities_over_api_and_pages,
    needs_versions_and_survey_trend,
    today_page_reminders_and_calendar_feed,
    complaints_through_to_closed_and_overdue,
    visit_records_with_objections,
    visit_plans_grid_form_and_api,
    market_activities_with_participants,
    interactions_link_the_contacts_met,
);

async fn activities_over_api_and_pages(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    // Who may record a contact record on (own, colleague's, other team's) account.
    let call = |account: i64, who: &str| json!({"account_id": account, "occurred_at": "2026-11-20T10:30", "channel": "phone", "subject": format!("{who}的电话"), "follow_up_date": "2026-12-01"});
    let table: [(&str, &str, [u16; 3]); 6] = [
        ("sales", &w.rep_a, [201, 404, 404]),
        ("manager", &w.m_east, [201, 201, 404]),
        ("finance", &w.fin, [403, 403, 403]),
        ("service", &w.service, [201, 201, 201]),
        ("auditor", &w.auditor, [403, 403, 403]),
        ("admin", &w.admin, [201, 201, 201]),
    ];
    let mut failures = Vec::new();
    for (role, token, want) in table {
        for (j, acc) in [w.acc_a, w.acc_b, w.acc_c].iter().enumerate() {
            let r = t.api(token, "POST", "/api/v1/interactions", Some(call(*acc, role))).await;
            if r.status.as_u16() != want[j] {
                failures.push(format!("{role} POST interaction #{j}: got {} want {}: {}", r.status, want[j], r.body));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Reading follows the account's scope.
    let mine = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/interactions", w.acc_a), None).await.json();
    assert_eq!(mine["total"], 4, "rep, manager, service and admin recorded on acc_a");
    let id = mine["items"][0]["id"].as_i64().unwrap();
    assert_eq!(t.api(&w.rep_b, "GET", &format!("/api/v1/interactions/{id}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.api(&w.rep_b, "GET", &format!("/api/v1/accounts/{}/interactions", w.acc_a), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.api(&w.m_east, "GET", "/api/v1/interactions", None).await.json()["total"],
        7,
        "the team's two accounts: 4 + 3"
    );
    assert_eq!(
        t.api(&w.fin, "GET", &format!("/api/v1/interactions?account_id={}", w.acc_c), None).await.json()["total"],
        2
    );
    // Validation.
    let r = t
        .api(
            &w.rep_a,
            "POST",
            &format!("/api/v1/accounts/{}/interactions", w.acc_a),
            Some(json!({"subject": "x", "occurred_at": "昨天"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert!(e["error"]["fields"]["occurred_at"].as_str().unwrap().contains("2026-11-28 14:30"));
    let r = t
        .api(
            &w.rep_a,
            "POST",
            &format!("/api/v1/accounts/{}/interactions", w.acc_a),
            Some(json!({"subject": "x", "channel": "fax"})),
        )
        .await;
    assert!(
        r.json()["error"]["fields"]["channel"].is_string() && r.json()["error"]["fields"]["occurred_at"].is_string()
    );
    let r = t.api(&w.rep_a, "POST", "/api/v1/interactions", Some(json!({"account_id": w.acc_a, "secret": 1}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Change and delete, both audited on the account.
    let r = t
        .api(&w.rep_a, "PATCH", &format!("/api/v1/interactions/{id}"), Some(json!({"result": "客户同意下周报价"})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["result"], "客户同意下周报价");
    assert_eq!(
        t.api(&w.rep_b, "PATCH", &format!("/api/v1/interactions/{id}"), Some(json!({"result": "x"}))).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.api(&w.fin, "DELETE", &format!("/api/v1/interactions/{id}"), None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.api(&w.m_east, "DELETE", &format!("/api/v1/interactions/{id}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    let h = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/history", w.acc_a), None).await.json();
    let acts: Vec<String> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["entity"] == "interaction")
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(acts[..2], ["delete".to_string(), "update".to_string()]);
    // Service records.
    let r = t.api(&w.service, "POST", &format!("/api/v1/accounts/{}/service-records", w.acc_c), Some(json!({"service_type": "training", "occurred_at": "2026-11-21 09:00", "content": "操作培训", "duration_minutes": 90}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["occurred_at"], "2026-11-21T09:00");
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/service-records", None).await.json()["total"], 0);
    let doc = t.send(Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
    for p in [
        "/api/v1/interactions",
        "/api/v1/interactions/{id}",
        "/api/v1/accounts/{id}/interactions",
        "/api/v1/service-records",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
    // Pages: record a call from the account page, see it in the tab and the list.
    let b = t.browser("rep_web", Role::Sales, Some("East")).await;
    let r = t.post(&b, "/accounts", &[("name", "联系测试公司"), ("owner", "")]).await;
    let acc: i64 = account_id_of(&r);
    t.post(&b, &format!("/accounts/{acc}/contacts"), &[("name", "郑七")]).await;
    let form = t.get(&b, &format!("/accounts/{acc}/interactions/new")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<option value=\"郑七\">"), "their people offered from the account's contacts");
    let r = t
        .post(
            &b,
            &format!("/accounts/{acc}/interactions"),
            &[("occurred_at", "2026-11-25T15:00"), ("channel", "visit"), ("subject", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("必填项") && r.body.contains("2026-11-25T15:00"));
    let r = t
        .post(
            &b,
            &format!("/accounts/{acc}/interactions"),
            &[
                ("occurred_at", "2026-11-25T15:00"),
                ("channel", "visit"),
                ("subject", "技术交流"),
                ("their_people", "郑七"),
                ("next_step", "寄样品"),
                ("follow_up_date", "2026-12-02"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let tab = t.get(&b, &format!("/accounts/{acc}?tab=interactions")).await;
    assert!(tab.body.contains("技术交流") && tab.body.contains("寄样品 · 2026-12-02") && tab.body.contains("拜访"));
    let list = t.get(&b, "/interactions").await;
    assert!(list.body.contains("技术交流") && list.body.contains("联系测试公司"));
    let other = t.browser("rep_web2", Role::Sales, Some("East")).await;
    assert!(!t.get(&other, "/interactions").await.body.contains("技术交流"), "a colleague does not see it");
    let id: i64 = tab.body.split("href=\"/interactions/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    assert_eq!(t.get(&other, &format!("/interactions/{id}")).await.status, StatusCode::NOT_FOUND);
    let card = t.get(&b, &format!("/interactions/{id}")).await;
    assert!(card.body.contains("郑七") && card.body.contains("技术交流"));
    let r = t
        .post(
            &b,
            &format!("/interactions/{id}"),
            &[("occurred_at", "2026-11-25T15:00"), ("channel", "visit"), ("subject", "技术交流（改）")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let hist = t.get(&b, &format!("/accounts/{acc}?tab=history")).await;
    assert!(hist.body.contains("联系记录") && hist.body.contains("技术交流（改）"));
    // The timeline: every kind, newest first, filterable.
    let r =
        t.post(&b, &format!("/accounts/{acc}/needs"), &[("analysed_on", "2026-11-26"), ("needs", "扩大产能")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let tl = t.get(&b, &format!("/accounts/{acc}?tab=timeline")).await;
    let (a, c) = (tl.body.find("扩大产能").unwrap(), tl.body.find("技术交流（改）").unwrap());
    assert!(a < c, "the newer needs analysis comes first");
    let tl = t.get(&b, &format!("/accounts/{acc}?tab=timeline&kind=need")).await;
    assert!(tl.body.contains("扩大产能") && !tl.body.contains("技术交流（改）"));
    let token = t.store.create_token("rep_web", "t").await.unwrap();
    let api = t.api(&token, "GET", &format!("/api/v1/accounts/{acc}/timeline"), None).await.json();
    let kinds: Vec<&str> = api["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["need", "interaction"]);
    assert_eq!(
        t.api(&token, "GET", &format!("/api/v1/accounts/{acc}/timeline?kind=bogus"), None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let other_token = t.store.create_token("rep_web2", "t").await.unwrap();
    assert_eq!(
        t.api(&other_token, "GET", &format!("/api/v1/accounts/{acc}/timeline"), None).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn needs_versions_and_survey_trend(s: Store) {
    let t = TestApp::new(s);
    let (rep, other, acc) = needs_and_surveys_setup(&t).await;
    for (day, text) in [("2026-09-01", "年度框架采购"), ("2026-11-15", "增加环保型号")] {
        let r = t
            .api(
                &rep,
                "POST",
                &format!("/api/v1/accounts/{acc}/needs"),
                Some(json!({"analysed_on": day, "needs": text, "budget": 50_000_000})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let needs = t.api(&rep, "GET", &format!("/api/v1/accounts/{acc}/needs"), None).await.json();
    assert_eq!(needs["items"][0]["needs"], "增加环保型号", "the newest version first");
    assert_eq!(needs["items"][1]["analysed_on"], "2026-09-01", "older versions are kept");
    for (day, overall, nps) in [("2026-10-05", 4, 9), ("2026-10-25", 5, 10), ("2026-11-05", 3, 4)] {
        let r = t
            .api(
                &rep,
                "POST",
                "/api/v1/surveys",
                Some(json!({"account_id": acc, "surveyed_on": day, "overall": overall, "nps": nps, "product": 4})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = t
        .api(
            &rep,
            "POST",
            "/api/v1/surveys",
            Some(json!({"account_id": acc, "surveyed_on": "2026-11-06", "overall": 6, "nps": 11})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["overall"].is_string() && r.json()["error"]["fields"]["nps"].is_string());
    let trend = t.api(&rep, "GET", &format!("/api/v1/surveys/trend?account_id={acc}"), None).await.json();
    assert_eq!(
        trend["items"][0],
        json!({"month": "2026-10", "responses": 2, "average": 4.5, "nps": 100, "nps_responses": 2})
    );
    assert_eq!(trend["items"][1]["nps"], -100);
    assert_eq!(
        t.api(&other, "GET", &format!("/api/v1/surveys/trend?account_id={acc}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(t.api(&other, "GET", "/api/v1/surveys/trend", None).await.json()["items"], json!([]));
    let b = t.browser("mgr", Role::Manager, Some("East")).await;
    let page = t.get(&b, &format!("/accounts/{acc}?tab=surveys")).await;
    assert!(page.body.contains("满意度趋势") && page.body.contains("2026-10") && page.body.contains("4.5"));
    let page = t.get(&b, &format!("/accounts/{acc}?tab=needs")).await;
    assert!(page.body.contains("增加环保型号") && page.body.contains("年度框架采购"));
}

async fn today_page_reminders_and_calendar_feed(s: Store) {
    let t = TestApp::new(s);
    let today = t.store.today();
    let b = t.browser("rep", Role::Sales, Some("East")).await;
    let r = t.post(&b, "/accounts", &[("name", "提醒测试公司"), ("owner", "")]).await;
    let acc: i64 = account_id_of(&r);
    let due = today.to_string();
    let r = t
        .post(
            &b,
            &format!("/accounts/{acc}/interactions"),
            &[
                ("occurred_at", "2026-01-05T10:00"),
                ("channel", "phone"),
                ("subject", "询价"),
                ("next_step", "发送报价单"),
                ("follow_up_date", &due),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let birth = format!("1970-{:02}-{:02}", today.month() as u8, today.day().min(28));
    let r = t
        .post(
            &b,
            &format!("/accounts/{acc}/contacts"),
            &[("name", "冯总"), ("birth_date", &birth), ("buying_role", "decision_maker")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = t.get(&b, "/today").await;
    assert!(page.body.contains("发送报价单") && page.body.contains("跟进"), "the follow-up is due today");
    if today.day() <= 28 {
        assert!(page.body.contains("冯总") && page.body.contains("生日"), "a decision maker's birthday");
    }
    let home = t.get(&b, "/").await;
    assert!(home.body.contains("今日待办"));
    // The same over the API.
    let token = t.store.create_token("rep", "t").await.unwrap();
    let list = t.api(&token, "GET", "/api/v1/reminders", None).await.json();
    let key = list["items"].as_array().unwrap().iter().find(|r| r["kind"] == "follow_up").unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let r =
        t.api(&token, "POST", &format!("/api/v1/reminders/{key}/snooze"), Some(json!({"until": "2001-01-01"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "snoozing into the past");
    // A colleague has none of it.
    let other = t.browser("other", Role::Sales, Some("East")).await;
    assert!(!t.get(&other, "/today").await.body.contains("发送报价单"));
    // The calendar feed: a secret address, parsed by an independent iCalendar parser.
    let r = t.post(&b, "/calendar/feed", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let url = r
        .body
        .split("/calendar/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|p| format!("/calendar/{p}"))
        .expect("the feed address is shown");
    assert!(url.ends_with(".ics"));
    let feed = t.send(Request::get(url.as_str()).body(Body::empty()).unwrap()).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/calendar"));
    let cals: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(feed.body.as_bytes())).collect();
    assert_eq!(cals.len(), 1);
    let cal = cals.into_iter().next().unwrap().expect("valid iCalendar");
    let prop = |e: &ical::parser::ical::component::IcalEvent, name: &str| {
        e.properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap_or_default()
    };
    let follow =
        cal.events.iter().find(|e| prop(e, "SUMMARY").contains("发送报价单")).expect("the follow-up is an event");
    assert_eq!(prop(follow, "DTSTART"), due.replace('-', ""));
    assert!(prop(follow, "UID").starts_with("follow_up-"));
    assert!(prop(follow, "SUMMARY").contains("提醒测试公司"));
    // Done removes it from the page and the feed; a revoked address answers 404.
    let r = t.post(&b, &format!("/reminders/{key}/done"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!t.get(&b, "/today").await.body.contains("发送报价单"));
    let feed = t.send(Request::get(url.as_str()).body(Body::empty()).unwrap()).await;
    assert!(!feed.body.contains("发送报价单"));
    let r = t.post(&b, "/calendar/feed/revoke", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(t.send(Request::get(url.as_str()).body(Body::empty()).unwrap()).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.send(Request::get("/calendar/guess.ics").body(Body::empty()).unwrap()).await.status,
        StatusCode::NOT_FOUND
    );
    let rows = t.store.recent_audit(20).await.unwrap();
    assert!(rows.iter().any(|r| r.entity == "reminder") && rows.iter().any(|r| r.entity == "calendar_feed"));
}

async fn complaints_through_to_closed_and_overdue(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    // Service staff take a complaint on another team's account; reps see only their own accounts' complaints.
    let now = t.store.today();
    let fresh = format!("{now}T08:00");
    let r = t.api(&w.service, "POST", "/api/v1/complaints", Some(json!({"account_id": w.acc_c, "received_at": fresh, "complainant": "王主任", "subject": "包装破损", "content": "两箱破损", "priority": "low"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let fresh_id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["status"], "received");
    assert_eq!(r.json()["overdue"], json!({"reply": false, "resolution": false}));
    let r = t.api(&w.service, "POST", "/api/v1/complaints", Some(json!({"account_id": w.acc_c, "received_at": "2025-01-02T09:00", "complainant": "赵科长", "subject": "发票错误", "content": "税号错", "priority": "urgent"}))).await;
    let late_id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["overdue"], json!({"reply": true, "resolution": true}), "an old open complaint is overdue");
    assert_eq!(
        t.api(&w.rep_a, "GET", &format!("/api/v1/complaints/{fresh_id}"), None).await.status,
        StatusCode::NOT_FOUND,
        "another team's complaint"
    );
    assert_eq!(
        t.api(&w.rep_c, "GET", "/api/v1/complaints", None).await.json()["total"],
        2,
        "the owner sees their account's complaints"
    );
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/complaints", None).await.json()["total"], 0);
    // The handler 处理人 is a user: chosen from a list on the form, a made-up name refused.
    let r = t
        .api(&w.service, "PATCH", &format!("/api/v1/complaints/{fresh_id}"), Some(json!({"handler": "不存在的人"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["fields"]["handler"].as_str().unwrap().contains("在职用户"));
    let r =
        t.api(&w.service, "PATCH", &format!("/api/v1/complaints/{fresh_id}"), Some(json!({"handler": "svc"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let svc_page = t.browser("svc_page", Role::Service, None).await;
    let form = t.get(&svc_page, &format!("/complaints/{fresh_id}/edit")).await;
    assert!(
        form.body.contains("<select id=\"f-handler\" name=\"handler\"")
            && form.body.contains("<option value=\"svc\" selected>"),
        "{}",
        form.body
    );
    // A save says so on the page it lands on.
    let r = t
        .post(
            &svc_page,
            &format!("/complaints/{fresh_id}"),
            &[
                ("received_at", fresh.as_str()),
                ("complainant", "王主任"),
                ("subject", "包装破损"),
                ("content", "两箱破损"),
                ("priority", "low"),
                ("handler", "svc_page"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let landed = t.get(&svc_page, r.headers[header::LOCATION].to_str().unwrap()).await;
    assert!(landed.body.contains("已保存"), "the confirmation shows");
    // Missing fields, a bad step, a step by someone who may not.
    let r = t
        .api(&w.service, "POST", &format!("/api/v1/accounts/{}/complaints", w.acc_c), Some(json!({"subject": "x"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["received_at", "complainant", "content", "priority"] {
        assert!(r.json()["error"]["fields"][f].is_string(), "{f}");
    }
    let r = t
        .api(&w.service, "POST", &format!("/api/v1/complaints/{fresh_id}/transition"), Some(json!({"to": "closed"})))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = t
        .api(&w.fin, "POST", &format!("/api/v1/complaints/{fresh_id}/transition"), Some(json!({"to": "analysing"})))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .api(&w.service, "POST", &format!("/api/v1/complaints/{fresh_id}/transition"), Some(json!({"to": "nowhere"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Through to closed, before its deadline (saying how it was handled before the reply).
    let patch = json!({"remedy": "补发两箱", "result": "客户确认收货"});
    let r = t.api(&w.service, "PATCH", &format!("/api/v1/complaints/{fresh_id}"), Some(patch)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for to in ["analysing", "handling", "replied", "closed"] {
        let r = t
            .api(
                &w.service,
                "POST",
                &format!("/api/v1/complaints/{fresh_id}/transition"),
                Some(json!({"to": to, "note": format!("→{to}")})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{to}: {}", r.body);
        assert_eq!(r.json()["status"], to);
    }
    let c = t.api(&w.rep_c, "GET", &format!("/api/v1/complaints/{fresh_id}"), None).await.json();
    assert_eq!(c["overdue"], json!({"reply": false, "resolution": false}));
    let steps = t.api(&w.rep_c, "GET", &format!("/api/v1/complaints/{fresh_id}/steps"), None).await.json();
    assert_eq!(steps["items"].as_array().unwrap().len(), 5);
    assert_eq!(steps["items"][4]["by_name"], "svc");
    // Pages: the list flags the overdue one; the card offers the next steps; the owner's Today shows the deadline.
    let b = t.browser("svc_web", Role::Service, None).await;
    let list = t.get(&b, "/complaints").await;
    assert!(list.body.contains("发票错误") && list.body.contains("逾期"));
    let card = t.get(&b, &format!("/complaints/{late_id}")).await;
    assert!(card.body.contains("name=\"to\" value=\"analysing\"") && card.body.contains("回复期限"));
    let r =
        t.post(&b, &format!("/complaints/{late_id}/transition"), &[("to", "analysing"), ("note", "已联系客户")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let card = t.get(&b, &format!("/complaints/{late_id}")).await;
    assert!(card.body.contains("已联系客户") && card.body.contains("分析中"));
    let print = t.get(&b, &format!("/complaints/{late_id}/print")).await;
    assert!(
        print.body.contains("客户投诉管理卡") && print.body.contains("发票错误") && print.body.contains("赵科长"),
        "附表八 print page"
    );
    let outsider = t.browser("rep_outsider", Role::Sales, Some("East")).await;
    assert_eq!(t.get(&outsider, &format!("/complaints/{late_id}/print")).await.status, StatusCode::NOT_FOUND);
    let r = t
        .post(
            &b,
            &format!("/accounts/{}/complaints", w.acc_c),
            &[
                ("received_at", "2026-11-28T10:00"),
                ("complainant", "钱"),
                ("subject", "网页投诉"),
                ("content", "内容"),
                ("priority", "normal"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let tl = t.get(&b, &format!("/accounts/{}?tab=complaints", w.acc_c)).await;
    assert!(tl.body.contains("网页投诉") && tl.body.contains("已受理"));
    let owner = t.store.user_by_username("rep_c").await.unwrap().unwrap();
    let due = t.store.reminders(&owner, t.store.today(), 0).await.unwrap();
    assert!(
        due.iter().any(|r| r.title == "发票错误" && r.overdue),
        "the overdue complaint is on the owner's Today list"
    );
}

async fn visit_records_with_objections(s: Store) {
    let t = TestApp::new(s);
    let b = t.browser("rep", Role::Sales, Some("East")).await;
    let r = t.post(&b, "/accounts", &[("name", "拜访测试公司"), ("owner", "")]).await;
    let acc: i64 = account_id_of(&r);
    let form = t.get(&b, &format!("/accounts/{acc}/visits/new")).await;
    assert!(form.body.contains("name=\"sequence\" value=\"1\""), "the first visit is number 1");
    let r = t
        .post(
            &b,
            &format!("/accounts/{acc}/visits"),
            &[("visited_at", "2026-11-20T10:00"), ("sequence", "1"), ("goal", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let today = t.store.today().to_string();
    let r = t
        .post(
            &b,
            &format!("/accounts/{acc}/visits"),
            &[
                ("visited_at", "2026-11-20T10:00"),
                ("sequence", "1"),
                ("goal", "技术交流"),
                ("objections", "认为价格偏高"),
                ("resolution_plan", "准备成本分析"),
                ("next_planned", &today),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let form = t.get(&b, &format!("/accounts/{acc}/visits/new")).await;
    assert!(form.body.contains("name=\"sequence\" value=\"2\""));
    let page = t.get(&b, "/today").await;
    assert!(page.body.contains("认为价格偏高") && page.body.contains("存留异议") && page.body.contains("计划拜访"));
    let token = t.store.create_token("rep", "t").await.unwrap();
    let list = t.api(&token, "GET", &format!("/api/v1/accounts/{acc}/visits"), None).await.json();
    assert_eq!(list["items"][0]["goal"], "技术交流");
    let id = list["items"][0]["id"].as_i64().unwrap();
    let r = t.api(&token, "PATCH", &format!("/api/v1/visits/{id}"), Some(json!({"objection_resolved": true}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!t.get(&b, "/today").await.body.contains("认为价格偏高"), "resolved objections leave the Today list");
    let print = t.get(&b, &format!("/accounts/{acc}/visits/print")).await;
    assert!(
        print.body.contains("客户拜访档案记录")
            && print.body.contains("技术交流")
            && print.body.contains("准备成本分析"),
        "附表三 print page"
    );
}

async fn visit_plans_grid_form_and_api(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let year = t.store.today().year();
    let d = |m: u8, day: u8| format!("{year}-{m:02}-{day:02}");
    // The rep plans the year's visits on the form.
    let b = t.browser("rep_web", Role::Sales, Some("East")).await;
    let r = t.post(&b, "/accounts", &[("name", "计划测试公司"), ("owner", "")]).await;
    let acc: i64 = account_id_of(&r);
    let form = t.get(&b, &format!("/accounts/{acc}/visit-plan")).await;
    assert_eq!(form.status, StatusCode::OK);
    let year_s = year.to_string();
    let r = t
        .post(
            &b,
            &format!("/accounts/{acc}/visit-plan"),
            &[("year", &year_s), ("planned_1", &d(1, 10)), ("planned_2", "2001-01-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("日期应在计划年度内"));
    let r = t
        .post(
            &b,
            &format!("/accounts/{acc}/visit-plan"),
            &[("year", &year_s), ("planned_1", &d(1, 10)), ("planned_2", &d(2, 10))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // A visit fulfils the first planned slot.
    let r = t
        .post(
            &b,
            &format!("/accounts/{acc}/visits"),
            &[("visited_at", &format!("{}T10:00", d(1, 12))), ("goal", "年初拜访")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let grid = t.get(&b, &format!("/visit-plans?year={year}")).await;
    assert!(
        grid.body.contains("计划测试公司")
            && grid.body.contains("01-10")
            && grid.body.contains("01-12")
            && grid.body.contains("on_time")
    );
    assert!(grid.body.contains("第 12 次"));
    // The API: plans in scope, one plan, replacing dates, the summary.
    let token = t.store.create_token("rep_web", "t").await.unwrap();
    let plan = t.api(&token, "GET", &format!("/api/v1/accounts/{acc}/visit-plans/{year}"), None).await.json();
    assert_eq!(plan["slots"][0], json!({"planned": d(1, 10), "actual": d(1, 12)}));
    let r = t
        .api(
            &token,
            "PUT",
            &format!("/api/v1/accounts/{acc}/visit-plans/{year}"),
            Some(json!({"planned": [d(1, 10), d(2, 10), d(3, 10)]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["slots"][2]["planned"], d(3, 10));
    let r = t
        .api(&token, "PUT", &format!("/api/v1/accounts/{acc}/visit-plans/{year}"), Some(json!({"planned": ["soon"]})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        t.api(&w.rep_c, "GET", &format!("/api/v1/accounts/{acc}/visit-plans/{year}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.api(&w.rep_c, "GET", &format!("/api/v1/visit-plans?year={year}"), None).await.json()["items"],
        json!([])
    );
    let sum = t
        .api(&token, "GET", &format!("/api/v1/visit-plans/summary?from={}&to={}", d(1, 1), d(12, 31)), None)
        .await
        .json();
    assert_eq!(sum["items"][0]["planned"], 3);
    assert_eq!(sum["items"][0]["on_time"], 1);
}

async fn market_activities_with_participants(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let r = t
        .api(
            &w.m_east,
            "POST",
            "/api/v1/market-activities",
            Some(json!({"title": "华东用户大会", "kind": "seminar", "starts_on": "2026-10-18", "place": "杭州"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(
        t.api(
            &w.fin,
            "POST",
            "/api/v1/market-activities",
            Some(json!({"title": "x", "kind": "seminar", "starts_on": "2026-10-18"}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = t.api(&w.rep_a, "POST", "/api/v1/market-activities", Some(json!({"title": "x", "kind": "party"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = t
        .api(
            &w.rep_a,
            "POST",
            &format!("/api/v1/market-activities/{id}/participants"),
            Some(json!({"account_id": w.acc_a, "contact_id": w.con_a, "note": "演讲嘉宾"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = t
        .api(
            &w.rep_c,
            "POST",
            &format!("/api/v1/market-activities/{id}/participants"),
            Some(json!({"account_id": w.acc_c})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        t.api(
            &w.rep_a,
            "POST",
            &format!("/api/v1/market-activities/{id}/participants"),
            Some(json!({"account_id": w.acc_c}))
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let seen = t.api(&w.rep_a, "GET", &format!("/api/v1/market-activities/{id}"), None).await.json();
    assert_eq!(seen["participants"].as_array().unwrap().len(), 1, "another team's participant is hidden");
    assert_eq!(seen["participants"][0]["contact_name"], "赵一");
    assert_eq!(
        t.api(&w.admin, "GET", &format!("/api/v1/market-activities/{id}"), None).await.json()["participants"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/market-activities", w.acc_a), None).await.json()["items"]
            [0]["title"],
        "华东用户大会"
    );
    assert_eq!(
        t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/market-activities", w.acc_c), None).await.status,
        StatusCode::NOT_FOUND
    );
    // Pages: the account's events tab, the event card with the add form.
    let b = t.browser("rep_web", Role::Sales, Some("East")).await;
    let r = t.post(&b, "/market-activities", &[("title", ""), ("kind", "seminar"), ("starts_on", "2026-11-01")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = t
        .post(&b, "/market-activities", &[("title", "展会"), ("kind", "exhibition"), ("starts_on", "2026-11-01")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ev = r.headers[header::LOCATION].to_str().unwrap().split('?').next().unwrap().to_string();
    let r = t.post(&b, "/accounts", &[("name", "展会客户"), ("owner", "")]).await;
    let acc: i64 = account_id_of(&r);
    let card = t.get(&b, &ev).await;
    assert!(card.body.contains(&format!("<option value=\"{acc}\">展会客户</option>")));
    let r = t.post(&b, &format!("{ev}/participants"), &[("who", &acc.to_string()), ("note", "参展")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let tab = t.get(&b, &format!("/accounts/{acc}?tab=events")).await;
    assert!(tab.body.contains("展会") && tab.body.contains("2026-11-01"));
    let hist = t.get(&b, &format!("/accounts/{acc}?tab=history")).await;
    assert!(hist.body.contains("市场活动"));
}

async fn interactions_link_the_contacts_met(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let rep = t.browser("ix_rep", Role::Sales, Some("East")).await;
    let rep_user = t.store.user_by_username("ix_rep").await.unwrap().unwrap();
    let acc = t
        .store
        .create_account(
            &rep_user.actor(),
            kam_store::accounts::AccountInput {
                rec: [("name", kam_core::Value::Text("联系记录客户".into()))].into_iter().collect(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let mut ids = Vec::new();
    for name in ["周总", "吴工"] {
        let c = t
            .store
            .create_contact(
                &rep_user.actor(),
                acc,
                [("name", kam_core::Value::Text(name.into()))].into_iter().collect(),
                Default::default(),
            )
            .await
            .unwrap();
        ids.push(c.id.to_string());
    }
    let form = t.get(&rep, &format!("/accounts/{acc}/interactions/new")).await;
    assert!(
        form.body.contains(&format!("name=\"their_contacts\" value=\"{}\"", ids[0])),
        "the account's contacts to tick"
    );
    // Two ticked boxes arrive as one list of links.
    let r = t
        .post(
            &rep,
            &format!("/accounts/{acc}/interactions"),
            &[
                ("occurred_at", "2026-11-20T10:00"),
                ("channel", "meeting"),
                ("subject", "季度回顾"),
                ("their_contacts", ids[1].as_str()),
                ("their_contacts", ids[0].as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let f = kam_store::activity::ActivityFilter { account_id: Some(acc), page: 1, per_page: 10 };
    let made = t.store.list_activities(&kam_core::activity::INTERACTION, &rep_user.actor(), &f).await.unwrap().items;
    assert_eq!(made[0].rec["their_contacts"], kam_core::Value::Text(format!("{},{}", ids[0], ids[1])));
    let page = t.get(&rep, &format!("/interactions/{}", made[0].id)).await;
    assert!(page.body.contains("周总、吴工"), "{}", page.body);
    // Over the API: ids as an array; another account's contact is refused.
    let r = t
        .api(&w.rep_a, "POST", &format!("/api/v1/accounts/{}/interactions", w.acc_a), Some(json!({"occurred_at": "2026-11-21T09:00", "channel": "phone", "subject": "回访", "their_contacts": [w.con_b]})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["their_contacts"].is_string());
    let r = t
        .api(&w.rep_a, "POST", &format!("/api/v1/accounts/{}/interactions", w.acc_a), Some(json!({"occurred_at": "2026-11-21T09:00", "channel": "phone", "subject": "回访", "their_contacts": [w.con_a]})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["their_contacts"], w.con_a.to_string());
}
