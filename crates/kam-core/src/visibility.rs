//! Who sees which field of which record: the one table.
//!
//! Every field of every entity has a sensitivity class — general, money or
//! personal — taken from its registry definition (money-kind fields and the
//! finance fields are money, a contact's private data is personal) plus the
//! figures the system derives (order totals, a contract's current amount).
//! Some entities are money as a whole (ledger entries, statements, credit
//! decisions). `SIGHT` says, per role, which classes it sees. Pages, the API,
//! history, search, timelines and exports strip what `Viewer` hides before a
//! record leaves the server; nothing else decides it.

use serde_json::Value as Json;

use crate::access::{Actor, Role};
use crate::fields::{Access, FieldDef, Kind, Record};

/// How sensitive a field, or a whole record, is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    General,
    /// Amounts, prices, budgets, credit and bank data.
    Money,
    /// A contact's private data (birthday, hobbies, home address …).
    Personal,
}

/// Whether a role sees a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    Yes,
    /// Only on records of accounts the user owns (within their read scope).
    OwnAccounts,
    No,
}

/// The table: per role, what it sees of money and of personal data. General
/// fields are seen by every role on every record it may read.
pub const SIGHT: [(Role, Sight, Sight); 6] = [
    //  role            money      personal
    (Role::Admin, Sight::Yes, Sight::Yes),
    (Role::Manager, Sight::Yes, Sight::Yes),
    (Role::Sales, Sight::Yes, Sight::OwnAccounts),
    (Role::Finance, Sight::Yes, Sight::No),
    (Role::Service, Sight::No, Sight::No),
    (Role::Auditor, Sight::Yes, Sight::No),
];

/// What a role sees of a class.
pub fn sight(role: Role, class: Class) -> Sight {
    let row = SIGHT.iter().find(|r| r.0 == role).copied().unwrap_or((role, Sight::No, Sight::No));
    match class {
        Class::General => Sight::Yes,
        Class::Money => row.1,
        Class::Personal => row.2,
    }
}

/// The class of a registry field.
pub fn class_of(d: &FieldDef) -> Class {
    match (d.access, d.kind) {
        (Access::Personal, _) => Class::Personal,
        (Access::Finance, _) | (_, Kind::Money | Kind::MoneyDelta) => Class::Money,
        _ => Class::General,
    }
}

/// One entity as records leave the server.
#[derive(Debug)]
pub struct Entity {
    /// The audit entity name.
    pub name: &'static str,
    /// The class of the record as a whole (money: only money readers see it at all).
    pub whole: Class,
    /// Its registry fields.
    pub fields: &'static [&'static [FieldDef]],
    /// Money figures the system derives and serialises beside the fields.
    pub derived_money: &'static [&'static str],
    /// Nested lists of child records: (JSON key, child entity).
    pub children: &'static [(&'static str, &'static str)],
    /// The stem of its field labels' message keys (`field.<labels>.<name>`).
    pub labels: &'static str,
}

