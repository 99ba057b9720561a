//! Users, teams, server-side sessions, API tokens, login throttling and
//! instance settings. Sessions and tokens are stored only as SHA-256 digests.

use crate::error::unique;
use kam_core::TeamId;
use kam_core::UserId;
use kam_core::audit::Action;
use kam_core::secret::{digest, random_token};
use kam_core::time_util::format_ts;
use kam_core::{Actor, Role, Value};
use serde::Serialize;
use sqlx::Row;
use time::Duration;

use crate::audit::Entry;
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

async fn user_on<'c>(on: impl sqlx::Executor<'c, Database = sqlx::Any>, id: UserId) -> Result<User> {
    let mut q = Q::new(USER_SELECT);
    q.push("WHERE u.id = ").arg(id);
    read_user(&q.query().fetch_optional(on).await?.ok_or(StoreError::NotFound)?)
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub team_name: Option<String>,
    pub active: bool,
    pub locale: String,
    #[serde(skip)]
    pub password_hash: String,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.id, role: self.role, team_id: self.team_id }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub manager_id: Option<UserId>,
}

/// A live session as found by its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

/// Sessions end after this long without a request…
pub const IDLE_TIMEOUT: Duration = Duration::hours(8);
/// …and after this long in any case.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(7);

const USER_SELECT: &str = "SELECT u.id, u.username, u.display_name, u.role, u.team_id, t.name AS team_name, \
     u.active, u.locale, u.password_hash FROM users u LEFT JOIN teams t ON t.id = u.team_id ";

fn read_user(row: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: crate::sql::id(row, "id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).unwrap_or(Role::Auditor),
        team_id: crate::sql::opt_id(row, "team_id")?,
        team_name: row.try_get("team_name")?,
        active: row.try_get::<i64, _>("active")? != 0,
        locale: row.try_get("locale")?,
        password_hash: row.try_get("password_hash")?,
    })
}

/// A user to create.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub team: Option<&'a str>,
    pub password_hash: String,
}

impl Store {
    /// Finds or creates a team by name.
    pub async fn ensure_team(&self, name: &str) -> Result<TeamId> {
        let mut tx = self.begin().await?;
        let mut q = Q::new("SELECT id FROM teams WHERE name = ");
        q.arg(name);
        if let Some(row) = q.query().fetch_optional(&mut *tx).await? {
            tx.commit().await?;
            return crate::sql::id(&row, "id");
        }
        let mut q = Q::new("INSERT INTO teams (name, created_at) VALUES (");
        q.arg(name).push(", ").arg(self.now_text()).push(") RETURNING id");
        let id: i64 = q.query().fetch_one(&mut *tx).await?.try_get("id")?;
        let changes = [("name", Value::Null, Value::Text(name.into()))];
        Entry::new(None, Action::Create, "team", id).changes(&changes).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        Ok(TeamId(id))
    }

