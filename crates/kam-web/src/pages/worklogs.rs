//! Daily work log pages 业务工作日志 (附表九): the list (mine, my team's,
//! awaiting my signature), the day's form with its repeatable entry rows, the
//! log with its sign-off trail and the signing form, and the print page.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kam_core::fields::{FieldDef, Raw, Value};
use kam_core::time_util::display_ts;
use kam_core::worklog::{self, Decision, Entry, Input, SECTIONS, Status};
use kam_core::{FieldErrors, Role};
use kam_store::StoreError;
use kam_store::worklogs::{Worklog, WorklogFilter};

use super::{Flash, ctx, recordable_choices, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed, FormData};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx, Input as FormInput, InputGroup, Pager, RowSection};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/worklogs", get(list).post(create))
        .route("/worklogs/today", get(today))
        .route("/worklogs/new", get(new_form))
        .route("/worklogs/{id}", get(show).post(update))
        .route("/worklogs/{id}/edit", get(edit_form))
        .route("/worklogs/{id}/delete", post(delete))
        .route("/worklogs/{id}/submit", post(submit))
        .route("/worklogs/{id}/sign", post(sign))
        .route("/worklogs/{id}/visits/{entry}/visit", post(make_visit))
        .route("/worklogs/{id}/print", get(print))
        .route("/worklogs/{id}/collections/{entry}/post", post(post_collection))
}

fn status_label(lang: Lang, s: Status) -> String {
    t(lang, &format!("worklog.status.{}", s.as_str())).to_string()
}

// ---------------------------------------------------------------- list

pub struct Row {
    pub id: i64,
    pub date: String,
    pub author: String,
    pub status: String,
    pub status_code: &'static str,
    pub visits: i64,
    pub paid: String,
    pub awaiting_me: bool,
}

#[derive(Template)]
#[template(path = "worklog_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    pager: Pager,
    can_write: bool,
    filter: ListQuery,
    statuses: Vec<(&'static str, String)>,
    authors: Vec<(i64, String)>,
    awaiting_count: i64,
}

#[derive(serde::Deserialize, Default, Clone)]
struct ListQuery {
    page: Option<i64>,
    msg: Option<String>,
    status: Option<String>,
    author_id: Option<String>,
    awaiting: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl ListQuery {
    fn awaiting(&self) -> bool {
        self.awaiting.as_deref() == Some("1")
    }
    fn status_is(&self, code: &str) -> bool {
        self.status.as_deref() == Some(code)
    }
    fn author_is(&self, id: &i64) -> bool {
        self.author_id.as_deref() == Some(id.to_string().as_str())
    }
    fn text(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
    fn href(&self, page: i64) -> String {
        let pairs = [
            ("status", self.status.clone()),
            ("author_id", self.author_id.clone()),
            ("awaiting", self.awaiting.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ];
        let mut q: Vec<(String, String)> =
            pairs.into_iter().filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k.to_string(), v))).collect();
        q.push(("page".into(), page.to_string()));
        format!("/worklogs?{}", serde_urlencoded::to_string(q).unwrap_or_default())
    }
}

async fn list(State(state): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let valid_date = |d: &Option<String>| d.clone().filter(|d| kam_core::time_util::parse_date(d).is_some());
    let f = WorklogFilter {
        author_id: q.author_id.as_deref().and_then(|a| a.parse().ok()),
        status: q.status.as_deref().and_then(Status::parse),
        from: valid_date(&q.from),
        to: valid_date(&q.to),
        awaiting_me: q.awaiting(),
        page: q.page.unwrap_or(1),
        per_page: 30,
    };
    let p = state.store.worklogs(&actor, &f).await?;
    let awaiting_count = state
        .store
        .worklogs(&actor, &WorklogFilter { awaiting_me: true, per_page: 1, ..Default::default() })
        .await?
        .total;
    // Whose logs the reader may filter by: the team for a manager, everyone for admin and auditors.
    let authors = match actor.role {
        Role::Admin | Role::Auditor | Role::Manager => state
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| matches!(u.role, Role::Sales | Role::Manager))
            .filter(|u| {
                actor.role != Role::Manager
                    || u.id == actor.user_id
                    || (u.team_id.is_some() && u.team_id == actor.team_id)
            })
            .map(|u| (u.id, u.display_name))
            .collect(),
        _ => Vec::new(),
    };
    let filter = q.clone();
    let pager = Pager::new(p.page, p.per_page, p.total, |n| filter.href(n));
    let page = ListPage {
        ctx: ctx(&state, &auth, "worklogs", q.msg.as_deref()).await,
        rows: p
            .items
            .iter()
            .map(|w| Row {
                id: w.id,
                date: w.log_date.clone(),
                author: w.author_name.clone(),
                status: status_label(lang, w.status),
                status_code: w.status.as_str(),
                visits: w.visit_count,
                paid: view::money(w.paid_total, "CNY"),
                awaiting_me: w.awaiting_me,
            })
            .collect(),
        pager,
        can_write: worklog::can_write(&actor),
        filter: q,
        statuses: Status::ALL.iter().map(|s| (s.as_str(), status_label(lang, *s))).collect(),
        authors,
        awaiting_count,
    };
    render(&page)
}

