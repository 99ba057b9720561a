//! The nine forms of 客户档案管理办法 (附表一–九) and the statements in one
//! table, for the Reports page and `GET /api/v1/reports` alike: where each
//! form is seen, printed and exported. A form of one account (or one record)
//! names its addresses with `{id}`.

use serde::Serialize;

/// Whose the form is: the reader's whole scope, one account, or one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Of {
    Scope,
    Account,
    Record,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Form {
    /// 1–9 for 附表一–九, 0 for the statements.
    pub form: u8,
    /// The locale key of its title.
    pub key: &'static str,
    pub of: Of,
    pub page: &'static str,
    pub print: Option<&'static str>,
    pub xlsx: Option<&'static str>,
    pub api_xlsx: Option<&'static str>,
    /// Money only: shown to readers of money.
    pub money: bool,
}

pub const FORMS: &[Form] = &[
    Form {
        form: 1,
        key: "reports.f1",
        of: Of::Scope,
        page: "/classification",
        print: Some("/classification/print"),
        xlsx: Some("/classification.xlsx"),
        api_xlsx: Some("/api/v1/classification.xlsx"),
        money: false,
    },
    Form {
        form: 2,
        key: "reports.f2",
        of: Of::Scope,
        page: "/visit-plans",
        print: Some("/visit-plans/print"),
        xlsx: Some("/visit-plans.xlsx"),
        api_xlsx: Some("/api/v1/visit-plans.xlsx"),
        money: false,
    },
    Form {
        form: 3,
        key: "reports.f3",
        of: Of::Account,
        page: "/accounts/{id}?tab=visits",
        print: Some("/accounts/{id}/visits/print"),
        xlsx: Some("/visits.xlsx"),
        api_xlsx: Some("/api/v1/visits.xlsx"),
        money: false,
    },
    Form {
        form: 4,
        key: "reports.f4",
        of: Of::Account,
        page: "/accounts/{id}",
        print: Some("/accounts/{id}/card/print"),
        xlsx: Some("/accounts/{id}/card.xlsx"),
        api_xlsx: Some("/api/v1/accounts/{id}/card.xlsx"),
        money: false,
    },
    Form {
        form: 5,
        key: "reports.f5",
        of: Of::Account,
        page: "/accounts/{id}?tab=credit",
        print: Some("/accounts/{id}/performance/print"),
        xlsx: Some("/accounts/{id}/performance/xlsx"),
        api_xlsx: Some("/api/v1/accounts/{id}/performance/xlsx"),
        money: true,
    },
    Form {
        form: 6,
        key: "reports.f6",
        of: Of::Account,
        page: "/accounts/{id}/capability",
        print: Some("/accounts/{id}/capability/print"),
        xlsx: Some("/accounts/{id}/capability/xlsx"),
        api_xlsx: Some("/api/v1/accounts/{id}/capability/{year}/xlsx"),
        money: false,
    },
    Form {
        form: 7,
        key: "reports.f7",
        of: Of::Scope,
        page: "/capability/compare",
        print: None,
        xlsx: None,
        api_xlsx: None,
        money: false,
    },
    Form {
        form: 8,
        key: "reports.f8",
        of: Of::Record,
        page: "/complaints",
        print: Some("/complaints/{id}/print"),
        xlsx: Some("/complaints.xlsx"),
        api_xlsx: Some("/api/v1/complaints.xlsx"),
        money: false,
    },
    Form {
        form: 9,
        key: "reports.f9",
        of: Of::Record,
        page: "/worklogs",
        print: Some("/worklogs/{id}/print"),
        xlsx: None,
        api_xlsx: None,
        money: false,
    },
    Form {
        form: 0,
        key: "reports.statements",
        of: Of::Record,
        page: "/statements",
        print: Some("/statements/{id}/print"),
        xlsx: Some("/statements/{id}/xlsx"),
        api_xlsx: Some("/api/v1/statements/{id}/xlsx"),
        money: true,
    },
];

/// The forms a reader sees (the money forms only for roles that see money,
/// if only on their own accounts).
pub fn for_reader(actor: &kam_core::Actor) -> impl Iterator<Item = &'static Form> + '_ {
    use kam_core::visibility::{Class, Sight, sight};
    let money = sight(actor.role, Class::Money) != Sight::No;
    FORMS.iter().filter(move |f| money || !f.money)
}

/// The form of that number.
pub fn form(n: u8) -> Option<&'static Form> {
    FORMS.iter().find(|f| f.form == n)
}

/// An address with the account's (or record's) id put in.
pub fn with_id(path: &str, id: impl std::fmt::Display) -> String {
    path.replace("{id}", &id.to_string())
}
