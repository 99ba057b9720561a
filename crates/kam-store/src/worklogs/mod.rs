//! Daily work logs 业务工作日志 (附表九): the author writes one per day, its
//! entries are kept row by row (stable ids, so a visit record made from an
//! entry stays linked), and a submitted log runs through its team's sign-off
//! chain. Every rule comes from `kam_core::worklog`; this module stores.

use kam_core::AccountId;
use kam_core::ActivityId;
use kam_core::ContactId;
use kam_core::EntryId;
use kam_core::TeamId;
use kam_core::UserId;
use kam_core::WorklogId;
use kam_core::activity::VISIT;
use kam_core::audit::{Action, created, deleted};
use kam_core::fields;
use kam_core::time_util::parse_ts;
use kam_core::worklog::{self, Decision, Facts, Input, SECTIONS, Signoff, Status, Step};
use kam_core::{Actor, Record, Role, Value};
use serde::Serialize;
use sqlx::Row;
use time::Date;

use crate::accounts::Page;
use crate::audit::Entry;
use crate::sql::{Arg, Q, columns, insert, read_record, update};
use crate::{Result, Store, StoreError, Tx};

mod signoff;
mod write;

/// One stored entry of a log.
#[derive(Debug, Clone, Serialize)]
pub struct EntryRow {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<ContactId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(flatten)]
    pub rec: Record,
    /// The visit record made from this visit entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<ActivityId>,
    /// The ledger payment a collection entry was posted as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_entry_id: Option<EntryId>,
}

/// One signature slot, with the signer's name.
#[derive(Debug, Clone, Serialize)]
pub struct SignoffRow {
    #[serde(flatten)]
    pub slot: Signoff,
    pub signer_name: String,
}

/// A whole log as read.
#[derive(Debug, Clone, Serialize)]
pub struct Worklog {
    pub id: WorklogId,
    pub author_id: UserId,
    pub author_name: String,
    pub author_team_id: Option<TeamId>,
    pub status: Status,
    /// Submission rounds so far (a returned log submitted again starts the next).
    pub round: i64,
    #[serde(flatten)]
    pub rec: Record,
    pub visits: Vec<EntryRow>,
    pub collections: Vec<EntryRow>,
    pub affairs: Vec<EntryRow>,
    /// 主管评价 and who wrote it.
    pub evaluation: Option<String>,
    pub evaluated_by_name: Option<String>,
    pub evaluated_at: Option<String>,
    pub submitted_at: Option<String>,
    /// Every round's slots, oldest first.
    pub signoffs: Vec<SignoffRow>,
    /// Who signs next (while submitted).
    pub next_signer_id: Option<UserId>,
    pub next_step: Option<Step>,
    pub created_at: String,
    pub updated_at: String,
}

impl Worklog {
    pub fn date(&self) -> &str {
        self.rec.get("log_date").and_then(Value::as_text).unwrap_or_default()
    }
    /// The slots of the current round.
    pub fn current_round(&self) -> Vec<Signoff> {
        self.signoffs.iter().filter(|s| s.slot.round == self.round).map(|s| s.slot.clone()).collect()
    }
    pub fn facts(&self, actor: &Actor) -> Facts {
        Facts {
            author_id: self.author_id,
            author_team_id: self.author_team_id,
            actor_signs: self.signoffs.iter().any(|s| s.slot.signer_id == actor.user_id),
        }
    }
    pub fn section(&self, name: &str) -> &[EntryRow] {
        match name {
            "visits" => &self.visits,
            "collections" => &self.collections,
            _ => &self.affairs,
        }
    }
}

/// One log in a list.
#[derive(Debug, Clone, Serialize)]
pub struct WorklogSummary {
    pub id: i64,
    pub author_id: UserId,
    pub author_name: String,
    pub log_date: String,
    pub status: Status,
    pub visit_count: i64,
    pub paid_total: i64,
    pub submitted_at: Option<String>,
    /// Whether the reader is the next signer.
    pub awaiting_me: bool,
}

#[derive(Debug, Clone, Default)]
pub struct WorklogFilter {
    pub author_id: Option<UserId>,
    pub status: Option<Status>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only logs whose next signature is the reader's.
    pub awaiting_me: bool,
    pub page: i64,
    pub per_page: i64,
}

/// A step of a team's chain with its signer.
#[derive(Debug, Clone, Serialize)]
pub struct ChainStep {
    pub step: Step,
    pub signer_id: UserId,
    pub signer_name: String,
}

