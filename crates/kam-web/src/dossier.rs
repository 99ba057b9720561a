//! The account dossier 客户档案: one account's whole file as one workbook —
//! the profile card, contacts, competition, every activity kind, orders with
//! their lines, contracts, the ledger and statements — each sheet holding
//! only what the viewer may see (the one visibility table). A dossier edited
//! in a spreadsheet program comes back as a field-by-field diff against the
//! dossier as it would be exported now: changes to the profile and to the
//! contacts' own fields, new contacts, each checked by the form's parser and
//! the field rules; edits to the other sheets (the ledger, orders, signed
//! records) are refused as read-only, counted by sheet. Only what the user
//! accepts is written, in one transaction (`Store::apply_dossier`), and a
//! value changed in KAM since the export is refused as stale.

use std::collections::{BTreeMap, HashMap};

use kam_core::fields::{self, FieldDef, Raw};
use kam_core::import::{ACCOUNT_REF, ImportKind};
use kam_core::visibility::Viewer;
use kam_core::{AccountId, Actor, ContactId, FieldErrors, Record};
use kam_store::StoreError;
use kam_store::dossier::{DossierApplied, DossierChanges};
use rust_xlsxwriter::XlsxError;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::exports::{all_pages, cell, header, records_sheet};
use crate::i18n::{Lang, t};
use crate::import;
use crate::workbook::Book;

/// The most rows one sheet of a dossier holds.
const MAX_SHEET_ROWS: usize = 5_000;
/// The profile sheet: the KAM id in row 1, the fields from row 3 (label, value, code).
const FIRST_FIELD_ROW: usize = 3;

/// The columns of the contacts sheet: the id, the contact's fields some
/// contact shows this viewer, then the tie to this account.
fn contact_columns(actor: &Actor) -> Vec<&'static FieldDef> {
    let widest = Viewer::new(actor, true);
    let own = kam_core::contact::FIELDS.iter().filter(|d| widest.sees_field("contact", d.name));
    own.chain(kam_core::contact::LINK_FIELDS.iter()).collect()
}

fn is_link(d: &FieldDef) -> bool {
    kam_core::contact::LINK_FIELDS.iter().any(|l| l.name == d.name)
}

/// The dossier as a workbook (not audited: `export` is the download).
pub async fn build<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    id: AccountId,
) -> Result<Book, E> {
    sheets(store, actor, lang, id, true).await
}

