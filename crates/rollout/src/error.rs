//! What can go wrong recording, reading and finding sessions.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// An error of the session store. Messages name the file (and line) involved.
#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    /// Reading or writing a session file or directory failed (permissions, disk full, a
    /// vanished file). Retrying helps only if the cause was transient.
    #[error("cannot {action} {}: {error}", path.display())]
    Io {
        /// What we were doing: `create`, `read`, `append to`, …
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        error: io::Error,
    },
    /// A line before the last one is not a JSON object: the file was damaged (edited by hand,
    /// or two writers without append mode). A torn *last* line is only a warning.
    #[error(
        "{}:{line}: damaged session line ({reason}); remove or fix that line to resume the session",
        path.display()
    )]
    Corrupt {
        /// The rollout file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What the JSON parser said.
        reason: String,
    },
    /// The file has no `session_meta` line, so it is not a session (or it was cut off before
    /// its first line was complete).
    #[error("{}: no session_meta line; this is not a session file", path.display())]
    MissingMeta {
        /// The file.
        path: PathBuf,
    },
    /// A session id given to the recorder is not a UUID.
    #[error("`{value}` is not a valid session id: expected a UUID")]
    InvalidSessionId {
        /// The id.
        value: String,
    },
    /// A lookup argument is neither a UUID nor the start of one.
    #[error(
        "`{value}` is not a session id: expected a UUID or the start of one (hex digits and `-`)"
    )]
    InvalidIdPrefix {
        /// What was given.
        value: String,
    },
    /// No rollout file's name carries the id.
    #[error("no session with id `{id}` under {}", sessions_dir.display())]
    NotFound {
        /// The id or prefix looked up.
        id: String,
        /// The directory searched.
        sessions_dir: PathBuf,
    },
    /// An id prefix matches more than one session.
    #[error(
        "session id prefix `{prefix}` matches {total} sessions:\n{}give more characters of the id",
        CandidateList { shown: candidates, total: *total }
    )]
    Ambiguous {
        /// The prefix given.
        prefix: String,
        /// How many sessions it matches.
        total: usize,
        /// The first few of them, newest first.
        candidates: Vec<SessionCandidate>,
    },
    /// A pagination cursor is not of the form `<YYYY-MM-DDThh-mm-ss>|<uuid>`.
    #[error("`{value}` is not a session list cursor: expected `<YYYY-MM-DDThh-mm-ss>|<uuid>`")]
    InvalidCursor {
        /// What was given.
        value: String,
    },
    /// A session name is empty, spans lines or is too long (`/rename`).
    #[error("`{name}` cannot be a session name: give one line of 1 to {max} characters")]
    InvalidSessionName {
        /// The name given (trimmed).
        name: String,
        /// The longest name accepted, in characters.
        max: usize,
    },
    /// Serialising a line failed; a bug (maps with non-string keys), not a user error.
    #[error("cannot encode a session line: {0}")]
    Encode(#[from] serde_json::Error),
}

/// One session matched by an ambiguous id prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCandidate {
    /// Its full id.
    pub id: String,
    /// Its rollout file.
    pub path: PathBuf,
}

struct CandidateList<'a> {
    shown: &'a [SessionCandidate],
    total: usize,
}

impl fmt::Display for CandidateList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for candidate in self.shown {
            writeln!(f, "  {}  {}", candidate.id, candidate.path.display())?;
        }
        if self.total > self.shown.len() {
            writeln!(f, "  … and {} more", self.total - self.shown.len())?;
        }
        Ok(())
    }
}

/// Wraps an I/O error with what we were doing and where.
pub(crate) fn io_error(
    action: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(io::Error) -> RolloutError {
    let path = path.into();
    move |error| RolloutError::Io {
        action,
        path,
        error,
    }
}
