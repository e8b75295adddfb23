//! `cargo xtask bench [--smoke] [--only NAME]...`: build and run every
//! benchmark figure in release, each as ratios against a baseline measured
//! in the same run, and rewrite the generated regions of BENCHMARKS.md.
//!
//! The Rust side of each figure is a `cargo bench` target that prints one
//! `taxsdk-bench {json}` line with `--json`; the Python peers are scripts in
//! `tests/bench-python/`, run with a virtualenv the harness creates in
//! `target/bench-venv` from `tests/bench-python/requirements.txt`. When
//! Python or PyPI is not there, those rows say "not measured" and why; a
//! failing Rust benchmark fails the run (after the other figures ran).
//!
//! `--smoke` runs tiny sizes once, installs nothing, skips the clean builds
//! and writes `target/bench/BENCHMARKS.smoke.md` instead of BENCHMARKS.md.

pub mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use taxsdk_codegen::TARGETS;

use report::{Build, Context, FIGURES, Figure, Graph};

/// Usage of `cargo xtask bench`.
pub const USAGE: &str = "cargo xtask bench [--smoke] [--only NAME]...

  bench             build and run every benchmark figure in release and rewrite the
                    generated tables of BENCHMARKS.md (machine, date, command, bars);
                    Python peers run in target/bench-venv (created from
                    tests/bench-python/requirements.txt; \"not measured\" without PyPI)
  bench --smoke     tiny sizes, one round, nothing installed, no clean builds; writes
                    target/bench/BENCHMARKS.smoke.md
  bench --only NAME only figure NAME (repeatable or comma-separated): decode,
                    decode-python, e2e, codegen, soap, irp";

/// What `cargo xtask bench` was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Tiny sizes, one round.
    pub smoke: bool,
    /// The figures to run (ids of [`FIGURES`]), in document order.
    pub only: Vec<&'static str>,
}

/// Parse the arguments after `bench`.
pub fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut smoke = false;
    let mut wanted: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match *arg {
            "--smoke" => smoke = true,
            "--only" => {
                let names = it.next().ok_or(
                    "--only needs a figure name: decode, decode-python, e2e, codegen, soap, irp",
                )?;
                wanted.extend(names.split(',').map(|n| n.trim().to_string()));
            }
            other => {
                if let Some(names) = other.strip_prefix("--only=") {
                    wanted.extend(names.split(',').map(|n| n.trim().to_string()));
                } else {
                    return Err(format!("unknown argument `{other}`"));
                }
            }
        }
    }
    for name in &wanted {
        if !FIGURES.iter().any(|(id, _)| id == name) {
            let ids: Vec<&str> = FIGURES.iter().map(|(id, _)| *id).collect();
            return Err(format!(
                "--only: no figure `{name}`; the figures are {}",
                ids.join(", ")
            ));
        }
    }
    let only = FIGURES
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| wanted.is_empty() || wanted.iter().any(|w| w == id))
        .collect();
    Ok(Options { smoke, only })
}

/// `cargo xtask bench ...`.
pub fn main(root: &Path, args: &[&str]) -> ExitCode {
    let options = match parse_args(args) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("error: {e}\n\nusage: {USAGE}");
            return ExitCode::from(2);
        }
    };
    let command = if args.is_empty() {
        "cargo xtask bench".to_string()
    } else {
        format!("cargo xtask bench {}", args.join(" "))
    };
    let started = Instant::now();
    let harness = Harness::new(root, options, command);
    let load_before = load_average();
    let (figures, failures) = harness.run();
    let machine = harness.machine(&load_before, &load_average());

    let source = root.join("BENCHMARKS.md");
    let target = if harness.options.smoke {
        harness.out.join("BENCHMARKS.smoke.md")
    } else {
        source.clone()
    };
    let old = std::fs::read_to_string(&source).unwrap_or_else(|_| "# Benchmarks\n".into());
    let new = report::update_document(&old, &machine, &figures);
    if let Err(e) = std::fs::write(&target, new) {
        eprintln!("error: cannot write {}: {e}", target.display());
        return ExitCode::FAILURE;
    }
    println!(
        "bench: wrote {} ({} figure(s), {:.0} s)",
        target.display(),
        figures.len(),
        started.elapsed().as_secs_f64()
    );
    for f in &figures {
        for bar in &f.bars {
            println!("  {}: {} -> {}", f.title(), bar.target, bar.measured);
        }
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        for f in &failures {
            eprintln!("error: {f}");
        }
        ExitCode::FAILURE
    }
}

