//! The day's form: its repeatable entry rows (visits, collections, affairs),
//! offered the day's visit records, saved as one log.

use super::*;

/// One entry row as the form shows it: stored id and the raw texts by input name.
#[derive(Default, Clone)]
pub(super) struct RawRow {
    id: Option<i64>,
    values: BTreeMap<String, String>,
}

/// The form's contents as texts: the log's fields, then each section's rows.
#[derive(Default, Clone)]
pub(super) struct RawLog {
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
pub(super) struct FormPage {
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

pub(super) fn row_inputs(
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

pub(super) async fn form_page(
    state: &AppState,
    auth: &Authed,
    id: Option<WorklogId>,
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
    crate::pages::render_checked(&page, failed)
}

#[derive(serde::Deserialize)]
pub(super) struct NewQuery {
    date: Option<String>,
}

pub(super) async fn new_form(
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

pub(super) async fn edit_form(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<WorklogId>,
) -> Result<Response, PageError> {
    let actor = auth.user.actor();
    let log = state.store.worklog(&actor, id).await?;
    if !worklog::can_edit(&actor, &log.facts(&actor), log.status) {
        return Err(PageError::Forbidden("err.worklog_locked"));
    }
    form_page(&state, &auth, Some(id), &RawLog::from_stored(&log), FieldErrors::default(), None).await
}

pub(super) async fn save(state: AppState, f: AuthForm, id: Option<WorklogId>) -> Result<Response, PageError> {
    let raw = RawLog::from_form(&f.form);
    let mut errors = FieldErrors::default();
    let input = raw.parse(&mut errors);
    let actor = f.auth.user.actor();
    crate::pages::form_flow(
        errors,
        async || match id {
            Some(i) => state.store.update_worklog(&actor, i, input).await,
            None => state.store.create_worklog(&actor, input).await,
        },
        |log| see_other(&format!("/worklogs/{}", log.id), "common.saved"),
        async |errors| form_page(&state, &f.auth, id, &raw, errors, None).await,
    )
    .await
}

pub(super) async fn create(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    save(state, f, None).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    Path(id): Path<WorklogId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    save(state, f, Some(id)).await
}

pub(super) async fn delete(
    State(state): State<AppState>,
    Path(id): Path<WorklogId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    state.store.delete_worklog(&f.auth.user.actor(), id).await?;
    Ok(see_other("/worklogs", "common.deleted"))
}
