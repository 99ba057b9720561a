//! `Idempotency-Key` on API writes: the same key and request answer the
//! first answer again (marked `Idempotency-Replayed: true`); the same key with
//! another request is a 422; concurrent requests with one key wait for the
//! first. Keys live in the database, so they hold across server instances.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kam_store::idempotency::Claim;

use crate::AppState;
use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";
/// The largest body a keyed request may carry (an upload at most).
const MAX_BODY: usize = kam_core::contract::MAX_ATTACHMENT_BYTES + 64 * 1024;

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(key) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_string) else {
        return next.run(req).await;
    };
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    if key.is_empty() || key.len() > 200 || key.chars().any(|c| c.is_control()) || key.starts_with("form:") {
        let mut e = kam_core::FieldErrors::default();
        e.add(HEADER, "err.idempotency_key");
        return ApiError::invalid(&e).into_response();
    }
    let user = match crate::auth::bearer_token(req.headers()) {
        Some(t) => state.store.token_user(t).await.ok().flatten(),
        None => None,
    };
    // Without a valid token the handler answers 401; nothing to remember.
    let Some(user) = user else { return next.run(req).await };
    let (mut parts, body) = req.into_parts();
    // The handler's `ApiUser` takes the user from here instead of looking the token up again.
    crate::error::RequestLang::record(&parts.extensions, crate::auth::api_lang(&parts.headers, &user));
    parts.extensions.insert(crate::auth::TokenUser(user.clone()));
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "err.too_large").into_response();
    };
    let mut fingerprint = format!("{} {}\n", parts.method, parts.uri).into_bytes();
    fingerprint.extend_from_slice(&bytes);
    let hash = kam_core::secret::digest_bytes(&fingerprint);
    // Wait (up to five seconds) for a first request still under way, then replay it.
    let mut claimed = false;
    for _ in 0..100 {
        match state.store.claim_idempotency(user.id, &key, &hash).await {
            Ok(Claim::New) => {
                claimed = true;
                break;
            }
            Ok(Claim::Replay { status, content_type, body }) => return replay(status, &content_type, body),
            Ok(Claim::Mismatch) => {
                return ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_mismatch",
                    "err.idempotency_mismatch",
                )
                .into_response();
            }
            Ok(Claim::InFlight) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    if !claimed {
        return ApiError::new(StatusCode::CONFLICT, "conflict", "err.idempotency_in_flight").into_response();
    }
    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (rparts, rbody) = res.into_parts();
    let Ok(out) = axum::body::to_bytes(rbody, usize::MAX).await else {
        let _ = state.store.release_idempotency(user.id, &key).await;
        return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "err.internal").into_response();
    };
    let ct = rparts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let stored = match std::str::from_utf8(&out) {
        Ok(text) if !rparts.status.is_server_error() => {
            state.store.complete_idempotency(user.id, &key, rparts.status.as_u16(), &ct, text).await
        }
        _ => state.store.release_idempotency(user.id, &key).await,
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "storing an idempotent answer");
    }
    Response::from_parts(rparts, Body::from(out))
}

fn replay(status: u16, content_type: &str, body: String) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    res.headers_mut().insert("idempotency-replayed", HeaderValue::from_static("true"));
    res
}
