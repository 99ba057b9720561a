//! Administration (users, settings) and the handover of a rep's accounts.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kam_core::Role;
use kam_core::TeamId;
use kam_core::UserId;
use kam_core::worklog::Step;

use super::{Flash, ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed};
use crate::error::PageError;
use crate::i18n::t;
use crate::view::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin))
        .route("/admin/settings", post(settings))
        .route("/admin/instance", post(instance))
        .route("/admin/users/{username}/disable", post(disable))
        .route("/admin/teams/{id}/chain", post(set_chain))
        .route("/handover", get(handover_page).post(handover))
}

pub struct UserRow {
    pub username: String,
    pub name: String,
    pub role: String,
    pub team: String,
    pub active: bool,
    pub is_me: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    ctx: Ctx,
    claim_limit: i64,
    users: Vec<UserRow>,
    chains: Vec<ChainForm>,
    signers: Vec<(UserId, String)>,
    inst: InstanceForm,
}

/// The instance settings form (company, working hours, currencies) with what
/// was typed and the errors, field by field.
#[derive(Default)]
pub struct InstanceForm {
    /// (name, label, value, error) for the company's fields.
    pub company: Vec<(String, String, String, Option<String>)>,
    pub work_start: String,
    pub work_end: String,
    /// (value 1–7, label, checked).
    pub days: Vec<(usize, String, bool)>,
    pub currencies: String,
    /// The ABC cut-offs as typed.
    pub abc_a: String,
    pub abc_b: String,
    /// The health weights as typed: (factor, label, value).
    pub health: Vec<(&'static str, String, String)>,
    /// The churn-risk factor as typed.
    pub churn_factor: String,
    pub errors: std::collections::BTreeMap<String, String>,
}

impl InstanceForm {
    fn build(
        lang: crate::i18n::Lang,
        company: &kam_core::settings::Company,
        hours: (String, String, [bool; 7]),
        currencies: String,
        abc: (String, String),
        health: [String; 7],
        errors: &kam_core::FieldErrors,
    ) -> InstanceForm {
        let err = |k: &str| errors.0.get(k).map(|m| t(lang, m).to_string());
        InstanceForm {
            company: company
                .pairs()
                .iter()
                .map(|(k, v)| (k.to_string(), t(lang, &format!("settings.{k}")).to_string(), v.to_string(), err(k)))
                .collect(),
            work_start: hours.0,
            work_end: hours.1,
            days: (0..7).map(|i| (i + 1, t(lang, &format!("weekday.{}", i + 1)).to_string(), hours.2[i])).collect(),
            currencies,
            abc_a: abc.0,
            abc_b: abc.1,
            health: kam_core::health::FACTORS
                .iter()
                .zip(health)
                .map(|(k, v)| (*k, crate::health::label(lang, k), v))
                .collect(),
            churn_factor: String::new(),
            errors: errors.0.iter().map(|(k, v)| (k.clone(), t(lang, v).to_string())).collect(),
        }
    }
    fn error(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
}

/// A team's sign-off chain as the admin edits it: per step, the signer chosen.
pub struct ChainForm {
    pub team_id: TeamId,
    pub team: String,
    pub steps: Vec<(&'static str, String, Option<UserId>)>,
}

impl ChainForm {
    fn is(&self, chosen: &Option<UserId>, id: &UserId) -> bool {
        *chosen == Some(*id)
    }
}

fn admin_only(auth: &Authed) -> Result<(), PageError> {
    if auth.user.actor().can_manage_users() { Ok(()) } else { Err(PageError::NotFound) }
}

async fn admin(State(state): State<AppState>, auth: Authed, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    admin_only(&auth)?;
    let lang = auth.lang;
    let store = |e| PageError::from(e);
    let company = state.store.company().await.map_err(store)?;
    let w = state.store.working_hours().await.map_err(store)?;
    let currencies = state.store.currencies().await.map_err(store)?.join(", ");
    let abc = state.store.abc_thresholds().await.map_err(store)?;
    let mut inst = InstanceForm::build(
        lang,
        &company,
        (w.start_text(), w.end_text(), w.days),
        currencies,
        (abc.a.to_string(), abc.b.to_string()),
        state.store.health_weights().await.map_err(store)?.0.map(|w| w.to_string()),
        &kam_core::FieldErrors::default(),
    );
    inst.churn_factor = format!("{:.1}", state.store.churn_factor().await.map_err(store)?);
    admin_page(&state, &auth, flash.msg.as_deref(), inst).await.and_then(|p| render(&p))
}

async fn admin_page(
    state: &AppState,
    auth: &Authed,
    flash: Option<&str>,
    inst: InstanceForm,
) -> Result<AdminPage, PageError> {
    let lang = auth.lang;
    let users = state.store.users().await?;
    let mut chains = Vec::new();
    for team in state.store.teams().await? {
        let chain = state.store.signoff_chain(team.id).await?;
        chains.push(ChainForm {
            team_id: team.id,
            team: team.name,
            steps: Step::ALL
                .iter()
                .map(|s| {
                    let chosen = chain.iter().find(|c| c.step == *s).map(|c| c.signer_id);
                    (s.as_str(), t(lang, &format!("worklog.step.{}", s.as_str())).to_string(), chosen)
                })
                .collect(),
        });
    }
    let signers = super::workers(lang, &users).into_iter().map(|(u, label)| (u.id, label)).collect();
    Ok(AdminPage {
        inst,
        ctx: ctx(state, auth, "admin", flash).await,
        claim_limit: state.store.claim_limit().await?,
        chains,
        signers,
        users: users
            .into_iter()
            .map(|u| UserRow {
                is_me: u.id == auth.user.id,
                username: u.username,
                name: u.display_name,
                role: t(lang, &format!("role.{}", u.role.as_str())).into(),
                team: u.team_name.unwrap_or_default(),
                active: u.active,
            })
            .collect(),
    })
}

/// POST /admin/instance: the company, the working hours and the currencies, saved together.
async fn instance(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    use kam_core::settings::{Company, WorkingHours};
    admin_only(&f.auth)?;
    let lang = f.auth.lang;
    let company = Company {
        name: f.form.text("company.name").to_string(),
        address: f.form.text("company.address").to_string(),
        phone: f.form.text("company.phone").to_string(),
        tax_id: f.form.text("company.tax_id").to_string(),
        bank_name: f.form.text("company.bank_name").to_string(),
        bank_account: f.form.text("company.bank_account").to_string(),
    };
    let mut days = [false; 7];
    for d in f.form.text("work_days").split(',') {
        if let Some(i) = d.parse::<usize>().ok().filter(|i| (1..=7).contains(i)) {
            days[i - 1] = true;
        }
    }
    let (start, end) = (f.form.text("work_start").to_string(), f.form.text("work_end").to_string());
    let currencies = f.form.text("currencies").to_string();
    let mut typed_abc = (f.form.text("abc_a").trim().to_string(), f.form.text("abc_b").trim().to_string());
    let mut errors = kam_core::FieldErrors::default();
    let hours = WorkingHours::new(&start, &end, days).map_err(|e| errors.0.extend(e.0)).ok();
    let abc = match (typed_abc.0.parse::<i64>(), typed_abc.1.parse::<i64>()) {
        (Ok(a), Ok(b)) => Some((a, b)),
        // A form without the cut-offs (an older page, a script) leaves them as they are.
        _ if typed_abc.0.is_empty() && typed_abc.1.is_empty() => {
            let kept = state.store.abc_thresholds().await.map_err(PageError::from)?;
            typed_abc = (kept.a.to_string(), kept.b.to_string());
            None
        }
        _ => {
            errors.add("abc_a", "class.err_thresholds");
            None
        }
    };
    let mut typed_health: [String; 7] =
        kam_core::health::FACTORS.map(|k| f.form.text(&format!("health_{k}")).trim().to_string());
    let health = if typed_health.iter().all(String::is_empty) {
        // Like the cut-offs: a form without the weights leaves them as they are.
        typed_health = state.store.health_weights().await.map_err(PageError::from)?.0.map(|w| w.to_string());
        None
    } else {
        match typed_health.iter().map(|v| v.parse::<i64>().ok()).collect::<Option<Vec<_>>>() {
            Some(v) => v.try_into().ok(),
            None => {
                errors.add("health_weights", "health.err_weights");
                None
            }
        }
    };
    // Like the cut-offs: a form without the factor leaves it as it is.
    let mut typed_factor = f.form.text("churn_factor").trim().to_string();
    let churn_factor = if typed_factor.is_empty() {
        typed_factor = format!("{:.1}", state.store.churn_factor().await.map_err(PageError::from)?);
        None
    } else {
        Some(typed_factor.clone())
    };
    if errors.is_empty() {
        let change = kam_store::settings::SettingsChange {
            company: Some(company.clone()),
            working_hours: hours,
            currencies: Some(currencies.clone()),
            abc,
            health,
            churn_factor,
        };
        match state.store.save_settings(&f.auth.user.actor(), &change).await {
            Ok(()) => return Ok(see_other("/admin", "common.saved")),
            Err(kam_store::StoreError::Invalid(e)) => errors = e,
            Err(e) => return Err(PageError::from(e)),
        }
    }
    let mut inst =
        InstanceForm::build(lang, &company, (start, end, days), currencies, typed_abc, typed_health, &errors);
    inst.churn_factor = typed_factor;
    let page = admin_page(&state, &f.auth, None, inst).await?;
    super::render_checked(&page, true)
}

async fn settings(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    admin_only(&f.auth)?;
    let limit = f.form.int("claim_limit").filter(|n| (0..=100_000).contains(n)).ok_or(PageError::BadRequest)?;
    state.store.set_setting(Some(f.auth.user.id), "pool.claim_limit", &limit.to_string()).await?;
    Ok(see_other("/admin", "common.saved"))
}

/// POST /admin/teams/{id}/chain: one signer (or none) per step.
async fn set_chain(
    State(state): State<AppState>,
    Path(team): Path<TeamId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    admin_only(&f.auth)?;
    let chain: Vec<(Step, UserId)> =
        Step::ALL.iter().filter_map(|s| f.form.int(s.as_str()).map(|id| (*s, UserId(id)))).collect();
    state.store.set_signoff_chain(&f.auth.user.actor(), team, &chain).await?;
    Ok(see_other("/admin", "common.saved"))
}

async fn disable(
    State(state): State<AppState>,
    Path(username): Path<String>,
    f: AuthForm,
) -> Result<Response, PageError> {
    admin_only(&f.auth)?;
    if username == f.auth.user.username {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    state.store.disable_user(Some(f.auth.user.id), &username).await?;
    Ok(see_other("/admin", "common.saved"))
}

#[derive(Template)]
#[template(path = "handover.html")]
struct HandoverPage {
    ctx: Ctx,
    users: Vec<(UserId, String)>,
    error: Option<String>,
}

async fn reps(state: &AppState, auth: &Authed) -> Vec<(UserId, String)> {
    let me = auth.user.actor();
    state
        .store
        .users()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| matches!(u.role, Role::Sales | Role::Manager))
        .filter(|u| me.role == Role::Admin || (me.team_id.is_some() && u.team_id == me.team_id))
        .map(|u| (u.id, format!("{} ({}){}", u.display_name, u.username, if u.active { "" } else { " ×" })))
        .collect()
}

async fn handover_page(
    State(state): State<AppState>,
    auth: Authed,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    if !matches!(auth.user.role, Role::Admin | Role::Manager) {
        return Err(PageError::NotFound);
    }
    let flash_text =
        flash.msg.as_deref().and_then(|m| m.strip_prefix("handover.done:")).and_then(|n| n.parse::<i64>().ok());
    let mut c = ctx(&state, &auth, "handover", None).await;
    if let Some(n) = flash_text {
        c.flash = Some(c.tn("handover.done", n));
    }
    render(&HandoverPage { ctx: c, users: reps(&state, &auth).await, error: None })
}

async fn handover(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    let lang = f.auth.lang;
    let (Some(from), Some(to)) = (f.form.int("from_user_id").map(UserId), f.form.int("to_user_id").map(UserId)) else {
        return Err(PageError::BadRequest);
    };
    match state.store.handover(&f.auth.user.actor(), from, to).await {
        Ok(n) => Ok(axum::response::Redirect::to(&format!("/handover?msg=handover.done:{n}")).into_response()),
        Err(kam_store::StoreError::Invalid(fe)) => {
            let msg = fe.0.values().next().map(|k| t(lang, k).to_string());
            let c = ctx(&state, &f.auth, "handover", None).await;
            let mut res = render(&HandoverPage { ctx: c, users: reps(&state, &f.auth).await, error: msg })?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(PageError::from(e)),
    }
}
