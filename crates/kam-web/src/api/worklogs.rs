//! /api/v1/worklogs: daily work logs (附表九) with `/submit` and `/sign`, a
//! visit record from a visit entry, and each team's sign-off chain.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::AccountId;
use kam_core::FieldErrors;
use kam_core::TeamId;
use kam_core::UserId;
use kam_core::WorklogId;
use kam_core::fields::Raw;
use kam_core::worklog::{self, Decision, Entry, Input, SECTIONS, Status, Step};
use kam_store::worklogs::WorklogFilter;
use serde_json::{Map, Value as V, json};

use super::routes::*;
use super::{Id, Ids, QueryMap, object, page_params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/worklogs.xlsx", export, doc("exportWorklogs", "worklogs", "The work logs the caller may read, with the list's filters (status, author_id, from, to, awaiting_me), as .xlsx: day, author, status, visits, collections; audited").query("status", one_of(&["draft", "submitted", "returned", "approved"]), "log status").query("author_id", int(), "the author").query("from", date(), "first day").query("to", date(), "last day").query("awaiting_me", flag(), "only logs waiting for the caller's signature").file(super::routes::XLSX))
        .get("/api/v1/worklogs", list, doc("listWorklogs", "worklogs", "Daily work logs (附表九) the caller may read: their own, their team's (managers), those they sign; filters status, author_id, from, to, awaiting_me").paged().query("status", one_of(&["draft", "submitted", "returned", "approved"]), "log status").query("author_id", int(), "the author").query("from", date(), "first day").query("to", date(), "last day").query("awaiting_me", flag(), "only logs waiting for the caller's signature").ok("WorklogList"))
        .post("/api/v1/worklogs", create, doc("createWorklog", "worklogs", "Write the caller's log of a day (sales reps and managers)").body("WorklogInput").created("Worklog"))
        .get("/api/v1/worklogs/{id}", show, doc("getWorklog", "worklogs", "One work log with its entries and every sign-off round").ok("Worklog"))
        .put("/api/v1/worklogs/{id}", replace, doc("replaceWorklog", "worklogs", "Replace what the author wrote while a draft or returned; entries keep their id, entries left out are removed").body("WorklogInput").ok("Worklog"))
        .delete("/api/v1/worklogs/{id}", delete, doc("deleteWorklog", "worklogs", "Delete a draft that was never submitted").no_content())
        .post("/api/v1/worklogs/{id}/submit", submit, doc("submitWorklog", "worklogs", "Send the log into the team's sign-off chain (出纳 → 会计 → 部门主管 → 主管副总); the author can no longer change it").no_body().ok("Worklog"))
        .post("/api/v1/worklogs/{id}/sign", sign, doc("signWorklog", "worklogs", "The next signer approves or returns the log (a return needs a comment; the supervisor's evaluation is required at the department head's step, or the vice president's when there is none)").body("Signature").ok("Worklog"))
        .post("/api/v1/worklogs/{id}/visits/{entry_id}/visit", make_visit, doc("visitFromWorklogEntry", "worklogs", "Make a visit record (附表三) from a visit entry of the caller's log").no_body().created("VisitLink"))
        .post("/api/v1/worklogs/{id}/collections/{entry_id}/post", post_collection, doc("postWorklogCollection", "worklogs", "Finance posts a collection entry of a log to the ledger as a payment dated the log's day, once; the entry can then no longer change; the note says on what (bank slip, receipt)").body("PostCollection").created("LedgerLink"))
        .get("/api/v1/teams/{id}/signoff-chain", chain, doc("getSignoffChain", "worklogs", "Who signs each step of a team's work logs").ok("SignoffChain"))
        .put("/api/v1/teams/{id}/signoff-chain", set_chain, doc("setSignoffChain", "worklogs", "Set who signs each step (admin); steps left out are not used").body("SignoffChainInput").ok("SignoffChain"))
}

/// Keys a client may echo back from a read; they are ignored on write.
const READ_ONLY: &[&str] = &[
    "id",
    "author_id",
    "author_name",
    "author_team_id",
    "status",
    "round",
    "evaluation",
    "evaluated_by_name",
    "evaluated_at",
    "submitted_at",
    "signoffs",
    "next_signer_id",
    "next_step",
    "created_at",
    "updated_at",
];

