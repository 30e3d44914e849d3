//! What every connection of one server shares: the one `ConversationManager`, the server's
//! start-up flags, which conversations have a reader, and when each was last used.
//!
//! Over stdio there is one connection; over HTTP one per `Mcp-Session-Id`. Conversations
//! belong to the server, not to a connection, so any session can continue any of them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use codex_cli::ConfigArgs;
use codex_core::{
    Conversation, ConversationManager, ConversationOptions, NewConversation, ResumeTarget,
};
use codex_protocol::protocol::{Op, SessionConfiguredEvent};
use codex_protocol::{AskForApproval, SandboxPolicy};

use super::editor::login::LoginSlot;
use super::params;

/// Settings of the server that are not config.toml's.
#[derive(Debug, Clone)]
pub(crate) struct ServeSettings {
    /// Conversations without a turn running for this long are closed.
    pub(crate) idle_timeout: Duration,
    /// The OAuth issuer of `loginChatGpt` (tests point it at a fake).
    pub(crate) login_issuer: Option<String>,
    /// The callback port of `loginChatGpt` (0: any free port).
    pub(crate) login_port: Option<u16>,
}

/// State shared by every connection.
pub(crate) struct Shared {
    pub(crate) manager: ConversationManager,
    /// Where sessions are listed from.
    pub(crate) codex_home: PathBuf,
    pub(crate) startup: ConfigArgs,
    pub(crate) requires_openai_auth: bool,
    pub(crate) settings: ServeSettings,
    pub(crate) login: LoginSlot,
    /// Conversations whose events someone reads: a tool call or an editor listener. Two
    /// readers would each see half of the events.
    readers: Mutex<HashMap<String, Reader>>,
    /// Per conversation: when it was last used and whether a turn runs.
    activity: Mutex<HashMap<String, Activity>>,
    /// Per conversation: the settings it runs with (for `sendUserTurn`).
    settings_in_force: Mutex<HashMap<String, TurnSettings>>,
}

/// The settings of a conversation that `sendUserTurn` may name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TurnSettings {
    pub(crate) cwd: PathBuf,
    pub(crate) approval_policy: AskForApproval,
    pub(crate) sandbox_policy: SandboxPolicy,
    pub(crate) model: String,
}

/// Who reads a conversation's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    /// A `codex` or `codex-reply` call.
    ToolCall,
    /// An `addConversationListener` subscription.
    Listener,
}

#[derive(Debug, Clone, Copy)]
struct Activity {
    last_used: Instant,
    turn_running: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(
        manager: ConversationManager,
        codex_home: PathBuf,
        startup: ConfigArgs,
        requires_openai_auth: bool,
        settings: ServeSettings,
    ) -> Self {
        Self {
            manager,
            codex_home,
            startup,
            requires_openai_auth,
            settings,
            login: LoginSlot::default(),
            readers: Mutex::new(HashMap::new()),
            activity: Mutex::new(HashMap::new()),
            settings_in_force: Mutex::new(HashMap::new()),
        }
    }

    /// Who reads `id`'s events now, if anyone.
    pub(crate) fn reader(&self, id: &str) -> Option<Reader> {
        lock(&self.readers).get(id).copied()
    }

    /// Notes the settings a conversation (new or resumed) runs with.
    pub(crate) fn remember(&self, configured: &SessionConfiguredEvent) {
        self.touch(&configured.session_id);
        lock(&self.settings_in_force).insert(
            configured.session_id.clone(),
            TurnSettings {
                cwd: configured.cwd.clone(),
                approval_policy: configured.approval_policy,
                sandbox_policy: configured.sandbox_policy.clone(),
                model: configured.model.clone(),
            },
        );
    }

    /// The settings `id` runs with, when this server started or resumed it.
    pub(crate) fn settings_of(&self, id: &str) -> Option<TurnSettings> {
        lock(&self.settings_in_force).get(id).cloned()
    }

    /// Marks `id` as read by `reader` until the guard drops; `None` when someone already reads
    /// it (then `Some(their kind)` is in the error).
    pub(crate) fn claim(self: &Arc<Self>, id: &str, reader: Reader) -> Result<ReaderGuard, Reader> {
        let mut readers = lock(&self.readers);
        if let Some(existing) = readers.get(id) {
            return Err(*existing);
        }
        readers.insert(id.to_owned(), reader);
        drop(readers);
        self.touch(id);
        Ok(ReaderGuard {
            shared: Arc::clone(self),
            id: id.to_owned(),
        })
    }

