//! `newConversation`, `sendUserMessage`, `sendUserTurn`, `interruptConversation`,
//! `listConversations`, `resumeConversation`: conversations made, continued and listed
//! through the one `ConversationManager` (listing reads the heads of the rollout files).
//!
//! A conversation closed for idleness, or one of an earlier run of the server, is resumed
//! from its rollout when a message names it, as `codex-reply` does.

use std::time::{Duration, Instant};

use codex_core::ConversationOptions;
use codex_protocol::editor::{
    ConversationGitInfo, ConversationIdParams, ConversationSummary, EditorInputItem,
    InterruptConversationResponse, ListConversationsParams, ListConversationsResponse,
    NewConversationParams, NewConversationResponse, ResumeConversationParams,
    ResumeConversationResponse, SendUserMessageParams, SendUserTurnParams,
    SessionConfiguredNotification,
};
use codex_protocol::protocol::{EventMsg, InputItem, Op};
use codex_protocol::{ReasoningEffort, ReasoningSummary};
use codex_rollout::{Cursor, SessionFilter, list_sessions};
use rmcp::ErrorData as McpError;
use rmcp::service::{Peer, RoleServer};
use serde_json::{Value, json};

use super::{listener, notify, to_value};
use crate::server::handler::CodexServer;
use crate::server::params::{self, CodexArgs};
use crate::server::state::{Found, Reader, TurnSettings};

/// `listConversations` without `pageSize`, and the most one page holds.
const DEFAULT_PAGE: usize = 25;
const MAX_PAGE: usize = 200;

/// How long `interruptConversation` waits for the turn to stop before answering anyway.
const INTERRUPT_WAIT: Duration = Duration::from_secs(30);

/// How long `sendUserTurn` waits for a conversation it closes to confirm.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

pub(super) fn new(server: &CodexServer, params: NewConversationParams) -> Result<Value, McpError> {
    let args = call_args(params);
    let config = params::call_config(&server.shared.startup, &args)
        .map_err(|message| McpError::invalid_params(message, None))?;
    let reasoning_effort = config.model_reasoning_effort;
    let new = server
        .shared
        .manager
        .new_conversation(config, ConversationOptions::default())
        .map_err(|e| {
            McpError::internal_error(format!("Failed to start the Codex session: {e}"), None)
        })?;
    server.shared.remember(&new.session_configured);
    to_value(&NewConversationResponse {
        conversation_id: new.conversation_id,
        model: new.session_configured.model,
        reasoning_effort,
        rollout_path: new.session_configured.rollout_path,
    })
}

pub(super) async fn send_message(
    server: &CodexServer,
    peer: &Peer<RoleServer>,
    params: SendUserMessageParams,
) -> Result<Value, McpError> {
    let items = input_items(params.items)?;
    submit(server, peer, &params.conversation_id, items).await
}

pub(super) async fn send_turn(
    server: &CodexServer,
    peer: &Peer<RoleServer>,
    params: SendUserTurnParams,
) -> Result<Value, McpError> {
    let items = input_items(params.items)?;
    let id = &params.conversation_id;
    let wanted = TurnSettings {
        cwd: params.cwd,
        approval_policy: params.approval_policy,
        sandbox_policy: params.sandbox_policy,
        model: params.model,
    };
    let effort = params.effort;
    let summary = params.summary;
    // Not in memory (closed for idleness, or an earlier run's): resumed on the turn's settings.
    if server.shared.settings_of(id).as_ref() != Some(&wanted) {
        reopen_with(server, peer, id, wanted, effort, summary).await?;
    }
    submit(server, peer, id, items).await
}

