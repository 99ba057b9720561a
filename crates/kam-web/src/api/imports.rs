//! /api/v1/imports: upload a workbook (checked, nothing written), read the
//! check, commit it as one transaction, undo it; the refused rows as .xlsx.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::FieldErrors;
use kam_core::import::ImportKind;
use kam_store::imports::{Choices, OnDuplicate, RowFilter};
use serde_json::{Value as V, json};

use super::routes::*;
use super::{Id, QueryMap, object};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::import;

const PARTS: &[(&str, &str, bool)] = &[
    (
        "kind",
        "accounts | contacts | ledger | products | orders | interactions | visits | service_records | complaints | needs | surveys | contracts | competitors | visit_plans | targets | capability",
        true,
    ),
    ("sheet", "the sheet to read (default: the first)", false),
    (
        "mapping",
        "the name of a saved mapping (GET /api/v1/import-mappings), or a JSON object: column index → field name (\"\" leaves the column out); the rest is matched by header",
        false,
    ),
];

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .post_upload(
            "/api/v1/imports",
            upload,
            import::MAX_UPLOAD + 64 * 1024,
            doc(
                "createImport",
                "imports",
                "Upload .xlsx, .xls, .ods or .csv (UTF-8 or GBK) and check it: every row read by the form's rules, duplicates found; nothing is written until commit",
            )
            .upload("file")
            .parts(PARTS)
            .created("Import"),
        )
        .get("/api/v1/imports", list, doc("listImports", "imports", "The caller's imports, newest first (admin: everyone's)").ok("ImportList"))
        .get("/api/v1/imports/{id}", show, doc("getImport", "imports", "A checked or committed import: its mapping, its counts, what blocks its undo, and up to 1,000 of its rows with their errors and duplicates (`rows` and `rows_offset` page through the rest)").query("rows", one_of(&["all", "bad", "duplicate"]), "which rows: all (default), the refused ones, or the good ones that are duplicates").query("rows_offset", int(), "the first row to answer with, counted from 0 among those `rows` picks").ok("Import"))
        .post("/api/v1/imports/{id}/commit", commit, doc("commitImport", "imports", "Write the good rows in one transaction (a row that fails now fails the whole commit, named by row). From 2,000 rows the commit runs in the background: the answer is 202 with status `committing` and `progress`; GET the import for its progress, its committed counts, or `progress.failed`").optional_body("ImportCommit").ok("Import").accepted("Import"))
        .post("/api/v1/imports/{id}/undo", undo, doc("undoImport", "imports", "Take a committed import back in one audited action while nothing newer stands on its records").no_body().ok("Import"))
        .post("/api/v1/imports/{id}/mapping", save_mapping, doc("saveImportMapping", "imports", "Save the import's column mapping under a name, for the next file of the same shape (company-wide; saving again under a name replaces it); audited").body("ImportMappingInput").created("ImportMapping"))
        .get("/api/v1/import-mappings", mappings, doc("listImportMappings", "imports", "The saved column mappings of the kinds the caller may import").ok("ImportMappingList"))
        .get("/api/v1/imports/{id}/errors.xlsx", errors_xlsx, doc("downloadImportErrors", "imports", "The refused rows with a reason column, to fix and upload again").file(XLSX))
}

fn file_error(key: &'static str) -> ApiError {
    let mut e = FieldErrors::default();
    e.add("file", key);
    ApiError::invalid(&e)
}

async fn upload(State(state): State<AppState>, api: ApiUser, mut parts: Multipart) -> Result<Response, ApiError> {
    let refused = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            file_error("err.import_too_large")
        } else {
            ApiError::bad_request()
        }
    };
    let (mut file, mut kind, mut sheet, mut mapping) = (None, None, None, None);
    while let Some(field) = parts.next_field().await.map_err(refused)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or("upload").to_string();
                file = Some((name, field.bytes().await.map_err(refused)?.to_vec()));
            }
            "kind" => kind = Some(field.text().await.map_err(refused)?),
            "sheet" => sheet = Some(field.text().await.map_err(refused)?).filter(|s| !s.is_empty()),
            "mapping" => mapping = Some(field.text().await.map_err(refused)?),
            _ => {}
        }
    }
    let mut errors = FieldErrors::default();
    let kind = kind.as_deref().and_then(ImportKind::parse);
    if kind.is_none() {
        errors.add("kind", "err.choice");
    }
    if file.is_none() {
        errors.add("file", "err.required");
    }
    let (Some((name, bytes)), Some(kind), true) = (file, kind, errors.is_empty()) else {
        return Err(ApiError::invalid(&errors));
    };
    let overrides = import::Overrides::of(&state.store, &api.user.actor(), kind, mapping.as_deref()).await?;
    let sheet = import::read(&name, &bytes, sheet.as_deref()).map_err(file_error)?;
    let input = import::plan(kind, &name, &bytes, &sheet, &overrides).map_err(file_error)?;
    // The rows are read: the file and its cells go before the check.
    drop((sheet, bytes));
    let imp = state.store.check_import(&api.user.actor(), input).await?;
    Ok((StatusCode::CREATED, Json(json!(imp))).into_response())
}

