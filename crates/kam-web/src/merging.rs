//! The merge of two accounts as the pages and the API show it: the fields
//! side by side (only those the reader may see), the pick each starts with,
//! and the reading of the user's picks.

use std::collections::BTreeMap;

use kam_core::account::FIELDS;
use kam_core::merge::{self, Pick};
use kam_core::visibility::Viewer;
use kam_core::{Actor, FieldErrors, Value};
use kam_store::accounts::Account;

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
    let get = |a: &Account, f: &str| a.rec.get(f).cloned().unwrap_or(Value::Null);
    FIELDS
        .iter()
        .filter(|d| viewer.sees_field("account", d.name))
        .map(|d| FieldRow {
            field: d.name,
            survivor: get(survivor, d.name),
            merged: get(merged, d.name),
            default: merge::default_pick(&survivor.rec, &merged.rec, d.name),
            pickable: merge::may_pick(actor, "account", d),
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