/// The dossier's sheets: all of them, or (`whole` false) only the two that
/// come back editable — what `apply` compares against, without reading the
/// ledger and the activities again.
async fn sheets<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    id: AccountId,
    whole: bool,
) -> Result<Book, E> {
    let acc = store.account(actor, id).await?;
    let viewer = Viewer::of(actor);
    let mut book = Book::new(lang);
    // The profile: one field per row, with its code for the way back.
    let mut rec = acc.rec.clone();
    viewer.strip_record("account", &mut rec);
    let mut sheet = book.sheet(t(lang, "dossier.sheet.profile"))?;
    sheet.title(&format!("{} · {}", t(lang, "dossier.title"), acc.name()))?;
    sheet.text(1, 0, t(lang, "dossier.kam_id"))?;
    sheet.text(1, 1, &id.0.to_string())?;
    header_at(&mut sheet, lang, 2, &["dossier.field", "dossier.value", "dossier.code"])?;
    let defs = kam_core::account::FIELDS.iter().filter(|d| viewer.sees_field("account", d.name));
    for (i, d) in defs.enumerate() {
        let row = (FIRST_FIELD_ROW + i) as u32;
        sheet.text(row, 0, t(lang, &format!("field.account.{}", d.name)))?;
        if let Some(v) = rec.get(d.name) {
            cell(&mut sheet, lang, row, 1, d, v)?;
        }
        sheet.text(row, 2, d.name)?;
    }
    sheet.widths(&[(0, 22.0), (1, 48.0), (2, 18.0)])?;
    drop(sheet);
    // Contacts with their tie to this account.
    let cols = contact_columns(actor);
    let mut sheet = book.sheet(t(lang, "dossier.sheet.contacts"))?;
    let labels = std::iter::once("dossier.contact_id".to_string())
        .chain(cols.iter().map(|d| format!("field.contact.{}", d.name)));
    header(&mut sheet, lang, labels)?;
    for (r, mut c) in store.account_contacts(actor, id).await?.into_iter().take(MAX_SHEET_ROWS).enumerate() {
        let row = r as u32 + 1;
        Viewer::new(actor, c.actor_owns_account).strip_record("contact", &mut c.rec);
        sheet.text(row, 0, &c.id.0.to_string())?;
        let link = c.accounts.iter().find(|l| l.account_id == id).map(|l| l.rec.clone()).unwrap_or_default();
        for (i, d) in cols.iter().enumerate() {
            let v = if is_link(d) { link.get(d.name) } else { c.rec.get(d.name) };
            if let Some(v) = v {
                cell(&mut sheet, lang, row, i as u16 + 1, d, v)?;
            }
        }
    }
    sheet.widths(&[(0, 8.0), (1, 14.0)])?;
    drop(sheet);
    // The read-only rest.
    let positions = store.positions(actor, id).await?;
    let items = as_items(actor, "competitor_position", &positions);
    let items = &items[..items.len().min(MAX_SHEET_ROWS)];
    let lead = [("competitor_name", "field.position.competitor_id")];
    records_sheet(&mut book, actor, t(lang, "entity.competitor_position"), "competitor_position", &lead, items)?;
    if !whole {
        return Ok(book);
    }
    // The visit plans of this year and last (附表三): each slot's planned and actual date.
    let mut sheet = book.sheet(t(lang, "entity.visit_plan"))?;
    header_at(&mut sheet, lang, 0, &["dossier.plan_year", "dossier.plan_slot", "plan.planned", "plan.actual"])?;
    let mut row = 1u32;
    let year = store.today().year();
    for y in [year - 1, year] {
        let plan = store.visit_plan(actor, id, y).await?;
        for (i, slot) in plan.slots.iter().enumerate().filter(|(_, s)| s.planned.is_some() || s.actual.is_some()) {
            sheet.number(row, 0, f64::from(y))?;
            sheet.number(row, 1, i as f64 + 1.0)?;
            if let Some(d) = slot.planned {
                sheet.date(row, 2, &d.to_string())?;
            }
            if let Some(d) = slot.actual {
                sheet.date(row, 3, &d.to_string())?;
            }
            row += 1;
        }
    }
    drop(sheet);
    // 附表六 of this year and last: each month with a score, the factors and the month's total.
    let mut sheet = book.sheet(t(lang, "capability.title"))?;
    header_at(&mut sheet, lang, 0, &["dossier.plan_year", "field.capability.month"])?;
    for (i, key) in kam_core::capability::FACTOR_KEYS.iter().enumerate() {
        sheet.text(0, i as u16 + 2, t(lang, &format!("capability.f.{key}")))?;
    }
    sheet.text(0, kam_core::capability::FACTORS as u16 + 2, t(lang, "capability.total"))?;
    let mut row = 1u32;
    for y in [year - 1, year] {
        let scored = store.capability_sheet(actor, id, y).await?.sheet;
        for (m, col) in scored.months.iter().enumerate().filter(|(_, c)| c.iter().any(Option::is_some)) {
            sheet.number(row, 0, f64::from(y))?;
            sheet.number(row, 1, m as f64 + 1.0)?;
            for (f, score) in col.iter().enumerate() {
                if let Some(v) = score {
                    sheet.number(row, f as u16 + 2, f64::from(*v))?;
                }
            }
            if let Some(total) = scored.month_total(m + 1) {
                sheet.number(row, kam_core::capability::FACTORS as u16 + 2, total as f64)?;
            }
            row += 1;
        }
    }
    drop(sheet);
    for kind in kam_core::activity::KINDS {
        if !viewer.sees_entity(kind.entity) {
            continue;
        }
        let list = all_pages(
            |page| {
                let f = kam_store::activity::ActivityFilter { account_id: Some(id), page, per_page: 200 };
                async move { store.list_activities(kind, actor, &f).await }
            },
            MAX_SHEET_ROWS,
        )
        .await?;
        let items = as_items(actor, kind.entity, &list);
        records_sheet(&mut book, actor, t(lang, &format!("entity.{}", kind.entity)), kind.entity, &[], &items)?;
    }
    let mut orders = all_pages(
        |page| {
            let f = kam_store::orders::OrderFilter { account_id: Some(id), page, per_page: 200, ..Default::default() };
            async move { store.orders(actor, &f).await }
        },
        MAX_SHEET_ROWS,
    )
    .await?;
    store.attach_lines(&mut orders).await?;
    let shown = crate::redact::json(actor, "order", &orders);
    let mut sheet = book.sheet(t(lang, "order.lines"))?;
    crate::exports::order_lines_header(&mut sheet, lang)?;
    let mut row = 1;
    crate::exports::order_lines(&mut sheet, lang, &shown, &mut row)?;
    drop(sheet);
    let contracts = store.contracts(actor, Some(id)).await?;
    let items = as_items(actor, "contract", &contracts);
    records_sheet(&mut book, actor, t(lang, "entity.contract"), "contract", &[], &items)?;
    if viewer.sees_entity("ledger_entry") {
        let entries = store.ledger_entries(actor, id).await?;
        let items = as_items(actor, "ledger_entry", &entries);
        records_sheet(&mut book, actor, t(lang, "entity.ledger_entry"), "ledger_entry", &[], &items)?;
        let statements = all_pages(
            |page| {
                let f = kam_store::statements::StatementFilter {
                    account_id: Some(id),
                    page,
                    per_page: 200,
                    ..Default::default()
                };
                async move { store.statements(actor, &f).await }
            },
            MAX_SHEET_ROWS,
        )
        .await?;
        let items = as_items(actor, "statement", &statements);
        let lead = [
            ("period", "dossier.statement_period"),
            ("currency", "field.order.currency"),
            ("opening", "dossier.statement_opening"),
            ("closing", "dossier.statement_closing"),
            ("status", "dossier.statement_status"),
        ];
        records_sheet(&mut book, actor, t(lang, "entity.statement"), "statement", &lead, &items)?;
    }
    Ok(book)
}

