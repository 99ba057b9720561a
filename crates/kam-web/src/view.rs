//! What templates get: the page context (language, user, CSRF token, flash)
//! and view models built from the field registry, so every form and card is
//! rendered from the same field list the store and API use.

use kam_core::UserId;
use kam_core::fields::{self, Access, FieldDef, Kind, Raw, Record, Value, format_minor};
use kam_core::{FieldErrors, Role};
use kam_store::users::User;

use crate::auth::{Authed, FormData};
use crate::i18n::{self, Lang};

/// Messages after a write that are warnings, shown as such.
const WARNING_FLASHES: &[&str] = &["order.held", "err.complaint_needs_reply", "err.reason_required", "ledger.overpaid"];

/// Per-request page context.
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<User>,
    pub csrf: String,
    pub demo: bool,
    pub flash: Option<String>,
    /// The flash reports something that needs attention (an order held on credit), not a success.
    pub flash_warning: bool,
    /// The current section, to highlight in the navigation.
    pub section: &'static str,
    /// The currencies the admin enabled, offered by every currency input.
    pub currencies: Vec<String>,
}

impl Ctx {
    pub fn new(auth: &Authed, demo: bool, section: &'static str, flash: Option<&str>) -> Ctx {
        Ctx {
            lang: auth.lang,
            user: Some(auth.user.clone()),
            csrf: auth.csrf.clone(),
            demo,
            flash: flash.filter(|k| i18n::has(k)).map(|k| i18n::t(auth.lang, k).to_string()),
            flash_warning: flash.is_some_and(|k| WARNING_FLASHES.contains(&k)),
            section,
            currencies: Vec::new(),
        }
    }
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key).to_string()
    }
    /// A fresh one-time submission token for one form (see `once`).
    pub fn once(&self) -> String {
        kam_core::secret::random_token()[..32].to_string()
    }
    /// A message with `{n}` replaced.
    pub fn tn(&self, key: &str, n: i64) -> String {
        i18n::t(self.lang, key).replace("{n}", &n.to_string())
    }
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }
    pub fn user_name(&self) -> String {
        self.user.as_ref().map(|u| u.display_name.clone()).unwrap_or_default()
    }
    pub fn role_label(&self) -> String {
        self.role().map(|r| self.t(&format!("role.{}", r.as_str()))).unwrap_or_default()
    }
    /// Whether the user sees money (the receivables link).
    pub fn sees_money(&self) -> bool {
        self.user.as_ref().is_some_and(|u| kam_core::ledger::can_see_money(&u.actor()))
    }
    /// Whether the user has a dashboard to open (the menu's link).
    pub fn has_dashboard(&self) -> bool {
        self.user.as_ref().is_some_and(|u| kam_core::dashboard::Board::first_for(&u.actor()).is_some())
    }
    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }
    pub fn can_handover(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Manager))
    }
    pub fn can_create(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Manager | Role::Sales))
    }
    /// Whether the user may import anything (the import link).
    pub fn can_import(&self) -> bool {
        self.user.as_ref().is_some_and(|u| !kam_core::import::ImportKind::for_actor(&u.actor()).is_empty())
    }
    /// Whether the current section sits under the menu's "more".
    pub fn in_more(&self) -> bool {
        matches!(
            self.section,
            "prospects"
                | "classification"
                | "capability"
                | "completeness"
                | "health"
                | "reports"
                | "targets"
                | "pool"
                | "competitors"
                | "imports"
                | "handover"
                | "admin"
        )
    }
    pub fn active(&self, section: &str) -> &'static str {
        if self.section == section { "active" } else { "" }
    }
}

/// Label of a field: `field.<entity>.<name>`.
pub fn label(lang: Lang, entity: &str, name: &str) -> String {
    i18n::t(lang, &format!("field.{entity}.{name}")).to_string()
}

/// Label of a choice: `enum.<enum>.<code>`.
pub fn choice(lang: Lang, e: &str, code: &str) -> String {
    i18n::t(lang, &format!("enum.{e}.{code}")).to_string()
}

