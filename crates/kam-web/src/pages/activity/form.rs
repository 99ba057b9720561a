//! The record form of every kind: new on an account, edit, and the save that
//! either goes back to where the record is shown or brings the form again
//! with its field errors; deleting a record.

use super::*;

#[derive(Template)]
#[template(path = "activity_form.html")]
struct FormPage {
    ctx: Ctx,
    title: String,
    account_name: String,
    action: String,
    cancel: String,
    has_errors: bool,
    groups: Vec<InputGroup>,
    people: Vec<String>,
}

struct FormSpec<'a> {
    kind: &'static ActivityKind,
    account: &'a Account,
    existing: Option<ActivityId>,
    values: &'a (dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
}

async fn form_page(state: &AppState, auth: &Authed, spec: FormSpec<'_>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let kind = spec.kind;
    let viewer = Viewer::of(&auth.user.actor());
    let hidden = |d: &kam_core::FieldDef| !viewer.sees_field(kind.entity, d.name);
    let mut groups =
        view::form(lang, kind.entity, kind.fields, kind.groups, spec.values, &spec.errors, &|_| true, &hidden);
    // Their people: the account's contacts to tick (linked by id), and names to type for anyone else.
    let contacts = if kind.fields.iter().any(|d| matches!(d.kind, kam_core::Kind::IdList)) {
        state.store.account_contacts(&auth.user.actor(), spec.account.id).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let people: Vec<String> =
        contacts.iter().filter_map(|c| c.rec.get("name").and_then(Value::as_text).map(str::to_string)).collect();
    // A handler (a complaint's 处理人) is one of the users who may work on it.
    let handlers: Vec<(String, String)> = if kind.hooks.handler_field.is_some() {
        let users = state.store.users().await.unwrap_or_default();
        crate::pages::workers(lang, &users).into_iter().map(|(u, label)| (u.display_name.clone(), label)).collect()
    } else {
        Vec::new()
    };
    for i in groups.iter_mut().flat_map(|g| g.inputs.iter_mut()) {
        if Some(i.name.as_str()) == kind.hooks.handler_field && !handlers.is_empty() {
            i.kind = "select";
            i.options = handlers.clone();
            if !i.value.is_empty() && !handlers.iter().any(|(v, _)| *v == i.value) {
                i.options.push((i.value.clone(), i.value.clone()));
            }
        }
        if i.name == "their_people" && !people.is_empty() {
            i.list = Some("people".into());
        }
        if i.kind == "multi" {
            i.options = contacts
                .iter()
                .map(|c| (c.id.to_string(), c.rec.get("name").and_then(Value::as_text).unwrap_or_default().to_string()))
                .collect();
        }
    }
    let (title_key, action, cancel) = match spec.existing {
        Some(id) => ("edit", format!("/{}/{id}", kind.resource), format!("/{}/{id}", kind.resource)),
        None => (
            "new",
            format!("/accounts/{}/{}", spec.account.id, kind.resource),
            format!("/accounts/{}?tab={}", spec.account.id, kind.resource),
        ),
    };
    let page = FormPage {
        ctx: ctx(state, auth, "activities", None).await,
        title: t(lang, &format!("activity.{}.{title_key}", kind.entity)).into(),
        account_name: spec.account.name().into(),
        action,
        cancel,
        has_errors: !spec.errors.is_empty(),
        groups,
        people,
    };
    let mut res = render(&page)?;
    if !spec.errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn recordable_account(state: &AppState, auth: &Authed, account_id: AccountId) -> Result<Account, PageError> {
    let actor = auth.user.actor();
    let a = state.store.account(&actor, account_id).await?;
    if !actor.can_record_activity(&a.facts()) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    Ok(a)
}

pub(super) async fn new_form(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    auth: Authed,
    Path(account_id): Path<AccountId>,
) -> Result<Response, PageError> {
    let account = recordable_account(&state, &auth, account_id).await?;
    let me = auth.user.display_name.clone();
    let now = kam_core::time_util::china_minute(state.store.clock().now());
    let today = now.get(..10).unwrap_or_default().to_string();
    // 拜访序次: the next number for this account.
    let sequence = if kam_core::fields::def(kind.fields, "sequence").is_some() {
        let f = ActivityFilter { account_id: Some(account_id), page: 1, per_page: 1 };
        state
            .store
            .list_activities(kind, &auth.user.actor(), &f)
            .await
            .map(|p| (p.total + 1).to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let defaults = |d: &FieldDef| match (d.name, d.kind) {
        ("replied_at", _) => String::new(),
        (_, Kind::DateTime) => now.clone(),
        ("analysed_on" | "surveyed_on", _) => today.clone(),
        ("our_staff" | "staff" | "received_by", _) => me.clone(),
        ("priority", _) => "normal".to_string(),
        ("sequence", _) => sequence.clone(),
        _ => String::new(),
    };
    form_page(
        &state,
        &auth,
        FormSpec { kind, account: &account, existing: None, values: &defaults, errors: FieldErrors::default() },
    )
    .await
}

fn parse(kind: &'static ActivityKind, form: &FormData, errors: &mut FieldErrors) -> kam_core::Record {
    view::parse_form(kind.fields, form, &|_| true, errors)
}

pub(super) async fn create(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    Path(account_id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    save(kind, &state, &f, account_id, None).await
}

/// A new record of the account (`existing` None) or changes to one: saved,
/// back to where it is shown; refused, the form again.
async fn save(
    kind: &'static ActivityKind,
    state: &AppState,
    f: &AuthForm,
    account_id: AccountId,
    existing: Option<ActivityId>,
) -> Result<Response, PageError> {
    let account = recordable_account(state, &f.auth, account_id).await?;
    let mut errors = FieldErrors::default();
    let rec = parse(kind, &f.form, &mut errors);
    let values = view::posted_text(&f.form);
    let actor = f.auth.user.actor();
    crate::pages::form_flow(
        errors,
        async || match existing {
            Some(id) => state.store.update_activity(kind, &actor, id, rec).await,
            None => state.store.create_activity(kind, &actor, account_id, rec).await,
        },
        |_| match existing {
            Some(id) => see_other(&format!("/{}/{id}", kind.resource), "common.saved"),
            None => see_other(&format!("/accounts/{account_id}?tab={}", kind.resource), "common.saved"),
        },
        async |errors| {
            form_page(state, &f.auth, FormSpec { kind, account: &account, existing, values: &values, errors }).await
        },
    )
    .await
}

pub(super) async fn edit_form(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ActivityId>,
    Query(flash): Query<crate::pages::Flash>,
) -> Result<Response, PageError> {
    let a = state.store.activity(kind, &auth.user.actor(), id).await?;
    let account = recordable_account(&state, &auth, a.account_id).await?;
    let values = view::stored_text(&a.rec);
    // Sent here by a refused reply: mark what the reply needs.
    let mut errors = FieldErrors::default();
    if flash.msg.as_deref() == Some("err.complaint_needs_reply") {
        for f in kam_core::complaint::missing_to_move("replied", &a.rec) {
            errors.add(f, "err.complaint_needs_reply");
        }
    }
    let mut res =
        form_page(&state, &auth, FormSpec { kind, account: &account, existing: Some(id), values: &values, errors })
            .await?;
    // Marked fields on a form just opened are guidance, not a refused post.
    *res.status_mut() = axum::http::StatusCode::OK;
    Ok(res)
}

pub(super) async fn update(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    Path(id): Path<ActivityId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let a = state.store.activity(kind, &f.auth.user.actor(), id).await?;
    save(kind, &state, &f, a.account_id, Some(id)).await
}

pub(super) async fn delete(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    Path(id): Path<ActivityId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let a = state.store.activity(kind, &f.auth.user.actor(), id).await?;
    state.store.delete_activity(kind, &f.auth.user.actor(), id).await?;
    Ok(see_other(&format!("/accounts/{}?tab={}", a.account_id, kind.resource), "common.deleted"))
}
