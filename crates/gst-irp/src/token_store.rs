//! Keeping IRP sessions between runs: the [`TokenStore`] trait, a file
//! store ([`FileTokenStore`]), an in-memory one ([`MemoryTokenStore`]) and
//! the reuse rule ([`lookup`]).
//!
//! NIC asks clients to reuse a token until it expires instead of logging
//! in for every call. gst_irn caches it in a JSON file named by an MD5 of
//! all its settings, the password included, readable by anyone the
//! directory allows. Here instead:
//!
//! - the key ([`TokenKey`]) is a SHA-256 of base URL, client id, GSTIN and
//!   user name, never of the password, so changing a password does not
//!   strand old files and the file name reveals nothing;
//! - what is stored is the session (token, SEK, expiry, who), never the
//!   password or client secret;
//! - files are written with mode 0600 in a 0700 directory (on Unix), via a
//!   temporary file in the same directory and a rename, so a crash or a
//!   concurrent reader never sees half a file ([`write_private_file`]).
//!
//! `force_regenerate` (gst_irn's `force_regenerate_token`): [`lookup`]
//! then drops the stored session and answers "log in with
//! `ForceRefreshAccessToken`". The IRP only issues a new token in the last
//! ten minutes of the old one's validity; earlier, even a forced login
//! returns the same token (with a new SEK).

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::crypto::{Sek, hex_lower, sha256};
use crate::session::Session;

/// Which stored session belongs to a login: a SHA-256 over base URL,
/// client id, GSTIN and user name (never the password), as 64 hex
/// characters.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenKey(String);

impl TokenKey {
    /// The key of a login. The base URL is compared without trailing `/`
    /// and the GSTIN without case, so equivalent spellings share a session.
    pub fn new(base_url: &str, client_id: &str, gstin: &str, user_name: &str) -> Self {
        let fields = [
            base_url.trim().trim_end_matches('/'),
            client_id.trim(),
            &gstin.trim().to_ascii_uppercase(),
            user_name.trim(),
        ];
        // Length-prefixed, so that no two different field lists hash the
        // same bytes.
        let mut input = b"taxsdk gst-irp token v1".to_vec();
        for field in fields {
            input.extend_from_slice(&(field.len() as u64).to_be_bytes());
            input.extend_from_slice(field.as_bytes());
        }
        TokenKey(hex_lower(&sha256(&input)))
    }

