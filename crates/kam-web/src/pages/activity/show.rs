//! A record's card: its fields as the viewer may see them, its history, and
//! for a complaint its workflow (the steps offered, the overdue flags, the
//! steps taken), with the transition that moves it on.

use super::*;

#[derive(Template)]
#[template(path = "activity_show.html")]
struct ShowPage {
    ctx: Ctx,
    title: String,
    href: String,
    account_id: AccountId,
    account_name: String,
    by: String,
    created: String,
    can_edit: bool,
    card: Vec<ShownGroup>,
    workflow: Option<Workflow>,
}

/// A complaint's workflow on its card: the steps offered, the overdue flags, the history of steps.
pub struct Workflow {
    pub moves: Vec<(String, String)>,
    pub overdue_reply: bool,
    pub overdue_resolution: bool,
    pub steps: Vec<(String, String, String, String)>,
}

async fn may_record(state: &AppState, actor: &Actor, account_id: AccountId) -> bool {
    match state.store.account(actor, account_id).await {
        Ok(a) => actor.can_record_activity(&a.facts()),
        Err(_) => false,
    }
}

pub(super) async fn show(
    kind: &'static ActivityKind,
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ActivityId>,
    Query(flash): Query<crate::pages::Flash>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let a = state.store.activity(kind, &actor, id).await?;
    let page = ShowPage {
        ctx: ctx(&state, &auth, "activities", flash.msg.as_deref()).await,
        title: format!(
            "{} · {}",
            t(lang, &format!("entity.{}", kind.entity)),
            text_of(lang, kind, &a, kind.when).replace('T', " ")
        ),
        href: format!("/{}/{id}", kind.resource),
        account_id: a.account_id,
        account_name: a.account_name.clone(),
        by: a.created_by_name.clone().unwrap_or_default(),
        created: kam_core::time_util::display_ts(&a.created_at),
        can_edit: may_record(&state, &actor, a.account_id).await,
        card: {
            let viewer = Viewer::of(&actor);
            let mut card = view::card(lang, kind.entity, kind.derived, &["workflow"], &a.rec, viewer);
            card.extend(view::card(lang, kind.entity, kind.fields, kind.groups, &a.rec, viewer));
            card
        },
        workflow: None,
    };
    let mut page = page;
    // Linked contacts show by name.
    if let Some(d) = kind.fields.iter().find(|d| matches!(d.kind, kam_core::Kind::IdList))
        && let Some(ids) = a.rec.get(d.name).and_then(Value::as_text)
    {
        let contacts = state.store.account_contacts(&actor, a.account_id).await.unwrap_or_default();
        let names: Vec<String> = ids
            .split(',')
            .filter_map(|id| id.parse::<i64>().ok())
            .filter_map(|id| contacts.iter().find(|c| c.id == ContactId(id)))
            .filter_map(|c| c.rec.get("name").and_then(Value::as_text).map(str::to_string))
            .collect();
        let label = view::label(lang, kind.entity, d.name);
        for item in page.card.iter_mut().flat_map(|g| g.items.iter_mut()).filter(|i| i.label == label) {
            item.value = names.join("、");
        }
    }
    if kind.hooks.workflow {
        let status = a.rec.get("status").and_then(Value::as_text).unwrap_or("received");
        let o = kam_core::complaint::overdue_of(&a.rec, state.store.clock().now());
        let label = |s: &str| view::choice(lang, "complaint_status", s);
        let steps = state.store.complaint_steps(&actor, id).await?;
        page.workflow = Some(Workflow {
            moves: if page.can_edit {
                kam_core::complaint::next_steps(status)
                    .into_iter()
                    .map(|to| {
                        let text = if status == "closed" {
                            t(lang, "complaint.reopen").to_string()
                        } else {
                            format!("{} {}", t(lang, "complaint.move_to"), label(to))
                        };
                        (to.to_string(), text)
                    })
                    .collect()
            } else {
                vec![]
            },
            overdue_reply: o.reply,
            overdue_resolution: o.resolution,
            steps: steps
                .into_iter()
                .map(|s| {
                    (
                        kam_core::time_util::display_ts(&s.at),
                        s.by_name.unwrap_or_default(),
                        label(&s.to_status),
                        s.note.unwrap_or_default(),
                    )
                })
                .collect(),
        });
    }
    render(&page)
}

pub(super) async fn transition(
    State(state): State<AppState>,
    Path(id): Path<ActivityId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let to = f.form.text("to").to_string();
    let note = f.form.get("note");
    match state.store.transition_complaint(&f.auth.user.actor(), id, &to, note).await {
        Ok(_) => Ok(see_other(&format!("/complaints/{id}"), "complaint.moved")),
        // Not said yet how it was handled: to the form, which says what is missing.
        Err(kam_store::StoreError::Invalid(_)) => {
            Ok(see_other(&format!("/complaints/{id}/edit"), "err.complaint_needs_reply"))
        }
        Err(e) => Err(PageError::from(e)),
    }
}
