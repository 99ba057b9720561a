//! One error type per boundary: `ApiError` renders the JSON error body,
//! `PageError` an error page (or a redirect to the login page). Internals are
//! logged, never shown.
//!
//! Errors carry message keys, not text: handlers pass them up with `?`
//! (`From<StoreError>` for both), and the language is applied when the answer
//! is rendered — by `render_errors`, the outermost layer, in the language the
//! auth extractors found for the request (`RequestLang`), else the one the
//! request asks for.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Json;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kam_core::FieldErrors;
use kam_store::StoreError;

use crate::i18n::{Lang, t};

/// The language a request's answer is rendered in: set by the layer from what
/// the request asks for, then by the auth extractors from the user's setting.
#[derive(Clone)]
pub struct RequestLang(Arc<Mutex<Lang>>);

impl RequestLang {
    pub fn set(&self, lang: Lang) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = lang;
    }
    fn get(&self) -> Lang {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    /// Records the request's language where the layer left its slot.
    pub fn record(extensions: &axum::http::Extensions, lang: Lang) {
        if let Some(slot) = extensions.get::<RequestLang>() {
            slot.set(lang);
        }
    }
}

/// An error answer waiting for its language (see `render_errors`).
#[derive(Clone)]
enum Unrendered {
    Api(ApiError),
    Page(PageError),
}

/// The outermost layer: errors are rendered in the request's language. The
/// answer keeps its status and headers (security headers, cookies); its body
/// is replaced.
pub async fn render_errors(mut req: Request, next: Next) -> Response {
    let asked = if req.uri().path().starts_with("/api/") {
        crate::auth::accept_lang(req.headers()).unwrap_or(Lang::Zh)
    } else {
        crate::auth::anon_lang(req.headers())
    };
    let slot = RequestLang(Arc::new(Mutex::new(asked)));
    req.extensions_mut().insert(slot.clone());
    let mut res = next.run(req).await;
    let Some(e) = res.extensions_mut().remove::<Unrendered>() else {
        return res;
    };
    let lang = slot.get();
    let rendered = match e {
        Unrendered::Api(e) => e.render(lang),
        Unrendered::Page(e) => e.render(lang),
    };
    let (mut parts, _) = res.into_parts();
    let (new, body) = rendered.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    match new.headers.get(header::CONTENT_TYPE) {
        Some(ct) => {
            parts.headers.insert(header::CONTENT_TYPE, ct.clone());
        }
        None => {
            parts.headers.remove(header::CONTENT_TYPE);
        }
    }
    Response::from_parts(parts, body)
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    /// The message key.
    pub key: &'static str,
    /// Field name → message key.
    pub fields: BTreeMap<String, &'static str>,
    /// A merged-away record: the id it lives on now (and its path, sent as `Location`).
    pub merged: Option<(i64, String)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, key: &'static str) -> Self {
        ApiError { status, code, key, fields: BTreeMap::new(), merged: None }
    }
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "err.unauthorized")
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "err.not_found")
    }
    pub fn bad_request() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", "err.bad_request")
    }
    pub fn fields(status: StatusCode, code: &'static str, key: &'static str, errors: &FieldErrors) -> Self {
        let mut e = Self::new(status, code, key);
        e.fields = errors.0.clone();
        e
    }
    pub fn invalid(errors: &FieldErrors) -> Self {
        Self::fields(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "common.fix_errors", errors)
    }
    /// One field refused with its reason.
    pub fn field(field: &str, key: &'static str) -> Self {
        let mut e = FieldErrors::default();
        e.add(field, key);
        Self::invalid(&e)
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "err.internal")
    }

    fn render(&self, lang: Lang) -> Response {
        let fields: BTreeMap<&str, &str> = self.fields.iter().map(|(f, k)| (f.as_str(), t(lang, k))).collect();
        let mut body = serde_json::json!({
            "error": { "code": self.code, "message": t(lang, self.key), "fields": fields }
        });
        let Some((into, path)) = &self.merged else {
            return (self.status, Json(body)).into_response();
        };
        body["error"]["merged_into"] = serde_json::json!(into);
        body["error"]["location"] = serde_json::json!(path);
        (self.status, [(header::LOCATION, path.clone())], Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(),
            StoreError::Forbidden(key) => Self::new(StatusCode::FORBIDDEN, "forbidden", key),
            StoreError::Invalid(fe) => Self::invalid(&fe),
            StoreError::Conflict(key) => Self::new(StatusCode::CONFLICT, "conflict", key),
            StoreError::Merged { entity, into } => {
                let mut e = Self::new(StatusCode::GONE, "merged", "err.merged");
                e.merged = Some((into, format!("/api/v1{}", merged_path(entity, into))));
                e
            }
            other => Self::internal(other),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        Self::invalid(&e)
    }
}

