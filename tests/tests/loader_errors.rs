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
