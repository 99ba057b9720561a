//! Imports of customer workbooks: checked first (every row read by the form's
//! own parser, duplicates found in the file and in the database), kept, then
//! committed as one transaction through the records' own write paths, and
//! undone as one while nothing newer stands on what they created.
//!
//! The file is read and its cells turned into form text by the web layer
//! (which knows the choices' labels); this module gets the rows as
//! `field → text` and owns everything after.

use std::collections::{BTreeMap, HashMap};

use kam_core::audit::Action;
use kam_core::fields::{self, FieldDef, Raw};
use kam_core::import::{ACCOUNT_REF, Column, ImportKind};
use kam_core::{AccountId, Actor, ContactId, EntryId, OrderId, ProductId, Record, Role, UserId, Value};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::accounts::AccountInput;
use crate::audit::Entry;
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

mod accounts;
mod activities;
mod capability;
mod competitors;
mod contacts;
mod contracts;
mod ledger;
pub mod mappings;
mod orders;
mod products;
mod targets;
mod visit_plans;

/// What a checked file holds: where it came from and its rows as form text.
#[derive(Debug, Clone)]
pub struct ImportInput {
    pub kind: ImportKind,
    pub file_name: String,
    pub sha256: String,
    pub sheet: Option<String>,
    pub columns: Vec<Column>,
    /// (sheet row number, field → the text the form would get).
    pub rows: Vec<(usize, BTreeMap<String, String>)>,
}

/// A refused cell: the field and the message key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellError {
    pub field: String,
    pub message: String,
}

/// A row that names a record already there, or one an earlier row of the file names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case")]
pub enum Duplicate {
    /// A stored record (its name only when the importer may see it).
    Existing { id: i64, name: Option<String> },
    /// An earlier row of this file (its sheet row number).
    InFile { row: usize },
}

/// One data row of the file as checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanRow {
    pub row: usize,
    pub values: BTreeMap<String, String>,
    pub errors: Vec<CellError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<Duplicate>,
    /// For a contact, an entry or an order: the account its `account` cell names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    /// For an order's second and later lines: the sheet row of its first line,
    /// which carries the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_of: Option<usize>,
    /// For an order line: the product its `product` cell names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<ProductId>,
    /// For a target row: the rep's or the team's id its `subject` cell names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_id: Option<i64>,
}

impl PlanRow {
    /// A row as read, with its refused cells; no duplicate, account or order
    /// yet. Its cells move over from the file's row (read last), which keeps none.
    fn new(row: usize, values: &mut BTreeMap<String, String>, errors: Vec<CellError>) -> Self {
        PlanRow {
            row,
            values: std::mem::take(values),
            errors,
            duplicate: None,
            account_id: None,
            line_of: None,
            product_id: None,
            subject_id: None,
        }
    }
}

/// What a committed import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub refused: i64,
}

/// What to do with a row that names an existing record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// Leave the stored record as it is.
    Skip,
    /// Write the row's filled cells over it (accounts; elsewhere a skip).
    Update,
    /// Make a new record all the same (an account with a credit code cannot
    /// be made twice: refused, naming the row).
    Create,
}

impl OnDuplicate {
    pub const ALL: [OnDuplicate; 3] = [OnDuplicate::Skip, OnDuplicate::Update, OnDuplicate::Create];

    pub fn as_str(self) -> &'static str {
        match self {
            OnDuplicate::Skip => "skip",
            OnDuplicate::Update => "update",
            OnDuplicate::Create => "create",
        }
    }

    pub fn parse(s: &str) -> Option<OnDuplicate> {
        OnDuplicate::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The choice for each duplicate row: one for all, and by sheet row number
/// over it (the check page's choice per row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    pub default: Option<OnDuplicate>,
    pub rows: BTreeMap<usize, OnDuplicate>,
}

impl Choices {
    pub fn of(&self, row: usize) -> OnDuplicate {
        self.rows.get(&row).copied().or(self.default).unwrap_or(OnDuplicate::Skip)
    }
}

