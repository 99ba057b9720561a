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
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
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

    /// Whether the database refused a write because of a unique constraint.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(d)) => {
                d.is_unique_violation() || d.message().contains("UNIQUE constraint failed")
            }
            _ => false,
        }
    }
}

impl From<FieldErrors> for StoreError {
    fn from(e: FieldErrors) -> Self {
        StoreError::Invalid(e)
    }
}
