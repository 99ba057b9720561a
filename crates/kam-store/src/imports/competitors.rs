//! Competitor sheets (竞争对手情况): each row a competitor's position at the
//! account its `account` cell names, read by the position form's parser; the
//! competitor by its exact name, added to the shared list when missing (by
//! whoever may keep that list). A position the account already holds for that
//! competitor is a duplicate, to skip or update. An undo removes the positions
//! it added, gives changed ones their fields back, and removes competitors it
//! added once no account holds them.

use std::collections::{BTreeMap, HashMap};

use kam_core::contact::POSITION_FIELDS;
use kam_core::import::COMPETITOR_REF_FIELDS;
use kam_core::{AccountId, Actor, CompetitorId, Record};
use sqlx::Row;

use super::{CellError, Duplicate, Made, OnDuplicate, PlanRow, parse_cells, text, to_create_on};
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

impl Store {
    pub(super) async fn check_competitors(
        &self,
        actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let found = self.rows_accounts(actor, input, |f| actor.can_edit_account(f)).await?;
        let names: Vec<String> = input.iter().filter_map(|(_, v)| v.get("competitor")).cloned().collect();
        let known = self.competitor_ids_by_name(&names).await?;
        let mut ids: Vec<AccountId> = found.iter().filter_map(|(a, _)| *a).collect();
        ids.sort_unstable_by_key(|i| i.0);
        ids.dedup();
        let rows: Vec<_> = input.iter_mut().zip(found).map(|((row, values), (a, e))| (*row, values, a, e)).collect();
        // The positions those accounts hold, by (account, competitor).
        let mut stored: HashMap<(AccountId, CompetitorId), i64> = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut q = Q::new("SELECT id, account_id, competitor_id FROM account_competitors WHERE account_id IN (");
            q.list(chunk.iter().copied()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                stored.insert(
                    (crate::sql::id(&r, "account_id")?, crate::sql::id(&r, "competitor_id")?),
                    r.try_get("id")?,
                );
            }
        }
        let mut seen: HashMap<(AccountId, String), usize> = HashMap::new();
        for (row, values, account_id, mut errors) in rows {
            parse_cells(POSITION_FIELDS, values, &mut errors);
            let named = parse_cells(COMPETITOR_REF_FIELDS, values, &mut errors);
            let name = named.get("competitor").map(text).unwrap_or_default().to_string();
            let competitor = known.get(&name).copied();
            if competitor.is_none() && !name.is_empty() && !actor.can_edit_competitors() {
                errors.push(CellError { field: "competitor".into(), message: "err.import_competitor_unknown".into() });
            }
            let mut duplicate = None;
            if let (Some(a), true) = (account_id, errors.is_empty()) {
                if let Some(id) = competitor.and_then(|c| stored.get(&(a, c))) {
                    duplicate = Some(Duplicate::Existing { id: *id, name: Some(name.clone()) });
                } else if let Some(r) = seen.get(&(a, name.clone())) {
                    duplicate = Some(Duplicate::InFile { row: *r });
                } else {
                    seen.insert((a, name), row);
                }
            }
            out.push(PlanRow { duplicate, account_id, ..PlanRow::new(row, values, errors) });
        }
        Ok(())
    }

    pub(super) async fn commit_competitor_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        p: &PlanRow,
        choice: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        let updating = matches!(p.duplicate, Some(Duplicate::Existing { .. })) && choice == OnDuplicate::Update;
        let account_id = match (updating, p.account_id) {
            (true, Some(a)) => a,
            (true, None) => return Err(StoreError::field(kam_core::import::ACCOUNT_REF, "err.import_account_unknown")),
            // One position per competitor and account: made again it would be the same one.
            (false, _) if p.duplicate.is_some() && choice == OnDuplicate::Create => return Ok(None),
            (false, _) => match to_create_on(p, choice)? {
                Some(a) => a,
                None => return Ok(None),
            },
        };
        let rec = parse_cells(POSITION_FIELDS, &p.values, &mut Vec::new());
        let name = p.values.get("competitor").cloned().unwrap_or_default();
        let (competitor, added) = self.competitor_named_in(tx, actor, &name).await?;
        if added {
            made.push(Made { entity: "competitor".into(), id: competitor.0, action: "created", before: None });
        }
        // Only the filled cells change a position already there.
        let rec: Record = if updating { rec.into_iter().filter(|(_, v)| !v.is_null()).collect() } else { rec };
        let (id, before) = self.set_position_in(tx, actor, account_id, competitor, rec).await?;
        match before {
            Some(b) => {
                let snapshot = serde_json::to_string(&b)?;
                made.push(Made { entity: "competitor_position".into(), id, action: "updated", before: Some(snapshot) });
                Ok(Some("updated"))
            }
            None => {
                made.push(Made { entity: "competitor_position".into(), id, action: "created", before: None });
                Ok(Some("created"))
            }
        }
    }

    /// Takes back a position or competitor the import made or changed.
    pub(super) async fn undo_competitor_record(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        entity: &str,
        id: i64,
        before: Option<&str>,
    ) -> Result<()> {
        match entity {
            "competitor_position" => {
                let before = before.map(|s| super::snapshot_record(POSITION_FIELDS, s)).transpose()?;
                self.undo_position_in(tx, actor, id, before).await
            }
            _ => self.remove_unused_competitor_in(tx, actor, CompetitorId(id)).await,
        }
    }
}
