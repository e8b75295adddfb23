//! The spec loader (`load_service`) on arbitrary and mutated `service.yaml`
//! text: never a panic; a spec that does not load is refused with
//! diagnostics that name a file, a line and a column; a spec that loads is
//! generated into Rust and OpenAPI without a panic either.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use taxsdk_codegen::{generate, load_service, openapi};

/// The smallest useful spec, the seed of the mutations.
const MINIMAL: &str = include_str!("../../tests/fixtures/minimal/service.yaml");

/// A scratch spec folder per test (tests run on parallel threads), named
/// as the seed's service (the loader checks that the two agree).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("loader_props")
        .join(name)
        .join("minimal");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let _ = std::fs::remove_file(dir.join("api.yaml"));
    dir
}

/// Loads `service` (and `api`, a second file) from `dir`; checks the
/// outcome. `Ok(true)` when the spec loaded.
fn load(dir: &Path, service: &str, api: Option<&str>) -> Result<bool, TestCaseError> {
    std::fs::write(dir.join("service.yaml"), service).expect("write service.yaml");
    match api {
        Some(api) => std::fs::write(dir.join("api.yaml"), api).expect("write api.yaml"),
        None => {
            let _ = std::fs::remove_file(dir.join("api.yaml"));
        }
    }
    match load_service(dir) {
        Ok(spec) => {
            let _ = generate(&spec, "spec/props");
            let _ = openapi::render(&spec);
            Ok(true)
        }
        Err(diagnostics) => {
            prop_assert!(!diagnostics.0.is_empty(), "refused without a diagnostic");
            for d in &diagnostics.0 {
                prop_assert!(d.line >= 1 && d.column >= 1, "no place: {}", d);
                prop_assert!(!d.message.trim().is_empty(), "no message: {}", d);
                prop_assert!(d.file.starts_with(dir), "another file: {}", d);
            }
            Ok(false)
        }
    }
}

/// One edit of the seed, line by line or character by character.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Indent(usize, usize),
    /// Replace the value after the `n`th `:` of a line.
    ReplaceValue(usize, String),
    InsertText(usize, String),
    DeleteChars(usize, usize),
}