const ENTRY_TABLES: [(&str, &str); 3] =
    [("visits", "worklog_visits"), ("collections", "worklog_collections"), ("affairs", "worklog_affairs")];

fn table_of(section: &str) -> &'static str {
    ENTRY_TABLES.iter().find(|(s, _)| *s == section).map(|(_, t)| *t).unwrap_or("worklog_affairs")
}

/// `EXISTS` clause: the reader signs the next open step of the log `w`. The
/// user id is a number from the session, written inline so the clause can sit
/// anywhere in a statement.
fn awaiting_sql(q: &mut Q, user_id: UserId) {
    q.push(&format!(
        "(w.status = 'submitted' AND EXISTS (SELECT 1 FROM worklog_signoffs s WHERE s.worklog_id = w.id \
         AND s.round = w.round AND s.decision IS NULL AND s.signer_id = {user_id} \
         AND NOT EXISTS (SELECT 1 FROM worklog_signoffs p WHERE p.worklog_id = w.id AND p.round = w.round \
         AND p.decision IS NULL AND p.position < s.position)))"
    ));
}

/// The read rule of `worklog::can_read` as SQL over `w` (log) and `u` (author).
fn scope_sql(q: &mut Q, actor: &Actor) {
    if matches!(actor.role, Role::Admin | Role::Auditor) {
        q.push("1 = 1");
        return;
    }
    q.push("(w.author_id = ").arg(actor.user_id);
    q.push(" OR EXISTS (SELECT 1 FROM worklog_signoffs x WHERE x.worklog_id = w.id AND x.signer_id = ")
        .arg(actor.user_id)
        .push(")");
    if let (Role::Manager, Some(team)) = (actor.role, actor.team_id) {
        q.push(" OR u.team_id = ").arg(team);
    }
    q.push(")");
}

fn status_of(s: &str) -> Result<Status> {
    Status::parse(s).ok_or_else(|| StoreError::Config(format!("unknown work log status {s}")))
}

fn step_of(s: &str) -> Result<Step> {
    Step::parse(s).ok_or_else(|| StoreError::Config(format!("unknown sign-off step {s}")))
}

/// The China-time day of a stored UTC timestamp.
fn local_day(ts: &str) -> Option<Date> {
    parse_ts(ts).map(kam_core::time_util::china_date)
}

/// A visit record (附表三) of a day, as the work log offers it for a visit row.
#[derive(Debug, Clone, Serialize)]
pub struct DayVisit {
    pub account_id: AccountId,
    pub visited_at: String,
    pub ended_at: Option<String>,
    pub goal: String,
    pub topics: Option<String>,
    pub result: Option<String>,
    pub interviewees: Option<String>,
}

impl Store {
    /// The visit records the actor wrote for a day, in time order (for the day's work log).
    pub async fn visits_recorded_on(&self, actor: &Actor, day: Date) -> Result<Vec<DayVisit>> {
        let mut q = Q::new(
            "SELECT r.account_id, r.visited_at, r.ended_at, r.goal, r.topics, r.result, r.interviewees FROM visits r \
             JOIN accounts a ON a.id = r.account_id WHERE r.deleted_at IS NULL AND r.created_by = ",
        );
        q.arg(actor.user_id).push(" AND r.visited_at >= ").arg(format!("{day}T00:00"));
        q.push(" AND r.visited_at <= ").arg(format!("{day}T23:59")).push(" AND ");
        crate::accounts::scope_sql(&mut q, actor, "a");
        q.push(" ORDER BY r.visited_at, r.id LIMIT 20");
        let rows = q.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(DayVisit {
                    account_id: crate::sql::id(r, "account_id")?,
                    visited_at: r.try_get("visited_at")?,
                    ended_at: r.try_get("ended_at")?,
                    goal: r.try_get("goal")?,
                    topics: r.try_get("topics")?,
                    result: r.try_get("result")?,
                    interviewees: r.try_get("interviewees")?,
                })
            })
            .collect()
    }
}

