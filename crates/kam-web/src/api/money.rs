//! The money over JSON: /api/v1/products, /api/v1/orders (with
//! `/transition`), /api/v1/ledger-entries (with `/reverse`), the account's
//! ledger with running balance, and /api/v1/receivables. Amounts are integers
//! in minor units (分) with a `currency` beside them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kam_core::AccountId;
use kam_core::EntryId;
use kam_core::FieldErrors;
use kam_core::OrderId;
use kam_core::ProductId;
use kam_core::StatementId;
use kam_core::fields::Raw;
use kam_core::ledger::FIELDS as ENTRY_FIELDS;
use kam_core::order::{LINE_FIELDS, ORDER_FIELDS, PRODUCT_FIELDS};
use kam_core::time_util::{month_of, parse_date};
use kam_store::orders::{LineInput, OrderFilter, OrderInput};
use serde_json::{Value as V, json};

use super::routes::*;
use super::{Id, QueryMap, object, page_params, parse_fields};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::redact;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/products.xlsx", export_products, doc("exportProducts", "products", "Every product (active or not) as .xlsx, with the fields the caller sees (no list price without money rights); audited").file(super::routes::XLSX))
        .get("/api/v1/products", products, doc("listProducts", "products", "The product list (active ones; all=1 for every product)").query("all", flag(), "also inactive products").ok("ProductList"))
        .post("/api/v1/products", create_product, doc("createProduct", "products", "Add a product (admin, managers, finance)").body("ProductInput").created("Product"))
        .get("/api/v1/products/{id}", product, doc("getProduct", "products", "One product of the list").ok("Product"))
        .patch("/api/v1/products/{id}", patch_product, doc("patchProduct", "products", "Change a product").body("ProductInput").ok("Product"))
        .get("/api/v1/orders.xlsx", orders_xlsx, doc("exportOrders", "orders", "The orders list as .xlsx with the same filters as GET /api/v1/orders (every page, at most 50,000 rows), each order as the API shows it to the caller (no amounts for a role that sees no money); audited").query("status", one_of(kam_core::order::STATUS.values), "order status").query("account_id", int(), "orders of one account").file(XLSX))
        .get("/api/v1/orders", orders, doc("listOrders", "orders", "Orders of the accounts the caller may see, newest first (filters status, account_id)").paged().query("status", one_of(kam_core::order::STATUS.values), "order status").query("account_id", int(), "orders of one account").ok("OrderList"))
        .post("/api/v1/orders", create_order, doc("createOrder", "orders", "Place an order; over the credit limit (balance + open orders + this order) it is held as credit_hold until finance or a manager releases it").body("OrderInput").created("Order"))
        .get("/api/v1/orders/{id}", order, doc("getOrder", "orders", "One order with its lines and steps").ok("Order"))
        .post("/api/v1/orders/{id}/transition", transition, doc("transitionOrder", "orders", "Move an order one step (credit_hold → placed is the credit release); delivery posts the invoice to the ledger, a return of a delivered order the credit note").body("OrderTransition").ok("Order"))
        .get("/api/v1/accounts/{id}/orders", account_orders, doc("listAccountOrders", "orders", "The account's orders").ok("OrderList"))
        .post("/api/v1/ledger-entries", post_entry, doc("postLedgerEntry", "ledger", "Post an entry (finance, admin): amount is the positive figure, the kind gives the sign").body("LedgerEntryInput").created("LedgerEntry"))
        .get("/api/v1/ledger-entries/{id}", entry, doc("getLedgerEntry", "ledger", "One ledger entry, its amount signed").ok("LedgerEntry"))
        .post("/api/v1/ledger-entries/{id}/reverse", reverse, doc("reverseLedgerEntry", "ledger", "Undo an entry by posting its reverse (dated today unless entry_date says otherwise); the original stays (entries are never changed or deleted)").body("Reverse").created("LedgerEntry"))
        .get("/api/v1/accounts/{id}/ledger", ledger, doc("getAccountLedger", "ledger", "The account's ledger per currency with the running balance").ok("AccountLedger"))
        .get("/api/v1/receivables.xlsx", receivables_xlsx, doc("exportReceivables", "ledger", "The receivables list as .xlsx as of a day: per account and currency the balance, aging, overdue, days overdue and DSO, as numbers; audited").query("as_of", date(), "as of this day (default today)").file(XLSX))
        .get("/api/v1/receivables", receivables, doc("getReceivables", "ledger", "Receivables per account: balance, aging 0–30/31–60/61–90/90+ by due date, overdue, DSO; collections per rep (as_of, from, to)").query("as_of", date(), "balances and aging as of this day (default today)").query("from", date(), "collections from (default 89 days before to)").query("to", date(), "collections up to (default as_of)").ok("Receivables"))
}

