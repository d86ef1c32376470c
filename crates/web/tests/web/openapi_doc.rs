//! The OpenAPI document at `/api/openapi.json`, read as a client would:
//! every operation is named, tagged and exemplified, declares its errors as
//! RFC 9457 problem documents, and every call that moves credits takes an
//! `Idempotency-Key`.

use axum::http::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Every operation in the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method.to_owned(), path.clone(), op.clone()));
            }
        }
    }
    assert!(out.len() > 60, "only {} operations documented", out.len());
    out
}

async fn document() -> Value {
    let t = TestApp::new().await;
    let response = t.get("/api/openapi.json", &[]).await;
    assert_eq!(response.status, StatusCode::OK);
    response.json()
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected reference {reference}"));
            let target = &doc["components"]["schemas"][name];
            assert!(target.is_object(), "{reference} is not defined");
            target
        }
        None => schema,
    }
}

/// Whether a schema carries an example; a list may carry it on its item,
/// and an object made of other schemas on each of them.
fn schema_has_example(doc: &Value, schema: &Value) -> bool {
    let schema = resolve(doc, schema);
    if !schema["example"].is_null() || schema["examples"].as_array().is_some_and(|e| !e.is_empty())
    {
        return true;
    }
    if schema["type"] == "array" {
        return schema_has_example(doc, &schema["items"]);
    }
    // An object made of parts: each part that is a schema of its own (or a
    // list of them) carries an example, and there is at least one.
    let parts: Vec<&Value> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, p)| if p["type"] == "array" { &p["items"] } else { p })
        .filter(|p| p["$ref"].is_string())
        .collect();
    !parts.is_empty() && parts.iter().all(|p| schema_has_example(doc, p))
}

/// Whether a media type object carries an example, on itself or its schema.
fn has_example(doc: &Value, media: &Value) -> bool {
    !media["example"].is_null()
        || media["examples"].as_object().is_some_and(|e| !e.is_empty())
        || schema_has_example(doc, &media["schema"])
}

