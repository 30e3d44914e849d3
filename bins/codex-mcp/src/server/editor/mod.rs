//! The editor JSON-RPC methods on the MCP connection, where editor integrations of mid-2025
//! call them (Codex 0.58 serves the same shapes from `codex app-server`). Params, results and
//! notifications are the types of `codex_protocol::editor`, camelCase on the wire.
//!
//! - [`conversations`]: `newConversation`, `sendUserMessage`, `sendUserTurn`,
//!   `interruptConversation`, `listConversations`, `resumeConversation`.
//! - [`listener`]: `addConversationListener` / `removeConversationListener`; the events as
//!   `codex/event/<type>` notifications, approvals as `execCommandApproval` /
//!   `applyPatchApproval` requests.
//! - [`auth`]: `getAuthStatus`, `loginApiKey`, `logoutChatGpt` (also `logout`), and
//!   `authStatusChange`; [`login`]: `loginChatGpt`, `cancelLoginChatGpt` and
//!   `loginChatGptComplete`.
//!
//! Everything goes through the one `ConversationManager` and its `AuthManager`. Params that
//! do not fit are `-32602`; a method this server does not know is `-32601` (the handler's).

mod auth;
mod conversations;
mod listener;
pub(crate) mod login;

use rmcp::ErrorData as McpError;
use rmcp::model::{CustomNotification, ServerNotification};
use rmcp::service::{Peer, RoleServer};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub(crate) use listener::Subscriptions;

use super::handler::CodexServer;

/// The methods answered here.
pub(crate) const METHODS: &[&str] = &[
    "getAuthStatus",
    "loginApiKey",
    "logoutChatGpt",
    "logout",
    "loginChatGpt",
    "cancelLoginChatGpt",
    "newConversation",
    "sendUserMessage",
    "sendUserTurn",
    "interruptConversation",
    "listConversations",
    "resumeConversation",
    "addConversationListener",
    "removeConversationListener",
];

/// Answers an editor method, or `None` when `method` is not one.
pub(crate) async fn handle(
    server: &CodexServer,
    peer: &Peer<RoleServer>,
    method: &str,
    params: Option<Value>,
) -> Option<Result<Value, McpError>> {
    if !METHODS.contains(&method) {
        return None;
    }
    Some(dispatch(server, peer, method, params).await)
}

async fn dispatch(
    server: &CodexServer,
    peer: &Peer<RoleServer>,
    method: &str,
    params: Option<Value>,
) -> Result<Value, McpError> {
    let shared = &server.shared;
    match method {
        "getAuthStatus" => auth::status(shared, parse(method, params)?).await,
        "loginApiKey" => auth::login_api_key(shared, peer, parse(method, params)?).await,
        "logoutChatGpt" | "logout" => auth::logout(shared, peer).await,
        "loginChatGpt" => login::start(shared, peer).await,
        "cancelLoginChatGpt" => login::cancel(shared, &parse(method, params)?),
        "newConversation" => conversations::new(server, parse(method, params)?),
        "sendUserMessage" => {
            conversations::send_message(server, peer, parse(method, params)?).await
        }
        "sendUserTurn" => conversations::send_turn(server, peer, parse(method, params)?).await,
        "interruptConversation" => {
            conversations::interrupt(server, peer, parse(method, params)?).await
        }
        "listConversations" => conversations::list(server, &parse(method, params)?),
        "resumeConversation" => conversations::resume(server, peer, parse(method, params)?).await,
        "addConversationListener" => listener::add(server, peer, &parse(method, params)?),
        "removeConversationListener" => listener::remove(server, &parse(method, params)?),
        other => Err(McpError::new(
            rmcp::model::ErrorCode::METHOD_NOT_FOUND,
            format!("Method not found: `{other}`"),
            None,
        )),
    }
}

/// Reads a method's params (absent counts as `{}`), or says why they do not fit (`-32602`).
fn parse<T: DeserializeOwned>(method: &str, params: Option<Value>) -> Result<T, McpError> {
    serde_json::from_value(params.unwrap_or_else(|| json!({})))
        .map_err(|e| McpError::invalid_params(format!("Invalid params for `{method}`: {e}"), None))
}

/// A result as JSON.
fn to_value<T: Serialize>(value: &T) -> Result<Value, McpError> {
    serde_json::to_value(value)
        .map_err(|e| McpError::internal_error(format!("cannot encode the result: {e}"), None))
}

/// Sends a notification; a client that went away is only logged.
async fn notify<T: Serialize>(peer: &Peer<RoleServer>, method: &str, params: &T) {
    let params = match serde_json::to_value(params) {
        Ok(params) => params,
        Err(e) => {
            tracing::warn!("cannot encode {method}: {e}");
            return;
        }
    };
    let notification =
        ServerNotification::CustomNotification(CustomNotification::new(method, Some(params)));
    if let Err(e) = peer.send_notification(notification).await {
        tracing::debug!("cannot send {method}: {e}");
    }
}
