//! The audit vocabulary: what a change record holds. The store writes one row
//! per create/update/delete in the same transaction as the change.

use crate::fields::{Record, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    Claim,
    Release,
    Handover,
    Link,
    Unlink,
    Login,
    Logout,
    Disable,
    Submit,
    Approve,
    Return,
    Export,
    Import,
    Undo,
    Merge,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Claim => "claim",
            Action::Release => "release",
            Action::Handover => "handover",
            Action::Link => "link",
            Action::Unlink => "unlink",
            Action::Login => "login",
            Action::Logout => "logout",
            Action::Disable => "disable",
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Export => "export",
            Action::Import => "import",
            Action::Undo => "undo",
            Action::Merge => "merge",
        }
    }
}

/// Changed fields as JSON: `{"field": [before, after], ...}`.
pub fn changes_json(changes: &[(&str, Value, Value)]) -> String {
    let mut m = serde_json::Map::new();
    for (k, before, after) in changes {
        m.insert((*k).to_string(), serde_json::json!([before.to_json(), after.to_json()]));
    }
    serde_json::Value::Object(m).to_string()
}

/// All non-null fields of a new record as changes from null.
pub fn created(rec: &Record) -> Vec<(&'static str, Value, Value)> {
    rec.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (*k, Value::Null, v.clone())).collect()
}

/// All non-null fields of a deleted record as changes to null.
pub fn deleted(rec: &Record) -> Vec<(&'static str, Value, Value)> {
    rec.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (*k, v.clone(), Value::Null)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_before_after_pairs() {
        let j = changes_json(&[("grade", Value::Text("A".into()), Value::Text("B".into()))]);
        assert_eq!(j, r#"{"grade":["A","B"]}"#);
    }
}
