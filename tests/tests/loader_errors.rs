//! Broken specs: the loader reports every mistake with file:line:column.

use std::path::Path;

fn diagnostics(fixture: &str) -> String {
    let dir = Path::new("fixtures").join(fixture);
    match taxsdk_codegen::load_service(&dir) {
        Ok(_) => panic!("{fixture} loaded although it is broken"),
        Err(d) => d.to_string(),
    }
}

#[test]
fn semantic_mistakes_are_all_reported_at_once() {
    let report = diagnostics("broken-semantics");
    insta::assert_snapshot!(report);
    // Each distinct kind of mistake shows up with a position.
    let kinds = [
        "unknown type `Strnig`",
        "duplicate wire name `NAME`",
        "duplicate Rust name `item_id` after case conversion",
        "variant collision: code 1",
        "variant collision: name `Goods`",
        "names endpoint `Missing`, which the spec does not define",
        "request model `NoSuchModel` is referenced but not defined",
        "encoding `bool_string` is invalid for type `i64`",
        "invalid date format `DD.MM.YY`",
        "idempotency key `Nope` is not a field of its request model",
        "default \"x\" is not a valid `i64` value",
        "unknown encoding `base64`",
        "is not PascalCase",
        "example file `examples/missing.json` cannot be read",
        "error code -9 is not in the spec's `errors`",
        "type `Item` is defined twice",
    ];
    for kind in kinds {
        let line = report
            .lines()
            .find(|l| l.contains(kind))
            .unwrap_or_else(|| panic!("no diagnostic for `{kind}` in:\n{report}"));
        let location = line.split(": ").next().unwrap_or("");
        let parts: Vec<&str> = location.rsplitn(3, ':').collect();
        assert!(
            parts.len() == 3 && parts[0].parse::<u32>().is_ok() && parts[1].parse::<u32>().is_ok(),
            "`{line}` does not start with file:line:column"
        );
    }
}

#[test]
fn unknown_keys_are_rejected_with_their_position() {
    insta::assert_snapshot!(diagnostics("broken-unknown-key"));
}

#[test]
fn yaml_syntax_errors_have_a_position() {
    insta::assert_snapshot!(diagnostics("broken-yaml"));
}

#[test]
fn a_folder_without_service_yaml_is_an_error() {
    insta::assert_snapshot!(diagnostics("broken-no-service"));
}

#[test]
fn soap_mistakes_are_all_reported_at_once() {
    let report = diagnostics("broken-soap");
    insta::assert_snapshot!(report);
    let kinds = [
        "unknown SOAP version `1.3`",
        "a SOAP service has no JSON `envelope`",
        "SOAP path `service.asmx` must start with `/`",
        "cannot read soap.wsdl `missing.wsdl`",
        "SOAP operation `chek` is already the operation of endpoint `Chek`",
        "use `soap: { operation, action }` instead of `http`",
        "endpoint `Nothing` needs `soap: { operation, action }`",
        "a SOAP operation needs `response`",
        "remove `auth`",
        "a SOAP request is a model of the operation's parameters",
        "the result element `result_lastResult` must be the first field",
        "parameter `ids` of `BadCredentials` has type `map<i32>`",
        "field `extra` of `TwoTablesResponse` is a datatable",
        "unknown credential `token`",
        "duplicate wire name `user_id`",
        "a credential must be a string, not `i32`",
        "`credential` applies only to the request model of a SOAP endpoint",
        "credential `user` is carried by both `su` and `su2`",
        "`table` applies only to datatable<Row>",
        "table name `9rows` is not an XML name",
        "column `TAGS` must be a scalar or an enum",
        "endpoint `Row` has the name of a model or enum",
    ];
    for kind in kinds {
        assert!(
            report
                .lines()
                .any(|l| l.contains(kind) && l.starts_with("fixtures/broken-soap/")),
            "no diagnostic for `{kind}` in:\n{report}"
        );
    }
}

