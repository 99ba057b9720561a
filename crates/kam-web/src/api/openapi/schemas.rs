//! The schemas of the OpenAPI document: one per record, built from the field
//! registry (a field's kind, access class, choices and limits), plus the
//! inputs, patches and lists of every resource and the activity kinds.

use kam_core::fields::{Access, FieldDef, Kind};
use kam_core::lifecycle::{ACTION_FIELDS, CHURN_FIELDS};
use serde_json::{Map, Value, json};

const STAGES: [&str; 7] = ["prospect", "acquisition", "cultivation", "retention", "declining", "lost", "winback"];
const STAGES_OR_NULL: [Option<&str>; 8] = [
    Some("prospect"),
    Some("acquisition"),
    Some("cultivation"),
    Some("retention"),
    Some("declining"),
    Some("lost"),
    Some("winback"),
    None,
];

use crate::i18n::{Lang, t};

pub(super) fn field_schema(entity: &str, d: &FieldDef) -> Value {
    let mut s = match d.kind {
        Kind::Text(max) => json!({"type": "string", "maxLength": max}),
        Kind::LongText => json!({"type": "string", "maxLength": 10000}),
        Kind::Enum(e) => json!({"type": "string", "enum": e.values}),
        Kind::Date => json!({"type": "string", "format": "date"}),
        Kind::DateTime => {
            json!({"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$", "description": "local time (China, UTC+8), YYYY-MM-DDTHH:MM"})
        }
        Kind::Int(lo, hi) => json!({"type": "integer", "format": "int64", "minimum": lo, "maximum": hi}),
        Kind::MoneyDelta => {
            json!({"type": "integer", "format": "int64", "description": "signed minor units (分): the change of an amount"})
        }
        Kind::Money => {
            json!({"type": "integer", "format": "int64", "minimum": 0, "description": "minor units (分); the account's currency applies"})
        }
        Kind::Percent => json!({"type": "number"}),
        Kind::VatRate => {
            json!({"type": "number", "enum": kam_core::fields::VAT_RATES, "description": "VAT rate in per cent"})
        }
        Kind::Time => json!({"type": "string", "pattern": "^\\d{2}:\\d{2}$", "description": "time of day HH:MM"}),
        Kind::Quantity => {
            json!({"type": "string", "pattern": "^\\d+(\\.\\d{1,3})?$", "description": "quantity, up to three decimals; a JSON number is accepted too"})
        }
        Kind::Email => json!({"type": "string", "format": "email"}),
        Kind::Url => json!({"type": "string"}),
        Kind::Phone => json!({"type": "string", "maxLength": 40}),
        Kind::Postcode => json!({"type": "string", "pattern": "^[0-9]{6}$"}),
        Kind::CreditCode => {
            json!({"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$", "description": "unified social credit code, GB 32100-2015 check digit verified"})
        }
        Kind::Currency => json!({"type": "string", "pattern": "^[A-Z]{3}$"}),
        Kind::IdList => {
            json!({"type": "string", "description": "ids, comma-separated (\"12,34\"); a JSON array of integers is accepted too"})
        }
        Kind::Bool => json!({"type": "boolean"}),
    };
    let label = format!(
        "{} / {}",
        t(Lang::Zh, &format!("field.{entity}.{}", d.name)),
        t(Lang::En, &format!("field.{entity}.{}", d.name))
    );
    let written = match d.access {
        Access::Finance => " — writable by finance and admin only",
        _ => "",
    };
    // Who sees it, as the visibility table says.
    let seen = match kam_core::visibility::class_of(d) {
        kam_core::visibility::Class::Personal => " — personal: visible only to the account owner, managers and admin",
        kam_core::visibility::Class::Money => {
            " — money: left out of answers to roles that do not see money (service staff)"
        }
        kam_core::visibility::Class::General => "",
    };
    let note = format!("{written}{seen}");
    let prior = s.get("description").and_then(Value::as_str).map(|p| format!("; {p}")).unwrap_or_default();
    s["description"] = json!(format!("{label}{note}{prior}"));
    if !d.required && !matches!(d.kind, Kind::Bool) {
        s["type"] = json!([s["type"].clone(), "null"]);
    }
    s
}

pub(super) fn object(entity: &str, defs: &[FieldDef], extra: Value, with_required: bool) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for d in defs {
        props.insert(d.name.into(), field_schema(entity, d));
        if d.required && with_required {
            required.push(d.name);
        }
    }
    if let Value::Object(m) = extra {
        props.extend(m);
    }
    json!({"type": "object", "properties": props, "required": required})
}

pub(super) fn id() -> Value {
    json!({"type": "integer", "format": "int64"})
}
pub(super) fn nid() -> Value {
    json!({"type": ["integer", "null"], "format": "int64"})
}
pub(super) fn ts() -> Value {
    json!({"type": "string", "description": "RFC 3339 UTC"})
}
pub(super) fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}
pub(super) fn list_of(name: &str) -> Value {
    json!({"type": "object", "properties": {"items": {"type": "array", "items": r(name)}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}})
}

