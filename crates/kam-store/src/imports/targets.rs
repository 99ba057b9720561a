//! Target sheets (销售目标): each row a rep's or a team's year, its twelve
//! months in yuan, for whom the importer may set targets (`targets::can_set`:
//! the admin everyone, a manager the team and its reps). The rep is named by
//! user name or display name, the team by its name, among those in sight. A
//! rep or team that already has targets that year is a duplicate: skipped, or
//! its filled months written over (blank months keep theirs). An undo gives
//! every row its months back.

use std::collections::{BTreeMap, HashMap, HashSet};

use kam_core::targets::{self, IMPORT_FIELDS, Level, MAX_AMOUNT};
use kam_core::{Actor, TeamId, Value};
use sqlx::Row;

use super::{CellError, Duplicate, Made, OnDuplicate, PlanRow, parse_cells};
use crate::sql::Q;
use crate::targets::target_entity;
use crate::{Result, Store, StoreError, Tx};

fn month_field(i: usize) -> String {
    format!("m{:02}", i + 1)
}

/// The row's level (blank: a rep), year and months (None where blank).
fn read_target(rec: &kam_core::Record) -> (Level, i32, [Option<i64>; 12]) {
    let level = rec.get("level").and_then(Value::as_text).and_then(Level::parse).unwrap_or(Level::Rep);
    let year = rec.get("year").and_then(Value::as_int).unwrap_or(0) as i32;
    let months = std::array::from_fn(|i| rec.get(month_field(i).as_str()).and_then(Value::as_int));
    (level, year, months)
}

impl Store {
    pub(super) async fn check_targets(
        &self,
        actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let subjects = self.target_subjects(actor).await?;
        let usernames: HashMap<i64, String> = self.users().await?.into_iter().map(|u| (u.id.0, u.username)).collect();
        // Who already has targets in the years the sheet names: one query per year.
        let mut years: Vec<i32> = input
            .iter()
            .filter_map(|(_, v)| v.get("year").and_then(|y| y.trim().parse::<i32>().ok()))
            .filter(|y| (2000..=2100).contains(y))
            .collect();
        years.sort_unstable();
        years.dedup();
        let mut stored: HashSet<(Level, i64, i32)> = HashSet::new();
        for year in years {
            let mut q = Q::new("SELECT DISTINCT level, ref_id FROM sales_targets WHERE month >= ");
            q.arg(format!("{year}-01")).push(" AND month <= ").arg(format!("{year}-12"));
            for r in q.query().fetch_all(self.pool()).await? {
                if let Some(level) = Level::parse(&r.try_get::<String, _>("level")?) {
                    stored.insert((level, r.try_get("ref_id")?, year));
                }
            }
        }
        let mut seen: HashMap<(Level, i64, i32), usize> = HashMap::new();
        for (row, values) in input {
            let mut errors = Vec::new();
            let rec = parse_cells(IMPORT_FIELDS, values, &mut errors);
            let (level, year, months) = read_target(&rec);
            for (i, m) in months.iter().enumerate() {
                if m.is_some_and(|a| !(0..=MAX_AMOUNT).contains(&a)) {
                    errors.push(CellError { field: month_field(i), message: "target.err_amount".into() });
                }
            }
            let named = rec.get("subject").and_then(Value::as_text).unwrap_or_default().trim().to_string();
            let found: Vec<_> = subjects
                .iter()
                .filter(|(l, id, name, _)| {
                    *l == level
                        && (*name == named || (level == Level::Rep && usernames.get(id).is_some_and(|u| *u == named)))
                })
                .collect();
            let mut subject_id = None;
            let refused = |key: &str| CellError { field: "subject".into(), message: key.into() };
            match found.as_slice() {
                _ if named.is_empty() => {}
                [] => errors.push(refused("err.import_target_unknown")),
                [(_, id, _, team)] if targets::can_set(actor, *team) => subject_id = Some(*id),
                [_] => errors.push(refused("err.forbidden")),
                _ => errors.push(refused("err.import_target_ambiguous")),
            }
            let mut duplicate = None;
            if let (Some(id), true) = (subject_id, errors.is_empty()) {
                if let Some(r) = seen.get(&(level, id, year)) {
                    duplicate = Some(Duplicate::InFile { row: *r });
                } else {
                    seen.insert((level, id, year), *row);
                    if stored.contains(&(level, id, year)) {
                        duplicate = Some(Duplicate::Existing { id, name: Some(format!("{named} {year}")) });
                    }
                }
            }
            out.push(PlanRow { duplicate, subject_id, ..PlanRow::new(*row, values, errors) });
        }
        Ok(())
    }

    pub(super) async fn commit_target_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        p: &PlanRow,
        choice: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        let over = match &p.duplicate {
            None => false,
            // One row of months per rep or team and year: written over, or left as it is.
            Some(Duplicate::Existing { .. }) if choice != OnDuplicate::Skip => true,
            Some(_) => return Ok(None),
        };
        let id = p.subject_id.ok_or(StoreError::field("subject", "err.import_target_unknown"))?;
        let (level, year, months) = read_target(&parse_cells(IMPORT_FIELDS, &p.values, &mut Vec::new()));
        self.may_set_target_in(tx, actor, level, id).await?;
        let before = self.target_months_in(tx, level, year, id).await?;
        // Blank months keep their targets.
        let months: [Option<i64>; 12] = std::array::from_fn(|i| months[i].or(before[i]));
        self.set_target_row_in(tx, actor, level, year, id, &months).await?;
        let action = if over { "updated" } else { "created" };
        let snapshot = serde_json::to_string(&before)?;
        made.push(Made { entity: target_entity(level, year), id, action, before: Some(snapshot) });
        Ok(Some(action))
    }

    /// Whether the actor may set the targets of the rep or team now (the
    /// rep's team read in the transaction: a move since the check counts).
    async fn may_set_target_in(&self, tx: &mut Tx, actor: &Actor, level: Level, id: i64) -> Result<()> {
        let team = match level {
            Level::Team => Some(TeamId(id)),
            Level::Rep => self.user_in(tx, kam_core::UserId(id)).await?.team_id,
        };
        if targets::can_set(actor, team) { Ok(()) } else { Err(StoreError::Forbidden("err.forbidden")) }
    }

    /// An import's undo of a row: the rep's or team's months of that year as they were.
    pub(super) async fn undo_target(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        entity: &str,
        id: i64,
        before: Option<&str>,
    ) -> Result<()> {
        // `target_rep_2026`: the level and the year.
        let mut parts = entity.split('_').skip(1);
        let level = parts.next().and_then(Level::parse).ok_or(StoreError::NotFound)?;
        let year: i32 = parts.next().and_then(|y| y.parse().ok()).ok_or(StoreError::NotFound)?;
        let months: [Option<i64>; 12] = before.map(serde_json::from_str).transpose()?.unwrap_or_default();
        self.set_target_row_in(tx, actor, level, year, id, &months).await?;
        Ok(())
    }
}
