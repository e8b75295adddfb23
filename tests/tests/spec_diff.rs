//! `spec diff`: each case under tests/fixtures/diff/<case>/{old,new}/svc is
//! compared and the report pinned with insta (review with `cargo insta review`).

use taxsdk_codegen::{Impact, diff};

fn report(case: &str) -> taxsdk_codegen::Report {
    let old = taxsdk_tests::load(&format!("tests/fixtures/diff/{case}/old/svc"));
    let new = taxsdk_tests::load(&format!("tests/fixtures/diff/{case}/new/svc"));
    diff(&old, &new)
}

#[test]
fn no_change() {
    let report = report("no-change");
    assert_eq!(report.impact(), None, "{report}");
    assert_eq!(report.next_version("0.3.1").as_deref(), Ok("0.3.1"));
    insta::assert_snapshot!("no-change", report.to_string());
}

#[test]
fn cosmetic() {
    let report = report("cosmetic");
    assert_eq!(report.impact(), Some(Impact::Cosmetic), "{report}");
    assert_eq!(report.next_version("0.3.1").as_deref(), Ok("0.3.2"));
    assert_eq!(report.next_version("1.3.1").as_deref(), Ok("1.3.2"));
    insta::assert_snapshot!("cosmetic", report.to_string());
}

#[test]
fn additive() {
    let report = report("additive");
    assert_eq!(report.impact(), Some(Impact::Additive), "{report}");
    assert_eq!(report.next_version("0.3.1").as_deref(), Ok("0.3.2"));
    assert_eq!(report.next_version("1.3.1").as_deref(), Ok("1.4.0"));
    insta::assert_snapshot!("additive", report.to_string());
}

#[test]
fn breaking() {
    let report = report("breaking");
    assert_eq!(report.impact(), Some(Impact::Breaking), "{report}");
    assert_eq!(report.next_version("0.3.1").as_deref(), Ok("0.4.0"));
    assert_eq!(report.next_version("1.3.1").as_deref(), Ok("2.0.0"));
    insta::assert_snapshot!("breaking", report.to_string());
}

/// Undoing additions removes API: the reverse of the additive case is breaking.
#[test]
fn additive_reversed_is_breaking() {
    let old = taxsdk_tests::load("tests/fixtures/diff/additive/new/svc");
    let new = taxsdk_tests::load("tests/fixtures/diff/additive/old/svc");
    let report = diff(&old, &new);
    assert_eq!(report.impact(), Some(Impact::Breaking), "{report}");
    insta::assert_snapshot!("additive-reversed", report.to_string());
}

/// The real spec compared with itself reports nothing.
#[test]
fn a_spec_equals_itself() {
    let spec = taxsdk_tests::load("spec/rsge-eapi");
    let report = diff(&spec, &spec);
    assert!(report.changes.is_empty(), "{report}");
}
