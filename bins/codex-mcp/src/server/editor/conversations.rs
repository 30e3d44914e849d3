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
use codex_protocol::protocol::{InputItem, Op};
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
    if let Some(current) = server.shared.settings_of(id)
        && current != wanted
    {
        // Core keeps a conversation's settings for its lifetime; changing them mid-session
        // is not supported yet. Say which ones differ rather than run with the wrong ones.
        let mut differ = Vec::new();
        if current.cwd != wanted.cwd {
            differ.push("cwd");
        }
        if current.approval_policy != wanted.approval_policy {
            differ.push("approvalPolicy");
        }
        if current.sandbox_policy != wanted.sandbox_policy {
            differ.push("sandboxPolicy");
        }
        if current.model != wanted.model {
            differ.push("model");
        }
        return Err(McpError::invalid_params(
            format!(
                "Invalid params for `sendUserTurn`: conversation {id} runs with other {} than asked; changing them within a conversation is not supported: send them to resumeConversation as `overrides` (the history is kept), or use sendUserMessage",
                differ.join(", ")
            ),
            None,
        ));
    }
    submit(server, peer, id, items).await
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
                "conversation {id} is busy with a `codex`/`codex-reply` tool call; wait for its result"
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
    found
        .conversation()
        .submit(Op::UserInput { items })
        .await
        .map_err(|e| McpError::internal_error(format!("conversation {id} ended: {e}"), None))?;
    server.shared.set_turn_running(id, true);
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
            git_info: s.git_branch.map(|branch| ConversationGitInfo {
                sha: None,
                branch: Some(branch),
                origin_url: None,
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
    let new = server
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
            initial_messages: None,
            rollout_path: configured.rollout_path.clone(),
        },
    )
    .await;
    let response = ResumeConversationResponse {
        conversation_id: new.conversation_id.clone(),
        model: configured.model.clone(),
        initial_messages: None,
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
