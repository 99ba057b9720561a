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

/// Raw input for one field: a form string or a JSON value.
pub enum Raw<'a> {
    Form(&'a str),
    Json(&'a serde_json::Value),
}

/// The active ISO 4217 currency codes (sorted): a currency is one of them.
pub const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Parses one raw input into a value for `def`, or a message key.
pub fn parse(def: &FieldDef, raw: Raw<'_>) -> Result<Value, &'static str> {
    let text: String = match raw {
        Raw::Json(serde_json::Value::Null) => String::new(),
        // JSON is typed: a number or a yes/no sent as text is refused, not guessed.
        Raw::Json(serde_json::Value::String(s)) => match def.kind {
            Kind::Money | Kind::MoneyDelta | Kind::Int(..) if !s.trim().is_empty() => return Err("err.integer"),
            Kind::Percent if !s.trim().is_empty() => return Err("err.percent"),
            Kind::VatRate if !s.trim().is_empty() => return Err("err.vat_rate"),
            Kind::Bool => return Err("err.type_text"),
            _ => s.clone(),
        },
        Raw::Json(serde_json::Value::Number(n)) => match def.kind {
            Kind::Money | Kind::MoneyDelta | Kind::Int(..) => match n.as_i64() {
                Some(i) => return check_int(def, i),
                None => return Err("err.integer"),
            },
            Kind::Percent => return check_percent(n.as_f64().unwrap_or(f64::NAN)),
            Kind::VatRate => return check_vat(n.as_f64().unwrap_or(f64::NAN)),
            Kind::Quantity => n.to_string(),
            _ => return Err("err.type_text"),
        },
        Raw::Json(serde_json::Value::Array(items)) if matches!(def.kind, Kind::IdList) => {
            let ids: Option<Vec<String>> = items.iter().map(|v| v.as_i64().map(|i| i.to_string())).collect();
            match ids {
                Some(ids) => ids.join(","),
                None => return Err("err.id_list"),
            }
        }
        Raw::Json(serde_json::Value::Bool(b)) => match def.kind {
            Kind::Bool => return Ok(Value::Bool(*b)),
            _ => return Err("err.type_text"),
        },
        Raw::Json(_) => return Err("err.type_text"),
        Raw::Form(s) => {
            if let Kind::Money | Kind::MoneyDelta = def.kind {
                let t = s.trim();
                if t.is_empty() {
                    String::new()
                } else {
                    return parse_money(t).ok_or("err.money").and_then(|m| check_int(def, m));
                }
            } else {
                s.to_string()
            }
        }
    };
    let t = text.trim();
    // NUL and other control characters (tab and line breaks aside) are never
    // data; PostgreSQL refuses NUL in text outright.
    if t.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err("err.control_char");
    }
    if t.is_empty() {
        if matches!(def.kind, Kind::Bool) {
            return Ok(Value::Bool(false));
        }
        return if def.required { Err("err.required") } else { Ok(Value::Null) };
    }
    match def.kind {
        Kind::Text(max) => {
            if t.chars().count() > max {
                Err("err.too_long")
            } else {
                Ok(Value::Text(t.to_string()))
            }
        }
        Kind::LongText => {
            if t.chars().count() > 10_000 {
                Err("err.too_long")
            } else {
                Ok(Value::Text(text.trim_end().to_string()))
            }
        }
        Kind::Enum(e) => {
            if e.values.contains(&t) {
                Ok(Value::Text(t.to_string()))
            } else {
                Err("err.choice")
            }
        }
        Kind::Date => time_util::parse_date(t).map(|_| Value::Text(t.to_string())).ok_or("err.date"),
        Kind::DateTime => time_util::parse_local_datetime(t).map(Value::Text).ok_or("err.datetime"),
        Kind::Time => parse_time(t).map(|(h, m)| Value::Text(format!("{h:02}:{m:02}"))).ok_or("err.time"),
        Kind::Quantity => parse_quantity(t).map(|q| Value::Text(format_quantity(q))).ok_or("err.quantity"),
        Kind::Int(..) => t.replace(',', "").parse::<i64>().map_err(|_| "err.integer").and_then(|i| check_int(def, i)),
        Kind::Money | Kind::MoneyDelta => t.parse::<i64>().map_err(|_| "err.money").and_then(|i| check_int(def, i)),
        Kind::Percent => check_percent(t.trim_end_matches('%').trim().parse::<f64>().unwrap_or(f64::NAN)),
        Kind::VatRate => check_vat(t.trim_end_matches('%').trim().parse::<f64>().unwrap_or(f64::NAN)),
        Kind::Email => {
            let ok = t.len() <= 254
                && t.split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
                && !t.contains(char::is_whitespace);
            if ok { Ok(Value::Text(t.to_string())) } else { Err("err.email") }
        }
        Kind::Url => {
            let ok = t.len() <= 300 && !t.contains(char::is_whitespace) && t.contains('.');
            if ok { Ok(Value::Text(t.to_string())) } else { Err("err.url") }
        }
        Kind::Phone => {
            let t = &normalise_phone(t);
            let ok = t.len() <= 40
                && t.chars().any(|c| c.is_ascii_digit())
                && t.chars().all(|c| c.is_ascii_digit() || " +-()#转".contains(c));
            if ok { Ok(Value::Text(t.to_string())) } else { Err("err.phone") }
        }
        Kind::Postcode => {
            if t.len() == 6 && t.chars().all(|c| c.is_ascii_digit()) {
                Ok(Value::Text(t.to_string()))
            } else {
                Err("err.postcode")
            }
        }
        // Pasted with spaces or dashes (as printed on licences): those go.
        Kind::CreditCode => {
            CreditCode::parse(&t.chars().filter(|c| !c.is_whitespace() && !"-－".contains(*c)).collect::<String>())
                .map(|c| Value::Text(c.to_string()))
                .map_err(|e| e.key())
        }
        Kind::Currency => {
            let u = t.to_uppercase();
            if ISO_4217.binary_search(&u.as_str()).is_ok() { Ok(Value::Text(u)) } else { Err("err.currency") }
        }
        Kind::Bool => Ok(Value::Bool(matches!(t, "1" | "true" | "on" | "yes"))),
        Kind::IdList => parse_id_list(t).map(|ids| {
            if ids.is_empty() {
                Value::Null
            } else {
                Value::Text(ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
            }
        }),
    }
}

fn check_int(def: &FieldDef, i: i64) -> Result<Value, &'static str> {
    match def.kind {
        Kind::Int(lo, hi) if i < lo || i > hi => Err("err.range"),
        Kind::Money if !(0..=100_000_000_000_000).contains(&i) => Err("err.range"),
        Kind::MoneyDelta if !(-100_000_000_000_000..=100_000_000_000_000).contains(&i) => Err("err.range"),
        _ => Ok(Value::Int(i)),
    }
}

/// The VAT rates in force (增值税税率 13 %, 9 %, 6 % and the small-taxpayer
/// and exempt rates 3 %, 1 %, 0 %).
pub const VAT_RATES: &[f64] = &[13.0, 9.0, 6.0, 3.0, 1.0, 0.0];

fn check_vat(f: f64) -> Result<Value, &'static str> {
    VAT_RATES.iter().find(|r| (**r - f).abs() < 1e-9).map(|r| Value::Float(*r)).ok_or("err.vat_rate")
}