#[test]
fn soap_constructs_need_a_soap_binding() {
    let report = diagnostics("broken-soap-binding");
    insta::assert_snapshot!(report);
    assert!(report.contains("auth `service_user` needs a `soap:` binding"));
    assert!(report.contains("has a `soap:` operation but the service has no `soap:` binding"));
    assert!(report.contains("a datatable is only the result of a SOAP operation's response model"));
}

/// `soap.wsdl` must name a `.wsdl` file beside service.yaml whose
/// targetNamespace is the binding's namespace.
#[test]
fn soap_wsdl_is_checked() {
    let service = |wsdl: &str| {
        format!(
            "service:\n  name: wsdl-check\n  title: WSDL check\n  base_urls:\n    - {{ name: production, url: \"https://soap.example.test\" }}\n  auth: none\n  soap:\n    version: \"1.1\"\n    namespace: \"http://tempuri.org/\"\n    path: /service.asmx\n    wsdl: {wsdl}\n"
        )
    };
    let cases = [
        (
            "../outside.wsdl",
            "must be the name of a `.wsdl` file beside service.yaml",
        ),
        (
            "service.yaml",
            "must be the name of a `.wsdl` file beside service.yaml",
        ),
        (
            "other.wsdl",
            "has targetNamespace `http://example.test/other`, but soap.namespace is `http://tempuri.org/`",
        ),
    ];
    for (i, (wsdl, expected)) in cases.into_iter().enumerate() {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("soap-wsdl-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("service.yaml"), service(wsdl)).unwrap();
        std::fs::write(
            dir.join("other.wsdl"),
            r#"<wsdl:definitions targetNamespace="http://example.test/other"/>"#,
        )
        .unwrap();
        let report = match taxsdk_codegen::load_service(&dir) {
            Ok(_) => panic!("soap.wsdl `{wsdl}` was accepted"),
            Err(d) => d.to_string(),
        };
        let line = report
            .lines()
            .find(|l| l.contains(expected))
            .unwrap_or_else(|| panic!("no `{expected}` for `{wsdl}` in:\n{report}"));
        assert!(line.contains("service.yaml:11:"), "no position in: {line}");
    }
}

/// A spec folder named `name` (the service name must match it) with one
/// service.yaml: `extra` is appended (newtypes, models, enums).
fn newtype_spec(name: &str, extra: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("newtypes")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("service.yaml"),
        format!(
            "service:\n  name: {name}\n  title: Newtypes\n  base_urls:\n    - {{ name: local, url: \"http://127.0.0.1:9\" }}\n  auth: none\n{extra}"
        ),
    )
    .unwrap();
    dir
}

const TIN: &str = "newtypes:\n  - name: Tin\n    rust: crate::Tin\n    wire: string\n    pattern: \"^[0-9]{9}$\"\n    doc: A taxpayer number.\n";

