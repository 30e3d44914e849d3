//! What the mock server answers: a status, headers and a body that is sent whole, streamed
//! with delays, cut off mid-way, left hanging, or generated on the fly.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};

use crate::responses::{sse, sse_event};

/// Produces the chunks of a generated body, afresh for each response served.
pub type BodyGenerator = Arc<dyn Fn() -> Box<dyn Iterator<Item = Bytes> + Send> + Send + Sync>;

/// How a streamed body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamEnd {
    /// The body ends normally.
    Close,
    /// The connection is dropped without ending the body (a network failure).
    Disconnect,
    /// The body never ends and nothing more is sent (a stalled server).
    Hang,
    /// The body never ends; an SSE comment (`: keep-alive`) is sent this often, forever.
    KeepAlive(Duration),
}

#[derive(Clone)]
pub(crate) enum MockBody {
    /// Sent whole, with `Content-Length`, in one write.
    Full(Bytes),
    /// Sent chunk by chunk, waiting `delay` before every chunk but the first.
    Chunks {
        chunks: Vec<Bytes>,
        delay: Duration,
        end: StreamEnd,
    },
    /// Chunks produced lazily, so a huge body never sits in memory.
    Generated(BodyGenerator),
}

/// One scripted answer of the mock server.
#[derive(Clone)]
pub struct MockResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: MockBody,
    pub(crate) delay: Duration,
}

impl fmt::Debug for MockResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match &self.body {
            MockBody::Full(b) => format!("{} bytes", b.len()),
            MockBody::Chunks { chunks, end, .. } => {
                format!("{} chunks, then {end:?}", chunks.len())
            }
            MockBody::Generated(_) => "generated".to_owned(),
        };
        f.debug_struct("MockResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &body)
            .finish_non_exhaustive()
    }
}

const EVENT_STREAM: &str = "text/event-stream";

impl MockResponse {
    /// A response with this status and an empty body.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: MockBody::Full(Bytes::new()),
            delay: Duration::ZERO,
        }
    }

    /// 200 with Responses API events as an SSE body, sent in one piece.
    pub fn sse(events: &[Value]) -> Self {
        Self::sse_body(sse(events))
    }

    /// 200 with an SSE body given verbatim (use it for garbage lines or Chat bodies).
    pub fn sse_body(body: impl Into<String>) -> Self {
        Self::status(200)
            .with_header("content-type", EVENT_STREAM)
            .with_body(body.into())
    }

    /// 200 with Chat Completions chunks, `data: [DONE]` appended.
    pub fn chat(chunks: &[Value]) -> Self {
        Self::sse_body(crate::chat::chat_sse(chunks))
    }

    /// 200 whose events are sent one at a time, `delay` apart.
    pub fn sse_slow(events: &[Value], delay: Duration) -> Self {
        Self::sse_chunks(events, delay, StreamEnd::Close)
    }

    /// 200 that sends these events and then drops the connection mid-body.
    pub fn sse_then_disconnect(events: &[Value]) -> Self {
        Self::sse_chunks(events, Duration::ZERO, StreamEnd::Disconnect)
    }

    /// 200 that sends these events and then goes silent without closing.
    pub fn sse_then_hang(events: &[Value]) -> Self {
        Self::sse_chunks(events, Duration::ZERO, StreamEnd::Hang)
    }

    fn sse_chunks(events: &[Value], delay: Duration, end: StreamEnd) -> Self {
        let chunks = events.iter().map(|e| Bytes::from(sse_event(e))).collect();
        Self {
            body: MockBody::Chunks { chunks, delay, end },
            ..Self::status(200).with_header("content-type", EVENT_STREAM)
        }
    }

    /// 200 that sends these events, then only SSE comments (`: keep-alive`), `every` apart,
    /// forever: a server that keeps the connection warm but never answers.
    pub fn sse_then_keep_alive(events: &[Value], every: Duration) -> Self {
        Self::sse_chunks(events, Duration::ZERO, StreamEnd::KeepAlive(every))
    }

    /// 200 `text/event-stream` with these raw body chunks, `delay` apart, then silence
    /// without closing when `hang`, else a normal end. For byte-level misbehaviour.
    pub fn sse_raw_chunks(chunks: Vec<Bytes>, delay: Duration, hang: bool) -> Self {
        let end = if hang {
            StreamEnd::Hang
        } else {
            StreamEnd::Close
        };
        Self {
            body: MockBody::Chunks { chunks, delay, end },
            ..Self::status(200).with_header("content-type", EVENT_STREAM)
        }
    }

    /// 200 with an SSE body produced chunk by chunk by `generator`, called once per serve.
    pub fn sse_generated(
        generator: impl Fn() -> Box<dyn Iterator<Item = Bytes> + Send> + Send + Sync + 'static,
    ) -> Self {
        Self {
            body: MockBody::Generated(Arc::new(generator)),
            ..Self::status(200).with_header("content-type", EVENT_STREAM)
        }
    }

    /// A JSON body with this status.
    pub fn json(status: u16, body: &Value) -> Self {
        Self::status(status)
            .with_header("content-type", "application/json")
            .with_body(body.to_string())
    }

    /// An OpenAI-style error body: `{"error":{"message","type","code"}}`.
    pub fn api_error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            &json!({"error": {"message": message, "type": code, "code": code}}),
        )
    }

    /// 429 with `Retry-After: <seconds>`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::api_error(429, "rate_limit_exceeded", "Rate limit reached. Slow down.")
            .with_header("retry-after", &retry_after_secs.to_string())
    }

    /// 500 with a short text body.
    pub fn server_error() -> Self {
        Self::status(500).with_body("mock server error")
    }

    /// Adds a response header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Replaces the body (sent whole).
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = MockBody::Full(body.into());
        self
    }

    /// Waits this long before sending the status line.
    #[must_use]
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}
