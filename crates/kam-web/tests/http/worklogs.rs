//! Daily work logs: written, submitted, signed, printed.

use crate::support::*;

kam_store::on_both_engines!(worklogs_write_submit_sign_and_print,);

async fn worklogs_write_submit_sign_and_print(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let rep = t.browser("wl_rep", Role::Sales, Some("East")).await;
    let head = t.browser("wl_head", Role::Manager, Some("East")).await;
    let rep_user = t.store.user_by_username("wl_rep").await.unwrap().unwrap();
    let head_user = t.store.user_by_username("wl_head").await.unwrap().unwrap();
    let fin_id = t.store.user_by_username("fin").await.unwrap().unwrap().id;
    let acc = t
        .store
        .create_account(
            &rep_user.actor(),
            kam_store::accounts::AccountInput {
                rec: [("name", kam_core::Value::Text("日志页面客户有限公司".into()))].into_iter().collect(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let day = t.store.today().to_string();
    let acc_s = acc.to_string();
    // The form: a visit ending before it starts comes back field by field, in Chinese, nothing stored.
    let mut fields = vec![
        ("log_date", day.as_str()),
        ("market_analysis", "华东需求回暖"),
        ("visits.0.who", acc_s.as_str()),
        ("visits.0.time_from", "10:00"),
        ("visits.0.time_to", "09:00"),
        ("visits.0.content", "洽谈年度协议"),
        ("visits.1.who", ""),
        ("collections.0.who", acc_s.as_str()),
        ("collections.0.paid_amount", "12,000.50"),
        ("collections.0.quantity", "2.5"),
        ("affairs.0.department", ""),
    ];
    let r = t.post(&rep, "/worklogs", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("结束时间须晚于开始时间"), "{}", r.body);
    assert_eq!(t.api(&w.admin, "GET", "/api/v1/worklogs", None).await.json()["total"], 0, "nothing stored");
    fields[4] = ("visits.0.time_to", "11:30");
    let r = t.post(&rep, "/worklogs", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let id: i64 = loc.trim_start_matches("/worklogs/").split('?').next().unwrap().parse().unwrap();
    let page = t.get(&rep, &format!("/worklogs/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("洽谈年度协议") && page.body.contains("¥12,000.50"), "{}", page.body);
    // /worklogs/today opens the day's log.
    let r = t.get(&rep, "/worklogs/today").await;
    assert_eq!(r.headers[header::LOCATION].to_str().unwrap(), format!("/worklogs/{id}"));
    // Make the visit record from the entry: it opens for completing.
    let log = t.store.worklog(&rep_user.actor(), kam_core::WorklogId(id)).await.unwrap();
    let r = t.post(&rep, &format!("/worklogs/{id}/visits/{}/visit", log.visits[0].id), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.headers[header::LOCATION].to_str().unwrap().starts_with("/visits/"));
    // Editing on the page keeps the entry (and its visit record link) and adds a row.
    let vid = log.visits[0].id.to_string();
    let cid = log.collections[0].id.to_string();
    let edit = t.get(&rep, &format!("/worklogs/{id}/edit")).await;
    assert!(edit.body.contains(&format!("name=\"visits.0.id\" value=\"{vid}\"")), "{}", edit.body);
    let r = t
        .post(
            &rep,
            &format!("/worklogs/{id}"),
            &[
                ("visits.0.id", vid.as_str()),
                ("visits.0.who", acc_s.as_str()),
                ("visits.0.time_from", "10:00"),
                ("visits.0.time_to", "11:30"),
                ("visits.0.content", "洽谈年度协议（补充交期）"),
                ("visits.1.who", acc_s.as_str()),
                ("visits.1.time_from", "14:00"),
                ("visits.1.time_to", "15:00"),
                ("visits.1.content", "技术交流"),
                ("collections.0.id", cid.as_str()),
                ("collections.0.who", acc_s.as_str()),
                ("collections.0.paid_amount", "12,000.50"),
                ("collections.0.quantity", "2.5"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let log = t.store.worklog(&rep_user.actor(), kam_core::WorklogId(id)).await.unwrap();
    assert_eq!(log.visits.len(), 2);
    assert_eq!(log.visits[0].id.to_string(), vid);
    assert!(log.visits[0].visit_id.is_some(), "the link to the visit record stays");
    assert_eq!(log.date(), day, "the day names the log and does not change");
    // Others: a colleague and another team see nothing; the team's manager reads it.
    assert_eq!(t.api(&w.rep_b, "GET", &format!("/api/v1/worklogs/{id}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.api(&w.rep_c, "GET", &format!("/api/v1/worklogs/{id}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.api(&w.rep_c, "GET", "/api/v1/worklogs", None).await.json()["total"], 0);
    assert_eq!(t.api(&w.m_east, "GET", &format!("/api/v1/worklogs/{id}"), None).await.status, StatusCode::OK);
    assert_eq!(t.get(&head, &format!("/worklogs/{id}")).await.status, StatusCode::OK);
    // No chain: submitting explains why, on the page.
    let r = t.post(&rep, &format!("/worklogs/{id}/submit"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("还没有配置签核流程"));
    // The chain is the admin's: cashier (finance) → department head.
    let east = rep_user.team_id.unwrap();
    let chain =
        json!({"steps": [{"step": "dept_head", "signer_id": head_user.id}, {"step": "cashier", "signer_id": fin_id}]});
    let path = format!("/api/v1/teams/{east}/signoff-chain");
    assert_eq!(t.api(&w.m_east, "PUT", &path, Some(chain.clone())).await.status, StatusCode::FORBIDDEN);
    let bad = json!({"steps": [{"step": "boss", "signer_id": 1}]});
    assert_eq!(t.api(&w.admin, "PUT", &path, Some(bad)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = t.api(&w.admin, "PUT", &path, Some(chain)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["steps"][0]["step"], "cashier");
    // Submitted: locked for the rep, on the page and over the API.
    let r = t.post(&rep, &format!("/worklogs/{id}/submit"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(t.get(&rep, &format!("/worklogs/{id}/edit")).await.status, StatusCode::FORBIDDEN);
    let r = t.api(&w.rep_a, "PUT", &format!("/api/v1/worklogs/{id}"), Some(json!({"log_date": day}))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not even visible to another rep");
    // The head is not next: refused with a reason; the cashier signs over the API.
    let r = t.post(&head, &format!("/worklogs/{id}/sign"), &[("decision", "approve"), ("evaluation", "好")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("还没有轮到您签核"));
    let sign = format!("/api/v1/worklogs/{id}/sign");
    let r = t.api(&w.fin, "POST", &sign, Some(json!({"decision": "maybe"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["decision"].is_string());
    let r = t.api(&w.fin, "POST", &sign, Some(json!({"decision": "return"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a return needs a comment");
    let r = t.api(&w.fin, "POST", &sign, Some(json!({"decision": "approve", "comment": "回款已到账"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["next_step"], "dept_head");
    // The head sees it on Today and signs on the page; the evaluation is required.
    let today = t.get(&head, "/today").await;
    assert!(today.body.contains("待签核日志") && today.body.contains(&format!("/worklogs/{id}")), "{}", today.body);
    let r = t.post(&head, &format!("/worklogs/{id}/sign"), &[("decision", "approve"), ("evaluation", " ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("必填") || r.body.contains("不能为空"), "{}", r.body);
    let r = t
        .post(&head, &format!("/worklogs/{id}/sign"), &[("decision", "approve"), ("evaluation", "拜访扎实，回款及时")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let done = t.api(&w.m_east, "GET", &format!("/api/v1/worklogs/{id}"), None).await.json();
    assert_eq!(done["status"], "approved");
    assert_eq!(done["evaluation"], "拜访扎实，回款及时");
    assert_eq!(done["collections"][0]["paid_amount"], 1_200_050);
    assert_eq!(done["collections"][0]["quantity"], "2.5");
    assert!(!t.get(&head, "/today").await.body.contains(&format!("/worklogs/{id}")), "signed: no longer due");
    // The cashier posts the collection to the ledger: once, and finance only.
    let cid = done["collections"][0]["id"].as_i64().unwrap();
    let post = format!("/api/v1/worklogs/{id}/collections/{cid}/post");
    // On the page the cashier is asked for a word on what too (and to confirm).
    let mut cashier = Browser { cookie: t.store.create_session(fin_id).await.unwrap(), csrf: String::new() };
    cashier.csrf = csrf_of(&t.get(&cashier, "/").await.body);
    let shown = t.get(&cashier, &format!("/worklogs/{id}")).await;
    assert!(shown.body.contains("post-collection") && shown.body.contains("data-confirm"), "{}", shown.body);
    let r = t.post(&cashier, &format!("/worklogs/{id}/collections/{cid}/post"), &[("note", " ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请填写原因"));
    let why = json!({"note": "工行回单 11-28 已到账"});
    assert_eq!(t.api(&w.m_east, "POST", &post, Some(why.clone())).await.status, StatusCode::FORBIDDEN);
    let r = t.api(&w.fin, "POST", &post, Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "posting money needs a word on what: {}", r.body);
    assert!(r.json()["error"]["fields"]["note"].is_string());
    let r = t.api(&w.fin, "POST", &post, Some(why.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(t.api(&w.fin, "POST", &post, Some(why)).await.status, StatusCode::CONFLICT);
    let ledger = t.api(&w.fin, "GET", &format!("/api/v1/accounts/{acc}/ledger"), None).await.json();
    assert_eq!(ledger["ledgers"][0]["balance"], -1_200_050, "the payment of ¥12,000.50");
    assert!(t.get(&head, &format!("/worklogs/{id}")).await.body.contains("已入账"));
    // The printed form carries the entries, the evaluation and the signatures.
    let p = t.get(&head, &format!("/worklogs/{id}/print")).await;
    assert_eq!(p.status, StatusCode::OK);
    for s in [
        "业务工作日志",
        "附表九",
        "洽谈年度协议（补充交期）",
        "拜访扎实，回款及时",
        "部门主管：wl_head",
        "制表人：wl_rep",
    ] {
        assert!(p.body.contains(s), "{s}");
    }
    // The audit trail has every step.
    let auditor = kam_core::Actor { user_id: kam_core::UserId(0), role: Role::Auditor, team_id: None };
    let h = t.store.entity_history(&auditor, "worklog", id).await.unwrap();
    let actions: Vec<&str> = h.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, vec!["create", "update", "submit", "approve", "approve"]);
    let acc_h = t.store.account_history(acc).await.unwrap();
    assert!(acc_h.iter().any(|r| r.entity == "worklog_visit" && r.action == "update"));
    // The API writes logs too, validated field by field.
    let r = t
        .api(
            &w.rep_a,
            "POST",
            "/api/v1/worklogs",
            Some(json!({"log_date": day, "visits": [{"account_id": w.acc_c, "time_from": "9:00", "time_to": "25:00", "content": "x"}], "bogus": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &r.json()["error"]["fields"];
    assert!(f["bogus"].is_string() && f["visits.0.time_to"].is_string(), "{f}");
    let r = t
        .api(
            &w.rep_a,
            "POST",
            "/api/v1/worklogs",
            Some(json!({"log_date": day, "visits": [{"account_id": w.acc_c, "time_from": "9:00", "time_to": "10:00", "content": "x"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "another team's account");
    assert!(r.json()["error"]["fields"]["visits.0.account_id"].is_string());
    let r = t
        .api(
            &w.rep_a,
            "POST",
            "/api/v1/worklogs",
            Some(json!({"log_date": day, "affairs": [{"department": "财务部", "matter": "对账", "completion": "in_progress"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let api_id = r.json()["id"].as_i64().unwrap();
    assert_eq!(
        t.api(&w.rep_a, "DELETE", &format!("/api/v1/worklogs/{api_id}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.api(&w.fin, "POST", "/api/v1/worklogs", Some(json!({"log_date": day}))).await.status,
        StatusCode::FORBIDDEN
    );
    // Lists: awaiting-me filter and the pages in English.
    assert_eq!(t.api(&w.fin, "GET", "/api/v1/worklogs?awaiting_me=1", None).await.json()["total"], 0);
    assert_eq!(
        t.api(&w.fin, "GET", "/api/v1/worklogs?status=bogus", None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(t.get(&head, "/worklogs").await.status, StatusCode::OK);
    let doc = t.send(Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
    for p in [
        "/api/v1/worklogs",
        "/api/v1/worklogs/{id}/submit",
        "/api/v1/worklogs/{id}/sign",
        "/api/v1/teams/{id}/signoff-chain",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
}
