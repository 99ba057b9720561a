//! Accounts and their people: writes and history, field errors in the user's language, similar names, the pool, contacts, competitors and business, addresses, search.

use crate::support::*;

kam_store::on_both_engines!(
    writes_are_audited_and_history_is_served,
    bad_input_gets_field_errors_never_500,
    forms_show_field_errors_in_the_users_language,
    similar_names_warn_with_a_link,
    pool_claim_release_and_handover_over_the_api,
    contacts_over_the_api,
    competitors_and_business_over_pages_and_api,
    addresses_follow_the_national_division_list,
    history_reads_as_plain_language,
    the_search_box_finds_contracts_and_records,
);

async fn writes_are_audited_and_history_is_served(s: Store) {
    let t = TestApp::new(s);
    let (_, rep) = t.user("rep", Role::Sales, Some("East")).await;
    let (_, m) = t.user("mgr", Role::Manager, Some("East")).await;
    let a =
        t.api(&rep, "POST", "/api/v1/accounts", Some(json!({"name": "审计测试有限公司", "grade": "C"}))).await.json();
    let id = a["id"].as_i64().unwrap();
    t.api(&rep, "PATCH", &format!("/api/v1/accounts/{id}"), Some(json!({"grade": "A", "city": "杭州市"}))).await;
    let c = t.api(&rep, "POST", "/api/v1/contacts", Some(json!({"account_id": id, "name": "周五"}))).await.json();
    t.api(&rep, "PATCH", &format!("/api/v1/contacts/{}", c["id"]), Some(json!({"mobile": "13711112222"}))).await;
    let comp = t.api(&rep, "POST", "/api/v1/competitors", Some(json!({"name": "对手甲"}))).await.json();
    t.api(
        &rep,
        "POST",
        &format!("/api/v1/accounts/{id}/competitors"),
        Some(json!({"competitor_id": comp["id"], "share_pct": 30})),
    )
    .await;
    t.api(
        &rep,
        "POST",
        &format!("/api/v1/accounts/{id}/partners"),
        Some(json!({"kind": "supplier", "name": "供应商乙"})),
    )
    .await;
    t.api(&rep, "POST", &format!("/api/v1/accounts/{id}/release"), None).await;
    t.api(&m, "POST", &format!("/api/v1/accounts/{id}/claim"), None).await;
    let h = t.api(&m, "GET", &format!("/api/v1/accounts/{id}/history"), None).await.json();
    let seen: Vec<(String, String)> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["entity"].as_str().unwrap().into(), r["action"].as_str().unwrap().into()))
        .collect();
    let want: Vec<(String, String)> = [
        ("account", "claim"),
        ("account", "release"),
        ("account_partner", "create"),
        ("competitor_position", "create"),
        ("contact", "update"),
        ("contact", "create"),
        ("account", "update"),
        ("account", "create"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(seen, want);
    let upd = &h["items"][6];
    assert_eq!(upd["changes"]["grade"], json!(["C", "A"]));
    assert_eq!(upd["actor_name"], "rep");
    // The History tab shows the same rows.
    let b = t.browser("mgr_web", Role::Manager, Some("East")).await;
    let page = t.get(&b, &format!("/accounts/{id}?tab=history")).await;
    assert!(page.body.contains("客户等级") && page.body.contains("认领"), "history tab");
    assert!(page.body.contains("C 类") && page.body.contains("A 类"), "choices by their label, not their code");
    assert!(page.body.contains("<span class=\"to\">mgr</span>"), "owners by name, not id");
    // And the trail cannot be altered.
    let first = h["items"][0]["id"].as_i64().unwrap();
    let (u, d) = t.store.try_tamper_audit(first).await;
    assert!(u.is_err() && d.is_err());
    // Delete is audited too.
    let r = t.api(&m, "DELETE", &format!("/api/v1/accounts/{id}"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(t.api(&m, "GET", &format!("/api/v1/accounts/{id}"), None).await.status, StatusCode::NOT_FOUND);
    let rows = t.store.account_history(kam_core::AccountId(id)).await.unwrap();
    assert_eq!(rows[0].action, "delete");
}

async fn bad_input_gets_field_errors_never_500(s: Store) {
    let t = TestApp::new(s);
    let (_, rep) = t.user("rep", Role::Sales, Some("East")).await;
    let r = t.api(&rep, "POST", "/api/v1/accounts", Some(json!({"name": "校验公司", "credit_code": "91350100M000100Y44", "email": "nope", "grade": "Z", "postcode": "12"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(e["error"]["code"], "validation_failed");
    assert!(e["error"]["fields"]["credit_code"].as_str().unwrap().contains("校验位"));
    for f in ["email", "grade", "postcode"] {
        assert!(e["error"]["fields"][f].is_string(), "{f}");
    }
    let r = t
        .send(
            Request::post("/api/v1/accounts")
                .header(header::AUTHORIZATION, format!("Bearer {rep}"))
                .header(header::ACCEPT_LANGUAGE, "en")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"name": "", "credit_code": "123"}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"]["name"], "This field is required.");
    assert!(r.json()["error"]["fields"]["credit_code"].as_str().unwrap().contains("18 characters"));
    for (method, path, body) in [
        ("POST", "/api/v1/accounts", "{not json"),
        ("POST", "/api/v1/accounts", "[1,2]"),
        ("PATCH", "/api/v1/accounts/abc", "{}"),
        ("GET", "/api/v1/accounts/99999999999999999999", ""),
        ("POST", "/api/v1/accounts", r#"{"name": 5}"#),
        ("POST", "/api/v1/accounts", r#"{"name": "x", "staff_count": "many"}"#),
        ("POST", "/api/v1/accounts", r#"{"name": "x", "owner_id": "me"}"#),
        ("POST", "/api/v1/accounts", r#"{"name": "x", "is_admin": true}"#),
        ("POST", "/api/v1/accounts", r#"{"name": "x", "parent_id": 424242}"#),
        ("GET", "/api/v1/nothing-here", ""),
    ] {
        let r = t
            .send(
                Request::builder()
                    .method(method)
                    .uri(path)
                    .header(header::AUTHORIZATION, format!("Bearer {rep}"))
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert!(r.status.is_client_error(), "{method} {path} {body}: {}", r.status);
        assert!(r.json()["error"]["code"].is_string(), "{method} {path}: JSON error body: {}", r.body);
    }
    let r = t.api(&rep, "GET", "/api/v1/accounts", None).await.json();
    assert_eq!(r["total"], 0, "no partial writes");
    // Unique credit code across scopes.
    let ok =
        t.api(&rep, "POST", "/api/v1/accounts", Some(json!({"name": "甲", "credit_code": "91350100M000100Y43"}))).await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let (_, other) = t.user("other", Role::Sales, Some("South")).await;
    let dup = t
        .api(&other, "POST", "/api/v1/accounts", Some(json!({"name": "乙", "credit_code": "91350100m000100y43"})))
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.json()["error"]["fields"]["credit_code"].as_str().unwrap().contains("已有客户"));
    // No token, bad token.
    let r = t.send(Request::get("/api/v1/accounts").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthorized");
    assert_eq!(t.api("kam_forged", "GET", "/api/v1/me", None).await.status, StatusCode::UNAUTHORIZED);
}

async fn forms_show_field_errors_in_the_users_language(s: Store) {
    let t = TestApp::new(s);
    let b = t.browser("rep", Role::Sales, Some("East")).await;
    let r = t
        .post(
            &b,
            "/accounts",
            &[("name", "表单公司"), ("credit_code", "91350100M000100Y44"), ("email", "bad"), ("owner", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("统一社会信用代码校验位不正确"));
    assert!(r.body.contains("Email 地址格式不正确"));
    assert!(r.body.contains("value=\"表单公司\""), "what was typed is kept");
    let r = t.post(&b, "/me/locale", &[("locale", "en")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = t.post(&b, "/accounts", &[("name", ""), ("credit_code", "91350100M000100Y44")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("check digit is wrong") && r.body.contains("This field is required."));
    let r =
        t.post(&b, "/accounts", &[("name", "正确公司"), ("credit_code", "91350100M000100Y43"), ("owner", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let page = t.get(&b, &loc).await;
    assert!(page.body.contains("正确公司") && page.body.contains("Saved."));
    // Contact form errors too.
    let id: i64 = loc.trim_start_matches("/accounts/").split('?').next().unwrap().parse().unwrap();
    let r = t.post(&b, &format!("/accounts/{id}/contacts"), &[("name", ""), ("birth_date", "1970-13-01")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Use a date like 2026-11-28."));
    // Errors are rendered in the user's language, found when the request is authenticated.
    let missing = t.get(&b, "/accounts/987654").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Not found, or not visible to you."), "{}", missing.body);
    let (en_user, en_token) = t.user("en_rep", Role::Sales, Some("East")).await;
    t.store.set_locale(en_user, "en").await.unwrap();
    let r = t.api(&en_token, "GET", "/api/v1/accounts/987654", None).await;
    assert_eq!(
        (r.status, r.json()["error"]["message"].as_str()),
        (StatusCode::NOT_FOUND, Some("Not found, or not visible to you."))
    );
    let r = t.api(&en_token, "POST", "/api/v1/accounts", Some(json!({"name": ""}))).await;
    assert_eq!(r.json()["error"]["fields"]["name"], "This field is required.");
    // Without a user the request's own language is used.
    let r = t.api("not-a-token", "GET", "/api/v1/accounts", None).await;
    assert_eq!(r.json()["error"]["message"], "需要登录或有效的 API 令牌。");
}

async fn similar_names_warn_with_a_link(s: Store) {
    let t = TestApp::new(s);
    let (_, other) = t.user("other", Role::Sales, Some("South")).await;
    let first = t.api(&other, "POST", "/api/v1/accounts", Some(json!({"name": "杭州华信化工有限公司"}))).await.json();
    let b = t.browser("rep", Role::Sales, Some("East")).await;
    let r = t.post(&b, "/accounts", &[("name", "杭州华信化工股份有限公司"), ("owner", "")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("已有名称非常相近的客户"));
    assert!(r.body.contains(&format!("/accounts/{}", first["id"])));
    let r =
        t.post(&b, "/accounts", &[("name", "杭州华信化工股份有限公司"), ("confirm_similar", "1"), ("owner", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (_, rep2) = t.user("rep2", Role::Sales, Some("East")).await;
    let r = t.api(&rep2, "POST", "/api/v1/accounts", Some(json!({"name": "杭州华信化工集团有限公司"}))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["warnings"].as_array().unwrap().len(), 2);
    assert_eq!(r.json()["warnings"][0]["code"], "similar_name");
}

async fn pool_claim_release_and_handover_over_the_api(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let p = t.api(&w.admin, "POST", "/api/v1/accounts", Some(json!({"name": "公海客户一"}))).await.json();
    let p2 = t
        .api(&w.m_east, "POST", "/api/v1/accounts", Some(json!({"name": "公海客户二", "owner_id": null})))
        .await
        .json();
    assert!(p["owner_id"].is_null() && p2["owner_id"].is_null());
    let pool = t.api(&w.rep_a, "GET", "/api/v1/accounts?pool=1", None).await.json();
    assert_eq!(pool["total"], 2);
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/accounts/{}/claim", p["id"]), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["owner_id"].as_i64(), Some(w.rep_a_id.0));
    let r = t.api(&w.rep_b, "POST", &format!("/api/v1/accounts/{}/claim", p["id"]), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "taken: out of rep_b's scope now");
    t.store.set_setting(None, "pool.claim_limit", "2").await.unwrap();
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/accounts/{}/claim", p2["id"]), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "rep_a holds 2 accounts: the limit");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("上限"));
    let r = t.api(&w.fin, "POST", &format!("/api/v1/accounts/{}/claim", p2["id"]), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t.api(&w.rep_b, "POST", &format!("/api/v1/accounts/{}/release", w.acc_a), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/accounts/{}/release", p["id"]), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["owner_id"].is_null());
    // Handover: only managers (own team) and admin.
    let body = json!({"from_user_id": w.rep_a_id, "to_user_id": w.rep_b_id});
    assert_eq!(
        t.api(&w.rep_a, "POST", "/api/v1/accounts/handover", Some(body.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let cross = json!({"from_user_id": w.rep_a_id, "to_user_id": w.rep_c_id});
    assert_eq!(t.api(&w.m_east, "POST", "/api/v1/accounts/handover", Some(cross)).await.status, StatusCode::FORBIDDEN);
    let r = t.api(&w.m_east, "POST", "/api/v1/accounts/handover", Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["moved"], 1);
    assert_eq!(
        t.api(&w.rep_b, "GET", &format!("/api/v1/accounts/{}", w.acc_a), None).await.json()["owner_id"].as_i64(),
        Some(w.rep_b_id.0)
    );
    // The pool and handover pages.
    let b = t.browser("rep_web", Role::Sales, Some("East")).await;
    let page = t.get(&b, "/pool").await;
    assert!(page.body.contains("公海客户一") && page.body.contains("认领"));
    let r = t.post(&b, &format!("/accounts/{}/claim", p["id"]), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = t.get(&b, &format!("/accounts/{}?tab=history", p["id"])).await;
    assert!(page.body.contains("认领") && page.body.contains("退回公海"));
}

async fn contacts_over_the_api(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let other = t.api(&w.rep_a, "POST", "/api/v1/accounts", Some(json!({"name": "关联公司"}))).await.json();
    let oid = other["id"].as_i64().unwrap();
    let r = t
        .api(
            &w.rep_a,
            "PUT",
            &format!("/api/v1/accounts/{oid}/contacts/{}", w.con_a),
            Some(json!({"title": "董事", "buying_role": "influencer", "is_primary": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["accounts"].as_array().unwrap().len(), 2);
    let r = t.api(&w.rep_a, "PUT", &format!("/api/v1/accounts/{oid}/contacts/{}", w.con_b), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "cannot link a contact one cannot see");
    let list = t.api(&w.rep_a, "GET", &format!("/api/v1/contacts?account_id={oid}"), None).await.json();
    assert_eq!(list["total"], 1);
    let hits = t.api(&w.rep_a, "GET", "/api/v1/search?q=%E8%B5%B5%E4%B8%80", None).await.json();
    assert_eq!(hits["items"][0]["id"].as_i64(), Some(w.con_a), "two-character name 赵一");
    let hits = t.api(&w.rep_a, "GET", "/api/v1/search?q=0000001", None).await.json();
    assert!(
        hits["items"].as_array().unwrap().iter().any(|h| h["id"].as_i64() == Some(w.con_a)),
        "part of a mobile number"
    );
    let r = t.api(&w.rep_a, "POST", "/api/v1/contacts", Some(json!({"name": "无客户"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = t.api(&w.fin, "PATCH", &format!("/api/v1/contacts/{}", w.con_a), Some(json!({"hobbies": "x"}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t.api(&w.rep_a, "DELETE", &format!("/api/v1/accounts/{oid}/contacts/{}", w.con_a), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t.api(&w.rep_a, "DELETE", &format!("/api/v1/contacts/{}", w.con_a), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.api(&w.rep_a, "GET", &format!("/api/v1/contacts/{}", w.con_a), None).await.status,
        StatusCode::NOT_FOUND
    );
    let me = t.api(&w.rep_a, "GET", "/api/v1/me", None).await.json();
    assert_eq!(
        (me["username"].as_str(), me["role"].as_str(), me["team_name"].as_str()),
        (Some("rep_a"), Some("sales"), Some("East"))
    );
    // Pages: contact card, list and link form.
    let b = t.browser("rep_web", Role::Sales, Some("East")).await;
    let r = t.post(&b, "/accounts", &[("name", "网页客户"), ("owner", "")]).await;
    let id: i64 = account_id_of(&r);
    let r = t
        .post(
            &b,
            &format!("/accounts/{id}/contacts"),
            &[("name", "吴六"), ("mobile", "13800138000"), ("buying_role", "decision_maker"), ("is_primary", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&b, &format!("/accounts/{id}?tab=contacts")).await;
    assert!(page.body.contains("吴六") && page.body.contains("决策者"));
    let page = t.get(&b, "/search?q=%E5%90%B4%E5%85%AD").await;
    assert!(page.body.contains("吴六"));
}

async fn competitors_and_business_over_pages_and_api(s: Store) {
    let t = TestApp::new(s);
    let b = t.browser("rep", Role::Sales, Some("East")).await;
    let r = t.post(&b, "/competitors", &[("name", "东方材料"), ("products", "工程塑料")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = t.post(&b, "/competitors", &[("name", "东方材料")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("该名称已被使用"));
    let r = t.post(&b, "/accounts", &[("name", "竞争测试公司"), ("owner", "")]).await;
    let id: i64 = account_id_of(&r);
    let page = t.get(&b, &format!("/accounts/{id}?tab=competition")).await;
    let cid = page.body.split("<option value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = t
        .post(
            &b,
            &format!("/accounts/{id}/competitors"),
            &[("competitor_id", &cid), ("share_pct", "35"), ("policy", "月结60天")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = t.get(&b, &format!("/accounts/{id}?tab=competition")).await;
    assert!(page.body.contains("35%") && page.body.contains("月结60天"));
    let r = t
        .post(
            &b,
            &format!("/accounts/{id}/competitors"),
            &[("competitor_id", &cid), ("share_pct", "很多"), ("prices", "低5%")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请输入百分比数字") && r.body.contains("value=\"低5%\""), "field error, typed values kept");
    let r = t
        .post(
            &b,
            &format!("/accounts/{id}/partners"),
            &[("kind", "supplier"), ("name", "上游供应商"), ("share_pct", "60")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = t.get(&b, &format!("/accounts/{id}?tab=business")).await;
    assert!(page.body.contains("上游供应商") && page.body.contains("60%"));
    let r = t.post(&b, &format!("/accounts/{id}/partners"), &[("kind", "supplier"), ("name", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("必填项"));
    let (_, token) = t.user("api_rep", Role::Sales, Some("East")).await;
    let list = t.api(&token, "GET", "/api/v1/competitors", None).await.json();
    assert_eq!(list["items"][0]["name"], "东方材料");
    assert_eq!(list["items"][0]["account_count"], 0, "the rep's own scope has no positions");
}

/// Issue 10: the History tab speaks the user's language — money as money,
/// codes by their labels (order and complaint statuses, ledger kinds),
/// accounts by name — for orders, ledger entries and complaints.
async fn history_reads_as_plain_language(s: Store) {
    let t = TestApp::new(s);
    let report = kam_store::demo::generate(&t.store, 12).await.unwrap();
    let b = t.login("admin", &report.password).await.unwrap();
    let svc = t.store.create_token("zhoujie", "history").await.unwrap();
    let complaint = json!({"received_at": "2026-11-27T09:00", "complainant": "王主任", "subject": "包装破损", "content": "两箱破损", "priority": "high"});
    let r = t.api(&svc, "POST", "/api/v1/accounts/1/complaints", Some(complaint)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let cid = r.json()["id"].as_i64().unwrap();
    let r =
        t.api(&svc, "POST", &format!("/api/v1/complaints/{cid}/transition"), Some(json!({"to": "analysing"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut changes = Vec::new();
    for id in 1..=12 {
        let page = t.get(&b, &format!("/accounts/{id}?tab=history")).await;
        assert_eq!(page.status, StatusCode::OK);
        for li in page.body.split("<li>").skip(1) {
            changes.push(li.split("</li>").next().unwrap_or_default().to_string());
        }
    }
    let joined = changes.join("\n");
    for (what, text) in [
        ("an order's status", "状态: <span class=\"from\">—</span> → <span class=\"to\">"),
        ("a ledger entry's kind", "回款"),
        ("a ledger entry's amount as money", "金额: <span class=\"from\">—</span> → <span class=\"to\">¥"),
        ("a complaint's status", "已受理"),
    ] {
        assert!(joined.contains(text), "{what}: {text} not in\n{joined}");
    }
    // No raw codes, minor units or bare ids where a label or a name belongs.
    for raw in [
        "→ <span class=\"to\">payment<",
        "→ <span class=\"to\">received<",
        "→ <span class=\"to\">delivered<",
        "→ <span class=\"to\">in_production<",
    ] {
        assert!(!joined.contains(raw), "raw code {raw}");
    }
    let bare_money = changes.iter().filter(|c| c.starts_with("金额") && !c.contains('¥')).collect::<Vec<_>>();
    assert!(bare_money.is_empty(), "amounts in minor units: {bare_money:?}");
    let account_ids = changes.iter().filter(|c| c.starts_with("客户:") && c.contains(">#")).collect::<Vec<_>>();
    assert!(account_ids.is_empty(), "accounts by id: {account_ids:?}");
}

async fn addresses_follow_the_national_division_list(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let list = t.send(Request::get("/static/divisions.json").body(Body::empty()).unwrap()).await;
    assert_eq!(list.status, StatusCode::OK);
    let tree = list.json();
    assert_eq!(tree.as_array().map(Vec::len), Some(31));
    let r = t
        .api(
            &w.rep_a,
            "POST",
            "/api/v1/accounts",
            Some(json!({"name": "地址校验客户", "province": "浙江省", "city": "苏州市"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["fields"]["city"].as_str().unwrap().contains("不在所选省份"));
    let r = t
        .api(
            &w.rep_a,
            "POST",
            "/api/v1/accounts",
            Some(json!({"name": "地址校验客户", "province": "江苏省", "city": "苏州市", "district": "苏州工业园区"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "a zone is written as people know it: {}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    // Changing only the province re-checks the city already there.
    let r = t.api(&w.rep_a, "PATCH", &format!("/api/v1/accounts/{id}"), Some(json!({"province": "浙江省"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // A page form says it field by field and keeps what was typed.
    let rep = t.browser("addr_rep", Role::Sales, Some("East")).await;
    let r = t.post(&rep, "/accounts", &[("name", "页面地址客户"), ("province", "广东省"), ("city", "杭州市")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不在所选省份") && r.body.contains("页面地址客户"));
}

async fn the_search_box_finds_contracts_and_records(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let body = json!({"account_id": w.acc_a, "contract_no": "KJ-SEARCH-77", "title": "冷链物流服务合同", "contract_type": "sales"});
    let r = t.api(&w.rep_a, "POST", "/api/v1/contracts", Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let hits = t.api(&w.rep_a, "GET", "/api/v1/search?q=SEARCH-77", None).await.json();
    assert_eq!(hits["items"][0]["entity"], "contract", "{hits}");
    assert_eq!(hits["items"][0]["id"].as_i64(), Some(id));
    assert_eq!(
        t.api(&w.rep_c, "GET", "/api/v1/search?q=SEARCH-77", None).await.json()["items"],
        json!([]),
        "outside scope"
    );
    let rep = t.browser("srch_rep", Role::Manager, Some("East")).await;
    let page = t.get(&rep, "/search?q=%E5%86%B7%E9%93%BE").await;
    assert!(
        page.body.contains("<h2>合同</h2>") && page.body.contains(&format!("href=\"/contracts/{id}\"")),
        "{}",
        page.body
    );
}