/// Money with its currency: ¥12,345.67 for CNY, "USD 1,000.00" otherwise.
pub fn money(minor: i64, currency: &str) -> String {
    match currency {
        "CNY" | "" => format!("¥{}", format_minor(minor, true)),
        c => format!("{c} {}", format_minor(minor, true)),
    }
}

/// A value as a reader sees it.
pub fn display(lang: Lang, def: &FieldDef, v: &Value, currency: &str) -> String {
    match (v, def.kind) {
        (Value::Null, _) => String::new(),
        (Value::Text(s), Kind::Enum(e)) => choice(lang, e.name, s),
        (Value::Int(m), Kind::Money | Kind::MoneyDelta) => money(*m, currency),
        (Value::Float(f), Kind::Percent | Kind::VatRate) => format!("{}%", trim(*f)),
        (Value::Bool(b), _) => i18n::t(lang, if *b { "common.yes" } else { "common.no" }).to_string(),
        (Value::Text(s), Kind::DateTime) => s.replacen('T', " ", 1),
        (v, k) => v.form_text(k),
    }
}

fn trim(f: f64) -> String {
    let s = format!("{f:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The named field of a record as a reader sees it (empty when unset).
pub fn field_text(lang: Lang, defs: &[FieldDef], rec: &Record, name: &str, currency: &str) -> String {
    match (kam_core::fields::def(defs, name), rec.get(name)) {
        (Some(d), Some(v)) => display(lang, d, v, currency),
        _ => String::new(),
    }
}

/// One labelled value on a card.
pub struct Shown {
    pub label: String,
    pub value: String,
    pub wide: bool,
}

pub struct ShownGroup {
    pub title: String,
    pub items: Vec<Shown>,
}

/// The card of a record, group by group, with what the reader may see.
pub fn card(
    lang: Lang,
    entity: &str,
    defs: &[FieldDef],
    groups: &[&str],
    rec: &Record,
    viewer: kam_core::visibility::Viewer,
) -> Vec<ShownGroup> {
    let hide = |d: &FieldDef| !viewer.sees_field(entity, d.name);
    let currency = rec.get("currency").and_then(Value::as_text).unwrap_or("CNY").to_string();
    groups
        .iter()
        .map(|g| ShownGroup {
            title: i18n::t(lang, &format!("group.{g}")).to_string(),
            items: defs
                .iter()
                .filter(|d| d.group == *g && !hide(d))
                .map(|d| Shown {
                    label: label(lang, entity, d.name),
                    value: display(lang, d, rec.get(d.name).unwrap_or(&Value::Null), &currency),
                    wide: matches!(d.kind, Kind::LongText),
                })
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect()
}

/// One input of a form.
pub struct Input {
    pub name: String,
    pub label: String,
    /// text | textarea | select | date | number | checkbox | email | tel | url
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub error: Option<String>,
    pub required: bool,
    pub readonly: bool,
    pub wide: bool,
    pub hint: String,
    /// The id of a datalist offering values.
    pub list: Option<String>,
    /// Part of a repeatable row that may stay empty: required only once the
    /// row has content, so the browser must not insist (the server checks).
    pub in_row: bool,
}

impl Input {
    pub fn checked(&self) -> bool {
        self.value == "1"
    }
    pub fn selected(&self, code: &str) -> bool {
        self.value == code
    }
    /// For a list of ids: whether `code` is one of them.
    pub fn includes(&self, code: &str) -> bool {
        self.value.split(',').any(|v| v.trim() == code)
    }
}

/// A form section of repeatable rows (`_row_section.html`): each row's
/// inputs as a group named `<name>.<i>.<field>`, a blank row with `__i__` for
/// the index (for the "add a row" button), and the stored ids of the rows.
pub struct RowSection {
    pub name: &'static str,
    pub title: String,
    pub groups: Vec<InputGroup>,
    pub blank: Vec<InputGroup>,
    pub ids: Vec<(usize, i64)>,
    pub next_index: usize,
}

pub struct InputGroup {
    pub title: String,
    pub inputs: Vec<Input>,
}

/// A field's error message, with its limit where the field has one
/// ("最多 100 字", "应在 1 到 12 之间").
pub fn field_error(lang: Lang, kind: Kind, key: &str) -> String {
    match (key, kind) {
        ("err.too_long", Kind::Text(n)) => i18n::t(lang, "err.too_long_n").replace("{n}", &n.to_string()),
        ("err.too_long", Kind::LongText) => i18n::t(lang, "err.too_long_n").replace("{n}", "10000"),
        ("err.range", Kind::Int(lo, hi)) => {
            i18n::t(lang, "err.range_n").replace("{lo}", &lo.to_string()).replace("{hi}", &hi.to_string())
        }
        ("err.range", Kind::Money) => {
            i18n::t(lang, "err.range_n").replace("{lo}", "0").replace("{hi}", &format_minor(100_000_000_000_000, true))
        }
        _ => i18n::t(lang, key).to_string(),
    }
}

/// Builds one input for a field definition.
pub fn input(
    lang: Lang,
    entity: &str,
    d: &FieldDef,
    value: String,
    error: Option<&&'static str>,
    readonly: bool,
) -> Input {
    let (kind, options) = match d.kind {
        Kind::LongText => ("textarea", vec![]),
        Kind::Enum(e) => ("select", e.values.iter().map(|v| (v.to_string(), choice(lang, e.name, v))).collect()),
        Kind::Date => ("date", vec![]),
        Kind::DateTime => ("datetime-local", vec![]),
        Kind::Int(..) => ("number", vec![]),
        Kind::Bool => ("checkbox", vec![]),
        Kind::Email => ("email", vec![]),
        Kind::Phone => ("tel", vec![]),
        Kind::Percent => ("decimal", vec![]),
        Kind::VatRate => (
            "select",
            kam_core::fields::VAT_RATES
                .iter()
                .map(|r| {
                    let v = Value::Float(*r).form_text(Kind::VatRate);
                    (v.clone(), format!("{v}%"))
                })
                .collect(),
        ),
        Kind::Money | Kind::MoneyDelta => ("decimal", vec![]),
        Kind::Quantity => ("decimal", vec![]),
        Kind::Time => ("time", vec![]),
        // The page supplies the choices (e.g. the account's contacts).
        Kind::IdList => ("multi", vec![]),
        _ => ("text", vec![]),
    };
    let hint = match d.kind {
        Kind::Money => "12,345.67",
        Kind::MoneyDelta => "-1,000.00",
        Kind::CreditCode => "91350100M000100Y43",
        Kind::Percent => "62.5",
        _ => "",
    };
    Input {
        name: d.name.to_string(),
        label: label(lang, entity, d.name),
        kind,
        value,
        options,
        error: error.map(|k| field_error(lang, d.kind, k)),
        required: d.required,
        readonly,
        wide: matches!(d.kind, Kind::LongText),
        hint: if readonly { String::new() } else { hint.to_string() },
        list: matches!(d.kind, Kind::Currency).then(|| "currencies".to_string()),
        in_row: false,
    }
}

/// The inputs of a form, group by group. `values` are the raw texts to show
/// (what was stored, or what the user typed when the form comes back with errors).
#[expect(clippy::too_many_arguments, reason = "one call builds a whole form; the rules are the arguments")]
pub fn form(
    lang: Lang,
    entity: &str,
    defs: &[FieldDef],
    groups: &[&str],
    values: &(dyn Fn(&FieldDef) -> String + Sync),
    errors: &FieldErrors,
    writable: &(dyn Fn(&FieldDef) -> bool + Sync),
    hidden: &(dyn Fn(&FieldDef) -> bool + Sync),
) -> Vec<InputGroup> {
    groups
        .iter()
        .map(|g| InputGroup {
            title: i18n::t(lang, &format!("group.{g}")).to_string(),
            inputs: defs
                .iter()
                .filter(|d| d.group == *g && !hidden(d))
                .map(|d| input(lang, entity, d, values(d), errors.0.get(d.name), !writable(d)))
                .collect(),
        })
        .filter(|g| !g.inputs.is_empty())
        .collect()
}

/// Stored values as form texts.
pub fn stored_text(rec: &Record) -> impl Fn(&FieldDef) -> String + '_ {
    move |d| match (rec.get(d.name), d.kind) {
        (Some(Value::Bool(true)), _) => "1".into(),
        (Some(v), k) => v.form_text(k),
        (None, _) => String::new(),
    }
}

/// Posted values as form texts.
pub fn posted_text(form: &FormData) -> impl Fn(&FieldDef) -> String + '_ {
    move |d| match d.kind {
        Kind::Bool => {
            if form.flag(d.name) {
                "1".into()
            } else {
                String::new()
            }
        }
        _ => form.text(d.name).to_string(),
    }
}

/// Parses the writable fields of `defs` from a posted form. Fields the role
/// may not write are not read at all (no mass assignment).
pub fn parse_form(
    defs: &'static [FieldDef],
    form: &FormData,
    writable: &(dyn Fn(&FieldDef) -> bool + Sync),
    errors: &mut FieldErrors,
) -> Record {
    let mut rec = Record::new();
    for d in defs.iter().filter(|d| writable(d)) {
        let raw = match d.kind {
            Kind::Bool => {
                if form.flag(d.name) {
                    "1"
                } else {
                    ""
                }
            }
            _ => form.text(d.name),
        };
        match fields::parse(d, Raw::Form(raw)) {
            Ok(v) => {
                rec.insert(d.name, v);
            }
            Err(k) => errors.add(d.name, k),
        }
    }
    rec
}

/// The write rule for one field and one user, as the store will apply it.
pub fn can_write(user: &User, d: &FieldDef) -> bool {
    user.actor().can_write_field(d.access)
}

pub fn is_personal(d: &FieldDef) -> bool {
    d.access == Access::Personal
}

/// Pagination links.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(page: i64, per_page: i64, total: i64, href: impl Fn(i64) -> String) -> Pager {
        let pages = ((total + per_page - 1) / per_page).max(1);
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
        }
    }

    /// "Page p of n" in the reader's language.
    pub fn text(&self, lang: Lang) -> String {
        i18n::t(lang, "common.page").replace("{p}", &self.page.to_string()).replace("{n}", &self.pages.to_string())
    }
}

