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
