//! The few HTTP exchanges of OAuth (metadata GETs, registration, token requests), with
//! bounded bodies and the server's error document turned into an [`OAuthError`].

use std::time::Duration;

use futures::StreamExt as _;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::OAuthError;

/// Largest metadata or token document accepted.
const MAX_BODY: usize = 1024 * 1024;
/// How long one OAuth request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The protocol version discovery requests announce (the MCP authorization spec asks for it).
const PROTOCOL_VERSION: &str = "2025-06-18";

/// A client for OAuth requests: bounded time, a few redirects (metadata may move), and the
/// server's extra headers (`http_headers`), which some gateways require on every request.
pub(crate) fn oauth_http_client(headers: http::HeaderMap) -> Result<reqwest::Client, OAuthError> {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(3))
        .default_headers(headers)
        .build()
        .map_err(|e| OAuthError::transport("(building the HTTP client)", &e))
}

/// The OAuth error document (RFC 6749 §5.2).
#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

/// Reads at most [`MAX_BODY`] bytes.
async fn body(url: &str, response: reqwest::Response) -> Result<Vec<u8>, OAuthError> {
    let mut out = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| OAuthError::transport(url, &e))?;
        if out.len() + chunk.len() > MAX_BODY {
            return Err(OAuthError::BadResponse {
                url: url.to_owned(),
                problem: format!("the body exceeds {MAX_BODY} bytes"),
            });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A 2xx answer parsed as `T`; any other status becomes [`OAuthError::Status`].
pub(crate) async fn parse_response<T: DeserializeOwned>(
    url: &str,
    response: reqwest::Response,
) -> Result<T, OAuthError> {
    let status = response.status();
    let bytes = body(url, response).await?;
    if !status.is_success() {
        let parsed: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
        let (error, description) = parsed.map_or((None, None), |b| (b.error, b.error_description));
        let description = description
            .or_else(|| {
                let text = String::from_utf8_lossy(&bytes);
                let text = text.trim();
                (!text.is_empty()).then(|| text.chars().take(300).collect())
            })
            .map(|d| codex_auth::mask_secrets(&d));
        return Err(OAuthError::Status {
            url: url.to_owned(),
            status: status.as_u16(),
            error,
            description,
        });
    }
    serde_json::from_slice(&bytes).map_err(|e| OAuthError::BadResponse {
        url: url.to_owned(),
        problem: format!("not the expected JSON ({})", e.classify_text()),
    })
}

trait Classify {
    fn classify_text(&self) -> String;
}

impl Classify for serde_json::Error {
    /// serde's message without quoted values (they may be credentials).
    fn classify_text(&self) -> String {
        let message = self.to_string();
        if message.starts_with("missing field") {
            return message
                .rsplit_once(" at line ")
                .map_or(message.clone(), |(head, _)| head.to_owned());
        }
        match self.classify() {
            serde_json::error::Category::Data => "a field has the wrong type".to_owned(),
            _ => "not valid JSON".to_owned(),
        }
    }
}

/// GET a metadata document. `Ok(None)` when there is none at `url` (any 4xx), so discovery
/// moves on to the next candidate.
pub(crate) async fn get_metadata<T: DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> Result<Option<T>, OAuthError> {
    let response = http
        .get(url)
        .header(http::header::ACCEPT, "application/json")
        .header("MCP-Protocol-Version", PROTOCOL_VERSION)
        .send()
        .await
        .map_err(|e| OAuthError::transport(url, &e))?;
    if response.status().is_client_error() {
        return Ok(None);
    }
    parse_response(url, response).await.map(Some)
}