/// A history row for display, with personal fields redacted where needed.
pub struct HistoryRow {
    pub at: String,
    pub who: String,
    pub what: String,
    pub changes: Vec<(String, String, String)>,
}

/// Names for the ids that appear in audit changes (owners, competitors).
#[derive(Default)]
pub struct Names {
    pub users: std::collections::HashMap<UserId, String>,
    pub competitors: std::collections::HashMap<kam_core::CompetitorId, String>,
    /// The accounts the rows name that the reader may see.
    pub accounts: std::collections::HashMap<kam_core::AccountId, String>,
}

impl Names {
    /// The names the audit rows refer to, as the actor may see them.
    pub async fn load(store: &kam_store::Store, actor: &kam_core::Actor, rows: &[kam_store::audit::AuditRow]) -> Names {
        let mut ids: Vec<kam_core::AccountId> = rows
            .iter()
            .filter_map(|r| r.changes.as_object())
            .flat_map(|o| ["account_id", "parent_id"].into_iter().filter_map(|k| o.get(k)))
            .flat_map(|pair| pair.as_array().into_iter().flatten().filter_map(serde_json::Value::as_i64))
            .map(kam_core::AccountId)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let accounts = store.account_names(actor, &ids).await.unwrap_or_default();
        let users = store.users().await.unwrap_or_default().into_iter().map(|u| (u.id, u.display_name)).collect();
        let competitors = store
            .competitors(actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.id, c.rec.get("name").and_then(Value::as_text).unwrap_or_default().to_string()))
            .collect();
        Names { users, competitors, accounts }
    }
}

