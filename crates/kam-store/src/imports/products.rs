//! Product sheets (产品目录): each row a product, read by the product form's
//! own parser; a duplicate by product code, in the file or the database,
//! skipped, updated with the row's filled cells, or refused when made again
//! (a code names one product). An undo takes a product it added off sale
//! (orders may stand on it) and gives one it changed its values back.

use std::collections::{BTreeMap, HashMap};

use kam_core::order::PRODUCT_FIELDS;
use kam_core::{Actor, ProductId, Record};

use super::{Duplicate, Made, OnDuplicate, PlanRow, parse_cells, text};
use crate::{Result, Store, StoreError, Tx};

impl Store {
    pub(super) async fn check_products(
        &self,
        _actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (row, values) in input {
            let mut errors = Vec::new();
            let rec = parse_cells(PRODUCT_FIELDS, values, &mut errors);
            let code = rec.get("code").map(text).unwrap_or_default().to_string();
            let in_file = seen.get(&code).copied().filter(|_| !code.is_empty());
            seen.entry(code).or_insert(*row);
            out.push(PlanRow {
                duplicate: in_file.map(|r| Duplicate::InFile { row: r }),
                ..PlanRow::new(*row, values, errors)
            });
        }
        let codes: Vec<String> = seen.into_keys().filter(|c| !c.is_empty()).collect();
        let stored = self.products_by_ref(&codes).await?;
        for p in out.iter_mut().filter(|p| p.duplicate.is_none()) {
            let code = p.values.get("code").map(String::as_str).unwrap_or_default();
            if let Some((id, _)) = stored.by_code.get(code) {
                p.duplicate = Some(Duplicate::Existing { id: id.0, name: Some(code.to_string()) });
            }
        }
        Ok(())
    }

    pub(super) async fn commit_product_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        p: &PlanRow,
        on_duplicate: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        let rec = parse_cells(PRODUCT_FIELDS, &p.values, &mut Vec::new());
        match p.duplicate {
            None => {
                let id = self.create_product_in(tx, actor, rec).await?;
                made.push(Made { entity: "product".into(), id: id.0, action: "created", before: None });
                Ok(Some("created"))
            }
            Some(_) if on_duplicate == OnDuplicate::Create => Err(StoreError::field("code", "err.duplicate_code")),
            Some(Duplicate::Existing { id, .. }) if on_duplicate == OnDuplicate::Update => {
                let before = Self::product_in(tx, ProductId(id)).await?;
                let rec: Record = rec.into_iter().filter(|(_, v)| !v.is_null()).collect();
                let snapshot = serde_json::to_string(&before.rec)?;
                if self.update_product_in(tx, actor, &before, rec).await? {
                    made.push(Made { entity: "product".into(), id, action: "updated", before: Some(snapshot) });
                    Ok(Some("updated"))
                } else {
                    Ok(None)
                }
            }
            Some(_) => Ok(None),
        }
    }

    /// Takes back what an import did to a product: one it added goes off
    /// sale, one it changed gets the values it had.
    pub(super) async fn undo_product(&self, tx: &mut Tx, actor: &Actor, id: i64, before: Option<&str>) -> Result<()> {
        let found = Self::product_in(tx, ProductId(id)).await?;
        let mut rec = Record::new();
        match before {
            None => {
                rec.insert("active", kam_core::Value::Bool(false));
            }
            Some(snapshot) => rec = super::snapshot_record(PRODUCT_FIELDS, snapshot)?,
        }
        self.update_product_in(tx, actor, &found, rec).await?;
        Ok(())
    }
}
