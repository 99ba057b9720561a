//! Activity sheets (联系记录, 拜访记录, 服务记录, 投诉, 需求分析, 满意度调查):
//! each row one record of the kind on the account its `account` cell names,
//! read by the kind's own parser and field rules; the importer must be one who
//! may record activities on that account. A row the account already holds
//! (same kind, time and title) or an earlier row holds is a duplicate. An undo
//! archives the records, as deleting one on its page does.

use std::collections::{BTreeMap, HashMap};

use kam_core::activity::ActivityKind;
use kam_core::{AccountId, Actor};
use sqlx::Row;

use super::{CellError, Duplicate, Made, OnDuplicate, PlanRow, parse_cells, text, to_create_on};
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

/// What makes two records of a kind the same: account, time, title.
type Key = (AccountId, String, String);

impl Store {
    pub(super) async fn check_activities(
        &self,
        kind: &'static ActivityKind,
        actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let found = self.rows_accounts(actor, input, |f| actor.can_record_activity(f)).await?;
        let mut ids: Vec<AccountId> = found.iter().filter_map(|(a, _)| *a).collect();
        ids.sort_unstable_by_key(|i| i.0);
        ids.dedup();
        let rows: Vec<_> = input.iter_mut().zip(found).map(|((row, values), (a, e))| (*row, values, a, e)).collect();
        let mut keys = Vec::with_capacity(rows.len());
        for (row, values, account_id, mut errors) in rows {
            let rec = parse_cells(kind.fields, values, &mut errors);
            if let Err(StoreError::Invalid(fe)) = crate::activity::check_visible(kind, actor, &rec) {
                errors.extend(fe.0.into_iter().map(|(f, k)| CellError { field: f, message: k.into() }));
            }
            let key = account_id.map(|a| {
                let t = |f: &str| rec.get(f).map(text).unwrap_or_default().to_string();
                (a, t(kind.when), t(kind.title))
            });
            keys.push(key);
            out.push(PlanRow { account_id, ..PlanRow::new(row, values, errors) });
        }
        // Against the stored records of those accounts within the sheet's times, a batch per query.
        let times: Vec<&str> = keys.iter().flatten().map(|k| k.1.as_str()).filter(|t| !t.is_empty()).collect();
        let (from, to) =
            (times.iter().min().copied().unwrap_or_default(), times.iter().max().copied().unwrap_or_default());
        let mut stored: HashMap<Key, i64> = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut q = Q::new(&format!(
                "SELECT id, account_id, {when} AS w, {title} AS t FROM {table} WHERE deleted_at IS NULL AND {when} BETWEEN ",
                when = kind.when,
                title = kind.title,
                table = kind.table
            ));
            q.arg(from).push(" AND ").arg(to).push(" AND account_id IN (").list(chunk.iter().copied()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                let t = |c: &str| -> Result<String> { Ok(r.try_get::<Option<String>, _>(c)?.unwrap_or_default()) };
                stored.insert((crate::sql::id(&r, "account_id")?, t("w")?, t("t")?), r.try_get("id")?);
            }
        }
        let mut seen: HashMap<Key, usize> = HashMap::new();
        for (p, key) in out.iter_mut().zip(keys) {
            let Some(key) = key.filter(|_| p.errors.is_empty()) else { continue };
            if let Some(id) = stored.get(&key) {
                p.duplicate = Some(Duplicate::Existing { id: *id, name: Some(key.2.clone()) });
            } else if let Some(r) = seen.get(&key) {
                p.duplicate = Some(Duplicate::InFile { row: *r });
            } else {
                seen.insert(key, p.row);
            }
        }
        Ok(())
    }

    pub(super) async fn commit_activity_row(
        &self,
        tx: &mut Tx,
        kind: &'static ActivityKind,
        actor: &Actor,
        p: &PlanRow,
        choice: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        let Some(account_id) = to_create_on(p, choice)? else { return Ok(None) };
        let rec = parse_cells(kind.fields, &p.values, &mut Vec::new());
        let id = self.create_activity_in(tx, kind, actor, account_id, rec).await?;
        made.push(Made { entity: kind.entity.into(), id: id.0, action: "created", before: None });
        Ok(Some("created"))
    }
}