/// Core keeps a conversation's settings for its lifetime: to run a turn on other ones, the
/// conversation is closed and resumed from its rollout on them (same id, same history), and
/// this connection's listener moves to the new handle.
async fn reopen_with(
    server: &CodexServer,
    peer: &Peer<RoleServer>,
    id: &str,
    wanted: TurnSettings,
    effort: Option<ReasoningEffort>,
    summary: ReasoningSummary,
) -> Result<(), McpError> {
    if server.shared.turn_running(id) || server.shared.reader(id) == Some(Reader::ToolCall) {
        return Err(McpError::invalid_request(
            format!(
                "conversation {id} has a turn running; its settings can change once it ends (or after interruptConversation)"
            ),
            None,
        ));
    }
    if let Some(old) = server.shared.manager.remove(id)
        && old.submit(Op::Shutdown).await.is_ok()
    {
        wait_for_shutdown(server, &old).await;
    }
    let args = CodexArgs {
        prompt: String::new(),
        model: Some(wanted.model),
        profile: None,
        cwd: Some(wanted.cwd),
        approval_policy: Some(wanted.approval_policy),
        sandbox: None,
        config: None,
        base_instructions: None,
        developer_instructions: None,
    };
    let mut config = params::call_config(&server.shared.startup, &args)
        .map_err(|message| McpError::invalid_params(message, None))?;
    config.sandbox_policy = wanted.sandbox_policy;
    config.model_reasoning_effort = effort;
    config.model_reasoning_summary = Some(summary);
    let options = ConversationOptions {
        resume: Some(codex_core::ResumeTarget::Id(id.to_owned())),
        ..ConversationOptions::default()
    };
    let new = server
        .shared
        .manager
        .new_conversation(config, options)
        .map_err(|e| {
            McpError::invalid_request(
                format!("Session not found for conversation {id} ({e})"),
                None,
            )
        })?;
    server.shared.remember(&new.session_configured);
    listener::reattach(server, peer, id, &Found::Resumed(Box::new(new))).await;
    Ok(())
}

/// Waits (boundedly) until a closed conversation has written its last: its listener stops at
/// `shutdown_complete`; without one, the events are read here.
async fn wait_for_shutdown(server: &CodexServer, old: &codex_core::Conversation) {
    let id = old.id().to_owned();
    let waited = tokio::time::timeout(SHUTDOWN_WAIT, async {
        if server.shared.reader(&id).is_some() {
            while server.shared.reader(&id).is_some() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            return;
        }
        while let Ok(event) = old.next_event().await {
            if matches!(event.msg, EventMsg::ShutdownComplete) {
                return;
            }
        }
    })
    .await;
    if waited.is_err() {
        tracing::warn!(%id, "the closed conversation did not confirm its shutdown");
    }
}

/// Queues input for `id` (resumed from its rollout first when not in memory).
async fn submit(
    server: &CodexServer,
    peer: &Peer<RoleServer>,
    id: &str,
    items: Vec<InputItem>,
) -> Result<Value, McpError> {
    if server.shared.reader(id) == Some(Reader::ToolCall) {
        return Err(McpError::invalid_request(
            format!(
                "conversation {id} is busy with a `codex`/`codex-reply` tool call; wait until its turn has ended"
            ),
            None,
        ));
    }
    let found = server
        .shared
        .conversation(id)
        .map_err(|message| McpError::invalid_request(message, None))?;
    if matches!(found, Found::Resumed(_)) {
        listener::reattach(server, peer, id, &found).await;
    }
    // Marked before submitting: the listener may see the turn start and end before `submit`
    // returns, and its "ended" must come last.
    server.shared.set_turn_running(id, true);
    if let Err(e) = found.conversation().submit(Op::UserInput { items }).await {
        server.shared.set_turn_running(id, false);
        return Err(McpError::internal_error(
            format!("conversation {id} ended: {e}"),
            None,
        ));
    }
    Ok(json!({}))
}

pub(super) async fn interrupt(
    server: &CodexServer,
    _peer: &Peer<RoleServer>,
    params: ConversationIdParams,
) -> Result<Value, McpError> {
    let id = &params.conversation_id;
    let Some(conversation) = server.shared.manager.get(id) else {
        return Err(McpError::invalid_request(
            format!("conversation not found: {id}"),
            None,
        ));
    };
    conversation
        .submit(Op::Interrupt)
        .await
        .map_err(|e| McpError::internal_error(format!("conversation {id} ended: {e}"), None))?;
    // Answer once the turn stopped (its listener sees `turn_aborted`); Codex never answers
    // when no turn runs, this server answers at once.
    let deadline = Instant::now() + INTERRUPT_WAIT;
    while server.shared.turn_running(id)
        && server.shared.reader(id).is_some()
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    to_value(&InterruptConversationResponse {
        abort_reason: "interrupted".to_owned(),
    })
}

