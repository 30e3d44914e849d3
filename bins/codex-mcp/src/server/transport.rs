//! The stdio transport: one JSON-RPC message per line in, one per line out.
//!
//! rmcp's own line transport stays silent on unparsable input and answers a bad request
//! without its id; a client then waits until its own timeout. This one reads every line
//! itself and answers what it cannot pass on with the JSON-RPC code that fits: `-32700` for
//! text that is not JSON, `-32600` for JSON that is not a request (a batch, no `method`),
//! `-32602` for a known method whose params do not fit, each with the request's id when it
//! has one. Lines are bounded before they are buffered. stdout carries these lines only.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use rmcp::model::{
    ClientNotification, ClientRequest, ErrorCode, ErrorData, JsonRpcMessage, RequestId,
};
use rmcp::service::{RoleServer, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The longest line read; a longer one is answered `-32600` and skipped. Prompts with
/// pasted files fit; a runaway peer does not fill memory.
pub(crate) const MAX_LINE: u64 = 16 * 1024 * 1024;

/// Messages read but not yet taken by the service; the reader waits when it is full.
const INCOMING_QUEUE: usize = 64;

/// Methods this server knows: bad params on one of them is `-32602`, not `-32601`.
const KNOWN_METHODS: &[&str] = &[
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "prompts/list",
    "prompts/get",
    "logging/setLevel",
    "completion/complete",
    "notifications/cancelled",
    "notifications/initialized",
    "notifications/progress",
];

/// What one input line turned out to be.
#[derive(Debug)]
pub(crate) enum Line {
    /// A message for the service.
    Message(Box<RxJsonRpcMessage<RoleServer>>),
    /// Not acceptable; this error object is the whole answer.
    Reply(Value),
    /// Nothing to do (a blank line, a bad notification, a stray response).
    Skip,
}

/// The transport handed to rmcp: messages from the reader task, lines to the writer task.
pub(crate) struct LineTransport {
    incoming: mpsc::Receiver<RxJsonRpcMessage<RoleServer>>,
    outgoing: mpsc::UnboundedSender<String>,
    pending: Arc<Pending>,
}

/// Requests read and not yet answered. At end of input the transport reports the end only
/// once they are all answered (or cancelled), so `echo request | codex-mcp` gets its answer.
#[derive(Default)]
struct Pending {
    ids: Mutex<HashSet<RequestId>>,
    changed: Notify,
}

impl Pending {
    fn add(&self, id: RequestId) {
        self.ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id);
    }

    fn remove(&self, id: &RequestId) {
        self.ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
        self.changed.notify_waiters();
    }

    async fn drained(&self) {
        loop {
            let notified = self.changed.notified();
            if self
                .ids
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_empty()
            {
                return;
            }
            notified.await;
        }
    }

    /// Notes what a message does to the pending set.
    fn track_incoming(&self, message: &RxJsonRpcMessage<RoleServer>) {
        match message {
            JsonRpcMessage::Request(request) => self.add(request.id.clone()),
            JsonRpcMessage::Notification(notification) => {
                if let ClientNotification::CancelledNotification(cancelled) =
                    &notification.notification
                    && let Some(id) = &cancelled.params.request_id
                {
                    self.remove(id);
                }
            }
            _ => {}
        }
    }

    fn track_outgoing(&self, message: &TxJsonRpcMessage<RoleServer>) {
        match message {
            JsonRpcMessage::Response(response) => self.remove(&response.id),
            JsonRpcMessage::Error(error) => {
                if let Some(id) = &error.id {
                    self.remove(id);
                }
            }
            _ => {}
        }
    }
}

impl LineTransport {
    /// Starts the reader and writer tasks on `input` and `output`. `input_closed` is
    /// cancelled when the input ends. The writer's handle completes once every line sent is
    /// written (after the transport and the reader are gone).
    pub(crate) fn spawn<R, W>(
        input: R,
        output: W,
        input_closed: CancellationToken,
    ) -> (Self, JoinHandle<()>)
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (tx_in, incoming) = mpsc::channel(INCOMING_QUEUE);
        let (outgoing, rx_out) = mpsc::unbounded_channel();
        let writer = tokio::spawn(write_lines(output, rx_out));
        let replies = outgoing.clone();
        tokio::spawn(async move {
            read_lines(input, tx_in, replies).await;
            input_closed.cancel();
        });
        let transport = Self {
            incoming,
            outgoing,
            pending: Arc::default(),
        };
        (transport, writer)
    }
}

