//! Money: products, orders and the ledger by role, statements, contracts, credit and 附表五, warnings and reasons, the rates and currencies in force.

use crate::support::*;

kam_store::on_both_engines!(
    money_products_orders_and_ledger_by_role,
    statements_generate_answer_settle_print_and_export,
    contracts_with_amendments_and_attachments,
    credit_tab_override_and_form_five,
    a_payment_beyond_the_balance_warns_and_a_reversal_says_why,
    a_statement_of_a_month_under_way_is_marked_provisional,
    statements_carry_the_issuer_open_items_and_one_sign,
    inputs_offer_the_rates_currencies_and_limits_in_force,
);

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
    let h = t.store.account_history(kam_core::AccountId(w.acc_a)).await.unwrap();
    assert!(h.iter().any(|r| r.entity == "statement" && r.action == "export"), "exports are audited");
    // The pages: list with the generate action for finance, the ledger tab lists statements.
    let list = t.get(&fin, "/statements?period=2026-10").await;
    assert!(list.body.contains("生成全部客户对账单") && list.body.contains("甲客户有限公司"));
    assert_eq!(t.post(&fin, "/statements/generate", &[("period", "2026-10")]).await.status, StatusCode::SEE_OTHER);
    let tab = t.get(&fin, &format!("/accounts/{}?tab=ledger", w.acc_a)).await;
    assert!(tab.body.contains(&format!("/statements/{sid}")));
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
