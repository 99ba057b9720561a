//! Browser journeys: what a user does, in Chromium, driven over WebDriver
//! (Debian's chromium and chromedriver). KAM runs in-process on SQLite with
//! the demo company and the test clock; each journey runs at a desktop
//! (1366×900) and a phone (390×844) size.
//!
//! A journey fails on a console error or a failed page resource, a form the
//! browser refuses to submit (HTML validation), or a horizontal scroll bar at
//! phone width. Screenshots of every step are kept under
//! `target/browser-journeys/<size>/`.
//!
//! Without chromedriver on the PATH (or `KAM_CHROMEDRIVER`) the journeys say
//! they are skipped, unless `KAM_BROWSER_TESTS=required` (CI), when that is a
//! failure.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

type Result<T> = std::result::Result<T, String>;

fn main() {
    // Under a moved system clock (CI's faketime legs) the browser would be moved too; the journeys
    // run on the real clock in the first leg, and KAM inside them stands on the test clock anyway.
    if std::env::var_os("KAM_FAKE_TIME").is_some() {
        println!("browser journeys: skipped under a moved system clock (they run in the first leg)");
        return;
    }
    let Some(driver) = chromedriver() else {
        if std::env::var("KAM_BROWSER_TESTS").as_deref() == Ok("required") {
            eprintln!("browser journeys: chromedriver not found and KAM_BROWSER_TESTS=required");
            std::process::exit(1);
        }
        println!("browser journeys: skipped (no chromedriver; install chromium and chromium-driver)");
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let failures = rt.block_on(run_all(driver));
    if failures.is_empty() {
        println!("browser journeys: all passed");
    } else {
        eprintln!("browser journeys failed:\n{}", failures.join("\n"));
        std::process::exit(1);
    }
}

fn chromedriver() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("KAM_CHROMEDRIVER") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| PathBuf::from(d).join("chromedriver")).find(|p| p.exists())
}

/// The chromedriver process, stopped when dropped.
struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where the screenshots go: `target/browser-journeys/<size>/<journey>-<step>.png`.
fn shots_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-journeys")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_driver(path: &PathBuf) -> Driver {
    let port = free_port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver(child, port)
}

struct Size {
    name: &'static str,
    width: u32,
    height: u32,
}

const SIZES: [Size; 2] =
    [Size { name: "desktop", width: 1366, height: 900 }, Size { name: "phone", width: 390, height: 844 }];

/// The PostgreSQL leg (when `KAM_TEST_POSTGRES_URL` names a server): the
/// same journeys at desktop size, screenshots under `postgres-desktop/`.
const POSTGRES_SIZE: Size = Size { name: "postgres-desktop", width: 1366, height: 900 };

/// The demo company and its logins, served on a free port.
struct Kam {
    base: String,
    password: String,
    store: kam_store::Store,
}

async fn start_kam(postgres: bool) -> Kam {
    let store = if postgres {
        kam_store::testing::postgres().await.expect("the PostgreSQL server of KAM_TEST_POSTGRES_URL")
    } else {
        kam_store::testing::sqlite().await
    };
    let report = kam_store::demo::generate(&store, 24).await.expect("demo data");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = kam_web::AppState::new(store.clone(), kam_web::Config::default());
    tokio::spawn(kam_web::serve(listener, state));
    Kam { base, password: report.password, store }
}

async fn run_all(driver_path: PathBuf) -> Vec<String> {
    let driver = start_driver(&driver_path).await;
    let _ = std::fs::remove_dir_all(shots_dir());
    let mut failures = Vec::new();
    let postgres = std::env::var(kam_store::testing::POSTGRES_ENV).is_ok();
    let legs = SIZES.iter().map(|s| (s, false)).chain(postgres.then_some((&POSTGRES_SIZE, true)));
    for (size, on_postgres) in legs {
        // A fresh company per size (and engine): the journeys create what they need.
        let kam = start_kam(on_postgres).await;
        // KAM_JOURNEYS=a,b runs only the journeys whose names contain one of them (while working on a page).
        let only = std::env::var("KAM_JOURNEYS").unwrap_or_default();
        let wanted = |name: &str| only.is_empty() || only.split(',').any(|o| name.contains(o.trim()));
        for (name, journey) in JOURNEYS.iter().filter(|(n, _)| wanted(n)) {
            let b = match Browser::open(&driver, &kam, size, name).await {
                Ok(b) => b,
                Err(e) => {
                    failures.push(format!("[{}] {name}: cannot open the browser: {e}", size.name));
                    continue;
                }
            };
            let result = journey(&b).await;
            if let Err(e) = &result {
                let _ = b.shot("failure").await;
                failures.push(format!("[{}] {name}: {e}", size.name));
            }
            println!("[{}] {name}: {}", size.name, if result.is_ok() { "ok" } else { "FAILED" });
            b.client.clone().close().await.ok();
        }
    }
    failures
}

type Journey = for<'a> fn(&'a Browser<'a>) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + 'a>>;

/// The journeys, in the order a company's first days would take them.
const JOURNEYS: &[(&str, Journey)] = &[
    ("account_contact_and_search", |b| Box::pin(account_contact_and_search(b))),
    ("claim_from_the_pool", |b| Box::pin(claim_from_the_pool(b))),
    ("duplicate_accounts_merged", |b| Box::pin(duplicate_accounts_merged(b))),
    ("duplicate_contacts_merged", |b| Box::pin(duplicate_contacts_merged(b))),
    ("dossier_edited_and_partly_accepted", |b| Box::pin(dossier_edited_and_partly_accepted(b))),
    ("work_log_written_returned_and_signed", |b| Box::pin(work_log_written_returned_and_signed(b))),
    ("complaint_to_closure", |b| Box::pin(complaint_to_closure(b))),
    ("payment_posted_and_reversed", |b| Box::pin(payment_posted_and_reversed(b))),
    ("order_over_the_limit_released", |b| Box::pin(order_over_the_limit_released(b))),
    ("visit_planned_recorded_and_on_today", |b| Box::pin(visit_planned_recorded_and_on_today(b))),
    ("statement_generated_disputed_and_settled", |b| Box::pin(statement_generated_disputed_and_settled(b))),
    ("import_checked_fixed_committed_and_undone", |b| Box::pin(import_checked_fixed_committed_and_undone(b))),
    ("opening_balances_imported_by_the_cashier", |b| Box::pin(opening_balances_imported_by_the_cashier(b))),
    ("a_year_of_orders_imported", |b| Box::pin(a_year_of_orders_imported(b))),
    ("a_large_file_commits_with_progress", |b| Box::pin(a_large_file_commits_with_progress(b))),
    ("capability_scored_compared_and_printed", |b| Box::pin(capability_scored_compared_and_printed(b))),
    ("grade_disagreement_accepted_and_exported", |b| Box::pin(grade_disagreement_accepted_and_exported(b))),
    ("least_complete_archive_filled", |b| Box::pin(least_complete_archive_filled(b))),
    ("worst_health_understood", |b| Box::pin(worst_health_understood(b))),
    ("nine_forms_found_and_printed", |b| Box::pin(nine_forms_found_and_printed(b))),
    ("quarter_targets_set_for_the_team", |b| Box::pin(quarter_targets_set_for_the_team(b))),
    ("forecast_read_refitted_and_dashboard_seen", |b| Box::pin(forecast_read_and_refitted(b))),
    ("service_board_read_and_exported", |b| Box::pin(service_board_read_and_exported(b))),
    ("churn_recorded_and_won_back", |b| Box::pin(churn_recorded_and_won_back(b))),
    ("share_recorded_and_competitor_history_read", |b| Box::pin(share_recorded_and_competitor_history_read(b))),
    ("market_analysed_and_regions_read", |b| Box::pin(market_analysed_and_regions_read(b))),
    ("sales_report_read_by_the_manager", |b| Box::pin(sales_report_read_by_the_manager(b))),
    ("company_set_and_every_page_seen", |b| Box::pin(company_set_and_every_page_seen(b))),
];

/// One browser session at one size.
struct Browser<'a> {
    client: Client,
    kam: &'a Kam,
    size: &'a Size,
    journey: &'static str,
    shots: std::cell::Cell<u32>,
}