    /// The 64 hex characters (safe as a file name or a database key).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenKey({})", self.0)
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenStoreError {
    /// Reading, writing or removing failed.
    #[error("token store: cannot {action} {path}: {source}")]
    Io {
        /// `read`, `write`, `remove`, `create directory`.
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The system error.
        source: io::Error,
    },
    /// A stored session cannot be read back (damaged or from another
    /// version); [`lookup`] treats it as absent and removes it.
    #[error("token store: stored session {location} is unreadable: {message}")]
    Corrupt {
        /// Where it is (a path, or a key).
        location: String,
        /// What is wrong (never its secret content).
        message: String,
    },
    /// Another store's own failure (for implementations outside this crate).
    #[error("token store: {0}")]
    Other(String),
}

/// Where sessions are kept between runs, by [`TokenKey`].
///
/// Implement it to keep tokens in a database or secret store. The methods
/// are blocking and quick; an async client calls them around its login.
pub trait TokenStore: Send + Sync {
    /// The stored session of `key`, or `None`.
    fn load(&self, key: &TokenKey) -> Result<Option<Session>, TokenStoreError>;
    /// Store `session` under `key`, replacing what was there.
    fn save(&self, key: &TokenKey, session: &Session) -> Result<(), TokenStoreError>;
    /// Forget `key`'s session; not an error when there is none.
    fn remove(&self, key: &TokenKey) -> Result<(), TokenStoreError>;
}

/// What to do before a call, per [`lookup`].
#[derive(Debug)]
pub enum CachedSession {
    /// A stored session with more than ten minutes left: use it.
    Reuse(Session),
    /// Log in. With `force_refresh`, set `ForceRefreshAccessToken` (a
    /// stored session is about to expire, or regeneration was forced), so
    /// that the IRP issues a new token instead of the old one.
    Login {
        /// Value for `ForceRefreshAccessToken`.
        force_refresh: bool,
    },
}

/// Decide between reusing the stored session of `key` and logging in, at
/// `now`.
///
/// - `force_regenerate`: remove the stored session and log in with
///   `ForceRefreshAccessToken`.
/// - A stored session with at least ten minutes left is reused.
/// - A stored session with less (or expired): log in with
///   `ForceRefreshAccessToken`; save the new session over the old.
/// - Nothing stored, or an unreadable entry (removed): log in plainly.
///
/// Store failures other than an unreadable entry are returned; a caller may
/// log them and log in anyway.
pub fn lookup(
    store: &dyn TokenStore,
    key: &TokenKey,
    force_regenerate: bool,
    now: DateTime<Utc>,
) -> Result<CachedSession, TokenStoreError> {
    if force_regenerate {
        store.remove(key)?;
        return Ok(CachedSession::Login {
            force_refresh: true,
        });
    }
    match store.load(key) {
        Ok(Some(session)) if !session.needs_renewal_at(now) => Ok(CachedSession::Reuse(session)),
        Ok(Some(_)) => Ok(CachedSession::Login {
            force_refresh: true,
        }),
        Ok(None) => Ok(CachedSession::Login {
            force_refresh: false,
        }),
        Err(TokenStoreError::Corrupt { .. }) => {
            store.remove(key)?;
            Ok(CachedSession::Login {
                force_refresh: false,
            })
        }
        Err(e) => Err(e),
    }
}

/// The stored form of a [`Session`]: what a store writes. Never holds the
/// password or client secret. `Debug` redacts the token and SEK.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredSession {
    /// Format version, for later changes.
    pub version: u32,
    /// `ClientId`.
    pub client_id: String,
    /// `UserName`.
    pub user_name: String,
    /// GSTIN of the session.
    pub gstin: String,
    /// The token.
    #[serde(with = "secret_text")]
    pub auth_token: SecretString,
    /// Base64 of the raw SEK.
    #[serde(with = "secret_text")]
    pub sek: SecretString,
    /// Expiry, RFC 3339 with the India offset.
    pub token_expiry: DateTime<FixedOffset>,
}

impl StoredSession {
    /// The current format version.
    pub const VERSION: u32 = 1;

    /// The stored form of `session`.
    pub fn from_session(session: &Session) -> Self {
        StoredSession {
            version: Self::VERSION,
            client_id: session.client_id().to_string(),
            user_name: session.user_name().to_string(),
            gstin: session.gstin().to_string(),
            auth_token: session.auth_token().clone(),
            sek: session.sek().to_base64(),
            token_expiry: session.token_expiry(),
        }
    }

    /// Back to a session; `location` names it in errors.
    pub fn into_session(self, location: &str) -> Result<Session, TokenStoreError> {
        let corrupt = |message: String| TokenStoreError::Corrupt {
            location: location.to_string(),
            message,
        };
        if self.version != Self::VERSION {
            return Err(corrupt(format!(
                "format version {} is not {}",
                self.version,
                Self::VERSION
            )));
        }
        let sek = Sek::from_base64(self.sek.expose_secret()).map_err(|e| corrupt(e.to_string()))?;
        Ok(Session::new(
            self.client_id,
            self.user_name,
            self.gstin,
            self.auth_token,
            sek,
            self.token_expiry,
        ))
    }
}

impl fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredSession")
            .field("version", &self.version)
            .field("client_id", &self.client_id)
            .field("user_name", &self.user_name)
            .field("gstin", &self.gstin)
            .field("auth_token", &"<redacted>")
            .field("sek", &"<redacted>")
            .field("token_expiry", &self.token_expiry)
            .finish()
    }
}

/// Serde for a [`SecretString`] as plain JSON text (secrecy's own serde
/// support is not enabled in the workspace).
mod secret_text {
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.expose_secret())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        String::deserialize(d).map(SecretString::from)
    }
}

/// Sessions as JSON files `<key>.json` in one directory (mode 0700; files
/// 0600 on Unix, replaced atomically).
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    dir: PathBuf,
}