pub(super) fn list(
    server: &CodexServer,
    params: &ListConversationsParams,
) -> Result<Value, McpError> {
    let cursor = params
        .cursor
        .as_deref()
        .map(str::parse::<Cursor>)
        .transpose()
        .map_err(|e| {
            McpError::invalid_params(format!("Invalid params for `listConversations`: {e}"), None)
        })?;
    let page_size = params.page_size.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let page = list_sessions(
        &server.shared.codex_home,
        page_size,
        cursor.as_ref(),
        &SessionFilter::default(),
    )
    .map_err(|e| McpError::internal_error(format!("cannot list sessions: {e}"), None))?;
    let items = page
        .items
        .into_iter()
        .map(|s| ConversationSummary {
            conversation_id: s.id,
            path: s.path,
            preview: s.preview,
            timestamp: Some(s.created.to_rfc3339()),
            model_provider: s.model_provider,
            cwd: s.cwd,
            source: serde_json::to_value(&s.source)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            git_info: (s.git_branch.is_some()
                || s.git_commit.is_some()
                || s.git_origin_url.is_some())
            .then_some(ConversationGitInfo {
                sha: s.git_commit,
                branch: s.git_branch,
                origin_url: s.git_origin_url,
            }),
        })
        .collect();
    to_value(&ListConversationsResponse {
        items,
        next_cursor: page.next_cursor.map(|c| c.to_string()),
    })
}

pub(super) async fn resume(
    server: &CodexServer,
    peer: &Peer<RoleServer>,
    params: ResumeConversationParams,
) -> Result<Value, McpError> {
    let args = call_args(params.overrides.unwrap_or_default());
    let config = params::call_config(&server.shared.startup, &args)
        .map_err(|message| McpError::invalid_params(message, None))?;
    let reasoning_effort = config.model_reasoning_effort;
    let options = ConversationOptions {
        resume: Some(codex_core::ResumeTarget::Path(params.path.clone())),
        ..ConversationOptions::default()
    };
    let mut new = server
        .shared
        .manager
        .new_conversation(config, options)
        .map_err(|e| {
            McpError::invalid_request(
                format!("cannot resume {}: {e}", params.path.display()),
                None,
            )
        })?;
    server.shared.remember(&new.session_configured);
    // Shown by the editor once; the conversation itself does not need them again.
    let initial_messages = std::mem::take(&mut new.resumed_events);
    let configured = &new.session_configured;
    notify(
        peer,
        "sessionConfigured",
        &SessionConfiguredNotification {
            session_id: new.conversation_id.clone(),
            model: configured.model.clone(),
            reasoning_effort,
            history_log_id: 0,
            history_entry_count: configured.resumed_items,
            initial_messages: Some(initial_messages.clone()),
            rollout_path: configured.rollout_path.clone(),
        },
    )
    .await;
    let response = ResumeConversationResponse {
        conversation_id: new.conversation_id.clone(),
        model: configured.model.clone(),
        initial_messages: Some(initial_messages),
    };
    let id = new.conversation_id.clone();
    listener::reattach(server, peer, &id, &Found::Resumed(Box::new(new))).await;
    to_value(&response)
}

/// The editor's `newConversation` settings as the `codex` tool's arguments.
fn call_args(params: NewConversationParams) -> CodexArgs {
    CodexArgs {
        prompt: String::new(),
        model: params.model,
        profile: params.profile,
        cwd: params.cwd,
        approval_policy: params.approval_policy,
        sandbox: params.sandbox,
        config: params.config,
        base_instructions: params.base_instructions,
        developer_instructions: None,
    }
}

fn input_items(items: Vec<EditorInputItem>) -> Result<Vec<InputItem>, McpError> {
    items
        .into_iter()
        .map(|item| match item {
            EditorInputItem::Text { text } => Ok(InputItem::Text { text }),
            EditorInputItem::LocalImage { path } => Ok(InputItem::LocalImage { path }),
            EditorInputItem::Image { .. } => Err(McpError::invalid_params(
                "Invalid params: `image` items (by URL) are not supported by this server; send the file as a `localImage` item",
                None,
            )),
        })
        .collect()
}
