//! OAuth for remote MCP servers that ask for it, per the MCP authorization spec: discovery
//! (RFC 9728 resource metadata from a 401's challenge or the well-known URL, then RFC 8414
//! authorization-server metadata or the OpenID configuration), dynamic client registration
//! (RFC 7591) when no client id is configured, the authorization-code flow with PKCE (S256),
//! the `resource` parameter (RFC 8707) and a loopback callback, and refreshes.
//!
//! - [`start_login`] / [`PendingLogin`]: `codex mcp login`.
//! - [`CredentialStore`] / [`StoredTokens`]: `CODEX_HOME/.credentials.json`, Codex's file format.
//! - [`auth_status`]: the `Auth` column of `codex mcp list`.
//! - The agent's HTTP transport uses the stored tokens through an internal token source that
//!   refreshes them before they expire and after a 401.
//!
//! The requests are few and plain, so they are written here with serde types on the
//! workspace's reqwest; rmcp's own OAuth would bring a second HTTP stack.

mod discovery;
mod error;
mod login;
mod requests;
pub(crate) mod session;
mod status;
mod store;
mod token;

pub use discovery::{AuthorizationServerMetadata, BearerChallenge, Discovery, discover};
pub use error::OAuthError;
pub use login::{LoginOptions, PendingLogin, start_login};
pub(crate) use requests::oauth_http_client;
pub use status::{McpAuthStatus, auth_status};
pub use store::{CREDENTIALS_FILE, CredentialStore, StoredTokens, store_key};