/// The reader's log of today: opens it, or starts it.
async fn today(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let day = state.store.today().to_string();
    let found = state.store.worklog_of_day(&auth.user.actor(), &day).await?;
    Ok(match found {
        Some(log) => Redirect::to(&format!("/worklogs/{}", log.id)).into_response(),
        None => Redirect::to(&format!("/worklogs/new?date={day}")).into_response(),
    })
}

// ---------------------------------------------------------------- form

/// One entry row as the form shows it: stored id and the raw texts by input name.
#[derive(Default, Clone)]
struct RawRow {
    id: Option<i64>,
    values: BTreeMap<String, String>,
}

/// The form's contents as texts: the log's fields, then each section's rows.
#[derive(Default, Clone)]
struct RawLog {
    fields: BTreeMap<String, String>,
    sections: BTreeMap<&'static str, Vec<RawRow>>,
}

impl RawLog {
    fn from_stored(log: &Worklog) -> RawLog {
        let mut raw = RawLog::default();
        for d in worklog::FIELDS {
            raw.fields.insert(d.name.into(), log.rec.get(d.name).map(|v| v.form_text(d.kind)).unwrap_or_default());
        }
        for (section, defs, _) in SECTIONS {
            let rows = log
                .section(section)
                .iter()
                .map(|e| {
                    let mut values: BTreeMap<String, String> = defs
                        .iter()
                        .map(|d| {
                            (d.name.to_string(), e.rec.get(d.name).map(|v| v.form_text(d.kind)).unwrap_or_default())
                        })
                        .collect();
                    let who = match (e.account_id, e.contact_id) {
                        (Some(a), Some(c)) => format!("{a}:{c}"),
                        (Some(a), None) => a.to_string(),
                        _ => String::new(),
                    };
                    values.insert("who".into(), who);
                    RawRow { id: Some(e.id), values }
                })
                .collect();
            raw.sections.insert(section, rows);
        }
        raw
    }

    /// Reads the posted form; rows left entirely empty are dropped.
    fn from_form(form: &FormData) -> RawLog {
        let mut raw = RawLog::default();
        // A field not posted (the date of a stored log) is left to the store.
        for d in worklog::FIELDS {
            if let Some(v) = form.get(d.name) {
                raw.fields.insert(d.name.into(), v.to_string());
            }
        }
        for (section, defs, _) in SECTIONS {
            let mut by_index: BTreeMap<usize, RawRow> = BTreeMap::new();
            for (k, v) in &form.0 {
                let Some(rest) = k.strip_prefix(section).and_then(|r| r.strip_prefix('.')) else { continue };
                let Some((i, name)) = rest.split_once('.') else { continue };
                let Ok(i) = i.parse::<usize>() else { continue };
                if i > worklog::MAX_ENTRIES * 2 {
                    continue;
                }
                let row = by_index.entry(i).or_default();
                if name == "id" {
                    row.id = v.trim().parse().ok();
                } else if name == "who" || defs.iter().any(|d| d.name == name) {
                    row.values.insert(name.to_string(), v.clone());
                }
            }
            let rows = by_index.into_values().filter(|r| r.values.values().any(|v| !v.trim().is_empty())).collect();
            raw.sections.insert(section, rows);
        }
        raw
    }

