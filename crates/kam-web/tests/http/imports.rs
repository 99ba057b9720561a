//! Imports over HTTP: a messy workbook made by another writer, checked,
//! its refused rows downloaded with reasons, committed, undone; a GBK CSV of
//! contacts; other users' imports unseen; the page's upload.

use crate::support::*;
use calamine::Reader;

kam_store::on_both_engines!(
    a_messy_workbook_is_checked_committed_and_undone,
    a_gbk_csv_of_contacts_and_the_page,
    the_accounts_export_is_scoped_and_imports_back,
    a_ledger_sheet_of_opening_balances_is_finances,
    the_contacts_export_shows_what_the_api_shows_and_imports_back,
    a_saved_mapping_maps_the_next_file_of_the_same_shape,
    the_receivables_export_adds_up_to_the_ledger,
    the_orders_export_is_the_api_list_as_a_workbook,
    an_orders_workbook_imports_with_its_lines_and_round_trips,
    an_interactions_sheet_becomes_the_accounts_records,
    a_large_import_commits_in_the_background,
    a_visit_plan_sheet_fills_the_years_plan,
    target_and_score_sheets_import_and_undo,
    the_other_lists_export_within_scope,
);

/// multipart/form-data with a file part and text parts.
fn multipart(file_name: &str, bytes: &[u8], texts: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "KAMTESTBOUNDARY7d1f";
    let mut body = Vec::new();
    for (k, v) in texts {
        write!(body, "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").unwrap();
    }
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// What a customer keeps in Excel: a merged title, a blank row, header variants,
/// full-width digits, ¥ and separators, A类, an Excel date, a bad row.
fn messy_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 5, "2026年 大客户管理工作表", &Format::new()).unwrap();
    let headers = ["公司名称", "信用代码", "客户等级", "信用额度", "员工人数", "合作时间"];
    for (i, h) in headers.iter().enumerate() {
        ws.write_string(2, i as u16, *h).unwrap();
    }
    let code = |n: u32| {
        let first = format!("91330100MA{n:07}");
        format!("{first}{}", kam_core::credit_code::check_char(&first).unwrap())
    };
    ws.write_string(3, 0, "  杭州华东机械有限公司 ").unwrap();
    ws.write_string(3, 1, code(11)).unwrap();
    ws.write_string(3, 2, "A类").unwrap();
    ws.write_string(3, 3, "¥1,200,000.00").unwrap();
    ws.write_string(3, 4, "１２００").unwrap();
    ws.write_number(3, 5, 45988.0).unwrap();
    ws.write_string(4, 0, "坏数据公司").unwrap();
    ws.write_string(4, 1, "12345").unwrap();
    ws.write_string(4, 2, "特级").unwrap();
    ws.write_string(5, 0, "宁波第二公司").unwrap();
    ws.write_string(5, 2, "B 类").unwrap();
    wb.save_to_buffer().unwrap()
}

