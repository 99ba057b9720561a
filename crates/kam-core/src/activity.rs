//! Account activity records: the work done with an account, each a plain
//! record that belongs to one account and is read and written under that
//! account's access rules. One definition per kind (fields, table, API
//! resource); the store, pages and API serve every kind from it.
//!
//! Kinds so far: contact records 联系记录 and service records 客户服务记录.

use crate::fields::{EnumDef, FieldDef, Kind};

/// One kind of activity record.
#[derive(Debug)]
pub struct ActivityKind {
    /// Audit entity and message-key stem: `field.<entity>.<name>`, `activity.<entity>.*`.
    pub entity: &'static str,
    pub table: &'static str,
    /// The plural kebab-case path segment of pages and API.
    pub resource: &'static str,
    pub fields: &'static [FieldDef],
    pub groups: &'static [&'static str],
    /// The field shown as a record's title in lists.
    pub title: &'static str,
    /// The date-time field lists are ordered by, newest first.
    pub when: &'static str,
}

pub static CHANNEL: EnumDef =
    EnumDef { name: "channel", values: &["phone", "email", "meeting", "visit", "wechat", "other"] };

/// 联系记录: when, channel, our staff, their people, subject, content, result,
/// next step and a follow-up date (which becomes a reminder for the owner).
pub static INTERACTION: ActivityKind = ActivityKind {
    entity: "interaction",
    table: "interactions",
    resource: "interactions",
    fields: &[
        FieldDef::new("occurred_at", Kind::DateTime, "activity").required(),
        FieldDef::new("channel", Kind::Enum(&CHANNEL), "activity").required(),
        FieldDef::new("subject", Kind::Text(200), "activity").required(),
        FieldDef::new("our_staff", Kind::Text(200), "activity"),
        FieldDef::new("their_people", Kind::Text(200), "activity"),
        FieldDef::new("content", Kind::LongText, "activity"),
        FieldDef::new("result", Kind::LongText, "activity"),
        FieldDef::new("next_step", Kind::Text(500), "follow_up"),
        FieldDef::new("follow_up_date", Kind::Date, "follow_up"),
    ],
    groups: &["activity", "follow_up"],
    title: "subject",
    when: "occurred_at",
};

pub static SERVICE_TYPE: EnumDef =
    EnumDef { name: "service_type", values: &["after_sales", "technical_support", "training", "installation"] };

/// 客户服务记录: type, when, where, staff, content, result, duration.
pub static SERVICE_RECORD: ActivityKind = ActivityKind {
    entity: "service_record",
    table: "service_records",
    resource: "service-records",
    fields: &[
        FieldDef::new("service_type", Kind::Enum(&SERVICE_TYPE), "activity").required(),
        FieldDef::new("occurred_at", Kind::DateTime, "activity").required(),
        FieldDef::new("place", Kind::Text(200), "activity"),
        FieldDef::new("staff", Kind::Text(200), "activity"),
        FieldDef::new("content", Kind::LongText, "activity").required(),
        FieldDef::new("result", Kind::LongText, "activity"),
        FieldDef::new("duration_minutes", Kind::Int(0, 100_000), "activity"),
    ],
    groups: &["activity"],
    title: "content",
    when: "occurred_at",
};

/// Every kind, in the order the account page shows their tabs.
pub static KINDS: &[&ActivityKind] = &[&INTERACTION, &SERVICE_RECORD];

pub fn by_resource(resource: &str) -> Option<&'static ActivityKind> {
    KINDS.iter().copied().find(|k| k.resource == resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_consistent() {
        for k in KINDS {
            assert!(crate::fields::def(k.fields, k.title).is_some(), "{} title", k.entity);
            let when = crate::fields::def(k.fields, k.when).expect("when field");
            assert!(matches!(when.kind, Kind::DateTime | Kind::Date), "{} orders by a date", k.entity);
            for f in k.fields {
                assert!(k.groups.contains(&f.group), "{}.{} group", k.entity, f.name);
            }
            assert_eq!(by_resource(k.resource).map(|x| x.entity), Some(k.entity));
        }
    }
}
