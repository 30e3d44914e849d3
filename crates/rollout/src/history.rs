//! `CODEX_HOME/history.jsonl`: every prompt the user submitted, across sessions, one line each
//! (`{"session_id":"<uuid>","ts":<unix seconds>,"text":"…"}`), for prompt recall.
//!
//! Several agents may append at once, so each append takes an advisory `flock` (a few retries,
//! then give up rather than block a turn) and writes its line in one `write(2)` with `O_APPEND`.
//! The file holds what the user typed, so it is kept at mode 0600. With `[history] max_bytes`,
//! an append that takes the file past the bound trims it, under the same lock, to about 80 % of
//! it by dropping the oldest lines (Codex's rule), so trimming is rare rather than every time.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The file name under CODEX_HOME.
pub const HISTORY_FILE: &str = "history.jsonl";

/// Attempts to take the lock before giving up.
const LOCK_ATTEMPTS: u32 = 10;
/// Pause between attempts.
const LOCK_RETRY: Duration = Duration::from_millis(100);

/// One submitted prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The session it was typed in (`conversation_id` in some older files).
    #[serde(alias = "conversation_id")]
    pub session_id: String,
    /// When, in seconds since the Unix epoch.
    pub ts: u64,
    /// What the user typed.
    pub text: String,
}

/// An error appending to or reading `history.jsonl`.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Opening, locking or writing the file failed; the message names the file.
    #[error("cannot {action} {}: {error}", path.display())]
    Io {
        /// What we were doing.
        action: &'static str,
        /// The history file.
        path: PathBuf,
        /// The operating system's error.
        error: io::Error,
    },
    /// Another process held the lock through every retry (about a second); the prompt was not
    /// recorded. Retrying later may succeed.
    #[error("{} is locked by another process; the prompt was not added to the history", path.display())]
    Locked {
        /// The history file.
        path: PathBuf,
    },
    /// Encoding the line failed (never for these field types).
    #[error("cannot encode a history line: {0}")]
    Encode(#[from] serde_json::Error),
}

/// `CODEX_HOME/history.jsonl`.
pub fn history_path(codex_home: &Path) -> PathBuf {
    codex_home.join(HISTORY_FILE)
}

/// Appends one prompt to `CODEX_HOME/history.jsonl`, creating it (0600) if needed.
pub fn append_history(codex_home: &Path, session_id: &str, text: &str) -> Result<(), HistoryError> {
    append_history_bounded(codex_home, session_id, text, None)
}

/// [`append_history`], then, when the file has grown past `max_bytes`, drops its oldest lines
/// until it holds at most 80 % of that (the newest line always stays).
pub fn append_history_bounded(
    codex_home: &Path,
    session_id: &str,
    text: &str,
    max_bytes: Option<u64>,
) -> Result<(), HistoryError> {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let entry = HistoryEntry {
        session_id: session_id.to_owned(),
        ts,
        text: text.to_owned(),
    };
    let mut line = serde_json::to_vec(&entry)?;
    line.push(b'\n');

    let path = history_path(codex_home);
    let io = |action| {
        let path = path.clone();
        move |error| HistoryError::Io {
            action,
            path,
            error,
        }
    };
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&path)
        .map_err(io("open"))?;
    // `mode` applies only on creation; a file made by something else is tightened here.
    let permissions = file
        .metadata()
        .map_err(io("read the permissions of"))?
        .permissions();
    if permissions.mode() & 0o777 != 0o600 {
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io("restrict the permissions of"))?;
    }
    lock_with_retries(&file, &path)?;
    let mut written = file.write_all(&line).map_err(io("append to"));
    if written.is_ok()
        && let Some(max) = max_bytes
    {
        written = trim_locked(&file, &path, max).map_err(io("trim"));
    }
    // Closing the file releases the lock too; unlocking first lets a waiter in sooner.
    let _ = file.unlock();
    written
}

