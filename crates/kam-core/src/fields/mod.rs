//! Field registry: each record type lists its fields once (name, kind, who may
//! write it); forms, the JSON API, the store's column lists, the OpenAPI schema
//! and the audit diff are all driven from that one list.

use std::collections::BTreeMap;

use crate::credit_code::CreditCode;
use crate::time_util;

/// A closed set of choices, stored as its code; labels are `enum.<name>.<code>`.
#[derive(Debug)]
pub struct EnumDef {
    pub name: &'static str,
    pub values: &'static [&'static str],
}

/// What a field holds and how raw input becomes a value.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One line of text with a maximum length in characters.
    Text(usize),
    /// Free text (up to 10 000 characters).
    LongText,
    Enum(&'static EnumDef),
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// A local date and time `YYYY-MM-DDTHH:MM` (China time), as a form's datetime-local sends it.
    DateTime,
    /// A time of day `HH:MM` (24 hours).
    Time,
    /// A whole number within bounds.
    Int(i64, i64),
    /// An amount in minor units (分); forms take `12,345.67`, JSON takes minor units.
    Money,
    /// A signed change of an amount in minor units (an amendment's delta).
    MoneyDelta,
    /// A percentage, e.g. 62.5.
    Percent,
    /// A VAT rate in force in China (`VAT_RATES`), in per cent.
    VatRate,
    /// A non-negative quantity with up to three decimals (kg, pieces), kept as
    /// its normalised decimal text, e.g. `12.5`.
    Quantity,
    Email,
    Url,
    Phone,
    /// Chinese postcode: six digits.
    Postcode,
    CreditCode,
    /// ISO 4217 code, three upper-case letters.
    Currency,
    /// Ids of related records (e.g. the contacts met), kept as `12,34`
    /// (ascending, no repeats); forms send them as repeated values, JSON as
    /// an array of integers or that text.
    IdList,
    Bool,
}

/// Who may read and write a field (see `access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everyone who may edit the record.
    General,
    /// Bank, invoicing bank and credit fields: finance and admin only.
    Finance,
    /// A contact's private data: only the account owner, managers and admin.
    Personal,
}

#[derive(Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub access: Access,
    /// Section of the form / card the field belongs to.
    pub group: &'static str,
}