fn header_at(sheet: &mut crate::workbook::Sheet<'_>, lang: Lang, row: u32, keys: &[&str]) -> Result<(), XlsxError> {
    for (i, k) in keys.iter().enumerate() {
        sheet.text(row, i as u16, t(lang, k))?;
    }
    Ok(())
}

/// Records as the viewer may see them, as a list of JSON objects.
fn as_items(actor: &Actor, entity: &str, records: &impl Serialize) -> Vec<Json> {
    match crate::redact::json(actor, entity, records) {
        Json::Array(items) => items,
        _ => Vec::new(),
    }
}

/// The dossier download: the workbook and its file name; audited.
pub async fn export<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    id: AccountId,
) -> Result<Vec<u8>, E> {
    let book = build::<E>(store, actor, lang, id).await?;
    store.record_export(actor, "dossier", id, Some(id)).await?;
    Ok(book.finish()?)
}

/// One changed cell: the field, the value exported and the value back, and
/// why it cannot be written, if it cannot (a message key).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    #[serde(default, skip_deserializing)]
    pub label: String,
    pub before: String,
    pub after: String,
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactChange {
    pub id: i64,
    pub name: String,
    pub changes: Vec<Change>,
    /// A row naming a contact this account does not have (message key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewContact {
    /// The sheet row (1-based, as a spreadsheet shows it).
    pub row: usize,
    /// field → the text the form gets
    pub values: BTreeMap<String, String>,
    /// "field: message key" for each refused cell
    pub errors: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadOnly {
    pub sheet: String,
    pub cells: usize,
}

/// What a dossier coming back would change.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub account_id: AccountId,
    pub profile: Vec<Change>,
    pub contacts: Vec<ContactChange>,
    pub new_contacts: Vec<NewContact>,
    /// Rows of contacts left out of the sheet: nothing is deleted through a dossier.
    pub contacts_left_out: usize,
    pub read_only: Vec<ReadOnly>,
}

