//! The streamable-HTTP side of rmcp's transport, carried by the workspace's reqwest 0.12
//! (rustls) instead of the reqwest 0.13 rmcp would bring, so the toolkit builds one HTTP
//! stack. rmcp drives the protocol (sessions, the GET stream, reconnects); this file only
//! turns its requests into HTTP exchanges and bounds what a server may make us buffer.
//!
//! A server signed in to with OAuth gets its bearer token from the token source on every
//! request (refreshed before it expires); a 401 gets one retry with a newer token, and a 401
//! or 404 for a session made under an older token ends that session, so rmcp starts a new one
//! (a stale `Mcp-Session-Id` after a new sign-in, openai/codex #46158).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt};
use http::header::{ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderName, HeaderValue, StatusCode};
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::common::http_header::{
    EVENT_STREAM_MIME_TYPE, HEADER_LAST_EVENT_ID, HEADER_SESSION_ID, JSON_MIME_TYPE,
};
use rmcp::transport::streamable_http_client::{
    AuthRequiredError, SseError, StreamableHttpClient, StreamableHttpError,
    StreamableHttpPostResponse, StreamableHttpResponseLimits,
};
use sse_stream::{Sse, SseStream};

use crate::oauth::session::OAuthTokenSource;

/// Largest SSE event accepted when rmcp does not pass its own limit.
const DEFAULT_MAX_SSE_EVENT: usize = 16 * 1024 * 1024;

/// A reqwest 0.12 client that speaks rmcp's streamable-HTTP client protocol.
#[derive(Clone, Debug)]
pub(crate) struct ReqwestHttpClient {
    http: reqwest::Client,
    oauth: Option<Arc<OAuthTokenSource>>,
    /// Set when the server answered 401 with a challenge we could not satisfy.
    challenged: Arc<AtomicBool>,
}

type Error = StreamableHttpError<reqwest::Error>;

fn client_error(e: reqwest::Error) -> Error {
    StreamableHttpError::Client(e)
}

impl ReqwestHttpClient {
    /// A client sending `oauth`'s tokens, when given, instead of a configured bearer token.
    pub(crate) fn new(http: reqwest::Client, oauth: Option<Arc<OAuthTokenSource>>) -> Self {
        Self {
            http,
            oauth,
            challenged: Arc::default(),
        }
    }

    /// Whether the server has asked for credentials we could not give; shared with clones.
    pub(crate) fn challenged(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.challenged)
    }

    /// `auth_challenge`, remembering that it happened.
    fn challenge(&self, response: &reqwest::Response) -> Option<Error> {
        let err = auth_challenge(response)?;
        self.challenged.store(true, Ordering::Relaxed);
        Some(err)
    }

    /// The bearer token of the next request.
    async fn token(&self, configured: Option<String>) -> Option<String> {
        match &self.oauth {
            Some(oauth) => Some(oauth.bearer().await),
            None => configured,
        }
    }

    /// After a 401: a newer OAuth token to retry with, if there is one.
    async fn retry_token(&self, used: Option<&str>) -> Option<String> {
        let oauth = self.oauth.as_ref()?;
        oauth.after_unauthorized(used.unwrap_or_default()).await
    }

    fn request(
        &self,
        method: reqwest::Method,
        uri: &str,
        session_id: Option<&str>,
        auth_token: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> reqwest::RequestBuilder {
        let mut builder = self.http.request(method, uri);
        for (name, value) in custom_headers {
            builder = builder.header(name, value);
        }
        if let Some(token) = auth_token {
            builder = builder.bearer_auth(token);
        }
        if let Some(id) = session_id {
            builder = builder.header(HEADER_SESSION_ID, id);
        }
        builder
    }
}

/// A 401 with a challenge becomes rmcp's "auth required" (what OAuth discovery starts from).
fn auth_challenge(response: &reqwest::Response) -> Option<Error> {
    if response.status() != StatusCode::UNAUTHORIZED {
        return None;
    }
    let header = response.headers().get(WWW_AUTHENTICATE)?.to_str().ok()?;
    Some(StreamableHttpError::AuthRequired(AuthRequiredError::new(
        header.to_owned(),
    )))
}

fn media_type(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
}

