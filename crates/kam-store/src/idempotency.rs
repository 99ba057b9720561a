//! Idempotency keys 幂等键 of API writes: a client retrying after a timeout,
//! or a double submission, sends the same `Idempotency-Key`; the first answer
//! is stored here (so it holds across server instances) and replayed.

use kam_core::UserId;
use sqlx::Row;

use crate::sql::Q;
use crate::{Result, Store};

/// What a key is, when a request arrives with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Never seen: this request is the one to answer (and to `complete`).
    New,
    /// Answered before for the same request: replay this.
    Replay { status: u16, content_type: String, body: String },
    /// Used before for a different request.
    Mismatch,
    /// The first request with the key is still being answered.
    InFlight,
}

impl Store {
    /// Takes `key` for this request, or says what it already is. Unique per
    /// user: of concurrent requests with one key exactly one gets `New`.
    pub async fn claim_idempotency(&self, user_id: UserId, key: &str, request_hash: &str) -> Result<Claim> {
        let mut q = Q::new("INSERT INTO idempotency_keys (user_id, idem_key, request_hash, created_at) VALUES (");
        q.arg(user_id).push(", ").arg(key).push(", ").arg(request_hash).push(", ").arg(self.now_text());
        q.push(") ON CONFLICT (user_id, idem_key) DO NOTHING RETURNING id");
        if q.query().fetch_optional(self.pool()).await?.is_some() {
            return Ok(Claim::New);
        }
        let mut q = Q::new("SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE user_id = ");
        q.arg(user_id).push(" AND idem_key = ").arg(key);
        let Some(r) = q.query().fetch_optional(self.pool()).await? else {
            // Released between the two statements: take it again.
            return Box::pin(self.claim_idempotency(user_id, key, request_hash)).await;
        };
        let hash: String = r.try_get("request_hash")?;
        if hash != request_hash {
            return Ok(Claim::Mismatch);
        }
        Ok(match r.try_get::<Option<i64>, _>("status")? {
            None => Claim::InFlight,
            Some(status) => Claim::Replay {
                status: u16::try_from(status).unwrap_or(500),
                content_type: r.try_get::<Option<String>, _>("content_type")?.unwrap_or_default(),
                body: r.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
            },
        })
    }

    /// Stores the answer to replay for the key.
    pub async fn complete_idempotency(
        &self,
        user_id: UserId,
        key: &str,
        status: u16,
        content_type: &str,
        body: &str,
    ) -> Result<()> {
        let mut q = Q::new("UPDATE idempotency_keys SET status = ");
        q.arg(i64::from(status)).push(", content_type = ").arg(content_type).push(", body = ").arg(body);
        q.push(" WHERE user_id = ").arg(user_id).push(" AND idem_key = ").arg(key);
        q.query().execute(self.pool()).await?;
        Ok(())
    }

    /// Frees the key after an answer not worth replaying (a server error):
    /// the retry runs afresh.
    pub async fn release_idempotency(&self, user_id: UserId, key: &str) -> Result<()> {
        let mut q = Q::new("DELETE FROM idempotency_keys WHERE status IS NULL AND user_id = ");
        q.arg(user_id).push(" AND idem_key = ").arg(key);
        q.query().execute(self.pool()).await?;
        Ok(())
    }
}