struct Harness {
    root: PathBuf,
    out: PathBuf,
    options: Options,
    context: Context,
    python: Result<PathBuf, String>,
}

impl Harness {
    fn new(root: &Path, options: Options, command: String) -> Harness {
        let out = root.join("target").join("bench");
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let needs_python = options
            .only
            .iter()
            .any(|id| matches!(*id, "decode-python" | "e2e" | "soap" | "irp"));
        // Figures without a Python peer still name the venv in the header,
        // but never install it.
        let python = python_env(root, options.smoke || !needs_python);
        if let Err(why) = &python
            && needs_python
        {
            eprintln!("bench: Python peers not measured: {why}");
        }
        Harness {
            root: root.to_path_buf(),
            out,
            context: Context {
                date: report::civil_date(seconds),
                command,
                smoke: options.smoke,
            },
            options,
            python,
        }
    }

    fn wants(&self, id: &str) -> bool {
        self.options.only.contains(&id)
    }

    /// Every wanted figure; failures of the Rust side, to fail the run.
    fn run(&self) -> (Vec<Figure>, Vec<String>) {
        if let Err(e) = std::fs::create_dir_all(&self.out) {
            return (
                Vec::new(),
                vec![format!("cannot create {}: {e}", self.out.display())],
            );
        }
        let mut figures = Vec::new();
        let mut failures = Vec::new();
        let mut push = |id: &'static str, result: Result<Figure, String>| match result {
            Ok(figure) => figures.push(figure),
            Err(e) => {
                eprintln!("bench: figure {id} failed: {e}");
                figures.push(report::failed_figure(id, &self.context, &e));
                failures.push(format!("figure {id}: {e}"));
            }
        };
        if self.wants("decode") || self.wants("decode-python") {
            let decode = self.decode();
            if self.wants("decode") {
                push(
                    "decode",
                    decode
                        .as_ref()
                        .map_err(Clone::clone)
                        .and_then(|line| report::decode_figure(line, &self.context)),
                );
            }
            if self.wants("decode-python") {
                push(
                    "decode-python",
                    decode
                        .as_ref()
                        .map_err(Clone::clone)
                        .and_then(|line| self.decode_python(line)),
                );
            }
        }
        if self.wants("e2e") {
            push("e2e", self.e2e());
        }
        if self.wants("codegen") {
            push("codegen", Ok(self.codegen()));
        }
        if self.wants("soap") {
            push("soap", self.soap());
        }
        if self.wants("irp") {
            push("irp", self.irp());
        }
        // The replies are tens of MiB each and are rewritten by every run.
        for name in [
            "list-invoices.json",
            "list-invoices-closest.json",
            "datatable.xml",
            "datatable-closest.xml",
        ] {
            let _ = std::fs::remove_file(self.out.join(name));
        }
        (figures, failures)
    }

    fn smoke_flag(&self) -> Option<&'static str> {
        self.options.smoke.then_some("--smoke")
    }

    fn out_file(&self, name: &str) -> String {
        self.out.join(name).display().to_string()
    }

    /// Figure 1's line, from the process with the median ratio of
    /// `DECODE_PROCESSES` (the floor moves between processes, not within
    /// one); also writes the reply for figure 2.
    fn decode(&self) -> Result<Value, String> {
        eprintln!("bench: figure 1, decode");
        let body = self.out_file("list-invoices.json");
        let processes = if self.options.smoke {
            1
        } else {
            DECODE_PROCESSES
        };
        let mut lines = Vec::new();
        for process in 0..processes {
            let write_body = ["--write-body", body.as_str()];
            let args: &[&str] = if process == 0 { &write_body } else { &[] };
            lines.push(self.decode_line(args)?);
        }
        report::median_process(lines)
    }

    /// One run of the decode benchmark with `args` (plus `--json` and the
    /// smoke flag), parsed.
    fn decode_line(&self, args: &[&str]) -> Result<Value, String> {
        let mut args = [&["--json"], args].concat();
        args.extend(self.smoke_flag());
        let stdout = cargo_bench(
            &self.root,
            &["-p", "taxsdk-tests", "--bench", "list_invoices_decode"],
            &args,
        )?;
        report::parse_line(&stdout, "list_invoices_decode")
    }

    fn decode_python(&self, documented: &Value) -> Result<Figure, String> {
        eprintln!("bench: figure 2, decode vs rsge-python");
        let python = match &self.python {
            Ok(python) => python,
            Err(why) => return Ok(report::failed_figure("decode-python", &self.context, why)),
        };
        let closest = self.out_file("list-invoices-closest.json");
        let runs = if self.options.smoke { "1" } else { "3" };
        let line = match run_python(
            python,
            &self.script("rsge_list_invoices.py"),
            &[
                &self.out_file("list-invoices.json"),
                "--runs",
                runs,
                "--closest-out",
                &closest,
            ],
            "rsge_list_invoices",
        ) {
            Ok(line) => line,
            Err(why) => return Ok(report::failed_figure("decode-python", &self.context, &why)),
        };
        let which = line
            .pointer("/measured/body")
            .and_then(Value::as_str)
            .unwrap_or("documented");
        let ours = if which == "documented" {
            documented.clone()
        } else {
            self.decode_line(&["--body", &closest])?
        };
        report::decode_python_figure(&ours, &line, &self.context)
    }

    fn e2e(&self) -> Result<Figure, String> {
        eprintln!("bench: figure 3, end to end");
        let python = self.python.as_ref().map(|p| p.display().to_string());
        let mut args = vec!["--json"];
        args.extend(self.smoke_flag());
        match &python {
            Ok(path) => args.extend(["--python", path.as_str()]),
            Err(_) => args.push("--no-python"),
        }
        let stdout = cargo_bench(
            &self.root,
            &["-p", "taxsdk-tests", "--bench", "eapi_throughput"],
            &args,
        )?;
        let line = report::parse_line(&stdout, "eapi_throughput")?;
        let note = self.python.as_ref().err().map(String::as_str);
        report::e2e_figure(&line, note, &self.context)
    }

    fn codegen(&self) -> Figure {
        eprintln!("bench: figure 4, code generation and builds");
        let regenerate = cargo_bench(
            &self.root,
            &["-p", "taxsdk-codegen", "--bench", "regenerate"],
            &[],
        )
        .and_then(|stdout| report::parse_regenerate(&stdout));
        let build_dir = self.root.join("target").join("bench-build");
        let packages = generated_packages(&self.root);
        let free = free_gib(&self.root.join("target"));
        let builds = if self.options.smoke {
            Err("skipped in --smoke mode".to_string())
        } else if let Some(free) = free.filter(|gib| *gib < MIN_FREE_GIB) {
            // A clean build of a client crate writes a few GiB; filling the
            // disk would break every other build on the machine.
            Err(format!(
                "only {free:.1} GiB free on the disk of target/ (the clean builds need {MIN_FREE_GIB} GiB)"
            ))
        } else {
            let mut builds = Vec::new();
            let mut result = Ok(());
            'all: for package in &packages {
                for release in [false, true] {
                    match clean_build(&self.root, &build_dir, package, release) {
                        Ok(build) => builds.push(build),
                        Err(e) => {
                            result = Err(e);
                            break 'all;
                        }
                    }
                }
            }
            result.map(|()| builds)
        };
        let mut graphs = Vec::new();
        for package in &packages {
            for (features, label) in [
                (None, "default (client)"),
                (Some("server"), "client + server"),
            ] {
                if let Ok(packages) = graph_size(&self.root, package, features) {
                    graphs.push(Graph {
                        package: package.clone(),
                        features: label.into(),
                        packages,
                    });
                }
            }
        }
        report::codegen_figure(
            regenerate,
            builds,
            &graphs,
            "target/bench-build",
            &self.context,
        )
    }

    fn soap(&self) -> Result<Figure, String> {
        eprintln!("bench: figure 5, SOAP DataTable");
        let body = self.out_file("datatable.xml");
        let bench = [
            "-p",
            "taxsdk-runtime",
            "--features",
            "soap",
            "--bench",
            "datatable_decode",
        ];
        let mut args = vec!["--json", "--write-body", &body];
        args.extend(self.smoke_flag());
        let line =
            report::parse_line(&cargo_bench(&self.root, &bench, &args)?, "datatable_decode")?;
        let closest = self.out_file("datatable-closest.xml");
        let zeep = self.python.clone().and_then(|python| {
            // zeep takes seconds per 10,000-row reply: fewer runs than ours.
            let runs = if self.options.smoke { "1" } else { "5" };
            run_python(
                &python,
                &self.script("zeep_datatable.py"),
                &[&body, "--runs", runs, "--closest-out", &closest],
                "zeep_datatable",
            )
        });
        let closest_line = match &zeep {
            Ok(z) if z.pointer("/documented/ok").and_then(Value::as_bool) != Some(true) => {
                let mut args = vec!["--json", "--body", &closest];
                args.extend(self.smoke_flag());
                Some(report::parse_line(
                    &cargo_bench(&self.root, &bench, &args)?,
                    "datatable_decode",
                )?)
            }
            _ => None,
        };
        report::soap_figure(
            &line,
            closest_line.as_ref(),
            zeep.as_ref().map_err(String::as_str),
            &self.context,
        )
    }

    fn irp(&self) -> Result<Figure, String> {
        eprintln!("bench: figure 6, IRP crypto");
        let payload = self.out_file("irp-payload.json");
        let mut args = vec!["--json", "--write-payload", &payload];
        args.extend(self.smoke_flag());
        let stdout = cargo_bench(&self.root, &["-p", "gst-irp", "--bench", "crypto"], &args)?;
        let line = report::parse_line(&stdout, "irp_crypto")?;
        let count = |key: &str| {
            line.get(key)
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .to_string()
        };
        let (iterations, runs) = (count("iterations"), count("runs"));
        let python = self.python.clone().and_then(|python| {
            run_python(
                &python,
                &self.script("gst_irn_crypto.py"),
                &[&payload, "--iterations", &iterations, "--runs", &runs],
                "gst_irn_crypto",
            )
        });
        report::irp_figure(
            &line,
            python.as_ref().map_err(String::as_str),
            &self.context,
        )
    }

    fn script(&self, name: &str) -> PathBuf {
        self.root.join("tests").join("bench-python").join(name)
    }

    /// The machine region: cores, memory, CPU, OS, rustc, date, command, load.
    fn machine(&self, load_before: &str, load_after: &str) -> String {
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            })
            .map_or("unknown memory".into(), |kib| {
                format!("{:.1} GiB", kib / (1024.0 * 1024.0))
            });
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|m| m.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let os = std::fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|o| {
                o.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|v| v.trim_matches('"').to_string())
            })
            .unwrap_or_else(|| std::env::consts::OS.into());
        let kernel = command_output("uname", &["-r"]).unwrap_or_default();
        let rustc = command_output("rustc", &["--version"]).unwrap_or_else(|| "rustc ?".into());
        let python = match &self.python {
            Ok(p) => command_output(&p.display().to_string(), &["--version"])
                .map(|v| format!("{v} in `target/bench-venv`"))
                .unwrap_or_else(|| "target/bench-venv".into()),
            Err(why) => format!("not used ({why})"),
        };
        format!(
            "Machine: {cores} cores, {memory}, {cpu}, {os} {arch} (Linux {kernel}), {rustc}.\n\
             Python peers: {python}.\n\n\
             Last run: {date} (UTC), `{command}`{figures}. Load average (1, 5, 15 min) at \
             the start {load_before}, at the end {load_after}: the machine is shared with \
             other builds, so absolute times are noisy; the ratios inside one figure come \
             from back-to-back runs of the same process and are steadier.",
            arch = std::env::consts::ARCH,
            date = self.context.date,
            command = self.context.command,
            figures = if self.options.only.len() == FIGURES.len() {
                String::new()
            } else {
                format!(" (figures: {})", self.options.only.join(", "))
            },
        )
    }
}