fn any(_: &kam_core::FieldDef) -> bool {
    true
}

// ---------------------------------------------------------------- products

const PRODUCT_RO: &[&str] = &["id", "created_at", "updated_at"];

async fn export_products(State(state): State<AppState>, api: ApiUser) -> Result<Response, ApiError> {
    let bytes = crate::exports::products_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang).await?;
    Ok(crate::downloads::xlsx_response("产品.xlsx", bytes))
}

async fn products(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<V>, ApiError> {
    let all = matches!(q.get("all").map(String::as_str), Some("1" | "true"));
    let items = state.store.products(all).await?;
    Ok(Json(json!({ "items": redact::json(&api.user.actor(), "product", &items) })))
}

async fn product(State(state): State<AppState>, api: ApiUser, Id(id): Id<ProductId>) -> Result<Json<V>, ApiError> {
    let p = state.store.product(id).await?;
    Ok(Json(redact::json(&api.user.actor(), "product", &p)))
}

async fn create_product(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let rec = parse_fields(PRODUCT_FIELDS, &body, &[], PRODUCT_RO, &any)?;
    let p = state.store.create_product(&api.user.actor(), rec).await?;
    Ok((StatusCode::CREATED, Json(redact::json(&api.user.actor(), "product", &p))).into_response())
}

async fn patch_product(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<ProductId>,
    body: Bytes,
) -> Result<Json<V>, ApiError> {
    let body = object(&body)?;
    let rec = parse_fields(PRODUCT_FIELDS, &body, &[], PRODUCT_RO, &any)?;
    let p = state.store.update_product(&api.user.actor(), id, rec).await?;
    Ok(Json(redact::json(&api.user.actor(), "product", &p)))
}

// ---------------------------------------------------------------- orders

/// The list's filters: status (checked) and account.
fn order_filter(q: &std::collections::HashMap<String, String>) -> Result<OrderFilter, ApiError> {
    let (page, per_page) = page_params(q);
    let status = q.get("status").filter(|s| !s.is_empty()).cloned();
    if let Some(s) = &status
        && !kam_core::order::STATUS.values.contains(&s.as_str())
    {
        let mut e = FieldErrors::default();
        e.add("status", "err.choice");
        return Err(ApiError::invalid(&e));
    }
    let account_id = q.get("account_id").and_then(|a| a.parse().ok());
    Ok(OrderFilter { account_id, status, page, per_page })
}

async fn orders_xlsx(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Response, ApiError> {
    let f = order_filter(&q)?;
    let bytes = crate::exports::orders_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang, f).await?;
    Ok(crate::downloads::xlsx_response("orders.xlsx", bytes))
}

async fn orders(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<V>, ApiError> {
    let f = order_filter(&q)?;
    let p = state.store.orders(&api.user.actor(), &f).await?;
    Ok(Json(
        json!({ "items": redact::json(&api.user.actor(), "order", &p.items), "page": p.page, "per_page": p.per_page, "total": p.total }),
    ))
}

async fn account_orders(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
) -> Result<Json<V>, ApiError> {
    let f = OrderFilter { account_id: Some(id), per_page: 200, ..Default::default() };
    let p = state.store.orders(&api.user.actor(), &f).await?;
    Ok(Json(json!({ "items": redact::json(&api.user.actor(), "order", &p.items), "total": p.total })))
}

async fn order(State(state): State<AppState>, api: ApiUser, Id(id): Id<OrderId>) -> Result<Json<V>, ApiError> {
    let o = state.store.order(&api.user.actor(), id).await?;
    Ok(Json(redact::json(&api.user.actor(), "order", &o)))
}

/// POST {"account_id", order fields…, "lines": [{"product_id", "quantity", "unit_price"?, "discount_pct"?, "tax_rate"?}]}
async fn create_order(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let account = super::required_id(&body, "account_id")?;
    let mut head = body.clone();
    let lines_raw = head.remove("lines");
    let rec = parse_fields(ORDER_FIELDS, &head, &["account_id"], &[], &any)?;
    let mut errors = FieldErrors::default();
    let mut lines = Vec::new();
    match lines_raw {
        Some(V::Array(rows)) => {
            for (i, row) in rows.iter().enumerate() {
                let Some(row) = row.as_object() else {
                    errors.add(&format!("lines.{i}"), "err.type_object");
                    continue;
                };
                for k in row.keys() {
                    if k != "product_id" && !LINE_FIELDS.iter().any(|d| d.name == k) {
                        errors.add(&format!("lines.{i}.{k}"), "err.unknown_field");
                    }
                }
                let mut own = FieldErrors::default();
                let mut lrec = kam_core::fields::parse_record(LINE_FIELDS, |n| row.get(n).map(Raw::Json), &mut own);
                lrec.retain(|_, v| !v.is_null());
                for (k, v) in own.0 {
                    errors.add(&format!("lines.{i}.{k}"), v);
                }
                lines.push(LineInput {
                    product_id: row.get("product_id").and_then(V::as_i64).map(ProductId),
                    rec: lrec,
                });
            }
        }
        None | Some(V::Null) => {}
        Some(_) => errors.add("lines", "err.type_list"),
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    let o = state.store.create_order(&api.user.actor(), account, OrderInput { rec, lines }).await?;
    Ok((StatusCode::CREATED, Json(redact::json(&api.user.actor(), "order", &o))).into_response())
}

/// POST {"to": status, "on_date"?: "YYYY-MM-DD" (today), "note"?}
async fn transition(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<OrderId>,
    body: Bytes,
) -> Result<Json<V>, ApiError> {
    let body = object(&body)?;
    let to = body.get("to").and_then(V::as_str).filter(|s| kam_core::order::STATUS.values.contains(s));
    let Some(to) = to else {
        let mut e = FieldErrors::default();
        e.add("to", "err.choice");
        return Err(ApiError::invalid(&e));
    };
    let on =
        body.get("on_date").and_then(V::as_str).map(str::to_string).unwrap_or_else(|| state.store.today().to_string());
    let note = body.get("note").and_then(V::as_str);
    let o = state.store.transition_order(&api.user.actor(), id, to, &on, note).await?;
    Ok(Json(redact::json(&api.user.actor(), "order", &o)))
}

// ---------------------------------------------------------------- ledger

/// POST {"account_id", "entry_date", "kind", "amount" (positive, minor units), "currency"?, …}
async fn post_entry(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let lang = api.lang;
    let body = object(&body)?;
    let account = super::required_id(&body, "account_id")?;
    let rec = parse_fields(ENTRY_FIELDS, &body, &["account_id"], &[], &any)?;
    let actor = api.user.actor();
    let e = state.store.post_entry(&actor, account, rec).await?;
    let warnings: Vec<V> = state
        .store
        .warnings_after_post(&actor, account, &e)
        .await
        .into_iter()
        .map(|k| json!({"code": k.trim_start_matches("ledger."), "message": crate::i18n::t(lang, k)}))
        .collect();
    let mut body = json!(e);
    body["warnings"] = json!(warnings);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn entry(State(state): State<AppState>, api: ApiUser, Id(id): Id<EntryId>) -> Result<Json<V>, ApiError> {
    let e = state.store.ledger_entry(&api.user.actor(), id).await?;
    Ok(Json(json!(e)))
}

/// POST {"entry_date"?: today, "note"?}
async fn reverse(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<EntryId>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = if body.is_empty() { Default::default() } else { object(&body)? };
    let on = match body.get("entry_date").and_then(V::as_str) {
        None => state.store.today(),
        Some(d) => parse_date(d).ok_or_else(|| {
            let mut e = FieldErrors::default();
            e.add("entry_date", "err.date");
            ApiError::invalid(&e)
        })?,
    };
    let note = body.get("note").and_then(V::as_str);
    let e = state.store.reverse_entry(&api.user.actor(), id, on, note).await?;
    Ok((StatusCode::CREATED, Json(json!(e))).into_response())
}

/// The account's ledgers: per currency, every entry with the balance after it.
async fn ledger(State(state): State<AppState>, api: ApiUser, Id(id): Id<AccountId>) -> Result<Json<V>, ApiError> {
    let ledgers = state.store.ledgers(&api.user.actor(), id).await?;
    let items: Vec<V> = ledgers
        .iter()
        .map(|l| {
            let entries: Vec<V> = l
                .entries
                .iter()
                .map(|(e, after)| {
                    let mut v = json!(e);
                    v["balance_after"] = json!(after);
                    v
                })
                .collect();
            json!({ "currency": l.currency, "balance": l.balance, "entries": entries })
        })
        .collect();
    Ok(Json(json!({ "account_id": id, "ledgers": items })))
}

/// GET ?as_of=YYYY-MM-DD (today) &from=&to= (collections period, the 90 days to `to`)
async fn receivables_xlsx(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Response, ApiError> {
    let as_of = match q.get("as_of").filter(|s| !s.is_empty()) {
        None => state.store.today(),
        Some(s) => parse_date(s).ok_or_else(|| {
            let mut e = FieldErrors::default();
            e.add("as_of", "err.date");
            ApiError::invalid(&e)
        })?,
    };
    let bytes = crate::exports::receivables_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang, as_of).await?;
    Ok(crate::downloads::xlsx_response(&format!("receivables-{as_of}.xlsx"), bytes))
}

async fn receivables(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<V>, ApiError> {
    let mut errors = FieldErrors::default();
    let mut date = |k: &str| match q.get(k).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let d = parse_date(s);
            if d.is_none() {
                errors.add(k, "err.date");
            }
            d
        }
    };
    let as_of = date("as_of").unwrap_or_else(|| state.store.today());
    let to = date("to").unwrap_or(as_of);
    let from = date("from").unwrap_or(to - time::Duration::days(89));
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    let actor = api.user.actor();
    if !kam_core::ledger::can_see_money(&actor) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "err.forbidden"));
    }
    let items = state.store.receivables(&actor, as_of).await?;
    let collections = state.store.collections(&actor, from, to).await?;
    Ok(Json(json!({
        "as_of": as_of.to_string(),
        "items": items,
        "collections": { "from": from.to_string(), "to": to.to_string(), "items": collections },
    })))
}

