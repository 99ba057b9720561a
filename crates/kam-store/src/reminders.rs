//! Reminders for one user (follow-ups of their accounts' contact records,
//! their decision makers' birthdays), their done/snooze answers, and the
//! private calendar feed that carries the same items.

use kam_core::AccountId;
use kam_core::UserId;
use std::collections::HashMap;

use kam_core::audit::Action;
use kam_core::reminder::{Reminder, ReminderKind, ReminderState, effective_due, next_birthday, select};
use kam_core::secret::{digest, random_token};
use kam_core::time_util::parse_date;
use kam_core::{Actor, Value};
use sqlx::Row;
use time::{Date, Duration};

use crate::audit::Entry;
use crate::sql::Q;
use crate::users::User;
use crate::{Result, Store, StoreError};

/// What a reminder key names: (kind, source id).
fn parse_key(key: &str) -> Option<(ReminderKind, i64)> {
    let mut parts = key.split('-');
    let kind = match parts.next()? {
        "follow_up" => ReminderKind::FollowUp,
        "birthday" => ReminderKind::Birthday,
        "complaint" => ReminderKind::Complaint,
        "planned_visit" => ReminderKind::PlannedVisit,
        "objection" => ReminderKind::Objection,
        "signoff" => ReminderKind::Signoff,
        "contract" => ReminderKind::ContractExpiry,
        "held_order" => ReminderKind::HeldOrder,
        "returned_log" => ReminderKind::ReturnedLog,
        "winback" => ReminderKind::Winback,
        _ => return None,
    };
    let id = parts.next()?.parse().ok()?;
    match (kind, parts.next(), parts.next()) {
        (
            ReminderKind::FollowUp
            | ReminderKind::PlannedVisit
            | ReminderKind::Objection
            | ReminderKind::HeldOrder
            | ReminderKind::Winback,
            None,
            _,
        ) => Some((kind, id)),
        (ReminderKind::ReturnedLog, Some(round), None) if round.parse::<i64>().is_ok() => Some((kind, id)),
        // A slot of a visit plan: `planned_visit-<plan id>-<slot>`.
        (ReminderKind::PlannedVisit, Some(seq), None) if seq.parse::<usize>().is_ok_and(|n| (1..=12).contains(&n)) => {
            Some((kind, id))
        }
        (ReminderKind::Birthday, Some(y), None) if y.len() == 4 && y.parse::<i32>().is_ok() => Some((kind, id)),
        (ReminderKind::Complaint, Some("reply" | "resolve"), None) => Some((kind, id)),
        (ReminderKind::Signoff, Some(round), None) if round.parse::<i64>().is_ok() => Some((kind, id)),
        (ReminderKind::ContractExpiry, Some("90" | "60" | "30"), None) => Some((kind, id)),
        _ => None,
    }
}

impl Store {
    async fn reminder_states(&self, user_id: UserId) -> Result<HashMap<String, ReminderState>> {
        let mut q = Q::new("SELECT reminder_key, done, snoozed_until FROM reminder_states WHERE user_id = ");
        q.arg(user_id);
        let mut out = HashMap::new();
        for row in q.query().fetch_all(self.pool()).await? {
            let until: Option<String> = row.try_get("snoozed_until")?;
            out.insert(
                row.try_get("reminder_key")?,
                ReminderState {
                    done: row.try_get::<i64, _>("done")? != 0,
                    snoozed_until: until.as_deref().and_then(parse_date),
                },
            );
        }
        Ok(out)
    }

