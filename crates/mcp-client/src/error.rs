//! What can go wrong talking to an MCP server. Messages name the server and, where one
//! exists, the config key that fixes it.

use std::time::Duration;

/// An MCP client failure.
#[derive(Debug, thiserror::Error)]
pub enum McpClientError {
    /// The server name cannot be used in tool names. Fix the table name in config.toml.
    #[error("invalid server name '{0}': must match pattern ^[a-zA-Z0-9_-]+$")]
    InvalidName(String),
    /// The process could not be started (missing program, bad cwd). Retrying will not help.
    #[error("{0}")]
    Spawn(#[source] std::io::Error),
    /// A confined server needs the sandbox helper, which is missing.
    #[error(
        "runs with sandbox = \"{mode}\" but the sandbox helper is missing: {error}; install codex-linux-sandbox beside codex, or set sandbox = \"danger-full-access\" for this server"
    )]
    SandboxHelper {
        /// The configured mode.
        mode: &'static str,
        /// Why the helper was not found.
        error: String,
    },
    /// The URL or a header is not usable. Fix config.toml.
    #[error("{0}")]
    BadConfig(String),
    /// The server wants OAuth and nobody signed in. `codex mcp login` fixes it.
    #[error("the server requires OAuth sign-in; run `codex mcp login {0}`")]
    LoginRequired(String),
    /// The server refused the stored OAuth tokens and refreshing them failed (revoked or
    /// expired sign-in). `codex mcp login` fixes it.
    #[error(
        "the server refused the stored OAuth sign-in and it could not be refreshed; run `codex mcp login {0}`"
    )]
    LoginExpired(String),
    /// Reading the stored OAuth tokens failed, or an OAuth request did.
    #[error(transparent)]
    OAuth(crate::oauth::OAuthError),
    /// `initialize` failed: the server refused, crashed, or is not an MCP server.
    #[error("handshaking with MCP server failed: {0}")]
    Handshake(String),
    /// Start-up (initialize and the first tools/list) took longer than allowed.
    #[error("timed out after {} seconds", .0.as_secs_f64())]
    StartupTimeout(Duration),
    /// A request failed (the server answered an error, or the connection broke).
    #[error("{method} failed: {message}")]
    Request {
        /// The MCP method, e.g. `tools/call`.
        method: &'static str,
        /// What went wrong.
        message: String,
    },
    /// A request got no answer in time. The server may still be working on it.
    #[error("timed out awaiting {method} after {}s", .timeout.as_secs_f64())]
    Timeout {
        /// The MCP method.
        method: &'static str,
        /// The limit.
        timeout: Duration,
    },
}
