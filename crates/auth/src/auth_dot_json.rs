//! The shape of `auth.json`, field for field as Codex writes it.
//!
//! Reading is deliberately forgiving: files written by older Codex versions carry explicit
//! `null`s, lack `auth_mode` or `account_id`, or hold fields we do not know. Unknown fields are
//! kept (`extra`) so that rewriting the file after a token refresh does not drop them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// How the stored credentials authenticate requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AuthMode {
    /// An OpenAI API key, sent as a bearer token to `api.openai.com/v1`.
    #[serde(rename = "apikey")]
    ApiKey,
    /// ChatGPT sign-in: OAuth tokens, sent to the ChatGPT backend with `chatgpt-account-id`.
    #[serde(rename = "chatgpt")]
    ChatGpt,
}

impl AuthMode {
    /// The spelling used in auth.json and in `status --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::ApiKey => "apikey",
            AuthMode::ChatGpt => "chatgpt",
        }
    }

    /// Parses a stored mode. `chatgptAuthTokens` (tokens handed in by an embedding app) is a
    /// ChatGPT sign-in as far as requests are concerned; anything else unknown is `None`.
    fn parse(raw: &str) -> Option<AuthMode> {
        match raw {
            "apikey" | "apiKey" => Some(AuthMode::ApiKey),
            "chatgpt" | "chatgptAuthTokens" => Some(AuthMode::ChatGpt),
            _ => None,
        }
    }
}

/// The whole of `auth.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthDotJson {
    /// The login method last used. Absent in files from older versions: then an API key
    /// means API-key mode and anything else means ChatGPT (see [`AuthDotJson::resolved_mode`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant_mode"
    )]
    pub auth_mode: Option<AuthMode>,
    /// An API key: typed in by the user, or minted from a ChatGPT sign-in. Always written,
    /// as `null` when there is none, as Codex does.
    #[serde(
        rename = "OPENAI_API_KEY",
        default,
        deserialize_with = "tolerant_string"
    )]
    pub openai_api_key: Option<String>,
    /// OAuth tokens of a ChatGPT sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenData>,
    /// When the tokens were last obtained or refreshed (RFC 3339, UTC).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant_time"
    )]
    pub last_refresh: Option<DateTime<Utc>>,
    /// Fields this version does not know, kept so a rewrite preserves them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AuthDotJson {
    /// What an API-key login writes: `{"auth_mode":"apikey","OPENAI_API_KEY":"sk-…"}`.
    pub fn for_api_key(key: &str) -> AuthDotJson {
        AuthDotJson {
            auth_mode: Some(AuthMode::ApiKey),
            openai_api_key: Some(key.to_owned()),
            ..AuthDotJson::default()
        }
    }

    /// The mode to use: the stored one, else API key when a key is present, else ChatGPT.
    pub fn resolved_mode(&self) -> AuthMode {
        match self.auth_mode {
            Some(mode) => mode,
            None if self.api_key().is_some() => AuthMode::ApiKey,
            None => AuthMode::ChatGpt,
        }
    }

    /// The API key, unless it is missing or blank.
    pub fn api_key(&self) -> Option<&str> {
        self.openai_api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
    }

    /// The tokens, unless they are missing or hold neither an access nor a refresh token.
    pub fn usable_tokens(&self) -> Option<&TokenData> {
        self.tokens
            .as_ref()
            .filter(|t| !t.access_token.is_empty() || !t.refresh_token.is_empty())
    }
}

/// The `tokens` object of a ChatGPT sign-in.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenData {
    /// The OpenID id token, kept as the raw JWT string; its claims carry email and plan.
    #[serde(default, deserialize_with = "tolerant_string_or_empty")]
    pub id_token: String,
    /// The bearer token sent to the ChatGPT backend.
    #[serde(default, deserialize_with = "tolerant_string_or_empty")]
    pub access_token: String,
    /// Exchanged for fresh tokens when the access token nears expiry.
    #[serde(default, deserialize_with = "tolerant_string_or_empty")]
    pub refresh_token: String,
    /// The ChatGPT account (workspace) id, sent as `chatgpt-account-id`. Older files lack it;
    /// it is then read from the id token's claims.
    #[serde(default, deserialize_with = "tolerant_string")]
    pub account_id: Option<String>,
    /// Fields this version does not know, kept so a rewrite preserves them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Tokens are secrets: `Debug` shows only whether each one is present.
impl std::fmt::Debug for TokenData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let present = |s: &str| {
            if s.is_empty() {
                "<empty>"
            } else {
                "<redacted>"
            }
        };
        f.debug_struct("TokenData")
            .field("id_token", &present(&self.id_token))
            .field("access_token", &present(&self.access_token))
            .field("refresh_token", &present(&self.refresh_token))
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// Any JSON value: strings are kept, everything else (null, numbers, objects) becomes `None`.
fn tolerant_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

fn tolerant_string_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(tolerant_string(d)?.unwrap_or_default())
}

fn tolerant_mode<'de, D: Deserializer<'de>>(d: D) -> Result<Option<AuthMode>, D::Error> {
    Ok(tolerant_string(d)?.as_deref().and_then(AuthMode::parse))
}

/// A timestamp we cannot read is treated as unknown rather than making the file unreadable.
fn tolerant_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(tolerant_string(d)?
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn api_key_login_shape_matches_codex() {
        let json = serde_json::to_string(&AuthDotJson::for_api_key("sk-test")).unwrap();
        assert_eq!(json, r#"{"auth_mode":"apikey","OPENAI_API_KEY":"sk-test"}"#);
    }

    #[test]
    fn old_shapes_with_nulls_and_missing_keys_are_read() {
        let old: AuthDotJson = serde_json::from_str(
            r#"{"OPENAI_API_KEY":null,"tokens":{"id_token":"a.b.c","access_token":"x",
                "refresh_token":"r"},"last_refresh":"2025-10-01T12:34:56.789012Z"}"#,
        )
        .unwrap();
        assert_eq!(old.resolved_mode(), AuthMode::ChatGpt);
        assert_eq!(old.tokens.as_ref().unwrap().account_id, None);
        assert!(old.last_refresh.is_some());

        let nulls: AuthDotJson = serde_json::from_str(
            r#"{"OPENAI_API_KEY":"sk-1","tokens":null,"last_refresh":null,"auth_mode":null}"#,
        )
        .unwrap();
        assert_eq!(nulls.resolved_mode(), AuthMode::ApiKey);
        assert_eq!(nulls.tokens, None);

        let empty: AuthDotJson = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.api_key(), None);
        assert_eq!(empty.usable_tokens(), None);
    }

    #[test]
    fn unknown_fields_and_modes_survive_a_round_trip() {
        let raw = r#"{"auth_mode":"chatgptAuthTokens","OPENAI_API_KEY":null,"future":1,
            "tokens":{"id_token":"","access_token":"a","refresh_token":"r","account_id":"acc",
            "kind":"x"},"last_refresh":"not a time"}"#;
        let parsed: AuthDotJson = serde_json::from_str(raw).unwrap();
        assert_eq!(parsed.auth_mode, Some(AuthMode::ChatGpt));
        assert_eq!(parsed.last_refresh, None);
        let back = serde_json::to_value(&parsed).unwrap();
        assert_eq!(back["future"], 1);
        assert_eq!(back["tokens"]["kind"], "x");
        assert_eq!(back["OPENAI_API_KEY"], Value::Null);
    }

    #[test]
    fn debug_never_shows_tokens() {
        let tokens = TokenData {
            access_token: "secret-access".into(),
            ..TokenData::default()
        };
        assert!(!format!("{tokens:?}").contains("secret"));
    }
}