impl<'a> Browser<'a> {
    async fn open(driver: &Driver, kam: &'a Kam, size: &'a Size, journey: &'static str) -> Result<Browser<'a>> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        let binary = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let mut opts = json!({"args": [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN",
            format!("--window-size={},{}", size.width, size.height),
        ]});
        if let Some(bin) = binary {
            opts["binary"] = json!(bin);
        }
        caps.insert("goog:chromeOptions".into(), opts);
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.1))
            .await
            .map_err(|e| e.to_string())?;
        client.set_window_size(size.width, size.height).await.map_err(|e| e.to_string())?;
        Ok(Browser { client, kam, size, journey, shots: std::cell::Cell::new(0) })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.kam.base)
    }

    async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.client.execute(script, args).await.map_err(|e| format!("script failed: {e}"))
    }

    /// Saves a screenshot of the page as it is.
    async fn shot(&self, step: &str) -> Result<()> {
        let n = self.shots.get() + 1;
        self.shots.set(n);
        let dir = shots_dir().join(self.size.name);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let png = self.client.screenshot().await.map_err(|e| e.to_string())?;
        std::fs::write(dir.join(format!("{}-{n:02}-{step}.png", self.journey)), png).map_err(|e| e.to_string())
    }

    /// What a user must never meet on a page: console errors, failed
    /// resources, a horizontal scroll bar at phone width, an error page.
    async fn check(&self, step: &str) -> Result<()> {
        self.shot(step).await?;
        let logs =
            self.client.issue_cmd(BrowserLog).await.map_err(|e| format!("{step}: reading the console failed: {e}"))?;
        let severe: Vec<String> = logs
            .as_array()
            .into_iter()
            .flatten()
            .filter(|l| l["level"] == "SEVERE")
            .map(|l| l["message"].as_str().unwrap_or_default().to_string())
            .collect();
        if !severe.is_empty() {
            return Err(format!("{step}: console errors: {severe:?}"));
        }
        let wide = self.js("return [document.documentElement.scrollWidth, window.innerWidth];", vec![]).await?;
        let (scroll, inner) = (wide[0].as_i64().unwrap_or(0), wide[1].as_i64().unwrap_or(0));
        if scroll > inner + 1 {
            return Err(format!("{step}: a horizontal scroll bar ({scroll}px of content in a {inner}px window)"));
        }
        let title = self.client.title().await.map_err(|e| e.to_string())?;
        if title.contains("出错") || title.contains("500") {
            return Err(format!("{step}: an error page: {title}"));
        }
        Ok(())
    }

    async fn goto(&self, path: &str, step: &str) -> Result<()> {
        self.client.goto(&self.url(path)).await.map_err(|e| format!("{step}: {e}"))?;
        self.check(step).await
    }

    async fn path(&self) -> Result<String> {
        let u = self.client.current_url().await.map_err(|e| e.to_string())?;
        Ok(match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
    }

    async fn body_text(&self) -> Result<String> {
        Ok(self.js("return document.body.innerText;", vec![]).await?.as_str().unwrap_or_default().to_string())
    }

    async fn expect_text(&self, text: &str, step: &str) -> Result<()> {
        let body = self.body_text().await?;
        if body.contains(text) {
            Ok(())
        } else {
            Err(format!("{step}: the page does not say {text:?} (at {})", self.path().await?))
        }
    }

    /// Types into the field named `name` inside `form` (clearing it first);
    /// a select takes the option whose value or label contains `value`.
    async fn fill(&self, form: &str, name: &str, value: &str) -> Result<()> {
        let done = self
            .js(
                r#"const [form, name, value] = arguments;
                   const f = document.querySelector(form);
                   if (!f) return "no form " + form;
                   const el = f.querySelector(`[name="${name}"]`);
                   if (!el) return "no field " + name;
                   if (el.tagName === "SELECT") {
                     const o = [...el.options].find(o => o.value === value || o.text.includes(value));
                     if (!o) return "no option " + value + " in " + name;
                     el.value = o.value;
                     el.dispatchEvent(new Event("change", {bubbles: true}));
                     return "select";
                   }
                   if (["date", "datetime-local", "time", "month", "hidden"].includes(el.type)) {
                     el.value = value;
                     el.dispatchEvent(new Event("input", {bubbles: true}));
                     return "select";
                   }
                   el.focus();
                   el.value = "";
                   return "type";"#,
                vec![json!(form), json!(name), json!(value)],
            )
            .await?;
        match done.as_str() {
            Some("select") => Ok(()),
            Some("type") => {
                let el = self
                    .client
                    .find(Locator::Css(&format!("{form} [name=\"{name}\"]")))
                    .await
                    .map_err(|e| e.to_string())?;
                el.send_keys(value).await.map_err(|e| format!("typing into {name}: {e}"))
            }
            other => Err(format!("filling {name}: {other:?}")),
        }
    }

    /// Presses the form's button (the one with `button_text`, or its first),
    /// as a person would, after the browser's own validation agrees; waits for
    /// the next page and checks it.
    async fn submit(&self, form: &str, button_text: Option<&str>, step: &str) -> Result<()> {
        let invalid = self
            .js(
                r#"const f = document.querySelector(arguments[0]);
                   if (!f) return ["no form " + arguments[0]];
                   sessionStorage.removeItem("kam_confirmed");
                   window.confirm = m => { sessionStorage.setItem("kam_confirmed", m); return true; };
                   return [...f.elements].filter(e => e.willValidate && !e.checkValidity())
                     .map(e => (e.name || e.id) + ": " + e.validationMessage);"#,
                vec![json!(form)],
            )
            .await?;
        if invalid.as_array().is_some_and(|a| !a.is_empty()) {
            self.shot(&format!("{step}-refused")).await?;
            return Err(format!("{step}: the browser refuses to submit the form: {invalid}"));
        }
        self.js("window.__kam_before = true;", vec![]).await?;
        let buttons = self
            .client
            .find_all(Locator::Css(&format!("{form} button:not([type=button])")))
            .await
            .map_err(|e| e.to_string())?;
        let mut chosen = None;
        for btn in buttons {
            let text = btn.text().await.unwrap_or_default();
            let value = btn.attr("value").await.ok().flatten().unwrap_or_default();
            if button_text.is_none_or(|t| text.contains(t) || value == t) {
                chosen = Some(btn);
                break;
            }
        }
        let btn = chosen.ok_or_else(|| format!("{step}: no button {button_text:?} in {form}"))?;
        btn.click().await.map_err(|e| format!("{step}: clicking: {e}"))?;
        self.wait_for_page(step).await
    }

    /// Goes to a page through the main menu, as a person would: the menu
    /// button first on a phone, "more" first when the link sits there.
    async fn menu(&self, href: &str, step: &str) -> Result<()> {
        if self.size.width < 700 {
            self.click("[data-toggle-menu]").await?;
        } else {
            let in_more = self
                .js(
                    "return !!document.querySelector('nav details.more a[href=\"' + arguments[0] + '\"]');",
                    vec![json!(href)],
                )
                .await?;
            if in_more == Value::Bool(true) {
                self.click("nav details.more > summary").await?;
            }
        }
        self.shot(&format!("{step}-menu")).await?;
        self.js("window.__kam_before = true;", vec![]).await?;
        self.click(&format!("nav a[href=\"{href}\"]")).await?;
        self.wait_for_page(step).await
    }

    /// The question the last submitted form asked before it was sent, if any.
    async fn confirmed(&self) -> Result<String> {
        let v = self.js("return sessionStorage.getItem('kam_confirmed');", vec![]).await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    async fn click(&self, css: &str) -> Result<()> {
        let el = self.client.find(Locator::Css(css)).await.map_err(|e| format!("{css}: {e}"))?;
        el.click().await.map_err(|e| format!("clicking {css}: {e}"))
    }

    /// Waits for the page after a click, then checks it.
    async fn wait_for_page(&self, step: &str) -> Result<()> {
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let gone = self
                .js("return window.__kam_before === undefined && document.readyState === 'complete';", vec![])
                .await
                .unwrap_or(Value::Bool(false));
            if gone == Value::Bool(true) {
                return self.check(step).await;
            }
        }
        Err(format!("{step}: no new page"))
    }

    async fn login(&self, username: &str) -> Result<()> {
        self.client.delete_all_cookies().await.map_err(|e| e.to_string())?;
        self.goto("/login", &format!("login-{username}")).await?;
        self.fill("form[action=\"/login\"]", "username", username).await?;
        self.fill("form[action=\"/login\"]", "password", &self.kam.password).await?;
        self.submit("form[action=\"/login\"]", None, &format!("home-{username}")).await?;
        if self.path().await?.starts_with("/login") {
            return Err(format!("{username} could not log in"));
        }
        Ok(())
    }

    /// The id in a path like `/accounts/12` or `/accounts/12?tab=x`.
    async fn id_in_path(&self, prefix: &str) -> Result<i64> {
        let p = self.path().await?;
        p.strip_prefix(prefix)
            .and_then(|r| r.split(['/', '?']).next())
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("expected to be at {prefix}…, am at {p}"))
    }
}

/// chromedriver's console log of the page (and failed resources).
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> std::result::Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

// ------------------------------------------------------------------ journeys

async fn account_contact_and_search(b: &Browser<'_>) -> Result<()> {
    b.login("wangfang").await?;
    b.goto("/accounts/new", "new-account").await?;
    let form = "form[action=\"/accounts\"]";
    b.fill(form, "name", "榕城精密机械有限公司").await?;
    // A credit code pasted with spaces is normalised by the server.
    b.fill(form, "credit_code", "9135 0100 M000 100Y43").await?;
    // 省/市/区 from the shipped list: the province narrows the cities, the city the districts.
    b.fill(form, "province", "福建省").await?;
    b.js("document.getElementById('f-province').dispatchEvent(new Event('change', {bubbles: true}));", vec![]).await?;
    let offered = |id: &'static str| async move {
        for _ in 0..30 {
            let n = b
                .js(
                    "return [...document.querySelectorAll('#' + arguments[0] + ' option')].map(o => o.value);",
                    vec![json!(id)],
                )
                .await?;
            if n.as_array().is_some_and(|a| !a.is_empty()) {
                return Ok::<Value, String>(n);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{id}: nothing offered"))
    };
    let cities = offered("dl-city").await?;
    if !cities.as_array().is_some_and(|a| a.contains(&json!("福州市")) && !a.contains(&json!("杭州市"))) {
        return Err(format!("the cities offered for 福建省: {cities}"));
    }
    b.fill(form, "city", "福州市").await?;
    b.js("document.getElementById('f-city').dispatchEvent(new Event('change', {bubbles: true}));", vec![]).await?;
    let districts = offered("dl-district").await?;
    if !districts.as_array().is_some_and(|a| a.contains(&json!("鼓楼区"))) {
        return Err(format!("the districts offered for 福州市: {districts}"));
    }
    b.fill(form, "district", "鼓楼区").await?;
    b.shot("address-picked").await?;
    b.submit(form, None, "account-saved").await?;
    let id = b.id_in_path("/accounts/").await?;
    b.expect_text("榕城精密机械有限公司", "account-saved").await?;
    let saved = b
        .kam
        .store
        .account(&actor_of(b, "wangfang").await?, kam_core::AccountId(id))
        .await
        .map_err(|e| e.to_string())?;
    if (saved.text("credit_code"), saved.text("city"), saved.text("district"))
        != (Some("91350100M000100Y43"), Some("福州市"), Some("鼓楼区"))
    {
        return Err(format!(
            "saved as {:?} {:?} {:?}",
            saved.text("credit_code"),
            saved.text("city"),
            saved.text("district")
        ));
    }
    b.goto(&format!("/accounts/{id}/contacts/new"), "new-contact").await?;
    let form = format!("form[action=\"/accounts/{id}/contacts\"]");
    b.fill(&form, "name", "林晓峰").await?;
    b.fill(&form, "mobile", "13905910001").await?;
    b.submit(&form, None, "contact-saved").await?;
    b.expect_text("林晓峰", "contact-saved").await?;
    // Found by two characters of its name, from the search box in the header.
    let search = "form[role=search]";
    if b.size.width < 600 {
        b.goto("/search?q=%E6%A6%95%E5%9F%8E", "search").await?;
    } else {
        b.fill(search, "q", "榕城").await?;
        b.js("document.querySelector('form[role=search]').submit(); window.__kam_before = true;", vec![]).await?;
        tokio::time::sleep(Duration::from_millis(800)).await;
        b.check("search").await?;
    }
    b.expect_text("榕城精密机械有限公司", "search").await
}

/// A customer workbook as people keep it: a title, header variants, A类, one bad row.
fn customer_workbook(path: &std::path::Path, bad_row: bool) -> Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    ws.merge_range(0, 0, 0, 2, "华东大客户名单", &Format::new()).map_err(e)?;
    for (i, h) in ["客户名称", "客户等级", "电子邮箱"].iter().enumerate() {
        ws.write_string(2, i as u16, *h).map_err(e)?;
    }
    ws.write_string(3, 0, "闽江导入机械有限公司").map_err(e)?;
    ws.write_string(3, 1, "A类").map_err(e)?;
    ws.write_string(4, 0, "闽江导入化工有限公司").map_err(e)?;
    ws.write_string(4, 1, if bad_row { "特级" } else { "B类" }).map_err(e)?;
    ws.write_string(4, 2, if bad_row { "not-an-email" } else { "buy@mjhg.cn" }).map_err(e)?;
    wb.save(path).map_err(e)
}