pub(super) fn schemas() -> Value {
    use kam_core::account::FIELDS as ACCOUNT;
    use kam_core::contact::{COMPETITOR_FIELDS, FIELDS as CONTACT, LINK_FIELDS, PARTNER_FIELDS, POSITION_FIELDS};
    let account_out = json!({
        "id": id(), "owner_id": nid(), "owner_name": {"type": ["string", "null"]}, "parent_id": nid(),
        "parent_name": {"type": ["string", "null"]}, "created_at": ts(), "updated_at": ts(), "shared_with_me": {"type": "boolean"},
    });
    let relations = json!({
        "owner_id": {"type": ["integer", "null"], "description": "责任业务员; null puts the account in the public pool. A sales rep may only name themself."},
        "parent_id": {"type": ["integer", "null"], "description": "上级集团 (group hierarchy, no cycles)"},
    });
    let link_props =
        object("contact", LINK_FIELDS, json!({"account_id": id(), "account_name": {"type": "string"}}), false);
    let mut contact_in_extra = json!({"account_id": {"type": "integer", "description": "the account the new contact belongs to (POST /contacts)"}});
    for d in LINK_FIELDS {
        contact_in_extra[d.name] = field_schema("contact", d);
    }
    let survey_trend = json!({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
        "month": {"type": "string", "description": "YYYY-MM"}, "responses": {"type": "integer"},
        "average": {"type": ["number", "null"]},
        "nps": {"type": ["integer", "null"], "description": "% promoters (9–10) − % detractors (0–6)"},
        "nps_responses": {"type": "integer"}}}}}});
    let reminder = json!({"type": "object", "properties": {
        "key": {"type": "string", "description": "stable key to answer it: follow_up-<id>, birthday-<contact id>-<year>, complaint-<id>-reply|resolve, planned_visit-<visit id> or planned_visit-<plan id>-<slot 1–12>, objection-<id>, signoff-<work log id>-<round>, contract-<id>-<90|60|30>, held_order-<order id>, returned_log-<work log id>-<round>, winback-<action id>"},
        "kind": {"type": "string", "enum": ["follow_up", "birthday", "complaint", "planned_visit", "objection", "signoff", "contract", "held_order", "returned_log", "winback"]}, "due": {"type": "string", "format": "date"},
        "title": {"type": "string"}, "detail": {"type": "string"}, "account_id": nid(), "account_name": {"type": "string"},
        "href": {"type": "string"}, "overdue": {"type": "boolean"}}});
    let visit_plan = json!({"type": "object", "properties": {"account_id": id(), "account_name": {"type": "string"}, "owner_id": nid(),
        "owner_name": {"type": ["string", "null"]}, "year": {"type": "integer"},
        "slots": {"type": "array", "items": {"type": "object", "properties": {"planned": {"type": ["string", "null"], "format": "date"}, "actual": {"type": ["string", "null"], "format": "date"}}}}}});
    let market = object(
        "market_activity",
        kam_core::market::FIELDS,
        json!({"id": id(), "created_at": ts(), "updated_at": ts(),
        "participants": {"type": "array", "items": {"type": "object", "properties": {"id": id(), "account_id": id(), "account_name": {"type": "string"},
            "contact_id": nid(), "contact_name": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}}}}}),
        true,
    );
    use kam_core::worklog::{AFFAIR_FIELDS, COLLECTION_FIELDS, FIELDS as WORKLOG, VISIT_FIELDS};
    let entry_in = |entity: &str, defs, with_account: bool, visits: bool| {
        let mut extra =
            json!({"id": {"type": ["integer", "null"], "description": "the stored entry's id; omit for a new entry"}});
        if with_account {
            extra["account_id"] = json!({"type": "integer", "description": "an account the author may see"});
        }
        if visits {
            extra["contact_id"] = json!({"type": ["integer", "null"], "description": "a contact of that account"});
        }
        object(entity, defs, extra, true)
    };
    let mut worklog_in_props = object("worklog", WORKLOG, json!({}), true);
    worklog_in_props["properties"]["visits"] =
        json!({"type": "array", "maxItems": 50, "items": entry_in("worklog_visit", VISIT_FIELDS, true, true)});
    worklog_in_props["properties"]["collections"] = json!({"type": "array", "maxItems": 50, "items": entry_in("worklog_collection", COLLECTION_FIELDS, true, false)});
    worklog_in_props["properties"]["affairs"] =
        json!({"type": "array", "maxItems": 50, "items": entry_in("worklog_affair", AFFAIR_FIELDS, false, false)});
    let worklog_in = worklog_in_props.clone();
    let mut worklog_out = worklog_in_props;
    for section in ["visits", "collections"] {
        worklog_out["properties"][section]["items"]["properties"]["account_name"] =
            json!({"type": ["string", "null"], "description": "the account's name (answers only)"});
    }
    for (k, v) in [
        ("id", id()),
        ("author_id", id()),
        ("author_name", json!({"type": "string"})),
        ("author_team_id", nid()),
        ("status", json!({"type": "string", "enum": ["draft", "submitted", "returned", "approved"]})),
        ("round", json!({"type": "integer", "description": "submissions so far"})),
        ("evaluation", json!({"type": ["string", "null"], "description": "主管评价"})),
        ("evaluated_by_name", json!({"type": ["string", "null"]})),
        ("evaluated_at", json!({"type": ["string", "null"]})),
        ("submitted_at", json!({"type": ["string", "null"]})),
        ("next_signer_id", nid()),
        ("next_step", json!({"type": ["string", "null"], "enum": ["cashier", "accountant", "dept_head", "vp", null]})),
        (
            "signoffs",
            json!({"type": "array", "items": {"type": "object", "properties": {"round": {"type": "integer"},
            "step": {"type": "string"}, "signer_id": id(), "signer_name": {"type": "string"},
            "decision": {"type": ["string", "null"], "enum": ["approve", "return", null]}, "comment": {"type": ["string", "null"]}, "decided_at": {"type": ["string", "null"]}}}}),
        ),
        ("created_at", ts()),
        ("updated_at", ts()),
    ] {
        worklog_out["properties"][k] = v;
    }
    use kam_core::ledger::FIELDS as ENTRY_FIELDS;
    use kam_core::order::{LINE_FIELDS, ORDER_FIELDS, PRODUCT_FIELDS};
    let line_in = object("order_line", LINE_FIELDS, json!({"product_id": id()}), true);
    let mut order_in = object(
        "order",
        ORDER_FIELDS,
        json!({"account_id": id(), "lines": {"type": "array", "minItems": 1, "items": line_in}}),
        true,
    );
    order_in["required"] = json!(["account_id", "order_date", "lines"]);
    let line_out = object(
        "order_line",
        LINE_FIELDS,
        json!({"id": id(), "product_id": id(), "product_code": {"type": "string"}, "product_name": {"type": "string"}, "unit": {"type": "string"},
        "with_tax": {"type": "integer"}, "without_tax": {"type": "integer"}, "tax": {"type": "integer"}}),
        false,
    );
    let order_out = object(
        "order",
        ORDER_FIELDS,
        json!({"id": id(), "number": {"type": "string"}, "account_id": id(), "account_name": {"type": "string"},
        "status": {"type": "string", "enum": kam_core::order::STATUS.values}, "total_with_tax": {"type": "integer"}, "total_without_tax": {"type": "integer"}, "tax": {"type": "integer"},
        "credit_limit": nid(), "credit_exposure": nid(), "approved_by_name": {"type": ["string", "null"]}, "approved_at": {"type": ["string", "null"]},
        "lines": {"type": "array", "items": line_out}, "steps": {"type": "array", "items": {"type": "object", "properties": {"from_status": {"type": ["string", "null"]}, "to_status": {"type": "string"}, "on_date": {"type": "string"}, "at": ts(), "by_name": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}}}},
        "created_by_name": {"type": ["string", "null"]}, "created_at": ts()}),
        true,
    );
    let mut entry_in = object("ledger_entry", ENTRY_FIELDS, json!({"account_id": id()}), true);
    entry_in["properties"]["amount"]["description"] =
        json!("the positive figure in minor units (分); the kind gives the sign");
    if let Some(req) = entry_in["required"].as_array_mut() {
        req.push(json!("account_id"));
    }
    let mut position_input = object("position", POSITION_FIELDS, json!({"competitor_id": id()}), false);
    position_input["required"] = json!(["competitor_id"]);
    // Two macro calls: one would pass the macro's recursion limit.
    let mut all = json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message", "fields"], "properties": {
            "code": {"type": "string", "examples": ["validation_failed", "not_found", "forbidden", "conflict", "unauthorized"]},
            "message": {"type": "string", "description": "in the caller's language (Accept-Language or the user's setting)"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "field name → message"}}}}},
        "Me": {"type": "object", "properties": {"id": id(), "username": {"type": "string"}, "display_name": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "manager", "sales", "finance", "service", "auditor"]}, "team_id": nid(), "team_name": {"type": ["string", "null"]}, "locale": {"type": "string"}}},
        "Account": object("account", ACCOUNT, account_out, true),
        "AccountCreated": {"allOf": [r("Account"), {"type": "object", "properties": {"warnings": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string", "enum": ["similar_name"]}, "message": {"type": "string"}, "account_id": id(), "name": {"type": "string"}}}}}}]},
        "AccountInput": object("account", ACCOUNT, relations.clone(), true),
        "AccountPatch": object("account", ACCOUNT, relations, false),
        "AccountList": list_of("Account"),
        "Contact": object("contact", CONTACT, json!({"id": id(), "title": {"type": ["string", "null"]}, "accounts": {"type": "array", "items": link_props.clone()}, "created_at": ts(), "updated_at": ts()}), true),
        "ContactInput": object("contact", CONTACT, contact_in_extra, true),
        "ContactPatch": object("contact", CONTACT, json!({}), false),
        "ContactLink": object("contact", LINK_FIELDS, json!({}), false),
        "ContactList": list_of("Contact"),
        "Competitor": object("competitor", COMPETITOR_FIELDS, json!({"id": id(), "account_count": {"type": "integer"}}), true),
        "CompetitorInput": object("competitor", COMPETITOR_FIELDS, json!({}), true),
        "CompetitorList": list_of("Competitor"),
        "Position": object("position", POSITION_FIELDS, json!({"id": id(), "account_id": id(), "competitor_id": id(), "competitor_name": {"type": "string"}}), false),
        "PositionInput": position_input,
        "PositionList": {"type": "object", "properties": {"items": {"type": "array", "items": r("Position")}}},
        "MarketShare": object("share", kam_core::contact::SHARE_FIELDS, json!({"id": id(), "account_id": id(), "account_name": {"type": "string"}, "competitor_id": nid(), "competitor_name": {"type": ["string", "null"], "description": "null: our own share"}}), false),
        "MarketShareInput": object("share", kam_core::contact::SHARE_FIELDS, json!({"competitor_id": {"type": ["integer", "null"], "description": "whose share; absent or null: ours (代理市场占有率)"}}), true),
        "MarketShareList": {"type": "object", "properties": {"items": {"type": "array", "items": r("MarketShare")}}},
        "Partner": object("partner", PARTNER_FIELDS, json!({"id": id(), "account_id": id()}), true),
        "PartnerInput": object("partner", PARTNER_FIELDS, json!({}), true),
        "PartnerList": {"type": "object", "properties": {"items": {"type": "array", "items": r("Partner")}}},
        "AuditRow": {"type": "object", "properties": {"id": id(), "at": ts(), "actor_id": nid(), "actor_name": {"type": ["string", "null"]}, "action": {"type": "string", "enum": ["create", "update", "delete", "claim", "release", "handover", "link", "unlink", "submit", "approve", "return"]}, "entity": {"type": "string"}, "entity_id": id(), "account_id": nid(), "changes": {"type": "object", "description": "field → [before, after]", "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2}}}},
        "History": {"type": "object", "properties": {"items": {"type": "array", "items": r("AuditRow")}}},
        "SearchHit": {"type": "object", "properties": {"entity": {"type": "string", "description": "account, contact, contract or an activity kind (interaction, visit, service_record, complaint, need, survey)"}, "id": id(), "name": {"type": "string"}, "detail": {"type": ["string", "null"]}}},
        "Company": {"type": "object", "description": "bank_name and bank_account are left out for those who see no money", "properties": {"name": {"type": "string", "maxLength": 200}, "address": {"type": "string", "maxLength": 200}, "phone": {"type": "string", "maxLength": 100}, "tax_id": {"type": "string", "maxLength": 100}, "bank_name": {"type": "string", "maxLength": 100}, "bank_account": {"type": "string", "maxLength": 100}}, "required": ["name", "address", "phone", "tax_id"]},
        "WorkingHours": {"type": "object", "properties": {"start": {"type": "string", "pattern": "^\\d{2}:\\d{2}$"}, "end": {"type": "string", "pattern": "^\\d{2}:\\d{2}$"}, "days": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 7}, "description": "1 = Monday … 7 = Sunday"}}, "required": ["start", "end", "days"]},
        "Settings": {"type": "object", "properties": {"company": r("Company"), "working_hours": r("WorkingHours"), "currencies": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{3}$"}}, "churn_factor": {"type": "number", "minimum": 1, "maximum": 10, "description": "an account is at churn risk when the days since its last order exceed this factor times its median gap between orders"}}},
        "SettingsInput": {"type": "object", "additionalProperties": false, "properties": {"company": r("Company"), "working_hours": r("WorkingHours"), "currencies": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{3}$"}, "description": "ISO 4217 codes; CNY is always enabled"}, "churn_factor": {"type": "number", "minimum": 1, "maximum": 10}}},
        "SearchResult": {"type": "object", "properties": {"items": {"type": "array", "items": r("SearchHit")}}},
        "Handover": {"type": "object", "required": ["from_user_id", "to_user_id"], "properties": {"from_user_id": id(), "to_user_id": id()}},
        "HandoverResult": {"type": "object", "properties": {"moved": {"type": "integer"}, "from_user_id": id(), "to_user_id": id()}},
        "SurveyTrend": survey_trend,
        "ReminderList": {"type": "object", "properties": {"items": {"type": "array", "items": reminder}, "today": {"type": "string", "format": "date"}}},
        "Timeline": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "kind": {"type": "string"}, "id": id(), "when": {"type": "string"}, "record": {"type": "object"}}}}}},
        "Transition": {"type": "object", "required": ["to"], "properties": {"to": {"type": "string", "enum": kam_core::complaint::STATUS.values}, "note": {"type": "string"}}},
        "Steps": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "from_status": {"type": ["string", "null"]}, "to_status": {"type": "string"}, "at": ts(), "by_user": nid(), "by_name": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}}}}}},
        "CapabilitySheet": {"type": "object", "properties": {"account_id": id(), "account_name": {"type": "string"}, "year": {"type": "integer"}, "can_score": {"type": "boolean"},
            "factors": {"type": "array", "items": {"type": "object", "properties": {"factor": {"type": "integer", "minimum": 1, "maximum": 25}, "key": {"type": "string", "enum": kam_core::capability::FACTOR_KEYS}, "group": {"type": "string"}, "label": {"type": "string"},
                "months": {"type": "array", "minItems": 12, "maxItems": 12, "items": {"type": ["integer", "null"], "minimum": 1, "maximum": 4}}, "average": {"type": ["number", "null"]}}}},
            "groups": {"type": "array", "items": {"type": "object", "properties": {"key": {"type": "string"}, "label": {"type": "string"}, "first": {"type": "integer"}, "last": {"type": "integer"},
                "subtotals": {"type": "array", "items": {"type": ["integer", "null"]}}, "average": {"type": ["number", "null"]}}}},
            "month_totals": {"type": "array", "items": {"type": ["integer", "null"]}}, "year_total": {"type": ["integer", "null"]}, "year_average": {"type": ["number", "null"]}, "filled_months": {"type": "integer"},
            "suggestions": {"type": "object", "properties": {"month": {"type": "integer"}, "items": {"type": "array", "items": {"type": "object", "properties": {
                "factor": {"type": "integer"}, "score": {"type": "integer"}, "reason": {"type": "string", "enum": ["usage", "complaints", "credit"]}, "figures": {"type": "object", "additionalProperties": {"type": "string"}}, "explanation": {"type": "string"}}}}}}}},
        "ClassificationRow": {"type": "object", "properties": {"account_id": id(), "name": {"type": "string"}, "contact_name": {"type": ["string", "null"]}, "contact_title": {"type": ["string", "null"]}, "contact_phone": {"type": ["string", "null"]},
            "address": {"type": "string"}, "industry": {"type": ["string", "null"]}, "customer_type": {"type": ["string", "null"]}, "grade": {"type": ["string", "null"]},
            "revenue": {"type": "integer", "description": "the trailing twelve months' orders with tax, in minor units; left out for roles that see no money"}, "orders": {"type": "integer"}, "last_order": {"type": ["string", "null"], "format": "date"},
            "abc": {"type": "string", "enum": ["A", "B", "C"]}, "recency": {"type": ["integer", "null"], "minimum": 1, "maximum": 5}, "frequency": {"type": ["integer", "null"], "minimum": 1, "maximum": 5}, "monetary": {"type": ["integer", "null"], "minimum": 1, "maximum": 5}, "disagrees": {"type": "boolean"}}},
        "ClassificationList": {"type": "object", "properties": {"items": {"type": "array", "items": r("ClassificationRow")}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}, "thresholds": r("ClassificationThresholds")}},
        "ClassificationThresholds": {"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "integer", "minimum": 1, "maximum": 99}, "b": {"type": "integer", "minimum": 2, "maximum": 100}}},
        "Completeness": {"type": "object", "properties": {"account_id": id(), "name": {"type": "string"}, "owner_name": {"type": ["string", "null"]}, "percent": {"type": "integer", "minimum": 0, "maximum": 100, "description": "checks passed over checks that apply, rounded down"},
            "checks": {"type": "array", "items": {"type": "object", "properties": {"check": {"type": "string", "description": "profile.<field>, decision_maker, visit_plan, capability, statement, contract_successor or worklog_signed"}, "outcome": {"type": "string", "enum": ["pass", "fail", "not_applicable"]}, "label": {"type": "string"}, "link": {"type": ["string", "null"], "description": "the page that fills a failing check"}}}}}},
        "CompletenessReport": {"type": "object", "properties": {"items": {"type": "array", "items": r("Completeness")}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}},
        "Health": {"type": "object", "properties": {"account_id": id(), "name": {"type": "string"}, "owner_id": nid(), "owner_name": {"type": ["string", "null"]},
            "score": {"type": ["integer", "null"], "minimum": 0, "maximum": 100, "description": "null when no weighted factor applies"},
            "weakest": {"type": ["string", "null"], "description": "the factor that costs the most points"},
            "factors": {"type": "array", "items": {"type": "object", "properties": {
                "factor": {"type": "string", "enum": ["contact_recency", "visit_plan", "overdue_receivables", "complaints", "satisfaction", "order_trend", "capability"]},
                "label": {"type": "string"}, "explanation": {"type": "string"},
                "value": {"type": ["number", "null"], "description": "days since contact, visits on time, overdue percent, open complaints, latest satisfaction, revenue change in percent, capability average"},
                "of": {"type": ["number", "null"], "description": "the contact interval, visits due, the previous satisfaction, 4 for capability"},
                "extra": {"type": ["number", "null"], "description": "late visits, overdue complaints"},
                "score": {"type": ["number", "null"], "minimum": 0, "maximum": 1}, "weight": {"type": "integer"},
                "max_points": {"type": "number"}, "points": {"type": "integer"}}}}}},
        "HealthList": {"type": "object", "properties": {"items": {"type": "array", "items": r("Health")}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}},
        "HealthWeights": {"type": "object", "required": ["weights"], "properties": {"weights": {"type": "array", "minItems": 7, "maxItems": 7, "items": {"type": "object", "required": ["factor", "weight"], "properties": {
            "factor": {"type": "string", "enum": ["contact_recency", "visit_plan", "overdue_receivables", "complaints", "satisfaction", "order_trend", "capability"]}, "weight": {"type": "integer", "minimum": 0, "maximum": 100}}}}}},
        "Reports": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "form": {"type": "integer", "minimum": 0, "maximum": 9, "description": "1–9 for 附表一–九, 0 for the statements"}, "title": {"type": "string"},
            "of": {"type": "string", "enum": ["scope", "account", "record"]}, "page": {"type": "string"}, "print": {"type": ["string", "null"]},
            "xlsx": {"type": ["string", "null"]}, "api_xlsx": {"type": ["string", "null"]}}}}}},
        "ForecastFit": {"type": "object", "properties": {"id": {"type": "integer"}, "fitted_at": {"type": "string"}, "calibration_end": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": ["fitted", "too_short", "no_convergence"]},
            "params": {"oneOf": [{"type": "object", "properties": {"r": {"type": "number"}, "alpha": {"type": "number"}, "a": {"type": "number"}, "b": {"type": "number"}}}, {"type": "null"}]},
            "log_likelihood": {"type": ["number", "null"]}, "accounts": {"type": "integer"}, "repeat_accounts": {"type": "integer"}, "iterations": {"type": "integer"}}},
        "Forecasts": {"type": "object", "properties": {"fit": {"oneOf": [r("ForecastFit"), {"type": "null"}]}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
            "items": {"type": "array", "items": {"type": "object", "properties": {"account_id": id(), "account_name": {"type": "string"}, "owner_id": nid(), "owner_name": {"type": ["string", "null"]}, "team_id": nid(),
                "first_order": {"type": "string", "format": "date"}, "last_order": {"type": "string", "format": "date"}, "order_days": {"type": "integer"}, "average_order": {"type": "integer"},
                "p_alive": {"type": ["number", "null"]}, "expected_orders": {"type": ["number", "null"]}, "expected_revenue": {"type": ["integer", "null"]},
                "last_year": {"type": "object", "properties": {"same_period_last_year": {"type": "integer"}, "trend": {"type": ["number", "null"]}, "forecast": {"type": "integer"}}}}}},
            "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"},
            "reps": {"type": "array", "items": r("ForecastRollup")}, "teams": {"type": "array", "items": r("ForecastRollup")},
            "expected_revenue": {"type": "integer"}, "last_year_forecast": {"type": "integer"}}},
        "ChurnInput": object("churn", CHURN_FIELDS, json!({}), true),
        "ChurnPatch": object("churn", CHURN_FIELDS, json!({}), false),
        "WinbackInput": object("winback_action", ACTION_FIELDS, json!({}), false),
        "WinbackPatch": object("winback_action", ACTION_FIELDS, json!({}), false),
        "WinbackAction": object("winback_action", ACTION_FIELDS, json!({"id": id(), "churn_id": id()}), true),
        "Churn": object("churn", CHURN_FIELDS, json!({"id": id(), "account_id": id(), "account_name": {"type": "string"}, "owner_name": {"type": ["string", "null"]}, "created_at": ts(), "actions": {"type": "array", "items": r("WinbackAction")}}), true),
        "Churns": {"type": "object", "properties": {"items": {"type": "array", "items": r("Churn")}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}},
        "ChurnRiskFigures": {"type": "object", "properties": {"gap_days": {"type": "integer"}, "median_gap_days": {"type": "number"}, "factor": {"type": "number"}, "at_risk": {"type": "boolean"}}},
        "ChurnRisks": {"type": "object", "properties": {"factor": {"type": "number"}, "total": {"type": "integer"}, "items": {"type": "array", "items": {"allOf": [r("ChurnRiskFigures"), {"type": "object", "properties": {
            "account_id": id(), "account_name": {"type": "string"}, "owner_id": nid(), "owner_name": {"type": ["string", "null"]}, "last_order": {"type": "string", "format": "date"}}}]}}}},
        "ChurnCount": {"type": "object", "properties": {"key": {"type": "string"}, "label": {"type": ["string", "null"]}, "churns": {"type": "integer"}, "won_back": {"type": "integer"}}},
        "ChurnReport": {"type": "object", "properties": {"year": {"type": "integer"}, "total": {"type": "integer"}, "won_back": {"type": "integer"},
            "by_reason": {"type": "array", "items": r("ChurnCount")}, "by_month": {"type": "array", "items": r("ChurnCount")}, "by_grade": {"type": "array", "items": r("ChurnCount")},
            "by_rep": {"type": "array", "items": r("ChurnCount"), "description": "key: the owner's user id"}}},
        "AccountLifecycle": {"type": "object", "properties": {"account_id": id(),
            "stage": {"type": "string", "enum": STAGES}, "computed": {"type": "string", "enum": STAGES}, "manual": {"type": ["string", "null"], "enum": STAGES_OR_NULL},
            "rule": {"type": "string", "enum": ["churned", "won_back", "no_order", "long_gap", "churn_risk", "shrinking", "new_account", "growing", "established"]},
            "risk": {"oneOf": [r("ChurnRiskFigures"), {"type": "null"}]}, "first_order": {"type": ["string", "null"], "format": "date"}, "last_order": {"type": ["string", "null"], "format": "date"},
            "order_days": {"type": "integer"}, "last_12": {"type": "integer", "description": "purchases in the last 12 months (fen; 0 for those who see no money)"}, "previous_12": {"type": "integer"},
            "churns": {"type": "array", "items": r("Churn")}}},
        "Dashboard": dashboard(),
        "ForecastRollup": {"type": "object", "properties": {"level": {"type": "string", "enum": ["rep", "team"]}, "id": {"type": "integer"}, "name": {"type": "string"},
            "expected_revenue": {"type": "integer"}, "last_year_forecast": {"type": "integer"}, "target": {"type": ["integer", "null"]}}},
    });
    let rest = json!({
        "Targets": {"type": "object", "properties": {"level": {"type": "string", "enum": ["rep", "team"]}, "year": {"type": "integer"}, "items": {"type": "array", "items": {"type": "object", "properties": {
            "level": {"type": "string"}, "id": {"type": "integer"}, "name": {"type": "string"}, "team_id": nid(),
            "months": {"type": "array", "minItems": 12, "maxItems": 12, "items": {"type": ["integer", "null"]}, "description": "January first, in fen; null: no target"}, "can_set": {"type": "boolean"}}}}}},
        "TargetsInput": {"type": "object", "required": ["level", "year", "items"], "properties": {"level": {"type": "string", "enum": ["rep", "team"]}, "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
            "items": {"type": "array", "items": {"type": "object", "required": ["id", "months"], "properties": {"id": {"type": "integer"}, "months": {"type": "array", "minItems": 12, "maxItems": 12, "items": {"type": ["integer", "null"], "minimum": 0}}}}}}},
        "Attainment": {"type": "object", "properties": {"period": {"type": "string"}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
            "reps": {"type": "array", "items": r("Attained")}, "teams": {"type": "array", "items": r("Attained")}, "company": {"oneOf": [r("Attained"), {"type": "null"}]}}},
        "Attained": {"type": "object", "properties": {"level": {"type": "string", "enum": ["rep", "team", "company"]}, "id": {"type": ["integer", "null"]}, "name": {"type": "string"}, "team_id": nid(),
            "target": {"type": ["integer", "null"]}, "reps_target": {"type": ["integer", "null"]}, "delivered": {"type": "integer"}, "collected": {"type": "integer"},
            "delivered_pct": {"type": ["number", "null"]}, "collected_pct": {"type": ["number", "null"]}}},
        "ClassificationAccepted": {"type": "object", "properties": {"account_id": id(), "grade": {"type": "string", "enum": ["A", "B", "C"]}}},
        "CapabilityMonthInput": {"type": "object", "required": ["month", "scores"], "properties": {"month": {"type": "integer", "minimum": 1, "maximum": 12}, "scores": {"type": "array", "minItems": 25, "maxItems": 25, "items": {"type": ["integer", "null"], "minimum": 1, "maximum": 4}, "description": "factor 1 first; null empties the cell"}}},
        "CapabilityComparison": {"type": "object", "properties": {"period": {"type": "string"}, "year": {"type": "integer"}, "month": {"type": ["integer", "null"]},
            "factors": {"type": "array", "items": {"type": "object", "properties": {"factor": {"type": "integer"}, "key": {"type": "string"}, "label": {"type": "string"}}}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"account_id": id(), "account_name": {"type": "string"}, "values": {"type": "array", "items": {"type": ["number", "null"]}},
                "total": {"type": ["number", "null"]}, "rank": {"type": ["integer", "null"], "description": "1 for the highest total; equal totals share a rank"}, "month_totals": {"type": "array", "items": {"type": ["number", "null"]}}}}}}},
        "VisitPlan": visit_plan,
        "VisitPlans": {"type": "object", "properties": {"year": {"type": "integer"}, "items": {"type": "array", "items": r("VisitPlan")}}},
        "VisitPlanInput": {"type": "object", "required": ["planned"], "properties": {"planned": {"type": "array", "maxItems": 12, "items": {"type": ["string", "null"], "format": "date"}}}},
        "VisitPlanSummary": {"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "items": {"type": "array", "items": {"type": "object", "properties": {
            "owner_id": nid(), "owner_name": {"type": ["string", "null"]}, "planned": {"type": "integer"}, "on_time": {"type": "integer"}, "late": {"type": "integer"}, "missed": {"type": "integer"}, "pending": {"type": "integer"}}}}}},
        "MarketActivity": market,
        "MarketActivityInput": object("market_activity", kam_core::market::FIELDS, json!({}), true),
        "MarketActivityList": list_of("MarketActivity"),
        "MarketAnalysis": object("market_analysis", kam_core::market::ANALYSIS_FIELDS, json!({"id": id(), "created_at": ts(), "updated_at": ts()}), false),
        "MarketAnalysisInput": object("market_analysis", kam_core::market::ANALYSIS_FIELDS, json!({}), true),
        "MarketAnalysisList": list_of("MarketAnalysis"),
        "SalesReport": {"type": "object", "properties": {"year": {"type": "integer"}, "orders": {"type": "integer"}, "with_tax": {"type": "integer"}, "without_tax": {"type": "integer"},
            "by_month": {"type": "array", "items": r("SalesLine")}, "by_product": {"type": "array", "items": r("SalesLine")}, "by_rep": {"type": "array", "items": r("SalesLine")}, "by_grade": {"type": "array", "items": r("SalesLine")}}},
        "SalesLine": {"type": "object", "properties": {"key": {"type": "string", "description": "the month YYYY-MM, the product code, the owner's id or the grade; empty: none"},
            "label": {"type": ["string", "null"]}, "orders": {"type": "integer"}, "quantity": {"type": ["number", "null"]}, "unit": {"type": ["string", "null"]},
            "with_tax": {"type": "integer"}, "without_tax": {"type": "integer"}}},
        "MarketRegions": {"type": "object", "properties": {"year": {"type": "integer"}, "items": {"type": "array", "items": {"type": "object", "properties": {
            "province": {"type": "string", "description": "empty: accounts without a province"}, "industry": {"type": "string"}, "accounts": {"type": "integer"},
            "revenue": {"type": ["integer", "null"], "description": "delivered orders with tax in the year, fen; absent for readers without money"},
            "analysis_id": nid(), "analysed_on": {"type": ["string", "null"]}, "market_size": {"type": ["integer", "null"], "description": "fen; absent for readers without money"},
            "recorded_share_pct": {"type": ["number", "null"]}, "computed_share_pct": {"type": ["number", "null"]}, "growth_pct": {"type": ["integer", "null"]}}}}}},
        "MarketActivityItems": {"type": "object", "properties": {"items": {"type": "array", "items": r("MarketActivity")}}},
        "ParticipantInput": {"type": "object", "required": ["account_id"], "properties": {"account_id": id(), "contact_id": nid(), "note": {"type": ["string", "null"]}}},
        "Snooze": {"type": "object", "required": ["until"], "properties": {"until": {"type": "string", "format": "date"}}},
        "Assessment": {"type": "object", "properties": {"as_of": {"type": "string", "format": "date"}, "score": {"type": "integer"}, "rating": {"type": "string", "enum": ["A", "B", "C", "D"]},
            "suggested_limit": {"type": "integer"}, "overdue_amount": {"type": "integer"}, "factors": {"type": "array", "items": {"type": "object", "properties": {
                "key": {"type": "string", "enum": ["on_time_ratio", "days_overdue", "dso", "asset_liability_ratio", "years_of_cooperation"]}, "value": {"type": ["number", "null"]}, "points": {"type": "integer"}, "max": {"type": "integer"}}}}}},
        "Override": {"type": "object", "description": "finance's override in effect: it stands from its month until finance overrides again", "properties": {
            "since": {"type": "string", "description": "the month it was made for (YYYY-MM); in effect from then on"}, "rating": {"type": "string", "enum": ["A", "B", "C", "D"]},
            "credit_limit": {"type": "integer"}, "computed_score": {"type": "integer"}, "computed_rating": {"type": "string"}, "reason": {"type": "string"},
            "by_name": {"type": ["string", "null"]}, "at": ts()}},
        "Credit": {"type": "object", "properties": {"account_id": id(), "period": {"type": "string"}, "currency": {"type": "string"}, "current": r("Assessment"), "last_year": r("Assessment"),
            "overridden": {"oneOf": [r("Override"), {"type": "null"}]}, "rating": {"type": "string", "description": "in effect: the override's, else the computed one"},
            "last_year_rating": {"type": "string", "description": "in effect a year earlier, by the same rule"}, "credit_limit": nid()}},
        "CreditOverride": {"type": "object", "required": ["rating", "credit_limit", "reason"], "properties": {"period": {"type": "string"}, "rating": {"type": "string", "enum": ["A", "B", "C", "D"]}, "credit_limit": {"type": "integer"}, "reason": {"type": "string"}}},
        "Performance": {"type": "object", "properties": {"account_id": id(), "account_name": {"type": "string"}, "year": {"type": "integer"}, "currency": {"type": "string"},
            "rows": {"type": "array", "items": {"type": "object", "properties": {"date": {"type": "string"}, "seq": nid(), "order_id": nid(), "contract_no": {"type": "string"}, "amendments": {"type": "string"},
                "quantity": {"type": "string"}, "value": {"type": "integer"}, "collected": {"type": "integer"}, "cumulative_sales": {"type": "integer"}, "cumulative_collected": {"type": "integer"}}}},
            "total_sales": {"type": "integer"}, "total_collected": {"type": "integer"}, "opening": {"type": "integer"}, "other": {"type": "integer"}, "closing": {"type": "integer"},
            "rating": {"type": "string"}, "rating_last_year": {"type": "string"}, "overridden": {"oneOf": [r("Override"), {"type": "null"}]},
            "score": {"type": "integer"}, "score_last_year": {"type": "integer"}}},
        "Contract": object("contract", kam_core::contract::FIELDS, json!({"id": id(), "account_id": id(), "account_name": {"type": "string"},
            "status": {"type": "string", "enum": kam_core::contract::STATUS.values}, "stored_status": {"type": "string"}, "current_amount": nid(),
            "amendments": {"type": "array", "items": r("Amendment")}, "attachments": {"type": "array", "items": r("Attachment")}, "created_at": ts(), "updated_at": ts()}), true),
        "ContractInput": object("contract", kam_core::contract::FIELDS, json!({"account_id": {"type": "integer", "description": "the account (POST only)"}}), true),
        "ContractList": {"type": "object", "properties": {"items": {"type": "array", "items": r("Contract")}}},
        "ContractTransition": {"type": "object", "required": ["to"], "properties": {"to": {"type": "string", "enum": ["active", "terminated"]}}},
        "Amendment": object("contract_amendment", kam_core::contract::AMENDMENT_FIELDS, json!({"id": id(), "created_by_name": {"type": ["string", "null"]}, "created_at": ts(), "warnings": {"type": "array", "description": "on the answer to a post only: what the poster should know (overpaid: the payment exceeds what was owed, the customer now has a credit)", "items": {"type": "object", "properties": {"code": {"type": "string", "enum": ["overpaid"]}, "message": {"type": "string"}}}}}), true),
        "AmendmentInput": object("contract_amendment", kam_core::contract::AMENDMENT_FIELDS, json!({}), true),
        "AmendmentList": {"type": "object", "properties": {"items": {"type": "array", "items": r("Amendment")}, "current_amount": nid()}},
        "Attachment": {"type": "object", "properties": {"id": id(), "file_name": {"type": "string"}, "content_type": {"type": "string"}, "size": {"type": "integer"}, "sha256": {"type": "string"}, "created_at": ts()}},
        "Statement": {"type": "object", "properties": {"id": id(), "account_id": id(), "account_name": {"type": "string"}, "currency": {"type": "string"},
            "period": {"type": "string", "description": "YYYY-MM"}, "period_start": {"type": "string", "format": "date"}, "period_end": {"type": "string", "format": "date"},
            "opening": {"type": "integer"}, "closing": {"type": "integer"}, "status": {"type": "string", "enum": kam_core::statement::STATUS.values},
            "sent_at": {"type": ["string", "null"]}, "answered_at": {"type": ["string", "null"]}, "resolved_at": {"type": ["string", "null"]}, "created_at": ts(),
            "lines": {"type": "array", "items": {"type": "object", "properties": {"id": id(), "entry_id": id(), "entry_date": {"type": "string"}, "kind": {"type": "string"},
                "amount": {"type": "integer", "description": "signed minor units, as in the ledger"}, "reference": {"type": ["string", "null"]},
                "answer": {"type": ["string", "null"], "enum": ["agreed", "disputed", null]}, "customer_amount": nid(), "note": {"type": ["string", "null"]},
                "resolution": {"type": ["string", "null"], "enum": ["adjusted", "withdrawn", null]}, "adjustment_entry_id": nid(), "resolution_note": {"type": ["string", "null"]}}}},
            "opening_items": {"type": "array", "description": "first statement only: the charges still open that make up the opening balance (credits applied oldest first)", "items": {"type": "object", "properties": {"entry_id": id(), "entry_date": {"type": "string", "format": "date"}, "due_date": {"type": "string", "format": "date"}, "kind": {"type": "string"}, "reference": {"type": ["string", "null"]}, "amount": {"type": "integer"}, "open": {"type": "integer", "description": "what of the charge is still open, minor units"}}}},
            "opening_unapplied": {"type": "integer", "description": "credit in the opening balance not applied to any charge (negative)"}}},
        "Regenerated": {"type": "object", "properties": {"voided": id(), "statement": {"oneOf": [r("Statement"), {"type": "null"}], "description": "the new draft; null when the ledger holds nothing for the month any more"}}},
        "StatementList": list_of("Statement"),
        "GenerateStatements": {"type": "object", "required": ["period"], "properties": {"period": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}, "account_ids": {"type": "array", "items": id()}}},
        "Generated": {"type": "object", "properties": {"period": {"type": "string"}, "created": {"type": "array", "items": id()}, "existing": {"type": "integer"}}},
        "StatementAnswers": {"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "object", "required": ["line_id", "answer"], "properties": {
            "line_id": id(), "answer": {"type": "string", "enum": ["agreed", "disputed"]}, "customer_amount": {"type": "integer", "description": "the customer's figure, signed like the line"}, "note": {"type": "string"}}}}}},
        "PostCollection": {"type": "object", "required": ["note"], "properties": {"note": {"type": "string", "minLength": 1, "maxLength": 500, "description": "on what the money is posted: the bank slip, the receipt"}}},
        "ResolveLine": {"type": "object", "required": ["how", "note"], "properties": {"how": {"type": "string", "enum": ["adjust", "withdraw"]}, "note": {"type": "string", "minLength": 1, "description": "how the dispute was settled"}}},
        "Product": object("product", PRODUCT_FIELDS, json!({"id": id(), "created_at": ts(), "updated_at": ts()}), true),
        "ProductInput": object("product", PRODUCT_FIELDS, json!({}), true),
        "ProductList": {"type": "object", "properties": {"items": {"type": "array", "items": r("Product")}}},
        "Order": order_out,
        "OrderInput": order_in,
        "OrderList": list_of("Order"),
        "OrderTransition": {"type": "object", "required": ["to"], "properties": {"to": {"type": "string", "enum": kam_core::order::STATUS.values}, "on_date": {"type": "string", "format": "date"}, "note": {"type": "string"}}},
        "LedgerEntry": object("ledger_entry", ENTRY_FIELDS, json!({"id": id(), "account_id": id(), "amount": {"type": "integer", "description": "signed minor units: the entry's effect on what the customer owes"}, "order_id": nid(), "reverses_id": nid(), "reversed_by": nid(), "created_by_name": {"type": ["string", "null"]}, "created_at": ts()}), true),
        "LedgerEntryInput": entry_in,
        "Reverse": {"type": "object", "required": ["note"], "properties": {"entry_date": {"type": "string", "format": "date"}, "note": {"type": "string", "minLength": 1, "description": "why the entry is reversed"}}},
        "AccountLedger": {"type": "object", "properties": {"account_id": id(), "ledgers": {"type": "array", "items": {"type": "object", "properties": {
            "currency": {"type": "string"}, "balance": {"type": "integer"}, "entries": {"type": "array", "items": {"allOf": [r("LedgerEntry"), {"type": "object", "properties": {"balance_after": {"type": "integer"}}}]}}}}}}},
        "Receivables": {"type": "object", "properties": {"as_of": {"type": "string", "format": "date"}, "items": {"type": "array", "items": {"type": "object", "properties": {
            "account_id": id(), "account_name": {"type": "string"}, "owner_name": {"type": ["string", "null"]}, "currency": {"type": "string"}, "balance": {"type": "integer"},
            "aging": {"type": "object", "properties": {"d0_30": {"type": "integer"}, "d31_60": {"type": "integer"}, "d61_90": {"type": "integer"}, "d90_plus": {"type": "integer"}, "overdue": {"type": "integer"}, "unapplied": {"type": "integer"}, "max_days_overdue": {"type": "integer"}}},
            "dso": {"type": ["number", "null"]}}}},
            "collections": {"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "items": {"type": "array", "items": {"type": "object", "properties": {
                "owner_id": nid(), "owner_name": {"type": ["string", "null"]}, "currency": {"type": "string"}, "collected": {"type": "integer"}, "payments": {"type": "integer"}}}}}}}},
        "Worklog": worklog_out,
        "WorklogInput": worklog_in,
        "WorklogList": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "id": id(), "author_id": id(), "author_name": {"type": "string"}, "log_date": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": ["draft", "submitted", "returned", "approved"]}, "visit_count": {"type": "integer"},
            "paid_total": {"type": "integer", "description": "minor units (分)"}, "submitted_at": {"type": ["string", "null"]},
            "awaiting_me": {"type": "boolean"}}}}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}},
        "Signature": {"type": "object", "required": ["decision"], "properties": {"decision": {"type": "string", "enum": ["approve", "return"]},
            "comment": {"type": ["string", "null"], "maxLength": 2000}, "evaluation": {"type": ["string", "null"], "maxLength": 2000, "description": "主管评价"}}},
        "LedgerLink": {"type": "object", "properties": {"ledger_entry_id": id(), "href": {"type": "string"}}},
        "VisitLink": {"type": "object", "properties": {"visit_id": id(), "href": {"type": "string"}}},
        "SignoffChain": {"type": "object", "properties": {"team_id": id(), "steps": {"type": "array", "items": {"type": "object", "properties": {
            "step": {"type": "string", "enum": ["cashier", "accountant", "dept_head", "vp"]}, "signer_id": id(), "signer_name": {"type": "string"}}}}}},
        "SignoffChainInput": {"type": "object", "required": ["steps"], "properties": {"steps": {"type": "array", "items": {"type": "object", "required": ["step", "signer_id"], "properties": {
            "step": {"type": "string", "enum": ["cashier", "accountant", "dept_head", "vp"]}, "signer_id": id()}}}}},
        "Share": {"type": "object", "required": ["user_id"], "properties": {"user_id": id()}},
        "MergeInput": {"type": "object", "required": ["merged_id"], "properties": {"merged_id": id(),
            "picks": {"type": "object", "additionalProperties": {"type": "string", "enum": ["survivor", "merged"]}, "description": "field → whose value the survivor keeps"}}},
        "MergeCounts": {"type": "object", "properties": {
            "moved": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "records that move to the survivor, by kind (contacts, interactions, orders, contracts, ledger_entries, visit_plans, subsidiaries …)"},
            "kept": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "records that stay with the merged-away account: ties the survivor already holds, its statements and credit decisions"}}},
        "MergePreview": {"type": "object", "properties": {"survivor": {"$ref": "#/components/schemas/Account"}, "merged": {"$ref": "#/components/schemas/Account"},
            "fields": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "survivor": {}, "merged": {},
                "default": {"type": "string", "enum": ["survivor", "merged"]}, "pickable": {"type": "boolean"}}}},
            "counts": {"$ref": "#/components/schemas/MergeCounts"}}},
        "MergeResult": {"type": "object", "properties": {"survivor": {"$ref": "#/components/schemas/Account"}, "merged_id": id(), "counts": {"$ref": "#/components/schemas/MergeCounts"}}},
        "ContactMergePreview": {"type": "object", "properties": {"survivor": r("Contact"), "merged": r("Contact"),
            "fields": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "survivor": {}, "merged": {},
                "default": {"type": "string", "enum": ["survivor", "merged"]}, "pickable": {"type": "boolean"}}}},
            "counts": {"type": "object", "description": "moved: accounts (ties), interactions, market_participants, worklog_visits; kept: ties to accounts the survivor is at already", "properties": {
                "moved": {"type": "object", "additionalProperties": {"type": "integer"}}, "kept": {"type": "object", "additionalProperties": {"type": "integer"}}}}}},
        "ContactMergeResult": {"type": "object", "properties": {"survivor": r("Contact"), "merged_id": id(),
            "counts": {"type": "object", "properties": {"moved": {"type": "object", "additionalProperties": {"type": "integer"}}, "kept": {"type": "object", "additionalProperties": {"type": "integer"}}}}}},
        "DossierChange": {"type": "object", "required": ["field", "before", "after"], "properties": {
            "field": {"type": "string"}, "label": {"type": "string"}, "before": {"type": "string", "description": "the cell as exported now"},
            "after": {"type": "string", "description": "the cell as it came back"}, "error": {"type": "string", "description": "message key: why it cannot be written"}}},
        "DossierDiff": {"type": "object", "properties": {
            "account_id": id(),
            "profile": {"type": "array", "items": r("DossierChange")},
            "contacts": {"type": "array", "items": {"type": "object", "properties": {"id": id(), "name": {"type": "string"}, "changes": {"type": "array", "items": r("DossierChange")}, "error": {"type": "string"}}}},
            "new_contacts": {"type": "array", "items": {"type": "object", "properties": {"row": {"type": "integer"}, "values": {"type": "object", "additionalProperties": {"type": "string"}}, "errors": {"type": "array", "items": r("DossierChange")}}}},
            "contacts_left_out": {"type": "integer", "description": "contacts missing from the sheet: nothing is deleted through a dossier"},
            "read_only": {"type": "array", "items": {"type": "object", "properties": {"sheet": {"type": "string"}, "cells": {"type": "integer"}}}, "description": "sheets whose cells changed and are refused as read-only"}}},
        "DossierAccepted": {"type": "object", "properties": {
            "profile": {"type": "array", "items": r("DossierChange")},
            "contacts": {"type": "array", "items": {"allOf": [r("DossierChange"), {"type": "object", "required": ["id"], "properties": {"id": id()}}]}},
            "new_contacts": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "string"}, "description": "field → text, as the diff's values"}}}},
        "DossierApplied": {"type": "object", "properties": {"account_changed": {"type": "boolean"}, "contacts_changed": {"type": "integer"}, "contacts_created": {"type": "integer"}}},
        "ImportColumn": {"type": "object", "required": ["header"], "properties": {"header": {"type": "string"}, "field": {"type": ["string", "null"], "description": "the field the column fills (contacts: also `account`, the account by credit code or exact name)"}}},
        "ImportRow": {"type": "object", "required": ["row", "values", "errors"], "properties": {
            "row": {"type": "integer", "description": "the sheet's row number"},
            "values": {"type": "object", "additionalProperties": {"type": "string"}, "description": "field → the text the form gets"},
            "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"], "properties": {"field": {"type": "string"}, "message": {"type": "string", "description": "message key"}}}},
            "duplicate": {"type": "object", "properties": {"of": {"type": "string", "enum": ["existing", "in_file"]}, "id": id(), "name": {"type": ["string", "null"]}, "row": {"type": "integer"}}},
            "account_id": id(),
            "line_of": {"type": "integer", "description": "an order's later line: the sheet row of its first line, which carries the order"},
            "product_id": id()}},
        "ImportCounts": {"type": "object", "description": "for orders: created and skipped count orders, refused counts rows", "properties": {"created": {"type": "integer"}, "updated": {"type": "integer"}, "skipped": {"type": "integer"}, "refused": {"type": "integer"}}},
        "Import": {"type": "object", "required": ["id", "kind", "status", "file_name", "sha256"], "properties": {
            "id": id(), "kind": {"type": "string", "enum": ["accounts", "contacts", "ledger", "products", "orders", "interactions", "visits", "service_records", "complaints", "needs", "surveys", "contracts", "competitors", "visit_plans"]},
            "file_name": {"type": "string"}, "sha256": {"type": "string"}, "sheet": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": ["checked", "committing", "committed", "undone"]},
            "columns": {"type": "array", "items": r("ImportColumn")}, "rows": {"type": "array", "items": r("ImportRow"), "description": "up to 1,000 rows in file order (GET the import with `rows` and `rows_offset` for the others)"},
            "total_rows": {"type": "integer"}, "bad_rows": {"type": "integer"}, "duplicate_rows": {"type": "integer"},
            "counts": {"oneOf": [r("ImportCounts"), {"type": "null"}]},
            "created_by": id(), "created_at": ts(), "committed_at": {"type": ["string", "null"]}, "undone_at": {"type": ["string", "null"]},
            "undo_blocked_by": {"type": "array", "items": {"type": "string"}, "description": "what stands on the import's records (GET only)"},
            "progress": {"type": "object", "description": "a commit running in the background (status committing): rows done of total; `failed` (field key → message key) when it failed and nothing was written",
                "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}, "failed": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
        "ImportList": list_of("Import"),
        "ImportMappingInput": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 60, "description": "saving again under a name replaces that mapping (its creator or admin)"}}},
        "ImportMapping": {"type": "object", "required": ["id", "kind", "name", "columns"], "properties": {
            "id": id(), "kind": {"type": "string", "enum": ["accounts", "contacts", "ledger"]}, "name": {"type": "string"},
            "columns": {"type": "object", "additionalProperties": {"type": "string"}, "description": "header (folded, lower case, without punctuation) → field; \"\" leaves the column out"},
            "created_by": id(), "updated_at": ts()}},
        "ImportMappingList": list_of("ImportMapping"),
        "ImportCommit": {"type": "object", "properties": {
            "on_duplicate": {"type": "string", "enum": ["skip", "update", "create"], "description": "duplicate rows: leave the stored record (default), write the row's filled cells over it (accounts), or make a new record all the same (not an account with a credit code)"},
            "rows": {"type": "object", "additionalProperties": {"type": "string", "enum": ["skip", "update", "create"]}, "description": "sheet row number → the choice for that row, over on_duplicate"}}},
    });
    if let (Some(m), Value::Object(more)) = (all.as_object_mut(), rest) {
        m.extend(more);
    }
    all
}