/// `newtypes:` mistakes: each is reported with its position.
#[test]
fn newtype_mistakes_are_reported_with_their_position() {
    let field = |ty: &str| {
        format!("models:\n  - name: Party\n    fields:\n      - {{ wire: TIN, type: {ty} }}\n")
    };
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "unknown-newtype",
            format!("{TIN}{}", field("Tinn")),
            "unknown type `Tinn`: not a built-in type",
            "nor a model, enum or newtype of this spec",
        ),
        (
            "clash-with-model",
            format!(
                "{TIN}models:\n  - name: Tin\n    fields:\n      - {{ wire: A, type: string }}\n"
            ),
            "newtype `Tin` has the name of the model defined at",
            "type names must be unique",
        ),
        (
            "clash-with-enum",
            format!(
                "enums:\n  - name: Tin\n    repr: int\n    values:\n      - {{ code: 1, name: One }}\n{TIN}"
            ),
            "newtype `Tin` has the name of the enum defined at",
            "type names must be unique",
        ),
        (
            "generic-rust-path",
            "newtypes:\n  - { name: Tin, rust: \"crate::Tin<String>\", wire: string }\n".into(),
            "newtype `Tin`: `rust: crate::Tin<String>` is not a usable type path",
            "generic arguments are not supported",
        ),
        (
            "not-a-path",
            "newtypes:\n  - { name: Tin, rust: \"crate::tin number\", wire: string }\n".into(),
            "`rust: crate::tin number` is not a usable type path",
            "not a Rust path of identifiers joined by `::`",
        ),
        (
            "not-a-type-name",
            "newtypes:\n  - { name: Tin, rust: \"crate::tin\", wire: string }\n".into(),
            "`rust: crate::tin` is not a usable type path",
            "last segment `tin` is not a type name",
        ),
        (
            "unsupported-wire",
            "newtypes:\n  - { name: Tin, rust: crate::Tin, wire: integer }\n".into(),
            "newtype `Tin`: unsupported `wire: integer`",
            "only `string` is supported",
        ),
        (
            "bad-pattern",
            "newtypes:\n  - { name: Tin, rust: crate::Tin, wire: string, pattern: \"[0-9\" }\n"
                .into(),
            "newtype `Tin`:",
            "pattern",
        ),
        (
            "encoding-on-newtype",
            format!(
                "{TIN}models:\n  - name: Party\n    fields:\n      - {{ wire: TIN, type: Tin, encoding: lenient_string }}\n"
            ),
            "encoding `lenient_string` is invalid for type `Tin`",
            "it applies to string",
        ),
        (
            "string-constraint-on-newtype",
            format!(
                "{TIN}models:\n  - name: Party\n    fields:\n      - {{ wire: TIN, type: Tin, length: 9 }}\n"
            ),
            "field `TIN`: `length` applies to strings, not `Tin`",
            "",
        ),
    ];
    for (name, extra, expected, also) in cases {
        let dir = newtype_spec(name, &extra);
        let report = match taxsdk_codegen::load_service(&dir) {
            Ok(_) => panic!("{name}: the spec loaded although it is broken"),
            Err(d) => d.to_string(),
        };
        let line = report
            .lines()
            .find(|l| l.contains(expected))
            .unwrap_or_else(|| panic!("{name}: no `{expected}` in:\n{report}"));
        assert!(line.contains(also), "{name}: `{also}` missing from: {line}");
        let location = line.split(": ").next().unwrap_or("");
        assert!(
            location.contains("service.yaml:") && location.rsplitn(3, ':').count() == 3,
            "{name}: `{line}` does not start with file:line:column"
        );
    }
}

/// A declared newtype resolves on fields (in lists too) to its Rust path.
#[test]
fn newtypes_resolve_to_their_rust_path() {
    let dir = newtype_spec(
        "resolves",
        &format!(
            "{TIN}models:\n  - name: Party\n    fields:\n      - {{ wire: TIN, type: Tin, presence: required }}\n      - {{ wire: OTHERS, type: \"list<Tin>\" }}\n      - {{ wire: OLD, type: Tin, empty_as_absent: true }}\n"
        ),
    );
    let service = taxsdk_codegen::load_service(&dir).unwrap_or_else(|e| panic!("{e}"));
    let newtype = service.newtype("Tin").expect("declared");
    assert_eq!(newtype.rust, "crate::Tin");
    assert_eq!(newtype.pattern.as_deref(), Some("^[0-9]{9}$"));
    let party = service.model("Party").unwrap();
    let tin = taxsdk_codegen::ir::Type::Newtype {
        name: "Tin".into(),
        rust: "crate::Tin".into(),
    };
    assert_eq!(party.fields[0].ty, tin);
    assert_eq!(
        party.fields[1].ty,
        taxsdk_codegen::ir::Type::List(Box::new(tin.clone()))
    );
    assert!(party.fields[2].empty_as_absent);
}
