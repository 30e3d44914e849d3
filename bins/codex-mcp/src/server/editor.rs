//! The editor JSON-RPC methods on the MCP connection, where editor integrations of mid-2025
//! call them: for now the auth ones (`getAuthStatus`, `loginApiKey`, `logoutChatGpt`, also
//! spelled `logout`), all through the manager's one `AuthManager`, so a login or logout is
//! seen by every conversation of this server. A login or logout is followed by the
//! `authStatusChange` notification. Params are camelCase, as Codex's.

use codex_core::AuthManager;
use rmcp::ErrorData as McpError;
use rmcp::model::{CustomNotification, ServerNotification};
use rmcp::service::{Peer, RoleServer};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthStatusParams {
    #[serde(default)]
    include_token: bool,
    #[serde(default)]
    refresh_token: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginApiKeyParams {
    api_key: String,
}

/// Answers an editor method, or `None` when `method` is not one.
pub(crate) async fn handle(
    auth: &AuthManager,
    requires_openai_auth: bool,
    peer: &Peer<RoleServer>,
    method: &str,
    params: Option<Value>,
) -> Option<Result<Value, McpError>> {
    let result = match method {
        "getAuthStatus" => auth_status(auth, requires_openai_auth, params).await,
        "loginApiKey" => match parse::<LoginApiKeyParams>(method, params) {
            Ok(p) => match auth.login_with_api_key(&p.api_key) {
                Ok(()) => {
                    notify_change(peer, Some("apikey")).await;
                    Ok(json!({}))
                }
                Err(e) => Err(McpError::internal_error(
                    format!("failed to save api key: {e}"),
                    None,
                )),
            },
            Err(e) => Err(e),
        },
        "logoutChatGpt" | "logout" => match auth.logout() {
            Ok(_) => {
                notify_change(peer, auth_method(auth)).await;
                Ok(json!({}))
            }
            Err(e) => Err(McpError::internal_error(
                format!("failed to log out: {e}"),
                None,
            )),
        },
        _ => return None,
    };
    Some(result)
}

async fn auth_status(
    auth: &AuthManager,
    requires_openai_auth: bool,
    params: Option<Value>,
) -> Result<Value, McpError> {
    let params: AuthStatusParams = match params {
        None => AuthStatusParams::default(),
        Some(params) => parse("getAuthStatus", Some(params))?,
    };
    if params.refresh_token && auth.auth().is_some_and(|a| a.api_key().is_none()) {
        // The token in use, refreshed first when asked (a failure leaves the old one).
        if let Err(e) = auth.refresh_token().await {
            tracing::warn!("getAuthStatus: refreshing the ChatGPT tokens failed: {e}");
        }
    }
    let current = auth.auth();
    let token = params
        .include_token
        .then(|| current.as_ref().map(|a| a.bearer_token().to_owned()))
        .flatten();
    Ok(json!({
        "authMethod": auth_method(auth),
        "authToken": token,
        "requiresOpenaiAuth": requires_openai_auth,
    }))
}

fn auth_method(auth: &AuthManager) -> Option<&'static str> {
    auth.auth().map(|a| {
        if a.api_key().is_some() {
            "apikey"
        } else {
            "chatgpt"
        }
    })
}

async fn notify_change(peer: &Peer<RoleServer>, method: Option<&str>) {
    let notification = ServerNotification::CustomNotification(CustomNotification::new(
        "authStatusChange",
        Some(json!({"authMethod": method})),
    ));
    if let Err(e) = peer.send_notification(notification).await {
        tracing::debug!("cannot send authStatusChange: {e}");
    }
}

fn parse<T: for<'de> Deserialize<'de>>(method: &str, params: Option<Value>) -> Result<T, McpError> {
    serde_json::from_value(params.unwrap_or_else(|| json!({})))
        .map_err(|e| McpError::invalid_params(format!("Invalid params for `{method}`: {e}"), None))
}