impl FileTokenStore {
    /// A store in `dir`, created (with parents) on the first save.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileTokenStore { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of `key`.
    pub fn path_of(&self, key: &TokenKey) -> PathBuf {
        self.dir.join(format!("{}.json", key.as_str()))
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self, key: &TokenKey) -> Result<Option<Session>, TokenStoreError> {
        let path = self.path_of(key);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => secrecy::zeroize::Zeroizing::new(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(TokenStoreError::Io {
                    action: "read",
                    path,
                    source,
                });
            }
        };
        let location = path.display().to_string();
        let stored: StoredSession =
            serde_json::from_slice(&bytes).map_err(|e| TokenStoreError::Corrupt {
                location: location.clone(),
                // serde_json's message names line and column, not the text.
                message: e.to_string(),
            })?;
        stored.into_session(&location).map(Some)
    }

    fn save(&self, key: &TokenKey, session: &Session) -> Result<(), TokenStoreError> {
        let stored = StoredSession::from_session(session);
        let json = secrecy::zeroize::Zeroizing::new(
            serde_json::to_vec_pretty(&stored)
                .map_err(|e| TokenStoreError::Other(e.to_string()))?,
        );
        create_private_dir(&self.dir).map_err(|source| TokenStoreError::Io {
            action: "create directory",
            path: self.dir.clone(),
            source,
        })?;
        let path = self.path_of(key);
        write_private_file(&path, &json).map_err(|source| TokenStoreError::Io {
            action: "write",
            path,
            source,
        })
    }

    fn remove(&self, key: &TokenKey) -> Result<(), TokenStoreError> {
        let path = self.path_of(key);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(TokenStoreError::Io {
                action: "remove",
                path,
                source,
            }),
        }
    }
}

/// Sessions in memory, for tests and single-process services.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    entries: Mutex<HashMap<TokenKey, StoredSession>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<TokenKey, StoredSession>> {
        // A panic elsewhere while holding the lock leaves the map intact.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self, key: &TokenKey) -> Result<Option<Session>, TokenStoreError> {
        let stored = self.entries().get(key).cloned();
        stored.map(|s| s.into_session(key.as_str())).transpose()
    }

    fn save(&self, key: &TokenKey, session: &Session) -> Result<(), TokenStoreError> {
        self.entries()
            .insert(key.clone(), StoredSession::from_session(session));
        Ok(())
    }

    fn remove(&self, key: &TokenKey) -> Result<(), TokenStoreError> {
        self.entries().remove(key);
        Ok(())
    }
}

