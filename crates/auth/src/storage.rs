//! Reading, writing and deleting `$CODEX_HOME/auth.json`.
//!
//! Writes go to a temporary file in the same directory, created with mode 0600, flushed to disk
//! and renamed over auth.json: a crash mid-write leaves either the old file or the new one, never
//! a truncated one, and the credentials are never readable by other users, not even briefly.
//! Temporary files a killed writer left behind (they hold credentials too) are deleted by the
//! next read, write or delete in any process. Parse errors name the key, never its value.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

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
    /// Logging in again replaces it. The message names the key, never its value: the value
    /// may be a credential.
    #[error(
        "{}:{line}:{column}: {problem}; log in again to replace it, or delete the file",
        path.display()
    )]
    Corrupt {
        path: PathBuf,
        /// Where and what, without any value from the file: "`tokens`: wrong type (expected
        /// struct TokenData)", "not valid JSON (trailing comma)".
        problem: String,
        line: usize,
        column: usize,
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
    remove_stale_temp_files(codex_home);
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
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    let corrupt = |key: &str, e: &serde_json::Error| StorageError::Corrupt {
        path: path.clone(),
        problem: describe_parse_error(key, e),
        line: e.line(),
        column: e.column(),
    };
    let auth: Option<AuthDotJson> = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| corrupt(&e.path().to_string(), e.inner()))?;
    deserializer.end().map_err(|e| corrupt("", &e))?;
    Ok(auth)
}

/// A parse error in words that quote no value from the file. serde's data errors do quote
/// them (`invalid type: string "sk-...", expected ...`), so only the expectation is kept.
fn describe_parse_error(key: &str, e: &serde_json::Error) -> String {
    let message = e.to_string();
    // serde_json appends " at line L column C"; the error already carries those.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(head, _)| head);
    let what = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("not valid JSON ({message})")
        }
        serde_json::error::Category::Io => "could not be read".to_owned(),
        serde_json::error::Category::Data => {
            if message.starts_with("missing field") {
                message.to_owned()
            } else {
                match message.split_once(", expected ") {
                    Some((_, expected)) => format!("wrong type or value (expected {expected})"),
                    None => "wrong type or value".to_owned(),
                }
            }
        }
    };
    if key.is_empty() || key == "." {
        what
    } else {
        format!("`{key}`: {what}")
    }
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
    remove_stale_temp_files(codex_home);
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
    remove_stale_temp_files(codex_home);
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

/// A write still in progress is not stale; one this old is, whatever its writer's pid says.
const STALE_TEMP_AGE: Duration = Duration::from_mins(10);

/// Deletes temporary files of auth.json left by writers that died mid-write (they hold
/// credentials): those whose process is gone, or that are older than [`STALE_TEMP_AGE`]. Runs
/// whenever auth.json is read, written or deleted. Best effort: errors are ignored.
pub(crate) fn remove_stale_temp_files(codex_home: &Path) {
    let Ok(entries) = fs::read_dir(codex_home) else {
        return;
    };
    let own_pid = std::process::id();
    // Without /proc (not Linux), a writer's pid cannot be checked: go by age alone.
    let can_check_pids = Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_file_pid) else {
            continue;
        };
        if pid == own_pid {
            continue;
        }
        let writer_gone = can_check_pids && !Path::new("/proc").join(pid.to_string()).exists();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        if writer_gone || old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The writer's pid if `name` is one of our temporary names (see [`temp_path`]).
fn temp_file_pid(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(&format!(".{AUTH_FILE_NAME}."))?
        .strip_suffix(".tmp")?;
    let (pid, suffix) = rest.split_once('.')?;
    if suffix.len() != 16 || !suffix.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    pid.parse().ok()
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

    #[test]
    fn parse_errors_name_the_key_never_the_value() {
        let home = tempfile::tempdir().unwrap();
        let path = auth_file_path(home.path());
        for (text, key) in [
            (r#"{"tokens": "sk-secret-VALUE-123"}"#, "`tokens`"),
            (
                "{\"OPENAI_API_KEY\": \"sk-secret-VALUE-123\",}",
                "not valid JSON",
            ),
        ] {
            fs::write(&path, text).unwrap();
            let err = read_auth_file(home.path()).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(shown.contains(key), "{text}: {shown}");
            assert!(shown.contains(&path.display().to_string()), "{shown}");
            assert!(!shown.contains("secret-VALUE"), "{text}: {shown}");
        }
    }

    #[test]
    fn temp_files_of_dead_writers_are_removed_by_the_next_read_write_or_delete() {
        let home = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = |pid: u32| {
            home.path()
                .join(format!(".auth.json.{pid}.00112233aabbccdd.tmp"))
        };
        for op in 0..3 {
            fs::write(stale(dead), "{\"OPENAI_API_KEY\":\"sk-left-behind\"}").unwrap();
            // pid 1 is alive, and our own pid may be writing right now: both are kept.
            fs::write(stale(1), "").unwrap();
            fs::write(stale(std::process::id()), "").unwrap();
            match op {
                0 => drop(read_auth_file(home.path()).unwrap()),
                1 => write_auth_file(home.path(), &AuthDotJson::for_api_key("sk-1")).unwrap(),
                _ => drop(delete_auth_file(home.path()).unwrap()),
            }
            assert!(
                !stale(dead).exists(),
                "operation {op} left the dead writer's file"
            );
            assert!(stale(1).exists() && stale(std::process::id()).exists());
        }
        assert_eq!(
            temp_file_pid(".auth.json.12.00112233aabbccdd.tmp"),
            Some(12)
        );
        for other in [
            ".auth.json.12.tmp",
            "auth.json",
            ".auth.json.x.00112233aabbccdd.tmp",
        ] {
            assert_eq!(temp_file_pid(other), None, "{other}");
        }
    }
}
