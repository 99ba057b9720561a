//! HTTP tests of pages and API, in one binary. Every test runs on SQLite and,
//! when KAM_TEST_POSTGRES_URL is set, on PostgreSQL.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use kam_core::Role;
use kam_store::{Store, testing};
use kam_web::{AppState, Config};
use serde_json::{Value, json};
use std::io::Write;
use tower::ServiceExt;

kam_store::on_both_engines!(
    role_table_for_account_and_contact_endpoints,
    lists_counts_and_search_never_leak,
    personal_fields_follow_the_policy,
    pages_answer_404_outside_scope,
    csrf_is_required_on_every_form,
    login_throttling_and_identical_failures,
    logout_and_disable_end_sessions,
    writes_are_audited_and_history_is_served,
    bad_input_gets_field_errors_never_500,
    forms_show_field_errors_in_the_users_language,
    similar_names_warn_with_a_link,
    pool_claim_release_and_handover_over_the_api,
    contacts_over_the_api,
    two_instances_share_sessions_and_writes,
    docs_health_and_language,
    competitors_and_business_over_pages_and_api,
    activities_over_api_and_pages,
    needs_versions_and_survey_trend,
    today_page_reminders_and_calendar_feed,
    complaints_through_to_closed_and_overdue,
    visit_records_with_objections,
    visit_plans_grid_form_and_api,
    market_activities_with_participants,
    worklogs_write_submit_sign_and_print,
    money_products_orders_and_ledger_by_role,
    statements_generate_answer_settle_print_and_export,
    contracts_with_amendments_and_attachments,
    credit_tab_override_and_form_five,
    interactions_link_the_contacts_met,
    pages_and_api_take_today_from_the_clock,
    every_documented_operation_is_served,
    get_answers_match_their_documented_schemas,
    after_login_next_stays_on_this_site,
    nul_bytes_huge_pages_and_auditor_writes_are_refused_cleanly,
    pages_forbid_inline_script_framing_and_caching,
    every_api_refusal_is_the_json_error_shape,
    throttling_slows_guesses_and_locks_nobody_out,
    retries_with_an_idempotency_key_post_once,
    service_staff_never_see_money,
    a_form_sent_twice_posts_once,
    history_reads_as_plain_language,
    malformed_page_urls_get_the_products_error_page,
    a_payment_beyond_the_balance_warns_and_a_reversal_says_why,
    a_statement_of_a_month_under_way_is_marked_provisional,
    statements_carry_the_issuer_open_items_and_one_sign,
    a_signer_outside_the_scope_reads_account_names_as_text,
    addresses_follow_the_national_division_list,
    an_expired_form_is_resubmitted_after_a_fresh_login,
    inputs_offer_the_rates_currencies_and_limits_in_force,
    the_search_box_finds_contracts_and_records,
);

struct TestApp {
    store: Store,
    app: Router,
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

impl TestApp {
    fn new(store: Store) -> TestApp {
        TestApp::with_config(store, Config::default())
    }

    fn with_config(store: Store, config: Config) -> TestApp {
        let app = kam_web::app(AppState::new(store.clone(), config));
        TestApp { store, app }
    }

