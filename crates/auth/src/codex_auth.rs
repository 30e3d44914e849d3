//! `CodexAuth`: one immutable snapshot of the credentials in use, and `RequestAuth`, what a
//! model request needs from it.
//!
//! Snapshots are cheap to clone and never change; the [`crate::AuthManager`] replaces its
//! snapshot when tokens are refreshed or the user logs in or out.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use crate::auth_dot_json::{AuthDotJson, AuthMode, TokenData};
use crate::jwt::{IdTokenInfo, jwt_expiry, parse_id_token};
use crate::storage::{StorageError, read_auth_file};

/// Base URL for API-key requests.
pub const OPENAI_API_BASE_URL: &str = "https://api.openai.com/v1";
/// Base URL for ChatGPT-sign-in requests (the Responses API of the ChatGPT backend).
pub const CHATGPT_CODEX_BASE_URL: &str = "https://chatgpt.com/backend-api/codex";
/// Header carrying the ChatGPT account id.
pub const CHATGPT_ACCOUNT_ID_HEADER: &str = "chatgpt-account-id";

/// Refresh when the access token expires within this window.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::minutes(5);
/// Refresh when the tokens are older than this, whatever their expiry says.
pub const MAX_TOKEN_AGE: Duration = Duration::days(8);

/// The credentials in use: an API key or a ChatGPT sign-in.
#[derive(Clone, PartialEq)]
pub struct CodexAuth {
    kind: Kind,
}

#[derive(Clone, PartialEq)]
enum Kind {
    ApiKey { key: String },
    ChatGpt(Box<ChatGpt>),
}

#[derive(Clone, PartialEq)]
struct ChatGpt {
    tokens: TokenData,
    info: IdTokenInfo,
    last_refresh: Option<DateTime<Utc>>,
    /// A key minted by token exchange at sign-in; not used for requests.
    minted_api_key: Option<String>,
}

impl CodexAuth {
    /// Credentials from an API key (`--with-api-key`, `CODEX_API_KEY`, tests).
    pub fn from_api_key(key: &str) -> CodexAuth {
        CodexAuth {
            kind: Kind::ApiKey {
                key: key.trim().to_owned(),
            },
        }
    }

    /// Reads `$CODEX_HOME/auth.json`. `Ok(None)` when logged out; an error names the file when
    /// it cannot be read or parsed. Environment variables are not consulted (see
    /// [`crate::AuthManager`] for `CODEX_API_KEY`).
    pub fn from_codex_home(codex_home: &Path) -> Result<Option<CodexAuth>, StorageError> {
        Ok(read_auth_file(codex_home)?
            .as_ref()
            .and_then(CodexAuth::from_auth_dot_json))
    }

    /// Interprets a parsed auth.json. `None` when it holds no usable credentials for its mode.
    pub fn from_auth_dot_json(auth: &AuthDotJson) -> Option<CodexAuth> {
        match auth.resolved_mode() {
            AuthMode::ApiKey => auth.api_key().map(CodexAuth::from_api_key),
            AuthMode::ChatGpt => {
                let mut tokens = auth.usable_tokens()?.clone();
                // A token we cannot decode still authenticates; it just tells us nothing.
                let info = parse_id_token(&tokens.id_token).unwrap_or_default();
                if tokens.account_id.as_deref().is_none_or(str::is_empty) {
                    tokens.account_id.clone_from(&info.chatgpt_account_id);
                }
                Some(CodexAuth {
                    kind: Kind::ChatGpt(Box::new(ChatGpt {
                        tokens,
                        info,
                        last_refresh: auth.last_refresh,
                        minted_api_key: auth.api_key().map(str::to_owned),
                    })),
                })
            }
        }
    }

    /// API key or ChatGPT.
    pub fn mode(&self) -> AuthMode {
        match self.kind {
            Kind::ApiKey { .. } => AuthMode::ApiKey,
            Kind::ChatGpt(_) => AuthMode::ChatGpt,
        }
    }

