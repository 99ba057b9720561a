//! KAM's storage: one code path over sqlx's `Any` driver that runs the same
//! SQL on the embedded SQLite default and on PostgreSQL. Every write runs in
//! one transaction together with its audit row; every read of account data is
//! filtered in SQL by the acting user's scope.

pub mod accounts;
pub mod activity;
pub mod audit;
pub mod capability;
pub mod classification;
mod clock;
pub mod competitors;
pub mod complaints;
pub mod completeness;
pub mod contacts;
pub mod contracts;
pub mod credit;
pub mod dashboards;
pub mod demo;
pub mod dossier;
mod error;
pub mod forecasts;
pub mod health;
pub mod idempotency;
pub mod imports;
pub mod ledger;
pub mod lifecycle;
pub mod market;
pub mod market_analyses;
pub mod merges;
mod migrations;
pub mod orders;
pub mod products;
pub mod reminders;
pub mod sales;
pub mod search;
pub mod settings;
mod sql;
pub mod statements;
pub mod targets;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
pub mod visit_plans;
pub mod worklogs;
mod write;

use kam_core::UserId;
use std::str::FromStr;
use std::time::Duration;

pub use clock::Clock;
pub use error::StoreError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

pub type Result<T> = std::result::Result<T, StoreError>;
pub(crate) type Tx = Transaction<'static, Any>;

/// Who writes and when, by the application's clock: what a step row or a
/// plan row created inside another write records.
#[derive(Debug, Clone)]
pub(crate) struct Stamp {
    pub by: UserId,
    pub at: String,
}

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The database. Cheap to clone; all state lives in the database so several
/// server processes can share one PostgreSQL.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    url: String,
    /// The pool's size when not the default (`connect_sized`).
    max: Option<u32>,
    clock: Clock,
    dates: kam_core::ledger::DateWindow,
    /// Commits of imports running in this process: how far each has come.
    /// In memory, not in the database: the commit's own transaction holds
    /// what it writes until the end, so only the process running it can tell.
    progress: imports::ProgressBoard,
}

/// Masks the password of a database URL for logs and errors.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Store {
    /// Connects to `sqlite://…` or `postgres://…`. SQLite files are created on
    /// first use (the caller makes the directory).
    pub async fn connect(url: &str) -> Result<Store> {
        Self::connect_sized(url, None).await
    }

    /// `connect` with at most `max` connections (default 8 on SQLite, 10 on
    /// PostgreSQL). The SQLite test stores take one: a read on the pool while
    /// the same request holds a transaction then fails at once in the tests
    /// instead of deadlocking under load, when every connection is held by a
    /// writer waiting for the lock that transaction holds.
    pub async fn connect_sized(url: &str, max: Option<u32>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            return Err(StoreError::Config(format!("unsupported database URL: {}", redact_url(url))));
        };
        let url = match engine {
            Engine::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_string(),
        };
        let opts = AnyConnectOptions::from_str(&url)?;
        let url_kept = url.clone();
        let pool = AnyPoolOptions::new()
            .max_connections(max.unwrap_or(if engine == Engine::Sqlite { 8 } else { 10 }))
            .acquire_timeout(Duration::from_secs(if max == Some(1) { 5 } else { 30 }))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; \
                             PRAGMA busy_timeout=10000; PRAGMA synchronous=FULL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        Ok(Store {
            pool,
            engine,
            url: url_kept,
            max,
            clock: Clock::system(),
            dates: Default::default(),
            progress: Default::default(),
        })
    }

    /// The same database read and written under another clock (tests pin
    /// one; `kam serve` runs on the system clock).
    pub fn with_clock(mut self, clock: Clock) -> Store {
        self.clock = clock;
        self
    }

    /// The window business dates must lie in (default 2000-01-01 to a year ahead).
    pub fn with_date_window(mut self, dates: kam_core::ledger::DateWindow) -> Store {
        self.dates = dates;
        self
    }

    /// Refuses a business date outside the instance's window (as of today).
    pub fn check_business_date(&self, d: time::Date) -> std::result::Result<(), &'static str> {
        self.dates.check(d, self.today())
    }

    /// The application's clock: every "now" and China-time "today".
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Now, as stored (RFC 3339 UTC).
    pub(crate) fn now_text(&self) -> String {
        self.clock.now_text()
    }

    /// `by` acting now.
    pub(crate) fn stamp(&self, by: UserId) -> Stamp {
        Stamp { by, at: self.now_text() }
    }

    /// Today in China time, by the application's clock.
    pub fn today(&self) -> time::Date {
        self.clock.today()
    }

    /// A record's date `field` may not be after today (China time).
    pub(crate) fn check_not_future(&self, rec: &kam_core::Record, field: &str) -> Result<()> {
        match rec.get(field).and_then(kam_core::Value::as_text) {
            Some(d) if d > self.today().to_string().as_str() => Err(StoreError::field(field, "err.future_date")),
            _ => Ok(()),
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Applies the embedded migrations, rendered for this engine (see `migrations`).
    pub async fn migrate(&self) -> Result<()> {
        migrations::migrator(self.engine).run(&self.pool).await?;
        self.index_unindexed().await
    }

    /// Starts a write transaction. SQLite takes the write lock at once
    /// (`BEGIN IMMEDIATE`) so a read-then-write never fails with SQLITE_BUSY.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.pool.begin().await?,
        })
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Readiness: the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A second, independent connection pool to the same database, as another
    /// server process would have.
    pub async fn clone_fresh_pool(&self) -> Result<Store> {
        Ok(Store::connect_sized(&self.url, self.max).await?.with_clock(self.clock.clone()).with_date_window(self.dates))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("postgres://kam:secret@db:5432/kam"), "postgres://kam:***@db:5432/kam");
        assert_eq!(redact_url("sqlite://kam-data/kam.db"), "sqlite://kam-data/kam.db");
    }
}