    /// Notes that `id` was used now.
    pub(crate) fn touch(&self, id: &str) {
        lock(&self.activity)
            .entry(id.to_owned())
            .and_modify(|a| a.last_used = Instant::now())
            .or_insert(Activity {
                last_used: Instant::now(),
                turn_running: false,
            });
    }

    /// Notes that a turn of `id` started (`true`) or ended (`false`).
    pub(crate) fn set_turn_running(&self, id: &str, running: bool) {
        let mut activity = lock(&self.activity);
        let entry = activity.entry(id.to_owned()).or_insert(Activity {
            last_used: Instant::now(),
            turn_running: running,
        });
        entry.last_used = Instant::now();
        entry.turn_running = running;
    }

    /// Whether a turn of `id` is known to run.
    pub(crate) fn turn_running(&self, id: &str) -> bool {
        lock(&self.activity).get(id).is_some_and(|a| a.turn_running)
    }

    /// The conversation `id`: the one in memory, or (after a restart or an eviction) the
    /// session resumed from its rollout by core. `resumed` tells the caller it is a new
    /// handle (its session-configured event has not been seen by anyone).
    pub(crate) fn conversation(&self, id: &str) -> Result<Found, String> {
        if let Some(conversation) = self.manager.get(id) {
            self.touch(id);
            return Ok(Found::InMemory(conversation));
        }
        let config = params::startup_config(&self.startup)
            .map_err(|message| format!("Failed to load Codex configuration: {message}"))?;
        let options = ConversationOptions {
            resume: Some(ResumeTarget::Id(id.to_owned())),
            ..ConversationOptions::default()
        };
        let new = self
            .manager
            .new_conversation(config, options)
            .map_err(|error| format!("Session not found for thread_id: {id} ({error})"))?;
        self.remember(&new.session_configured);
        Ok(Found::Resumed(Box::new(new)))
    }

    /// Closes the conversations without a running turn or a tool call that were not used
    /// for the idle timeout; they stay resumable from their rollout. Returns their ids.
    pub(crate) async fn evict_idle(&self) -> Vec<String> {
        let timeout = self.settings.idle_timeout;
        let idle: Vec<String> = {
            let readers = lock(&self.readers);
            let mut activity = lock(&self.activity);
            let idle: Vec<String> = activity
                .iter()
                .filter(|(id, a)| {
                    !a.turn_running
                        && a.last_used.elapsed() >= timeout
                        && readers.get(*id) != Some(&Reader::ToolCall)
                })
                .map(|(id, _)| id.clone())
                .collect();
            let mut settings = lock(&self.settings_in_force);
            for id in &idle {
                activity.remove(id);
                settings.remove(id);
            }
            idle
        };
        for id in &idle {
            if let Some(conversation) = self.manager.remove(id) {
                // Ends its task (and a listener's stream); the rollout stays on disk.
                if let Err(error) = conversation.submit(Op::Shutdown).await {
                    tracing::debug!(%id, "idle conversation already ended: {error}");
                }
                tracing::info!(%id, "closed an idle conversation; it resumes from its rollout");
            }
        }
        idle
    }
}

/// A conversation found by [`Shared::conversation`].
pub(crate) enum Found {
    /// Already running in this server.
    InMemory(Arc<Conversation>),
    /// Loaded from its rollout just now.
    Resumed(Box<NewConversation>),
}

impl Found {
    pub(crate) fn conversation(&self) -> &Arc<Conversation> {
        match self {
            Found::InMemory(conversation) => conversation,
            Found::Resumed(new) => &new.conversation,
        }
    }
}

/// Releases a reader claim when dropped.
pub(crate) struct ReaderGuard {
    shared: Arc<Shared>,
    id: String,
}

impl Drop for ReaderGuard {
    fn drop(&mut self) {
        lock(&self.shared.readers).remove(&self.id);
        self.shared.touch(&self.id);
    }
}

/// Closes idle conversations every little while, for as long as the server runs.
pub(crate) fn spawn_evictor(shared: &Arc<Shared>) -> tokio::task::JoinHandle<()> {
    let weak = Arc::downgrade(shared);
    let period = (shared.settings.idle_timeout / 4)
        .clamp(Duration::from_millis(100), Duration::from_secs(30));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(shared) = weak.upgrade() else { return };
            shared.evict_idle().await;
        }
    })
}
