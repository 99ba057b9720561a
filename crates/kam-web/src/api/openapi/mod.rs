//! The OpenAPI 3.1 document of /api/v1, built from the same field registry
//! as the API itself (so a field added to a record appears here too), and
//! the vendored Swagger UI that shows it.

use serde_json::{Map, Value, json};
use utoipa_swagger_ui::SwaggerUi;

mod schemas;

use super::routes::{Body, Operation, Success, Verb};
use schemas::*;

/// One operation of the route table as an OpenAPI operation object.
fn operation(op: &Operation) -> Value {
    let d = &op.doc;
    let mut params = Vec::new();
    for name in op.path_params() {
        let schema = match name {
            "key" => json!({"type": "string", "description": "the reminder's key"}),
            "year" => json!({"type": "integer"}),
            _ => id(),
        };
        params.push(json!({"name": name, "in": "path", "required": true, "schema": schema}));
    }
    for p in &d.query {
        params.push(json!({"name": p.name, "in": "query", "required": p.required, "description": p.description, "schema": p.schema}));
    }
    if op.verb == Verb::Post {
        params.push(json!({"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 200},
            "description": "retry safely: the same key and request replay the first answer (Idempotency-Replayed: true); the same key with another request is a 422"}));
    }
    let mut responses = Map::new();
    match &d.success {
        Some(Success::Json(status, schema)) => {
            responses.insert(
                status.to_string(),
                json!({"description": "OK", "content": {"application/json": {"schema": r(schema)}}}),
            );
        }
        Some(Success::NoContent) => {
            responses.insert("204".into(), json!({"description": "Done, no content"}));
        }
        Some(Success::File(ct)) => {
            responses.insert(
                "200".into(),
                json!({"description": "The file, as an attachment", "content": {*ct: {"schema": {"type": "string", "format": "binary"}}}}),
            );
        }
        None => {}
    }
    if let Some(schema) = &d.accepted {
        responses.insert(
            "202".into(),
            json!({"description": "Accepted: goes on in the background", "content": {"application/json": {"schema": r(schema)}}}),
        );
    }
    responses.insert("401".into(), error_response("Missing or invalid API token"));
    if op.path.contains('{') {
        responses.insert("404".into(), error_response("Not found, or outside the caller's scope"));
    }
    if !d.query.is_empty() || op.verb.has_body() {
        responses.insert("422".into(), error_response("Validation failed; fields holds one message per field"));
    }
    if matches!(d.body, Some(Body::Json { .. } | Body::File(_))) {
        responses.insert("413".into(), error_response("The body is larger than the route accepts"));
        responses.insert("415".into(), error_response("The body is not JSON (Content-Type: application/json)"));
    }
    if op.verb != Verb::Get {
        responses
            .insert("403".into(), error_response("Not allowed for the caller's role (fields lists refused fields)"));
        responses
            .insert("409".into(), error_response("Conflicts with the current state (pool claimed, limit reached…)"));
    }
    let mut o = json!({"operationId": d.id, "tags": [d.tag], "summary": d.summary, "parameters": params, "responses": responses});
    match &d.body {
        Some(Body::Json { schema, required }) => {
            o["requestBody"] = json!({"required": required, "content": {"application/json": {"schema": r(schema)}}});
        }
        Some(Body::File(part)) => {
            let mut props = Map::new();
            let mut required = vec![json!(part)];
            props.insert(part.to_string(), json!({"type": "string", "format": "binary"}));
            for (name, description, req) in d.parts {
                props.insert(name.to_string(), json!({"type": "string", "description": description}));
                if *req {
                    required.push(json!(name));
                }
            }
            o["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "required": required, "properties": props}}}});
        }
        Some(Body::Empty) | None => {}
    }
    o
}

/// The OpenAPI document as JSON, from the route table (`api::routes`).
pub fn document() -> Value {
    let routes = super::routes();
    let mut paths = Map::new();
    let mut tags: Vec<&str> = Vec::new();
    for op in routes.operations() {
        let item = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
        item[op.verb.as_str()] = operation(op);
        if !tags.contains(&op.doc.tag.as_str()) {
            tags.push(&op.doc.tag);
        }
    }
    let extra_schemas = activity_schemas();
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
        "tags": tags.iter().map(|t| json!({"name": t})).collect::<Vec<_>>(),
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

    /// The drift test: the router and the document come from one table, and
    /// every route in it is documented in full. Adding a route with an empty
    /// summary, no response, no request body (POST/PUT/PATCH) or an
    /// operationId used twice fails here.
    #[test]
    fn every_route_is_documented() {
        let routes = crate::api::routes();
        let ops = routes.operations();
        assert!(ops.len() > 130, "{} operations", ops.len());
        let mut ids = std::collections::HashSet::new();
        let mut routes_seen = std::collections::HashSet::new();
        for op in ops {
            let what = format!("{} {}", op.verb.as_str(), op.path);
            let d = &op.doc;
            assert!(op.path.starts_with("/api/v1/"), "{what}");
            assert!(routes_seen.insert(what.clone()), "{what} declared twice");
            assert!(ids.insert(d.id.clone()), "{what}: operationId {} used twice", d.id);
            assert!(
                !d.id.is_empty() && d.id.chars().all(|c| c.is_ascii_alphanumeric()),
                "{what}: operationId {:?}",
                d.id
            );
            assert!(!d.tag.is_empty(), "{what}: no tag");
            assert!(d.summary.chars().count() >= 10, "{what}: no summary worth the name");
            assert!(d.success.is_some(), "{what}: no success response documented");
            assert_eq!(
                d.body.is_some(),
                op.verb.has_body(),
                "{what}: a request body (or no_body()) is stated exactly for POST/PUT/PATCH"
            );
            for p in &d.query {
                assert!(!p.description.is_empty(), "{what}: query parameter {} undescribed", p.name);
            }
        }
        // The document lists exactly the table's operations, no more, no fewer.
        let doc = document();
        let mut documented = std::collections::HashSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, o) in item.as_object().unwrap() {
                documented.insert(format!("{method} {path}"));
                let params: Vec<&str> = o["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap())
                    .collect();
                let in_path: Vec<&str> = path
                    .split('/')
                    .filter(|s| s.starts_with('{'))
                    .map(|s| s.trim_matches(|c| c == '{' || c == '}'))
                    .collect();
                assert_eq!(params, in_path, "{method} {path}: path parameters");
            }
        }
        assert_eq!(documented, routes_seen);
    }

    /// The route table is the only way to add an /api/v1 route: no module
    /// registers one on a router of its own.
    #[test]
    fn no_api_route_bypasses_the_table() {
        let sources: &[(&str, &str)] = &[
            ("lib.rs", include_str!("../../lib.rs")),
            ("api/mod.rs", include_str!("../mod.rs")),
            ("api/accounts.rs", include_str!("../accounts.rs")),
            ("api/activity.rs", include_str!("../activity.rs")),
            ("api/competitors.rs", include_str!("../competitors.rs")),
            ("api/contacts.rs", include_str!("../contacts.rs")),
            ("api/contracts.rs", include_str!("../contracts.rs")),
            ("api/idempotency.rs", include_str!("../idempotency.rs")),
            ("api/imports.rs", include_str!("../imports.rs")),
            ("api/market.rs", include_str!("../market.rs")),
            ("api/market_analyses.rs", include_str!("../market_analyses.rs")),
            ("api/me.rs", include_str!("../me.rs")),
            ("api/merges.rs", include_str!("../merges.rs")),
            ("api/dossier.rs", include_str!("../dossier.rs")),
            ("api/money.rs", include_str!("../money.rs")),
            ("api/reminders.rs", include_str!("../reminders.rs")),
            ("api/settings.rs", include_str!("../settings.rs")),
            ("api/visit_plans.rs", include_str!("../visit_plans.rs")),
            ("api/capability.rs", include_str!("../capability.rs")),
            ("api/classification.rs", include_str!("../classification.rs")),
            ("api/completeness.rs", include_str!("../completeness.rs")),
            ("api/health.rs", include_str!("../health.rs")),
            ("api/reports.rs", include_str!("../reports.rs")),
            ("api/targets.rs", include_str!("../targets.rs")),
            ("api/forecasts.rs", include_str!("../forecasts.rs")),
            ("api/churns.rs", include_str!("../churns.rs")),
            ("api/dashboards.rs", include_str!("../dashboards.rs")),
            ("api/worklogs.rs", include_str!("../worklogs.rs")),
            ("pages/mod.rs", include_str!("../../pages/mod.rs")),
        ];
        for (name, src) in sources {
            assert!(!src.contains(".route(\"/api/v1"), "{name} registers an /api/v1 route outside the table");
            if name.starts_with("api/") && *name != "api/mod.rs" {
                assert!(!src.contains(".route("), "{name} registers a route outside the table");
            }
            // The API stands on the store and the shared web modules, never on the pages.
            if name.starts_with("api/") {
                assert!(!src.contains("pages::"), "{name} imports from the pages");
            }
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".rs") && f != "routes.rs")
            .collect();
        files.sort();
        let listed: Vec<String> =
            sources.iter().filter_map(|(n, _)| n.strip_prefix("api/")).map(str::to_string).collect();
        let mut listed_sorted = listed.clone();
        listed_sorted.sort();
        assert_eq!(files, listed_sorted, "a new API module joins this check");
    }

    /// Every change to the API shows in review as a change of this snapshot
    /// (`cargo insta review`, or accept with INSTA_UPDATE=always).
    #[test]
    fn the_document_snapshot() {
        insta::assert_json_snapshot!("openapi", document());
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
