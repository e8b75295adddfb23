//! `taxsdk-codegen`: the generator and its drift check for projects outside
//! this workspace, with the same library functions `cargo xtask` uses.
//!
//! ```text
//! taxsdk-codegen generate --spec DIR --out DIR [--label TEXT] [--check]
//! taxsdk-codegen openapi --spec DIR --out FILE [--check]
//! taxsdk-codegen diff OLD_SPEC_DIR NEW_SPEC_DIR [--crate-version X.Y.Z]
//! ```
//!
//! Exit codes: 0 success (or up to date), 1 stale files in check mode or an
//! invalid spec, 2 wrong arguments.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use taxsdk_codegen::{Mode, Stale, diff, load_service, openapi, sync_dir};

const USAGE: &str = "usage: taxsdk-codegen generate --spec DIR --out DIR [--label TEXT] [--check]
       taxsdk-codegen openapi --spec DIR --out FILE [--check]
       taxsdk-codegen diff OLD_SPEC_DIR NEW_SPEC_DIR [--crate-version X.Y.Z]

  generate   write the Rust code of the spec in --spec into --out (a folder the
             generator owns: files it does not produce are removed)
             --label   the spec folder as generated headers name it; must be the
                       end of --spec (default: --spec as written)
             --check   write nothing; exit 1 with a diff when a file is stale
  openapi    write the OpenAPI 3.1 document of the spec to --out (--check as above)
  diff       classify every change between two versions of a spec (breaking,
             additive, cosmetic) and give the semver verdict";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("generate") => {
            parse(&args[1..], &["--spec", "--out", "--label"]).and_then(|o| generate(&o))
        }
        Some("openapi") => parse(&args[1..], &["--spec", "--out"]).and_then(|o| export(&o)),
        Some("diff") => parse(&args[1..], &["--crate-version"]).and_then(|o| spec_diff(&o)),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(Failure::Usage(format!("unknown command `{other}`"))),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    /// Wrong arguments: exit code 2.
    Usage(String),
    /// Invalid spec or I/O error: exit code 1.
    Failed(String),
}

/// Parsed options: valued flags, `--check`, and positional arguments.
#[derive(Default)]
struct Options {
    values: Vec<(String, String)>,
    check: bool,
    positional: Vec<String>,
}

impl Options {
    fn get(&self, flag: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(f, _)| f == flag)
            .map(|(_, v)| v.as_str())
    }
    fn require(&self, flag: &str) -> Result<&str, Failure> {
        self.get(flag)
            .ok_or_else(|| Failure::Usage(format!("missing {flag}")))
    }
    fn mode(&self) -> Mode {
        if self.check { Mode::Check } else { Mode::Write }
    }
}

fn parse(args: &[String], flags: &[&str]) -> Result<Options, Failure> {
    let mut options = Options::default();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--check" {
            options.check = true;
        } else if flags.contains(&arg.as_str()) {
            let value = iter
                .next()
                .ok_or_else(|| Failure::Usage(format!("{arg} needs a value")))?;
            if options.get(arg).is_some() {
                return Err(Failure::Usage(format!("{arg} given twice")));
            }
            options.values.push((arg.clone(), value.clone()));
        } else if arg.starts_with("--") {
            return Err(Failure::Usage(format!("unknown option `{arg}`")));
        } else {
            options.positional.push(arg.clone());
        }
    }
    Ok(options)
}

fn no_positional(options: &Options) -> Result<(), Failure> {
    match options.positional.first() {
        Some(extra) => Err(Failure::Usage(format!("unexpected argument `{extra}`"))),
        None => Ok(()),
    }
}

fn report(stale: &[Stale], mode: Mode, rerun: &str) -> ExitCode {
    match mode {
        Mode::Check if !stale.is_empty() => {
            for s in stale {
                eprintln!("{s}");
            }
            eprintln!(
                "error: {} file(s) are stale; regenerate with `{rerun}`",
                stale.len()
            );
            ExitCode::FAILURE
        }
        Mode::Check => {
            println!("up to date");
            ExitCode::SUCCESS
        }
        Mode::Write => {
            for s in stale {
                println!("wrote {}", s.path.display());
            }
            println!("{} file(s) changed", stale.len());
            ExitCode::SUCCESS
        }
    }
}

fn generate(options: &Options) -> Result<ExitCode, Failure> {
    no_positional(options)?;
    let spec = options.require("--spec")?;
    let out = options.require("--out")?;
    let label = options.get("--label").unwrap_or(spec).trim_end_matches('/');
    let stale = sync_dir(Path::new(spec), Path::new(out), label, options.mode()).map_err(|e| {
        Failure::Failed(format!(
            "{e}\nerror: the spec is invalid; nothing was written"
        ))
    })?;
    let rerun = format!("taxsdk-codegen generate --spec {spec} --out {out}");
    Ok(report(&stale, options.mode(), &rerun))
}

fn export(options: &Options) -> Result<ExitCode, Failure> {
    no_positional(options)?;
    let spec = options.require("--spec")?;
    let out = options.require("--out")?;
    let stale = openapi::sync_file(Path::new(spec), Path::new(out), out, spec, options.mode())
        .map_err(Failure::Failed)?;
    let rerun = format!("taxsdk-codegen openapi --spec {spec} --out {out}");
    Ok(report(stale.as_slice(), options.mode(), &rerun))
}

fn spec_diff(options: &Options) -> Result<ExitCode, Failure> {
    if options.check {
        return Err(Failure::Usage("diff takes no --check".into()));
    }
    let [old, new] = options.positional.as_slice() else {
        return Err(Failure::Usage(
            "diff needs two spec folders: OLD NEW".into(),
        ));
    };
    let load = |dir: &str| {
        load_service(&PathBuf::from(dir))
            .map_err(|d| Failure::Failed(format!("{d}\nerror: {dir} is not a valid spec")))
    };
    let report = diff(&load(old)?, &load(new)?);
    print!("{report}");
    if let Some(version) = options.get("--crate-version") {
        let next = report.next_version(version).map_err(Failure::Failed)?;
        println!("crate version {version} -> {next}");
    }
    Ok(ExitCode::SUCCESS)
}
