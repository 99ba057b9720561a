//! Contract sheets (合同台账): each row a contract on the account its
//! `account` cell names, read by the contract form's parser and date rule,
//! recorded as a draft or, when the sheet says so, in force; a contract
//! number the company already holds, or an earlier row holds, is a duplicate.
//! An undo archives them.

use std::collections::{BTreeMap, HashMap};

use kam_core::Actor;
use kam_core::contract::{FIELDS, IMPORT_FIELDS};
use sqlx::Row;

use super::{CellError, Duplicate, Made, OnDuplicate, PlanRow, parse_cells, text, to_create_on};
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

/// The status a contract sheet records: a draft, or in force (an expired one is in force past its end).
fn recorded_status(rec: &kam_core::Record) -> &'static str {
    match rec.get("status").map(text) {
        Some("active" | "expired") => "active",
        _ => "draft",
    }
}

impl Store {
    pub(super) async fn check_contracts(
        &self,
        actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let found = self.rows_accounts(actor, input, |f| kam_core::contract::can_write(actor, f)).await?;
        let mut seen: HashMap<String, usize> = HashMap::new();
        for ((row, values), (account_id, mut errors)) in input.iter_mut().zip(found) {
            let rec = parse_cells(FIELDS, values, &mut errors);
            let extra = parse_cells(IMPORT_FIELDS, values, &mut errors);
            if extra.get("status").map(text) == Some("terminated") {
                errors.push(CellError { field: "status".into(), message: "err.choice".into() });
            }
            if errors.is_empty()
                && let Err(StoreError::Invalid(fe)) = Self::check_dates(&rec)
            {
                errors.extend(fe.0.into_iter().map(|(f, k)| CellError { field: f, message: k.into() }));
            }
            let no = rec.get("contract_no").map(text).unwrap_or_default().to_string();
            let in_file = seen.get(&no).copied().filter(|_| !no.is_empty());
            seen.entry(no).or_insert(*row);
            out.push(PlanRow {
                duplicate: in_file.map(|r| Duplicate::InFile { row: r }),
                account_id,
                ..PlanRow::new(*row, values, errors)
            });
        }
        // Contract numbers are the company's: a stored one is a duplicate (named only to who sees it).
        let numbers: Vec<String> = seen.into_keys().filter(|n| !n.is_empty()).collect();
        let mut stored: HashMap<String, (i64, bool)> = HashMap::new();
        for chunk in numbers.chunks(500) {
            let mut q = Q::new("SELECT c.id, c.contract_no, CASE WHEN ");
            q.push("EXISTS (SELECT 1 FROM accounts a WHERE a.id = c.account_id AND ");
            crate::accounts::scope_sql(&mut q, actor, "a");
            q.push(") THEN 1 ELSE 0 END AS visible FROM contracts c WHERE c.deleted_at IS NULL AND c.contract_no IN (");
            q.list(chunk.iter().cloned()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                stored.insert(r.try_get("contract_no")?, (r.try_get("id")?, r.try_get::<i64, _>("visible")? == 1));
            }
        }
        for p in out.iter_mut().filter(|p| p.duplicate.is_none()) {
            let no = p.values.get("contract_no").cloned().unwrap_or_default();
            if let Some((id, visible)) = stored.get(&no) {
                p.duplicate = Some(Duplicate::Existing { id: *id, name: visible.then_some(no) });
            }
        }
        Ok(())
    }

    pub(super) async fn commit_contract_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        p: &PlanRow,
        choice: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        if p.duplicate.is_some() && choice == OnDuplicate::Create {
            // A contract number names one contract.
            return Err(StoreError::field("contract_no", "err.duplicate_code"));
        }
        let Some(account_id) = to_create_on(p, choice)? else { return Ok(None) };
        let mut errors = Vec::new();
        let rec = parse_cells(FIELDS, &p.values, &mut errors);
        let status = recorded_status(&parse_cells(IMPORT_FIELDS, &p.values, &mut errors));
        let id = self.create_contract_in(tx, actor, account_id, rec, status).await?;
        made.push(Made { entity: "contract".into(), id: id.0, action: "created", before: None });
        Ok(Some("created"))
    }
}