use crate::import::Grid;

/// A contacts sheet read: each field's column, and the rows with their sheet
/// row number and contact id ("" for a new row).
struct ContactSheet<'a> {
    cols: HashMap<&'static str, usize>,
    rows: Vec<(usize, String, &'a Vec<String>)>,
}

fn at(grid: &Grid, r: usize, c: usize) -> &str {
    grid.get(r).and_then(|row| row.get(c)).map(|s| s.trim()).unwrap_or_default()
}

/// The profile sheet's values by field code.
fn profile_values(grid: &Grid) -> BTreeMap<String, String> {
    (FIRST_FIELD_ROW..grid.len())
        .filter(|r| !at(grid, *r, 2).is_empty())
        .map(|r| (at(grid, r, 2).to_string(), at(grid, r, 1).to_string()))
        .collect()
}

/// The contacts sheet: the column of each field (by its header, in either
/// language), and the rows by contact id ("" for new rows, with their row).
fn contact_rows(grid: &Grid) -> ContactSheet<'_> {
    let mut cols = HashMap::new();
    let mut id_col = None;
    let ids = [t(Lang::Zh, "dossier.contact_id"), t(Lang::En, "dossier.contact_id")];
    for (i, h) in grid.first().into_iter().flatten().enumerate() {
        if ids.iter().any(|l| kam_core::import::key(l) == kam_core::import::key(h)) {
            id_col = Some(i);
        } else if let Some(f) = import::field_of(ImportKind::Contacts, h).filter(|f| *f != ACCOUNT_REF) {
            cols.entry(f).or_insert(i);
        }
    }
    let rows = grid
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(n, r)| (n + 1, id_col.map(|c| at(grid, n, c).to_string()).unwrap_or_default(), r))
        .collect();
    ContactSheet { cols, rows }
}

/// Why `after` cannot be written to `def`, if it cannot.
fn refusal(def: &FieldDef, after: &str, may_write: bool) -> Option<String> {
    if !may_write {
        return Some("err.field_forbidden".into());
    }
    let text = kam_core::import::form_text(def, after, &import::choice_labels);
    if text.is_empty() {
        return def.required.then(|| "err.required".into());
    }
    fields::parse(def, Raw::Form(&text)).err().map(str::to_string)
}

fn labelled(lang: Lang, entity: &str, mut c: Change) -> Change {
    c.label = t(lang, &format!("field.{entity}.{}", c.field)).to_string();
    c
}

