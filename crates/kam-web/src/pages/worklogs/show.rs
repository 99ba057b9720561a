//! One log: its sections, its sign-off trail and the signing form, and
//! what a signed log's rows become (visit records, posted collections).

use super::*;
use kam_core::{AccountId, ActivityId, EntryId};

/// An entry as the log page shows it.
pub struct ShownEntry {
    pub id: i64,
    /// The account, when the reader may open it (a signer outside its scope reads the name only).
    pub account_id: Option<AccountId>,
    pub has_account: bool,
    pub account: String,
    /// (label, value) per field.
    pub cells: Vec<(String, String)>,
    pub visit_id: Option<ActivityId>,
    pub ledger_entry_id: Option<EntryId>,
}

pub struct ShownSection {
    pub name: &'static str,
    pub title: String,
    pub heads: Vec<String>,
    pub rows: Vec<ShownEntry>,
    pub total: Option<String>,
}

pub struct SignRow {
    pub round: i64,
    pub step: String,
    pub signer: String,
    pub decision: String,
    pub decision_code: &'static str,
    pub comment: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "worklog_show.html")]
pub(super) struct ShowPage {
    ctx: Ctx,
    id: WorklogId,
    heading: String,
    status: String,
    status_code: &'static str,
    market_analysis: String,
    product_analysis: String,
    sections: Vec<ShownSection>,
    evaluation: Option<(String, String, String)>,
    signoffs: Vec<SignRow>,
    next: Option<(String, String)>,
    can_edit: bool,
    can_delete: bool,
    is_author: bool,
    /// Finance may post collection entries to the ledger.
    can_post: bool,
    my_turn: bool,
    evaluates: bool,
    sign_errors: BTreeMap<String, String>,
    comment: String,
    evaluation_text: String,
    top_error: Option<String>,
    /// Why the log came back, for its author.
    returned: Option<(String, String)>,
}

pub(super) fn shown_sections(
    lang: Lang,
    log: &Worklog,
    openable: &std::collections::HashSet<AccountId>,
) -> Vec<ShownSection> {
    SECTIONS
        .iter()
        .map(|(section, defs, with_account)| {
            let entity = worklog::entity_of(section);
            let mut heads = Vec::new();
            if *with_account {
                heads.push(t(lang, "worklog.account").to_string());
            }
            heads.extend(defs.iter().map(|d| view::label(lang, entity, d.name)));
            let rows = log
                .section(section)
                .iter()
                .map(|e| ShownEntry {
                    id: e.id,
                    account_id: e.account_id.filter(|a| openable.contains(a)),
                    has_account: e.account_id.is_some(),
                    account: match (&e.account_name, &e.contact_name) {
                        (Some(a), Some(c)) => format!("{a} · {c}"),
                        (Some(a), None) => a.clone(),
                        _ => String::new(),
                    },
                    cells: defs
                        .iter()
                        .map(|d| {
                            (
                                view::label(lang, entity, d.name),
                                e.rec.get(d.name).map(|v| view::display(lang, d, v, "CNY")).unwrap_or_default(),
                            )
                        })
                        .collect(),
                    visit_id: e.visit_id,
                    ledger_entry_id: e.ledger_entry_id,
                })
                .collect();
            let total = (*section == "collections" && !log.collections.is_empty()).then(|| {
                let sum: i64 =
                    log.collections.iter().filter_map(|e| e.rec.get("paid_amount").and_then(Value::as_int)).sum();
                view::money(sum, "CNY")
            });
            ShownSection { name: section, title: t(lang, &format!("worklog.{section}")).into(), heads, rows, total }
        })
        .collect()
}

/// Whether an open slot can still be signed: in the current round of a log in sign-off.
pub(super) fn reached(log: &Worklog, s: &kam_store::worklogs::SignoffRow) -> bool {
    s.slot.round == log.round && log.status == Status::Submitted
}

