//! The complaint workflow: moving a complaint to its next status, each step
//! timed and by whom, audited on the account.

use kam_core::AccountId;
use kam_core::ActivityId;
use kam_core::Actor;
use kam_core::UserId;
use kam_core::Value;
use kam_core::audit::Action;
use kam_core::complaint::{COMPLAINT, can_move};
use serde::Serialize;
use sqlx::Row;

use crate::activity::Activity;
use crate::audit::Entry;
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

/// One step of a complaint's workflow.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub from_status: Option<String>,
    pub to_status: String,
    pub at: String,
    pub by_user: Option<UserId>,
    pub by_name: Option<String>,
    pub note: Option<String>,
}

pub(crate) async fn record_step(
    tx: &mut Tx,
    complaint_id: ActivityId,
    account_id: AccountId,
    from: Option<&str>,
    to: &str,
    note: Option<&str>,
    stamp: &crate::Stamp,
) -> Result<()> {
    let mut q = Q::new(
        "INSERT INTO complaint_steps (complaint_id, account_id, from_status, to_status, at, by_user, note) VALUES (",
    );
    q.arg(complaint_id).push(", ").arg(account_id).push(", ").arg(from.map(str::to_string)).push(", ").arg(to);
    q.push(", ").arg(stamp.at.as_str()).push(", ").arg(stamp.by).push(", ").arg(note.map(str::to_string)).push(")");
    q.query().execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    /// Moves a complaint to `to` if the workflow allows it; replying fills
    /// "replied at/by" when they are empty.
    pub async fn transition_complaint(
        &self,
        actor: &Actor,
        id: ActivityId,
        to: &str,
        note: Option<&str>,
    ) -> Result<Activity> {
        let before = self.activity(&COMPLAINT, actor, id).await?;
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, before.account_id).await?;
        if !actor.can_record_activity(&acc.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let from = before.rec.get("status").and_then(Value::as_text).unwrap_or("received").to_string();
        if !can_move(&from, to) {
            return Err(StoreError::Conflict("err.transition"));
        }
        let missing = kam_core::complaint::missing_to_move(to, &before.rec);
        if !missing.is_empty() {
            let mut errs = kam_core::FieldErrors::default();
            for f in missing {
                errs.add(f, "err.complaint_needs_reply");
            }
            return Err(StoreError::Invalid(errs));
        }
        // One instant for the row, its reply time and its step.
        let at = self.clock().now();
        let now = kam_core::time_util::format_ts(at);
        let mut q = Q::new("UPDATE complaints SET status = ");
        q.arg(to).push(", updated_at = ").arg(now.clone());
        let mut changes = vec![("status", Value::Text(from.clone()), Value::Text(to.into()))];
        if to == "replied" && before.rec.get("replied_at").is_none_or(Value::is_null) {
            let local = kam_core::time_util::china_minute(at);
            q.push(", replied_at = ").arg(local.clone());
            changes.push(("replied_at", Value::Null, Value::Text(local)));
            if before.rec.get("replied_by").is_none_or(Value::is_null) {
                let name = self.user_in(&mut tx, actor.user_id).await?.display_name;
                q.push(", replied_by = ").arg(name.clone());
                changes.push(("replied_by", Value::Null, Value::Text(name)));
            }
        }
        q.push(" WHERE id = ").arg(id).push(" AND status = ").arg(from.clone());
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.transition"));
        }
        record_step(
            &mut tx,
            id,
            before.account_id,
            Some(&from),
            to,
            note.filter(|n| !n.is_empty()),
            &crate::Stamp { by: actor.user_id, at: now.clone() },
        )
        .await?;
        if let Some(n) = note.filter(|n| !n.is_empty()) {
            changes.push(("note", Value::Null, Value::Text(n.into())));
        }
        Entry::new(Some(actor.user_id), Action::Update, COMPLAINT.entity, id)
            .account(Some(before.account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        self.activity(&COMPLAINT, actor, id).await
    }

    /// The steps of a complaint, oldest first.
    pub async fn complaint_steps(&self, actor: &Actor, id: ActivityId) -> Result<Vec<Step>> {
        self.activity(&COMPLAINT, actor, id).await?;
        let mut q = Q::new(
            "SELECT s.from_status, s.to_status, s.at, s.by_user, u.display_name AS by_name, s.note \
             FROM complaint_steps s LEFT JOIN users u ON u.id = s.by_user WHERE s.complaint_id = ",
        );
        q.arg(id).push(" ORDER BY s.id");
        q.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Step {
                    from_status: r.try_get("from_status")?,
                    to_status: r.try_get("to_status")?,
                    at: r.try_get("at")?,
                    by_user: crate::sql::opt_id(r, "by_user")?,
                    by_name: r.try_get("by_name")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }
}

/// Complaint deadlines from the account's SLA contract in force on the day
/// the complaint came in, where it sets terms for the priority, otherwise the
/// per-priority default; counted in the instance's working hours.
pub(crate) async fn contract_deadlines(
    tx: &mut crate::Tx,
    account_id: AccountId,
    rec: &kam_core::Record,
    derived: &mut kam_core::Record,
) -> Result<()> {
    use kam_core::Value;
    if !derived.contains_key("reply_due") {
        return Ok(());
    }
    let text = |f: &str| rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
    let (at, priority) = (text("received_at"), text("priority"));
    let Some(day) = at.get(..10).and_then(kam_core::time_util::parse_date) else { return Ok(()) };
    let sla = Store::sla_in(tx, account_id, day, &priority)
        .await?
        .unwrap_or_else(|| kam_core::complaint::default_sla(&priority));
    let hours = Store::working_hours_in(tx).await?;
    if let Some((reply, resolve)) = kam_core::complaint::deadlines(&at, &priority, sla, &hours) {
        derived.insert("reply_due", Value::Text(reply));
        derived.insert("resolve_due", Value::Text(resolve));
    }
    Ok(())
}

/// The handler 处理人 of a complaint is one of the instance's active users
/// (by display name, as the card prints it); a name typed for nobody is refused.
pub(crate) async fn check_handler(tx: &mut crate::Tx, field: &str, rec: &kam_core::Record) -> Result<()> {
    use kam_core::Value;
    let Some(name) = rec.get(field).and_then(Value::as_text).filter(|n| !n.is_empty()) else { return Ok(()) };
    let mut q = Q::new("SELECT COUNT(*) AS n FROM users WHERE active = ");
    q.arg(1_i64).push(" AND display_name = ").arg(name.to_string());
    let n: i64 = q.query().fetch_one(&mut **tx).await?.try_get("n")?;
    if n == 0 {
        return Err(crate::StoreError::field(field, "err.handler_user"));
    }
    Ok(())
}
