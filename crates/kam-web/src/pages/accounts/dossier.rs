//! The account's dossier page: download the whole file as a workbook, upload
//! it edited, review the diff and write the ticked changes.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use kam_core::AccountId;
use kam_store::StoreError;
use kam_store::accounts::Account;

use crate::AppState;
use crate::auth::{AuthForm, Authed, constant_eq};
use crate::dossier::{self, Accepted, AcceptedContact, Change, Diff};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::pages::{ctx, render_checked, see_other};
use crate::view::Ctx;

/// One change as the page offers it: the checkbox's value (the change as
/// JSON, posted back as it is), whether it may be ticked, and why not.
struct Offer {
    name: String,
    value: String,
    who: String,
    label: String,
    before: String,
    after: String,
    refused: Option<String>,
}

#[derive(Template)]
#[template(path = "account_dossier.html")]
struct DossierPage {
    ctx: Ctx,
    account: Account,
    can_edit: bool,
    error: Vec<String>,
    diff: bool,
    profile: Vec<Offer>,
    contacts: Vec<Offer>,
    new_contacts: Vec<Offer>,
    notes: Vec<String>,
}

fn offers(lang: Lang, prefix: &str, who: &str, changes: &[Change], value: impl Fn(&Change) -> String) -> Vec<Offer> {
    changes
        .iter()
        .map(|c| Offer {
            name: String::new(),
            value: value(c),
            who: who.to_string(),
            label: c.label.clone(),
            before: c.before.clone(),
            after: c.after.clone(),
            refused: c.error.as_deref().map(|k| t(lang, k).to_string()),
        })
        .enumerate()
        .map(|(i, mut o)| {
            o.name = format!("{prefix}.{i}");
            o
        })
        .collect()
}

async fn page(
    state: &AppState,
    auth: &Authed,
    id: AccountId,
    diff: Option<Diff>,
    error: Vec<String>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let account = state.store.account(&actor, id).await?;
    let (mut profile, mut contacts, mut new_contacts, mut notes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let has_diff = diff.is_some();
    if let Some(d) = diff {
        profile = offers(lang, "p", "", &d.profile, |c| serde_json::to_string(c).unwrap_or_default());
        for (n, cc) in d.contacts.iter().enumerate() {
            if let Some(e) = &cc.error {
                notes.push(format!("{} #{}：{}", cc.name, cc.id, t(lang, e)));
            }
            let value = |c: &Change| {
                let mut v = serde_json::to_value(c).unwrap_or_default();
                v["id"] = cc.id.into();
                v.to_string()
            };
            for mut o in offers(lang, &format!("c.{n}"), &cc.name, &cc.changes, value) {
                o.name = o.name.replacen('.', "_", 1);
                contacts.push(o);
            }
        }
        for (i, nc) in d.new_contacts.iter().enumerate() {
            let refused: Vec<String> = nc
                .errors
                .iter()
                .map(|e| format!("{}：{}", e.label, t(lang, e.error.as_deref().unwrap_or_default())))
                .collect();
            let summary: Vec<String> = nc.values.values().cloned().collect();
            new_contacts.push(Offer {
                name: format!("n.{i}"),
                value: serde_json::to_string(&nc.values).unwrap_or_default(),
                who: t(lang, "dossier.row").replace("{n}", &nc.row.to_string()),
                label: String::new(),
                before: String::new(),
                after: summary.join(" · "),
                refused: (!refused.is_empty()).then(|| refused.join("；")),
            });
        }
        for r in &d.read_only {
            notes.push(
                t(lang, "dossier.read_only_cells").replace("{sheet}", &r.sheet).replace("{n}", &r.cells.to_string()),
            );
        }
        if d.contacts_left_out > 0 {
            notes.push(t(lang, "dossier.left_out").replace("{n}", &d.contacts_left_out.to_string()));
        }
    }
    let failed = !error.is_empty();
    let page = DossierPage {
        ctx: ctx(state, auth, "accounts", None).await,
        can_edit: actor.can_edit_account(&account.facts()),
        account,
        error,
        diff: has_diff,
        profile,
        contacts,
        new_contacts,
        notes,
    };
    render_checked(&page, failed)
}

/// What a dossier step failed with: the store's refusal (shown on the page)
/// or a workbook that could not be written.
enum Failed {
    Store(StoreError),
    Xlsx(rust_xlsxwriter::XlsxError),
}

impl From<StoreError> for Failed {
    fn from(e: StoreError) -> Self {
        Failed::Store(e)
    }
}

impl From<rust_xlsxwriter::XlsxError> for Failed {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        Failed::Xlsx(e)
    }
}

