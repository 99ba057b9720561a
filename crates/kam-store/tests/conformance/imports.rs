//! Imports: checked without a write, committed all or nothing, undone while
//! nothing newer stands on them; on both engines.

use std::collections::BTreeMap;

use kam_core::credit_code::check_char;
use kam_core::import::{Column, ImportKind};
use kam_store::imports::{Duplicate, ImportInput, OnDuplicate};

use super::*;

/// A valid credit code ending in the serial `n`.
fn code(n: u32) -> String {
    let first = format!("91330100MA{n:07}");
    format!("{first}{}", check_char(&first).unwrap())
}

fn row(n: usize, cells: &[(&str, &str)]) -> (usize, BTreeMap<String, String>) {
    (n, cells.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn input(kind: ImportKind, rows: Vec<(usize, BTreeMap<String, String>)>) -> ImportInput {
    let fields: Vec<String> = rows.iter().flat_map(|(_, r)| r.keys().cloned()).collect();
    ImportInput {
        kind,
        file_name: "客户管理工作表.xlsx".into(),
        sha256: "ab".repeat(32),
        sheet: Some("Sheet1".into()),
        columns: fields.into_iter().map(|f| Column { header: f.clone(), field: Some(f) }).collect(),
        rows,
    }
}

async fn live_accounts(s: &Store, by: &Actor) -> i64 {
    s.count_accounts(by, &AccountFilter::default()).await.unwrap()
}

pub async fn imports_check_commit_all_or_nothing_and_undo(s: Store) {
    let w = world(&s).await;
    let taken = s
        .create_account(
            &w.rep2,
            AccountInput {
                rec: rec(&[("name", text("已有客户")), ("credit_code", text(&code(1)))]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let before = live_accounts(&s, &w.admin).await;

    // The check reads every row as the form would, and writes nothing but the import.
    let rows = vec![
        row(4, &[("name", "华东机械有限公司"), ("credit_code", &code(2)), ("grade", "A"), ("staff_count", "1200")]),
        row(5, &[("name", "坏行公司"), ("credit_code", "91330100MA0000002X"), ("email", "nope")]),
        row(6, &[("name", "华东机械（重复）"), ("credit_code", &code(2))]),
        row(7, &[("name", "另一个名字"), ("credit_code", &code(1))]),
        row(8, &[("name", "")]),
    ];
    let imp = s.check_import(&w.rep1, input(ImportKind::Accounts, rows)).await.unwrap();
    assert_eq!((imp.status.as_str(), imp.total_rows, imp.bad_rows, imp.duplicate_rows), ("checked", 5, 2, 2));
    let bad = &imp.rows[1];
    assert_eq!(bad.row, 5);
    let fields: Vec<&str> = bad.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["credit_code", "email"], "each bad cell with its reason");
    assert_eq!(imp.rows[4].errors[0].message, "err.required");
    assert_eq!(imp.rows[2].duplicate, Some(Duplicate::InFile { row: 4 }));
    // The existing account is named only to those who may see it: rep1 may not see rep2's.
    assert_eq!(imp.rows[3].duplicate, Some(Duplicate::Existing { id: taken.id.0, name: None }));
    assert_eq!(live_accounts(&s, &w.admin).await, before, "a check writes no record");
    // Another user's import is not theirs to see or commit.
    assert!(matches!(s.import(&w.rep2, imp.id).await, Err(StoreError::NotFound)));

    let done = s.commit_import(&w.rep1, imp.id, OnDuplicate::Skip).await.unwrap();
    let counts = done.counts.clone().unwrap();
    assert_eq!((counts.created, counts.updated, counts.skipped, counts.refused), (1, 0, 2, 2));
    assert_eq!(done.status, "committed");
    assert_eq!(live_accounts(&s, &w.admin).await, before + 1);
    let mine = s
        .list_accounts(&w.rep1, &AccountFilter { owner_id: Some(w.rep1.user_id), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 1, "the importer owns what they imported");
    assert_eq!(mine.items[0].rec.get("grade"), Some(&text("A")));
    assert_eq!(mine.items[0].rec.get("staff_count"), Some(&Value::Int(1200)));
    // A replayed commit makes nothing twice.
    assert!(matches!(s.commit_import(&w.rep1, imp.id, OnDuplicate::Skip).await, Err(StoreError::Conflict(_))));
    let created = mine.items[0].id;
    assert!(s.account_history(created).await.unwrap().iter().any(|h| h.action == "create"));

    // Something newer stands on the import: the undo is refused and says what.
    s.update_account(
        &w.rep1,
        created,
        AccountInput { rec: rec(&[("notes", text("导入后改过"))]), ..Default::default() },
    )
    .await
    .unwrap();
    let blockers = s.import_undo_blockers(&w.rep1, imp.id).await.unwrap();
    assert_eq!(blockers, vec![format!("account #{created} (update)")]);
    assert!(matches!(s.undo_import(&w.rep1, imp.id).await, Err(StoreError::Conflict("err.import_undo_blocked"))));
    assert_eq!(live_accounts(&s, &w.admin).await, before + 1, "a refused undo leaves everything");

    // A failure in the last row leaves nothing behind: its credit code is taken between check and commit.
    let rows = vec![
        row(2, &[("name", "第一行公司"), ("credit_code", &code(3))]),
        row(3, &[("name", "第二行公司"), ("credit_code", &code(4))]),
    ];
    let imp2 = s.check_import(&w.rep1, input(ImportKind::Accounts, rows)).await.unwrap();
    assert_eq!(imp2.bad_rows, 0);
    s.create_account(
        &w.rep3,
        AccountInput { rec: rec(&[("name", text("抢先")), ("credit_code", text(&code(4)))]), ..Default::default() },
    )
    .await
    .unwrap();
    let mid = live_accounts(&s, &w.admin).await;
    match s.commit_import(&w.rep1, imp2.id, OnDuplicate::Skip).await {
        Err(StoreError::Invalid(fe)) => assert!(fe.0.contains_key("rows.3.credit_code"), "{fe:?}"),
        other => panic!("expected the last row's error, got {other:?}"),
    }
    assert_eq!(live_accounts(&s, &w.admin).await, mid, "the first row is not left behind");
    assert_eq!(
        s.import(&w.rep1, imp2.id).await.unwrap().status,
        "checked",
        "and the import can be fixed and tried again"
    );

    // An undo with nothing newer: what it created is archived, in one audited action.
    let rows = vec![row(2, &[("name", "撤销公司甲")]), row(3, &[("name", "撤销公司乙")])];
    let imp3 = s.check_import(&w.rep1, input(ImportKind::Accounts, rows)).await.unwrap();
    s.commit_import(&w.rep1, imp3.id, OnDuplicate::Skip).await.unwrap();
    assert_eq!(live_accounts(&s, &w.admin).await, mid + 2);
    let undone = s.undo_import(&w.rep1, imp3.id).await.unwrap();
    assert_eq!(undone.status, "undone");
    assert_eq!(live_accounts(&s, &w.admin).await, mid);
    assert!(matches!(s.undo_import(&w.rep1, imp3.id).await, Err(StoreError::Conflict(_))), "once");

    // Service staff import nothing.
    let svc = testing::user(&s, "svc_imp", Role::Service, None).await;
    let svc = actor(&s, svc).await;
    assert!(matches!(
        s.check_import(&svc, input(ImportKind::Accounts, vec![row(2, &[("name", "x")])])).await,
        Err(StoreError::Forbidden(_))
    ));
}

pub async fn imports_update_duplicates_and_tie_contacts_to_accounts(s: Store) {
    let w = world(&s).await;
    let a = s
        .create_account(
            &w.rep1,
            AccountInput {
                rec: rec(&[
                    ("name", text("联系人客户")),
                    ("credit_code", text(&code(7))),
                    ("phone", text("0571-1111")),
                ]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Update: the filled cells overwrite, the blank ones leave the stored values; undo puts them back.
    let rows = vec![row(2, &[("name", "联系人客户"), ("credit_code", &code(7)), ("email", "sales@lx.cn")])];
    let imp = s.check_import(&w.rep1, input(ImportKind::Accounts, rows)).await.unwrap();
    assert!(matches!(imp.rows[0].duplicate, Some(Duplicate::Existing { id, name: Some(_) }) if id == a.id.0));
    let done = s.commit_import(&w.rep1, imp.id, OnDuplicate::Update).await.unwrap();
    assert_eq!(done.counts.unwrap().updated, 1);
    let now = s.account(&w.rep1, a.id).await.unwrap();
    assert_eq!(now.rec.get("email"), Some(&text("sales@lx.cn")));
    assert_eq!(now.rec.get("phone"), Some(&text("0571-1111")));
    s.undo_import(&w.rep1, imp.id).await.unwrap();
    let back = s.account(&w.rep1, a.id).await.unwrap();
    assert_eq!(back.rec.get("email"), Some(&Value::Null), "the value before the import is back");

    // Contacts name their account by credit code or exact name, among the accounts the importer sees.
    let other = account(&s, &w.rep3, "南方客户").await;
    let rows = vec![
        row(2, &[("account", &code(7)), ("name", "王经理"), ("mobile", "13800000001"), ("title", "采购经理")]),
        row(3, &[("account", "联系人客户"), ("name", "李工"), ("mobile", "13800000002")]),
        row(4, &[("account", "南方客户"), ("name", "赵总")]),
        row(5, &[("account", "联系人客户"), ("name", "王经理"), ("mobile", "13800000001")]),
    ];
    let imp = s.check_import(&w.rep1, input(ImportKind::Contacts, rows)).await.unwrap();
    assert_eq!(imp.rows[0].account_id, Some(a.id));
    assert_eq!(imp.rows[1].account_id, Some(a.id));
    assert_eq!(imp.rows[2].errors[0].message, "err.import_account_unknown", "rep3's account is not rep1's to see");
    assert_eq!(imp.rows[3].duplicate, Some(Duplicate::InFile { row: 2 }));
    let done = s.commit_import(&w.rep1, imp.id, OnDuplicate::Skip).await.unwrap();
    assert_eq!(done.counts.unwrap().created, 2);
    let people = s.account_contacts(&w.rep1, a.id).await.unwrap();
    assert_eq!(people.len(), 2);
    assert!(s.account_contacts(&w.rep3, other).await.unwrap().is_empty());
    // The same people again are found as stored duplicates.
    let rows = vec![row(2, &[("account", "联系人客户"), ("name", "李工"), ("mobile", "13800000002")])];
    let again = s.check_import(&w.rep1, input(ImportKind::Contacts, rows)).await.unwrap();
    assert!(matches!(again.rows[0].duplicate, Some(Duplicate::Existing { name: Some(_), .. })));
    // Undone: the contacts it created are gone from the account.
    s.undo_import(&w.rep1, imp.id).await.unwrap();
    assert!(s.account_contacts(&w.rep1, a.id).await.unwrap().is_empty());
}

/// Opening balances and other entries from a sheet: finance's; the ledger's
/// own rules per row; a stored or repeated entry is a duplicate, a second
/// opening balance refused; undone by reversing entries, so every entry stays.
pub async fn imports_post_ledger_entries_and_undo_by_reversal(s: Store) {
    let w = world(&s).await;
    let a = s
        .create_account(
            &w.rep1,
            AccountInput {
                rec: rec(&[("name", text("期初客户")), ("credit_code", text(&code(8)))]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let b = account(&s, &w.rep3, "南方期初客户").await;
    let rows = vec![
        row(
            2,
            &[("account", &code(8)), ("entry_date", "2026-01-01"), ("kind", "opening_balance"), ("amount", "12000")],
        ),
        row(
            3,
            &[("account", "南方期初客户"), ("entry_date", "2026-03-05"), ("kind", "invoice"), ("amount", "5000.50")],
        ),
        row(
            4,
            &[
                ("account", "期初客户"),
                ("entry_date", "2026-04-10"),
                ("kind", "payment"),
                ("amount", "2000"),
                ("voucher_no", "V1"),
            ],
        ),
        row(
            5,
            &[
                ("account", "期初客户"),
                ("entry_date", "2026-04-10"),
                ("kind", "payment"),
                ("amount", "2000"),
                ("voucher_no", "V1"),
            ],
        ),
        row(6, &[("account", "期初客户"), ("entry_date", "2026-02-01"), ("kind", "opening_balance"), ("amount", "1")]),
        row(7, &[("account", "期初客户"), ("entry_date", "2026-04-11"), ("kind", "payment"), ("amount", "0")]),
        row(8, &[("account", "期初客户"), ("entry_date", "1900-01-01"), ("kind", "invoice"), ("amount", "10")]),
        row(9, &[("account", "无此客户"), ("entry_date", "2026-04-11"), ("kind", "invoice"), ("amount", "10")]),
    ];
    // Reps do not post to the ledger, so they do not import it.
    assert!(matches!(
        s.check_import(&w.rep1, input(ImportKind::Ledger, rows.clone())).await,
        Err(StoreError::Forbidden(_))
    ));
    let imp = s.check_import(&w.fin, input(ImportKind::Ledger, rows.clone())).await.unwrap();
    let errors: Vec<(usize, Vec<&str>)> = imp
        .rows
        .iter()
        .filter(|r| !r.errors.is_empty())
        .map(|r| (r.row, r.errors.iter().map(|e| e.message.as_str()).collect()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (6, vec!["err.opening_exists"]),
            (7, vec!["err.zero_amount"]),
            (8, vec!["err.date_window"]),
            (9, vec!["err.import_account_unknown"]),
        ]
    );
    assert_eq!(imp.rows[3].duplicate, Some(Duplicate::InFile { row: 4 }));
    assert!(s.ledger_entries(&w.admin, a.id).await.unwrap().is_empty(), "a check writes nothing");
    let done = s.commit_import(&w.fin, imp.id, OnDuplicate::Skip).await.unwrap();
    assert_eq!(
        done.counts.clone().unwrap(),
        kam_store::imports::Counts { created: 3, updated: 0, skipped: 1, refused: 4 }
    );
    assert_eq!(s.balance_today(&w.fin, a.id, "CNY").await.unwrap(), 1_000_000, "12,000.00 − 2,000.00");
    assert_eq!(s.balance_today(&w.fin, b, "CNY").await.unwrap(), 500_050);
    // The same sheet again: what the ledger holds is a duplicate, another opening balance refused.
    let again = s.check_import(&w.fin, input(ImportKind::Ledger, rows)).await.unwrap();
    assert!(matches!(again.rows[0].duplicate, Some(Duplicate::Existing { .. })));
    assert_eq!(again.rows[4].errors[0].message, "err.opening_exists");
    assert!(matches!(again.rows[1].duplicate, Some(Duplicate::Existing { .. })));
    assert!(matches!(again.rows[2].duplicate, Some(Duplicate::Existing { .. })));
    // Undone: every entry reversed on its own date; the ledger keeps all six.
    s.undo_import(&w.fin, done.id).await.unwrap();
    assert_eq!(s.balance_today(&w.fin, a.id, "CNY").await.unwrap(), 0);
    assert_eq!(s.balance_today(&w.fin, b, "CNY").await.unwrap(), 0);
    let entries = s.ledger_entries(&w.fin, a.id).await.unwrap();
    assert_eq!(entries.len(), 4);
    let reversal = entries.iter().find(|e| e.reverses_id.is_some() && e.text("kind") == "opening_balance").unwrap();
    assert_eq!(reversal.text("entry_date"), "2026-01-01");
    assert!(reversal.text("note").contains("撤销导入"));
    // Once reversed, the opening balance may be imported again.
    let rows = vec![row(
        2,
        &[("account", &code(8)), ("entry_date", "2026-01-01"), ("kind", "opening_balance"), ("amount", "9000")],
    )];
    let fresh = s.check_import(&w.fin, input(ImportKind::Ledger, rows)).await.unwrap();
    assert!(fresh.rows[0].errors.is_empty() && fresh.rows[0].duplicate.is_none(), "{:?}", fresh.rows[0]);
}

/// A saved mapping: kept by header, company-wide for the kind, replaced by
/// its creator or admin only, audited; kinds the user may not import unseen.
pub async fn import_mappings_are_saved_replaced_and_scoped(s: Store) {
    let w = world(&s).await;
    let mut imp_input = input(ImportKind::Accounts, vec![row(2, &[("name", "模板客户")])]);
    imp_input.columns = vec![
        Column { header: "甲方全称".into(), field: Some("name".into()) },
        Column { header: "内部 编号".into(), field: None },
    ];
    let imp = s.check_import(&w.rep1, imp_input).await.unwrap();
    let m = s.save_import_mapping(&w.rep1, imp.id, " 华东客户表 ").await.unwrap();
    assert_eq!(m.name, "华东客户表");
    assert_eq!(m.columns.get("甲方全称").map(String::as_str), Some("name"));
    assert_eq!(m.columns.get("内部编号").map(String::as_str), Some(""), "a column left out stays out");
    // Another rep uses it, but may not replace it; admin may.
    assert_eq!(s.import_mapping(&w.rep2, ImportKind::Accounts, "华东客户表").await.unwrap().id, m.id);
    let other = s.check_import(&w.rep2, input(ImportKind::Accounts, vec![row(2, &[("name", "x")])])).await.unwrap();
    let taken = s.save_import_mapping(&w.rep2, other.id, "华东客户表").await;
    assert!(
        matches!(taken, Err(StoreError::Invalid(ref e)) if e.0.iter().any(|(_, k)| *k == "err.import_mapping_taken"))
    );
    let replaced = s.save_import_mapping(&w.rep1, imp.id, "华东客户表").await.unwrap();
    assert_eq!(replaced.id, m.id);
    // Only one's own imports are saved from, and a name is required.
    assert!(matches!(s.save_import_mapping(&w.rep2, imp.id, "偷看").await, Err(StoreError::NotFound)));
    assert!(matches!(s.save_import_mapping(&w.rep1, imp.id, "  ").await, Err(StoreError::Invalid(_))));
    // Ledger mappings are finance's: a rep neither lists nor reads them.
    let fin_imp =
        s.check_import(&w.fin, input(ImportKind::Ledger, vec![row(2, &[("kind", "invoice")])])).await.unwrap();
    s.save_import_mapping(&w.fin, fin_imp.id, "期初表").await.unwrap();
    assert!(
        s.import_mappings(&w.rep1)
            .await
            .unwrap()
            .iter()
            .all(|m| m.kind == ImportKind::Accounts || m.kind == ImportKind::Contacts)
    );
    assert!(matches!(s.import_mapping(&w.rep1, ImportKind::Ledger, "期初表").await, Err(StoreError::Forbidden(_))));
    assert_eq!(s.import_mappings(&w.fin).await.unwrap().len(), 1);
    let audit = s.entity_history(&w.admin, "import_mapping", m.id).await.unwrap();
    assert_eq!(audit.len(), 2, "created, then replaced");
}

/// A choice per duplicate row: skip, update, or create all the same — but an
/// account with a credit code is never made twice.
pub async fn each_duplicate_row_gets_its_own_choice(s: Store) {
    use kam_store::imports::Choices;
    let w = world(&s).await;
    account(&s, &w.rep1, "同名客户").await;
    s.create_account(
        &w.rep1,
        AccountInput {
            rec: rec(&[("name", text("有码客户")), ("credit_code", text(&code(21)))]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let rows = vec![
        row(2, &[("name", "同名客户"), ("notes", "另一家同名公司")]),
        row(3, &[("name", "有码客户"), ("credit_code", &code(21)), ("email", "a@b.cn")]),
        row(4, &[("name", "同名客户")]),
    ];
    let imp = s.check_import(&w.rep1, input(ImportKind::Accounts, rows.clone())).await.unwrap();
    assert!(imp.rows.iter().all(|r| r.duplicate.is_some()));
    // Creating the coded one again is refused, naming the row; nothing is written.
    let choices = Choices { default: Some(OnDuplicate::Skip), rows: [(3, OnDuplicate::Create)].into() };
    let refused = s.commit_import(&w.rep1, imp.id, choices).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(ref e)) if e.0.contains_key("rows.3.credit_code")),
        "{refused:?}"
    );
    let imp = s.check_import(&w.rep1, input(ImportKind::Accounts, rows)).await.unwrap();
    let choices =
        Choices { default: Some(OnDuplicate::Skip), rows: [(2, OnDuplicate::Create), (3, OnDuplicate::Update)].into() };
    let done = s.commit_import(&w.rep1, imp.id, choices).await.unwrap();
    assert_eq!(done.counts.unwrap(), kam_store::imports::Counts { created: 1, updated: 1, skipped: 1, refused: 0 });
    let f = AccountFilter { per_page: 50, ..Default::default() };
    let named = s.list_accounts(&w.rep1, &f).await.unwrap().items.iter().filter(|a| a.name() == "同名客户").count();
    assert_eq!(named, 2, "row 2 made a second 同名客户, row 4 was skipped");
}

/// Products by code (updated or skipped), then a year of orders with their
/// lines: rows of one order number are one order, a bad line holds back its
/// order, history is recorded without credit check or ledger entries, a
/// failure at commit leaves nothing, and the undo deletes the orders until
/// something stands on them.
pub async fn imports_write_products_and_orders_with_lines(s: Store) {
    use kam_store::orders::OrderFilter;
    let (w, a, p1) = money_world(&s).await;
    account(&s, &w.rep2, "同事的客户").await;
    let products = vec![
        row(2, &[("code", "P-002"), ("name", "工业胶带"), ("unit", "卷"), ("list_price", "25.00")]),
        row(3, &[("code", "P-001"), ("name", "工业包装膜"), ("unit", "Kg"), ("list_price", "12.00")]),
        row(4, &[("code", "P-002"), ("name", "工业胶带（重复）"), ("unit", "卷")]),
        row(5, &[("code", "P-003"), ("name", "无单位")]),
    ];
    assert!(matches!(
        s.check_import(&w.rep1, input(ImportKind::Products, products.clone())).await,
        Err(StoreError::Forbidden(_))
    ));
    let imp = s.check_import(&w.admin, input(ImportKind::Products, products)).await.unwrap();
    assert_eq!(imp.rows[3].errors[0].message, "err.required");
    assert_eq!(imp.rows[1].duplicate, Some(Duplicate::Existing { id: p1.0, name: Some("P-001".into()) }));
    assert_eq!(imp.rows[2].duplicate, Some(Duplicate::InFile { row: 2 }));
    let done = s.commit_import(&w.admin, imp.id, OnDuplicate::Update).await.unwrap();
    assert_eq!(done.counts.unwrap(), kam_store::imports::Counts { created: 1, updated: 1, skipped: 1, refused: 1 });
    assert_eq!(s.product(p1).await.unwrap().rec.get("list_price"), Some(&Value::Int(1_200)));
    let product_import = done.id;

    let o = |n: usize, ext: &str, date: &str, product: &str, qty: &str, more: &[(&str, &str)]| {
        let mut cells = vec![
            ("account", "账务客户"),
            ("external_no", ext),
            ("order_date", date),
            ("product", product),
            ("quantity", qty),
        ];
        cells.extend_from_slice(more);
        row(n, &cells)
    };
    let sheet = vec![
        o(2, "X-1", "2026-03-01", "P-001", "100", &[("delivery_date", "2026-03-05")]),
        o(3, "X-1", "", "工业胶带", "2", &[]),
        o(4, "X-2", "2026-04-01", "P-001", "1", &[("status", "placed")]),
        o(5, "X-3", "2026-04-02", "无此产品", "1", &[]),
        o(6, "X-3", "2026-04-02", "P-001", "1", &[]),
        o(7, "X-4", "2026-05-01", "P-001", "1", &[]),
        o(8, "X-4", "2026-05-02", "P-001", "1", &[]),
        o(9, "X-5", "2026-05-03", "P-001", "0", &[]),
        row(10, &[("account", "同事的客户"), ("order_date", "2026-05-03"), ("product", "P-001"), ("quantity", "1")]),
        o(11, "X-6", "1900-01-01", "P-001", "1", &[]),
    ];
    assert!(matches!(
        s.check_import(&w.fin, input(ImportKind::Orders, sheet.clone())).await,
        Err(StoreError::Forbidden(_))
    ));
    let imp = s.check_import(&w.rep1, input(ImportKind::Orders, sheet.clone())).await.unwrap();
    let errors: Vec<(usize, Vec<(&str, &str)>)> = imp
        .rows
        .iter()
        .filter(|r| !r.errors.is_empty())
        .map(|r| (r.row, r.errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (5, vec![("product", "err.import_product_unknown")]),
            (6, vec![("external_no", "err.import_order_incomplete")]),
            (7, vec![("external_no", "err.import_order_incomplete")]),
            (8, vec![("order_date", "err.import_order_differs")]),
            (9, vec![("quantity", "err.zero_quantity")]),
            (10, vec![("account", "err.import_account_unknown")]),
            (11, vec![("order_date", "err.date_window")]),
        ]
    );
    assert_eq!(imp.rows[1].line_of, Some(2), "row 3 is the second line of row 2's order");
    let all = OrderFilter { account_id: Some(a), page: 1, per_page: 50, ..Default::default() };
    assert_eq!(s.orders(&w.rep1, &all).await.unwrap().total, 0, "a check writes nothing");

    // All or nothing: a product taken off sale since the check fails the commit at its row.
    let p2 = s.products(true).await.unwrap().into_iter().find(|p| p.text("code") == "P-002").unwrap();
    s.update_product(&w.admin, p2.id, rec(&[("active", Value::Bool(false))])).await.unwrap();
    match s.commit_import(&w.rep1, imp.id, OnDuplicate::Skip).await {
        Err(StoreError::Invalid(e)) => assert!(e.0.keys().any(|k| k.starts_with("rows.2")), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.orders(&w.rep1, &all).await.unwrap().total, 0, "nothing is left behind");
    assert_eq!(s.import(&w.rep1, imp.id).await.unwrap().status, "checked");
    // Why it failed stays on the import's progress, for the page that started it in the background.
    let failed = s.import_progress(&w.rep1, imp.id).await.unwrap().and_then(|p| p.failed).unwrap();
    assert!(failed.keys().any(|k| k.starts_with("rows.2")), "{failed:?}");
    assert!(
        matches!(s.import_progress(&w.rep2, imp.id).await, Err(StoreError::NotFound)),
        "only its importer hears of it"
    );
    s.update_product(&w.admin, p2.id, rec(&[("active", Value::Bool(true))])).await.unwrap();

    let done = s.commit_import(&w.rep1, imp.id, OnDuplicate::Skip).await.unwrap();
    assert_eq!(
        done.counts.clone().unwrap(),
        kam_store::imports::Counts { created: 2, updated: 0, skipped: 0, refused: 7 }
    );
    assert_eq!(s.import_progress(&w.rep1, imp.id).await.unwrap(), None, "a finished commit has no progress left");
    assert!(matches!(s.commit_import(&w.rep1, imp.id, OnDuplicate::Skip).await, Err(StoreError::Conflict(_))));
    let listed = s.orders(&w.rep1, &all).await.unwrap();
    assert_eq!(listed.total, 2);
    let x1 = listed.items.iter().find(|o| o.rec.get("external_no") == Some(&text("X-1"))).unwrap();
    let x1 = s.order(&w.rep1, x1.id).await.unwrap();
    // 100 kg at the new ¥12.00 and 2 rolls at ¥25.00: ¥1,250.00.
    assert_eq!((x1.status.as_str(), x1.lines.len(), x1.total_with_tax), ("delivered", 2, 125_000));
    assert_eq!((x1.credit_limit, x1.credit_exposure), (None, None), "history takes no credit check");
    assert_eq!(x1.steps.len(), 1);
    assert_eq!(x1.steps[0].on_date, "2026-03-05", "delivered on its delivery date");
    assert_eq!(x1.steps[0].note.as_deref(), Some(format!("导入 #{}", imp.id).as_str()));
    let x2 = listed.items.iter().find(|o| o.rec.get("external_no") == Some(&text("X-2"))).unwrap();
    assert_eq!((x2.status.as_str(), x2.credit_exposure), ("placed", Some(1_200)), "an open order is checked");
    assert!(s.ledger_entries(&w.fin, a).await.unwrap().is_empty(), "imported orders post nothing");
    // The same sheet again: the orders the account holds are duplicates.
    let again = s.check_import(&w.rep1, input(ImportKind::Orders, sheet.clone())).await.unwrap();
    assert!(matches!(again.rows[0].duplicate, Some(Duplicate::Existing { .. })));
    assert!(matches!(again.rows[1].duplicate, Some(Duplicate::Existing { .. })));

    // Undone: the orders are gone, audited.
    s.undo_import(&w.rep1, done.id).await.unwrap();
    assert_eq!(s.orders(&w.rep1, &all).await.unwrap().total, 0);
    // Loaded again and moved on: the undo is blocked, naming the order.
    let imp = s.check_import(&w.rep1, input(ImportKind::Orders, sheet)).await.unwrap();
    assert!(imp.rows[0].duplicate.is_none(), "undone orders are no duplicates");
    let done = s.commit_import(&w.rep1, imp.id, OnDuplicate::Skip).await.unwrap();
    let x2 = s.orders(&w.rep1, &all).await.unwrap().items.into_iter().find(|o| o.status == "placed").unwrap();
    s.transition_order(&w.rep1, x2.id, "in_production", "2026-11-20", None).await.unwrap();
    let blockers = s.import_undo_blockers(&w.rep1, done.id).await.unwrap();
    assert_eq!(blockers, vec![format!("order #{} (update)", x2.id.0)]);
    assert!(matches!(s.undo_import(&w.rep1, done.id).await, Err(StoreError::Conflict(_))));
    assert_eq!(s.orders(&w.rep1, &all).await.unwrap().total, 2);

    // The product import: P-002 was changed since (taken off sale and back), which blocks its undo.
    let blockers = s.import_undo_blockers(&w.admin, product_import).await.unwrap();
    assert!(blockers.contains(&format!("product #{} (update)", p2.id.0)), "{blockers:?}");
    // A product import undone: the product it added off sale, the one it changed back.
    let sheet = vec![
        row(2, &[("code", "P-009"), ("name", "新膜"), ("unit", "Kg")]),
        row(3, &[("code", "P-001"), ("name", "工业包装膜"), ("unit", "Kg"), ("list_price", "13.00")]),
    ];
    let imp = s.check_import(&w.admin, input(ImportKind::Products, sheet)).await.unwrap();
    let done = s.commit_import(&w.admin, imp.id, OnDuplicate::Update).await.unwrap();
    assert_eq!(s.product(p1).await.unwrap().rec.get("list_price"), Some(&Value::Int(1_300)));
    s.undo_import(&w.admin, done.id).await.unwrap();
    assert_eq!(s.product(p1).await.unwrap().rec.get("list_price"), Some(&Value::Int(1_200)));
    let p9 = s.products(true).await.unwrap().into_iter().find(|p| p.text("code") == "P-009").unwrap();
    assert!(!p9.active(), "off sale, not deleted");
}

/// Activity sheets: each row a record of its kind on the account it names,
/// checked by the kind's rules (a field the importer may not see is refused),
/// duplicates by time and title, undone by archiving.
pub async fn imports_write_activities_of_every_kind(s: Store) {
    use kam_core::activity::{INTERACTION, NEED};
    use kam_store::activity::ActivityFilter;
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "活动导入客户").await;
    account(&s, &w.rep3, "南方活动客户").await;
    let call = |n: usize, at: &str, channel: &str, subject: &str, acc: &str| {
        row(n, &[("account", acc), ("occurred_at", at), ("channel", channel), ("subject", subject)])
    };
    let sheet = vec![
        call(2, "2026-11-10T09:00", "visit", "年度回访", "活动导入客户"),
        call(3, "2026-11-10T09:00", "visit", "年度回访", "活动导入客户"),
        call(4, "2026-11-11T10:00", "飞鸽传书", "询价", "活动导入客户"),
        call(5, "2026-11-11T10:00", "phone", "询价", "南方活动客户"),
        call(6, "2026-11-12", "phone", "缺时间", "活动导入客户"),
    ];
    let imp = s.check_import(&w.rep1, input(ImportKind::Interactions, sheet.clone())).await.unwrap();
    let errors: Vec<(usize, &str)> =
        imp.rows.iter().flat_map(|r| r.errors.iter().map(move |e| (r.row, e.message.as_str()))).collect();
    assert_eq!(
        errors,
        vec![(4, "err.choice"), (5, "err.import_account_unknown"), (6, "err.datetime")],
        "the form's own rules"
    );
    assert_eq!(imp.rows[1].duplicate, Some(Duplicate::InFile { row: 2 }));
    let done = s.commit_import(&w.rep1, imp.id, OnDuplicate::Skip).await.unwrap();
    assert_eq!(done.counts.unwrap(), kam_store::imports::Counts { created: 1, updated: 0, skipped: 1, refused: 3 });
    let f = ActivityFilter { account_id: Some(a), page: 1, per_page: 50 };
    let listed = s.list_activities(&INTERACTION, &w.rep1, &f).await.unwrap();
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items[0].rec.get("subject"), Some(&text("年度回访")));
    let again = s.check_import(&w.rep1, input(ImportKind::Interactions, sheet)).await.unwrap();
    assert!(matches!(again.rows[0].duplicate, Some(Duplicate::Existing { .. })));
    s.undo_import(&w.rep1, done.id).await.unwrap();
    assert_eq!(s.list_activities(&INTERACTION, &w.rep1, &f).await.unwrap().total, 0, "archived");

    // Service staff record needs but never see a budget: a budget cell is refused.
    let svc = actor(&s, testing::user(&s, "svc", Role::Service, None).await).await;
    let needs = vec![
        row(2, &[("account", "活动导入客户"), ("analysed_on", "2026-11-01"), ("needs", "更快交货")]),
        row(3, &[("account", "活动导入客户"), ("analysed_on", "2026-11-02"), ("needs", "降价"), ("budget", "50000")]),
    ];
    let imp = s.check_import(&svc, input(ImportKind::Needs, needs)).await.unwrap();
    assert!(imp.rows[0].errors.is_empty(), "{:?}", imp.rows[0]);
    assert_eq!(imp.rows[1].errors[0].message, "err.field_forbidden");
    s.commit_import(&svc, imp.id, OnDuplicate::Skip).await.unwrap();
    assert_eq!(s.list_activities(&NEED, &w.rep1, &f).await.unwrap().total, 1);
    // Finance records no activities, so imports none.
    assert!(matches!(
        s.check_import(&w.fin, input(ImportKind::Visits, vec![row(2, &[("account", "x")])])).await,
        Err(StoreError::Forbidden(_))
    ));
}

/// Contract sheets: by contract number, in force when the sheet says so, the
/// form's date rule, undone by archiving.
pub async fn imports_write_contracts(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "合同导入客户").await;
    account(&s, &w.rep3, "南方合同客户").await;
    let c = |n: usize, no: &str, acc: &str, more: &[(&str, &str)]| {
        let mut cells =
            vec![("account", acc), ("contract_no", no), ("contract_type", "sales"), ("title", "年度供货合同")];
        cells.extend_from_slice(more);
        row(n, &cells)
    };
    let sheet = vec![
        c(
            2,
            "HT-2026-01",
            "合同导入客户",
            &[("status", "active"), ("valid_from", "2026-01-01"), ("valid_to", "2026-12-31")],
        ),
        c(3, "HT-2026-01", "合同导入客户", &[]),
        c(4, "HT-2026-02", "合同导入客户", &[("valid_from", "2026-06-01"), ("valid_to", "2026-01-01")]),
        c(5, "HT-2026-03", "合同导入客户", &[("status", "terminated")]),
        c(6, "HT-2026-04", "南方合同客户", &[]),
        c(7, "HT-2026-05", "合同导入客户", &[]),
    ];
    assert!(matches!(
        s.check_import(&testing_service(&s).await, input(ImportKind::Contracts, sheet.clone())).await,
        Err(StoreError::Forbidden(_))
    ));
    let imp = s.check_import(&w.rep1, input(ImportKind::Contracts, sheet.clone())).await.unwrap();
    let errors: Vec<(usize, &str)> =
        imp.rows.iter().flat_map(|r| r.errors.iter().map(move |e| (r.row, e.message.as_str()))).collect();
    assert_eq!(errors, vec![(4, "err.date_order"), (5, "err.choice"), (6, "err.import_account_unknown")]);
    assert_eq!(imp.rows[1].duplicate, Some(Duplicate::InFile { row: 2 }));
    let done = s.commit_import(&w.rep1, imp.id, OnDuplicate::Skip).await.unwrap();
    assert_eq!(done.counts.unwrap().created, 2);
    let list = s.contracts(&w.rep1, Some(a)).await.unwrap();
    let status =
        |no: &str| list.iter().find(|c| c.rec.get("contract_no") == Some(&text(no))).map(|c| c.stored_status.clone());
    assert_eq!(status("HT-2026-01").as_deref(), Some("active"), "in force, as the sheet says");
    assert_eq!(status("HT-2026-05").as_deref(), Some("draft"));
    let again = s.check_import(&w.rep1, input(ImportKind::Contracts, sheet)).await.unwrap();
    assert!(matches!(again.rows[0].duplicate, Some(Duplicate::Existing { .. })));
    s.undo_import(&w.rep1, done.id).await.unwrap();
    assert!(s.contracts(&w.rep1, Some(a)).await.unwrap().is_empty(), "archived");
}

async fn testing_service(s: &Store) -> Actor {
    actor(s, testing::user(s, "svc_contracts", Role::Service, None).await).await
}

/// Competitor sheets: positions by competitor name, a missing competitor added
/// to the shared list, duplicates per account and competitor updated on
/// request, all taken back by the undo.
pub async fn imports_write_competitor_positions(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "竞争导入客户").await;
    let known = s.create_competitor(&w.admin, rec(&[("name", text("老对手"))])).await.unwrap();
    s.set_position(&w.rep1, a, known.id, rec(&[("share_pct", Value::Float(30.0))])).await.unwrap();
    let sheet = vec![
        row(2, &[("account", "竞争导入客户"), ("competitor", "老对手"), ("share_pct", "40"), ("prices", "低 5%")]),
        row(3, &[("account", "竞争导入客户"), ("competitor", "新对手"), ("share_pct", "20")]),
        row(4, &[("account", "竞争导入客户"), ("competitor", "新对手"), ("share_pct", "25")]),
        row(5, &[("account", "竞争导入客户"), ("competitor", "坏比例"), ("share_pct", "很多")]),
    ];
    let imp = s.check_import(&w.rep1, input(ImportKind::Competitors, sheet)).await.unwrap();
    assert!(matches!(imp.rows[0].duplicate, Some(Duplicate::Existing { .. })));
    assert_eq!(imp.rows[2].duplicate, Some(Duplicate::InFile { row: 3 }));
    assert_eq!(imp.rows[3].errors[0].field, "share_pct");
    let done = s.commit_import(&w.rep1, imp.id, OnDuplicate::Update).await.unwrap();
    assert_eq!(done.counts.unwrap(), kam_store::imports::Counts { created: 1, updated: 1, skipped: 1, refused: 1 });
    let positions = s.positions(&w.rep1, a).await.unwrap();
    let share =
        |name: &str| positions.iter().find(|p| p.competitor_name == name).and_then(|p| p.rec.get("share_pct").cloned());
    assert_eq!(share("老对手"), Some(Value::Float(40.0)), "updated");
    assert_eq!(share("新对手"), Some(Value::Float(20.0)), "added, with the competitor");
    assert!(s.competitors(&w.rep1).await.unwrap().iter().any(|c| c.rec.get("name") == Some(&text("新对手"))));
    s.undo_import(&w.rep1, done.id).await.unwrap();
    let positions = s.positions(&w.rep1, a).await.unwrap();
    assert_eq!(positions.len(), 1);
    assert_eq!(positions[0].rec.get("share_pct"), Some(&Value::Float(30.0)), "its value back");
    assert!(
        !s.competitors(&w.rep1).await.unwrap().iter().any(|c| c.rec.get("name") == Some(&text("新对手"))),
        "the added competitor goes"
    );
}

/// Visit-plan sheets: a year's planned dates per account, each in its year;
/// a plan already there is updated on request (blank cells keep its dates);
/// the undo gives the dates back.
pub async fn imports_write_visit_plans(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "计划导入客户").await;
    let b = account(&s, &w.rep1, "计划导入客户乙").await;
    let day = |m: u8, d: u8| time::Date::from_calendar_date(2027, time::Month::try_from(m).unwrap(), d).unwrap();
    s.set_visit_plan(&w.rep1, b, 2027, &[Some(day(1, 5)), Some(day(4, 5))]).await.unwrap();
    let sheet = vec![
        row(
            2,
            &[("account", "计划导入客户"), ("year", "2027"), ("planned_1", "2027-02-01"), ("planned_2", "2027-05-01")],
        ),
        row(3, &[("account", "计划导入客户乙"), ("year", "2027"), ("planned_2", "2027-06-01")]),
        row(4, &[("account", "计划导入客户"), ("year", "2027"), ("planned_1", "2028-01-01")]),
    ];
    let imp = s.check_import(&w.rep1, input(ImportKind::VisitPlans, sheet)).await.unwrap();
    assert!(imp.rows[0].errors.is_empty() && imp.rows[0].duplicate.is_none(), "{:?}", imp.rows[0]);
    assert!(matches!(imp.rows[1].duplicate, Some(Duplicate::Existing { .. })), "乙 has its 2027 plan");
    assert_eq!(imp.rows[2].errors[0].message, "err.plan_year");
    let done = s.commit_import(&w.rep1, imp.id, OnDuplicate::Update).await.unwrap();
    assert_eq!(done.counts.unwrap(), kam_store::imports::Counts { created: 1, updated: 1, skipped: 0, refused: 1 });
    let plan = s.visit_plan(&w.rep1, a, 2027).await.unwrap();
    assert_eq!((plan.slots[0].planned, plan.slots[1].planned), (Some(day(2, 1)), Some(day(5, 1))));
    let plan = s.visit_plan(&w.rep1, b, 2027).await.unwrap();
    assert_eq!((plan.slots[0].planned, plan.slots[1].planned), (Some(day(1, 5)), Some(day(6, 1))), "blank keeps");
    s.undo_import(&w.rep1, done.id).await.unwrap();
    let plan = s.visit_plan(&w.rep1, b, 2027).await.unwrap();
    assert_eq!(plan.slots[1].planned, Some(day(4, 5)), "its date back");
    assert!(s.visit_plan(&w.rep1, a, 2027).await.unwrap().slots.iter().all(|s| s.planned.is_none()));
}

pub async fn imports_write_targets(s: Store) {
    let w = world(&s).await;
    s.set_targets(
        &w.m1,
        kam_core::targets::Level::Rep,
        2027,
        &[(w.rep2.user_id.0, {
            let mut m = [None; 12];
            m[0] = Some(10_000);
            m[1] = Some(20_000);
            m
        })],
    )
    .await
    .unwrap();
    let sheet = vec![
        row(2, &[("subject", "rep1"), ("year", "2027"), ("m01", "1000"), ("m12", "2000.50")]),
        row(3, &[("subject", "rep2"), ("year", "2027"), ("m02", "300")]),
        row(4, &[("level", "team"), ("subject", "East"), ("year", "2027"), ("m03", "9000")]),
        row(5, &[("subject", "rep3"), ("year", "2027"), ("m01", "1")]),
        row(6, &[("subject", "无此人"), ("year", "2027"), ("m01", "1")]),
        row(7, &[("subject", "rep1"), ("year", "2027"), ("m05", "1")]),
        row(8, &[("subject", "rep1"), ("year", "2028"), ("m05", "-1")]),
    ];
    assert!(matches!(
        s.check_import(&w.rep1, input(ImportKind::Targets, sheet.clone())).await,
        Err(StoreError::Forbidden(_))
    ));
    let imp = s.check_import(&w.m1, input(ImportKind::Targets, sheet)).await.unwrap();
    assert!(imp.rows[0].errors.is_empty() && imp.rows[0].duplicate.is_none(), "{:?}", imp.rows[0]);
    assert!(matches!(imp.rows[1].duplicate, Some(Duplicate::Existing { .. })), "rep2 has 2027 targets");
    assert!(imp.rows[2].errors.is_empty(), "{:?}", imp.rows[2]);
    assert_eq!(
        imp.rows[3].errors[0].message, "err.import_target_unknown",
        "the South rep is out of the East manager's sight"
    );
    assert_eq!(imp.rows[4].errors[0].message, "err.import_target_unknown");
    assert_eq!(imp.rows[5].duplicate, Some(Duplicate::InFile { row: 2 }));
    assert_eq!(imp.rows[6].errors[0].field, "m05");
    let done = s.commit_import(&w.m1, imp.id, OnDuplicate::Update).await.unwrap();
    assert_eq!(done.counts.unwrap(), kam_store::imports::Counts { created: 2, updated: 1, skipped: 1, refused: 3 });
    let reps = s.targets(&w.m1, kam_core::targets::Level::Rep, 2027).await.unwrap();
    let of = |id: UserId| reps.iter().find(|r| r.id == id.0).unwrap().months;
    assert_eq!(
        (of(w.rep1.user_id)[0], of(w.rep1.user_id)[11], of(w.rep1.user_id)[4]),
        (Some(100_000), Some(200_050), None)
    );
    assert_eq!(
        (of(w.rep2.user_id)[0], of(w.rep2.user_id)[1]),
        (Some(10_000), Some(30_000)),
        "blank keeps, filled over"
    );
    let teams = s.targets(&w.m1, kam_core::targets::Level::Team, 2027).await.unwrap();
    assert_eq!(teams[0].months[2], Some(900_000));
    let audited = s.recent_audit(30).await.unwrap();
    assert!(audited.iter().any(|e| e.entity == "target_team_2027"), "each row audited as the grid's save is");
    s.undo_import(&w.m1, done.id).await.unwrap();
    let reps = s.targets(&w.m1, kam_core::targets::Level::Rep, 2027).await.unwrap();
    let of = |id: UserId| reps.iter().find(|r| r.id == id.0).unwrap().months;
    assert!(of(w.rep1.user_id).iter().all(Option::is_none));
    assert_eq!((of(w.rep2.user_id)[0], of(w.rep2.user_id)[1]), (Some(10_000), Some(20_000)), "its months back");
    assert!(
        s.targets(&w.m1, kam_core::targets::Level::Team, 2027).await.unwrap()[0].months.iter().all(Option::is_none)
    );
}

pub async fn imports_write_capability_scores(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "评分导入客户").await;
    account(&s, &w.rep3, "评分导入南方客户").await;
    let mut col = [None; kam_core::capability::FACTORS];
    col[0] = Some(2);
    col[24] = Some(3);
    s.set_capability_month(&w.rep1, a, 2026, 9, &col).await.unwrap();
    let sheet = vec![
        row(
            2,
            &[
                ("account", "评分导入客户"),
                ("year", "2026"),
                ("month", "10"),
                ("company_system", "4"),
                ("creditworthiness", "1"),
            ],
        ),
        row(3, &[("account", "评分导入客户"), ("year", "2026"), ("month", "9"), ("hr_system", "3")]),
        row(4, &[("account", "评分导入客户"), ("year", "2026"), ("month", "12"), ("hr_system", "3")]),
        row(5, &[("account", "评分导入客户"), ("year", "2026"), ("month", "8"), ("hr_system", "5")]),
        row(6, &[("account", "评分导入南方客户"), ("year", "2026"), ("month", "8"), ("hr_system", "2")]),
        row(7, &[("account", "评分导入客户"), ("year", "2026"), ("month", "7")]),
    ];
    let imp = s.check_import(&w.rep1, input(ImportKind::Capability, sheet)).await.unwrap();
    assert!(imp.rows[0].errors.is_empty() && imp.rows[0].duplicate.is_none(), "{:?}", imp.rows[0]);
    assert!(matches!(imp.rows[1].duplicate, Some(Duplicate::Existing { .. })), "September is scored");
    assert_eq!(imp.rows[2].errors[0].message, "capability.err_future", "December 2026 is after 28 November");
    assert_eq!(imp.rows[3].errors[0].field, "hr_system", "scores are 1–4");
    assert_eq!(imp.rows[4].errors[0].field, "account", "another team's account");
    assert_eq!(imp.rows[5].errors[0].message, "err.required", "a row with no score");
    let done = s.commit_import(&w.rep1, imp.id, OnDuplicate::Update).await.unwrap();
    assert_eq!(done.counts.unwrap(), kam_store::imports::Counts { created: 1, updated: 1, skipped: 0, refused: 4 });
    let sheet = s.capability_sheet(&w.rep1, a, 2026).await.unwrap().sheet;
    assert_eq!((sheet.months[9][0], sheet.months[9][24]), (Some(4), Some(1)));
    assert_eq!(
        (sheet.months[8][0], sheet.months[8][2], sheet.months[8][24]),
        (Some(2), Some(3), Some(3)),
        "blank keeps"
    );
    assert_eq!(sheet.month_total(10), Some(5), "October: 4 + 1");
    s.undo_import(&w.rep1, done.id).await.unwrap();
    let sheet = s.capability_sheet(&w.rep1, a, 2026).await.unwrap().sheet;
    assert!(sheet.months[9].iter().all(Option::is_none));
    assert_eq!(sheet.months[8], col, "September as it was");
}

pub async fn imports_of_many_rows_are_read_a_page_at_a_time(s: Store) {
    use kam_store::imports::{ROWS_WINDOW, RowFilter};
    let w = world(&s).await;
    let before = live_accounts(&s, &w.admin).await;
    // 1,205 rows, every hundredth refused (a bad e-mail), one a duplicate of an earlier row.
    let n = 1_205usize;
    let mut rows: Vec<_> = (0..n)
        .map(|i| {
            let name = format!("批量导入公司{i:05}");
            let c = code(1_000 + i as u32);
            let email = if i % 100 == 99 { "nope" } else { "" };
            row(i + 3, &[("name", &name), ("credit_code", &c), ("email", email)])
        })
        .collect();
    rows.push(row(n + 3, &[("name", "重复的行"), ("credit_code", &code(1_000))]));
    let imp = s.check_import(&w.admin, input(ImportKind::Accounts, rows)).await.unwrap();
    assert_eq!(imp.total_rows, n as i64 + 1);
    assert_eq!(imp.bad_rows, 12);
    assert_eq!(imp.duplicate_rows, 1);
    assert_eq!(imp.rows.len(), ROWS_WINDOW, "an import answers with its first rows only");
    assert_eq!(imp.rows[0].row, 3);
    let rest = s.import_rows(&w.admin, imp.id, RowFilter::All, ROWS_WINDOW, ROWS_WINDOW).await.unwrap();
    assert_eq!(rest.len(), n + 1 - ROWS_WINDOW);
    assert_eq!(rest[0].row, ROWS_WINDOW + 3, "the next page starts where the first ended");
    let bad = s.import_rows(&w.admin, imp.id, RowFilter::Bad, 0, ROWS_WINDOW).await.unwrap();
    assert_eq!(bad.len(), 12);
    assert!(bad.iter().all(|r| r.errors.iter().any(|e| e.field == "email")));
    assert_eq!(bad[11].row, 1_199 + 3);
    let dup = s.import_rows(&w.admin, imp.id, RowFilter::Duplicate, 0, 10).await.unwrap();
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].duplicate, Some(Duplicate::InFile { row: 3 }));
    // Another user reads none of it.
    assert!(matches!(
        s.import_rows(&w.rep1, imp.id, RowFilter::All, 0, 10).await,
        Err(kam_store::StoreError::NotFound)
    ));

    // The commit reads the rows page by page and makes every good one.
    let done = s.commit_import(&w.admin, imp.id, OnDuplicate::Skip).await.unwrap();
    let counts = done.counts.unwrap();
    assert_eq!((counts.created, counts.refused, counts.skipped), (n as i64 - 12, 12, 1));
    assert_eq!(live_accounts(&s, &w.admin).await, before + n as i64 - 12);
    // Its undo takes every record back, page by page.
    let undone = s.undo_import(&w.admin, imp.id).await.unwrap();
    assert_eq!(undone.status, "undone");
    assert_eq!(live_accounts(&s, &w.admin).await, before);
}

/// A missing percentage, then one given, written by the same statement on one
/// connection (an import's one transaction): PostgreSQL typed the statement's
/// parameter by the first NULL bound (sqlx 0.9 binds a NULL f64 as float4)
/// and refused the number after it (22P03).
pub async fn a_missing_then_a_given_percentage_write_on_one_connection(s: Store) {
    let w = world(&s).await;
    let rows = vec![
        row(2, &[("name", "无比率公司"), ("credit_code", &code(5_001))]),
        row(3, &[("name", "有比率公司"), ("credit_code", &code(5_002)), ("asset_liability_ratio", "45.5")]),
        row(4, &[("name", "又无比率公司"), ("credit_code", &code(5_003))]),
    ];
    let imp = s.check_import(&w.admin, input(ImportKind::Accounts, rows)).await.unwrap();
    assert_eq!(imp.bad_rows, 0, "{:?}", imp.rows);
    let done = s.commit_import(&w.admin, imp.id, OnDuplicate::Skip).await.unwrap();
    assert_eq!(done.counts.unwrap().created, 3);
    // The binding itself, one statement on one connection: NULL, then numbers.
    let values = [None, Some(45.5), None, Some(0.125)];
    assert_eq!(kam_store::testing::float_binds_round_trip(&s, &values).await.unwrap(), values);
}
