//! Archive completeness (see `kam_core::completeness`): every check of every
//! account in the reader's scope computed in one SQL statement (1 passes, 0
//! fails, NULL does not apply), so one account's file and the team report of
//! the least complete archives read the same figures, paged in SQL.

use kam_core::AccountId;
use kam_core::Actor;
use kam_core::completeness::{CHECKS, CONTRACT_DAYS, Outcome, PROFILE, percent_of};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::{Page, scope_sql};
use crate::sql::Q;
use crate::{Result, Store, StoreError};

/// One account's archive as checked today.
#[derive(Debug, Clone, Serialize)]
pub struct Completeness {
    pub account_id: AccountId,
    pub name: String,
    pub owner_name: Option<String>,
    pub percent: i64,
    /// (check, outcome): `profile.<field>` for the card's fields, then `CHECKS`.
    pub checks: Vec<(String, Outcome)>,
    /// The work log still to be signed that names the account, if any.
    pub unsigned_worklog: Option<i64>,
}

/// `WITH checks AS (…)`: one row per account in scope with a column per check.
fn checks(q: &mut Q, actor: &Actor, today: time::Date, only: Option<AccountId>) {
    let year = i64::from(today.year());
    let month = i64::from(u8::from(today.month()));
    let first = today.replace_day(1).unwrap_or(today);
    let last_end = first - time::Duration::days(1);
    let last_period = kam_core::time_util::month_of(last_end);
    let soon = today + time::Duration::days(CONTRACT_DAYS);
    q.push("WITH checks AS (SELECT a.id, a.name, o.display_name AS owner_name");
    for f in PROFILE {
        q.push(&format!(", CASE WHEN a.{f} IS NOT NULL AND CAST(a.{f} AS TEXT) <> '' THEN 1 ELSE 0 END AS p_{f}"));
    }
    q.push(
        ", CASE WHEN EXISTS (SELECT 1 FROM account_contacts ac JOIN contacts c ON c.id = ac.contact_id AND c.deleted_at IS NULL \
         WHERE ac.account_id = a.id AND ac.buying_role = 'decision_maker') THEN 1 ELSE 0 END AS c_decision_maker",
    );
    q.push(
        ", CASE WHEN EXISTS (SELECT 1 FROM visit_plans vp JOIN visit_plan_slots vs ON vs.plan_id = vp.id \
         WHERE vp.account_id = a.id AND vs.planned_on IS NOT NULL AND vp.year = ",
    );
    q.arg(year).push(") THEN 1 ELSE 0 END AS c_visit_plan");
    q.push(
        ", CASE WHEN EXISTS (SELECT 1 FROM capability_sheets cs JOIN capability_scores cc ON cc.sheet_id = cs.id \
         WHERE cs.account_id = a.id AND cs.year = ",
    );
    q.arg(year).push(" AND cc.month = ").arg(month).push(") THEN 1 ELSE 0 END AS c_capability");
    q.push(", CASE WHEN NOT EXISTS (SELECT 1 FROM ledger_entries le WHERE le.account_id = a.id AND le.entry_date <= ");
    q.arg(last_end.to_string());
    q.push(") THEN NULL WHEN EXISTS (SELECT 1 FROM statements st WHERE st.account_id = a.id AND st.period = ");
    q.arg(last_period).push(") THEN 1 ELSE 0 END AS c_statement");
    let expiring = |q: &mut Q| {
        q.push(
            "SELECT 1 FROM contracts k WHERE k.account_id = a.id AND k.deleted_at IS NULL AND k.status = 'active' AND k.valid_to >= ",
        );
        q.arg(today.to_string()).push(" AND k.valid_to <= ").arg(soon.to_string());
    };
    q.push(", CASE WHEN NOT EXISTS (");
    expiring(q);
    q.push(") THEN NULL WHEN EXISTS (");
    expiring(q);
    q.push(
        " AND NOT EXISTS (SELECT 1 FROM contracts n WHERE n.account_id = a.id AND n.deleted_at IS NULL AND n.id <> k.id \
         AND n.status IN ('active', 'draft') AND n.valid_to > k.valid_to)) THEN 0 ELSE 1 END AS c_contract_successor",
    );
    let logged = |q: &mut Q| {
        q.push(
            "SELECT 1 FROM worklog_visits wv JOIN worklogs w ON w.id = wv.worklog_id AND w.deleted_at IS NULL \
             WHERE wv.account_id = a.id AND w.log_date < ",
        );
        q.arg(today.to_string());
    };
    q.push(", CASE WHEN NOT EXISTS (");
    logged(q);
    q.push(") THEN NULL WHEN EXISTS (");
    logged(q);
    q.push(" AND w.status <> 'approved') THEN 0 ELSE 1 END AS c_worklog_signed");
    q.push(" FROM accounts a LEFT JOIN users o ON o.id = a.owner_id WHERE ");
    scope_sql(q, actor, "a");
    if let Some(id) = only {
        q.push(" AND a.id = ").arg(id);
    }
    // The passing and applicable counts, for the order of the report.
    let cols: Vec<String> =
        PROFILE.iter().map(|f| format!("p_{f}")).chain(CHECKS.iter().map(|c| format!("c_{c}"))).collect();
    let passed = cols.iter().map(|c| format!("COALESCE({c}, 0)")).collect::<Vec<_>>().join(" + ");
    let applicable =
        cols.iter().map(|c| format!("CASE WHEN {c} IS NULL THEN 0 ELSE 1 END")).collect::<Vec<_>>().join(" + ");
    q.push(&format!("), scored AS (SELECT checks.*, {passed} AS passed, {applicable} AS applicable FROM checks) "));
}