async fn import_checked_fixed_committed_and_undone(b: &Browser<'_>) -> Result<()> {
    b.login("zhangwei").await?;
    let dir = std::env::temp_dir().join(format!("kam-journey-import-{}-{}", std::process::id(), b.size.name));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (bad, good) = (dir.join("客户名单.xlsx"), dir.join("客户名单-改.xlsx"));
    customer_workbook(&bad, true)?;
    customer_workbook(&good, false)?;
    b.menu("/imports", "imports").await?;
    let form = "form[action=\"/imports\"]";
    b.fill(form, "kind", "accounts").await?;
    b.fill(form, "file", bad.to_str().ok_or("path")?).await?;
    b.submit(form, None, "import-checked").await?;
    // The check names the bad row, its cells and reasons, and offers them as a workbook.
    b.expect_text("有问题的行", "import-checked").await?;
    b.expect_text("客户等级", "import-checked").await?;
    b.expect_text("下载有问题的行", "import-checked").await?;
    // Fixed in the spreadsheet and uploaded again: no problem left, committed.
    b.goto("/imports", "imports-again").await?;
    b.fill(form, "kind", "accounts").await?;
    b.fill(form, "file", good.to_str().ok_or("path")?).await?;
    b.submit(form, None, "import-fixed").await?;
    let id = b.id_in_path("/imports/").await?;
    b.submit(&format!("form[action=\"/imports/{id}/commit\"]"), None, "import-committed").await?;
    b.expect_text("新建 2", "import-committed").await?;
    let actor = actor_of(b, "zhangwei").await?;
    let list = b
        .kam
        .store
        .list_accounts(&actor, &kam_store::accounts::AccountFilter { per_page: 200, ..Default::default() })
        .await
        .map_err(|e| e.to_string())?;
    let made = list.items.iter().find(|a| a.text("name") == Some("闽江导入机械有限公司")).ok_or("not imported")?;
    if made.text("grade") != Some("A") {
        return Err(format!("imported with grade {:?}", made.text("grade")));
    }
    // The same file again: both rows are duplicates; one is made all the same, the other skipped.
    b.goto("/imports", "imports-third").await?;
    b.fill(form, "kind", "accounts").await?;
    b.fill(form, "file", good.to_str().ok_or("path")?).await?;
    b.submit(form, None, "import-duplicates").await?;
    b.expect_text("与已有记录重复", "import-duplicates").await?;
    let again = b.id_in_path("/imports/").await?;
    let set = b.js("const s = document.querySelector('select[name=\"choice.4\"]'); if (!s) return false; s.value = 'create'; return true;", vec![]).await?;
    if set != Value::Bool(true) {
        return Err("no choice for row 4 of the duplicates".into());
    }
    b.shot("import-duplicate-choice").await?;
    b.submit(&format!("form[action=\"/imports/{again}/commit\"]"), None, "import-duplicates-committed").await?;
    b.expect_text("新建 1，更新 0，跳过 1", "import-duplicates-committed").await?;
    b.submit(&format!("form[action=\"/imports/{again}/undo\"]"), None, "import-duplicates-undone").await?;
    // A mistaken import is taken back in one step.
    b.goto(&format!("/imports/{id}"), "import-first").await?;
    b.submit(&format!("form[action=\"/imports/{id}/undo\"]"), None, "import-undone").await?;
    b.expect_text("已撤销", "import-undone").await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The cashier loads last year's closing balances as opening balances from
/// a CSV that Chinese Excel wrote (GB18030), with the sheet's own words (期初).
async fn opening_balances_imported_by_the_cashier(b: &Browser<'_>) -> Result<()> {
    let name = format!("期初导入客户{}", b.size.name);
    let rep = actor_of(b, "wangfang").await?;
    let input = kam_store::accounts::AccountInput {
        rec: [("name", kam_core::Value::Text(name.clone()))].into_iter().collect(),
        ..Default::default()
    };
    let acc = b.kam.store.create_account(&rep, input).await.map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("kam-journey-ledger-{}-{}", std::process::id(), b.size.name));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let csv = dir.join("期初余额.csv");
    let text = format!("客户名称,日期,类型,金额,备注\r\n{name},2026-01-01,期初,\"¥48,000.00\",2025 年末余额\r\n");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    std::fs::write(&csv, &gbk).map_err(|e| e.to_string())?;
    b.login("sunli").await?;
    b.menu("/imports", "imports").await?;
    let form = "form[action=\"/imports\"]";
    b.fill(form, "kind", "ledger").await?;
    b.fill(form, "file", csv.to_str().ok_or("path")?).await?;
    b.submit(form, None, "ledger-checked").await?;
    b.expect_text("检查完成", "ledger-checked").await?;
    let id = b.id_in_path("/imports/").await?;
    b.submit(&format!("form[action=\"/imports/{id}/commit\"]"), None, "ledger-committed").await?;
    b.expect_text("新建 1", "ledger-committed").await?;
    // The sheet's shape saved for next year's file, and offered on the upload form.
    let mapping = format!("财务期初表{}", b.size.name);
    let save = format!("form[action=\"/imports/{id}/mapping\"]");
    b.fill(&save, "name", &mapping).await?;
    b.submit(&save, None, "mapping-saved").await?;
    b.expect_text("导入模板已保存", "mapping-saved").await?;
    b.goto("/imports", "imports-with-mapping").await?;
    b.expect_text(&mapping, "imports-with-mapping").await?;
    let fin = actor_of(b, "sunli").await?;
    let balance = b.kam.store.balance_today(&fin, acc.id, "CNY").await.map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    if balance != 4_800_000 {
        return Err(format!("after the import the balance is {balance}"));
    }
    // The account's ledger shows it.
    b.goto(&format!("/accounts/{}?tab=ledger", acc.id), "ledger-tab").await?;
    b.expect_text("期初余额", "ledger-tab").await?;
    Ok(())
}

