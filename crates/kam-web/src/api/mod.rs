//! The JSON API under /api/v1: bearer-token authentication, the same store
//! calls and permission rules as the pages, errors as
//! `{"error": {"code", "message", "fields"}}`.

mod accounts;
mod activity;
mod capability;
mod churns;
mod classification;
mod competitors;
mod completeness;
mod contacts;
mod contracts;
mod dashboards;
mod dossier;
mod forecasts;
mod health;
pub mod idempotency;
mod imports;
mod market;
mod market_analyses;
mod me;
mod merges;
mod money;
pub mod openapi;
mod reminders;
mod reports;
pub mod routes;
mod settings;
mod targets;
mod visit_plans;
mod worklogs;

use axum::Router;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kam_core::fields::{self, FieldDef, Raw};
use kam_core::{Actor, FieldErrors, Record};
use serde_json::{Map, Value as Json};

use crate::AppState;
use crate::error::ApiError;

/// Every route of /api/v1 with its documentation: the router and the OpenAPI
/// document are both built from this table.
pub fn routes() -> routes::ApiRoutes {
    routes::ApiRoutes::new()
        .merge(me::router())
        .merge(accounts::router())
        .merge(merges::router())
        .merge(dossier::router())
        .merge(activity::router())
        .merge(contacts::router())
        .merge(competitors::router())
        .merge(reminders::router())
        .merge(market::router())
        .merge(market_analyses::router())
        .merge(visit_plans::router())
        .merge(capability::router())
        .merge(classification::router())
        .merge(completeness::router())
        .merge(health::router())
        .merge(reports::router())
        .merge(targets::router())
        .merge(forecasts::router())
        .merge(churns::router())
        .merge(dashboards::router())
        .merge(worklogs::router())
        .merge(money::router())
        .merge(money::statements_router())
        .merge(contracts::router())
        .merge(money::credit_router())
        .merge(settings::router())
        .merge(imports::router())
}

pub fn router() -> Router<AppState> {
    routes().into_router().layer(axum::middleware::from_fn(contract))
}

/// The API's boundary contract, around every route: every 4xx/5xx answer is
/// the JSON error shape, including the framework's own rejections (405, 413,
/// a bad multipart body, a body it could not read). (What media type a body
/// must have is each route's, from its documentation: `routes::require_media`.)
async fn contract(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let res = next.run(req).await;
    let status = res.status();
    let is_json = crate::has_media_type(res.headers(), "application/json");
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (code, key) = match status {
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "err.method_not_allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "err.too_large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "err.media_type"),
        StatusCode::NOT_FOUND => ("not_found", "err.not_found"),
        StatusCode::UNAUTHORIZED => ("unauthorized", "err.unauthorized"),
        s if s.is_server_error() => ("internal", "err.internal"),
        _ => ("bad_request", "err.bad_request"),
    };
    let mut out = ApiError::new(status, code, key).into_response();
    if let Some(allow) = res.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}

/// A numeric path id, typed (`Id<AccountId>`) or plain; anything else is a JSON 404.
pub struct Id<T = i64>(pub T);

impl<S: Send + Sync, T: From<i64>> FromRequestParts<S> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // The last numeric segment of routes like /accounts/{id}/history.
        let segs: Vec<&str> = parts.uri.path().split('/').collect();
        let raw =
            segs.iter().skip(3).find(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '-')).copied();
        match raw.and_then(|s| s.parse::<i64>().ok()) {
            Some(id) => Ok(Id(T::from(id))),
            None => Err(ApiError::not_found()),
        }
    }
}

/// Two numeric path ids, e.g. /accounts/{id}/contacts/{contact_id}.
pub struct Ids<A = i64, B = i64>(pub A, pub B);

impl<S: Send + Sync, A: From<i64>, B: From<i64>> FromRequestParts<S> for Ids<A, B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let nums: Vec<i64> = parts.uri.path().split('/').filter_map(|s| s.parse().ok()).collect();
        match nums.as_slice() {
            [a, b] => Ok(Ids(A::from(*a), B::from(*b))),
            _ => Err(ApiError::not_found()),
        }
    }
}

