//! Writing generated files, or checking them for drift with a unified diff.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::{Target, generate, load_service};

/// Whether [`sync`] rewrites stale files or only reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// A generated file that differs from what the spec produces.
#[derive(Debug, Clone)]
pub struct Stale {
    pub path: PathBuf,
    pub spec: String,
    /// Unified diff from the file on disk to the fresh output.
    pub diff: String,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} is stale: it no longer matches {}/ (regenerate with `cargo xtask codegen`)",
            self.path.display(),
            self.spec
        )?;
        write!(f, "{}", self.diff)
    }
}

/// Generate every target under `root`. In [`Mode::Write`] stale files are
/// rewritten (and reported); in [`Mode::Check`] nothing is written. Files in
/// an output folder that the generator does not produce count as stale too.
/// Spec errors come back as `Err` with every diagnostic.
pub fn sync(root: &Path, targets: &[Target], mode: Mode) -> Result<Vec<Stale>, String> {
    let mut stale = Vec::new();
    let mut errors = Vec::new();
    for target in targets {
        match sync_one(root, target.spec, target.out, mode) {
            Ok(found) => stale.extend(found),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(stale)
    } else {
        Err(errors.join("\n"))
    }
}

/// [`sync`] for one spec folder and one output folder, both relative to
/// `root` (an absolute `out` is used as it is). `spec` also names the
/// source in the generated headers.
pub fn sync_one(root: &Path, spec: &str, out: &str, mode: Mode) -> Result<Vec<Stale>, String> {
    let mut stale = Vec::new();
    let service = load_service(&root.join(spec))
        .map_err(|diagnostics| relative(root, &diagnostics.to_string()))?;
    let files = generate(&service, spec)?;
    let out_dir = root.join(out);
    for file in &files {
        let path = out_dir.join(&file.name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == file.contents {
            continue;
        }
        stale.push(Stale {
            path: Path::new(out).join(&file.name),
            spec: spec.to_string(),
            diff: unified_diff(&current, &file.contents, &file.name),
        });
        if mode == Mode::Write {
            std::fs::create_dir_all(&out_dir)
                .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
            std::fs::write(&path, &file.contents)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    if let Ok(entries) = std::fs::read_dir(&out_dir) {
        let mut extra: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                name.is_some_and(|n| !files.iter().any(|f| f.name == n))
            })
            .collect();
        extra.sort();
        for path in extra {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let name = name.unwrap_or_default();
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            stale.push(Stale {
                path: Path::new(out).join(&name),
                spec: spec.to_string(),
                diff: unified_diff(&current, "", &name),
            });
            if mode == Mode::Write && path.is_file() {
                std::fs::remove_file(&path)
                    .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    Ok(stale)
}

/// Unified diff from the file on disk to the fresh output, as every drift
/// report shows it.
pub(crate) fn unified_diff(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{name} (on disk)"),
            &format!("b/{name} (from spec)"),
        )
        .to_string()
}

/// Show diagnostics with paths relative to the workspace root.
fn relative(root: &Path, text: &str) -> String {
    if root.as_os_str().is_empty() {
        return text.to_string();
    }
    let prefix = format!("{}/", root.display());
    text.replace(&prefix, "")
}
