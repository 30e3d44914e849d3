//! Appending a conversation to its rollout file as it happens.
//!
//! The file is created on the first recorded item, not when the session starts, so a session
//! that never got a prompt leaves nothing behind. Each line goes out in one `write(2)` on a file
//! opened with `O_APPEND`: a crash can only tear the last line, which readers skip, and a
//! second process appending to the same session never splits one of our lines.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, SecondsFormat, Utc};
use codex_protocol::ResponseItem;
use codex_protocol::rollout::{EventMsg, RolloutItem, SessionMeta};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{RolloutError, io_error};
use crate::paths::rollout_path;
use crate::session::LoadedSession;

/// A fresh session id: a time-ordered UUID (v7), as current Codex releases use.
pub fn new_session_id() -> Uuid {
    Uuid::now_v7()
}

/// The current time in the form rollout lines and `session_meta` use:
/// RFC 3339, UTC, milliseconds (`2025-10-01T12:00:00.123Z`).
pub fn now_timestamp() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Writes one session's rollout file. Blocking, but each call is a handful of small appends.
#[derive(Debug)]
pub struct RolloutRecorder {
    path: PathBuf,
    session_id: Uuid,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Nothing written yet; the meta goes first once there is something to record.
    Pending(Box<SessionMeta>),
    Open(File),
}

impl RolloutRecorder {
    /// A recorder for a new session described by `meta` (whose `id` must be a UUID, see
    /// [`new_session_id`]). Touches no file until the first [`record`](Self::record).
    pub fn new(codex_home: &Path, meta: SessionMeta) -> Result<Self, RolloutError> {
        Self::new_at(codex_home, meta, Local::now())
    }

    /// Like [`new`](Self::new), with the creation time in the file name given (tests, tools
    /// that import sessions).
    pub fn new_at(
        codex_home: &Path,
        meta: SessionMeta,
        created: DateTime<Local>,
    ) -> Result<Self, RolloutError> {
        let session_id = Uuid::try_parse(&meta.id).map_err(|_| RolloutError::InvalidSessionId {
            value: meta.id.clone(),
        })?;
        let path = rollout_path(codex_home, &created, &session_id);
        Ok(Self {
            path,
            session_id,
            state: State::Pending(Box::new(meta)),
        })
    }

    /// Reopens a session's rollout file to append to it (resume), from the session just read
    /// with [`load_rollout`](crate::load_rollout): the file is not parsed again. A torn last line
    /// left by a crash is cut off first (only the file's tail is read for that), so that the
    /// next line starts on a line of its own.
    pub fn resume(session: &LoadedSession) -> Result<Self, RolloutError> {
        let path = session.path.as_path();
        let session_id =
            Uuid::try_parse(&session.meta.id).map_err(|_| RolloutError::InvalidSessionId {
                value: session.meta.id.clone(),
            })?;
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(io_error("open", path))?;
        let complete = complete_length(&mut file).map_err(io_error("read", path))?;
        if complete == 0 {
            return Err(RolloutError::MissingMeta {
                path: path.to_path_buf(),
            });
        }
        let len = file.metadata().map_err(io_error("read", path))?.len();
        if complete < len {
            file.set_len(complete)
                .map_err(io_error("truncate the torn last line of", path))?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            session_id,
            state: State::Open(file),
        })
    }

    /// The rollout file (which may not exist yet).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The session id.
    pub fn session_id(&self) -> Uuid {
        self.session_id
    }

    /// Whether the file exists: something has been recorded, or the session was resumed.
    pub fn is_created(&self) -> bool {
        matches!(self.state, State::Open(_))
    }

    /// Appends items, one line each. The first call creates the file (mode 0600) and writes the
    /// `session_meta` line before them, so callers never record a `SessionMeta` item
    /// themselves. `ResponseItem::Other` items are not written.
    pub fn record(&mut self, items: &[RolloutItem]) -> Result<(), RolloutError> {
        for item in items {
            if matches!(item, RolloutItem::ResponseItem(ResponseItem::Other)) {
                continue;
            }
            self.write_line(item)?;
        }
        Ok(())
    }

    /// Appends history items as `response_item` lines (without cloning them into
    /// [`RolloutItem`]s).
    pub fn record_response_items(&mut self, items: &[ResponseItem]) -> Result<(), RolloutError> {
        for item in items {
            if matches!(item, ResponseItem::Other) {
                continue;
            }
            self.write_line(&Tagged {
                kind: "response_item",
                payload: item,
            })?;
        }
        Ok(())
    }

    /// Appends one persisted event as an `event_msg` line (without cloning it into a
    /// [`RolloutItem`]).
    pub fn record_event(&mut self, event: &EventMsg) -> Result<(), RolloutError> {
        self.write_line(&Tagged {
            kind: "event_msg",
            payload: event,
        })
    }

    /// What flushes the file to disk, as a value that can be moved to another thread: an
    /// `fsync` may take many milliseconds, which an async caller runs on a blocking thread
    /// rather than stall its runtime. Call at the end of a turn, not per line. `None` while
    /// the file does not exist yet.
    pub fn syncer(&self) -> Result<Option<RolloutSyncer>, RolloutError> {
        match &self.state {
            State::Open(file) => Ok(Some(RolloutSyncer {
                file: file
                    .try_clone()
                    .map_err(io_error("duplicate the handle of", &self.path))?,
                path: self.path.clone(),
            })),
            State::Pending(_) => Ok(None),
        }
    }

    fn write_line(&mut self, item: &impl Serialize) -> Result<(), RolloutError> {
        let path = &self.path;
        if let State::Pending(meta) = &self.state {
            let meta_line = encode_line(&Tagged {
                kind: "session_meta",
                payload: &**meta,
            })?;
            let mut file = create_rollout_file(path)?;
            file.write_all(&meta_line)
                .map_err(io_error("append to", path))?;
            self.state = State::Open(file);
        }
        let State::Open(file) = &mut self.state else {
            return Ok(()); // Just opened above.
        };
        // A usual line goes out in one `write(2)`; a huge one (a 100 MB answer) streams in
        // chunks instead of being held whole in memory a second time.
        let mut out = LineWriter {
            file,
            buf: Vec::new(),
        };
        serde_json::to_writer(
            &mut out,
            &LineOut {
                timestamp: now_timestamp(),
                item,
            },
        )
        .map_err(|e| match e.io_error_kind() {
            Some(_) => io_error("append to", path)(std::io::Error::other(e)),
            None => RolloutError::from(e),
        })?;
        out.buf.push(b'\n');
        out.file
            .write_all(&out.buf)
            .map_err(io_error("append to", path))
    }
}