impl Store {
    async fn worklog_row(&self, id: WorklogId) -> Result<Worklog> {
        let mut q = Q::new(&format!(
            "SELECT w.id, w.author_id, u.display_name AS author_name, u.team_id AS author_team_id, w.status, w.round, \
             {}, w.evaluation, e.display_name AS evaluated_by_name, w.evaluated_at, w.submitted_at, w.created_at, \
             w.updated_at FROM worklogs w JOIN users u ON u.id = w.author_id LEFT JOIN users e ON e.id = w.evaluated_by \
             WHERE w.deleted_at IS NULL AND w.id = ",
            columns(worklog::FIELDS, "w")
        ));
        q.arg(id);
        let r = q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut log = Worklog {
            id,
            author_id: crate::sql::id(&r, "author_id")?,
            author_name: r.try_get("author_name")?,
            author_team_id: crate::sql::opt_id(&r, "author_team_id")?,
            status: status_of(&r.try_get::<String, _>("status")?)?,
            round: r.try_get("round")?,
            rec: read_record(&r, worklog::FIELDS)?,
            visits: Vec::new(),
            collections: Vec::new(),
            affairs: Vec::new(),
            evaluation: r.try_get("evaluation")?,
            evaluated_by_name: r.try_get("evaluated_by_name")?,
            evaluated_at: r.try_get("evaluated_at")?,
            submitted_at: r.try_get("submitted_at")?,
            signoffs: Vec::new(),
            next_signer_id: None,
            next_step: None,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        };
        for (section, defs, with_account) in SECTIONS {
            let table = table_of(section);
            let sql = if with_account {
                format!(
                    "SELECT x.id, x.account_id, a.name AS account_name, {}, {} FROM {table} x \
                     JOIN accounts a ON a.id = x.account_id {} WHERE x.worklog_id = $1 ORDER BY x.position, x.id",
                    columns(defs, "x"),
                    if section == "visits" {
                        "x.contact_id, c.name AS contact_name, x.visit_id, NULL AS ledger_entry_id"
                    } else {
                        "NULL AS contact_id, NULL AS contact_name, NULL AS visit_id, x.ledger_entry_id"
                    },
                    if section == "visits" { "LEFT JOIN contacts c ON c.id = x.contact_id" } else { "" },
                )
            } else {
                format!(
                    "SELECT x.id, {} FROM {table} x WHERE x.worklog_id = $1 ORDER BY x.position, x.id",
                    columns(defs, "x")
                )
            };
            let mut q = Q::new(&sql);
            q.args.push(id.into());
            let mut rows = Vec::new();
            for r in q.query().fetch_all(self.pool()).await? {
                rows.push(EntryRow {
                    id: crate::sql::id(&r, "id")?,
                    account_id: if with_account { crate::sql::opt_id(&r, "account_id")? } else { None },
                    account_name: if with_account { r.try_get("account_name")? } else { None },
                    contact_id: if with_account { crate::sql::opt_id(&r, "contact_id")? } else { None },
                    contact_name: if with_account { r.try_get::<Option<String>, _>("contact_name")? } else { None },
                    rec: read_record(&r, defs)?,
                    visit_id: if with_account { crate::sql::opt_id(&r, "visit_id")? } else { None },
                    ledger_entry_id: if with_account { crate::sql::opt_id(&r, "ledger_entry_id")? } else { None },
                });
            }
            match section {
                "visits" => log.visits = rows,
                "collections" => log.collections = rows,
                _ => log.affairs = rows,
            }
        }
        let mut q = Q::new(
            "SELECT s.round, s.step, s.signer_id, u.display_name AS signer_name, s.decision, s.comment, s.decided_at \
             FROM worklog_signoffs s JOIN users u ON u.id = s.signer_id WHERE s.worklog_id = ",
        );
        q.arg(id).push(" ORDER BY s.round, s.position");
        for r in q.query().fetch_all(self.pool()).await? {
            let decision: Option<String> = r.try_get("decision")?;
            log.signoffs.push(SignoffRow {
                slot: Signoff {
                    round: r.try_get("round")?,
                    step: step_of(&r.try_get::<String, _>("step")?)?,
                    signer_id: crate::sql::id(&r, "signer_id")?,
                    decision: decision.as_deref().and_then(Decision::parse),
                    comment: r.try_get("comment")?,
                    decided_at: r.try_get("decided_at")?,
                },
                signer_name: r.try_get("signer_name")?,
            });
        }
        if log.status == Status::Submitted {
            let round = log.current_round();
            if let Some(n) = worklog::next(&round) {
                log.next_signer_id = Some(n.signer_id);
                log.next_step = Some(n.step);
            }
        }
        Ok(log)
    }

