//! One search box over accounts and contacts: names, credit codes and phone
//! numbers by any substring. Each record's searchable text is kept, in the same
//! transaction as the record, as a normalised document plus its bigram terms;
//! a query finds candidates through the term index and confirms them with LIKE.
//! Results are filtered by the actor's scope in the same SQL.

use kam_core::Actor;
use kam_core::search::{normalise, terms};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::scope_sql;
use crate::sql::{Q, like_escape};
use crate::{Result, Store, Tx};

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// `account` or `contact`
    pub entity: String,
    pub id: i64,
    pub name: String,
    /// A second line: the credit code / city of an account, the accounts of a contact.
    pub detail: Option<String>,
}

/// Replaces the search document of one record.
pub(crate) async fn index(tx: &mut Tx, entity: &str, id: i64, texts: &[Option<&str>]) -> Result<()> {
    remove(tx, entity, id).await?;
    let parts: Vec<String> = texts.iter().flatten().map(|t| normalise(t)).filter(|t| !t.is_empty()).collect();
    let doc = parts.join("|");
    let mut q = Q::new("INSERT INTO search_docs (entity, entity_id, text) VALUES (");
    q.arg(entity).push(", ").arg(id).push(", ").arg(doc).push(")");
    q.query().execute(&mut **tx).await?;
    let mut all: Vec<String> = parts.iter().flat_map(|p| terms(p)).collect();
    all.sort();
    all.dedup();
    for chunk in all.chunks(200) {
        let mut q = Q::new("INSERT INTO search_terms (entity, entity_id, term) VALUES ");
        for (i, t) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(").arg(entity).push(", ").arg(id).push(", ").arg(t.clone()).push(")");
        }
        q.query().execute(&mut **tx).await?;
    }
    Ok(())
}

pub(crate) async fn remove(tx: &mut Tx, entity: &str, id: i64) -> Result<()> {
    for table in ["search_terms", "search_docs"] {
        let mut q = Q::new(&format!("DELETE FROM {table} WHERE entity = "));
        q.arg(entity).push(" AND entity_id = ").arg(id);
        q.query().execute(&mut **tx).await?;
    }
    Ok(())
}

/// `entity_id IN (…)` candidates for the query text, as SQL appended to `q`.
fn push_candidates(q: &mut Q, entity: &str, norm: &str) {
    let ts = terms(norm);
    q.push("SELECT d.entity_id FROM search_docs d WHERE d.entity = ").arg(entity);
    if norm.chars().count() >= 2 {
        q.push(" AND d.entity_id IN (SELECT t.entity_id FROM search_terms t WHERE t.entity = ").arg(entity);
        q.push(" AND t.term IN (");
        for (i, t) in ts.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.arg(t.clone());
        }
        q.push(&format!(") GROUP BY t.entity_id HAVING COUNT(*) = {})", ts.len()));
    }
    q.push(" AND d.text LIKE ").arg(format!("%{}%", like_escape(norm))).push(" ESCAPE '\\'");
}

impl Store {
    /// Accounts and contacts matching `query`, within the actor's scope.
    pub async fn search(&self, actor: &Actor, query: &str, limit: i64) -> Result<Vec<Hit>> {
        let norm = normalise(query);
        if norm.is_empty() {
            return Ok(Vec::new());
        }
        let mut hits = Vec::new();
        let mut q = Q::new("SELECT a.id, a.name, a.credit_code, a.city FROM accounts a WHERE a.id IN (");
        push_candidates(&mut q, "account", &norm);
        q.push(") AND ");
        scope_sql(&mut q, actor, "a");
        q.push(" ORDER BY a.name LIMIT ").arg(limit);
        for row in q.query().fetch_all(self.pool()).await? {
            let code: Option<String> = row.try_get("credit_code")?;
            let city: Option<String> = row.try_get("city")?;
            let detail = [city, code].into_iter().flatten().collect::<Vec<_>>().join(" · ");
            hits.push(Hit {
                entity: "account".into(),
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                detail: (!detail.is_empty()).then_some(detail),
            });
        }
        let mut q = Q::new("SELECT c.id FROM contacts c WHERE c.deleted_at IS NULL AND c.id IN (");
        push_candidates(&mut q, "contact", &norm);
        q.push(") AND EXISTS (SELECT 1 FROM account_contacts ac JOIN accounts a ON a.id = ac.account_id ");
        q.push("WHERE ac.contact_id = c.id AND ");
        scope_sql(&mut q, actor, "a");
        q.push(") ORDER BY c.name LIMIT ").arg(limit);
        let ids: Vec<i64> = q
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        for c in self.contacts_by_ids(actor, &ids).await? {
            let accounts: Vec<&str> = c.accounts.iter().map(|l| l.account_name.as_str()).collect();
            hits.push(Hit {
                entity: "contact".into(),
                id: c.id,
                name: c.rec.get("name").and_then(kam_core::Value::as_text).unwrap_or_default().to_string(),
                detail: (!accounts.is_empty()).then(|| accounts.join("、")),
            });
        }
        Ok(hits)
    }
}
