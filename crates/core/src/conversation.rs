//! A handle on one running conversation: submit `Op`s, read `Event`s.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use codex_protocol::protocol::{Event, Op, Submission};
use tokio::sync::{Mutex, mpsc};

use crate::session::Session;
use crate::{CoreError, LimitsStatus};

/// The front end's side of a conversation's queue pair.
pub struct Conversation {
    id: String,
    next_submission: AtomicU64,
    tx_sub: mpsc::Sender<Submission>,
    rx_event: Mutex<mpsc::UnboundedReceiver<Event>>,
    /// Read-only look at the session for [`Conversation::limits_status`]; weak, so that a
    /// handle kept after shutdown does not keep the session's servers and files alive.
    session: Weak<Session>,
}

impl Conversation {
    pub(crate) fn new(
        id: String,
        tx_sub: mpsc::Sender<Submission>,
        rx_event: mpsc::UnboundedReceiver<Event>,
        session: &Arc<Session>,
    ) -> Self {
        Self {
            id,
            next_submission: AtomicU64::new(1),
            tx_sub,
            rx_event: Mutex::new(rx_event),
            session: Arc::downgrade(session),
        }
    }

    /// What the conversation has used against its limits (`[limits]`, `--max-turns`,
    /// `--max-tokens`), as of now: for a front end to show (the TUI's `/limits`). Cheap; no
    /// round trip through the submission queue. `None` once the conversation has shut down.
    pub fn limits_status(&self) -> Option<LimitsStatus> {
        self.session
            .upgrade()
            .map(|session| session.limits_status())
    }

    /// The conversation (session, thread) id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Queues an operation; returns the submission id its events will carry.
    pub async fn submit(&self, op: Op) -> Result<String, CoreError> {
        let id = self
            .next_submission
            .fetch_add(1, Ordering::Relaxed)
            .to_string();
        self.tx_sub
            .send(Submission { id: id.clone(), op })
            .await
            .map_err(|_| CoreError::ConversationEnded)?;
        Ok(id)
    }

    /// Waits for the next event.
    pub async fn next_event(&self) -> Result<Event, CoreError> {
        self.rx_event
            .lock()
            .await
            .recv()
            .await
            .ok_or(CoreError::ConversationEnded)
    }
}