impl From<OnDuplicate> for Choices {
    fn from(d: OnDuplicate) -> Self {
        Choices { default: Some(d), rows: BTreeMap::new() }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Import {
    pub id: i64,
    pub kind: ImportKind,
    pub file_name: String,
    pub sha256: String,
    pub sheet: Option<String>,
    /// checked | committed | undone
    pub status: String,
    pub columns: Vec<Column>,
    /// The first `ROWS_WINDOW` rows (`Store::import_rows` reads the others).
    pub rows: Vec<PlanRow>,
    pub total_rows: i64,
    pub bad_rows: i64,
    pub duplicate_rows: i64,
    pub counts: Option<Counts>,
    pub created_by: UserId,
    pub created_at: String,
    pub committed_at: Option<String>,
    pub undone_at: Option<String>,
}

/// How far a running commit has come, or why it failed (field key → message
/// key, as `row_error` names them) once it has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<BTreeMap<String, String>>,
}

/// The running commits of this process, by import id.
#[derive(Debug, Clone, Default)]
pub struct ProgressBoard(std::sync::Arc<std::sync::Mutex<HashMap<i64, Progress>>>);

impl ProgressBoard {
    fn set(&self, id: i64, p: Progress) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(id, p);
        }
    }
    /// Marks a commit as started, unless one of this import is running already.
    fn begin(&self, id: i64, total: usize) -> bool {
        let Ok(mut m) = self.0.lock() else { return false };
        if m.get(&id).is_some_and(|p| p.failed.is_none()) {
            return false;
        }
        m.insert(id, Progress { done: 0, total, failed: None });
        true
    }
    fn clear(&self, id: i64) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(&id);
        }
    }
    fn get(&self, id: i64) -> Option<Progress> {
        self.0.lock().ok().and_then(|m| m.get(&id).cloned())
    }
}

/// How often a commit tells how far it has come.
const PROGRESS_EVERY: usize = 250;

/// The most rows an import answers with at once (`import`, `import_rows`).
pub const ROWS_WINDOW: usize = 1000;
/// Rows a commit reads at once.
const READ_BATCH: usize = 500;
/// Rows one INSERT writes.
const WRITE_BATCH: usize = 200;

/// Which of an import's rows to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFilter {
    All,
    /// The rows with refused cells.
    Bad,
    /// The rows without.
    Good,
    /// The good rows that name an existing record or an earlier row.
    Duplicate,
}

/// `SELECT plan FROM import_rows WHERE …` for one import's rows of `filter`.
fn rows_query(id: i64, filter: RowFilter) -> Q {
    let mut q = Q::new("SELECT plan FROM import_rows WHERE import_id = ");
    q.arg(id);
    q.push(match filter {
        RowFilter::All => "",
        RowFilter::Bad => " AND bad = 1",
        RowFilter::Good => " AND bad = 0",
        RowFilter::Duplicate => " AND bad = 0 AND duplicate = 1",
    });
    q
}

fn plan_row(r: &sqlx::any::AnyRow) -> Result<PlanRow> {
    Ok(serde_json::from_str(&r.try_get::<String, _>("plan")?)?)
}

/// A record created or changed by a committed import.
struct Made {
    entity: String,
    id: i64,
    action: &'static str,
    before: Option<String>,
}

/// Who may import what: the roles that create the records (`ImportKind::may`).
fn check_may(actor: &Actor, kind: ImportKind) -> Result<()> {
    if kind.may(actor) { Ok(()) } else { Err(StoreError::Forbidden("err.forbidden")) }
}

/// Reads one row's cells for `defs` with the form's parser.
fn parse_cells(defs: &'static [FieldDef], values: &BTreeMap<String, String>, errors: &mut Vec<CellError>) -> Record {
    let mut rec = Record::new();
    for def in defs {
        if values.get(def.name).is_some_and(|v| DEFAULTS.contains(&(def.name, v.as_str()))) {
            continue;
        }
        // A blank cell gives nothing (the record keeps or defaults the field).
        let text = values.get(def.name).map(String::as_str).filter(|t| !t.trim().is_empty() || def.required);
        match text {
            Some(t) => match fields::parse(def, Raw::Form(t)) {
                Ok(v) => {
                    rec.insert(def.name, v);
                }
                Err(m) => errors.push(CellError { field: def.name.into(), message: m.into() }),
            },
            None if def.required => errors.push(CellError { field: def.name.into(), message: "err.required".into() }),
            None => {}
        }
    }
    rec
}

/// Values a record gets anyway: naming them is no write (an exported sheet
/// carries the account's currency, which a rep may see but not set).
const DEFAULTS: &[(&str, &str)] = &[("currency", "CNY")];

/// Fields the actor may not write are refused cell by cell, as on the form.
fn check_access(actor: &Actor, defs: &[FieldDef], values: &BTreeMap<String, String>, errors: &mut Vec<CellError>) {
    let given =
        |d: &&FieldDef| values.get(d.name).is_some_and(|v| !v.is_empty() && !DEFAULTS.contains(&(d.name, v.as_str())));
    for def in defs.iter().filter(given) {
        if !actor.can_write_field(def.access) {
            errors.push(CellError { field: def.name.into(), message: "err.field_forbidden".into() });
        }
    }
}

