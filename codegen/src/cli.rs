//! Helpers for the `taxsdk-codegen` binary: the drift check of one spec
//! folder and one output folder, for projects outside this workspace.

use std::path::{Component, Path, PathBuf};

use crate::output::sync_one;
use crate::{Mode, Stale};

/// Generate the spec in `spec` into `out`, like [`sync`](crate::sync) does for one
/// workspace target. `source_label` is the spec folder as generated headers
/// name it (e.g. `spec/my-service`); it must be the last components of
/// `spec` (the usual case is `spec` itself, written relative to the current
/// folder). In [`Mode::Check`] nothing is written; every stale file comes
/// back with a unified diff.
///
/// This delegates to [`sync_one`], the one implementation of writing and
/// checking.
pub fn sync_dir(
    spec: &Path,
    out: &Path,
    source_label: &str,
    mode: Mode,
) -> Result<Vec<Stale>, String> {
    let label = source_label.trim_end_matches('/');
    if label.is_empty() {
        return Err("the source label is empty: give the spec folder, e.g. spec/my-service".into());
    }
    let root = strip_label(spec, Path::new(label)).ok_or_else(|| {
        format!(
            "the source label `{label}` must be the end of the spec path `{}`",
            spec.display()
        )
    })?;
    // `Target::out` is relative to the root; an absolute path stays as it is.
    let out: PathBuf = if root.as_os_str().is_empty() || out.is_absolute() {
        out.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot read the current folder: {e}"))?
            .join(out)
    };
    let out = out.to_str().ok_or_else(|| {
        format!(
            "the output path `{}` is not valid UTF-8",
            out.to_string_lossy()
        )
    })?;
    sync_one(&root, label, out, mode)
}

/// `spec` without its trailing `label` components, or `None` when `spec`
/// does not end with them.
fn strip_label(spec: &Path, label: &Path) -> Option<PathBuf> {
    fn normal(p: &Path) -> Vec<Component<'_>> {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect()
    }
    let (spec_parts, label_parts) = (normal(spec), normal(label));
    if label_parts.is_empty() || label_parts.len() > spec_parts.len() {
        return None;
    }
    let split = spec_parts.len() - label_parts.len();
    if spec_parts[split..] != label_parts[..] {
        return None;
    }
    Some(spec_parts[..split].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_the_label() {
        let strip = |s: &str, l: &str| strip_label(Path::new(s), Path::new(l));
        assert_eq!(strip("spec/svc", "spec/svc"), Some(PathBuf::new()));
        assert_eq!(strip("./spec/svc/", "spec/svc"), Some(PathBuf::new()));
        assert_eq!(
            strip("/a/b/spec/svc", "spec/svc"),
            Some(PathBuf::from("/a/b"))
        );
        assert_eq!(strip("/a/b/svc", "spec/svc"), None);
        assert_eq!(strip("svc", "spec/svc"), None);
    }
}