/// The diff of a dossier coming back against the account as it is now.
pub async fn diff<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    id: AccountId,
    bytes: &[u8],
) -> Result<Diff, E> {
    let file_error = |k: &'static str| E::from(StoreError::field("file", k));
    let back = import::read_book(bytes).map_err(file_error)?;
    let now = import::read_book(&build::<E>(store, actor, lang, id).await?.finish()?).map_err(file_error)?;
    let (Some((_, profile_back)), Some((_, profile_now))) = (back.first(), now.first()) else {
        return Err(file_error("err.dossier_not_a_dossier"));
    };
    if at(profile_back, 1, 1) != id.0.to_string() {
        return Err(file_error("err.dossier_other_account"));
    }
    let acc = store.account(actor, id).await?;
    let may_edit = actor.can_edit_account(&acc.facts());
    // The profile, field by field.
    let (was, is) = (profile_values(profile_now), profile_values(profile_back));
    let mut profile = Vec::new();
    for (code, after) in &is {
        let Some(def) = kam_core::account::FIELDS.iter().find(|d| d.name == code) else { continue };
        let before = was.get(code).cloned();
        if before.as_deref() == Some(after.as_str()) || (before.is_none() && after.is_empty()) {
            continue;
        }
        let may = may_edit && before.is_some() && actor.can_write_field(def.access);
        let c = Change {
            field: def.name.into(),
            label: String::new(),
            before: before.unwrap_or_default(),
            after: after.clone(),
            error: refusal(def, after, may),
        };
        profile.push(labelled(lang, "account", c));
    }
    // Contacts: changed cells of the account's contacts, and new rows.
    let stored: HashMap<i64, kam_store::contacts::Contact> =
        store.account_contacts(actor, id).await?.into_iter().map(|c| (c.id.0, c)).collect();
    let grid_now = now.get(1).map(|(_, g)| g.clone()).unwrap_or_default();
    let grid_back = back.get(1).map(|(_, g)| g.clone()).unwrap_or_default();
    let ContactSheet { cols: cols_now, rows: rows_now } = contact_rows(&grid_now);
    let ContactSheet { cols: cols_back, rows: rows_back } = contact_rows(&grid_back);
    let now_by_id: HashMap<&str, &Vec<String>> = rows_now.iter().map(|(_, i, r)| (i.as_str(), *r)).collect();
    let defs = contact_columns(actor);
    let cell_of = |cols: &HashMap<&'static str, usize>, row: &Vec<String>, f: &str| {
        cols.get(f).and_then(|c| row.get(*c)).map(|s| s.trim().to_string()).unwrap_or_default()
    };
    let (mut contacts, mut new_contacts, mut seen) = (Vec::new(), Vec::new(), 0usize);
    for (n, cid, row) in &rows_back {
        if cid.is_empty() {
            let mut values = BTreeMap::new();
            let mut errors = Vec::new();
            for d in kam_core::contact::FIELDS.iter().chain(kam_core::contact::LINK_FIELDS) {
                let after = cell_of(&cols_back, row, d.name);
                let may = may_edit && (is_link(d) || actor.can_write_field(d.access));
                if let Some(e) = refusal(d, &after, may || after.is_empty()) {
                    let c = Change {
                        field: d.name.into(),
                        label: String::new(),
                        before: String::new(),
                        after: after.clone(),
                        error: Some(e),
                    };
                    errors.push(labelled(lang, "contact", c));
                }
                if !after.is_empty() {
                    values.insert(d.name.to_string(), kam_core::import::form_text(d, &after, &import::choice_labels));
                }
            }
            new_contacts.push(NewContact { row: *n, values, errors });
            continue;
        }
        let name = cell_of(&cols_back, row, "name");
        let (Some(now_row), Some(c)) =
            (now_by_id.get(cid.as_str()), cid.parse::<i64>().ok().and_then(|i| stored.get(&i)))
        else {
            let id = cid.parse().unwrap_or(0);
            contacts.push(ContactChange {
                id,
                name,
                changes: Vec::new(),
                error: Some("err.dossier_contact_unknown".into()),
            });
            continue;
        };
        seen += 1;
        let sees = Viewer::new(actor, c.actor_owns_account);
        let mut changes = Vec::new();
        for d in &defs {
            let (before, after) = (cell_of(&cols_now, now_row, d.name), cell_of(&cols_back, row, d.name));
            if !cols_back.contains_key(d.name) || before == after {
                continue;
            }
            let error = if is_link(d) {
                Some("err.dossier_tie_on_contact_page".into())
            } else {
                let may = may_edit
                    && c.actor_can_edit
                    && sees.sees_field("contact", d.name)
                    && actor.can_write_field(d.access);
                refusal(d, &after, may)
            };
            changes.push(labelled(
                lang,
                "contact",
                Change { field: d.name.into(), label: String::new(), before, after, error },
            ));
        }
        if !changes.is_empty() {
            contacts.push(ContactChange { id: c.id.0, name, changes, error: None });
        }
    }
    // The read-only sheets: cells that differ from the export as it would be now.
    let mut read_only = Vec::new();
    for (i, (name, grid)) in now.iter().enumerate().skip(2) {
        let theirs =
            back.iter().find(|(n, _)| n == name).or_else(|| back.get(i)).map(|(_, g)| g.clone()).unwrap_or_default();
        let rows = grid.len().max(theirs.len());
        let width = grid.iter().chain(theirs.iter()).map(Vec::len).max().unwrap_or(0);
        let cells = (0..rows)
            .flat_map(|r| (0..width).map(move |c| (r, c)))
            .filter(|(r, c)| at(grid, *r, *c) != at(&theirs, *r, *c))
            .count();
        if cells > 0 {
            read_only.push(ReadOnly { sheet: name.clone(), cells });
        }
    }
    Ok(Diff {
        account_id: id,
        profile,
        contacts,
        new_contacts,
        contacts_left_out: stored.len().saturating_sub(seen),
        read_only,
    })
}

