//! Development tasks: `cargo xtask codegen [--check]`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use taxsdk_codegen::{Mode, TARGETS, load_service, sync};

const USAGE: &str = "usage: cargo xtask codegen [--check]

  codegen           regenerate crates/*/src/generated from spec/ (and the test fixtures)
  codegen --check   change nothing; exit 1 with a diff when a generated file is stale";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen(Mode::Write),
        ["codegen", "--check"] => codegen(Mode::Check),
        ["help" | "--help" | "-h"] | [] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("error: unknown arguments `{}`\n\n{USAGE}", args.join(" "));
            ExitCode::from(2)
        }
    }
}

fn workspace_root() -> PathBuf {
    // xtask lives one level below the workspace root.
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

fn codegen(mode: Mode) -> ExitCode {
    let started = Instant::now();
    let stale = match sync(&workspace_root(), TARGETS, mode) {
        Ok(stale) => stale,
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("error: a spec is invalid; its generated code was left as it was");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = started.elapsed();
    match mode {
        Mode::Check if !stale.is_empty() => {
            for s in &stale {
                eprintln!("{s}");
            }
            eprintln!(
                "error: {} generated file(s) are stale; run `cargo xtask codegen` and commit the result",
                stale.len()
            );
            ExitCode::FAILURE
        }
        Mode::Check => {
            print_summary();
            println!(
                "codegen: {} spec(s) up to date ({} ms)",
                TARGETS.len(),
                elapsed.as_millis()
            );
            ExitCode::SUCCESS
        }
        Mode::Write => {
            for s in &stale {
                println!("wrote {}", s.path.display());
            }
            println!(
                "codegen: {} spec(s), {} file(s) changed ({} ms)",
                TARGETS.len(),
                stale.len(),
                elapsed.as_millis()
            );
            ExitCode::SUCCESS
        }
    }
}

/// One line per spec: what it holds.
fn print_summary() {
    let root = workspace_root();
    for target in TARGETS {
        let Ok(service) = load_service(&root.join(target.spec)) else {
            continue;
        };
        let fields: usize = service.models.iter().map(|m| m.fields.len()).sum();
        println!(
            "{:<22} {:<10} {:>3} endpoints {:>3} models {:>4} fields {:>3} enums {:>3} error codes {:>3} examples  -> {}",
            target.spec,
            service.document_version.as_deref().unwrap_or("-"),
            service.endpoints.len(),
            service.models.len(),
            fields,
            service.enums.len(),
            service.errors.len(),
            service.examples.len(),
            target.out
        );
    }
}