impl FieldDef {
    pub const fn new(name: &'static str, kind: Kind, group: &'static str) -> Self {
        Self { name, kind, required: false, access: Access::General, group }
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }
    /// The SQL storage class of the column.
    pub fn storage(&self) -> Storage {
        match self.kind {
            Kind::Int(..) | Kind::Money | Kind::MoneyDelta => Storage::Int,
            Kind::Bool => Storage::Bool,
            Kind::Percent | Kind::VatRate => Storage::Float,
            _ => Storage::Text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Text,
    Int,
    Float,
    Bool,
}

/// One stored value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
    /// The value as a form shows it (money as yuan with two decimals).
    pub fn form_text(&self, kind: Kind) -> String {
        match (self, kind) {
            (Value::Null, _) => String::new(),
            (Value::Int(m), Kind::Money | Kind::MoneyDelta) => format_minor(*m, false),
            (Value::Text(s), _) => s.clone(),
            (Value::Int(i), _) => i.to_string(),
            (Value::Float(f), _) => trim_float(*f),
            (Value::Bool(b), _) => {
                if *b {
                    "1".into()
                } else {
                    String::new()
                }
            }
        }
    }
}

fn trim_float(f: f64) -> String {
    let s = format!("{f:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Formats minor units as `12,345.67` (with thousands separators when asked).
pub fn format_minor(minor: i64, grouped: bool) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let units = (abs / 100).to_string();
    let units = if grouped {
        let mut out = String::new();
        for (i, c) in units.chars().enumerate() {
            if i > 0 && (units.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else {
        units
    };
    format!("{sign}{units}.{:02}", abs % 100)
}

/// A phone number as typed or pasted, in one form: full-width characters as
/// ASCII; a mobile (optionally +86) as its 11 digits; a landline as
/// area code, dash, number (`0591-87654321`); anything else (extensions,
/// foreign numbers) with its spaces collapsed.
pub fn normalise_phone(raw: &str) -> String {
    let t: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | '—' => '-',
            '＋' => '+',
            '（' => '(',
            '）' => ')',
            '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    let plain = t.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c));
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    // A foreign number (+ and another country code) stays as written.
    let foreign = t.starts_with('+') && !digits.starts_with("86");
    if plain && !foreign {
        let national = match digits.strip_prefix("86") {
            Some(rest) if t.starts_with('+') || rest.len() == 11 => rest,
            _ => digits.as_str(),
        };
        if national.len() == 11 && national.starts_with('1') {
            return national.to_string();
        }
        if national.starts_with('0') && (10..=12).contains(&national.len()) && !t.contains('(') {
            let area = if matches!(national.as_bytes()[1], b'1' | b'2') { 3 } else { 4 };
            return format!("{}-{}", &national[..area], &national[area..]);
        }
    }
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A record's values by field name.
mod parse;

pub use parse::*;

pub type Record = BTreeMap<&'static str, Value>;

/// Field-by-field errors: field name → message key.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldErrors(pub BTreeMap<String, &'static str>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, key: &'static str) {
        self.0.entry(field.to_string()).or_insert(key);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result<T>(self, ok: T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(ok) } else { Err(self) }
    }
}

/// The required fields `rec` leaves empty: set to null, or (for a new record,
/// `creating`) absent.
pub fn missing_required(defs: &[FieldDef], rec: &Record, creating: bool) -> FieldErrors {
    let mut errs = FieldErrors::default();
    for d in defs.iter().filter(|d| d.required) {
        match rec.get(d.name) {
            Some(Value::Null) => errs.add(d.name, "err.required"),
            None if creating => errs.add(d.name, "err.required"),
            _ => {}
        }
    }
    errs
}

/// Finds a field definition by name.
pub fn def<'d>(defs: &'d [FieldDef], name: &str) -> Option<&'d FieldDef> {
    defs.iter().find(|d| d.name == name)
}

/// The fields whose value differs, as (name, before, after).
pub fn diff(before: &Record, after: &Record) -> Vec<(&'static str, Value, Value)> {
    let mut out = Vec::new();
    for (k, new) in after {
        let old = before.get(k).cloned().unwrap_or(Value::Null);
        if &old != new {
            out.push((*k, old, new.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    static E: EnumDef = EnumDef { name: "grade", values: &["A", "B"] };

    #[test]
    fn pasted_phones_and_credit_codes_are_normalised() {
        for (raw, want) in [
            ("139 0591 0001", "13905910001"),
            ("139-0591-0001", "13905910001"),
            ("+86 139 0591 0001", "13905910001"),
            ("１３９０５９１０００１", "13905910001"),
            ("0591 8765 4321", "0591-87654321"),
            ("0591-87654321", "0591-87654321"),
            ("010 6543 2100", "010-65432100"),
            ("0591-87654321转802", "0591-87654321转802"),
            ("+1 415  555 0100", "+1 415 555 0100"),
        ] {
            assert_eq!(normalise_phone(raw), want, "{raw}");
        }
        let phone = FieldDef::new("phone", Kind::Phone, "");
        assert_eq!(parse(&phone, Raw::Form("139 0591 0001")), Ok(Value::Text("13905910001".into())));
        let code = FieldDef::new("credit_code", Kind::CreditCode, "");
        assert_eq!(parse(&code, Raw::Form("9135 0100 M000 100Y 43")), Ok(Value::Text("91350100M000100Y43".into())));
        assert_eq!(parse(&code, Raw::Form("913501-00M000100Y43")), Ok(Value::Text("91350100M000100Y43".into())));
    }

    #[test]
    fn id_lists() {
        let d = FieldDef::new("ids", Kind::IdList, "g");
        assert_eq!(parse(&d, Raw::Form("34,12,34")), Ok(Value::Text("12,34".into())));
        assert_eq!(parse(&d, Raw::Json(&serde_json::json!([7, 3]))), Ok(Value::Text("3,7".into())));
        assert_eq!(parse(&d, Raw::Form("")), Ok(Value::Null));
        assert_eq!(parse(&d, Raw::Form("1,x")), Err("err.id_list"));
        assert_eq!(parse(&d, Raw::Json(&serde_json::json!(["a"]))), Err("err.id_list"));
        assert_eq!(parse(&d, Raw::Form("-3")), Err("err.id_list"));
    }

    #[test]
    fn times_and_quantities() {
        let t = FieldDef::new("t", Kind::Time, "g");
        assert_eq!(parse(&t, Raw::Form("9:05")), Ok(Value::Text("09:05".into())));
        assert_eq!(parse(&t, Raw::Form("23:59")), Ok(Value::Text("23:59".into())));
        for bad in ["24:00", "9:5", "12:60", "noon", "-1:00", "123:00"] {
            assert_eq!(parse(&t, Raw::Form(bad)), Err("err.time"), "{bad}");
        }
        let q = FieldDef::new("q", Kind::Quantity, "g");
        assert_eq!(parse(&q, Raw::Form("1,200")), Ok(Value::Text("1200".into())));
        assert_eq!(parse(&q, Raw::Form("12.50")), Ok(Value::Text("12.5".into())));
        assert_eq!(parse(&q, Raw::Form(".125")), Ok(Value::Text("0.125".into())));
        assert_eq!(parse(&q, Raw::Json(&serde_json::json!(2.25))), Ok(Value::Text("2.25".into())));
        for bad in ["-1", "1.2345", "abc", ".", "1e3"] {
            assert_eq!(parse(&q, Raw::Form(bad)), Err("err.quantity"), "{bad}");
        }
        assert_eq!(parse_quantity("12.5"), Some(12_500));
        assert_eq!(format_quantity(125), "0.125");
        assert_eq!(format_quantity(3_000), "3");
    }

    #[test]
    fn money_parses_yuan_in_forms_and_minor_units_in_json() {
        let d = FieldDef::new("credit_limit", Kind::Money, "g");
        assert_eq!(parse(&d, Raw::Form("12,345.67")), Ok(Value::Int(1_234_567)));
        assert_eq!(parse(&d, Raw::Form("¥100")), Ok(Value::Int(10_000)));
        assert_eq!(parse(&d, Raw::Form("1.234")), Err("err.money"));
        assert_eq!(parse(&d, Raw::Json(&serde_json::json!(500))), Ok(Value::Int(500)));
        assert_eq!(format_minor(1_234_567, true), "12,345.67");
        assert_eq!(format_minor(-5, false), "-0.05");
    }

    #[test]
    fn required_enum_and_text_limits() {
        let name = FieldDef::new("name", Kind::Text(4), "g").required();
        assert_eq!(parse(&name, Raw::Form("  ")), Err("err.required"));
        assert_eq!(parse(&name, Raw::Form("12345")), Err("err.too_long"));
        assert_eq!(parse(&name, Raw::Form("a\0b")), Err("err.control_char"));
        let money = FieldDef { name: "amount", kind: Kind::Money, required: false, access: Access::General, group: "" };
        assert_eq!(parse(&money, Raw::Json(&serde_json::json!("100"))), Err("err.integer"), "no string for a number");
        assert_eq!(parse(&money, Raw::Json(&serde_json::json!(100))), Ok(Value::Int(100)));
        assert_eq!(parse(&money, Raw::Form("1.00")), Ok(Value::Int(100)), "forms type yuan");
        let cur =
            FieldDef { name: "currency", kind: Kind::Currency, required: false, access: Access::General, group: "" };
        assert_eq!(parse(&cur, Raw::Form("usd")), Ok(Value::Text("USD".into())));
        assert_eq!(parse(&cur, Raw::Form("XYZ")), Err("err.currency"), "not an ISO 4217 code");
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]), "sorted for the search");
        assert_eq!(parse(&name, Raw::Json(&serde_json::json!("a\u{1b}b"))), Err("err.control_char"));
        assert_eq!(parse(&name, Raw::Form("华为公司")), Ok(Value::Text("华为公司".into())));
        let g = FieldDef::new("grade", Kind::Enum(&E), "g");
        assert_eq!(parse(&g, Raw::Form("C")), Err("err.choice"));
        assert_eq!(parse(&g, Raw::Form("")), Ok(Value::Null));
    }

    #[test]
    fn email_phone_postcode_date() {
        let e = FieldDef::new("email", Kind::Email, "g");
        assert!(parse(&e, Raw::Form("a@b.cn")).is_ok());
        assert_eq!(parse(&e, Raw::Form("a@b")), Err("err.email"));
        let p = FieldDef::new("phone", Kind::Phone, "g");
        assert!(parse(&p, Raw::Form("0571-8888 6666")).is_ok());
        assert_eq!(parse(&p, Raw::Form("call me")), Err("err.phone"));
        let z = FieldDef::new("postcode", Kind::Postcode, "g");
        assert_eq!(parse(&z, Raw::Form("31000")), Err("err.postcode"));
        let dt = FieldDef::new("occurred_at", Kind::DateTime, "g");
        assert_eq!(parse(&dt, Raw::Form("2026-11-28T14:30")), Ok(Value::Text("2026-11-28T14:30".into())));
        assert_eq!(parse(&dt, Raw::Form("2026-11-28 14:30:59")), Ok(Value::Text("2026-11-28T14:30".into())));
        assert_eq!(parse(&dt, Raw::Form("2026-11-28T25:00")), Err("err.datetime"));
        let d = FieldDef::new("birth_date", Kind::Date, "g");
        assert_eq!(parse(&d, Raw::Form("2026-02-30")), Err("err.date"));
        assert!(parse(&d, Raw::Form("1970-01-31")).is_ok());
    }

    #[test]
    fn required_fields_on_create_and_on_change() {
        static D: &[FieldDef] =
            &[FieldDef::new("name", Kind::Text(10), "g").required(), FieldDef::new("x", Kind::Text(10), "g")];
        assert_eq!(missing_required(D, &Record::new(), true).0.get("name"), Some(&"err.required"));
        assert!(missing_required(D, &Record::new(), false).is_empty(), "a change that leaves the name alone");
        let mut cleared = Record::new();
        cleared.insert("name", Value::Null);
        assert!(!missing_required(D, &cleared, false).is_empty());
    }

    #[test]
    fn diff_lists_only_changes() {
        let mut a = Record::new();
        a.insert("name", Value::Text("x".into()));
        a.insert("grade", Value::Text("A".into()));
        let mut b = a.clone();
        b.insert("grade", Value::Text("B".into()));
        let d = diff(&a, &b);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "grade");
    }
}