    /// The log to store, with parse errors keyed like the store's.
    fn parse(&self, errors: &mut FieldErrors) -> Input {
        let rec =
            worklog::parse_row(worklog::FIELDS, |n| self.fields.get(n).map(|v| Raw::Form(v.as_str())), "", errors);
        let mut input = Input { rec, ..Default::default() };
        for (section, defs, with_account) in SECTIONS {
            let rows = self.sections.get(section).map(Vec::as_slice).unwrap_or_default();
            let entries: Vec<Entry> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let prefix = format!("{section}.{i}");
                    let who = r.values.get("who").map(String::as_str).unwrap_or_default().trim();
                    let (account, contact) = match who.split_once(':') {
                        Some((a, c)) => (a.parse().ok(), c.parse().ok()),
                        None => (who.parse().ok(), None),
                    };
                    if with_account && !who.is_empty() && account.is_none() {
                        errors.add(&format!("{prefix}.account_id"), "err.choice");
                    }
                    Entry {
                        id: r.id,
                        account_id: if with_account { account } else { None },
                        contact_id: if section == "visits" { contact } else { None },
                        rec: worklog::parse_row(
                            defs,
                            |n| r.values.get(n).map(|v| Raw::Form(v.as_str())),
                            &prefix,
                            errors,
                        ),
                    }
                })
                .collect();
            match section {
                "visits" => input.visits = entries,
                "collections" => input.collections = entries,
                _ => input.affairs = entries,
            }
        }
        input
    }
}

#[derive(Template)]
#[template(path = "worklog_form.html")]
struct FormPage {
    ctx: Ctx,
    title: String,
    action: String,
    cancel: String,
    has_errors: bool,
    top_error: Option<String>,
    groups: Vec<InputGroup>,
    analysis: Vec<InputGroup>,
    sections: Vec<RowSection>,
}

fn row_inputs(
    lang: Lang,
    section: &'static str,
    index: String,
    row: &RawRow,
    errors: &FieldErrors,
    choices: &[(String, String)],
) -> Vec<FormInput> {
    let entity = worklog::entity_of(section);
    let (_, defs, with_account) = SECTIONS.iter().find(|(s, ..)| *s == section).copied().unwrap_or(SECTIONS[2]);
    let mut inputs = Vec::new();
    if with_account {
        let options: Vec<(String, String)> =
            choices.iter().filter(|(v, _)| section == "visits" || !v.contains(':')).cloned().collect();
        let err = ["account_id", "contact_id"].iter().find_map(|f| errors.0.get(&format!("{section}.{index}.{f}")));
        inputs.push(FormInput {
            name: format!("{section}.{index}.who"),
            label: t(lang, if section == "visits" { "worklog.who" } else { "worklog.account" }).into(),
            kind: "select",
            value: row.values.get("who").cloned().unwrap_or_default(),
            options,
            error: err.map(|k| t(lang, k).to_string()),
            required: true,
            readonly: false,
            wide: false,
            hint: String::new(),
            list: None,
            in_row: true,
        });
    }
    for d in defs {
        let mut i = view::input(
            lang,
            entity,
            d,
            row.values.get(d.name).cloned().unwrap_or_default(),
            errors.0.get(&format!("{section}.{index}.{}", d.name)),
            false,
        );
        i.name = format!("{section}.{index}.{}", d.name);
        i.in_row = true;
        inputs.push(i);
    }
    inputs
}

