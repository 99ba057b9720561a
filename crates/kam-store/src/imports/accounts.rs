//! Account sheets: each row an account, read by the card's own parser; a
//! duplicate by credit code (else exact name) in the file or the database,
//! skipped, updated with the row's filled cells, or created all the same.

use std::collections::{BTreeMap, HashMap};

use kam_core::{AccountId, Actor, Record};
use sqlx::Row;

use super::{Duplicate, Made, OnDuplicate, PlanRow, check_access, parse_cells, text};
use crate::accounts::{Account, AccountInput};
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

impl Store {
    pub(super) async fn check_accounts(
        &self,
        actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let defs = kam_core::account::FIELDS;
        let mut seen_code: HashMap<String, usize> = HashMap::new();
        let mut seen_name: HashMap<String, usize> = HashMap::new();
        for (row, values) in input {
            let mut errors = Vec::new();
            check_access(actor, defs, values, &mut errors);
            let rec = parse_cells(defs, values, &mut errors);
            let code = rec.get("credit_code").map(text).filter(|c| !c.is_empty()).map(str::to_string);
            let name = rec.get("name").map(text).unwrap_or_default().to_string();
            let in_file = match &code {
                Some(c) => seen_code.get(c).copied(),
                None => seen_name.get(&name).copied(),
            };
            if let Some(c) = &code {
                seen_code.entry(c.clone()).or_insert(*row);
            }
            seen_name.entry(name.clone()).or_insert(*row);
            out.push(PlanRow {
                duplicate: in_file.map(|r| Duplicate::InFile { row: r }),
                ..PlanRow::new(*row, values, errors)
            });
        }
        // Against the stored accounts: by credit code, else by exact name, in batches.
        let codes: Vec<String> = seen_code.keys().cloned().collect();
        let names: Vec<String> = seen_name.keys().filter(|n| !n.is_empty()).cloned().collect();
        let by_code = self.accounts_by("credit_code", &codes).await?;
        let by_name = self.accounts_by("name", &names).await?;
        for p in out.iter_mut().filter(|p| p.duplicate.is_none()) {
            let code = p.values.get("credit_code").filter(|c| !c.is_empty());
            let found = match code {
                Some(c) => by_code.get(c.as_str()),
                None => p.values.get("name").and_then(|n| by_name.get(n.as_str())),
            };
            if let Some((id, name, facts)) = found {
                let visible = actor.can_read_account(facts);
                p.duplicate = Some(Duplicate::Existing { id: id.0, name: visible.then(|| name.clone()) });
            }
        }
        Ok(())
    }

    /// Live accounts whose `column` is one of `values`: value → (id, name, facts).
    pub(super) async fn accounts_by(
        &self,
        column: &str,
        values: &[String],
    ) -> Result<HashMap<String, (AccountId, String, kam_core::access::AccountFacts)>> {
        let mut out = HashMap::new();
        for chunk in values.chunks(500) {
            let mut q = Q::new(&format!(
                "SELECT a.id, a.name, a.{column} AS v, a.owner_id, u.team_id AS owner_team_id FROM accounts a \
                 LEFT JOIN users u ON u.id = a.owner_id WHERE a.deleted_at IS NULL AND a.{column} IN ("
            ));
            q.list(chunk.iter().cloned()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                let facts = kam_core::access::AccountFacts {
                    owner_id: crate::sql::opt_id(&r, "owner_id")?,
                    owner_team_id: crate::sql::opt_id(&r, "owner_team_id")?,
                    shared_with_actor: false,
                };
                out.insert(r.try_get("v")?, (crate::sql::id(&r, "id")?, r.try_get("name")?, facts));
            }
        }
        Ok(out)
    }

    pub(super) async fn commit_account_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        p: &PlanRow,
        on_duplicate: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        let mut errors = Vec::new();
        let rec = parse_cells(kam_core::account::FIELDS, &p.values, &mut errors);
        let create = p.duplicate.is_none() || on_duplicate == OnDuplicate::Create;
        if p.duplicate.is_some() && create && rec.get("credit_code").is_some_and(|c| !c.is_null()) {
            // Made twice, one code would name two accounts.
            return Err(StoreError::field("credit_code", "err.import_create_same_code"));
        }
        match p.duplicate {
            _ if create => {
                let id = self.create_account_in(tx, actor, AccountInput { rec, owner: None, parent: None }).await?;
                made.push(Made { entity: "account".into(), id: id.0, action: "created", before: None });
                Ok(Some("created"))
            }
            Some(Duplicate::InFile { .. }) => Ok(None),
            Some(Duplicate::Existing { id, .. }) if on_duplicate == OnDuplicate::Update => {
                let before: Account = self.account_in(tx, actor, AccountId(id)).await?;
                // Only the filled cells change the record; blank cells leave its values.
                let rec: Record = rec.into_iter().filter(|(_, v)| !v.is_null()).collect();
                let snapshot = serde_json::to_string(&before.rec)?;
                let input = AccountInput { rec, owner: None, parent: None };
                if self.update_account_in(tx, actor, &before, input).await? {
                    made.push(Made { entity: "account".into(), id, action: "updated", before: Some(snapshot) });
                    Ok(Some("updated"))
                } else {
                    Ok(None)
                }
            }
            Some(Duplicate::Existing { .. }) | None => Ok(None),
        }
    }
}