/// Reads a body, refusing more than `limit` bytes.
async fn read_bounded(response: reqwest::Response, limit: usize) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(client_error)?;
        if body.len() + chunk.len() > limit {
            return Err(StreamableHttpError::ResponseBodyTooLarge { max_size: limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Bytes after the last event boundary (a blank line: `\n\n`, `\r\n\r\n` or `\r\r`) in
/// `tail` + `chunk`, where `tail` holds the last bytes of the previous chunk so a boundary
/// split across chunks is still seen. `None` when there is no boundary.
fn bytes_after_boundary(tail: &[u8], chunk: &[u8]) -> Option<usize> {
    let mut joined = Vec::with_capacity(tail.len() + chunk.len());
    joined.extend_from_slice(tail);
    joined.extend_from_slice(chunk);
    let end = |pattern: &[u8]| {
        joined
            .windows(pattern.len())
            .rposition(|w| w == pattern)
            .map(|i| i + pattern.len())
    };
    let last = [end(b"\n\n"), end(b"\r\n\r\n"), end(b"\r\r")]
        .into_iter()
        .flatten()
        .max()?;
    Some(joined.len() - last)
}

/// Parses an SSE body, failing once one event grows past `max_event` bytes.
fn bounded_sse<S>(bytes: S, max_event: usize) -> BoxStream<'static, Result<Sse, SseError>>
where
    S: Stream<Item = Result<bytes::Bytes, reqwest::Error>> + Send + 'static,
{
    let mut pending = 0usize;
    let mut tail: Vec<u8> = Vec::new();
    let limited = bytes.map_err(std::io::Error::other).and_then(move |chunk| {
        pending = match bytes_after_boundary(&tail, &chunk) {
            Some(after) => after,
            None => pending + chunk.len(),
        };
        tail = chunk[chunk.len().saturating_sub(3)..].to_vec();
        let result = if pending > max_event {
            Err(std::io::Error::other(format!(
                "an SSE event exceeded {max_event} bytes"
            )))
        } else {
            Ok(chunk)
        };
        futures::future::ready(result)
    });
    SseStream::from_bytes_stream(limited).boxed()
}

impl StreamableHttpClient for ReqwestHttpClient {
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_token: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, Error> {
        self.post_message_with_response_limits(
            uri,
            message,
            session_id,
            auth_token,
            custom_headers,
            StreamableHttpResponseLimits::default(),
        )
        .await
    }

    async fn post_message_with_response_limits(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_token: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        limits: StreamableHttpResponseLimits,
    ) -> Result<StreamableHttpPostResponse, Error> {
        let had_session = session_id.is_some();
        let send = |token: Option<String>| {
            self.request(
                reqwest::Method::POST,
                &uri,
                session_id.as_deref(),
                token,
                custom_headers.clone(),
            )
            .header(
                ACCEPT,
                format!("{EVENT_STREAM_MIME_TYPE}, {JSON_MIME_TYPE}"),
            )
            .json(&message)
            .send()
        };
        let token = self.token(auth_token).await;
        let mut response = send(token.clone()).await.map_err(client_error)?;
        if response.status() == StatusCode::UNAUTHORIZED
            && let Some(newer) = self.retry_token(token.as_deref()).await
        {
            response = send(Some(newer)).await.map_err(client_error)?;
            if response.status() == StatusCode::UNAUTHORIZED && had_session {
                // The token is good but the session belongs to an older sign-in.
                return Err(StreamableHttpError::SessionExpired);
            }
        }
        if let Some(err) = self.challenge(&response) {
            return Err(err);
        }
        let status = response.status();
        if matches!(status, StatusCode::ACCEPTED | StatusCode::NO_CONTENT) {
            return Ok(StreamableHttpPostResponse::Accepted);
        }
        if status == StatusCode::NOT_FOUND && had_session {
            return Err(StreamableHttpError::SessionExpired);
        }
        let awaits_nothing = !matches!(message, ClientJsonRpcMessage::Request(_));
        let new_session = response
            .headers()
            .get(HEADER_SESSION_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let kind = media_type(&response);
        if !status.is_success() {
            let body = read_bounded(response, limits.max_error_response_size)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&body);
            if let Ok(error @ ServerJsonRpcMessage::Error(_)) =
                serde_json::from_str::<ServerJsonRpcMessage>(&text)
            {
                return Ok(StreamableHttpPostResponse::Json(error, new_session));
            }
            return Err(StreamableHttpError::UnexpectedServerResponse(Cow::Owned(
                format!("HTTP {status}: {}", text.trim()),
            )));
        }
        match kind.as_deref() {
            Some(EVENT_STREAM_MIME_TYPE) => Ok(StreamableHttpPostResponse::Sse(
                bounded_sse(response.bytes_stream(), limits.max_sse_event_size),
                new_session,
            )),
            Some(JSON_MIME_TYPE) => {
                let body = read_bounded(response, limits.max_json_response_size).await?;
                match serde_json::from_slice::<ServerJsonRpcMessage>(&body) {
                    Ok(parsed) => Ok(StreamableHttpPostResponse::Json(parsed, new_session)),
                    Err(_) if awaits_nothing => Ok(StreamableHttpPostResponse::Accepted),
                    Err(e) => Err(StreamableHttpError::Deserialize(e)),
                }
            }
            _ if awaits_nothing => Ok(StreamableHttpPostResponse::Accepted),
            other => Err(StreamableHttpError::UnexpectedContentType(
                other.map(str::to_owned),
            )),
        }
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        auth_token: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), Error> {
        let token = self.token(auth_token).await;
        let response = self
            .request(
                reqwest::Method::DELETE,
                &uri,
                Some(&session_id),
                token,
                custom_headers,
            )
            .send()
            .await
            .map_err(client_error)?;
        if response.status() == StatusCode::METHOD_NOT_ALLOWED {
            return Ok(());
        }
        response.error_for_status().map_err(client_error)?;
        Ok(())
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_token: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, Error> {
        self.get_stream_with_max_sse_event_size(
            uri,
            session_id,
            last_event_id,
            auth_token,
            custom_headers,
            DEFAULT_MAX_SSE_EVENT,
        )
        .await
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_token: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, Error> {
        let send = |token: Option<String>| {
            let mut request = self
                .request(
                    reqwest::Method::GET,
                    &uri,
                    session_id.as_deref(),
                    token,
                    custom_headers.clone(),
                )
                .header(
                    ACCEPT,
                    format!("{EVENT_STREAM_MIME_TYPE}, {JSON_MIME_TYPE}"),
                );
            if let Some(id) = &last_event_id {
                request = request.header(HEADER_LAST_EVENT_ID, id);
            }
            request.send()
        };
        let token = self.token(auth_token).await;
        let mut response = send(token.clone()).await.map_err(client_error)?;
        if response.status() == StatusCode::UNAUTHORIZED
            && let Some(newer) = self.retry_token(token.as_deref()).await
        {
            response = send(Some(newer)).await.map_err(client_error)?;
        }
        if response.status() == StatusCode::NOT_FOUND && session_id.is_some() {
            return Err(StreamableHttpError::SessionExpired);
        }
        if response.status() == StatusCode::METHOD_NOT_ALLOWED {
            return Err(StreamableHttpError::ServerDoesNotSupportSse);
        }
        if let Some(err) = self.challenge(&response) {
            return Err(err);
        }
        let response = response.error_for_status().map_err(client_error)?;
        match media_type(&response).as_deref() {
            Some(EVENT_STREAM_MIME_TYPE | JSON_MIME_TYPE) => {
                Ok(bounded_sse(response.bytes_stream(), max_sse_event_size))
            }
            other => Err(StreamableHttpError::UnexpectedContentType(
                other.map(str::to_owned),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_boundaries_in_every_line_ending_and_across_chunks() {
        assert_eq!(bytes_after_boundary(b"", b"data: a\n\ndata: b"), Some(7));
        assert_eq!(bytes_after_boundary(b"", b"data: a\r\n\r\nxy"), Some(2));
        assert_eq!(bytes_after_boundary(b"", b"data: a\r\rx"), Some(1));
        assert_eq!(bytes_after_boundary(b"a\r\n", b"\r\nxyz"), Some(3));
        assert_eq!(bytes_after_boundary(b"", b"data: no end"), None);
    }

    #[tokio::test]
    async fn an_oversized_event_is_an_error_and_small_ones_pass() {
        let chunks: Vec<Result<bytes::Bytes, reqwest::Error>> = vec![
            Ok(bytes::Bytes::from_static(b"data: 1\r\n\r\n")),
            Ok(bytes::Bytes::from_static(b"data: 2\r\n\r\n")),
            Ok(bytes::Bytes::from(format!("data: {}", "x".repeat(64)))),
        ];
        let events: Vec<_> = bounded_sse(futures::stream::iter(chunks), 32)
            .collect()
            .await;
        assert_eq!(events.len(), 3, "{events:?}");
        assert!(events[0].is_ok() && events[1].is_ok());
        assert!(events[2].is_err());
    }
}
