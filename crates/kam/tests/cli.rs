//! The operator CLI, run as a user would: the real binary against a fresh
//! SQLite file (and a fresh PostgreSQL database when KAM_TEST_POSTGRES_URL is set).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};

fn kam(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kam"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        // One connection: a pool read inside a held transaction fails here, not under load.
        .env("KAM_DB_CONNECTIONS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kam runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn sqlite_url(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("kam-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    format!("sqlite://{}/data/kam.db", dir.display())
}

fn postgres_url() -> Option<String> {
    let base = std::env::var(kam_store::testing::POSTGRES_ENV).ok()?;
    let rt = tokio::runtime::Runtime::new().unwrap();
    Some(rt.block_on(kam_store::testing::postgres_database(&base)))
}

fn operator_story(db: &str) {
    let o = kam(db, &["migrate"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = kam(db, &["user", "add", "admin", "--role", "admin", "--password-stdin"], Some("a-long-password\n"));
    assert!(o.status.success(), "{}", text(&o));
    let o = kam(
        db,
        &["user", "add", "wang", "--role", "sales", "--team", "华东销售部", "--name", "王芳", "--password-stdin"],
        Some("another-password"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = kam(db, &["user", "add", "wiz", "--role", "wizard", "--password-stdin"], Some("a-long-password"));
    assert!(!o.status.success() && text(&o).contains("unknown role"));
    let o = kam(db, &["user", "add", "short", "--role", "sales", "--password-stdin"], Some("abc"));
    assert!(!o.status.success() && text(&o).contains("8 characters"));
    let o = kam(db, &["user", "add", "nopw", "--role", "sales"], None);
    assert!(!o.status.success(), "no password on the command line");
    let o = kam(db, &["user", "add", "wang", "--role", "sales", "--password-stdin"], Some("another-password"));
    assert!(!o.status.success(), "usernames are unique");
    let o = kam(db, &["token", "create", "wang"], None);
    assert!(o.status.success(), "{}", text(&o));
    let token = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(token.starts_with("kam_") && !token.contains('\n'), "one line: {token}");
    let o = kam(db, &["token", "revoke", "wang"], None);
    assert!(o.status.success() && text(&o).contains("1 API token(s) of wang revoked"), "{}", text(&o));
    let o = kam(db, &["user", "disable", "wang"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = kam(db, &["token", "create", "wang"], None);
    assert!(!o.status.success(), "no tokens for a disabled user");
    let o = kam(db, &["user", "disable", "ghost"], None);
    assert!(!o.status.success() && text(&o).contains("no user ghost"));
    let o = kam(db, &["demo", "--accounts", "2"], None);
    assert!(!o.status.success(), "demo data only on an empty database");
}

/// `kam import`: a dry run, refused rows printed and nothing written, a
/// commit, an undo; the exit code says which.
fn import_story(db: &str) {
    let o = kam(db, &["migrate"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = kam(db, &["user", "add", "ops", "--role", "admin", "--password-stdin"], Some("a-long-password\n"));
    assert!(o.status.success(), "{}", text(&o));
    let dir = std::env::temp_dir().join(format!("kam-cli-import-{}-{}", std::process::id(), db.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "客户名单\n企业名称,客户等级\n甲公司,A 类\n乙公司,特级\n").unwrap();
    let o = kam(db, &["import", "accounts", bad.to_str().unwrap()], None);
    let out = text(&o);
    assert!(!o.status.success(), "a refused row fails the import: {out}");
    assert!(out.contains("row 4: Grade") && out.contains("nothing written"), "{out}");
    let good = dir.join("good.csv");
    std::fs::write(&good, "企业名称,客户等级\n甲公司,A 类\n丙公司,B\n").unwrap();
    let o = kam(db, &["import", "accounts", good.to_str().unwrap(), "--dry-run", "--as", "ops"], None);
    assert!(o.status.success() && text(&o).contains("dry run"), "{}", text(&o));
    let o = kam(db, &["import", "accounts", good.to_str().unwrap()], None);
    let out = text(&o);
    assert!(o.status.success() && out.contains("2 created"), "{out}");
    let id: String = out.split("import #").nth(1).unwrap().chars().take_while(|c| c.is_ascii_digit()).collect();
    let o = kam(db, &["import", "undo", &id], None);
    assert!(o.status.success() && text(&o).contains("undone"), "{}", text(&o));
    let o = kam(db, &["import", "undo", &id], None);
    assert!(!o.status.success(), "once: {}", text(&o));
    // Imported again and exported: the export imports back as duplicates only.
    let o = kam(db, &["import", "accounts", good.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let out_file = dir.join("客户导出.xlsx");
    let o = kam(db, &["export", "accounts", "--out", out_file.to_str().unwrap(), "--as", "ops"], None);
    assert!(o.status.success() && text(&o).contains("Exported accounts"), "{}", text(&o));
    let o = kam(db, &["import", "accounts", out_file.to_str().unwrap(), "--dry-run"], None);
    assert!(text(&o).contains("2 rows checked, 0 refused, 2 duplicates"), "{}", text(&o));
    let o = kam(db, &["export", "contacts", "--out", dir.join("c.xlsx").to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = kam(db, &["export", "orders", "--out", dir.join("o.xlsx").to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = kam(db, &["export", "visits", "--out", dir.join("v.xlsx").to_str().unwrap()], None);
    assert!(!o.status.success() && text(&o).contains("unknown kind"), "{}", text(&o));
    let o = kam(db, &["import", "accounts", "/no/such/file.xlsx"], None);
    assert!(!o.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn import_from_the_command_line_on_sqlite() {
    import_story(&sqlite_url("import"));
}

#[test]
fn import_from_the_command_line_on_postgres() {
    if let Some(url) = postgres_url() {
        import_story(&url);
    }
}

#[test]
fn operator_commands_on_sqlite() {
    operator_story(&sqlite_url("ops"));
}

#[test]
fn operator_commands_on_postgres() {
    match postgres_url() {
        Some(url) => operator_story(&url),
        None => {
            let _ = writeln!(
                std::io::stderr(),
                "note: KAM_TEST_POSTGRES_URL is not set: skipping the PostgreSQL leg of this test"
            );
        }
    }
}

#[test]
fn serve_with_demo_data_answers_on_its_port() {
    let db = sqlite_url("serve");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kam"))
        .args(["--database", &db, "serve", "--demo", "--demo-accounts", "4", "--listen", "127.0.0.1:0"])
        .env("KAM_DB_CONNECTIONS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let addr = loop {
        let line = lines.next().expect("kam prints its address").unwrap();
        printed.push(line.clone());
        if let Some(a) = line.strip_prefix("KAM is serving on http://") {
            break a.to_string();
        }
    };
    let all = printed.join("\n");
    assert!(all.contains("Demo logins (password for all: demo-"), "{all}");
    for user in ["admin", "zhangwei", "wangfang", "sunli", "zhoujie", "wujun"] {
        assert!(all.contains(user), "{user} listed");
    }
    let mut s = TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: kam\r\nConnection: close\r\n\r\n").unwrap();
    let mut res = String::new();
    s.read_to_string(&mut res).unwrap();
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    let _ = child.kill();
    let _ = child.wait();
}