    /// The API key in API-key mode; in ChatGPT mode, the key minted at sign-in, if any.
    pub fn api_key(&self) -> Option<&str> {
        match &self.kind {
            Kind::ApiKey { key } => Some(key),
            Kind::ChatGpt(c) => c.minted_api_key.as_deref(),
        }
    }

    /// The ChatGPT tokens, in ChatGPT mode.
    pub fn tokens(&self) -> Option<&TokenData> {
        match &self.kind {
            Kind::ApiKey { .. } => None,
            Kind::ChatGpt(c) => Some(&c.tokens),
        }
    }

    /// What the id token says about the account, in ChatGPT mode.
    pub fn id_token_info(&self) -> Option<&IdTokenInfo> {
        match &self.kind {
            Kind::ApiKey { .. } => None,
            Kind::ChatGpt(c) => Some(&c.info),
        }
    }

    /// The account's email, in ChatGPT mode when the id token has one.
    pub fn email(&self) -> Option<&str> {
        self.id_token_info()?.email.as_deref()
    }

    /// The ChatGPT plan (`plus`, `pro`, …), when known.
    pub fn plan_type(&self) -> Option<&str> {
        self.id_token_info()?.chatgpt_plan_type.as_deref()
    }

    /// The ChatGPT account id sent as `chatgpt-account-id`.
    pub fn account_id(&self) -> Option<&str> {
        self.tokens()?.account_id.as_deref()
    }

    /// When the tokens were last obtained, in ChatGPT mode.
    pub fn last_refresh(&self) -> Option<DateTime<Utc>> {
        match &self.kind {
            Kind::ApiKey { .. } => None,
            Kind::ChatGpt(c) => c.last_refresh,
        }
    }

    /// The bearer token for model requests: the API key, or the ChatGPT access token.
    pub fn bearer_token(&self) -> &str {
        match &self.kind {
            Kind::ApiKey { key } => key,
            Kind::ChatGpt(c) => &c.tokens.access_token,
        }
    }

    /// Whether the ChatGPT tokens should be refreshed before use at `now`: the access token
    /// expires within five minutes, or the tokens are more than eight days old. Never true
    /// for API keys, nor when there is no refresh token to refresh with.
    pub fn needs_refresh(&self, now: DateTime<Utc>) -> bool {
        let Kind::ChatGpt(c) = &self.kind else {
            return false;
        };
        let (tokens, last_refresh) = (&c.tokens, &c.last_refresh);
        if tokens.refresh_token.is_empty() {
            return false;
        }
        if tokens.access_token.is_empty() {
            return true;
        }
        let expiring =
            jwt_expiry(&tokens.access_token).is_some_and(|exp| exp - now <= REFRESH_BEFORE_EXPIRY);
        let stale = last_refresh.is_some_and(|t| now - t > MAX_TOKEN_AGE);
        expiring || stale
    }

    /// Whether the access token has certainly expired at `now` (unknown expiry: no).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.tokens()
            .and_then(|t| jwt_expiry(&t.access_token))
            .is_some_and(|exp| exp <= now)
    }

    /// What one model request needs: bearer token, account header and default base URL.
    pub fn request_auth(&self) -> RequestAuth {
        RequestAuth {
            mode: self.mode(),
            bearer_token: self.bearer_token().to_owned(),
            account_id: self.account_id().map(str::to_owned),
        }
    }
}

/// Secrets stay out of logs: `Debug` shows the mode and account only.
impl std::fmt::Debug for CodexAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodexAuth")
            .field("mode", &self.mode())
            .field("email", &self.email())
            .field("account_id", &self.account_id())
            .finish_non_exhaustive()
    }
}

/// What the model client needs to authenticate one request.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestAuth {
    /// Which credentials these are; decides the base URL.
    pub mode: AuthMode,
    /// Sent as `Authorization: Bearer <token>`.
    pub bearer_token: String,
    /// Sent as `chatgpt-account-id` (ChatGPT mode only).
    pub account_id: Option<String>,
}

