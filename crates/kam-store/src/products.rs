//! Products 产品: the price list orders are written from.

use crate::error::unique;
use crate::write::{Also, Target};
use kam_core::ProductId;
use kam_core::order::{PRODUCT_FIELDS as FIELDS, can_edit_products};
use kam_core::{Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;

use crate::sql::{Q, columns, read_record};
use crate::{Result, Store, StoreError, Tx};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Product {
    pub id: ProductId,
    #[serde(flatten)]
    pub rec: Record,
    pub created_at: String,
    pub updated_at: String,
}

impl Product {
    pub fn text(&self, f: &str) -> &str {
        self.rec.get(f).and_then(Value::as_text).unwrap_or_default()
    }
    pub fn active(&self) -> bool {
        matches!(self.rec.get("active"), Some(Value::Bool(true)))
    }
}

fn read(r: &sqlx::any::AnyRow) -> Result<Product> {
    Ok(Product {
        id: crate::sql::id(r, "id")?,
        rec: read_record(r, FIELDS)?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn select() -> Q {
    Q::new(&format!("SELECT p.id, {}, p.created_at, p.updated_at FROM products p ", columns(FIELDS, "p")))
}

const TARGET: Target = Target::catalogue("products", "product", FIELDS);

fn unique_code(e: StoreError) -> StoreError {
    e.on_constraint(&unique::PRODUCT_CODE, || StoreError::field("code", "err.duplicate_code"))
}

impl Store {
    /// The product list by code; only active products unless `all`.
    pub async fn products(&self, all: bool) -> Result<Vec<Product>> {
        let mut q = select();
        if !all {
            q.push("WHERE p.active = 1 ");
        }
        q.push("ORDER BY p.code");
        q.query().fetch_all(self.pool()).await?.iter().map(read).collect()
    }

    pub async fn product(&self, id: ProductId) -> Result<Product> {
        let mut q = select();
        q.push("WHERE p.id = ").arg(id);
        read(&q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)
    }

    /// One product, read inside the caller's transaction.
    pub(crate) async fn product_in(tx: &mut crate::Tx, id: ProductId) -> Result<Product> {
        let mut q = select();
        q.push("WHERE p.id = ").arg(id);
        read(&q.query().fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?)
    }

    pub async fn create_product(&self, actor: &Actor, rec: Record) -> Result<Product> {
        let mut tx = self.begin().await?;
        let id = self.create_product_in(&mut tx, actor, rec).await?;
        tx.commit().await?;
        self.product(id).await
    }

    /// Adds a product in the caller's transaction (the form's and the import's write).
    pub(crate) async fn create_product_in(&self, tx: &mut Tx, actor: &Actor, mut rec: Record) -> Result<ProductId> {
        if !can_edit_products(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        StoreError::check_required(FIELDS, &rec, true)?;
        if rec.get("tax_rate").is_none_or(Value::is_null) {
            rec.insert("tax_rate", Value::Float(kam_core::order::DEFAULT_TAX_RATE));
        }
        if rec.get("active").is_none_or(Value::is_null) {
            rec.insert("active", Value::Bool(true));
        }
        self.insert_audited(tx, TARGET.by(actor, None), &rec, Also::default()).await.map_err(unique_code)
    }

    pub async fn update_product(&self, actor: &Actor, id: ProductId, rec: Record) -> Result<Product> {
        let before = self.product(id).await?;
        let mut tx = self.begin().await?;
        if !self.update_product_in(&mut tx, actor, &before, rec).await? {
            return Ok(before);
        }
        tx.commit().await?;
        self.product(id).await
    }

    /// Writes `rec` over a product in the caller's transaction; false when nothing changed.
    pub(crate) async fn update_product_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        before: &Product,
        rec: Record,
    ) -> Result<bool> {
        if !can_edit_products(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        StoreError::check_required(FIELDS, &rec, false)?;
        let written =
            self.update_audited(tx, TARGET.by(actor, None), before.id, &before.rec, rec, Also::default()).await;
        Ok(written.map_err(unique_code)?.is_some())
    }

    /// Products whose code or exact name is one of `refs`, a batch per query.
    pub(crate) async fn products_by_ref(&self, refs: &[String]) -> Result<ProductRefs> {
        let mut out = ProductRefs::default();
        for chunk in refs.chunks(500) {
            let mut q = select();
            q.push("WHERE p.code IN (").list(chunk.iter().cloned()).push(") OR p.name IN (");
            q.list(chunk.iter().cloned()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                let p = read(&r)?;
                out.by_code.insert(p.text("code").to_string(), (p.id, p.active()));
                let name = out.by_name.entry(p.text("name").to_string()).or_insert(Some((p.id, p.active())));
                if name.is_some_and(|(id, _)| id != p.id) {
                    *name = None;
                }
            }
        }
        Ok(out)
    }
}

/// Products found by code and by name: (id, on sale); a name two products
/// share is `None`.
#[derive(Default)]
pub(crate) struct ProductRefs {
    pub by_code: HashMap<String, (ProductId, bool)>,
    pub by_name: HashMap<String, Option<(ProductId, bool)>>,
}
