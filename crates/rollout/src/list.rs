//! Listing sessions newest first, a page at a time, and finding the newest one (`--last`).
//!
//! Only directory entries and the head of each returned file are read (at most
//! [`HEAD_MAX_LINES`] lines and [`HEAD_MAX_BYTES`] bytes): the file name gives the order, the
//! head gives `session_meta` and the first message the user typed. A first page over 10,000
//! sessions opens about 25 files.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveDateTime, Utc};
use codex_protocol::rollout::{EventMsg, RolloutItem, SessionMeta, SessionSource};
use serde::Serialize;

use crate::context::{is_injected_context, typed_user_text};
use crate::cursor::Cursor;
use crate::error::RolloutError;
use crate::line::parse_line;
use crate::paths::{FILE_TIME_FORMAT, SessionFile, sessions_dir, walk_newest_first};

/// Lines of a file read to find its meta and first user message.
pub const HEAD_MAX_LINES: usize = 64;
/// Bytes of a file read to find its meta and first user message.
pub const HEAD_MAX_BYTES: u64 = 1024 * 1024;

/// Which sessions a listing or `--last` considers. `Default` matches every session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Only sessions of this model provider. Sessions that did not record a provider predate
    /// providers and count as `openai`.
    pub model_provider: Option<String>,
    /// Only sessions started in this directory (`None` for `--all`). Compared as paths, so give
    /// it in the same form the sessions recorded (absolute).
    pub cwd: Option<PathBuf>,
    /// Only sessions from these sources; empty for any (see
    /// [`SessionSource::is_interactive`] for Codex's default of `cli` and `vscode`).
    pub sources: Vec<SessionSource>,
}

impl SessionFilter {
    /// Whether a session with this meta passes the filter.
    pub fn matches(&self, meta: &SessionMeta) -> bool {
        let provider_ok = self.model_provider.as_deref().is_none_or(|wanted| {
            meta.model_provider.as_deref().unwrap_or(DEFAULT_PROVIDER) == wanted
        });
        let cwd_ok = self.cwd.as_deref().is_none_or(|cwd| meta.cwd == cwd);
        let source_ok = self.sources.is_empty() || self.sources.contains(&meta.source);
        provider_ok && cwd_ok && source_ok
    }
}

/// The provider of sessions written before `model_provider` was recorded.
const DEFAULT_PROVIDER: &str = "openai";

/// One session as a listing shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    /// The session id.
    pub id: String,
    /// The rollout file.
    pub path: PathBuf,
    /// When the session started.
    pub created: DateTime<Utc>,
    /// When the file was last written.
    pub updated: DateTime<Utc>,
    /// The session's working directory.
    pub cwd: PathBuf,
    /// The git branch at the start, when in a repository.
    pub git_branch: Option<String>,
    /// The commit checked out at the start.
    pub git_commit: Option<String>,
    /// The `origin` remote's URL at the start.
    pub git_origin_url: Option<String>,
    /// The first message the user typed (injected context skipped).
    pub preview: String,
    /// The model provider id.
    pub model_provider: Option<String>,
    /// The model, when the session recorded it (ours do).
    pub model: Option<String>,
    /// Which front end started it.
    pub source: SessionSource,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    /// Sessions, newest first.
    pub items: Vec<SessionSummary>,
    /// Pass back to get the next page; `None` on the last page.
    pub next_cursor: Option<Cursor>,
    /// How many rollout files were looked at (heads read) to fill the page.
    pub scanned_files: usize,
}

