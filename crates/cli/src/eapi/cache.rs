//! The token cache: `{base_url, username, token, saved_at}` as JSON in the
//! user's cache directory (or `TAXSDK_CACHE_DIR`), written atomically with
//! mode 0600. The password is never stored.

use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::CliError;

/// Environment variable overriding the cache directory.
pub const CACHE_DIR_ENV: &str = "TAXSDK_CACHE_DIR";
const FILE_NAME: &str = "eapi-token.json";

/// What `login` keeps for later commands.
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    pub base_url: String,
    pub username: String,
    pub token: String,
    /// RFC 3339 time of the login.
    pub saved_at: String,
}

/// The cache file's path.
pub fn path() -> Result<PathBuf, CliError> {
    let dir = match std::env::var_os(CACHE_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => directories::ProjectDirs::from("ge", "taxsdk", "taxsdk")
            .map(|dirs| dirs.cache_dir().to_path_buf())
            .ok_or_else(|| {
                CliError::Other(format!(
                    "no home directory to keep the session in; set {CACHE_DIR_ENV}"
                ))
            })?,
    };
    Ok(dir.join(FILE_NAME))
}

/// The cached session, `None` when there is no cache file.
pub fn load() -> Result<Option<Session>, CliError> {
    let path = path()?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CliError::Other(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        CliError::Other(format!(
            "{}: not a session cache ({e}); delete it and log in again",
            path.display()
        ))
    })
}

/// Write `session` to a temporary file (mode 0600) next to the cache file,
/// then rename it over the cache file.
pub fn save(session: &Session) -> Result<PathBuf, CliError> {
    let path = path()?;
    let dir = path
        .parent()
        .ok_or_else(|| CliError::Other(format!("{}: no parent directory", path.display())))?;
    let fail = |what: &str, e: std::io::Error| {
        CliError::Other(format!("cannot {what} {}: {e}", path.display()))
    };
    create_private_dir(dir).map_err(|e| fail("create the directory of", e))?;
    let text = serde_json::to_string_pretty(session)
        .map_err(|e| CliError::Other(format!("cannot encode the session: {e}")))?;
    let tmp = dir.join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let written = (|| {
        let mut file = private_file(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail("write", e));
    }
    Ok(path)
}

/// Delete the cache file; `Ok(false)` when there was none.
pub fn delete() -> Result<bool, CliError> {
    let path = path()?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(CliError::Other(format!(
            "cannot delete {}: {e}",
            path.display()
        ))),
    }
}

#[cfg(unix)]
fn private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}