// ---------------------------------------------------------------- statements

pub fn statements_router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/statements.xlsx", export_statements, doc("exportStatements", "statements", "The statements of a month (period YYYY-MM, status filter) within scope as .xlsx: account, currency, opening and closing balance, status, sent and answered days; audited").query("period", period(), "the month").query("status", one_of(kam_core::statement::STATUS.values), "statement status").file(super::routes::XLSX))
        .get("/api/v1/statements", statements, doc("listStatements", "statements", "Reconciliation statements 对账单 within scope (filters period YYYY-MM, status, account_id)").paged().query("period", period(), "the month").query("status", one_of(kam_core::statement::STATUS.values), "statement status").query("account_id", int(), "statements of one account").ok("StatementList"))
        .post("/api/v1/statements/generate", generate, doc("generateStatements", "statements", "Generate the month's statements of every account with entries (or account_ids) in one action (finance, admin)").body("GenerateStatements").created("Generated"))
        .get("/api/v1/statements/{id}", statement, doc("getStatement", "statements", "One statement: opening, every entry it covers, closing, the customer's answers").ok("Statement"))
        .post("/api/v1/statements/{id}/send", send, doc("sendStatement", "statements", "Mark a draft as sent to the customer").no_body().ok("Statement"))
        .post("/api/v1/statements/{id}/answers", answers, doc("answerStatement", "statements", "Record the customer's answer per line (lines not named are agreed): confirmed, or disputed").body("StatementAnswers").ok("Statement"))
        .post("/api/v1/statements/{id}/lines/{line_id}/resolve", resolve, doc("resolveStatementLine", "statements", "Settle a disputed line: adjust (posts the adjustment to the customer's figure) or withdraw").body("ResolveLine").ok("Statement"))
        .delete("/api/v1/statements/{id}", void_statement, doc("voidStatement", "statements", "Void a draft (the latest of its account and currency): its entries are uncovered again, the audit trail keeps its figures").no_content())
        .post("/api/v1/statements/{id}/regenerate", regenerate, doc("regenerateStatement", "statements", "Generate a draft again from the ledger as it stands, in one transaction").no_body().ok("Regenerated"))
        .get("/api/v1/statements/{id}/xlsx", statement_xlsx, doc("exportStatement", "statements", "The statement as an .xlsx workbook (audited as an export)").file(XLSX))
}

