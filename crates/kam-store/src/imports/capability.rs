//! Score sheets (附表六 as rows): each row one account's month of a year,
//! a column per factor scored 1–4, read by the sheet form's rules (a month
//! not in the future, an account the importer may score). A month already
//! scored is a duplicate: skipped, or the row's filled cells written over it
//! (blank cells keep their scores). An undo gives each month its scores back.

use std::collections::{BTreeMap, HashMap, HashSet};

use kam_core::capability::{self, Column, FACTOR_KEYS, IMPORT_FIELDS};
use kam_core::{AccountId, Actor, Value};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{CellError, Duplicate, Made, OnDuplicate, PlanRow, parse_cells};
use crate::capability::last_month;
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

/// A month's scores before an import wrote it, for the undo.
#[derive(Serialize, Deserialize)]
struct Before {
    month: usize,
    column: Column,
}

/// The row's year, month and scores (None where blank or not 1–4).
fn read_scores(rec: &kam_core::Record) -> (i32, usize, Column) {
    let int = |f: &str| rec.get(f).and_then(Value::as_int);
    let year = int("year").unwrap_or(0) as i32;
    let month = int("month").unwrap_or(0) as usize;
    let column = std::array::from_fn(|i| int(FACTOR_KEYS[i]).and_then(|s| u8::try_from(s).ok()));
    (year, month, column)
}

impl Store {
    pub(super) async fn check_capability(
        &self,
        actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let found = self.rows_accounts(actor, input, |f| capability::can_score(actor, f)).await?;
        let mut ids: Vec<AccountId> = found.iter().filter_map(|(a, _)| *a).collect();
        ids.sort_unstable_by_key(|i| i.0);
        ids.dedup();
        let stored = self.scored_months(&ids).await?;
        let today = self.today();
        let mut seen: HashMap<(AccountId, i32, usize), usize> = HashMap::new();
        for ((row, values), (account_id, mut errors)) in input.iter_mut().zip(found) {
            let rec = parse_cells(IMPORT_FIELDS, values, &mut errors);
            let (year, month, column) = read_scores(&rec);
            if errors.is_empty() && last_month(year, today).is_none_or(|last| month > last) {
                errors.push(CellError { field: "month".into(), message: "capability.err_future".into() });
            }
            if errors.is_empty() && column.iter().all(Option::is_none) {
                errors.push(CellError { field: FACTOR_KEYS[0].into(), message: "err.required".into() });
            }
            let mut duplicate = None;
            if let (Some(a), true) = (account_id, errors.is_empty()) {
                if let Some(r) = seen.get(&(a, year, month)) {
                    duplicate = Some(Duplicate::InFile { row: *r });
                } else {
                    seen.insert((a, year, month), *row);
                    if stored.contains(&(a, year, month)) {
                        duplicate = Some(Duplicate::Existing { id: a.0, name: Some(format!("{year}-{month:02}")) });
                    }
                }
            }
            out.push(PlanRow { duplicate, account_id, ..PlanRow::new(*row, values, errors) });
        }
        Ok(())
    }

    /// The months with any score of the accounts' sheets: (account, year, month).
    async fn scored_months(&self, ids: &[AccountId]) -> Result<HashSet<(AccountId, i32, usize)>> {
        let mut out = HashSet::new();
        for chunk in ids.chunks(200) {
            let mut q = Q::new(
                "SELECT DISTINCT s.account_id, s.year, c.month FROM capability_sheets s \
                 JOIN capability_scores c ON c.sheet_id = s.id WHERE s.account_id IN (",
            );
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.arg(*id);
            }
            q.push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                let account: AccountId = crate::sql::id(&r, "account_id")?;
                out.insert((account, r.try_get::<i64, _>("year")? as i32, r.try_get::<i64, _>("month")? as usize));
            }
        }
        Ok(out)
    }

    pub(super) async fn commit_capability_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        p: &PlanRow,
        choice: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        let over = match &p.duplicate {
            None => false,
            // One column per account and month: written over, or left as it is.
            Some(Duplicate::Existing { .. }) if choice != OnDuplicate::Skip => true,
            Some(_) => return Ok(None),
        };
        let account_id =
            p.account_id.ok_or(StoreError::field(kam_core::import::ACCOUNT_REF, "err.import_account_unknown"))?;
        let (year, month, column) = read_scores(&parse_cells(IMPORT_FIELDS, &p.values, &mut Vec::new()));
        let stored = self.capability_month_in(tx, account_id, year, month).await?;
        // Blank cells keep their scores.
        let column: Column = std::array::from_fn(|i| column[i].or(stored[i]));
        let (sheet, before) = self.set_capability_month_in(tx, actor, account_id, year, month, &column).await?;
        let action = if over { "updated" } else { "created" };
        let snapshot = serde_json::to_string(&Before { month, column: before })?;
        made.push(Made { entity: "capability".into(), id: sheet, action, before: Some(snapshot) });
        Ok(Some(action))
    }

    /// An import's undo of a month: its scores as they were.
    pub(super) async fn undo_capability(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        sheet: i64,
        before: Option<&str>,
    ) -> Result<()> {
        let before: Before = serde_json::from_str(before.unwrap_or_default())?;
        let (account_id, year) = Self::capability_sheet_of(tx, sheet).await?;
        self.set_capability_month_in(tx, actor, account_id, year, before.month, &before.column).await?;
        Ok(())
    }
}
