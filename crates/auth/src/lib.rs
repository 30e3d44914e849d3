//! Credentials for talking to OpenAI: `auth.json` in CODEX_HOME, API keys, ChatGPT sign-in
//! (browser PKCE flow and device code) and token refresh.
//!
//! Main types:
//! - [`AuthManager`]: the one owner of credentials in a process. Every conversation, the TUI
//!   and the MCP server share a clone, so a logout or refresh done by one is seen by all.
//!   [`AuthManager::request_auth`] hands the model client what a request needs, refreshing
//!   ChatGPT tokens first when they near expiry; [`AuthManager::refresh_after_unauthorized`]
//!   handles a 401 (once).
//! - [`CodexAuth`]: an immutable snapshot of the credentials; [`RequestAuth`]: bearer token,
//!   `chatgpt-account-id` and the default base URL for one request.
//! - [`AuthDotJson`]: the file format, compatible with OpenAI's Codex CLI (read tolerantly,
//!   written atomically with mode 0600 by [`write_auth_file`]).
//! - [`login`]: the sign-in flows that produce auth.json.
//!
//! This crate and `codex-login` are the only ones that read or write auth.json.
//!
//! ```
//! use codex_auth::{AuthManager, CodexAuth, AuthMode};
//! let manager = AuthManager::from_auth(CodexAuth::from_api_key("sk-test"));
//! let auth = manager.auth().unwrap();
//! assert_eq!(auth.mode(), AuthMode::ApiKey);
//! assert_eq!(auth.request_auth().default_base_url(), "https://api.openai.com/v1");
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod auth_dot_json;
mod codex_auth;
mod jwt;
pub mod login;
mod manager;
mod oauth;
mod redact;
mod refresh;
mod storage;

pub use auth_dot_json::{AuthDotJson, AuthMode, TokenData};
pub use codex_auth::{
    CHATGPT_ACCOUNT_ID_HEADER, CHATGPT_CODEX_BASE_URL, CodexAuth, MAX_TOKEN_AGE,
    OPENAI_API_BASE_URL, REFRESH_BEFORE_EXPIRY, RequestAuth, mask_api_key,
};
pub use jwt::{IdTokenInfo, JwtError, jwt_expiry, parse_id_token};
pub use login::LoginError;
pub use manager::{AuthManager, AuthManagerBuilder, CODEX_API_KEY_ENV};
pub use oauth::{
    CLIENT_ID, DEFAULT_ISSUER, HttpError, ORIGINATOR, REFRESH_TOKEN_URL_OVERRIDE_ENV,
    TokenResponse, default_refresh_token_url, exchange_code_for_tokens, obtain_api_key, token_url,
};
pub use redact::mask_secrets;
pub use refresh::RefreshError;
pub use storage::{
    AUTH_FILE_NAME, StorageError, auth_file_path, delete_auth_file, read_auth_file, write_auth_file,
};

/// What can go wrong with credentials once they are in use.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthError {
    /// auth.json could not be read, parsed, written or deleted. The message names the file.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Renewing the ChatGPT tokens failed; [`RefreshError::is_permanent`] says whether only
    /// a new login helps.
    #[error(transparent)]
    Refresh(#[from] RefreshError),
    /// A sign-in flow failed.
    #[error(transparent)]
    Login(#[from] LoginError),
    /// There are no credentials (logged out, or another process logged out meanwhile).
    #[error(
        "Not logged in. Run `codex login` to sign in with ChatGPT, or pipe an API key to \
         `codex login --with-api-key`"
    )]
    NotLoggedIn,
    /// The server refused an API key (401 or 403; the caller knows which and reports the
    /// status itself). API keys cannot be refreshed; retrying with the same key will not help.
    #[error(
        "The API key was refused by the server. Check it, then store a valid one \
         with `codex login --with-api-key` (or fix CODEX_API_KEY if you set it)"
    )]
    ApiKeyRejected,
    /// The server answered 401 again to the access token obtained by refreshing after a
    /// 401. Only a new login can help.
    #[error(
        "The server still refuses your ChatGPT sign-in (HTTP 401) after renewing it. Log in \
         again with `codex login`"
    )]
    StillUnauthorized,
}
