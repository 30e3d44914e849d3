//! Session names (`/rename`, `resume <name>`), kept in `CODEX_HOME/session_index.jsonl` as
//! Codex keeps thread names: one `{"id","thread_name","updated_at"}` line per rename, appended,
//! the last line for an id winning. Rollout files are never touched, so every reader of
//! sessions (ours, Codex's) keeps working, and a name set by either program is seen by both.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{RolloutError, io_error};
use crate::recorder::now_timestamp;

/// The file under CODEX_HOME that holds session names.
pub const SESSION_INDEX_FILE: &str = "session_index.jsonl";

/// Longest name accepted, in characters: a name is a label, not a note.
pub const MAX_SESSION_NAME_CHARS: usize = 120;

/// `CODEX_HOME/session_index.jsonl`.
pub fn session_index_path(codex_home: &Path) -> PathBuf {
    codex_home.join(SESSION_INDEX_FILE)
}

/// One line of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct IndexEntry {
    id: String,
    thread_name: String,
    #[serde(default)]
    updated_at: String,
}

/// Names session `id` `name` (trimmed; one line of at most [`MAX_SESSION_NAME_CHARS`]
/// characters). A later name replaces an earlier one.
pub fn set_session_name(codex_home: &Path, id: &str, name: &str) -> Result<String, RolloutError> {
    let name = name.trim();
    if name.is_empty()
        || name.contains(['\n', '\r'])
        || name.chars().count() > MAX_SESSION_NAME_CHARS
    {
        return Err(RolloutError::InvalidSessionName {
            name: name.to_owned(),
            max: MAX_SESSION_NAME_CHARS,
        });
    }
    let entry = IndexEntry {
        id: id.to_owned(),
        thread_name: name.to_owned(),
        updated_at: now_timestamp(),
    };
    let mut line = serde_json::to_vec(&entry)?;
    line.push(b'\n');
    let path = session_index_path(codex_home);
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
        .map_err(io_error("open", &path))?;
    // One write of a whole line on an O_APPEND file: concurrent renames never interleave.
    file.write_all(&line)
        .map_err(io_error("append to", &path))?;
    Ok(name.to_owned())
}

/// Every session's current name, by id. A missing index means no names; unreadable lines
/// (another release's shape, a torn write) are skipped.
pub fn session_names(codex_home: &Path) -> Result<HashMap<String, String>, RolloutError> {
    let mut names = HashMap::new();
    for entry in read_index(codex_home)? {
        names.insert(entry.id, entry.thread_name);
    }
    Ok(names)
}

/// The id of the session currently named `name` (exact match; the most recent rename wins
/// when two sessions were given the same name).
pub fn find_by_name(codex_home: &Path, name: &str) -> Result<Option<String>, RolloutError> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    let current = session_names(codex_home)?;
    let entries = read_index(codex_home)?;
    Ok(entries
        .into_iter()
        .rev()
        .find(|entry| {
            entry.thread_name == name
                && current
                    .get(&entry.id)
                    .is_some_and(|now| now.as_str() == name)
        })
        .map(|entry| entry.id))
}

fn read_index(codex_home: &Path) -> Result<Vec<IndexEntry>, RolloutError> {
    let path = session_index_path(codex_home);
    let data = match fs::read(&path) {
        Ok(data) => data,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error("read", &path)(e)),
    };
    Ok(data
        .split(|b| *b == b'\n')
        .filter_map(|line| serde_json::from_slice::<IndexEntry>(line).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn last_rename_wins_and_names_resolve_to_ids() {
        let home = tempfile::tempdir().unwrap();
        assert!(session_names(home.path()).unwrap().is_empty());
        set_session_name(home.path(), "id-1", " first ").unwrap();
        set_session_name(home.path(), "id-2", "shared").unwrap();
        set_session_name(home.path(), "id-1", "shared").unwrap();
        set_session_name(home.path(), "id-2", "later").unwrap();
        let names = session_names(home.path()).unwrap();
        assert_eq!(names["id-1"], "shared");
        assert_eq!(names["id-2"], "later");
        // id-2 was renamed away from "shared": only id-1 carries it now.
        assert_eq!(
            find_by_name(home.path(), "shared").unwrap().as_deref(),
            Some("id-1")
        );
        assert_eq!(find_by_name(home.path(), "first").unwrap(), None);

        let text = fs::read_to_string(session_index_path(home.path())).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["id"], "id-1");
        assert_eq!(first["thread_name"], "first");
        assert!(first["updated_at"].as_str().unwrap().ends_with('Z'));
        let mode = fs::metadata(session_index_path(home.path()))
            .unwrap()
            .permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
    }

    #[test]
    fn rejects_empty_multiline_and_long_names_and_skips_bad_lines() {
        let home = tempfile::tempdir().unwrap();
        for bad in ["  ", "a\nb", &"x".repeat(MAX_SESSION_NAME_CHARS + 1)] {
            let err = set_session_name(home.path(), "id", bad).unwrap_err();
            assert!(err.to_string().contains("session name"), "{err}");
        }
        fs::write(
            session_index_path(home.path()),
            "not json\n{\"id\":\"a\",\"thread_name\":\"n\"}\n{\"id\":\"b\",\"thread_na",
        )
        .unwrap();
        assert_eq!(
            session_names(home.path()).unwrap(),
            HashMap::from([("a".to_owned(), "n".to_owned())])
        );
    }
}
