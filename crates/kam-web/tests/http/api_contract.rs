//! The contract of pages and API: the OpenAPI document served and kept, error shapes, idempotency and one-time forms, the clock, malformed input, expired forms.

use crate::support::*;

kam_store::on_both_engines!(
    two_instances_share_sessions_and_writes,
    docs_health_and_language,
    pages_and_api_take_today_from_the_clock,
    every_documented_operation_is_served,
    get_answers_match_their_documented_schemas,
    nul_bytes_huge_pages_and_auditor_writes_are_refused_cleanly,
    every_api_refusal_is_the_json_error_shape,
    retries_with_an_idempotency_key_post_once,
    a_form_sent_twice_posts_once,
    malformed_page_urls_get_the_products_error_page,
    an_expired_form_is_resubmitted_after_a_fresh_login,
);

async fn two_instances_share_sessions_and_writes(s: Store) {
    let one = TestApp::new(s.clone());
    let two = TestApp::new(s.clone_fresh_pool().await.unwrap());
    let b = one.browser("rep", Role::Sales, Some("East")).await;
    let r = two.get(&b, "/accounts").await;
    assert_eq!(r.status, StatusCode::OK, "a session made on one instance works on the other");
    let r = two.post(&b, "/accounts", &[("name", "双实例公司"), ("owner", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = one.get(&b, "/accounts").await;
    assert!(page.body.contains("双实例公司"), "a write on one instance is seen on the other");
    let r = two.post(&b, "/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(one.get(&b, "/accounts").await.status, StatusCode::SEE_OTHER, "logout on one ends it on both");
    // Throttling counters are shared too.
    for _ in 0..3 {
        one.try_login("rep", "wrong-password").await;
        two.try_login("rep", "wrong-password").await;
    }
    assert_eq!(one.try_login("rep", "correct-horse").await.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn docs_health_and_language(s: Store) {
    let t = TestApp::new(s);
    let r = t.send(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t.send(Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for p in [
        "/api/v1/me",
        "/api/v1/accounts",
        "/api/v1/accounts/{id}/claim",
        "/api/v1/accounts/handover",
        "/api/v1/contacts/{id}/history",
        "/api/v1/search",
        "/api/v1/competitors",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
    let r = t.send(Request::get("/api/docs/").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.to_lowercase().contains("swagger"));
    let r = t
        .send(Request::get("/login").header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9").body(Body::empty()).unwrap())
        .await;
    assert!(r.body.contains("Log in"));
    let r = t.send(Request::get("/login").body(Body::empty()).unwrap()).await;
    assert!(r.body.contains("登录"), "zh-CN by default");
    let r = t.send(Request::get("/accounts").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = t.send(Request::get("/no/such/page").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Defaults that mean "today" or "this month" follow the application's
/// clock in China time: 16:30 UTC on New Year's Eve is already 2027 in China.
async fn pages_and_api_take_today_from_the_clock(s: Store) {
    use time::macros::datetime;
    let t = TestApp::new(s);
    let (_, rep) = t.user("rep", Role::Sales, Some("East")).await;
    let (_, fin) = t.user("fin", Role::Finance, None).await;
    let acc = t.api(&rep, "POST", "/api/v1/accounts", Some(json!({"name": "跨年客户"}))).await;
    assert_eq!(acc.status, StatusCode::CREATED, "{}", acc.body);
    let acc = acc.json()["id"].as_i64().unwrap();
    t.store.clock().set(datetime!(2026-12-31 16:30 UTC));
    let r = t.api(&rep, "GET", "/api/v1/reminders", None).await.json();
    assert_eq!(r["today"], "2027-01-01");
    assert_eq!(t.api(&rep, "GET", "/api/v1/visit-plans", None).await.json()["year"], 2027);
    let credit = t.api(&fin, "GET", &format!("/api/v1/accounts/{acc}/credit"), None).await.json();
    assert_eq!(credit["period"], "2027-01");
    assert_eq!(credit["current"]["as_of"], "2027-01-01");
    let e = t
        .api(
            &fin,
            "POST",
            "/api/v1/ledger-entries",
            Some(json!({"account_id": acc, "kind": "payment", "entry_date": "2026-12-31", "amount": 1000})),
        )
        .await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.body);
    assert_eq!(e.json()["created_at"], "2026-12-31T16:30:00Z");
    let id = e.json()["id"].as_i64().unwrap();
    let rev =
        t.api(&fin, "POST", &format!("/api/v1/ledger-entries/{id}/reverse"), Some(json!({"note": "重复录入"}))).await;
    assert_eq!((rev.status, rev.json()["entry_date"].clone()), (StatusCode::CREATED, json!("2027-01-01")));
    // The statements page opens on the month just ended: December, not November.
    let b = t.browser("fin2", Role::Finance, None).await;
    let page = t.get(&b, "/statements").await;
    assert!(page.body.contains("value=\"2026-12\""), "{}", page.body);
    // 29 February exists in 2028: the API's today says so.
    t.store.clock().set(datetime!(2028-02-29 12:00 UTC));
    assert_eq!(t.api(&rep, "GET", "/api/v1/reminders", None).await.json()["today"], "2028-02-29");
    let p = t.api(&fin, "GET", &format!("/api/v1/accounts/{acc}/performance"), None).await.json();
    assert_eq!(p["year"], 2028);
}

/// Walks the served OpenAPI document and calls every operation on the
/// running router: without a token each answers 401 from its handler's
/// authentication — not the 404 of an unknown path nor the 405 of a method
/// the path does not have. With the table test in `api::openapi` (the table
/// is the only way to add a route), the router and the document cannot drift.
async fn every_documented_operation_is_served(s: Store) {
    let t = TestApp::new(s);
    let doc = t.send(Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
    let mut n = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{key}", "follow_up-1").replace("{year}", "2026");
        let concrete: String = concrete
            .split('/')
            .map(|seg| if seg.starts_with('{') { "999999" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in item.as_object().unwrap() {
            let req = Request::builder().method(method.to_uppercase().as_str()).uri(&concrete);
            // A body in the media type the document names for it.
            let media = op["requestBody"]["content"].as_object().and_then(|c| c.keys().next().cloned());
            let req = match media.as_deref() {
                Some("multipart/form-data") => req
                    .header(header::CONTENT_TYPE, "multipart/form-data; boundary=X")
                    .body(Body::from("--X--\r\n"))
                    .unwrap(),
                Some(_) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap(),
                None => req.body(Body::empty()).unwrap(),
            };
            let r = t.send(req).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path} ({concrete}): {}", r.body);
            assert_eq!(r.json()["error"]["code"], "unauthorized", "{method} {path}");
            n += 1;
        }
    }
    assert!(n > 130, "{n} operations");
    // An undocumented path is the fallback's JSON 404, a missing method a 405.
    let r = t.send(Request::get("/api/v1/not-a-resource").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.send(Request::delete("/api/v1/me").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// On a demo company, every GET operation's JSON answer (as admin, for the
/// first record of its kind) has the shape its documented schema says.
async fn get_answers_match_their_documented_schemas(s: Store) {
    let t = TestApp::new(s);
    kam_store::demo::generate(&t.store, 12).await.unwrap();
    let admin = t.store.create_token("admin", "schema").await.unwrap();
    let doc = t.send(Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
    let (mut checked, mut problems) = (0, Vec::new());
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let Some(schema) = op["responses"]["200"]["content"]["application/json"].get("schema") else { continue };
        let concrete = path.replace("{year}", "2026").replace("{key}", "x");
        let concrete: String =
            concrete.split('/').map(|seg| if seg.starts_with('{') { "1" } else { seg }).collect::<Vec<_>>().join("/");
        let r = t.api(&admin, "GET", &concrete, None).await;
        if r.status != StatusCode::OK {
            assert!(matches!(r.status.as_u16(), 404 | 403 | 422), "GET {concrete}: {} {}", r.status, r.body);
            continue;
        }
        checked += 1;
        departures(&doc, schema, &r.json(), &format!("GET {path}"), &mut problems);
    }
    assert!(checked > 40, "{checked} answers checked");
    let _ = writeln!(std::io::stderr(), "{checked} GET answers checked against their schemas");
    assert!(problems.is_empty(), "{} departures:\n{}", problems.len(), problems.join("\n"));
}

/// Issue 9, items 4 and 6: a NUL byte anywhere is a clean refusal on both
/// engines (PostgreSQL cannot store it); a page past any end is an empty page;
/// the auditor cannot answer reminders or make a calendar feed.
async fn nul_bytes_huge_pages_and_auditor_writes_are_refused_cleanly(s: Store) {
    let t = TestApp::new(s);
    let (_, rep) = t.user("rep", Role::Sales, Some("East")).await;
    let (_, auditor) = t.user("au", Role::Auditor, None).await;
    let r = t.api(&rep, "POST", "/api/v1/accounts", Some(json!({"name": "a\u{0}b"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["name"], "不能包含控制字符。");
    // Also in a value outside the field registry (an override's reason), which would be stored as sent.
    let (_, fin) = t.user("nul_fin", Role::Finance, None).await;
    let acc =
        t.api(&rep, "POST", "/api/v1/accounts", Some(json!({"name": "正常"}))).await.json()["id"].as_i64().unwrap();
    let body = json!({"rating": "B", "credit_limit": 100, "reason": "集团\u{0}担保"});
    let r = t.api(&fin, "POST", &format!("/api/v1/accounts/{acc}/credit"), Some(body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for path in ["/api/v1/search?q=a%00b", "/api/v1/reminders/a%00b/done", "/api/v1/accounts?grade=%00"] {
        let r = t.api(&rep, "GET", path, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "bad_request", "{path}");
    }
    let b = t.browser("repb", Role::Sales, Some("East")).await;
    assert_eq!(t.get(&b, "/search?q=a%00b").await.status, StatusCode::BAD_REQUEST);
    let r = t.post(&b, "/accounts", &[("name", "甲\0乙")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t.api(&rep, "GET", "/api/v1/accounts?page=9223372036854775807", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["items"], json!([]));
    // The auditor reads, never writes.
    let r = t.api(&auditor, "POST", "/api/v1/reminders/follow_up-999999/done", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let au = t.browser("au2", Role::Auditor, None).await;
    let today = t.get(&au, "/today").await;
    assert!(!today.body.contains("/calendar/feed"), "no feed to make");
    assert_eq!(t.post(&au, "/calendar/feed", &[]).await.status, StatusCode::FORBIDDEN);
}

/// Issue 9, item 7: the framework's own refusals come in the JSON error
/// shape too; a body must be JSON; JSON is typed and names each key once.
async fn every_api_refusal_is_the_json_error_shape(s: Store) {
    let t = TestApp::new(s);
    let (_, rep) = t.user("rep", Role::Sales, Some("East")).await;
    let (_, fin) = t.user("fin", Role::Finance, None).await;
    let acc =
        t.api(&rep, "POST", "/api/v1/accounts", Some(json!({"name": "契约客户"}))).await.json()["id"].as_i64().unwrap();
    let shaped = |r: &Resp, status: StatusCode, code: &str| {
        assert_eq!(r.status, status, "{}", r.body);
        assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"), "{}", r.body);
        assert_eq!(r.json()["error"]["code"], code, "{}", r.body);
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    };
    let auth = format!("Bearer {rep}");
    // 405: a method the path does not have (with its Allow header).
    let r =
        t.send(Request::delete("/api/v1/me").header(header::AUTHORIZATION, &auth).body(Body::empty()).unwrap()).await;
    shaped(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert!(r.headers.contains_key(header::ALLOW));
    // 415: a body that is not JSON.
    let r = t.raw(&rep, "POST", "/api/v1/accounts", "text/plain", r#"{"name": "文本客户"}"#).await;
    shaped(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    // 413 and a broken multipart body on the upload route.
    let c = t
        .api(
            &rep,
            "POST",
            "/api/v1/contracts",
            Some(json!({"account_id": acc, "contract_no": "HT-X", "contract_type": "sales", "title": "合同"})),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let cid = c.json()["id"].as_i64().unwrap();
    let up = |ct: &str, body: Vec<u8>| {
        Request::post(format!("/api/v1/contracts/{cid}/attachments"))
            .header(header::AUTHORIZATION, &auth)
            .header(header::CONTENT_TYPE, ct)
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .unwrap()
    };
    let r = t.send(up("multipart/form-data; boundary=XYZ", b"--nonsense".to_vec())).await;
    shaped(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = t
        .send(up("multipart/form-data; boundary=XYZ", vec![b'a'; kam_core::contract::MAX_ATTACHMENT_BYTES + 200_000]))
        .await;
    // Over the route's limit: the framework's 413, or the handler's field error on `file`; JSON either way.
    assert!(matches!(r.status.as_u16(), 413 | 422), "{}", r.body);
    assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"), "{}", r.body);
    let big = format!("{{\"name\": \"{}\"}}", "大".repeat(1_500_000));
    let r = t.raw(&rep, "POST", "/api/v1/accounts", "application/json", big).await;
    shaped(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // JSON is typed: no amount as text; a key named twice is refused.
    let r = t
        .api(
            &fin,
            "POST",
            "/api/v1/ledger-entries",
            Some(json!({"account_id": acc, "kind": "payment", "entry_date": "2026-11-20", "amount": "100"})),
        )
        .await;
    shaped(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(r.json()["error"]["fields"]["amount"].is_string());
    let r = t
        .api(&fin, "POST", "/api/v1/ledger-entries", Some(json!({"account_id": acc, "kind": "payment", "entry_date": "2026-11-20", "amount": 100, "currency": "XYZ"})))
        .await;
    shaped(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(r.json()["error"]["fields"]["currency"].is_string(), "ISO 4217 codes only");
    let r = t
        .api(
            &fin,
            "POST",
            "/api/v1/ledger-entries",
            Some(json!({"account_id": acc, "kind": "payment", "entry_date": "-2026-11-20", "amount": 100})),
        )
        .await;
    shaped(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let r =
        t.raw(&rep, "POST", "/api/v1/accounts", "application/json", r#"{"name": "甲公司", "name": "乙公司"}"#).await;
    shaped(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = t
        .raw(&rep, "PATCH", &format!("/api/v1/accounts/{acc}"), "application/json; charset=utf-8", r#"{"grade": "A"}"#)
        .await;
    assert_eq!(r.status, StatusCode::OK, "a charset parameter is fine: {}", r.body);
}

/// Issue 9, item 9: a retried POST with the same `Idempotency-Key` answers the
/// first answer again and writes nothing more — also a hundred at once; the
/// same key for another request is refused.
async fn retries_with_an_idempotency_key_post_once(s: Store) {
    let t = TestApp::new(s);
    let (_, fin) = t.user("fin", Role::Finance, None).await;
    let (_, rep) = t.user("rep", Role::Sales, Some("East")).await;
    let acc =
        t.api(&rep, "POST", "/api/v1/accounts", Some(json!({"name": "重试客户"}))).await.json()["id"].as_i64().unwrap();
    let keyed = |token: &str, key: &str, path: &str, body: &Value| {
        Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let pay = json!({"account_id": acc, "kind": "payment", "entry_date": "2026-11-20", "amount": 10_000});
    let first = t.send(keyed(&fin, "pay-1", "/api/v1/ledger-entries", &pay)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = t.send(keyed(&fin, "pay-1", "/api/v1/ledger-entries", &pay)).await;
    assert_eq!((again.status, again.json()["id"].clone()), (StatusCode::CREATED, first.json()["id"].clone()));
    assert_eq!(again.headers["idempotency-replayed"], "true");
    let ledger = t.api(&fin, "GET", &format!("/api/v1/accounts/{acc}/ledger"), None).await.json();
    assert_eq!(ledger["ledgers"][0]["entries"].as_array().unwrap().len(), 1, "one payment, not two");
    let other = json!({"account_id": acc, "kind": "payment", "entry_date": "2026-11-20", "amount": 99});
    let r = t.send(keyed(&fin, "pay-1", "/api/v1/ledger-entries", &other)).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("idempotency_mismatch"))
    );
    // A hundred retries of one order at once make one order.
    let (_, pid) = {
        let p = t
            .api(
                &fin,
                "POST",
                "/api/v1/products",
                Some(json!({"code": "P-1", "name": "膜", "unit": "Kg", "list_price": 100})),
            )
            .await;
        assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
        ((), p.json()["id"].as_i64().unwrap())
    };
    let order = json!({"account_id": acc, "order_date": "2026-11-20", "lines": [{"product_id": pid, "quantity": "1"}]});
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let app = t.app.clone();
        let req = keyed(&rep, "order-1", "/api/v1/orders", &order);
        tasks.push(tokio::spawn(async move { app.oneshot(req).await.unwrap().status() }));
    }
    for task in tasks {
        let status = task.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "the first answer, or its replay");
    }
    let orders = t.api(&rep, "GET", &format!("/api/v1/accounts/{acc}/orders"), None).await.json();
    assert_eq!(orders["total"], 1, "one order for a hundred deliveries of one request");
    // Keys are the user's own: another user's same key is another request.
    let mine = t.send(keyed(&rep, "pay-1", "/api/v1/accounts", &json!({"name": "另一个"}))).await;
    assert_eq!(mine.status, StatusCode::CREATED, "{}", mine.body);
}

/// Issue 9, item 9 (forms): every form carries a one-time token; the same
/// form sent twice (a double click, a resend) makes one record and sends the
/// repeat where the first went; a form refused with errors frees its token;
/// the token with other content is refused; concurrent sends make one.
async fn a_form_sent_twice_posts_once(s: Store) {
    let t = TestApp::new(s);
    let b = t.browser("rep_once", Role::Sales, Some("East")).await;
    let once_of = |html: &str| {
        let i = html.find("name=\"_once\" value=\"").expect("a form with a one-time token");
        html[i + 20..].split('"').next().unwrap().to_string()
    };
    let form = t.get(&b, "/accounts/new").await;
    let once = once_of(&form.body);
    let other = once_of(&t.get(&b, "/accounts/new").await.body);
    assert_ne!(once, other, "each form gets its own token");
    let token = t.store.create_token("rep_once", "count").await.unwrap();
    let count = async |t: &TestApp| t.api(&token, "GET", "/api/v1/accounts", None).await.json()["total"].clone();
    // Refused with errors: nothing done, the token stays usable.
    let r = t.post(&b, "/accounts", &[("_once", &once), ("name", ""), ("owner", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let first = t.post(&b, "/accounts", &[("_once", &once), ("name", "一次公司"), ("owner", "")]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let to = first.headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(to.starts_with("/accounts/"), "{to}");
    let again = t.post(&b, "/accounts", &[("_once", &once), ("name", "一次公司"), ("owner", "")]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.headers[header::LOCATION], to.as_str(), "the repeat goes where the first went");
    assert_eq!(count(&t).await, 1);
    let tampered = t.post(&b, "/accounts", &[("_once", &once), ("name", "另一公司"), ("owner", "")]).await;
    assert_eq!(tampered.status, StatusCode::CONFLICT);
    assert!(tampered.body.contains("此表单已用其他内容提交过"), "{}", tampered.body);
    assert_eq!(count(&t).await, 1);
    // Ten sends of one form at once: one record.
    let body = serde_urlencoded::to_string([
        ("_csrf", b.csrf.as_str()),
        ("_once", &other),
        ("name", "并发公司"),
        ("owner", ""),
    ])
    .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let app = t.app.clone();
        let req = Request::post("/accounts")
            .header(header::COOKIE, format!("kam_session={}", b.cookie))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.clone()))
            .unwrap();
        tasks.push(tokio::spawn(async move { app.oneshot(req).await.unwrap().status() }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::SEE_OTHER, "the first answer, or a repeat sent after it");
    }
    assert_eq!(count(&t).await, 2);
}

/// Issue 10: a malformed page URL (an id that is not a number, a page number
/// that is not one, a wrong method) gets the product's own error page in the
/// user's language, not the framework's plain text.
async fn malformed_page_urls_get_the_products_error_page(s: Store) {
    let t = TestApp::new(s);
    let b = t.browser("url_rep", Role::Sales, Some("East")).await;
    for (path, status) in [
        ("/accounts/abc", StatusCode::NOT_FOUND),
        ("/orders/99999999999999999999", StatusCode::NOT_FOUND),
        ("/worklogs/x/edit", StatusCode::NOT_FOUND),
        ("/accounts?page=abc", StatusCode::BAD_REQUEST),
        ("/logout", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let r = t.get(&b, path).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
        assert!(r.body.contains("<html lang=\"zh-CN\">") && r.body.contains("出错了"), "{path}: {}", r.body);
    }
}

async fn an_expired_form_is_resubmitted_after_a_fresh_login(s: Store) {
    let t = TestApp::new(s);
    let _w = world(&t).await;
    let rep = t.browser("exp_rep", Role::Sales, Some("East")).await;
    // The session ends while the rep types a new account (logged out elsewhere).
    t.post(&rep, "/logout", &[]).await;
    let r = t.post(&rep, "/accounts", &[("name", "过期表单客户有限公司"), ("phone", "0591-8888 1234")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("表单已过期") && r.body.contains("您填写的内容没有丢失"), "{}", r.body);
    assert!(r.body.contains("value=\"过期表单客户有限公司\""), "what was typed rides along");
    let login_cookie = set_cookie(&r.headers, "kam_login_csrf").expect("a login token");
    let mut fields = hidden_fields(&r.body);
    assert!(fields.iter().any(|(k, v)| k == "_resubmit" && v == "/accounts"));
    // A wrong password: the page comes back, still carrying it.
    let send = |fields: Vec<(String, String)>| {
        let body = serde_urlencoded::to_string(&fields).unwrap();
        Request::post("/login")
            .header(header::COOKIE, format!("kam_login_csrf={login_cookie}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let mut wrong = fields.clone();
    wrong.extend([("username".into(), "exp_rep".into()), ("password".into(), "nope".into())]);
    let r = t.send(send(wrong)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("value=\"过期表单客户有限公司\"") && r.body.contains("用户名或密码"), "{}", r.body);
    fields.extend([("username".into(), "exp_rep".into()), ("password".into(), "correct-horse".into())]);
    let r = t.send(send(fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("action=\"/accounts\"") && r.body.contains("重新提交"));
    let session = set_cookie(&r.headers, "kam_session").expect("logged in again");
    // One press sends it, with the new session's token.
    let again = hidden_fields(&r.body);
    let body = serde_urlencoded::to_string(&again).unwrap();
    let r = t
        .send(
            Request::post("/accounts")
                .header(header::COOKIE, format!("kam_session={session}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let found = t
        .store
        .search(&t.store.user_by_username("exp_rep").await.unwrap().unwrap().actor(), "过期表单", 5)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "saved once");
    // A stale form token with a live session: the same offer, never a bare error.
    let b2 = t.login("exp_rep", "correct-horse").await.unwrap();
    let r = t.post_raw(&b2, "/accounts", &[("_csrf", "stale"), ("name", "第二个客户")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("value=\"第二个客户\"") && r.body.contains("value=\"exp_rep\""));
}
