//! [`ModelClient`]: one per conversation. Sends a [`Prompt`] over the provider's wire API,
//! retrying the request itself on 429, 5xx and transport errors, and hands back the
//! response as a [`ResponseStream`].

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use codex_protocol::{ModelProviderInfo, WireApi};
use futures::StreamExt;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use crate::endpoint::{Endpoint, Target, resolve};
use crate::error::{from_status, mask_secrets};
use crate::event::RateLimitSnapshot;
use crate::record::{
    Exchange, PendingRecord, RecordedError, RecordedRequest, RecordedResponse, Recorder,
    request_headers, response_headers,
};
use crate::retry::{RetryNotice, backoff, retry_after_from_headers};
use crate::stream::{DataSource, WireParser, error_chain};
use crate::{
    AuthHeaders, BearerSource, ClientError, ModelClientConfig, Prompt, ResponseEvent,
    ResponseStream, chat_request, responses,
};

/// How much of a body that is not an event stream is quoted in the error.
const BODY_HEAD_BYTES: usize = 200;

/// The content type of a response that cannot be an event stream, if it is one. A missing
/// `Content-Type` passes: some local servers omit it and still stream.
fn not_event_stream(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(reqwest::header::CONTENT_TYPE)?;
    let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
    let mime = text.split(';').next().unwrap_or_default().trim();
    (!mime.eq_ignore_ascii_case("text/event-stream")).then(|| {
        let mut shown: String = text.chars().take(100).collect();
        shown.retain(|c| !c.is_control());
        shown
    })
}

/// Talks to one model provider for one conversation.
pub struct ModelClient {
    provider_id: String,
    provider: ModelProviderInfo,
    model: String,
    endpoint: Endpoint,
    recorder: Option<Arc<Recorder>>,
    retry_base_delay: Duration,
    idle_timeout: Duration,
    max_retry_wait: Duration,
}

impl std::fmt::Debug for ModelClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelClient")
            .field("provider_id", &self.provider_id)
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

/// A request body and how to read its answer.
struct Encoded {
    body: Bytes,
    custom_tools: Arc<HashSet<String>>,
}

impl ModelClient {
    /// Resolves the provider (URL, headers, credentials from the environment) and opens the
    /// record or replay file. Fails on a missing `env_key` variable, a bad `base_url` or
    /// header, or an unreadable replay file.
    pub fn new(cfg: ModelClientConfig) -> Result<Self, ClientError> {
        let endpoint = resolve(&cfg)?;
        let recorder = match &cfg.record {
            Some(path) => Some(Arc::new(Recorder::open(path)?)),
            None => None,
        };
        Ok(Self {
            idle_timeout: Duration::from_millis(cfg.provider.stream_idle_timeout_ms()),
            max_retry_wait: Duration::from_millis(cfg.provider.max_retry_wait_ms()),
            provider_id: cfg.provider_id,
            provider: cfg.provider,
            model: cfg.model,
            endpoint,
            recorder,
            retry_base_delay: cfg.retry_base_delay,
        })
    }

    /// The model requests are sent for.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The provider's id in config.
    pub fn provider_id(&self) -> &str {
        &self.provider_id
    }

    /// The provider.
    pub fn provider(&self) -> &ModelProviderInfo {
        &self.provider
    }

    /// The wire API requests use.
    pub fn wire_api(&self) -> WireApi {
        self.provider.wire_api
    }

    /// How often the turn loop may re-run a turn whose stream failed (`stream_max_retries`).
    pub fn stream_max_retries(&self) -> u64 {
        self.provider.stream_max_retries()
    }

    /// The backoff before retry `attempt` (1-based), from this client's base delay.
    pub fn backoff(&self, attempt: u64) -> Duration {
        backoff(self.retry_base_delay, attempt)
    }

    /// The delay before retry `attempt` after `error`: the server's hint when it gave one,
    /// else [`ModelClient::backoff`]. A hint longer than the provider's `max_retry_wait_ms`
    /// is refused with [`ClientError::WaitTooLong`], which carries the server's reason and
    /// the wait it asked for: the caller fails instead of sleeping.
    pub fn retry_delay(&self, error: &ClientError, attempt: u64) -> Result<Duration, ClientError> {
        match error.retry_delay() {
            Some(asked) if asked > self.max_retry_wait => Err(ClientError::WaitTooLong {
                reason: error.to_string(),
                asked,
                max: self.max_retry_wait,
            }),
            Some(asked) => Ok(asked),
            None => Ok(self.backoff(attempt)),
        }
    }

    /// Sends the prompt and returns the response stream once the server answered 2xx.
    /// Retries up to `request_max_retries` times on retryable failures, and sends once more
    /// after a 401 when the auth source could refresh its credentials.
    pub async fn stream(&self, prompt: &Prompt) -> Result<ResponseStream, ClientError> {
        self.stream_observed(prompt, &|_| {}).await
    }

