//! Merging duplicate accounts over HTTP: the API's comparison and merge, the
//! merged-away id's pointer (410 with Location on the API, a redirect on the
//! page), other users refused, the page's two steps.

use crate::support::*;

kam_store::on_both_engines!(
    the_api_compares_merges_and_points_the_old_id_at_the_survivor,
    the_merge_page_compares_and_merges,
    contacts_are_merged_on_the_api_and_the_page,
);

async fn the_api_compares_merges_and_points_the_old_id_at_the_survivor(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let dup = json!({"name": "甲客户（重复）", "phone": "021-55550000", "city": "上海市", "province": "上海市", "grade": "A"});
    let dup = t.api(&w.rep_a, "POST", "/api/v1/accounts", Some(dup)).await.json()["id"].as_i64().unwrap();
    let c = json!({"name": "重复联系人", "mobile": "13900000099"});
    let con = t.api(&w.rep_a, "POST", &format!("/api/v1/accounts/{dup}/contacts"), Some(c)).await.json()["id"]
        .as_i64()
        .unwrap();
    let entry = json!({"account_id": dup, "kind": "invoice", "entry_date": "2026-10-08", "amount": 100000});
    let r = t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(entry)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let path = format!("/api/v1/accounts/{}/merge", w.acc_a);
    let p = t.api(&w.rep_a, "GET", &format!("{path}?merged_id={dup}"), None).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let v = p.json();
    let field = |f: &str| v["fields"].as_array().unwrap().iter().find(|r| r["field"] == f).cloned().unwrap();
    assert_eq!(field("grade")["survivor"], "B");
    assert_eq!(field("grade")["merged"], "A");
    assert_eq!(field("grade")["default"], "survivor");
    assert_eq!(field("city")["default"], "merged", "only the duplicate holds it");
    assert!(v["fields"].as_array().unwrap().iter().all(|r| r["field"] != "bank_name"), "no field the rep may not see");
    assert_eq!(v["counts"]["moved"]["contacts"], 1);
    assert_eq!(v["counts"]["moved"]["ledger_entries"], 1);

    // Refusals: a colleague, finance, another team's account, a bad pick, no merged_id.
    assert_eq!(t.api(&w.rep_b, "GET", &format!("{path}?merged_id={dup}"), None).await.status, StatusCode::NOT_FOUND);
    let body = json!({"merged_id": dup});
    assert_eq!(t.api(&w.fin, "POST", &path, Some(body.clone())).await.status, StatusCode::FORBIDDEN);
    let r = t.api(&w.rep_a, "POST", &path, Some(json!({"merged_id": w.acc_c}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["merged_id"].is_string());
    let r = t.api(&w.rep_a, "POST", &path, Some(json!({"merged_id": dup, "picks": {"grade": "theirs"}}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["grade"].is_string());
    let r = t.api(&w.rep_a, "POST", &path, Some(json!({"merged_id": dup, "picks": {"bank_name": "merged"}}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a field the rep may not write");
    assert_eq!(t.api(&w.rep_a, "POST", &path, Some(json!({}))).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = t.api(&w.rep_a, "POST", &path, Some(json!({"merged_id": dup, "picks": {"grade": "merged"}}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["survivor"]["grade"], "A");
    assert_eq!(v["survivor"]["city"], "上海市");
    assert_eq!(v["survivor"]["phone"], "021-55550000");
    assert_eq!(v["survivor"]["name"], "甲客户有限公司");
    assert_eq!(v["counts"]["moved"]["contacts"], 1);

    // The old id points at the survivor; to others it is simply not found.
    let r = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{dup}"), None).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.json()["error"]["merged_into"], w.acc_a);
    assert_eq!(r.headers[header::LOCATION], format!("/api/v1/accounts/{}", w.acc_a).as_str());
    assert_eq!(t.api(&w.rep_c, "GET", &format!("/api/v1/accounts/{dup}"), None).await.status, StatusCode::NOT_FOUND);
    let c = t.api(&w.rep_a, "GET", &format!("/api/v1/contacts/{con}"), None).await.json();
    assert_eq!(c["accounts"][0]["account_id"], w.acc_a);
    // The survivor's ledger holds the invoice; the balance is the invoice's.
    let l = t.api(&w.fin, "GET", &format!("/api/v1/accounts/{}/ledger", w.acc_a), None).await;
    assert_eq!(l.status, StatusCode::OK, "{}", l.body);
    assert!(l.body.contains("100000"), "{}", l.body);
    // The history tells the merge.
    let h = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/history", w.acc_a), None).await.json();
    assert!(h["items"].as_array().unwrap().iter().any(|r| r["action"] == "merge" && r["entity_id"] == dup));
    // A replay is refused: the duplicate is gone.
    let r = t.api(&w.rep_a, "POST", &path, Some(json!({"merged_id": dup}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_merge_page_compares_and_merges(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let b = t.browser("pa", Role::Sales, Some("East")).await;
    let tok = t.store.create_token("pa", "test").await.unwrap();
    let mk = |name: &str, phone: &str| json!({"name": name, "phone": phone});
    let keep = t.api(&tok, "POST", "/api/v1/accounts", Some(mk("东方客户有限公司", "021-55550000"))).await.json()["id"]
        .as_i64()
        .unwrap();
    let dup = t.api(&tok, "POST", "/api/v1/accounts", Some(mk("东方客户有限公司（旧）", "021-55550001"))).await.json()
        ["id"]
        .as_i64()
        .unwrap();
    let show = t.get(&b, &format!("/accounts/{keep}")).await;
    assert!(show.body.contains(&format!("/accounts/{keep}/merge")), "the account offers the merge");
    let first = t.get(&b, &format!("/accounts/{keep}/merge")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains(&format!("?with={dup}")), "the similar name is suggested");
    let cmp = t.get(&b, &format!("/accounts/{keep}/merge?with={dup}")).await;
    assert_eq!(cmp.status, StatusCode::OK);
    assert!(cmp.body.contains("021-55550001") && cmp.body.contains("name=\"pick.phone\""), "{}", cmp.body);
    let unknown = t.get(&b, &format!("/accounts/{keep}/merge?with={}", w.acc_c)).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "another team's account is not offered");
    let r = t
        .post(&b, &format!("/accounts/{keep}/merge"), &[("merged_id", &dup.to_string()), ("pick.phone", "merged")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let a = t.api(&tok, "GET", &format!("/api/v1/accounts/{keep}"), None).await.json();
    assert_eq!(a["phone"], "021-55550001");
    // The old page leads to the survivor.
    let old = t.get(&b, &format!("/accounts/{dup}")).await;
    assert!(old.status.is_redirection());
    assert_eq!(old.headers[header::LOCATION], format!("/accounts/{keep}").as_str());
    // A colleague may not open the merge of an account they cannot see.
    let other = t.browser("pb", Role::Sales, Some("East")).await;
    assert_eq!(t.get(&other, &format!("/accounts/{keep}/merge")).await.status, StatusCode::NOT_FOUND);
}

/// Two cards of one person: the API's comparison hides personal fields from
/// who may not see them, the merge moves the tie, the old id answers 410 and
/// its page leads to the survivor; the page's two steps.
async fn contacts_are_merged_on_the_api_and_the_page(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let dup = json!({"name": "赵一（重复）", "mobile": "13900000091", "department": "采购部", "hobbies": "围棋"});
    let dup = t.api(&w.rep_a, "POST", &format!("/api/v1/accounts/{}/contacts", w.acc_a), Some(dup)).await.json()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/contacts/{}/merge", w.con_a);
    let r = t.api(&w.rep_a, "GET", &format!("{path}?merged_id={dup}"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p = r.json();
    let field = |f: &str| p["fields"].as_array().unwrap().iter().find(|r| r["field"] == f).cloned();
    assert_eq!(field("department").unwrap()["default"], "merged", "only the duplicate holds it");
    assert_eq!(field("hobbies").unwrap()["pickable"], true, "the owner sees personal fields");
    // Another team's rep sees neither; finance merges nothing.
    assert_eq!(t.api(&w.rep_c, "GET", &format!("{path}?merged_id={dup}"), None).await.status, StatusCode::NOT_FOUND);
    let body = json!({"merged_id": dup, "picks": {"name": "survivor"}});
    assert_eq!(t.api(&w.fin, "POST", &path, Some(body.clone())).await.status, StatusCode::FORBIDDEN);
    let bad = json!({"merged_id": dup, "picks": {"name": "both"}});
    assert_eq!(t.api(&w.rep_a, "POST", &path, Some(bad)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = t.api(&w.rep_a, "POST", &path, Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let done = r.json();
    assert_eq!(done["survivor"]["name"], "赵一");
    assert_eq!(done["survivor"]["department"], "采购部");
    assert_eq!(done["survivor"]["hobbies"], "钓鱼", "unpicked: the survivor's own");
    let old = t.api(&w.rep_a, "GET", &format!("/api/v1/contacts/{dup}"), None).await;
    assert_eq!(old.status, StatusCode::GONE, "{}", old.body);
    assert_eq!(old.json()["error"]["merged_into"], w.con_a);
    // A replay finds the duplicate gone.
    assert_eq!(t.api(&w.rep_a, "POST", &path, Some(body)).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The page: offered on the contact, the duplicate suggested, compared, merged.
    let b = t.browser("pc", Role::Sales, Some("East")).await;
    let tok = t.store.create_token("pc", "test").await.unwrap();
    let acc = t.api(&tok, "POST", "/api/v1/accounts", Some(json!({"name": "页面合并客户"}))).await.json()["id"]
        .as_i64()
        .unwrap();
    let mk = |name: &str, phone: &str| json!({"name": name, "mobile": phone});
    let keep =
        t.api(&tok, "POST", &format!("/api/v1/accounts/{acc}/contacts"), Some(mk("李四", "13900000081"))).await.json()
            ["id"]
            .as_i64()
            .unwrap();
    let gone =
        t.api(&tok, "POST", &format!("/api/v1/accounts/{acc}/contacts"), Some(mk("李四", "13900000082"))).await.json()
            ["id"]
            .as_i64()
            .unwrap();
    let show = t.get(&b, &format!("/contacts/{keep}")).await;
    assert!(show.body.contains(&format!("/contacts/{keep}/merge")), "the contact offers the merge");
    let first = t.get(&b, &format!("/contacts/{keep}/merge")).await;
    assert!(first.body.contains(&format!("?with={gone}")), "the other contact of the account is suggested");
    let cmp = t.get(&b, &format!("/contacts/{keep}/merge?with={gone}")).await;
    assert!(cmp.body.contains("13900000082"), "{}", cmp.body);
    let r = t
        .post(&b, &format!("/contacts/{keep}/merge"), &[("merged_id", &gone.to_string()), ("pick.mobile", "merged")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = t.api(&tok, "GET", &format!("/api/v1/contacts/{keep}"), None).await.json();
    assert_eq!(c["mobile"], "13900000082");
    let old = t.get(&b, &format!("/contacts/{gone}")).await;
    assert_eq!(old.headers[header::LOCATION], format!("/contacts/{keep}").as_str());
}
