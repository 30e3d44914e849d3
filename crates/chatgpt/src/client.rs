//! Authenticated GETs against the ChatGPT backend.

use std::time::Duration;

use codex_auth::{AuthError, AuthManager, AuthMode, CHATGPT_ACCOUNT_ID_HEADER, RequestAuth};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, USER_AGENT};
use serde::de::DeserializeOwned;
use url::Url;

use crate::ChatGptError;
use crate::mask::error_message;

/// Largest success body read (a task with a large diff stays well under it).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Largest error body read; only a message is wanted from it.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
const REQUEST_TIMEOUT: Duration = Duration::from_mins(2);

/// A client for `chatgpt_base_url`, holding the HTTP connection pool and the credentials.
pub struct ChatGptClient {
    http: reqwest::Client,
    base_url: Url,
    auth: AuthManager,
    originator: String,
    user_agent: String,
}

/// A non-success answer, before it is given a meaning by the caller.
pub(crate) struct Failure {
    pub(crate) url: String,
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl ChatGptClient {
    /// A client for `base_url` (`chatgpt_base_url` of the config) that authenticates with
    /// the ChatGPT sign-in held by `auth`.
    pub fn new(base_url: &str, auth: AuthManager) -> Result<Self, ChatGptError> {
        let invalid = |reason: String| ChatGptError::BaseUrl {
            url: base_url.to_owned(),
            reason,
        };
        let parsed = Url::parse(base_url.trim()).map_err(|e| invalid(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid(format!("scheme `{}`", parsed.scheme())));
        }
        if parsed.cannot_be_a_base() || parsed.host_str().is_none() {
            return Err(invalid("no host".to_owned()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| ChatGptError::Network {
                url: base_url.to_owned(),
                message: format!("cannot set up the HTTP client: {e}"),
            })?;
        let originator = codex_model_client::originator(None);
        let user_agent = codex_model_client::user_agent(&originator, None);
        Ok(Self {
            http,
            base_url: parsed,
            auth,
            originator,
            user_agent,
        })
    }

    /// `{base_url}/{segments...}`, each segment percent-encoded (a task id cannot reach
    /// another path).
    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// GETs `url` and parses the JSON answer. `Ok(Err(failure))` for a non-success status
    /// other than a 401 that a refresh cured.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        url: &Url,
    ) -> Result<Result<T, Failure>, ChatGptError> {
        let mut auth = self.credentials().await?;
        let mut refreshed = false;
        loop {
            let response = self.send(url, &auth).await?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                tracing::debug!("{url} answered 401; renewing the ChatGPT tokens once");
                auth = self.auth.refresh_after_unauthorized(&auth).await?;
                refreshed = true;
                continue;
            }
            if status == StatusCode::UNAUTHORIZED {
                return Err(AuthError::StillUnauthorized.into());
            }
            if !status.is_success() {
                let body = read_body(response, MAX_ERROR_BODY_BYTES, url).await;
                let body = String::from_utf8_lossy(&body.unwrap_or_default()).into_owned();
                return Ok(Err(Failure {
                    url: url.to_string(),
                    status,
                    message: error_message(&body, &auth.bearer_token),
                }));
            }
            let body = read_body(response, MAX_BODY_BYTES, url).await?;
            return serde_json::from_slice(&body).map(Ok).map_err(|e| {
                ChatGptError::InvalidResponse {
                    url: url.to_string(),
                    reason: format!("the body is not the JSON expected: {e}"),
                }
            });
        }
    }

    /// The ChatGPT credentials to send, refreshed first when they near expiry.
    async fn credentials(&self) -> Result<RequestAuth, ChatGptError> {
        let auth = self
            .auth
            .request_auth()
            .await?
            .ok_or(ChatGptError::NotLoggedIn)?;
        if auth.mode != AuthMode::ChatGpt {
            return Err(ChatGptError::ApiKeyLogin);
        }
        if auth.account_id.as_deref().is_none_or(str::is_empty) {
            return Err(ChatGptError::NoAccountId);
        }
        Ok(auth)
    }

    async fn send(&self, url: &Url, auth: &RequestAuth) -> Result<reqwest::Response, ChatGptError> {
        let mut request = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, format!("Bearer {}", auth.bearer_token))
            .header(USER_AGENT, &self.user_agent)
            .header("originator", &self.originator)
            .header(ACCEPT, "application/json");
        if let Some(account) = &auth.account_id {
            request = request.header(CHATGPT_ACCOUNT_ID_HEADER, account);
        }
        request.send().await.map_err(|e| ChatGptError::Network {
            url: url.to_string(),
            message: network_message(e),
        })
    }
}

/// Reads at most `limit` bytes of the body; more is an error, not a truncation.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    url: &Url,
) -> Result<Vec<u8>, ChatGptError> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(ChatGptError::InvalidResponse {
                        url: url.to_string(),
                        reason: format!("the body is larger than {limit} bytes"),
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => {
                return Err(ChatGptError::Network {
                    url: url.to_string(),
                    message: network_message(e),
                });
            }
        }
    }
}

/// The error and its causes on one line, without the URL (the caller names it).
fn network_message(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