    /// [`stream`](Self::stream), telling `on_retry` before each pause between attempts, so a
    /// front end can show the user what they are waiting for.
    pub async fn stream_observed(
        &self,
        prompt: &Prompt,
        on_retry: &(dyn Fn(RetryNotice) + Sync),
    ) -> Result<ResponseStream, ClientError> {
        let encoded = self.encode(prompt)?;
        let max_retries = self.provider.request_max_retries();
        let mut attempt: u64 = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let error = match self.attempt(&encoded).await {
                Ok(stream) => return Ok(stream),
                Err(error) => error,
            };
            // Only 401 says the token may have expired; a 403 (a workspace or an organisation
            // refusing) is reported as it is, without rotating the user's tokens.
            if matches!(error, ClientError::Unauthorized { status: 401, .. })
                && !refreshed
                && let BearerSource::Provider(auth) = &self.endpoint.bearer
            {
                refreshed = true;
                let fresh = auth
                    .refresh_after_unauthorized()
                    .await
                    .map_err(|e| ClientError::Auth(error_chain(&*e)))?;
                if fresh {
                    attempt -= 1;
                    continue;
                }
                return Err(error);
            }
            if !error.is_retryable() {
                return Err(error);
            }
            if attempt > max_retries {
                return Err(if max_retries == 0 {
                    error
                } else {
                    ClientError::RetryLimit {
                        attempts: attempt,
                        last: Box::new(error),
                    }
                });
            }
            // A replay has no server to wait for: retry at once, with the same outcome.
            let delay = match self.endpoint.target {
                Target::Replay(_) => Duration::ZERO,
                Target::Http { .. } => self.retry_delay(&error, attempt)?,
            };
            tracing::warn!(
                "model request failed ({error}); retry {attempt}/{max_retries} in {} ms",
                delay.as_millis()
            );
            on_retry(RetryNotice {
                attempt,
                max_retries,
                delay,
                reason: error.to_string(),
            });
            tokio::time::sleep(delay).await;
        }
    }

    fn encode(&self, prompt: &Prompt) -> Result<Encoded, ClientError> {
        match self.provider.wire_api {
            WireApi::Responses => {
                let body = responses::request_body(&self.model, prompt).map_err(|e| {
                    ClientError::BadRequest {
                        message: format!("cannot serialize the request: {e}"),
                    }
                })?;
                Ok(Encoded {
                    body: body.into(),
                    custom_tools: Arc::default(),
                })
            }
            WireApi::Chat => {
                let request = chat_request::request_body(&self.model, prompt)?;
                Ok(Encoded {
                    body: request.body.into(),
                    custom_tools: Arc::new(request.custom_tools),
                })
            }
        }
    }

    async fn auth_headers(&self) -> Result<Option<AuthHeaders>, ClientError> {
        match &self.endpoint.bearer {
            BearerSource::None => Ok(None),
            BearerSource::Static(key) => Ok(Some(AuthHeaders {
                bearer: key.clone(),
                account_id: None,
            })),
            BearerSource::Provider(auth) => auth
                .auth_headers()
                .await
                .map_err(|e| ClientError::Auth(error_chain(&*e))),
        }
    }

    async fn attempt(&self, encoded: &Encoded) -> Result<ResponseStream, ClientError> {
        let auth = self.auth_headers().await?;
        let mut headers = self.endpoint.headers.clone();
        if let Some(auth) = &auth {
            let value =
                HeaderValue::from_str(&format!("Bearer {}", auth.bearer)).map_err(|_| {
                    ClientError::Auth(
                        "the API key contains characters that cannot be sent in an HTTP header"
                            .to_owned(),
                    )
                })?;
            headers.insert(AUTHORIZATION, value);
            if let Some(account) = &auth.account_id
                && let Ok(value) = HeaderValue::from_str(account)
            {
                headers.insert("chatgpt-account-id", value);
            }
        }
        let record = self.recorder.as_ref().map(|recorder| {
            let request = RecordedRequest {
                headers: request_headers(&headers),
                body: serde_json::from_slice(&encoded.body).unwrap_or_default(),
            };
            (Arc::clone(recorder), request)
        });
        match &self.endpoint.target {
            Target::Http {
                client,
                url,
                chatgpt_url,
            } => {
                let chatgpt = auth.as_ref().is_some_and(|a| a.account_id.is_some());
                let url = match chatgpt_url {
                    Some(chatgpt_url) if chatgpt => chatgpt_url,
                    _ => url,
                };
                let send = client
                    .post(url.clone())
                    .headers(headers)
                    .body(encoded.body.clone())
                    .send();
                // A server that accepts the connection but never answers is as stalled as
                // one that stops streaming.
                let sent = tokio::time::timeout(self.idle_timeout, send).await;
                let response = match sent {
                    Ok(Ok(r)) => r,
                    failed => {
                        let error = match failed {
                            Ok(Err(e)) => ClientError::Transport {
                                url: url.to_string(),
                                message: error_chain(&e),
                            },
                            _ => ClientError::Timeout {
                                idle: self.idle_timeout,
                            },
                        };
                        let response = RecordedResponse {
                            error: Some(RecordedError::from_error(&error)),
                            ..RecordedResponse::default()
                        };
                        self.write_record(record, response);
                        return Err(error);
                    }
                };
                let status = response.status().as_u16();
                let response_header_map = response.headers().clone();
                if !(200..300).contains(&status) {
                    let body = response.text().await.unwrap_or_default();
                    return Err(self.status_error(
                        record,
                        status,
                        url.as_str(),
                        &response_header_map,
                        body,
                    ));
                }
                if let Some(content_type) = not_event_stream(&response_header_map) {
                    let head = self.body_head(response).await;
                    let error = ClientError::NotEventStream {
                        status,
                        url: url.to_string(),
                        content_type,
                        head,
                    };
                    let recorded = RecordedResponse {
                        status: Some(status),
                        headers: response_headers(&response_header_map),
                        error: Some(RecordedError::from_error(&error)),
                        ..RecordedResponse::default()
                    };
                    self.write_record(record, recorded);
                    return Err(error);
                }
                let source = DataSource::http(response.bytes_stream().boxed(), self.idle_timeout);
                Ok(self.open_stream(
                    source,
                    self.provider.wire_api,
                    encoded,
                    status,
                    &response_header_map,
                    record,
                ))
            }
            Target::Replay(replay) => {
                let exchange = replay.next()?;
                let url = format!("{}{}", crate::REPLAY_SCHEME, replay.path().display());
                let recorded = exchange.response;
                let header_map = recorded.header_map();
                let Some(status) = recorded.status else {
                    let error = recorded.error.clone().map_or_else(
                        || ClientError::Replay {
                            path: replay.path().to_owned(),
                            message: "a recorded exchange has neither a status nor an error"
                                .to_owned(),
                        },
                        RecordedError::into_error,
                    );
                    self.write_record(record, recorded);
                    return Err(error);
                };
                if !(200..300).contains(&status) {
                    let body = recorded.body.unwrap_or_default();
                    return Err(self.status_error(record, status, &url, &header_map, body));
                }
                let source = DataSource::Replay {
                    data: recorded.event_data().into_iter(),
                    end: recorded.error,
                };
                Ok(self.open_stream(
                    source,
                    exchange.wire_api,
                    encoded,
                    status,
                    &header_map,
                    record,
                ))
            }
        }
    }

    /// The first bytes of a body that should have been an event stream, for the error
    /// message: read for at most the idle timeout, secrets masked, quoted.
    async fn body_head(&self, response: reqwest::Response) -> String {
        let mut body = response.bytes_stream();
        let mut head = Vec::new();
        let read = async {
            while head.len() < BODY_HEAD_BYTES {
                match body.next().await {
                    Some(Ok(chunk)) => head.extend_from_slice(&chunk),
                    _ => break,
                }
            }
        };
        let _ = tokio::time::timeout(self.idle_timeout, read).await;
        head.truncate(BODY_HEAD_BYTES);
        let text = String::from_utf8_lossy(&head);
        format!("{:?}", mask_secrets(text.trim()))
    }

    fn status_error(
        &self,
        record: Option<(Arc<Recorder>, RecordedRequest)>,
        status: u16,
        url: &str,
        headers: &HeaderMap,
        body: String,
    ) -> ClientError {
        let error = from_status(
            status,
            url,
            &body,
            retry_after_from_headers(headers),
            &self.endpoint.auth_hint,
        );
        let response = RecordedResponse {
            status: Some(status),
            headers: response_headers(headers),
            body: Some(body),
            ..RecordedResponse::default()
        };
        self.write_record(record, response);
        error
    }

    fn open_stream(
        &self,
        source: DataSource,
        wire_api: WireApi,
        encoded: &Encoded,
        status: u16,
        headers: &HeaderMap,
        record: Option<(Arc<Recorder>, RecordedRequest)>,
    ) -> ResponseStream {
        let parser = match wire_api {
            WireApi::Responses => WireParser::responses(),
            WireApi::Chat => WireParser::chat(Arc::clone(&encoded.custom_tools)),
        };
        let first = RateLimitSnapshot::from_headers(headers).map(ResponseEvent::RateLimits);
        let pending = record.map(|(recorder, request)| {
            PendingRecord::new(
                recorder,
                Exchange {
                    wire_api: self.provider.wire_api,
                    request,
                    response: RecordedResponse {
                        status: Some(status),
                        headers: response_headers(headers),
                        ..RecordedResponse::default()
                    },
                },
            )
        });
        ResponseStream::new(source, parser, first, pending)
    }

    fn write_record(
        &self,
        record: Option<(Arc<Recorder>, RecordedRequest)>,
        response: RecordedResponse,
    ) {
        if let Some((recorder, request)) = record {
            let exchange = Exchange {
                wire_api: self.provider.wire_api,
                request,
                response,
            };
            if let Err(e) = recorder.write(&exchange) {
                tracing::warn!("{e}");
            }
        }
    }
}
