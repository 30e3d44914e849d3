//! `CODEX_HOME/.credentials.json`: the OAuth tokens of MCP servers, in the file format Codex
//! uses when it has no keyring (`mcp_oauth_credentials_store = "file"`), so a user's existing
//! sign-ins keep working and ours work with Codex. One JSON object maps
//! `<server name>|<16 hex of a SHA-256 of the server URL>` to an entry:
//!
//! ```json
//! {"docs|0123456789abcdef": {"server_name": "docs", "server_url": "https://h/mcp",
//!   "client_id": "c", "access_token": "…", "expires_at": 1767225600000,
//!   "refresh_token": "…", "scopes": ["read"]}}
//! ```
//!
//! `expires_at` is in milliseconds since the epoch. We add `token_endpoint`, `client_secret`
//! and `resource` so a refresh needs no discovery; Codex ignores them.
//!
//! Writes go to a fresh 0600 temporary file (random name, `O_EXCL`) in CODEX_HOME, flushed and
//! renamed over the file, under an exclusive lock on `.credentials.json.lock` so two
//! processes (a login and an agent refreshing) never lose each other's update.

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::error::OAuthError;

/// The file name inside CODEX_HOME.
pub const CREDENTIALS_FILE: &str = ".credentials.json";
const LOCK_FILE: &str = ".credentials.json.lock";

/// One server's tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTokens {
    /// The server's name in config.toml.
    pub server_name: String,
    /// Its URL when the tokens were obtained; a changed URL needs a new sign-in.
    pub server_url: String,
    /// The OAuth client the tokens belong to.
    pub client_id: String,
    /// Sent as `Authorization: Bearer`.
    pub access_token: String,
    /// When the access token expires, in ms since the epoch; `None`: unknown.
    #[serde(default)]
    pub expires_at: Option<u64>,
    /// For getting a new access token without the browser.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// The scopes granted.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The client's secret, when registration issued one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Where refreshes go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// The RFC 8707 resource the tokens are for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredTokens")
            .field("server_name", &self.server_name)
            .field("server_url", &self.server_url)
            .field("client_id", &self.client_id)
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// Milliseconds since the epoch, now.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl StoredTokens {
    /// Whether the access token expires within `skew_ms` (or has expired).
    pub fn expires_within(&self, skew_ms: u64) -> bool {
        self.expires_at
            .is_some_and(|at| now_ms().saturating_add(skew_ms) >= at)
    }
}

/// The key Codex files a server's entry under.
pub fn store_key(server_name: &str, server_url: &str) -> String {
    // serde_json's map sorts keys: {"headers":{},"type":"http","url":…}.
    let payload = serde_json::json!({"type": "http", "url": server_url, "headers": {}});
    let digest = Sha256::digest(payload.to_string().as_bytes());
    let hex = digest.iter().take(8).fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    });
    format!("{server_name}|{hex}")
}

/// The credentials file of one CODEX_HOME.
#[derive(Debug, Clone)]
pub struct CredentialStore {
    dir: PathBuf,
}

type FileMap = BTreeMap<String, StoredTokens>;

impl CredentialStore {
    /// The store in `codex_home`.
    pub fn new(codex_home: &Path) -> Self {
        Self {
            dir: codex_home.to_path_buf(),
        }
    }

