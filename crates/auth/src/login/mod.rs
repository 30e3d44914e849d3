//! Signing in: storing an API key, the ChatGPT browser flow (PKCE with a local callback
//! server) and the device-code flow for machines without a browser.
//!
//! Each flow ends by writing auth.json; an [`crate::AuthManager`] picks the result up on
//! `reload()`.

mod browser;
mod device;
mod pages;
mod pkce;

use std::path::Path;
use std::sync::Arc;

use chrono::Utc;

pub use browser::{
    BrowserLoginOptions, DEFAULT_CALLBACK_PORT, FALLBACK_CALLBACK_PORT, LoginCanceller,
    LoginServer, open_in_browser, start_browser_login,
};
pub use device::{
    DEFAULT_DEVICE_CODE_TIMEOUT, DeviceCode, DeviceCodeOptions, complete_device_code_login,
    request_device_code,
};
pub use pkce::{PkceCodes, code_challenge_for, generate_state};

use crate::auth_dot_json::{AuthDotJson, AuthMode, TokenData};
use crate::jwt::parse_id_token;
use crate::oauth::{HttpError, TokenResponse};
use crate::storage::{StorageError, write_auth_file};

/// A sign-in that did not complete.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoginError {
    /// Writing auth.json failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Every callback port was taken by a program that would not give it up. Retrying after
    /// closing that program helps; so does the device-code flow.
    #[error(
        "cannot start the local sign-in server: {} on 127.0.0.1 {} in use by another program. \
         Close it and retry, or sign in with `codex login --device-auth`",
        ports_list(.ports), if .ports.len() == 1 { "is" } else { "are" }
    )]
    PortInUse { ports: Vec<u16> },
    /// The callback server could not listen (other than a busy port) or stopped unexpectedly.
    #[error("the local sign-in server on port {port} failed: {source}")]
    Server {
        port: u16,
        #[source]
        source: Arc<std::io::Error>,
    },
    /// Another sign-in asked this one to stop (`GET /cancel`), or the caller cancelled it.
    #[error("this sign-in was cancelled (another `codex login` took over, or it was stopped)")]
    Cancelled,
    /// The issuer redirected back with `error=…` instead of a code.
    #[error("the sign-in server reported `{error}`{}", describe(.description.as_deref()))]
    Denied {
        error: String,
        description: Option<String>,
    },
    /// The account's workspace does not have Codex (`missing_codex_entitlement`).
    #[error(
        "Codex is not enabled for this ChatGPT workspace. Ask a workspace admin for access, \
         or sign in with another account"
    )]
    NotEntitled,
    /// Trading the authorization code for tokens failed.
    #[error("exchanging the authorization code for tokens failed: {0}")]
    TokenExchange(#[source] HttpError),
    /// The issuer does not offer device-code sign-in (HTTP 404 on the user-code request).
    #[error(
        "device-code sign-in is not enabled on {issuer}. Use the browser sign-in \
         (`codex login`), or check the issuer URL"
    )]
    DeviceCodeUnsupported { issuer: String },
    /// A device-code request or poll failed.
    #[error("device-code sign-in failed: {0}")]
    DeviceCode(#[source] HttpError),
    /// Nobody entered the code in time.
    #[error(
        "device-code sign-in timed out after {after}; start again with `codex login --device-auth`"
    )]
    DeviceCodeTimeout { after: String },
}

fn ports_list(ports: &[u16]) -> String {
    let list: Vec<String> = ports.iter().map(u16::to_string).collect();
    format!(
        "port{} {}",
        if ports.len() == 1 { "" } else { "s" },
        list.join(" and ")
    )
}

fn describe(description: Option<&str>) -> String {
    description
        .filter(|d| !d.is_empty())
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}

/// What to pre-fill an interactive API-key prompt with: `$OPENAI_API_KEY` when set and not
/// blank. This is the only use of that variable for login; it never authenticates by itself.
pub fn api_key_prefill_from_env() -> Option<String> {
    std::env::var("OPENAI_API_KEY")
        .ok()
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
}

/// Stores `key` as the credentials (API-key mode), replacing whatever auth.json held.
pub fn login_with_api_key(codex_home: &Path, key: &str) -> Result<(), StorageError> {
    write_auth_file(codex_home, &AuthDotJson::for_api_key(key.trim()))
}

/// Stores the tokens of a ChatGPT sign-in (and the API key minted from it, if any).
pub fn persist_chatgpt_login(
    codex_home: &Path,
    tokens: &TokenResponse,
    api_key: Option<String>,
) -> Result<AuthDotJson, StorageError> {
    let account_id = parse_id_token(&tokens.id_token)
        .ok()
        .and_then(|info| info.chatgpt_account_id);
    let file = AuthDotJson {
        auth_mode: Some(AuthMode::ChatGpt),
        openai_api_key: api_key,
        tokens: Some(TokenData {
            id_token: tokens.id_token.clone(),
            access_token: tokens.access_token.clone(),
            refresh_token: tokens.refresh_token.clone(),
            account_id,
            extra: serde_json::Map::new(),
        }),
        last_refresh: Some(Utc::now()),
        extra: serde_json::Map::new(),
    };
    write_auth_file(codex_home, &file)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_ports_and_fixes() {
        let one = LoginError::PortInUse { ports: vec![1455] }.to_string();
        assert!(one.contains("port 1455 on 127.0.0.1 is in use"), "{one}");
        let two = LoginError::PortInUse {
            ports: vec![1455, 1457],
        }
        .to_string();
        assert!(two.contains("ports 1455 and 1457"), "{two}");
        let denied = LoginError::Denied {
            error: "access_denied".into(),
            description: Some("no".into()),
        };
        assert_eq!(
            denied.to_string(),
            "the sign-in server reported `access_denied`: no"
        );
    }
}