/// What the user accepts of a diff: profile changes, contact changes (by
/// contact id), and new contacts (field → text), each as the diff gave it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Accepted {
    #[serde(default)]
    pub profile: Vec<Change>,
    #[serde(default)]
    pub contacts: Vec<AcceptedContact>,
    #[serde(default)]
    pub new_contacts: Vec<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AcceptedContact {
    pub id: i64,
    #[serde(flatten)]
    pub change: Change,
}

/// Writes what the user accepted, after checking that each value is still
/// what the dossier showed (`before`): one changed in KAM since is stale.
pub async fn apply<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    id: AccountId,
    accepted: Accepted,
) -> Result<DossierApplied, E> {
    let now = import::read_book(&sheets::<E>(store, actor, lang, id, false).await?.finish()?)
        .map_err(|k| E::from(StoreError::field("file", k)))?;
    let was = now.first().map(|(_, g)| profile_values(g)).unwrap_or_default();
    let grid = now.get(1).map(|(_, g)| g.clone()).unwrap_or_default();
    let ContactSheet { cols, rows } = contact_rows(&grid);
    let by_id: HashMap<&str, &Vec<String>> = rows.iter().map(|(_, i, r)| (i.as_str(), *r)).collect();
    let mut errors = FieldErrors::default();
    let mut changes = DossierChanges::default();
    let mut parse = |def: &FieldDef, after: &str, key: &str, rec: &mut Record| {
        let text = kam_core::import::form_text(def, after, &import::choice_labels);
        match fields::parse(def, Raw::Form(&text)) {
            Ok(v) => {
                rec.insert(def.name, v);
            }
            Err(k) => errors.add(key, k),
        }
    };
    let mut stale = Vec::new();
    for c in &accepted.profile {
        let key = format!("profile.{}", c.field);
        let Some(def) = kam_core::account::FIELDS.iter().find(|d| d.name == c.field) else { continue };
        if was.get(&c.field).map(String::as_str) != Some(c.before.as_str()) {
            stale.push(key);
            continue;
        }
        parse(def, &c.after, &key, &mut changes.account);
    }
    let mut per_contact: BTreeMap<i64, Record> = BTreeMap::new();
    for a in &accepted.contacts {
        let key = format!("contacts.{}.{}", a.id, a.change.field);
        let Some(def) = kam_core::contact::FIELDS.iter().find(|d| d.name == a.change.field) else { continue };
        let now_value = by_id.get(a.id.to_string().as_str()).and_then(|r| cols.get(def.name).and_then(|c| r.get(*c)));
        if now_value.map(|s| s.trim()) != Some(a.change.before.as_str()) {
            stale.push(key);
            continue;
        }
        parse(def, &a.change.after, &key, per_contact.entry(a.id).or_default());
    }
    for (i, values) in accepted.new_contacts.iter().enumerate() {
        let (mut rec, mut link) = (Record::new(), Record::new());
        for (f, v) in values.iter().filter(|(_, v)| !v.is_empty()) {
            let key = format!("new.{i}.{f}");
            if let Some(d) = kam_core::contact::FIELDS.iter().find(|d| d.name == f) {
                parse(d, v, &key, &mut rec);
            } else if let Some(d) = kam_core::contact::LINK_FIELDS.iter().find(|d| d.name == f) {
                parse(d, v, &key, &mut link);
            }
        }
        changes.new_contacts.push((rec, link));
    }
    for key in stale {
        errors.add(&key, "err.dossier_stale");
    }
    if !errors.is_empty() {
        return Err(E::from(StoreError::Invalid(errors)));
    }
    changes.contacts = per_contact.into_iter().map(|(cid, rec)| (ContactId(cid), rec)).collect();
    Ok(store.apply_dossier(actor, id, changes).await?)
}