async fn form_page(
    state: &AppState,
    auth: &Authed,
    id: Option<i64>,
    raw: &RawLog,
    errors: FieldErrors,
    top_error: Option<&str>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    if !worklog::can_write(&actor) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let mut choices = recordable_choices(state, &actor, true).await;
    // Accounts already named in the log stay choosable (e.g. after a handover).
    if let Some(id) = id
        && let Ok(log) = state.store.worklog(&actor, id).await
    {
        for e in log.visits.iter().chain(log.collections.iter()) {
            if let (Some(a), Some(name)) = (e.account_id, &e.account_name)
                && !choices.iter().any(|(v, _)| *v == a.to_string())
            {
                choices.push((a.to_string(), name.clone()));
            }
        }
    }
    let group = |g: &str| {
        view::form(
            lang,
            "worklog",
            worklog::FIELDS,
            &[g],
            &|d: &FieldDef| raw.fields.get(d.name).cloned().unwrap_or_default(),
            &errors,
            &|d| !(id.is_some() && d.name == "log_date"),
            &|_| false,
        )
    };
    let (groups, analysis) = (group("log"), group("analysis"));
    let mut sections = Vec::new();
    for (section, _, _) in SECTIONS {
        let mut rows = raw.sections.get(section).cloned().unwrap_or_default();
        // Room to write: a blank row (three for visits on a new log).
        let blanks = if rows.is_empty() && section == "visits" { 3 } else { 1 };
        rows.extend(std::iter::repeat_with(RawRow::default).take(blanks));
        let groups = rows
            .iter()
            .enumerate()
            .map(|(i, r)| InputGroup {
                title: format!("{} {}", t(lang, &format!("worklog.{section}")), i + 1),
                inputs: row_inputs(lang, section, i.to_string(), r, &errors, &choices),
            })
            .collect();
        let blank = vec![InputGroup {
            title: t(lang, &format!("worklog.{section}")).to_string(),
            inputs: row_inputs(lang, section, "__i__".into(), &RawRow::default(), &errors, &choices),
        }];
        sections.push(RowSection {
            name: section,
            title: t(lang, &format!("worklog.{section}")).into(),
            groups,
            blank,
            ids: rows.iter().enumerate().filter_map(|(i, r)| r.id.map(|id| (i, id))).collect(),
            next_index: rows.len(),
        });
    }
    let page = FormPage {
        ctx: ctx(state, auth, "worklogs", None).await,
        title: t(lang, if id.is_some() { "worklog.edit" } else { "worklog.new" }).into(),
        action: id.map(|i| format!("/worklogs/{i}")).unwrap_or_else(|| "/worklogs".into()),
        cancel: id.map(|i| format!("/worklogs/{i}")).unwrap_or_else(|| "/worklogs".into()),
        has_errors: !errors.is_empty() || top_error.is_some(),
        top_error: top_error.map(|k| t(lang, k).to_string()),
        groups,
        analysis,
        sections,
    };
    let failed = page.has_errors;
    super::render_checked(&page, failed)
}

#[derive(serde::Deserialize)]
struct NewQuery {
    date: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let day = q
        .date
        .filter(|d| kam_core::time_util::parse_date(d).is_some())
        .unwrap_or_else(|| state.store.today().to_string());
    // A day already written opens that log.
    if let Ok(Some(log)) = state.store.worklog_of_day(&auth.user.actor(), &day).await {
        return Ok(Redirect::to(&format!("/worklogs/{}", log.id)).into_response());
    }
    let mut raw = RawLog::default();
    // The day's visit records (附表三) come in as visit rows, so nothing is typed twice.
    if let Some(date) = kam_core::time_util::parse_date(&day) {
        let visits = state.store.visits_recorded_on(&auth.user.actor(), date).await.unwrap_or_default();
        let time = |t: &str| t.get(11..16).unwrap_or_default().to_string();
        let rows = visits
            .into_iter()
            .map(|v| {
                let mut values = BTreeMap::new();
                values.insert("who".to_string(), v.account_id.to_string());
                values.insert("time_from".to_string(), time(&v.visited_at));
                values.insert("time_to".to_string(), v.ended_at.as_deref().map(time).unwrap_or_default());
                values.insert("content".to_string(), v.topics.filter(|t| !t.trim().is_empty()).unwrap_or(v.goal));
                values.insert("result".to_string(), v.result.unwrap_or_default());
                values.insert("person".to_string(), v.interviewees.unwrap_or_default());
                RawRow { id: None, values }
            })
            .collect::<Vec<_>>();
        if !rows.is_empty() {
            raw.sections.insert("visits", rows);
        }
    }
    raw.fields.insert("log_date".into(), day);
    form_page(&state, &auth, None, &raw, FieldErrors::default(), None).await
}

