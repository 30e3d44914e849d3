//! The one door into the agent: front ends hand it a config and get conversations back, new
//! or resumed. It chooses each conversation's credential through the shared [`AuthManager`],
//! reads a resumed session's rollout once, and keeps the conversations it made.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use codex_auth::AuthManager;
use codex_config::Config;
use codex_model_client::ModelFamily;
use codex_protocol::protocol::SessionConfiguredEvent;
use codex_protocol::rollout::SessionSource;
use codex_rollout::RolloutRecorder;
use tokio::sync::mpsc;

use crate::bootstrap::{initial_context, locate_sandbox, session_meta};
use crate::conversation::Conversation;
use crate::resume::ResumeTarget;
use crate::session::{Session, SessionInit, lock};
use crate::submission_loop::submission_loop;
use crate::{CoreError, credentials};

/// Submissions waiting for the loop; a front end that floods it waits.
const SUBMISSION_QUEUE: usize = 64;

/// How a front end wants its conversations set up.
#[derive(Debug, Clone)]
pub struct ManagerOptions {
    /// Recorded in session files (`exec`, `cli`, `mcp`).
    pub source: SessionSource,
    /// The `originator` header and session field (`codex_exec`, `codex_cli_rs`).
    pub originator: String,
}

/// Per-conversation choices.
#[derive(Debug, Clone, Default)]
pub struct ConversationOptions {
    /// A JSON Schema the final answer must follow.
    pub output_schema: Option<serde_json::Value>,
    /// Continue this earlier session instead of starting afresh. The session's history comes
    /// back; its settings do not: the conversation runs on today's config and flags, as Codex's
    /// resume does.
    pub resume: Option<ResumeTarget>,
    /// Record every model exchange to this file.
    pub record_exchanges: Option<PathBuf>,
}

/// A conversation just created, with the event describing it.
pub struct NewConversation {
    /// Its id.
    pub conversation_id: String,
    /// The handle.
    pub conversation: Arc<Conversation>,
    /// What the front end shows first.
    pub session_configured: SessionConfiguredEvent,
    /// The rollout file continued, when [`ConversationOptions::resume`] found a session
    /// (`None` for a new one, also when `Last` found nothing to continue).
    pub resumed_from: Option<PathBuf>,
    /// The resumed session's persisted events, oldest first (what the user typed, what the
    /// agent answered, ...), read in the same pass as its history, so a front end can show
    /// the transcript without reading the rollout itself. Empty for a new conversation.
    pub resumed_events: Vec<codex_protocol::rollout::EventMsg>,
}

/// Creates and keeps conversations.
pub struct ConversationManager {
    auth: AuthManager,
    options: ManagerOptions,
    conversations: Mutex<HashMap<String, Arc<Conversation>>>,
}

impl ConversationManager {
    /// A manager whose conversations take their credentials from `auth`, so that a login, a
    /// refresh or a logout is seen by all of them.
    pub fn new(auth: AuthManager, options: ManagerOptions) -> Self {
        Self {
            auth,
            options,
            conversations: Mutex::new(HashMap::new()),
        }
    }

    /// A manager with its own [`AuthManager`] over `config`'s CODEX_HOME. `CODEX_API_KEY`
    /// wins over the stored login for [`SessionSource::Exec`] only, as in Codex: scripts set
    /// it, while a person at the terminal signs in.
    pub fn from_config(config: &Config, options: ManagerOptions) -> Self {
        let honour_env_key = matches!(options.source, SessionSource::Exec);
        let auth = AuthManager::new(config.codex_home.clone(), honour_env_key);
        Self::new(auth, options)
    }

    /// The credentials every conversation of this manager uses (for a front end's login,
    /// logout and status requests).
    pub fn auth_manager(&self) -> &AuthManager {
        &self.auth
    }

