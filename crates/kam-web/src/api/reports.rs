//! /api/v1/reports: the index of the nine forms (附表一–九) and the
//! statements with their pages, print pages and workbooks; and 附表四's
//! workbook, which had none.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use kam_core::AccountId;
use serde_json::{Value, json};

use super::Id;
use super::routes::*;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::i18n::t;

pub fn router() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/reports", list, doc("listReports", "reports", "The nine forms of the account file rules (附表一–九) and the statements, as far as the caller may see them (附表五 and statements for readers of money): each with its title, whether it is of the caller's scope, one account or one record, and the addresses of its page, print page and workbook (`{id}` for the account or record; `{year}` in an API address)").ok("Reports"))
        .get("/api/v1/accounts/{id}/card.xlsx", card, doc("exportProfileCard", "reports", "附表四 客户资料卡 as .xlsx laid out like the form: the card group by group, the decision makers, the main managers and the main competitors, only what the caller may see; audited").file(XLSX))
}

async fn list(State(_state): State<AppState>, api: ApiUser) -> Result<Json<Value>, ApiError> {
    let items: Vec<Value> = crate::reports::for_reader(&api.user.actor())
        .map(|f| {
            json!({"form": f.form, "title": t(api.lang, f.key), "of": f.of, "page": f.page, "print": f.print,
                   "xlsx": f.xlsx, "api_xlsx": f.api_xlsx})
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn card(State(state): State<AppState>, api: ApiUser, Id(id): Id<AccountId>) -> Result<Response, ApiError> {
    crate::profile_card::download(&state.store, &api.user.actor(), api.lang, id).await
}