async fn export_statements(
    State(state): State<AppState>,
    api: ApiUser,
    QueryMap(q): QueryMap,
) -> Result<Response, ApiError> {
    let mut errors = FieldErrors::default();
    let period = q.get("period").filter(|s| !s.is_empty()).cloned();
    if period.as_deref().is_some_and(|p| kam_core::statement::month_bounds(p).is_none()) {
        errors.add("period", "err.period");
    }
    let status = q.get("status").filter(|s| !s.is_empty()).cloned();
    if status.as_deref().is_some_and(|s| !kam_core::statement::STATUS.values.contains(&s)) {
        errors.add("status", "err.choice");
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    let f = kam_store::statements::StatementFilter { period, status, ..Default::default() };
    let bytes = crate::exports::statements_xlsx::<ApiError>(&state.store, &api.user.actor(), api.lang, f).await?;
    Ok(crate::downloads::xlsx_response("对账单.xlsx", bytes))
}

async fn statements(State(state): State<AppState>, api: ApiUser, QueryMap(q): QueryMap) -> Result<Json<V>, ApiError> {
    let (page, per_page) = page_params(&q);
    let f = kam_store::statements::StatementFilter {
        period: q.get("period").filter(|s| !s.is_empty()).cloned(),
        status: q.get("status").filter(|s| !s.is_empty()).cloned(),
        account_id: q.get("account_id").and_then(|a| a.parse().ok()),
        page,
        per_page,
    };
    let p = state.store.statements(&api.user.actor(), &f).await?;
    Ok(Json(json!({ "items": p.items, "page": p.page, "per_page": p.per_page, "total": p.total })))
}

/// POST {"period": "YYYY-MM", "account_ids"?: [..]}
async fn generate(State(state): State<AppState>, api: ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let period = body.get("period").and_then(V::as_str).unwrap_or_default();
    let ids: Option<Vec<AccountId>> =
        body.get("account_ids").and_then(V::as_array).map(|a| a.iter().filter_map(V::as_i64).map(AccountId).collect());
    let g = state.store.generate_statements(&api.user.actor(), period, ids.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(json!(g))).into_response())
}