async fn edit_form(State(state): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let actor = auth.user.actor();
    let log = state.store.worklog(&actor, id).await?;
    if !worklog::can_edit(&actor, &log.facts(&actor), log.status) {
        return Err(PageError::Forbidden("err.worklog_locked"));
    }
    form_page(&state, &auth, Some(id), &RawLog::from_stored(&log), FieldErrors::default(), None).await
}

async fn save(state: AppState, f: AuthForm, id: Option<i64>) -> Result<Response, PageError> {
    let raw = RawLog::from_form(&f.form);
    let mut errors = FieldErrors::default();
    let input = raw.parse(&mut errors);
    let actor = f.auth.user.actor();
    let result = if !errors.is_empty() {
        Err(StoreError::Invalid(errors))
    } else {
        match id {
            Some(i) => state.store.update_worklog(&actor, i, input).await,
            None => state.store.create_worklog(&actor, input).await,
        }
    };
    match result {
        Ok(log) => Ok(see_other(&format!("/worklogs/{}", log.id), "common.saved")),
        Err(StoreError::Invalid(errors)) => form_page(&state, &f.auth, id, &raw, errors, None).await,
        Err(e) => Err(PageError::from(e)),
    }
}

async fn create(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    save(state, f, None).await
}

async fn update(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    save(state, f, Some(id)).await
}

async fn delete(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    state.store.delete_worklog(&f.auth.user.actor(), id).await?;
    Ok(see_other("/worklogs", "common.deleted"))
}

// ---------------------------------------------------------------- the log

