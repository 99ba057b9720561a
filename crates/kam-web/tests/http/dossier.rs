//! The account dossier over HTTP: one workbook holding only what the caller
//! may see, edited as a spreadsheet program would and uploaded back; the
//! diff names what changes, what is new and what is refused and why; only
//! the accepted part is written, in one transaction; stale and foreign
//! dossiers are refused.

use crate::support::*;
use calamine::Reader;

kam_store::on_both_engines!(a_dossier_goes_out_is_edited_and_part_of_it_comes_back,);

type Book = Vec<(String, Vec<Vec<String>>)>;

fn read(xlsx: &[u8]) -> Book {
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let rows =
                book.worksheet_range(&n).unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
            (n, rows)
        })
        .collect()
}

/// The workbook written again by another writer, every cell as text.
fn write(book: &Book) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in book {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                ws.write_string(r as u32, c as u16, v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn set(book: &mut Book, sheet: usize, row: usize, col: usize, v: &str) {
    let rows = &mut book[sheet].1;
    while rows.len() <= row {
        rows.push(Vec::new());
    }
    while rows[row].len() <= col {
        rows[row].push(String::new());
    }
    rows[row][col] = v.into();
}

/// The row of a profile field (by its code in column C).
fn field_row(book: &Book, code: &str) -> usize {
    book[0].1.iter().position(|r| r.get(2).map(String::as_str) == Some(code)).unwrap_or_else(|| panic!("{code}"))
}

fn multipart(bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "KAMDOSSIERBOUNDARY";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dossier.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn a_dossier_goes_out_is_edited_and_part_of_it_comes_back(s: Store) {
    let t = TestApp::new(s);
    let w = world(&t).await;
    let a = w.acc_a;
    let r = t
        .api(
            &w.fin,
            "POST",
            "/api/v1/ledger-entries",
            Some(json!({"account_id": a, "entry_date": "2026-11-02", "kind": "invoice", "amount": 120_000})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let exported = t.download(&w.rep_a, &format!("/api/v1/accounts/{a}/dossier.xlsx")).await;
    let mut book = read(&exported);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    for sheet in ["客户档案", "联系人", "拜访计划", "联系记录", "订单明细", "合同", "财务记录", "对账单"]
    {
        assert!(names.contains(&sheet), "{sheet} in {names:?}");
    }
    assert_eq!(book[0].1[1][1], a.to_string(), "the dossier names its account");
    assert_eq!(book[1].1[1][0], w.con_a.to_string());
    let ledger = book.iter().find(|(n, _)| n == "财务记录").unwrap();
    assert_eq!(ledger.1.len(), 2, "one entry: {:?}", ledger.1);
    // Service staff see no money: no ledger sheet in theirs; another team's rep gets none at all.
    let svc = read(&t.download(&w.service, &format!("/api/v1/accounts/{a}/dossier.xlsx")).await);
    assert!(svc.iter().any(|(n, _)| n == "联系人"), "service staff read the account's file");
    assert!(svc.iter().all(|(n, _)| n != "财务记录" && n != "对账单"), "no money for service");
    assert_eq!(
        t.api(&w.rep_c, "GET", &format!("/api/v1/accounts/{a}/dossier.xlsx"), None).await.status,
        StatusCode::NOT_FOUND
    );

    // Edited as a spreadsheet program would: a good change, a bad one, a finance field,
    // a contact's department, a new contact, and a cell of the read-only ledger.
    let phone = field_row(&book, "phone");
    set(&mut book, 0, phone, 1, "021-66668888");
    let email = field_row(&book, "email");
    set(&mut book, 0, email, 1, "不是邮箱");
    let limit = field_row(&book, "credit_limit");
    set(&mut book, 0, limit, 1, "999999");
    let dept = book[1].1[0].iter().position(|h| h == "部门").unwrap();
    set(&mut book, 1, 1, dept, "采购部");
    let name_col = book[1].1[0].iter().position(|h| h == "姓名").unwrap();
    let mobile_col = book[1].1[0].iter().position(|h| h == "手机").unwrap();
    set(&mut book, 1, 2, name_col, "新来的");
    set(&mut book, 1, 2, mobile_col, "13911112222");
    let ledger_at = book.iter().position(|(n, _)| n == "财务记录").unwrap();
    set(&mut book, ledger_at, 1, 0, "2026-01-01");
    let edited = write(&book);

    let (ct, body) = multipart(&edited);
    let r = t.raw(&w.rep_a, "POST", &format!("/api/v1/accounts/{a}/dossier"), &ct, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = r.json();
    let by_field = |f: &str| d["profile"].as_array().unwrap().iter().find(|c| c["field"] == f).cloned().unwrap();
    assert_eq!(by_field("phone")["after"], "021-66668888");
    assert!(by_field("phone").get("error").is_none(), "{d}");
    assert_eq!(by_field("email")["error"], "err.email");
    assert_eq!(by_field("credit_limit")["error"], "err.field_forbidden", "a rep does not set the credit limit");
    assert_eq!(d["contacts"][0]["id"], w.con_a);
    assert_eq!(d["contacts"][0]["changes"][0]["field"], "department");
    assert_eq!(d["new_contacts"][0]["values"]["name"], "新来的");
    assert_eq!(d["read_only"][0]["sheet"], "财务记录", "{d}");
    let account = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{a}"), None).await.json();
    assert!(account["phone"].is_null(), "a diff writes nothing");

    // Accept the phone, the department and the new contact; not the rest.
    let accepted = json!({
        "profile": [by_field("phone")],
        "contacts": [{"id": w.con_a, "field": "department", "before": "", "after": "采购部"}],
        "new_contacts": [d["new_contacts"][0]["values"]],
    });
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/accounts/{a}/dossier/apply"), Some(accepted.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json(), json!({"account_changed": true, "contacts_changed": 1, "contacts_created": 1}));
    let account = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{a}"), None).await.json();
    assert_eq!(account["phone"], "021-66668888");
    assert!(account["email"].is_null(), "what was not accepted stays");
    let contact = t.api(&w.rep_a, "GET", &format!("/api/v1/contacts/{}", w.con_a), None).await.json();
    assert_eq!(contact["department"], "采购部");
    let contacts = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{a}/contacts"), None).await.json();
    assert!(contacts.to_string().contains("新来的"), "{contacts}");
    let ledger = t.api(&w.fin, "GET", &format!("/api/v1/accounts/{a}/ledger"), None).await.json();
    assert_eq!(ledger["ledgers"][0]["entries"][0]["entry_date"], "2026-11-02", "the ledger is untouched");
    // The same acceptance again: the phone is no longer what the dossier showed.
    let r = t
        .api(
            &w.rep_a,
            "POST",
            &format!("/api/v1/accounts/{a}/dossier/apply"),
            Some(json!({"profile": accepted["profile"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("profile.phone"), "{}", r.body);
    // A bad value sent all the same is refused by the form's rules, and nothing is written.
    let bad = json!({"profile": [{"field": "email", "before": "", "after": "不是邮箱"}], "new_contacts": [{"name": "又一个"}]});
    let r = t.api(&w.rep_a, "POST", &format!("/api/v1/accounts/{a}/dossier/apply"), Some(bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let contacts = t.api(&w.rep_a, "GET", &format!("/api/v1/accounts/{a}/contacts"), None).await.json();
    assert!(!contacts.to_string().contains("又一个"), "all or nothing");
    // Another account's dossier, or another rep's account, is refused.
    let (ct, body) = multipart(&edited);
    let r = t.raw(&w.admin, "POST", &format!("/api/v1/accounts/{}/dossier", w.acc_c), &ct, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("KAM 客户编号不符"), "the file is refused as another account's: {}", r.body);
    let (ct, body) = multipart(&edited);
    let r = t.raw(&w.rep_c, "POST", &format!("/api/v1/accounts/{a}/dossier"), &ct, body).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.api(&w.rep_c, "POST", &format!("/api/v1/accounts/{a}/dossier/apply"), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
