//! Generated code must match what the spec produces (the same check as
//! `cargo xtask codegen --check`).

use taxsdk_codegen::{Mode, TARGETS, sync};

#[test]
fn generated_code_is_up_to_date() {
    let stale = sync(&taxsdk_tests::workspace_root(), TARGETS, Mode::Check)
        .unwrap_or_else(|e| panic!("a spec is invalid:\n{e}"));
    if !stale.is_empty() {
        let report: Vec<String> = stale.iter().map(ToString::to_string).collect();
        panic!(
            "{} generated file(s) are stale; run `cargo xtask codegen`:\n{}",
            stale.len(),
            report.join("\n")
        );
    }
}