/// A file of more rows than a request should wait for: committed in the
/// background, the page shows how far it has come and comes back committed.
async fn a_large_file_commits_with_progress(b: &Browser<'_>) -> Result<()> {
    let n = kam_web::import::BACKGROUND_ROWS as usize + 10;
    let mut csv = String::from("公司名称,客户等级\r\n");
    for i in 0..n {
        csv.push_str(&format!("批量{}客户{i:05},C\r\n", b.size.name));
    }
    let dir = std::env::temp_dir().join(format!("kam-journey-large-{}-{}", std::process::id(), b.size.name));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join("大批客户.csv");
    std::fs::write(&file, csv).map_err(|e| e.to_string())?;
    b.login("zhangwei").await?;
    b.menu("/imports", "imports").await?;
    let form = "form[action=\"/imports\"]";
    b.fill(form, "kind", "accounts").await?;
    b.fill(form, "file", file.to_str().ok_or("path")?).await?;
    b.submit(form, None, "large-checked").await?;
    let id = b.id_in_path("/imports/").await?;
    b.submit(&format!("form[action=\"/imports/{id}/commit\"]"), None, "large-committing").await?;
    // The page follows the commit by itself and reloads when it is done.
    let done = format!("新建 {n}");
    for _ in 0..120 {
        if b.body_text().await?.contains(&done) {
            b.shot("large-committed").await?;
            let _ = std::fs::remove_dir_all(&dir);
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    Err(format!("after a minute the page still does not say {done:?}"))
}

/// The rep loads last year's sales record (one line per row, two rows of one
/// order number) onto an account: checked, committed, the orders on the account.
async fn a_year_of_orders_imported(b: &Browser<'_>) -> Result<()> {
    use kam_core::Value;
    let rep = actor_of(b, "wangfang").await?;
    let store = &b.kam.store;
    let err = |e: kam_store::StoreError| e.to_string();
    let name = format!("订单导入客户{}", b.size.name);
    let input = kam_store::accounts::AccountInput {
        rec: [("name", Value::Text(name.clone()))].into_iter().collect(),
        ..Default::default()
    };
    let acc = store.create_account(&rep, input).await.map_err(err)?;
    let admin = actor_of(b, "admin").await?;
    let code = format!("IMP-{}", b.size.name);
    let product = [
        ("code", Value::Text(code.clone())),
        ("name", Value::Text(format!("导入用膜{}", b.size.name))),
        ("unit", Value::Text("Kg".into())),
        ("list_price", Value::Int(1_000)),
    ];
    store.create_product(&admin, product.into_iter().collect()).await.map_err(err)?;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        ["客户名称", "订单号", "日期", "产品编码", "数量", "单价"],
        [name.as_str(), "2025-001", "2025-12-01", code.as_str(), "100", "9.50"],
        [name.as_str(), "2025-001", "", code.as_str(), "20", ""],
        [name.as_str(), "2025-002", "2025-12-15", code.as_str(), "5", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).map_err(|e| e.to_string())?;
        }
    }
    let dir = std::env::temp_dir().join(format!("kam-journey-orders-{}-{}", std::process::id(), b.size.name));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join("销售记录.xlsx");
    std::fs::write(&file, wb.save_to_buffer().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    b.login("wangfang").await?;
    b.menu("/imports", "imports").await?;
    let form = "form[action=\"/imports\"]";
    b.fill(form, "kind", "orders").await?;
    b.fill(form, "file", file.to_str().ok_or("path")?).await?;
    b.submit(form, None, "orders-checked").await?;
    b.expect_text("检查完成", "orders-checked").await?;
    let id = b.id_in_path("/imports/").await?;
    b.submit(&format!("form[action=\"/imports/{id}/commit\"]"), None, "orders-committed").await?;
    b.expect_text("新建 2", "orders-committed").await?;
    let f = kam_store::orders::OrderFilter { account_id: Some(acc.id), page: 1, per_page: 10, ..Default::default() };
    let orders = store.orders(&rep, &f).await.map_err(err)?;
    let mut totals: Vec<i64> = orders.items.iter().map(|o| o.total_with_tax).collect();
    totals.sort();
    let _ = std::fs::remove_dir_all(&dir);
    // 100 × ¥9.50 + 20 × ¥10.00 = ¥1,150.00; 5 × ¥10.00 = ¥50.00.
    if totals != vec![5_000, 115_000] {
        return Err(format!("imported orders total {totals:?}"));
    }
    b.goto(&format!("/accounts/{}?tab=orders", acc.id), "orders-tab").await?;
    b.expect_text("SO20251201-", "orders-tab").await?;
    b.expect_text("¥1,150.00", "orders-tab").await?;
    Ok(())
}

/// Two cards of one customer: the rep opens the merge from the account, takes
/// the suggested duplicate, keeps its phone, confirms; the old page leads here.
async fn duplicate_accounts_merged(b: &Browser<'_>) -> Result<()> {
    use kam_core::Value;
    let rep = actor_of(b, "wangfang").await?;
    let mk = |pairs: &[(&'static str, &str)]| kam_store::accounts::AccountInput {
        rec: pairs.iter().map(|(k, v)| (*k, Value::Text((*v).into()))).collect(),
        ..Default::default()
    };
    let store = &b.kam.store;
    let err = |e: kam_store::StoreError| e.to_string();
    let keep = store
        .create_account(&rep, mk(&[("name", "闽江新材料有限公司"), ("phone", "0591-88880000")]))
        .await
        .map_err(err)?;
    let dup = store
        .create_account(&rep, mk(&[("name", "闽江新材料有限公司（旧）"), ("phone", "0591-88889999"), ("grade", "A")]))
        .await
        .map_err(err)?;
    let name = [("name", Value::Text("陈立新".into()))].into_iter().collect();
    let contact = store.create_contact(&rep, dup.id, name, Default::default()).await.map_err(err)?;
    b.login("wangfang").await?;
    b.goto(&format!("/accounts/{}", keep.id), "survivor").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click(&format!("a[href=\"/accounts/{}/merge\"]", keep.id)).await?;
    b.wait_for_page("merge-start").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click(&format!("a[href$=\"merge?with={}\"]", dup.id)).await?;
    b.wait_for_page("merge-compare").await?;
    b.expect_text("0591-88889999", "merge-compare").await?;
    b.click("input[name=\"pick.phone\"][value=\"merged\"]").await?;
    b.shot("merge-picked").await?;
    b.submit("#merge-form", None, "merged").await?;
    if b.confirmed().await?.is_empty() {
        return Err("the merge was sent without asking for confirmation".into());
    }
    if b.id_in_path("/accounts/").await? != keep.id.0 {
        return Err(format!("after the merge, at {}", b.path().await?));
    }
    let now = store.account(&rep, keep.id).await.map_err(err)?;
    if (now.text("phone"), now.text("grade")) != (Some("0591-88889999"), Some("A")) {
        return Err(format!("merged as {:?} {:?}", now.text("phone"), now.text("grade")));
    }
    let c = store.contact(&rep, contact.id).await.map_err(err)?;
    if c.accounts.iter().map(|l| l.account_id).collect::<Vec<_>>() != vec![keep.id] {
        return Err("the duplicate's contact did not move".into());
    }
    b.goto(&format!("/accounts/{}", dup.id), "old-id").await?;
    if b.id_in_path("/accounts/").await? != keep.id.0 {
        return Err(format!("the old id leads to {}", b.path().await?));
    }
    Ok(())
}

/// Two cards of one person at one account: the rep opens the merge from the
/// contact, takes the suggested duplicate, keeps its mobile, confirms.
async fn duplicate_contacts_merged(b: &Browser<'_>) -> Result<()> {
    use kam_core::Value;
    let rep = actor_of(b, "wangfang").await?;
    let store = &b.kam.store;
    let err = |e: kam_store::StoreError| e.to_string();
    let input = kam_store::accounts::AccountInput {
        rec: [("name", Value::Text(format!("联系人合并客户{}", b.size.name)))].into_iter().collect(),
        ..Default::default()
    };
    let acc = store.create_account(&rep, input).await.map_err(err)?;
    let card = |mobile: &str| -> kam_core::Record {
        [("name", Value::Text("周建国".into())), ("mobile", Value::Text(mobile.into()))].into_iter().collect()
    };
    let keep = store.create_contact(&rep, acc.id, card("13900007001"), Default::default()).await.map_err(err)?;
    let dup = store.create_contact(&rep, acc.id, card("13900007002"), Default::default()).await.map_err(err)?;
    b.login("wangfang").await?;
    b.goto(&format!("/contacts/{}", keep.id), "contact").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click(&format!("a[href=\"/contacts/{}/merge\"]", keep.id)).await?;
    b.wait_for_page("contact-merge-start").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click(&format!("a[href$=\"merge?with={}\"]", dup.id)).await?;
    b.wait_for_page("contact-merge-compare").await?;
    b.expect_text("13900007002", "contact-merge-compare").await?;
    b.click("input[name=\"pick.mobile\"][value=\"merged\"]").await?;
    b.submit("#merge-form", None, "contact-merged").await?;
    if b.confirmed().await?.is_empty() {
        return Err("the merge was sent without asking for confirmation".into());
    }
    if b.id_in_path("/contacts/").await? != keep.id.0 {
        return Err(format!("after the merge, at {}", b.path().await?));
    }
    let now = store.contact(&rep, keep.id).await.map_err(err)?;
    if now.rec.get("mobile").and_then(Value::as_text) != Some("13900007002") {
        return Err(format!("merged with mobile {:?}", now.rec.get("mobile")));
    }
    b.goto(&format!("/contacts/{}", dup.id), "old-contact").await?;
    if b.id_in_path("/contacts/").await? != keep.id.0 {
        return Err(format!("the old id leads to {}", b.path().await?));
    }
    Ok(())
}

/// What a dossier export fails with in a journey: the store or the workbook.
#[derive(Debug)]
struct ExportError(String);

impl From<kam_store::StoreError> for ExportError {
    fn from(e: kam_store::StoreError) -> Self {
        ExportError(e.to_string())
    }
}

impl From<rust_xlsxwriter::XlsxError> for ExportError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ExportError(e.to_string())
    }
}

