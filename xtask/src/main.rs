//! Development tasks: `cargo xtask codegen [--check]`, `cargo xtask openapi
//! [--check]`, `cargo xtask spec diff OLD NEW`, `cargo xtask bench [--smoke]
//! [--only NAME]`.

mod bench;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use taxsdk_codegen::{Mode, Stale, TARGETS, load_service, openapi, sync};

const USAGE: &str = "usage: cargo xtask codegen [--check]
       cargo xtask openapi [--check]
       cargo xtask spec diff OLD NEW
       cargo xtask bench [--smoke] [--only NAME]...

  codegen           regenerate crates/*/src/generated and spec/*/openapi.json from spec/
                    (and the test fixtures' code)
  codegen --check   change nothing; exit 1 with a diff when a generated file is stale
  openapi           regenerate only spec/*/openapi.json (OpenAPI 3.1 of each service)
  openapi --check   change nothing; exit 1 with a diff when an openapi.json is stale
  spec diff OLD NEW compare two versions of a spec folder and classify every change
                    (breaking, additive, cosmetic) with a semver verdict; OLD and NEW
                    are folders or REV:PATH of this git repository
                    (e.g. `spec diff HEAD~3:spec/rsge-eapi spec/rsge-eapi`)
  bench             build and run every benchmark figure in release and rewrite the
                    generated tables of BENCHMARKS.md (`cargo xtask bench --help`)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen(Mode::Write),
        ["codegen", "--check"] => codegen(Mode::Check),
        ["openapi"] => openapi_only(Mode::Write),
        ["openapi", "--check"] => openapi_only(Mode::Check),
        ["spec", "diff", old, new] => spec_diff(old, new),
        ["bench", "help" | "--help" | "-h"] => {
            println!("usage: {}", bench::USAGE);
            ExitCode::SUCCESS
        }
        ["bench", rest @ ..] => bench::main(&workspace_root(), rest),
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
    let root = workspace_root();
    let stale = match sync(&root, TARGETS, mode).and_then(|mut stale| {
        stale.extend(openapi::sync(&root, TARGETS, mode)?);
        Ok(stale)
    }) {
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

/// `cargo xtask openapi [--check]`: only the OpenAPI exports.
fn openapi_only(mode: Mode) -> ExitCode {
    let stale = match openapi::sync(&workspace_root(), TARGETS, mode) {
        Ok(stale) => stale,
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("error: a spec is invalid; its openapi.json was left as it was");
            return ExitCode::FAILURE;
        }
    };
    report_stale(&stale, mode, "openapi")
}

fn report_stale(stale: &[Stale], mode: Mode, what: &str) -> ExitCode {
    match mode {
        Mode::Check if !stale.is_empty() => {
            for s in stale {
                eprintln!("{s}");
            }
            eprintln!(
                "error: {} file(s) are stale; run `cargo xtask {what}` and commit the result",
                stale.len()
            );
            ExitCode::FAILURE
        }
        Mode::Check => {
            println!("{what}: up to date");
            ExitCode::SUCCESS
        }
        Mode::Write => {
            for s in stale {
                println!("wrote {}", s.path.display());
            }
            println!("{what}: {} file(s) changed", stale.len());
            ExitCode::SUCCESS
        }
    }
}

/// `cargo xtask spec diff OLD NEW`.
fn spec_diff(old: &str, new: &str) -> ExitCode {
    let root = workspace_root();
    let scratch = std::env::temp_dir().join(format!("taxsdk-spec-diff-{}", std::process::id()));
    let result = (|| {
        let old_dir = resolve_spec(&root, old, &scratch.join("old"))?;
        let new_dir = resolve_spec(&root, new, &scratch.join("new"))?;
        let load = |arg: &str, dir: &Path| {
            load_service(dir).map_err(|d| format!("{arg} is not a valid spec:\n{d}"))
        };
        let old_service = load(old, &old_dir)?;
        let new_service = load(new, &new_dir)?;
        let report = taxsdk_codegen::diff(&old_service, &new_service);
        let mut text = report.to_string();
        if let Some(version) = crate_version(&root, &new_service.name) {
            match report.next_version(&version) {
                Ok(next) if next == version => {
                    text.push_str(&format!("crate {} stays at {version}\n", new_service.name));
                }
                Ok(next) => text.push_str(&format!(
                    "crate {} is {version}: release it as {next} ({} bump)\n",
                    new_service.name,
                    report
                        .bump(&version)
                        .map(|b| b.to_string())
                        .unwrap_or_default()
                )),
                Err(e) => text.push_str(&format!("crate {}: {e}\n", new_service.name)),
            }
        }
        Ok::<String, String>(text)
    })();
    std::fs::remove_dir_all(&scratch).ok();
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A spec folder on disk, or `REV:PATH` extracted from git into `scratch`.
fn resolve_spec(root: &Path, arg: &str, scratch: &Path) -> Result<PathBuf, String> {
    let as_path = PathBuf::from(arg);
    if as_path.is_dir() {
        return Ok(as_path);
    }
    let Some((rev, path)) = arg.split_once(':') else {
        return Err(format!(
            "`{arg}` is neither a spec folder nor REV:PATH (e.g. HEAD~1:spec/rsge-eapi)"
        ));
    };
    let path = path.trim_end_matches('/');
    if rev.is_empty() || path.is_empty() {
        return Err(format!(
            "`{arg}`: expected REV:PATH, e.g. HEAD~1:spec/rsge-eapi"
        ));
    }
    std::fs::create_dir_all(scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let mut archive = Command::new("git")
        .current_dir(root)
        .args(["archive", "--format=tar", rev, "--", path])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let stdout = archive
        .stdout
        .take()
        .ok_or_else(|| "cannot read the output of git archive".to_string())?;
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(scratch)
        .stdin(stdout)
        .output()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let git = archive
        .wait_with_output()
        .map_err(|e| format!("git archive failed: {e}"))?;
    if !git.status.success() {
        return Err(format!(
            "cannot read `{path}` at `{rev}` from git: {}",
            String::from_utf8_lossy(&git.stderr).trim()
        ));
    }
    if !tar.status.success() {
        return Err(format!(
            "cannot unpack `{arg}`: {}",
            String::from_utf8_lossy(&tar.stderr).trim()
        ));
    }
    let dir = scratch.join(path);
    if !dir.is_dir() {
        return Err(format!("`{path}` is not a folder at `{rev}`"));
    }
    Ok(dir)
}

/// The version in `crates/<name>/Cargo.toml`, when that crate exists.
fn crate_version(root: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(root.join("crates").join(name).join("Cargo.toml")).ok()?;
    text.lines()
        .skip_while(|l| l.trim() != "[package]")
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .find_map(|l| {
            let value = l
                .trim()
                .strip_prefix("version")?
                .trim_start()
                .strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_string())
        })
}