impl Transport<RoleServer> for LineTransport {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        self.pending.track_outgoing(&item);
        let sent = serde_json::to_string(&item)
            .map_err(std::io::Error::other)
            .and_then(|line| {
                self.outgoing.send(line).map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::BrokenPipe, "stdout is closed")
                })
            });
        std::future::ready(sent)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        if let Some(message) = self.incoming.recv().await {
            self.pending.track_incoming(&message);
            return Some(message);
        }
        // End of input: answer what was asked before reporting it.
        self.pending.drained().await;
        None
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.incoming.close();
        Ok(())
    }
}

async fn write_lines<W: AsyncWrite + Unpin>(
    mut output: W,
    mut lines: mpsc::UnboundedReceiver<String>,
) {
    while let Some(mut line) = lines.recv().await {
        line.push('\n');
        if let Err(error) = output.write_all(line.as_bytes()).await {
            tracing::warn!("cannot write to stdout, stopping: {error}");
            return;
        }
        if let Err(error) = output.flush().await {
            tracing::warn!("cannot flush stdout, stopping: {error}");
            return;
        }
    }
}

async fn read_lines<R: AsyncRead + Unpin>(
    input: R,
    messages: mpsc::Sender<RxJsonRpcMessage<RoleServer>>,
    replies: mpsc::UnboundedSender<String>,
) {
    let mut reader = BufReader::new(input);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read = (&mut reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut buf)
            .await;
        match read {
            Ok(0) => return,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!("cannot read stdin, stopping: {error}");
                return;
            }
        }
        if !buf.ends_with(b"\n") && buf.len() as u64 > MAX_LINE {
            let reply = error_reply(
                &Value::Null,
                ErrorCode::INVALID_REQUEST,
                format!("message longer than {MAX_LINE} bytes; it was skipped"),
            );
            let _ = replies.send(reply.to_string());
            if skip_rest_of_line(&mut reader).await.is_err() {
                return;
            }
            continue;
        }
        match classify(&buf) {
            Line::Message(message) => {
                if messages.send(*message).await.is_err() {
                    return;
                }
            }
            Line::Reply(reply) => {
                let _ = replies.send(reply.to_string());
            }
            Line::Skip => {}
        }
    }
}

async fn skip_rest_of_line<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> std::io::Result<()> {
    loop {
        let chunk = reader.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(());
        }
        if let Some(end) = chunk.iter().position(|b| *b == b'\n') {
            reader.consume(end + 1);
            return Ok(());
        }
        let len = chunk.len();
        reader.consume(len);
    }
}