/// `cargo bench <selection> -- <args>` in release; its stdout. Cargo's own
/// progress and the benchmark's stderr go to our stderr.
fn cargo_bench(root: &Path, selection: &[&str], args: &[&str]) -> Result<String, String> {
    let mut command = cargo(root);
    command.arg("bench").args(selection);
    if !args.is_empty() {
        command.arg("--").args(args);
    }
    let mut shown = format!("cargo bench {}", selection.join(" "));
    if !args.is_empty() {
        shown = format!("{shown} -- {}", args.join(" "));
    }
    eprintln!("bench: {shown}");
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        let last = report::tail(&stdout, 20);
        Err(if last.trim().is_empty() {
            format!("`{shown}` failed ({}); its errors are above", output.status)
        } else {
            format!("`{shown}` failed ({}); last output:\n{last}", output.status)
        })
    }
}

/// The cargo that runs us (`$CARGO`), in the workspace root.
fn cargo(root: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root);
    command
}

/// Packages generated from a spec and published as service crates (under
/// `crates/`; test fixtures left out).
fn generated_packages(root: &Path) -> Vec<String> {
    TARGETS
        .iter()
        .filter_map(|t| t.out.strip_prefix("crates/"))
        .filter_map(|rest| rest.split('/').next())
        .filter_map(|dir| package_name(&root.join("crates").join(dir)))
        .collect()
}