/// One audited value as a reader sees it: choices by their label, money as
/// money, ids by name where the reader may see them.
fn audit_value(lang: Lang, entity: &str, field: &str, v: &serde_json::Value, names: &Names) -> String {
    use kam_core::visibility::{Class, field_class, fields_of};
    use serde_json::Value as J;
    if v.is_null() {
        return "—".into();
    }
    if let Some(id) = v.as_i64().filter(|_| field.ends_with("_id") || field == "shared_with") {
        let name = match field {
            "owner_id" | "shared_with" | "to_user_id" => names.users.get(&UserId(id)),
            "competitor_id" => names.competitors.get(&kam_core::CompetitorId(id)),
            "account_id" | "parent_id" => names.accounts.get(&kam_core::AccountId(id)),
            _ => None,
        };
        return name.cloned().unwrap_or_else(|| format!("#{id}"));
    }
    let value = match v {
        J::String(s) => Value::Text(s.clone()),
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) if n.is_i64() => Value::Int(n.as_i64().unwrap_or_default()),
        J::Number(n) => Value::Float(n.as_f64().unwrap_or_default()),
        other => return other.to_string(),
    };
    if let Some(d) = fields_of(entity).find(|d| d.name == field) {
        return display(lang, d, &value, "CNY");
    }
    match &value {
        // Figures the system derives (order totals, statement balances): money.
        Value::Int(m) if field_class(entity, field) == Class::Money => money(*m, "CNY"),
        // Codes of workflows outside the registry (an order's or a statement's status).
        Value::Text(code) => {
            let key = format!("enum.{entity}_{field}.{code}");
            if i18n::has(&key) { i18n::t(lang, &key).to_string() } else { code.clone() }
        }
        other => other.form_text(Kind::Text(0)),
    }
}