    /// The user's reminders due on or before `today + horizon_days` (overdue first).
    pub async fn reminders(&self, user: &User, today: Date, horizon_days: i64) -> Result<Vec<Reminder>> {
        let states = self.reminder_states(user.id).await?;
        let horizon = today + Duration::days(horizon_days);
        let mut items: Vec<(Date, Reminder)> = Vec::new();
        let mut push = |due: Date, r: Reminder| {
            if let Some(d) = effective_due(due, states.get(&r.key)) {
                items.push((d, r));
            }
        };
        // Follow-ups: the owner's accounts (pool accounts: whoever recorded it).
        let mut q = Q::new(
            "SELECT r.id, r.subject, r.next_step, r.follow_up_date, a.id AS account_id, a.name AS account_name \
             FROM interactions r JOIN accounts a ON a.id = r.account_id \
             WHERE r.deleted_at IS NULL AND a.deleted_at IS NULL AND r.follow_up_date IS NOT NULL AND r.follow_up_date <= ",
        );
        q.arg(horizon.to_string()).push(" AND (a.owner_id = ").arg(user.id);
        q.push(" OR (a.owner_id IS NULL AND r.created_by = ").arg(user.id).push("))");
        for row in q.query().fetch_all(self.pool()).await? {
            let id: i64 = row.try_get("id")?;
            let due: String = row.try_get("follow_up_date")?;
            let Some(due) = parse_date(&due) else { continue };
            let subject: String = row.try_get("subject")?;
            let next: Option<String> = row.try_get("next_step")?;
            push(
                due,
                Reminder {
                    key: format!("follow_up-{id}"),
                    kind: ReminderKind::FollowUp,
                    due: String::new(),
                    title: next.filter(|n| !n.is_empty()).unwrap_or_else(|| subject.clone()),
                    detail: subject,
                    account_id: Some(crate::sql::id(&row, "account_id")?),
                    account_name: row.try_get("account_name")?,
                    href: format!("/interactions/{id}"),
                    overdue: false,
                },
            );
        }
        // Birthdays of decision makers at the accounts the user owns.
        let mut q = Q::new(
            "SELECT c.id, c.name, c.birth_date, a.id AS account_id, a.name AS account_name FROM contacts c \
             JOIN account_contacts ac ON ac.contact_id = c.id JOIN accounts a ON a.id = ac.account_id \
             WHERE c.deleted_at IS NULL AND a.deleted_at IS NULL AND c.birth_date IS NOT NULL \
             AND ac.buying_role = 'decision_maker' AND a.owner_id = ",
        );
        q.arg(user.id).push(" ORDER BY c.id, a.id");
        let mut seen = std::collections::HashSet::new();
        for row in q.query().fetch_all(self.pool()).await? {
            let id: i64 = row.try_get("id")?;
            if !seen.insert(id) {
                continue;
            }
            let birth: String = row.try_get("birth_date")?;
            let Some(birth) = parse_date(&birth) else { continue };
            let day = next_birthday(birth, today);
            let name: String = row.try_get("name")?;
            push(
                day,
                Reminder {
                    key: format!("birthday-{id}-{}", day.year()),
                    kind: ReminderKind::Birthday,
                    due: String::new(),
                    title: name,
                    detail: format!("{}", day.year() - birth.year()),
                    account_id: Some(crate::sql::id(&row, "account_id")?),
                    account_name: row.try_get("account_name")?,
                    href: format!("/contacts/{id}"),
                    overdue: false,
                },
            );
        }
        // Visits planned by earlier visits, and objections still open (due at the
        // next planned visit, or a week after the visit that raised them).
        let mut q = Q::new(
            "SELECT r.id, r.goal, r.visited_at, r.next_planned, r.objections, r.resolution_plan, r.objection_resolved, \
             a.id AS account_id, a.name AS account_name FROM visits r JOIN accounts a ON a.id = r.account_id \
             WHERE r.deleted_at IS NULL AND a.deleted_at IS NULL AND (r.next_planned IS NOT NULL OR \
             (r.objections IS NOT NULL AND r.objection_resolved = 0)) AND (a.owner_id = ",
        );
        q.arg(user.id).push(" OR (a.owner_id IS NULL AND r.created_by = ").arg(user.id).push("))");
        // Days a visit record already plans, so the plan slot it filled is not named twice.
        let mut planned_by_visits = std::collections::HashSet::new();
        for row in q.query().fetch_all(self.pool()).await? {
            let id: i64 = row.try_get("id")?;
            let account_id: AccountId = crate::sql::id(&row, "account_id")?;
            let account_name: String = row.try_get("account_name")?;
            let next: Option<String> = row.try_get("next_planned")?;
            let next = next.as_deref().and_then(parse_date);
            if let Some(day) = next {
                planned_by_visits.insert((account_id, day));
                push(
                    day,
                    Reminder {
                        key: format!("planned_visit-{id}"),
                        kind: ReminderKind::PlannedVisit,
                        due: String::new(),
                        title: account_name.clone(),
                        detail: row.try_get("goal")?,
                        account_id: Some(account_id),
                        account_name: account_name.clone(),
                        href: format!("/visits/{id}"),
                        overdue: false,
                    },
                );
            }
            let objections: Option<String> = row.try_get("objections")?;
            let resolved = row.try_get::<i64, _>("objection_resolved")? != 0;
            if let Some(text) = objections.filter(|o| !o.trim().is_empty() && !resolved) {
                let visited: String = row.try_get("visited_at")?;
                let due = next.or_else(|| visited.get(..10).and_then(parse_date).map(|d| d + Duration::days(7)));
                let plan: Option<String> = row.try_get("resolution_plan")?;
                if let Some(day) = due {
                    push(
                        day,
                        Reminder {
                            key: format!("objection-{id}"),
                            kind: ReminderKind::Objection,
                            due: String::new(),
                            title: text.chars().take(60).collect(),
                            detail: plan.unwrap_or_default(),
                            account_id: Some(account_id),
                            account_name: account_name.clone(),
                            href: format!("/visits/{id}"),
                            overdue: false,
                        },
                    );
                }
            }
        }
        // Slots of the year's visit plans (附表三) not yet visited: from two weeks back to the horizon.
        let mut q = Q::new(
            "SELECT s.plan_id, s.seq, s.planned_on, a.id AS account_id, a.name AS account_name \
             FROM visit_plan_slots s JOIN visit_plans p ON p.id = s.plan_id JOIN accounts a ON a.id = p.account_id \
             WHERE a.deleted_at IS NULL AND s.actual_on IS NULL AND s.planned_on IS NOT NULL AND s.planned_on >= ",
        );
        q.arg((today - Duration::days(14)).to_string()).push(" AND s.planned_on <= ").arg(horizon.to_string());
        q.push(" AND a.owner_id = ").arg(user.id);
        for row in q.query().fetch_all(self.pool()).await? {
            let planned: String = row.try_get("planned_on")?;
            let Some(day) = parse_date(&planned) else { continue };
            let account_id: AccountId = crate::sql::id(&row, "account_id")?;
            if planned_by_visits.contains(&(account_id, day)) {
                continue;
            }
            let (plan, seq): (i64, i64) = (row.try_get("plan_id")?, row.try_get("seq")?);
            let account_name: String = row.try_get("account_name")?;
            push(
                day,
                Reminder {
                    key: format!("planned_visit-{plan}-{seq}"),
                    kind: ReminderKind::PlannedVisit,
                    due: String::new(),
                    title: account_name.clone(),
                    detail: String::new(),
                    account_id: Some(account_id),
                    account_name,
                    href: format!("/accounts/{account_id}/visit-plan?year={}", day.year()),
                    overdue: false,
                },
            );
        }
        // Complaint deadlines at the user's accounts: the reply until replied, then the resolution.
        let mut q = Q::new(
            "SELECT r.id, r.subject, r.status, r.reply_due, r.resolve_due, a.id AS account_id, a.name AS account_name \
             FROM complaints r JOIN accounts a ON a.id = r.account_id \
             WHERE r.deleted_at IS NULL AND a.deleted_at IS NULL AND r.status <> 'closed' AND (a.owner_id = ",
        );
        q.arg(user.id).push(" OR (a.owner_id IS NULL AND r.created_by = ").arg(user.id).push("))");
        for row in q.query().fetch_all(self.pool()).await? {
            let id: i64 = row.try_get("id")?;
            let status: String = row.try_get("status")?;
            let (which, due): (&str, String) = if status == "replied" {
                ("resolve", row.try_get("resolve_due")?)
            } else {
                ("reply", row.try_get("reply_due")?)
            };
            let Some(day) = due.get(..10).and_then(parse_date) else { continue };
            push(
                day,
                Reminder {
                    key: format!("complaint-{id}-{which}"),
                    kind: ReminderKind::Complaint,
                    due: String::new(),
                    title: row.try_get("subject")?,
                    detail: format!("{which} {}", due.replace('T', " ")),
                    account_id: Some(crate::sql::id(&row, "account_id")?),
                    account_name: row.try_get("account_name")?,
                    href: format!("/complaints/{id}"),
                    overdue: false,
                },
            );
        }
        // Work logs waiting for the user's signature, from the day they reached them.
        for (day, log, step, round) in self.worklogs_awaiting(user.id).await? {
            push(
                day,
                Reminder {
                    key: format!("signoff-{}-{round}", log.id),
                    kind: ReminderKind::Signoff,
                    due: String::new(),
                    title: format!("{} {}", log.author_name, log.log_date),
                    detail: step.as_str().to_string(),
                    account_id: None,
                    account_name: String::new(),
                    href: format!("/worklogs/{}", log.id),
                    overdue: false,
                },
            );
        }
        // Orders held on credit, for whoever may release them: finance and admin every one, a
        // manager those of the accounts they manage (the rule of `order::can_approve_credit`).
        if matches!(user.role, kam_core::Role::Finance | kam_core::Role::Admin | kam_core::Role::Manager) {
            let mut q = Q::new(
                "SELECT o.id, o.number, o.order_date, a.id AS account_id, a.name AS account_name FROM orders o \
                 JOIN accounts a ON a.id = o.account_id WHERE o.status = 'credit_hold' AND ",
            );
            crate::accounts::edit_scope_sql(&mut q, &user.actor(), "a");
            q.push(" ORDER BY o.order_date, o.id LIMIT 200");
            for row in q.query().fetch_all(self.pool()).await? {
                let id: i64 = row.try_get("id")?;
                let placed: String = row.try_get("order_date")?;
                push(
                    parse_date(&placed).unwrap_or(today),
                    Reminder {
                        key: format!("held_order-{id}"),
                        kind: ReminderKind::HeldOrder,
                        due: String::new(),
                        title: row.try_get("number")?,
                        detail: String::new(),
                        account_id: Some(crate::sql::id(&row, "account_id")?),
                        account_name: row.try_get("account_name")?,
                        href: format!("/orders/{id}"),
                        overdue: false,
                    },
                );
            }
        }
        // The user's work logs returned to them, until sent again.
        let mut q =
            Q::new("SELECT id, log_date, round, updated_at FROM worklogs WHERE status = 'returned' AND author_id = ");
        q.arg(user.id).push(" ORDER BY log_date LIMIT 100");
        for row in q.query().fetch_all(self.pool()).await? {
            let id: i64 = row.try_get("id")?;
            let round: i64 = row.try_get("round")?;
            let day: String = row.try_get("log_date")?;
            let returned: String = row.try_get("updated_at")?;
            push(
                returned.get(..10).and_then(parse_date).unwrap_or(today),
                Reminder {
                    key: format!("returned_log-{id}-{round}"),
                    kind: ReminderKind::ReturnedLog,
                    due: String::new(),
                    title: day,
                    detail: String::new(),
                    account_id: None,
                    account_name: String::new(),
                    href: format!("/worklogs/{id}"),
                    overdue: false,
                },
            );
        }
        // Contracts of the user's accounts at 90, 60 and 30 days before their end.
        for c in self.expiring_contracts(user.id, today + Duration::days(90 + horizon_days)).await? {
            if let Some((days, due)) = kam_core::contract::expiry_reminder(c.valid_to, today, horizon) {
                push(
                    due,
                    Reminder {
                        key: format!("contract-{}-{days}", c.id),
                        kind: ReminderKind::ContractExpiry,
                        due: String::new(),
                        title: format!("{} {}", c.contract_no, c.title),
                        detail: c.valid_to.to_string(),
                        account_id: Some(c.account_id),
                        account_name: c.account_name,
                        href: format!("/contracts/{}", c.id),
                        overdue: false,
                    },
                );
            }
        }
        // Win-back actions still pending at the accounts the user owns.
        let mut q = Q::new(
            "SELECT x.id, x.churn_id, x.due_on, x.action, a.id AS account_id, a.name AS account_name \
             FROM churn_actions x JOIN accounts a ON a.id = x.account_id \
             WHERE a.deleted_at IS NULL AND x.outcome = 'pending' AND x.due_on <= ",
        );
        q.arg(horizon.to_string()).push(" AND a.owner_id = ").arg(user.id).push(" ORDER BY x.due_on LIMIT 200");
        for row in q.query().fetch_all(self.pool()).await? {
            let id: i64 = row.try_get("id")?;
            let due: String = row.try_get("due_on")?;
            let Some(due) = parse_date(&due) else { continue };
            let account_id: AccountId = crate::sql::id(&row, "account_id")?;
            push(
                due,
                Reminder {
                    key: format!("winback-{id}"),
                    kind: ReminderKind::Winback,
                    due: String::new(),
                    title: row.try_get("action")?,
                    detail: String::new(),
                    account_id: Some(account_id),
                    account_name: row.try_get("account_name")?,
                    href: format!("/accounts/{}/lifecycle", account_id.0),
                    overdue: false,
                },
            );
        }
        Ok(select(items, today, horizon_days))
    }