/// `name` of the `[package]` in `dir/Cargo.toml`.
fn package_name(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    text.lines()
        .skip_while(|l| l.trim() != "[package]")
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .find_map(|l| {
            let value = l
                .trim()
                .strip_prefix("name")?
                .trim_start()
                .strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_string())
        })
}

/// Free space the clean builds need on the disk of `target/`, GiB.
const MIN_FREE_GIB: f64 = 8.0;

/// Processes figure 1 runs in: on the shared machine its floor settles at
/// about 35 ms in most processes and at 55-67 ms in some, for the whole
/// process, while the typed decode does not move with it.
const DECODE_PROCESSES: usize = 5;

/// Free GiB on the file system of `path` (`df -Pk`), when `df` answers.
fn free_gib(path: &Path) -> Option<f64> {
    let output = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let available_kib: f64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(available_kib / (1024.0 * 1024.0))
}

/// Build `package` with default features from an empty target directory,
/// then once more with only the package itself cleaned.
fn clean_build(
    root: &Path,
    build_dir: &Path,
    package: &str,
    release: bool,
) -> Result<Build, String> {
    let profile = if release { "release" } else { "debug" };
    let dir = build_dir.join(profile);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    let build = |what: &str| -> Result<(f64, usize), String> {
        let mut command = cargo(root);
        command
            .args(["build", "--locked", "-p", package, "--target-dir"])
            .arg(&dir);
        if release {
            command.arg("--release");
        }
        eprintln!(
            "bench: {what} build of {package} ({profile}) in {}",
            dir.display()
        );
        let start = Instant::now();
        let output = command
            .output()
            .map_err(|e| format!("cannot run cargo build: {e}"))?;
        let seconds = start.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!(
                "cargo build -p {package} ({profile}) failed:\n{}",
                report::tail(&stderr, 20)
            ));
        }
        let units = stderr
            .lines()
            .filter(|l| l.trim_start().starts_with("Compiling "))
            .count();
        Ok((seconds, units))
    };
    let (clean_seconds, units) = build("clean")?;
    // Only the package itself: `cargo clean -p` in this private directory.
    let mut clean = cargo(root);
    clean
        .args(["clean", "-p", package, "--target-dir"])
        .arg(&dir);
    if release {
        clean.arg("--release");
    }
    let status = clean
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo clean -p {package}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo clean -p {package} in {} failed",
            dir.display()
        ));
    }
    let (own_seconds, _) = build("crate-only")?;
    // Gigabytes of artifacts nobody reuses: give the disk back.
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Build {
        package: package.into(),
        profile: profile.into(),
        features: "default (client)".into(),
        clean_seconds,
        units,
        own_seconds,
    })
}

