//! [`ResponseStream`]: SSE data from the network (or a replay file) through the parser of
//! the provider's wire API, one event at a time, never holding the whole body.

use std::collections::{HashSet, VecDeque};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt};

use crate::chat_stream::ChatParser;
use crate::record::{PendingRecord, RecordedError};
use crate::responses::ResponsesParser;
use crate::sse::SseDecoder;
use crate::{ClientError, ResponseEvent};

/// Events waiting to be handed out.
pub(crate) type Out = VecDeque<Result<ResponseEvent, ClientError>>;

/// Whether a parser wants more data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Stop,
}

pub(crate) enum WireParser {
    Responses(ResponsesParser),
    Chat(ChatParser),
}

impl WireParser {
    pub(crate) fn responses() -> Self {
        Self::Responses(ResponsesParser::default())
    }

    pub(crate) fn chat(custom_tools: Arc<HashSet<String>>) -> Self {
        Self::Chat(ChatParser::new(custom_tools))
    }

    fn on_data(&mut self, data: &str, out: &mut Out) -> Flow {
        match self {
            Self::Responses(p) => p.on_data(data, out),
            Self::Chat(p) => p.on_data(data, out),
        }
    }

    fn on_end(&mut self, out: &mut Out) {
        match self {
            Self::Responses(p) => p.on_end(out),
            Self::Chat(p) => p.on_end(out),
        }
    }

    fn on_idle(&mut self, idle: Duration, out: &mut Out) {
        match self {
            Self::Responses(p) => p.on_idle(idle, out),
            Self::Chat(p) => p.on_idle(idle, out),
        }
    }
}

/// Where SSE data comes from.
pub(crate) enum DataSource {
    /// A live HTTP body.
    Http {
        body: BoxStream<'static, Result<Bytes, reqwest::Error>>,
        decoder: SseDecoder,
        idle: Duration,
        /// `idle` after the last bytes of event data: comments and keep-alives do not move
        /// it, so a server that sends nothing else still times out.
        deadline: tokio::time::Instant,
        ended: bool,
    },
    /// Recorded data, then the recorded end (a clean end or an error).
    Replay {
        data: std::vec::IntoIter<String>,
        end: Option<RecordedError>,
    },
}

impl DataSource {
    pub(crate) fn http(
        body: BoxStream<'static, Result<Bytes, reqwest::Error>>,
        idle: Duration,
    ) -> Self {
        Self::Http {
            body,
            decoder: SseDecoder::new(),
            idle,
            deadline: deadline_after(idle),
            ended: false,
        }
    }

    /// The next event's data; `Ok(None)` at the end of the body.
    async fn next_data(&mut self) -> Result<Option<String>, ClientError> {
        match self {
            Self::Http {
                body,
                decoder,
                idle,
                deadline,
                ended,
            } => loop {
                if let Some(data) = decoder.next_data() {
                    return Ok(Some(data));
                }
                if *ended {
                    return Ok(None);
                }
                match tokio::time::timeout_at(*deadline, body.next()).await {
                    Err(_) => return Err(ClientError::Timeout { idle: *idle }),
                    Ok(None) => {
                        decoder.finish();
                        *ended = true;
                    }
                    Ok(Some(Ok(bytes))) => {
                        if decoder.push(&bytes) {
                            *deadline = deadline_after(*idle);
                        }
                    }
                    Ok(Some(Err(e))) => {
                        return Err(ClientError::Stream {
                            message: format!("the response stream broke: {}", error_chain(&e)),
                            retry_after: None,
                        });
                    }
                }
            },
            Self::Replay { data, end } => match data.next() {
                Some(d) => Ok(Some(d)),
                None => match end.take() {
                    Some(e) => Err(e.into_error()),
                    None => Ok(None),
                },
            },
        }
    }
}

/// Now plus `idle`, or far in the future when that does not fit in an `Instant`.
fn deadline_after(idle: Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(idle)
        .unwrap_or_else(|| now + Duration::from_hours(100 * 365 * 24))
}

/// An error and its causes on one line (reqwest hides the useful part in `source()`).
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

struct State {
    source: DataSource,
    parser: WireParser,
    pending: Out,
    done: bool,
    record: Option<PendingRecord>,
}

impl State {
    async fn next(&mut self) -> Option<Result<ResponseEvent, ClientError>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.done {
                if let Some(record) = self.record.take() {
                    record.finish();
                }
                return None;
            }
            match self.source.next_data().await {
                Ok(Some(data)) => {
                    if let Some(record) = &mut self.record {
                        record.data(&data);
                    }
                    if self.parser.on_data(&data, &mut self.pending) == Flow::Stop {
                        self.done = true;
                    }
                }
                Ok(None) => {
                    self.parser.on_end(&mut self.pending);
                    self.done = true;
                }
                Err(error) => {
                    if let Some(record) = &mut self.record {
                        record.error(&error);
                    }
                    match error {
                        ClientError::Timeout { idle } => {
                            self.parser.on_idle(idle, &mut self.pending);
                        }
                        other => self.pending.push_back(Err(other)),
                    }
                    self.done = true;
                }
            }
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        // The consumer stopped early: keep what was seen.
        if let Some(record) = self.record.take() {
            record.finish();
        }
    }
}

/// The events of one model response. Ends after `Completed` or after the first error.
pub struct ResponseStream {
    inner: BoxStream<'static, Result<ResponseEvent, ClientError>>,
}

impl ResponseStream {
    pub(crate) fn new(
        source: DataSource,
        parser: WireParser,
        first: Option<ResponseEvent>,
        record: Option<PendingRecord>,
    ) -> Self {
        let state = State {
            source,
            parser,
            pending: first.into_iter().map(Ok).collect(),
            done: false,
            record,
        };
        let inner = futures::stream::unfold(state, |mut state| async move {
            let item = state.next().await?;
            Some((item, state))
        })
        .boxed();
        Self { inner }
    }
}

impl Stream for ResponseStream {
    type Item = Result<ResponseEvent, ClientError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl std::fmt::Debug for ResponseStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseStream")
    }
}
