//! The stored tokens of one server while the agent uses it: the access token for each
//! request, refreshed shortly before it expires and again when the server answers 401. A
//! sign-in or refresh by another process (another agent, `codex mcp login`) is picked up from
//! the store before refreshing, so a rotated refresh token is never replayed.

use tokio::sync::Mutex;

use super::discovery::discover;
use super::error::OAuthError;
use super::store::{CredentialStore, StoredTokens};
use super::token::TokenClient;

/// Refresh when the token has less than this left (ms).
const REFRESH_SKEW_MS: u64 = 30_000;

/// A server's tokens, shared by all requests of its connection.
#[derive(Debug)]
pub(crate) struct OAuthTokenSource {
    store: CredentialStore,
    http: reqwest::Client,
    tokens: Mutex<StoredTokens>,
}

impl OAuthTokenSource {
    /// The stored tokens of `server_name` at `server_url`, if any.
    pub(crate) fn load(
        store: CredentialStore,
        server_name: &str,
        server_url: &str,
        http: reqwest::Client,
    ) -> Result<Option<Self>, OAuthError> {
        Ok(store.load(server_name, server_url)?.map(|tokens| Self {
            store,
            http,
            tokens: Mutex::new(tokens),
        }))
    }

    /// The access token to send now, refreshed first when it is about to expire. A failed
    /// refresh is logged and the old token sent: the server has the last word.
    pub(crate) async fn bearer(&self) -> String {
        let mut tokens = self.tokens.lock().await;
        if tokens.expires_within(REFRESH_SKEW_MS) {
            self.adopt_stored(&mut tokens);
            if tokens.expires_within(REFRESH_SKEW_MS)
                && let Err(e) = self.refresh_or_adopt(&mut tokens).await
            {
                tracing::warn!(
                    "MCP server `{}`: refreshing its OAuth token failed: {e}",
                    tokens.server_name
                );
            }
        }
        tokens.access_token.clone()
    }

    /// After a 401 for `used`: a newer token to retry with (another request or process
    /// already got one, or a refresh does), or `None` when there is none.
    pub(crate) async fn after_unauthorized(&self, used: &str) -> Option<String> {
        let mut tokens = self.tokens.lock().await;
        if tokens.access_token != used {
            return Some(tokens.access_token.clone());
        }
        if self.adopt_stored(&mut tokens) {
            return Some(tokens.access_token.clone());
        }
        match self.refresh_or_adopt(&mut tokens).await {
            Ok(()) => Some(tokens.access_token.clone()),
            Err(e) => {
                tracing::warn!(
                    "MCP server `{}` refused its OAuth token and refreshing failed: {e}; run `codex mcp login {}`",
                    tokens.server_name,
                    tokens.server_name
                );
                None
            }
        }
    }

    /// Takes the store's tokens when they differ from ours (a newer sign-in or refresh).
    fn adopt_stored(&self, tokens: &mut StoredTokens) -> bool {
        match self.store.load(&tokens.server_name, &tokens.server_url) {
            Ok(Some(stored)) if stored.access_token != tokens.access_token => {
                *tokens = stored;
                true
            }
            Ok(_) => false,
            Err(e) => {
                tracing::warn!("{e}");
                false
            }
        }
    }

    /// Refreshes; when that fails, another process may have refreshed first (and spent the
    /// refresh token we hold): its stored result is taken instead.
    async fn refresh_or_adopt(&self, tokens: &mut StoredTokens) -> Result<(), OAuthError> {
        match self.refresh(tokens).await {
            Ok(()) => Ok(()),
            Err(_) if self.adopt_stored(tokens) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn refresh(&self, tokens: &mut StoredTokens) -> Result<(), OAuthError> {
        let Some(refresh_token) = tokens.refresh_token.clone() else {
            return Err(OAuthError::NoRefreshToken(tokens.server_name.clone()));
        };
        let token_endpoint = match &tokens.token_endpoint {
            Some(endpoint) => endpoint.clone(),
            // Written by a program that does not keep the endpoint: discover it again.
            None => {
                discover(&self.http, &tokens.server_url, None)
                    .await?
                    .metadata
                    .token_endpoint
            }
        };
        let client = TokenClient {
            token_endpoint: token_endpoint.clone(),
            client_id: tokens.client_id.clone(),
            client_secret: tokens.client_secret.clone(),
            resource: Some(
                tokens
                    .resource
                    .clone()
                    .unwrap_or_else(|| tokens.server_url.clone()),
            ),
        };
        let response = client.refresh(&self.http, &refresh_token).await?;
        let mut updated = tokens.clone();
        response.apply(&mut updated);
        updated.token_endpoint = Some(token_endpoint);
        if let Err(e) = self.store.save(&updated) {
            // The new token still works for this process; the next one refreshes again.
            tracing::warn!("cannot store the refreshed OAuth token: {e}");
        }
        *tokens = updated;
        Ok(())
    }
}