/// A record as an import's snapshot kept it (its `before`), field by field
/// through the registry's JSON parser, for an undo to write back.
fn snapshot_record(defs: &[FieldDef], snapshot: &str) -> Result<Record> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(snapshot)?;
    let mut rec = Record::new();
    for def in defs {
        let v = map.get(def.name).cloned().unwrap_or(serde_json::Value::Null);
        if let Ok(v) = fields::parse(def, Raw::Json(&v)) {
            rec.insert(def.name, v);
        }
    }
    Ok(rec)
}

fn text(v: &Value) -> &str {
    v.as_text().unwrap_or_default()
}

impl Store {
    /// Checks a file's rows and keeps them as an import to commit; nothing
    /// else is written.
    pub async fn check_import(&self, actor: &Actor, input: ImportInput) -> Result<Import> {
        check_may(actor, input.kind)?;
        let ImportInput { kind, file_name, sha256, sheet, columns, rows: mut input } = input;
        if input.len() > kam_core::import::MAX_ROWS {
            return Err(StoreError::field("file", "err.import_too_many_rows"));
        }
        let mut rows: Vec<PlanRow> = Vec::with_capacity(input.len());
        match kind {
            ImportKind::Accounts => self.check_accounts(actor, &mut input, &mut rows).await?,
            ImportKind::Contacts => self.check_contacts(actor, &mut input, &mut rows).await?,
            ImportKind::Ledger => self.check_ledger(actor, &mut input, &mut rows).await?,
            ImportKind::Products => self.check_products(actor, &mut input, &mut rows).await?,
            ImportKind::Orders => self.check_orders(actor, &mut input, &mut rows).await?,
            ImportKind::Contracts => self.check_contracts(actor, &mut input, &mut rows).await?,
            ImportKind::Competitors => self.check_competitors(actor, &mut input, &mut rows).await?,
            ImportKind::VisitPlans => self.check_visit_plans(actor, &mut input, &mut rows).await?,
            ImportKind::Targets => self.check_targets(actor, &mut input, &mut rows).await?,
            ImportKind::Capability => self.check_capability(actor, &mut input, &mut rows).await?,
            k => {
                let kind = k.activity().ok_or(StoreError::NotFound)?;
                self.check_activities(kind, actor, &mut input, &mut rows).await?
            }
        }
        // The checked rows carry the cells: the file's rows are not needed any more.
        drop(input);
        let bad = rows.iter().filter(|r| !r.errors.is_empty()).count() as i64;
        let dup = rows.iter().filter(|r| r.errors.is_empty() && r.duplicate.is_some()).count() as i64;
        let total = rows.len() as i64;
        let mut tx = self.begin().await?;
        let now = self.now_text();
        let mut q = Q::new(
            "INSERT INTO imports (kind, file_name, sha256, sheet, status, columns, plan, total_rows, bad_rows, \
             duplicate_rows, created_by, created_at) VALUES (",
        );
        q.arg(kind.as_str()).push(", ").arg(file_name.clone()).push(", ").arg(sha256.clone());
        q.push(", ").arg(sheet).push(", 'checked', ").arg(serde_json::to_string(&columns)?);
        q.push(", '[]', ").arg(total).push(", ").arg(bad);
        q.push(", ").arg(dup).push(", ").arg(actor.user_id).push(", ").arg(now).push(") RETURNING id");
        let id: i64 = q.query().fetch_one(&mut *tx).await?.try_get("id")?;
        // The rows a batch at a time, each dropped once written.
        let mut rows = rows.into_iter().enumerate().peekable();
        while rows.peek().is_some() {
            let mut q = Q::new("INSERT INTO import_rows (import_id, n, row_no, bad, duplicate, line_of, plan) VALUES ");
            for (i, (n, p)) in rows.by_ref().take(WRITE_BATCH).enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push("(").arg(id).push(", ").arg(n as i64).push(", ").arg(p.row as i64).push(", ");
                q.arg(i64::from(!p.errors.is_empty())).push(", ").arg(i64::from(p.duplicate.is_some())).push(", ");
                // A missing line_of is a literal NULL: PostgreSQL would type a bound one for the statement.
                match p.line_of {
                    Some(l) => q.arg(l as i64),
                    None => q.push("NULL"),
                };
                q.push(", ").arg(serde_json::to_string(&p)?).push(")");
            }
            q.query().execute(&mut *tx).await?;
        }
        let changes = [
            ("file_name", Value::Null, Value::Text(file_name)),
            ("sha256", Value::Null, Value::Text(sha256)),
            ("rows", Value::Null, Value::Int(total)),
        ];
        self.finish(tx, actor, Action::Create, id, &changes).await
    }

    /// The import's audit row, the commit, and the import as it now stands.
    async fn finish(
        &self,
        mut tx: Tx,
        actor: &Actor,
        action: Action,
        id: i64,
        changes: &[(&str, Value, Value)],
    ) -> Result<Import> {
        Entry::new(Some(actor.user_id), action, "import", id).changes(changes).write(&mut tx, self.clock()).await?;
        tx.commit().await?;
        self.import(actor, id).await
    }

    /// The accounts the rows' `account` cells name, among those the importer sees.
    async fn account_refs(&self, actor: &Actor, input: &[(usize, BTreeMap<String, String>)]) -> Result<AccountRefs> {
        let refs: Vec<String> =
            input.iter().filter_map(|(_, v)| v.get(ACCOUNT_REF)).filter(|s| !s.is_empty()).cloned().collect();
        let mut by_code = self.accounts_by("credit_code", &refs).await?;
        by_code.retain(|_, (_, _, f)| actor.can_read_account(f));
        let by_code = by_code.into_iter().map(|(k, (id, _, _))| (k, id)).collect();
        let by_name = self.account_ids_by_name(actor, &refs).await?;
        Ok(AccountRefs { by_code, by_name })
    }

    /// Each row's account (by its `account` cell) with the cell's errors, and
    /// the accounts among them where `may` lets the importer write: one query
    /// per batch of accounts, a row naming another is refused at its cell.
    async fn rows_accounts(
        &self,
        actor: &Actor,
        input: &[(usize, BTreeMap<String, String>)],
        may: impl Fn(&kam_core::access::AccountFacts) -> bool,
    ) -> Result<Vec<(Option<AccountId>, Vec<CellError>)>> {
        let refs = self.account_refs(actor, input).await?;
        let mut found = Vec::with_capacity(input.len());
        let mut ids: Vec<AccountId> = Vec::new();
        for (_, values) in input {
            let mut errors = Vec::new();
            let id = refs.find(values, &mut errors);
            ids.extend(id);
            found.push((id, errors));
        }
        ids.sort_unstable_by_key(|i| i.0);
        ids.dedup();
        let mut allowed = std::collections::HashSet::new();
        for chunk in ids.chunks(200) {
            for a in self.accounts_by_id(actor, chunk).await? {
                if may(&a.facts()) {
                    allowed.insert(a.id);
                }
            }
        }
        for (id, errors) in found.iter_mut() {
            if id.is_some_and(|a| !allowed.contains(&a)) {
                errors.push(CellError { field: ACCOUNT_REF.into(), message: "err.forbidden".into() });
            }
        }
        Ok(found)
    }

    /// One import, to its creator and to admin, with its first `ROWS_WINDOW`
    /// rows (the others by `import_page` or `import_rows`). Its rows hold the
    /// file's cells as written (a contact's personal fields among them), so
    /// nobody else reads it.
    pub async fn import(&self, actor: &Actor, id: i64) -> Result<Import> {
        self.import_page(actor, id, RowFilter::All, 0).await
    }

    /// One import with up to `ROWS_WINDOW` of its rows of `filter` from `offset`.
    pub async fn import_page(&self, actor: &Actor, id: i64, filter: RowFilter, offset: usize) -> Result<Import> {
        let mut imp = self.import_summary(actor, id).await?;
        imp.rows = self.rows_page(id, filter, offset, ROWS_WINDOW).await?;
        Ok(imp)
    }

    /// One import without its rows (its status, counts and mapping), to who
    /// may read it.
    pub async fn import_summary(&self, actor: &Actor, id: i64) -> Result<Import> {
        let mut q = Q::new(
            "SELECT id, kind, file_name, sha256, sheet, status, columns, total_rows, bad_rows, duplicate_rows, \
             counts, created_by, created_at, committed_at, undone_at FROM imports WHERE id = ",
        );
        q.arg(id);
        if actor.role != Role::Admin {
            q.push(" AND created_by = ").arg(actor.user_id);
        }
        let r = q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        read(&r)
    }

    /// An import's rows in file order from `offset`, at most `limit` (up to
    /// `ROWS_WINDOW`): all of them, the refused ones, or the duplicates among
    /// the good ones. To who may read the import.
    pub async fn import_rows(
        &self,
        actor: &Actor,
        id: i64,
        filter: RowFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<PlanRow>> {
        self.import_summary(actor, id).await?;
        self.rows_page(id, filter, offset, limit).await
    }

    async fn rows_page(&self, id: i64, filter: RowFilter, offset: usize, limit: usize) -> Result<Vec<PlanRow>> {
        let mut q = rows_query(id, filter);
        q.push(" ORDER BY n LIMIT ").arg(limit.clamp(1, ROWS_WINDOW) as i64).push(" OFFSET ").arg(offset as i64);
        q.query().fetch_all(self.pool()).await?.iter().map(plan_row).collect()
    }

    /// The actor's imports, newest first (admin: everyone's), without their rows.
    pub async fn imports(&self, actor: &Actor, limit: i64) -> Result<Vec<Import>> {
        let mut q = Q::new(
            "SELECT id, kind, file_name, sha256, sheet, status, '[]' AS columns, total_rows, bad_rows, \
             duplicate_rows, counts, created_by, created_at, committed_at, undone_at FROM imports",
        );
        if actor.role != Role::Admin {
            q.push(" WHERE created_by = ").arg(actor.user_id);
        }
        q.push(" ORDER BY id DESC LIMIT ").arg(limit.clamp(1, 200));
        q.query().fetch_all(self.pool()).await?.iter().map(read).collect()
    }

    /// Writes a checked import's good rows in one transaction: a row that
    /// fails now (the data changed since the check) fails the whole commit,
    /// naming its row, and nothing is left behind.
    pub async fn commit_import(&self, actor: &Actor, id: i64, choices: impl Into<Choices>) -> Result<Import> {
        let mut claimed = false;
        match self.commit_import_tracked(actor, id, choices.into(), &mut claimed).await {
            Ok(done) => {
                self.progress.clear(id);
                Ok(done)
            }
            // Refused before the import was claimed (not the importer's, not
            // checked any more): the board is not this call's to touch.
            Err(e) if !claimed => Err(e),
            Err(e) => {
                let failed = match &e {
                    StoreError::Invalid(fe) => fe.0.iter().map(|(k, m)| (k.clone(), m.to_string())).collect(),
                    StoreError::Conflict(k) | StoreError::Forbidden(k) => {
                        BTreeMap::from([(String::new(), k.to_string())])
                    }
                    _ => BTreeMap::from([(String::new(), "err.internal".to_string())]),
                };
                let mut p = self.progress.get(id).unwrap_or_default();
                p.failed = Some(failed);
                self.progress.set(id, p);
                Err(e)
            }
        }
    }

    /// How far the commit of an import running in this process has come, or
    /// why it failed; None when none runs (or it finished), and for imports
    /// the actor may not read.
    pub async fn import_progress(&self, actor: &Actor, id: i64) -> Result<Option<Progress>> {
        let p = self.progress.get(id);
        if p.is_some() {
            // Only who may read the import hears of its commit.
            let mut q = Q::new("SELECT created_by FROM imports WHERE id = ");
            q.arg(id);
            let by: UserId = crate::sql::id(
                &q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?,
                "created_by",
            )?;
            if by != actor.user_id && actor.role != Role::Admin {
                return Err(StoreError::NotFound);
            }
        }
        Ok(p)
    }

    /// Marks the commit of an import as started before it runs elsewhere (a
    /// background task): false when one is running already, so a second
    /// request cannot start another.
    pub fn begin_import_progress(&self, id: i64, total: usize) -> bool {
        self.progress.begin(id, total)
    }

    /// Drops a started commit's entry that never got to run (refused before
    /// its claim); a failure it recorded stays.
    pub fn abandon_import_progress(&self, id: i64) {
        if self.progress.get(id).is_some_and(|p| p.failed.is_none()) {
            self.progress.clear(id);
        }
    }

    async fn commit_import_tracked(
        &self,
        actor: &Actor,
        id: i64,
        choices: Choices,
        claimed: &mut bool,
    ) -> Result<Import> {
        let imp = self.import_summary(actor, id).await?;
        if imp.created_by != actor.user_id {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        check_may(actor, imp.kind)?;
        let mut tx = self.begin().await?;
        // Claim the import: a second commit (a replay, a double click) finds it taken.
        let mut q = Q::new("UPDATE imports SET status = 'committing' WHERE status = 'checked' AND id = ");
        q.arg(id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.import_not_checked"));
        }
        *claimed = true;
        let mut counts = Counts::default();
        let total = imp.total_rows.max(0) as usize;
        self.progress.set(id, Progress { done: 0, total, failed: None });
        // The rows a page at a time (by their place in the file), each page's
        // records noted for the undo before the next is read.
        let mut next = 0i64;
        let mut done = 0usize;
        loop {
            let mut q = rows_query(id, RowFilter::All);
            q.push(" AND n >= ").arg(next).push(" ORDER BY n LIMIT ").arg(READ_BATCH as i64);
            let page: Vec<PlanRow> =
                q.query().fetch_all(&mut *tx).await?.iter().map(plan_row).collect::<Result<_>>()?;
            let Some(last) = page.len().checked_sub(1) else { break };
            next += last as i64 + 1;
            // The later lines of this page's orders, wherever they stand in the file: one query a page.
            let mut lines_of: HashMap<usize, Vec<PlanRow>> = HashMap::new();
            let firsts: Vec<i64> =
                page.iter().filter(|p| p.errors.is_empty() && p.line_of.is_none()).map(|p| p.row as i64).collect();
            if imp.kind == ImportKind::Orders && !firsts.is_empty() {
                let mut q = rows_query(id, RowFilter::Good);
                q.push(" AND line_of IN (").list(firsts).push(") ORDER BY n");
                for r in q.query().fetch_all(&mut *tx).await? {
                    let line = plan_row(&r)?;
                    lines_of.entry(line.line_of.unwrap_or_default()).or_default().push(line);
                }
            }
            let mut made: Vec<Made> = Vec::new();
            for p in &page {
                if done.is_multiple_of(PROGRESS_EVERY) {
                    self.progress.set(id, Progress { done, total, failed: None });
                }
                done += 1;
                if !p.errors.is_empty() {
                    counts.refused += 1;
                    continue;
                }
                if p.line_of.is_some() {
                    continue;
                }
                let choice = choices.of(p.row);
                let step = match imp.kind {
                    ImportKind::Accounts => self.commit_account_row(&mut tx, actor, p, choice, &mut made).await,
                    ImportKind::Contacts => self.commit_contact_row(&mut tx, actor, p, choice, &mut made).await,
                    ImportKind::Ledger => self.commit_ledger_row(&mut tx, actor, p, choice, &mut made).await,
                    ImportKind::Products => self.commit_product_row(&mut tx, actor, p, choice, &mut made).await,
                    ImportKind::Orders => {
                        let lines: Vec<&PlanRow> = lines_of.get(&p.row).into_iter().flatten().collect();
                        self.commit_order_row(&mut tx, actor, (id, p, &lines), choice, &mut made).await
                    }
                    ImportKind::Contracts => self.commit_contract_row(&mut tx, actor, p, choice, &mut made).await,
                    ImportKind::Competitors => self.commit_competitor_row(&mut tx, actor, p, choice, &mut made).await,
                    ImportKind::VisitPlans => self.commit_visit_plan_row(&mut tx, actor, p, choice, &mut made).await,
                    ImportKind::Targets => self.commit_target_row(&mut tx, actor, p, choice, &mut made).await,
                    ImportKind::Capability => self.commit_capability_row(&mut tx, actor, p, choice, &mut made).await,
                    k => match k.activity() {
                        Some(kind) => self.commit_activity_row(&mut tx, kind, actor, p, choice, &mut made).await,
                        None => Err(StoreError::NotFound),
                    },
                };
                match step {
                    Ok(Some("created")) => counts.created += 1,
                    Ok(Some(_)) => counts.updated += 1,
                    Ok(None) => counts.skipped += 1,
                    Err(e) => return Err(row_error(p.row, e)),
                }
            }
            for chunk in made.chunks(WRITE_BATCH) {
                let mut q = Q::new("INSERT INTO import_records (import_id, entity, entity_id, action, before) VALUES ");
                for (i, m) in chunk.iter().enumerate() {
                    if i > 0 {
                        q.push(", ");
                    }
                    q.push("(").arg(id).push(", ").arg(m.entity.as_str()).push(", ").arg(m.id).push(", ");
                    q.arg(m.action).push(", ").arg(m.before.clone()).push(")");
                }
                q.query().execute(&mut *tx).await?;
            }
        }
        let mut q = Q::new("UPDATE imports SET status = 'committed', counts = ");
        q.arg(serde_json::to_string(&counts)?).push(", committed_at = ").arg(self.now_text());
        q.push(" WHERE id = ").arg(id);
        q.query().execute(&mut *tx).await?;
        let changes = [
            ("created", Value::Null, Value::Int(counts.created)),
            ("updated", Value::Null, Value::Int(counts.updated)),
            ("skipped", Value::Null, Value::Int(counts.skipped)),
            ("refused", Value::Null, Value::Int(counts.refused)),
        ];
        self.finish(tx, actor, Action::Import, id, &changes).await
    }

    /// What stands on a committed import's records and so blocks its undo:
    /// later changes to them, records added to its accounts since (at most a
    /// few per record), as "entity #id (action)".
    pub async fn import_undo_blockers(&self, actor: &Actor, id: i64) -> Result<Vec<String>> {
        let imp = self.import_summary(actor, id).await?;
        if imp.status != "committed" {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let out = self.undo_blockers_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn undo_blockers_in(&self, tx: &mut Tx, id: i64) -> Result<Vec<String>> {
        // One query: audit rows newer than the import's own commit row, on its
        // records or on the accounts it created (a record added to one since).
        let mut q = Q::new(
            "SELECT l.entity, l.entity_id, l.action FROM audit_log l WHERE l.id > (SELECT MAX(m.id) FROM audit_log m WHERE m.entity = 'import' AND m.action = 'import' AND m.entity_id = ",
        );
        q.arg(id).push(") AND (EXISTS (SELECT 1 FROM import_records r WHERE r.import_id = ").arg(id);
        q.push(" AND r.entity = l.entity AND r.entity_id = l.entity_id) OR l.account_id IN (SELECT r.entity_id FROM import_records r WHERE r.entity = 'account' AND r.import_id = ");
        q.arg(id).push(")) ORDER BY l.id LIMIT 20");
        let mut blockers: Vec<String> = Vec::new();
        for b in q.query().fetch_all(&mut **tx).await? {
            let (e, i, a): (String, i64, String) =
                (b.try_get("entity")?, b.try_get("entity_id")?, b.try_get("action")?);
            let text = format!("{e} #{i} ({a})");
            if !blockers.contains(&text) {
                blockers.push(text);
            }
        }
        Ok(blockers)
    }

    /// Takes a committed import back as one audited action: the records it
    /// created are archived and those it changed get their values back — while
    /// nothing newer stands on them (a later change to one of its records, or
    /// a record added to one of its accounts since), which is named instead.
    pub async fn undo_import(&self, actor: &Actor, id: i64) -> Result<Import> {
        let imp = self.import_summary(actor, id).await?;
        if imp.created_by != actor.user_id && actor.role != Role::Admin {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut tx = self.begin().await?;
        let mut q = Q::new("UPDATE imports SET status = 'undoing' WHERE status = 'committed' AND id = ");
        q.arg(id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.import_not_committed"));
        }
        if !self.undo_blockers_in(&mut tx, id).await?.is_empty() {
            return Err(StoreError::Conflict("err.import_undo_blocked"));
        }
        let system = Actor { role: Role::Admin, ..actor.clone() };
        // Its records newest first, a page at a time.
        let mut before_id = i64::MAX;
        let mut undone = 0i64;
        loop {
            let mut q = Q::new("SELECT id, entity, entity_id, action, before FROM import_records WHERE import_id = ");
            q.arg(id).push(" AND id < ").arg(before_id).push(" ORDER BY id DESC LIMIT ").arg(READ_BATCH as i64);
            let records = q.query().fetch_all(&mut *tx).await?;
            let Some(last) = records.last() else { break };
            before_id = last.try_get("id")?;
            undone += records.len() as i64;
            for r in &records {
                let (entity, eid, action): (String, i64, String) =
                    (r.try_get("entity")?, r.try_get("entity_id")?, r.try_get("action")?);
                match (entity.as_str(), action.as_str()) {
                    ("account", "created") => {
                        let before = self.account_in(&mut tx, &system, AccountId(eid)).await?;
                        self.archive_account_in(&mut tx, actor, &before).await?;
                    }
                    ("account", "updated") => {
                        let before = self.account_in(&mut tx, &system, AccountId(eid)).await?;
                        let snapshot = r.try_get::<Option<String>, _>("before")?.unwrap_or_default();
                        let rec = snapshot_record(kam_core::account::FIELDS, &snapshot)?;
                        self.update_account_in(
                            &mut tx,
                            &system,
                            &before,
                            AccountInput { rec, owner: None, parent: None },
                        )
                        .await?;
                    }
                    ("ledger_entry", "created") => {
                        // The ledger keeps every entry: an imported one is reversed on its own date.
                        let entry = self.ledger_entry_in(&mut tx, EntryId(eid)).await?;
                        let note = format!("撤销导入 #{id}");
                        self.reverse_entry_in(&mut tx, actor, EntryId(eid), entry.posted().date, Some(&note)).await?;
                    }
                    ("order", "created") => self.undo_order(&mut tx, actor, OrderId(eid)).await?,
                    ("product", _) => {
                        let before: Option<String> = r.try_get("before")?;
                        self.undo_product(&mut tx, &system, eid, before.as_deref()).await?;
                    }
                    ("contact", "created") => {
                        let c = self.contact_in(&mut tx, &system, ContactId(eid)).await?;
                        let account = c.accounts.first().map(|l| l.account_id);
                        self.archive_contact(&mut tx, actor, ContactId(eid), &c.rec, account).await?;
                    }
                    ("competitor_position" | "competitor", _) => {
                        let before: Option<String> = r.try_get("before")?;
                        self.undo_competitor_record(&mut tx, actor, &entity, eid, before.as_deref()).await?
                    }
                    (e, _) if e.starts_with("target_") => {
                        let before: Option<String> = r.try_get("before")?;
                        self.undo_target(&mut tx, actor, e, eid, before.as_deref()).await?
                    }
                    ("capability", _) => {
                        let before: Option<String> = r.try_get("before")?;
                        self.undo_capability(&mut tx, actor, eid, before.as_deref()).await?
                    }
                    ("visit_plan", _) => {
                        let before: Option<String> = r.try_get("before")?;
                        self.undo_visit_plan(&mut tx, actor, eid, before.as_deref()).await?
                    }
                    ("contract", "created") => {
                        self.archive_contract_in(&mut tx, actor, kam_core::ContractId(eid)).await?
                    }
                    (entity, "created") => {
                        if let Some(kind) = kam_core::activity::KINDS.iter().find(|k| k.entity == entity) {
                            self.delete_activity_in(&mut tx, kind, actor, kam_core::ActivityId(eid)).await?;
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut q = Q::new("UPDATE imports SET status = 'undone', undone_at = ");
        q.arg(self.now_text()).push(" WHERE id = ").arg(id);
        q.query().execute(&mut *tx).await?;
        let changes = [("records", Value::Null, Value::Int(undone))];
        self.finish(tx, actor, Action::Undo, id, &changes).await
    }
}

/// The account a row that makes a new record is made on: none for a
/// duplicate not to be made all the same (skipped), an error when the check
/// found no account.
fn to_create_on(p: &PlanRow, choice: OnDuplicate) -> Result<Option<AccountId>> {
    match (&p.duplicate, p.account_id) {
        (Some(_), _) if choice != OnDuplicate::Create => Ok(None),
        (_, Some(id)) => Ok(Some(id)),
        (_, None) => Err(StoreError::field(ACCOUNT_REF, "err.import_account_unknown")),
    }
}

/// The accounts a sheet's rows name: by credit code, else by exact name.
struct AccountRefs {
    by_code: HashMap<String, AccountId>,
    by_name: HashMap<String, Vec<AccountId>>,
}

impl AccountRefs {
    /// The account a row's `account` cell names, or the cell's error.
    fn find(&self, values: &BTreeMap<String, String>, errors: &mut Vec<CellError>) -> Option<AccountId> {
        let reference = values.get(ACCOUNT_REF).map(String::as_str).unwrap_or_default();
        let refused = |key: &str| CellError { field: ACCOUNT_REF.into(), message: key.into() };
        if reference.is_empty() {
            errors.push(refused("err.required"));
            return None;
        }
        if let Some(id) = self.by_code.get(reference) {
            return Some(*id);
        }
        match self.by_name.get(reference).map(Vec::as_slice) {
            Some([id]) => Some(*id),
            Some([_, _, ..]) => {
                errors.push(refused("err.import_account_ambiguous"));
                None
            }
            _ => {
                errors.push(refused("err.import_account_unknown"));
                None
            }
        }
    }
}

/// A row that fails at commit fails the commit, its errors named by row:
/// `rows.12.credit_code`, or `rows.12` for a rule that is not one field's.
fn row_error(row: usize, e: StoreError) -> StoreError {
    let mut out = kam_core::FieldErrors::default();
    match e {
        StoreError::Invalid(fe) => {
            for (field, key) in fe.0.iter() {
                out.add(&format!("rows.{row}.{field}"), key);
            }
        }
        StoreError::Forbidden(k) | StoreError::Conflict(k) => out.add(&format!("rows.{row}"), k),
        StoreError::NotFound => out.add(&format!("rows.{row}"), "err.not_found"),
        other => return other,
    }
    StoreError::Invalid(out)
}

fn read(r: &sqlx::any::AnyRow) -> Result<Import> {
    let kind: String = r.try_get("kind")?;
    let counts: Option<String> = r.try_get("counts")?;
    Ok(Import {
        id: r.try_get("id")?,
        kind: ImportKind::parse(&kind).ok_or(StoreError::NotFound)?,
        file_name: r.try_get("file_name")?,
        sha256: r.try_get("sha256")?,
        sheet: r.try_get("sheet")?,
        status: r.try_get("status")?,
        columns: serde_json::from_str(&r.try_get::<String, _>("columns")?)?,
        rows: Vec::new(),
        total_rows: r.try_get("total_rows")?,
        bad_rows: r.try_get("bad_rows")?,
        duplicate_rows: r.try_get("duplicate_rows")?,
        counts: counts.map(|c| serde_json::from_str(&c)).transpose()?,
        created_by: crate::sql::id(r, "created_by")?,
        created_at: r.try_get("created_at")?,
        committed_at: r.try_get("committed_at")?,
        undone_at: r.try_get("undone_at")?,
    })
}