impl From<rust_xlsxwriter::XlsxError> for ApiError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        Self::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Rendered in the default language; `render_errors` renders it again in the request's.
        let mut res = self.render(Lang::Zh);
        res.extensions_mut().insert(Unrendered::Api(self));
        res
    }
}

/// Errors of HTML pages.
#[derive(Debug, Clone)]
pub enum PageError {
    /// Not logged in: go to the login page, then back to this path.
    Login(String),
    NotFound,
    Forbidden(&'static str),
    Conflict(&'static str),
    Csrf,
    /// A form posted with an expired session or a stale form token: what was
    /// typed comes back on a page that logs in again and offers to resubmit.
    Expired(Box<Expired>),
    BadRequest,
    Internal,
    /// A merged-away record: its page now is this one.
    Moved(String),
}

/// The path of the record a merged-away one lives on.
fn merged_path(entity: &str, into: i64) -> String {
    match entity {
        "contact" => format!("/contacts/{into}"),
        _ => format!("/accounts/{into}"),
    }
}

/// What the "form expired" page carries.
#[derive(Debug, Clone)]
pub struct Expired {
    pub lang: Lang,
    /// Where the form was posted.
    pub target: String,
    /// The fields typed (the form's own tokens left out).
    pub carried: Vec<(String, String)>,
    pub username: String,
    /// Why the last login attempt failed, when it did.
    pub error: Option<String>,
    /// The login form's token and the cookie that holds it.
    pub login_csrf: String,
    pub cookie: String,
}

#[derive(Template)]
#[template(path = "form_expired.html")]
struct ExpiredPage<'a> {
    lang: Lang,
    e: &'a Expired,
}

impl ExpiredPage<'_> {
    fn t(&self, key: &str) -> String {
        t(self.lang, key).to_string()
    }
}

impl PageError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        PageError::Internal
    }

    fn render(&self, lang: Lang) -> Response {
        let (status, key) = match self {
            PageError::Login(path) => {
                let next: String =
                    percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC).to_string();
                return Redirect::to(&format!("/login?next={next}")).into_response();
            }
            PageError::Moved(path) => return Redirect::to(path).into_response(),
            PageError::NotFound => (StatusCode::NOT_FOUND, "err.not_found"),
            PageError::Forbidden(k) => (StatusCode::FORBIDDEN, *k),
            PageError::Conflict(k) => (StatusCode::CONFLICT, *k),
            PageError::Csrf => (StatusCode::FORBIDDEN, "err.csrf"),
            PageError::Expired(e) => {
                // Carries its own language: the one the form was typed in.
                let page = ExpiredPage { lang: e.lang, e };
                let mut res = match page.render() {
                    Ok(html) => (StatusCode::FORBIDDEN, Html(html)).into_response(),
                    Err(_) => StatusCode::FORBIDDEN.into_response(),
                };
                if let Ok(v) = e.cookie.parse() {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
                return res;
            }
            PageError::BadRequest => (StatusCode::BAD_REQUEST, "err.bad_request"),
            PageError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "err.internal"),
        };
        let page = ErrorPage {
            lang,
            title: t(lang, "err.page_title").into(),
            message: t(lang, key).into(),
            status: status.as_u16(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PageError::NotFound,
            StoreError::Forbidden(k) => PageError::Forbidden(k),
            StoreError::Conflict(k) => PageError::Conflict(k),
            StoreError::Invalid(_) => PageError::BadRequest,
            StoreError::Merged { entity, into } => PageError::Moved(merged_path(entity, into)),
            other => Self::internal(other),
        }
    }
}

impl From<rust_xlsxwriter::XlsxError> for PageError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        Self::internal(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: Lang,
    title: String,
    message: String,
    status: u16,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut res = self.render(Lang::Zh);
        if !matches!(self, PageError::Login(_) | PageError::Expired(_)) {
            res.extensions_mut().insert(Unrendered::Page(self));
        }
        res
    }
}
