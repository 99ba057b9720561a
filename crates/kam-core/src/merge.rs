//! Merging two duplicate records into one: who may, and which value of each
//! field the survivor keeps. The store moves what hangs off the merged-away
//! record; this module decides only the rules.

use std::collections::BTreeMap;

use crate::access::AccountFacts;
use crate::fields::{Access, FieldDef, FieldErrors, Record, Value};
use crate::{Actor, Role};

/// Which record's value of a field the survivor keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    Survivor,
    Merged,
}

impl Pick {
    pub fn parse(s: &str) -> Option<Pick> {
        match s.trim() {
            "survivor" => Some(Pick::Survivor),
            "merged" => Some(Pick::Merged),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Pick::Survivor => "survivor",
            Pick::Merged => "merged",
        }
    }
}

/// Merging accounts: the actor edits the profile card (general fields) and may
/// edit both accounts. The two must differ.
pub fn can_merge_accounts(actor: &Actor, survivor: &AccountFacts, merged: &AccountFacts) -> bool {
    matches!(actor.role, Role::Admin | Role::Manager | Role::Sales)
        && actor.can_write_field(Access::General)
        && actor.can_edit_account(survivor)
        && actor.can_edit_account(merged)
}

/// Merging contacts: the roles that keep contacts, editing both (each at an
/// account they may edit).
pub fn can_merge_contacts(actor: &Actor, survivor_editable: bool, merged_editable: bool) -> bool {
    matches!(actor.role, Role::Admin | Role::Manager | Role::Sales) && survivor_editable && merged_editable
}

/// Whether the user chooses this field's value: they see it and may write it.
pub fn may_pick(actor: &Actor, entity: &str, d: &FieldDef) -> bool {
    actor.can_write_field(d.access) && crate::visibility::Viewer::of(actor).sees_field(entity, d.name)
}

/// The pick offered before the user chooses: the survivor's value, unless it
/// is empty and the merged record has one.
pub fn default_pick(survivor: &Record, merged: &Record, field: &str) -> Pick {
    let empty = |r: &Record| r.get(field).is_none_or(Value::is_null);
    if empty(survivor) && !empty(merged) { Pick::Merged } else { Pick::Survivor }
}

/// The survivor's fields that change: each field takes the picked record's
/// value; a field without a pick takes its default (`default_pick`), so a
/// value only the merged record holds is never lost, even one the user may not
/// see. A pick of a field that is not the record's, or that `may_pick` refuses
/// (the user may not see or write it), is an error on that field.
pub fn survivor_changes(
    defs: &'static [FieldDef],
    survivor: &Record,
    merged: &Record,
    picks: &BTreeMap<String, Pick>,
    may_pick: impl Fn(&FieldDef) -> bool,
) -> Result<Record, FieldErrors> {
    let mut errors = FieldErrors::default();
    for name in picks.keys() {
        match defs.iter().find(|d| d.name == name) {
            Some(d) if may_pick(d) => {}
            _ => errors.add(name, "err.field_forbidden"),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Record::new();
    for d in defs {
        let pick = picks.get(d.name).copied().unwrap_or_else(|| default_pick(survivor, merged, d.name));
        if pick == Pick::Merged {
            let theirs = merged.get(d.name).cloned().unwrap_or(Value::Null);
            if survivor.get(d.name).cloned().unwrap_or(Value::Null) != theirs {
                out.insert(d.name, theirs);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::FIELDS;
    use crate::{TeamId, UserId};

    fn rec(pairs: &[(&'static str, &str)]) -> Record {
        pairs.iter().map(|(k, v)| (*k, Value::Text((*v).into()))).collect()
    }

    #[test]
    fn the_survivor_keeps_its_values_and_gains_what_only_the_other_holds() {
        let s = rec(&[("name", "甲公司"), ("phone", "021-1")]);
        let m = rec(&[("name", "甲公司（旧）"), ("phone", "021-2"), ("city", "上海市"), ("bank_name", "工行")]);
        let out = survivor_changes(FIELDS, &s, &m, &BTreeMap::new(), |_| true).unwrap();
        assert_eq!(out.get("city"), Some(&Value::Text("上海市".into())));
        // A finance field the user may not pick still is not lost.
        assert_eq!(out.get("bank_name"), Some(&Value::Text("工行".into())));
        assert!(!out.contains_key("name") && !out.contains_key("phone"));
    }

    #[test]
    fn a_pick_takes_the_other_value_even_an_empty_one() {
        let s = rec(&[("name", "甲公司"), ("phone", "021-1")]);
        let m = rec(&[("name", "甲公司（旧）")]);
        let picks = BTreeMap::from([("phone".to_string(), Pick::Merged), ("name".to_string(), Pick::Merged)]);
        let out = survivor_changes(FIELDS, &s, &m, &picks, |_| true).unwrap();
        assert_eq!(out.get("phone"), Some(&Value::Null));
        assert_eq!(out.get("name"), Some(&Value::Text("甲公司（旧）".into())));
    }

    #[test]
    fn a_pick_of_a_field_the_user_may_not_write_or_that_does_not_exist_is_refused() {
        let s = rec(&[("name", "甲")]);
        let picks = BTreeMap::from([("bank_name".to_string(), Pick::Merged), ("nope".to_string(), Pick::Merged)]);
        let e = survivor_changes(FIELDS, &s, &s, &picks, |d| d.access == Access::General).unwrap_err();
        assert_eq!(e.0.get("bank_name"), Some(&"err.field_forbidden"));
        assert_eq!(e.0.get("nope"), Some(&"err.field_forbidden"));
    }

    #[test]
    fn only_who_may_edit_both_merges() {
        let rep = Actor { user_id: UserId(5), role: Role::Sales, team_id: Some(TeamId(1)) };
        let own = AccountFacts { owner_id: Some(UserId(5)), owner_team_id: Some(TeamId(1)), shared_with_actor: false };
        let other = AccountFacts { owner_id: Some(UserId(6)), owner_team_id: Some(TeamId(1)), shared_with_actor: true };
        assert!(can_merge_accounts(&rep, &own, &own));
        assert!(!can_merge_accounts(&rep, &own, &other));
        let fin = Actor { role: Role::Finance, ..rep.clone() };
        assert!(!can_merge_accounts(&fin, &own, &own));
        let mgr = Actor { user_id: UserId(9), role: Role::Manager, team_id: Some(TeamId(1)) };
        assert!(can_merge_accounts(&mgr, &own, &other));
    }
}