async fn save_mapping(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let name = body.get("name").and_then(V::as_str).unwrap_or_default();
    let saved = state.store.save_import_mapping(&api.user.actor(), id, name).await?;
    Ok((StatusCode::CREATED, Json(json!(saved))).into_response())
}

async fn mappings(State(state): State<AppState>, api: ApiUser) -> Result<Json<V>, ApiError> {
    let items = state.store.import_mappings(&api.user.actor()).await?;
    Ok(Json(json!({ "items": items })))
}

async fn list(State(state): State<AppState>, api: ApiUser) -> Result<Json<V>, ApiError> {
    // The list reads the imports without their rows.
    let items = state.store.imports(&api.user.actor(), 100).await?;
    Ok(Json(json!({ "items": items })))
}

async fn show(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id,
    QueryMap(q): QueryMap,
) -> Result<Json<V>, ApiError> {
    let actor = api.user.actor();
    let mut e = FieldErrors::default();
    let filter = match q.get("rows").map(String::as_str).unwrap_or("all") {
        "all" | "" => RowFilter::All,
        "bad" => RowFilter::Bad,
        "duplicate" => RowFilter::Duplicate,
        _ => {
            e.add("rows", "err.choice");
            RowFilter::All
        }
    };
    let offset = match q.get("rows_offset").filter(|v| !v.is_empty()) {
        None => 0,
        Some(v) => v.parse::<usize>().ok().filter(|n| *n <= kam_core::import::MAX_ROWS).unwrap_or_else(|| {
            e.add("rows_offset", "err.range");
            0
        }),
    };
    if !e.is_empty() {
        return Err(ApiError::invalid(&e));
    }
    // Progress first: a commit that finishes between the two reads then shows committed, never checked.
    let progress = state.store.import_progress(&actor, id).await?;
    let imp = state.store.import_page(&actor, id, filter, offset).await?;
    let blockers = state.store.import_undo_blockers(&actor, id).await?;
    let mut out = json!(imp);
    out["undo_blocked_by"] = json!(blockers);
    // A commit running in the background: how far it has come, or why it failed.
    if let Some(p) = progress {
        if p.failed.is_none() && imp.status == "checked" {
            out["status"] = json!("committing");
        }
        out["progress"] = json!(p);
    }
    Ok(Json(out))
}

async fn commit(State(state): State<AppState>, api: ApiUser, Id(id): Id, body: Bytes) -> Result<Response, ApiError> {
    let mut choices = Choices::default();
    if !body.is_empty() {
        let body = object(&body)?;
        let mut e = FieldErrors::default();
        match body.get("on_duplicate") {
            None | Some(V::Null) => {}
            Some(v) => match v.as_str().and_then(OnDuplicate::parse) {
                Some(c) => choices.default = Some(c),
                None => e.add("on_duplicate", "err.choice"),
            },
        }
        match body.get("rows") {
            None | Some(V::Null) => {}
            Some(V::Object(rows)) => {
                for (row, v) in rows {
                    match (row.parse::<usize>(), v.as_str().and_then(OnDuplicate::parse)) {
                        (Ok(r), Some(c)) => {
                            choices.rows.insert(r, c);
                        }
                        _ => e.add(&format!("rows.{row}"), "err.choice"),
                    }
                }
            }
            Some(_) => e.add("rows", "err.type_object"),
        }
        if !e.is_empty() {
            return Err(ApiError::invalid(&e));
        }
    }
    let actor = api.user.actor();
    match import::commit(&state.store, &actor, id, choices).await? {
        Some(imp) => Ok((StatusCode::OK, Json(json!(imp))).into_response()),
        None => {
            let imp = state.store.import(&actor, id).await?;
            let total = imp.total_rows.max(0) as usize;
            let mut out = json!(imp);
            out["status"] = json!("committing");
            // A commit that finished before this answer left the board: all of it is done.
            let progress = state.store.import_progress(&actor, id).await?;
            out["progress"] =
                json!(progress.unwrap_or(kam_store::imports::Progress { done: total, total, failed: None }));
            Ok((StatusCode::ACCEPTED, Json(out)).into_response())
        }
    }
}

async fn undo(State(state): State<AppState>, api: ApiUser, Id(id): Id) -> Result<Json<V>, ApiError> {
    let imp = state.store.undo_import(&api.user.actor(), id).await?;
    Ok(Json(json!(imp)))
}

async fn errors_xlsx(State(state): State<AppState>, api: ApiUser, Id(id): Id) -> Result<Response, ApiError> {
    let actor = api.user.actor();
    let imp = state.store.import_summary(&actor, id).await?;
    let bad = import::rows_of(&state.store, &actor, id, RowFilter::Bad).await?;
    let bytes = import::bad_rows_xlsx(api.lang, &imp, &bad)?;
    Ok(crate::downloads::xlsx_response(&format!("import-{id}-errors.xlsx"), bytes))
}
