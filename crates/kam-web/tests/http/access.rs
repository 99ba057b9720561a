//! Who sees and may do what: the role table, scope, personal fields, CSRF, login and its throttling, sessions, service staff and money, the content-security policy.

use crate::support::*;

kam_store::on_both_engines!(
    role_table_for_account_and_contact_endpoints,
    lists_counts_and_search_never_leak,
    personal_fields_follow_the_policy,
    pages_answer_404_outside_scope,
    csrf_is_required_on_every_form,
    login_throttling_and_identical_failures,
    logout_and_disable_end_sessions,
    service_staff_never_see_money,
    after_login_next_stays_on_this_site,
    throttling_slows_guesses_and_locks_nobody_out,
    a_signer_outside_the_scope_reads_account_names_as_text,
    pages_forbid_inline_script_framing_and_caching,
);

/// The answer table: for each role, the status of one request against
/// (its own record, a team colleague's, another team's). "Own" for roles that
/// own nothing is rep_a's record.
async fn role_table_for_account_and_contact_endpoints(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let roles: [(&str, &str); 6] = [
        ("sales", &w.rep_a),
        ("manager", &w.m_east),
        ("finance", &w.fin),
        ("service", &w.service),
        ("auditor", &w.auditor),
        ("admin", &w.admin),
    ];
    let accounts = [w.acc_a, w.acc_b, w.acc_c];
    let contacts = [w.con_a, w.con_b, w.con_c];
    type Row = [(&'static str, [u16; 3]); 6];
    let get_account: Row = [
        ("sales", [200, 404, 404]),
        ("manager", [200, 200, 404]),
        ("finance", [200, 200, 200]),
        ("service", [200, 200, 200]),
        ("auditor", [200, 200, 200]),
        ("admin", [200, 200, 200]),
    ];
    let patch_general: Row = [
        ("sales", [200, 404, 404]),
        ("manager", [200, 200, 404]),
        ("finance", [403, 403, 403]),
        ("service", [403, 403, 403]),
        ("auditor", [403, 403, 403]),
        ("admin", [200, 200, 200]),
    ];
    let patch_credit: Row = [
        ("sales", [403, 404, 404]),
        ("manager", [403, 403, 404]),
        ("finance", [200, 200, 200]),
        ("service", [403, 403, 403]),
        ("auditor", [403, 403, 403]),
        ("admin", [200, 200, 200]),
    ];
    let post_contact: Row = [
        ("sales", [201, 404, 404]),
        ("manager", [201, 201, 404]),
        ("finance", [403, 403, 403]),
        ("service", [403, 403, 403]),
        ("auditor", [403, 403, 403]),
        ("admin", [201, 201, 201]),
    ];
    let mut failures = Vec::new();
    for (i, (role, token)) in roles.iter().enumerate() {
        for (j, id) in accounts.iter().enumerate() {
            let checks: [(&str, Resp, u16); 9] = [
                (
                    "GET competitors",
                    t.api(token, "GET", &format!("/api/v1/accounts/{id}/competitors"), None).await,
                    get_account[i].1[j],
                ),
                (
                    "GET partners",
                    t.api(token, "GET", &format!("/api/v1/accounts/{id}/partners"), None).await,
                    get_account[i].1[j],
                ),
                (
                    "POST partner",
                    t.api(
                        token,
                        "POST",
                        &format!("/api/v1/accounts/{id}/partners"),
                        Some(json!({"kind": "supplier", "name": format!("{role}的供应商")})),
                    )
                    .await,
                    post_contact[i].1[j],
                ),
                (
                    "GET account",
                    t.api(token, "GET", &format!("/api/v1/accounts/{id}"), None).await,
                    get_account[i].1[j],
                ),
                (
                    "GET history",
                    t.api(token, "GET", &format!("/api/v1/accounts/{id}/history"), None).await,
                    get_account[i].1[j],
                ),
                (
                    "GET contacts",
                    t.api(token, "GET", &format!("/api/v1/accounts/{id}/contacts"), None).await,
                    get_account[i].1[j],
                ),
                (
                    "PATCH notes",
                    t.api(
                        token,
                        "PATCH",
                        &format!("/api/v1/accounts/{id}"),
                        Some(json!({"notes": format!("by {role}")})),
                    )
                    .await,
                    patch_general[i].1[j],
                ),
                (
                    "PATCH credit_limit",
                    t.api(token, "PATCH", &format!("/api/v1/accounts/{id}"), Some(json!({"credit_limit": 100_000})))
                        .await,
                    patch_credit[i].1[j],
                ),
                (
                    "POST contact",
                    t.api(
                        token,
                        "POST",
                        &format!("/api/v1/accounts/{id}/contacts"),
                        Some(json!({"name": format!("{role}联系人")})),
                    )
                    .await,
                    post_contact[i].1[j],
                ),
            ];
            for (what, r, want) in checks.iter() {
                if r.status.as_u16() != *want {
                    failures.push(format!("{role} {what} #{j}: got {} want {want}: {}", r.status, r.body));
                }
                if r.status.as_u16() >= 400 {
                    let e = r.json();
                    assert!(
                        e["error"]["code"].is_string() && e["error"]["message"].is_string(),
                        "error body: {}",
                        r.body
                    );
                }
            }
        }
        for (j, id) in contacts.iter().enumerate() {
            let r = t.api(token, "GET", &format!("/api/v1/contacts/{id}"), None).await;
            if r.status.as_u16() != get_account[i].1[j] {
                failures.push(format!("{role} GET contact #{j}: got {}", r.status));
            }
            let r = t.api(token, "GET", &format!("/api/v1/contacts/{id}/history"), None).await;
            if r.status.as_u16() != get_account[i].1[j] {
                failures.push(format!("{role} GET contact history #{j}: got {}", r.status));
            }
            let r = t.api(token, "PATCH", &format!("/api/v1/contacts/{id}"), Some(json!({"department": role}))).await;
            let want = patch_general[i].1[j];
            if r.status.as_u16() != want {
                failures.push(format!("{role} PATCH contact #{j}: got {} want {want}: {}", r.status, r.body));
            }
        }
    }
    // Deleting contacts, then accounts: (who, record, expected), in an order that
    // leaves each target in place until its turn.
    for (who, token, id, want) in [
        ("sales colleague's", &w.rep_a, w.con_b, 404),
        ("finance", &w.fin, w.con_a, 403),
        ("service", &w.service, w.con_a, 403),
        ("auditor", &w.auditor, w.con_a, 403),
        ("manager other team", &w.m_east, w.con_c, 404),
        ("sales own", &w.rep_a, w.con_a, 204),
        ("manager own team", &w.m_east, w.con_b, 204),
        ("admin", &w.admin, w.con_c, 204),
        ("after delete", &w.admin, w.con_c, 404),
    ] {
        let r = t.api(token, "DELETE", &format!("/api/v1/contacts/{id}"), None).await;
        if r.status.as_u16() != want {
            failures.push(format!("DELETE contact {who}: got {} want {want}", r.status));
        }
    }
    // Deleting: (who, account, expected), in an order that leaves each target in place until its turn.
    for (who, token, id, want) in [
        ("sales own", &w.rep_a, w.acc_a, 403),
        ("finance", &w.fin, w.acc_a, 403),
        ("service", &w.service, w.acc_a, 403),
        ("auditor", &w.auditor, w.acc_a, 403),
        ("manager other team", &w.m_east, w.acc_c, 404),
        ("manager own team", &w.m_east, w.acc_b, 204),
        ("admin", &w.admin, w.acc_c, 204),
        ("after delete", &w.admin, w.acc_c, 404),
    ] {
        let r = t.api(token, "DELETE", &format!("/api/v1/accounts/{id}"), None).await;
        if r.status.as_u16() != want {
            failures.push(format!("DELETE {who}: got {} want {want}", r.status));
        }
    }
    assert!(failures.is_empty(), "answer table mismatches:\n{}", failures.join("\n"));
}

async fn lists_counts_and_search_never_leak(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let ids =
        |v: Value| -> Vec<i64> { v["items"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect() };
    let r = t.api(&w.rep_a, "GET", "/api/v1/accounts", None).await.json();
    assert_eq!(ids(r.clone()), vec![w.acc_a]);
    assert_eq!(r["total"], 1);
    let r = t.api(&w.m_east, "GET", "/api/v1/accounts?sort=name", None).await.json();
    let mut got = ids(r.clone());
    got.sort();
    assert_eq!(got, vec![w.acc_a, w.acc_b]);
    assert_eq!(r["total"], 2);
    assert_eq!(t.api(&w.fin, "GET", "/api/v1/accounts", None).await.json()["total"], 3);
    // Search by a colleague's contact name and account name finds nothing for the rep.
    let hits = t.api(&w.rep_a, "GET", "/api/v1/search?q=%E9%92%B1%E4%BA%8C", None).await.json();
    assert!(hits["items"].as_array().unwrap().is_empty(), "钱二 is rep_b's contact: {hits}");
    let hits = t.api(&w.m_east, "GET", "/api/v1/search?q=%E9%92%B1%E4%BA%8C", None).await.json();
    assert_eq!(hits["items"][0]["entity"], "contact");
    let hits = t.api(&w.rep_a, "GET", "/api/v1/search?q=%E4%B8%99%E5%AE%A2%E6%88%B7", None).await.json();
    assert!(hits["items"].as_array().unwrap().is_empty(), "丙客户 is another team's");
    // Contacts list.
    let r = t.api(&w.rep_a, "GET", "/api/v1/contacts", None).await.json();
    assert_eq!(ids(r.clone()), vec![w.con_a]);
    assert_eq!(r["total"], 1);
    // Filters and paging shape.
    let r = t.api(&w.admin, "GET", "/api/v1/accounts?grade=B&per_page=2&page=2", None).await.json();
    assert_eq!(
        (r["total"].as_i64(), r["page"].as_i64(), r["per_page"].as_i64(), r["items"].as_array().unwrap().len()),
        (Some(3), Some(2), Some(2), 1)
    );
    // The HTML list as well.
    let b = t.browser("rep_a_web", Role::Sales, Some("East")).await;
    let page = t.get(&b, "/accounts").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("甲客户有限公司") && !page.body.contains("乙客户有限公司"), "a new rep owns nothing");
    assert!(page.body.contains("共 0 条"));
}

async fn personal_fields_follow_the_policy(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    for (who, token, visible) in [
        ("owner", &w.rep_a, true),
        ("manager", &w.m_east, true),
        ("admin", &w.admin, true),
        ("finance", &w.fin, false),
        ("service", &w.service, false),
        ("auditor", &w.auditor, false),
    ] {
        let c = t.api(token, "GET", &format!("/api/v1/contacts/{}", w.con_a), None).await.json();
        assert_eq!(c["name"], "赵一", "{who}");
        assert_eq!(c.get("birth_date").is_some(), visible, "{who}: birth_date");
        assert_eq!(c.get("hobbies").is_some(), visible, "{who}: hobbies");
        let h = t.api(token, "GET", &format!("/api/v1/contacts/{}/history", w.con_a), None).await.json();
        assert_eq!(h.to_string().contains("钓鱼"), visible, "{who}: history shows personal values only when allowed");
        let a = t.api(token, "GET", &format!("/api/v1/accounts/{}/history", w.acc_a), None).await.json();
        assert_eq!(a.to_string().contains("钓鱼"), visible, "{who}: account history too");
    }
    // A manager shares rep_b's account with rep_a: rep_a reads the contact but not its personal fields.
    assert_eq!(
        t.api(&w.m_east, "POST", &format!("/api/v1/accounts/{}/shares", w.acc_b), Some(json!({"user_id": w.rep_a_id})))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let c = t.api(&w.rep_a, "GET", &format!("/api/v1/contacts/{}", w.con_b), None).await.json();
    assert_eq!(c["name"], "钱二");
    assert!(c.get("birth_date").is_none());
    // The HTML card hides them as well.
    let b = t.browser("fin_web", Role::Finance, None).await;
    let page = t.get(&b, &format!("/contacts/{}", w.con_a)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("赵一") && !page.body.contains("钓鱼") && !page.body.contains("1970-05-20"));
}

async fn pages_answer_404_outside_scope(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let b = t.browser("rep_c_web", Role::Sales, Some("South")).await;
    // Give the web rep rep_c's account through the manager-free path: admin hands it over.
    let r = t.api(&w.admin, "POST", "/api/v1/accounts/handover", Some(json!({"from_user_id": w.rep_c_id, "to_user_id": t.store.user_by_username("rep_c_web").await.unwrap().unwrap().id}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (path, want) in [
        (format!("/accounts/{}", w.acc_c), 200),
        (format!("/accounts/{}?tab=history", w.acc_c), 200),
        (format!("/accounts/{}/edit", w.acc_c), 200),
        (format!("/accounts/{}", w.acc_a), 404),
        (format!("/accounts/{}?tab=contacts", w.acc_b), 404),
        (format!("/accounts/{}/edit", w.acc_a), 404),
        (format!("/contacts/{}", w.con_c), 200),
        (format!("/contacts/{}", w.con_a), 404),
        (format!("/contacts/{}/edit", w.con_b), 404),
        ("/accounts/999999".to_string(), 404),
        ("/accounts/abc".to_string(), 404),
    ] {
        let r = t.get(&b, &path).await;
        assert_eq!(r.status.as_u16(), want, "{path}");
    }
    let r = t.post(&b, &format!("/accounts/{}", w.acc_a), &[("name", "x")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(t.get(&b, "/admin").await.status == StatusCode::NOT_FOUND, "admin page is invisible to reps");
}

async fn csrf_is_required_on_every_form(s: Store) {
    let t = TestApp::new(s);
    let b = t.browser("rep", Role::Sales, Some("East")).await;
    let r = t.post_raw(&b, "/accounts", &[("name", "无令牌公司")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("表单已过期"));
    let r = t.post_raw(&b, "/accounts", &[("_csrf", "forged"), ("name", "伪造公司")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t.post_raw(&b, "/logout", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "logout needs the token too");
    // Login itself needs the login-form token.
    let body = serde_urlencoded::to_string([("username", "rep"), ("password", "correct-horse")]).unwrap();
    let r = t
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let f = kam_store::accounts::AccountFilter { page: 1, per_page: 10, ..Default::default() };
    let admin = kam_core::Actor { user_id: kam_core::UserId(0), role: Role::Admin, team_id: None };
    assert_eq!(t.store.list_accounts(&admin, &f).await.unwrap().total, 0, "nothing was written");
    // With the token it works.
    let r = t.post(&b, "/accounts", &[("name", "有令牌公司"), ("owner", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn login_throttling_and_identical_failures(s: Store) {
    let t = TestApp::new(s);
    let _ = t.browser("wang", Role::Sales, None).await;
    let unknown = t.try_login("nobody", "whatever-pass").await;
    let wrong = t.try_login("wang", "wrong-password").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, unknown.status);
    let strip = |b: &str| {
        let i = b.find("name=\"_csrf\" value=\"").unwrap();
        let j = b[i + 20..].find('"').unwrap() + i + 20;
        let k = b.find("name=\"username\" value=\"").unwrap();
        let l = b[k + 23..].find('"').unwrap() + k + 23;
        format!("{}{}{}", &b[..i], &b[j..k], &b[l..])
    };
    assert_eq!(strip(&unknown.body), strip(&wrong.body), "same page for unknown user and wrong password");
    assert!(wrong.body.contains("用户名或密码错误"));
    for _ in 0..4 {
        assert_eq!(t.try_login("wang", "wrong-password").await.status, StatusCode::UNAUTHORIZED);
    }
    let r = t.try_login("wang", "correct-horse").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "throttled after 5 failures, even with the right password");
    assert!(r.body.contains("登录失败次数过多"));
    assert!(t.login("wang", "correct-horse").await.is_none());
}

async fn logout_and_disable_end_sessions(s: Store) {
    let t = TestApp::new(s);
    let b = t.browser("li", Role::Sales, None).await;
    let r = t.post(&b, "/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = t.get(&b, "/accounts").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "logged out: sent to the login page");
    assert!(r.headers[header::LOCATION].to_str().unwrap().starts_with("/login"));
    let b2 = t.login("li", "correct-horse").await.unwrap();
    let token = t.store.create_token("li", "t").await.unwrap();
    assert_eq!(t.api(&token, "GET", "/api/v1/me", None).await.status, StatusCode::OK);
    let admin = t.browser("boss", Role::Admin, None).await;
    let r = t.post(&admin, "/admin/users/li/disable", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(t.get(&b2, "/").await.status, StatusCode::SEE_OTHER, "disabled: session ended");
    assert_eq!(t.api(&token, "GET", "/api/v1/me", None).await.status, StatusCode::UNAUTHORIZED);
    assert!(t.login("li", "correct-horse").await.is_none(), "a disabled user cannot log in");
    let rows = t.store.recent_audit(50).await.unwrap();
    assert!(rows.iter().any(|r| r.action == "disable" && r.entity == "user"));
    assert!(rows.iter().any(|r| r.action == "logout"));
}

/// Issue 9, item 3: `next` is followed only to a path of this site; a tab or
/// a backslash a browser would strip or turn into another host, and CR/LF/NUL,
/// send the user home instead (never a 500 beside a session cookie).
async fn after_login_next_stays_on_this_site(s: Store) {
    let t = TestApp::new(s);
    let hash = kam_core::secret::hash_password("correct-horse").unwrap();
    t.store
        .create_user(kam_store::users::NewUser {
            username: "nx",
            display_name: "nx",
            role: Role::Sales,
            team: None,
            password_hash: hash,
        })
        .await
        .unwrap();
    for (next, expected) in [
        ("/accounts?pool=1", "/accounts?pool=1"),
        ("/\t/evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\r\nSet-Cookie: a=b", "/"),
        ("/a\0b", "/"),
    ] {
        // The form carries what the login page was given …
        let page = t
            .send(
                Request::get(format!("/login?next={}", &serde_urlencoded::to_string([("x", next)]).unwrap()[2..]))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        if next.contains('\0') {
            // A NUL anywhere in a request target is refused before any handler.
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{next:?}");
        } else {
            assert_eq!(page.status, StatusCode::OK, "{next:?}");
        }
        assert!(!page.body.contains("evil.example"), "the login page drops a foreign next: {next:?}");
        // … and the post is checked again.
        let r = t.login_post("nx", "correct-horse", next, None).await;
        if next.contains('\0') {
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{next:?}: {}", r.body);
            assert!(set_cookie(&r.headers, "kam_session").is_none(), "no session beside a refusal");
            continue;
        }
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.body);
        assert_eq!(r.headers[header::LOCATION], expected, "{next:?}");
    }
}

/// Issue 9, item 11: a Content-Security-Policy without inline script and with
/// `frame-ancestors 'none'` on every answer; `Cache-Control: no-store` on
/// every page and API answer (they carry personal and money data); and no
/// template holds an inline script or a handler attribute the policy would block.
async fn pages_forbid_inline_script_framing_and_caching(s: Store) {
    let t = TestApp::new(s);
    let b = t.browser("hdr", Role::Sales, Some("East")).await;
    let (_, token) = t.user("hdr_api", Role::Sales, Some("East")).await;
    let r = t.post(&b, "/accounts", &[("name", "头部测试公司"), ("owner", "")]).await;
    let acc = account_id_of(&r);
    let mut answers = Vec::new();
    for path in [format!("/accounts/{acc}"), "/today".into(), "/search?q=头部".into(), "/contacts".into(), "/".into()]
    {
        answers.push((path.clone(), t.get(&b, &path).await));
    }
    answers.push(("/api/v1/me".into(), t.api(&token, "GET", "/api/v1/me", None).await));
    answers.push(("/login".into(), t.send(Request::get("/login").body(Body::empty()).unwrap()).await));
    for (path, r) in &answers {
        let csp = r.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.split(';').any(|d| d.trim().starts_with("script-src") && d.contains("unsafe")), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-store", "{path}");
    }
    let page = &answers[0].1;
    assert!(page.body.contains("<script src=\"/static/app.js\""));
    let js = t.send(Request::get("/static/app.js").body(Body::empty()).unwrap()).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.headers[header::CACHE_CONTROL].to_str().unwrap().starts_with("public"), "static files may be cached");
    // No template carries script the policy would refuse.
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() { dirs.push(path) } else { files.push(path) }
        }
    }
    assert!(files.iter().any(|f| f.ends_with("account/profile.html")), "templates in folders are read too");
    for path in files {
        let html = std::fs::read_to_string(&path).unwrap().to_lowercase();
        let name = path.display();
        for (i, _) in html.match_indices("<script") {
            let tag = &html[i..html[i..].find('>').map(|j| i + j).unwrap_or(html.len())];
            assert!(tag.contains(" src="), "{name}: inline <script>");
        }
        for handler in [" onclick=", " onsubmit=", " onchange=", " oninput=", " onload=", " onerror=", "javascript:"] {
            assert!(!html.contains(handler), "{name}: {handler}");
        }
    }
}

/// Issue 9, item 8: login throttling throttles guesses, not people. Guessing
/// a colleague's password from one address never locks the colleague out at
/// another; a correct password is never refused for an address's spraying.
async fn throttling_slows_guesses_and_locks_nobody_out(s: Store) {
    let t = TestApp::with_config(s, Config { trust_proxy: true, ..Default::default() });
    for name in ["wang", "li"] {
        let hash = kam_core::secret::hash_password("correct-horse").unwrap();
        t.store
            .create_user(kam_store::users::NewUser {
                username: name,
                display_name: name,
                role: Role::Sales,
                team: None,
                password_hash: hash,
            })
            .await
            .unwrap();
    }
    let attempt = |user: &'static str, password: &'static str, addr: &'static str| {
        let t = &t;
        async move { t.login_post(user, password, "/", Some(addr)).await }
    };
    // An attacker at 10.0.0.66 guesses wang's password five times.
    for _ in 0..5 {
        assert_eq!(attempt("wang", "guess", "10.0.0.66").await.status, StatusCode::UNAUTHORIZED);
    }
    let r = attempt("wang", "correct-horse", "10.0.0.66").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the guessing pair waits");
    assert!(r.body.contains("请 15 分钟后再试"), "says how long");
    // wang at their own desk is not locked out; li at the attacker's address neither.
    assert_eq!(attempt("wang", "correct-horse", "10.0.0.7").await.status, StatusCode::SEE_OTHER);
    assert_eq!(attempt("li", "correct-horse", "10.0.0.66").await.status, StatusCode::SEE_OTHER);
    // The wait shrinks with the clock and ends.
    t.store.clock().advance(time::Duration::minutes(10));
    assert!(attempt("wang", "correct-horse", "10.0.0.66").await.body.contains("请 5 分钟后再试"));
    t.store.clock().advance(time::Duration::minutes(5));
    assert_eq!(attempt("wang", "correct-horse", "10.0.0.66").await.status, StatusCode::SEE_OTHER);
    // Spraying many usernames from one address slows that address, never refuses a right password.
    for i in 0..30 {
        let user: &'static str = Box::leak(format!("nobody{i}").into_boxed_str());
        assert_eq!(attempt(user, "guess", "10.0.0.99").await.status, StatusCode::UNAUTHORIZED);
    }
    let started = std::time::Instant::now();
    assert_eq!(attempt("li", "correct-horse", "10.0.0.99").await.status, StatusCode::SEE_OTHER);
    assert!(started.elapsed() >= std::time::Duration::from_millis(1000), "slowed, not refused");
}

/// Issue 9, item 2: service staff see no money anywhere — not in any API
/// answer (walked over every documented GET with the demo's ids), not on any
/// page they can reach (crawled from home), not in history or timelines —
/// while an admin walking the same finds it, so the test can fail.
async fn service_staff_never_see_money(s: Store) {
    use kam_core::visibility::{Class, ENTITIES, field_class, fields_of};
    let t = TestApp::new(s);
    let report = kam_store::demo::generate(&t.store, 12).await.unwrap();
    let service_name = report.logins.iter().find(|l| l.role == Role::Service).unwrap().username.clone();
    let admin_name = report.logins.iter().find(|l| l.role == Role::Admin).unwrap().username.clone();
    // The money keys: fields the table calls money and that no entity calls general.
    let mut money: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    let mut general = std::collections::BTreeSet::new();
    for e in ENTITIES {
        for f in fields_of(e.name).map(|d| d.name).chain(e.derived_money.iter().copied()) {
            match field_class(e.name, f) {
                Class::Money => money.insert(f),
                _ => general.insert(f),
            };
        }
    }
    money.retain(|k| !general.contains(k));
    for k in [
        "credit_limit",
        "bank_account",
        "list_price",
        "unit_price",
        "total_with_tax",
        "amount",
        "budget",
        "current_amount",
    ] {
        assert!(money.contains(k), "{k} is a money key");
    }
    let doc = t.send(Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
    let walk = |token: String| {
        let t = &t;
        let doc = &doc;
        let money = &money;
        async move {
            let mut found = Vec::new();
            for (path, item) in doc["paths"].as_object().unwrap() {
                if item.get("get").is_none() {
                    continue;
                }
                for id in 1..=6 {
                    let concrete = path.replace("{year}", "2026").replace("{key}", "x");
                    let concrete: String = concrete
                        .split('/')
                        .map(|seg| if seg.starts_with('{') { id.to_string() } else { seg.to_string() })
                        .collect::<Vec<_>>()
                        .join("/");
                    let r = t.api(&token, "GET", &concrete, None).await;
                    assert!(r.status.as_u16() < 500, "GET {concrete}: {}", r.body);
                    if r.status != StatusCode::OK || !r.body.starts_with('{') {
                        continue;
                    }
                    let mut keys = Vec::new();
                    keys_in(&r.json(), "", &mut keys);
                    found.extend(
                        keys.into_iter()
                            .filter(|(k, _)| money.contains(k.as_str()))
                            .map(|(k, at)| format!("{concrete} {at}.{k}")),
                    );
                    if !path.contains('{') {
                        break;
                    }
                }
            }
            found
        }
    };
    let svc_token = t.store.create_token(&service_name, "walk").await.unwrap();
    let admin_token = t.store.create_token(&admin_name, "walk").await.unwrap();
    let seen_by_admin = walk(admin_token).await;
    assert!(seen_by_admin.len() > 20, "the admin sees money: {seen_by_admin:?}");
    let seen_by_service = walk(svc_token).await;
    assert!(seen_by_service.is_empty(), "service staff see money in the API:\n{}", seen_by_service.join("\n"));

    // Pages: crawl everything reachable from home (bounded), as each.
    let crawl = |user: String| {
        let t = &t;
        let password = report.password.clone();
        async move {
            let b = t.login(&user, &password).await.unwrap();
            let mut queue = std::collections::VecDeque::from(["/".to_string()]);
            for id in 1..=6 {
                queue.push_back(format!("/accounts/{id}"));
            }
            let mut seen = std::collections::HashSet::new();
            let mut hits = Vec::new();
            while let Some(path) = queue.pop_front() {
                if seen.len() >= 400
                    || !seen.insert(path.clone())
                    || path.starts_with("/logout")
                    || path.starts_with("/static")
                {
                    continue;
                }
                let r = t.get(&b, &path).await;
                assert!(r.status.as_u16() < 500, "GET {path}: {}", r.status);
                if r.status != StatusCode::OK {
                    continue;
                }
                // Pages are read for money; downloads (workbooks) are checked by their own tests.
                let html = r
                    .headers
                    .get(header::CONTENT_TYPE)
                    .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/html"));
                if html && r.body.contains('¥') {
                    let at = r.body.find('¥').unwrap();
                    let from = r.body[..at].char_indices().rev().nth(80).map(|(i, _)| i).unwrap_or(0);
                    let to = r.body[at..].char_indices().nth(6).map(|(i, _)| at + i).unwrap_or(r.body.len());
                    hits.push(format!("{path}: …{}", &r.body[from..to]));
                }
                if html {
                    queue.extend(links_of(&r.body).into_iter().filter(|l| !seen.contains(l)));
                }
            }
            (seen.len(), hits)
        }
    };
    let (_, admin_hits) = crawl(admin_name).await;
    assert!(admin_hits.len() > 5, "the admin sees money on pages");
    let (pages, service_hits) = crawl(service_name.clone()).await;
    assert!(pages > 30, "{pages} pages crawled as service");
    assert!(service_hits.is_empty(), "service staff see money on pages:\n{}", service_hits.join("\n"));

    // Nor do they write what they may not see: a need's budget is refused, field by field.
    let svc = t.store.create_token(&service_name, "write").await.unwrap();
    let need = json!({"analysed_on": "2026-11-20", "needs": "更快交付", "budget": 500_000});
    let r = t.api(&svc, "POST", "/api/v1/accounts/1/needs", Some(need)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["budget"], "您无权修改该字段。", "{}", r.body);
    let r = t
        .api(&svc, "POST", "/api/v1/accounts/1/needs", Some(json!({"analysed_on": "2026-11-20", "needs": "更快交付"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

async fn a_signer_outside_the_scope_reads_account_names_as_text(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let rep = t.browser("far_rep", Role::Sales, Some("East")).await;
    let far = t.browser("far_vp", Role::Manager, Some("South")).await;
    let rep_user = t.store.user_by_username("far_rep").await.unwrap().unwrap();
    let far_id = t.store.user_by_username("far_vp").await.unwrap().unwrap().id;
    let acc = t
        .store
        .create_account(
            &rep_user.actor(),
            kam_store::accounts::AccountInput {
                rec: [("name", kam_core::Value::Text("远方签核客户有限公司".into()))].into_iter().collect(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let (day, acc_s) = (t.store.today().to_string(), acc.to_string());
    let fields = [
        ("log_date", day.as_str()),
        ("visits.0.who", acc_s.as_str()),
        ("visits.0.time_from", "10:00"),
        ("visits.0.time_to", "11:00"),
        ("visits.0.content", "年度协议"),
    ];
    let r = t.post(&rep, "/worklogs", &fields).await;
    let id: i64 = r.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .trim_start_matches("/worklogs/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let east = rep_user.team_id.unwrap();
    let chain = json!({"steps": [{"step": "vp", "signer_id": far_id}]});
    assert_eq!(
        t.api(&w.admin, "PUT", &format!("/api/v1/teams/{east}/signoff-chain"), Some(chain)).await.status,
        StatusCode::OK
    );
    assert_eq!(t.post(&rep, &format!("/worklogs/{id}/submit"), &[]).await.status, StatusCode::SEE_OTHER);
    // The South manager signs an East log: the account is named, but not offered as a link they cannot open.
    assert_eq!(t.get(&far, &format!("/accounts/{acc}")).await.status, StatusCode::NOT_FOUND);
    let page = t.get(&far, &format!("/worklogs/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("远方签核客户有限公司"));
    assert!(!page.body.contains(&format!("href=\"/accounts/{acc}\"")), "no dead link");
    // The rep, who may open it, gets the link.
    assert!(t.get(&rep, &format!("/worklogs/{id}")).await.body.contains(&format!("href=\"/accounts/{acc}\"")));
}
