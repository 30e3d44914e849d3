//! The editor JSON-RPC methods ("mcp-protocol" v1) served beside MCP by `codex-mcp`: their
//! params, results and notifications, camelCase on the wire as Codex's.
//!
//! Editor integrations of mid-2025 call these on the MCP connection; Codex 0.58 serves the
//! same shapes from `codex app-server`. Events of a conversation reach a client that called
//! `addConversationListener` as notifications named `codex/event/<type>` whose params are
//! [`ConversationEventParams`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::config_types::{ReasoningEffort, ReasoningSummary};
use crate::policy::{AskForApproval, ReviewDecision, SandboxMode, SandboxPolicy};
use crate::protocol::{EventMsg, FileChange};

/// `newConversation`: the settings of a new conversation; what is left out comes from
/// config.toml (and the server's `-c`/`-p`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewConversationParams {
    /// Model to use instead of the configured one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// A `[profiles.<name>]` of config.toml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Working directory; relative to the server's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    /// When to ask before running a command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_policy: Option<AskForApproval>,
    /// What commands may touch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<SandboxMode>,
    /// `-c`-style overrides: dotted keys, JSON values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Map<String, serde_json::Value>>,
    /// Replaces the built-in instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_instructions: Option<String>,
    /// Accepted for compatibility; the plan tool is always offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_plan_tool: Option<bool>,
    /// Accepted for compatibility; the apply_patch tool is always offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_apply_patch_tool: Option<bool>,
}

/// The result of `newConversation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewConversationResponse {
    /// The id every other method takes.
    pub conversation_id: String,
    /// The model in use.
    pub model: String,
    /// The reasoning effort configured, if any.
    pub reasoning_effort: Option<ReasoningEffort>,
    /// The session file.
    pub rollout_path: Option<PathBuf>,
}

/// One part of a user message, in the editor wire shape (`{"type":"text","data":{"text"}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "camelCase")]
pub enum EditorInputItem {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image by URL (data URLs included).
    Image {
        /// The URL.
        image_url: String,
    },
    /// An image file on the server's machine.
    LocalImage {
        /// Its path.
        path: PathBuf,
    },
}

/// `sendUserMessage`: input for a conversation, with its current settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendUserMessageParams {
    /// The conversation.
    pub conversation_id: String,
    /// The message's parts.
    pub items: Vec<EditorInputItem>,
}

/// `sendUserTurn`: input with the settings the turn runs with (they stay for later turns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendUserTurnParams {
    /// The conversation.
    pub conversation_id: String,
    /// The message's parts.
    pub items: Vec<EditorInputItem>,
    /// Working directory.
    pub cwd: PathBuf,
    /// When to ask before running a command.
    pub approval_policy: AskForApproval,
    /// What commands may touch.
    pub sandbox_policy: SandboxPolicy,
    /// The model.
    pub model: String,
    /// Reasoning effort (`null` for the model's default).
    #[serde(default)]
    pub effort: Option<ReasoningEffort>,
    /// Reasoning summary setting.
    pub summary: ReasoningSummary,
}

/// Params naming one conversation (`interruptConversation`, `addConversationListener`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationIdParams {
    /// The conversation.
    pub conversation_id: String,
}

/// The result of `interruptConversation`, sent once the turn stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InterruptConversationResponse {
    /// Why the turn ended: `interrupted`.
    pub abort_reason: String,
}

/// The result of `addConversationListener`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddConversationListenerResponse {
    /// Pass to `removeConversationListener`.
    pub subscription_id: String,
}

/// `removeConversationListener`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveConversationListenerParams {
    /// From `addConversationListener`.
    pub subscription_id: String,
}

/// The params of a `codex/event/<type>` notification: one core event of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationEventParams {
    /// The submission the event is about (`""` for session-level events).
    pub id: String,
    /// The event.
    pub msg: EventMsg,
    /// The conversation.
    pub conversation_id: String,
}

/// `listConversations`: one page of recorded sessions, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListConversationsParams {
    /// At most this many (default 25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<usize>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Git state recorded when a session started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationGitInfo {
    /// Commit.
    pub sha: Option<String>,
    /// Branch.
    pub branch: Option<String>,
    /// The `origin` remote's URL.
    pub origin_url: Option<String>,
}

/// One recorded session in `listConversations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    /// The session id (pass to `resumeConversation` by `path`, or to `codex-reply`).
    pub conversation_id: String,
    /// The rollout file.
    pub path: PathBuf,
    /// The first message the user typed.
    pub preview: String,
    /// When the session started (RFC 3339).
    pub timestamp: Option<String>,
    /// Provider id.
    pub model_provider: Option<String>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Which front end recorded it (`cli`, `exec`, `mcp`, ...).
    pub source: String,
    /// Git state at the start, when in a repository.
    pub git_info: Option<ConversationGitInfo>,
}

