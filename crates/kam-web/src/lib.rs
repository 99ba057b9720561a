//! KAM's web layer: the HTML UI (askama templates, zh-CN and English) and the
//! JSON API under /api/v1 with its OpenAPI document, on one axum router.

#![recursion_limit = "512"]

pub mod api;
mod auth;
mod calendar;
pub mod capability;
pub mod charts;
pub mod classification;
pub mod completeness;
pub mod dashboards;
pub mod dossier;
mod downloads;
mod error;
pub mod exports;
pub mod health;
pub mod i18n;
pub mod import;
pub mod merging;
mod once;
mod pages;
pub mod profile_card;
pub mod record_forms;
mod redact;
pub mod reports;
pub mod sales;
mod view;
pub mod visit_plans;
mod workbook;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use kam_store::Store;

/// Settings of one server process.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Mark session cookies `Secure` (when served behind TLS).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` for the client address (behind a load balancer).
    pub trust_proxy: bool,
}

/// What every handler gets. Holds no per-user state: that lives in the database.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        AppState { store, config: Arc::new(config) }
    }
}

const CSS: &str = include_str!("../static/app.css");
const JS: &str = include_str!("../static/app.js");

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
}

async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], JS)
}

/// The national division list the address picker offers (shipped with KAM, see kam_core::divisions).
async fn divisions() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        kam_core::divisions::JSON,
    )
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(_) => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Unknown paths: a JSON error under /api, the error page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        error::ApiError::not_found().into_response()
    } else {
        error::PageError::NotFound.into_response()
    }
}

/// The whole application: pages, API, OpenAPI + Swagger UI, static files.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/static/divisions.json", get(divisions))
        // No icon: an empty answer, not a 404 in every browser console.
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT }))
        .merge(
            pages::router()
                .layer(axum::middleware::from_fn_with_state(state.clone(), once::layer))
                .layer(axum::middleware::from_fn(pages::contract)),
        )
        .merge(api::router().layer(axum::middleware::from_fn_with_state(state.clone(), api::idempotency::layer)))
        .fallback(not_found)
        .with_state(state)
        .merge(api::openapi::docs_router())
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(refuse_nul_in_target))
        .layer(axum::middleware::from_fn(error::render_errors))
}

/// Whether a message's Content-Type is of this media type (parameters aside).
pub(crate) fn has_media_type(headers: &axum::http::HeaderMap, media: &str) -> bool {
    headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with(media))
}

/// A path or query that decodes to a NUL is refused before any handler: it is
/// never data, and PostgreSQL cannot compare or store it (a 500 otherwise).
async fn refuse_nul_in_target(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let uri = req.uri();
    let decodes_to_nul = |s: &str| percent_encoding::percent_decode_str(s).any(|b| b == 0);
    if decodes_to_nul(uri.path()) || uri.query().is_some_and(decodes_to_nul) {
        return if uri.path().starts_with("/api/") {
            error::ApiError::bad_request().into_response()
        } else {
            error::PageError::BadRequest.into_response()
        };
    }
    next.run(req).await
}

/// No script but our own files (no inline script, no handler attributes),
/// no framing, forms post only here. Inline styles stay allowed (the print
/// forms and a few layouts use them); they cannot run code.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers on every answer. Everything but the static files is `no-store`:
/// pages and API answers carry the customer archive (personal and money
/// data), which no browser or proxy cache may keep.
async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    h.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("same-origin"));
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CSP));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    res
}

/// Serves the app on a bound listener until ctrl-c.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