pub(super) fn sign_rows(lang: Lang, log: &Worklog) -> Vec<SignRow> {
    log.signoffs
        .iter()
        .map(|s| SignRow {
            round: s.slot.round,
            step: t(lang, &format!("worklog.step.{}", s.slot.step.as_str())).into(),
            signer: s.signer_name.clone(),
            decision: match s.slot.decision {
                Some(d) => t(lang, &format!("worklog.decision.{}", d.as_str())).into(),
                None if reached(log, s) => t(lang, "worklog.pending").into(),
                None => t(lang, "worklog.not_reached").into(),
            },
            decision_code: match s.slot.decision {
                Some(d) => d.as_str(),
                None if reached(log, s) => "pending",
                None => "not_reached",
            },
            comment: s.slot.comment.clone().unwrap_or_default(),
            at: s.slot.decided_at.as_deref().map(display_ts).unwrap_or_default(),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn show_page(
    state: &AppState,
    auth: &Authed,
    id: WorklogId,
    flash: Option<&str>,
    sign_errors: FieldErrors,
    top_error: Option<&str>,
    posted: (&str, &str),
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let log = state.store.worklog(&actor, id).await?;
    let facts = log.facts(&actor);
    let round = log.current_round();
    let my_turn = log.next_signer_id == Some(actor.user_id);
    let text = |f: &str| log.rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
    // Which of the log's accounts the reader may open: one query for all of them.
    let ids: Vec<AccountId> = SECTIONS
        .iter()
        .flat_map(|(section, _, _)| log.section(section).iter().filter_map(|e| e.account_id))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let openable: std::collections::HashSet<AccountId> =
        state.store.account_names(&actor, &ids).await?.into_keys().collect();
    let page = ShowPage {
        ctx: ctx(state, auth, "worklogs", flash).await,
        id,
        heading: format!("{} · {} · {}", t(lang, "worklog.title"), log.author_name, log.date()),
        status: status_label(lang, log.status),
        status_code: log.status.as_str(),
        market_analysis: text("market_analysis"),
        product_analysis: text("product_analysis"),
        sections: shown_sections(lang, &log, &openable),
        evaluation: log.evaluation.clone().map(|e| {
            (
                e,
                log.evaluated_by_name.clone().unwrap_or_default(),
                log.evaluated_at.as_deref().map(display_ts).unwrap_or_default(),
            )
        }),
        signoffs: sign_rows(lang, &log),
        next: log.next_step.map(|s| {
            let who = log.signoffs.iter().rev().find(|x| x.slot.round == log.round && x.slot.step == s);
            (
                t(lang, &format!("worklog.step.{}", s.as_str())).to_string(),
                who.map(|w| w.signer_name.clone()).unwrap_or_default(),
            )
        }),
        can_edit: worklog::can_edit(&actor, &facts, log.status),
        can_delete: worklog::can_edit(&actor, &facts, log.status) && log.round == 0,
        is_author: log.author_id == actor.user_id,
        can_post: kam_core::ledger::can_post(&actor),
        my_turn,
        evaluates: my_turn && worklog::evaluation_step(&round) == log.next_step,
        sign_errors: sign_errors.0.iter().map(|(k, v)| (k.clone(), t(lang, v).to_string())).collect(),
        comment: posted.0.to_string(),
        evaluation_text: posted.1.to_string(),
        top_error: top_error.map(|k| t(lang, k).to_string()),
        returned: if log.status == Status::Returned {
            log.signoffs
                .iter()
                .rev()
                .find(|s| s.slot.decision == Some(Decision::Return))
                .map(|s| (s.signer_name.clone(), s.slot.comment.clone().unwrap_or_default()))
        } else {
            None
        },
    };
    let failed = !page.sign_errors.is_empty() || page.top_error.is_some();
    crate::pages::render_checked(&page, failed)
}

impl ShowPage {
    fn sign_error(&self, k: &str) -> String {
        self.sign_errors.get(k).cloned().unwrap_or_default()
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<WorklogId>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    show_page(&state, &auth, id, flash.msg.as_deref(), FieldErrors::default(), None, ("", "")).await
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Path(id): Path<WorklogId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    match state.store.submit_worklog(&f.auth.user.actor(), id).await {
        Ok(_) => Ok(see_other(&format!("/worklogs/{id}"), "worklog.submitted_msg")),
        // A rule about the log's state is explained on the log itself.
        Err(StoreError::Conflict(k)) => {
            show_page(&state, &f.auth, id, None, FieldErrors::default(), Some(k), ("", "")).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub(super) async fn sign(
    State(state): State<AppState>,
    Path(id): Path<WorklogId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let decision = Decision::parse(f.form.text("decision")).ok_or(PageError::BadRequest)?;
    let comment = f.form.text("comment");
    let evaluation = f.form.text("evaluation");
    match state.store.sign_worklog(&f.auth.user.actor(), id, decision, Some(comment), Some(evaluation)).await {
        Ok(_) => Ok(see_other(&format!("/worklogs/{id}"), "worklog.signed_msg")),
        Err(StoreError::Invalid(errors)) => {
            show_page(&state, &f.auth, id, None, errors, None, (comment, evaluation)).await
        }
        Err(StoreError::Conflict(k)) => {
            show_page(&state, &f.auth, id, None, FieldErrors::default(), Some(k), (comment, evaluation)).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub(super) async fn make_visit(
    State(state): State<AppState>,
    Path((id, entry)): Path<(WorklogId, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let visit = state.store.visit_from_entry(&f.auth.user.actor(), id, entry).await?;
    // The rep completes the visit record (goal, objections, next date) there.
    Ok(see_other(&format!("/visits/{visit}/edit"), "common.saved"))
}

pub(super) async fn post_collection(
    State(state): State<AppState>,
    Path((id, entry)): Path<(WorklogId, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    match state.store.post_collection(&f.auth.user.actor(), id, entry, f.form.text("note")).await {
        Ok(_) => Ok(see_other(&format!("/worklogs/{id}"), "worklog.collection_posted")),
        Err(StoreError::Conflict(k)) => {
            show_page(&state, &f.auth, id, None, FieldErrors::default(), Some(k), ("", "")).await
        }
        Err(StoreError::Invalid(e)) => {
            let k = e.0.values().next().copied().unwrap_or("err.reason_required");
            show_page(&state, &f.auth, id, None, FieldErrors::default(), Some(k), ("", "")).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
