//! Market activities 市场活动: events (seminars, exhibitions, promotions…)
//! with the accounts and contacts that took part, and their outcome. The event
//! itself is company-wide; who took part is shown only within each reader's
//! account scope.

use crate::fields::{EnumDef, FieldDef, Kind};

pub static EVENT_KIND: EnumDef =
    EnumDef { name: "event_kind", values: &["seminar", "exhibition", "promotion", "training", "visit_tour", "other"] };

pub static FIELDS: &[FieldDef] = &[
    FieldDef::new("title", Kind::Text(200), "event").required(),
    FieldDef::new("kind", Kind::Enum(&EVENT_KIND), "event").required(),
    FieldDef::new("starts_on", Kind::Date, "event").required(),
    FieldDef::new("ends_on", Kind::Date, "event"),
    FieldDef::new("place", Kind::Text(200), "event"),
    FieldDef::new("description", Kind::LongText, "event"),
    FieldDef::new("outcome", Kind::LongText, "event"),
];

pub const GROUPS: &[&str] = &["event"];