async fn a_messy_workbook_is_checked_committed_and_undone(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let before = t.api(&w.admin, "GET", "/api/v1/accounts?per_page=1", None).await.json()["total"].as_i64().unwrap();
    let (ct, body) = multipart("客户管理工作表.xlsx", &messy_workbook(), &[("kind", "accounts")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    let id = imp["id"].as_i64().unwrap();
    // Two rows refused: the second by its cells, the first because a rep may not set the credit limit.
    assert_eq!((imp["total_rows"].as_i64(), imp["bad_rows"].as_i64()), (Some(3), Some(2)));
    let fields: Vec<&str> =
        imp["columns"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap_or("")).collect();
    assert_eq!(fields, vec!["name", "credit_code", "grade", "credit_limit", "staff_count", "cooperation_since"]);
    assert_eq!(imp["rows"][0]["row"], 4, "rows are numbered as the sheet shows them");
    assert_eq!(imp["rows"][0]["values"]["grade"], "A");
    assert_eq!(imp["rows"][0]["values"]["cooperation_since"], "2025-11-27");
    let bad: Vec<&str> =
        imp["rows"][1]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(bad, vec!["credit_code", "grade"]);
    assert_eq!(
        t.api(&w.admin, "GET", "/api/v1/accounts?per_page=1", None).await.json()["total"].as_i64().unwrap(),
        before,
        "the check writes no account"
    );
    // A rep may not set the credit limit (finance's field): refused cell by cell, as on the form.
    assert!(imp["rows"][0]["errors"].as_array().unwrap().iter().any(|e| e["field"] == "credit_limit"));

    // The refused rows come back as a workbook with the reason, in the user's language.
    let xlsx = t.download(&w.rep_a, &format!("/api/v1/imports/{id}/errors.xlsx")).await;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 3, "the header and the two refused rows: {rows:?}");
    assert_eq!(rows[0].last().unwrap(), "原因");
    assert!(rows[2].last().unwrap().contains("客户等级"), "{rows:?}");

    // Others' imports are not theirs to see, commit or undo.
    assert_eq!(t.api(&w.rep_b, "GET", &format!("/api/v1/imports/{id}"), None).await.status, StatusCode::NOT_FOUND);
    // The rows hold the file's cells as written: auditors and managers do not read another's import; admin does.
    assert_eq!(t.api(&w.auditor, "GET", &format!("/api/v1/imports/{id}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.api(&w.m_east, "GET", &format!("/api/v1/imports/{id}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.api(&w.admin, "GET", &format!("/api/v1/imports/{id}"), None).await.status, StatusCode::OK);
    assert_eq!(
        t.api(&w.rep_b, "POST", &format!("/api/v1/imports/{id}/commit"), None).await.status,
        StatusCode::NOT_FOUND
    );
    let bad_choice =
        t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/commit"), Some(json!({"on_duplicate": "merge"}))).await;
    assert_eq!(bad_choice.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r =
        t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/commit"), Some(json!({"on_duplicate": "skip"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["counts"], json!({"created": 1, "updated": 0, "skipped": 0, "refused": 2}));
    let named = |list: Value, name: &str| list["items"].as_array().unwrap().iter().find(|a| a["name"] == name).cloned();
    let mine = t.api(&w.rep_a, "GET", "/api/v1/accounts?per_page=200", None).await.json();
    assert_eq!(named(mine, "宁波第二公司").expect("imported")["grade"], "B");
    // A replay commits nothing twice.
    assert_eq!(
        t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/commit"), None).await.status,
        StatusCode::CONFLICT
    );
    let listed = t.api(&w.rep_a, "GET", "/api/v1/imports", None).await.json();
    assert_eq!(listed["items"][0]["status"], "committed");
    assert_eq!(listed["items"][0]["sha256"].as_str().unwrap().len(), 64);

    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/undo"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "undone");
    let mine = t.api(&w.rep_a, "GET", "/api/v1/accounts?per_page=200", None).await.json();
    assert!(named(mine, "宁波第二公司").is_none(), "archived by the undo");

    // Not a workbook; a missing kind: clear field errors.
    let (ct, body) = multipart("x.xlsx", b"PK\x03\x04garbage", &[("kind", "accounts")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["file"].as_str().unwrap().contains("无法读取"), "{}", r.body);
    let (ct, body) = multipart("x.csv", "公司名称,电话\nA,1\n".as_bytes(), &[]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert!(r.json()["error"]["fields"]["kind"].is_string(), "{}", r.body);
    // Service staff import nothing.
    let (ct, body) = multipart("x.csv", "公司名称,电话\nA公司,1\n".as_bytes(), &[("kind", "accounts")]);
    assert_eq!(t.raw(&w.service, "POST", "/api/v1/imports", &ct, body).await.status, StatusCode::FORBIDDEN);
}

async fn a_gbk_csv_of_contacts_and_the_page(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let acc = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}", w.acc_a), None).await.json();
    let name = acc["name"].as_str().unwrap().to_string();
    let csv =
        format!("所属客户,姓名,手机,职务\n{name},周经理,138 0000 1111,采购部经理\n不存在的公司,吴工,13900002222,\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    let (ct, body) = multipart("联系人.csv", &gbk, &[("kind", "contacts")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    assert_eq!(imp["rows"][0]["account_id"], w.acc_a);
    assert_eq!(imp["rows"][1]["errors"][0]["message"], "err.import_account_unknown");
    let id = imp["id"].as_i64().unwrap();
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/commit"), None).await;
    assert_eq!(r.json()["counts"]["created"], 1, "{}", r.body);
    let people = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/contacts", w.acc_a), None).await.json();
    let zhou = people["items"].as_array().unwrap().iter().find(|c| c["name"] == "周经理").expect("imported");
    assert_eq!(zhou["mobile"], "13800001111", "the phone as the form keeps it");

    // The page: the form, the upload (multipart, with the form's CSRF token), the check with its reasons, the commit.
    let b = t.browser("imp_rep", Role::Sales, Some("East")).await;
    let page = t.get(&b, "/imports").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let csv = "客户管理表\n\n企业名称,客户等级,邮箱\n页面导入公司,A 类,ok@example.cn\n页面坏行,Z,bad\n";
    let (ct, body) = multipart("页面.csv", csv.as_bytes(), &[("_csrf", &b.csrf), ("kind", "accounts")]);
    let req = Request::post("/imports")
        .header(header::COOKIE, format!("kam_session={}", b.cookie))
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let r = t.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.headers[header::LOCATION].to_str().unwrap().split('?').next().unwrap().to_string();
    let detail = t.get(&b, &at).await;
    assert!(detail.body.contains("已检查") && detail.body.contains("客户等级"), "{}", detail.body);
    assert!(detail.body.contains("errors.xlsx"), "the refused rows can be downloaded");
    let r = t.post(&b, &format!("{at}/commit"), &[("on_duplicate", "skip")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let detail = t.get(&b, &at).await;
    assert!(detail.body.contains("已提交") && detail.body.contains("新建 1"), "{}", detail.body);
    let other = t.browser("imp_other", Role::Sales, Some("East")).await;
    assert_eq!(t.get(&other, &at).await.status, StatusCode::NOT_FOUND);
    // A forged upload without the form's token is refused.
    let (ct, body) = multipart("x.csv", csv.as_bytes(), &[("kind", "accounts")]);
    let req = Request::post("/imports")
        .header(header::COOKIE, format!("kam_session={}", b.cookie))
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    assert_ne!(t.send(req).await.status, StatusCode::SEE_OTHER);
}

fn sheet_rows(xlsx: Vec<u8>) -> Vec<Vec<String>> {
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let name = book.sheet_names()[0].clone();
    book.worksheet_range(&name).unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

async fn the_accounts_export_is_scoped_and_imports_back(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    // A rep's export holds their accounts only, as many as their list says.
    let listed = t.api(&w.rep_a, "GET", "/api/v1/accounts?per_page=200", None).await.json();
    let rows = sheet_rows(t.download(&w.rep_a, "/api/v1/accounts.xlsx").await);
    assert_eq!(rows.len() as i64 - 1, listed["total"].as_i64().unwrap(), "{rows:?}");
    let all = sheet_rows(t.download(&w.admin, "/api/v1/accounts.xlsx").await);
    assert!(all.len() > rows.len(), "admin sees more");
    // No field the viewer may not see: service staff do not see money.
    let header = &sheet_rows(t.download(&w.service, "/api/v1/accounts.xlsx").await)[0];
    assert!(header.contains(&"企业名称".to_string()));
    assert!(!header.contains(&"信用额度".to_string()), "{header:?}");
    assert!(all[0].contains(&"信用额度".to_string()), "finance fields for admin");
    // Filters apply: grade=Z finds nothing.
    assert_eq!(sheet_rows(t.download(&w.admin, "/api/v1/accounts.xlsx?grade=Z").await).len(), 1);
    // The export imports back as it is: every row a stored duplicate, none refused.
    let xlsx = t.download(&w.rep_a, "/api/v1/accounts.xlsx").await;
    let (ct, body) = multipart("客户.xlsx", &xlsx, &[("kind", "accounts")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    assert_eq!(imp["bad_rows"], 0, "{imp}");
    assert_eq!(imp["duplicate_rows"], imp["total_rows"]);
    // The page's link carries the filters, and the page's export answers the workbook.
    let b = t.browser("exp_rep", Role::Sales, Some("East")).await;
    let page = t.get(&b, "/accounts?grade=A").await;
    assert!(page.body.contains("/accounts.xlsx?grade=A"), "the export link keeps the filter");
    let r = t.get(&b, "/accounts.xlsx?grade=A").await;
    assert_eq!(r.status, StatusCode::OK);
    // Every export leaves an audit row: by whom, of what.
    let admin = t.store.user_by_username("adm").await.unwrap().unwrap().actor();
    let exports = t.store.entity_history(&admin, "accounts", 0).await.unwrap();
    let exp_rep = t.store.user_by_username("exp_rep").await.unwrap().unwrap().id;
    assert!(exports.iter().all(|h| h.action == "export"));
    assert!(exports.iter().any(|h| h.actor_id == Some(exp_rep)), "the page's export is audited");
    assert_eq!(exports.len(), 6, "the five API exports above and the page's");
}

/// A cashier's sheet of opening balances and payments, the way it is kept:
/// a title, 客户名称 / 日期 (Excel dates) / 摘要类型 in the sheet's own words
/// (期初, 回款) / 金额 with ¥ and separators; finance's only; undone by reversal.
async fn a_ledger_sheet_of_opening_balances_is_finances(s: Store) {
    use rust_xlsxwriter::{Format, Workbook};
    let t = TestApp::new(s);
    let w = world(&t).await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 4, "2026 年期初余额", &Format::new()).unwrap();
    for (i, h) in ["客户名称", "日期", "类型", "金额", "凭证号"].iter().enumerate() {
        ws.write_string(1, i as u16, *h).unwrap();
    }
    ws.write_string(2, 0, "甲客户有限公司").unwrap();
    ws.write_number(2, 1, 46023.0).unwrap(); // 2026-01-01
    ws.write_string(2, 2, "期初").unwrap();
    ws.write_string(2, 3, "¥30,000.00").unwrap();
    ws.write_string(3, 0, "甲客户有限公司").unwrap();
    ws.write_string(3, 1, "2026/02/10").unwrap();
    ws.write_string(3, 2, "回款").unwrap();
    ws.write_number(3, 3, 5000.0).unwrap();
    ws.write_string(3, 4, "记-0210").unwrap();
    ws.write_string(4, 0, "乙客户有限公司").unwrap();
    ws.write_string(4, 1, "2026-02-30").unwrap();
    ws.write_string(4, 2, "期初").unwrap();
    ws.write_string(4, 3, "100").unwrap();
    let xlsx = wb.save_to_buffer().unwrap();
    // A rep may not post to the ledger, so may not import it.
    let (ct, body) = multipart("期初余额.xlsx", &xlsx, &[("kind", "ledger")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let (ct, body) = multipart("期初余额.xlsx", &xlsx, &[("kind", "ledger")]);
    let r = t.raw(&w.fin, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    let fields: Vec<&str> =
        imp["columns"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap_or("")).collect();
    assert_eq!(fields, vec!["account", "entry_date", "kind", "amount", "voucher_no"]);
    assert_eq!(imp["rows"][0]["values"]["kind"], "opening_balance");
    assert_eq!(imp["rows"][0]["values"]["entry_date"], "2026-01-01");
    assert_eq!(imp["rows"][1]["values"]["kind"], "payment");
    assert_eq!(imp["rows"][2]["errors"][0]["field"], "entry_date", "no 30 February: {imp}");
    let id = imp["id"].as_i64().unwrap();
    let r = t.api(&w.fin, "POST", &format!("/api/v1/imports/{id}/commit"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["counts"]["created"], 2);
    let ledger = t.api(&w.fin, "GET", &format!("/api/v1/accounts/{}/ledger", w.acc_a), None).await.json();
    assert_eq!(ledger["ledgers"][0]["balance"], 2_500_000, "30,000.00 − 5,000.00 in 分: {ledger}");
    // Recomputed by hand from the raw entries.
    let sum: i64 =
        ledger["ledgers"][0]["entries"].as_array().unwrap().iter().map(|e| e["amount"].as_i64().unwrap()).sum();
    assert_eq!(sum, 2_500_000);
    let r = t.api(&w.fin, "POST", &format!("/api/v1/imports/{id}/undo"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ledger = t.api(&w.fin, "GET", &format!("/api/v1/accounts/{}/ledger", w.acc_a), None).await.json();
    assert_eq!(ledger["ledgers"][0]["balance"], 0);
    assert_eq!(ledger["ledgers"][0]["entries"].as_array().unwrap().len(), 4, "the ledger keeps every entry");
}

/// The contacts export holds, for each viewer, exactly the contacts and the
/// personal fields the API shows them; a rep's export imports back as duplicates.
async fn the_contacts_export_shows_what_the_api_shows_and_imports_back(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    for (who, token) in [("rep_a", &w.rep_a), ("m_east", &w.m_east), ("svc", &w.service), ("adm", &w.admin)] {
        let listed = t.api(token, "GET", "/api/v1/contacts?per_page=200", None).await.json();
        let api: std::collections::BTreeMap<String, String> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap().to_string(), c["birth_date"].as_str().unwrap_or("").to_string()))
            .collect();
        let rows = sheet_rows(t.download(token, "/api/v1/contacts.xlsx").await);
        let header = &rows[0];
        let col = |label: &str| header.iter().position(|h| h == label);
        let name = col("姓名").expect("a name column");
        let sheet: std::collections::BTreeMap<String, String> = rows[1..]
            .iter()
            .map(|r| (r[name].clone(), col("出生年月").map(|c| r[c].clone()).unwrap_or_default()))
            .collect();
        assert_eq!(sheet, api, "{who}: the export shows what the API shows");
        assert!(col("所属客户").is_some(), "{who}: {header:?}");
    }
    let xlsx = t.download(&w.rep_a, "/api/v1/contacts.xlsx").await;
    let (ct, body) = multipart("联系人.xlsx", &xlsx, &[("kind", "contacts")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    assert_eq!(imp["bad_rows"], 0, "{imp}");
    assert_eq!(imp["duplicate_rows"], imp["total_rows"], "{imp}");
    // The page's export answers the workbook too.
    let b = t.browser("exp_con", Role::Sales, Some("East")).await;
    assert!(t.get(&b, "/contacts").await.body.contains("/contacts.xlsx?buying_role="));
    assert_eq!(t.get(&b, "/contacts.xlsx").await.status, StatusCode::OK);
}

/// Headers no automatic match knows, mapped once by index and saved by name:
/// the next file, its columns in another order, maps itself by the name.
async fn a_saved_mapping_maps_the_next_file_of_the_same_shape(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let csv = "甲方全称,分级,内部编号\n模板甲公司,A,7\n";
    let (ct, body) =
        multipart("a.csv", csv.as_bytes(), &[("kind", "accounts"), ("mapping", r#"{"0":"name","1":"grade","2":""}"#)]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/mapping"), Some(json!({"name": "甲方名单"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let listed = t.api(&w.rep_b, "GET", "/api/v1/import-mappings", None).await.json();
    assert_eq!(listed["items"][0]["name"], "甲方名单", "company-wide: {listed}");
    let csv = "内部编号,甲方全称,分级\n8,模板乙公司,B\n";
    let (ct, body) = multipart("b.csv", csv.as_bytes(), &[("kind", "accounts"), ("mapping", "甲方名单")]);
    let r = t.raw(&w.rep_b, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    let fields: Vec<&str> =
        imp["columns"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap_or("")).collect();
    assert_eq!(fields, vec!["", "name", "grade"]);
    assert_eq!(imp["rows"][0]["values"]["name"], "模板乙公司");
    let (ct, body) = multipart("b.csv", csv.as_bytes(), &[("kind", "accounts"), ("mapping", "没有这个")]);
    let r = t.raw(&w.rep_b, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["mapping"].is_string(), "{}", r.body);
}

/// The receivables workbook: finance's and the reps' (their accounts), not
/// service staff's; its balances are the API's, and add up to the entries.
async fn the_receivables_export_adds_up_to_the_ledger(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    for (account, kind, amount, date) in [
        (w.acc_a, "invoice", 120_050, "2026-10-01"),
        (w.acc_a, "payment", 20_000, "2026-10-20"),
        (w.acc_c, "invoice", 9_900, "2026-11-01"),
    ] {
        let body = json!({"account_id": account, "kind": kind, "amount": amount, "entry_date": date});
        let r = t.api(&w.fin, "POST", "/api/v1/ledger-entries", Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let rows = sheet_rows(t.download(&w.fin, "/api/v1/receivables.xlsx?as_of=2026-11-28").await);
    let balance_col = rows[0].iter().position(|h| h == "余额").unwrap_or(3);
    let total: f64 = rows[1..].iter().map(|r| r[balance_col].parse::<f64>().unwrap()).sum();
    assert!((total - 1099.50).abs() < 0.001, "1,200.50 − 200 + 99: {rows:?}");
    // A rep's workbook holds their account only.
    let mine = sheet_rows(t.download(&w.rep_a, "/api/v1/receivables.xlsx?as_of=2026-11-28").await);
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(mine[1][0], "甲客户有限公司");
    let r = t.api(&w.service, "GET", "/api/v1/receivables.xlsx", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.api(&w.fin, "GET", "/api/v1/receivables.xlsx?as_of=2026-02-30", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The orders workbook is the API's list: the caller's orders, their totals
/// as money, none of another team's; the filter applies.
async fn the_orders_export_is_the_api_list_as_a_workbook(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let prod = json!({"code": "P-9", "name": "工业包装膜", "unit": "Kg", "list_price": 1130});
    let pid = t.api(&w.fin, "POST", "/api/v1/products", Some(prod)).await.json()["id"].as_i64().unwrap();
    for (who, account, qty) in [(&w.rep_a, w.acc_a, "300"), (&w.rep_a, w.acc_a, "10"), (&w.rep_c, w.acc_c, "5")] {
        let body =
            json!({"account_id": account, "order_date": "2026-11-02", "lines": [{"product_id": pid, "quantity": qty}]});
        let r = t.api(who, "POST", "/api/v1/orders", Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let listed = t.api(&w.rep_a, "GET", "/api/v1/orders?per_page=200", None).await.json();
    let rows = sheet_rows(t.download(&w.rep_a, "/api/v1/orders.xlsx").await);
    assert_eq!(rows.len() - 1, listed["items"].as_array().unwrap().len(), "{rows:?}");
    assert!(rows[1..].iter().all(|r| r[1] == "甲客户有限公司"), "no other team's order: {rows:?}");
    let total_col = rows[0].iter().position(|h| h == "含税合计").unwrap_or(7);
    let sheet_total: f64 = rows[1..].iter().map(|r| r[total_col].parse::<f64>().unwrap()).sum();
    let api_total: i64 =
        listed["items"].as_array().unwrap().iter().map(|o| o["total_with_tax"].as_i64().unwrap()).sum();
    assert!((sheet_total * 100.0 - api_total as f64).abs() < 0.5, "{sheet_total} vs {api_total}");
    assert_eq!(sheet_rows(t.download(&w.admin, "/api/v1/orders.xlsx").await).len(), 4);
    assert_eq!(sheet_rows(t.download(&w.admin, "/api/v1/orders.xlsx?status=cancelled").await).len(), 1);
    let r = t.api(&w.admin, "GET", "/api/v1/orders.xlsx?status=lost", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A year of orders from another writer's workbook (a merged title, order
/// cells blank on later lines, full-width digits, ¥, Excel dates, Chinese
/// statuses): rows of one order number become one order with its lines; the
/// orders export's lines sheet imports back into the same orders.
async fn an_orders_workbook_imports_with_its_lines_and_round_trips(s: Store) {
    use rust_xlsxwriter::{Format, Workbook};
    let t = TestApp::new(s);
    let w = world(&t).await;
    let prod = json!({"code": "P-9", "name": "工业包装膜", "unit": "Kg", "list_price": 1130});
    let r = t.api(&w.fin, "POST", "/api/v1/products", Some(prod)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 6, "2026 年销售记录", &Format::new()).unwrap();
    for (i, h) in ["客户名称", "订单号", "日期", "产品编码", "数量", "单价", "状态"].iter().enumerate()
    {
        ws.write_string(1, i as u16, *h).unwrap();
    }
    ws.write_string(2, 0, "甲客户有限公司").unwrap();
    ws.write_string(2, 1, "A-100").unwrap();
    ws.write_number(2, 2, 46023.0).unwrap(); // 2026-01-01
    ws.write_string(2, 3, "P-9").unwrap();
    ws.write_number(2, 4, 10.0).unwrap();
    ws.write_string(2, 5, "¥11.00").unwrap();
    ws.write_string(3, 0, "甲客户有限公司").unwrap();
    ws.write_string(3, 1, "A-100").unwrap();
    ws.write_string(3, 3, "工业包装膜").unwrap();
    ws.write_string(3, 4, "1,000").unwrap();
    ws.write_string(3, 5, "11").unwrap();
    ws.write_string(4, 0, "甲客户有限公司").unwrap();
    ws.write_string(4, 1, "A-101").unwrap();
    ws.write_string(4, 2, "2026/02/10").unwrap();
    ws.write_string(4, 3, "P-9").unwrap();
    ws.write_string(4, 4, "５").unwrap();
    ws.write_string(4, 6, "已发货").unwrap();
    let xlsx = wb.save_to_buffer().unwrap();
    // Finance does not place orders, so does not import them.
    let (ct, body) = multipart("销售记录.xlsx", &xlsx, &[("kind", "orders")]);
    assert_eq!(t.raw(&w.fin, "POST", "/api/v1/imports", &ct, body).await.status, StatusCode::FORBIDDEN);
    let (ct, body) = multipart("销售记录.xlsx", &xlsx, &[("kind", "orders")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    let fields: Vec<&str> =
        imp["columns"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap_or("")).collect();
    assert_eq!(fields, vec!["account", "external_no", "order_date", "product", "quantity", "unit_price", "status"]);
    assert_eq!(imp["bad_rows"], 0, "{imp}");
    assert_eq!(imp["rows"][1]["line_of"], 3, "the second line belongs to row 3's order");
    assert_eq!(imp["rows"][2]["values"]["status"], "shipped");
    assert_eq!(imp["rows"][2]["values"]["quantity"], "5");
    let id = imp["id"].as_i64().unwrap();
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/commit"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["counts"]["created"], 2);
    let path = format!("/api/v1/orders?account_id={}&per_page=50", w.acc_a);
    let orders = async || t.api(&w.rep_a, "GET", &path, None).await.json()["items"].as_array().unwrap().clone();
    let first = orders().await;
    let mut summary: Vec<(String, String, i64)> = first
        .iter()
        .map(|o| {
            (
                o["external_no"].as_str().unwrap().to_string(),
                o["status"].as_str().unwrap().to_string(),
                o["total_with_tax"].as_i64().unwrap(),
            )
        })
        .collect();
    summary.sort();
    // 10 × ¥11.00 + 1,000 × ¥11.00 = ¥11,110.00; 5 × the list price ¥11.30 = ¥56.50.
    assert_eq!(
        summary,
        vec![("A-100".into(), "delivered".into(), 1_111_000), ("A-101".into(), "shipped".into(), 5_650)]
    );
    let ledger = t.api(&w.fin, "GET", &format!("/api/v1/accounts/{}/ledger", w.acc_a), None).await.json();
    assert!(
        ledger["ledgers"].as_array().is_none_or(|l| l.iter().all(|l| l["balance"] == 0)),
        "nothing posted: {ledger}"
    );

    // The export's lines sheet, in the import's shape.
    let exported = t.download(&w.rep_a, "/api/v1/orders.xlsx").await;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(exported.clone())).unwrap();
    assert_eq!(book.sheet_names(), vec!["销售订单".to_string(), "订单明细".to_string()]);
    let lines: Vec<Vec<String>> =
        book.worksheet_range("订单明细").unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(lines.len(), 4, "a header and three lines: {lines:?}");
    // Imported back as it is: every order a duplicate of itself.
    let (ct, body) = multipart("orders.xlsx", &exported, &[("kind", "orders"), ("sheet", "订单明细")]);
    let again = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await.json();
    assert_eq!((again["bad_rows"].as_i64(), again["duplicate_rows"].as_i64()), (Some(0), Some(3)), "{again}");
    // Undone, then loaded from the export: the same orders again.
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/undo"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(orders().await.is_empty());
    let (ct, body) = multipart("orders.xlsx", &exported, &[("kind", "orders"), ("sheet", "订单明细")]);
    let back = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await.json();
    assert_eq!(back["duplicate_rows"], 0, "{back}");
    let bid = back["id"].as_i64().unwrap();
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{bid}/commit"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = orders().await;
    let shape = |list: &[serde_json::Value]| {
        let mut v: Vec<(String, String, String, i64, i64)> = list
            .iter()
            .map(|o| {
                let s = |k: &str| o[k].as_str().unwrap_or_default().to_string();
                (
                    s("order_date"),
                    s("status"),
                    s("currency"),
                    o["total_with_tax"].as_i64().unwrap(),
                    o["tax"].as_i64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(shape(&again), shape(&first), "the round trip gives the same orders");
}

/// 联系记录 kept in Excel: date-time cells, Chinese channel words, a header
/// below a title; each row becomes an interaction of the account it names.
async fn an_interactions_sheet_becomes_the_accounts_records(s: Store) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let t = TestApp::new(s);
    let w = world(&t).await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "客户联系记录表").unwrap();
    for (i, h) in ["客户名称", "联系时间", "联系方式", "主题", "内容"].iter().enumerate() {
        ws.write_string(2, i as u16, *h).unwrap();
    }
    let when = ExcelDateTime::parse_from_str("2026-11-10 09:30:00").unwrap();
    let fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    ws.write_string(3, 0, "甲客户有限公司").unwrap();
    ws.write_datetime_with_format(3, 1, &when, &fmt).unwrap();
    ws.write_string(3, 2, "电话").unwrap();
    ws.write_string(3, 3, "确认年度框架合同").unwrap();
    ws.write_string(3, 4, "客户同意下周签字").unwrap();
    ws.write_string(4, 0, "甲客户有限公司").unwrap();
    ws.write_string(4, 1, "2026/11/12 14:00").unwrap();
    ws.write_string(4, 2, "拜访").unwrap();
    ws.write_string(4, 3, "现场考察").unwrap();
    let xlsx = wb.save_to_buffer().unwrap();
    let (ct, body) = multipart("联系记录.xlsx", &xlsx, &[("kind", "interactions")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    assert_eq!(imp["bad_rows"], 0, "{imp}");
    assert_eq!(imp["rows"][0]["values"]["occurred_at"], "2026-11-10T09:30");
    assert_eq!(imp["rows"][1]["values"]["occurred_at"], "2026-11-12T14:00");
    let id = imp["id"].as_i64().unwrap();
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/commit"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/interactions", w.acc_a), None).await.json();
    let subjects: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|i| i["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, vec!["现场考察", "确认年度框架合同"], "newest first: {list}");
    // Another team's rep cannot put records on this account.
    let (ct, body) = multipart("联系记录.xlsx", &xlsx, &[("kind", "interactions")]);
    let theirs = t.raw(&w.rep_c, "POST", "/api/v1/imports", &ct, body).await.json();
    assert_eq!(theirs["bad_rows"], 2, "{theirs}");
    // The list's export is the import's shape: back in, every row is a duplicate of itself.
    let exported = t.download(&w.rep_a, "/api/v1/interactions.xlsx").await;
    let rows = sheet_rows(exported.clone());
    assert_eq!(rows.len(), 3, "a header and two records: {rows:?}");
    assert_eq!(rows[1][0], "甲客户有限公司");
    let (ct, body) = multipart("interactions.xlsx", &exported, &[("kind", "interactions")]);
    let back = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await.json();
    assert_eq!((back["bad_rows"].as_i64(), back["duplicate_rows"].as_i64()), (Some(0), Some(2)), "{back}");
    // Scoped: another team's export holds none of them.
    assert_eq!(sheet_rows(t.download(&w.rep_c, "/api/v1/interactions.xlsx").await).len(), 1);
    // The contracts export imports back as duplicates of themselves; undone, it makes them again.
    let c = json!({"account_id": w.acc_a, "contract_no": "HT-EXP-1", "contract_type": "sales", "title": "框架合同", "valid_from": "2026-01-01", "valid_to": "2026-12-31"});
    assert_eq!(t.api(&w.rep_a, "POST", "/api/v1/contracts", Some(c)).await.status, StatusCode::CREATED);
    let exported = t.download(&w.rep_a, "/api/v1/contracts.xlsx").await;
    let (ct, body) = multipart("合同.xlsx", &exported, &[("kind", "contracts")]);
    let back = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await.json();
    assert_eq!((back["bad_rows"].as_i64(), back["duplicate_rows"].as_i64()), (Some(0), Some(1)), "{back}");
    assert_eq!(back["rows"][0]["values"]["valid_to"], "2026-12-31");
}

/// A large file commits in the background: 202 at once, the import's
/// progress while it runs, then the committed counts.
async fn a_large_import_commits_in_the_background(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let n = kam_web::import::BACKGROUND_ROWS as usize + 5;
    let mut csv = String::from("公司名称,客户等级,电话\r\n");
    for i in 0..n {
        csv.push_str(&format!("后台导入公司{i:05},B,0571-{i:08}\r\n"));
    }
    let (ct, body) = multipart("大客户名单.csv", csv.as_bytes(), &[("kind", "accounts")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", &r.body[..r.body.len().min(300)]);
    let id = r.json()["id"].as_i64().unwrap();
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/commit"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", &r.body[..r.body.len().min(300)]);
    assert_eq!(r.json()["status"], "committing");
    assert_eq!(r.json()["progress"]["total"], n);
    // A second commit while it runs is refused.
    let again = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/commit"), Some(json!({}))).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", &again.body[..again.body.len().min(300)]);
    let mut status = String::new();
    for _ in 0..600 {
        let got = t.api(&w.rep_a, "GET", &format!("/api/v1/imports/{id}"), None).await.json();
        status = got["status"].as_str().unwrap_or_default().to_string();
        if status == "committed" {
            assert_eq!(got["counts"]["created"], n);
            break;
        }
        assert_eq!(status, "committing", "{}", got["progress"]);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "committed");
    let count = t.api(&w.rep_a, "GET", "/api/v1/accounts?per_page=1", None).await.json()["total"].as_i64().unwrap();
    assert_eq!(count, n as i64 + 1, "the rows and 甲客户");
}

/// 附表三 kept in Excel: a row per account, the year and a month per column;
/// the plan is the account's, shown on the API.
async fn a_visit_plan_sheet_fills_the_years_plan(s: Store) {
    use rust_xlsxwriter::Workbook;
    let t = TestApp::new(s);
    let w = world(&t).await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in ["客户名称", "年度", "1月", "2月", "3月"].iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "甲客户有限公司").unwrap();
    ws.write_number(1, 1, 2027.0).unwrap();
    ws.write_string(1, 2, "2027/1/15").unwrap();
    ws.write_number(1, 3, 46433.0).unwrap(); // 2027-02-15
    ws.write_string(1, 4, "2027年3月20日").unwrap();
    let xlsx = wb.save_to_buffer().unwrap();
    let (ct, body) = multipart("拜访计划.xlsx", &xlsx, &[("kind", "visit_plans")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    assert_eq!(imp["bad_rows"], 0, "{imp}");
    let id = imp["id"].as_i64().unwrap();
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/commit"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let plan = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/visit-plans/2027", w.acc_a), None).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let text = plan.body;
    for d in ["2027-01-15", "2027-02-15", "2027-03-20"] {
        assert!(text.contains(d), "{d} in {text}");
    }
}

/// A manager's target workbook (a title row, Chinese month headers, ¥ and
/// separators) and a rep's score sheet of 附表六 factors by their names.
async fn target_and_score_sheets_import_and_undo(s: Store) {
    use rust_xlsxwriter::{Format, Workbook};
    let t = TestApp::new(s);
    let w = world(&t).await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 13, "2027 年度销售目标（元）", &Format::new()).unwrap();
    let mut headers = vec!["业务员".to_string(), "年度".to_string()];
    headers.extend((1..=12).map(|m| format!("{m}月")));
    for (i, h) in headers.iter().enumerate() {
        ws.write_string(1, i as u16, h).unwrap();
    }
    for (r, who) in [(2, "rep_a"), (3, "rep_c")] {
        ws.write_string(r, 0, who).unwrap();
        ws.write_number(r, 1, 2027.0).unwrap();
        ws.write_string(r, 2, "¥１２,０００").unwrap();
        ws.write_number(r, 13, 5000.5).unwrap();
    }
    let xlsx = wb.save_to_buffer().unwrap();
    let (ct, body) = multipart("销售目标.xlsx", &xlsx, &[("kind", "targets")]);
    assert_eq!(t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await.status, StatusCode::FORBIDDEN);
    let (ct, body) = multipart("销售目标.xlsx", &xlsx, &[("kind", "targets")]);
    let r = t.raw(&w.m_east, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    assert_eq!(imp["rows"][0]["values"]["m01"], "12000", "{imp}");
    assert_eq!(imp["rows"][1]["errors"][0]["field"], "subject", "the South rep is not the East manager's: {imp}");
    let id = imp["id"].as_i64().unwrap();
    let r = t.api(&w.m_east, "POST", &format!("/api/v1/imports/{id}/commit"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = t.api(&w.m_east, "GET", "/api/v1/targets?level=rep&year=2027", None).await.json();
    let row = got["items"].as_array().unwrap().iter().find(|r| r["name"] == "rep_a").cloned().unwrap_or_default();
    assert_eq!((row["months"][0].as_i64(), row["months"][11].as_i64()), (Some(1_200_000), Some(500_050)), "{got}");
    let r = t.api(&w.m_east, "POST", &format!("/api/v1/imports/{id}/undo"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = t.api(&w.m_east, "GET", "/api/v1/targets?level=rep&year=2027", None).await.json();
    assert!(
        got["items"].as_array().unwrap().iter().all(|r| r["months"].as_array().unwrap().iter().all(|m| m.is_null()))
    );

    // Scores: 客户, 年度, 月份 and three factors by name.
    let csv = "客户名称,年度,月份,公司体制,客情,信用度\n甲客户有限公司,2026,10,4,3,2\n乙客户有限公司,2026,10,4,3,2\n";
    let (ct, body) = multipart("评分.csv", csv.as_bytes(), &[("kind", "capability")]);
    let r = t.raw(&w.rep_a, "POST", "/api/v1/imports", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let imp = r.json();
    assert_eq!(imp["rows"][0]["values"]["customer_relationship"], "3", "{imp}");
    assert_eq!(imp["rows"][1]["errors"][0]["field"], "account", "rep_b's account is not rep_a's to score: {imp}");
    let id = imp["id"].as_i64().unwrap();
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/imports/{id}/commit"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{}/capability/2026", w.acc_a), None).await.json();
    assert_eq!(got["year_total"], 9, "4 + 3 + 2: {got}");
}

/// Products, competitors, market activities, statements and work logs export
/// as the lists show them: the viewer's scope and fields, the list's filters,
/// each export audited.
async fn the_other_lists_export_within_scope(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    // Products: everyone reads the list; the price only where money is seen.
    let prod = json!({"code": "P-7", "name": "拉伸缠绕膜", "unit": "Kg", "list_price": 1250});
    assert_eq!(t.api(&w.fin, "POST", "/api/v1/products", Some(prod)).await.status, StatusCode::CREATED);
    let fin_rows = sheet_rows(t.download(&w.fin, "/api/v1/products.xlsx").await);
    assert!(fin_rows[0].contains(&"含税单价".to_string()), "{fin_rows:?}");
    assert!(
        fin_rows.iter().any(|r| r.contains(&"拉伸缠绕膜".to_string()) && r.contains(&"12.5".to_string())),
        "{fin_rows:?}"
    );
    let svc_rows = sheet_rows(t.download(&w.service, "/api/v1/products.xlsx").await);
    assert!(!svc_rows[0].contains(&"含税单价".to_string()), "no price for service: {:?}", svc_rows[0]);
    assert!(svc_rows.iter().all(|r| !r.contains(&"12.5".to_string())));

    // Competitors: the count of the viewer's accounts where each competes.
    let comp = t.api(&w.rep_a, "POST", "/api/v1/competitors", Some(json!({"name": "对手丙"}))).await.json();
    let pos = json!({"competitor_id": comp["id"], "share_pct": 30});
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/accounts/{}/competitors", w.acc_a), Some(pos)).await;
    assert!(r.status.is_success(), "{}", r.body);
    let count_of = |rows: &[Vec<String>]| rows.iter().find(|r| r.contains(&"对手丙".to_string())).map(|r| r[0].clone());
    assert_eq!(count_of(&sheet_rows(t.download(&w.rep_a, "/api/v1/competitors.xlsx").await)).as_deref(), Some("1"));
    assert_eq!(count_of(&sheet_rows(t.download(&w.rep_c, "/api/v1/competitors.xlsx").await)).as_deref(), Some("0"));

    // Market activities, newest first, with the participants at the viewer's accounts.
    let ev = json!({"title": "华东用户大会", "kind": "seminar", "starts_on": "2026-10-18", "place": "杭州"});
    let r = t.api(&w.m_east, "POST", "/api/v1/market-activities", Some(ev)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let rows = sheet_rows(t.download(&w.m_east, "/api/v1/market-activities.xlsx").await);
    assert!(rows.iter().any(|r| r.contains(&"华东用户大会".to_string())), "{rows:?}");

    // Statements: finance's, the month's, the status filter; others see none.
    let r = t.api(&w.fin, "POST", "/api/v1/statements/generate", Some(json!({"period": "2026-10"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let listed = t.api(&w.fin, "GET", "/api/v1/statements?period=2026-10", None).await.json();
    let rows = sheet_rows(t.download(&w.fin, "/api/v1/statements.xlsx?period=2026-10").await);
    assert_eq!(rows.len() as i64 - 1, listed["total"].as_i64().unwrap(), "{rows:?}");
    assert_eq!(sheet_rows(t.download(&w.fin, "/api/v1/statements.xlsx?period=2026-10&status=sent").await).len(), 1);
    assert_eq!(t.api(&w.service, "GET", "/api/v1/statements.xlsx", None).await.status, StatusCode::NOT_FOUND);
    let r = t.api(&w.fin, "GET", "/api/v1/statements.xlsx?period=October", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["fields"]["period"].is_string());

    // Work logs: the author's, not another team's; the status filter applies.
    let log = json!({"log_date": "2026-11-27", "market_analysis": "需求回暖"});
    assert_eq!(t.api(&w.rep_a, "POST", "/api/v1/worklogs", Some(log)).await.status, StatusCode::CREATED);
    let mine = sheet_rows(t.download(&w.rep_a, "/api/v1/worklogs.xlsx").await);
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(mine[1][0], "2026-11-27");
    assert_eq!(sheet_rows(t.download(&w.rep_a, "/api/v1/worklogs.xlsx?status=approved").await).len(), 1);
    assert_eq!(
        sheet_rows(t.download(&w.rep_c, "/api/v1/worklogs.xlsx").await).len(),
        1,
        "another team's log is not there"
    );
    let r = t.api(&w.rep_a, "GET", "/api/v1/worklogs.xlsx?from=someday", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The pages link their exports with the filters, and answer them.
    let b = t.browser("exp_fin", Role::Finance, None).await;
    let page = t.get(&b, "/statements?period=2026-10").await;
    assert!(page.body.contains("/statements.xlsx?period=2026-10"), "the export link keeps the month");
    for path in [
        "/statements.xlsx?period=2026-10",
        "/products.xlsx",
        "/competitors.xlsx",
        "/market-activities.xlsx",
        "/worklogs.xlsx?status=draft",
    ] {
        let r = t.get(&b, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
    let rb = t.browser("exp_rep2", Role::Sales, Some("East")).await;
    assert!(t.get(&rb, "/worklogs?status=draft").await.body.contains("/worklogs.xlsx?status=draft"));
    let sb = t.browser("exp_svc", Role::Service, None).await;
    assert_eq!(t.get(&sb, "/statements.xlsx").await.status, StatusCode::NOT_FOUND, "service sees no statements");

    // Every export is audited, by whom and of what.
    let admin = t.store.user_by_username("adm").await.unwrap().unwrap().actor();
    let fin_id = t.store.user_by_username("exp_fin").await.unwrap().unwrap().id;
    for what in ["products", "competitors", "market-activities", "statements", "worklogs"] {
        let h = t.store.entity_history(&admin, what, 0).await.unwrap();
        assert!(h.iter().all(|r| r.action == "export"), "{what}");
        assert!(h.iter().any(|r| r.actor_id == Some(fin_id)), "{what}: the page's export is audited");
    }
}
