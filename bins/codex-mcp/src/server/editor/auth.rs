//! `getAuthStatus`, `loginApiKey`, `logoutChatGpt` (also spelled `logout`), all through the
//! manager's one `AuthManager`, so a login or logout is seen by every conversation of this
//! server. A login or logout is followed by `authStatusChange`.

use codex_auth::AuthMode;
use codex_core::AuthManager;
use codex_protocol::editor::{
    AuthStatusChangeNotification, GetAuthStatusParams, GetAuthStatusResponse, LoginApiKeyParams,
};
use rmcp::ErrorData as McpError;
use rmcp::service::{Peer, RoleServer};
use serde_json::{Value, json};

use super::{notify, to_value};
use crate::server::state::Shared;

pub(super) async fn status(
    shared: &Shared,
    params: GetAuthStatusParams,
) -> Result<Value, McpError> {
    let auth = shared.manager.auth_manager();
    if params.refresh_token && auth.auth().is_some_and(|a| a.mode() == AuthMode::ChatGpt) {
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
    to_value(&GetAuthStatusResponse {
        auth_method: auth_method(auth),
        auth_token: token,
        requires_openai_auth: shared.requires_openai_auth,
    })
}

pub(super) async fn login_api_key(
    shared: &Shared,
    peer: &Peer<RoleServer>,
    params: LoginApiKeyParams,
) -> Result<Value, McpError> {
    let auth = shared.manager.auth_manager();
    auth.login_with_api_key(&params.api_key)
        .map_err(|e| McpError::internal_error(format!("failed to save api key: {e}"), None))?;
    notify_change(peer, auth).await;
    Ok(json!({}))
}

pub(super) async fn logout(shared: &Shared, peer: &Peer<RoleServer>) -> Result<Value, McpError> {
    // A sign-in still waiting for its browser would log the user back in: end it first.
    super::login::cancel_pending(shared, "logged out");
    let auth = shared.manager.auth_manager();
    auth.logout()
        .map_err(|e| McpError::internal_error(format!("failed to log out: {e}"), None))?;
    notify_change(peer, auth).await;
    Ok(json!({}))
}

/// `apikey`, `chatgpt`, or `None` when logged out.
pub(super) fn auth_method(auth: &AuthManager) -> Option<String> {
    // A ChatGPT sign-in may also hold a minted API key: the mode decides, not the key.
    auth.auth().map(|a| a.mode().as_str().to_owned())
}

/// `authStatusChange` with the method now in use.
pub(super) async fn notify_change(peer: &Peer<RoleServer>, auth: &AuthManager) {
    let params = AuthStatusChangeNotification {
        auth_method: auth_method(auth),
    };
    notify(peer, "authStatusChange", &params).await;
}
