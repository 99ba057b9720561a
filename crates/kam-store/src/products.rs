//! Products 产品: the price list orders are written from.

use crate::error::unique;
use crate::write::{Also, Target};
use kam_core::ProductId;
use kam_core::order::{PRODUCT_FIELDS as FIELDS, can_edit_products};
use kam_core::{Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;

use crate::sql::{Q, columns, read_record};
use crate::{Result, Store, StoreError};

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

    pub async fn create_product(&self, actor: &Actor, mut rec: Record) -> Result<Product> {
        if !can_edit_products(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        StoreError::check_required(FIELDS, &rec, true)?;
        if rec.get("tax_rate").is_none_or(Value::is_null) {
            rec.insert("tax_rate", Value::Float(kam_core::order::DEFAULT_TAX_RATE));
        }
        if !rec.contains_key("active") {
            rec.insert("active", Value::Bool(true));
        }
        let mut tx = self.begin().await?;
        let id =
            self.insert_audited(&mut tx, TARGET.by(actor, None), &rec, Also::default()).await.map_err(unique_code)?;
        tx.commit().await?;
        self.product(id).await
    }

    pub async fn update_product(&self, actor: &Actor, id: ProductId, rec: Record) -> Result<Product> {
        if !can_edit_products(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let before = self.product(id).await?;
        StoreError::check_required(FIELDS, &rec, false)?;
        let mut tx = self.begin().await?;
        let written = self.update_audited(&mut tx, TARGET.by(actor, None), id, &before.rec, rec, Also::default()).await;
        if written.map_err(unique_code)?.is_none() {
            return Ok(before);
        }
        tx.commit().await?;
        self.product(id).await
    }
}
