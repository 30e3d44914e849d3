//! The session store: every conversation is appended, line by line, to a rollout file under
//! `CODEX_HOME/sessions/YYYY/MM/DD/`, in the format OpenAI's Codex CLI writes and reads, so
//! sessions move freely between the two. No database: the file names order and identify the
//! sessions, and a listing reads only the head of the files it shows.
//!
//! - [`RolloutRecorder`] creates a session's file on its first item and appends to it;
//!   [`RolloutRecorder::resume`] reopens one that was loaded.
//! - [`load_rollout`] reads a file back into a [`LoadedSession`] (history, turn contexts,
//!   events), tolerating a torn last line and other releases' shapes.
//! - [`find_by_id`] (full id or unique prefix), [`find_latest`] (`--last`) and
//!   [`list_sessions`] (pages of [`SessionSummary`]) find sessions; [`count_messages`] counts
//!   a listed session's messages for a picker row.
//! - [`set_session_name`] / [`session_names`] / [`find_by_name`] keep session names in
//!   `CODEX_HOME/session_index.jsonl`, Codex's file for them (rollouts stay untouched).
//! - [`append_history`] / [`read_history`] keep `CODEX_HOME/history.jsonl`, the prompts typed.
//!
//! The line types themselves live in `codex_protocol::rollout`.
//!
//! ```no_run
//! use codex_protocol::ResponseItem;
//! use codex_protocol::rollout::{SessionMeta, SessionSource};
//! use codex_rollout::{RolloutRecorder, SessionFilter, find_latest, load_rollout, new_session_id, now_timestamp};
//! # fn main() -> Result<(), codex_rollout::RolloutError> {
//! let home = std::path::Path::new("/home/me/.codex");
//! let meta = SessionMeta {
//!     id: new_session_id().to_string(),
//!     timestamp: now_timestamp(),
//!     cwd: "/home/me/project".into(),
//!     originator: "codex_exec".into(),
//!     cli_version: "0.1.0".into(),
//!     source: SessionSource::Exec,
//!     model_provider: Some("openai".into()),
//!     ..SessionMeta::default()
//! };
//! let mut recorder = RolloutRecorder::new(home, meta)?;
//! recorder.record_response_items(&[ResponseItem::user_text("hello")])?;
//!
//! let latest = find_latest(home, &SessionFilter::default())?.expect("just written");
//! let session = load_rollout(&latest.path)?;
//! assert_eq!(session.items.len(), 1);
//! # Ok(()) }
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod context;
mod cursor;
mod error;
mod find;
mod git;
mod history;
mod line;
mod list;
mod names;
mod paths;
mod recorder;
mod session;

pub use context::is_injected_context;
pub use cursor::Cursor;
pub use error::{RolloutError, SessionCandidate};
pub use find::find_by_id;
pub use git::{collect_git_info, git_root};
pub use history::{
    HISTORY_FILE, HistoryEntry, HistoryError, append_history, append_history_bounded, history_path,
    read_history,
};
pub use list::{
    HEAD_MAX_BYTES, HEAD_MAX_LINES, Page, SessionFilter, SessionSummary, count_messages,
    find_latest, list_sessions,
};
pub use names::{
    MAX_SESSION_NAME_CHARS, SESSION_INDEX_FILE, find_by_name, session_index_path, session_names,
    set_session_name,
};
pub use paths::{SESSIONS_SUBDIR, parse_rollout_file_name, rollout_path, sessions_dir};
pub use recorder::{RolloutRecorder, RolloutSyncer, new_session_id, now_timestamp};
pub use session::{LoadWarning, LoadedSession, load_rollout};