    /// Marks a reminder done, or snoozes it until a day. Auditors only read:
    /// they have no reminders to answer (and no feed, below).
    pub async fn answer_reminder(
        &self,
        actor: &Actor,
        key: &str,
        done: bool,
        snoozed_until: Option<Date>,
    ) -> Result<()> {
        if actor.read_only() {
            return Err(StoreError::Forbidden("err.read_only"));
        }
        let user_id = actor.user_id;
        let Some((_, source)) = parse_key(key) else { return Err(StoreError::NotFound) };
        if !done && snoozed_until.is_none() {
            return Err(StoreError::field("snoozed_until", "err.required"));
        }
        let mut tx = self.begin().await?;
        let mut q =
            Q::new("INSERT INTO reminder_states (user_id, reminder_key, done, snoozed_until, updated_at) VALUES (");
        q.arg(user_id).push(", ").arg(key).push(", ").arg(i64::from(done)).push(", ");
        q.arg(snoozed_until.map(|d| d.to_string())).push(", ").arg(self.now_text());
        q.push(
            ") ON CONFLICT (user_id, reminder_key) DO UPDATE SET done = excluded.done, \
                snoozed_until = excluded.snoozed_until, updated_at = excluded.updated_at",
        );
        q.query().execute(&mut *tx).await?;
        let changes = [
            ("key", Value::Null, Value::Text(key.into())),
            ("done", Value::Null, Value::Bool(done)),
            ("snoozed_until", Value::Null, snoozed_until.map(|d| Value::Text(d.to_string())).unwrap_or(Value::Null)),
        ];
        Entry::new(Some(user_id), Action::Update, "reminder", source)
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new secret calendar feed for the user (any earlier one stops working);
    /// returns the secret for the URL.
    pub async fn create_calendar_feed(&self, actor: &Actor) -> Result<String> {
        if actor.read_only() {
            return Err(StoreError::Forbidden("err.read_only"));
        }
        let user_id = actor.user_id;
        let token = random_token();
        let mut tx = self.begin().await?;
        let mut q = Q::new("UPDATE calendar_feeds SET revoked_at = ");
        q.arg(self.now_text()).push(" WHERE revoked_at IS NULL AND user_id = ").arg(user_id);
        q.query().execute(&mut *tx).await?;
        let mut q = Q::new("INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (");
        q.arg(user_id).push(", ").arg(digest(&token)).push(", ").arg(self.now_text()).push(") RETURNING id");
        let id: i64 = q.query().fetch_one(&mut *tx).await?.try_get("id")?;
        Entry::new(Some(user_id), Action::Create, "calendar_feed", id).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Stops the user's calendar feed.
    pub async fn revoke_calendar_feed(&self, actor: &Actor) -> Result<()> {
        if actor.read_only() {
            return Err(StoreError::Forbidden("err.read_only"));
        }
        let user_id = actor.user_id;
        let mut tx = self.begin().await?;
        let mut q = Q::new("UPDATE calendar_feeds SET revoked_at = ");
        q.arg(self.now_text()).push(" WHERE revoked_at IS NULL AND user_id = ").arg(user_id);
        q.query().execute(&mut *tx).await?;
        Entry::new(Some(user_id), Action::Delete, "calendar_feed", user_id).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn has_calendar_feed(&self, user_id: UserId) -> Result<bool> {
        let mut q = Q::new("SELECT COUNT(*) AS n FROM calendar_feeds WHERE revoked_at IS NULL AND user_id = ");
        q.arg(user_id);
        Ok(q.query().fetch_one(self.pool()).await?.try_get::<i64, _>("n")? > 0)
    }

    /// The active user behind a calendar feed secret.
    pub async fn calendar_feed_user(&self, token: &str) -> Result<Option<User>> {
        let mut q = Q::new("SELECT user_id FROM calendar_feeds WHERE revoked_at IS NULL AND token_hash = ");
        q.arg(digest(token));
        let Some(row) = q.query().fetch_optional(self.pool()).await? else { return Ok(None) };
        let user = self.user(crate::sql::id(&row, "user_id")?).await?;
        Ok(user.active.then_some(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(parse_key("follow_up-12"), Some((ReminderKind::FollowUp, 12)));
        assert_eq!(parse_key("birthday-5-2026"), Some((ReminderKind::Birthday, 5)));
        assert_eq!(parse_key("birthday-5"), None);
        assert_eq!(parse_key("follow_up-x"), None);
        assert_eq!(parse_key("other-1"), None);
        assert_eq!(parse_key("complaint-3-reply"), Some((ReminderKind::Complaint, 3)));
        assert_eq!(parse_key("complaint-3-later"), None);
        assert_eq!(parse_key("signoff-4-2"), Some((ReminderKind::Signoff, 4)));
        assert_eq!(parse_key("signoff-4"), None);
        assert_eq!(parse_key("contract-7-60"), Some((ReminderKind::ContractExpiry, 7)));
        assert_eq!(parse_key("contract-7-45"), None);
    }
}
