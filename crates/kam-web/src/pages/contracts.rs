//! Contract pages 合同与协议: the list, the form (drafts), the contract with
//! its status steps, amendments and attachments (upload and download).

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::AccountId;
use kam_core::ContractId;
use kam_core::FieldErrors;
use kam_core::contract::{self, AMENDMENT_FIELDS, FIELDS, GROUPS};
use kam_core::fields::{FieldDef, Value};
use kam_core::time_util::display_ts;
use kam_core::visibility::Viewer;
use kam_store::StoreError;
use kam_store::contracts::Contract;

use super::{Flash, ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed, constant_eq};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx, InputGroup, ShownGroup};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contracts", get(list))
        .route("/contracts.xlsx", get(export))
        .route("/accounts/{id}/contracts/new", get(new_form))
        .route("/accounts/{id}/contracts", post(create))
        .route("/contracts/{id}", get(show).post(update))
        .route("/contracts/{id}/edit", get(edit_form))
        .route("/contracts/{id}/transition", post(transition))
        .route("/contracts/{id}/amendments", post(amend))
        .route(
            "/contracts/{id}/attachments",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(contract::MAX_ATTACHMENT_BYTES + 64 * 1024)),
        )
        .route("/contracts/{id}/attachments/{aid}", get(download))
}

pub fn status_label(lang: Lang, s: &str) -> String {
    view::choice(lang, "contract_status", s)
}

pub struct Row {
    pub id: ContractId,
    pub no: String,
    pub title: String,
    pub kind: String,
    pub account_id: AccountId,
    pub account: String,
    pub valid_to: String,
    pub amount: String,
    pub status: String,
    pub status_code: String,
}

