//! Contact sheets: each row a contact and its tie to the account its
//! `account` cell names; a duplicate by name and mobile (or phone).

use std::collections::{BTreeMap, HashMap};

use kam_core::{AccountId, Actor, ContactId};
use sqlx::Row;

use super::{Duplicate, Made, OnDuplicate, PlanRow, check_access, parse_cells, text, to_create_on};
use crate::sql::Q;
use crate::{Result, Store, Tx};

impl Store {
    pub(super) async fn check_contacts(
        &self,
        actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let defs = kam_core::contact::FIELDS;
        let link_defs = kam_core::contact::LINK_FIELDS;
        let refs = self.account_refs(actor, input).await?;
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        let mut keys: Vec<(String, String)> = Vec::new();
        for (row, values) in input {
            let mut errors = Vec::new();
            check_access(actor, defs, values, &mut errors);
            let rec = parse_cells(defs, values, &mut errors);
            parse_cells(link_defs, values, &mut errors);
            let account_id = refs.find(values, &mut errors);
            let name = rec.get("name").map(text).unwrap_or_default().to_string();
            let phone = rec.get("mobile").or(rec.get("phone")).map(text).unwrap_or_default().to_string();
            let key = (name, phone);
            let in_file = seen.get(&key).copied();
            seen.entry(key.clone()).or_insert(*row);
            keys.push(key);
            out.push(PlanRow {
                duplicate: in_file.map(|r| Duplicate::InFile { row: r }),
                account_id,
                ..PlanRow::new(*row, values, errors)
            });
        }
        // Against the stored contacts: the same name and mobile (or phone),
        // with whether the importer sees each (the contacts' own visibility rule), in one query per batch.
        let mut names: Vec<String> = keys.iter().map(|k| k.0.clone()).filter(|n| !n.is_empty()).collect();
        names.sort_unstable();
        names.dedup();
        let mut stored: HashMap<(String, String), (ContactId, Option<String>)> = HashMap::new();
        for chunk in names.chunks(500) {
            let mut q = Q::new("SELECT c.id, c.name, c.mobile, c.phone, CASE WHEN ");
            crate::contacts::visible_sql(&mut q, actor);
            q.push(" THEN 1 ELSE 0 END AS visible FROM contacts c WHERE c.deleted_at IS NULL AND c.name IN (");
            q.list(chunk.iter().cloned()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                let name: String = r.try_get("name")?;
                let mobile: Option<String> = r.try_get("mobile")?;
                let phone: Option<String> = r.try_get("phone")?;
                let visible = r.try_get::<i64, _>("visible")? == 1;
                let id = crate::sql::id(&r, "id")?;
                stored.insert((name.clone(), mobile.or(phone).unwrap_or_default()), (id, visible.then_some(name)));
            }
        }
        for (p, key) in out.iter_mut().zip(keys) {
            if p.duplicate.is_none()
                && let Some((id, name)) = stored.get(&key)
            {
                p.duplicate = Some(Duplicate::Existing { id: id.0, name: name.clone() });
            }
        }
        Ok(())
    }

    /// The importer's visible live accounts by exact name: name → ids.
    pub(super) async fn account_ids_by_name(
        &self,
        actor: &Actor,
        names: &[String],
    ) -> Result<HashMap<String, Vec<AccountId>>> {
        let mut out: HashMap<String, Vec<AccountId>> = HashMap::new();
        for chunk in names.chunks(500) {
            let mut q = Q::new("SELECT a.id, a.name FROM accounts a WHERE ");
            crate::accounts::scope_sql(&mut q, actor, "a");
            q.push(" AND a.name IN (");
            q.list(chunk.iter().cloned()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                out.entry(r.try_get("name")?).or_default().push(crate::sql::id(&r, "id")?);
            }
        }
        Ok(out)
    }

    pub(super) async fn commit_contact_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        p: &PlanRow,
        choice: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        let Some(account_id) = to_create_on(p, choice)? else { return Ok(None) };
        let mut errors = Vec::new();
        let rec = parse_cells(kam_core::contact::FIELDS, &p.values, &mut errors);
        let link = parse_cells(kam_core::contact::LINK_FIELDS, &p.values, &mut errors);
        let id = self.create_contact_in(tx, actor, account_id, rec, link).await?;
        made.push(Made { entity: "contact".into(), id: id.0, action: "created", before: None });
        Ok(Some("created"))
    }
}