/// The figures of a board (its own macro call: the schema list is long).
fn dashboard() -> Value {
    json!({"type": "object", "description": "the figures of one board; a figure the board does not hold is null (or empty)", "properties": {"board": {"type": "string", "enum": ["rep", "manager", "finance", "service"]}, "today": {"type": "string", "format": "date"},
            "attainment": {"oneOf": [r("Attainment"), {"type": "null"}]}, "forecast_from": {"type": ["string", "null"], "format": "date"}, "forecast_to": {"type": ["string", "null"], "format": "date"},
            "forecast": {"type": "array", "items": r("ForecastRollup"), "description": "per rep: expected revenue, the last-year forecast and the target of the coming three months (fen)"},
            "churn_risks": {"oneOf": [r("ChurnRisks"), {"type": "null"}]},
            "receivables": {"type": "array", "items": {"type": "object", "properties": {"currency": {"type": "string"}, "accounts": {"type": "integer"}, "balance": {"type": "integer"},
                "aging": {"type": "object", "properties": {"d0_30": {"type": "integer"}, "d31_60": {"type": "integer"}, "d61_90": {"type": "integer"}, "d90_plus": {"type": "integer"}, "overdue": {"type": "integer"}, "unapplied": {"type": "integer"}, "max_days_overdue": {"type": "integer"}}}}}},
            "collections": {"type": "array", "items": {"type": "object", "properties": {"month": {"type": "string"}, "currency": {"type": "string"}, "collected": {"type": "integer"}, "payments": {"type": "integer"}}}},
            "visit_plans": {"type": ["array", "null"], "description": "this quarter's planned visits per rep by state (manager)", "items": {"type": "object", "properties": {
                "owner_id": nid(), "owner_name": {"type": ["string", "null"]}, "planned": {"type": "integer"}, "on_time": {"type": "integer"}, "late": {"type": "integer"}, "missed": {"type": "integer"}, "pending": {"type": "integer"}}}},
            "capability": {"type": ["array", "null"], "description": "the average 附表六 score per month of the last twelve (manager)", "items": {"type": "object", "properties": {
                "month": {"type": "string"}, "accounts": {"type": "integer"}, "average": {"type": ["number", "null"]}}}},
            "complaints": {"oneOf": [{"type": "null"}, {"type": "object", "description": "complaints by status, and the open ones against their deadlines now (manager, service)", "properties": {
                "by_status": {"type": "array", "items": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "description": "[status, complaints]"}},
                "open": {"type": "integer"}, "on_track": {"type": "integer"}, "due_soon": {"type": "integer", "description": "resolution due within 24 hours"},
                "reply_overdue": {"type": "integer"}, "resolution_overdue": {"type": "integer"}}}]},
            "satisfaction": {"type": ["array", "null"], "description": "surveys per month of the last twelve: responses, average overall score, NPS (manager, service)", "items": {"type": "object", "properties": {
                "month": {"type": "string"}, "responses": {"type": "integer"}, "average": {"type": ["number", "null"]}, "nps": {"type": ["integer", "null"]}, "nps_responses": {"type": "integer"}}}},
            "statements": {"type": ["array", "null"], "description": "statements of the last three months by status (finance)", "items": {"type": "object", "properties": {
                "period": {"type": "string"}, "status": {"type": "string"}, "statements": {"type": "integer"}}}},
            "credit_holds": {"oneOf": [{"type": "null"}, {"type": "object", "description": "orders held by the credit check (finance, manager)", "properties": {
                "orders": {"type": "integer"}, "totals": {"type": "array", "items": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "description": "[currency, total with tax in fen]"}},
                "oldest": {"type": "array", "items": {"type": "object", "properties": {"order_id": id(), "number": {"type": ["string", "null"]}, "account_id": id(), "account_name": {"type": "string"},
                    "order_date": {"type": "string"}, "currency": {"type": "string"}, "total_with_tax": {"type": "integer"}}}}}}]}}})
}

pub(super) fn error_response(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": r("Error")}}})
}

/// The schemas of every account activity kind.
pub(super) fn activity_schemas() -> Map<String, Value> {
    let mut schemas = Map::new();
    for k in kam_core::activity::KINDS {
        let name = super::super::activity::camel(k.entity);
        let mut out = json!({"id": id(), "account_id": id(), "account_name": {"type": "string"}, "created_by": nid(), "created_by_name": {"type": ["string", "null"]}, "created_at": ts(), "updated_at": ts()});
        for d in k.derived {
            out[d.name] = field_schema(k.entity, d);
        }
        if !k.derived.is_empty() {
            out["overdue"] = json!({"type": "object", "properties": {"reply": {"type": "boolean"}, "resolution": {"type": "boolean"}}});
        }
        schemas.insert(name.clone(), object(k.entity, k.fields, out, true));
        schemas.insert(
            format!("{name}Input"),
            object(
                k.entity,
                k.fields,
                json!({"account_id": {"type": "integer", "description": "required on POST /api/v1/{resource}"}}),
                true,
            ),
        );
        schemas.insert(format!("{name}Patch"), object(k.entity, k.fields, json!({}), false));
        schemas.insert(format!("{name}List"), list_of(&name));
    }
    schemas
}