#[tokio::test]
async fn every_operation_is_named_tagged_and_has_examples() {
    let doc = document().await;
    let mut missing = Vec::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default();
        if id.is_empty() {
            missing.push(format!("{method} {path}: no operationId"));
        }
        if op["tags"].as_array().is_none_or(|t| t.is_empty()) {
            missing.push(format!("{method} {path}: no tags"));
        }
        if let Some(body) = op.get("requestBody") {
            let content = body["content"].as_object().expect("request content");
            for (media_type, media) in content {
                if !has_example(&doc, media) {
                    missing.push(format!(
                        "{method} {path}: no example of its {media_type} request body"
                    ));
                }
            }
        }
        // The main answer: the first success that has a body.
        let responses = op["responses"].as_object().expect("responses");
        let success = responses
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .find_map(|(_, r)| r["content"].as_object());
        if let Some(content) = success {
            for (media_type, media) in content {
                if !has_example(&doc, media) {
                    missing.push(format!(
                        "{method} {path}: no example of its {media_type} answer"
                    ));
                }
            }
        }
        for parameter in op["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] == "path" && parameter["example"].is_null() {
                missing.push(format!(
                    "{method} {path}: no example of path parameter {}",
                    parameter["name"]
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[tokio::test]
async fn every_operation_declares_its_errors_as_problem_documents() {
    let doc = document().await;
    let mut wrong = Vec::new();
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().expect("responses");
        let problems: Vec<&String> = responses
            .iter()
            .filter(|(status, r)| {
                status.starts_with('4')
                    && resolve(&doc, &r["content"]["application/problem+json"]["schema"])
                        ["properties"]["code"]
                        .is_object()
            })
            .map(|(status, _)| status)
            .collect();
        if problems.is_empty() {
            wrong.push(format!("{method} {path}: no 4xx problem+json response"));
        }
        // A problem document is sent as application/problem+json; an error
        // answered with a body of its own (an import's report) may be JSON.
        for (status, response) in responses {
            let is_error = status.starts_with('4') || status.starts_with('5');
            let Some(content) = response["content"].as_object() else {
                continue;
            };
            for (media_type, media) in content {
                let problem = media["schema"]["$ref"]
                    .as_str()
                    .is_some_and(|r| r.ends_with("/ProblemDoc"));
                if (problem || (is_error && media_type != "application/json"))
                    && media_type != "application/problem+json"
                {
                    wrong.push(format!(
                        "{method} {path}: {status} is declared as {media_type}"
                    ));
                }
            }
        }
        let declared = |s: &str| responses.contains_key(s);
        if op["security"].as_array().is_some_and(|s| !s.is_empty()) && !declared("401") {
            wrong.push(format!("{method} {path}: signed in, yet no 401"));
        }
        if op.get("requestBody").is_some() {
            for status in ["400", "413", "415", "422"] {
                if !declared(status) {
                    wrong.push(format!("{method} {path}: takes a body, yet no {status}"));
                }
            }
        }
        let takes_id = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["in"] == "path");
        if takes_id && !(declared("400") && declared("404")) {
            wrong.push(format!("{method} {path}: takes an id, yet no 400 and 404"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every operation that posts to the ledger, by operation id.
const CREDIT_MOVING: [&str; 11] = [
    "give_gift",
    "reverse_transfer",
    "redeem_offer",
    "refund_redemption",
    "give_to_pot",
    "give_from_pot",
    "confirm_session_register",
    "confirm_claim",
    "record_contribution",
    "correct_contribution",
    "accept_timebank_proposal",
];

#[tokio::test]
async fn every_credit_moving_post_takes_an_idempotency_key() {
    let doc = document().await;
    let operations = operations(&doc);
    for wanted in CREDIT_MOVING {
        let (method, path, op) = operations
            .iter()
            .find(|(_, _, op)| op["operationId"] == wanted)
            .unwrap_or_else(|| panic!("{wanted} is not documented"));
        assert_eq!(method, "post", "{wanted}");
        let key = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| {
                p["in"] == "header"
                    && p["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case("idempotency-key"))
            })
            .unwrap_or_else(|| panic!("{wanted} ({path}) takes no Idempotency-Key header"));
        assert_eq!(key["required"], true, "{wanted}");
        assert_eq!(key["schema"]["type"], "string", "{wanted}");
        assert_eq!(key["schema"]["format"], "uuid", "{wanted}");
        assert!(key["example"].is_string(), "{wanted}");
        assert!(
            op["responses"]["201"].is_object() && op["responses"]["200"].is_object(),
            "{wanted}: a new post answers 201, a retry 200"
        );
        assert!(op["responses"]["409"].is_object(), "{wanted}: no 409");
    }
}

#[tokio::test]
async fn ids_in_paths_are_uuids_and_reports_may_be_csv() {
    let doc = document().await;
    for (method, path, op) in operations(&doc) {
        for parameter in op["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap_or_default();
            if parameter["in"] != "path" {
                continue;
            }
            assert_eq!(parameter["required"], true, "{method} {path} {name}");
            // A member is named by id or card number; a role, an import's
            // kind, an export's file and a report by their names.
            if !["member", "role", "kind", "file", "report"].contains(&name) {
                assert_eq!(
                    parameter["schema"]["format"], "uuid",
                    "{method} {path}: {name} is not declared as a UUID"
                );
            }
        }
    }
    for (path, what) in [
        ("/api/v1/accounts/{id}/statement", "statement"),
        ("/api/v1/programmes/{programme}/circulation", "circulation"),
    ] {
        let content = &doc["paths"][path]["get"]["responses"]["200"]["content"];
        assert!(content["application/json"].is_object(), "{what} as JSON");
        assert!(content["text/csv"].is_object(), "{what} as CSV");
    }
}

/// utoipa names a schema after its Rust type, so two body types with the
/// same name (in different modules) would share one schema, and the
/// document would describe one of them wrongly. Every `ToSchema` type in
/// the web crate must have a name of its own.
#[test]
fn every_schema_type_has_a_name_of_its_own() {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                let lines: Vec<&str> = text.lines().collect();
                for (i, line) in lines.iter().enumerate() {
                    let derives_schema = line.contains("derive(") && line.contains("ToSchema");
                    if !derives_schema {
                        continue;
                    }
                    let name = lines[i + 1..]
                        .iter()
                        .take(80)
                        .find_map(|l| {
                            let l = l
                                .trim_start_matches("pub(crate) ")
                                .trim_start_matches("pub(super) ");
                            let l = l.trim_start_matches("pub ");
                            l.strip_prefix("struct ")
                                .or_else(|| l.strip_prefix("enum "))
                        })
                        .map(|rest| {
                            rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                                .next()
                                .unwrap_or_default()
                                .to_owned()
                        });
                    out.push(
                        name.unwrap_or_else(|| format!("? after {}:{}", path.display(), i + 1)),
                    );
                }
            }
        }
    }
    let mut names = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut names,
    );
    assert!(names.len() > 50, "found only {} schema types", names.len());
    let unread: Vec<&String> = names.iter().filter(|n| n.starts_with('?')).collect();
    assert!(unread.is_empty(), "no struct or enum found: {unread:?}");
    let mut seen = std::collections::BTreeSet::new();
    let twice: Vec<&String> = names.iter().filter(|n| !seen.insert(*n)).collect();
    assert!(twice.is_empty(), "schema types sharing a name: {twice:?}");
}

/// Every `$ref` in the document names a schema the document has: a path
/// parameter's type is not collected into the components by itself.
#[tokio::test]
async fn every_reference_resolves() {
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    found.push(r);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let doc = document().await;
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for reference in found {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{reference} is not a component schema"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{reference} does not resolve"
        );
    }
}
