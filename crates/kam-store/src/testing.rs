//! Fresh, migrated stores for tests: a SQLite file in the temp directory, and
//! a new PostgreSQL database when `KAM_TEST_POSTGRES_URL` is set. Each runs on
//! its own fixed clock standing at [`PINNED`]; a test that is about dates
//! moves it (`store.clock().set(…)`) rather than reading the wall clock.

use kam_core::UserId;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use kam_core::Role;
use kam_core::secret::random_token;

use crate::users::NewUser;
use crate::{Clock, Store};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Where a test store's clock stands unless the test moves it: a Saturday
/// morning in China (2026-11-28 10:00 UTC+8), late in a month whose stories
/// the suites tell.
pub const PINNED: &str = "2026-11-28T02:00:00Z";

/// The environment variable naming the PostgreSQL server for the second leg.
pub const POSTGRES_ENV: &str = "KAM_TEST_POSTGRES_URL";

/// A new SQLite database file, migrated.
pub async fn sqlite() -> Store {
    let dir = std::env::temp_dir().join("kam-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let path = dir.join(format!("t-{}-{n}-{}.db", std::process::id(), &random_token()[..8]));
    // One connection: a pool read inside a held transaction fails the test.
    let store = Store::connect_sized(&format!("sqlite://{}", path.display()), Some(1)).await.expect("sqlite connects");
    store.migrate().await.expect("sqlite migrates");
    store.with_clock(Clock::at(PINNED))
}

/// A new PostgreSQL database, migrated; `None` (with a note on the terminal)
/// when `KAM_TEST_POSTGRES_URL` is not set.
pub async fn postgres() -> Option<Store> {
    let Ok(base) = std::env::var(POSTGRES_ENV) else {
        // Written past the test harness's capture so the skip is visible.
        let _ =
            writeln!(std::io::stderr(), "note: {POSTGRES_ENV} is not set: skipping the PostgreSQL leg of this test");
        return None;
    };
    let url = postgres_database(&base).await;
    let store = Store::connect(&url).await.expect("postgres connects");
    store.migrate().await.expect("postgres migrates");
    Some(store.with_clock(Clock::at(PINNED)))
}

/// Creates a new empty database on the server of `base` and returns its URL.
pub async fn postgres_database(base: &str) -> String {
    sqlx::any::install_default_drivers();
    let name = format!("kam_t_{}", &random_token()[..16]);
    let admin = sqlx::AnyPool::connect(base).await.expect("postgres server reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.expect("create database");
    admin.close().await;
    match base.rfind('/') {
        Some(i) if base[..i].contains("://") && i > base.find("://").unwrap_or(0) + 2 => {
            let rest = &base[i + 1..];
            let query = rest.find('?').map(|q| &rest[q..]).unwrap_or("");
            format!("{}/{name}{query}", &base[..i])
        }
        _ => format!("{base}/{name}"),
    }
}

/// Creates a user with a fast throwaway hash (tests that log in set a real one).
pub async fn user(store: &Store, username: &str, role: Role, team: Option<&str>) -> UserId {
    store
        .create_user(NewUser { username, display_name: username, role, team, password_hash: "!".into() })
        .await
        .expect("user created")
}

/// For each named `async fn(Store)`, a test on SQLite and one on PostgreSQL
/// (which notes that it skipped when `KAM_TEST_POSTGRES_URL` is not set).
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::testing::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(s) = $crate::testing::postgres().await {
                        super::$name(s).await
                    }
                }
            )*
        }
    };
}

/// The floor an import is measured against: the same accounts as plain
/// multi-row INSERTs in one transaction, without checks, audit or search terms.
pub async fn bulk_insert_accounts(store: &Store, rows: &[BTreeMap<String, String>]) -> crate::Result<()> {
    let mut tx = store.begin().await?;
    let now = store.now_text();
    let cols = ["name", "credit_code", "grade", "phone", "notes"];
    for chunk in rows.chunks(200) {
        let mut q = crate::sql::Q::new(
            "INSERT INTO accounts (name, credit_code, grade, phone, notes, currency, created_at, updated_at) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(");
            for c in cols {
                q.arg(r.get(c).cloned().unwrap_or_default()).push(", ");
            }
            q.push("'CNY', ").arg(now.clone()).push(", ").arg(now.clone()).push(")");
        }
        q.query().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Writes `values` to a scratch table's float column through one statement
/// on one connection (a NULL first, then numbers, as a bound parameter each)
/// and reads them back: the probe of how `Q` binds a missing float.
pub async fn float_binds_round_trip(store: &Store, values: &[Option<f64>]) -> crate::Result<Vec<Option<f64>>> {
    let mut tx = store.begin().await?;
    let real = if store.engine() == crate::Engine::Sqlite { "REAL" } else { "DOUBLE PRECISION" };
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE TEMPORARY TABLE float_probe (n BIGINT, x {real})")))
        .execute(&mut *tx)
        .await?;
    for (n, v) in values.iter().enumerate() {
        let mut q = crate::sql::Q::new("INSERT INTO float_probe (n, x) VALUES (");
        q.arg(n as i64).push(", ").arg(*v).push(")");
        q.query().execute(&mut *tx).await?;
    }
    let rows = sqlx::query("SELECT x FROM float_probe ORDER BY n").fetch_all(&mut *tx).await?;
    let out = rows.iter().map(|r| sqlx::Row::try_get::<Option<f64>, _>(r, "x")).collect::<Result<Vec<_>, _>>()?;
    tx.rollback().await?;
    Ok(out)
}