/// Sorts one line into a message, an error answer or nothing.
pub(crate) fn classify(line: &[u8]) -> Line {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Line::Skip;
    }
    let value: Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(error) => {
            return Line::Reply(error_reply(
                &Value::Null,
                ErrorCode::PARSE_ERROR,
                format!("Parse error: {error}"),
            ));
        }
    };
    let Value::Object(mut object) = value else {
        let what = if value.is_array() {
            "batches are not supported; send one message per line"
        } else {
            "a JSON-RPC message is a JSON object"
        };
        return Line::Reply(error_reply(
            &Value::Null,
            ErrorCode::INVALID_REQUEST,
            format!("Invalid request: {what}"),
        ));
    };
    let id = object.get("id").filter(|id| is_valid_id(id)).cloned();
    match object.get("jsonrpc") {
        // Editor integrations leave it out; accept them as 2.0.
        None => {
            object.insert("jsonrpc".into(), json!("2.0"));
        }
        Some(version) if version == "2.0" => {}
        Some(version) => {
            return Line::Reply(error_reply(
                id.as_ref().unwrap_or(&Value::Null),
                ErrorCode::INVALID_REQUEST,
                format!("Invalid request: `jsonrpc` must be \"2.0\", not {version}"),
            ));
        }
    }
    let method = object
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let has_id = object.contains_key("id");
    match serde_json::from_value::<RxJsonRpcMessage<RoleServer>>(Value::Object(object.clone())) {
        Ok(JsonRpcMessage::Request(_)) if has_id && id.is_none() => Line::Reply(error_reply(
            &Value::Null,
            ErrorCode::INVALID_REQUEST,
            "Invalid request: `id` must be a string or a number".into(),
        )),
        // rmcp reads a standard method whose params do not fit as a custom request.
        Ok(JsonRpcMessage::Request(request))
            if matches!(request.request, ClientRequest::CustomRequest(_))
                && method
                    .as_deref()
                    .is_some_and(|m| KNOWN_METHODS.contains(&m)) =>
        {
            Line::Reply(error_reply(
                id.as_ref().unwrap_or(&Value::Null),
                ErrorCode::INVALID_PARAMS,
                format!(
                    "Invalid params for `{}`: they do not match the method's schema",
                    method.unwrap_or_default()
                ),
            ))
        }
        Ok(message) => Line::Message(Box::new(message)),
        Err(error) => match (method, id) {
            (Some(method), Some(id)) if KNOWN_METHODS.contains(&method.as_str()) => {
                Line::Reply(error_reply(
                    &id,
                    ErrorCode::INVALID_PARAMS,
                    format!("Invalid params for `{method}`: {error}"),
                ))
            }
            (Some(method), id) if has_id => Line::Reply(error_reply(
                id.as_ref().unwrap_or(&Value::Null),
                ErrorCode::INVALID_REQUEST,
                format!("Invalid request `{method}`: {error}"),
            )),
            (Some(method), _) => {
                tracing::warn!("ignoring a malformed `{method}` notification: {error}");
                Line::Skip
            }
            (None, _) if object.contains_key("result") || object.contains_key("error") => {
                tracing::warn!("ignoring a malformed response: {error}");
                Line::Skip
            }
            (None, id) => Line::Reply(error_reply(
                id.as_ref().unwrap_or(&Value::Null),
                ErrorCode::INVALID_REQUEST,
                "Invalid request: no `method`".into(),
            )),
        },
    }
}

fn is_valid_id(id: &Value) -> bool {
    id.is_string() || id.is_i64() || id.is_u64()
}

fn error_reply(id: &Value, code: ErrorCode, message: String) -> Value {
    let error = ErrorData::new(code, message, None);
    json!({"jsonrpc": "2.0", "id": id, "error": error})
}

/// The id rmcp uses, as JSON, for the `_meta.requestId` of notifications.
pub(crate) fn request_id_json(id: &RequestId) -> Value {
    serde_json::to_value(id).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(line: &str) -> Value {
        match classify(line.as_bytes()) {
            Line::Reply(value) => value,
            other => panic!("expected an error reply to {line}, got {other:?}"),
        }
    }

    #[test]
    fn not_json_is_a_parse_error_with_a_null_id() {
        let r = reply("{not json");
        assert_eq!(r["error"]["code"], -32700);
        assert_eq!(r["id"], Value::Null);
    }

    #[test]
    fn a_batch_is_an_invalid_request() {
        assert_eq!(reply("[]")["error"]["code"], -32600);
    }

    #[test]
    fn no_method_is_an_invalid_request_with_the_id() {
        let r = reply(r#"{"jsonrpc":"2.0","id":7}"#);
        assert_eq!(r["error"]["code"], -32600);
        assert_eq!(r["id"], 7);
    }

    #[test]
    fn a_known_method_with_bad_params_is_invalid_params() {
        let r = reply(r#"{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":5}}"#);
        assert_eq!(r["error"]["code"], -32602);
        assert_eq!(r["id"], "a");
    }

    #[test]
    fn a_request_without_jsonrpc_is_accepted() {
        assert!(matches!(
            classify(br#"{"id":1,"method":"ping"}"#),
            Line::Message(_)
        ));
    }

    #[test]
    fn blank_lines_are_skipped() {
        assert!(matches!(classify(b"  \n"), Line::Skip));
    }
}
