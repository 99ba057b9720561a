//! The OpenAPI 3.1 document of /api/v1, built from the same field registry
//! as the API itself (so a field added to a record appears here too), and
//! the vendored Swagger UI that shows it.

use kam_core::fields::{Access, FieldDef, Kind};
use serde_json::{Map, Value, json};
use utoipa_swagger_ui::SwaggerUi;

use crate::i18n::{Lang, t};

fn field_schema(entity: &str, d: &FieldDef) -> Value {
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
    let note = match d.access {
        Access::Finance => " — writable by finance and admin only",
        Access::Personal => " — personal: visible only to the account owner, managers and admin",
        Access::General => "",
    };
    let prior = s.get("description").and_then(Value::as_str).map(|p| format!("; {p}")).unwrap_or_default();
    s["description"] = json!(format!("{label}{note}{prior}"));
    if !d.required && !matches!(d.kind, Kind::Bool) {
        s["type"] = json!([s["type"].clone(), "null"]);
    }
    s
}

fn object(entity: &str, defs: &[FieldDef], extra: Value, with_required: bool) -> Value {
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

fn id() -> Value {
    json!({"type": "integer", "format": "int64"})
}
fn nid() -> Value {
    json!({"type": ["integer", "null"], "format": "int64"})
}
fn ts() -> Value {
    json!({"type": "string", "description": "RFC 3339 UTC"})
}
fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}
fn list_of(name: &str) -> Value {
    json!({"type": "object", "properties": {"items": {"type": "array", "items": r(name)}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}})
}