    async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Resp { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn api(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> Resp {
        let mut b =
            Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(b.body(body).unwrap()).await
    }

    /// An API call with a body sent as it is, under any content type.
    async fn raw(&self, token: &str, method: &str, path: &str, content_type: &str, body: impl Into<Body>) -> Resp {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap();
        self.send(req).await
    }

    /// The raw bytes of an API download (an .xlsx).
    async fn download(&self, token: &str, path: &str) -> Vec<u8> {
        let req =
            Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.into_body().collect().await.unwrap().to_bytes().to_vec()
    }

    /// A user with an API token.
    async fn user(&self, name: &str, role: Role, team: Option<&str>) -> (i64, String) {
        let id = testing::user(&self.store, name, role, team).await;
        (id, self.store.create_token(name, "test").await.unwrap())
    }

    /// A user with a real password, logged in through the login form.
    async fn browser(&self, name: &str, role: Role, team: Option<&str>) -> Browser {
        let hash = kam_core::secret::hash_password("correct-horse").unwrap();
        self.store
            .create_user(kam_store::users::NewUser {
                username: name,
                display_name: name,
                role,
                team,
                password_hash: hash,
            })
            .await
            .unwrap();
        self.login(name, "correct-horse").await.expect("login works")
    }

    async fn login_form(&self) -> (String, String) {
        let r = self.send(Request::get("/login").body(Body::empty()).unwrap()).await;
        let cookie = set_cookie(&r.headers, "kam_login_csrf").unwrap();
        (cookie, csrf_of(&r.body))
    }

    async fn try_login(&self, user: &str, password: &str) -> Resp {
        self.login_post(user, password, "/", None).await
    }

    /// Posts the login form as a browser would, with `next`, optionally from a
    /// client address (X-Forwarded-For, for an app that trusts its proxy).
    async fn login_post(&self, user: &str, password: &str, next: &str, from: Option<&str>) -> Resp {
        let (cookie, csrf) = self.login_form().await;
        let body = serde_urlencoded::to_string([
            ("_csrf", csrf.as_str()),
            ("username", user),
            ("password", password),
            ("next", next),
        ])
        .unwrap();
        let mut req = Request::post("/login")
            .header(header::COOKIE, format!("kam_login_csrf={cookie}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(addr) = from {
            req = req.header("x-forwarded-for", addr);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    async fn login(&self, user: &str, password: &str) -> Option<Browser> {
        let r = self.try_login(user, password).await;
        if r.status != StatusCode::SEE_OTHER {
            return None;
        }
        let session = set_cookie(&r.headers, "kam_session")?;
        let mut b = Browser { cookie: session, csrf: String::new() };
        let home = self.get(&b, "/").await;
        assert_eq!(home.status, StatusCode::OK, "home after login");
        b.csrf = csrf_of(&home.body);
        Some(b)
    }

    async fn get(&self, b: &Browser, path: &str) -> Resp {
        self.send(
            Request::get(path).header(header::COOKIE, format!("kam_session={}", b.cookie)).body(Body::empty()).unwrap(),
        )
        .await
    }

    async fn post(&self, b: &Browser, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", b.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(b, path, &all).await
    }

    async fn post_raw(&self, b: &Browser, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Request::post(path)
                .header(header::COOKIE, format!("kam_session={}", b.cookie))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

struct Browser {
    cookie: String,
    csrf: String,
}

fn set_cookie(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

/// The id of the account a form post redirected to (`/accounts/{id}?msg=…`).
fn account_id_of(r: &Resp) -> i64 {
    let loc = r.headers[header::LOCATION].to_str().unwrap();
    loc.trim_start_matches("/accounts/").split('?').next().unwrap().parse().unwrap()
}

fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"_csrf\" value=\"").expect("a form with a CSRF token");
    html[i + 20..].split('"').next().unwrap().to_string()
}

/// The people and records most tests use: two teams, every role.
struct World {
    rep_a: String,
    rep_b: String,
    rep_c: String,
    m_east: String,
    fin: String,
    service: String,
    auditor: String,
    admin: String,
    acc_a: i64,
    acc_b: i64,
    acc_c: i64,
    con_a: i64,
    con_b: i64,
    con_c: i64,
    rep_a_id: i64,
    rep_b_id: i64,
    rep_c_id: i64,
}

async fn world(t: &TestApp) -> World {
    let (rep_a_id, rep_a) = t.user("rep_a", Role::Sales, Some("East")).await;
    let (rep_b_id, rep_b) = t.user("rep_b", Role::Sales, Some("East")).await;
    let (rep_c_id, rep_c) = t.user("rep_c", Role::Sales, Some("South")).await;
    let (_, m_east) = t.user("m_east", Role::Manager, Some("East")).await;
    let (_, fin) = t.user("fin", Role::Finance, None).await;
    let (_, service) = t.user("svc", Role::Service, None).await;
    let (_, auditor) = t.user("aud", Role::Auditor, None).await;
    let (_, admin) = t.user("adm", Role::Admin, None).await;
    let mk = |name: &'static str| json!({"name": name, "grade": "B"});
    let acc_a =
        t.api(&rep_a, "POST", "/api/v1/accounts", Some(mk("甲客户有限公司"))).await.json()["id"].as_i64().unwrap();
    let acc_b =
        t.api(&rep_b, "POST", "/api/v1/accounts", Some(mk("乙客户有限公司"))).await.json()["id"].as_i64().unwrap();
    let acc_c =
        t.api(&rep_c, "POST", "/api/v1/accounts", Some(mk("丙客户有限公司"))).await.json()["id"].as_i64().unwrap();
    let contact = |name: &'static str, mobile: &'static str| json!({"name": name, "mobile": mobile, "birth_date": "1970-05-20", "hobbies": "钓鱼", "title": "总经理", "buying_role": "decision_maker"});
    let con_a = t
        .api(&rep_a, "POST", &format!("/api/v1/accounts/{acc_a}/contacts"), Some(contact("赵一", "13900000001")))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let con_b = t
        .api(&rep_b, "POST", &format!("/api/v1/accounts/{acc_b}/contacts"), Some(contact("钱二", "13900000002")))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let con_c = t
        .api(&rep_c, "POST", &format!("/api/v1/accounts/{acc_c}/contacts"), Some(contact("孙三", "13900000003")))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    World {
        rep_a,
        rep_b,
        rep_c,
        m_east,
        fin,
        service,
        auditor,
        admin,
        acc_a,
        acc_b,
        acc_c,
        con_a,
        con_b,
        con_c,
        rep_a_id,
        rep_b_id,
        rep_c_id,
    }
}

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
    let admin = kam_core::Actor { user_id: 0, role: Role::Admin, team_id: None };
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
    let rows = t.store.account_history(id).await.unwrap();
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
    assert_eq!(r.json()["owner_id"].as_i64(), Some(w.rep_a_id));
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
        Some(w.rep_b_id)
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

async fn needs_and_surveys_setup(t: &TestApp) -> (String, String, i64) {
    let (_, rep) = t.user("rep", Role::Sales, Some("East")).await;
    let (_, other) = t.user("other", Role::Sales, Some("South")).await;
    let acc =
        t.api(&rep, "POST", "/api/v1/accounts", Some(json!({"name": "需求客户"}))).await.json()["id"].as_i64().unwrap();
    (rep, other, acc)
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
    let log = t.store.worklog(&rep_user.actor(), id).await.unwrap();
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
    let log = t.store.worklog(&rep_user.actor(), id).await.unwrap();
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
    let auditor = kam_core::Actor { user_id: 0, role: Role::Auditor, team_id: None };
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

async fn money_products_orders_and_ledger_by_role(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let acc = w.acc_a;
    // Products: finance and admin keep the list; reps read it.
    let prod = json!({"code": "P-1", "name": "工业包装膜", "unit": "Kg", "list_price": 1130});
    assert_eq!(t.api(&w.rep_a, "POST", "/api/v1/products", Some(prod.clone())).await.status, StatusCode::FORBIDDEN);
    let r = t.api(&w.fin, "POST", "/api/v1/products", Some(prod.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pid = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["tax_rate"], 13.0, "goods default to 13 % VAT");
    let r = t.api(&w.admin, "POST", "/api/v1/products", Some(prod)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the code is taken");
    assert!(r.json()["error"]["fields"]["code"].is_string());
    assert_eq!(t.api(&w.rep_a, "GET", "/api/v1/products", None).await.json()["items"].as_array().unwrap().len(), 1);
    // Finance sets the credit terms: ¥5,000.00, 30 days.
    let r = t
        .api(
            &w.fin,
            "PATCH",
            &format!("/api/v1/accounts/{acc}"),
            Some(json!({"credit_limit": 500_000, "payment_terms_days": 30})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The rep orders 300 kg: ¥3,390.00 including VAT, placed.
    let order = |qty: &str| json!({"account_id": acc, "order_date": "2026-11-02", "lines": [{"product_id": pid, "quantity": qty}]});
    let r = t.api(&w.rep_a, "POST", "/api/v1/orders", Some(order("300"))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let o1 = r.json();
    assert_eq!(
        (o1["status"].as_str(), o1["total_with_tax"].as_i64(), o1["total_without_tax"].as_i64()),
        (Some("placed"), Some(339_000), Some(300_000))
    );
    assert_eq!(o1["currency"], "CNY");
    // Bad input: field by field.
    let r = t
        .api(
            &w.rep_a,
            "POST",
            "/api/v1/orders",
            Some(json!({"account_id": acc, "lines": [{"product_id": pid, "quantity": "-2", "colour": "red"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &r.json()["error"]["fields"];
    assert!(f["lines.0.quantity"].is_string() && f["lines.0.colour"].is_string(), "{f}");
    assert_eq!(
        t.api(&w.fin, "POST", "/api/v1/orders", Some(order("1"))).await.status,
        StatusCode::FORBIDDEN,
        "finance does not sell"
    );
    assert_eq!(t.api(&w.rep_c, "POST", "/api/v1/orders", Some(order("1"))).await.status, StatusCode::NOT_FOUND);
    // Over the limit: held; the rep cannot release it, finance can.
    let r = t.api(&w.rep_a, "POST", "/api/v1/orders", Some(order("200"))).await;
    assert_eq!(r.json()["status"], "credit_hold", "{}", r.body);
    let held = r.json()["id"].as_i64().unwrap();
    let tr = |to: &str| json!({"to": to, "on_date": "2026-11-05"});
    assert_eq!(
        t.api(&w.rep_a, "POST", &format!("/api/v1/orders/{held}/transition"), Some(tr("placed"))).await.status,
        StatusCode::FORBIDDEN
    );
    let r = t.api(&w.fin, "POST", &format!("/api/v1/orders/{held}/transition"), Some(tr("placed"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["approved_by_name"].is_string());
    // Delivery posts the invoice; the ledger is read-only for the rep, hidden from service and other teams.
    let id1 = o1["id"].as_i64().unwrap();
    assert_eq!(
        t.api(&w.rep_a, "POST", &format!("/api/v1/orders/{id1}/transition"), Some(tr("delivered"))).await.status,
        StatusCode::CONFLICT
    );
    t.api(&w.rep_a, "POST", &format!("/api/v1/orders/{id1}/transition"), Some(tr("shipped"))).await;
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/orders/{id1}/transition"), Some(tr("delivered"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ledger = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{acc}/ledger"), None).await;
    assert_eq!(ledger.status, StatusCode::OK);
    let l = &ledger.json()["ledgers"][0];
    assert_eq!(
        (l["balance"].as_i64(), l["entries"][0]["kind"].as_str(), l["entries"][0]["due_date"].as_str()),
        (Some(339_000), Some("invoice"), Some("2026-12-05"))
    );
    assert_eq!(
        t.api(&w.service, "GET", &format!("/api/v1/accounts/{acc}/ledger"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.api(&w.rep_c, "GET", &format!("/api/v1/accounts/{acc}/ledger"), None).await.status,
        StatusCode::NOT_FOUND
    );
    // Finance posts a payment; sales may not; a wrong entry is reversed, once.
    let pay = json!({"account_id": acc, "entry_date": "2026-11-20", "kind": "payment", "amount": 100_000, "payment_method": "bank_transfer", "voucher_no": "PZ-1"});
    assert_eq!(
        t.api(&w.rep_a, "POST", "/api/v1/ledger-entries", Some(pay.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let r = t
        .api(
            &w.fin,
            "POST",
            "/api/v1/ledger-entries",
            Some(json!({"account_id": acc, "entry_date": "2026-11-20", "kind": "gift", "amount": -5})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &r.json()["error"]["fields"];
    assert!(f["kind"].is_string() && f["amount"].is_string(), "{f}");
    let r = t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(pay)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["amount"], -100_000);
    let eid = r.json()["id"].as_i64().unwrap();
    let r = t
        .api(&w.fin, "POST", &format!("/api/v1/ledger-entries/{eid}/reverse"), Some(json!({"note": "重复录入"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["reverses_id"], eid);
    assert_eq!(
        t.api(&w.fin, "POST", &format!("/api/v1/ledger-entries/{eid}/reverse"), Some(json!({"note": "再冲一次"})))
            .await
            .status,
        StatusCode::CONFLICT
    );
    // Receivables: finance sees the account; another team's rep does not; service is refused.
    let r = t.api(&w.fin, "GET", "/api/v1/receivables?as_of=2026-12-31", None).await.json();
    let row = r["items"].as_array().unwrap().iter().find(|x| x["account_id"] == acc).cloned().unwrap();
    assert_eq!((row["balance"].as_i64(), row["aging"]["overdue"].as_i64()), (Some(339_000), Some(339_000)));
    let r = t.api(&w.rep_c, "GET", "/api/v1/receivables", None).await.json();
    assert!(r["items"].as_array().unwrap().iter().all(|x| x["account_id"] != acc));
    assert_eq!(t.api(&w.service, "GET", "/api/v1/receivables", None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.api(&w.fin, "GET", "/api/v1/receivables?as_of=tomorrow", None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Every write is in the account's history.
    let h = t.api(&w.admin, "GET", &format!("/api/v1/accounts/{acc}/history"), None).await.json();
    let seen: Vec<(String, String)> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["entity"].as_str().unwrap().to_string(), r["action"].as_str().unwrap().to_string()))
        .collect();
    for want in [("order", "create"), ("order", "approve"), ("order", "update"), ("ledger_entry", "create")] {
        assert!(seen.iter().any(|(e, a)| e == want.0 && a == want.1), "{want:?} in {seen:?}");
    }
    // The pages: the rep's order form with field errors, then a placed order.
    let rep = t.browser("m_rep", Role::Sales, Some("East")).await;
    let rep_user = t.store.user_by_username("m_rep").await.unwrap().unwrap();
    let mine = t
        .store
        .create_account(
            &rep_user.actor(),
            kam_store::accounts::AccountInput {
                rec: [("name", kam_core::Value::Text("页面订单客户".into()))].into_iter().collect(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    assert_eq!(t.get(&rep, &format!("/accounts/{mine}/orders/new")).await.status, StatusCode::OK);
    let pid_s = pid.to_string();
    let r = t
        .post(
            &rep,
            &format!("/accounts/{mine}/orders"),
            &[("order_date", "2026-11-03"), ("lines.0.product_id", &pid_s), ("lines.0.quantity", "-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("数量应为非负数"), "{}", r.body);
    let r = t
        .post(
            &rep,
            &format!("/accounts/{mine}/orders"),
            &[
                ("order_date", "2026-11-03"),
                ("lines.0.product_id", &pid_s),
                ("lines.0.quantity", "10"),
                ("lines.1.quantity", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&rep, r.headers[header::LOCATION].to_str().unwrap()).await;
    assert!(page.body.contains("¥113.00") && page.body.contains("已下单"), "{}", page.body);
    let tab = t.get(&rep, &format!("/accounts/{mine}?tab=orders")).await;
    assert!(tab.body.contains("SO20261103-"));
    let timeline = t.get(&rep, &format!("/accounts/{mine}?tab=timeline")).await;
    assert!(timeline.body.contains("SO20261103-"), "orders are on the account's timeline");
    let only = t.get(&rep, &format!("/accounts/{mine}?tab=timeline&kind=order")).await;
    assert!(only.body.contains("SO20261103-"));
    // The API's timeline is the page's: the order is there, its money as the reader may see it.
    let tl = t.api(&w.admin, "GET", &format!("/api/v1/accounts/{mine}/timeline?kind=order"), None).await.json();
    let items = tl["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|i| i["kind"] == "order"), "{tl}");
    assert!(items[0]["record"]["number"].as_str().unwrap().starts_with("SO20261103-"));
    // Finance posts on the page; the ledger tab shows the running balance.
    let fin = t.browser("m_fin", Role::Finance, None).await;
    let r = t
        .post(
            &fin,
            &format!("/accounts/{acc}/ledger"),
            &[("entry_date", "2026-11-21"), ("kind", "payment"), ("amount", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = t
        .post(
            &fin,
            &format!("/accounts/{acc}/ledger"),
            &[("entry_date", "2026-11-21"), ("kind", "payment"), ("amount", "1,000.00")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let tab = t.get(&fin, &format!("/accounts/{acc}?tab=ledger")).await;
    assert!(tab.body.contains("¥2,390.00"), "339 000 − 100 000 + 100 000 − 100 000: {}", tab.body);
    assert_eq!(t.get(&fin, "/receivables").await.status, StatusCode::OK);
    let svc = t.browser("m_svc", Role::Service, None).await;
    assert_eq!(t.get(&svc, "/receivables").await.status, StatusCode::NOT_FOUND);
    assert!(!t.get(&svc, &format!("/accounts/{acc}")).await.body.contains("tab=ledger"), "no ledger tab for service");
}

async fn statements_generate_answer_settle_print_and_export(s: Store) {
    use calamine::{Data, Reader, Xlsx};
    let t = TestApp::new(s);
    let w = world(&t).await;
    let entry = |acc: i64, date: &str, kind: &str, amount: i64| json!({"account_id": acc, "entry_date": date, "kind": kind, "amount": amount});
    for (acc, date, kind, amount) in [
        (w.acc_a, "2026-09-30", "opening_balance", 100_000),
        (w.acc_a, "2026-10-05", "invoice", 250_000),
        (w.acc_a, "2026-10-18", "payment", 120_000),
        (w.acc_c, "2026-10-09", "invoice", 80_000),
    ] {
        let r = t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(entry(acc, date, kind, amount))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let period = json!({"period": "2026-10"});
    assert_eq!(
        t.api(&w.rep_a, "POST", "/api/v1/statements/generate", Some(period.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let r = t.api(&w.fin, "POST", "/api/v1/statements/generate", Some(json!({"period": "October"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["period"].is_string());
    let r = t.api(&w.fin, "POST", "/api/v1/statements/generate", Some(period)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["created"].as_array().unwrap().len(), 2);
    // The rep sees their account's statement only.
    let mine = t.api(&w.rep_a, "GET", "/api/v1/statements?period=2026-10", None).await.json();
    assert_eq!(mine["total"], 1);
    let sid = mine["items"][0]["id"].as_i64().unwrap();
    assert_eq!(t.api(&w.rep_c, "GET", &format!("/api/v1/statements/{sid}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.api(&w.service, "GET", &format!("/api/v1/statements/{sid}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    let st = t.api(&w.fin, "GET", &format!("/api/v1/statements/{sid}"), None).await.json();
    assert_eq!(
        (st["opening"].as_i64(), st["closing"].as_i64(), st["status"].as_str()),
        (Some(100_000), Some(230_000), Some("draft"))
    );
    // Finance sends it and records the customer's dispute on the payment, on the pages.
    let fin = t.browser("st_fin", Role::Finance, None).await;
    assert_eq!(t.post(&fin, &format!("/statements/{sid}/send"), &[]).await.status, StatusCode::SEE_OTHER);
    let pay_line =
        st["lines"].as_array().unwrap().iter().find(|l| l["kind"] == "payment").unwrap()["id"].as_i64().unwrap();
    let (a, m, n) = (format!("answer.{pay_line}"), format!("amount.{pay_line}"), format!("note.{pay_line}"));
    let r = t
        .post(
            &fin,
            &format!("/statements/{sid}/answers"),
            &[(a.as_str(), "disputed"), (m.as_str(), "1,000.00"), (n.as_str(), "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a dispute needs a note");
    assert!(r.body.contains("有差异的行请写明原因"));
    assert!(
        r.body.contains("value=\"1,000.00\"") && r.body.contains("value=\"disputed\" selected"),
        "what was typed stays"
    );
    let r = t
        .post(
            &fin,
            &format!("/statements/{sid}/answers"),
            &[(a.as_str(), "disputed"), (m.as_str(), "1,000.00"), (n.as_str(), "客户称只付了 1000 元")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let st = t.api(&w.fin, "GET", &format!("/api/v1/statements/{sid}"), None).await.json();
    assert_eq!(st["status"], "disputed");
    let line = st["lines"].as_array().unwrap().iter().find(|l| l["id"] == pay_line).cloned().unwrap();
    assert_eq!((line["answer"].as_str(), line["customer_amount"].as_i64()), (Some("disputed"), Some(-100_000)));
    // Settled by an adjustment entry; the ledger carries it, the statement is resolved.
    let path = format!("/api/v1/statements/{sid}/lines/{pay_line}/resolve");
    assert_eq!(t.api(&w.rep_a, "POST", &path, Some(json!({"how": "adjust"}))).await.status, StatusCode::FORBIDDEN);
    let r = t.api(&w.fin, "POST", &path, Some(json!({"how": "adjust", "note": "按客户回单"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "resolved");
    let ledger = t.api(&w.fin, "GET", &format!("/api/v1/accounts/{}/ledger", w.acc_a), None).await.json();
    assert_eq!(ledger["ledgers"][0]["balance"], 230_000 + 20_000, "the adjustment to their figure");
    assert_eq!(t.api(&w.fin, "POST", &path, Some(json!({"how": "withdraw"}))).await.status, StatusCode::CONFLICT);
    // The other customer confirms everything.
    let theirs = t.api(&w.rep_c, "GET", "/api/v1/statements", None).await.json()["items"][0]["id"].as_i64().unwrap();
    t.api(&w.fin, "POST", &format!("/api/v1/statements/{theirs}/send"), None).await;
    let r = t.api(&w.fin, "POST", &format!("/api/v1/statements/{theirs}/answers"), Some(json!({"lines": []}))).await;
    assert_eq!(r.json()["status"], "confirmed", "{}", r.body);
    // Printed like a real 对账单, and exported to .xlsx that a spreadsheet reads.
    let p = t.get(&fin, &format!("/statements/{sid}/print")).await;
    for want in ["对　账　单", "甲客户有限公司", "期末余额", "¥2,300.00", "客户签章"] {
        assert!(p.body.contains(want), "{want}");
    }
    let x = t.api(&w.rep_a, "GET", &format!("/api/v1/statements/{sid}/xlsx"), None).await;
    assert_eq!(x.status, StatusCode::OK);
    let bytes = t.download(&w.rep_a, &format!("/api/v1/statements/{sid}/xlsx")).await;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range("2026-10").expect("the month's sheet");
    assert_eq!(sheet.get_value((1, 1)), Some(&Data::String("甲客户有限公司".into())));
    let numbers: Vec<f64> = sheet
        .rows()
        .flat_map(|r| r.iter())
        .filter_map(|c| if let Data::Float(f) = c { Some(*f) } else { None })
        .collect();
    assert!(
        numbers.contains(&1000.0)
            && numbers.contains(&2500.0)
            && numbers.contains(&1200.0)
            && numbers.contains(&2300.0),
        "{numbers:?}"
    );
    let h = t.store.account_history(w.acc_a).await.unwrap();
    assert!(h.iter().any(|r| r.entity == "statement" && r.action == "export"), "exports are audited");
    // The pages: list with the generate action for finance, the ledger tab lists statements.
    let list = t.get(&fin, "/statements?period=2026-10").await;
    assert!(list.body.contains("生成全部客户对账单") && list.body.contains("甲客户有限公司"));
    assert_eq!(t.post(&fin, "/statements/generate", &[("period", "2026-10")]).await.status, StatusCode::SEE_OTHER);
    let tab = t.get(&fin, &format!("/accounts/{}?tab=ledger", w.acc_a)).await;
    assert!(tab.body.contains(&format!("/statements/{sid}")));
}

fn multipart(csrf: Option<&str>, name: &str, body: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----kamtestboundary";
    let mut out = Vec::new();
    if let Some(c) = csrf {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{c}\r\n").as_bytes(),
        );
    }
    out.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    out.extend_from_slice(body);
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), out)
}

async fn contracts_with_amendments_and_attachments(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let rep = t.browser("ct_rep", Role::Sales, Some("East")).await;
    let rep_user = t.store.user_by_username("ct_rep").await.unwrap().unwrap();
    let acc = t
        .store
        .create_account(
            &rep_user.actor(),
            kam_store::accounts::AccountInput {
                rec: [("name", kam_core::Value::Text("合同页面客户".into()))].into_iter().collect(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    // The form: an end before the start comes back field by field.
    let mut fields = vec![
        ("contract_no", "HT-P-001"),
        ("contract_type", "sla"),
        ("title", "服务级别协议"),
        ("valid_from", "2026-01-01"),
        ("valid_to", "2025-12-31"),
        ("amount", "100,000.00"),
        ("sla_reply_urgent", "2"),
    ];
    let r = t.post(&rep, &format!("/accounts/{acc}/contracts"), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("结束日期不能早于开始日期"));
    fields[4] = ("valid_to", "2027-12-31");
    let r = t.post(&rep, &format!("/accounts/{acc}/contracts"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let id: i64 = loc.trim_start_matches("/contracts/").split('?').next().unwrap().parse().unwrap();
    assert_eq!(
        t.post(&rep, &format!("/contracts/{id}/transition"), &[("to", "active")]).await.status,
        StatusCode::SEE_OTHER
    );
    // Active: editing refused, amendments recorded.
    assert_eq!(t.get(&rep, &format!("/contracts/{id}/edit")).await.status, StatusCode::FORBIDDEN);
    let r = t
        .post(
            &rep,
            &format!("/contracts/{id}/amendments"),
            &[("amended_on", "2026-06-01"), ("change", "增加备件条款"), ("amount_delta", "-5,000.00")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&rep, &format!("/contracts/{id}")).await;
    assert!(page.body.contains("增加备件条款") && page.body.contains("¥95,000.00"), "{}", page.body);
    // Upload on the page (CSRF checked), the bytes decide the type.
    let (ct, body) = multipart(Some(&rep.csrf), "合同.pdf", b"%PDF-1.4 scan");
    let up = |ct: String, body: Vec<u8>| {
        Request::post(format!("/contracts/{id}/attachments"))
            .header(header::COOKIE, format!("kam_session={}", rep.cookie))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let r = t.send(up(ct, body)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (ct, body) = multipart(None, "合同.pdf", b"%PDF-1.4 scan");
    assert_eq!(t.send(up(ct, body)).await.status, StatusCode::FORBIDDEN, "no CSRF token, no upload");
    let (ct, body) = multipart(Some(&rep.csrf), "evil.pdf", b"<script>alert(1)</script>");
    let r = t.send(up(ct, body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("只接受 PDF"));
    let c = t.api(&w.admin, "GET", &format!("/api/v1/contracts/{id}"), None).await.json();
    assert_eq!((c["status"].as_str(), c["current_amount"].as_i64()), (Some("active"), Some(9_500_000)));
    // The list says the same as the contract (issue 11: it showed the amount before its amendments).
    let list = t.api(&w.fin, "GET", "/api/v1/contracts", None).await.json();
    let row = list["items"].as_array().unwrap().iter().find(|x| x["id"] == c["id"]).cloned().unwrap();
    assert_eq!(row["current_amount"].as_i64(), Some(9_500_000), "{row}");
    let fin_page = t.browser("ct_fin_list", Role::Finance, None).await;
    assert!(t.get(&fin_page, "/contracts").await.body.contains("¥95,000.00"), "the list page shows the amended amount");
    let aid = c["attachments"][0]["id"].as_i64().unwrap();
    let d = t.get(&rep, &format!("/contracts/{id}/attachments/{aid}")).await;
    assert_eq!((d.status, d.body.as_str()), (StatusCode::OK, "%PDF-1.4 scan"));
    assert_eq!(d.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(d.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    // Another team sees nothing; the API follows the same rules.
    assert_eq!(t.api(&w.rep_c, "GET", &format!("/api/v1/contracts/{id}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.api(&w.rep_c, "GET", &format!("/api/v1/contracts/{id}/attachments/{aid}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = t
        .api(
            &w.rep_a,
            "POST",
            "/api/v1/contracts",
            Some(
                json!({"account_id": w.acc_a, "contract_no": "HT-API-1", "contract_type": "nda", "title": "保密协议"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let api_id = r.json()["id"].as_i64().unwrap();
    let r = t
        .api(
            &w.rep_a,
            "POST",
            &format!("/api/v1/contracts/{api_id}/amendments"),
            Some(json!({"amended_on": "2026-07-01"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the change is required");
    assert_eq!(
        t.api(&w.rep_a, "POST", &format!("/api/v1/contracts/{api_id}/transition"), Some(json!({"to": "expired"})))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        t.api(
            &w.service,
            "POST",
            "/api/v1/contracts",
            Some(json!({"account_id": w.acc_a, "contract_no": "X", "contract_type": "nda", "title": "x"}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let tab = t.get(&rep, &format!("/accounts/{acc}?tab=contracts")).await;
    assert!(tab.body.contains("HT-P-001"));
    let h = t.store.account_history(acc).await.unwrap();
    assert!(h.iter().any(|r| r.entity == "contract_attachment" && r.action == "export"));
}

async fn credit_tab_override_and_form_five(s: Store) {
    use calamine::{Data, Reader, Xlsx};
    let t = TestApp::new(s);
    let w = world(&t).await;
    let acc = w.acc_a;
    for (date, kind, amount) in
        [("2026-02-01", "invoice", 600_000), ("2026-02-20", "payment", 400_000), ("2026-03-01", "discount", 10_000)]
    {
        let r = t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(json!({"account_id": acc, "entry_date": date, "kind": kind, "amount": amount, "contract_no": "HT-C-1"}))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let c = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{acc}/credit?period=2026-06"), None).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    let c = c.json();
    assert_eq!(c["current"]["factors"].as_array().unwrap().len(), 5);
    assert_eq!(c["last_year"]["as_of"], "2025-06-30");
    assert_eq!(
        t.api(&w.rep_c, "GET", &format!("/api/v1/accounts/{acc}/credit"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.api(&w.service, "GET", &format!("/api/v1/accounts/{acc}/credit"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.api(&w.fin, "GET", &format!("/api/v1/accounts/{acc}/credit?period=June"), None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let body = json!({"period": "2026-06", "rating": "B", "credit_limit": 800_000, "reason": "集团担保"});
    assert_eq!(
        t.api(&w.rep_a, "POST", &format!("/api/v1/accounts/{acc}/credit"), Some(body.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let r = t
        .api(
            &w.fin,
            "POST",
            &format!("/api/v1/accounts/{acc}/credit"),
            Some(json!({"rating": "Z", "credit_limit": 1, "reason": ""})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &r.json()["error"]["fields"];
    assert!(f["rating"].is_string() && f["reason"].is_string(), "{f}");
    let ahead = json!({"period": "2026-12", "rating": "A", "credit_limit": 1, "reason": "提前调整"});
    let r = t.api(&w.fin, "POST", &format!("/api/v1/accounts/{acc}/credit"), Some(ahead)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a month not yet begun (the clock stands in November)");
    assert_eq!(r.json()["error"]["fields"]["period"], "不能为尚未开始的月份调整信用。");
    let r = t.api(&w.fin, "POST", &format!("/api/v1/accounts/{acc}/credit"), Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.json()["rating"].as_str(), r.json()["credit_limit"].as_i64()), (Some("B"), Some(800_000)));
    // It stands in the months after it, shown with the month it stands since.
    let later = t.api(&w.fin, "GET", &format!("/api/v1/accounts/{acc}/credit?period=2026-11"), None).await.json();
    assert_eq!((later["rating"].as_str(), later["overridden"]["since"].as_str()), (Some("B"), Some("2026-06")));
    // The pages: the header carries the standing; finance overrides on the credit tab.
    let fin = t.browser("cr_fin", Role::Finance, None).await;
    let tab = t.get(&fin, &format!("/accounts/{acc}?tab=credit&period=2026-06")).await;
    assert!(
        tab.body.contains("按期回款率") && tab.body.contains("集团担保") && tab.body.contains("badge B"),
        "{}",
        tab.body
    );
    // A bad limit comes back on the tab with what was typed and the reason beside the field.
    let r = t
        .post(
            &fin,
            &format!("/accounts/{acc}/credit"),
            &[("period", "2026-06"), ("rating", "A"), ("credit_limit", "一万"), ("reason", "年度复核说明")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"一万\"") && r.body.contains("value=\"年度复核说明\""), "kept: {}", r.body);
    assert!(r.body.contains("<option value=\"A\" selected>") && r.body.contains("金额格式不正确"));
    let r = t
        .post(
            &fin,
            &format!("/accounts/{acc}/credit"),
            &[("period", "2026-06"), ("rating", "A"), ("credit_limit", "12,000.00"), ("reason", "年度复核")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.headers[header::LOCATION].to_str().unwrap().contains("credit.overridden"));
    // 附表五: screen, print and .xlsx agree with the ledger.
    let p = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{acc}/performance?year=2026"), None).await.json();
    assert_eq!(
        (p["total_sales"].as_i64(), p["total_collected"].as_i64(), p["other"].as_i64(), p["closing"].as_i64()),
        (Some(600_000), Some(400_000), Some(-10_000), Some(190_000))
    );
    let ledger = t.api(&w.fin, "GET", &format!("/api/v1/accounts/{acc}/ledger"), None).await.json();
    assert_eq!(p["closing"], ledger["ledgers"][0]["balance"]);
    assert_eq!(
        t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{acc}/performance?year=99"), None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let page = t.get(&fin, &format!("/accounts/{acc}/performance?year=2026")).await;
    assert!(page.body.contains("累计回款") && page.body.contains("¥6,000.00"), "{}", page.body);
    let pr = t.get(&fin, &format!("/accounts/{acc}/performance/print?year=2026")).await;
    assert!(pr.body.contains("客户业绩统计及信用评估表") && pr.body.contains("上年同期信用"));
    let bytes = t.download(&w.fin, &format!("/api/v1/accounts/{acc}/performance/xlsx?year=2026")).await;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range("附表五 2026").expect("the sheet");
    assert_eq!(sheet.get_value((1, 1)), Some(&Data::String("甲客户有限公司".into())));
    assert_eq!(sheet.get_value((3, 0)), Some(&Data::String("销售序号".into())), "translated headers");
    let numbers: Vec<f64> = sheet
        .rows()
        .flat_map(|r| r.iter())
        .filter_map(|c| if let Data::Float(f) = c { Some(*f) } else { None })
        .collect();
    assert!(numbers.contains(&6000.0) && numbers.contains(&4000.0) && numbers.contains(&1900.0), "{numbers:?}");
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

/// Where `value` departs from `schema` (types, enums, undeclared properties),
/// resolving `$ref` and `allOf` against the document.
fn departures(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        return departures(doc, &doc["components"]["schemas"][name], value, at, out);
    }
    if let Some(alternatives) = schema.get("oneOf").and_then(Value::as_array) {
        let fits = |alt: &Value| {
            let mut o = Vec::new();
            departures(doc, alt, value, at, &mut o);
            o
        };
        let tried: Vec<Vec<String>> = alternatives.iter().map(fits).collect();
        if !tried.iter().any(Vec::is_empty) {
            out.extend(tried.into_iter().flatten());
        }
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        // Each part checks its own properties; the union of them is what may appear.
        let mut merged = serde_json::Map::new();
        for part in all {
            let part = match part.get("$ref").and_then(Value::as_str) {
                Some(r) => doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")].clone(),
                None => part.clone(),
            };
            if let Some(p) = part["properties"].as_object() {
                merged.extend(p.clone());
            }
        }
        return departures(doc, &json!({"type": "object", "properties": merged}), value, at, out);
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let fits = types.is_empty() || types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
    if !fits {
        out.push(format!("{at}: {actual}, documented {types:?}"));
        return;
    }
    if let (Some(values), false) = (schema.get("enum").and_then(Value::as_array), value.is_null())
        && !values.contains(value)
    {
        out.push(format!("{at}: {value} not in the documented enum"));
    }
    match value {
        Value::Object(m) => {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, v) in m {
                    match props.get(k) {
                        Some(ps) => departures(doc, ps, v, &format!("{at}.{k}"), out),
                        None if schema.get("additionalProperties").is_some() => {}
                        None => out.push(format!("{at}.{k}: not documented")),
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().take(5).enumerate() {
                    departures(doc, item, v, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
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

/// Every key of every object in a JSON answer, with where it was found.
fn keys_in(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                out.push((k.clone(), at.to_string()));
                keys_in(x, &format!("{at}.{k}"), out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys_in(x, at, out)),
        _ => {}
    }
}

/// Same-site links of a page.
fn links_of(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/'))
        .map(|h| h.replace("&amp;", "&").replace("&#38;", "&"))
        .collect()
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
                if r.body.contains('¥') {
                    let at = r.body.find('¥').unwrap();
                    let from = r.body[..at].char_indices().rev().nth(80).map(|(i, _)| i).unwrap_or(0);
                    hits.push(format!("{path}: …{}", &r.body[from..at + 12.min(r.body.len() - at)]));
                }
                if r.headers
                    .get(header::CONTENT_TYPE)
                    .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/html"))
                {
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

/// Issue 10: a payment larger than what is owed is posted with a warning; a
/// reversal without a reason is refused (page and API) and its reason shows.
async fn a_payment_beyond_the_balance_warns_and_a_reversal_says_why(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let fin = t.browser("fin_pages", Role::Finance, None).await;
    let path = format!("/accounts/{}/ledger", w.acc_a);
    let post = |kind: &'static str, amount: &'static str| {
        let path = path.clone();
        let fin = &fin;
        let t = &t;
        async move { t.post(fin, &path, &[("entry_date", "2026-11-20"), ("kind", kind), ("amount", amount)]).await }
    };
    let r = post("invoice", "1,000.00").await;
    assert!(r.headers[header::LOCATION].to_str().unwrap().ends_with("msg=ledger.posted"), "{:?}", r.headers);
    let r = post("payment", "400.00").await;
    assert!(r.headers[header::LOCATION].to_str().unwrap().ends_with("msg=ledger.posted"), "within the balance");
    let r = post("payment", "700.00").await;
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(to.ends_with("msg=ledger.overpaid"), "{to}");
    let page = t.get(&fin, &to).await;
    assert!(page.body.contains("flash warning") && page.body.contains("回款金额超过应收余额"), "{}", page.body);
    // Over the API the answer carries the same warning beside the entry.
    let pay = json!({"account_id": w.acc_a, "entry_date": "2026-11-21", "kind": "payment", "amount": 5_000});
    let r = t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(pay)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["warnings"][0]["code"], "overpaid", "{}", r.body);
    let inv = json!({"account_id": w.acc_a, "entry_date": "2026-11-21", "kind": "invoice", "amount": 500_000});
    assert_eq!(t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(inv)).await.json()["warnings"], json!([]));
    // Reversing the overpayment: no reason, no reversal.
    let entries = t.api(&w.fin, "GET", &format!("/api/v1/accounts/{}/ledger", w.acc_a), None).await.json();
    let last = entries["ledgers"][0]["entries"].as_array().unwrap().last().unwrap()["id"].as_i64().unwrap();
    let rev = format!("/api/v1/ledger-entries/{last}/reverse");
    let r = t.api(&w.fin, "POST", &rev, Some(json!({"note": " "}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["note"], "请填写原因。");
    let r = t.post(&fin, &format!("/ledger-entries/{last}/reverse"), &[]).await;
    assert!(r.headers[header::LOCATION].to_str().unwrap().ends_with("msg=err.reason_required"));
    let r = t.post(&fin, &format!("/ledger-entries/{last}/reverse"), &[("note", "客户多付，改为退款")]).await;
    assert!(r.headers[header::LOCATION].to_str().unwrap().ends_with("msg=ledger.reversed"));
    let page = t.get(&fin, &format!("/accounts/{}?tab=ledger", w.acc_a)).await;
    assert!(page.body.contains("客户多付，改为退款"), "the reason is on the ledger");
}

/// Issue 10: a statement of the month under way says it is provisional; one
/// of a month without entries says so instead of offering an empty table to answer.
async fn a_statement_of_a_month_under_way_is_marked_provisional(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let fin = t.browser("fin_st", Role::Finance, None).await;
    let entry = json!({"account_id": w.acc_a, "entry_date": "2026-10-05", "kind": "invoice", "amount": 250_000});
    assert_eq!(t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(entry)).await.status, StatusCode::CREATED);
    for period in ["2026-10", "2026-11"] {
        let r = t.api(&w.fin, "POST", "/api/v1/statements/generate", Some(json!({"period": period}))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let id_of = async |period: &str| {
        let list = t.api(&w.fin, "GET", &format!("/api/v1/statements?period={period}"), None).await.json();
        list["items"][0]["id"].as_i64().unwrap()
    };
    let (oct, nov) = (id_of("2026-10").await, id_of("2026-11").await);
    for id in [oct, nov] {
        t.api(&w.fin, "POST", &format!("/api/v1/statements/{id}/send"), None).await;
    }
    let october = t.get(&fin, &format!("/statements/{oct}")).await.body;
    assert!(!october.contains("临时版本") && october.contains("保存客户回复"), "a closed month with entries");
    let november = t.get(&fin, &format!("/statements/{nov}")).await.body;
    assert!(november.contains("本月尚未结束：此对账单为临时版本"), "the month under way (today 2026-11-28)");
    assert!(november.contains("本期无往来") && !november.contains("保存客户回复"), "nothing to answer");
}

async fn statements_carry_the_issuer_open_items_and_one_sign(s: Store) {
    use calamine::{Data, Reader, Xlsx};
    let t = TestApp::new(s);
    let w = world(&t).await;
    let admin = t.browser("adm_set", Role::Admin, None).await;
    let fin = t.browser("fin_set", Role::Finance, None).await;
    // The admin sets the issuing company; a bad part comes back with what was typed.
    let company = [
        ("company.name", "福州示范贸易有限公司"),
        ("company.address", "福州市鼓楼区五四路 1 号"),
        ("company.phone", "0591-8888 0000"),
        ("company.tax_id", "91350100M000100Y43"),
        ("company.bank_name", "中国工商银行福州五四支行"),
        ("company.bank_account", "1402 0000 0912 3456 789"),
    ];
    let mut form: Vec<(&str, &str)> = company.to_vec();
    form.extend([("work_start", "18:00"), ("work_end", "09:00"), ("work_days", "1"), ("currencies", "CNY, USD")]);
    let r = t.post(&admin, "/admin/instance", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("结束时间须晚于开始时间") && r.body.contains("福州示范贸易有限公司"), "kept and explained");
    assert_eq!(t.api(&w.fin, "GET", "/api/v1/settings", None).await.json()["company"]["name"], "", "nothing saved");
    let mut form: Vec<(&str, &str)> = company.to_vec();
    form.extend([("work_start", "09:00"), ("work_end", "18:00"), ("work_days", "1"), ("work_days", "2")]);
    form.push(("currencies", "CNY, USD"));
    assert_eq!(t.post(&admin, "/admin/instance", &form).await.status, StatusCode::SEE_OTHER);
    assert_eq!(t.post(&fin, "/admin/instance", &form).await.status, StatusCode::NOT_FOUND, "admin only");
    let set = t.api(&w.fin, "GET", "/api/v1/settings", None).await.json();
    assert_eq!(
        (set["company"]["name"].as_str(), set["working_hours"]["days"].clone()),
        (Some("福州示范贸易有限公司"), json!([1, 2]))
    );
    assert_eq!(set["currencies"], json!(["CNY", "USD"]));
    let put = json!({"currencies": ["CNY", "usd", "EUR"], "working_hours": {"start": "09:00", "end": "18:00", "days": [1, 2, 3, 4, 5]}});
    assert_eq!(t.api(&w.fin, "PUT", "/api/v1/settings", Some(put.clone())).await.status, StatusCode::FORBIDDEN);
    let bad = t
        .api(
            &w.admin,
            "PUT",
            "/api/v1/settings",
            Some(json!({"working_hours": {"start": "9", "end": "18:00", "days": [8]}})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["error"]["fields"]["working_hours.days"].is_string(), "{}", bad.body);
    let r = t.api(&w.admin, "PUT", "/api/v1/settings", Some(put)).await;
    assert_eq!(r.json()["currencies"], json!(["CNY", "USD", "EUR"]), "{}", r.body);
    // A first statement: the opening balance is made of the items still open.
    let entry = |date: &str, kind: &str, amount: i64| json!({"account_id": w.acc_a, "entry_date": date, "kind": kind, "amount": amount});
    for (date, kind, amount) in [
        ("2026-08-10", "invoice", 300_000),
        ("2026-09-12", "invoice", 200_000),
        ("2026-09-25", "payment", 350_000),
        ("2026-10-18", "payment", 120_000),
    ] {
        assert_eq!(
            t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(entry(date, kind, amount))).await.status,
            StatusCode::CREATED
        );
    }
    let r = t.api(&w.fin, "POST", "/api/v1/statements/generate", Some(json!({"period": "2026-10"}))).await;
    let sid = r.json()["created"][0].as_i64().unwrap();
    let st = t.api(&w.fin, "GET", &format!("/api/v1/statements/{sid}"), None).await.json();
    assert_eq!(st["opening"], 150_000);
    assert_eq!(st["opening_items"].as_array().unwrap().len(), 1, "the August invoice is paid: {st}");
    assert_eq!(
        (st["opening_items"][0]["amount"].as_i64(), st["opening_items"][0]["open"].as_i64()),
        (Some(200_000), Some(150_000))
    );
    let page = t.get(&fin, &format!("/statements/{sid}")).await;
    assert!(
        page.body.contains("期初余额构成") && page.body.contains("¥1,500.00") && page.body.contains("2026-09-12"),
        "{}",
        page.body
    );
    // Regenerate and void are offered on a draft, with confirmation.
    assert!(page.body.contains(&format!("/statements/{sid}/regenerate")) && page.body.contains("data-confirm"));
    let r = t.post(&fin, &format!("/statements/{sid}/regenerate"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let sid: i64 = loc.trim_start_matches("/statements/").split('?').next().unwrap().parse().unwrap();
    // The customer disputes the ¥1,200.00 payment: they say ¥1,000.00 — shown as ¥1,000.00 on screen, in print and .xlsx.
    t.api(&w.fin, "POST", &format!("/api/v1/statements/{sid}/send"), None).await;
    let st = t.api(&w.fin, "GET", &format!("/api/v1/statements/{sid}"), None).await.json();
    let pay = st["lines"][0]["id"].as_i64().unwrap();
    let r = t
        .post(
            &fin,
            &format!("/statements/{sid}/answers"),
            &[
                (&format!("answer.{pay}"), "disputed"),
                (&format!("amount.{pay}"), "1,000.00"),
                (&format!("note.{pay}"), "只付了 1000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&fin, &format!("/statements/{sid}")).await;
    assert!(page.body.contains("¥1,000.00") && !page.body.contains("¥-1,000.00"), "one sign on screen");
    assert!(page.body.contains("value=\"1,000.00\""), "offered back to answer again, without the currency sign");
    let print = t.get(&fin, &format!("/statements/{sid}/print")).await;
    for want in ["福州示范贸易有限公司", "中国工商银行福州五四支行", "1402 0000 0912 3456 789", "其中未结", "¥1,000.00"]
    {
        assert!(print.body.contains(want), "print carries {want}");
    }
    assert!(!print.body.contains("¥-1,000.00"));
    let bytes = t.download(&w.fin, &format!("/api/v1/statements/{sid}/xlsx")).await;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range("2026-10").unwrap();
    let cells: Vec<&Data> = sheet.rows().flat_map(|r| r.iter()).collect();
    assert!(cells.iter().any(|c| matches!(c, Data::DateTime(_))), "dates are dates");
    assert!(cells.contains(&&Data::String("本期合计".into())), "the period total row");
    assert!(
        cells.contains(&&Data::Float(1000.0)) && !cells.contains(&&Data::Float(-1000.0)),
        "the customer's figure, one sign"
    );
    assert!(cells.iter().any(|c| matches!(c, Data::String(s) if s.contains("福州示范贸易有限公司"))));
    // A sent statement cannot be voided; over the API a draft can, and is regenerated.
    assert_eq!(t.api(&w.fin, "DELETE", &format!("/api/v1/statements/{sid}"), None).await.status, StatusCode::CONFLICT);
    let r = t.api(&w.fin, "POST", "/api/v1/statements/generate", Some(json!({"period": "2026-11"}))).await;
    let nov = r.json()["created"][0].as_i64().unwrap();
    assert_eq!(
        t.api(&w.rep_a, "DELETE", &format!("/api/v1/statements/{nov}"), None).await.status,
        StatusCode::FORBIDDEN
    );
    let r = t.api(&w.fin, "POST", &format!("/api/v1/statements/{nov}/regenerate"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let nov = r.json()["statement"]["id"].as_i64().unwrap();
    assert_eq!(
        t.api(&w.fin, "DELETE", &format!("/api/v1/statements/{nov}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.api(&w.fin, "GET", &format!("/api/v1/statements/{nov}"), None).await.status, StatusCode::NOT_FOUND);
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

/// Pulls the hidden fields of the first form on a page.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split_once("value=\"")?.1.split_once('"')?.0;
            Some((name.to_string(), value.replace("&#34;", "\"").replace("&amp;", "&")))
        })
        .collect()
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

async fn inputs_offer_the_rates_currencies_and_limits_in_force(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    // VAT: a choice of the rates in force, on the form and over the API.
    let admin = t.browser("in_admin", Role::Admin, None).await;
    let form = t.get(&admin, "/products/new").await;
    assert!(
        form.body.contains("<select id=\"f-tax_rate\" name=\"tax_rate\"") && form.body.contains(">9%</option>"),
        "{}",
        form.body
    );
    let p = json!({"code": "VAT-10", "name": "十个点", "unit": "件", "list_price": 1000, "tax_rate": 10});
    let r = t.api(&w.admin, "POST", "/api/v1/products", Some(p)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["tax_rate"].as_str().unwrap().contains("13%"), "{}", r.body);
    let p = json!({"code": "VAT-9", "name": "九个点", "unit": "件", "list_price": 1000, "tax_rate": 9});
    assert_eq!(t.api(&w.admin, "POST", "/api/v1/products", Some(p)).await.status, StatusCode::CREATED);
    // Currencies: the enabled ones offered on every currency input; another is refused.
    let rep = t.browser("in_rep", Role::Sales, Some("East")).await;
    let order = t.get(&admin, &format!("/accounts/{}/orders/new", w.acc_a)).await;
    assert!(
        order.body.contains("list=\"currencies\"")
            && order.body.contains("<datalist id=\"currencies\"><option value=\"CNY\">"),
        "{}",
        order.body.split("f-currency").nth(1).unwrap_or(&order.body[..200]).chars().take(300).collect::<String>()
    );
    let e = json!({"account_id": w.acc_a, "entry_date": "2026-11-20", "kind": "invoice", "amount": 1000, "currency": "JPY"});
    let r = t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(e)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["currency"].as_str().unwrap().contains("未启用"));
    // Limits are stated: a name past 200 characters says so.
    let long = "长".repeat(201);
    let r = t.post(&rep, "/accounts", &[("name", long.as_str())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("最多 200 字"), "the limit is in the message");
    let r = t.post(&rep, "/accounts", &[("name", "范围客户"), ("staff_count", "-5")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("应在 0 到 10000000 之间"), "the range is in the message");
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