/// Values a spec holds: names, types, YAML structure and nonsense.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "",
            "~",
            "null",
            "[]",
            "{}",
            "-1",
            "0",
            "1e9",
            "true",
            "\"\"",
            "POST",
            "GET",
            "/echo",
            "/",
            "string",
            "i64",
            "decimal",
            "bool",
            "date",
            "date_time",
            "Message",
            "Missing",
            "required",
            "optional",
            "none",
            "bearer",
            "{ wire: text }",
            "[a, b]",
            "&a x",
            "*a",
            "!!binary aGk=",
            "'",
            "\"",
            "|",
            ">-",
            "? x",
            "- x",
            "{ method: POST, path: /e }",
            "list<Message>",
            "map<string, i64>",
        ])
        .prop_map(str::to_string),
        "[A-Za-z_][A-Za-z0-9_]{0,8}",
        "[ -~]{0,12}",
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => any::<usize>().prop_map(Edit::DeleteLine),
        1 => any::<usize>().prop_map(Edit::DuplicateLine),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        1 => (any::<usize>(), 0..5usize).prop_map(|(l, n)| Edit::Indent(l, n)),
        3 => (any::<usize>(), value()).prop_map(|(l, v)| Edit::ReplaceValue(l, v)),
        1 => (any::<usize>(), "[-:{}\\[\\],#&*!|>'\" \\n\\ta-z0-9]{1,6}").prop_map(|(at, t)| Edit::InsertText(at, t)),
        1 => (any::<usize>(), 1..8usize).prop_map(|(at, n)| Edit::DeleteChars(at, n)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut text_edits = Vec::new();
    for e in edits {
        let n = lines.len().max(1);
        match e {
            Edit::DeleteLine(l) if !lines.is_empty() => {
                lines.remove(l % n);
            }
            Edit::DuplicateLine(l) if !lines.is_empty() => {
                let line = lines[l % n].clone();
                lines.insert(l % n, line);
            }
            Edit::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
            Edit::Indent(l, by) if !lines.is_empty() => {
                let line = &mut lines[l % n];
                let trimmed = line.trim_start().to_string();
                *line = format!("{}{trimmed}", " ".repeat(*by * 2));
            }
            Edit::ReplaceValue(l, v) if !lines.is_empty() => {
                let line = &mut lines[l % n];
                if let Some(at) = line.find(": ") {
                    // Keep a closing brace so flow mappings stay mappings.
                    let close = if line.trim_end().ends_with('}') {
                        " }"
                    } else {
                        ""
                    };
                    *line = format!("{}: {v}{close}", &line[..at]);
                }
            }
            Edit::InsertText(..) | Edit::DeleteChars(..) => text_edits.push(e.clone()),
            _ => {}
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    let mut chars: Vec<char> = text.chars().collect();
    for e in text_edits {
        let len = chars.len();
        match e {
            Edit::InsertText(at, t) => {
                let at = at % (len + 1);
                chars.splice(at..at, t.chars());
            }
            Edit::DeleteChars(at, n) if len > 0 => {
                let at = at % len;
                chars.drain(at..(at + n).min(len));
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

#[test]
fn the_seed_loads_and_generates() {
    let dir = scratch("seed");
    std::fs::write(dir.join("service.yaml"), MINIMAL).unwrap();
    let spec = load_service(&dir).unwrap_or_else(|d| panic!("{d}"));
    let files = generate(&spec, "spec/props").expect("generates");
    assert!(!files.is_empty());
    openapi::render(&spec).expect("renders");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        load(&scratch("arbitrary"), &text, None)?;
    }

    /// YAML-looking text: keys of the spec, nesting, flow and block style.
    #[test]
    fn yaml_like_text_never_panics(
        lines in proptest::collection::vec(
            (0..4usize, proptest::sample::select(vec![
                "service:", "name:", "title:", "base_urls:", "auth:", "endpoints:", "models:",
                "enums:", "errors:", "fields:", "- name:", "- { wire:", "http:", "request:",
                "response:", "type:", "presence:", "envelope:", "examples:", "soap:", "- ",
            ]), value()),
            0..24,
        ),
        api in proptest::option::of("[a-z:\\- \\n{}\\[\\]]{0,60}"),
    ) {
        let text: String = lines
            .iter()
            .map(|(indent, key, v)| format!("{}{key} {v}\n", "  ".repeat(*indent)))
            .collect();
        load(&scratch("yaml_like"), &text, api.as_deref())?;
    }

    #[test]
    fn mutated_minimal_spec_never_panics(edits in proptest::collection::vec(edit(), 1..4)) {
        load(&scratch("mutated"), &apply(MINIMAL, &edits), None)?;
    }

    /// A field of an unknown type is refused, with a diagnostic on its line.
    #[test]
    fn unknown_types_are_refused_at_their_line(name in "[A-Z][a-z]{2,8}Zz") {
        let text = MINIMAL.replace("type: string", &format!("type: {name}"));
        let line = text.lines().position(|l| l.contains(&name)).expect("the field") as u64 + 1;
        let dir = scratch("unknown_type");
        std::fs::write(dir.join("service.yaml"), &text).unwrap();
        let diagnostics = match load_service(&dir) {
            Ok(_) => return Err(TestCaseError::fail(format!("type `{name}` loaded"))),
            Err(d) => d,
        };
        prop_assert!(
            diagnostics.0.iter().any(|d| d.line == line && d.message.contains(&name)),
            "no diagnostic at line {} naming `{}`: {}", line, name, diagnostics
        );
    }
}

/// The edits keep what they do not touch: a spec edited harmlessly still
/// loads (so the mutations above reach generation too).
#[test]
fn harmless_edits_still_load() {
    let title = MINIMAL.lines().position(|l| l.contains("title:")).unwrap();
    let edits = [
        Edit::ReplaceValue(title, "Another title".into()),
        Edit::DuplicateLine(0),
        Edit::InsertText(0, "\n".into()),
    ];
    let text = apply(MINIMAL, &edits);
    assert_ne!(text, MINIMAL);
    let loaded = load(&scratch("harmless"), &text, None).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(loaded, "{text}");
}