fn read(r: &sqlx::any::AnyRow) -> Result<Completeness> {
    let mut out = Vec::new();
    let outcome = |v: Option<i64>| match v {
        None => Outcome::NotApplicable,
        Some(1) => Outcome::Pass,
        Some(_) => Outcome::Fail,
    };
    for f in PROFILE {
        out.push((format!("profile.{f}"), outcome(r.try_get(format!("p_{f}").as_str())?)));
    }
    for c in CHECKS {
        out.push((c.to_string(), outcome(r.try_get(format!("c_{c}").as_str())?)));
    }
    let outcomes: Vec<Outcome> = out.iter().map(|c| c.1).collect();
    Ok(Completeness {
        account_id: crate::sql::id(r, "id")?,
        name: r.try_get("name")?,
        owner_name: r.try_get("owner_name")?,
        percent: percent_of(&outcomes),
        checks: out,
        unsigned_worklog: None,
    })
}

impl Store {
    /// One account's archive as checked today, with the unsigned work log to link.
    pub async fn completeness(&self, actor: &Actor, id: AccountId) -> Result<Completeness> {
        let today = self.today();
        let mut q = Q::new("");
        checks(&mut q, actor, today, Some(id));
        q.push("SELECT * FROM scored");
        let row = q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut c = read(&row)?;
        if c.checks.iter().any(|(k, o)| k == "worklog_signed" && *o == Outcome::Fail) {
            let mut q = Q::new(
                "SELECT MIN(w.id) AS id FROM worklog_visits wv JOIN worklogs w ON w.id = wv.worklog_id AND w.deleted_at IS NULL \
                 WHERE w.status <> 'approved' AND wv.account_id = ",
            );
            q.arg(id).push(" AND w.log_date < ").arg(today.to_string());
            c.unsigned_worklog = q.query().fetch_one(self.pool()).await?.try_get("id")?;
        }
        Ok(c)
    }

    /// The least complete archives in the reader's scope first (then by name).
    pub async fn completeness_report(&self, actor: &Actor, page: i64, per_page: i64) -> Result<Page<Completeness>> {
        let today = self.today();
        let per_page = per_page.clamp(1, 200);
        let page = page.max(1);
        let mut q = Q::new("");
        checks(&mut q, actor, today, None);
        q.push("SELECT COUNT(*) AS n FROM scored");
        let total: i64 = q.query().fetch_one(self.pool()).await?.try_get("n")?;
        let mut q = Q::new("");
        checks(&mut q, actor, today, None);
        q.push("SELECT * FROM scored ORDER BY CASE WHEN applicable = 0 THEN 100 ELSE passed * 100 / applicable END, name, id LIMIT ");
        q.arg(per_page).push(" OFFSET ").arg((page - 1) * per_page);
        let items = q.query().fetch_all(self.pool()).await?.iter().map(read).collect::<Result<Vec<_>>>()?;
        Ok(Page { items, page, per_page, total })
    }
}
