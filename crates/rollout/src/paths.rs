//! Where sessions live and how their files are named:
//! `CODEX_HOME/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl`, in local time.
//!
//! The name alone sorts sessions (timestamp, then id) and carries the id, so listing and lookup
//! walk directory entries newest first and open only the files they return.

use std::cmp::Reverse;
use std::fs;
use std::io;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local};
use uuid::Uuid;

use crate::cursor::Cursor;
use crate::error::{RolloutError, io_error};

/// The directory under CODEX_HOME that holds the dated session directories.
pub const SESSIONS_SUBDIR: &str = "sessions";

/// `CODEX_HOME/sessions`.
pub fn sessions_dir(codex_home: &Path) -> PathBuf {
    codex_home.join(SESSIONS_SUBDIR)
}

/// The rollout file of a session created at `created` (local time) with id `id`.
pub fn rollout_path(codex_home: &Path, created: &DateTime<Local>, id: &Uuid) -> PathBuf {
    sessions_dir(codex_home)
        .join(created.format("%Y").to_string())
        .join(created.format("%m").to_string())
        .join(created.format("%d").to_string())
        .join(format!(
            "rollout-{}-{id}.jsonl",
            created.format(FILE_TIME_FORMAT)
        ))
}

/// The timestamp part of a rollout file name (local time, `-` for `:`).
pub(crate) const FILE_TIME_FORMAT: &str = "%Y-%m-%dT%H-%M-%S";

/// Length of a hyphenated UUID.
const UUID_LEN: usize = 36;

/// The timestamp and id in a rollout file name. Accepts the current
/// `rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl` and the early flat `rollout-YYYY-MM-DD-<uuid>.jsonl`.
pub fn parse_rollout_file_name(name: &str) -> Option<(String, Uuid)> {
    let core = name.strip_prefix("rollout-")?.strip_suffix(".jsonl")?;
    let split = core.len().checked_sub(UUID_LEN)?;
    let (head, id) = core.split_at_checked(split)?;
    let id = Uuid::try_parse(id).ok()?;
    let ts = head.strip_suffix('-')?;
    (ts.len() == 19 || ts.len() == 10).then(|| (ts.to_owned(), id))
}

/// A rollout file found by a walk.
#[derive(Debug, Clone)]
pub(crate) struct SessionFile {
    pub(crate) path: PathBuf,
    /// The name's timestamp, `YYYY-MM-DDThh-mm-ss` (local time).
    pub(crate) ts: String,
    pub(crate) id: Uuid,
}

impl SessionFile {
    pub(crate) fn cursor(&self) -> Cursor {
        Cursor::new(self.ts.clone(), self.id)
    }
}

/// Calls `visit` for each rollout file under `sessions_dir`, newest first, skipping those not
/// older than `before`. Directories are read lazily: a first page reads only the newest days.
pub(crate) fn walk_newest_first(
    sessions_dir: &Path,
    before: Option<&Cursor>,
    mut visit: impl FnMut(SessionFile) -> Result<ControlFlow<()>, RolloutError>,
) -> Result<(), RolloutError> {
    // (year, month, day) of the cursor; directories after it hold only newer files.
    let bound = before.and_then(Cursor::date);
    for (year, year_dir) in numbered_dirs(sessions_dir, 4)? {
        if bound.is_some_and(|(y, _, _)| year > y) {
            continue;
        }
        for (month, month_dir) in numbered_dirs(&year_dir, 2)? {
            if bound.is_some_and(|(y, m, _)| (year, month) > (y, m)) {
                continue;
            }
            for (day, day_dir) in numbered_dirs(&month_dir, 2)? {
                if bound.is_some_and(|(y, m, d)| (year, month, day) > (y, m, d)) {
                    continue;
                }
                for file in rollout_files(&day_dir)? {
                    if before.is_some_and(|cursor| !cursor.is_after(&file.ts, &file.id)) {
                        continue;
                    }
                    if visit(file)?.is_break() {
                        return Ok(());
                    }
                }
            }
        }
    }
    Ok(())
}

/// Rollout files directly in `dir`, newest first.
pub(crate) fn rollout_files(dir: &Path) -> Result<Vec<SessionFile>, RolloutError> {
    let mut files = Vec::new();
    for entry in read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let Some((ts, id)) = name.to_str().and_then(parse_rollout_file_name) else {
            continue;
        };
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            files.push(SessionFile {
                path: entry.path(),
                ts,
                id,
            });
        }
    }
    files.sort_by(|a, b| (&b.ts, b.id).cmp(&(&a.ts, a.id)));
    Ok(files)
}

/// Subdirectories of `dir` named by a number of `width` digits, highest first.
fn numbered_dirs(dir: &Path, width: usize) -> Result<Vec<(u32, PathBuf)>, RolloutError> {
    let mut dirs = Vec::new();
    for entry in read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let Some(number) = name
            .to_str()
            .filter(|n| n.len() == width && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            dirs.push((number, entry.path()));
        }
    }
    dirs.sort_by_key(|(number, _)| Reverse(*number));
    Ok(dirs)
}

/// Entries of `dir`; a missing directory has none (no session was ever recorded there).
fn read_dir(dir: &Path) -> Result<impl Iterator<Item = io::Result<fs::DirEntry>>, RolloutError> {
    match fs::read_dir(dir) {
        Ok(entries) => Ok(Some(entries).into_iter().flatten()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None.into_iter().flatten()),
        Err(error) => Err(io_error("list", dir)(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use pretty_assertions::assert_eq;

    #[test]
    fn path_uses_local_date_directories_and_dashed_time() {
        let created = Local.with_ymd_and_hms(2025, 10, 1, 9, 5, 7).unwrap();
        let id = Uuid::parse_str("0199a213-81c0-7800-8aa1-bbab2a035a53").unwrap();
        let path = rollout_path(Path::new("/home/u/.codex"), &created, &id);
        assert_eq!(
            path,
            Path::new(
                "/home/u/.codex/sessions/2025/10/01/rollout-2025-10-01T09-05-07-0199a213-81c0-7800-8aa1-bbab2a035a53.jsonl"
            )
        );
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            parse_rollout_file_name(name),
            Some(("2025-10-01T09-05-07".into(), id))
        );
    }

    #[test]
    fn parses_flat_names_and_rejects_others() {
        let id = "0199a213-81c0-7800-8aa1-bbab2a035a53";
        assert_eq!(
            parse_rollout_file_name(&format!("rollout-2025-05-07-{id}.jsonl"))
                .unwrap()
                .0,
            "2025-05-07"
        );
        for bad in [
            format!("rollout-{id}.jsonl"),
            format!("rollout-2025-05-07-{id}.json"),
            "rollout-2025-05-07-not-a-uuid.jsonl".to_owned(),
            "history.jsonl".to_owned(),
        ] {
            assert_eq!(parse_rollout_file_name(&bad), None, "{bad}");
        }
    }
}
