//! Who is asking: the session cookie for pages (with CSRF tokens on every
//! form), bearer tokens for the API, login with throttling and logout.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use kam_store::users::User;

use crate::AppState;
use crate::error::{ApiError, PageError, RequestLang};
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "kam_session";
pub const LANG_COOKIE: &str = "kam_lang";
pub const LOGIN_CSRF_COOKIE: &str = "kam_login_csrf";

/// Login throttling throttles guesses, not people:
/// - after `MAX_FAILURES_PER_PAIR` failures for one username from one address
///   within the window, that username is refused *from that address* (429,
///   saying how long to wait) until the oldest of them leaves the window — the
///   same user from another address, and other users from this one, log in;
/// - after `MAX_FAILURES_PER_ADDR` failures from one address (spraying many
///   usernames), every attempt from it is slowed by `ADDR_DELAY`, but a
///   correct password is never refused for it.
///
/// A successful login clears that username's failures from that address.
pub const MAX_FAILURES_PER_PAIR: i64 = 5;
pub const MAX_FAILURES_PER_ADDR: i64 = 30;
pub const THROTTLE_WINDOW: time::Duration = time::Duration::minutes(15);
pub const ADDR_DELAY: std::time::Duration = std::time::Duration::from_millis(1500);

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.config.secure_cookies {
        c.push_str("; Secure");
    }
    c
}

/// The language for a request without a logged-in user.
pub fn anon_lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|c| Lang::parse(&c))
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok()).and_then(Lang::from_accept))
        .unwrap_or(Lang::Zh)
}

pub fn user_lang(user: &User) -> Lang {
    Lang::parse(&user.locale).unwrap_or(Lang::Zh)
}

/// The client address: the socket peer, or the first X-Forwarded-For hop when
/// the server is configured to trust its proxy.
pub fn client_addr(state: &AppState, parts: &Parts) -> String {
    if state.config.trust_proxy
        && let Some(f) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(first) = f.split(',').next()
    {
        return first.trim().to_string();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".to_string())
}

/// A logged-in user of the web UI.
#[derive(Clone)]
pub struct Authed {
    pub user: User,
    pub csrf: String,
    pub token: String,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(PageError::Login(path));
        };
        // A layer that needed the session first (one-time form tokens) leaves it here.
        let session = match parts.extensions.get::<FoundSession>() {
            Some(FoundSession(s)) => s.clone(),
            None => match state.store.session(&token).await {
                Ok(Some(s)) => s,
                Ok(None) => return Err(PageError::Login(path)),
                Err(e) => return Err(PageError::internal(e)),
            },
        };
        let lang = user_lang(&session.user);
        RequestLang::record(&parts.extensions, lang);
        Ok(Authed { lang, user: session.user, csrf: session.csrf, token })
    }
}

/// The session of a page request, found once per request.
#[derive(Clone)]
pub struct FoundSession(pub kam_store::users::Session);

/// A form post from a logged-in user whose CSRF token matched.
pub struct AuthForm {
    pub auth: Authed,
    pub form: FormData,
}

/// Decoded `application/x-www-form-urlencoded` fields.
#[derive(Debug, Default, Clone)]
pub struct FormData(pub HashMap<String, String>);

impl FormData {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }
    pub fn text(&self, k: &str) -> &str {
        self.get(k).unwrap_or("")
    }
    pub fn int(&self, k: &str) -> Option<i64> {
        self.get(k).and_then(|v| v.trim().parse().ok())
    }
    pub fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("1" | "on" | "true"))
    }
}

pub async fn read_form(req: Request) -> Result<FormData, ()> {
    let bytes = axum::body::to_bytes(req.into_body(), 1 << 20).await.map_err(|_| ())?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|_| ())?;
    // A NUL is never typed into a form (and PostgreSQL cannot store it).
    if pairs.iter().any(|(k, v)| k.contains('\0') || v.contains('\0')) {
        return Err(());
    }
    // A repeated name (checkboxes of one list) keeps every value, comma-separated.
    let mut map: HashMap<String, String> = HashMap::new();
    for (k, v) in pairs {
        map.entry(k)
            .and_modify(|e| {
                e.push(',');
                e.push_str(&v);
            })
            .or_insert(v);
    }
    Ok(FormData(map))
}

impl FromRequest<AppState> for AuthForm {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let target = parts.uri.path().to_string();
        let found = Authed::from_request_parts(&mut parts, state).await;
        let lang = match &found {
            Ok(a) => a.lang,
            Err(_) => anon_lang(&parts.headers),
        };
        let form = read_form(Request::from_parts(parts, body)).await.map_err(|_| PageError::BadRequest)?;
        match found {
            Ok(auth) if constant_eq(form.text("_csrf"), &auth.csrf) => Ok(AuthForm { auth, form }),
            // The session ended, or the form is older than it: nothing typed is lost.
            Ok(auth) => Err(PageError::Expired(expired(state, lang, target, &form, auth.user.username.clone()))),
            Err(PageError::Login(_)) => Err(PageError::Expired(expired(state, lang, target, &form, String::new()))),
            Err(e) => Err(e),
        }
    }
}

pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The language an API caller asks for (`Accept-Language`), if any.
pub fn accept_lang(headers: &HeaderMap) -> Option<Lang> {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok()).and_then(Lang::from_accept)
}

/// An API caller's language: the one asked for, else the user's setting.
pub fn api_lang(headers: &HeaderMap, user: &User) -> Lang {
    accept_lang(headers).unwrap_or_else(|| user_lang(user))
}

/// The token of `Authorization: Bearer <token>`, if any.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
}

/// The token's user, found once per request: a layer that needed it first
/// (the idempotency layer) leaves it in the request's extensions.
#[derive(Clone)]
pub struct TokenUser(pub User);

/// An API caller authenticated by `Authorization: Bearer <token>`.
#[derive(Clone)]
pub struct ApiUser {
    pub user: User,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = match parts.extensions.get::<TokenUser>() {
            Some(TokenUser(user)) => user.clone(),
            None => {
                let Some(token) = bearer_token(&parts.headers) else {
                    return Err(ApiError::unauthorized());
                };
                state.store.token_user(token).await?.ok_or_else(ApiError::unauthorized)?
            }
        };
        let lang = api_lang(&parts.headers, &user);
        RequestLang::record(&parts.extensions, lang);
        Ok(ApiUser { user, lang })
    }
}

/// The "form expired" answer: the page that logs in again and offers to
/// resubmit what was typed (see `pages::session`).
pub(crate) fn expired(
    state: &AppState,
    lang: Lang,
    target: String,
    form: &FormData,
    username: String,
) -> Box<crate::error::Expired> {
    let login_csrf = kam_core::secret::random_token();
    let mut carried: Vec<(String, String)> = form
        .0
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "_csrf" | "_once"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    carried.sort();
    Box::new(crate::error::Expired {
        lang,
        target,
        carried,
        username,
        error: None,
        cookie: set_cookie(state, LOGIN_CSRF_COOKIE, &login_csrf, Some(3600)),
        login_csrf,
    })
}
