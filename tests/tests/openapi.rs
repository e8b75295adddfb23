//! The OpenAPI 3.1 export: structural invariants (no Rust parser reads 3.1
//! documents; `openapiv3` stops at 3.0), the checked-in
//! spec/<service>/openapi.json is up to date, and, when Python's
//! `openapi-spec-validator` is installed, the validator accepts it.

use std::collections::BTreeSet;

use serde_json::Value;
use taxsdk_codegen::ir::{self, Auth, Presence};
use taxsdk_codegen::{Mode, TARGETS, openapi};

/// Every `$ref` anywhere in `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// Check the document of `service` against what its IR says; returns every problem.
fn problems(service: &ir::Service, doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if doc["openapi"] != "3.1.0" {
        problems.push(format!("openapi is {}", doc["openapi"]));
    }
    for key in ["title", "version"] {
        if !doc["info"][key].is_string() {
            problems.push(format!("info.{key} is missing"));
        }
    }
    let schemas = &doc["components"]["schemas"];
    let mut all_refs = Vec::new();
    refs(doc, &mut all_refs);
    for r in all_refs {
        match r.strip_prefix("#/components/schemas/") {
            Some(name) if schemas.get(name).is_some() => {}
            _ => problems.push(format!("$ref {r} does not resolve")),
        }
    }
    let mut operation_ids = BTreeSet::new();
    for e in &service.endpoints {
        let method = e.method.as_str().to_ascii_lowercase();
        let op = &doc["paths"][&e.path][&method];
        if op.is_null() {
            problems.push(format!("endpoint {} has no {method} {}", e.name, e.path));
            continue;
        }
        if op["operationId"] != e.name.as_str() || !operation_ids.insert(e.name.clone()) {
            problems.push(format!(
                "endpoint {}: operationId {}",
                e.name, op["operationId"]
            ));
        }
        if e.request.is_some() != op.get("requestBody").is_some() {
            problems.push(format!("endpoint {}: request body mismatch", e.name));
        }
        let ok = &op["responses"]["200"];
        let schema = &ok["content"]["application/json"]["schema"];
        if let Some(env) = &service.envelope {
            for wire in [&env.data, &env.status] {
                if schema["properties"].get(wire).is_none() {
                    problems.push(format!("endpoint {}: reply lacks envelope {wire}", e.name));
                }
            }
        } else if e.response.is_some() && schema.is_null() {
            problems.push(format!("endpoint {}: reply has no schema", e.name));
        }
        let open = op.get("security") == Some(&serde_json::json!([]));
        if service.auth == Auth::Bearer && open == e.auth {
            problems.push(format!(
                "endpoint {}: security does not match auth {}",
                e.name, e.auth
            ));
        }
    }
    for m in &service.models {
        let schema = &schemas[&m.name];
        if schema["type"] != "object" {
            problems.push(format!("model {} has no object schema", m.name));
            continue;
        }
        let required: BTreeSet<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for f in &m.fields {
            if schema["properties"].get(&f.wire).is_none() {
                problems.push(format!("model {}: no property {:?}", m.name, f.wire));
            }
            if (f.presence == Presence::Required) != required.contains(f.wire.as_str()) {
                problems.push(format!("model {}: {:?} required mismatch", m.name, f.wire));
            }
        }
    }
    for e in &service.enums {
        if schemas[&e.name]["x-enum-varnames"].as_array().map(Vec::len) != Some(e.values.len()) {
            problems.push(format!("enum {} lacks its values", e.name));
        }
    }
    if service.auth == Auth::Bearer
        && doc["components"]["securitySchemes"]["bearer"]["scheme"] != "bearer"
    {
        problems.push("no bearer security scheme".into());
    }
    problems
}

#[test]
fn documents_are_structurally_sound() {
    for spec in [
        "spec/rsge-eapi",
        "tests/fixtures/full",
        "tests/fixtures/minimal",
    ] {
        let service = taxsdk_tests::load(spec);
        let doc = openapi::document(&service);
        let problems = problems(&service, &doc);
        assert!(problems.is_empty(), "{spec}:\n{}", problems.join("\n"));
        let text = openapi::render(&service).unwrap();
        assert_eq!(
            text,
            openapi::render(&service).unwrap(),
            "{spec}: not deterministic"
        );
    }
}

#[test]
fn checked_in_openapi_is_up_to_date() {
    let stale = openapi::sync(&taxsdk_tests::workspace_root(), TARGETS, Mode::Check)
        .unwrap_or_else(|e| panic!("a spec is invalid:\n{e}"));
    let report: Vec<String> = stale.iter().map(ToString::to_string).collect();
    assert!(
        stale.is_empty(),
        "run `cargo xtask openapi`:\n{}",
        report.join("\n")
    );
}

/// The whole export of the fixture that has every construct, pinned.
#[test]
fn full_fixture_snapshot() {
    let service = taxsdk_tests::load("tests/fixtures/full");
    insta::assert_snapshot!("full-openapi", openapi::render(&service).unwrap());
}

/// A maintained OpenAPI 3.1 validator, where the machine has it
/// (`pip install openapi-spec-validator`); skipped otherwise.
#[test]
fn python_validator_accepts_the_documents() {
    let has_validator = std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_validator {
        eprintln!("skipped: python3 with openapi-spec-validator is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("taxsdk-openapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for spec in [
        "spec/rsge-eapi",
        "tests/fixtures/full",
        "tests/fixtures/minimal",
    ] {
        let service = taxsdk_tests::load(spec);
        let path = dir.join(format!("{}.json", service.name));
        std::fs::write(&path, openapi::render(&service).unwrap()).unwrap();
        let out = std::process::Command::new("python3")
            .args(["-m", "openapi_spec_validator"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{spec}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
