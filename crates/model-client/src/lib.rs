//! The model client: everything the agent knows about talking to a model over HTTP.
//!
//! - [`ModelClient`] (one per conversation) sends a [`Prompt`] to a provider, over the
//!   Responses API (`POST {base}/responses`) or Chat Completions
//!   (`POST {base}/chat/completions`), and returns a [`ResponseStream`] of
//!   [`ResponseEvent`]s that look the same for both wires.
//! - Request-level retries (429, 5xx, transport errors; `request_max_retries`) happen
//!   inside [`ModelClient::stream`]. Stream-level retries belong to the turn loop, which uses
//!   [`ClientError::is_retryable`] and [`ModelClient::retry_delay`] (server hints win over
//!   [`backoff`]).
//! - Credentials: the provider's `env_key` (an error naming the variable when it is unset),
//!   else `experimental_bearer_token`, else the caller's [`BearerSource`]; core plugs its
//!   AuthManager in as an [`AuthProvider`], refreshed once after a 401.
//! - Model families ([`ModelFamily::of`]): one declarative table of what each kind of model
//!   accepts (reasoning, verbosity, the `apply_patch` tool's shape, images), its context
//!   window and prices; unknown models get a conservative row.
//! - Record and replay: [`ModelClientConfig::record`] appends every exchange to a JSONL
//!   file (secrets redacted); a provider whose `base_url` is `replay://<file>` serves such
//!   a file back in order, with no network. Replaying while recording writes the same bytes.
//!
//! # Record files
//!
//! One JSON object per line and per HTTP exchange (a retried request is several):
//! `{"wire_api", "request": {"headers", "body"}, "response": {...}}`. The response holds
//! `status`, the retry and rate-limit headers, and either `body` (non-2xx), `events` (each SSE
//! event's `data`, verbatim, as a JSON string; hand-written files may use JSON objects) or
//! `error` (`message`, `retryable`, `retry_after_ms`, `idle_timeout_ms`) for a connection that
//! failed or a stream that broke. `authorization`, `chatgpt-account-id` and request headers
//! whose names mention a key, token, secret, cookie or auth are written as `<redacted>`. A
//! replay serves the exchanges in order whatever the requests say, skips retry delays, and
//! fails with [`ClientError::Replay`] once they are used up.
//!
//! ```no_run
//! # async fn demo() -> Result<(), codex_model_client::ClientError> {
//! use codex_model_client::{ModelClient, ModelClientConfig, Prompt, ResponseEvent};
//! use codex_protocol::{ResponseItem, built_in_model_providers};
//! use futures::StreamExt;
//!
//! let provider = built_in_model_providers()["ollama"].clone();
//! let client = ModelClient::new(ModelClientConfig::new("ollama", provider, "gpt-oss:20b"))?;
//! let prompt = Prompt { input: vec![ResponseItem::user_text("hi")], ..Prompt::default() };
//! let mut stream = client.stream(&prompt).await?;
//! while let Some(event) = stream.next().await {
//!     if let ResponseEvent::OutputTextDelta(text) = event? {
//!         print!("{text}");
//!     }
//! }
//! # Ok(()) }
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod auth;
mod chat_request;
mod chat_stream;
mod client;
mod config;
mod endpoint;
mod error;
mod event;
mod family;
pub mod ollama;
mod output_item;
mod prompt;
mod record;
mod responses;
mod retry;
mod sse;
mod stream;
mod user_agent;

pub use auth::{AuthError, AuthHeaders, AuthProvider, BearerSource};
pub use client::ModelClient;
pub use config::{ModelClientConfig, REPLAY_SCHEME};
pub use endpoint::{CHATGPT_BASE_URL, OPENAI_BASE_URL_ENV};
pub use error::ClientError;
pub use event::{RateLimitSnapshot, RateLimitWindow, ResponseEvent};
pub use family::{ApplyPatchTool, FAMILIES, ModelFamily, Prices};
pub use prompt::{Prompt, Reasoning};
pub use retry::{DEFAULT_RETRY_BASE_DELAY, RetryNotice, backoff, describe_wait};
pub use sse::SseDecoder;
pub use stream::ResponseStream;
pub use user_agent::{DEFAULT_ORIGINATOR, ORIGINATOR_OVERRIDE_ENV, originator, user_agent};

/// Parsing without HTTP, for benchmarks and tools that hold SSE bytes already.
pub mod parse {
    use futures::StreamExt;

    use crate::stream::{DataSource, WireParser};
    use crate::{ClientError, ResponseEvent, ResponseStream};

    /// Parses a Responses API SSE body, delivered in the given chunks, into events.
    pub fn responses_events(
        chunks: Vec<bytes::Bytes>,
    ) -> impl futures::Stream<Item = Result<ResponseEvent, ClientError>> {
        let body = futures::stream::iter(chunks.into_iter().map(Ok::<_, reqwest::Error>)).boxed();
        ResponseStream::new(
            DataSource::http(body, std::time::Duration::from_mins(1)),
            WireParser::responses(),
            None,
            None,
        )
    }
}