/// Distinct packages in `cargo tree -e normal` of `package`.
fn graph_size(root: &Path, package: &str, features: Option<&str>) -> Result<usize, String> {
    let mut command = cargo(root);
    command.args(["tree", "-e", "normal", "--prefix", "none", "-p", package]);
    if let Some(features) = features {
        command.args(["--features", features]);
    }
    let output = command
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo tree -p {package} failed"));
    }
    let mut names: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some(format!("{} {}", words.next()?, words.next()?))
        })
        .collect();
    names.sort();
    names.dedup();
    Ok(names.len())
}

/// The Python of `target/bench-venv` with every pinned package of
/// `tests/bench-python/requirements.txt`, creating and filling it when
/// needed (not in smoke mode); or why there is none.
fn python_env(root: &Path, smoke: bool) -> Result<PathBuf, String> {
    let venv = root.join("target").join("bench-venv");
    let python = if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    };
    let requirements = root
        .join("tests")
        .join("bench-python")
        .join("requirements.txt");
    let pins = pinned(&requirements)?;
    if has_pins(&python, &pins) {
        return Ok(python);
    }
    if smoke {
        return Err(
            "no target/bench-venv with the pinned packages (--smoke installs nothing)".into(),
        );
    }
    if !python.exists() {
        let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        eprintln!("bench: creating {} with {interpreter}", venv.display());
        let output = Command::new(&interpreter)
            .args(["-m", "venv"])
            .arg(&venv)
            .output()
            .map_err(|e| format!("no {interpreter} to create the virtualenv ({e})"))?;
        if !output.status.success() {
            return Err(format!(
                "`{interpreter} -m venv` failed: {}",
                report::tail(&String::from_utf8_lossy(&output.stderr), 3)
            ));
        }
    }
    eprintln!("bench: pip install -r {}", requirements.display());
    let output = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements)
        .output()
        .map_err(|e| format!("cannot run pip: {e}"))?;
    if !output.status.success() {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        return Err(if is_network_failure(&text) {
            format!("PyPI unreachable (pip: {last})")
        } else {
            format!("pip install failed: {last}")
        });
    }
    if has_pins(&python, &pins) {
        Ok(python)
    } else {
        Err(format!(
            "{} lacks the pinned packages after pip install",
            python.display()
        ))
    }
}