pub fn rows(lang: Lang, list: &[Contract]) -> Vec<Row> {
    list.iter()
        .map(|c| Row {
            id: c.id,
            no: c.text("contract_no").into(),
            title: c.text("title").into(),
            kind: view::choice(lang, "contract_type", c.text("contract_type")),
            account_id: c.account_id,
            account: c.account_name.clone(),
            valid_to: c.text("valid_to").into(),
            amount: c
                .current_amount
                .map(|m| view::money(m, c.rec.get("currency").and_then(Value::as_text).unwrap_or("CNY")))
                .unwrap_or_default(),
            status: status_label(lang, &c.status),
            status_code: c.status.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "contracts.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
}

async fn export(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let bytes = crate::exports::contracts_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang).await?;
    Ok(crate::downloads::xlsx_response("合同.xlsx", bytes))
}

async fn list(State(state): State<AppState>, auth: Authed, Query(f): Query<Flash>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let list = state.store.contracts(&auth.user.actor(), None).await?;
    let page = ListPage { ctx: ctx(&state, &auth, "orders", f.msg.as_deref()).await, rows: rows(lang, &list) };
    render(&page)
}

async fn form_page(
    state: &AppState,
    auth: &Authed,
    account_id: AccountId,
    id: Option<ContractId>,
    values: &(dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let acc = state.store.account(&actor, account_id).await?;
    if !contract::can_write(&actor, &acc.facts()) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let page = super::SimpleForm {
        ctx: ctx(state, auth, "orders", None).await,
        title: format!("{} · {}", t(lang, if id.is_some() { "contract.edit" } else { "contract.new" }), acc.name()),
        action: id.map(|i| format!("/contracts/{i}")).unwrap_or_else(|| format!("/accounts/{account_id}/contracts")),
        cancel: id
            .map(|i| format!("/contracts/{i}"))
            .unwrap_or_else(|| format!("/accounts/{account_id}?tab=contracts")),
        has_errors: !errors.is_empty(),
        groups: view::form(lang, "contract", FIELDS, GROUPS, values, &errors, &|_| true, &|_| false),
    };
    let failed = page.has_errors;
    super::render_checked(&page, failed)
}

async fn new_form(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    let today = state.store.today().to_string();
    let values = move |d: &FieldDef| match d.name {
        "signed_on" | "valid_from" => today.clone(),
        "contract_type" => "sales".to_string(),
        _ => String::new(),
    };
    form_page(&state, &auth, id, None, &values, FieldErrors::default()).await
}

async fn edit_form(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ContractId>,
) -> Result<Response, PageError> {
    let c = state.store.contract(&auth.user.actor(), id).await?;
    if c.stored_status != "draft" {
        return Err(PageError::Forbidden("err.contract_amend_only"));
    }
    let values = view::stored_text(&c.rec);
    form_page(&state, &auth, c.account_id, Some(id), &values, FieldErrors::default()).await
}

async fn save(
    state: AppState,
    f: AuthForm,
    account_id: AccountId,
    id: Option<ContractId>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(FIELDS, &f.form, &|_| true, &mut errors);
    let values = view::posted_text(&f.form);
    let actor = f.auth.user.actor();
    crate::pages::form_flow(
        errors,
        async || match id {
            Some(i) => state.store.update_contract(&actor, i, rec).await,
            None => state.store.create_contract(&actor, account_id, rec).await,
        },
        |c| see_other(&format!("/contracts/{}", c.id), "common.saved"),
        async |errors| form_page(&state, &f.auth, account_id, id, &values, errors).await,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    Path(account): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    save(state, f, account, None).await
}

async fn update(State(state): State<AppState>, Path(id): Path<ContractId>, f: AuthForm) -> Result<Response, PageError> {
    let c = state.store.contract(&f.auth.user.actor(), id).await?;
    save(state, f, c.account_id, Some(id)).await
}

#[derive(Template)]
#[template(path = "contract_show.html")]
struct ShowPage {
    ctx: Ctx,
    c: Contract,
    status: String,
    card: Vec<ShownGroup>,
    amount: String,
    amendments: Vec<(String, String, String, String)>,
    attachments: Vec<(i64, String, String, String)>,
    next: Vec<(String, String)>,
    can_write: bool,
    amend_groups: Vec<InputGroup>,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    auth: &Authed,
    id: ContractId,
    flash: Option<&str>,
    error: Option<&str>,
    amend_errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let c = state.store.contract(&actor, id).await?;
    let acc = state.store.account(&actor, c.account_id).await?;
    let cur = c.rec.get("currency").and_then(Value::as_text).unwrap_or("CNY").to_string();
    let today = state.store.today().to_string();
    let page = ShowPage {
        ctx: ctx(state, auth, "orders", flash).await,
        status: status_label(lang, &c.status),
        card: view::card(lang, "contract", FIELDS, GROUPS, &c.rec, Viewer::of(&actor)),
        amount: c.current_amount.map(|m| view::money(m, &cur)).unwrap_or_default(),
        amendments: c
            .amendments
            .iter()
            .map(|a| {
                let text = |f: &str| a.rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
                (
                    text("amended_on"),
                    text("change"),
                    a.rec.get("amount_delta").and_then(Value::as_int).map(|m| view::money(m, &cur)).unwrap_or_default(),
                    format!("{} {}", a.created_by_name.clone().unwrap_or_default(), display_ts(&a.created_at)),
                )
            })
            .collect(),
        attachments: c
            .attachments
            .iter()
            .map(|a| {
                (a.id, a.file_name.clone(), format!("{:.1} KB", a.size as f64 / 1024.0), display_ts(&a.created_at))
            })
            .collect(),
        next: ["active", "terminated"]
            .iter()
            .filter(|s| contract::can_move(&c.stored_status, s))
            .map(|s| (s.to_string(), t(lang, &format!("contract.to.{s}")).to_string()))
            .collect(),
        can_write: contract::can_write(&actor, &acc.facts()),
        amend_groups: view::form(
            lang,
            "contract_amendment",
            AMENDMENT_FIELDS,
            &["amendment"],
            &|d: &FieldDef| if d.name == "amended_on" { today.clone() } else { String::new() },
            &amend_errors,
            &|_| true,
            &|_| false,
        ),
        error: error.map(|k| t(lang, k).to_string()),
        c,
    };
    let failed = page.error.is_some();
    super::render_checked(&page, failed)
}

async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ContractId>,
    Query(f): Query<Flash>,
) -> Result<Response, PageError> {
    show_page(&state, &auth, id, f.msg.as_deref(), None, FieldErrors::default()).await
}

async fn transition(
    State(state): State<AppState>,
    Path(id): Path<ContractId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    match state.store.transition_contract(&f.auth.user.actor(), id, f.form.text("to")).await {
        Ok(_) => Ok(see_other(&format!("/contracts/{id}"), "common.saved")),
        Err(StoreError::Conflict(k)) => show_page(&state, &f.auth, id, None, Some(k), FieldErrors::default()).await,
        Err(e) => Err(PageError::from(e)),
    }
}

async fn amend(State(state): State<AppState>, Path(id): Path<ContractId>, f: AuthForm) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(AMENDMENT_FIELDS, &f.form, &|_| true, &mut errors);
    let result = if errors.is_empty() {
        state.store.amend_contract(&f.auth.user.actor(), id, rec).await
    } else {
        Err(StoreError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/contracts/{id}"), "common.saved")),
        Err(StoreError::Invalid(e)) => show_page(&state, &f.auth, id, None, Some("common.fix_errors"), e).await,
        Err(StoreError::Conflict(k)) => show_page(&state, &f.auth, id, None, Some(k), FieldErrors::default()).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// A multipart upload: `_csrf` and `file`.
async fn upload(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ContractId>,
    mut parts: Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match parts.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return show_page(&state, &auth, id, None, Some("err.file_too_large"), FieldErrors::default()).await;
            }
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(_) => {
                        return show_page(&state, &auth, id, None, Some("err.file_too_large"), FieldErrors::default())
                            .await;
                    }
                }
            }
            _ => {}
        }
    }
    if !constant_eq(&csrf, &auth.csrf) {
        return Err(PageError::Csrf);
    }
    let Some((name, body)) = file else {
        return show_page(&state, &auth, id, None, Some("err.required"), FieldErrors::default()).await;
    };
    match state.store.attach_to_contract(&auth.user.actor(), id, &name, body).await {
        Ok(_) => Ok(see_other(&format!("/contracts/{id}"), "contract.attached")),
        Err(StoreError::Invalid(e)) => {
            let k = e.0.values().next().copied().unwrap_or("err.file_type");
            show_page(&state, &auth, id, None, Some(k), FieldErrors::default()).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

async fn download(
    State(state): State<AppState>,
    auth: Authed,
    Path((id, aid)): Path<(ContractId, i64)>,
) -> Result<Response, PageError> {
    let (meta, body) = state.store.contract_attachment(&auth.user.actor(), id, aid).await?;
    Ok(crate::downloads::file_response(&meta.file_name, &meta.content_type, body))
}
