//! An accounts import at size: the check (every row through the form's
//! parser, duplicates in the file and the database) and the commit (every
//! row through the accounts' write path with its audit row and search terms,
//! in one transaction), against the floor of plain bulk INSERTs of the same
//! rows in the same run; and the process's peak memory.
//!
//! `cargo bench -p kam-store --bench imports` (KAM_BENCH_IMPORT_ROWS=N, default
//! 20000; KAM_TEST_POSTGRES_URL to run on PostgreSQL as well).

use std::collections::BTreeMap;
use std::time::Instant;

use kam_core::Role;
use kam_core::credit_code::check_char;
use kam_core::import::{Column, ImportKind};
use kam_store::Store;
use kam_store::imports::{ImportInput, OnDuplicate};

fn rows(n: usize, tag: &str) -> Vec<(usize, BTreeMap<String, String>)> {
    (0..n)
        .map(|i| {
            let first = format!("91330100MA{:07}", i);
            let code = format!("{first}{}", check_char(&first).unwrap());
            let mut r = BTreeMap::new();
            r.insert("name".to_string(), format!("{tag}导入公司{i:06}"));
            r.insert("credit_code".to_string(), code);
            r.insert("grade".to_string(), ["A", "B", "C", "D"][i % 4].to_string());
            r.insert("phone".to_string(), format!("0571-{:08}", i));
            r.insert("notes".to_string(), "从客户管理工作表导入".to_string());
            (i + 2, r)
        })
        .collect()
}

fn peak_mib() -> f64 {
    status_mib("VmHWM:")
}

fn status_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

/// Starts the peak (VmHWM) over from the resident size now.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn run(engine: &str, store: Store, n: usize) {
    let admin = kam_store::testing::user(&store, "bench_admin", Role::Admin, None).await;
    let admin = store.user(admin).await.unwrap().actor();
    let fields = ["name", "credit_code", "grade", "phone", "notes"];
    let input = ImportInput {
        kind: ImportKind::Accounts,
        file_name: "bench.xlsx".into(),
        sha256: "00".repeat(32),
        sheet: None,
        columns: fields.iter().map(|f| Column { header: f.to_string(), field: Some(f.to_string()) }).collect(),
        rows: rows(n, "甲"),
    };
    let base = rss_mib();
    println!("  rows in memory: {base:.0} MiB resident");
    reset_peak();
    let t = Instant::now();
    let imp = store.check_import(&admin, input).await.expect("check");
    let check = t.elapsed().as_secs_f64();
    println!("  check peak {:.0} MiB", peak_mib());
    reset_peak();
    assert_eq!(imp.bad_rows, 0);
    let t = Instant::now();
    let done = store.commit_import(&admin, imp.id, OnDuplicate::Skip).await.expect("commit");
    let commit = t.elapsed().as_secs_f64();
    println!("  commit peak {:.0} MiB (the check's freed memory is reused, not returned)", peak_mib());
    assert_eq!(done.counts.unwrap().created, n as i64);
    // The same rows again (other names and codes), as plain INSERTs.
    let same: Vec<BTreeMap<String, String>> = rows(n, "乙")
        .into_iter()
        .map(|(_, mut r)| {
            r.insert("credit_code".into(), format!("X{}", &r["credit_code"][1..]));
            r
        })
        .collect();
    let t = Instant::now();
    kam_store::testing::bulk_insert_accounts(&store, &same).await.expect("bulk insert");
    let floor = t.elapsed().as_secs_f64();
    println!("{engine}: {n} account rows");
    println!("  check   {check:>8.2} s  {:>9.0} rows/s", n as f64 / check);
    println!("  commit  {commit:>8.2} s  {:>9.0} rows/s", n as f64 / commit);
    println!(
        "  floor   {floor:>8.2} s  {:>9.0} rows/s (the same five columns as plain bulk INSERTs, no checks, audit or search)",
        n as f64 / floor
    );
    println!("  check + commit / floor: {:.1}×", (check + commit) / floor);
    println!("  peak memory of the process so far: {:.0} MiB", peak_mib());
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("KAM_BENCH_IMPORT_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    run("sqlite", kam_store::testing::sqlite().await, n).await;
    if let Some(pg) = kam_store::testing::postgres().await {
        run("postgres", pg, n).await;
    }
}
