//! Visit-plan sheets (附表三 拜访计划): each row an account's plan of a year,
//! its twelve planned dates, read by the plan form's rules (each date in its
//! year) on an account the importer may record on. An account that already
//! has a plan of that year is a duplicate: skipped, or its filled cells
//! written over it. An undo gives every plan its dates back.

use std::collections::{BTreeMap, HashMap};

use kam_core::visit_plan::{IMPORT_FIELDS, SLOTS};
use kam_core::{AccountId, Actor, Value};
use time::Date;

use super::{CellError, Duplicate, Made, OnDuplicate, PlanRow, parse_cells};
use crate::{Result, Store, StoreError, Tx};

fn slot(n: usize) -> String {
    format!("planned_{}", n + 1)
}

/// The row's year and its planned dates (None where the cell is blank).
fn read_plan(rec: &kam_core::Record) -> (i32, Vec<Option<Date>>) {
    let year = rec.get("year").and_then(Value::as_int).unwrap_or(0) as i32;
    let dates = (0..SLOTS)
        .map(|n| rec.get(slot(n).as_str()).and_then(Value::as_text).and_then(kam_core::time_util::parse_date))
        .collect();
    (year, dates)
}

impl Store {
    pub(super) async fn check_visit_plans(
        &self,
        actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let found = self.rows_accounts(actor, input, |f| actor.can_record_activity(f)).await?;
        let mut ids: Vec<AccountId> = found.iter().filter_map(|(a, _)| *a).collect();
        ids.sort_unstable_by_key(|i| i.0);
        ids.dedup();
        let stored = self.planned_years(&ids).await?;
        let mut seen: HashMap<(AccountId, i32), usize> = HashMap::new();
        for ((row, values), (account_id, mut errors)) in input.iter_mut().zip(found) {
            let rec = parse_cells(IMPORT_FIELDS, values, &mut errors);
            let (year, dates) = read_plan(&rec);
            for (n, d) in dates.iter().enumerate() {
                if d.is_some_and(|d| d.year() != year) {
                    errors.push(CellError { field: slot(n), message: "err.plan_year".into() });
                }
            }
            let mut duplicate = None;
            if let (Some(a), true) = (account_id, errors.is_empty()) {
                if let Some(r) = seen.get(&(a, year)) {
                    duplicate = Some(Duplicate::InFile { row: *r });
                } else {
                    seen.insert((a, year), *row);
                    if stored.contains(&(a, year)) {
                        duplicate = Some(Duplicate::Existing { id: a.0, name: Some(year.to_string()) });
                    }
                }
            }
            out.push(PlanRow { duplicate, account_id, ..PlanRow::new(*row, values, errors) });
        }
        Ok(())
    }

    pub(super) async fn commit_visit_plan_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        p: &PlanRow,
        choice: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        let over = match &p.duplicate {
            None => false,
            // One plan per account and year: written over it, or left as it is.
            Some(Duplicate::Existing { .. }) if choice != OnDuplicate::Skip => true,
            Some(_) => return Ok(None),
        };
        let account_id =
            p.account_id.ok_or(StoreError::field(kam_core::import::ACCOUNT_REF, "err.import_account_unknown"))?;
        let (year, dates) = read_plan(&parse_cells(IMPORT_FIELDS, &p.values, &mut Vec::new()));
        let before = self.visit_plan_in(tx, actor, account_id, year).await?;
        // Blank cells keep a plan's dates.
        let planned: Vec<Option<Date>> = dates.iter().zip(&before).map(|(new, old)| new.or(*old)).collect();
        let (plan, before) = self.set_visit_plan_in(tx, actor, account_id, year, &planned).await?;
        let snapshot = serde_json::to_string(&before.iter().map(|d| d.map(|d| d.to_string())).collect::<Vec<_>>())?;
        let action = if over { "updated" } else { "created" };
        made.push(Made { entity: "visit_plan".into(), id: plan, action, before: Some(snapshot) });
        Ok(Some(action))
    }

    /// The planned dates of an account's plan of a year (none planned: all None).
    async fn visit_plan_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        account_id: AccountId,
        year: i32,
    ) -> Result<Vec<Option<Date>>> {
        self.account_in(tx, actor, account_id).await?;
        let mut q = crate::sql::Q::new(
            "SELECT s.seq, s.planned_on FROM visit_plans p JOIN visit_plan_slots s ON s.plan_id = p.id WHERE p.account_id = ",
        );
        q.arg(account_id).push(" AND p.year = ").arg(i64::from(year));
        let mut out = vec![None; SLOTS];
        for r in q.query().fetch_all(&mut **tx).await? {
            use sqlx::Row;
            let seq: i64 = r.try_get("seq")?;
            let on: Option<String> = r.try_get("planned_on")?;
            if let Some(cell) = out.get_mut((seq - 1).max(0) as usize) {
                *cell = on.as_deref().and_then(kam_core::time_util::parse_date);
            }
        }
        Ok(out)
    }

    /// An import's undo of a plan: its dates back as they were.
    pub(super) async fn undo_visit_plan(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        plan: i64,
        before: Option<&str>,
    ) -> Result<()> {
        let (account_id, year) = Self::plan_of(tx, plan).await?;
        let dates: Vec<Option<String>> = before.map(serde_json::from_str).transpose()?.unwrap_or_default();
        let planned: Vec<Option<Date>> = (0..SLOTS)
            .map(|n| dates.get(n).cloned().flatten().as_deref().and_then(kam_core::time_util::parse_date))
            .collect();
        self.set_visit_plan_in(tx, actor, account_id, year, &planned).await?;
        Ok(())
    }
}