impl RequestAuth {
    /// The base URL requests go to when the provider does not set one: `api.openai.com/v1`
    /// for API keys, the ChatGPT backend for ChatGPT sign-ins.
    pub fn default_base_url(&self) -> &'static str {
        match self.mode {
            AuthMode::ApiKey => OPENAI_API_BASE_URL,
            AuthMode::ChatGpt => CHATGPT_CODEX_BASE_URL,
        }
    }

    /// The headers to send: `Authorization`, and `chatgpt-account-id` when there is one.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![("authorization", format!("Bearer {}", self.bearer_token))];
        if let (AuthMode::ChatGpt, Some(account)) = (self.mode, &self.account_id) {
            headers.push((CHATGPT_ACCOUNT_ID_HEADER, account.clone()));
        }
        headers
    }
}

impl std::fmt::Debug for RequestAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestAuth")
            .field("mode", &self.mode)
            .field("bearer_token", &"<redacted>")
            .field("account_id", &self.account_id)
            .finish()
    }
}

/// An API key as `status` shows it: the first 8 and last 5 characters around `***`; keys of
/// 13 characters or fewer are shown as `***` alone.
pub fn mask_api_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 13 {
        return "***".to_owned();
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 5..].iter().collect();
    format!("{head}***{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use pretty_assertions::assert_eq;

    fn jwt_with_exp(exp: i64) -> String {
        let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{exp}}}"#));
        format!("e30.{payload}.s")
    }

    fn chatgpt(access: &str, last_refresh: Option<DateTime<Utc>>) -> CodexAuth {
        CodexAuth::from_auth_dot_json(&AuthDotJson {
            auth_mode: Some(AuthMode::ChatGpt),
            tokens: Some(TokenData {
                access_token: access.into(),
                refresh_token: "r".into(),
                account_id: Some("acc".into()),
                ..TokenData::default()
            }),
            last_refresh,
            ..AuthDotJson::default()
        })
        .unwrap()
    }

    #[test]
    fn refresh_rules() {
        let now = Utc::now();
        let soon = chatgpt(
            &jwt_with_exp((now + Duration::minutes(4)).timestamp()),
            None,
        );
        assert!(soon.needs_refresh(now));
        let later = chatgpt(
            &jwt_with_exp((now + Duration::hours(1)).timestamp()),
            Some(now),
        );
        assert!(!later.needs_refresh(now));
        let old = chatgpt(
            &jwt_with_exp((now + Duration::hours(1)).timestamp()),
            Some(now - Duration::days(9)),
        );
        assert!(old.needs_refresh(now));
        assert!(!chatgpt("opaque", Some(now)).needs_refresh(now));
        assert!(!CodexAuth::from_api_key("sk").needs_refresh(now));
    }

    #[test]
    fn request_auth_follows_the_mode() {
        let key = CodexAuth::from_api_key("sk-abc").request_auth();
        assert_eq!(key.default_base_url(), OPENAI_API_BASE_URL);
        assert_eq!(
            key.headers(),
            vec![("authorization", "Bearer sk-abc".to_owned())]
        );
        let chat = chatgpt("tok", None).request_auth();
        assert_eq!(chat.default_base_url(), CHATGPT_CODEX_BASE_URL);
        assert_eq!(chat.headers()[1], ("chatgpt-account-id", "acc".to_owned()));
        assert!(!format!("{chat:?}").contains("tok\""));
    }

    #[test]
    fn masks_keys_like_codex() {
        assert_eq!(mask_api_key("sk-proj-0123456789ABCDE"), "sk-proj-***ABCDE");
        assert_eq!(mask_api_key("sk-short"), "***");
        assert_eq!(mask_api_key("1234567890123"), "***");
    }

    #[test]
    fn api_key_mode_without_a_key_is_logged_out() {
        let auth = AuthDotJson {
            auth_mode: Some(AuthMode::ApiKey),
            ..AuthDotJson::default()
        };
        assert_eq!(CodexAuth::from_auth_dot_json(&auth), None);
    }
}