/// Create `dir` and its parents; a directory this creates gets mode 0700
/// on Unix (existing ones are left as they are).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Write `bytes` to `path` so that readers see the old file or the new one,
/// never a part: into a temporary file in the same directory (mode 0600 on
/// Unix from creation, so the content is never readable by others), flushed
/// to disk, then renamed over `path`. The result has mode 0600 on Unix.
///
/// Generic on purpose: the CLI can keep its own secrets the same way.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // tempfile creates with 0600 on Unix; set it again in case a platform
    // default differs.
    let mut file = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".part")
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::parse_timestamp;

    fn session(expiry: &str) -> Session {
        Session::new(
            "CLIENT",
            "user",
            "29AAACP7879D1Z0",
            SecretString::from("the-token"),
            Sek::from_bytes([9; 32]),
            parse_timestamp("TokenExpiry", expiry).unwrap(),
        )
    }

    fn at(text: &str) -> DateTime<Utc> {
        parse_timestamp("t", text).unwrap().with_timezone(&Utc)
    }

    fn key() -> TokenKey {
        TokenKey::new(
            "https://einv-apisandbox.nic.in/",
            "CLIENT",
            "29aaacp7879d1z0",
            "user",
        )
    }

    #[test]
    fn key_ignores_spelling_and_separates_fields() {
        let a = key();
        let b = TokenKey::new(
            "https://einv-apisandbox.nic.in",
            "CLIENT",
            "29AAACP7879D1Z0",
            "user",
        );
        assert_eq!(a, b);
        assert_eq!(a.as_str().len(), 64);
        let c = TokenKey::new(
            "https://einv-apisandbox.nic.in",
            "CLIENT",
            "29AAACP7879D1Z0",
            "user2",
        );
        assert_ne!(a, c);
        // Moving text between fields gives another key.
        assert_ne!(
            TokenKey::new("u", "ab", "c", "d"),
            TokenKey::new("u", "a", "bc", "d")
        );
    }

    #[test]
    fn file_store_round_trip_and_file_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens_cache"));
        let key = key();
        assert!(store.load(&key).unwrap().is_none());
        store.save(&key, &session("2030-01-01 12:00:00")).unwrap();
        let loaded = store.load(&key).unwrap().unwrap();
        assert_eq!(loaded.auth_token().expose_secret(), "the-token");
        assert_eq!(loaded.sek().expose_bytes(), &[9; 32]);
        assert_eq!(
            loaded.token_expiry(),
            session("2030-01-01 12:00:00").token_expiry()
        );
        let path = store.path_of(&key);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"token_expiry\": \"2030-01-01T12:00:00+05:30\""),
            "{text}"
        );
        assert!(!text.to_lowercase().contains("password"));
        // Only the session file is left: no temporary files.
        let names: Vec<_> = std::fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
        store.remove(&key).unwrap();
        store.remove(&key).unwrap();
        assert!(store.load(&key).unwrap().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn file_store_modes_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("a/b"));
        store.save(&key(), &session("2030-01-01 12:00:00")).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&store.path_of(&key())), 0o600);
        assert_eq!(mode(store.dir()), 0o700);
        // Replacing keeps the mode.
        store.save(&key(), &session("2031-01-01 12:00:00")).unwrap();
        assert_eq!(mode(&store.path_of(&key())), 0o600);
    }

    #[test]
    fn lookup_reuses_renews_and_forces() {
        let store = MemoryTokenStore::new();
        let key = key();
        let now = at("2030-01-01 11:00:00");
        assert!(matches!(
            lookup(&store, &key, false, now).unwrap(),
            CachedSession::Login {
                force_refresh: false
            }
        ));
        store.save(&key, &session("2030-01-01 12:00:00")).unwrap();
        match lookup(&store, &key, false, now).unwrap() {
            CachedSession::Reuse(s) => assert_eq!(s.auth_token().expose_secret(), "the-token"),
            other => panic!("expected reuse, got {other:?}"),
        }
        let late = at("2030-01-01 11:55:00");
        assert!(matches!(
            lookup(&store, &key, false, late).unwrap(),
            CachedSession::Login {
                force_refresh: true
            }
        ));
        assert!(matches!(
            lookup(&store, &key, true, now).unwrap(),
            CachedSession::Login {
                force_refresh: true
            }
        ));
        assert!(
            store.load(&key).unwrap().is_none(),
            "force_regenerate removes it"
        );
    }

    #[test]
    fn corrupt_files_are_named_and_dropped_by_lookup() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path());
        let key = key();
        std::fs::write(store.path_of(&key), b"{not json").unwrap();
        let e = store.load(&key).unwrap_err();
        assert!(e.to_string().contains("is unreadable"), "{e}");
        assert!(e.to_string().contains(key.as_str()), "{e}");
        let now = at("2030-01-01 11:00:00");
        assert!(matches!(
            lookup(&store, &key, false, now).unwrap(),
            CachedSession::Login {
                force_refresh: false
            }
        ));
        assert!(!store.path_of(&key).exists());
        // Wrong SEK length: named, without the value.
        let mut stored = StoredSession::from_session(&session("2030-01-01 12:00:00"));
        stored.sek = SecretString::from("AAAA");
        let e = stored.into_session("x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "token store: stored session x is unreadable: SEK must be 32 bytes, got 3"
        );
    }

    #[test]
    fn stored_debug_is_redacted() {
        let stored = StoredSession::from_session(&session("2030-01-01 12:00:00"));
        let shown = format!("{stored:?}");
        assert!(
            !shown.contains("the-token") && shown.contains("<redacted>"),
            "{shown}"
        );
    }

    #[test]
    fn write_private_file_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        write_private_file(&path, b"one").unwrap();
        write_private_file(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let e = write_private_file(&dir.path().join("missing/f.json"), b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }
}
