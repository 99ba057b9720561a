//! The admin's instance settings (see `kam_core::settings`): the issuing
//! company, the working hours complaint deadlines count in, and the enabled
//! currencies. Each change is one transaction with its audit row.

use kam_core::UserId;
use kam_core::audit::Action;
use kam_core::settings::{self, Company, DEFAULT_CURRENCIES, WorkingHours};
use kam_core::{Actor, FieldErrors, Value};
use sqlx::Row;

use crate::audit::Entry;
use crate::sql::Q;
use crate::{Result, Store, StoreError};

const WORKING_HOURS: &str = "complaint.working_hours";
const CURRENCIES: &str = "currencies";

/// What one save of the settings changes (None: left as it is).
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub company: Option<Company>,
    pub working_hours: Option<WorkingHours>,
    pub currencies: Option<String>,
    /// The ABC cut-offs (a, b) in percent, checked on save.
    pub abc: Option<(i64, i64)>,
    /// The health score's weights, one per factor, checked on save.
    pub health: Option<[i64; 7]>,
    /// The churn-risk factor (text as typed), checked on save.
    pub churn_factor: Option<String>,
}

/// The working hours as stored, or the default.
fn hours_of(stored: Option<String>) -> WorkingHours {
    stored.and_then(|s| WorkingHours::from_setting(&s)).unwrap_or_default()
}

/// The enabled currencies as stored (CNY alone if the row is unreadable), or the defaults.
fn currencies_of(stored: Option<String>) -> Vec<String> {
    match stored {
        Some(s) => settings::parse_currencies(&s).unwrap_or_else(|_| vec!["CNY".into()]),
        None => DEFAULT_CURRENCIES.iter().map(|c| c.to_string()).collect(),
    }
}

fn admin(actor: &Actor) -> Result<()> {
    if actor.can_manage_users() { Ok(()) } else { Err(StoreError::Forbidden("err.forbidden")) }
}

impl Store {
    /// Several settings in one transaction, with one audit row naming each change.
    pub async fn set_settings(&self, actor: Option<UserId>, pairs: &[(&str, String)]) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut changes = Vec::new();
        for (key, value) in pairs {
            let mut q = Q::new("SELECT value FROM settings WHERE key = ");
            q.arg(*key);
            let old: Option<String> =
                q.query().fetch_optional(&mut *tx).await?.map(|r| r.try_get("value")).transpose()?;
            if old.as_deref() == Some(value.as_str()) {
                continue;
            }
            let mut q = Q::new("INSERT INTO settings (key, value) VALUES (");
            q.arg(*key).push(", ").arg(value.clone()).push(") ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            q.query().execute(&mut *tx).await?;
            changes.push((*key, old.map(Value::Text).unwrap_or(Value::Null), Value::Text(value.clone())));
        }
        if !changes.is_empty() {
            Entry::new(actor, Action::Update, "setting", 0).changes(&changes).write(&mut tx, self.clock()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The issuing company (empty fields where the admin set none).
    pub async fn company(&self) -> Result<Company> {
        let rows =
            Q::new("SELECT key, value FROM settings WHERE key LIKE 'company.%'").query().fetch_all(self.pool()).await?;
        let mut values = std::collections::HashMap::new();
        for r in rows {
            values.insert(r.try_get::<String, _>("key")?, r.try_get::<String, _>("value")?);
        }
        Ok(Company::from_values(|k| values.get(k).cloned()).unwrap_or_default())
    }

    /// The working hours complaint deadlines count in (09:00–18:00 Monday to
    /// Friday until the admin sets others).
    pub async fn working_hours(&self) -> Result<WorkingHours> {
        Ok(hours_of(self.setting(WORKING_HOURS).await?))
    }

    /// The same, read inside a write's transaction.
    pub(crate) async fn working_hours_in(tx: &mut crate::Tx) -> Result<WorkingHours> {
        let mut q = Q::new("SELECT value FROM settings WHERE key = ");
        q.arg(WORKING_HOURS);
        let v: Option<String> = q.query().fetch_optional(&mut **tx).await?.map(|r| r.try_get("value")).transpose()?;
        Ok(hours_of(v))
    }

    /// The currencies in use, CNY first.
    pub async fn currencies(&self) -> Result<Vec<String>> {
        Ok(currencies_of(self.setting(CURRENCIES).await?))
    }

    /// Saves what the admin changed — the company, the working hours, the
    /// enabled currencies (a list like `CNY, USD`) — after checking all of
    /// it, in one transaction.
    pub async fn save_settings(&self, actor: &Actor, change: &SettingsChange) -> Result<()> {
        admin(actor)?;
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut errors = FieldErrors::default();
        if let Some(c) = &change.company {
            match Company::from_values(|k| c.pairs().iter().find(|(p, _)| *p == k).map(|(_, v)| v.to_string())) {
                Ok(c) => pairs.extend(c.pairs().iter().map(|(k, v)| (*k, v.to_string()))),
                Err(e) => errors.0.extend(e.0),
            }
        }
        if let Some(w) = &change.working_hours {
            pairs.push((WORKING_HOURS, w.to_setting()));
        }
        if let Some(list) = &change.currencies {
            match settings::parse_currencies(list) {
                Ok(codes) => pairs.push((CURRENCIES, codes.join(","))),
                Err(k) => errors.add("currencies", k),
            }
        }
        if let Some((a, b)) = change.abc {
            match kam_core::classification::Thresholds::new(a, b) {
                Ok(t) => pairs.push((crate::classification::THRESHOLDS, t.to_setting())),
                Err(k) => errors.add("abc_a", k),
            }
        }
        if let Some(w) = change.health {
            match kam_core::health::Weights::new(w) {
                Ok(w) => pairs.push((crate::health::WEIGHTS, w.to_setting())),
                Err(k) => errors.add("health_weights", k),
            }
        }
        if let Some(f) = &change.churn_factor {
            match kam_core::lifecycle::parse_factor(f) {
                Ok(f) => pairs.push((crate::lifecycle::FACTOR, format!("{f:.1}"))),
                Err(k) => errors.add("churn_factor", k),
            }
        }
        errors.into_result(()).map_err(StoreError::Invalid)?;
        self.set_settings(Some(actor.user_id), &pairs).await
    }

    /// Refuses a new entry, order or contract in a currency the admin has
    /// not enabled (records already in it stay as they are).
    pub(crate) async fn check_currency(&self, tx: &mut crate::Tx, code: &str) -> Result<()> {
        let mut q = Q::new("SELECT value FROM settings WHERE key = ");
        q.arg(CURRENCIES);
        let stored: Option<String> =
            q.query().fetch_optional(&mut **tx).await?.map(|r| r.try_get("value")).transpose()?;
        let enabled = currencies_of(stored);
        if enabled.iter().any(|c| c == code) {
            Ok(())
        } else {
            let mut e = FieldErrors::default();
            e.add("currency", "err.currency_disabled");
            Err(StoreError::Invalid(e))
        }
    }
}
