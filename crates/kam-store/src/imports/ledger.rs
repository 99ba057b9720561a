//! Ledger sheets: opening balances 期初余额 and other entries, finance's.
//! Each row names its account and is checked by the ledger's own rules
//! (`check_entry`); a row the ledger already holds (same account, date, kind,
//! figure and voucher, invoice and reference numbers) or an earlier row holds
//! is a duplicate and skipped; a second opening balance of an account and
//! currency is refused. An undo reverses the entries on their own dates —
//! the ledger keeps every entry.

use std::collections::{BTreeMap, HashMap, HashSet};

use kam_core::{AccountId, Actor, Value};
use sqlx::Row;

use super::{AccountRefs, CellError, Duplicate, Made, OnDuplicate, PlanRow, parse_cells, text, to_create_on};
use crate::sql::Q;
use crate::{Result, Store, StoreError, Tx};

/// What makes two entries the same: account, date, kind, figure, numbers.
type EntryKey = (AccountId, String, String, i64, String, String, String);

fn key_of(account: AccountId, date: &str, kind: &str, figure: i64, numbers: [&str; 3]) -> EntryKey {
    let [voucher, invoice, reference] = numbers.map(str::to_string);
    (account, date.to_string(), kind.to_string(), figure.abs(), voucher, invoice, reference)
}

fn row_key(account: AccountId, rec: &kam_core::Record) -> EntryKey {
    let t = |f: &str| rec.get(f).map(text).unwrap_or_default();
    let figure = rec.get("amount").and_then(Value::as_int).unwrap_or(0);
    key_of(account, t("entry_date"), t("kind"), figure, [t("voucher_no"), t("invoice_no"), t("reference")])
}

impl Store {
    pub(super) async fn check_ledger(
        &self,
        actor: &Actor,
        input: &mut [(usize, BTreeMap<String, String>)],
        out: &mut Vec<PlanRow>,
    ) -> Result<()> {
        let defs = kam_core::ledger::FIELDS;
        let refs: AccountRefs = self.account_refs(actor, input).await?;
        let mut checked = Vec::with_capacity(input.len());
        for (row, values) in input {
            let mut errors = Vec::new();
            let rec = parse_cells(defs, values, &mut errors);
            let account_id = refs.find(values, &mut errors);
            if errors.is_empty()
                && let Err(StoreError::Invalid(fe)) = self.check_entry(&rec)
            {
                errors.extend(fe.0.into_iter().map(|(f, k)| CellError { field: f, message: k.into() }));
            }
            checked.push((*row, values, rec, account_id, errors));
        }
        let accounts: Vec<AccountId> = checked.iter().filter_map(|c| c.3).collect::<HashSet<_>>().into_iter().collect();
        let dates: Vec<&str> = checked.iter().filter_map(|c| c.2.get("entry_date").map(text)).collect();
        let span = (dates.iter().min().copied().unwrap_or_default(), dates.iter().max().copied().unwrap_or_default());
        let stored = self.stored_entries(&accounts, span).await?;
        let mut seen: HashMap<EntryKey, usize> = HashMap::new();
        let mut openings: HashMap<(AccountId, String), usize> = HashMap::new();
        for (row, values, rec, account_id, mut errors) in checked {
            let mut duplicate = None;
            if let (Some(a), true) = (account_id, errors.is_empty()) {
                let key = row_key(a, &rec);
                if let Some(id) = stored.entries.get(&key) {
                    duplicate = Some(Duplicate::Existing { id: *id, name: None });
                } else if let Some(r) = seen.get(&key) {
                    duplicate = Some(Duplicate::InFile { row: *r });
                } else {
                    seen.insert(key, row);
                }
                if duplicate.is_none() && rec.get("kind").map(text) == Some("opening_balance") {
                    let currency = rec
                        .get("currency")
                        .map(text)
                        .filter(|c| !c.is_empty())
                        .or(stored.currencies.get(&a).map(String::as_str))
                        .unwrap_or("CNY")
                        .to_string();
                    let twice = openings.insert((a, currency.clone()), row).is_some();
                    if twice || stored.openings.contains(&(a, currency)) {
                        errors.push(CellError { field: "kind".into(), message: "err.opening_exists".into() });
                    }
                }
            }
            out.push(PlanRow { duplicate, account_id, ..PlanRow::new(row, values, errors) });
        }
        Ok(())
    }

    /// The live entries within the sheet's dates, the opening balances and the
    /// currencies of the accounts a sheet names, a batch of accounts per query.
    async fn stored_entries(&self, accounts: &[AccountId], (from, to): (&str, &str)) -> Result<Stored> {
        let mut s = Stored::default();
        for chunk in accounts.chunks(500) {
            let mut q = Q::new("SELECT id, currency FROM accounts WHERE id IN (");
            q.list(chunk.iter().copied()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                let c: Option<String> = r.try_get("currency")?;
                s.currencies.insert(crate::sql::id(&r, "id")?, c.filter(|c| !c.is_empty()).unwrap_or("CNY".into()));
            }
            let mut q = Q::new(
                "SELECT e.id, e.account_id, e.entry_date, e.kind, e.amount, e.currency, e.voucher_no, e.invoice_no, \
                 e.reference FROM ledger_entries e WHERE e.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM \
                 ledger_entries r WHERE r.reverses_id = e.id) AND (e.kind = 'opening_balance' OR e.entry_date \
                 BETWEEN ",
            );
            q.arg(from).push(" AND ").arg(to).push(") AND e.account_id IN (");
            q.list(chunk.iter().copied()).push(")");
            for r in q.query().fetch_all(self.pool()).await? {
                let t = |c: &str| -> Result<String> { Ok(r.try_get::<Option<String>, _>(c)?.unwrap_or_default()) };
                let account: AccountId = crate::sql::id(&r, "account_id")?;
                let kind = t("kind")?;
                if kind == "opening_balance" {
                    s.openings.insert((account, t("currency")?));
                }
                let (voucher, invoice, reference) = (t("voucher_no")?, t("invoice_no")?, t("reference")?);
                let figure: i64 = r.try_get("amount")?;
                let key = key_of(account, &t("entry_date")?, &kind, figure, [&voucher, &invoice, &reference]);
                s.entries.insert(key, r.try_get("id")?);
            }
        }
        Ok(s)
    }

    pub(super) async fn commit_ledger_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        p: &PlanRow,
        choice: OnDuplicate,
        made: &mut Vec<Made>,
    ) -> Result<Option<&'static str>> {
        let Some(account_id) = to_create_on(p, choice)? else { return Ok(None) };
        let rec = parse_cells(kam_core::ledger::FIELDS, &p.values, &mut Vec::new());
        let id = self.post_entry_in(tx, actor, account_id, rec).await?;
        made.push(Made { entity: "ledger_entry".into(), id: id.0, action: "created", before: None });
        Ok(Some("created"))
    }
}

#[derive(Default)]
struct Stored {
    entries: HashMap<EntryKey, i64>,
    openings: HashSet<(AccountId, String)>,
    currencies: HashMap<AccountId, String>,
}
