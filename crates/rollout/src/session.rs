//! Loading a whole rollout file back into a conversation: its meta, its history, the settings
//! of each turn and the events a front end replays.
//!
//! A crash can tear the last line (the write stopped half-way); that line is skipped with a
//! warning. Any earlier line that is not JSON means the file was damaged some other way, and
//! resuming from a silently shortened history would mislead the model, so that is an error
//! naming the file and line.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use codex_protocol::ResponseItem;
use codex_protocol::rollout::{
    EventMsg, KNOWN_ROLLOUT_KINDS, RolloutItem, SessionMeta, TurnContextItem,
};

use crate::context::typed_user_text;
use crate::error::{RolloutError, io_error};
use crate::line::parse_line;

/// A session read back from its rollout file.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSession {
    /// The rollout file.
    pub path: PathBuf,
    /// The first `session_meta` line.
    pub meta: SessionMeta,
    /// The conversation history to send on the next turn, compactions applied, unknown item
    /// types left out.
    pub items: Vec<ResponseItem>,
    /// Every `turn_context`, oldest first.
    pub turn_contexts: Vec<TurnContextItem>,
    /// Persisted events, oldest first (a UI replays them to show the transcript).
    pub events: Vec<EventMsg>,
    /// Lines skipped on the way: a torn last line, known line types in an unexpected shape.
    pub warnings: Vec<LoadWarning>,
}

/// A line [`load_rollout`] skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong with it.
    pub message: String,
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl LoadedSession {
    /// The session id.
    pub fn id(&self) -> &str {
        &self.meta.id
    }
}

/// Reads a rollout file. Tolerates a torn last line, unknown line types and older Codex shapes;
/// fails on a damaged earlier line ([`RolloutError::Corrupt`]) or a file without `session_meta`.
pub fn load_rollout(path: &Path) -> Result<LoadedSession, RolloutError> {
    let data = fs::read(path).map_err(io_error("read", path))?;
    let lines: Vec<&[u8]> = data.split(|b| *b == b'\n').collect();
    let last_content = lines
        .iter()
        .rposition(|line| !line.iter().all(u8::is_ascii_whitespace));

    let mut meta = None;
    let mut items = Vec::new();
    let mut turn_contexts = Vec::new();
    let mut events = Vec::new();
    let mut warnings = Vec::new();
    for (index, bytes) in lines.iter().enumerate() {
        let line = index + 1;
        let item = match parse_line(bytes) {
            Ok(Some(item)) => item,
            Ok(None) => continue,
            Err(reason) if Some(index) == last_content => {
                warnings.push(LoadWarning {
                    line,
                    message: format!("incomplete last line skipped ({reason})"),
                });
                continue;
            }
            Err(reason) => {
                return Err(RolloutError::Corrupt {
                    path: path.to_path_buf(),
                    line,
                    reason,
                });
            }
        };
        match item {
            RolloutItem::SessionMeta(found) => {
                meta.get_or_insert(found);
            }
            RolloutItem::ResponseItem(ResponseItem::Other) => {}
            RolloutItem::ResponseItem(item) => items.push(item),
            RolloutItem::TurnContext(ctx) => turn_contexts.push(ctx),
            RolloutItem::EventMsg(event) => events.push(event),
            RolloutItem::Compacted(compacted) => {
                items = match compacted.replacement_history {
                    Some(history) => history,
                    None => rebuild_after_compaction(&items, compacted.message),
                };
            }
            unknown @ RolloutItem::Unknown(_) => {
                let kind = unknown.kind();
                if KNOWN_ROLLOUT_KINDS.contains(&kind) {
                    warnings.push(LoadWarning {
                        line,
                        message: format!("`{kind}` line in an unexpected shape skipped"),
                    });
                }
            }
        }
    }
    let meta = meta.ok_or_else(|| RolloutError::MissingMeta {
        path: path.to_path_buf(),
    })?;
    Ok(LoadedSession {
        path: path.to_path_buf(),
        meta,
        items,
        turn_contexts,
        events,
        warnings,
    })
}

/// History after a compaction recorded without its replacement (older writers): what the user
/// typed so far, then the summary as a user message.
fn rebuild_after_compaction(items: &[ResponseItem], summary: String) -> Vec<ResponseItem> {
    items
        .iter()
        .filter(|item| typed_user_text(item).is_some())
        .cloned()
        .chain(std::iter::once(ResponseItem::user_text(summary)))
        .collect()
}
