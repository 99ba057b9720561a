//! /imports: upload a workbook, read its check (the mapping, the refused rows
//! with their reasons, the duplicates), commit it or download the refused rows
//! to fix; the history of imports with their undo.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kam_core::import::{ACCOUNT_REF, ImportKind};
use kam_store::StoreError;
use kam_store::imports::{Choices, Duplicate, Import, OnDuplicate, RowFilter};

use super::{Flash, ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed, constant_eq};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::import;
use crate::view::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/imports",
            get(list).post(upload).layer(axum::extract::DefaultBodyLimit::max(import::MAX_UPLOAD + 64 * 1024)),
        )
        .route("/imports/{id}", get(show))
        .route("/imports/{id}/commit", post(commit))
        .route("/imports/{id}/progress", get(progress))
        .route("/imports/{id}/undo", post(undo))
        .route("/imports/{id}/mapping", post(save_mapping))
        .route("/imports/{id}/errors.xlsx", get(errors_xlsx))
}

/// One import in the history.
pub struct Summary {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub when: String,
    pub status: String,
    pub counts: String,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ListPage {
    ctx: Ctx,
    /// (code, label, what its sheet holds)
    kinds: Vec<(&'static str, String, String)>,
    /// Saved mappings: (name, "kind · name").
    mappings: Vec<(String, String)>,
    error: Option<String>,
    history: Vec<Summary>,
}

fn summary(lang: Lang, i: &Import) -> Summary {
    Summary {
        id: i.id,
        kind: t(lang, &format!("import.kind.{}", i.kind.as_str())).to_string(),
        file_name: i.file_name.clone(),
        when: kam_core::time_util::display_ts(&i.created_at),
        status: t(lang, &format!("import.status.{}", i.status)).to_string(),
        counts: i.counts.as_ref().map(|c| counts(lang, c)).unwrap_or_default(),
    }
}

fn counts(lang: Lang, c: &kam_store::imports::Counts) -> String {
    t(lang, "import.counts")
        .replace("{created}", &c.created.to_string())
        .replace("{updated}", &c.updated.to_string())
        .replace("{skipped}", &c.skipped.to_string())
        .replace("{refused}", &c.refused.to_string())
}

async fn list_page(
    state: &AppState,
    auth: &Authed,
    flash: Option<&str>,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let may = ImportKind::for_actor(&auth.user.actor());
    if may.is_empty() {
        return Err(PageError::NotFound);
    }
    let lang = auth.lang;
    let history = state.store.imports(&auth.user.actor(), 50).await?.iter().map(|i| summary(lang, i)).collect();
    let kinds = may
        .iter()
        .map(|k| {
            let (label, hint) = (format!("import.kind.{}", k.as_str()), format!("import.hint.{}", k.as_str()));
            (k.as_str(), t(lang, &label).to_string(), t(lang, &hint).to_string())
        })
        .collect();
    let mappings = state
        .store
        .import_mappings(&auth.user.actor())
        .await?
        .into_iter()
        .map(|m| {
            let label = format!("{} · {}", t(lang, &format!("import.kind.{}", m.kind.as_str())), m.name);
            (m.name, label)
        })
        .collect();
    render(&ListPage {
        ctx: ctx(state, auth, "imports", flash).await,
        kinds,
        mappings,
        error: error.map(|e| t(lang, e).to_string()),
        history,
    })
}

async fn list(State(state): State<AppState>, auth: Authed, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    list_page(&state, &auth, flash.msg.as_deref(), None).await
}

async fn upload(State(state): State<AppState>, auth: Authed, mut parts: Multipart) -> Result<Response, PageError> {
    let (mut csrf, mut file, mut kind, mut sheet, mut mapping) = (String::new(), None, None, None, None);
    loop {
        let field = match parts.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return list_page(&state, &auth, None, Some("err.import_too_large")).await,
        };
        match field.name().unwrap_or_default() {
            "_csrf" => csrf = field.text().await.unwrap_or_default(),
            "kind" => kind = field.text().await.ok().as_deref().and_then(ImportKind::parse),
            "sheet" => sheet = field.text().await.ok().filter(|s| !s.trim().is_empty()),
            "mapping" => mapping = field.text().await.ok().filter(|s| !s.trim().is_empty()),
            "file" => {
                let name = field.file_name().unwrap_or("upload").to_string();
                match field.bytes().await {
                    Ok(b) if !b.is_empty() => file = Some((name, b.to_vec())),
                    Ok(_) => {}
                    Err(_) => return list_page(&state, &auth, None, Some("err.import_too_large")).await,
                }
            }
            _ => {}
        }
    }
    if !constant_eq(&csrf, &auth.csrf) {
        return Err(PageError::Csrf);
    }
    let (Some((name, bytes)), Some(kind)) = (file, kind) else {
        return list_page(&state, &auth, None, Some("err.required")).await;
    };
    let overrides = match import::Overrides::of(&state.store, &auth.user.actor(), kind, mapping.as_deref()).await {
        Ok(o) => o,
        Err(StoreError::Invalid(fe)) => {
            let key = fe.0.values().next().copied().unwrap_or("err.import_mapping_unknown");
            return list_page(&state, &auth, None, Some(key)).await;
        }
        Err(e) => return Err(e.into()),
    };
    let read =
        import::read(&name, &bytes, sheet.as_deref()).and_then(|s| import::plan(kind, &name, &bytes, &s, &overrides));
    let input = match read {
        Ok(i) => i,
        Err(key) => return list_page(&state, &auth, None, Some(key)).await,
    };
    let imp = state.store.check_import(&auth.user.actor(), input).await?;
    Ok(see_other(&format!("/imports/{}", imp.id), "import.checked_note"))
}

/// A row of the check as the page shows it.
pub struct RowView {
    pub row: usize,
    pub name: String,
    pub problems: String,
    pub duplicate: String,
}

#[derive(Template)]
#[template(path = "import_show.html")]
struct ShowPage {
    ctx: Ctx,
    id: i64,
    s: Summary,
    sha256: String,
    sheet: String,
    total: i64,
    bad: i64,
    duplicates: i64,
    mapping: Vec<(String, String)>,
    bad_rows: Vec<RowView>,
    dup_rows: Vec<RowView>,
    can_commit: bool,
    /// What a duplicate row may be given: (code, label); update for accounts only.
    choices: Vec<(&'static str, String)>,
    can_undo: bool,
    blockers: Vec<String>,
    error: Option<String>,
    /// A commit running in the background: (rows done, rows in all).
    progress: Option<(usize, usize)>,
}

async fn show_page(
    state: &AppState,
    auth: &Authed,
    id: i64,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let actor = auth.user.actor();
    // A commit running in the background, or why the last one failed; read
    // before the import, so one finishing in between shows as done.
    let running = state.store.import_progress(&actor, id).await?;
    let imp = state.store.import_summary(&actor, id).await?;
    let lang = auth.lang;
    let kind = imp.kind;
    let field_label = |f: &str| {
        if f == ACCOUNT_REF {
            t(lang, "import.account_ref").to_string()
        } else {
            t(lang, &kind.label_key(f)).to_string()
        }
    };
    let mapping = imp
        .columns
        .iter()
        .map(|c| {
            (
                c.header.clone(),
                c.field.as_deref().map(field_label).unwrap_or_else(|| t(lang, "import.unmapped").to_string()),
            )
        })
        .collect();
    // What a person knows the row by: its name, else its order number and product.
    let name_of = |r: &kam_store::imports::PlanRow| {
        let v = |f: &str| r.values.get(f).filter(|s| !s.is_empty()).cloned();
        v("name")
            .or_else(|| Some([v("external_no"), v("product")].into_iter().flatten().collect::<Vec<_>>().join(" ")))
            .unwrap_or_default()
    };
    let bad_rows = state
        .store
        .import_rows(&actor, id, RowFilter::Bad, 0, 500)
        .await?
        .iter()
        .map(|r| RowView {
            row: r.row,
            name: name_of(r),
            problems: r.errors.iter().map(|e| import::reason(lang, kind, e)).collect::<Vec<_>>().join("；"),
            duplicate: String::new(),
        })
        .collect();
    let dup_rows = state
        .store
        .import_rows(&actor, id, RowFilter::Duplicate, 0, 500)
        .await?
        .iter()
        .filter_map(|r| r.duplicate.as_ref().map(|d| (r, d)))
        .map(|(r, d)| RowView {
            row: r.row,
            name: name_of(r),
            problems: String::new(),
            duplicate: match d {
                Duplicate::InFile { row } => t(lang, "import.dup_in_file").replace("{n}", &row.to_string()),
                Duplicate::Existing { name: Some(n), .. } => format!("{}：{n}", t(lang, "import.dup_existing")),
                Duplicate::Existing { name: None, .. } => {
                    format!("{} {}", t(lang, "import.dup_existing"), t(lang, "import.dup_hidden"))
                }
            },
        })
        .collect();
    let blockers = state.store.import_undo_blockers(&actor, id).await?;
    let mut error = error;
    let progress = match running {
        Some(p) if p.failed.is_none() && imp.status == "checked" => Some((p.done, p.total)),
        Some(kam_store::imports::Progress { failed: Some(f), .. }) if error.is_none() && imp.status == "checked" => {
            error = Some(failure_text(lang, kind, f.iter().map(|(k, m)| (k.as_str(), m.as_str()))));
            None
        }
        _ => None,
    };
    let page = ShowPage {
        ctx: ctx(state, auth, "imports", flash).await,
        id,
        s: summary(lang, &imp),
        sha256: imp.sha256.clone(),
        sheet: imp.sheet.clone().unwrap_or_default(),
        total: imp.total_rows,
        bad: imp.bad_rows,
        duplicates: imp.duplicate_rows,
        mapping,
        bad_rows,
        dup_rows,
        can_commit: imp.status == "checked" && imp.created_by == actor.user_id && progress.is_none(),
        progress,
        choices: OnDuplicate::ALL
            .into_iter()
            .filter(|c| *c != OnDuplicate::Update || kind.updates())
            .map(|c| (c.as_str(), t(lang, &format!("import.on_duplicate.{}", c.as_str())).to_string()))
            .collect(),
        can_undo: imp.status == "committed" && blockers.is_empty(),
        blockers,
        error,
    };
    render(&page)
}

async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    show_page(&state, &auth, id, flash.msg.as_deref(), None).await
}

/// A failed commit, in the user's words: "第 12 行 信用代码：…".
fn commit_error(lang: Lang, kind: ImportKind, e: &StoreError) -> Option<String> {
    let StoreError::Invalid(fe) = e else { return None };
    Some(failure_text(lang, kind, fe.0.iter().map(|(k, m)| (k.as_str(), *m))))
}

/// Refusals named by row (`rows.12.credit_code` → message key) in the user's words.
fn failure_text<'a>(lang: Lang, kind: ImportKind, refusals: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let parts: Vec<String> = refusals
        .map(|(k, msg)| {
            let mut it = k.splitn(3, '.');
            let (first, row, field) = (it.next(), it.next().unwrap_or_default(), it.next());
            if first != Some("rows") {
                return t(lang, msg).to_string();
            }
            let cell = kam_store::imports::CellError { field: field.unwrap_or_default().into(), message: msg.into() };
            let why = if field.is_some() { import::reason(lang, kind, &cell) } else { t(lang, msg).to_string() };
            format!("{} {row}：{why}", t(lang, "import.row"))
        })
        .collect();
    parts.join("；")
}

