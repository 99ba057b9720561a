//! Saved column mappings 导入模板: how one company's sheets name their
//! columns, kept under a name so the next file of the same shape maps itself.
//! A mapping is keyed by header (`import::key`), so it holds for a file whose
//! columns come in another order. Company-wide: anyone who may import the
//! kind uses it; its creator and admin replace it. Audited.

use std::collections::BTreeMap;

use kam_core::audit::Action;
use kam_core::import::{ImportKind, key};
use kam_core::{Actor, Role, UserId, Value};
use serde::Serialize;
use sqlx::Row;

use crate::audit::Entry;
use crate::sql::Q;
use crate::{Result, Store, StoreError};

/// The longest name a mapping takes.
pub const MAX_NAME: usize = 60;

#[derive(Debug, Clone, Serialize)]
pub struct Mapping {
    pub id: i64,
    pub kind: ImportKind,
    pub name: String,
    /// Header key → field ("" leaves the column out).
    pub columns: BTreeMap<String, String>,
    pub created_by: UserId,
    pub updated_at: String,
}

fn read(r: &sqlx::any::AnyRow) -> Result<Mapping> {
    let kind: String = r.try_get("kind")?;
    Ok(Mapping {
        id: r.try_get("id")?,
        kind: ImportKind::parse(&kind).ok_or(StoreError::NotFound)?,
        name: r.try_get("name")?,
        columns: serde_json::from_str(&r.try_get::<String, _>("columns")?)?,
        created_by: crate::sql::id(r, "created_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const SELECT: &str = "SELECT id, kind, name, columns, created_by, updated_at FROM import_mappings ";

impl Store {
    /// Saves the mapping of a checked import under `name` (replacing the
    /// mapping of that name the actor may change).
    pub async fn save_import_mapping(&self, actor: &Actor, import_id: i64, name: &str) -> Result<Mapping> {
        let imp = self.import(actor, import_id).await?;
        let name = kam_core::import::fold(name);
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(StoreError::field("name", if name.is_empty() { "err.required" } else { "err.too_long" }));
        }
        if !imp.kind.may(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let columns: BTreeMap<String, String> = imp
            .columns
            .iter()
            .map(|c| (key(&c.header), c.field.clone().unwrap_or_default()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        let text = serde_json::to_string(&columns)?;
        let now = self.now_text();
        let mut tx = self.begin().await?;
        let mut q = Q::new(SELECT);
        q.push("WHERE kind = ").arg(imp.kind.as_str()).push(" AND name = ").arg(name.clone());
        let id = match q.query().fetch_optional(&mut *tx).await?.as_ref().map(read).transpose()? {
            Some(old) => {
                if old.created_by != actor.user_id && actor.role != Role::Admin {
                    return Err(StoreError::field("name", "err.import_mapping_taken"));
                }
                let mut q = Q::new("UPDATE import_mappings SET columns = ");
                q.arg(text.clone()).push(", updated_at = ").arg(now).push(" WHERE id = ").arg(old.id);
                q.query().execute(&mut *tx).await?;
                let changes = [("columns", Value::Text(serde_json::to_string(&old.columns)?), Value::Text(text))];
                Entry::new(Some(actor.user_id), Action::Update, "import_mapping", old.id)
                    .changes(&changes)
                    .write(&mut tx, self.clock())
                    .await?;
                old.id
            }
            None => {
                let mut q = Q::new(
                    "INSERT INTO import_mappings (kind, name, columns, created_by, created_at, updated_at) VALUES (",
                );
                q.arg(imp.kind.as_str()).push(", ").arg(name.clone()).push(", ").arg(text.clone());
                q.push(", ").arg(actor.user_id).push(", ").arg(now.clone()).push(", ").arg(now);
                q.push(") RETURNING id");
                let id: i64 = q.query().fetch_one(&mut *tx).await?.try_get("id")?;
                let changes = [
                    ("kind", Value::Null, Value::Text(imp.kind.as_str().into())),
                    ("name", Value::Null, Value::Text(name.clone())),
                    ("columns", Value::Null, Value::Text(text)),
                ];
                Entry::new(Some(actor.user_id), Action::Create, "import_mapping", id)
                    .changes(&changes)
                    .write(&mut tx, self.clock())
                    .await?;
                id
            }
        };
        tx.commit().await?;
        let mut q = Q::new(SELECT);
        q.push("WHERE id = ").arg(id);
        read(&q.query().fetch_one(self.pool()).await?)
    }

    /// The saved mappings of the kinds the actor may import, by kind and name.
    pub async fn import_mappings(&self, actor: &Actor) -> Result<Vec<Mapping>> {
        let kinds: Vec<&str> = ImportKind::for_actor(actor).iter().map(|k| k.as_str()).collect();
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Q::new(SELECT);
        q.push("WHERE kind IN (").list(kinds).push(") ORDER BY kind, name LIMIT 500");
        q.query().fetch_all(self.pool()).await?.iter().map(read).collect()
    }

    /// One saved mapping of a kind by name.
    pub async fn import_mapping(&self, actor: &Actor, kind: ImportKind, name: &str) -> Result<Mapping> {
        if !kind.may(actor) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut q = Q::new(SELECT);
        q.push("WHERE kind = ").arg(kind.as_str()).push(" AND name = ").arg(kam_core::import::fold(name));
        q.query().fetch_optional(self.pool()).await?.as_ref().map(read).transpose()?.ok_or(StoreError::NotFound)
    }
}
