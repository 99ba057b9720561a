//! The merge of two accounts (or two contacts) as the pages and the API show it: the fields
//! side by side (only those the reader may see), the pick each starts with,
//! and the reading of the user's picks.

use std::collections::BTreeMap;

use kam_core::account::FIELDS;
use kam_core::fields::FieldDef;
use kam_core::merge::{self, Pick};
use kam_core::visibility::Viewer;
use kam_core::{Actor, FieldErrors, Record, Value};
use kam_store::accounts::Account;
use kam_store::contacts::Contact;

/// One field of the comparison.
#[derive(Debug, Clone)]
pub struct FieldRow {
    pub field: &'static str,
    pub survivor: Value,
    pub merged: Value,
    /// The pick the form starts with (and an unpicked field gets).
    pub default: Pick,
    /// Whether the user chooses it (they may write it); otherwise the default applies.
    pub pickable: bool,
}

impl FieldRow {
    pub fn differs(&self) -> bool {
        self.survivor != self.merged
    }
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "field": self.field, "survivor": self.survivor.to_json(), "merged": self.merged.to_json(),
            "default": self.default, "pickable": self.pickable,
        })
    }
}

/// The fields the reader may see where at least one account holds a value, in card order.
pub fn field_rows(actor: &Actor, survivor: &Account, merged: &Account) -> Vec<FieldRow> {
    let viewer = Viewer::of(actor);
    rows_of(FIELDS, &survivor.rec, &merged.rec, &|d| viewer.sees_field("account", d.name), &|d| {
        merge::may_pick(actor, "account", d)
    })
}

/// The same for two contacts: their personal fields only where the reader
/// sees them on both (owning one of each one's accounts).
pub fn contact_field_rows(actor: &Actor, survivor: &Contact, merged: &Contact, pickable: &[&str]) -> Vec<FieldRow> {
    let viewer = Viewer::new(actor, survivor.actor_owns_account && merged.actor_owns_account);
    let sees = |d: &FieldDef| viewer.sees_field("contact", d.name);
    rows_of(kam_core::contact::FIELDS, &survivor.rec, &merged.rec, &sees, &|d| pickable.contains(&d.name))
}

fn rows_of(
    defs: &'static [FieldDef],
    survivor: &Record,
    merged: &Record,
    sees: &dyn Fn(&FieldDef) -> bool,
    pickable: &dyn Fn(&FieldDef) -> bool,
) -> Vec<FieldRow> {
    let get = |r: &Record, f: &str| r.get(f).cloned().unwrap_or(Value::Null);
    defs.iter()
        .filter(|d| sees(d))
        .map(|d| FieldRow {
            field: d.name,
            survivor: get(survivor, d.name),
            merged: get(merged, d.name),
            default: merge::default_pick(survivor, merged, d.name),
            pickable: pickable(d),
        })
        .filter(|r| !r.survivor.is_null() || !r.merged.is_null())
        .collect()
}

/// Reads picks (`field` → `survivor` | `merged`); a word that is neither is an error on its field.
pub fn parse_picks<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Result<BTreeMap<String, Pick>, FieldErrors> {
    let mut picks = BTreeMap::new();
    let mut errors = FieldErrors::default();
    for (field, word) in pairs {
        match Pick::parse(word) {
            Some(p) => {
                picks.insert(field.to_string(), p);
            }
            None => errors.add(field, "err.merge_pick"),
        }
    }
    errors.into_result(picks)
}

/// One field of the comparison as a page shows it: labels and displayed
/// values, the pick it starts with, whether the user picks it.
pub struct ShownRow {
    pub field: &'static str,
    pub label: String,
    pub survivor: String,
    pub merged: String,
    pub pick: Pick,
    pub pickable: bool,
    pub differs: bool,
}

impl ShownRow {
    pub fn merged_picked(&self) -> bool {
        self.pick == Pick::Merged
    }
}

/// The page's rows: each field labelled and displayed as its form shows it,
/// with the user's earlier pick (after a refused merge) where they may pick.
pub fn shown_rows(
    lang: crate::i18n::Lang,
    entity: &str,
    defs: &'static [FieldDef],
    rows: Vec<FieldRow>,
    picked: &std::collections::HashMap<String, String>,
    currencies: (&str, &str),
) -> Vec<ShownRow> {
    rows.into_iter()
        .filter_map(|r| {
            let def = defs.iter().find(|d| d.name == r.field)?;
            let pick = picked.get(r.field).and_then(|p| Pick::parse(p)).filter(|_| r.pickable).unwrap_or(r.default);
            Some(ShownRow {
                field: r.field,
                label: crate::view::label(lang, entity, r.field),
                survivor: crate::view::display(lang, def, &r.survivor, currencies.0),
                merged: crate::view::display(lang, def, &r.merged, currencies.1),
                pick,
                pickable: r.pickable,
                differs: r.differs(),
            })
        })
        .collect()
}