/// A whole log from a JSON body: its fields and the three entry arrays.
fn parse_input(body: &Map<String, V>) -> Result<Input, ApiError> {
    let mut errors = FieldErrors::default();
    for k in body.keys() {
        let known = worklog::FIELDS.iter().any(|d| d.name == k)
            || SECTIONS.iter().any(|(s, ..)| s == k)
            || READ_ONLY.contains(&k.as_str());
        if !known {
            errors.add(k, "err.unknown_field");
        }
    }
    let rec = worklog::parse_row(worklog::FIELDS, |n| body.get(n).map(Raw::Json), "", &mut errors);
    let mut input = Input { rec, ..Default::default() };
    for (section, defs, with_account) in SECTIONS {
        let rows = match body.get(section) {
            None | Some(V::Null) => Vec::new(),
            Some(V::Array(rows)) => rows.clone(),
            Some(_) => {
                errors.add(section, "err.type_list");
                continue;
            }
        };
        let mut entries = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let prefix = format!("{section}.{i}");
            let V::Object(row) = row else {
                errors.add(&prefix, "err.type_object");
                continue;
            };
            let id_of = |k: &str, errors: &mut FieldErrors| match row.get(k) {
                None | Some(V::Null) => None,
                Some(v) => v.as_i64().or_else(|| {
                    errors.add(&format!("{prefix}.{k}"), "err.integer");
                    None
                }),
            };
            let mut ids = vec!["id"];
            if with_account {
                ids.push("account_id");
            }
            if section == "visits" {
                ids.extend(["contact_id", "visit_id"]);
            }
            for k in row.keys() {
                let ro = ["account_name", "contact_name"].contains(&k.as_str());
                if !defs.iter().any(|d| d.name == k) && !ids.contains(&k.as_str()) && !ro {
                    errors.add(&format!("{prefix}.{k}"), "err.unknown_field");
                }
            }
            entries.push(Entry {
                id: id_of("id", &mut errors),
                account_id: if with_account { id_of("account_id", &mut errors).map(AccountId) } else { None },
                contact_id: if section == "visits" {
                    id_of("contact_id", &mut errors).map(kam_core::ContactId)
                } else {
                    None
                },
                rec: worklog::parse_row(defs, |n| row.get(n).map(Raw::Json), &prefix, &mut errors),
            });
        }
        match section {
            "visits" => input.visits = entries,
            "collections" => input.collections = entries,
            _ => input.affairs = entries,
        }
    }
    if errors.is_empty() { Ok(input) } else { Err(ApiError::invalid(&errors)) }
}