pub fn history(
    lang: Lang,
    rows: &[kam_store::audit::AuditRow],
    viewer: kam_core::visibility::Viewer,
    names: &Names,
) -> Vec<HistoryRow> {
    let mut rows = rows.to_vec();
    crate::redact::audit(&mut rows, viewer);
    rows.iter()
        .map(|r| {
            let entity_label = i18n::t(lang, &format!("entity.{}", r.entity)).to_string();
            let label_entity = match r.entity.as_str() {
                "competitor_position" => "position",
                "account_partner" => "partner",
                e => e,
            };
            let mut changes = Vec::new();
            if let Some(obj) = r.changes.as_object() {
                for (k, v) in obj {
                    let key = format!("field.{label_entity}.{k}");
                    // A merge's row counts what moved, by kind.
                    let moved = format!("merge.what.{k}");
                    let name = match (i18n::has(&key), i18n::has(&moved)) {
                        // A capability sheet's cell: its month and factor.
                        _ if r.entity == "capability" && crate::capability::cell_label(lang, k).is_some() => {
                            crate::capability::cell_label(lang, k).unwrap_or_default()
                        }
                        (true, _) => i18n::t(lang, &key).to_string(),
                        (false, true) => i18n::t(lang, &moved).to_string(),
                        _ => k.clone(),
                    };
                    changes.push((
                        name,
                        audit_value(lang, &r.entity, k, &v[0], names),
                        audit_value(lang, &r.entity, k, &v[1], names),
                    ));
                }
            }
            HistoryRow {
                at: kam_core::time_util::display_ts(&r.at),
                who: r.actor_name.clone().unwrap_or_else(|| i18n::t(lang, "history.system").to_string()),
                what: format!("{} · {}", i18n::t(lang, &format!("action.{}", r.action)), entity_label),
                changes,
            }
        })
        .collect()
}

/// A stored field as plain text (long text as typed), empty when absent.
pub fn rec_text(rec: &kam_core::Record, f: &str) -> String {
    rec.get(f).map(|v| v.form_text(Kind::LongText)).unwrap_or_default()
}

/// A stored percentage as `12.5%`, empty when absent.
pub fn pct(rec: &kam_core::Record, f: &str) -> String {
    match rec.get(f) {
        Some(Value::Float(x)) => format!("{}%", Value::Float(*x).form_text(Kind::Percent)),
        _ => String::new(),
    }
}
