//! Reading, writing and deleting `$CODEX_HOME/auth.json`.
//!
//! Writes go to a temporary file in the same directory, created with mode 0600, flushed to disk
//! and renamed over auth.json: a crash mid-write leaves either the old file or the new one, never
//! a truncated one, and the credentials are never readable by other users, not even briefly.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::auth_dot_json::AuthDotJson;

/// The file name inside CODEX_HOME.
pub const AUTH_FILE_NAME: &str = "auth.json";

/// Failures reading or writing auth.json. Each names the file.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StorageError {
    /// auth.json exists but could not be read (permissions, I/O). Retrying rarely helps.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: Arc<io::Error>,
    },
    /// auth.json is not the JSON we expect (hand-edited, or written by something else).
    /// Logging in again replaces it.
    #[error(
        "{} is not valid auth data ({source}); log in again to replace it, or delete the file",
        path.display()
    )]
    Corrupt {
        path: PathBuf,
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// Writing the new auth.json (or its temporary file) failed: disk full, read-only
    /// directory, permissions.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: Arc<io::Error>,
    },
    /// auth.json exists but could not be deleted.
    #[error("cannot delete {}: {source}", path.display())]
    Delete {
        path: PathBuf,
        #[source]
        source: Arc<io::Error>,
    },
}

/// Where auth.json lives in `codex_home`.
pub fn auth_file_path(codex_home: &Path) -> PathBuf {
    codex_home.join(AUTH_FILE_NAME)
}

/// Reads auth.json. `Ok(None)` when there is no file (or it holds just `null`): not logged in.
pub fn read_auth_file(codex_home: &Path) -> Result<Option<AuthDotJson>, StorageError> {
    let path = auth_file_path(codex_home);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(StorageError::Read {
                path,
                source: Arc::new(e),
            });
        }
    };
    serde_json::from_str::<Option<AuthDotJson>>(&text).map_err(|e| StorageError::Corrupt {
        path,
        source: Arc::new(e),
    })
}

/// Replaces auth.json atomically with `auth`, pretty-printed, mode 0600. Creates `codex_home`
/// (mode 0700) when it does not exist yet.
pub fn write_auth_file(codex_home: &Path, auth: &AuthDotJson) -> Result<(), StorageError> {
    let path = auth_file_path(codex_home);
    let write_err = |path: &Path, e: io::Error| StorageError::Write {
        path: path.to_owned(),
        source: Arc::new(e),
    };
    create_private_dir(codex_home).map_err(|e| write_err(codex_home, e))?;
    let mut json = serde_json::to_vec_pretty(auth)
        .map_err(|e| write_err(&path, io::Error::new(io::ErrorKind::InvalidData, e)))?;
    json.push(b'\n');

    let tmp = temp_path(codex_home);
    let result = write_synced(&tmp, &json).and_then(|()| fs::rename(&tmp, &path));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(write_err(&path, e));
    }
    // Make the rename itself durable; a failure here does not undo the write.
    if let Ok(dir) = File::open(codex_home) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Deletes auth.json. `Ok(false)` when there was none.
pub fn delete_auth_file(codex_home: &Path) -> Result<bool, StorageError> {
    let path = auth_file_path(codex_home);
    match fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(StorageError::Delete {
            path,
            source: Arc::new(e),
        }),
    }
}

/// A name no other writer uses at the same time: pid plus random suffix.
fn temp_path(dir: &Path) -> PathBuf {
    let suffix: u64 = rand::random();
    dir.join(format!(
        ".{AUTH_FILE_NAME}.{}.{suffix:016x}.tmp",
        std::process::id()
    ))
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    // The umask can only remove bits, but an explicit set guards against odd filesystems.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn write_is_0600_and_leaves_no_temp_files() {
        let home = tempfile::tempdir().unwrap();
        write_auth_file(home.path(), &AuthDotJson::for_api_key("sk-1")).unwrap();
        write_auth_file(home.path(), &AuthDotJson::for_api_key("sk-2")).unwrap();
        let path = auth_file_path(home.path());
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let names: Vec<_> = fs::read_dir(home.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "only auth.json remains");
        let back = read_auth_file(home.path()).unwrap().unwrap();
        assert_eq!(back.api_key(), Some("sk-2"));
    }

    #[test]
    fn missing_file_is_logged_out_and_corrupt_file_names_its_path() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(read_auth_file(home.path()).unwrap(), None);
        assert!(!delete_auth_file(home.path()).unwrap());
        fs::write(auth_file_path(home.path()), "{not json").unwrap();
        let err = read_auth_file(home.path()).unwrap_err().to_string();
        assert!(
            err.contains(&auth_file_path(home.path()).display().to_string()),
            "{err}"
        );
    }

    #[test]
    fn creates_a_missing_home() {
        let root = tempfile::tempdir().unwrap();
        let home = root.path().join("nested/home");
        write_auth_file(&home, &AuthDotJson::for_api_key("sk-1")).unwrap();
        assert!(delete_auth_file(&home).unwrap());
    }
}