/// The result of `listConversations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListConversationsResponse {
    /// Sessions, newest first.
    pub items: Vec<ConversationSummary>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// `resumeConversation`: continue a recorded session, on today's settings plus `overrides`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeConversationParams {
    /// The rollout file (from `listConversations`).
    pub path: PathBuf,
    /// Settings as `newConversation` takes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<NewConversationParams>,
}

/// The result of `resumeConversation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeConversationResponse {
    /// The id (the session's own: resuming keeps it).
    pub conversation_id: String,
    /// The model in use.
    pub model: String,
    /// The session's persisted events, oldest first (what the user typed, what the agent
    /// answered, ...), for the editor to show the conversation so far.
    pub initial_messages: Option<Vec<crate::rollout::EventMsg>>,
}

/// The `sessionConfigured` notification sent before `resumeConversation` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionConfiguredNotification {
    /// The conversation id.
    pub session_id: String,
    /// The model in use.
    pub model: String,
    /// The reasoning effort configured, if any.
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Always 0: this server keeps no separate history log per session.
    pub history_log_id: u64,
    /// History items restored from the file.
    pub history_entry_count: usize,
    /// As in [`ResumeConversationResponse::initial_messages`].
    pub initial_messages: Option<Vec<crate::rollout::EventMsg>>,
    /// The session file.
    pub rollout_path: Option<PathBuf>,
}

/// `loginApiKey`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginApiKeyParams {
    /// The key to store in auth.json.
    pub api_key: String,
}

/// The result of `loginChatGpt`: open `authUrl` in a browser; `loginChatGptComplete` follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginChatGptResponse {
    /// Pass to `cancelLoginChatGpt`.
    pub login_id: String,
    /// The sign-in page.
    pub auth_url: String,
}

/// `cancelLoginChatGpt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelLoginChatGptParams {
    /// From `loginChatGpt`.
    pub login_id: String,
}

/// The `loginChatGptComplete` notification: how a ChatGPT sign-in ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginChatGptCompleteNotification {
    /// From `loginChatGpt`.
    pub login_id: String,
    /// Whether auth.json now holds the sign-in.
    pub success: bool,
    /// Why not, when it failed or was cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `getAuthStatus`. Snake_case keys are not read, as in Codex.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetAuthStatusParams {
    /// Include the token in use.
    #[serde(default)]
    pub include_token: bool,
    /// Refresh ChatGPT tokens first.
    #[serde(default)]
    pub refresh_token: bool,
}

/// The result of `getAuthStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetAuthStatusResponse {
    /// `apikey`, `chatgpt`, or `null` when logged out.
    pub auth_method: Option<String>,
    /// The bearer token, only when asked for.
    pub auth_token: Option<String>,
    /// Whether the configured provider needs an OpenAI login.
    pub requires_openai_auth: bool,
}

/// The `authStatusChange` notification after a login or logout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthStatusChangeNotification {
    /// As in [`GetAuthStatusResponse::auth_method`].
    pub auth_method: Option<String>,
}

/// `execCommandApproval` (server to client): may this command run?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecCommandApprovalParams {
    /// The conversation.
    pub conversation_id: String,
    /// The tool call.
    pub call_id: String,
    /// The argv.
    pub command: Vec<String>,
    /// Where it would run.
    pub cwd: PathBuf,
    /// Why the agent asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `applyPatchApproval` (server to client): may these changes be written?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyPatchApprovalParams {
    /// The conversation.
    pub conversation_id: String,
    /// The tool call.
    pub call_id: String,
    /// What happens to each file.
    pub file_changes: BTreeMap<PathBuf, FileChange>,
    /// Why the agent asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A directory the agent asks to write to for the rest of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_root: Option<PathBuf>,
}

/// The client's answer to an approval request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalResponse {
    /// What the user chose.
    pub decision: ReviewDecision,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn input_items_use_the_nested_data_shape() {
        let item: EditorInputItem =
            serde_json::from_value(json!({"type": "text", "data": {"text": "hi"}})).unwrap();
        assert_eq!(item, EditorInputItem::Text { text: "hi".into() });
        let err = serde_json::from_value::<EditorInputItem>(json!({"type": "text", "text": "hi"}))
            .unwrap_err();
        assert!(err.to_string().contains("data"), "{err}");
        let image: EditorInputItem =
            serde_json::from_value(json!({"type": "localImage", "data": {"path": "/a.png"}}))
                .unwrap();
        assert_eq!(
            image,
            EditorInputItem::LocalImage {
                path: "/a.png".into()
            }
        );
    }

    #[test]
    fn auth_status_ignores_snake_case_keys() {
        let params: GetAuthStatusParams =
            serde_json::from_value(json!({"include_token": true})).unwrap();
        assert!(!params.include_token);
    }
}