/// Cuts the oldest lines of the locked history file when it is longer than `max` bytes. The
/// rewrite goes through a second, non-append handle (an `O_APPEND` handle cannot write at the
/// start); the lock held on the first keeps every cooperating writer out meanwhile.
fn trim_locked(file: &File, path: &Path, max: u64) -> io::Result<()> {
    if file.metadata()?.len() <= max {
        return Ok(());
    }
    let soft = max / 10 * 8;
    let mut rw = OpenOptions::new().read(true).write(true).open(path)?;
    let mut data = Vec::new();
    rw.read_to_end(&mut data)?;
    // Drop whole lines from the front until the rest fits, keeping at least the last line.
    let last_start = data[..data.len().saturating_sub(1)]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let mut cut = 0;
    while (data.len() - cut) as u64 > soft && cut < last_start {
        cut = data[cut..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(last_start, |i| cut + i + 1)
            .min(last_start);
    }
    if cut == 0 {
        return Ok(());
    }
    rw.seek(SeekFrom::Start(0))?;
    rw.write_all(&data[cut..])?;
    rw.set_len((data.len() - cut) as u64)?;
    Ok(())
}

fn lock_with_retries(file: &File, path: &Path) -> Result<(), HistoryError> {
    for attempt in 1..=LOCK_ATTEMPTS {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) if attempt < LOCK_ATTEMPTS => thread::sleep(LOCK_RETRY),
            Err(TryLockError::WouldBlock) => break,
            Err(TryLockError::Error(error)) => {
                return Err(HistoryError::Io {
                    action: "lock",
                    path: path.to_path_buf(),
                    error,
                });
            }
        }
    }
    Err(HistoryError::Locked {
        path: path.to_path_buf(),
    })
}

/// Every entry of `CODEX_HOME/history.jsonl`, oldest first; a missing file has none. Lines
/// that do not parse (a torn last line, foreign edits) are skipped.
pub fn read_history(codex_home: &Path) -> Result<Vec<HistoryEntry>, HistoryError> {
    let path = history_path(codex_home);
    let data = match fs::read(&path) {
        Ok(data) => data,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(HistoryError::Io {
                action: "read",
                path,
                error,
            });
        }
    };
    Ok(data
        .split(|b| *b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_lines_and_reads_both_id_spellings() {
        let home = tempfile::tempdir().unwrap();
        append_history(home.path(), "s1", "first\nwith newline").unwrap();
        append_history(home.path(), "s1", "second").unwrap();
        let mut raw = OpenOptions::new()
            .append(true)
            .open(history_path(home.path()))
            .unwrap();
        raw.write_all(b"{\"conversation_id\":\"old\",\"ts\":1,\"text\":\"older\"}\n{\"sess")
            .unwrap();
        let entries = read_history(home.path()).unwrap();
        let texts: Vec<_> = entries
            .iter()
            .map(|e| (e.session_id.as_str(), e.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                ("s1", "first\nwith newline"),
                ("s1", "second"),
                ("old", "older")
            ]
        );
        let mode = fs::metadata(history_path(home.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn trims_the_oldest_lines_past_max_bytes() {
        let home = tempfile::tempdir().unwrap();
        for i in 0..20 {
            append_history_bounded(home.path(), "s", &format!("prompt {i:02}"), Some(1000))
                .unwrap();
        }
        let size = fs::metadata(history_path(home.path())).unwrap().len();
        assert!(size <= 1000, "{size}");
        let texts: Vec<_> = read_history(home.path())
            .unwrap()
            .into_iter()
            .map(|e| e.text)
            .collect();
        assert_eq!(texts.last().map(String::as_str), Some("prompt 19"));
        // Whole lines only: every remaining line parses, in order.
        let raw = fs::read_to_string(history_path(home.path())).unwrap();
        assert_eq!(raw.lines().count(), texts.len());
        assert!(texts.windows(2).all(|w| w[0] < w[1]));
        // A bound smaller than one line keeps the newest line.
        append_history_bounded(home.path(), "s", "the newest", Some(10)).unwrap();
        let texts: Vec<_> = read_history(home.path())
            .unwrap()
            .into_iter()
            .map(|e| e.text)
            .collect();
        assert_eq!(texts, ["the newest"]);
    }

    #[test]
    fn tightens_permissions_of_an_existing_file() {
        let home = tempfile::tempdir().unwrap();
        let path = history_path(home.path());
        fs::write(&path, "").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        append_history(home.path(), "s", "t").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn gives_up_when_the_lock_stays_taken() {
        let home = tempfile::tempdir().unwrap();
        append_history(home.path(), "s", "t").unwrap();
        let holder = File::open(history_path(home.path())).unwrap();
        holder.lock().unwrap();
        let err = append_history(home.path(), "s", "u").unwrap_err();
        assert!(matches!(err, HistoryError::Locked { .. }), "{err}");
        holder.unlock().unwrap();
        append_history(home.path(), "s", "u").unwrap();
        assert_eq!(read_history(home.path()).unwrap().len(), 2);
    }
}
