//! The `Auth` column of `codex mcp list`: how the agent will authenticate to each server.

use std::path::Path;
use std::time::Duration;

use codex_config::{McpServerConfig, McpServerTransportConfig};

use super::discovery::discover;
use super::requests::oauth_http_client;
use super::store::CredentialStore;

/// How long `list` waits for a server's OAuth metadata.
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// How a server authenticates, as Codex reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum McpAuthStatus {
    /// Stdio, or an HTTP server that does not use OAuth.
    Unsupported,
    /// OAuth is available but nobody signed in.
    NotLoggedIn,
    /// A bearer token from config.
    BearerToken,
    /// Signed in with OAuth.
    OAuth,
}

impl McpAuthStatus {
    /// The `auth_status` value of `list --json`.
    pub fn as_json(self) -> &'static str {
        match self {
            Self::Unsupported => "unsupported",
            Self::NotLoggedIn => "not_logged_in",
            Self::BearerToken => "bearer_token",
            Self::OAuth => "o_auth",
        }
    }

    /// The `Auth` column.
    pub fn label(self) -> &'static str {
        match self {
            Self::Unsupported => "Unsupported",
            Self::NotLoggedIn => "Not logged in",
            Self::BearerToken => "Bearer token",
            Self::OAuth => "OAuth",
        }
    }
}

/// The status of one server: configured bearer tokens first, then stored OAuth tokens, then
/// (HTTP servers only) whether discovery finds an authorization server, within 5 seconds.
pub async fn auth_status(codex_home: &Path, name: &str, server: &McpServerConfig) -> McpAuthStatus {
    let McpServerTransportConfig::StreamableHttp {
        url,
        bearer_token,
        bearer_token_env_var,
        ..
    } = &server.transport
    else {
        return McpAuthStatus::Unsupported;
    };
    if bearer_token.is_some() || bearer_token_env_var.is_some() {
        return McpAuthStatus::BearerToken;
    }
    match CredentialStore::new(codex_home).load(name, url) {
        Ok(Some(_)) => return McpAuthStatus::OAuth,
        Ok(None) => {}
        Err(e) => tracing::warn!("{e}"),
    }
    let Ok(http) = oauth_http_client(http::HeaderMap::new()) else {
        return McpAuthStatus::Unsupported;
    };
    match tokio::time::timeout(DISCOVERY_TIMEOUT, discover(&http, url, None)).await {
        Ok(Ok(_)) => McpAuthStatus::NotLoggedIn,
        Ok(Err(e)) => {
            tracing::debug!("MCP server `{name}`: no OAuth: {e}");
            McpAuthStatus::Unsupported
        }
        Err(_) => McpAuthStatus::Unsupported,
    }
}