/// An entry as the log page shows it.
pub struct ShownEntry {
    pub id: i64,
    /// The account, when the reader may open it (a signer outside its scope reads the name only).
    pub account_id: Option<i64>,
    pub has_account: bool,
    pub account: String,
    /// (label, value) per field.
    pub cells: Vec<(String, String)>,
    pub visit_id: Option<i64>,
    pub ledger_entry_id: Option<i64>,
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
struct ShowPage {
    ctx: Ctx,
    id: i64,
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

fn shown_sections(lang: Lang, log: &Worklog, openable: &std::collections::HashSet<i64>) -> Vec<ShownSection> {
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
fn reached(log: &Worklog, s: &kam_store::worklogs::SignoffRow) -> bool {
    s.slot.round == log.round && log.status == Status::Submitted
}

fn sign_rows(lang: Lang, log: &Worklog) -> Vec<SignRow> {
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
async fn show_page(
    state: &AppState,
    auth: &Authed,
    id: i64,
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
    let ids: Vec<i64> = SECTIONS
        .iter()
        .flat_map(|(section, _, _)| log.section(section).iter().filter_map(|e| e.account_id))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let openable: std::collections::HashSet<i64> = state.store.account_names(&actor, &ids).await?.into_keys().collect();
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
    super::render_checked(&page, failed)
}

impl ShowPage {
    fn sign_error(&self, k: &str) -> String {
        self.sign_errors.get(k).cloned().unwrap_or_default()
    }
}

async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    show_page(&state, &auth, id, flash.msg.as_deref(), FieldErrors::default(), None, ("", "")).await
}

async fn submit(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
    match state.store.submit_worklog(&f.auth.user.actor(), id).await {
        Ok(_) => Ok(see_other(&format!("/worklogs/{id}"), "worklog.submitted_msg")),
        // A rule about the log's state is explained on the log itself.
        Err(StoreError::Conflict(k)) => {
            show_page(&state, &f.auth, id, None, FieldErrors::default(), Some(k), ("", "")).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

async fn sign(State(state): State<AppState>, Path(id): Path<i64>, f: AuthForm) -> Result<Response, PageError> {
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

async fn make_visit(
    State(state): State<AppState>,
    Path((id, entry)): Path<(i64, i64)>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let visit = state.store.visit_from_entry(&f.auth.user.actor(), id, entry).await?;
    // The rep completes the visit record (goal, objections, next date) there.
    Ok(see_other(&format!("/visits/{visit}/edit"), "common.saved"))
}

async fn post_collection(
    State(state): State<AppState>,
    Path((id, entry)): Path<(i64, i64)>,
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

// ---------------------------------------------------------------- print

#[derive(Template)]
#[template(path = "print_worklog.html")]
struct PrintPage {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    id: i64,
    author: String,
    date: (String, String, String),
    visits: Vec<Vec<String>>,
    collections: Vec<Vec<String>>,
    affairs: Vec<Vec<String>>,
    paid_total: String,
    market_analysis: String,
    product_analysis: String,
    evaluation: String,
    signers: BTreeMap<&'static str, String>,
    printed: String,
}

impl PrintPage {
    fn signer(&self, step: &str) -> String {
        self.signers.get(step).cloned().unwrap_or_default()
    }
    /// Rows padded to the form's minimum so the printed page keeps its shape.
    fn padded(rows: &[Vec<String>], min: usize, cols: usize) -> Vec<Vec<String>> {
        let mut out = rows.to_vec();
        while out.len() < min {
            out.push(vec![String::new(); cols]);
        }
        out
    }
}

async fn print(State(state): State<AppState>, auth: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let log = state.store.worklog(&auth.user.actor(), id).await?;
    let show =
        |e: &kam_store::worklogs::EntryRow, defs: &[FieldDef], f: &str| view::field_text(lang, defs, &e.rec, f, "CNY");
    let visits: Vec<Vec<String>> = log
        .visits
        .iter()
        .map(|e| {
            let d = worklog::VISIT_FIELDS;
            let person = match (e.rec.get("person").and_then(Value::as_text), &e.contact_name) {
                (Some(p), _) => p.to_string(),
                (None, Some(c)) => c.clone(),
                _ => String::new(),
            };
            vec![
                e.account_name.clone().unwrap_or_default(),
                person,
                format!("{} 至 {}", show(e, d, "time_from"), show(e, d, "time_to")),
                show(e, d, "content"),
                show(e, d, "result"),
                show(e, d, "note"),
            ]
        })
        .collect();
    let collections: Vec<Vec<String>> = log
        .collections
        .iter()
        .map(|e| {
            let d = worklog::COLLECTION_FIELDS;
            let mut row = vec![e.account_name.clone().unwrap_or_default()];
            row.extend(
                ["collection_time", "contract_no", "product", "quantity", "contract_amount", "paid_amount", "note"]
                    .iter()
                    .map(|f| show(e, d, f)),
            );
            row
        })
        .collect();
    let affairs: Vec<Vec<String>> = log
        .affairs
        .iter()
        .map(|e| {
            ["department", "matter", "completion", "note"].iter().map(|f| show(e, worklog::AFFAIR_FIELDS, f)).collect()
        })
        .collect();
    // Who signed each step in the latest round (the form has one box per step).
    let mut signers = BTreeMap::new();
    for s in log.signoffs.iter().filter(|s| s.slot.round == log.round) {
        let mark = match s.slot.decision {
            Some(Decision::Approve) => format!(
                "{} {}",
                s.signer_name,
                s.slot.decided_at.as_deref().map(display_ts).unwrap_or_default().get(..10).unwrap_or_default()
            ),
            Some(Decision::Return) => format!("{}（退回）", s.signer_name),
            None => String::new(),
        };
        signers.insert(s.slot.step.as_str(), mark);
    }
    let paid: i64 = log.collections.iter().filter_map(|e| e.rec.get("paid_amount").and_then(Value::as_int)).sum();
    let date = log.date().to_string();
    let text = |f: &str| log.rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
    let page = PrintPage {
        lang: lang.code(),
        print_label: t(lang, "common.print").into(),
        back: format!("/worklogs/{id}"),
        back_label: t(lang, "common.back").into(),
        id,
        author: log.author_name.clone(),
        date: (
            date.get(..4).unwrap_or_default().into(),
            date.get(5..7).unwrap_or_default().trim_start_matches('0').into(),
            date.get(8..10).unwrap_or_default().trim_start_matches('0').into(),
        ),
        visits: PrintPage::padded(&visits, 6, 6),
        collections: PrintPage::padded(&collections, 3, 8),
        affairs: PrintPage::padded(&affairs, 3, 4),
        paid_total: if paid > 0 { view::money(paid, "CNY") } else { String::new() },
        market_analysis: text("market_analysis"),
        product_analysis: text("product_analysis"),
        evaluation: log.evaluation.clone().unwrap_or_default(),
        signers,
        printed: format!("打印日期 {}", state.store.today()),
    };
    render(&page)
}
