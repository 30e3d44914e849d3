//! The OAuth endpoints of the issuer, and the token requests that go to them: code exchange,
//! API-key token exchange and refresh.
//!
//! Everything here takes the issuer URL and client id as values so that tests (and other
//! deployments) can point sign-in at a server of their own.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::redact::mask_secrets;

/// OpenAI's issuer.
pub const DEFAULT_ISSUER: &str = "https://auth.openai.com";
/// The OAuth client id of Codex's command-line sign-in.
pub const CLIENT_ID: &str = "app_EMoamEEZ73f0CkXaXp7hrann";
/// When set, token refreshes go to this URL instead of `{issuer}/oauth/token`.
pub const REFRESH_TOKEN_URL_OVERRIDE_ENV: &str = "CODEX_REFRESH_TOKEN_URL_OVERRIDE";
/// Identifies the caller to the issuer, as Codex's CLI does.
pub const ORIGINATOR: &str = "codex_cli_rs";

/// How long one token request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_mins(1);

/// The token URL of an issuer.
pub fn token_url(issuer: &str) -> String {
    format!("{}/oauth/token", issuer.trim_end_matches('/'))
}

/// Where refreshes go: `$CODEX_REFRESH_TOKEN_URL_OVERRIDE` when set, else the default
/// issuer's token URL.
pub fn default_refresh_token_url() -> String {
    std::env::var(REFRESH_TOKEN_URL_OVERRIDE_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| token_url(DEFAULT_ISSUER))
}

/// A failed HTTP exchange with the issuer. Shared by sign-in and refresh.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    /// The request could not be sent or its answer not read (network, DNS, TLS, timeout).
    /// Retrying may help.
    #[error("request to {url} failed: {source}")]
    Transport {
        url: String,
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// The issuer answered with an error status. The body is included for diagnosis, with
    /// anything credential-shaped masked (see [`crate::mask_secrets`]).
    #[error("{url} answered HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    /// The answer was not the JSON we expected.
    #[error("{url} sent a response we cannot read: {detail}")]
    InvalidResponse { url: String, detail: String },
    /// The HTTP client could not be built (TLS roots missing, say).
    #[error("cannot set up the HTTP client: {0}")]
    Client(Arc<reqwest::Error>),
}

impl HttpError {
    pub(crate) fn transport(url: &str, e: reqwest::Error) -> HttpError {
        HttpError::Transport {
            url: url.to_owned(),
            source: Arc::new(e),
        }
    }
}

/// Tokens the issuer hands out after a code exchange.
#[derive(Clone, Deserialize)]
pub struct TokenResponse {
    /// The id token (raw JWT).
    pub id_token: String,
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
}

/// The HTTP client for talking to the issuer. Loopback issuers (tests, local proxies) bypass
/// any configured HTTP proxy.
pub(crate) fn http_client(url: &str) -> Result<reqwest::Client, HttpError> {
    let mut builder = reqwest::Client::builder().timeout(REQUEST_TIMEOUT);
    if is_loopback(url) {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| HttpError::Client(Arc::new(e)))
}

fn is_loopback(url: &str) -> bool {
    match url::Url::parse(url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Sends `request` and returns the JSON body of a 2xx answer, or the error it amounts to.
pub(crate) async fn send_json(
    url: &str,
    request: reqwest::RequestBuilder,
) -> Result<Value, HttpError> {
    let response = request
        .header("originator", ORIGINATOR)
        .send()
        .await
        .map_err(|e| HttpError::transport(url, e))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| HttpError::transport(url, e))?;
    if !status.is_success() {
        return Err(HttpError::Status {
            url: url.to_owned(),
            status: status.as_u16(),
            body: truncate(&mask_secrets(&body), 500),
        });
    }
    serde_json::from_str(&body).map_err(|e| HttpError::InvalidResponse {
        url: url.to_owned(),
        detail: mask_secrets(&e.to_string()),
    })
}

/// Parses a JSON value into `T`, naming the URL it came from on failure.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    url: &str,
    value: Value,
) -> Result<T, HttpError> {
    serde_json::from_value(value).map_err(|e| HttpError::InvalidResponse {
        url: url.to_owned(),
        detail: mask_secrets(&e.to_string()),
    })
}

/// Exchanges an authorization code (PKCE) for tokens.
pub async fn exchange_code_for_tokens(
    issuer: &str,
    client_id: &str,
    redirect_uri: &str,
    code_verifier: &str,
    code: &str,
) -> Result<TokenResponse, HttpError> {
    let url = token_url(issuer);
    let request = http_client(&url)?.post(&url).form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("code_verifier", code_verifier),
    ]);
    parse(&url, send_json(&url, request).await?)
}

/// Trades an id token for an OpenAI API key (token exchange). Accounts without an API
/// organization get an error; callers treat this step as optional.
pub async fn obtain_api_key(
    issuer: &str,
    client_id: &str,
    id_token: &str,
) -> Result<String, HttpError> {
    #[derive(Deserialize)]
    struct ExchangeResponse {
        access_token: String,
    }
    let url = token_url(issuer);
    let request = http_client(&url)?.post(&url).form(&[
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("client_id", client_id),
        ("requested_token", "openai-api-key"),
        ("subject_token", id_token),
        (
            "subject_token_type",
            "urn:ietf:params:oauth:token-type:id_token",
        ),
    ]);
    let response: ExchangeResponse = parse(&url, send_json(&url, request).await?)?;
    Ok(response.access_token)
}

fn truncate(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_url_tolerates_a_trailing_slash() {
        assert_eq!(token_url("http://x/"), "http://x/oauth/token");
        assert_eq!(truncate("abcdef", 3), "abc…");
        assert_eq!(truncate("ab", 3), "ab");
        assert!(is_loopback("http://127.0.0.1:9/x"));
        assert!(is_loopback("http://localhost/"));
        assert!(!is_loopback("https://auth.openai.com"));
    }
}