/// Lists sessions newest first: up to `page_size` (at least 1) that pass `filter`, starting
/// after `cursor`. Sessions without a message from the user (nothing to resume) are left out.
pub fn list_sessions(
    codex_home: &Path,
    page_size: usize,
    cursor: Option<&Cursor>,
    filter: &SessionFilter,
) -> Result<Page, RolloutError> {
    let page_size = page_size.max(1);
    let mut items: Vec<(SessionSummary, Cursor)> = Vec::with_capacity(page_size);
    let mut next_cursor = None;
    let mut scanned_files = 0;
    walk_newest_first(&sessions_dir(codex_home), cursor, |file| {
        scanned_files += 1;
        let Some(summary) = summarize(&file, filter) else {
            return Ok(ControlFlow::Continue(()));
        };
        if items.len() == page_size {
            // One more exists: the page is full and has a successor.
            next_cursor = items.last().map(|(_, cursor)| cursor.clone());
            return Ok(ControlFlow::Break(()));
        }
        items.push((summary, file.cursor()));
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(Page {
        items: items.into_iter().map(|(s, _)| s).collect(),
        next_cursor,
        scanned_files,
    })
}

/// The newest session that passes `filter` (`resume --last`), if any.
pub fn find_latest(
    codex_home: &Path,
    filter: &SessionFilter,
) -> Result<Option<SessionSummary>, RolloutError> {
    let mut found = None;
    walk_newest_first(&sessions_dir(codex_home), None, |file| {
        found = summarize(&file, filter);
        Ok(if found.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        })
    })?;
    Ok(found)
}

/// How many messages (typed by the user or answered by the agent) a session holds: its
/// `user_message` and `agent_message` events. Reads the whole file but parses no JSON (a
/// byte search per line), so a picker can afford it for the rows it shows.
pub fn count_messages(path: &Path) -> Result<usize, RolloutError> {
    const USER: &[u8] = br#""payload":{"type":"user_message""#;
    const AGENT: &[u8] = br#""payload":{"type":"agent_message""#;
    let file = File::open(path).map_err(crate::error::io_error("read", path))?;
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut line = Vec::new();
    let mut count = 0;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(crate::error::io_error("read", path))?;
        if read == 0 {
            return Ok(count);
        }
        if contains(&line, USER) || contains(&line, AGENT) {
            count += 1;
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Reads the head of a rollout file; `None` when it cannot be read, has no meta or user
/// message within the head, or fails the filter.
fn summarize(file: &SessionFile, filter: &SessionFilter) -> Option<SessionSummary> {
    let handle = File::open(&file.path).ok()?;
    let updated = handle.metadata().and_then(|m| m.modified()).ok()?;
    let mut reader = BufReader::with_capacity(16 * 1024, handle.take(HEAD_MAX_BYTES));
    let mut buf = Vec::new();
    let mut meta: Option<SessionMeta> = None;
    let mut preview = None;
    for _ in 0..HEAD_MAX_LINES {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).ok()? == 0 {
            break;
        }
        let Ok(Some(item)) = parse_line(&buf) else {
            continue;
        };
        match item {
            RolloutItem::SessionMeta(found) if meta.is_none() => {
                if !filter.matches(&found) {
                    return None;
                }
                meta = Some(found);
            }
            RolloutItem::ResponseItem(item) if preview.is_none() => {
                preview = typed_user_text(&item);
            }
            RolloutItem::EventMsg(EventMsg::UserMessage { message, .. })
                if preview.is_none()
                    && !message.trim().is_empty()
                    && !is_injected_context(&message) =>
            {
                preview = Some(message);
            }
            _ => {}
        }
        if meta.is_some() && preview.is_some() {
            break;
        }
    }
    let (meta, preview) = (meta?, preview?);
    let created = DateTime::parse_from_rfc3339(&meta.timestamp)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| name_time(&file.ts))
        .unwrap_or_else(|| updated.into());
    let id = if meta.id.is_empty() {
        file.id.to_string()
    } else {
        meta.id.clone()
    };
    Some(SessionSummary {
        id,
        path: file.path.clone(),
        created,
        updated: updated.into(),
        cwd: meta.cwd,
        git_branch: meta.git.as_ref().and_then(|git| git.branch.clone()),
        git_commit: meta.git.as_ref().and_then(|git| git.commit_hash.clone()),
        git_origin_url: meta.git.and_then(|git| git.repository_url),
        preview,
        model_provider: meta.model_provider,
        model: meta.model,
        source: meta.source,
    })
}

/// The local time in a file name, as UTC.
fn name_time(ts: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(ts, FILE_TIME_FORMAT).ok()?;
    naive
        .and_local_timezone(Local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}
