//! One search box over accounts and contacts (names, credit codes and phone
//! numbers), contracts (number, title, notes) and the account activities
//! (the text of interactions, visits, service records, complaints, needs and
//! surveys), by any substring. Each record's searchable text is kept, in the same
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

/// The searchable texts of a record of `entity`: its general text fields
/// (never one a reader might not see), each up to `MAX_FIELD` characters.
pub(crate) fn record_texts<'a>(
    entity: &str,
    defs: &[kam_core::FieldDef],
    rec: &'a kam_core::Record,
) -> Vec<Option<&'a str>> {
    use kam_core::visibility::{Class, field_class};
    defs.iter()
        .filter(|d| matches!(d.kind, kam_core::Kind::Text(_) | kam_core::Kind::LongText))
        .filter(|d| field_class(entity, d.name) == Class::General)
        .map(|d| {
            rec.get(d.name).and_then(kam_core::Value::as_text).map(|t| match t.char_indices().nth(MAX_FIELD) {
                Some((i, _)) => &t[..i],
                None => t,
            })
        })
        .collect()
}

/// How much of one long field is indexed: the start of a note is what people
/// search by, and the index stays bounded per record.
const MAX_FIELD: usize = 500;

/// Replaces the search document of one record.
pub(crate) async fn index(tx: &mut Tx, entity: &str, id: impl Into<i64>, texts: &[Option<&str>]) -> Result<()> {
    let id: i64 = id.into();
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

pub(crate) async fn remove(tx: &mut Tx, entity: &str, id: impl Into<i64>) -> Result<()> {
    let id: i64 = id.into();
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
        q.list(ts.iter().cloned());
        q.push(&format!(") GROUP BY t.entity_id HAVING COUNT(*) = {})", ts.len()));
    }
    q.push(" AND d.text LIKE ").arg(format!("%{}%", like_escape(norm))).push(" ESCAPE '\\'");
}

impl Store {
    /// Indexes the contracts and activities written before search covered
    /// them (or by anything that bypassed the store): those without a search
    /// document, in one transaction. Run after migrating; a no-op once done.
    pub(crate) async fn index_unindexed(&self) -> Result<()> {
        let mut sources: Vec<(&str, &str, &'static [kam_core::FieldDef])> =
            vec![("contract", "contracts", kam_core::contract::FIELDS)];
        sources.extend(kam_core::activity::KINDS.iter().map(|k| (k.entity, k.table, k.fields)));
        let mut tx = self.begin().await?;
        for (entity, table, fields) in sources {
            let mut q = Q::new(&format!(
                "SELECT r.id, {} FROM {table} r WHERE r.deleted_at IS NULL AND NOT EXISTS \
                 (SELECT 1 FROM search_docs d WHERE d.entity_id = r.id AND d.entity = ",
                crate::sql::columns(fields, "r")
            ));
            q.arg(entity).push(")");
            for row in q.query().fetch_all(&mut *tx).await? {
                let rec = crate::sql::read_record(&row, fields)?;
                index(&mut tx, entity, row.try_get::<i64, _>("id")?, &record_texts(entity, fields, &rec)).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

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
        let ids: Vec<kam_core::ContactId> =
            q.query().fetch_all(self.pool()).await?.iter().map(|r| crate::sql::id(r, "id")).collect::<Result<_>>()?;
        for c in self.contacts_by_ids(actor, &ids).await? {
            let accounts: Vec<&str> = c.accounts.iter().map(|l| l.account_name.as_str()).collect();
            hits.push(Hit {
                entity: "contact".into(),
                id: c.id.0,
                name: c.rec.get("name").and_then(kam_core::Value::as_text).unwrap_or_default().to_string(),
                detail: (!accounts.is_empty()).then(|| accounts.join("、")),
            });
        }
        // Contracts and activities: within the account scope, newest first.
        let mut sources: Vec<(&str, &str, &str, &str)> = vec![("contract", "contracts", "title", "signed_on")];
        sources.extend(kam_core::activity::KINDS.iter().map(|k| (k.entity, k.table, k.title, k.when)));
        for (entity, table, title, when) in sources {
            let mut q = Q::new(&format!(
                "SELECT r.id, r.{title} AS title, r.{when} AS at, a.name AS account_name FROM {table} r \
                 JOIN accounts a ON a.id = r.account_id WHERE r.deleted_at IS NULL AND r.id IN ("
            ));
            push_candidates(&mut q, entity, &norm);
            q.push(") AND ");
            scope_sql(&mut q, actor, "a");
            q.push(&format!(" ORDER BY r.{when} DESC, r.id DESC LIMIT ")).arg(limit);
            for row in q.query().fetch_all(self.pool()).await? {
                let at: Option<String> = row.try_get("at")?;
                let account: String = row.try_get("account_name")?;
                let title: Option<String> = row.try_get("title")?;
                let detail =
                    [Some(account), at.map(|a| a.replacen('T', " ", 1))].into_iter().flatten().collect::<Vec<_>>();
                hits.push(Hit {
                    entity: entity.into(),
                    id: row.try_get("id")?,
                    name: title.unwrap_or_default().chars().take(80).collect(),
                    detail: Some(detail.join(" · ")),
                });
            }
        }
        Ok(hits)
    }
}