fn check_percent(f: f64) -> Result<Value, &'static str> {
    if f.is_finite() && (-1000.0..=1000.0).contains(&f) {
        Ok(Value::Float((f * 100.0).round() / 100.0))
    } else {
        Err("err.percent")
    }
}

/// `12,34` / `34 12` → [12, 34]: positive ids, ascending, no repeats, at most 50.
pub fn parse_id_list(t: &str) -> Result<Vec<i64>, &'static str> {
    let mut ids = Vec::new();
    for part in t.split([',', ' ', '，']).filter(|p| !p.is_empty()) {
        match part.parse::<i64>() {
            Ok(i) if i > 0 => ids.push(i),
            _ => return Err("err.id_list"),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > 50 { Err("err.too_many") } else { Ok(ids) }
}

/// `9:05` / `09:05` → (9, 5).
pub fn parse_time(t: &str) -> Option<(u8, u8)> {
    let (h, m) = t.trim().split_once(':')?;
    if !(1..=2).contains(&h.len()) || m.len() != 2 {
        return None;
    }
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

/// `12.5` / `1,200` / `0.125` → thousandths (12 500, 1 200 000, 125); at most
/// three decimals, never negative.
pub fn parse_quantity(t: &str) -> Option<i64> {
    let s: String = t.chars().filter(|c| !matches!(c, ',' | ' ')).collect();
    let (units, frac) = s.split_once('.').unwrap_or((&s, ""));
    if units.is_empty() && frac.is_empty() || frac.len() > 3 {
        return None;
    }
    if !units.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) || units.len() > 12 {
        return None;
    }
    let u: i64 = if units.is_empty() { 0 } else { units.parse().ok()? };
    let f: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().ok()? };
    u.checked_mul(1000)?.checked_add(f)
}

/// Thousandths as the shortest decimal text: 12 500 → `12.5`.
pub fn format_quantity(thousandths: i64) -> String {
    let s = format!("{}.{:03}", thousandths / 1000, thousandths % 1000);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `12,345.67` / `¥12345.6` / `100` → minor units.
pub fn parse_money(t: &str) -> Option<i64> {
    let s: String = t.chars().filter(|c| !matches!(c, ',' | '¥' | '￥' | ' ')).collect();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s),
    };
    let (units, frac) = s.split_once('.').unwrap_or((&s, ""));
    if units.is_empty() && frac.is_empty() {
        return None;
    }
    if !units.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    let u: i64 = if units.is_empty() { 0 } else { units.parse().ok()? };
    let f: i64 = format!("{frac:0<2}").parse().ok()?;
    let v = u.checked_mul(100)?.checked_add(f)?;
    Some(if neg { -v } else { v })
}

/// Parses the fields of `defs` that are present in `input`; fields absent from
/// the input are left out of the result (so a PATCH touches only what it names).
pub fn parse_record<'a>(
    defs: &'static [FieldDef],
    get: impl Fn(&str) -> Option<Raw<'a>>,
    errors: &mut FieldErrors,
) -> Record {
    let mut rec = Record::new();
    for def in defs {
        if let Some(raw) = get(def.name) {
            match parse(def, raw) {
                Ok(v) => {
                    rec.insert(def.name, v);
                }
                Err(key) => errors.add(def.name, key),
            }
        }
    }
    rec
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