/// The list's filters from the query, each bad one explained.
fn filter_of(q: &std::collections::HashMap<String, String>) -> Result<WorklogFilter, ApiError> {
    let (page, per_page) = page_params(q);
    let mut errors = FieldErrors::default();
    let status = q.get("status").filter(|s| !s.is_empty()).and_then(|s| {
        let st = Status::parse(s);
        if st.is_none() {
            errors.add("status", "err.choice");
        }
        st
    });
    let author_id = q.get("author_id").filter(|s| !s.is_empty()).and_then(|s| {
        let id = s.parse().ok();
        if id.is_none() {
            errors.add("author_id", "err.integer");
        }
        id
    });
    let date = |k: &str, errors: &mut FieldErrors| {
        q.get(k).filter(|s| !s.is_empty()).and_then(|s| {
            if kam_core::time_util::parse_date(s).is_none() {
                errors.add(k, "err.date");
                None
            } else {
                Some(s.clone())
            }
        })
    };
    let from = date("from", &mut errors);
    let to = date("to", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    Ok(WorklogFilter {
        author_id,
        status,
        from,
        to,
        awaiting_me: matches!(q.get("awaiting_me").map(String::as_str), Some("1" | "true")),
        page,
        per_page,
    })
}

/// The list with the same filters as .xlsx; audited.
async fn export(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<axum::response::Response, ApiError> {
    let f = filter_of(&q)?;
    let bytes = crate::exports::worklogs_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang, f).await?;
    Ok(crate::downloads::xlsx_response("工作日志.xlsx", bytes))
}

async fn list(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<V>, ApiError> {
    let f = filter_of(&q)?;
    let p = state.store.worklogs(&api.user.actor(), &f).await?;
    Ok(Json(json!({ "items": p.items, "page": p.page, "per_page": p.per_page, "total": p.total })))
}

async fn show(State(state): State<AppState>, api: ApiUser, Id(id): Id<WorklogId>) -> Result<Json<V>, ApiError> {
    let log = state.store.worklog(&api.user.actor(), id).await?;
    Ok(Json(json!(log)))
}

async fn create(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let input = parse_input(&body)?;
    let log = state.store.create_worklog(&api.user.actor(), input).await?;
    Ok((StatusCode::CREATED, Json(json!(log))).into_response())
}

/// PUT replaces what the author wrote; entries carrying their `id` are kept
/// (with their link to a visit record), entries left out are removed.
async fn replace(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<WorklogId>,
    body: Bytes,
) -> Result<Json<V>, ApiError> {
    let body = object(&body)?;
    let actor = api.user.actor();
    state.store.worklog(&actor, id).await?;
    let input = parse_input(&body)?;
    let log = state.store.update_worklog(&actor, id, input).await?;
    Ok(Json(json!(log)))
}

async fn delete(State(state): State<AppState>, api: ApiUser, Id(id): Id<WorklogId>) -> Result<StatusCode, ApiError> {
    state.store.delete_worklog(&api.user.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn submit(State(state): State<AppState>, api: ApiUser, Id(id): Id<WorklogId>) -> Result<Json<V>, ApiError> {
    let log = state.store.submit_worklog(&api.user.actor(), id).await?;
    Ok(Json(json!(log)))
}

/// POST {"decision": "approve" | "return", "comment"?, "evaluation"?}
async fn sign(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<WorklogId>,
    body: Bytes,
) -> Result<Json<V>, ApiError> {
    let body = object(&body)?;
    let text = |k: &str| body.get(k).and_then(V::as_str);
    let mut errors = FieldErrors::default();
    for k in body.keys() {
        if !["decision", "comment", "evaluation"].contains(&k.as_str()) {
            errors.add(k, "err.unknown_field");
        }
    }
    let decision = match text("decision") {
        None => {
            errors.add("decision", "err.required");
            None
        }
        Some(d) => Decision::parse(d).or_else(|| {
            errors.add("decision", "err.choice");
            None
        }),
    };
    let Some(decision) = decision.filter(|_| errors.is_empty()) else {
        return Err(ApiError::invalid(&errors));
    };
    let log = state.store.sign_worklog(&api.user.actor(), id, decision, text("comment"), text("evaluation")).await?;
    Ok(Json(json!(log)))
}

async fn make_visit(
    State(state): State<AppState>,
    api: ApiUser,
    Ids(id, entry): Ids<WorklogId>,
) -> Result<Response, ApiError> {
    let visit = state.store.visit_from_entry(&api.user.actor(), id, entry).await?;
    let body = json!({ "visit_id": visit, "href": format!("/api/v1/visits/{visit}") });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn chain(State(state): State<AppState>, _api: ApiUser, Id(team): Id<TeamId>) -> Result<Json<V>, ApiError> {
    if !state.store.teams().await?.iter().any(|t| t.id == team) {
        return Err(ApiError::not_found());
    }
    let steps = state.store.signoff_chain(team).await?;
    Ok(Json(json!({ "team_id": team, "steps": steps })))
}

/// PUT {"steps": [{"step": "cashier", "signer_id": 8}, …]} (admin).
async fn set_chain(
    State(state): State<AppState>,
    api: ApiUser,
    Id(team): Id<TeamId>,
    body: Bytes,
) -> Result<Json<V>, ApiError> {
    let body = object(&body)?;
    let mut errors = FieldErrors::default();
    let mut steps = Vec::new();
    match body.get("steps") {
        Some(V::Array(rows)) => {
            for (i, row) in rows.iter().enumerate() {
                let step = row.get("step").and_then(V::as_str).and_then(Step::parse);
                let signer = row.get("signer_id").and_then(V::as_i64).map(UserId);
                match (step, signer) {
                    (Some(s), Some(u)) if !steps.iter().any(|(x, _)| *x == s) => steps.push((s, u)),
                    (None, _) => errors.add(&format!("steps.{i}.step"), "err.choice"),
                    (Some(_), None) => errors.add(&format!("steps.{i}.signer_id"), "err.required"),
                    (Some(_), Some(_)) => errors.add(&format!("steps.{i}.step"), "err.duplicate"),
                }
            }
        }
        _ => errors.add("steps", "err.type_list"),
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    state.store.set_signoff_chain(&api.user.actor(), team, &steps).await?;
    let steps = state.store.signoff_chain(team).await?;
    Ok(Json(json!({ "team_id": team, "steps": steps })))
}

/// Finance posts a collection entry to the ledger as a payment.
async fn post_collection(
    State(state): State<AppState>,
    api: ApiUser,
    Ids(id, entry): Ids<WorklogId>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let body = super::object(&body)?;
    let note = body.get("note").and_then(serde_json::Value::as_str).unwrap_or_default();
    let lid = state.store.post_collection(&api.user.actor(), id, entry, note).await?;
    let body = json!({ "ledger_entry_id": lid, "href": format!("/api/v1/ledger-entries/{lid}") });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