/// The rep downloads an account's dossier, edits it in a spreadsheet program
/// (a phone number, a bad e-mail, a contact's department, a new contact, a
/// ledger cell), uploads it, reads the diff and accepts all but the new contact.
async fn dossier_edited_and_partly_accepted(b: &Browser<'_>) -> Result<()> {
    use calamine::Reader;
    use kam_core::Value;
    let rep = actor_of(b, "wangfang").await?;
    let store = &b.kam.store;
    let err = |e: kam_store::StoreError| e.to_string();
    let input = kam_store::accounts::AccountInput {
        rec: [("name", Value::Text(format!("闽江档案客户{}", b.size.name)))].into_iter().collect(),
        ..Default::default()
    };
    let acc = store.create_account(&rep, input).await.map_err(err)?;
    let name = [("name", Value::Text("林档案".into()))].into_iter().collect();
    let contact = store.create_contact(&rep, acc.id, name, Default::default()).await.map_err(err)?;
    b.login("wangfang").await?;
    b.goto(&format!("/accounts/{}", acc.id), "account").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click("#dossier-link").await?;
    b.wait_for_page("dossier").await?;
    let status = b
        .js("const r = new XMLHttpRequest(); r.open('GET', document.querySelector('#dossier-download').href, false); r.send(); return r.status + ' ' + r.getResponseHeader('content-type');", vec![])
        .await?;
    if !status.as_str().is_some_and(|s| s.starts_with("200 application/vnd.openxmlformats")) {
        return Err(format!("the download answers {status}"));
    }
    // The workbook the link gives, edited as a spreadsheet program saves it.
    let bytes =
        kam_web::dossier::export::<ExportError>(store, &rep, kam_web::i18n::Lang::Zh, acc.id).await.map_err(|e| e.0)?;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut sheets: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for n in book.sheet_names().to_vec() {
        let range = book.worksheet_range(&n).map_err(|e| e.to_string())?;
        sheets.push((n, range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()));
    }
    let set = |sheets: &mut Vec<(String, Vec<Vec<String>>)>, s: usize, r: usize, c: usize, v: &str| {
        let rows = &mut sheets[s].1;
        let height = rows.len().max(r + 1);
        rows.resize(height, Vec::new());
        let width = rows[r].len().max(c + 1);
        rows[r].resize(width, String::new());
        rows[r][c] = v.into();
    };
    let row_of = |sheets: &Vec<(String, Vec<Vec<String>>)>, code: &str| {
        sheets[0].1.iter().position(|r| r.get(2).map(String::as_str) == Some(code)).ok_or(format!("no {code} row"))
    };
    let (phone, email) = (row_of(&sheets, "phone")?, row_of(&sheets, "email")?);
    set(&mut sheets, 0, phone, 1, "0591-87654321");
    set(&mut sheets, 0, email, 1, "不是邮箱");
    let head = sheets[1].1[0].clone();
    let col = |h: &str| head.iter().position(|x| x == h).ok_or(format!("no column {h}"));
    let (dept, name_col) = (col("部门")?, col("姓名")?);
    set(&mut sheets, 1, 1, dept, "设备部");
    set(&mut sheets, 1, 2, name_col, "不要的新联系人");
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (n, rows) in &sheets {
        let ws = wb.add_worksheet();
        ws.set_name(n).map_err(|e| e.to_string())?;
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                ws.write_string(r as u32, c as u16, v).map_err(|e| e.to_string())?;
            }
        }
    }
    let dir = std::env::temp_dir().join(format!("kam-journey-dossier-{}-{}", std::process::id(), b.size.name));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join("客户档案-改.xlsx");
    std::fs::write(&file, wb.save_to_buffer().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    b.fill("#dossier-upload", "file", file.to_str().ok_or("path")?).await?;
    b.submit("#dossier-upload", None, "dossier-diff").await?;
    b.expect_text("档案差异", "dossier-diff").await?;
    b.expect_text("0591-87654321", "dossier-diff").await?;
    b.expect_text("不能写入", "dossier-diff").await?;
    b.expect_text("设备部", "dossier-diff").await?;
    // All but the new contact.
    b.click("#dossier-new input[type=\"checkbox\"]").await?;
    b.shot("dossier-picked").await?;
    b.submit("#dossier-apply", None, "dossier-applied").await?;
    b.expect_text("已写入所选改动", "dossier-applied").await?;
    let now = store.account(&rep, acc.id).await.map_err(err)?;
    if now.text("phone") != Some("0591-87654321") || now.text("email").is_some() {
        return Err(format!("written as {:?} {:?}", now.text("phone"), now.text("email")));
    }
    let c = store.contact(&rep, contact.id).await.map_err(err)?;
    if c.rec.get("department").and_then(Value::as_text) != Some("设备部") {
        return Err("the department was not written".into());
    }
    let all = store.account_contacts(&rep, acc.id).await.map_err(err)?;
    if all.len() != 1 {
        return Err(format!("{} contacts: the unticked one was made", all.len()));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

async fn claim_from_the_pool(b: &Browser<'_>) -> Result<()> {
    b.login("liuyang").await?;
    b.menu("/pool", "pool").await?;
    let href = b
        .js("const a = document.querySelector('main table a[href^=\"/accounts/\"]'); return a && a.getAttribute('href');", vec![])
        .await?;
    let href = href.as_str().ok_or("the pool lists no account")?.to_string();
    b.goto(&href, "pool-account").await?;
    let id = b.id_in_path("/accounts/").await?;
    b.submit(&format!("form[action=\"/accounts/{id}/claim\"]"), None, "claimed").await?;
    let owner = b
        .kam
        .store
        .account(&actor_of(b, "admin").await?, kam_core::AccountId(id))
        .await
        .map_err(|e| e.to_string())?
        .owner_name;
    if owner.as_deref() != Some("刘洋") {
        return Err(format!("after claiming, the owner is {owner:?}"));
    }
    Ok(())
}

async fn work_log_written_returned_and_signed(b: &Browser<'_>) -> Result<()> {
    // The morning's visit, recorded (附表三) before the log is written.
    let rep = actor_of(b, "wangfang").await?;
    let acc = own_account(b, "wangfang").await?;
    let visit = [
        ("visited_at", kam_core::Value::Text("2026-11-28T09:30".into())),
        ("ended_at", kam_core::Value::Text("2026-11-28T10:30".into())),
        ("goal", kam_core::Value::Text("洽谈年度供货协议".into())),
    ]
    .into_iter()
    .collect();
    b.kam.store.create_activity(&kam_core::activity::VISIT, &rep, acc.id, visit).await.map_err(|e| e.to_string())?;
    b.login("wangfang").await?;
    b.goto("/worklogs/new", "new-log").await?;
    let form = "#worklog-form";
    // The visit is offered as the first row, times and all.
    let first = b
        .js("return ['who','time_from','time_to','content'].map(n => document.querySelector('[name=\"visits.0.' + n + '\"]').value);", vec![])
        .await?;
    if first != json!([acc.id.to_string(), "09:30", "10:30", "洽谈年度供货协议"]) {
        return Err(format!("the day's visit is not offered in the log: {first}"));
    }
    // 拜访对象 is searchable: typing part of the name narrows the long list to it.
    let boxed = b
        .js("const s = document.querySelector('[name=\"visits.0.who\"]'); return [s.options.length, !!(s.previousElementSibling && s.previousElementSibling.matches('input.select-search'))];", vec![])
        .await?;
    if boxed[1] != Value::Bool(true) {
        return Err(format!("the 拜访对象 list has no search box: {boxed}"));
    }
    let part: String = acc.name().chars().take(4).collect();
    let el = b
        .client
        .find(Locator::Css("#rows-visits fieldset:nth-of-type(1) input.select-search"))
        .await
        .map_err(|e| e.to_string())?;
    el.send_keys(&part).await.map_err(|e| e.to_string())?;
    let shown = b
        .js("return [...document.querySelector('[name=\"visits.0.who\"]').options].filter(o => o.value && !o.hidden).map(o => o.text);", vec![])
        .await?;
    let shown: Vec<String> =
        shown.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
    if shown.is_empty()
        || shown.iter().any(|t| !t.contains(&part))
        || shown.len() as i64 >= boxed[0].as_i64().unwrap_or(0) - 1
    {
        return Err(format!("typing {part:?} offers {shown:?}"));
    }
    b.shot("who-searched").await?;
    // The spare row is taken out with its button; the internal-affairs row stays empty.
    b.click("#rows-visits fieldset:nth-of-type(2) .remove-row").await?;
    b.fill(form, "market_analysis", "华东需求回暖，客户询价增多").await?;
    b.submit(form, None, "log-saved").await?;
    let id = b.id_in_path("/worklogs/").await?;
    b.submit(&format!("form[action=\"/worklogs/{id}/submit\"]"), None, "log-submitted").await?;
    // The cashier returns it with a reason.
    b.login("sunli").await?;
    b.goto(&format!("/worklogs/{id}"), "log-at-cashier").await?;
    b.fill("#sign", "comment", "请补充回款情况").await?;
    b.submit("#sign", Some("退回"), "log-returned").await?;
    // The rep finds it on Today, edits it and sends it again.
    b.login("wangfang").await?;
    b.goto("/today", "today-returned-log").await?;
    b.expect_text("被退回的日志", "today-returned-log").await?;
    b.goto(&format!("/worklogs/{id}/edit"), "log-edit").await?;
    b.fill(form, "visits.0.content", "洽谈年度供货协议，客户同意下月签约").await?;
    b.submit(form, None, "log-edited").await?;
    b.submit(&format!("form[action=\"/worklogs/{id}/submit\"]"), None, "log-resubmitted").await?;
    // Cashier, then the department head, sign.
    b.login("sunli").await?;
    b.goto(&format!("/worklogs/{id}"), "log-at-cashier-again").await?;
    b.submit("#sign", Some("同意"), "log-cashier-signed").await?;
    b.login("qianhui").await?;
    b.goto(&format!("/worklogs/{id}"), "log-at-accountant").await?;
    b.submit("#sign", Some("同意"), "log-accountant-signed").await?;
    b.login("zhangwei").await?;
    b.goto(&format!("/worklogs/{id}"), "log-at-head").await?;
    b.fill("#sign", "evaluation", "拜访扎实").await?;
    b.submit("#sign", Some("同意"), "log-head-signed").await?;
    b.expect_text("拜访扎实", "log-head-signed").await
}

async fn complaint_to_closure(b: &Browser<'_>) -> Result<()> {
    b.login("zhoujie").await?;
    b.goto("/accounts/1/complaints/new", "new-complaint").await?;
    let form = "form[action=\"/accounts/1/complaints\"]";
    b.fill(form, "received_at", "2026-11-28T09:00").await?;
    b.fill(form, "complainant", "王主任").await?;
    b.fill(form, "subject", "包装破损").await?;
    b.fill(form, "content", "两箱外包装破损，内件受潮").await?;
    b.fill(form, "priority", "high").await?;
    b.submit(form, None, "complaint-saved").await?;
    b.expect_text("包装破损", "complaint-saved").await?;
    let href = b
        .js(
            "const a = document.querySelector('main a[href^=\"/complaints/\"]'); return a && a.getAttribute('href');",
            vec![],
        )
        .await?;
    b.goto(href.as_str().ok_or("the account lists no complaint")?, "complaint").await?;
    let id = b.id_in_path("/complaints/").await?;
    let form = format!("form[action=\"/complaints/{id}/transition\"]");
    for (i, to) in ["analysing", "handling"].iter().enumerate() {
        b.fill(&form, "note", &format!("第{}步", i + 1)).await?;
        b.submit(&form, Some(to), &format!("complaint-{i}-{to}")).await?;
    }
    // A reply before saying how it was handled leads to the form, which says what is missing.
    b.submit(&form, Some("replied"), "complaint-reply-refused").await?;
    if !b.path().await?.starts_with(&format!("/complaints/{id}/edit")) {
        return Err(format!("a reply without remedy stays at {}", b.path().await?));
    }
    b.expect_text("回复或结案前，请先填写处理办法和处理结果", "complaint-reply-refused").await?;
    let edit = "main form[method=post]";
    b.fill(edit, "remedy", "更换包装，补发两箱").await?;
    b.fill(edit, "result", "客户已收到补发货物").await?;
    b.submit(edit, None, "complaint-handled").await?;
    b.goto(&format!("/complaints/{id}"), "complaint-ready").await?;
    for (i, to) in ["replied", "closed"].iter().enumerate() {
        b.submit(&form, Some(to), &format!("complaint-{}-{to}", i + 2)).await?;
    }
    b.expect_text("已结案", "complaint-closed").await
}

async fn payment_posted_and_reversed(b: &Browser<'_>) -> Result<()> {
    b.login("sunli").await?;
    b.goto("/accounts/1/ledger/new", "new-entry").await?;
    let form = "form[action=\"/accounts/1/ledger\"]";
    b.fill(form, "entry_date", "2026-11-28").await?;
    b.fill(form, "kind", "payment").await?;
    b.fill(form, "amount", "1,234.56").await?;
    b.fill(form, "reference", "银行回单 0001").await?;
    b.submit(form, None, "payment-posted").await?;
    b.goto("/accounts/1?tab=ledger", "ledger").await?;
    b.expect_text("1,234.56", "ledger").await?;
    let action = b
        .js("const f = document.querySelector('form[action^=\"/ledger-entries/\"][action$=\"/reverse\"]'); return f && f.getAttribute('action');", vec![])
        .await?;
    let action = action.as_str().ok_or("no reversal button on the ledger")?.to_string();
    let form = format!("form[action=\"{action}\"]");
    // A reversal says why: the browser insists before anything is sent.
    let invalid = b.js("return !document.querySelector(arguments[0]).checkValidity();", vec![json!(form)]).await?;
    if invalid != Value::Bool(true) {
        return Err("a reversal without a reason would be sent".into());
    }
    b.fill(&form, "note", "重复录入").await?;
    b.submit(&form, None, "reversed").await?;
    if b.confirmed().await?.is_empty() {
        return Err("a reversal was sent without asking for confirmation".into());
    }
    b.expect_text("重复录入", "reversed").await
}

async fn actor_of(b: &Browser<'_>, username: &str) -> Result<kam_core::Actor> {
    let u = b.kam.store.user_by_username(username).await.map_err(|e| e.to_string())?.ok_or("no such user")?;
    Ok(u.actor())
}

async fn order_over_the_limit_released(b: &Browser<'_>) -> Result<()> {
    // Setup: one of the rep's accounts with a credit limit of ¥1.00.
    let acc = own_account(b, "wangfang").await?;
    let limit = [("credit_limit", kam_core::Value::Int(100))].into_iter().collect();
    let input = kam_store::accounts::AccountInput { rec: limit, ..Default::default() };
    b.kam.store.update_account(&actor_of(b, "sunli").await?, acc.id, input).await.map_err(|e| e.to_string())?;

    b.login("wangfang").await?;
    b.goto(&format!("/accounts/{}/orders/new", acc.id), "new-order").await?;
    let form = format!("form[action=\"/accounts/{}/orders\"]", acc.id);
    b.fill(&form, "order_date", "2026-11-28").await?;
    let product = b
        .js("const s = document.querySelector('[name=\"lines.0.product_id\"]'); const o = s && [...s.options].find(o => o.value); return o && o.value;", vec![])
        .await?;
    b.fill(&form, "lines.0.product_id", product.as_str().ok_or("no product to order")?).await?;
    b.fill(&form, "lines.0.quantity", "10").await?;
    // The total shows before the order is placed: ten at the product's list price.
    let product_id: kam_core::ProductId = product.as_str().unwrap_or_default().parse().map_err(|_| "product id")?;
    let products = b.kam.store.products(false).await.map_err(|e| e.to_string())?;
    let price = products
        .iter()
        .find(|p| p.id == product_id)
        .and_then(|p| p.rec.get("list_price").and_then(kam_core::Value::as_int))
        .ok_or("no list price")?;
    let shown = b.js("return document.querySelector('[data-total]').textContent;", vec![]).await?;
    let shown = shown.as_str().unwrap_or_default().to_string();
    let figure: f64 = shown.rsplit('¥').next().unwrap_or_default().replace(',', "").parse().unwrap_or(-1.0);
    if !shown.contains("订单合计") || (figure * 100.0).round() as i64 != price * 10 {
        return Err(format!("the order form shows {shown:?} before placing, not 10 × {price} 分"));
    }
    b.shot("order-total").await?;
    b.submit(&form, None, "order-held").await?;
    let id = b.id_in_path("/orders/").await?;
    b.expect_text("信用冻结", "order-held").await?;
    let warned = b
        .js("const f = document.querySelector('.flash'); return !!f && f.classList.contains('warning');", vec![])
        .await?;
    if warned != Value::Bool(true) {
        return Err("a held order's notice is not shown as a warning".into());
    }
    let number = b.js("return document.querySelector('h1').innerText;", vec![]).await?;
    let number = number
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .find(|w| w.starts_with("SO"))
        .unwrap_or("SO")
        .to_string();
    // Finance finds it on Today.
    b.login("sunli").await?;
    b.goto("/today", "today-held-order").await?;
    b.expect_text("信用冻结订单", "today-held-order").await?;
    b.expect_text(&number, "today-held-order").await?;
    b.goto(&format!("/orders/{id}"), "held-order-at-finance").await?;
    let form = format!("form[action=\"/orders/{id}/transition\"]:has(input[name=to][value=placed])");
    b.fill(&form, "note", "客户已承诺月底前付款").await?;
    b.submit(&form, None, "order-released").await?;
    b.expect_text("已下单", "order-released").await
}

/// One of the rep's accounts.
async fn own_account(b: &Browser<'_>, username: &str) -> Result<kam_store::accounts::Account> {
    let rep = actor_of(b, username).await?;
    let f = kam_store::accounts::AccountFilter { owner_id: Some(rep.user_id), per_page: 1, ..Default::default() };
    b.kam.store.list_accounts(&rep, &f).await.map_err(|e| e.to_string())?.items.pop().ok_or_else(|| "no account".into())
}

async fn visit_planned_recorded_and_on_today(b: &Browser<'_>) -> Result<()> {
    let acc = own_account(b, "wangfang").await?;
    let name = acc.name().to_string();
    b.login("wangfang").await?;
    b.goto(&format!("/accounts/{}/visit-plan", acc.id), "visit-plan").await?;
    let form = format!("form[action=\"/accounts/{}/visit-plan\"]", acc.id);
    // The first free slot: today (the test clock's 2026-11-28).
    let free = b
        .js("const i = [...document.querySelectorAll('input[name^=planned_]')].find(i => !i.value && !i.disabled); return i && i.name;", vec![])
        .await?;
    let slot = free.as_str().ok_or("no free slot in the visit plan")?.to_string();
    b.fill(&form, &slot, "2026-11-28").await?;
    b.submit(&form, None, "visit-planned").await?;
    b.goto("/today", "today-with-plan").await?;
    b.expect_text(&name, "today-with-plan").await?;
    b.goto(&format!("/accounts/{}/visits/new", acc.id), "new-visit").await?;
    let form = format!("form[action=\"/accounts/{}/visits\"]", acc.id);
    b.fill(&form, "visited_at", "2026-11-28T09:30").await?;
    b.fill(&form, "goal", "确认明年采购计划").await?;
    b.fill(&form, "objections", "价格比竞品高 5%").await?;
    b.fill(&form, "resolution_plan", "提供年度返利方案").await?;
    b.fill(&form, "next_planned", "2026-12-05").await?;
    b.submit(&form, None, "visit-recorded").await?;
    b.expect_text("确认明年采购计划", "visit-recorded").await
}

/// A sales manager scores this month's 25 factors (附表六) for three of the
/// team's accounts, compares them on one radar (附表七) and prints it.
async fn capability_scored_compared_and_printed(b: &Browser<'_>) -> Result<()> {
    let boss = actor_of(b, "zhangwei").await?;
    let f = kam_store::accounts::AccountFilter { per_page: 3, sort: Some("name".into()), ..Default::default() };
    let accounts = b.kam.store.list_accounts(&boss, &f).await.map_err(|e| e.to_string())?.items;
    if accounts.len() < 3 {
        return Err("the demo team has fewer than three accounts".into());
    }
    b.login("zhangwei").await?;
    for (k, acc) in accounts.iter().enumerate() {
        b.goto(&format!("/accounts/{}", acc.id), &format!("account-{k}")).await?;
        b.js("window.__kam_before = true;", vec![]).await?;
        b.click("#capability-link").await?;
        b.wait_for_page(&format!("sheet-{k}")).await?;
        b.js("window.__kam_before = true;", vec![]).await?;
        b.click("#fill-this-month").await?;
        b.wait_for_page(&format!("month-form-{k}")).await?;
        // Every factor by a click on its score: 4, 3, 2 or 1 in turn, shifted per account.
        for factor in 1..=25 {
            let nth = 1 + (factor + k) % 4;
            let css = format!("#factor-{factor} label.score:nth-child({nth})");
            // Scrolled to mid-screen as a thumb would, clear of the sticky save bar.
            b.js("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", vec![json!(css)]).await?;
            b.click(&css).await?;
        }
        if k == 0 {
            b.shot("month-form-filled").await?;
        }
        b.submit("#capability-form", None, &format!("month-saved-{k}")).await?;
        b.expect_text("已保存", &format!("month-saved-{k}")).await?;
        let total = b.js("return document.querySelectorAll('td[data-total]')[10].innerText;", vec![]).await?;
        // Scores 4,3,2,1 in turn over 25 factors: six full rounds (60) and one more.
        let expected = 60 + [4, 3, 2, 1][(1 + k) % 4];
        if total.as_str() != Some(expected.to_string().as_str()) {
            return Err(format!("November's total of account {k}: {total} (expected {expected})"));
        }
    }
    b.goto("/capability/compare", "compare-empty").await?;
    for (k, acc) in accounts.iter().enumerate() {
        b.fill("#compare-form", &format!("a{}", k + 1), acc.name()).await?;
    }
    b.fill("#compare-form", "month", "2026-11").await?;
    b.submit("#compare-form", None, "compared").await?;
    let drawn = b.js("return document.querySelectorAll('#compare-radar polygon.series').length;", vec![]).await?;
    if drawn != json!(3) {
        return Err(format!("the overlaid radar has {drawn} series, not 3"));
    }
    b.expect_text(accounts[2].name(), "compared").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click("#compare-print").await?;
    b.wait_for_page("compare-print").await?;
    b.expect_text("客户综合销售力对比分析表", "compare-print").await?;
    b.expect_text("名 次", "compare-print").await
}

/// A sales manager opens 附表一 from the menu, sees where a grade disagrees
/// with the computed ABC class, accepts one and exports the list.
async fn grade_disagreement_accepted_and_exported(b: &Browser<'_>) -> Result<()> {
    b.login("zhangwei").await?;
    b.menu("/classification", "classification").await?;
    b.click("#class-filter input[name=disagreeing]").await?;
    b.submit("#class-filter", None, "disagreeing").await?;
    let first = b
        .js("const f = document.querySelector('form[action$=\"/classification/accept\"]'); return f ? f.getAttribute('action') : null;", vec![])
        .await?;
    let action = first.as_str().ok_or("no disagreeing row a manager may accept")?.to_string();
    let id: i64 =
        action.trim_start_matches("/accounts/").split('/').next().and_then(|s| s.parse().ok()).ok_or("bad action")?;
    let boss = actor_of(b, "zhangwei").await?;
    let before = b.kam.store.account(&boss, kam_core::AccountId(id)).await.map_err(|e| e.to_string())?;
    b.submit(&format!("form[action=\"{action}\"]"), None, "accepted").await?;
    b.expect_text("客户等级已按计算结果更新", "accepted").await?;
    if !b.confirmed().await?.contains("将客户等级改为") {
        return Err("accepting did not ask first".into());
    }
    let after = b.kam.store.account(&boss, kam_core::AccountId(id)).await.map_err(|e| e.to_string())?;
    if after.text("grade") == before.text("grade") {
        return Err(format!("the grade did not change: {:?}", after.text("grade")));
    }
    let href = b.js("return document.querySelector('#class-export').getAttribute('href');", vec![]).await?;
    if !href.as_str().is_some_and(|h| h.starts_with("/classification.xlsx?") && h.contains("disagreeing=1")) {
        return Err(format!("the export does not keep the filter: {href}"));
    }
    Ok(())
}

/// The account of the page the browser is on (`/accounts/{id}/…`).
async fn account_in_path(b: &Browser<'_>) -> Result<Option<i64>> {
    Ok(b.path().await?.strip_prefix("/accounts/").and_then(|p| p.split(['/', '?']).next()).and_then(|s| s.parse().ok()))
}

/// A sales manager opens the completeness report from the menu, opens the
/// least complete archive, follows the link beside a missing part of its card
/// to the form, fills it and sees the figure rise.
async fn least_complete_archive_filled(b: &Browser<'_>) -> Result<()> {
    b.login("zhangwei").await?;
    b.menu("/completeness", "completeness-report").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click("#complete-report tbody tr:first-child td:first-child a").await?;
    b.wait_for_page("least-complete").await?;
    let id = account_in_path(b).await?.ok_or("the report's first row does not open an account's completeness")?;
    let boss = actor_of(b, "zhangwei").await?;
    let before = b.kam.store.completeness(&boss, kam_core::AccountId(id)).await.map_err(|e| e.to_string())?;
    let failing = |c: &kam_store::completeness::Completeness, f: &str| {
        c.checks.iter().any(|(k, o)| k == &format!("profile.{f}") && *o == kam_core::completeness::Outcome::Fail)
    };
    let (field, value) =
        [("street", "五四路 88 号"), ("phone", "0591-87654321"), ("business_scope", "塑料包装材料的生产与销售")]
            .into_iter()
            .find(|(f, _)| failing(&before, f))
            .ok_or("the least complete archive lacks none of street, phone and business scope")?;
    let shown = b.js("return document.querySelector('#complete-percent').innerText;", vec![]).await?;
    if shown.as_str() != Some(format!("{}%", before.percent).as_str()) {
        return Err(format!("the page shows {shown}, the store {}%", before.percent));
    }
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click("#complete-checks tr.check-fail a[href$='/edit']").await?;
    b.wait_for_page("card-form").await?;
    let form = format!("form[action=\"/accounts/{id}\"]");
    b.fill(&form, field, value).await?;
    b.submit(&form, None, "card-saved").await?;
    b.goto(&format!("/accounts/{id}/completeness"), "completeness-after").await?;
    let after = b.kam.store.completeness(&boss, kam_core::AccountId(id)).await.map_err(|e| e.to_string())?;
    if failing(&after, field) || after.percent <= before.percent {
        return Err(format!(
            "{field} still missing or the figure did not rise: {}% → {}%",
            before.percent, after.percent
        ));
    }
    b.expect_text(&format!("{}%", after.percent), "completeness-after").await
}

/// A sales manager opens the health list from the menu, opens the account
/// with the lowest score and reads why: the factor that costs most is named
/// in the list, and on the account's page the contributions add up to the score.
async fn worst_health_understood(b: &Browser<'_>) -> Result<()> {
    b.login("zhangwei").await?;
    b.menu("/health", "health-list").await?;
    let weakest = b
        .js("return document.querySelector('#health-list tbody tr:first-child td:last-child').innerText;", vec![])
        .await?;
    let weakest = weakest.as_str().unwrap_or_default().to_string();
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click("#health-list tbody tr:first-child td:first-child a").await?;
    b.wait_for_page("worst-health").await?;
    let id = account_in_path(b).await?.ok_or("the list's first row does not open an account's health")?;
    let boss = actor_of(b, "zhangwei").await?;
    let h = b.kam.store.health(&boss, kam_core::AccountId(id)).await.map_err(|e| e.to_string())?.health;
    let shown = b.js("return [document.querySelector('#health-score').innerText, document.querySelector('#health-sum').innerText, [...document.querySelectorAll('#health-factors [data-points]')].reduce((s, e) => s + Number(e.innerText), 0)];", vec![]).await?;
    let score = h.score.map(|s| s.to_string()).unwrap_or_default();
    if shown[0].as_str() != Some(score.as_str())
        || shown[1].as_str() != Some(score.as_str())
        || shown[2].as_i64().map(|n| n.to_string()) != Some(score.clone())
    {
        return Err(format!("score {score}: the page shows {shown}"));
    }
    if let Some(w) = kam_web::health::weakest(&h) {
        let name = kam_web::health::label(kam_web::i18n::Lang::Zh, w.key);
        if !weakest.starts_with(&name) {
            return Err(format!("the list names {weakest:?}, not {name}"));
        }
        b.expect_text(&name, "worst-health").await?;
    }
    Ok(())
}

/// A sales manager opens Reports from the menu, finds an account's 附表四
/// by typing its name and gets the paper form, then prints 附表二 of the
/// year and 附表一 from the same page.
async fn nine_forms_found_and_printed(b: &Browser<'_>) -> Result<()> {
    let boss = actor_of(b, "zhangwei").await?;
    let f = kam_store::accounts::AccountFilter { per_page: 1, sort: Some("name".into()), ..Default::default() };
    let acc = b.kam.store.list_accounts(&boss, &f).await.map_err(|e| e.to_string())?.items.pop().ok_or("no account")?;
    b.login("zhangwei").await?;
    b.menu("/reports", "reports").await?;
    for n in ["附表一", "附表二", "附表四", "附表九"] {
        b.expect_text(n, "reports").await?;
    }
    let form = "#form-4 form[action=\"/reports/open\"]";
    b.fill(form, "q", acc.name()).await?;
    b.submit(form, None, "card-opened").await?;
    if !b.path().await?.starts_with(&format!("/accounts/{}/card/print", acc.id)) {
        // Several accounts share the name's part: the list offers this one.
        let href = format!("/accounts/{}/card/print", acc.id);
        b.js("window.__kam_before = true;", vec![]).await?;
        b.click(&format!("#form-4 a[href=\"{href}\"]")).await?;
        b.wait_for_page("card-chosen").await?;
    }
    b.expect_text("客户资料卡", "card-print").await?;
    b.expect_text(acc.name(), "card-print").await?;
    b.expect_text("企业决策领导", "card-print").await?;
    b.goto("/reports", "reports-again").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click("#form-2 a[href=\"/visit-plans/print\"]").await?;
    b.wait_for_page("plans-print").await?;
    b.expect_text("客户拜访计划", "plans-print").await?;
    b.expect_text("第十二次", "plans-print").await?;
    b.goto("/reports", "reports-third").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click("#form-1 a[href=\"/classification/print\"]").await?;
    b.wait_for_page("class-print").await?;
    b.expect_text("客户归类汇总表", "class-print").await
}

/// A sales manager opens 销售目标 from the menu, types this quarter's three
/// months for a rep of the team, saves, and reads the quarter's target and
/// attainment in the table above.
async fn quarter_targets_set_for_the_team(b: &Browser<'_>) -> Result<()> {
    b.login("zhangwei").await?;
    b.menu("/targets", "targets").await?;
    let first = b
        .js("const i = document.querySelector('#target-form input[name$=\"_10\"]'); return i && i.name;", vec![])
        .await?;
    let name = first.as_str().ok_or("no rep of the team to set a target for")?.to_string();
    let rep = name.trim_start_matches("t_").trim_end_matches("_10").to_string();
    for (m, v) in [(10, "10000"), (11, "12,000"), (12, "¥8000")] {
        b.js(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
            vec![json!(format!("#target-form input[name=\"t_{rep}_{m}\"]"))],
        )
        .await?;
        b.fill("#target-form", &format!("t_{rep}_{m}"), v).await?;
    }
    b.submit("#target-form", None, "targets-saved").await?;
    b.expect_text("已保存", "targets-saved").await?;
    b.expect_text("¥30,000.00", "targets-saved").await?;
    let boss = actor_of(b, "zhangwei").await?;
    let rows = b.kam.store.targets(&boss, kam_core::targets::Level::Rep, 2026).await.map_err(|e| e.to_string())?;
    let row = rows.iter().find(|r| r.id.to_string() == rep).ok_or("the rep's row is gone")?;
    if row.months[9..12] != [Some(1_000_000), Some(1_200_000), Some(800_000)] {
        return Err(format!("saved months: {:?}", row.months));
    }
    Ok(())
}

async fn forecast_read_and_refitted(b: &Browser<'_>) -> Result<()> {
    b.login("zhangwei").await?;
    b.menu("/forecasts", "forecasts").await?;
    b.expect_text("BG/NBD", "forecasts").await?;
    b.submit("form[action=\"/forecasts/refresh\"]", None, "forecast-refitted").await?;
    let fit = b.kam.store.forecast_fit().await.map_err(|e| e.to_string())?.ok_or("no fit stored")?;
    match fit.params {
        // The page shows the fitted r to three places.
        Some(p) => b.expect_text(&format!("{:.3}", p.r), "forecast-refitted").await?,
        None => b.expect_text("订单历史太短", "forecast-refitted").await?,
    }
    // The manager's dashboard: attainment and forecast charts beside their tables.
    b.menu("/dashboard", "dashboard").await?;
    b.expect_text("目标达成", "dashboard").await?;
    let charts = b.js("return document.querySelectorAll('main svg.chart').length;", vec![]).await?;
    if charts.as_i64().unwrap_or(0) < 1 {
        return Err(format!("the dashboard draws {charts} charts"));
    }
    b.goto("/dashboards/finance", "dashboard-finance").await?;
    b.expect_text("近 12 个月回款", "dashboard-finance").await
}

/// Service staff open their board from the menu: complaints by status and
/// against their deadlines, satisfaction by month, each chart beside its
/// table, and the board's workbook linked; the manager's board shows the
/// visit-plan compliance and the orders on credit hold.
async fn service_board_read_and_exported(b: &Browser<'_>) -> Result<()> {
    b.login("zhoujie").await?;
    b.menu("/dashboard", "service-dashboard").await?;
    b.expect_text("客服仪表盘", "service-dashboard").await?;
    b.expect_text("未结投诉与时限", "service-dashboard").await?;
    b.expect_text("满意度趋势", "service-dashboard").await?;
    let charts = b.js("return document.querySelectorAll('main svg.chart').length;", vec![]).await?;
    if charts.as_i64().unwrap_or(0) < 2 {
        return Err(format!("the service board draws {charts} charts"));
    }
    let link = b.js("return document.querySelector('#dashboard-xlsx').getAttribute('href');", vec![]).await?;
    if link != "/dashboards/service/xlsx" {
        return Err(format!("the workbook link is {link}"));
    }
    b.login("zhangwei").await?;
    b.goto("/dashboards/manager", "manager-dashboard-more").await?;
    b.expect_text("拜访计划完成", "manager-dashboard-more").await?;
    b.expect_text("信用冻结订单", "manager-dashboard-more").await?;
    b.expect_text("综合销售力趋势", "manager-dashboard-more").await
}

/// A rep records the share seen at an account on its competition tab (ours,
/// then a competitor's), sees the history drawn beside its table, and opens
/// the competitor's profile with its share history at the rep's accounts.
async fn share_recorded_and_competitor_history_read(b: &Browser<'_>) -> Result<()> {
    let rep = actor_of(b, "wangfang").await?;
    let f = kam_store::accounts::AccountFilter { per_page: 1, sort: Some("name".into()), ..Default::default() };
    let acc = b.kam.store.list_accounts(&rep, &f).await.map_err(|e| e.to_string())?.items;
    let acc = acc.first().ok_or("wangfang holds no account")?;
    let competitor = b
        .kam
        .store
        .competitors(&rep)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or("no competitor in the demo")?;
    let competitor_name = competitor.rec.get("name").and_then(kam_core::Value::as_text).unwrap_or_default().to_string();
    b.login("wangfang").await?;
    b.goto(&format!("/accounts/{}?tab=competition", acc.id), "competition-tab").await?;
    let today = b.kam.store.today().to_string();
    b.fill("#share-form", "competitor_id", "我方").await?;
    b.fill("#share-form", "observed_on", &today).await?;
    b.fill("#share-form", "share_pct", "47.5").await?;
    b.fill("#share-form", "source", "采购经理口述").await?;
    b.submit("#share-form", None, "share-recorded").await?;
    b.expect_text("47.5%", "share-recorded").await?;
    b.fill("#share-form", "competitor_id", &competitor_name).await?;
    b.fill("#share-form", "observed_on", &today).await?;
    b.fill("#share-form", "share_pct", "31").await?;
    b.submit("#share-form", None, "competitor-share-recorded").await?;
    b.expect_text("采购经理口述", "competitor-share-recorded").await?;
    let lines = b.js("return document.querySelectorAll('#share-history svg.chart polyline, #share-history svg.chart circle').length;", vec![]).await?;
    if lines.as_i64().unwrap_or(0) < 2 {
        return Err(format!("the share chart draws {lines} marks"));
    }
    b.menu("/competitors", "competitors").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click(&format!("a[href=\"/competitors/{}\"]", competitor.id)).await?;
    b.wait_for_page("competitor").await?;
    b.expect_text("在各客户的占有率历史", "competitor").await?;
    b.expect_text(acc.name(), "competitor").await
}

/// A manager records a market analysis on its form and reads it back in the
/// region × industry view beside the team's accounts.
async fn market_analysed_and_regions_read(b: &Browser<'_>) -> Result<()> {
    b.login("zhangwei").await?;
    b.menu("/market-analyses", "market-analyses").await?;
    b.expect_text("地区 × 行业", "market-analyses").await?;
    let form = "#market-analysis-form";
    b.fill(form, "industry", "化工").await?;
    b.fill(form, "province", "浙江省").await?;
    b.fill(form, "analysed_on", &b.kam.store.today().to_string()).await?;
    b.fill(form, "market_size", "80,000,000").await?;
    b.fill(form, "our_share_pct", "4.5").await?;
    b.fill(form, "source", "浙江省化工协会").await?;
    b.submit(form, None, "market-analysed").await?;
    b.expect_text("浙江省化工协会", "market-analysed").await?;
    b.expect_text("80,000,000.00", "market-analysed").await
}

/// The manager opens the sales report from the menu: the months' chart beside
/// its table, the product, rep and grade tables, and the workbook linked.
async fn sales_report_read_by_the_manager(b: &Browser<'_>) -> Result<()> {
    b.login("zhangwei").await?;
    b.menu("/reports/sales", "sales-report").await?;
    b.expect_text("按产品", "sales-report").await?;
    b.expect_text("按客户等级", "sales-report").await?;
    let charts = b.js("return document.querySelectorAll('main svg.chart').length;", vec![]).await?;
    if charts.as_i64().unwrap_or(0) < 1 {
        return Err(format!("the sales report draws {charts} charts"));
    }
    let link = b.js("return document.querySelector('#sales-xlsx').getAttribute('href');", vec![]).await?;
    if !link.as_str().unwrap_or_default().starts_with("/reports/sales.xlsx?year=") {
        return Err(format!("the workbook link is {link}"));
    }
    Ok(())
}

async fn churn_recorded_and_won_back(b: &Browser<'_>) -> Result<()> {
    b.login("wangfang").await?;
    b.menu("/churns", "churns").await?;
    b.goto("/accounts", "accounts").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click("main table tbody tr:first-child a[href^=\"/accounts/\"]").await?;
    b.wait_for_page("account").await?;
    b.js("window.__kam_before = true;", vec![]).await?;
    b.click("#lifecycle-link").await?;
    b.wait_for_page("lifecycle").await?;
    let id = account_in_path(b).await?.ok_or("the badge does not open the account's lifecycle")?;
    b.expect_text("阶段如何计算", "lifecycle").await?;
    b.fill("#churn-form", "churned_on", "2026-11-20").await?;
    b.fill("#churn-form", "reason_category", "被竞争对手夺走").await?;
    b.fill("#churn-form", "reason", "改用对手的缠绕膜").await?;
    b.submit("#churn-form", None, "churn-recorded").await?;
    b.expect_text("已保存", "churn-recorded").await?;
    b.expect_text("已流失", "churn-recorded").await?;
    let rep = actor_of(b, "wangfang").await?;
    let l = b.kam.store.account_lifecycle(&rep, kam_core::AccountId(id)).await.map_err(|e| e.to_string())?;
    let churn = l.churns.first().ok_or("no churn record saved")?.id;
    let form = format!("form[action=\"/churns/{churn}/actions\"]");
    b.fill(&form, "due_on", "2026-12-03").await?;
    b.fill(&form, "action", "总经理回访，报新价").await?;
    b.submit(&form, None, "action-added").await?;
    b.goto("/today", "today-with-action").await?;
    b.expect_text("总经理回访，报新价", "today-with-action").await?;
    b.goto(&format!("/accounts/{id}/lifecycle"), "lifecycle-again").await?;
    let l = b.kam.store.account_lifecycle(&rep, kam_core::AccountId(id)).await.map_err(|e| e.to_string())?;
    let action = l.churns.iter().find(|c| c.id == churn).and_then(|c| c.actions.first()).ok_or("no action")?.id;
    let form = format!("form[action=\"/winback-actions/{action}\"]");
    b.fill(&form, "outcome", "succeeded").await?;
    b.submit(&form, None, "won-back").await?;
    b.expect_text("挽回期", "won-back").await
}

async fn statement_generated_disputed_and_settled(b: &Browser<'_>) -> Result<()> {
    b.login("sunli").await?;
    b.goto("/statements?period=2026-10", "statements").await?;
    let form = "form[action=\"/statements/generate\"]";
    b.fill(form, "period", "2026-10").await?;
    b.submit(form, None, "statements-generated").await?;
    let hrefs = b
        .js("return [...new Set([...document.querySelectorAll('main a[href^=\"/statements/\"]')].map(a => a.getAttribute('href')).filter(h => /^\\/statements\\/\\d+$/.test(h)))];", vec![])
        .await?;
    // The first statement with lines to answer: sent, then the customer disputes its first line.
    let mut found = None;
    for href in hrefs.as_array().into_iter().flatten().filter_map(Value::as_str).take(12) {
        let id: i64 = href.trim_start_matches("/statements/").parse().map_err(|_| "statement id")?;
        b.goto(href, "statement").await?;
        let lines = b.js("return document.querySelectorAll('main tbody tr').length;", vec![]).await?;
        if lines.as_i64().unwrap_or(0) == 0 {
            continue;
        }
        let send = format!("form[action=\"/statements/{id}/send\"]");
        if b.js("return !!document.querySelector(arguments[0]);", vec![json!(send)]).await? == Value::Bool(true) {
            b.submit(&send, None, "statement-sent").await?;
        }
        let line = b
            .js(
                "const s = document.querySelector('#answers select[name^=\"answer.\"]'); return s && s.name.slice(7);",
                vec![],
            )
            .await?;
        if let Some(line) = line.as_str() {
            found = Some((id, line.to_string()));
            break;
        }
    }
    let (id, line) = found.ok_or("no generated statement with lines to answer")?;
    b.fill("#answers", &format!("answer.{line}"), "disputed").await?;
    b.fill("#answers", &format!("amount.{line}"), "100.00").await?;
    b.fill("#answers", &format!("note.{line}"), "客户称已部分付款").await?;
    b.submit("#answers", None, "statement-disputed").await?;
    let form = format!("form[action=\"/statements/{id}/lines/{line}/resolve\"]");
    b.fill(&form, "how", "withdraw").await?;
    b.fill(&form, "note", "经核对客户撤回异议").await?;
    b.submit(&form, None, "statement-settled").await?;
    if !b.confirmed().await?.contains("差异") {
        return Err("settling a dispute was sent without asking for confirmation".into());
    }
    let status = b
        .kam
        .store
        .statement(&actor_of(b, "sunli").await?, kam_core::StatementId(id))
        .await
        .map_err(|e| e.to_string())?
        .status;
    if status == "disputed" {
        return Err(format!("after settling its only dispute the statement is still {status}"));
    }
    Ok(())
}

/// The admin sets the issuing company and the working hours on the admin
/// page; then every page of the product is looked at (and checked) as the
/// admin and as finance, at this size, each tab group of an account too.
async fn company_set_and_every_page_seen(b: &Browser<'_>) -> Result<()> {
    b.login("admin").await?;
    b.menu("/admin", "admin").await?;
    let form = "form[action=\"/admin/instance\"]";
    b.fill(form, "company.name", "福州榕城示范贸易有限公司").await?;
    b.fill(form, "company.bank_name", "中国工商银行福州五四支行").await?;
    b.fill(form, "company.bank_account", "1402 0000 0912 3456 789").await?;
    b.fill(form, "work_end", "17:30").await?;
    b.submit(form, None, "admin-saved").await?;
    b.expect_text("已保存", "admin-saved").await?;
    let company = b.kam.store.company().await.map_err(|e| e.to_string())?;
    if company.name != "福州榕城示范贸易有限公司"
        || b.kam.store.working_hours().await.map_err(|e| e.to_string())?.end_text() != "17:30"
    {
        return Err(format!("the settings were not saved: {company:?}"));
    }
    let account = own_account(b, "wangfang").await?.id;
    let pages = [
        "/",
        "/today",
        "/accounts",
        "/pool",
        "/contacts",
        "/interactions",
        "/visits",
        "/service-records",
        "/complaints",
        "/needs",
        "/surveys",
        "/visit-plans",
        "/market-activities",
        "/worklogs",
        "/orders",
        "/products",
        "/contracts",
        "/receivables",
        "/statements",
        "/competitors",
        "/handover",
        "/search?q=榕城",
    ];
    for (i, path) in pages.iter().enumerate() {
        b.goto(path, &format!("page-{i:02}")).await?;
    }
    b.goto(&format!("/accounts/{account}/orders/new"), "order-form").await?;
    b.goto(&format!("/visit-plans?account={account}"), "visit-plan-grid").await?;
    b.goto(&format!("/accounts/{account}/capability"), "capability-sheet").await?;
    b.goto(&format!("/accounts/{account}/capability/print"), "capability-print").await?;
    b.goto("/capability/compare", "capability-compare").await?;
    b.goto("/classification", "classification").await?;
    b.goto("/completeness", "completeness-report").await?;
    b.goto(&format!("/accounts/{account}/completeness"), "completeness").await?;
    b.goto("/health", "health-list").await?;
    b.goto(&format!("/accounts/{account}/health"), "health").await?;
    b.goto("/reports", "reports").await?;
    b.goto(&format!("/accounts/{account}/card/print"), "card-print").await?;
    b.goto("/visit-plans/print", "visit-plans-print").await?;
    b.goto("/classification/print", "classification-print").await?;
    b.goto("/targets", "targets").await?;
    for tab in ["profile", "contacts", "complaints", "orders", "ledger", "credit", "needs", "history"] {
        b.goto(&format!("/accounts/{account}?tab={tab}"), &format!("account-{tab}")).await?;
        let active = b.js("return document.querySelector('nav.subtabs a.active')?.textContent || '';", vec![]).await?;
        if active.as_str().is_none_or(str::is_empty) {
            return Err(format!("account tab {tab}: the active tab is not in sight"));
        }
    }
    // Finance sees the printed statement with the company on it.
    b.login("sunli").await?;
    b.goto("/statements?period=2026-10", "fin-statements").await?;
    let first = b
        .js("return [...document.querySelectorAll('main a[href^=\"/statements/\"]')].map(a => a.getAttribute('href')).find(h => /^\\/statements\\/\\d+$/.test(h)) || null;", vec![])
        .await?;
    if let Some(href) = first.as_str() {
        b.goto(&format!("{href}/print"), "statement-print").await?;
        b.expect_text("福州榕城示范贸易有限公司", "statement-print").await?;
    }
    Ok(())
}
