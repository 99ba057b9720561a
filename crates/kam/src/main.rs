//! `kam`: the KAM server and operator CLI. Parses the command line and calls
//! the libraries; everything else lives in kam-web and kam-store.

use std::io::Read;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use kam_core::Role;
use kam_store::Store;
use kam_store::users::NewUser;

/// Where the embedded database lives when no URL is given.
const DEFAULT_DATABASE: &str = "sqlite://kam-data/kam.db";

#[derive(Parser, Debug)]
#[command(name = "kam", version, about = "KAM 大客户管理系统 — key account management")]
struct Cli {
    /// Database URL: sqlite://PATH (default, created on first start) or postgres://…
    #[arg(long, global = true, env = "KAM_DATABASE_URL", default_value = DEFAULT_DATABASE, hide_env_values = true)]
    database: String,
    /// At most this many database connections (default 8 on SQLite, 10 on PostgreSQL).
    #[arg(long, global = true, env = "KAM_DB_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=1000))]
    db_connections: Option<u32>,
    #[command(subcommand)]
    command: Command,
}

fn parse_day(s: &str) -> Result<time::Date, String> {
    kam_core::time_util::parse_date(s).ok_or_else(|| format!("{s}: expected a date YYYY-MM-DD"))
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web UI and the JSON API on one port.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "KAM_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// On an empty database, create the demo company first and print its logins.
        #[arg(long)]
        demo: bool,
        /// How many accounts the demo company has.
        #[arg(long, default_value_t = 200)]
        demo_accounts: usize,
        /// Mark cookies Secure (when KAM is served behind TLS).
        #[arg(long, env = "KAM_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Trust X-Forwarded-For for client addresses (behind a load balancer).
        #[arg(long, env = "KAM_TRUST_PROXY")]
        trust_proxy: bool,
        /// The earliest date a ledger entry, due date, order or delivery may carry.
        #[arg(long, env = "KAM_EARLIEST_BUSINESS_DATE", default_value = "2000-01-01", value_parser = parse_day)]
        earliest_business_date: time::Date,
        /// How many days ahead of today a business date may lie.
        #[arg(long, env = "KAM_BUSINESS_DAYS_AHEAD", default_value_t = 366, value_parser = clap::value_parser!(i64).range(0..=3660))]
        business_days_ahead: i64,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Create demo data (users in every role, two teams, accounts, contacts, competitors).
    Demo {
        /// Number of accounts to create.
        #[arg(long, default_value_t = 200)]
        accounts: usize,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import a workbook (.xlsx, .xls, .ods, .csv in UTF-8 or GBK): `kam import accounts FILE`;
    /// `kam import undo ID` takes a committed import back. The file is checked first; with
    /// refused rows nothing is written and each is printed with its reason.
    Import {
        /// accounts, contacts, ledger, products, orders, contracts, competitors, visit_plans, targets, capability, the activity kinds (interactions, visits, service_records, complaints, needs, surveys) — or undo
        kind: String,
        /// The file to import (or, after `undo`, the import's id).
        target: String,
        /// The sheet to read (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// A saved mapping's name (saved on the import page or the API), or JSON: column index → field name ("" leaves a column out).
        #[arg(long)]
        mapping: Option<String>,
        /// The user the import is made as (default: the first administrator).
        #[arg(long = "as")]
        as_user: Option<String>,
        /// Check only: print what would be imported and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Rows naming a stored record: skip (default), update it with the row's filled cells, or create a new one all the same.
        #[arg(long, default_value = "skip")]
        on_duplicate: String,
    },
    /// Export a list as .xlsx, as the user sees it (only the fields they may see); audited.
    Export {
        /// accounts, contacts, orders, receivables (as of today), products, competitors, market-activities, statements, worklogs
        kind: String,
        /// The workbook to write.
        #[arg(long)]
        out: std::path::PathBuf,
        /// The user the export is made as (default: the first administrator).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        username: String,
        /// admin | manager | sales | finance | service | auditor
        #[arg(long)]
        role: String,
        /// Team name (created if new).
        #[arg(long)]
        team: Option<String>,
        /// Display name (defaults to the username).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (required: no passwords on the command line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user: ends their sessions and stops their API tokens.
    Disable { username: String },
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create an API token for a user and print it on one line.
    Create {
        username: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// Revoke every API token of a user.
    Revoke { username: String },
}

/// Opens the database (creating the SQLite directory if needed) and migrates it.
async fn open(url: &str, connections: Option<u32>) -> Result<Store> {
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let store = Store::connect_sized(url, connections)
        .await
        .with_context(|| format!("connecting to {}", kam_store::redact_url(url)))?;
    store.migrate().await.context("applying migrations")?;
    Ok(store)
}

fn print_demo(report: &kam_store::demo::DemoReport) {
    println!("Demo data: {} accounts, {} contacts.", report.accounts, report.contacts);
    println!("Demo logins (password for all: {}):", report.password);
    for l in &report.logins {
        println!(
            "  {:<10} {:<8} {:<8} {}",
            l.username,
            l.role.as_str(),
            l.display_name,
            l.team.as_deref().unwrap_or("")
        );
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let store = open(&cli.database, cli.db_connections).await?;
    match cli.command {
        Command::Serve {
            listen,
            demo,
            demo_accounts,
            secure_cookies,
            trust_proxy,
            earliest_business_date,
            business_days_ahead,
        } => {
            let window =
                kam_core::ledger::DateWindow { earliest: earliest_business_date, days_ahead: business_days_ahead };
            let store = store.clone().with_date_window(window);
            if demo && store.user_count().await? == 0 {
                let report = kam_store::demo::generate(&store, demo_accounts).await?;
                print_demo(&report);
            } else if demo {
                println!("The database already has users: no new demo data. The demo logins were printed when it was");
                println!("created; to start afresh, stop KAM and remove the database file (default ./kam-data/).");
            }
            if store.user_count().await? == 0 {
                println!("No users yet. Create the first administrator with:");
                println!("  kam user add admin --role admin --password-stdin");
            }
            // The sales forecast is refitted on start and then once a day (by the store's clock), in the background.
            let refits = store.clone();
            tokio::spawn(async move {
                loop {
                    match refits.refresh_forecast_if_stale().await {
                        Ok(Some(fit)) => {
                            tracing::info!(status = %fit.status, accounts = fit.accounts, "sales forecast refitted")
                        }
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, "sales forecast refit failed"),
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                }
            });
            let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("binding {listen}"))?;
            println!("KAM is serving on http://{}", listener.local_addr()?);
            let state = kam_web::AppState::new(store.clone(), kam_web::Config { secure_cookies, trust_proxy });
            kam_web::serve(listener, state).await?;
        }
        Command::Migrate => println!("Migrations applied."),
        Command::Demo { accounts } => {
            let report = kam_store::demo::generate(&store, accounts).await?;
            print_demo(&report);
        }
        Command::User { command: UserCommand::Add { username, role, team, name, password_stdin } } => {
            let Some(role) = Role::parse(&role) else {
                bail!("unknown role {role}: use admin, manager, sales, finance, service or auditor")
            };
            if !password_stdin {
                bail!("pass --password-stdin and give the password on standard input");
            }
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            if !kam_core::secret::password_ok(password) {
                bail!("the password needs at least 8 characters");
            }
            let hash = kam_core::secret::hash_password(password)?;
            let display = name.clone().unwrap_or_else(|| username.clone());
            let id = store
                .create_user(NewUser {
                    username: &username,
                    display_name: &display,
                    role,
                    team: team.as_deref(),
                    password_hash: hash,
                })
                .await
                .map_err(|e| match e {
                    kam_store::StoreError::Invalid(f) => anyhow::anyhow!("invalid user: {:?}", f.0),
                    other => other.into(),
                })?;
            println!("User {username} ({}) created with id {id}.", role.as_str());
        }
        Command::User { command: UserCommand::Disable { username } } => {
            store.disable_user(None, &username).await.map_err(|e| match e {
                kam_store::StoreError::NotFound => anyhow::anyhow!("no user {username}"),
                other => other.into(),
            })?;
            println!("User {username} disabled; their sessions have ended.");
        }
        Command::Token { command: TokenCommand::Create { username, label } } => {
            let token = store.create_token(&username, &label).await.map_err(|e| match e {
                kam_store::StoreError::NotFound => anyhow::anyhow!("no user {username}"),
                other => other.into(),
            })?;
            println!("{token}");
        }
        Command::Import { kind, target, sheet, mapping, as_user, dry_run, on_duplicate } => {
            let code = import(&store, &kind, &target, sheet, mapping, as_user, dry_run, &on_duplicate).await?;
            store.close().await;
            std::process::exit(code);
        }
        Command::Export { kind, out, as_user } => {
            let actor = import_actor(&store, as_user).await?;
            let lang = kam_web::i18n::Lang::Zh;
            let bytes: Vec<u8> = match kind.as_str() {
                "accounts" => {
                    let f = kam_store::accounts::AccountFilter { per_page: 200, ..Default::default() };
                    kam_web::exports::accounts_xlsx::<anyhow::Error>(&store, &actor, lang, f).await?
                }
                "contacts" => {
                    let f = kam_store::contacts::ContactFilter::default();
                    kam_web::exports::contacts_xlsx::<anyhow::Error>(&store, &actor, lang, f).await?
                }
                "orders" => {
                    let f = kam_store::orders::OrderFilter::default();
                    kam_web::exports::orders_xlsx::<anyhow::Error>(&store, &actor, lang, f).await?
                }
                "receivables" => {
                    kam_web::exports::receivables_xlsx::<anyhow::Error>(&store, &actor, lang, store.today()).await?
                }
                "products" => kam_web::exports::products_xlsx::<anyhow::Error>(&store, &actor, lang).await?,
                "competitors" => kam_web::exports::competitors_xlsx::<anyhow::Error>(&store, &actor, lang).await?,
                "market-activities" => {
                    kam_web::exports::market_activities_xlsx::<anyhow::Error>(&store, &actor, lang).await?
                }
                "statements" => {
                    let f = kam_store::statements::StatementFilter::default();
                    kam_web::exports::statements_xlsx::<anyhow::Error>(&store, &actor, lang, f).await?
                }
                "worklogs" => {
                    let f = kam_store::worklogs::WorklogFilter::default();
                    kam_web::exports::worklogs_xlsx::<anyhow::Error>(&store, &actor, lang, f).await?
                }
                other => bail!(
                    "unknown kind {other}: use accounts, contacts, orders, receivables, products, competitors, market-activities, statements or worklogs"
                ),
            };
            std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
            println!("Exported {kind} to {} ({} bytes).", out.display(), bytes.len());
        }
        Command::Token { command: TokenCommand::Revoke { username } } => {
            let Some(user) = store.user_by_username(&username).await? else { bail!("no user {username}") };
            let n = store.revoke_tokens(Some(user.id), user.id).await?;
            println!("{n} API token(s) of {username} revoked.");
        }
    }
    store.close().await;
    Ok(())
}

/// The user an import is made as: the named one, or the first administrator.
async fn import_actor(store: &Store, as_user: Option<String>) -> Result<kam_core::Actor> {
    let user = match as_user {
        Some(name) => store.user_by_username(&name).await?.with_context(|| format!("no user {name}"))?,
        None => {
            let users = store.users().await?;
            users
                .into_iter()
                .find(|u| u.role == Role::Admin && u.active)
                .context("no administrator: pass --as USERNAME")?
        }
    };
    Ok(user.actor())
}

/// `kam import`: checks, prints each refused row with its reason and a summary
/// line, and commits when every row passed; the exit code says whether it did.
#[allow(clippy::too_many_arguments)]
async fn import(
    store: &Store,
    kind: &str,
    target: &str,
    sheet: Option<String>,
    mapping: Option<String>,
    as_user: Option<String>,
    dry_run: bool,
    on_duplicate: &str,
) -> Result<i32> {
    use kam_store::imports::OnDuplicate;
    use kam_web::i18n::{Lang, t};
    let actor = import_actor(store, as_user).await?;
    if kind == "undo" {
        let id: i64 = target.parse().with_context(|| format!("not an import id: {target}"))?;
        return Ok(match store.undo_import(&actor, id).await {
            Ok(_) => {
                println!("import #{id} undone");
                0
            }
            Err(e) => {
                let blockers = store.import_undo_blockers(&actor, id).await.unwrap_or_default();
                eprintln!("import #{id} not undone: {}", store_message(&e));
                for b in blockers {
                    eprintln!("  blocked by {b}");
                }
                1
            }
        });
    }
    let Some(kind) = kam_core::import::ImportKind::parse(kind) else {
        bail!(
            "unknown kind {kind}: use accounts, contacts, ledger, products, orders, interactions, visits, service_records, complaints, needs, surveys, contracts, competitors, visit_plans, targets, capability or undo"
        )
    };
    let Some(on_duplicate) = OnDuplicate::parse(on_duplicate) else {
        bail!("--on-duplicate is skip, update or create")
    };
    let overrides = kam_web::import::Overrides::of(store, &actor, kind, mapping.as_deref())
        .await
        .map_err(|e| anyhow::anyhow!("--mapping: {}", store_message(&e)))?;
    let bytes = std::fs::read(target).with_context(|| format!("reading {target}"))?;
    let read = kam_web::import::read(target, &bytes, sheet.as_deref())
        .and_then(|s| kam_web::import::plan(kind, target, &bytes, &s, &overrides));
    let input = match read {
        Ok(i) => i,
        Err(key) => {
            eprintln!("{target}: {}", t(Lang::En, key));
            return Ok(1);
        }
    };
    let imp = store.check_import(&actor, input).await.map_err(|e| anyhow::anyhow!(store_message(&e)))?;
    let bad = kam_web::import::rows_of(store, &actor, imp.id, kam_store::imports::RowFilter::Bad)
        .await
        .map_err(|e| anyhow::anyhow!(store_message(&e)))?;
    for r in &bad {
        let why: Vec<String> = r.errors.iter().map(|e| kam_web::import::reason(Lang::En, kind, e)).collect();
        println!("row {}: {}", r.row, why.join("; "));
    }
    println!(
        "import #{}: {} rows checked, {} refused, {} duplicates",
        imp.id, imp.total_rows, imp.bad_rows, imp.duplicate_rows
    );
    if imp.bad_rows > 0 {
        println!("nothing written: fix the refused rows and run it again");
        return Ok(1);
    }
    if dry_run {
        println!("dry run: nothing written");
        return Ok(0);
    }
    match store.commit_import(&actor, imp.id, on_duplicate).await {
        Ok(done) => {
            let c = done.counts.unwrap_or_default();
            println!(
                "import #{} committed: {} created, {} updated, {} skipped",
                done.id, c.created, c.updated, c.skipped
            );
            Ok(0)
        }
        Err(e) => {
            eprintln!("import #{} not committed, nothing written: {}", imp.id, store_message(&e));
            Ok(1)
        }
    }
}

/// A store error as an operator reads it.
fn store_message(e: &kam_store::StoreError) -> String {
    use kam_web::i18n::{Lang, t};
    match e {
        kam_store::StoreError::Invalid(f) => {
            f.0.iter().map(|(k, v)| format!("{k}: {}", t(Lang::En, v))).collect::<Vec<_>>().join("; ")
        }
        kam_store::StoreError::Forbidden(k) | kam_store::StoreError::Conflict(k) => t(Lang::En, k).to_string(),
        kam_store::StoreError::NotFound => "not found".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_stable_commands_parse() {
        Cli::try_parse_from(["kam", "serve", "--listen", "0.0.0.0:9000", "--database", "sqlite://x.db"]).unwrap();
        Cli::try_parse_from(["kam", "user", "add", "wang", "--role", "sales", "--team", "East", "--password-stdin"])
            .unwrap();
        Cli::try_parse_from(["kam", "user", "disable", "wang"]).unwrap();
        Cli::try_parse_from(["kam", "token", "create", "wang"]).unwrap();
        Cli::try_parse_from(["kam", "token", "revoke", "wang"]).unwrap();
        Cli::try_parse_from(["kam", "--database", "postgres://u@h/db", "migrate"]).unwrap();
        Cli::try_parse_from(["kam", "demo", "--accounts", "50"]).unwrap();
        Cli::try_parse_from([
            "kam",
            "import",
            "accounts",
            "客户.xlsx",
            "--sheet",
            "Sheet1",
            "--as",
            "wang",
            "--dry-run",
        ])
        .unwrap();
        Cli::try_parse_from(["kam", "import", "undo", "12"]).unwrap();
        Cli::try_parse_from(["kam", "serve", "--earliest-business-date", "1995-01-01", "--business-days-ahead", "730"])
            .unwrap();
        assert!(Cli::try_parse_from(["kam", "serve", "--earliest-business-date", "1995-13-01"]).is_err());
    }
}
