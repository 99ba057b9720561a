//! One-time submission tokens of web forms: every POST form carries a fresh
//! `_once` value (`Ctx::once`), and the server takes each value once per
//! user — a double click or a resent form posts once, the repeat is sent
//! where the first went. Tokens live in the idempotency table, so they hold
//! across server instances. A form that comes back with errors frees its
//! token (nothing was done), so the corrected form goes through.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kam_core::UserId;
use kam_store::idempotency::Claim;

use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie};
use crate::error::PageError;

pub const FIELD: &str = "_once";
/// What the key is stored under, apart from API keys.
const PREFIX: &str = "form:";
/// Forms are small; uploads (multipart) are not keyed.
const MAX_BODY: usize = 1 << 20;

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_form = crate::has_media_type(req.headers(), "application/x-www-form-urlencoded");
    if req.method() != Method::POST || !is_form {
        return next.run(req).await;
    }
    let session = match cookie(req.headers(), SESSION_COOKIE) {
        Some(t) => state.store.session(&t).await.ok().flatten(),
        None => None,
    };
    // Not logged in (the login form itself): the handler decides.
    let Some(session) = session else { return next.run(req).await };
    let (mut parts, body) = req.into_parts();
    let user = session.user.id;
    // The page's `Authed` takes the session from here instead of looking it up again.
    crate::error::RequestLang::record(&parts.extensions, crate::auth::user_lang(&session.user));
    parts.extensions.insert(crate::auth::FoundSession(session));
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return PageError::BadRequest.into_response();
    };
    let once = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v))
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric()));
    let req = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
    let Some(once) = once else { return next.run(req).await };
    let key = format!("{PREFIX}{once}");
    let mut fingerprint = format!("{} {}\n", parts.method, parts.uri).into_bytes();
    fingerprint.extend_from_slice(&bytes);
    let hash = kam_core::secret::digest_bytes(&fingerprint);
    // A first submission still under way is waited for (up to five seconds).
    for _ in 0..100 {
        match state.store.claim_idempotency(user, &key, &hash).await {
            Ok(Claim::New) => return first(&state, user, &key, next.run(req).await).await,
            Ok(Claim::Replay { body, .. }) => return again(&body),
            // The token of one form sent with other content: not a repeat to follow.
            Ok(Claim::Mismatch) => return PageError::Conflict("err.form_used").into_response(),
            Ok(Claim::InFlight) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            Err(e) => return PageError::internal(e).into_response(),
        }
    }
    PageError::Conflict("err.form_used").into_response()
}

/// Keeps where the first submission went; frees the token when it did nothing.
async fn first(state: &AppState, user: UserId, key: &str, res: Response) -> Response {
    let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
    let stored = match location {
        Some(to) if res.status().is_redirection() => {
            state.store.complete_idempotency(user, key, res.status().as_u16(), "location", &to).await
        }
        _ => state.store.release_idempotency(user, key).await,
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "storing a form submission");
    }
    res
}

/// A repeat goes where the first went.
fn again(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut().insert("x-kam-repeat", HeaderValue::from_static("true"));
    res
}
