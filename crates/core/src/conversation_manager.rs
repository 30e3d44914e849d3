//! The one place conversations are created, resumed and kept.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use codex_config::Config;
use codex_model_client::BearerSource;
use codex_protocol::protocol::{EventMsg, InputItem, Op, SessionConfiguredEvent, Submission};
use codex_protocol::rollout::{RolloutItem, SessionMeta, SessionSource};
use codex_protocol::{ContentItem, ResponseItem, SandboxPolicy};
use codex_rollout::RolloutRecorder;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::conversation::Conversation;
use crate::session::{Session, SessionInit, lock};
use crate::{CoreError, environment_context, project_doc};

/// Submissions waiting for the loop; a front end that floods it waits.
const SUBMISSION_QUEUE: usize = 64;

/// How a front end wants its conversations set up.
#[derive(Clone)]
pub struct ManagerOptions {
    /// Credentials when the provider's own `env_key` does not supply them.
    pub bearer: BearerSource,
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
    /// Continue this rollout file instead of starting afresh.
    pub resume_path: Option<PathBuf>,
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
}

/// Creates and keeps conversations.
pub struct ConversationManager {
    options: ManagerOptions,
    conversations: Mutex<HashMap<String, Arc<Conversation>>>,
}

impl ConversationManager {
    /// A manager whose conversations share `options` (and so one set of credentials).
    pub fn new(options: ManagerOptions) -> Self {
        Self {
            options,
            conversations: Mutex::new(HashMap::new()),
        }
    }

