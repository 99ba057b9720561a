//! Reads on a large data set: the account list and its count, filters, the
//! search box and the duplicate-name check, as the people who use them see
//! them (a sales rep's and a manager's scope, and admin's).
//!
//! `cargo bench -p kam-store` (KAM_BENCH_ACCOUNTS=N for the size, default 5000;
//! KAM_TEST_POSTGRES_URL to run on PostgreSQL as well).

use std::time::{Duration, Instant};

use kam_core::Actor;
use kam_store::Store;
use kam_store::accounts::AccountFilter;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn time<F, Fut, T>(label: &str, runs: usize, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f().await);
        samples.push(t.elapsed());
    }
    let max = *samples.iter().max().unwrap_or(&Duration::ZERO);
    println!(
        "  {label:<48} median {:>9.3} ms   max {:>9.3} ms",
        median(samples).as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
}

async fn run(engine: &str, store: Store, n: usize) {
    let t = Instant::now();
    let report = kam_store::demo::generate(&store, n).await.expect("demo data");
    println!(
        "{engine}: {} accounts, {} contacts generated in {:.1} s ({:.2} ms per account with its contacts, audit and search terms)",
        report.accounts,
        report.contacts,
        t.elapsed().as_secs_f64(),
        t.elapsed().as_secs_f64() * 1e3 / n as f64
    );
    let actor = |name: &str| {
        let store = store.clone();
        let name = name.to_string();
        async move { store.user_by_username(&name).await.unwrap().unwrap().actor() }
    };
    let rep: Actor = actor("wangfang").await;
    let manager: Actor = actor("zhangwei").await;
    let admin: Actor = actor("admin").await;
    let page = AccountFilter { page: 1, per_page: 25, ..Default::default() };
    let runs = 30;
    for (who, a) in [("sales rep", &rep), ("manager", &manager), ("admin", &admin)] {
        time(&format!("{who}: list page 1 + count"), runs, || store.list_accounts(a, &page)).await;
        time(&format!("{who}: count only"), runs, || store.count_accounts(a, &page)).await;
    }
    let filtered = AccountFilter { grade: Some("A".into()), industry: Some("chemicals".into()), ..page.clone() };
    time("admin: grade A + chemicals, page 1 + count", runs, || store.list_accounts(&admin, &filtered)).await;
    let deep = AccountFilter { page: (n as i64 / 25).max(1), sort: Some("name".into()), ..page.clone() };
    time("admin: last page sorted by name", runs, || store.list_accounts(&admin, &deep)).await;
    let pool = AccountFilter { pool: true, ..page.clone() };
    time("sales rep: pool page 1 + count", runs, || store.list_accounts(&rep, &pool)).await;
    time("admin: search 2 chars (华信)", runs, || store.search(&admin, "华信", 20)).await;
    time("sales rep: search 2 chars (李强)", runs, || store.search(&rep, "李强", 20)).await;
    time("admin: search phone digits (8888)", runs, || store.search(&admin, "8888", 20)).await;
    time("similar-name check (杭州华信化工股份有限公司)", runs, || {
        store.similar_accounts("杭州华信化工股份有限公司", None)
    })
    .await;
    let one = store.list_accounts(&admin, &page).await.unwrap().items[0].id;
    time("admin: one account", runs, || store.account(&admin, one)).await;
    time("admin: contacts of one account", runs, || store.account_contacts(&admin, one)).await;
    // The money of the demo (its first 40 accounts have ledgers, orders, contracts).
    let finance: Actor = actor("sunli").await;
    let today = store.today();
    time("finance: receivables (aging, DSO) of every account", runs, || store.receivables(&finance, today)).await;
    let with_money = store.receivables(&finance, today).await.unwrap().first().map(|r| r.account_id).unwrap_or(one);
    time("finance: one account's ledger with running balance", runs, || store.ledgers(&finance, with_money)).await;
    let period = kam_core::time_util::month_of(today);
    time("finance: one account's credit assessment", runs, || store.credit(&finance, with_money, &period)).await;
    time("finance: one account's 附表五 for the year", runs, || {
        store.performance(&finance, with_money, today.year())
    })
    .await;
    // Issue 13: 附表一 over the whole company's revenue, one 附表六, archive completeness.
    let classes = kam_store::classification::ClassFilter { page: 1, per_page: 50, ..Default::default() };
    for (who, a) in [("manager", &manager), ("admin", &admin)] {
        time(&format!("{who}: 附表一 page 1 (ABC, RFM, count)"), runs, || store.classification(a, &classes)).await;
        time(&format!("{who}: completeness report page 1"), runs, || store.completeness_report(a, 1, 50)).await;
    }
    time("admin: one account's completeness", runs, || store.completeness(&admin, with_money)).await;
    let health = kam_store::health::HealthFilter { page: 1, per_page: 50, ..Default::default() };
    for (who, a) in [("sales rep", &rep), ("manager", &manager), ("admin", &admin)] {
        time(&format!("{who}: health list page 1 (every account scored)"), runs, || store.health_list(a, &health))
            .await;
    }
    time("admin: one account's health", runs, || store.health(&admin, with_money)).await;
    time("admin: one account's 附表六 for the year", runs, || {
        store.capability_sheet(&admin, with_money, today.year())
    })
    .await;
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("KAM_BENCH_ACCOUNTS").ok().and_then(|v| v.parse().ok()).unwrap_or(5000);
    run("SQLite", kam_store::testing::sqlite().await, n).await;
    if let Some(pg) = kam_store::testing::postgres().await {
        run("PostgreSQL", pg, n).await;
    }
}
