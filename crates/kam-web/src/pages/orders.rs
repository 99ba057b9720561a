//! Products and orders: the price list, an account's order form with its
//! lines, the order with its steps (and the release of an order held over the
//! credit limit), and the order list.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kam_core::AccountId;
use kam_core::FieldErrors;
use kam_core::OrderId;
use kam_core::ProductId;
use kam_core::fields::{FieldDef, Raw, Value, format_quantity, parse_quantity};
use kam_core::order::{self, LINE_FIELDS, ORDER_FIELDS, PRODUCT_FIELDS};
use kam_core::time_util::display_ts;
use kam_store::StoreError;
use kam_store::orders::{LineInput, Order, OrderFilter, OrderInput};

use super::{Flash, ctx, render, see_other};
use crate::AppState;
use crate::auth::{AuthForm, Authed, FormData};
use crate::error::PageError;
use crate::i18n::{Lang, t};
use crate::view::{self, Ctx, InputGroup, Pager, RowSection};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/products", get(products).post(create_product))
        .route("/products.xlsx", get(export_products))
        .route("/products/new", get(new_product))
        .route("/products/{id}", post(update_product))
        .route("/products/{id}/edit", get(edit_product))
        .route("/orders", get(list))
        .route("/orders.xlsx", get(export))
        .route("/accounts/{id}/orders/new", get(new_order))
        .route("/accounts/{id}/orders", post(create_order))
        .route("/orders/{id}", get(show))
        .route("/orders/{id}/transition", post(transition))
}

pub fn status_label(lang: Lang, s: &str) -> String {
    view::choice(lang, "order_status", s)
}

// ---------------------------------------------------------------- products

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    ctx: Ctx,
    can_edit: bool,
    rows: Vec<(ProductId, String, String, String, String, String, bool)>,
}

/// The product list as .xlsx.
async fn export_products(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let bytes = crate::exports::products_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang).await?;
    Ok(crate::downloads::xlsx_response("产品.xlsx", bytes))
}

async fn products(State(state): State<AppState>, auth: Authed, Query(f): Query<Flash>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let list = state.store.products(true).await?;
    let page = ProductsPage {
        ctx: ctx(&state, &auth, "orders", f.msg.as_deref()).await,
        can_edit: order::can_edit_products(&auth.user.actor()),
        rows: list
            .iter()
            .map(|p| {
                (
                    p.id,
                    p.text("code").to_string(),
                    p.text("name").to_string(),
                    p.text("unit").to_string(),
                    p.rec.get("list_price").and_then(Value::as_int).map(|m| view::money(m, "CNY")).unwrap_or_default(),
                    view::field_text(lang, PRODUCT_FIELDS, &p.rec, "tax_rate", "CNY"),
                    p.active(),
                )
            })
            .collect(),
    };
    render(&page)
}

async fn product_form(
    state: &AppState,
    auth: &Authed,
    id: Option<ProductId>,
    values: &(dyn Fn(&FieldDef) -> String + Sync),
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    if !order::can_edit_products(&auth.user.actor()) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let page = super::SimpleForm {
        ctx: ctx(state, auth, "orders", None).await,
        title: t(lang, if id.is_some() { "product.edit" } else { "product.new" }).into(),
        action: id.map(|i| format!("/products/{i}")).unwrap_or_else(|| "/products".into()),
        cancel: "/products".into(),
        has_errors: !errors.is_empty(),
        groups: view::form(lang, "product", PRODUCT_FIELDS, &["product"], values, &errors, &|_| true, &|_| false),
    };
    let failed = page.has_errors;
    super::render_checked(&page, failed)
}

async fn new_product(State(state): State<AppState>, auth: Authed) -> Result<Response, PageError> {
    let defaults = |d: &FieldDef| match d.name {
        "tax_rate" => "13".to_string(),
        "active" => "1".to_string(),
        _ => String::new(),
    };
    product_form(&state, &auth, None, &defaults, FieldErrors::default()).await
}

async fn edit_product(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<ProductId>,
) -> Result<Response, PageError> {
    let p = state.store.product(id).await?;
    let values = view::stored_text(&p.rec);
    product_form(&state, &auth, Some(id), &values, FieldErrors::default()).await
}

async fn save_product(state: AppState, f: AuthForm, id: Option<ProductId>) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let rec = view::parse_form(PRODUCT_FIELDS, &f.form, &|_| true, &mut errors);
    let values = view::posted_text(&f.form);
    let actor = f.auth.user.actor();
    crate::pages::form_flow(
        errors,
        async || match id {
            Some(i) => state.store.update_product(&actor, i, rec).await,
            None => state.store.create_product(&actor, rec).await,
        },
        |_| see_other("/products", "common.saved"),
        async |errors| product_form(&state, &f.auth, id, &values, errors).await,
    )
    .await
}

