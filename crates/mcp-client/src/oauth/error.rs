//! What can go wrong signing in to an MCP server or keeping its tokens fresh. Messages name
//! the URL or file involved and, where there is one, the fix.

use std::path::PathBuf;
use std::sync::Arc;

/// An OAuth failure.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OAuthError {
    /// Neither a `WWW-Authenticate` challenge nor any well-known metadata document led to an
    /// authorization server: the server does not use OAuth (a bearer token may be what it
    /// wants). Retrying will not help.
    #[error(
        "No authorization support detected at {url}: {reason}. If the server takes a static token, set `bearer_token_env_var` instead"
    )]
    NoAuthorizationSupport {
        /// The MCP server's URL.
        url: String,
        /// What was tried.
        reason: String,
    },
    /// A request could not be sent or its answer not read (network down, refused, timed
    /// out). Retrying may help.
    #[error("request to {url} failed: {message}")]
    Transport {
        /// The endpoint.
        url: String,
        /// The transport's error, secrets masked.
        message: String,
    },
    /// An endpoint answered with an error status. The OAuth `error` code, when the server
    /// sent one, says whether a retry can help (`invalid_grant`: sign in again).
    #[error("{url} answered HTTP {status}{}", describe(.error.as_deref(), .description.as_deref()))]
    Status {
        /// The endpoint.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The OAuth error code (`invalid_grant`, ...).
        error: Option<String>,
        /// The server's explanation, secrets masked.
        description: Option<String>,
    },
    /// An endpoint answered 2xx with a document we cannot use (not JSON, missing fields).
    #[error("{url} sent an unusable answer: {problem}")]
    BadResponse {
        /// The endpoint.
        url: String,
        /// What is wrong, never quoting a credential.
        problem: String,
    },
    /// The metadata points somewhere it may not (a resource on another origin, a non-HTTP
    /// URL). Signing in there could hand a token to the wrong party, so it is refused.
    #[error("refusing the OAuth metadata of {url}: {problem}")]
    Untrusted {
        /// Where the metadata came from.
        url: String,
        /// Why it is refused.
        problem: String,
    },
    /// No client id is configured and the authorization server offers no dynamic client
    /// registration.
    #[error(
        "the authorization server {issuer} offers no dynamic client registration; register a client with it and set `oauth_client_id` in [mcp_servers.{server}]"
    )]
    NoRegistration {
        /// The authorization server.
        issuer: String,
        /// The MCP server's name in config.toml.
        server: String,
    },
    /// The stored sign-in has no refresh token, so an expired access token cannot be
    /// renewed without the browser.
    #[error(
        "the stored sign-in of MCP server `{0}` has no refresh token; run `codex mcp login {0}`"
    )]
    NoRefreshToken(String),
    /// The browser came back with an error, a forged `state`, or no code.
    #[error("the sign-in did not complete: {0}")]
    Callback(String),
    /// Nobody finished the sign-in in the browser in time.
    #[error("timed out after {0} seconds waiting for the sign-in to finish in the browser")]
    CallbackTimeout(u64),
    /// The local callback listener could not start.
    #[error("cannot listen for the sign-in callback on 127.0.0.1:{port}: {source}")]
    Listener {
        /// The requested port (0: any).
        port: u16,
        /// Why.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// The credentials file cannot be read or written.
    #[error("{}: {message}", path.display())]
    Store {
        /// The file.
        path: PathBuf,
        /// What failed; for a corrupt file, where, never a value from it.
        message: String,
    },
}

fn describe(error: Option<&str>, description: Option<&str>) -> String {
    match (error, description) {
        (Some(e), Some(d)) => format!(": {e}: {d}"),
        (Some(e), None) => format!(": {e}"),
        (None, Some(d)) => format!(": {d}"),
        (None, None) => String::new(),
    }
}

impl OAuthError {
    pub(crate) fn transport(url: &str, e: &reqwest::Error) -> Self {
        OAuthError::Transport {
            url: url.to_owned(),
            message: codex_auth::mask_secrets(&e.to_string()),
        }
    }

    /// Whether the authorization server said the grant (refresh token) is no longer valid:
    /// only a new sign-in helps.
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, OAuthError::Status { error: Some(e), .. } if e == "invalid_grant")
    }
}
