//! What every HTTP test uses: the app under test, a user with a token, a
//! logged-in browser, the people and records most tests start from.

pub use axum::Router;
pub use axum::body::Body;
pub use axum::http::{HeaderMap, Request, StatusCode, header};
pub use http_body_util::BodyExt;
pub use kam_core::Role;
pub use kam_store::{Store, testing};
pub use kam_web::{AppState, Config};
pub use serde_json::{Value, json};
pub use std::io::Write;
pub use tower::ServiceExt;

pub struct TestApp {
    pub store: Store,
    pub app: Router,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

impl TestApp {
    pub fn new(store: Store) -> TestApp {
        TestApp::with_config(store, Config::default())
    }

    pub fn with_config(store: Store, config: Config) -> TestApp {
        let app = kam_web::app(AppState::new(store.clone(), config));
        TestApp { store, app }
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Resp { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn api(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> Resp {
        let mut b =
            Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(b.body(body).unwrap()).await
    }

    /// An API call with a body sent as it is, under any content type.
    pub async fn raw(&self, token: &str, method: &str, path: &str, content_type: &str, body: impl Into<Body>) -> Resp {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap();
        self.send(req).await
    }

    /// The raw bytes of an API download (an .xlsx).
    pub async fn download(&self, token: &str, path: &str) -> Vec<u8> {
        let req =
            Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.into_body().collect().await.unwrap().to_bytes().to_vec()
    }

    /// A user with an API token.
    pub async fn user(&self, name: &str, role: Role, team: Option<&str>) -> (kam_core::UserId, String) {
        let id = testing::user(&self.store, name, role, team).await;
        (id, self.store.create_token(name, "test").await.unwrap())
    }

    /// A user with a real password, logged in through the login form.
    pub async fn browser(&self, name: &str, role: Role, team: Option<&str>) -> Browser {
        let hash = kam_core::secret::hash_password("correct-horse").unwrap();
        self.store
            .create_user(kam_store::users::NewUser {
                username: name,
                display_name: name,
                role,
                team,
                password_hash: hash,
            })
            .await
            .unwrap();
        self.login(name, "correct-horse").await.expect("login works")
    }

    pub async fn login_form(&self) -> (String, String) {
        let r = self.send(Request::get("/login").body(Body::empty()).unwrap()).await;
        let cookie = set_cookie(&r.headers, "kam_login_csrf").unwrap();
        (cookie, csrf_of(&r.body))
    }

    pub async fn try_login(&self, user: &str, password: &str) -> Resp {
        self.login_post(user, password, "/", None).await
    }

    /// Posts the login form as a browser would, with `next`, optionally from a
    /// client address (X-Forwarded-For, for an app that trusts its proxy).
    pub async fn login_post(&self, user: &str, password: &str, next: &str, from: Option<&str>) -> Resp {
        let (cookie, csrf) = self.login_form().await;
        let body = serde_urlencoded::to_string([
            ("_csrf", csrf.as_str()),
            ("username", user),
            ("password", password),
            ("next", next),
        ])
        .unwrap();
        let mut req = Request::post("/login")
            .header(header::COOKIE, format!("kam_login_csrf={cookie}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(addr) = from {
            req = req.header("x-forwarded-for", addr);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn login(&self, user: &str, password: &str) -> Option<Browser> {
        let r = self.try_login(user, password).await;
        if r.status != StatusCode::SEE_OTHER {
            return None;
        }
        let session = set_cookie(&r.headers, "kam_session")?;
        let mut b = Browser { cookie: session, csrf: String::new() };
        let home = self.get(&b, "/").await;
        assert_eq!(home.status, StatusCode::OK, "home after login");
        b.csrf = csrf_of(&home.body);
        Some(b)
    }

    pub async fn get(&self, b: &Browser, path: &str) -> Resp {
        self.send(
            Request::get(path).header(header::COOKIE, format!("kam_session={}", b.cookie)).body(Body::empty()).unwrap(),
        )
        .await
    }

    pub async fn post(&self, b: &Browser, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", b.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(b, path, &all).await
    }

    pub async fn post_raw(&self, b: &Browser, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Request::post(path)
                .header(header::COOKIE, format!("kam_session={}", b.cookie))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

pub fn set_cookie(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

/// The id of the account a form post redirected to (`/accounts/{id}?msg=…`).
pub fn account_id_of(r: &Resp) -> i64 {
    let loc = r.headers[header::LOCATION].to_str().unwrap();
    loc.trim_start_matches("/accounts/").split('?').next().unwrap().parse().unwrap()
}

pub fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"_csrf\" value=\"").expect("a form with a CSRF token");
    html[i + 20..].split('"').next().unwrap().to_string()
}

/// The people and records most tests use: two teams, every role.
pub struct World {
    pub rep_a: String,
    pub rep_b: String,
    pub rep_c: String,
    pub m_east: String,
    pub fin: String,
    pub service: String,
    pub auditor: String,
    pub admin: String,
    pub acc_a: i64,
    pub acc_b: i64,
    pub acc_c: i64,
    pub con_a: i64,
    pub con_b: i64,
    pub con_c: i64,
    pub rep_a_id: kam_core::UserId,
    pub rep_b_id: kam_core::UserId,
    pub rep_c_id: kam_core::UserId,
}

pub async fn world(t: &TestApp) -> World {
    let (rep_a_id, rep_a) = t.user("rep_a", Role::Sales, Some("East")).await;
    let (rep_b_id, rep_b) = t.user("rep_b", Role::Sales, Some("East")).await;
    let (rep_c_id, rep_c) = t.user("rep_c", Role::Sales, Some("South")).await;
    let (_, m_east) = t.user("m_east", Role::Manager, Some("East")).await;
    let (_, fin) = t.user("fin", Role::Finance, None).await;
    let (_, service) = t.user("svc", Role::Service, None).await;
    let (_, auditor) = t.user("aud", Role::Auditor, None).await;
    let (_, admin) = t.user("adm", Role::Admin, None).await;
    let mk = |name: &'static str| json!({"name": name, "grade": "B"});
    let acc_a =
        t.api(&rep_a, "POST", "/api/v1/accounts", Some(mk("甲客户有限公司"))).await.json()["id"].as_i64().unwrap();
    let acc_b =
        t.api(&rep_b, "POST", "/api/v1/accounts", Some(mk("乙客户有限公司"))).await.json()["id"].as_i64().unwrap();
    let acc_c =
        t.api(&rep_c, "POST", "/api/v1/accounts", Some(mk("丙客户有限公司"))).await.json()["id"].as_i64().unwrap();
    let contact = |name: &'static str, mobile: &'static str| json!({"name": name, "mobile": mobile, "birth_date": "1970-05-20", "hobbies": "钓鱼", "title": "总经理", "buying_role": "decision_maker"});
    let con_a = t
        .api(&rep_a, "POST", &format!("/api/v1/accounts/{acc_a}/contacts"), Some(contact("赵一", "13900000001")))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let con_b = t
        .api(&rep_b, "POST", &format!("/api/v1/accounts/{acc_b}/contacts"), Some(contact("钱二", "13900000002")))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let con_c = t
        .api(&rep_c, "POST", &format!("/api/v1/accounts/{acc_c}/contacts"), Some(contact("孙三", "13900000003")))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    World {
        rep_a,
        rep_b,
        rep_c,
        m_east,
        fin,
        service,
        auditor,
        admin,
        acc_a,
        acc_b,
        acc_c,
        con_a,
        con_b,
        con_c,
        rep_a_id,
        rep_b_id,
        rep_c_id,
    }
}

pub async fn needs_and_surveys_setup(t: &TestApp) -> (String, String, i64) {
    let (_, rep) = t.user("rep", Role::Sales, Some("East")).await;
    let (_, other) = t.user("other", Role::Sales, Some("South")).await;
    let acc =
        t.api(&rep, "POST", "/api/v1/accounts", Some(json!({"name": "需求客户"}))).await.json()["id"].as_i64().unwrap();
    (rep, other, acc)
}

pub fn multipart(csrf: Option<&str>, name: &str, body: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----kamtestboundary";
    let mut out = Vec::new();
    if let Some(c) = csrf {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{c}\r\n").as_bytes(),
        );
    }
    out.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    out.extend_from_slice(body);
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), out)
}

/// Where `value` departs from `schema` (types, enums, undeclared properties),
/// resolving `$ref` and `allOf` against the document.
pub fn departures(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        return departures(doc, &doc["components"]["schemas"][name], value, at, out);
    }
    if let Some(alternatives) = schema.get("oneOf").and_then(Value::as_array) {
        let fits = |alt: &Value| {
            let mut o = Vec::new();
            departures(doc, alt, value, at, &mut o);
            o
        };
        let tried: Vec<Vec<String>> = alternatives.iter().map(fits).collect();
        if !tried.iter().any(Vec::is_empty) {
            out.extend(tried.into_iter().flatten());
        }
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        // Each part checks its own properties; the union of them is what may appear.
        let mut merged = serde_json::Map::new();
        for part in all {
            let part = match part.get("$ref").and_then(Value::as_str) {
                Some(r) => doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")].clone(),
                None => part.clone(),
            };
            if let Some(p) = part["properties"].as_object() {
                merged.extend(p.clone());
            }
        }
        return departures(doc, &json!({"type": "object", "properties": merged}), value, at, out);
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let fits = types.is_empty() || types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
    if !fits {
        out.push(format!("{at}: {actual}, documented {types:?}"));
        return;
    }
    if let (Some(values), false) = (schema.get("enum").and_then(Value::as_array), value.is_null())
        && !values.contains(value)
    {
        out.push(format!("{at}: {value} not in the documented enum"));
    }
    match value {
        Value::Object(m) => {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, v) in m {
                    match props.get(k) {
                        Some(ps) => departures(doc, ps, v, &format!("{at}.{k}"), out),
                        None if schema.get("additionalProperties").is_some() => {}
                        None => out.push(format!("{at}.{k}: not documented")),
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().take(5).enumerate() {
                    departures(doc, item, v, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// Every key of every object in a JSON answer, with where it was found.
pub fn keys_in(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                out.push((k.clone(), at.to_string()));
                keys_in(x, &format!("{at}.{k}"), out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys_in(x, at, out)),
        _ => {}
    }
}

/// Same-site links of a page.
pub fn links_of(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/'))
        .map(|h| h.replace("&amp;", "&").replace("&#38;", "&"))
        .collect()
}

/// Pulls the hidden fields of the first form on a page.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split_once("value=\"")?.1.split_once('"')?.0;
            Some((name.to_string(), value.replace("&#34;", "\"").replace("&amp;", "&")))
        })
        .collect()
}
