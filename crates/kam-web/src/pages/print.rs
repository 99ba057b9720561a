//! Print pages laid out like the paper forms: 附表八 客户投诉管理卡 (one
//! complaint) and 附表三 客户拜访档案记录 (an account's visits). The forms' own
//! headings stay in Chinese, as on paper; values are shown as on the cards.

use kam_core::AccountId;
use kam_core::ActivityId;
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use kam_core::activity::{ActivityKind, VISIT};
use kam_core::complaint::COMPLAINT;
use kam_store::activity::{Activity, ActivityFilter};

use super::render;
use crate::AppState;
use crate::auth::Authed;
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view;

pub fn router() -> Router<AppState> {
    Router::new().route("/complaints/{id}/print", get(complaint)).route("/accounts/{id}/visits/print", get(visits))
}

/// Every field and derived value of a record, as displayed.
fn values(lang: Lang, kind: &ActivityKind, a: &Activity) -> HashMap<&'static str, String> {
    kind.fields
        .iter()
        .chain(kind.derived.iter())
        .map(|d| (d.name, a.rec.get(d.name).map(|v| view::display(lang, d, v, "CNY")).unwrap_or_default()))
        .collect()
}

fn printed(today: time::Date) -> String {
    format!("打印日期 {today}")
}

#[derive(Template)]
#[template(path = "print_complaint.html")]
struct ComplaintPage {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    id: ActivityId,
    account: String,
    f: ComplaintFields,
    printed: String,
}

/// The card's values by name.
pub struct ComplaintFields {
    pub received_at: String,
    pub subject: String,
    pub replied_at: String,
    pub complainant: String,
    pub received_by: String,
    pub handler: String,
    pub priority: String,
    pub status: String,
    pub replied_by: String,
    pub reply_due: String,
    pub resolve_due: String,
    pub content: String,
    pub analysis: String,
    pub remedy: String,
    pub result: String,
    pub customer_reaction: String,
    pub notes: String,
}

async fn complaint(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ActivityId>,
) -> Result<Response, PageError> {
    let lang = Lang::Zh;
    let a = state.store.activity(&COMPLAINT, &auth.user.actor(), id).await?;
    let mut v = values(lang, &COMPLAINT, &a);
    let mut g = |k: &str| v.remove(k).unwrap_or_default();
    let f = ComplaintFields {
        received_at: g("received_at"),
        subject: g("subject"),
        replied_at: g("replied_at"),
        complainant: g("complainant"),
        received_by: g("received_by"),
        handler: g("handler"),
        priority: g("priority"),
        status: g("status"),
        replied_by: g("replied_by"),
        reply_due: g("reply_due"),
        resolve_due: g("resolve_due"),
        content: g("content"),
        analysis: g("analysis"),
        remedy: g("remedy"),
        result: g("result"),
        customer_reaction: g("customer_reaction"),
        notes: g("notes"),
    };
    let page = ComplaintPage {
        lang: "zh-CN",
        print_label: t(auth.lang, "common.print").into(),
        back: format!("/complaints/{id}"),
        back_label: t(auth.lang, "common.back").into(),
        id,
        account: a.account_name.clone(),
        f,
        printed: printed(state.store.today()),
    };
    render(&page)
}

pub struct VisitRow {
    pub sequence: String,
    pub visited_at: String,
    pub goal: String,
    pub interviewees: String,
    pub topics: String,
    pub result: String,
    pub objections: String,
    pub resolution_plan: String,
    pub ended_at: String,
    pub next_planned: String,
}

#[derive(Template)]
#[template(path = "print_visits.html")]
struct VisitsPage {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    account: String,
    visits: Vec<VisitRow>,
    printed: String,
}

async fn visits(State(state): State<AppState>, auth: Authed, Path(id): Path<AccountId>) -> Result<Response, PageError> {
    let actor = auth.user.actor();
    let account = state.store.account(&actor, id).await?;
    let f = ActivityFilter { account_id: Some(id), page: 1, per_page: 200 };
    let mut list = state.store.list_activities(&VISIT, &actor, &f).await?.items;
    list.reverse();
    let visits = list
        .iter()
        .map(|a| {
            let mut v = values(Lang::Zh, &VISIT, a);
            let mut g = |k: &str| v.remove(k).unwrap_or_default();
            VisitRow {
                sequence: g("sequence"),
                visited_at: g("visited_at"),
                goal: g("goal"),
                interviewees: g("interviewees"),
                topics: g("topics"),
                result: g("result"),
                objections: g("objections"),
                resolution_plan: g("resolution_plan"),
                ended_at: g("ended_at"),
                next_planned: g("next_planned"),
            }
        })
        .collect();
    let page = VisitsPage {
        lang: "zh-CN",
        print_label: t(auth.lang, "common.print").into(),
        back: format!("/accounts/{id}?tab=visits"),
        back_label: t(auth.lang, "common.back").into(),
        account: account.name().to_string(),
        visits,
        printed: printed(state.store.today()),
    };
    render(&page)
}
