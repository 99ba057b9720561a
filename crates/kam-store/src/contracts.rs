//! Contracts 合同与协议 of an account: the terms, status steps, amendments as
//! dated append-only records, attachments kept as blobs (type-checked by
//! their bytes, size-limited, read only within scope), the service level a
//! contract in force sets for complaints, and contracts nearing their end.

use crate::error::unique;
use crate::write::{Also, Target};
use kam_core::AccountId;
use kam_core::ContractId;
use kam_core::UserId;
use kam_core::audit::Action;
use kam_core::contract::{self, AMENDMENT_FIELDS, FIELDS};
use kam_core::time_util::parse_date;
use kam_core::{Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;
use time::Date;

use crate::accounts::scope_sql;
use crate::audit::Entry;
use crate::sql::{Arg, Q, columns, read_record};
use crate::{Result, Store, StoreError, Tx};

#[derive(Debug, Clone, Serialize)]
pub struct Amendment {
    pub id: i64,
    #[serde(flatten)]
    pub rec: Record,
    pub created_by_name: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Contract {
    pub id: ContractId,
    pub account_id: AccountId,
    pub account_name: String,
    #[serde(flatten)]
    pub rec: Record,
    /// As stored (draft, active, terminated).
    pub stored_status: String,
    /// As a reader sees it: an active contract past its end is expired.
    pub status: String,
    /// The amount with every amendment's delta.
    pub current_amount: Option<i64>,
    pub amendments: Vec<Amendment>,
    pub attachments: Vec<Attachment>,
    pub created_at: String,
    pub updated_at: String,
}

impl Contract {
    pub fn text(&self, f: &str) -> &str {
        self.rec.get(f).and_then(Value::as_text).unwrap_or_default()
    }
}

/// A contract whose end is near, for the reminders.
#[derive(Debug, Clone)]
pub struct Expiring {
    pub id: i64,
    pub contract_no: String,
    pub title: String,
    pub account_id: AccountId,
    pub account_name: String,
    pub valid_to: Date,
}

fn select(actor: &Actor) -> Q {
    let mut q = Q::new(&format!(
        "SELECT c.id, c.account_id, a.name AS account_name, {}, c.status, c.created_at, c.updated_at, \
         (SELECT CAST(COALESCE(SUM(m.amount_delta), 0) AS BIGINT) FROM contract_amendments m WHERE m.contract_id = c.id) \
         AS amended_by FROM contracts c JOIN accounts a ON a.id = c.account_id WHERE c.deleted_at IS NULL AND ",
        columns(FIELDS, "c")
    ));
    scope_sql(&mut q, actor, "a");
    q
}

fn read(r: &sqlx::any::AnyRow, today: time::Date) -> Result<Contract> {
    let rec = read_record(r, FIELDS)?;
    let stored: String = r.try_get("status")?;
    let valid_to = rec.get("valid_to").and_then(Value::as_text).and_then(parse_date);
    Ok(Contract {
        id: crate::sql::id(r, "id")?,
        account_id: crate::sql::id(r, "account_id")?,
        account_name: r.try_get("account_name")?,
        status: contract::effective_status(&stored, valid_to, today).to_string(),
        // The amount in force: as signed, with every amendment's delta (one
        // subquery in the same read, so lists and the contract page agree).
        current_amount: contract::current_amount(rec.get("amount").and_then(Value::as_int), r.try_get("amended_by")?),
        rec,
        stored_status: stored,
        amendments: Vec::new(),
        attachments: Vec::new(),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const TARGET: Target = Target::new("contracts", "contract", FIELDS);
/// Amendments are kept as written; a later one corrects an earlier.
const AMENDMENT: Target = Target::new("contract_amendments", "contract_amendment", AMENDMENT_FIELDS).append_only();

fn unique_no(e: StoreError) -> StoreError {
    e.on_constraint(&unique::CONTRACT_NO, || StoreError::field("contract_no", "err.duplicate_code"))
}

impl Store {
    async fn contract_details(&self, mut c: Contract) -> Result<Contract> {
        let mut q = Q::new(&format!(
            "SELECT m.id, {}, u.display_name AS created_by_name, m.created_at FROM contract_amendments m \
             LEFT JOIN users u ON u.id = m.created_by WHERE m.contract_id = ",
            columns(AMENDMENT_FIELDS, "m")
        ));
        q.arg(c.id).push(" ORDER BY m.amended_on, m.id");
        for r in q.query().fetch_all(self.pool()).await? {
            c.amendments.push(Amendment {
                id: crate::sql::id(&r, "id")?,
                rec: read_record(&r, AMENDMENT_FIELDS)?,
                created_by_name: r.try_get("created_by_name")?,
                created_at: r.try_get("created_at")?,
            });
        }
        let mut q = Q::new(
            "SELECT id, file_name, content_type, size, sha256, created_at FROM contract_attachments \
             WHERE deleted_at IS NULL AND contract_id = ",
        );
        q.arg(c.id).push(" ORDER BY id");
        for r in q.query().fetch_all(self.pool()).await? {
            c.attachments.push(Attachment {
                id: crate::sql::id(&r, "id")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
                created_at: r.try_get("created_at")?,
            });
        }
        Ok(c)
    }

    /// One contract with its amendments and attachments, within scope.
    pub async fn contract(&self, actor: &Actor, id: ContractId) -> Result<Contract> {
        let mut q = select(actor);
        q.push(" AND c.id = ").arg(id);
        let c = read(&q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?, self.today())?;
        self.contract_details(c).await
    }

    /// Contracts within scope (optionally of one account), newest first.
    pub async fn contracts(&self, actor: &Actor, account_id: Option<AccountId>) -> Result<Vec<Contract>> {
        let mut q = select(actor);
        if let Some(a) = account_id {
            self.account(actor, a).await?;
            q.push(" AND c.account_id = ").arg(a);
        }
        q.push(" ORDER BY c.signed_on DESC, c.id DESC LIMIT 500");
        q.query().fetch_all(self.pool()).await?.iter().map(|r| read(r, self.today())).collect()
    }

    async fn writable_account(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        account_id: AccountId,
    ) -> Result<crate::accounts::Account> {
        let acc = self.account_in(tx, actor, account_id).await?;
        if contract::can_write(actor, &acc.facts()) { Ok(acc) } else { Err(StoreError::Forbidden("err.forbidden")) }
    }

    pub(crate) fn check_dates(rec: &Record) -> Result<()> {
        let d = |f: &str| rec.get(f).and_then(Value::as_text).and_then(parse_date);
        if let (Some(from), Some(to)) = (d("valid_from"), d("valid_to"))
            && to < from
        {
            return Err(StoreError::field("valid_to", "err.date_order"));
        }
        Ok(())
    }

    pub async fn create_contract(&self, actor: &Actor, account_id: AccountId, rec: Record) -> Result<Contract> {
        let mut tx = self.begin().await?;
        let id = self.create_contract_in(&mut tx, actor, account_id, rec, "draft").await?;
        tx.commit().await?;
        self.contract(actor, id).await
    }

    /// A contract written in the caller's transaction, at `status` (a draft,
    /// or for an import a contract already in force).
    pub(crate) async fn create_contract_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        account_id: AccountId,
        rec: Record,
        status: &str,
    ) -> Result<ContractId> {
        StoreError::check_required(FIELDS, &rec, true)?;
        Self::check_dates(&rec)?;
        self.writable_account(tx, actor, account_id).await?;
        let extra = [("account_id", account_id.into()), ("status", status.into())];
        let w = TARGET.by(actor, Some(account_id));
        let also = Also { columns: &extra, ..Default::default() };
        let id = self.insert_audited(tx, w, &rec, also).await.map_err(unique_no)?;
        crate::search::index(tx, "contract", id, &crate::search::record_texts("contract", FIELDS, &rec)).await?;
        Ok(ContractId(id))
    }

    /// Archives a contract an import made (its undo), in the caller's transaction.
    pub(crate) async fn archive_contract_in(&self, tx: &mut Tx, actor: &Actor, id: ContractId) -> Result<()> {
        let mut q = select(actor);
        q.push(" AND c.id = ").arg(id);
        let before = read(&q.query().fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?, self.today())?;
        self.writable_account(tx, actor, before.account_id).await?;
        let w = TARGET.by(actor, Some(before.account_id));
        self.delete_audited(tx, w, id, &before.rec, crate::write::Gone::Archived, &[]).await?;
        crate::search::remove(tx, "contract", id).await?;
        Ok(())
    }

    /// Changes the terms of a draft; an active contract changes by amendment only.
    pub async fn update_contract(&self, actor: &Actor, id: ContractId, rec: Record) -> Result<Contract> {
        let before = self.contract(actor, id).await?;
        if before.stored_status != "draft" {
            return Err(StoreError::Conflict("err.contract_amend_only"));
        }
        StoreError::check_required(FIELDS, &rec, false)?;
        let mut merged = before.rec.clone();
        merged.extend(rec.clone());
        Self::check_dates(&merged)?;
        let mut tx = self.begin().await?;
        self.writable_account(&mut tx, actor, before.account_id).await?;
        let w = TARGET.by(actor, Some(before.account_id));
        let written = self.update_audited(&mut tx, w, id, &before.rec, rec, Also::default()).await;
        if written.map_err(unique_no)?.is_none() {
            return Ok(before);
        }
        crate::search::index(&mut tx, "contract", id, &crate::search::record_texts("contract", FIELDS, &merged))
            .await?;
        tx.commit().await?;
        self.contract(actor, id).await
    }

    /// Puts a draft into force, or terminates a contract.
    pub async fn transition_contract(&self, actor: &Actor, id: ContractId, to: &str) -> Result<Contract> {
        let c = self.contract(actor, id).await?;
        if !contract::can_move(&c.stored_status, to) {
            return Err(StoreError::Conflict("err.contract_step"));
        }
        let mut tx = self.begin().await?;
        self.writable_account(&mut tx, actor, c.account_id).await?;
        let mut q = Q::new("UPDATE contracts SET status = ");
        q.arg(to).push(", updated_at = ").arg(self.now_text()).push(" WHERE status = ").arg(c.stored_status.clone());
        q.push(" AND id = ").arg(id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.contract_step"));
        }
        let changes = [("status", Value::Text(c.stored_status.clone()), Value::Text(to.into()))];
        Entry::new(Some(actor.user_id), Action::Update, "contract", id)
            .account(Some(c.account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        self.contract(actor, id).await
    }

    /// Records an amendment 合同变更 (the contract itself is not overwritten).
    pub async fn amend_contract(&self, actor: &Actor, id: ContractId, rec: Record) -> Result<Contract> {
        StoreError::check_required(AMENDMENT_FIELDS, &rec, true)?;
        let c = self.contract(actor, id).await?;
        if c.stored_status == "terminated" {
            return Err(StoreError::Conflict("err.contract_step"));
        }
        let mut tx = self.begin().await?;
        self.writable_account(&mut tx, actor, c.account_id).await?;
        let columns = [("contract_id", id.into())];
        let link = [("contract_id", Value::Null, id.into())];
        let w = AMENDMENT.by(actor, Some(c.account_id));
        let _: i64 = self.insert_audited(&mut tx, w, &rec, Also { columns: &columns, changes: &link }).await?;
        tx.commit().await?;
        self.contract(actor, id).await
    }

    /// Stores an uploaded file on a contract after checking its size and its
    /// bytes; returns the attachment.
    pub async fn attach_to_contract(
        &self,
        actor: &Actor,
        id: ContractId,
        file_name: &str,
        body: Vec<u8>,
    ) -> Result<Attachment> {
        let c = self.contract(actor, id).await?;
        let name: String =
            file_name.trim().chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\')).take(200).collect();
        if name.is_empty() {
            return Err(StoreError::field("file", "err.required"));
        }
        if body.is_empty() {
            return Err(StoreError::field("file", "err.required"));
        }
        if body.len() > contract::MAX_ATTACHMENT_BYTES {
            return Err(StoreError::field("file", "err.file_too_large"));
        }
        let Some(content_type) = contract::sniff(&body, &name) else {
            return Err(StoreError::field("file", "err.file_type"));
        };
        let sha = kam_core::secret::digest_bytes(&body);
        let mut tx = self.begin().await?;
        self.writable_account(&mut tx, actor, c.account_id).await?;
        let size = body.len() as i64;
        let mut q = Q::new(
            "INSERT INTO contract_attachments (contract_id, file_name, content_type, size, sha256, body, created_by, created_at) VALUES (",
        );
        q.arg(id).push(", ").arg(name.clone()).push(", ").arg(content_type).push(", ").arg(size).push(", ");
        q.arg(sha.clone())
            .push(", ")
            .arg(Arg::Bytes(body))
            .push(", ")
            .arg(actor.user_id)
            .push(", ")
            .arg(self.now_text());
        q.push(") RETURNING id");
        let aid: i64 = q.query().fetch_one(&mut *tx).await?.try_get("id")?;
        let changes = [
            ("file_name", Value::Null, Value::Text(name)),
            ("size", Value::Null, Value::Int(size)),
            ("sha256", Value::Null, Value::Text(sha)),
        ];
        Entry::new(Some(actor.user_id), Action::Link, "contract", id)
            .account(Some(c.account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        tx.commit().await?;
        self.contract(actor, id).await?.attachments.into_iter().find(|a| a.id == aid).ok_or(StoreError::NotFound)
    }

    /// An attachment's file, for readers of the contract; the download is audited.
    pub async fn contract_attachment(
        &self,
        actor: &Actor,
        id: ContractId,
        attachment_id: i64,
    ) -> Result<(Attachment, Vec<u8>)> {
        let c = self.contract(actor, id).await?;
        let meta = c.attachments.iter().find(|a| a.id == attachment_id).cloned().ok_or(StoreError::NotFound)?;
        let mut q = Q::new("SELECT body FROM contract_attachments WHERE deleted_at IS NULL AND contract_id = ");
        q.arg(id).push(" AND id = ").arg(attachment_id);
        let body: Vec<u8> =
            q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?.try_get("body")?;
        self.record_export(actor, "contract_attachment", attachment_id, Some(c.account_id)).await?;
        Ok((meta, body))
    }

    /// The service level for a complaint at an account received on a day and
    /// of a priority: from the account's SLA contract in force, if it sets one.
    pub(crate) async fn sla_in(
        tx: &mut Tx,
        account_id: AccountId,
        on: Date,
        priority: &str,
    ) -> Result<Option<kam_core::complaint::Sla>> {
        let mut q = Q::new(&format!(
            "SELECT c.status, {} FROM contracts c WHERE c.deleted_at IS NULL AND c.contract_type = 'sla' AND c.status = 'active' AND c.account_id = ",
            columns(FIELDS, "c")
        ));
        q.arg(account_id).push(" ORDER BY c.valid_from DESC, c.id DESC");
        for r in q.query().fetch_all(&mut **tx).await? {
            let rec = read_record(&r, FIELDS)?;
            let d = |f: &str| rec.get(f).and_then(Value::as_text).and_then(parse_date);
            if contract::in_force("active", d("valid_from"), d("valid_to"), on)
                && let Some(sla) = contract::sla_of(&rec, priority)
            {
                return Ok(Some(sla));
            }
        }
        Ok(None)
    }

    /// Active contracts of the user's accounts ending on or after today.
    pub(crate) async fn expiring_contracts(&self, user_id: UserId, until: Date) -> Result<Vec<Expiring>> {
        let mut q = Q::new(
            "SELECT c.id, c.contract_no, c.title, c.valid_to, a.id AS account_id, a.name AS account_name FROM contracts c \
             JOIN accounts a ON a.id = c.account_id WHERE c.deleted_at IS NULL AND a.deleted_at IS NULL \
             AND c.status = 'active' AND c.valid_to IS NOT NULL AND c.valid_to >= ",
        );
        q.arg(self.today().to_string()).push(" AND c.valid_to <= ").arg(until.to_string());
        q.push(" AND a.owner_id = ").arg(user_id);
        let mut out = Vec::new();
        for r in q.query().fetch_all(self.pool()).await? {
            let to: String = r.try_get("valid_to")?;
            let Some(valid_to) = parse_date(&to) else { continue };
            out.push(Expiring {
                id: crate::sql::id(&r, "id")?,
                contract_no: r.try_get("contract_no")?,
                title: r.try_get("title")?,
                account_id: crate::sql::id(&r, "account_id")?,
                account_name: r.try_get("account_name")?,
                valid_to,
            });
        }
        Ok(out)
    }
}
