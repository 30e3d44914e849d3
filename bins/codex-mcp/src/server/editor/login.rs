//! `loginChatGpt` and `cancelLoginChatGpt`: codex-auth's browser sign-in (PKCE, its callback
//! server on localhost:1455), started for an editor that opens `authUrl` itself. When the
//! sign-in ends, `loginChatGptComplete` tells how, and on success the manager's `AuthManager`
//! reloads auth.json (then `authStatusChange`). One sign-in at a time: a new one cancels the
//! one before, as the callback port can only serve one.

use std::sync::{Arc, Mutex, PoisonError};

use codex_auth::login::{BrowserLoginOptions, LoginCanceller, start_browser_login};
use codex_auth::{LoginError, mask_secrets};
use codex_protocol::editor::{
    CancelLoginChatGptParams, LoginChatGptCompleteNotification, LoginChatGptResponse,
};
use rmcp::ErrorData as McpError;
use rmcp::service::{Peer, RoleServer};
use serde_json::{Value, json};

use super::{auth, notify, to_value};
use crate::server::state::Shared;

/// The sign-in in progress, if any.
#[derive(Default)]
pub(crate) struct LoginSlot {
    pending: Mutex<Option<Pending>>,
}

struct Pending {
    login_id: String,
    canceller: LoginCanceller,
}

impl LoginSlot {
    fn replace(&self, next: Option<Pending>) -> Option<Pending> {
        std::mem::replace(
            &mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner),
            next,
        )
    }

    /// Takes the pending sign-in if it is `login_id`.
    fn take_if(&self, login_id: &str) -> Option<Pending> {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if pending.as_ref().is_some_and(|p| p.login_id == login_id) {
            pending.take()
        } else {
            None
        }
    }
}

pub(super) async fn start(
    shared: &Arc<Shared>,
    peer: &Peer<RoleServer>,
) -> Result<Value, McpError> {
    let auth = shared.manager.auth_manager().clone();
    let Some(codex_home) = auth.codex_home().map(ToOwned::to_owned) else {
        return Err(McpError::internal_error(
            "this server's credentials are fixed; there is no auth.json to sign in to",
            None,
        ));
    };
    cancel_pending(shared, "replaced by a new loginChatGpt");
    let mut opts = BrowserLoginOptions::new(codex_home);
    // The editor opens the URL; a browser popping up from a server is not wanted.
    opts.open_browser = false;
    if let Some(issuer) = &shared.settings.login_issuer {
        opts.issuer.clone_from(issuer);
    }
    if let Some(port) = shared.settings.login_port {
        opts.port = port;
        opts.fallback_port = None;
    }
    let server = start_browser_login(opts).await.map_err(|e| {
        McpError::internal_error(format!("failed to start the ChatGPT sign-in: {e}"), None)
    })?;
    let login_id = uuid::Uuid::new_v4().to_string();
    let response = LoginChatGptResponse {
        login_id: login_id.clone(),
        auth_url: server.auth_url.clone(),
    };
    shared.login.replace(Some(Pending {
        login_id: login_id.clone(),
        canceller: server.canceller(),
    }));
    let peer = peer.clone();
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        let outcome = server.wait().await;
        shared.login.take_if(&login_id);
        let error = match &outcome {
            Ok(()) => None,
            Err(LoginError::Cancelled) => Some("login was cancelled".to_owned()),
            Err(e) => Some(mask_secrets(&e.to_string())),
        };
        let done = LoginChatGptCompleteNotification {
            login_id,
            success: outcome.is_ok(),
            error,
        };
        if outcome.is_ok()
            && let Err(e) = auth.reload()
        {
            tracing::warn!("the sign-in wrote auth.json, but reading it back failed: {e}");
        }
        notify(&peer, "loginChatGptComplete", &done).await;
        if outcome.is_ok() {
            auth::notify_change(&peer, &auth).await;
        }
    });
    to_value(&response)
}

pub(super) fn cancel(
    shared: &Shared,
    params: &CancelLoginChatGptParams,
) -> Result<Value, McpError> {
    match shared.login.take_if(&params.login_id) {
        Some(pending) => {
            pending.canceller.cancel();
            Ok(json!({}))
        }
        None => Err(McpError::invalid_request(
            format!("login id not found: {}", params.login_id),
            None,
        )),
    }
}

/// Cancels the sign-in in progress, if any (its task then sends `loginChatGptComplete` with
/// `success: false`).
pub(super) fn cancel_pending(shared: &Shared, why: &str) {
    if let Some(pending) = shared.login.replace(None) {
        tracing::info!(login_id = %pending.login_id, "cancelling a ChatGPT sign-in: {why}");
        pending.canceller.cancel();
    }
}
