//! Reading typed values from what people type and what clients send: one
//! parser per field kind (money, quantities, dates and times, phones, codes,
//! choices, id lists), each answering a message key when the input is refused.

use super::*;

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
