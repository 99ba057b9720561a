//! /api/v1/<kind> for every account activity kind (`interactions`,
//! `service-records`, …), and the same per account at
//! /api/v1/accounts/{id}/<kind>.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::AccountId;
use kam_core::ActivityId;
use kam_core::FieldErrors;
use kam_core::activity::{ActivityKind, KINDS};
use kam_store::activity::ActivityFilter;
use serde_json::{Map, Value as Json_, json};

use super::routes::{ApiRoutes, doc, int, text};
use super::{Id, QueryMap, object, page_params, parse_fields};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::i18n::{Lang, t};
use crate::redact;

/// `service_record` → `ServiceRecord` (schema and operation names).
pub fn camel(entity: &str) -> String {
    entity.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

pub fn router() -> ApiRoutes {
    let mut r = ApiRoutes::new();
    for kind in KINDS.iter().copied() {
        let res = kind.resource;
        let name = camel(kind.entity);
        let title = format!(
            "{} / {}",
            t(Lang::Zh, &format!("activity.{}.title", kind.entity)),
            t(Lang::En, &format!("activity.{}.title", kind.entity))
        );
        let d = |id: String, summary: String| doc(id, res, summary);
        r = r
            .get(
                &format!("/api/v1/{res}"),
                move |s, a, q| list(kind, s, a, q, None),
                d(format!("list{name}s"), format!("{title}: the caller's scope, newest first"))
                    .paged()
                    .query("account_id", int(), "records of one account")
                    .ok(format!("{name}List")),
            )
            .post(
                &format!("/api/v1/{res}"),
                move |s, a, b| create(kind, s, a, None, b),
                d(format!("create{name}"), format!("{title}: record one"))
                    .body(format!("{name}Input"))
                    .created(name.clone()),
            )
            .get(
                &format!("/api/v1/{res}.xlsx"),
                move |s, a, q| export(kind, s, a, q),
                d(format!("export{name}s"), format!("{title}: the list as .xlsx (every page the caller sees, at most 50,000 rows, newest first), each under its account — the columns the import of this kind reads; audited"))
                    .query("account_id", int(), "records of one account")
                    .file(super::routes::XLSX),
            )
            .get(
                &format!("/api/v1/{res}/{{id}}"),
                move |s, a, i| show(kind, s, a, i),
                d(format!("get{name}"), format!("{title}: one")).ok(name.clone()),
            )
            .patch(
                &format!("/api/v1/{res}/{{id}}"),
                move |s, a, i, b| patch(kind, s, a, i, b),
                d(format!("patch{name}"), format!("{title}: change the named fields"))
                    .body(format!("{name}Patch"))
                    .ok(name.clone()),
            )
            .delete(
                &format!("/api/v1/{res}/{{id}}"),
                move |s, a, i| delete(kind, s, a, i),
                d(format!("delete{name}"), format!("{title}: archive one")).no_content(),
            )
            .get(
                &format!("/api/v1/accounts/{{id}}/{res}"),
                move |s, a, Id(id): Id<AccountId>, q| list(kind, s, a, q, Some(id)),
                d(format!("account{name}s"), format!("{title} of one account")).paged().ok(format!("{name}List")),
            )
            .post(
                &format!("/api/v1/accounts/{{id}}/{res}"),
                move |s, a, Id(id): Id<AccountId>, b| create(kind, s, a, Some(id), b),
                d(format!("createAccount{name}"), format!("{title}: record one on this account"))
                    .body(format!("{name}Patch"))
                    .created(name.clone()),
            );
    }
    r.get(
        "/api/v1/surveys/trend",
        survey_trend,
        doc("surveyTrend", "surveys", "Satisfaction by month: responses, average score and NPS (% promoters 9–10 − % detractors 0–6)")
            .query("account_id", int(), "one account's surveys")
            .ok("SurveyTrend"),
    )
    .get(
        "/api/v1/accounts/{id}/timeline",
        timeline,
        doc("accountTimeline", "accounts", "Everything recorded with the account — every activity kind, orders and contracts — newest first")
            .query("kind", text(), "comma-separated kinds to keep (interaction, visit, service_record, complaint, need, survey, order, contract, …)")
            .query("limit", int(), "at most this many items (1–1000, default 200)")
            .ok("Timeline"),
    )
    .post(
        "/api/v1/complaints/{id}/transition",
        transition,
        doc("transitionComplaint", "complaints", "Move a complaint 投诉 one step of its workflow (received → handling → replied → resolved → closed, or reopened), with a note")
            .body("Transition")
            .ok("Complaint"),
    )
    .get(
        "/api/v1/complaints/{id}/steps",
        steps,
        doc("complaintSteps", "complaints", "The complaint's workflow steps, oldest first: who moved it when, with the note").ok("Steps"),
    )
}

/// POST /api/v1/complaints/{id}/transition {"to": status, "note": …}
async fn transition(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ActivityId>,
    body: Bytes,
) -> Result<Json<Json_>, ApiError> {
    let body = object(&body)?;
    let to = body.get("to").and_then(|v| v.as_str()).filter(|s| kam_core::complaint::STATUS.values.contains(s));
    let Some(to) = to else {
        let mut e = FieldErrors::default();
        e.add("to", "err.choice");
        return Err(ApiError::invalid(&e));
    };
    let note = body.get("note").and_then(|v| v.as_str());
    let a = state.store.transition_complaint(&api.user.actor(), id, to, note).await?;
    Ok(Json(record_json(&api.user.actor(), &kam_core::complaint::COMPLAINT, &a, state.store.clock().now())))
}

/// GET /api/v1/complaints/{id}/steps: the workflow's steps, oldest first.
async fn steps(State(state): State<AppState>, api: ApiUser, Id(id): Id<ActivityId>) -> Result<Json<Json_>, ApiError> {
    let items = state.store.complaint_steps(&api.user.actor(), id).await?;
    Ok(Json(json!({ "items": items })))
}

/// A record as JSON; a kind with a workflow also says which deadlines it has missed.
fn record_json(
    actor: &kam_core::Actor,
    kind: &ActivityKind,
    a: &kam_store::activity::Activity,
    now: time::OffsetDateTime,
) -> Json_ {
    let mut v = redact::json(actor, kind.entity, a);
    if kind.hooks.workflow {
        v["overdue"] = json!(kam_core::complaint::overdue_of(&a.rec, now));
    }
    v
}

/// GET /api/v1/accounts/{id}/timeline[?kind=interaction,survey]: everything
/// recorded with the account, newest first.
async fn timeline(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    QueryMap(q): QueryMap,
) -> Result<Json<Json_>, ApiError> {
    let mut kinds = Vec::new();
    for name in q.get("kind").map(|k| k.split(',').filter(|s| !s.is_empty()).collect::<Vec<_>>()).unwrap_or_default() {
        if !kam_store::activity::is_timeline_kind(name) {
            let mut e = FieldErrors::default();
            e.add("kind", "err.choice");
            return Err(ApiError::invalid(&e));
        }
        kinds.push(name);
    }
    let limit = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(200).clamp(1, 1000);
    let actor = api.user.actor();
    let items = state.store.account_timeline(&actor, id, &kinds, limit).await?;
    let items: Vec<Json_> = items
        .into_iter()
        .map(|i| {
            json!({ "kind": i.kind, "id": i.id, "when": i.when, "record": crate::redact::json(&actor, i.kind, &i.record) })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// GET /api/v1/surveys/trend[?account_id=]: average score and NPS by month.
async fn survey_trend(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Json<Json_>, ApiError> {
    let actor = api.user.actor();
    let account_id = q.get("account_id").and_then(|v| v.parse().ok());
    if let Some(a) = account_id {
        state.store.account(&actor, a).await?;
    }
    let items = state.store.survey_trend(&actor, account_id).await?;
    Ok(Json(json!({ "items": items })))
}

const READ_ONLY: &[&str] = &["id", "account_name", "created_by", "created_by_name", "created_at", "updated_at"];

async fn list(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
    account: Option<AccountId>,
) -> Result<Json<Json_>, ApiError> {
    let (page, per_page) = page_params(&q);
    let actor = api.user.actor();
    let account_id = account.or_else(|| q.get("account_id").and_then(|v| v.parse().ok()));
    if let Some(a) = account {
        state.store.account(&actor, a).await?;
    }
    let f = ActivityFilter { account_id, page, per_page };
    let p = state.store.list_activities(kind, &actor, &f).await?;
    let items: Vec<Json_> = p.items.iter().map(|a| record_json(&actor, kind, a, state.store.clock().now())).collect();
    Ok(Json(json!({ "items": items, "page": p.page, "per_page": p.per_page, "total": p.total })))
}

async fn export(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Response, ApiError> {
    let account_id = q.get("account_id").and_then(|v| v.parse().ok());
    let bytes =
        crate::exports::activities_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang, kind, account_id)
            .await?;
    Ok(crate::downloads::xlsx_response(&format!("{}.xlsx", kind.resource), bytes))
}

async fn show(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ActivityId>,
) -> Result<Json<Json_>, ApiError> {
    let a = state.store.activity(kind, &api.user.actor(), id).await?;
    Ok(Json(record_json(&api.user.actor(), kind, &a, state.store.clock().now())))
}

fn fields(kind: &'static ActivityKind, body: &Map<String, Json_>) -> Result<kam_core::Record, ApiError> {
    // Who may write is decided per account (can_record_activity) in the store.
    parse_fields(kind.fields, body, &["account_id"], READ_ONLY, &|_| true)
}

async fn create(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    api: ApiUser,
    account: Option<AccountId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let account_id = match account {
        Some(a) => a,
        None => super::required_id(&body, "account_id")?,
    };
    let actor = api.user.actor();
    state.store.account(&actor, account_id).await?;
    // Report missing required fields together with malformed ones.
    let present: kam_core::Record = kind
        .fields
        .iter()
        .filter(|d| body.get(d.name).is_some_and(|v| !v.is_null()))
        .map(|d| (d.name, kam_core::Value::Bool(true)))
        .collect();
    let missing = kam_core::fields::missing_required(kind.fields, &present, true);
    let rec = match fields(kind, &body) {
        Err(mut e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            for (f, k) in &missing.0 {
                e.fields.entry(f.clone()).or_insert(k);
            }
            return Err(e);
        }
        Err(e) => return Err(e),
        Ok(_) if !missing.is_empty() => return Err(ApiError::invalid(&missing)),
        Ok(rec) => rec,
    };
    let a = state.store.create_activity(kind, &actor, account_id, rec).await?;
    Ok((StatusCode::CREATED, Json(record_json(&api.user.actor(), kind, &a, state.store.clock().now()))).into_response())
}

async fn patch(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ActivityId>,
    body: Bytes,
) -> Result<Json<Json_>, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    state.store.activity(kind, &actor, id).await?;
    if body.contains_key("account_id") {
        let mut e = FieldErrors::default();
        e.add("account_id", "err.field_forbidden");
        return Err(ApiError::invalid(&e));
    }
    let rec = fields(kind, &body)?;
    let a = state.store.update_activity(kind, &actor, id, rec).await?;
    Ok(Json(record_json(&api.user.actor(), kind, &a, state.store.clock().now())))
}

async fn delete(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ActivityId>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_activity(kind, &api.user.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
