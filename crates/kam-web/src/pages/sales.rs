//! /reports/sales: the sales report 销售报表 of a year by month, product, rep
//! and grade (`crate::sales`), each table beside its chart, with its workbook.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use kam_core::fields::format_minor;

use super::{ctx, render};
use crate::AppState;
use crate::auth::Authed;
use crate::dashboards::Panel;
use crate::error::PageError;
use crate::view::Ctx;

pub fn router() -> Router<AppState> {
    Router::new().route("/reports/sales", get(show)).route("/reports/sales.xlsx", get(xlsx))
}

#[derive(Template)]
#[template(path = "sales_report.html")]
struct Page {
    ctx: Ctx,
    year: i32,
    orders: i64,
    with_tax: String,
    without_tax: String,
    panels: Vec<Panel>,
}

async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let year = super::year_of(&q, state.store.today().year());
    let r = state.store.sales_report(&auth.user.actor(), year).await?;
    render(&Page {
        ctx: ctx(&state, &auth, "sales", None).await,
        year,
        orders: r.orders,
        with_tax: format_minor(r.with_tax, true),
        without_tax: format_minor(r.without_tax, true),
        panels: crate::sales::panels(auth.lang, &r),
    })
}

async fn xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let year = super::year_of(&q, state.store.today().year());
    let bytes = crate::sales::xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang, year).await?;
    Ok(crate::downloads::xlsx_response(&format!("sales-{year}.xlsx"), bytes))
}
