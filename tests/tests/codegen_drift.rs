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

/// A hand edit of one generated line is caught, with a diff naming the spec.
#[test]
fn a_hand_edited_generated_file_is_reported_with_a_diff() {
    let root = std::env::temp_dir().join(format!("taxsdk-drift-{}", std::process::id()));
    let spec_dir = root.join("spec/minimal");
    std::fs::create_dir_all(&spec_dir).unwrap();
    let fixture = taxsdk_tests::workspace_root().join("tests/fixtures/minimal/service.yaml");
    std::fs::copy(fixture, spec_dir.join("service.yaml")).unwrap();
    let targets = [taxsdk_codegen::Target {
        spec: "spec/minimal",
        out: "out",
    }];

    let written = sync(&root, &targets, Mode::Write).unwrap();
    assert_eq!(written.len(), 6, "first run writes every file");
    assert!(sync(&root, &targets, Mode::Check).unwrap().is_empty());

    let path = root.join("out/client.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("pub struct Client", "pub struct Klient", 1);
    assert_ne!(text, edited);
    std::fs::write(&path, edited).unwrap();
    std::fs::write(root.join("out/stray.rs"), "// left behind\n").unwrap();

    let stale = sync(&root, &targets, Mode::Check).unwrap();
    let report: Vec<String> = stale.iter().map(ToString::to_string).collect();
    let report = report.join("\n");
    assert_eq!(stale.len(), 2, "{report}");
    assert!(report.contains("out/client.rs is stale: it no longer matches spec/minimal/"));
    assert!(
        report.contains("-pub struct Klient") && report.contains("+pub struct Client"),
        "{report}"
    );
    assert!(report.contains("out/stray.rs"), "{report}");

    // Write mode repairs both.
    sync(&root, &targets, Mode::Write).unwrap();
    assert!(sync(&root, &targets, Mode::Check).unwrap().is_empty());
    std::fs::remove_dir_all(&root).ok();
}