/// `(name, version)` of every `name==version` line.
fn pinned(requirements: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter_map(|l| l.split_once("=="))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect())
}

/// Whether `python` runs and has exactly these versions installed.
fn has_pins(python: &Path, pins: &[(String, String)]) -> bool {
    if !python.exists() {
        return false;
    }
    let names: Vec<String> = pins.iter().map(|(n, _)| format!("{n:?}")).collect();
    let script = format!(
        "import importlib.metadata as m\nfor n in [{}]:\n    print(m.version(n))",
        names.join(", ")
    );
    let Ok(output) = Command::new(python).args(["-c", &script]).output() else {
        return false;
    };
    let found = String::from_utf8_lossy(&output.stdout);
    output.status.success()
        && found
            .lines()
            .map(str::trim)
            .eq(pins.iter().map(|(_, v)| v.as_str()))
}

fn is_network_failure(pip_output: &str) -> bool {
    [
        "No matching distribution",
        "Could not find a version",
        "NewConnectionError",
        "Max retries exceeded",
        "Temporary failure in name resolution",
        "Network is unreachable",
        "Connection refused",
        "timed out",
    ]
    .iter()
    .any(|needle| pip_output.contains(needle))
}

/// Run a script of `tests/bench-python` and read its result line.
fn run_python(python: &Path, script: &Path, args: &[&str], bench: &str) -> Result<Value, String> {
    eprintln!(
        "bench: {} {} {}",
        python.display(),
        script.display(),
        args.join(" ")
    );
    let output = Command::new(python)
        .arg(script)
        .args(args)
        // No __pycache__ in the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            script
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned()),
            output.status,
            report::tail(&String::from_utf8_lossy(&output.stderr), 5)
        ));
    }
    report::parse_line(&stdout, bench)
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// `/proc/loadavg`'s three averages, e.g. `2.31, 2.40, 2.52`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(", "))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        let all = parse_args(&[]).unwrap();
        assert!(!all.smoke);
        assert_eq!(all.only.len(), FIGURES.len());
        let some = parse_args(&["--smoke", "--only", "irp,decode", "--only=soap"]).unwrap();
        assert!(some.smoke);
        assert_eq!(some.only, ["decode", "soap", "irp"], "document order");
        let bad = parse_args(&["--only", "nope"]).unwrap_err();
        assert!(
            bad.contains("no figure `nope`") && bad.contains("decode-python"),
            "{bad}"
        );
        assert!(parse_args(&["--only"]).is_err());
        assert!(parse_args(&["--fast"]).unwrap_err().contains("--fast"));
    }

    #[test]
    fn requirements_are_pinned_and_read() {
        let root = crate::workspace_root();
        let pins = pinned(&root.join("tests/bench-python/requirements.txt")).unwrap();
        let names: Vec<&str> = pins.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["rsge-python", "gst-e-invoicing", "zeep"]);
        assert!(pins.iter().all(|(_, v)| !v.is_empty()));
    }

    #[test]
    fn generated_service_crates_are_found() {
        let packages = generated_packages(&crate::workspace_root());
        assert!(packages.contains(&"rsge-eapi".to_string()), "{packages:?}");
        assert!(
            !packages.iter().any(|p| p.contains("fixture")),
            "{packages:?}"
        );
    }

    #[test]
    #[cfg(unix)]
    fn free_space_is_read() {
        let free = free_gib(&crate::workspace_root()).expect("df answers on Linux");
        assert!(free >= 0.0);
    }

    #[test]
    fn pip_failures_without_network_are_recognised() {
        assert!(is_network_failure(
            "ERROR: Could not find a version that satisfies the requirement zeep==4.3.3"
        ));
        assert!(!is_network_failure("error: externally-managed-environment"));
    }

    #[test]
    fn the_document_has_every_region() {
        let text = std::fs::read_to_string(crate::workspace_root().join("BENCHMARKS.md")).unwrap();
        for id in FIGURES
            .iter()
            .map(|(id, _)| *id)
            .chain(["machine", "summary"])
        {
            assert!(
                report::region(&text, id).is_some(),
                "BENCHMARKS.md lacks the markers of `{id}`"
            );
        }
    }
}