    /// Starts a conversation (or resumes one, see [`ConversationOptions::resume_path`]).
    /// Must be called within a Tokio runtime: the conversation runs as a task on it.
    pub fn new_conversation(
        &self,
        config: Config,
        options: ConversationOptions,
    ) -> Result<NewConversation, CoreError> {
        let ConversationOptions {
            output_schema,
            resume_path,
            record_exchanges,
        } = options;
        let config = Arc::new(config);
        let sandbox_exe = locate_sandbox(&config)?;

        let (conversation_id, recorder, history) = if let Some(path) = &resume_path {
            let loaded = codex_rollout::load_rollout(path)?;
            let recorder = RolloutRecorder::resume(path)?;
            (loaded.meta.id.clone(), recorder, loaded.items)
        } else {
            {
                let id = codex_rollout::new_session_id().to_string();
                let recorder = RolloutRecorder::new(
                    &config.codex_home,
                    session_meta(&id, &config, &self.options),
                )?;
                (id, recorder, Vec::new())
            }
        };
        let resumed_items = history.len();
        let base_instructions = config
            .base_instructions_override
            .clone()
            .unwrap_or_else(|| include_str!("prompt.md").to_owned());
        let client =
            crate::client::build(&config, &self.options, &conversation_id, record_exchanges)?;

        let (tx_event, rx_event) = mpsc::unbounded_channel();
        let (tx_sub, rx_sub) = mpsc::channel(SUBMISSION_QUEUE);
        let session = Arc::new(Session::new(SessionInit {
            conversation_id: conversation_id.clone(),
            config: Arc::clone(&config),
            client,
            base_instructions,
            output_schema,
            sandbox_exe,
            tx_event,
            recorder,
            history,
        }));
        if resume_path.is_none() {
            session.record_items(&initial_context(&config));
        }
        for warning in config
            .warnings
            .iter()
            .chain(unsupported_settings(&config).iter())
        {
            session.send_event(
                "",
                EventMsg::BackgroundEvent {
                    message: warning.clone(),
                },
            );
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

        let conversation = Arc::new(Conversation::new(conversation_id.clone(), tx_sub, rx_event));
        lock(&self.conversations).insert(conversation_id.clone(), Arc::clone(&conversation));
        Ok(NewConversation {
            conversation_id,
            conversation,
            session_configured,
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

/// Settings that parse but that this version does not act on yet: said, not silently ignored.
fn unsupported_settings(config: &Config) -> Vec<String> {
    let mut notes = Vec::new();
    let enabled: Vec<&str> = config
        .mcp_servers
        .iter()
        .filter(|(_, server)| server.enabled)
        .map(|(name, _)| name.as_str())
        .collect();
    if !enabled.is_empty() {
        notes.push(format!(
            "MCP servers are not used by this version yet; their tools are not offered: {}",
            enabled.join(", ")
        ));
    }
    if config.notify.is_some() {
        notes.push(
            "`notify` is not supported by this version yet; no program is run after turns"
                .to_owned(),
        );
    }
    notes
}

fn locate_sandbox(config: &Config) -> Result<Option<PathBuf>, CoreError> {
    if matches!(config.sandbox_policy, SandboxPolicy::DangerFullAccess) {
        return Ok(None);
    }
    if let Some(exe) = &config.sandbox_exe {
        return Ok(Some(exe.clone()));
    }
    codex_sandbox::find_sandbox_exe()
        .map(Some)
        .map_err(|e| CoreError::SandboxHelperMissing {
            mode: config.sandbox_policy.mode().to_string(),
            reason: e.to_string(),
        })
}

fn session_meta(id: &str, config: &Config, options: &ManagerOptions) -> SessionMeta {
    SessionMeta {
        id: id.to_owned(),
        timestamp: codex_rollout::now_timestamp(),
        cwd: config.cwd.clone(),
        originator: options.originator.clone(),
        cli_version: env!("CARGO_PKG_VERSION").to_owned(),
        instructions: None,
        source: options.source.clone(),
        model_provider: Some(config.model_provider_id.clone()),
        git: codex_rollout::collect_git_info(&config.cwd),
        model: Some(config.model.clone()),
        approval_policy: Some(config.approval_policy),
        sandbox_policy: Some(config.sandbox_policy.clone()),
        reasoning_effort: config.model_reasoning_effort,
    }
}

/// Developer instructions, AGENTS.md and the environment context, sent before the first
/// user message.
fn initial_context(config: &Config) -> Vec<ResponseItem> {
    let mut items = Vec::new();
    if let Some(text) = &config.developer_instructions {
        items.push(ResponseItem::Message {
            id: None,
            role: "developer".to_owned(),
            content: vec![ContentItem::InputText { text: text.clone() }],
        });
    }
    if let Some(docs) = project_doc::user_instructions(
        &config.codex_home,
        &config.cwd,
        config.project_doc_max_bytes,
        &config.project_doc_fallback_filenames,
    ) {
        items.push(ResponseItem::user_text(format!(
            "<user_instructions>\n\n{docs}\n\n</user_instructions>"
        )));
    }
    let roots: Vec<PathBuf> = codex_sandbox::writable_roots(&config.sandbox_policy, &config.cwd)
        .into_iter()
        .map(|r| r.root)
        .collect();
    items.push(ResponseItem::user_text(
        environment_context::environment_context(
            &config.cwd,
            config.approval_policy,
            &config.sandbox_policy,
            &roots,
            environment_context::user_shell().as_deref(),
        ),
    ));
    items
}

/// Receives submissions until shutdown. Runs at most one task at a time; input arriving
/// while one runs joins it at its next model request.
async fn submission_loop(sess: Arc<Session>, mut rx_sub: mpsc::Receiver<Submission>) {
    let mut running: Option<(tokio::task::JoinHandle<()>, CancellationToken)> = None;
    while let Some(Submission { id, op }) = rx_sub.recv().await {
        match op {
            Op::UserInput { items } => {
                let input = user_input_items(&items, &sess.config.cwd);
                let text = text_of(&items);
                if sess.config.history_enabled
                    && let Err(e) = codex_rollout::append_history(
                        &sess.config.codex_home,
                        &sess.conversation_id,
                        &text,
                    )
                {
                    sess.send_event(
                        &id,
                        EventMsg::BackgroundEvent {
                            message: format!("could not save the prompt to history.jsonl: {e}"),
                        },
                    );
                }
                sess.persist(&[RolloutItem::EventMsg(
                    codex_protocol::rollout::EventMsg::UserMessage {
                        message: text,
                        images: None,
                    },
                )]);
                // Decided under the state lock the task also takes before finishing, so input
                // is either picked up by the running task or starts a new one: never lost.
                let start_task = {
                    let mut state = lock(&sess.state);
                    if state.task_running {
                        state.pending_input.extend(input.iter().cloned());
                        false
                    } else {
                        state.task_running = true;
                        true
                    }
                };
                if start_task {
                    let cancel = CancellationToken::new();
                    let task =
                        tokio::spawn(supervise_task(Arc::clone(&sess), id, input, cancel.clone()));
                    running = Some((task, cancel));
                }
            }
            Op::Interrupt => {
                if let Some((_, cancel)) = &running {
                    cancel.cancel();
                }
            }
            Op::ExecApproval {
                id: call_id,
                decision,
            }
            | Op::PatchApproval {
                id: call_id,
                decision,
            } => {
                sess.notify_approval(&call_id, decision);
            }
            Op::Shutdown => {
                if let Some((task, cancel)) = running.take() {
                    cancel.cancel();
                    let _ = task.await;
                }
                sess.flush();
                sess.send_event(&id, EventMsg::ShutdownComplete);
                return;
            }
            _ => {}
        }
    }
    // Every handle was dropped without a shutdown: nobody can answer approvals or read
    // events, so stop the work rather than let commands run unattended.
    if let Some((_, cancel)) = running {
        cancel.cancel();
    }
    sess.flush();
}

/// Runs a task and turns a panic into an `Error` event, so a front end waiting for the end of
/// the turn is never left hanging.
async fn supervise_task(
    sess: Arc<Session>,
    id: String,
    input: Vec<ResponseItem>,
    cancel: CancellationToken,
) {
    let task = tokio::spawn(crate::turn::run_task(
        Arc::clone(&sess),
        id.clone(),
        input,
        cancel,
    ));
    if let Err(e) = task.await
        && e.is_panic()
    {
        lock(&sess.state).task_running = false;
        sess.send_event(
            &id,
            EventMsg::Error {
                message: "internal error: the turn stopped unexpectedly; the session file keeps everything up to this point".to_owned(),
            },
        );
    }
}

/// The user's message as history items: one message, text and images in order.
fn user_input_items(items: &[InputItem], cwd: &std::path::Path) -> Vec<ResponseItem> {
    let content = items
        .iter()
        .map(|item| match item {
            InputItem::Text { text } => ContentItem::InputText { text: text.clone() },
            InputItem::LocalImage { path } => match crate::images::data_url(&cwd.join(path)) {
                Ok(url) => ContentItem::InputImage { image_url: url },
                Err(e) => ContentItem::InputText {
                    text: format!("[image {} could not be attached: {e}]", path.display()),
                },
            },
        })
        .collect();
    vec![ResponseItem::Message {
        id: None,
        role: "user".to_owned(),
        content,
    }]
}

fn text_of(items: &[InputItem]) -> String {
    items
        .iter()
        .filter_map(|i| match i {
            InputItem::Text { text } => Some(text.as_str()),
            InputItem::LocalImage { .. } => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}