fn schemas() -> Value {
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
        "key": {"type": "string", "description": "stable key to answer it: follow_up-<id>, birthday-<contact id>-<year>, complaint-<id>-reply|resolve, planned_visit-<id>, objection-<id>, signoff-<work log id>-<round>"},
        "kind": {"type": "string", "enum": ["follow_up", "birthday", "complaint", "planned_visit", "objection", "signoff"]}, "due": {"type": "string", "format": "date"},
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
    json!({
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
        "Partner": object("partner", PARTNER_FIELDS, json!({"id": id(), "account_id": id()}), true),
        "PartnerInput": object("partner", PARTNER_FIELDS, json!({}), true),
        "PartnerList": {"type": "object", "properties": {"items": {"type": "array", "items": r("Partner")}}},
        "AuditRow": {"type": "object", "properties": {"id": id(), "at": ts(), "actor_id": nid(), "actor_name": {"type": ["string", "null"]}, "action": {"type": "string", "enum": ["create", "update", "delete", "claim", "release", "handover", "link", "unlink", "submit", "approve", "return"]}, "entity": {"type": "string"}, "entity_id": id(), "account_id": nid(), "changes": {"type": "object", "description": "field → [before, after]", "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2}}}},
        "History": {"type": "object", "properties": {"items": {"type": "array", "items": r("AuditRow")}}},
        "SearchHit": {"type": "object", "properties": {"entity": {"type": "string", "enum": ["account", "contact"]}, "id": id(), "name": {"type": "string"}, "detail": {"type": ["string", "null"]}}},
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
        "VisitPlan": visit_plan,
        "VisitPlans": {"type": "object", "properties": {"year": {"type": "integer"}, "items": {"type": "array", "items": r("VisitPlan")}}},
        "VisitPlanInput": {"type": "object", "required": ["planned"], "properties": {"planned": {"type": "array", "maxItems": 12, "items": {"type": ["string", "null"], "format": "date"}}}},
        "VisitPlanSummary": {"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "items": {"type": "array", "items": {"type": "object", "properties": {
            "owner_id": nid(), "owner_name": {"type": ["string", "null"]}, "planned": {"type": "integer"}, "on_time": {"type": "integer"}, "late": {"type": "integer"}, "missed": {"type": "integer"}, "pending": {"type": "integer"}}}}}},
        "MarketActivity": market,
        "MarketActivityInput": object("market_activity", kam_core::market::FIELDS, json!({}), true),
        "MarketActivityList": list_of("MarketActivity"),
        "ParticipantInput": {"type": "object", "required": ["account_id"], "properties": {"account_id": id(), "contact_id": nid(), "note": {"type": ["string", "null"]}}},
        "Snooze": {"type": "object", "required": ["until"], "properties": {"until": {"type": "string", "format": "date"}}},
        "Assessment": {"type": "object", "properties": {"as_of": {"type": "string", "format": "date"}, "score": {"type": "integer"}, "rating": {"type": "string", "enum": ["A", "B", "C", "D"]},
            "suggested_limit": {"type": "integer"}, "overdue_amount": {"type": "integer"}, "factors": {"type": "array", "items": {"type": "object", "properties": {
                "key": {"type": "string", "enum": ["on_time_ratio", "days_overdue", "dso", "asset_liability_ratio", "years_of_cooperation"]}, "value": {"type": ["number", "null"]}, "points": {"type": "integer"}, "max": {"type": "integer"}}}}}},
        "Credit": {"type": "object", "properties": {"account_id": id(), "period": {"type": "string"}, "currency": {"type": "string"}, "current": r("Assessment"), "last_year": r("Assessment"),
            "overridden": {"type": ["object", "null"]}, "rating": {"type": "string"}, "credit_limit": nid()}},
        "CreditOverride": {"type": "object", "required": ["rating", "credit_limit", "reason"], "properties": {"period": {"type": "string"}, "rating": {"type": "string", "enum": ["A", "B", "C", "D"]}, "credit_limit": {"type": "integer"}, "reason": {"type": "string"}}},
        "Performance": {"type": "object", "properties": {"account_id": id(), "account_name": {"type": "string"}, "year": {"type": "integer"}, "currency": {"type": "string"},
            "rows": {"type": "array", "items": {"type": "object", "properties": {"date": {"type": "string"}, "seq": nid(), "order_id": nid(), "contract_no": {"type": "string"}, "amendments": {"type": "string"},
                "quantity": {"type": "string"}, "value": {"type": "integer"}, "collected": {"type": "integer"}, "cumulative_sales": {"type": "integer"}, "cumulative_collected": {"type": "integer"}}}},
            "total_sales": {"type": "integer"}, "total_collected": {"type": "integer"}, "opening": {"type": "integer"}, "other": {"type": "integer"}, "closing": {"type": "integer"},
            "rating": {"type": "string"}, "rating_last_year": {"type": "string"}, "score": {"type": "integer"}, "score_last_year": {"type": "integer"}}},
        "Contract": object("contract", kam_core::contract::FIELDS, json!({"id": id(), "account_id": id(), "account_name": {"type": "string"},
            "status": {"type": "string", "enum": kam_core::contract::STATUS.values}, "stored_status": {"type": "string"}, "current_amount": nid(),
            "amendments": {"type": "array", "items": r("Amendment")}, "attachments": {"type": "array", "items": r("Attachment")}, "created_at": ts(), "updated_at": ts()}), true),
        "ContractInput": object("contract", kam_core::contract::FIELDS, json!({"account_id": {"type": "integer", "description": "the account (POST only)"}}), true),
        "ContractList": {"type": "object", "properties": {"items": {"type": "array", "items": r("Contract")}}},
        "ContractTransition": {"type": "object", "required": ["to"], "properties": {"to": {"type": "string", "enum": ["active", "terminated"]}}},
        "Amendment": object("contract_amendment", kam_core::contract::AMENDMENT_FIELDS, json!({"id": id(), "created_by_name": {"type": ["string", "null"]}, "created_at": ts()}), true),
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
                "resolution": {"type": ["string", "null"], "enum": ["adjusted", "withdrawn", null]}, "adjustment_entry_id": nid(), "resolution_note": {"type": ["string", "null"]}}}}}},
        "StatementList": list_of("Statement"),
        "GenerateStatements": {"type": "object", "required": ["period"], "properties": {"period": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}, "account_ids": {"type": "array", "items": id()}}},
        "Generated": {"type": "object", "properties": {"period": {"type": "string"}, "created": {"type": "array", "items": id()}, "existing": {"type": "integer"}}},
        "StatementAnswers": {"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "object", "required": ["line_id", "answer"], "properties": {
            "line_id": id(), "answer": {"type": "string", "enum": ["agreed", "disputed"]}, "customer_amount": {"type": "integer", "description": "the customer's figure, signed like the line"}, "note": {"type": "string"}}}}}},
        "ResolveLine": {"type": "object", "required": ["how"], "properties": {"how": {"type": "string", "enum": ["adjust", "withdraw"]}, "note": {"type": "string"}}},
        "Product": object("product", PRODUCT_FIELDS, json!({"id": id(), "created_at": ts(), "updated_at": ts()}), true),
        "ProductInput": object("product", PRODUCT_FIELDS, json!({}), true),
        "ProductList": {"type": "object", "properties": {"items": {"type": "array", "items": r("Product")}}},
        "Order": order_out,
        "OrderInput": order_in,
        "OrderList": list_of("Order"),
        "OrderTransition": {"type": "object", "required": ["to"], "properties": {"to": {"type": "string", "enum": kam_core::order::STATUS.values}, "on_date": {"type": "string", "format": "date"}, "note": {"type": "string"}}},
        "LedgerEntry": object("ledger_entry", ENTRY_FIELDS, json!({"id": id(), "account_id": id(), "amount": {"type": "integer", "description": "signed minor units: the entry's effect on what the customer owes"}, "order_id": nid(), "reverses_id": nid(), "reversed_by": nid(), "created_by_name": {"type": ["string", "null"]}, "created_at": ts()}), true),
        "LedgerEntryInput": entry_in,
        "Reverse": {"type": "object", "properties": {"entry_date": {"type": "string", "format": "date"}, "note": {"type": "string"}}},
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
    })
}