const fn entity(name: &'static str, fields: &'static [&'static [FieldDef]]) -> Entity {
    Entity { name, whole: Class::General, fields, derived_money: &[], children: &[], labels: name }
}

const fn money_entity(name: &'static str, fields: &'static [&'static [FieldDef]]) -> Entity {
    Entity { name, whole: Class::Money, fields, derived_money: &[], children: &[], labels: name }
}

use crate::{account, activity, complaint, contact, contract, ledger, market, order, worklog};

/// Every entity whose records leave the server, with its fields.
pub static ENTITIES: &[Entity] = &[
    entity("account", &[account::FIELDS]),
    entity("contact", &[contact::FIELDS, contact::LINK_FIELDS]),
    entity("competitor", &[contact::COMPETITOR_FIELDS]),
    Entity { labels: "position", ..entity("competitor_position", &[contact::POSITION_FIELDS]) },
    Entity { labels: "partner", ..entity("account_partner", &[contact::PARTNER_FIELDS]) },
    Entity { labels: "share", ..entity("share_observation", &[contact::SHARE_FIELDS]) },
    entity("interaction", &[activity::INTERACTION.fields, activity::INTERACTION.derived]),
    entity("service_record", &[activity::SERVICE_RECORD.fields, activity::SERVICE_RECORD.derived]),
    entity("visit", &[activity::VISIT.fields, activity::VISIT.derived]),
    entity("need", &[activity::NEED.fields, activity::NEED.derived]),
    entity("survey", &[activity::SURVEY.fields, activity::SURVEY.derived]),
    entity("complaint", &[complaint::COMPLAINT.fields, complaint::COMPLAINT.derived]),
    entity("market_activity", &[market::FIELDS]),
    entity("market_analysis", &[market::ANALYSIS_FIELDS]),
    entity("product", &[order::PRODUCT_FIELDS]),
    Entity {
        derived_money: &["total_with_tax", "total_without_tax", "tax", "credit_limit", "credit_exposure"],
        children: &[("lines", "order_line")],
        ..entity("order", &[order::ORDER_FIELDS])
    },
    Entity { derived_money: &["with_tax", "without_tax", "tax"], ..entity("order_line", &[order::LINE_FIELDS]) },
    Entity {
        derived_money: &["current_amount"],
        children: &[("amendments", "contract_amendment")],
        ..entity("contract", &[contract::FIELDS])
    },
    entity("contract_amendment", &[contract::AMENDMENT_FIELDS]),
    Entity { children: &[("collections", "worklog_collection")], ..entity("worklog", &[worklog::FIELDS]) },
    entity("worklog_visit", &[worklog::VISIT_FIELDS]),
    entity("worklog_affair", &[worklog::AFFAIR_FIELDS]),
    entity("worklog_collection", &[worklog::COLLECTION_FIELDS]),
    money_entity("ledger_entry", &[ledger::FIELDS]),
    Entity { derived_money: &["opening", "closing"], ..money_entity("statement", &[]) },
    Entity { derived_money: &["credit_limit"], ..money_entity("credit", &[]) },
    // 附表一's rows: the trailing twelve months' revenue is money.
    Entity { derived_money: &["revenue"], ..entity("classification", &[]) },
    // The health score's factors: the overdue share and the revenue trend are money.
    Entity { derived_money: &["overdue_receivables", "order_trend"], ..entity("health", &[]) },
];

/// The entity of that name.
pub fn entity_of(name: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|e| e.name == name)
}

/// The registry fields of an entity (empty when it has none).
pub fn fields_of(name: &str) -> impl Iterator<Item = &'static FieldDef> {
    entity_of(name).into_iter().flat_map(|e| e.fields.iter().flat_map(|f| f.iter()))
}

/// The class of one field of an entity; fields the table does not know are general.
pub fn field_class(entity: &str, field: &str) -> Class {
    let Some(e) = entity_of(entity) else { return Class::General };
    if e.whole != Class::General {
        return e.whole;
    }
    if e.derived_money.contains(&field) {
        return Class::Money;
    }
    fields_of(entity).find(|d| d.name == field).map(class_of).unwrap_or(Class::General)
}

/// One reader of one record: their role, and whether they own the account the
/// record belongs to (for personal data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub role: Role,
    pub owns_account: bool,
}

impl Viewer {
    pub fn new(actor: &Actor, owns_account: bool) -> Self {
        Self { role: actor.role, owns_account }
    }

    /// A reader for whom ownership does not matter (money, lists).
    pub fn of(actor: &Actor) -> Self {
        Self::new(actor, false)
    }

    pub fn sees(&self, class: Class) -> bool {
        match sight(self.role, class) {
            Sight::Yes => true,
            Sight::OwnAccounts => self.owns_account,
            Sight::No => false,
        }
    }

    pub fn sees_money(&self) -> bool {
        self.sees(Class::Money)
    }

    /// Whether the reader sees records of this entity at all.
    pub fn sees_entity(&self, entity: &str) -> bool {
        entity_of(entity).is_none_or(|e| self.sees(e.whole))
    }

    pub fn sees_field(&self, entity: &str, field: &str) -> bool {
        self.sees(field_class(entity, field))
    }

    /// Takes out of a record what the reader may not see.
    pub fn strip_record(&self, entity: &str, rec: &mut Record) {
        rec.retain(|k, _| self.sees_field(entity, k));
    }