async fn commit(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    // The choice for all duplicates, and a row's own (`choice.12`) over it.
    let mut choices = Choices::from(OnDuplicate::parse(f.form.text("on_duplicate")).unwrap_or(OnDuplicate::Skip));
    for (k, v) in &f.form.0 {
        if let (Some(row), Some(c)) =
            (k.strip_prefix("choice.").and_then(|r| r.parse().ok()), OnDuplicate::parse(v).filter(|_| !v.is_empty()))
        {
            choices.rows.insert(row, c);
        }
    }
    let actor = f.auth.user.actor();
    match import::commit(&state.store, &actor, id, choices).await {
        Ok(Some(_)) => Ok(see_other(&format!("/imports/{id}"), "import.committed")),
        Ok(None) => Ok(see_other(&format!("/imports/{id}"), "import.committing")),
        Err(e) => {
            let kind = state.store.import_summary(&actor, id).await?.kind;
            match commit_error(f.auth.lang, kind, &e) {
                Some(msg) => show_page(&state, &f.auth, id, None, Some(msg)).await,
                None => Err(PageError::from(e)),
            }
        }
    }
}

/// How far a commit running in the background has come, for the page to
/// show without a reload: `running` false once it has finished or failed.
async fn progress(State(state): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let actor = auth.user.actor();
    // Progress first: a commit finishing between the reads shows as done, not as never started.
    let p = state.store.import_progress(&actor, id).await?;
    let imp = state.store.import_summary(&actor, id).await?;
    let running = p.as_ref().is_some_and(|p| p.failed.is_none()) && imp.status == "checked";
    let (done, total) = p.map(|p| (p.done, p.total)).unwrap_or((imp.total_rows as usize, imp.total_rows as usize));
    let body = serde_json::json!({"running": running, "status": imp.status, "done": done, "total": total});
    Ok(axum::Json(body).into_response())
}

async fn save_mapping(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    match state.store.save_import_mapping(&f.auth.user.actor(), id, f.form.text("name")).await {
        Ok(_) => Ok(see_other(&format!("/imports/{id}"), "import.mapping_saved")),
        Err(StoreError::Invalid(fe)) => {
            let why = fe.0.values().map(|k| t(f.auth.lang, k)).collect::<Vec<_>>().join("；");
            show_page(&state, &f.auth, id, None, Some(why)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn undo(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    state.store.undo_import(&f.auth.user.actor(), id).await?;
    Ok(see_other(&format!("/imports/{id}"), "import.undone"))
}

async fn errors_xlsx(State(state): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let actor = auth.user.actor();
    let imp = state.store.import_summary(&actor, id).await?;
    let bad = import::rows_of(&state.store, &actor, id, RowFilter::Bad).await?;
    let bytes = import::bad_rows_xlsx(auth.lang, &imp, &bad)?;
    Ok(crate::downloads::xlsx_response(&format!("import-{id}-errors.xlsx"), bytes))
}
