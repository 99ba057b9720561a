//! Contacts 联系人: decision makers and managers of an account. A contact may
//! belong to several accounts, with a title and buying role per account.

use crate::fields::{Access, EnumDef, FieldDef, Kind};

pub static GENDER: EnumDef = EnumDef { name: "gender", values: &["male", "female"] };
pub static EDUCATION: EnumDef =
    EnumDef { name: "education", values: &["secondary", "college", "bachelor", "master", "doctorate", "other"] };
pub static BUYING_ROLE: EnumDef =
    EnumDef { name: "buying_role", values: &["decision_maker", "influencer", "user", "gatekeeper"] };
pub static ATTITUDE: EnumDef =
    EnumDef { name: "attitude", values: &["champion", "supportive", "neutral", "skeptical", "opposed"] };

/// The contact's own fields.
pub static FIELDS: &[FieldDef] = &[
    FieldDef::new("name", Kind::Text(60), "basic").required(),
    FieldDef::new("gender", Kind::Enum(&GENDER), "basic"),
    FieldDef::new("department", Kind::Text(60), "basic"),
    FieldDef::new("mobile", Kind::Phone, "basic"),
    FieldDef::new("phone", Kind::Phone, "basic"),
    FieldDef::new("email", Kind::Email, "basic"),
    FieldDef::new("fax", Kind::Phone, "basic"),
    FieldDef::new("wechat", Kind::Text(60), "basic"),
    FieldDef::new("notes", Kind::LongText, "basic"),
    FieldDef::new("birth_date", Kind::Date, "personal").access(Access::Personal),
    FieldDef::new("education", Kind::Enum(&EDUCATION), "personal").access(Access::Personal),
    FieldDef::new("hometown", Kind::Text(60), "personal").access(Access::Personal),
    FieldDef::new("personality", Kind::Text(200), "personal").access(Access::Personal),
    FieldDef::new("hobbies", Kind::Text(200), "personal").access(Access::Personal),
    FieldDef::new("home_address", Kind::Text(200), "personal").access(Access::Personal),
];

/// The fields of a contact's tie to one account.
pub static LINK_FIELDS: &[FieldDef] = &[
    FieldDef::new("title", Kind::Text(60), "link"),
    FieldDef::new("buying_role", Kind::Enum(&BUYING_ROLE), "link"),
    FieldDef::new("relationship", Kind::Text(200), "link"),
    FieldDef::new("attitude", Kind::Enum(&ATTITUDE), "link"),
    FieldDef::new("is_primary", Kind::Bool, "link"),
];

pub const GROUPS: &[&str] = &["basic", "personal"];

/// Names of the personal fields, hidden from those who may not see them.
pub fn personal_fields() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().filter(|d| d.access == Access::Personal).map(|d| d.name)
}

/// Competitor 竞争对手: a shared record.
pub static COMPETITOR_FIELDS: &[FieldDef] = &[
    FieldDef::new("name", Kind::Text(200), "basic").required(),
    FieldDef::new("website", Kind::Url, "basic"),
    FieldDef::new("products", Kind::Text(500), "basic"),
    FieldDef::new("services", Kind::Text(500), "basic"),
    FieldDef::new("prices", Kind::Text(500), "basic"),
    FieldDef::new("strategy", Kind::LongText, "basic"),
    FieldDef::new("strengths", Kind::LongText, "basic"),
    FieldDef::new("weaknesses", Kind::LongText, "basic"),
    FieldDef::new("notes", Kind::LongText, "basic"),
];

/// One dated observation of a share at an account: a competitor's, or ours
/// (代理市场占有率) when no competitor is named. The observations of a
/// competitor at an account are its share history; the latest one is its
/// position's current share.
pub static SHARE_FIELDS: &[FieldDef] = &[
    FieldDef::new("observed_on", Kind::Date, "share").required(),
    FieldDef::new("share_pct", Kind::Percent, "share").required(),
    FieldDef::new("source", Kind::Text(200), "share"),
    FieldDef::new("note", Kind::Text(500), "share"),
];

/// A competitor's position at one account.
pub static POSITION_FIELDS: &[FieldDef] = &[
    FieldDef::new("products", Kind::Text(500), "position"),
    FieldDef::new("prices", Kind::Text(500), "position"),
    FieldDef::new("share_pct", Kind::Percent, "position"),
    FieldDef::new("policy", Kind::LongText, "position"),
    FieldDef::new("tech_requirements", Kind::LongText, "position"),
    FieldDef::new("notes", Kind::LongText, "position"),
];

pub static PARTNER_KIND: EnumDef = EnumDef { name: "partner_kind", values: &["supplier", "customer"] };

/// The account's own suppliers 货源 and customers 客户.
pub static PARTNER_FIELDS: &[FieldDef] = &[
    FieldDef::new("kind", Kind::Enum(&PARTNER_KIND), "partner").required(),
    FieldDef::new("name", Kind::Text(200), "partner").required(),
    FieldDef::new("products", Kind::Text(500), "partner"),
    FieldDef::new("share_pct", Kind::Percent, "partner"),
    FieldDef::new("volume", Kind::Text(200), "partner"),
    FieldDef::new("notes", Kind::LongText, "partner"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_six_personal_fields() {
        let p: Vec<_> = personal_fields().collect();
        assert_eq!(p, ["birth_date", "education", "hometown", "personality", "hobbies", "home_address"]);
    }
}
