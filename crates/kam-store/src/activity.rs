//! Account activity records (contact records, service records, …): one set of
//! store methods for every kind in `kam_core::activity::KINDS`. A record is
//! visible when its account is; it is written under `can_record_activity`.

use crate::write::{Also, Gone, Target};
use kam_core::AccountId;
use kam_core::ActivityId;
use kam_core::UserId;
use kam_core::activity::ActivityKind;
use kam_core::audit::created;
use kam_core::fields;
use kam_core::{Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::{Page, scope_sql};
use crate::sql::{Arg, Q, columns, read_record};
use crate::{Result, Store, StoreError};

/// One activity record as read.
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub id: ActivityId,
    pub account_id: AccountId,
    pub account_name: String,
    #[serde(flatten)]
    pub rec: Record,
    pub created_by: Option<UserId>,
    pub created_by_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub account_id: Option<AccountId>,
    pub page: i64,
    pub per_page: i64,
}

/// Nobody writes a field they may not see (service staff and a need's budget).
pub(crate) fn check_visible(kind: &ActivityKind, actor: &Actor, rec: &Record) -> Result<()> {
    let viewer = kam_core::visibility::Viewer::of(actor);
    let mut errs = kam_core::FieldErrors::default();
    for (k, v) in rec {
        if !v.is_null() && !viewer.sees_field(kind.entity, k) {
            errs.add(k, "err.field_forbidden");
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(StoreError::Invalid(errs)) }
}

fn select(kind: &ActivityKind, actor: &Actor) -> Q {
    let mut q = Q::new(&format!(
        "SELECT r.id, r.account_id, a.name AS account_name, {}{}, r.created_by, u.display_name AS created_by_name, \
         r.created_at, r.updated_at FROM {} r JOIN accounts a ON a.id = r.account_id \
         LEFT JOIN users u ON u.id = r.created_by WHERE r.deleted_at IS NULL AND ",
        columns(kind.fields, "r"),
        if kind.derived.is_empty() { String::new() } else { format!(", {}", columns(kind.derived, "r")) },
        kind.table
    ));
    scope_sql(&mut q, actor, "a");
    q
}

fn read(kind: &ActivityKind, row: &sqlx::any::AnyRow) -> Result<Activity> {
    Ok(Activity {
        id: crate::sql::id(row, "id")?,
        account_id: crate::sql::id(row, "account_id")?,
        account_name: row.try_get("account_name")?,
        rec: {
            let mut rec = read_record(row, kind.fields)?;
            rec.extend(read_record(row, kind.derived)?);
            rec
        },
        created_by: crate::sql::opt_id(row, "created_by")?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Ids of linked contacts (an `IdList` field) must name contacts of the account.
async fn check_linked_contacts(
    tx: &mut crate::Tx,
    kind: &ActivityKind,
    account_id: AccountId,
    rec: &Record,
) -> Result<()> {
    for d in kind.fields.iter().filter(|d| matches!(d.kind, kam_core::Kind::IdList)) {
        let Some(ids) = rec.get(d.name).and_then(Value::as_text) else { continue };
        for id in ids.split(',').filter_map(|i| i.parse::<i64>().ok()) {
            let mut q = Q::new("SELECT COUNT(*) AS n FROM account_contacts WHERE account_id = ");
            q.arg(account_id).push(" AND contact_id = ").arg(id);
            if q.query().fetch_one(&mut **tx).await?.try_get::<i64, _>("n")? == 0 {
                return Err(StoreError::field(d.name, "err.choice"));
            }
        }
    }
    Ok(())
}

/// Derived values as extra columns of an INSERT or UPDATE.
fn derived_args(kind: &ActivityKind, derived: &Record) -> Vec<(&'static str, Arg)> {
    kind.derived
        .iter()
        .filter_map(|d| derived.get(d.name).map(|v| (d.name, crate::sql::value_arg(v, d.storage()))))
        .collect()
}

/// Where an activity kind is stored and audited.
fn target(kind: &ActivityKind) -> Target {
    Target::new(kind.table, kind.entity, kind.fields)
}

impl Store {
    /// Records of one kind the actor may see, newest first; optionally of one account.
    pub async fn list_activities(
        &self,
        kind: &ActivityKind,
        actor: &Actor,
        f: &ActivityFilter,
    ) -> Result<Page<Activity>> {
        let per_page = f.per_page.clamp(1, 200);
        let page = f.page.clamp(1, crate::sql::MAX_PAGE);
        let mut count = Q::new(&format!(
            "SELECT COUNT(*) AS n FROM {} r JOIN accounts a ON a.id = r.account_id WHERE r.deleted_at IS NULL AND ",
            kind.table
        ));
        scope_sql(&mut count, actor, "a");
        if let Some(a) = f.account_id {
            count.push(" AND r.account_id = ").arg(a);
        }
        let total: i64 = count.query().fetch_one(self.pool()).await?.try_get("n")?;
        let items = self.activity_rows(kind, actor, f.account_id, per_page, (page - 1) * per_page).await?;
        Ok(Page { items, page, per_page, total })
    }

    /// The newest records of a kind (of one account), without counting them:
    /// a page of the list, or a kind's share of the account's timeline.
    async fn activity_rows(
        &self,
        kind: &ActivityKind,
        actor: &Actor,
        account_id: Option<AccountId>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Activity>> {
        let mut q = select(kind, actor);
        if let Some(a) = account_id {
            q.push(" AND r.account_id = ").arg(a);
        }
        q.push(&format!(" ORDER BY r.{} DESC, r.id DESC LIMIT ", kind.when)).arg(limit);
        q.push(" OFFSET ").arg(offset);
        q.query().fetch_all(self.pool()).await?.iter().map(|r| read(kind, r)).collect()
    }

    /// One record, or NotFound when it or its account is out of scope.
    pub async fn activity(&self, kind: &ActivityKind, actor: &Actor, id: ActivityId) -> Result<Activity> {
        let mut q = select(kind, actor);
        q.push(" AND r.id = ").arg(id);
        read(kind, &q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)
    }

    /// Records a new activity on an account.
    pub async fn create_activity(
        &self,
        kind: &ActivityKind,
        actor: &Actor,
        account_id: AccountId,
        rec: Record,
    ) -> Result<Activity> {
        let mut tx = self.begin().await?;
        let id = self.create_activity_in(&mut tx, kind, actor, account_id, rec).await?;
        tx.commit().await?;
        self.activity(kind, actor, id).await
    }

    /// `create_activity` inside the caller's transaction; returns the new id.
    pub(crate) async fn create_activity_in(
        &self,
        tx: &mut crate::Tx,
        kind: &ActivityKind,
        actor: &Actor,
        account_id: AccountId,
        rec: Record,
    ) -> Result<ActivityId> {
        let acc = self.account_in(tx, actor, account_id).await?;
        if !actor.can_record_activity(&acc.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        StoreError::check_required(kind.fields, &rec, true)?;
        check_visible(kind, actor, &rec)?;
        let _now = self.now_text();
        check_linked_contacts(tx, kind, account_id, &rec).await?;
        let mut derived = kind.derive.map(|d| d(&rec, None)).unwrap_or_default();
        if let Some(f) = kind.hooks.handler_field {
            crate::complaints::check_handler(tx, f, &rec).await?;
        }
        if kind.hooks.contract_deadlines {
            crate::complaints::contract_deadlines(tx, account_id, &rec, &mut derived).await?;
        }
        let mut extra = derived_args(kind, &derived);
        extra.push(("account_id", account_id.into()));
        let target = target(kind);
        let also = Also { columns: &extra, changes: &created(&derived) };
        let id: ActivityId = self.insert_audited(tx, target.by(actor, Some(account_id)), &rec, also).await?;
        if kind.hooks.workflow {
            crate::complaints::record_step(tx, id, account_id, None, "received", None, &self.stamp(actor.user_id))
                .await?;
        }
        if kind.hooks.fulfils_visit_plan {
            let date = |f: &str| {
                rec.get(f).and_then(Value::as_text).and_then(|t| t.get(..10)).and_then(kam_core::time_util::parse_date)
            };
            if let Some(visited) = date("visited_at") {
                crate::visit_plans::on_visit(
                    tx,
                    account_id,
                    id,
                    visited,
                    date("next_planned"),
                    &self.stamp(actor.user_id),
                )
                .await?;
            }
        }
        crate::search::index(tx, kind.entity, id, &crate::search::record_texts(kind.entity, kind.fields, &rec)).await?;
        Ok(id)
    }

    /// Changes the named fields of a record.
    pub async fn update_activity(
        &self,
        kind: &ActivityKind,
        actor: &Actor,
        id: ActivityId,
        rec: Record,
    ) -> Result<Activity> {
        let before = self.activity(kind, actor, id).await?;
        let mut tx = self.begin().await?;
        let acc = self.account_in(&mut tx, actor, before.account_id).await?;
        if !actor.can_record_activity(&acc.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        StoreError::check_required(kind.fields, &rec, false)?;
        check_visible(kind, actor, &rec)?;
        let changed = crate::write::changed_fields(&before.rec, &rec);
        if changed.is_empty() {
            return Ok(before);
        }
        check_linked_contacts(&mut tx, kind, before.account_id, &changed).await?;
        let mut derived = kind.derive.map(|d| d(&changed, Some(&before.rec))).unwrap_or_default();
        if let Some(f) = kind.hooks.handler_field {
            crate::complaints::check_handler(&mut tx, f, &changed).await?;
        }
        if kind.hooks.contract_deadlines {
            let mut merged = before.rec.clone();
            merged.extend(changed.clone());
            crate::complaints::contract_deadlines(&mut tx, before.account_id, &merged, &mut derived).await?;
        }
        let mut merged = before.rec.clone();
        merged.extend(changed.clone());
        let (target, columns) = (target(kind), derived_args(kind, &derived));
        let also = Also { columns: &columns, changes: &fields::diff(&before.rec, &derived) };
        self.update_audited(&mut tx, target.by(actor, Some(before.account_id)), id, &before.rec, changed, also).await?;
        crate::search::index(&mut tx, kind.entity, id, &crate::search::record_texts(kind.entity, kind.fields, &merged))
            .await?;
        tx.commit().await?;
        self.activity(kind, actor, id).await
    }

    /// Deletes (archives) a record.
    pub async fn delete_activity(&self, kind: &ActivityKind, actor: &Actor, id: ActivityId) -> Result<()> {
        let mut tx = self.begin().await?;
        self.delete_activity_in(&mut tx, kind, actor, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `delete_activity` inside the caller's transaction (an import's undo).
    pub(crate) async fn delete_activity_in(
        &self,
        tx: &mut crate::Tx,
        kind: &ActivityKind,
        actor: &Actor,
        id: ActivityId,
    ) -> Result<()> {
        let mut q = select(kind, actor);
        q.push(" AND r.id = ").arg(id);
        let before = read(kind, &q.query().fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?)?;
        let acc = self.account_in(tx, actor, before.account_id).await?;
        if !actor.can_record_activity(&acc.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let target = target(kind);
        self.delete_audited(tx, target.by(actor, Some(before.account_id)), id, &before.rec, Gone::Archived, &[])
            .await?;
        crate::search::remove(tx, kind.entity, id).await?;
        Ok(())
    }
}

impl Store {
    /// Satisfaction by month (average overall score, NPS) over the surveys the
    /// actor may see, optionally of one account.
    pub async fn survey_trend(
        &self,
        actor: &Actor,
        account_id: Option<AccountId>,
    ) -> Result<Vec<kam_core::activity::SurveyMonth>> {
        use kam_core::activity::{SurveyMonth, average, nps};
        let mut q = Q::new(
            "SELECT substr(r.surveyed_on, 1, 7) AS month, COUNT(*) AS n, CAST(SUM(r.overall) AS BIGINT) AS overall_sum, \
             CAST(SUM(CASE WHEN r.nps IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS nps_n, \
             CAST(SUM(CASE WHEN r.nps >= 9 THEN 1 ELSE 0 END) AS BIGINT) AS promoters, \
             CAST(SUM(CASE WHEN r.nps <= 6 THEN 1 ELSE 0 END) AS BIGINT) AS detractors \
             FROM surveys r JOIN accounts a ON a.id = r.account_id WHERE r.deleted_at IS NULL AND ",
        );
        scope_sql(&mut q, actor, "a");
        if let Some(a) = account_id {
            q.push(" AND r.account_id = ").arg(a);
        }
        q.push(" GROUP BY substr(r.surveyed_on, 1, 7) ORDER BY month");
        let mut out = Vec::new();
        for row in q.query().fetch_all(self.pool()).await? {
            let n: i64 = row.try_get("n")?;
            let nps_n: i64 = row.try_get("nps_n")?;
            out.push(SurveyMonth {
                month: row.try_get("month")?,
                responses: n,
                average: average(row.try_get("overall_sum")?, n),
                nps: nps(row.try_get("promoters")?, row.try_get("detractors")?, nps_n),
                nps_responses: nps_n,
            });
        }
        Ok(out)
    }
}

/// The kinds a timeline holds besides the activity kinds: orders and contracts.
pub const TIMELINE_MONEY_KINDS: [&str; 2] = ["order", "contract"];

/// Whether `kind` names something a timeline holds (an activity kind, an order or a contract).
pub fn is_timeline_kind(kind: &str) -> bool {
    kam_core::activity::KINDS.iter().any(|k| k.entity == kind) || TIMELINE_MONEY_KINDS.contains(&kind)
}

/// What an entry of the timeline is.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum TimelineRecord {
    Activity(Activity),
    Order(Box<crate::orders::Order>),
    Contract(Box<crate::contracts::Contract>),
}

/// One entry of an account's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineItem {
    /// The entity name: an activity kind's (`interaction`, `service_record`, …), `order` or `contract`.
    pub kind: &'static str,
    pub id: i64,
    /// The record's date or local date-time: an activity's own, an order's
    /// date, a contract's signing date (else its start, else the day it was entered).
    pub when: String,
    pub record: TimelineRecord,
}

impl Store {
    /// Everything recorded with an account — every activity kind, orders and
    /// contracts — newest first, of the given kinds (all when empty); at most
    /// `limit` entries. Each kind is read with its own bounded query, in the
    /// reader's scope and field rules.
    pub async fn account_timeline(
        &self,
        actor: &Actor,
        account_id: AccountId,
        kinds: &[&str],
        limit: i64,
    ) -> Result<Vec<TimelineItem>> {
        self.account(actor, account_id).await?;
        let limit = limit.clamp(1, 1000);
        let wanted = |k: &str| kinds.is_empty() || kinds.contains(&k);
        let mut out = Vec::new();
        for kind in kam_core::activity::KINDS.iter().copied().filter(|k| wanted(k.entity)) {
            for a in self.activity_rows(kind, actor, Some(account_id), limit, 0).await? {
                let when = a.rec.get(kind.when).and_then(Value::as_text).unwrap_or_default().to_string();
                out.push(TimelineItem { kind: kind.entity, id: a.id.0, when, record: TimelineRecord::Activity(a) });
            }
        }
        if wanted("order") {
            let f = crate::orders::OrderFilter { account_id: Some(account_id), per_page: limit, ..Default::default() };
            for o in self.orders(actor, &f).await?.items {
                let when = o.rec.get("order_date").and_then(Value::as_text).unwrap_or_default().to_string();
                out.push(TimelineItem { kind: "order", id: o.id.0, when, record: TimelineRecord::Order(Box::new(o)) });
            }
        }
        if wanted("contract") {
            for c in self.contracts(actor, Some(account_id)).await? {
                let when = [c.text("signed_on"), c.text("valid_from")]
                    .into_iter()
                    .find(|d| !d.is_empty())
                    .unwrap_or_else(|| c.created_at.get(..10).unwrap_or_default())
                    .to_string();
                out.push(TimelineItem {
                    kind: "contract",
                    id: c.id.0,
                    when,
                    record: TimelineRecord::Contract(Box::new(c)),
                });
            }
        }
        // Dates sort before the same day's times ("2026-11-28" < "2026-11-28T09:00").
        out.sort_by(|a, b| b.when.cmp(&a.when).then_with(|| b.created_at().cmp(a.created_at())));
        out.truncate(limit as usize);
        Ok(out)
    }
}

impl TimelineItem {
    fn created_at(&self) -> &str {
        match &self.record {
            TimelineRecord::Activity(a) => &a.created_at,
            TimelineRecord::Order(o) => &o.created_at,
            TimelineRecord::Contract(c) => &c.created_at,
        }
    }
}