/// Where a refused value was, in the user's words: "电话", "联系人 #12 邮箱", "新联系人 1 姓名".
fn place(lang: Lang, key: &str) -> String {
    let parts: Vec<&str> = key.split('.').collect();
    let field = |entity: &str, f: &str| t(lang, &format!("field.{entity}.{f}")).to_string();
    match parts.as_slice() {
        ["profile", f] => field("account", f),
        ["contacts", id, f] => format!("{} #{id} {}", t(lang, "entity.contact"), field("contact", f)),
        ["new", i, f] => {
            format!(
                "{} {} {}",
                t(lang, "dossier.new_contacts"),
                i.parse::<usize>().unwrap_or(0) + 1,
                field("contact", f)
            )
        }
        _ => t(lang, key).to_string(),
    }
}

/// Messages of a refusal, in the user's words.
fn messages(lang: Lang, e: &StoreError) -> Vec<String> {
    match e {
        StoreError::Invalid(fe) => fe.0.iter().map(|(k, m)| format!("{}：{}", place(lang, k), t(lang, m))).collect(),
        StoreError::Forbidden(k) | StoreError::Conflict(k) => vec![t(lang, k).to_string()],
        _ => vec![t(lang, "err.internal").to_string()],
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    page(&state, &auth, id, None, Vec::new()).await
}

pub(super) async fn download(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    let bytes = dossier::export::<PageError>(&state.store, &auth.user.actor(), auth.lang, id).await?;
    Ok(crate::downloads::xlsx_response(&format!("dossier-{}.xlsx", id.0), bytes))
}

pub(super) async fn upload(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
    mut parts: Multipart,
) -> Result<Response, PageError> {
    let (mut csrf, mut file) = (String::new(), None);
    loop {
        let field = match parts.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return page(&state, &auth, id, None, vec![t(auth.lang, "err.import_too_large").into()]).await,
        };
        match field.name().unwrap_or_default() {
            "_csrf" => csrf = field.text().await.unwrap_or_default(),
            "file" => file = field.bytes().await.ok().filter(|b| !b.is_empty()).map(|b| b.to_vec()),
            _ => {}
        }
    }
    if !constant_eq(&csrf, &auth.csrf) {
        return Err(PageError::Csrf);
    }
    let Some(bytes) = file else {
        return page(&state, &auth, id, None, vec![t(auth.lang, "err.required").into()]).await;
    };
    match dossier::diff::<Failed>(&state.store, &auth.user.actor(), auth.lang, id, &bytes).await {
        Ok(d) => page(&state, &auth, id, Some(d), Vec::new()).await,
        Err(Failed::Store(e @ (StoreError::Invalid(_) | StoreError::Forbidden(_)))) => {
            page(&state, &auth, id, None, messages(auth.lang, &e)).await
        }
        Err(Failed::Store(e)) => Err(e.into()),
        Err(Failed::Xlsx(e)) => Err(e.into()),
    }
}

pub(super) async fn apply(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let mut accepted = Accepted::default();
    for (k, v) in &f.form.0 {
        let bad = |_| PageError::BadRequest;
        if k.starts_with("p.") {
            accepted.profile.push(serde_json::from_str(v).map_err(bad)?);
        } else if k.starts_with("c_") {
            let c: AcceptedContact = serde_json::from_str(v).map_err(bad)?;
            accepted.contacts.push(c);
        } else if k.starts_with("n.") {
            accepted.new_contacts.push(serde_json::from_str(v).map_err(bad)?);
        }
    }
    match dossier::apply::<Failed>(&state.store, &f.auth.user.actor(), f.auth.lang, id, accepted).await {
        Ok(_) => Ok(see_other(&format!("/accounts/{id}"), "dossier.applied")),
        Err(Failed::Store(e @ (StoreError::Invalid(_) | StoreError::Forbidden(_) | StoreError::Conflict(_)))) => {
            page(&state, &f.auth, id, None, messages(f.auth.lang, &e)).await
        }
        Err(Failed::Store(e)) => Err(e.into()),
        Err(Failed::Xlsx(e)) => Err(e.into()),
    }
}
