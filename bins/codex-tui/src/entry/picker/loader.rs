//! The picker's background reader: pages of sessions from codex-rollout on a thread of its
//! own, so the screen paints at once and stays responsive while later pages (and the message
//! counts of the rows shown) are read.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use codex_rollout::{Cursor, Page, SessionFilter, count_messages, list_sessions};
use tokio::sync::mpsc::UnboundedSender;

/// Sessions in a listing's first page: a screenful, so it paints at once.
pub const FIRST_PAGE_SIZE: usize = 25;
/// Sessions in later pages: larger, so a search through thousands takes fewer rounds.
pub const PAGE_SIZE: usize = 100;

/// A page the picker wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadRequest {
    /// Which listing it belongs to (a Tab to all directories starts a new one).
    pub generation: u64,
    /// Where the previous page stopped.
    pub cursor: Option<Cursor>,
    /// How many sessions at most.
    pub size: usize,
    /// Which sessions.
    pub filter: SessionFilter,
}

/// What the loader reports.
#[derive(Debug, Clone, PartialEq)]
pub enum PickerMessage {
    /// A page (or why it could not be read).
    Page {
        /// The request's generation.
        generation: u64,
        /// The page.
        page: Result<Page, String>,
    },
    /// How many messages the session in `path` holds.
    Count {
        /// The rollout file.
        path: PathBuf,
        /// Its messages.
        count: usize,
    },
}

/// Starts the loader thread for `codex_home`. Pages go to `tx` as they are read; message
/// counts follow, each after any page requested meanwhile. The thread ends when the returned
/// sender is dropped.
pub fn spawn_loader(
    codex_home: PathBuf,
    tx: UnboundedSender<PickerMessage>,
) -> std::io::Result<Sender<LoadRequest>> {
    let (request_tx, request_rx) = channel();
    std::thread::Builder::new()
        .name("session-picker".into())
        .spawn(move || serve(&codex_home, &request_rx, &tx))?;
    Ok(request_tx)
}

fn serve(codex_home: &Path, requests: &Receiver<LoadRequest>, tx: &UnboundedSender<PickerMessage>) {
    let mut counts: VecDeque<PathBuf> = VecDeque::new();
    loop {
        // Pages first: counts only fill the time between them.
        let request = match requests.try_recv() {
            Ok(request) => Some(request),
            Err(TryRecvError::Disconnected) => return,
            Err(TryRecvError::Empty) if counts.is_empty() => match requests.recv() {
                Ok(request) => Some(request),
                Err(_) => return,
            },
            Err(TryRecvError::Empty) => None,
        };
        let delivered = match request {
            Some(request) => answer(codex_home, &request, &mut counts, tx),
            None => counts
                .pop_front()
                .is_none_or(|path| match count_messages(&path) {
                    Ok(count) => tx.send(PickerMessage::Count { path, count }).is_ok(),
                    Err(_) => true,
                }),
        };
        if !delivered {
            return;
        }
    }
}

/// Reads the requested page and sends it; queues its rows for counting. `false` once the
/// picker is gone.
fn answer(
    codex_home: &Path,
    request: &LoadRequest,
    counts: &mut VecDeque<PathBuf>,
    tx: &UnboundedSender<PickerMessage>,
) -> bool {
    let page = list_sessions(
        codex_home,
        PAGE_SIZE,
        request.cursor.as_ref(),
        &request.filter,
    )
    .map_err(|e| e.to_string());
    if let Ok(page) = &page {
        counts.extend(page.items.iter().map(|s| s.path.clone()));
    }
    tx.send(PickerMessage::Page {
        generation: request.generation,
        page,
    })
    .is_ok()
}
