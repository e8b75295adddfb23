//! Python virtualenvs under `target/` for the interop tests and the
//! benchmark, and the scripts of `tests/interop/` they run.
//!
//! A [`Venv`] is created with `python3 -m venv` (or `$PYTHON`) when missing,
//! and pinned requirements are `pip install`ed into it when the installed
//! versions differ: the only step that needs the network (PyPI).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// What pip prints when it cannot reach the package index.
const OFFLINE_MARKERS: [&str; 8] = [
    "Could not find a version that satisfies the requirement",
    "No matching distribution found",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "NewConnectionError",
    "ProxyError",
    "Read timed out",
];

/// Why a venv is not ready.
#[derive(Debug)]
pub enum Setup {
    /// The machine cannot run the test (no `python3`, PyPI unreachable):
    /// tests pass, saying why.
    Skip(String),
    /// Something is broken: tests fail with this message.
    Fail(String),
}

/// A virtualenv `target/<name>`.
#[derive(Debug, Clone)]
pub struct Venv {
    dir: PathBuf,
}

impl Venv {
    /// The venv `target/<name>` of this workspace.
    pub fn new(name: &str) -> Self {
        Self {
            dir: crate::workspace_root().join("target").join(name),
        }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its Python interpreter (which may not exist yet).
    pub fn python(&self) -> PathBuf {
        if cfg!(windows) {
            self.dir.join("Scripts").join("python.exe")
        } else {
            self.dir.join("bin").join("python")
        }
    }

    /// The venv's Python if it imports `imports` (Python's `import` list,
    /// e.g. `"zeep, lxml"`) and has every `name==version` of `requirements`
    /// installed; installs nothing.
    pub fn installed(&self, requirements: &[&str], imports: &str) -> Option<PathBuf> {
        let pins: Vec<(&str, &str)> = requirements
            .iter()
            .map(|r| r.split_once("=="))
            .collect::<Option<_>>()?;
        let python = self.python();
        let output = Command::new(&python)
            .arg("-c")
            .arg(format!(
                "import sys, importlib.metadata as m, {imports}; \
                 print(*(m.version(n) for n in sys.argv[1:]))"
            ))
            .args(pins.iter().map(|(name, _)| name))
            .output()
            .ok()?;
        let wanted: Vec<&str> = pins.iter().map(|(_, version)| *version).collect();
        let versions = String::from_utf8_lossy(&output.stdout);
        (output.status.success() && versions.trim() == wanted.join(" ")).then_some(python)
    }

    /// [`Venv::installed`], after creating the venv if missing and
    /// installing `requirements` (each pinned `name==version`) if needed.
    pub fn ensure(&self, requirements: &[&str], imports: &str) -> Result<PathBuf, Setup> {
        if let Some(python) = self.installed(requirements, imports) {
            return Ok(python);
        }
        let python = self.python();
        if !python.exists() {
            let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
            let output = Command::new(&interpreter)
                .args(["-m", "venv"])
                .arg(&self.dir)
                .output()
                .map_err(|e| Setup::Skip(format!("cannot run {interpreter}: {e}")))?;
            if !output.status.success() {
                return Err(Setup::Fail(format!(
                    "{interpreter} -m venv {} failed:\n{}",
                    self.dir.display(),
                    String::from_utf8_lossy(&output.stderr)
                )));
            }
        }
        let wanted = requirements.join(" ");
        let output = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            // Fail fast offline: the skip is the answer there.
            .args(["--retries", "1", "--timeout", "20"])
            .args(requirements)
            .output()
            .map_err(|e| Setup::Fail(format!("cannot run {}: {e}", python.display())))?;
        if !output.status.success() {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            return Err(if OFFLINE_MARKERS.iter().any(|m| text.contains(m)) {
                Setup::Skip(format!("pip cannot reach PyPI for {wanted}:\n{text}"))
            } else {
                Setup::Fail(format!("pip install {wanted} failed:\n{text}"))
            });
        }
        self.installed(requirements, imports).ok_or_else(|| {
            Setup::Fail(format!(
                "{} cannot import {imports} in {wanted} after pip install",
                python.display()
            ))
        })
    }
}

/// A script of `tests/interop/`.
pub fn interop_script(name: &str) -> PathBuf {
    crate::workspace_root()
        .join("tests")
        .join("interop")
        .join(name)
}

/// Run the script `name` of `tests/interop/` with `python` and `args`; it
/// must exit 0 and print one JSON value, which is returned.
pub fn run_script<I, S>(python: &Path, name: &str, args: I) -> Result<Value, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output = Command::new(python)
        .arg(interop_script(name))
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{name} failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_str(stdout.trim())
        .map_err(|e| format!("{name} printed no JSON ({e}):\n{stdout}"))
}