/// (method, path, operationId, tag, summary, request schema, success status, response schema)
type Op = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    u16,
    Option<&'static str>,
);

/// Every operation of /api/v1.
pub const OPERATIONS: &[Op] = &[
    ("get", "/api/v1/me", "getMe", "users", "The calling user", None, 200, Some("Me")),
    (
        "get",
        "/api/v1/search",
        "search",
        "search",
        "Accounts and contacts by any part of a name, code or phone (q=…)",
        None,
        200,
        Some("SearchResult"),
    ),
    (
        "get",
        "/api/v1/accounts",
        "listAccounts",
        "accounts",
        "Accounts in the caller's scope; filters grade, customer_type, industry, stage, owner_id, pool, parent_id; sort, dir, page, per_page",
        None,
        200,
        Some("AccountList"),
    ),
    (
        "post",
        "/api/v1/accounts",
        "createAccount",
        "accounts",
        "Create an account (客户资料卡)",
        Some("AccountInput"),
        201,
        Some("AccountCreated"),
    ),
    (
        "post",
        "/api/v1/accounts/handover",
        "handoverAccounts",
        "accounts",
        "Hand all accounts of one rep to another",
        Some("Handover"),
        200,
        Some("HandoverResult"),
    ),
    ("get", "/api/v1/accounts/{id}", "getAccount", "accounts", "One account", None, 200, Some("Account")),
    (
        "patch",
        "/api/v1/accounts/{id}",
        "patchAccount",
        "accounts",
        "Change the named fields of an account",
        Some("AccountPatch"),
        200,
        Some("Account"),
    ),
    (
        "delete",
        "/api/v1/accounts/{id}",
        "deleteAccount",
        "accounts",
        "Archive an account (history is kept)",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/accounts/{id}/history",
        "accountHistory",
        "accounts",
        "Audit trail of the account and what hangs off it",
        None,
        200,
        Some("History"),
    ),
    (
        "post",
        "/api/v1/accounts/{id}/claim",
        "claimAccount",
        "pool",
        "Claim an account from the public pool",
        None,
        200,
        Some("Account"),
    ),
    (
        "post",
        "/api/v1/accounts/{id}/release",
        "releaseAccount",
        "pool",
        "Release an account to the public pool",
        None,
        200,
        Some("Account"),
    ),
    (
        "post",
        "/api/v1/accounts/{id}/shares",
        "shareAccount",
        "accounts",
        "Share an account with a user (read access)",
        Some("Share"),
        204,
        None,
    ),
    (
        "get",
        "/api/v1/accounts/{id}/contacts",
        "accountContacts",
        "contacts",
        "Contacts of an account",
        None,
        200,
        Some("ContactList"),
    ),
    (
        "post",
        "/api/v1/accounts/{id}/contacts",
        "createAccountContact",
        "contacts",
        "Create a contact at this account",
        Some("ContactInput"),
        201,
        Some("Contact"),
    ),
    (
        "put",
        "/api/v1/accounts/{id}/contacts/{contact_id}",
        "linkContact",
        "contacts",
        "Tie an existing contact to this account, or change the tie",
        Some("ContactLink"),
        200,
        Some("Contact"),
    ),
    (
        "delete",
        "/api/v1/accounts/{id}/contacts/{contact_id}",
        "unlinkContact",
        "contacts",
        "Remove a contact's tie to this account",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/accounts/{id}/competitors",
        "accountCompetitors",
        "competitors",
        "Competitors at this account (share, prices, policy, technical requirements)",
        None,
        200,
        Some("PositionList"),
    ),
    (
        "post",
        "/api/v1/accounts/{id}/competitors",
        "setAccountCompetitor",
        "competitors",
        "Add or change a competitor's position at this account",
        Some("PositionInput"),
        201,
        Some("Position"),
    ),
    (
        "delete",
        "/api/v1/accounts/{id}/competitors/{position_id}",
        "removeAccountCompetitor",
        "competitors",
        "Remove a competitor's position",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/accounts/{id}/partners",
        "accountPartners",
        "accounts",
        "The account's suppliers and customers (货源/客户)",
        None,
        200,
        Some("PartnerList"),
    ),
    (
        "post",
        "/api/v1/accounts/{id}/partners",
        "addAccountPartner",
        "accounts",
        "Add a supplier or customer of the account",
        Some("PartnerInput"),
        201,
        Some("Partner"),
    ),
    (
        "delete",
        "/api/v1/accounts/{id}/partners/{partner_id}",
        "removeAccountPartner",
        "accounts",
        "Remove a supplier or customer",
        None,
        204,
        None,
    ),
    (
        "get",
        "/api/v1/contacts",
        "listContacts",
        "contacts",
        "Contacts in the caller's scope; filters account_id, buying_role; page, per_page",
        None,
        200,
        Some("ContactList"),
    ),
    (
        "post",
        "/api/v1/contacts",
        "createContact",
        "contacts",
        "Create a contact (account_id required)",
        Some("ContactInput"),
        201,
        Some("Contact"),
    ),
    (
        "get",
        "/api/v1/contacts/{id}",
        "getContact",
        "contacts",
        "One contact; personal fields only for the owner, managers and admin",
        None,
        200,
        Some("Contact"),
    ),
    (
        "patch",
        "/api/v1/contacts/{id}",
        "patchContact",
        "contacts",
        "Change the named fields of a contact",
        Some("ContactPatch"),
        200,
        Some("Contact"),
    ),
    ("delete", "/api/v1/contacts/{id}", "deleteContact", "contacts", "Archive a contact", None, 204, None),
    (
        "get",
        "/api/v1/contacts/{id}/history",
        "contactHistory",
        "contacts",
        "Audit trail of a contact",
        None,
        200,
        Some("History"),
    ),
    (
        "get",
        "/api/v1/competitors",
        "listCompetitors",
        "competitors",
        "Shared competitor records",
        None,
        200,
        Some("CompetitorList"),
    ),
    (
        "post",
        "/api/v1/competitors",
        "createCompetitor",
        "competitors",
        "Create a competitor",
        Some("CompetitorInput"),
        201,
        Some("Competitor"),
    ),
    (
        "get",
        "/api/v1/competitors/{id}",
        "getCompetitor",
        "competitors",
        "One competitor",
        None,
        200,
        Some("Competitor"),
    ),
    (
        "patch",
        "/api/v1/competitors/{id}",
        "patchCompetitor",
        "competitors",
        "Change a competitor",
        Some("CompetitorInput"),
        200,
        Some("Competitor"),
    ),
    (
        "get",
        "/api/v1/worklogs",
        "listWorklogs",
        "worklogs",
        "Daily work logs (附表九) the caller may read: their own, their team's (managers), those they sign; filters status, author_id, from, to, awaiting_me",
        None,
        200,
        Some("WorklogList"),
    ),
    (
        "post",
        "/api/v1/worklogs",
        "createWorklog",
        "worklogs",
        "Write the caller's log of a day (sales reps and managers)",
        Some("WorklogInput"),
        201,
        Some("Worklog"),
    ),
    (
        "get",
        "/api/v1/worklogs/{id}",
        "getWorklog",
        "worklogs",
        "One work log with its entries and every sign-off round",
        None,
        200,
        Some("Worklog"),
    ),
    (
        "put",
        "/api/v1/worklogs/{id}",
        "replaceWorklog",
        "worklogs",
        "Replace what the author wrote while a draft or returned; entries keep their id, entries left out are removed",
        Some("WorklogInput"),
        200,
        Some("Worklog"),
    ),
    (
        "delete",
        "/api/v1/worklogs/{id}",
        "deleteWorklog",
        "worklogs",
        "Delete a draft that was never submitted",
        None,
        204,
        None,
    ),
    (
        "post",
        "/api/v1/worklogs/{id}/submit",
        "submitWorklog",
        "worklogs",
        "Send the log into the team's sign-off chain (出纳 → 会计 → 部门主管 → 主管副总); the author can no longer change it",
        None,
        200,
        Some("Worklog"),
    ),
    (
        "post",
        "/api/v1/worklogs/{id}/sign",
        "signWorklog",
        "worklogs",
        "The next signer approves or returns the log (a return needs a comment; the supervisor's evaluation is required at the department head's step, or the vice president's when there is none)",
        Some("Signature"),
        200,
        Some("Worklog"),
    ),
    (
        "post",
        "/api/v1/worklogs/{id}/visits/{entry_id}/visit",
        "visitFromWorklogEntry",
        "worklogs",
        "Make a visit record (附表三) from a visit entry of the caller's log",
        None,
        201,
        Some("VisitLink"),
    ),
    (
        "get",
        "/api/v1/teams/{id}/signoff-chain",
        "getSignoffChain",
        "worklogs",
        "Who signs each step of a team's work logs",
        None,
        200,
        Some("SignoffChain"),
    ),
    (
        "put",
        "/api/v1/teams/{id}/signoff-chain",
        "setSignoffChain",
        "worklogs",
        "Set who signs each step (admin); steps left out are not used",
        Some("SignoffChainInput"),
        200,
        Some("SignoffChain"),
    ),
    (
        "get",
        "/api/v1/products",
        "listProducts",
        "products",
        "The product list (active ones; all=1 for every product)",
        None,
        200,
        Some("ProductList"),
    ),
    (
        "post",
        "/api/v1/products",
        "createProduct",
        "products",
        "Add a product (admin, managers, finance)",
        Some("ProductInput"),
        201,
        Some("Product"),
    ),
    ("get", "/api/v1/products/{id}", "getProduct", "products", "One product", None, 200, Some("Product")),
    (
        "patch",
        "/api/v1/products/{id}",
        "patchProduct",
        "products",
        "Change a product",
        Some("ProductInput"),
        200,
        Some("Product"),
    ),
    (
        "get",
        "/api/v1/orders",
        "listOrders",
        "orders",
        "Orders of the accounts the caller may see, newest first (filters status, account_id)",
        None,
        200,
        Some("OrderList"),
    ),
    (
        "post",
        "/api/v1/orders",
        "createOrder",
        "orders",
        "Place an order; over the credit limit (balance + open orders + this order) it is held as credit_hold until finance or a manager releases it",
        Some("OrderInput"),
        201,
        Some("Order"),
    ),
    (
        "get",
        "/api/v1/orders/{id}",
        "getOrder",
        "orders",
        "One order with its lines and steps",
        None,
        200,
        Some("Order"),
    ),
    (
        "post",
        "/api/v1/orders/{id}/transition",
        "transitionOrder",
        "orders",
        "Move an order one step (credit_hold → placed is the credit release); delivery posts the invoice to the ledger, a return of a delivered order the credit note",
        Some("OrderTransition"),
        200,
        Some("Order"),
    ),
    (
        "get",
        "/api/v1/accounts/{id}/orders",
        "listAccountOrders",
        "orders",
        "The account's orders",
        None,
        200,
        Some("OrderList"),
    ),
    (
        "post",
        "/api/v1/ledger-entries",
        "postLedgerEntry",
        "ledger",
        "Post an entry (finance, admin): amount is the positive figure, the kind gives the sign",
        Some("LedgerEntryInput"),
        201,
        Some("LedgerEntry"),
    ),
    ("get", "/api/v1/ledger-entries/{id}", "getLedgerEntry", "ledger", "One entry", None, 200, Some("LedgerEntry")),
    (
        "post",
        "/api/v1/ledger-entries/{id}/reverse",
        "reverseLedgerEntry",
        "ledger",
        "Undo an entry by posting its reverse; the original stays (entries are never changed or deleted)",
        Some("Reverse"),
        201,
        Some("LedgerEntry"),
    ),
    (
        "get",
        "/api/v1/accounts/{id}/ledger",
        "getAccountLedger",
        "ledger",
        "The account's ledger per currency with the running balance",
        None,
        200,
        Some("AccountLedger"),
    ),
    (
        "get",
        "/api/v1/receivables",
        "getReceivables",
        "ledger",
        "Receivables per account: balance, aging 0–30/31–60/61–90/90+ by due date, overdue, DSO; collections per rep (as_of, from, to)",
        None,
        200,
        Some("Receivables"),
    ),
    (
        "get",
        "/api/v1/statements",
        "listStatements",
        "statements",
        "Reconciliation statements 对账单 within scope (filters period YYYY-MM, status, account_id)",
        None,
        200,
        Some("StatementList"),
    ),
    (
        "post",
        "/api/v1/statements/generate",
        "generateStatements",
        "statements",
        "Generate the month's statements of every account with entries (or account_ids) in one action (finance, admin)",
        Some("GenerateStatements"),
        201,
        Some("Generated"),
    ),
    (
        "get",
        "/api/v1/statements/{id}",
        "getStatement",
        "statements",
        "One statement: opening, every entry it covers, closing, the customer's answers",
        None,
        200,
        Some("Statement"),
    ),
    (
        "post",
        "/api/v1/statements/{id}/send",
        "sendStatement",
        "statements",
        "Mark a draft as sent to the customer",
        None,
        200,
        Some("Statement"),
    ),
    (
        "post",
        "/api/v1/statements/{id}/answers",
        "answerStatement",
        "statements",
        "Record the customer's answer per line (lines not named are agreed): confirmed, or disputed",
        Some("StatementAnswers"),
        200,
        Some("Statement"),
    ),
    (
        "post",
        "/api/v1/statements/{id}/lines/{line_id}/resolve",
        "resolveStatementLine",
        "statements",
        "Settle a disputed line: adjust (posts the adjustment to the customer's figure) or withdraw",
        Some("ResolveLine"),
        200,
        Some("Statement"),
    ),
    (
        "get",
        "/api/v1/statements/{id}/xlsx",
        "exportStatement",
        "statements",
        "The statement as an .xlsx workbook (audited as an export)",
        None,
        200,
        None,
    ),
    (
        "get",
        "/api/v1/contracts",
        "listContracts",
        "contracts",
        "Contracts 合同与协议 within scope (account_id filter)",
        None,
        200,
        Some("ContractList"),
    ),
    (
        "post",
        "/api/v1/contracts",
        "createContract",
        "contracts",
        "Add a contract (a draft) to an account",
        Some("ContractInput"),
        201,
        Some("Contract"),
    ),
    (
        "get",
        "/api/v1/contracts/{id}",
        "getContract",
        "contracts",
        "One contract with its amendments and attachments",
        None,
        200,
        Some("Contract"),
    ),
    (
        "patch",
        "/api/v1/contracts/{id}",
        "patchContract",
        "contracts",
        "Change a draft's terms (an active contract changes by amendment only)",
        Some("ContractInput"),
        200,
        Some("Contract"),
    ),
    (
        "post",
        "/api/v1/contracts/{id}/transition",
        "transitionContract",
        "contracts",
        "Put a draft into force, or terminate",
        Some("ContractTransition"),
        200,
        Some("Contract"),
    ),
    (
        "get",
        "/api/v1/contracts/{id}/amendments",
        "listAmendments",
        "contracts",
        "The amendments 合同存异与变更情况, oldest first",
        None,
        200,
        Some("AmendmentList"),
    ),
    (
        "post",
        "/api/v1/contracts/{id}/amendments",
        "amendContract",
        "contracts",
        "Record an amendment (dated, with the amount's change); the contract is never overwritten",
        Some("AmendmentInput"),
        201,
        Some("Contract"),
    ),
    (
        "post",
        "/api/v1/contracts/{id}/attachments",
        "uploadContractAttachment",
        "contracts",
        "Upload a file (multipart/form-data, part 'file'): PDF, PNG, JPEG, .docx or .xlsx by its bytes, at most 10 MB",
        None,
        201,
        Some("Attachment"),
    ),
    (
        "get",
        "/api/v1/contracts/{id}/attachments/{attachment_id}",
        "downloadContractAttachment",
        "contracts",
        "Download an attachment (within scope; audited)",
        None,
        200,
        None,
    ),
    (
        "get",
        "/api/v1/accounts/{id}/contracts",
        "listAccountContracts",
        "contracts",
        "The account's contracts",
        None,
        200,
        Some("ContractList"),
    ),
    (
        "get",
        "/api/v1/accounts/{id}/credit",
        "getCredit",
        "credit",
        "The credit assessment 信用评估 for a month (period=YYYY-MM, this month by default): score, rating, each factor with its points, suggested limit, and the same month last year",
        None,
        200,
        Some("Credit"),
    ),
    (
        "post",
        "/api/v1/accounts/{id}/credit",
        "overrideCredit",
        "credit",
        "Finance overrides the rating and sets the credit limit, with a reason",
        Some("CreditOverride"),
        200,
        Some("Credit"),
    ),
    (
        "get",
        "/api/v1/accounts/{id}/performance",
        "getPerformance",
        "credit",
        "附表五 客户业绩统计及信用评估表 for a year: deliveries, collections, running totals, this year's rating against last year's",
        None,
        200,
        Some("Performance"),
    ),
    (
        "get",
        "/api/v1/accounts/{id}/performance/xlsx",
        "exportPerformance",
        "credit",
        "附表五 as .xlsx (audited as an export)",
        None,
        200,
        None,
    ),
];

