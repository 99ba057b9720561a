//! The account profile card 客户资料卡 (附表四): fields, choices, and the
//! similar-name check that warns before a duplicate account is created.

use crate::fields::{Access, EnumDef, FieldDef, Kind};

pub static GRADE: EnumDef = EnumDef { name: "grade", values: &["A", "B", "C", "D"] };
pub static STAGE: EnumDef = EnumDef {
    name: "stage",
    values: &["prospect", "acquisition", "cultivation", "retention", "declining", "winback", "lost"],
};
pub static CUSTOMER_TYPE: EnumDef =
    EnumDef { name: "customer_type", values: &["end_user", "distributor", "agent", "oem", "integrator", "other"] };
pub static NATURE: EnumDef = EnumDef {
    name: "nature",
    values: &["state_owned", "private", "foreign", "joint_venture", "collective", "public_institution", "other"],
};
pub static REVENUE_BAND: EnumDef =
    EnumDef { name: "revenue_band", values: &["lt10m", "10m_50m", "50m_200m", "200m_1b", "gt1b"] };
pub static INDUSTRY: EnumDef = EnumDef {
    name: "industry",
    values: &[
        "manufacturing",
        "chemicals",
        "construction",
        "energy",
        "automotive",
        "electronics",
        "food",
        "pharma",
        "textiles",
        "logistics",
        "retail",
        "it",
        "finance",
        "agriculture",
        "government",
        "other",
    ],
};

/// Every stored field of an account, in card order. Owner and parent are
/// relations with their own rules and are handled apart.
pub static FIELDS: &[FieldDef] = &[
    FieldDef::new("name", Kind::Text(200), "basic").required(),
    FieldDef::new("short_name", Kind::Text(60), "basic"),
    FieldDef::new("credit_code", Kind::CreditCode, "basic"),
    FieldDef::new("industry", Kind::Enum(&INDUSTRY), "basic"),
    FieldDef::new("customer_type", Kind::Enum(&CUSTOMER_TYPE), "basic"),
    FieldDef::new("grade", Kind::Enum(&GRADE), "basic"),
    FieldDef::new("stage", Kind::Enum(&STAGE), "basic"),
    FieldDef::new("nature", Kind::Enum(&NATURE), "basic"),
    FieldDef::new("staff_count", Kind::Int(0, 10_000_000), "basic"),
    FieldDef::new("revenue_band", Kind::Enum(&REVENUE_BAND), "basic"),
    FieldDef::new("source", Kind::Text(100), "basic"),
    FieldDef::new("cooperation_since", Kind::Date, "basic"),
    FieldDef::new("province", Kind::Text(20), "address"),
    FieldDef::new("city", Kind::Text(30), "address"),
    FieldDef::new("district", Kind::Text(30), "address"),
    FieldDef::new("street", Kind::Text(200), "address"),
    FieldDef::new("postcode", Kind::Postcode, "address"),
    FieldDef::new("phone", Kind::Phone, "address"),
    FieldDef::new("fax", Kind::Phone, "address"),
    FieldDef::new("email", Kind::Email, "address"),
    FieldDef::new("website", Kind::Url, "address"),
    FieldDef::new("business_scope", Kind::LongText, "profile"),
    FieldDef::new("background", Kind::LongText, "profile"),
    FieldDef::new("sales_situation", Kind::LongText, "profile"),
    FieldDef::new("usage_volume", Kind::Text(200), "profile"),
    FieldDef::new("tags", Kind::Text(200), "profile"),
    FieldDef::new("loyalty_points", Kind::Int(0, 1_000_000_000), "profile"),
    FieldDef::new("notes", Kind::LongText, "profile"),
    FieldDef::new("invoice_title", Kind::Text(200), "invoice"),
    FieldDef::new("taxpayer_id", Kind::Text(20), "invoice"),
    FieldDef::new("invoice_address", Kind::Text(200), "invoice"),
    FieldDef::new("invoice_phone", Kind::Phone, "invoice"),
    FieldDef::new("bank_name", Kind::Text(100), "finance").access(Access::Finance),
    FieldDef::new("bank_account", Kind::Text(40), "finance").access(Access::Finance),
    FieldDef::new("invoice_bank", Kind::Text(100), "finance").access(Access::Finance),
    FieldDef::new("invoice_bank_account", Kind::Text(40), "finance").access(Access::Finance),
    FieldDef::new("asset_liability_ratio", Kind::Percent, "finance").access(Access::Finance),
    FieldDef::new("return_on_assets", Kind::Percent, "finance").access(Access::Finance),
    FieldDef::new("credit_limit", Kind::Money, "finance").access(Access::Finance),
    FieldDef::new("payment_terms_days", Kind::Int(0, 3650), "finance").access(Access::Finance),
    FieldDef::new("currency", Kind::Currency, "finance").access(Access::Finance),
];

/// Card sections in order.
pub const GROUPS: &[&str] = &["basic", "address", "profile", "invoice", "finance"];

/// Columns the account list can sort by.
pub const SORTABLE: &[&str] = &["name", "grade", "industry", "stage", "city", "updated_at", "created_at"];

/// Legal-form words that do not tell two companies apart.
const NOISE: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "股份",
    "公司",
    "有限",
    "责任",
    "(",
    ")",
    "（",
    "）",
    " ",
    "co.,ltd.",
    "co.",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "group",
    "limited",
    "corporation",
    "corp",
];

/// A name reduced to what identifies the company.
pub fn name_key(name: &str) -> String {
    let mut s = name.to_lowercase();
    for n in NOISE {
        s = s.replace(n, "");
    }
    s.chars().filter(|c| !c.is_ascii_punctuation()).collect()
}

fn bigrams(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Dice coefficient over character bigrams of the name keys, 0.0–1.0.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let (ka, kb) = (name_key(a), name_key(b));
    if ka.is_empty() || kb.is_empty() {
        return 0.0;
    }
    if ka == kb {
        return 1.0;
    }
    let (ba, mut bb) = (bigrams(&ka), bigrams(&kb));
    if ba.is_empty() || bb.is_empty() {
        return 0.0;
    }
    let total = (ba.len() + bb.len()) as f64;
    let mut common = 0usize;
    for g in &ba {
        if let Some(i) = bb.iter().position(|h| h == g) {
            bb.swap_remove(i);
            common += 1;
        }
    }
    2.0 * common as f64 / total
}

/// Names this close are flagged as possible duplicates.
pub const SIMILAR_THRESHOLD: f64 = 0.75;

pub fn is_similar(a: &str, b: &str) -> bool {
    name_similarity(a, b) >= SIMILAR_THRESHOLD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_form_words_do_not_count() {
        assert!(is_similar("杭州华信化工有限公司", "杭州华信化工股份有限公司"));
        assert!(is_similar("杭州华信化工有限公司", "杭州华信化工（集团）有限公司"));
        assert!(!is_similar("杭州华信化工有限公司", "宁波东方电子有限公司"));
    }

    #[test]
    fn one_character_apart_is_similar() {
        assert!(name_similarity("上海明远精密机械有限公司", "上海明远精密机械制造有限公司") > 0.75);
    }

    #[test]
    fn finance_fields_are_marked() {
        for name in ["bank_name", "bank_account", "credit_limit", "payment_terms_days"] {
            let d = crate::fields::def(FIELDS, name).unwrap();
            assert_eq!(d.access, Access::Finance, "{name}");
        }
        assert_eq!(crate::fields::def(FIELDS, "name").unwrap().access, Access::General);
    }
}
