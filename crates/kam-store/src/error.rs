//! The store's error: what the web layer turns into 404, 403, 409 and 422.

use kam_core::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Missing, deleted, or outside the actor's scope (the same answer for all three).
    #[error("not found")]
    NotFound,
    /// Visible but not allowed; the key names the rule.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// Field-by-field validation errors.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A rule about the state of things (a limit, a cycle), with a message key.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Merged into another record (an account, a contact) the reader may see:
    /// the old id points there.
    #[error("merged into {entity} {into}")]
    Merged { entity: &'static str, into: i64 },
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON document (an import's plan) that does not read back.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    pub fn field(field: &str, key: &'static str) -> Self {
        let mut e = FieldErrors::default();
        e.add(field, key);
        StoreError::Invalid(e)
    }

    /// Refuses a record that leaves required fields empty (see `fields::missing_required`).
    pub fn check_required(
        defs: &[kam_core::FieldDef],
        rec: &kam_core::Record,
        creating: bool,
    ) -> Result<(), StoreError> {
        kam_core::fields::missing_required(defs, rec, creating).into_result(()).map_err(StoreError::Invalid)
    }

    /// Whether the database refused a write because it would break this
    /// unique constraint: PostgreSQL names it; SQLite names its columns
    /// (`UNIQUE constraint failed: table.col, …`), so both are kept in `Unique`.
    pub fn violates(&self, c: &Unique) -> bool {
        let StoreError::Db(sqlx::Error::Database(d)) = self else { return false };
        if !d.is_unique_violation() {
            return false;
        }
        match d.constraint() {
            Some(name) => name == c.name,
            None => d.message().strip_prefix("UNIQUE constraint failed: ").is_some_and(|cols| {
                let listed: Vec<&str> = cols.split(", ").collect();
                listed.len() == c.columns.len()
                    && c.columns.iter().zip(&listed).all(|(col, l)| l.split_once('.') == Some((c.table, col)))
            }),
        }
    }

    /// This error, or the one a broken constraint stands for (as realworld-axum-sqlx's `on_constraint`).
    pub fn on_constraint(self, c: &Unique, to: impl FnOnce() -> StoreError) -> StoreError {
        if self.violates(c) { to() } else { self }
    }
}

impl From<FieldErrors> for StoreError {
    fn from(e: FieldErrors) -> Self {
        StoreError::Invalid(e)
    }
}

/// A unique constraint of the schema, by its PostgreSQL name and its columns.
#[derive(Debug)]
pub struct Unique {
    pub name: &'static str,
    pub table: &'static str,
    pub columns: &'static [&'static str],
}

/// The unique constraints a write is answered on (see the migrations).
pub mod unique {
    use super::Unique;
    pub const USERNAME: Unique = Unique { name: "users_username_key", table: "users", columns: &["username"] };
    pub const CREDIT_CODE: Unique =
        Unique { name: "accounts_credit_code", table: "accounts", columns: &["credit_code"] };
    pub const COMPETITOR_NAME: Unique =
        Unique { name: "competitors_name_key", table: "competitors", columns: &["name"] };
    pub const PRODUCT_CODE: Unique = Unique { name: "products_code", table: "products", columns: &["code"] };
    pub const CONTRACT_NO: Unique = Unique { name: "contracts_no", table: "contracts", columns: &["contract_no"] };
    pub const ONE_REVERSAL: Unique =
        Unique { name: "ledger_one_reversal", table: "ledger_entries", columns: &["reverses_id"] };
}
