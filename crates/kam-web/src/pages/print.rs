//! Print pages and workbooks laid out like the paper forms: 附表八 客户投诉管理卡
//! (one complaint) and 附表三 客户拜访档案记录 (an account's visits), both read
//! by `crate::record_forms`. The forms' own headings stay in Chinese, as on paper.

use kam_core::AccountId;
use kam_core::ActivityId;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

use super::render;
use crate::AppState;
use crate::auth::Authed;
use crate::error::PageError;
use crate::i18n::t;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints/{id}/print", get(complaint))
        .route("/complaints/{id}/xlsx", get(complaint_xlsx))
        .route("/accounts/{id}/visits/print", get(visits))
        .route("/accounts/{id}/visits/xlsx", get(visits_xlsx))
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
    f: crate::record_forms::ComplaintFields,
    printed: String,
}

async fn complaint(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ActivityId>,
) -> Result<Response, PageError> {
    let (a, f) = crate::record_forms::complaint(&state.store, &auth.user.actor(), id).await?;
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

#[derive(Template)]
#[template(path = "print_visits.html")]
struct VisitsPage {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    account: String,
    visits: Vec<[String; 10]>,
    printed: String,
}

async fn visits(State(state): State<AppState>, auth: Authed, Path(id): Path<AccountId>) -> Result<Response, PageError> {
    let (account, visits) = crate::record_forms::visits(&state.store, &auth.user.actor(), id).await?;
    let page = VisitsPage {
        lang: "zh-CN",
        print_label: t(auth.lang, "common.print").into(),
        back: format!("/accounts/{id}?tab=visits"),
        back_label: t(auth.lang, "common.back").into(),
        account,
        visits,
        printed: printed(state.store.today()),
    };
    render(&page)
}

async fn complaint_xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ActivityId>,
) -> Result<Response, PageError> {
    crate::record_forms::complaint_download(&state.store, &auth.user.actor(), id).await
}

async fn visits_xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    crate::record_forms::visits_download(&state.store, &auth.user.actor(), id).await
}