    /// The file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join(CREDENTIALS_FILE)
    }

    fn error(&self, message: String) -> OAuthError {
        OAuthError::Store {
            path: self.path(),
            message,
        }
    }

    fn read(&self) -> Result<FileMap, OAuthError> {
        let path = self.path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileMap::new()),
            Err(e) => return Err(self.error(format!("cannot read: {e}"))),
        };
        if text.trim().is_empty() {
            return Ok(FileMap::new());
        }
        serde_json::from_str(&text).map_err(|e| {
            self.error(format!(
                "line {} column {}: not a credentials file ({}); run `codex mcp logout` for each server, or delete the file and sign in again",
                e.line(),
                e.column(),
                if e.is_data() { "a field is missing or has the wrong type" } else { "not valid JSON" }
            ))
        })
    }

    fn write(&self, map: &FileMap) -> Result<(), OAuthError> {
        let path = self.path();
        if map.is_empty() {
            return match std::fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(self.error(format!("cannot delete: {e}"))),
            };
        }
        let text = serde_json::to_string_pretty(map)
            .map_err(|e| self.error(format!("cannot serialize: {e}")))?;
        // NamedTempFile: O_EXCL under a random name, mode 0600 from the start.
        let mut temp = tempfile::Builder::new()
            .prefix(".credentials.json.tmp-")
            .tempfile_in(&self.dir)
            .map_err(|e| self.error(format!("cannot create a temporary file beside it: {e}")))?;
        temp.write_all(text.as_bytes())
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| self.error(format!("cannot write: {e}")))?;
        temp.persist(&path)
            .map_err(|e| self.error(format!("cannot replace: {}", e.error)))?;
        Ok(())
    }

    /// Runs `f` on the file's contents under the lock and writes the result back when `f`
    /// says it changed something.
    fn update<T>(&self, f: impl FnOnce(&mut FileMap) -> (bool, T)) -> Result<T, OAuthError> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| self.error(format!("cannot create {}: {e}", self.dir.display())))?;
        let lock_path = self.dir.join(LOCK_FILE);
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let lock = options
            .open(&lock_path)
            .map_err(|e| self.error(format!("cannot open {}: {e}", lock_path.display())))?;
        lock.lock()
            .map_err(|e| self.error(format!("cannot lock {}: {e}", lock_path.display())))?;
        let mut map = self.read()?;
        let (changed, out) = f(&mut map);
        if changed {
            self.write(&map)?;
        }
        Ok(out)
    }

    /// The tokens of `server_name` at `server_url`. Entries are matched by name and URL, not
    /// by key, so entries another program keyed differently are still found.
    pub fn load(
        &self,
        server_name: &str,
        server_url: &str,
    ) -> Result<Option<StoredTokens>, OAuthError> {
        Ok(self
            .read()?
            .into_values()
            .find(|t| t.server_name == server_name && t.server_url == server_url))
    }

    /// Saves (replaces) the tokens of `tokens.server_name` at `tokens.server_url`.
    pub fn save(&self, tokens: &StoredTokens) -> Result<(), OAuthError> {
        self.update(|map| {
            map.retain(|_, t| {
                !(t.server_name == tokens.server_name && t.server_url == tokens.server_url)
            });
            map.insert(
                store_key(&tokens.server_name, &tokens.server_url),
                tokens.clone(),
            );
            (true, ())
        })
    }

    /// Deletes the tokens of `server_name` at `server_url`; whether there were any.
    pub fn delete(&self, server_name: &str, server_url: &str) -> Result<bool, OAuthError> {
        self.update(|map| {
            let before = map.len();
            map.retain(|_, t| !(t.server_name == server_name && t.server_url == server_url));
            let removed = map.len() != before;
            (removed, removed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn tokens(name: &str, access: &str) -> StoredTokens {
        StoredTokens {
            server_name: name.into(),
            server_url: "https://h.example/mcp".into(),
            client_id: "c1".into(),
            access_token: access.into(),
            expires_at: Some(now_ms() + 3_600_000),
            refresh_token: Some("rt".into()),
            scopes: vec!["read".into()],
            client_secret: None,
            token_endpoint: Some("https://as.example/token".into()),
            resource: None,
        }
    }

    #[test]
    fn save_replace_delete_and_the_file_mode() {
        let home = tempfile::tempdir().unwrap();
        let store = CredentialStore::new(home.path());
        assert_eq!(store.load("a", "https://h.example/mcp").unwrap(), None);
        store.save(&tokens("a", "one")).unwrap();
        store.save(&tokens("b", "two")).unwrap();
        store.save(&tokens("a", "three")).unwrap();
        let loaded = store.load("a", "https://h.example/mcp").unwrap().unwrap();
        assert_eq!(loaded.access_token, "three");
        assert_eq!(store.load("a", "https://other/mcp").unwrap(), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let raw: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(store.path()).unwrap()).unwrap();
        let keys: Vec<_> = raw.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 2);
        assert!(
            keys[0].starts_with("a|") && keys[0].len() == 2 + 16,
            "{keys:?}"
        );
        assert!(store.delete("a", "https://h.example/mcp").unwrap());
        assert!(!store.delete("a", "https://h.example/mcp").unwrap());
        assert!(store.delete("b", "https://h.example/mcp").unwrap());
        assert!(!store.path().exists(), "an empty store removes the file");
        let leftovers: Vec<_> = std::fs::read_dir(home.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn a_codex_written_entry_is_read() {
        let home = tempfile::tempdir().unwrap();
        let store = CredentialStore::new(home.path());
        std::fs::write(
            store.path(),
            r#"{"docs|ffff":{"server_name":"docs","server_url":"https://h/mcp","client_id":"c","access_token":"at","expires_at":null,"refresh_token":null,"scopes":[]}}"#,
        )
        .unwrap();
        let loaded = store.load("docs", "https://h/mcp").unwrap().unwrap();
        assert_eq!(loaded.access_token, "at");
        assert_eq!(loaded.token_endpoint, None);
        std::fs::write(store.path(), "{not json").unwrap();
        let err = store.load("docs", "https://h/mcp").unwrap_err().to_string();
        assert!(err.contains(".credentials.json: line 1"), "{err}");
    }
}
