//! One error type per boundary: `ApiError` renders the JSON error body,
//! `PageError` an error page (or a redirect to the login page). Internals are
//! logged, never shown.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kam_core::FieldErrors;
use kam_store::StoreError;

use crate::i18n::{Lang, t};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

impl ApiError {
    pub fn new(lang: Lang, status: StatusCode, code: &'static str, key: &str) -> Self {
        ApiError { status, code, message: t(lang, key).to_string(), fields: BTreeMap::new() }
    }
    pub fn unauthorized(lang: Lang) -> Self {
        Self::new(lang, StatusCode::UNAUTHORIZED, "unauthorized", "err.unauthorized")
    }
    pub fn not_found(lang: Lang) -> Self {
        Self::new(lang, StatusCode::NOT_FOUND, "not_found", "err.not_found")
    }
    pub fn bad_request(lang: Lang) -> Self {
        Self::new(lang, StatusCode::BAD_REQUEST, "bad_request", "err.bad_request")
    }
    pub fn fields(lang: Lang, status: StatusCode, code: &'static str, key: &str, errors: &FieldErrors) -> Self {
        let mut e = Self::new(lang, status, code, key);
        e.fields = errors.0.iter().map(|(f, k)| (f.clone(), t(lang, k).to_string())).collect();
        e
    }
    pub fn invalid(lang: Lang, errors: &FieldErrors) -> Self {
        Self::fields(lang, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "common.fix_errors", errors)
    }
    pub fn store(lang: Lang, e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(lang),
            StoreError::Forbidden(key) => Self::new(lang, StatusCode::FORBIDDEN, "forbidden", key),
            StoreError::Invalid(fe) => Self::invalid(lang, &fe),
            StoreError::Conflict(key) => Self::new(lang, StatusCode::CONFLICT, "conflict", key),
            other => {
                tracing::error!(error = %other, "store error");
                Self::new(lang, StatusCode::INTERNAL_SERVER_ERROR, "internal", "err.internal")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "code": self.code, "message": self.message, "fields": self.fields }
        });
        (self.status, Json(body)).into_response()
    }
}

/// Errors of HTML pages.
#[derive(Debug)]
pub enum PageError {
    /// Not logged in: go to the login page, then back to this path.
    Login(String),
    NotFound(Lang),
    Forbidden(Lang, &'static str),
    Conflict(Lang, &'static str),
    Csrf(Lang),
    /// A form posted with an expired session or a stale form token: what was
    /// typed comes back on a page that logs in again and offers to resubmit.
    Expired(Box<Expired>),
    BadRequest(Lang),
    Internal(Lang),
}

/// What the "form expired" page carries.
#[derive(Debug)]
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
    pub fn internal(lang: Lang, e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        PageError::Internal(lang)
    }
    pub fn store(lang: Lang, e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PageError::NotFound(lang),
            StoreError::Forbidden(k) => PageError::Forbidden(lang, k),
            StoreError::Conflict(k) => PageError::Conflict(lang, k),
            StoreError::Invalid(_) => PageError::BadRequest(lang),
            other => Self::internal(lang, other),
        }
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
        let (lang, status, key) = match self {
            PageError::Login(path) => {
                let next: String =
                    percent_encoding::utf8_percent_encode(&path, percent_encoding::NON_ALPHANUMERIC).to_string();
                return Redirect::to(&format!("/login?next={next}")).into_response();
            }
            PageError::NotFound(l) => (l, StatusCode::NOT_FOUND, "err.not_found"),
            PageError::Forbidden(l, k) => (l, StatusCode::FORBIDDEN, k),
            PageError::Conflict(l, k) => (l, StatusCode::CONFLICT, k),
            PageError::Csrf(l) => (l, StatusCode::FORBIDDEN, "err.csrf"),
            PageError::Expired(e) => {
                let page = ExpiredPage { lang: e.lang, e: &e };
                let mut res = match page.render() {
                    Ok(html) => (StatusCode::FORBIDDEN, Html(html)).into_response(),
                    Err(_) => StatusCode::FORBIDDEN.into_response(),
                };
                if let Ok(v) = e.cookie.parse() {
                    res.headers_mut().append(axum::http::header::SET_COOKIE, v);
                }
                return res;
            }
            PageError::BadRequest(l) => (l, StatusCode::BAD_REQUEST, "err.bad_request"),
            PageError::Internal(l) => (l, StatusCode::INTERNAL_SERVER_ERROR, "err.internal"),
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