async fn create_product(State(state): State<AppState>, f: AuthForm) -> Result<Response, PageError> {
    save_product(state, f, None).await
}

async fn update_product(
    State(state): State<AppState>,
    Path(id): Path<ProductId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    save_product(state, f, Some(id)).await
}

// ---------------------------------------------------------------- orders

/// One order in a table.
pub struct OrderRow {
    pub id: OrderId,
    pub number: String,
    pub date: String,
    pub account_id: AccountId,
    pub account: String,
    pub status: String,
    pub status_code: String,
    pub total: String,
}

pub fn order_rows(lang: Lang, orders: &[Order]) -> Vec<OrderRow> {
    orders
        .iter()
        .map(|o| OrderRow {
            id: o.id,
            number: o.number.clone(),
            date: o.rec.get("order_date").and_then(Value::as_text).unwrap_or_default().to_string(),
            account_id: o.account_id,
            account: o.account_name.clone(),
            status: status_label(lang, &o.status),
            status_code: o.status.clone(),
            total: view::money(o.total_with_tax, o.currency()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "orders.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<OrderRow>,
    pager: Pager,
    pager_text: String,
    statuses: Vec<(String, String)>,
    status: String,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
    status: Option<String>,
    msg: Option<String>,
}

/// GET /orders.xlsx?status=: the list as the viewer filtered it, every page, as a workbook.
async fn export(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let status = q.status.filter(|s| order::STATUS.values.contains(&s.as_str()));
    let f = OrderFilter { status, ..Default::default() };
    let bytes = crate::exports::orders_xlsx::<PageError>(&state.store, &auth.user.actor(), auth.lang, f).await?;
    Ok(crate::downloads::xlsx_response("订单.xlsx", bytes))
}

async fn list(State(state): State<AppState>, auth: Authed, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let lang = auth.lang;
    let status = q.status.clone().filter(|s| order::STATUS.values.contains(&s.as_str()));
    let p = state
        .store
        .orders(
            &auth.user.actor(),
            &OrderFilter { status: status.clone(), page: q.page.unwrap_or(1), per_page: 30, ..Default::default() },
        )
        .await?;
    let st = status.clone().unwrap_or_default();
    let pager = Pager::new(p.page, p.per_page, p.total, |n| format!("/orders?status={st}&page={n}"));
    let pager_text = pager.text(lang);
    let page = ListPage {
        ctx: ctx(&state, &auth, "orders", q.msg.as_deref()).await,
        rows: order_rows(lang, &p.items),
        pager,
        pager_text,
        statuses: order::STATUS.values.iter().map(|s| (s.to_string(), status_label(lang, s))).collect(),
        status: status.unwrap_or_default(),
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "order_form.html")]
struct FormPage {
    ctx: Ctx,
    account_id: AccountId,
    account: String,
    has_errors: bool,
    top_error: Option<String>,
    groups: Vec<InputGroup>,
    sections: Vec<RowSection>,
    /// `{"<product id>": list price in minor units}`, for the running total the page shows.
    prices: String,
}

async fn order_form(
    state: &AppState,
    auth: &Authed,
    account_id: AccountId,
    form: Option<&FormData>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let acc = state.store.account(&actor, account_id).await?;
    if !order::can_place(&actor, &acc.facts()) {
        return Err(PageError::Forbidden("err.forbidden"));
    }
    let products = state.store.products(false).await?;
    let options: Vec<(String, String)> = products
        .iter()
        .map(|p| {
            let price =
                p.rec.get("list_price").and_then(Value::as_int).map(|m| view::money(m, "CNY")).unwrap_or_default();
            (p.id.to_string(), format!("{} {} ({} {price})", p.text("code"), p.text("name"), p.text("unit")))
        })
        .collect();
    let get = |k: &str| form.and_then(|f| f.get(k)).unwrap_or_default().to_string();
    let today = state.store.today().to_string();
    let values = |d: &FieldDef| match (form, d.name) {
        (None, "order_date") => today.clone(),
        _ => get(d.name),
    };
    let mut groups = view::form(lang, "order", ORDER_FIELDS, &["order"], &values, &errors, &|_| true, &|_| false);
    for i in groups.iter_mut().flat_map(|g| g.inputs.iter_mut()).filter(|i| i.name == "currency") {
        i.hint = acc.text("currency").filter(|c| !c.is_empty()).unwrap_or("CNY").to_string();
    }
    let rows = form.map(line_indexes).unwrap_or_default();
    let n = rows.len().max(3);
    let line = |idx: String| {
        let mut inputs = vec![view::Input {
            name: format!("lines.{idx}.product_id"),
            label: t(lang, "order.product").into(),
            kind: "select",
            value: get(&format!("lines.{idx}.product_id")),
            options: options.clone(),
            error: errors.0.get(&format!("lines.{idx}.product_id")).map(|k| t(lang, k).to_string()),
            required: true,
            readonly: false,
            wide: false,
            hint: String::new(),
            list: None,
            in_row: false,
        }];
        for d in LINE_FIELDS {
            let name = format!("lines.{idx}.{}", d.name);
            let mut i = view::input(lang, "order_line", d, get(&name), errors.0.get(&name), false);
            i.name = name;
            i.hint = match d.name {
                "unit_price" => t(lang, "order.price_hint").into(),
                "discount_pct" => "0".into(),
                "tax_rate" => t(lang, "order.tax_hint").into(),
                _ => i.hint,
            };
            inputs.push(i);
        }
        inputs
    };
    let title = t(lang, "order.lines").to_string();
    let section = RowSection {
        name: "lines",
        title: title.clone(),
        groups: (0..n)
            .map(|i| {
                let idx = rows.get(i).copied().unwrap_or(i);
                InputGroup { title: format!("{title} {}", i + 1), inputs: line(idx.to_string()) }
            })
            .collect(),
        blank: vec![InputGroup { title: title.clone(), inputs: line("__i__".into()) }],
        ids: vec![],
        next_index: rows.iter().max().map(|m| m + 1).unwrap_or(0).max(n),
    };
    let page = FormPage {
        ctx: ctx(state, auth, "orders", None).await,
        account_id,
        account: acc.name().to_string(),
        has_errors: !errors.is_empty(),
        top_error: errors.0.get("lines").map(|k| t(lang, k).to_string()),
        groups,
        sections: vec![section],
        prices: serde_json::Value::Object(
            products
                .iter()
                .filter_map(|p| p.rec.get("list_price").and_then(Value::as_int).map(|m| (p.id.to_string(), m.into())))
                .collect(),
        )
        .to_string(),
    };
    let failed = page.has_errors;
    super::render_checked(&page, failed)
}

/// The row indexes a posted order form used, in order.
fn line_indexes(form: &FormData) -> Vec<usize> {
    let mut idx: Vec<usize> = form
        .0
        .keys()
        .filter_map(|k| k.strip_prefix("lines.")?.split_once('.')?.0.parse().ok())
        .filter(|i| *i < 500)
        .collect();
    idx.sort_unstable();
    idx.dedup();
    idx
}

async fn new_order(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<AccountId>,
) -> Result<Response, PageError> {
    order_form(&state, &auth, id, None, FieldErrors::default()).await
}

/// Reads the posted order: its fields and the lines that are not empty.
/// Errors name the posted row (`lines.<i>.<field>`).
fn parse_order(form: &FormData, errors: &mut FieldErrors) -> (OrderInput, Vec<usize>) {
    let rec = view::parse_form(ORDER_FIELDS, form, &|_| true, errors);
    let mut lines = Vec::new();
    let mut used = Vec::new();
    for i in line_indexes(form) {
        let key = |f: &str| format!("lines.{i}.{f}");
        let blank = ["product_id", "quantity", "unit_price", "discount_pct", "tax_rate"]
            .iter()
            .all(|f| form.get(&key(f)).is_none_or(|v| v.trim().is_empty()));
        if blank {
            continue;
        }
        let mut own = FieldErrors::default();
        let mut lrec = kam_core::fields::parse_record(LINE_FIELDS, |n| form.get(&key(n)).map(Raw::Form), &mut own);
        lrec.retain(|_, v| !v.is_null());
        for (k, v) in own.0 {
            errors.add(&key(&k), v);
        }
        used.push(i);
        lines.push(LineInput { product_id: form.int(&key("product_id")).map(ProductId), rec: lrec });
    }
    (OrderInput { rec, lines }, used)
}

async fn create_order(
    State(state): State<AppState>,
    Path(id): Path<AccountId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let (input, used) = parse_order(&f.form, &mut errors);
    let result = if errors.is_empty() {
        state.store.create_order(&f.auth.user.actor(), id, input).await
    } else {
        Err(StoreError::Invalid(errors))
    };
    match result {
        Ok(o) => Ok(see_other(
            &format!("/orders/{}", o.id),
            if o.status == "credit_hold" { "order.held" } else { "order.placed" },
        )),
        Err(StoreError::Invalid(errors)) => {
            // The store numbers lines as given; map back to the posted rows.
            let mut mapped = FieldErrors::default();
            for (k, v) in errors.0 {
                let key = match k.strip_prefix("lines.").and_then(|r| r.split_once('.')) {
                    Some((n, rest)) => match n.parse::<usize>().ok().and_then(|n| used.get(n)) {
                        Some(row) if k.split('.').count() == 3 => format!("lines.{row}.{rest}"),
                        _ => k.clone(),
                    },
                    None => k.clone(),
                };
                mapped.add(&key, v);
            }
            order_form(&state, &f.auth, id, Some(&f.form), mapped).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "order_show.html")]
struct ShowPage {
    ctx: Ctx,
    o: Order,
    status: String,
    fields: Vec<(String, String)>,
    lines: Vec<Vec<String>>,
    totals: (String, String, String),
    steps: Vec<(String, String, String, String, String)>,
    next: Vec<(String, String)>,
    can_move: bool,
    can_release: bool,
    today: String,
    credit: Option<(String, String)>,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    auth: &Authed,
    id: OrderId,
    flash: Option<&str>,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let actor = auth.user.actor();
    let o = state.store.order(&actor, id).await?;
    let acc = state.store.account(&actor, o.account_id).await?;
    let cur = o.currency().to_string();
    let money = |m: i64| view::money(m, &cur);
    let fields = ORDER_FIELDS
        .iter()
        .filter_map(|d| {
            let v = o.rec.get(d.name).filter(|v| !v.is_null())?;
            Some((view::label(lang, "order", d.name), view::display(lang, d, v, &cur)))
        })
        .collect();
    let lines = o
        .lines
        .iter()
        .map(|l| {
            let qty = l.rec.get("quantity").and_then(Value::as_text).and_then(parse_quantity).map(format_quantity);
            vec![
                format!("{} {}", l.product_code, l.product_name),
                format!("{} {}", qty.unwrap_or_default(), l.unit),
                l.rec.get("unit_price").and_then(Value::as_int).map(money).unwrap_or_default(),
                view::field_text(lang, LINE_FIELDS, &l.rec, "discount_pct", &cur),
                view::field_text(lang, LINE_FIELDS, &l.rec, "tax_rate", &cur),
                money(l.totals.without_tax),
                money(l.totals.tax),
                money(l.totals.with_tax),
            ]
        })
        .collect();
    let steps = o
        .steps
        .iter()
        .map(|s| {
            (
                status_label(lang, &s.to_status),
                s.on_date.clone(),
                s.by_name.clone().unwrap_or_default(),
                display_ts(&s.at),
                s.note.clone().unwrap_or_default(),
            )
        })
        .collect();
    let facts = acc.facts();
    let releasing = o.status == "credit_hold";
    let page = ShowPage {
        ctx: ctx(state, auth, "orders", flash).await,
        status: status_label(lang, &o.status),
        fields,
        lines,
        totals: (money(o.total_without_tax), money(o.tax), money(o.total_with_tax)),
        steps,
        next: order::next_steps(&o.status)
            .iter()
            .filter(|s| !(releasing && **s == "placed"))
            .map(|s| (s.to_string(), status_label(lang, s)))
            .collect(),
        can_move: order::can_move_order(&actor, &facts),
        can_release: releasing && order::can_approve_credit(&actor, &facts),
        today: state.store.today().to_string(),
        credit: o.credit_exposure.map(|e| (money(e), o.credit_limit.map(money).unwrap_or_else(|| "—".into()))),
        error: error.map(|k| t(lang, k).to_string()),
        o,
    };
    let failed = page.error.is_some();
    super::render_checked(&page, failed)
}

async fn show(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<OrderId>,
    Query(f): Query<Flash>,
) -> Result<Response, PageError> {
    show_page(&state, &auth, id, f.msg.as_deref(), None).await
}

async fn transition(
    State(state): State<AppState>,
    Path(id): Path<OrderId>,
    f: AuthForm,
) -> Result<Response, PageError> {
    let to = f.form.text("to");
    let on = f
        .form
        .get("on_date")
        .filter(|d| !d.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| state.store.today().to_string());
    let note = f.form.get("note").filter(|n| !n.trim().is_empty());
    match state.store.transition_order(&f.auth.user.actor(), id, to, &on, note).await {
        Ok(_) => Ok(see_other(&format!("/orders/{id}"), "common.saved")),
        Err(StoreError::Conflict(k)) => show_page(&state, &f.auth, id, None, Some(k)).await,
        Err(StoreError::Invalid(e)) => {
            let k = e.0.values().next().copied().unwrap_or("err.date");
            show_page(&state, &f.auth, id, None, Some(k)).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
