//! Login, logout and the language switch.

use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, extract::FromRequestParts};
use kam_core::secret;

use super::render;
use crate::AppState;
use crate::auth::{
    self, AuthForm, FormData, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, anon_lang, constant_eq, cookie,
    read_form, set_cookie,
};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/me/locale", post(set_locale))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    message: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
    msg: Option<String>,
}

fn anon_ctx(lang: Lang) -> Ctx {
    Ctx {
        lang,
        user: None,
        csrf: String::new(),
        demo: false,
        flash: None,
        flash_warning: false,
        section: "",
        currencies: Vec::new(),
    }
}

/// Only same-origin relative paths are followed after login (no open
/// redirect): parsed as an origin-form request target (a path and an
/// optional query, no scheme, no authority), with nothing a browser would
/// read otherwise — no `//` or backslash that it takes for another host, no
/// whitespace or control character it strips first (`/\t/evil.example`), so
/// the Location header is never built from raw input. Anything else goes home.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        n.len() <= 2048
            && n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && !n.chars().any(|c| c.is_control() || c.is_whitespace())
            && n.parse::<axum::http::uri::PathAndQuery>().is_ok_and(|pq| pq.as_str() == n)
            && axum::http::HeaderValue::from_str(n).is_ok()
    };
    match next {
        Some(n) if local(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

fn login_response(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
    message: Option<String>,
) -> Result<Response, PageError> {
    let csrf = secret::random_token();
    let page = LoginPage { ctx: anon_ctx(lang), csrf: csrf.clone(), next, username, error, message };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    let headers = res.headers_mut();
    if let Ok(v) = set_cookie(state, LOGIN_CSRF_COOKIE, &csrf, Some(3600)).parse() {
        headers.append(header::SET_COOKIE, v);
    }
    if let Ok(v) = set_cookie(state, LANG_COOKIE, lang.code(), Some(365 * 86400)).parse() {
        headers.append(header::SET_COOKIE, v);
    }
    Ok(res)
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Result<Response, PageError> {
    let lang = q.lang.as_deref().and_then(Lang::parse).unwrap_or_else(|| anon_lang(&headers));
    let message = q.msg.as_deref().filter(|m| *m == "login.logged_out").map(|m| t(lang, m).to_string());
    login_response(&state, lang, StatusCode::OK, safe_next(q.next.as_deref()), String::new(), None, message)
}

async fn login(State(state): State<AppState>, req: Request) -> Result<Response, PageError> {
    let (mut parts, body) = req.into_parts();
    let lang = anon_lang(&parts.headers);
    let addr = auth::client_addr(&state, &parts);
    let login_csrf = cookie(&parts.headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let _ = Query::<LoginQuery>::from_request_parts(&mut parts, &state).await;
    let form = read_form(Request::from_parts(parts, body)).await.map_err(|_| PageError::BadRequest)?;
    if login_csrf.is_empty() || !constant_eq(form.text("_csrf"), &login_csrf) {
        return Err(PageError::Csrf);
    }
    let username = form.text("username").trim().to_string();
    let password = form.text("password").to_string();
    let next = safe_next(form.get("next"));
    // Logging in again from the "form expired" page: what was typed rides along.
    let resubmit = form.get("_resubmit").map(|t| safe_next(Some(t))).filter(|t| t != "/");
    let carried =
        FormData(form.0.iter().filter_map(|(k, v)| k.strip_prefix("c.").map(|k| (k.to_string(), v.clone()))).collect());
    let again = |status: StatusCode, error: String| -> Result<Response, PageError> {
        let target = resubmit.clone().unwrap_or_default();
        let mut e = auth::expired(&state, lang, target, &carried, username.clone());
        e.error = Some(error);
        let mut res = PageError::Expired(e).into_response();
        *res.status_mut() = status;
        Ok(res)
    };
    // See `auth::MAX_FAILURES_PER_PAIR` for the rule.
    let pair_key = format!("pair:{}|{addr}", username.to_lowercase());
    let addr_key = format!("addr:{addr}");
    let store = &state.store;
    let err = |e| PageError::internal(e);
    if let Some(wait) =
        store.throttled_for(&pair_key, auth::THROTTLE_WINDOW, auth::MAX_FAILURES_PER_PAIR).await.map_err(err)?
    {
        let minutes = (wait.whole_seconds() + 59) / 60;
        if resubmit.is_some() {
            return again(
                StatusCode::TOO_MANY_REQUESTS,
                t(lang, "login.throttled").replace("{n}", &minutes.max(1).to_string()),
            );
        }
        return login_response(
            &state,
            lang,
            StatusCode::TOO_MANY_REQUESTS,
            next,
            username,
            Some(t(lang, "login.throttled").replace("{n}", &minutes.max(1).to_string())),
            None,
        );
    }
    if store.recent_failures(&addr_key, auth::THROTTLE_WINDOW).await.map_err(err)? >= auth::MAX_FAILURES_PER_ADDR {
        tokio::time::sleep(auth::ADDR_DELAY).await;
    }
    let user = store.user_by_username(&username).await.map_err(PageError::internal)?;
    // Hash checks run off the async threads; an unknown user costs the same time.
    let ok = match user.clone() {
        Some(u) if u.active => {
            let pw = password.clone();
            tokio::task::spawn_blocking(move || secret::verify_password(&pw, &u.password_hash)).await.unwrap_or(false)
        }
        _ => {
            let pw = password.clone();
            let _ = tokio::task::spawn_blocking(move || secret::dummy_verify(&pw)).await;
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        store.record_failure(&[&pair_key, &addr_key]).await.map_err(PageError::internal)?;
        if resubmit.is_some() {
            return again(StatusCode::UNAUTHORIZED, t(lang, "login.failed").into());
        }
        return login_response(
            &state,
            lang,
            StatusCode::UNAUTHORIZED,
            next,
            username,
            Some(t(lang, "login.failed").into()),
            None,
        );
    };
    store.clear_failures(&pair_key).await.map_err(PageError::internal)?;
    let token = store.create_session(user.id).await.map_err(PageError::internal)?;
    let mut res = match &resubmit {
        // Logged in again: the typed form, ready to send with the new session's token.
        Some(target) => {
            let csrf = store.session(&token).await.map_err(err)?.map(|s| s.csrf).unwrap_or_default();
            let mut fields: Vec<(String, String)> = carried.0.clone().into_iter().collect();
            fields.sort();
            let page = ResubmitPage {
                lang: auth::user_lang(&user),
                target: target.clone(),
                csrf,
                once: secret::random_token()[..32].to_string(),
                fields,
            };
            render(&page)?
        }
        None => Redirect::to(&next).into_response(),
    };
    if let Ok(v) = set_cookie(&state, SESSION_COOKIE, &token, None).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    if let Ok(v) = set_cookie(&state, LOGIN_CSRF_COOKIE, "", Some(0)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// After logging in again from the "form expired" page: the form as typed,
/// one press from being sent.
#[derive(Template)]
#[template(path = "resubmit.html")]
struct ResubmitPage {
    lang: Lang,
    target: String,
    csrf: String,
    once: String,
    fields: Vec<(String, String)>,
}

impl ResubmitPage {
    fn t(&self, key: &str) -> String {
        t(self.lang, key).to_string()
    }
}

async fn logout(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    state.store.logout(&f.auth.token, f.auth.user.id).await.map_err(PageError::internal)?;
    let mut res = Redirect::to("/login?msg=login.logged_out").into_response();
    if let Ok(v) = set_cookie(&state, SESSION_COOKIE, "", Some(0)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

async fn set_locale(State(state): State<AppState>, headers: HeaderMap, f: AuthForm) -> Result<Response, PageError> {
    let lang = Lang::parse(f.form.text("locale")).ok_or(PageError::BadRequest)?;
    state.store.set_locale(f.auth.user.id, lang.code()).await.map_err(PageError::internal)?;
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find("://").and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string())))
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&safe_next(Some(&back))).into_response();
    if let Ok(v) = set_cookie(&state, LANG_COOKIE, lang.code(), Some(365 * 86400)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_a_same_origin_path_or_home() {
        for ok in ["/", "/accounts/12?tab=credit", "/search?q=%E5%BC%A0"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "//evil.example/",
            "/\t/evil.example/",
            "/\\evil.example",
            "/\\/evil.example",
            "https://evil.example/",
            "evil.example",
            "/\r\nSet-Cookie: x=1",
            "/a\0b",
            "/ /evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