/// Parses a JSON object body. A NUL in any string is a field error naming
/// where it is (PostgreSQL cannot store it, and it is never data).
pub fn object(body: &Bytes) -> Result<Map<String, Json>, ApiError> {
    match serde_json::from_slice::<Strict>(body).map(|s| s.0) {
        Ok(Json::Object(m)) => {
            let mut errors = FieldErrors::default();
            for (k, v) in &m {
                if holds_nul(v) || k.contains('\0') {
                    errors.add(&k.replace('\0', ""), "err.control_char");
                }
            }
            if errors.is_empty() { Ok(m) } else { Err(ApiError::invalid(&errors)) }
        }
        _ => Err(ApiError::bad_request()),
    }
}

/// A required id in a JSON body; absent (or not a number), a field error naming it.
pub fn required_id<T: From<i64>>(body: &Map<String, Json>, key: &str) -> Result<T, ApiError> {
    body.get(key).and_then(Json::as_i64).map(T::from).ok_or_else(|| {
        let mut e = FieldErrors::default();
        e.add(key, "err.required");
        ApiError::invalid(&e)
    })
}

/// A JSON value parsed strictly: an object naming a key twice is refused
/// (instead of silently keeping the last), at any depth.
struct Strict(Json);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value without duplicate keys")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map(Json::Number).unwrap_or(Json::Null))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Json::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            if out.insert(k.clone(), v).is_some() {
                return Err(serde::de::Error::custom(format!("duplicate key {k}")));
            }
        }
        Ok(Json::Object(out))
    }
}

fn holds_nul(v: &Json) -> bool {
    match v {
        Json::String(s) => s.contains('\0'),
        Json::Array(a) => a.iter().any(holds_nul),
        Json::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// Parses the fields of `defs` named in `body`. Unknown keys are refused
/// (except `ignore`d read-only keys clients may echo back); keys `may_write`
/// refuses are answered 403 naming them (no mass assignment).
pub fn parse_fields(
    defs: &'static [FieldDef],
    body: &Map<String, Json>,
    extra: &[&str],
    ignore: &[&str],
    may_write: &dyn Fn(&FieldDef) -> bool,
) -> Result<Record, ApiError> {
    let mut unknown = FieldErrors::default();
    let mut forbidden = FieldErrors::default();
    for k in body.keys() {
        match fields::def(defs, k) {
            Some(d) if !may_write(d) => forbidden.add(k, "err.field_forbidden"),
            Some(_) => {}
            None if extra.contains(&k.as_str()) || ignore.contains(&k.as_str()) => {}
            None => unknown.add(k, "err.unknown_field"),
        }
    }
    if !forbidden.is_empty() {
        return Err(ApiError::fields(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "err.field_forbidden",
            &forbidden,
        ));
    }
    if !unknown.is_empty() {
        return Err(ApiError::invalid(&unknown));
    }
    let mut errors = FieldErrors::default();
    let rec = fields::parse_record(defs, |name| body.get(name).map(Raw::Json), &mut errors);
    if errors.is_empty() { Ok(rec) } else { Err(ApiError::invalid(&errors)) }
}

/// `null` → Some(None), an integer → Some(Some(n)), absent → None; anything else is a field error.
pub fn opt_id<T: From<i64>>(body: &Map<String, Json>, key: &str, errors: &mut FieldErrors) -> Option<Option<T>> {
    match body.get(key) {
        None => None,
        Some(Json::Null) => Some(None),
        Some(v) => match v.as_i64() {
            Some(n) => Some(Some(T::from(n))),
            None => {
                errors.add(key, "err.integer");
                None
            }
        },
    }
}

/// The query string as a map (`page`, `per_page`, filters); one that does not
/// decode is a JSON 400.
pub struct QueryMap(pub std::collections::HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.uri.query() {
            None => Ok(QueryMap(Default::default())),
            Some(q) => serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .map(|v| QueryMap(v.into_iter().collect()))
                .map_err(|_| ApiError::bad_request()),
        }
    }
}

/// A `year` parameter (2000–2100); absent or empty: this year, China time.
pub fn year_param(v: Option<&String>, today: time::Date) -> Result<i32, ApiError> {
    match v.filter(|y| !y.is_empty()) {
        None => Ok(today.year()),
        Some(y) => y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| {
            let mut e = FieldErrors::default();
            e.add("year", "err.range");
            ApiError::invalid(&e)
        }),
    }
}

pub fn page_params(q: &std::collections::HashMap<String, String>) -> (i64, i64) {
    let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let per_page = q.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(50);
    (page, per_page)
}

/// The role's field rule (general / finance / personal fields).
pub fn by_role(actor: &Actor) -> impl Fn(&FieldDef) -> bool + '_ {
    move |d| actor.can_write_field(d.access)
}