    pub async fn teams(&self) -> Result<Vec<Team>> {
        let rows = sqlx::query("SELECT id, name, manager_id FROM teams ORDER BY name").fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(Team {
                    id: crate::sql::id(r, "id")?,
                    name: r.try_get("name")?,
                    manager_id: crate::sql::opt_id(r, "manager_id")?,
                })
            })
            .collect()
    }

    /// Creates a user (operator CLI and demo); a manager becomes the manager of their team.
    pub async fn create_user(&self, u: NewUser<'_>) -> Result<UserId> {
        let username = u.username.trim();
        if username.is_empty()
            || username.len() > 64
            || !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(StoreError::field("username", "err.username"));
        }
        let team_id = match u.team {
            Some(t) => Some(self.ensure_team(t).await?),
            None => None,
        };
        let mut tx = self.begin().await?;
        let mut q = Q::new(
            "INSERT INTO users (username, display_name, role, team_id, password_hash, active, locale, created_at) VALUES (",
        );
        q.arg(username).push(", ").arg(u.display_name).push(", ").arg(u.role.as_str()).push(", ").arg(team_id);
        q.push(", ").arg(u.password_hash).push(", 1, 'zh-CN', ").arg(self.now_text()).push(") RETURNING id");
        let id: i64 = match q.query().fetch_one(&mut *tx).await {
            Ok(row) => row.try_get("id")?,
            Err(e) => {
                let e = StoreError::from(e);
                return Err(e.on_constraint(&unique::USERNAME, || StoreError::field("username", "err.taken")));
            }
        };
        if u.role == Role::Manager
            && let Some(t) = team_id
        {
            {
                let mut q = Q::new("UPDATE teams SET manager_id = ");
                q.arg(id).push(" WHERE id = ").arg(t).push(" AND manager_id IS NULL");
                q.query().execute(&mut *tx).await?;
            }
        }
        let changes = [
            ("username", Value::Null, Value::Text(username.into())),
            ("role", Value::Null, Value::Text(u.role.as_str().into())),
            ("team_id", Value::Null, team_id.map(Value::from).unwrap_or(Value::Null)),
        ];
        Entry::new(None, Action::Create, "user", id).changes(&changes).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    pub async fn user(&self, id: UserId) -> Result<User> {
        user_on(self.pool(), id).await
    }

    /// `user` read in the caller's transaction.
    pub(crate) async fn user_in(&self, tx: &mut Tx, id: UserId) -> Result<User> {
        user_on(&mut **tx, id).await
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let mut q = Q::new(USER_SELECT);
        q.push("WHERE u.username = ").arg(username);
        q.query().fetch_optional(self.pool()).await?.as_ref().map(read_user).transpose()
    }

    /// Users, for owner pickers and the admin page.
    pub async fn users(&self) -> Result<Vec<User>> {
        let mut q = Q::new(USER_SELECT);
        q.push("ORDER BY u.role, u.username");
        q.query().fetch_all(self.pool()).await?.iter().map(read_user).collect()
    }

    /// Disables a user and ends all their sessions; their tokens stop working.
    pub async fn disable_user(&self, actor: Option<UserId>, username: &str) -> Result<()> {
        let user = self.user_by_username(username).await?.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let mut q = Q::new("UPDATE users SET active = 0 WHERE id = ");
        q.arg(user.id);
        q.query().execute(&mut *tx).await?;
        let mut q = Q::new("DELETE FROM sessions WHERE user_id = ");
        q.arg(user.id);
        q.query().execute(&mut *tx).await?;
        let changes = [("active", Value::Bool(user.active), Value::Bool(false))];
        Entry::new(actor, Action::Disable, "user", user.id).changes(&changes).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_locale(&self, user_id: UserId, locale: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let old = self.user_in(&mut tx, user_id).await?.locale;
        let mut q = Q::new("UPDATE users SET locale = ");
        q.arg(locale).push(" WHERE id = ").arg(user_id);
        q.query().execute(&mut *tx).await?;
        let changes = [("locale", Value::Text(old), Value::Text(locale.into()))];
        Entry::new(Some(user_id), Action::Update, "user", user_id)
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- sessions ----

    /// Starts a session; returns the cookie value (the only copy of the id in clear).
    pub async fn create_session(&self, user_id: UserId) -> Result<String> {
        let token = random_token();
        let now = self.clock().now();
        let mut tx = self.begin().await?;
        let mut q = Q::new("INSERT INTO sessions (id, user_id, csrf, created_at, last_seen, expires_at) VALUES (");
        q.arg(digest(&token)).push(", ").arg(user_id).push(", ").arg(random_token());
        q.push(", ")
            .arg(format_ts(now))
            .push(", ")
            .arg(format_ts(now))
            .push(", ")
            .arg(format_ts(now + ABSOLUTE_TIMEOUT))
            .push(")");
        q.query().execute(&mut *tx).await?;
        Entry::new(Some(user_id), Action::Login, "user", user_id).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The live session for a cookie value, if any; refreshes its idle clock.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let now = self.clock().now();
        let mut q = Q::new("SELECT s.user_id, s.csrf, s.last_seen, s.expires_at FROM sessions s WHERE s.id = ");
        q.arg(digest(token));
        let Some(row) = q.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let last_seen: String = row.try_get("last_seen")?;
        let expires: String = row.try_get("expires_at")?;
        let idle_ok = kam_core::time_util::parse_ts(&last_seen).is_some_and(|t| now - t < IDLE_TIMEOUT);
        let abs_ok = kam_core::time_util::parse_ts(&expires).is_some_and(|t| now < t);
        if !idle_ok || !abs_ok {
            self.end_session(token).await?;
            return Ok(None);
        }
        let user = self.user(crate::sql::id(&row, "user_id")?).await?;
        if !user.active {
            return Ok(None);
        }
        if kam_core::time_util::parse_ts(&last_seen).is_some_and(|t| now - t > Duration::minutes(1)) {
            let mut q = Q::new("UPDATE sessions SET last_seen = ");
            q.arg(format_ts(now)).push(" WHERE id = ").arg(digest(token));
            q.query().execute(self.pool()).await?;
        }
        Ok(Some(Session { user, csrf: row.try_get("csrf")? }))
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        let mut q = Q::new("DELETE FROM sessions WHERE id = ");
        q.arg(digest(token));
        q.query().execute(self.pool()).await?;
        Ok(())
    }

    /// Logout: ends the session and records it.
    pub async fn logout(&self, token: &str, user_id: UserId) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut q = Q::new("DELETE FROM sessions WHERE id = ");
        q.arg(digest(token));
        q.query().execute(&mut *tx).await?;
        Entry::new(Some(user_id), Action::Logout, "user", user_id).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- API tokens ----

    /// Creates a personal API token; returns it in clear (shown once).
    pub async fn create_token(&self, username: &str, label: &str) -> Result<String> {
        let user = self.user_by_username(username).await?.ok_or(StoreError::NotFound)?;
        if !user.active {
            return Err(StoreError::Conflict("err.user_disabled"));
        }
        let token = format!("kam_{}", random_token());
        let mut tx = self.begin().await?;
        let mut q = Q::new("INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES (");
        q.arg(user.id)
            .push(", ")
            .arg(digest(&token))
            .push(", ")
            .arg(label)
            .push(", ")
            .arg(self.now_text())
            .push(") RETURNING id");
        let id: i64 = q.query().fetch_one(&mut *tx).await?.try_get("id")?;
        let changes = [("label", Value::Null, Value::Text(label.into()))];
        Entry::new(Some(user.id), Action::Create, "api_token", id)
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The active user behind a bearer token.
    pub async fn token_user(&self, token: &str) -> Result<Option<User>> {
        let mut q = Q::new("SELECT user_id FROM api_tokens WHERE revoked_at IS NULL AND token_hash = ");
        q.arg(digest(token));
        let Some(row) = q.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let user = self.user(crate::sql::id(&row, "user_id")?).await?;
        Ok(user.active.then_some(user))
    }

    /// Revokes every live API token of a user; returns how many.
    pub async fn revoke_tokens(&self, actor: Option<UserId>, user_id: UserId) -> Result<i64> {
        let mut tx = self.begin().await?;
        let mut q = Q::new("UPDATE api_tokens SET revoked_at = ");
        q.arg(self.now_text()).push(" WHERE revoked_at IS NULL AND user_id = ").arg(user_id);
        let n = q.query().execute(&mut *tx).await?.rows_affected() as i64;
        let changes = [("revoked_tokens", Value::Null, Value::Int(n))];
        Entry::new(actor, Action::Update, "user", user_id).changes(&changes).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        Ok(n)
    }

    // ---- login throttling ----

    /// Failed logins for `key` (a username or an address) within `window`.
    pub async fn recent_failures(&self, key: &str, window: Duration) -> Result<i64> {
        let mut q = Q::new("SELECT COUNT(*) AS n FROM login_failures WHERE key = ");
        q.arg(key).push(" AND at > ").arg(format_ts(self.clock().now() - window));
        Ok(q.query().fetch_one(self.pool()).await?.try_get("n")?)
    }

    /// How long `key` stays throttled: with `max` or more failures in the
    /// window, until the `max`-th most recent of them leaves it.
    pub async fn throttled_for(&self, key: &str, window: Duration, max: i64) -> Result<Option<Duration>> {
        let now = self.clock().now();
        let mut q = Q::new("SELECT at FROM login_failures WHERE key = ");
        q.arg(key).push(" AND at > ").arg(format_ts(now - window));
        q.push(" ORDER BY at DESC LIMIT 1 OFFSET ").arg(max - 1);
        let Some(row) = q.query().fetch_optional(self.pool()).await? else { return Ok(None) };
        let at: String = row.try_get("at")?;
        Ok(kam_core::time_util::parse_ts(&at).map(|t| t + window - now).filter(|d| d.is_positive()))
    }

    pub async fn record_failure(&self, keys: &[&str]) -> Result<()> {
        let mut tx = self.begin().await?;
        for key in keys {
            let mut q = Q::new("INSERT INTO login_failures (key, at) VALUES (");
            q.arg(*key).push(", ").arg(self.now_text()).push(")");
            q.query().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn clear_failures(&self, key: &str) -> Result<()> {
        let mut q = Q::new("DELETE FROM login_failures WHERE key = ");
        q.arg(key);
        q.query().execute(self.pool()).await?;
        Ok(())
    }

    // ---- settings ----

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let mut q = Q::new("SELECT value FROM settings WHERE key = ");
        q.arg(key);
        Ok(q.query().fetch_optional(self.pool()).await?.map(|r| r.try_get("value")).transpose()?)
    }

    pub async fn set_setting(&self, actor: Option<UserId>, key: &str, value: &str) -> Result<()> {
        self.set_settings(actor, &[(key, value.to_string())]).await
    }

    /// How many accounts a rep may hold before claiming from the pool is refused.
    pub async fn claim_limit(&self) -> Result<i64> {
        Ok(self.setting("pool.claim_limit").await?.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CLAIM_LIMIT))
    }

    /// Whether this database holds demo data.
    pub async fn is_demo(&self) -> Result<bool> {
        Ok(self.setting("demo").await?.is_some())
    }

    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(self.pool()).await?.try_get("n")?)
    }
}

pub const DEFAULT_CLAIM_LIMIT: i64 = 100;
