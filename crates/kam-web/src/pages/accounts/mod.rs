//! Account pages: the list (with the pool view), the 360° page with its tabs
//! (one module and one template per tab, under a header all tabs share), the
//! profile-card form, pool actions, sharing, competition and business.

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

mod analysis;
mod dossier;
mod form;
mod list;
mod merge;
mod money;
mod people;
mod profile;
mod show;
mod working_day;

pub(super) use form::{account_names, resolve_parent};
pub(crate) use list::owner_options;
pub use list::{AccountRow, rows};
pub(super) use show::{Posted, Tab, TabFilter, show_page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list::list).post(form::create))
        .route("/accounts.xlsx", get(list::export))
        .route("/pool", get(list::pool))
        .route("/accounts/new", get(form::new_form))
        .route("/accounts/{id}", get(show::show).post(form::update))
        .route("/accounts/{id}/edit", get(form::edit_form))
        .route("/accounts/{id}/delete", post(form::delete))
        .route("/accounts/{id}/claim", post(form::claim))
        .route("/accounts/{id}/release", post(form::release))
        .route("/accounts/{id}/share", post(form::share))
        .route("/accounts/{id}/merge", get(merge::form).post(merge::merge))
        .route(
            "/accounts/{id}/dossier",
            get(dossier::show)
                .post(dossier::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::import::MAX_UPLOAD + 64 * 1024)),
        )
        .route("/accounts/{id}/dossier.xlsx", get(dossier::download))
        .route("/accounts/{id}/dossier/apply", post(dossier::apply))
        .route("/accounts/{id}/competitors", post(form::add_position))
        .route("/accounts/{id}/competitors/{pid}/delete", post(form::remove_position))
        .route("/accounts/{id}/market-shares", post(form::record_share))
        .route("/accounts/{id}/market-shares/{sid}/delete", post(form::remove_share))
        .route("/accounts/{id}/partners", post(form::add_partner))
        .route("/accounts/{id}/partners/{pid}/delete", post(form::remove_partner))
}