    /// Takes out of a serialised record (or a list of them), and of its
    /// nested child records, what the reader may not see.
    pub fn strip_json(&self, entity: &str, v: &mut Json) {
        match v {
            Json::Array(items) => items.iter_mut().for_each(|i| self.strip_json(entity, i)),
            Json::Object(obj) => {
                obj.retain(|k, _| self.sees_field(entity, k));
                if let Some(e) = entity_of(entity) {
                    for (key, child) in e.children {
                        if let Some(c) = obj.get_mut(*key) {
                            self.strip_json(child, c);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// An audit row as the reader may see it: `None` when the whole record is
    /// hidden, else its changes with the hidden fields taken out.
    pub fn strip_changes(&self, entity: &str, changes: &mut Json) -> bool {
        if !self.sees_entity(entity) {
            return false;
        }
        if let Json::Object(obj) = changes {
            obj.retain(|k, _| self.sees_field(entity, k));
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Role, owns: bool) -> Viewer {
        Viewer { role, owns_account: owns }
    }

    #[test]
    fn every_role_has_one_row() {
        for r in Role::ALL {
            assert_eq!(SIGHT.iter().filter(|row| row.0 == r).count(), 1, "{r:?}");
        }
    }

    #[test]
    fn every_audited_record_entity_is_in_the_table() {
        for k in activity::KINDS {
            assert!(entity_of(k.entity).is_some(), "{}", k.entity);
        }
        let mut names: Vec<_> = ENTITIES.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ENTITIES.len(), "an entity is listed twice");
        for e in ENTITIES {
            for (_, child) in e.children {
                assert!(entity_of(child).is_some(), "{} → {child}", e.name);
            }
        }
    }

    /// Walks the whole table: every field of every entity, for every role.
    #[test]
    fn the_table_walked() {
        for e in ENTITIES {
            let fields: Vec<&str> = fields_of(e.name).map(|d| d.name).chain(e.derived_money.iter().copied()).collect();
            for role in Role::ALL {
                for owns in [false, true] {
                    let v = viewer(role, owns);
                    for f in &fields {
                        let class = field_class(e.name, f);
                        let expected = match (role, class) {
                            (_, Class::General) => true,
                            (Role::Service, Class::Money) => false,
                            (_, Class::Money) => true,
                            (Role::Admin | Role::Manager, Class::Personal) => true,
                            (Role::Sales, Class::Personal) => owns,
                            (_, Class::Personal) => false,
                        };
                        assert_eq!(v.sees_field(e.name, f), expected, "{role:?} {} {f}", e.name);
                    }
                }
            }
        }
    }

    #[test]
    fn lists_sort_only_by_general_fields() {
        for f in account::SORTABLE {
            assert_eq!(field_class("account", f), Class::General, "{f}");
        }
    }

    #[test]
    fn money_and_finance_fields_are_money() {
        for (entity, field) in [
            ("account", "credit_limit"),
            ("account", "bank_account"),
            ("account", "payment_terms_days"),
            ("order", "total_with_tax"),
            ("order_line", "unit_price"),
            ("order_line", "with_tax"),
            ("contract", "amount"),
            ("contract", "current_amount"),
            ("contract_amendment", "amount_delta"),
            ("product", "list_price"),
            ("need", "budget"),
            ("worklog_collection", "paid_amount"),
            ("ledger_entry", "kind"),
            ("statement", "closing"),
        ] {
            assert_eq!(field_class(entity, field), Class::Money, "{entity}.{field}");
        }
        assert_eq!(field_class("account", "name"), Class::General);
        assert_eq!(field_class("contact", "hobbies"), Class::Personal);
        assert_eq!(field_class("order", "number"), Class::General);
    }

    #[test]
    fn json_is_stripped_with_its_children() {
        let mut order = serde_json::json!({
            "number": "SO-1", "total_with_tax": 100, "currency": "CNY",
            "lines": [{"product_name": "钢材", "unit_price": 50, "with_tax": 100, "quantity": "2"}],
        });
        viewer(Role::Service, false).strip_json("order", &mut order);
        assert_eq!(
            order,
            serde_json::json!({"number": "SO-1", "currency": "CNY", "lines": [{"product_name": "钢材", "quantity": "2"}]})
        );
        let mut same = serde_json::json!({"number": "SO-1", "total_with_tax": 100});
        viewer(Role::Sales, false).strip_json("order", &mut same);
        assert_eq!(same["total_with_tax"], 100);

        let mut changes = serde_json::json!({"amount": [null, 5]});
        assert!(!viewer(Role::Service, false).strip_changes("ledger_entry", &mut changes));
        let mut changes = serde_json::json!({"name": ["a", "b"], "credit_limit": [null, 5]});
        assert!(viewer(Role::Service, false).strip_changes("account", &mut changes));
        assert_eq!(changes, serde_json::json!({"name": ["a", "b"]}));
    }
}