    /// Starts a conversation (or resumes one, see [`ConversationOptions::resume`]). Fails before
    /// anything runs when the provider needs a login that is missing, the sandbox helper is
    /// missing, or the session to resume cannot be found or read.
    /// Must be called within a Tokio runtime: the conversation runs as a task on it.
    pub fn new_conversation(
        &self,
        config: Config,
        options: ConversationOptions,
    ) -> Result<NewConversation, CoreError> {
        let ConversationOptions {
            output_schema,
            resume,
            record_exchanges,
        } = options;
        let bearer = credentials::bearer_for(&config, &self.auth)?;
        let resume_path = match &resume {
            Some(target) => target.locate(&config)?,
            None => None,
        };
        if crate::budget::Budget::new(&config.limits, ModelFamily::of(&config.model)).unpriced() {
            return Err(CoreError::UnpricedModel {
                model: config.model,
            });
        }
        let config = Arc::new(config);
        let sandbox_exe = locate_sandbox(&config)?;

        let (conversation_id, recorder, history, resumed_events) = if let Some(path) = &resume_path
        {
            // The one read of the session's file.
            let loaded = codex_rollout::load_rollout(path)?;
            let recorder = RolloutRecorder::resume(&loaded)?;
            (loaded.meta.id, recorder, loaded.items, loaded.events)
        } else {
            let id = codex_rollout::new_session_id().to_string();
            let meta = session_meta(&id, &config, &self.options.source, &self.options.originator);
            let recorder = RolloutRecorder::new(&config.codex_home, meta)?;
            (id, recorder, Vec::new(), Vec::new())
        };
        let resumed_items = history.len();
        let changed_context = resume_path
            .is_some()
            .then(|| crate::bootstrap::changed_context(&config, &history))
            .flatten();
        let usage = crate::bootstrap::recorded_usage(&resumed_events);
        let base_instructions = config
            .base_instructions_override
            .clone()
            .unwrap_or_else(|| include_str!("prompt.md").to_owned());
        let client = crate::client::build(
            &config,
            bearer,
            &self.options.originator,
            &conversation_id,
            record_exchanges,
        )?;

        let (tx_event, rx_event) = mpsc::unbounded_channel();
        let mcp = crate::mcp::start(&config, &tx_event);
        let (tx_sub, rx_sub) = mpsc::channel(SUBMISSION_QUEUE);
        let session = Arc::new(Session::new(SessionInit {
            conversation_id: conversation_id.clone(),
            config: Arc::clone(&config),
            client,
            base_instructions,
            output_schema,
            sandbox_exe,
            tx_event,
            mcp,
            recorder,
            history,
            usage,
        }));
        if resume_path.is_none() {
            session.record_items(&initial_context(&config));
        }
        if let Some(context) = changed_context {
            session.record_items(&[context]);
        }
        let session_configured = SessionConfiguredEvent {
            session_id: conversation_id.clone(),
            model: config.model.clone(),
            model_provider: config.model_provider_id.clone(),
            approval_policy: config.approval_policy,
            sandbox_policy: config.sandbox_policy.clone(),
            cwd: config.cwd.clone(),
            rollout_path: session.rollout_path(),
            resumed_items,
        };
        tokio::spawn(submission_loop(Arc::clone(&session), rx_sub));

        let conversation = Arc::new(Conversation::new(
            conversation_id.clone(),
            tx_sub,
            rx_event,
            &session,
        ));
        lock(&self.conversations).insert(conversation_id.clone(), Arc::clone(&conversation));
        Ok(NewConversation {
            conversation_id,
            conversation,
            session_configured,
            resumed_from: resume_path,
            resumed_events,
        })
    }

    /// A conversation created by this manager.
    pub fn get(&self, id: &str) -> Option<Arc<Conversation>> {
        lock(&self.conversations).get(id).cloned()
    }

    /// Forgets a conversation (after it shut down).
    pub fn remove(&self, id: &str) -> Option<Arc<Conversation>> {
        lock(&self.conversations).remove(id)
    }
}
