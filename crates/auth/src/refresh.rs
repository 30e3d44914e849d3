//! Refreshing ChatGPT tokens with the refresh token, and what its failures mean to a user.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::oauth::{HttpError, http_client, parse, send_json};

/// The fix for every permanent refresh failure.
const LOG_IN_AGAIN: &str = "Log in again with `codex login`.";

/// A refresh that did not produce new tokens.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RefreshError {
    /// The issuer says the refresh token has expired (`refresh_token_expired`). Permanent.
    #[error(
        "Your ChatGPT sign-in could not be renewed: the refresh token has expired. {LOG_IN_AGAIN}"
    )]
    Expired,
    /// The refresh token was already exchanged once (`refresh_token_reused`), for example by
    /// another Codex process sharing this CODEX_HOME. Permanent.
    #[error(
        "Your ChatGPT sign-in could not be renewed: the refresh token was already used. {LOG_IN_AGAIN}"
    )]
    Reused,
    /// The refresh token was revoked (`refresh_token_invalidated`), e.g. by signing out
    /// elsewhere or a password change. Permanent.
    #[error(
        "Your ChatGPT sign-in could not be renewed: the refresh token was revoked. {LOG_IN_AGAIN}"
    )]
    Invalidated,
    /// The issuer refused the refresh token for a reason it did not name (HTTP 401).
    /// Permanent.
    #[error(
        "Your ChatGPT sign-in could not be renewed: the sign-in server refused the refresh token. {LOG_IN_AGAIN}"
    )]
    Rejected,
    /// The stored sign-in has no refresh token to renew it with. Permanent.
    #[error("Your ChatGPT sign-in has no refresh token and cannot be renewed. {LOG_IN_AGAIN}")]
    NoRefreshToken,
    /// The refresh request failed for a reason that may pass (network, 5xx, bad answer).
    #[error("Your ChatGPT sign-in could not be renewed: {0}")]
    Http(#[from] HttpError),
}

impl RefreshError {
    /// True when retrying with the same refresh token cannot help: only a new login can.
    pub fn is_permanent(&self) -> bool {
        !matches!(self, RefreshError::Http(_))
    }
}

/// New tokens from a refresh; each may be absent, in which case the old one stays.
#[derive(Debug, Clone, Default, Deserialize)]
#[allow(clippy::struct_field_names)] // The names are the wire's.
pub(crate) struct RefreshedTokens {
    pub(crate) id_token: Option<String>,
    pub(crate) access_token: Option<String>,
    pub(crate) refresh_token: Option<String>,
}

/// Posts the refresh request (JSON, as Codex does) to `url`.
pub(crate) async fn request_refresh(
    url: &str,
    client_id: &str,
    refresh_token: &str,
) -> Result<RefreshedTokens, RefreshError> {
    if refresh_token.is_empty() {
        return Err(RefreshError::NoRefreshToken);
    }
    let body = json!({
        "client_id": client_id,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "scope": "openid profile email",
    });
    let request = http_client(url)?.post(url).json(&body);
    match send_json(url, request).await {
        Ok(value) => Ok(parse(url, value)?),
        Err(e) => {
            let permanent = match &e {
                HttpError::Status { status, body, .. } => classify(*status, body),
                _ => None,
            };
            Err(permanent.unwrap_or(RefreshError::Http(e)))
        }
    }
}

/// Maps an error answer to a permanent failure, when it is one.
fn classify(status: u16, body: &str) -> Option<RefreshError> {
    let code = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| error_code(&v));
    match code.as_deref() {
        Some("refresh_token_expired") => Some(RefreshError::Expired),
        Some("refresh_token_reused") => Some(RefreshError::Reused),
        Some("refresh_token_invalidated") => Some(RefreshError::Invalidated),
        _ if status == 401 => Some(RefreshError::Rejected),
        _ => None,
    }
}

/// The error code in any of the shapes issuers use: `{"error":{"code":…}}`,
/// `{"error":"…"}` or `{"code":…}`.
fn error_code(body: &Value) -> Option<String> {
    let from = |v: &Value| v.as_str().map(str::to_owned);
    match body.get("error") {
        Some(Value::Object(obj)) => obj.get("code").and_then(from),
        Some(Value::String(s)) => Some(s.clone()),
        _ => body.get("code").and_then(from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_in_every_shape_are_recognised() {
        for body in [
            r#"{"error":{"code":"refresh_token_expired","message":"x"}}"#,
            r#"{"error":"refresh_token_expired"}"#,
            r#"{"code":"refresh_token_expired"}"#,
        ] {
            assert!(
                matches!(classify(400, body), Some(RefreshError::Expired)),
                "{body}"
            );
        }
        assert!(matches!(
            classify(401, r#"{"error":{"code":"refresh_token_reused"}}"#),
            Some(RefreshError::Reused)
        ));
        assert!(matches!(
            classify(401, "not json"),
            Some(RefreshError::Rejected)
        ));
        assert!(classify(500, "oops").is_none());
        assert!(
            RefreshError::Invalidated
                .to_string()
                .contains("codex login")
        );
    }
}