/// Gathers a line for one write, and writes it out in [`LineWriter::CHUNK`] pieces once it
/// grows past that.
struct LineWriter<'a> {
    file: &'a mut File,
    buf: Vec<u8>,
}

impl LineWriter<'_> {
    const CHUNK: usize = 1024 * 1024;
}

impl Write for LineWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > Self::CHUNK && !self.buf.is_empty() {
            self.file.write_all(&self.buf)?;
            self.buf.clear();
        }
        if data.len() > Self::CHUNK {
            self.file.write_all(data)?;
        } else {
            self.buf.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Flushes a rollout file to disk from any thread; see [`RolloutRecorder::syncer`].
#[derive(Debug)]
pub struct RolloutSyncer {
    file: File,
    path: PathBuf,
}

impl RolloutSyncer {
    /// The rollout file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the file to disk (`fdatasync`).
    pub fn sync(&self) -> Result<(), RolloutError> {
        self.file.sync_data().map_err(io_error("sync", &self.path))
    }
}

/// `{"type": kind, "payload": …}`, flattened into a line after its timestamp.
#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    payload: &'a T,
}

#[derive(Serialize)]
struct LineOut<'a, T: Serialize> {
    timestamp: String,
    #[serde(flatten)]
    item: &'a T,
}

/// One whole line, newline included, ready for a single write.
fn encode_line(item: &impl Serialize) -> Result<Vec<u8>, RolloutError> {
    let mut line = serde_json::to_vec(&LineOut {
        timestamp: now_timestamp(),
        item,
    })?;
    line.push(b'\n');
    Ok(line)
}

fn create_rollout_file(path: &Path) -> Result<File, RolloutError> {
    if let Some(dir) = path.parent() {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io_error("create the session directory", dir))?;
    }
    OpenOptions::new()
        .append(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io_error("create", path))
}

/// The length of the file up to and including its last newline: everything after is a torn
/// line. Reads backwards in blocks, so a long file costs one small read.
fn complete_length(file: &mut File) -> std::io::Result<u64> {
    const BLOCK: u64 = 64 * 1024;
    let len = file.metadata()?.len();
    let mut end = len;
    let mut buf = vec![0; BLOCK as usize];
    while end > 0 {
        let start = end.saturating_sub(BLOCK);
        let chunk = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(pos) = chunk.iter().rposition(|b| *b == b'\n') {
            return Ok(start + pos as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}