async fn statement(State(state): State<AppState>, api: ApiUser, Id(id): Id<StatementId>) -> Result<Json<V>, ApiError> {
    let s = state.store.statement(&api.user.actor(), id).await?;
    Ok(Json(json!(s)))
}

async fn void_statement(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<StatementId>,
) -> Result<axum::http::StatusCode, ApiError> {
    state.store.void_statement(&api.user.actor(), id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

async fn regenerate(State(state): State<AppState>, api: ApiUser, Id(id): Id<StatementId>) -> Result<Json<V>, ApiError> {
    let actor = api.user.actor();
    let new = state.store.regenerate_statement(&actor, id).await?;
    let statement = match new {
        Some(n) => Some(state.store.statement(&actor, n).await?),
        None => None,
    };
    Ok(Json(json!({ "voided": id, "statement": statement })))
}

async fn send(State(state): State<AppState>, api: ApiUser, Id(id): Id<StatementId>) -> Result<Json<V>, ApiError> {
    let s = state.store.send_statement(&api.user.actor(), id).await?;
    Ok(Json(json!(s)))
}

/// POST {"lines": [{"line_id", "answer": "agreed" | "disputed", "customer_amount"? (signed minor units), "note"?}]};
/// lines not named are agreed.
async fn answers(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<StatementId>,
    body: Bytes,
) -> Result<Json<V>, ApiError> {
    use kam_core::statement::Answer;
    let body = object(&body)?;
    let mut errors = FieldErrors::default();
    let mut list = Vec::new();
    for (i, row) in body.get("lines").and_then(V::as_array).cloned().unwrap_or_default().iter().enumerate() {
        let Some(line) = row.get("line_id").and_then(V::as_i64) else {
            errors.add(&format!("lines.{i}.line_id"), "err.required");
            continue;
        };
        match row.get("answer").and_then(V::as_str) {
            Some("agreed") => list.push((line, Answer::Agreed)),
            Some("disputed") => match row.get("customer_amount").and_then(V::as_i64) {
                Some(amount) => list.push((
                    line,
                    Answer::Disputed {
                        customer_amount: amount,
                        note: row.get("note").and_then(V::as_str).unwrap_or_default().to_string(),
                    },
                )),
                None => errors.add(&format!("lines.{i}.customer_amount"), "err.integer"),
            },
            _ => errors.add(&format!("lines.{i}.answer"), "err.choice"),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    let s = state.store.answer_statement(&api.user.actor(), id, &list).await?;
    Ok(Json(json!(s)))
}

/// POST {"how": "adjust" | "withdraw", "note"?}
async fn resolve(
    State(state): State<AppState>,
    api: ApiUser,
    super::Ids(id, line): super::Ids<StatementId>,
    body: Bytes,
) -> Result<Json<V>, ApiError> {
    use kam_store::statements::Resolution;
    let body = object(&body)?;
    let how = match body.get("how").and_then(V::as_str) {
        Some("adjust") => Resolution::Adjust,
        Some("withdraw") => Resolution::Withdraw,
        _ => {
            let mut e = FieldErrors::default();
            e.add("how", "err.choice");
            return Err(ApiError::invalid(&e));
        }
    };
    let note = body.get("note").and_then(V::as_str);
    let s = state.store.resolve_line(&api.user.actor(), id, line, how, note).await?;
    Ok(Json(json!(s)))
}

async fn statement_xlsx(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<StatementId>,
) -> Result<Response, ApiError> {
    crate::downloads::statement_download(&state.store, &api.user.actor(), api.lang, id).await
}

// ---------------------------------------------------------------- credit and 附表五

pub fn credit_router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/accounts/{id}/credit", credit, doc("getCredit", "credit", "The credit assessment 信用评估 for a month (period=YYYY-MM, this month by default): score, rating, each factor with its points, suggested limit, and the same month last year").query("period", period(), "the month assessed (default this month, China time)").ok("Credit"))
        .post("/api/v1/accounts/{id}/credit", override_credit, doc("overrideCredit", "credit", "Finance overrides the rating and sets the credit limit, with a reason").body("CreditOverride").ok("Credit"))
        .get("/api/v1/accounts/{id}/performance", performance, doc("getPerformance", "credit", "附表五 客户业绩统计及信用评估表 for a year: deliveries, collections, running totals, this year's rating against last year's").query("year", int(), "the year (default this year)").ok("Performance"))
        .get("/api/v1/accounts/{id}/performance/xlsx", performance_xlsx, doc("exportPerformance", "credit", "附表五 as .xlsx (audited as an export)").query("year", int(), "the year (default this year)").file(XLSX))
}

fn period_param(q: &std::collections::HashMap<String, String>, today: time::Date) -> String {
    q.get("period").filter(|p| !p.is_empty()).cloned().unwrap_or_else(|| month_of(today))
}

/// GET ?period=YYYY-MM (this month): the assessment, its factors, last year's.
async fn credit(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    QueryMap(q): QueryMap,
) -> Result<Json<V>, ApiError> {
    let v = state.store.credit(&api.user.actor(), id, &period_param(&q, state.store.today())).await?;
    Ok(Json(json!(v)))
}

/// POST {"period"?, "rating": "A".."D", "credit_limit" (minor units), "reason"} (finance).
async fn override_credit(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    body: Bytes,
) -> Result<Json<V>, ApiError> {
    let body = object(&body)?;
    let period = body
        .get("period")
        .and_then(V::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| period_param(&Default::default(), state.store.today()));
    let Some(limit) = body.get("credit_limit").and_then(V::as_i64) else {
        let mut e = FieldErrors::default();
        e.add("credit_limit", "err.integer");
        return Err(ApiError::invalid(&e));
    };
    let rating = body.get("rating").and_then(V::as_str).unwrap_or_default();
    let reason = body.get("reason").and_then(V::as_str).unwrap_or_default();
    let v = state.store.override_credit(&api.user.actor(), id, &period, rating, limit, reason).await?;
    Ok(Json(json!(v)))
}

/// GET ?year=YYYY: 附表五 客户业绩统计及信用评估表.
async fn performance(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    QueryMap(q): QueryMap,
) -> Result<Json<V>, ApiError> {
    let year = super::year_param(q.get("year"), state.store.today())?;
    let p = state.store.performance(&api.user.actor(), id, year).await?;
    Ok(Json(redact::json(&api.user.actor(), "product", &p)))
}

async fn performance_xlsx(
    State(state): State<AppState>,
    api: ApiUser,
    Id(id): Id<AccountId>,
    QueryMap(q): QueryMap,
) -> Result<Response, ApiError> {
    let year = super::year_param(q.get("year"), state.store.today())?;
    crate::downloads::performance_download(&state.store, &api.user.actor(), api.lang, id, year).await
}
