//! Chat Completions streaming: chunks of deltas accumulated into the same item events the
//! Responses API produces, so core never knows which wire it talked to.
//!
//! Text deltas build one assistant message; `reasoning` / `reasoning_content` deltas build a
//! reasoning item; `tool_calls` fragments are accumulated per `index`, so several calls in
//! one response work. Items are emitted when the choice finishes; `Completed` (with the usage
//! chunk, if any) at `[DONE]` or at the end of the body.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use codex_protocol::models::ReasoningContent;
use codex_protocol::{ResponseItem, TokenUsage};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{error_fields, from_error_code};
use crate::stream::{Flow, Out};
use crate::{ClientError, ResponseEvent};

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    reasoning: Option<Value>,
    #[serde(default)]
    reasoning_content: Option<String>,
    #[serde(default)]
    tool_calls: Vec<ToolCallDelta>,
}

#[derive(Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: Option<u64>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
    #[serde(default)]
    total_tokens: u64,
    #[serde(default)]
    prompt_tokens_details: Option<Value>,
    #[serde(default)]
    completion_tokens_details: Option<Value>,
}

impl From<Usage> for TokenUsage {
    fn from(u: Usage) -> Self {
        let detail = |v: &Option<Value>, key: &str| {
            v.as_ref()
                .and_then(|d| d.get(key))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        Self {
            input_tokens: u.prompt_tokens,
            cached_input_tokens: detail(&u.prompt_tokens_details, "cached_tokens"),
            output_tokens: u.completion_tokens,
            reasoning_output_tokens: detail(&u.completion_tokens_details, "reasoning_tokens"),
            total_tokens: u.total_tokens,
        }
    }
}

#[derive(Debug, Default)]
struct PartialCall {
    id: Option<String>,
    name: String,
    arguments: String,
}

#[derive(Debug, Default)]
pub(crate) struct ChatParser {
    custom_tools: Arc<HashSet<String>>,
    response_id: String,
    text: String,
    reasoning: String,
    calls: BTreeMap<u64, PartialCall>,
    usage: Option<TokenUsage>,
    finished: bool,
}

impl ChatParser {
    pub(crate) fn new(custom_tools: Arc<HashSet<String>>) -> Self {
        Self {
            custom_tools,
            ..Self::default()
        }
    }

    pub(crate) fn on_data(&mut self, data: &str, out: &mut Out) -> Flow {
        if data.trim() == "[DONE]" {
            self.flush(out);
            self.complete(out);
            return Flow::Stop;
        }
        let chunk: Chunk = match serde_json::from_str(data) {
            Ok(c) => c,
            Err(e) => {
                tracing::debug!("skipping SSE data that is not a chat chunk ({e}): {data:.200}");
                return Flow::Continue;
            }
        };
        if let Some(error) = chunk.error {
            let (code, message) = error_fields(&error);
            out.push_back(Err(from_error_code(code.as_deref(), &message)));
            return Flow::Stop;
        }
        if let Some(id) = chunk.id
            && self.response_id.is_empty()
        {
            self.response_id = id;
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(usage.into());
        }
        // Servers stream one choice (n = 1); extra choices are ignored.
        let Some(choice) = chunk.choices.into_iter().next() else {
            return Flow::Continue;
        };
        if let Some(delta) = choice.delta {
            self.on_delta(delta, out);
        }
        if choice.finish_reason.is_some() {
            self.flush(out);
        }
        Flow::Continue
    }

    fn on_delta(&mut self, delta: Delta, out: &mut Out) {
        let reasoning = delta
            .reasoning_content
            .or_else(|| match delta.reasoning {
                Some(Value::String(s)) => Some(s),
                Some(Value::Object(o)) => o
                    .get("text")
                    .or_else(|| o.get("content"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                _ => None,
            })
            .filter(|s| !s.is_empty());
        if let Some(reasoning) = reasoning {
            if self.reasoning.is_empty() {
                out.push_back(Ok(ResponseEvent::OutputItemAdded(reasoning_item(
                    String::new(),
                ))));
            }
            self.reasoning.push_str(&reasoning);
            out.push_back(Ok(ResponseEvent::ReasoningContentDelta(reasoning)));
        }
        if let Some(text) = delta.content.filter(|s| !s.is_empty()) {
            if self.text.is_empty() {
                out.push_back(Ok(ResponseEvent::OutputItemAdded(
                    ResponseItem::assistant_text(""),
                )));
            }
            self.text.push_str(&text);
            out.push_back(Ok(ResponseEvent::OutputTextDelta(text)));
        }
        for (position, call) in delta.tool_calls.into_iter().enumerate() {
            let index = call.index.unwrap_or(position as u64);
            let partial = self.calls.entry(index).or_default();
            if let Some(id) = call.id.filter(|s| !s.is_empty()) {
                partial.id = Some(id);
            }
            if let Some(function) = call.function {
                if let Some(name) = function.name {
                    partial.name.push_str(&name);
                }
                if let Some(arguments) = function.arguments {
                    partial.arguments.push_str(&arguments);
                }
            }
        }
    }

    /// Emits the accumulated items: reasoning, then the message, then tool calls by index.
    fn flush(&mut self, out: &mut Out) {
        self.finished = true;
        if !self.reasoning.is_empty() {
            let text = std::mem::take(&mut self.reasoning);
            out.push_back(Ok(ResponseEvent::OutputItemDone(reasoning_item(text))));
        }
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            out.push_back(Ok(ResponseEvent::OutputItemDone(
                ResponseItem::assistant_text(text),
            )));
        }
        for (index, call) in std::mem::take(&mut self.calls) {
            let call_id = call.id.unwrap_or_else(|| {
                let prefix = if self.response_id.is_empty() {
                    "chat"
                } else {
                    &self.response_id
                };
                format!("call_{prefix}_{index}")
            });
            let item = if self.custom_tools.contains(&call.name) {
                let input = serde_json::from_str::<Value>(&call.arguments)
                    .ok()
                    .and_then(|v| v.get("input").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or(call.arguments);
                ResponseItem::CustomToolCall {
                    id: None,
                    status: None,
                    call_id,
                    name: call.name,
                    input,
                }
            } else {
                ResponseItem::FunctionCall {
                    id: None,
                    name: call.name,
                    arguments: call.arguments,
                    call_id,
                }
            };
            out.push_back(Ok(ResponseEvent::OutputItemDone(item)));
        }
    }

    fn complete(&mut self, out: &mut Out) {
        out.push_back(Ok(ResponseEvent::Completed {
            response_id: std::mem::take(&mut self.response_id),
            token_usage: self.usage.take(),
        }));
    }

    /// The body ended without `[DONE]`: fine after a finish reason, a broken stream before.
    pub(crate) fn on_end(&mut self, out: &mut Out) {
        if self.finished {
            self.flush(out);
            self.complete(out);
        } else {
            out.push_back(Err(ClientError::Stream {
                message: "the chat completion stream closed before it finished".to_owned(),
                retry_after: None,
            }));
        }
    }

    pub(crate) fn on_idle(&mut self, idle: Duration, out: &mut Out) {
        if self.finished {
            self.on_end(out);
        } else {
            out.push_back(Err(ClientError::Timeout { idle }));
        }
    }
}

fn reasoning_item(text: String) -> ResponseItem {
    ResponseItem::Reasoning {
        id: None,
        summary: Vec::new(),
        content: Some(vec![ReasoningContent::Text { text }]),
        encrypted_content: None,
    }
}
