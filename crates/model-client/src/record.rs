//! Recording exchanges to a JSONL file, and reading them back for replay.
//!
//! One line per HTTP exchange (a retried request is several exchanges):
//!
//! ```json
//! {"wire_api":"responses",
//!  "request":{"headers":{"authorization":"<redacted>",...},"body":{...}},
//!  "response":{"status":200,"events":["{\"type\":\"response.created\",...}",...]}}
//! ```
//!
//! - `events` holds each SSE event's `data` verbatim, as a JSON string, so a replay feeds
//!   the parser exactly the bytes the server sent. Hand-written files may put JSON objects
//!   there instead; they are served compact.
//! - A non-2xx answer keeps `status`, `body` and the headers that steer retries
//!   (`retry-after*`, `x-codex-*`); a failed connection or a broken stream keeps `error`
//!   (`message`, `retryable`, `retry_after_ms`).
//! - Secrets are redacted: `authorization`, `chatgpt-account-id` and any request header whose
//!   name mentions a key, token, secret, cookie or auth.
//!
//! Nothing in a line depends on time or on the base URL, so replaying a file while recording
//! writes the same bytes again.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use codex_protocol::WireApi;
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ClientError;

const REDACTED: &str = "<redacted>";

/// One recorded exchange.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Exchange {
    pub(crate) wire_api: WireApi,
    pub(crate) request: RecordedRequest,
    pub(crate) response: RecordedResponse,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RecordedRequest {
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) body: Value,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct RecordedResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<u16>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) events: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<RecordedError>,
}

/// An error that ended an exchange without coming from the data itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RecordedError {
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) retryable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) retry_after_ms: Option<u64>,
    /// Set when the error was the idle timeout, so a replay ends the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) idle_timeout_ms: Option<u64>,
}

impl RecordedError {
    pub(crate) fn from_error(error: &ClientError) -> Self {
        Self {
            message: error.to_string(),
            retryable: error.is_retryable(),
            retry_after_ms: error
                .retry_delay()
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            idle_timeout_ms: match error {
                ClientError::Timeout { idle } => {
                    Some(u64::try_from(idle.as_millis()).unwrap_or(u64::MAX))
                }
                _ => None,
            },
        }
    }

    pub(crate) fn into_error(self) -> ClientError {
        if let Some(ms) = self.idle_timeout_ms {
            return ClientError::Timeout {
                idle: Duration::from_millis(ms),
            };
        }
        ClientError::Replayed {
            message: self.message,
            retryable: self.retryable,
            retry_after: self.retry_after_ms.map(Duration::from_millis),
        }
    }
}

impl RecordedResponse {
    /// The recorded headers as a header map (for retry hints and rate limits).
    pub(crate) fn header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                reqwest::header::HeaderValue::from_str(value),
            ) {
                map.insert(name, value);
            }
        }
        map
    }

    /// The event data to serve.
    pub(crate) fn event_data(&self) -> Vec<String> {
        self.events
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    }
}

/// Request headers worth keeping, secrets redacted.
pub(crate) fn request_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, value) in headers {
        let name = name.as_str();
        let secret = ["authorization", "chatgpt-account-id"].contains(&name)
            || ["key", "token", "secret", "cookie", "auth"]
                .iter()
                .any(|w| name.contains(w));
        let value = if secret {
            REDACTED.to_owned()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        out.entry(name.to_owned())
            .and_modify(|v: &mut String| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    out
}

/// Response headers that change what the client does.
pub(crate) fn response_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            name.starts_with("retry-after") || name.starts_with("x-codex-")
        })
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect()
}

/// Appends exchanges to the record file.
#[derive(Debug)]
pub(crate) struct Recorder {
    path: PathBuf,
    lock: Mutex<()>,
}

impl Recorder {
    /// Creates the file if needed, so that a bad path fails before the first request.
    pub(crate) fn open(path: &Path) -> Result<Self, ClientError> {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| ClientError::Record {
                path: path.to_owned(),
                source,
            })?;
        Ok(Self {
            path: path.to_owned(),
            lock: Mutex::new(()),
        })
    }

    pub(crate) fn write(&self, exchange: &Exchange) -> Result<(), ClientError> {
        let fail = |source| ClientError::Record {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_vec(exchange).map_err(|e| fail(e.into()))?;
        line.push(b'\n');
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(fail)?;
        file.write_all(&line).map_err(fail)
    }
}

/// An exchange whose response is still streaming; written when the stream ends or is
/// dropped.
pub(crate) struct PendingRecord {
    recorder: Arc<Recorder>,
    exchange: Exchange,
}

impl PendingRecord {
    pub(crate) fn new(recorder: Arc<Recorder>, exchange: Exchange) -> Self {
        Self { recorder, exchange }
    }

    pub(crate) fn data(&mut self, data: &str) {
        self.exchange
            .response
            .events
            .push(Value::String(data.to_owned()));
    }

    pub(crate) fn error(&mut self, error: &ClientError) {
        self.exchange.response.error = Some(RecordedError::from_error(error));
    }

    pub(crate) fn finish(self) {
        if let Err(e) = self.recorder.write(&self.exchange) {
            tracing::warn!("{e}");
        }
    }
}

/// Recorded exchanges served in order.
#[derive(Debug)]
pub(crate) struct Replay {
    path: PathBuf,
    total: usize,
    queue: Mutex<VecDeque<Exchange>>,
}

impl Replay {
    pub(crate) fn load(path: &Path) -> Result<Self, ClientError> {
        let fail = |message: String| ClientError::Replay {
            path: path.to_owned(),
            message,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
        let mut queue = VecDeque::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let exchange: Exchange = serde_json::from_str(line)
                .map_err(|e| fail(format!("line {}: not a recorded exchange: {e}", n + 1)))?;
            queue.push_back(exchange);
        }
        Ok(Self {
            path: path.to_owned(),
            total: queue.len(),
            queue: Mutex::new(queue),
        })
    }

    pub(crate) fn next(&self) -> Result<Exchange, ClientError> {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.pop_front().ok_or_else(|| ClientError::Replay {
            path: self.path.clone(),
            message: format!(
                "all {} recorded exchanges were served; the conversation asked for one more",
                self.total
            ),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}