    /// One log, or NotFound when the reader may not see it.
    pub async fn worklog(&self, actor: &Actor, id: WorklogId) -> Result<Worklog> {
        let log = self.worklog_row(id).await?;
        if worklog::can_read(actor, &log.facts(actor)) { Ok(log) } else { Err(StoreError::NotFound) }
    }

    /// The author's log of a day, if written.
    pub async fn worklog_of_day(&self, actor: &Actor, day: &str) -> Result<Option<Worklog>> {
        let mut q = Q::new("SELECT id FROM worklogs WHERE deleted_at IS NULL AND author_id = ");
        q.arg(actor.user_id).push(" AND log_date = ").arg(day);
        match q.query().fetch_optional(self.pool()).await? {
            Some(r) => Ok(Some(self.worklog(actor, crate::sql::id(&r, "id")?).await?)),
            None => Ok(None),
        }
    }

    /// Logs the reader may see, newest day first.
    pub async fn worklogs(&self, actor: &Actor, f: &WorklogFilter) -> Result<Page<WorklogSummary>> {
        let per_page = f.per_page.clamp(1, 200);
        let page = f.page.clamp(1, crate::sql::MAX_PAGE);
        let mut filter = Q::new(" FROM worklogs w JOIN users u ON u.id = w.author_id WHERE w.deleted_at IS NULL AND ");
        scope_sql(&mut filter, actor);
        if let Some(a) = f.author_id {
            filter.push(" AND w.author_id = ").arg(a);
        }
        if let Some(s) = f.status {
            filter.push(" AND w.status = ").arg(s.as_str());
        }
        if let Some(d) = &f.from {
            filter.push(" AND w.log_date >= ").arg(d.clone());
        }
        if let Some(d) = &f.to {
            filter.push(" AND w.log_date <= ").arg(d.clone());
        }
        if f.awaiting_me {
            filter.push(" AND ");
            awaiting_sql(&mut filter, actor.user_id);
        }
        let mut count = Q::new("SELECT COUNT(*) AS n");
        count.sql.push_str(&filter.sql);
        count.args = filter.args.clone();
        let total: i64 = count.query().fetch_one(self.pool()).await?.try_get("n")?;
        let mut q = Q::new(
            "SELECT w.id, w.author_id, u.display_name AS author_name, w.log_date, w.status, w.submitted_at, \
             (SELECT COUNT(*) FROM worklog_visits v WHERE v.worklog_id = w.id) AS visit_count, \
             CAST((SELECT COALESCE(SUM(c.paid_amount), 0) FROM worklog_collections c WHERE c.worklog_id = w.id) AS BIGINT) AS paid_total, \
             CASE WHEN ",
        );
        awaiting_sql(&mut q, actor.user_id);
        q.push(" THEN 1 ELSE 0 END AS awaiting_me");
        q.sql.push_str(&filter.sql);
        q.args.extend(filter.args.iter().cloned());
        q.push(" ORDER BY w.log_date DESC, w.id DESC LIMIT ").arg(per_page).push(" OFFSET ").arg((page - 1) * per_page);
        let mut items = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            items.push(WorklogSummary {
                id: crate::sql::id(&r, "id")?,
                author_id: crate::sql::id(&r, "author_id")?,
                author_name: r.try_get("author_name")?,
                log_date: r.try_get("log_date")?,
                status: status_of(&r.try_get::<String, _>("status")?)?,
                visit_count: r.try_get("visit_count")?,
                paid_total: r.try_get("paid_total")?,
                submitted_at: r.try_get("submitted_at")?,
                awaiting_me: r.try_get::<i64, _>("awaiting_me")? != 0,
            });
        }
        Ok(Page { items, page, per_page, total })
    }
}

impl Store {
    /// Tries to change and to remove a log's given signatures behind the
    /// store's back (for the tests that prove the triggers refuse it).
    #[cfg(feature = "testing")]
    pub async fn try_tamper_signoffs(&self, worklog_id: WorklogId) -> (Result<()>, Result<()>) {
        let mut u =
            Q::new("UPDATE worklog_signoffs SET decision = 'return' WHERE decision IS NOT NULL AND worklog_id = ");
        u.arg(worklog_id);
        let upd = u.query().execute(self.pool()).await.map(|_| ()).map_err(Into::into);
        let mut d = Q::new("DELETE FROM worklog_signoffs WHERE worklog_id = ");
        d.arg(worklog_id);
        let del = d.query().execute(self.pool()).await.map(|_| ()).map_err(Into::into);
        (upd, del)
    }
}