fn error_response(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": r("Error")}}})
}

/// An operation with owned texts: (method, path, operationId, tag, summary, request schema, status, response schema).
type OwnedOp = (String, String, String, String, String, Option<String>, u16, Option<String>);

/// `service_record` → `ServiceRecord`.
fn camel(entity: &str) -> String {
    entity.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

/// Operations and schemas of every account activity kind.
fn activity_ops() -> (Vec<OwnedOp>, Map<String, Value>) {
    let mut ops = Vec::new();
    let mut schemas = Map::new();
    for k in kam_core::activity::KINDS {
        let name = camel(k.entity);
        let title = format!(
            "{} / {}",
            t(Lang::Zh, &format!("activity.{}.title", k.entity)),
            t(Lang::En, &format!("activity.{}.title", k.entity))
        );
        let out = json!({"id": id(), "account_id": id(), "account_name": {"type": "string"}, "created_by": nid(), "created_by_name": {"type": ["string", "null"]}, "created_at": ts(), "updated_at": ts()});
        let mut out = out;
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
        let r = k.resource;
        let tag = r.to_string();
        let mut op = |m: &str,
                      path: String,
                      id: String,
                      summary: String,
                      req: Option<String>,
                      status: u16,
                      res: Option<String>| {
            ops.push((m.to_string(), path, id, tag.clone(), summary, req, status, res));
        };
        op(
            "get",
            format!("/api/v1/{r}"),
            format!("list{name}s"),
            format!("{title}: the caller's scope, newest first; account_id, page, per_page"),
            None,
            200,
            Some(format!("{name}List")),
        );
        op(
            "post",
            format!("/api/v1/{r}"),
            format!("create{name}"),
            format!("{title}: record one"),
            Some(format!("{name}Input")),
            201,
            Some(name.clone()),
        );
        op(
            "get",
            format!("/api/v1/{r}/{{id}}"),
            format!("get{name}"),
            format!("{title}: one"),
            None,
            200,
            Some(name.clone()),
        );
        op(
            "patch",
            format!("/api/v1/{r}/{{id}}"),
            format!("patch{name}"),
            format!("{title}: change the named fields"),
            Some(format!("{name}Patch")),
            200,
            Some(name.clone()),
        );
        op(
            "delete",
            format!("/api/v1/{r}/{{id}}"),
            format!("delete{name}"),
            format!("{title}: archive one"),
            None,
            204,
            None,
        );
        op(
            "get",
            format!("/api/v1/accounts/{{id}}/{r}"),
            format!("account{name}s"),
            format!("{title} of one account"),
            None,
            200,
            Some(format!("{name}List")),
        );
        op(
            "post",
            format!("/api/v1/accounts/{{id}}/{r}"),
            format!("createAccount{name}"),
            format!("{title}: record one on this account"),
            Some(format!("{name}Patch")),
            201,
            Some(name.clone()),
        );
    }
    (ops, schemas)
}

/// The OpenAPI document as JSON.
pub fn document() -> Value {
    let mut paths = Map::new();
    let (extra_ops, extra_schemas) = activity_ops();
    let mut all: Vec<OwnedOp> = OPERATIONS
        .iter()
        .map(|(m, p, i, tg, su, rq, st, rs)| {
            (
                m.to_string(),
                p.to_string(),
                i.to_string(),
                tg.to_string(),
                su.to_string(),
                rq.map(String::from),
                *st,
                rs.map(String::from),
            )
        })
        .collect();
    all.extend(extra_ops);
    for (method, path, op_id, tag, summary, req, status, res) in &all {
        let (method, path, req, res) = (method.as_str(), path.as_str(), req.as_deref(), res.as_deref());
        let mut params = Vec::new();
        for seg in path.split('/').filter(|s| s.starts_with('{')) {
            let name = seg.trim_matches(|c| c == '{' || c == '}');
            let schema = match name {
                "key" => json!({"type": "string"}),
                "line_id" | "entry_id" | "attachment_id" => id(),
                "year" => json!({"type": "integer"}),
                _ => id(),
            };
            params.push(json!({"name": name, "in": "path", "required": true, "schema": schema}));
        }
        if path == "/api/v1/search" {
            params.push(json!({"name": "q", "in": "query", "required": true, "schema": {"type": "string"}}));
        }
        let activity_list = kam_core::activity::by_resource(path.rsplit('/').next().unwrap_or("")).is_some();
        if method == "get"
            && (path.ends_with("/accounts") || path.ends_with("/contacts") || activity_list)
            && !path.contains('{')
        {
            for p in ["page", "per_page"] {
                params.push(json!({"name": p, "in": "query", "required": false, "schema": {"type": "integer"}}));
            }
            let filters: &[&str] = if activity_list {
                &["account_id"]
            } else if path.ends_with("/accounts") {
                &["grade", "customer_type", "industry", "stage", "owner_id", "pool", "parent_id", "sort", "dir"]
            } else {
                &["account_id", "buying_role"]
            };
            for p in filters {
                params.push(json!({"name": p, "in": "query", "required": false, "schema": {"type": "string"}}));
            }
        }
        let mut responses = Map::new();
        let ok = match res {
            Some(s) => json!({"description": "OK", "content": {"application/json": {"schema": r(s)}}}),
            None => json!({"description": "Done, no content"}),
        };
        responses.insert(status.to_string(), ok);
        responses.insert("401".into(), error_response("Missing or invalid API token"));
        if path.contains('{') {
            responses.insert("404".into(), error_response("Not found, or outside the caller's scope"));
        }
        if method != "get" {
            responses.insert(
                "403".into(),
                error_response("Not allowed for the caller's role (fields lists refused fields)"),
            );
            responses.insert(
                "409".into(),
                error_response("Conflicts with the current state (pool claimed, limit reached…)"),
            );
            responses.insert("422".into(), error_response("Validation failed; fields holds one message per field"));
        }
        let mut op = json!({"operationId": op_id, "tags": [tag], "summary": summary, "parameters": params, "responses": responses});
        if let Some(req) = req {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": r(req)}}});
        }
        let item = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        item[method] = op;
    }
    let mut schemas = schemas();
    if let Value::Object(m) = &mut schemas {
        m.extend(extra_schemas);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "KAM API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "KAM 大客户管理系统 JSON API. Authenticate with `Authorization: Bearer <token>` (create one with `kam token create USERNAME`). Every answer is limited to the caller's scope; records outside it answer 404. Money is in minor units (分) beside a `currency`.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "tags": [{"name": "accounts"}, {"name": "pool"}, {"name": "contacts"}, {"name": "interactions"}, {"name": "service-records"}, {"name": "complaints"}, {"name": "needs"}, {"name": "surveys"}, {"name": "reminders"}, {"name": "visit-plans"}, {"name": "market-activities"}, {"name": "worklogs"}, {"name": "products"}, {"name": "orders"}, {"name": "ledger"}, {"name": "statements"}, {"name": "contracts"}, {"name": "credit"}, {"name": "competitors"}, {"name": "search"}, {"name": "users"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "personal API token"}},
            "schemas": schemas,
        },
    })
}

/// /api/openapi.json and the Swagger UI at /api/docs, both from the binary.
pub fn docs_router() -> axum::Router {
    let doc: utoipa::openapi::OpenApi =
        serde_json::from_value(document()).expect("the OpenAPI document is well formed");
    axum::Router::from(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_parses_as_openapi() {
        let doc: utoipa::openapi::OpenApi = serde_json::from_value(document()).unwrap();
        assert!(doc.paths.paths.contains_key("/api/v1/accounts/{id}"));
    }

    #[test]
    fn every_schema_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(schemas.contains_key(&name), "missing schema {name}");
        }
    }

    #[test]
    fn account_schema_lists_every_field_with_its_rule() {
        let doc = document();
        let props = doc["components"]["schemas"]["Account"]["properties"].as_object().unwrap();
        for d in kam_core::account::FIELDS {
            assert!(props.contains_key(d.name), "{}", d.name);
        }
        assert!(props["credit_limit"]["description"].as_str().unwrap().contains("finance"));
    }
}
