//! The Responses API wire: the request body of `POST {base}/responses` and the mapping of
//! its SSE events to [`ResponseEvent`]s.

use std::time::Duration;

use codex_protocol::{ReasoningSummary, ResponseItem, TokenUsage};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{ClientError, error_fields, from_error_code};
use crate::output_item::read_item;
use crate::stream::{Flow, Out};
use crate::{Prompt, ResponseEvent};

/// The JSON body of a Responses request. Field order follows what Codex sends.
#[derive(Serialize)]
struct ResponsesRequest<'a> {
    model: &'a str,
    instructions: &'a str,
    input: Vec<&'a ResponseItem>,
    tools: &'a [Value],
    tool_choice: &'static str,
    parallel_tool_calls: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning: Option<ReasoningParam>,
    store: bool,
    stream: bool,
    include: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt_cache_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<TextParam<'a>>,
}

#[derive(Serialize)]
struct ReasoningParam {
    #[serde(skip_serializing_if = "Option::is_none")]
    effort: Option<codex_protocol::ReasoningEffort>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<ReasoningSummary>,
}

#[derive(Serialize)]
struct TextParam<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    verbosity: Option<codex_protocol::Verbosity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<TextFormat<'a>>,
}

#[derive(Serialize)]
struct TextFormat<'a> {
    r#type: &'static str,
    name: &'static str,
    strict: bool,
    schema: &'a Value,
}

/// Serializes the request body. Requests are stateless (`store: false`): encrypted
/// reasoning is asked back (`include`) whenever reasoning is on, to be replayed next turn.
pub(crate) fn request_body(model: &str, prompt: &Prompt) -> Result<Vec<u8>, serde_json::Error> {
    let reasoning = prompt.reasoning.map(|r| ReasoningParam {
        effort: r.effort,
        summary: r.summary.filter(|s| *s != ReasoningSummary::None),
    });
    let include = if reasoning.is_some() {
        vec!["reasoning.encrypted_content"]
    } else {
        Vec::new()
    };
    let text = (prompt.verbosity.is_some() || prompt.output_schema.is_some()).then(|| TextParam {
        verbosity: prompt.verbosity,
        format: prompt.output_schema.as_ref().map(|schema| TextFormat {
            r#type: "json_schema",
            name: "codex_output_schema",
            strict: true,
            schema,
        }),
    });
    let body = ResponsesRequest {
        model,
        instructions: &prompt.instructions,
        input: prompt
            .input
            .iter()
            .filter(|item| !matches!(item, ResponseItem::Other))
            .collect(),
        tools: &prompt.tools,
        tool_choice: "auto",
        parallel_tool_calls: prompt.parallel_tool_calls,
        reasoning,
        store: false,
        stream: true,
        include,
        prompt_cache_key: prompt.prompt_cache_key.as_deref(),
        text,
    };
    serde_json::to_vec(&body)
}

/// One SSE event; only the fields we read.
#[derive(Deserialize)]
struct WireEvent<'a> {
    #[serde(rename = "type")]
    kind: String,
    response: Option<Value>,
    /// Left as raw JSON: [`read_item`] reads it without copying a large text three times.
    #[serde(borrow)]
    item: Option<&'a RawValue>,
    delta: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
struct WireUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    input_tokens_details: Option<CachedDetails>,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    output_tokens_details: Option<ReasoningDetails>,
    #[serde(default)]
    total_tokens: u64,
}

#[derive(Deserialize)]
struct CachedDetails {
    #[serde(default)]
    cached_tokens: u64,
}

#[derive(Deserialize)]
struct ReasoningDetails {
    #[serde(default)]
    reasoning_tokens: u64,
}

impl From<WireUsage> for TokenUsage {
    fn from(u: WireUsage) -> Self {
        Self {
            input_tokens: u.input_tokens,
            cached_input_tokens: u.input_tokens_details.map_or(0, |d| d.cached_tokens),
            output_tokens: u.output_tokens,
            reasoning_output_tokens: u.output_tokens_details.map_or(0, |d| d.reasoning_tokens),
            total_tokens: u.total_tokens,
        }
    }
}

/// Turns Responses SSE data into events. `response.completed` is held back until the byte
/// stream ends, so that `Completed` is always the last event.
#[derive(Debug, Default)]
pub(crate) struct ResponsesParser {
    completed: Option<(String, Option<TokenUsage>)>,
}

impl ResponsesParser {
    pub(crate) fn on_data(&mut self, data: &str, out: &mut Out) -> Flow {
        let event: WireEvent<'_> = match serde_json::from_str(data) {
            Ok(e) => e,
            Err(e) => {
                tracing::debug!(
                    "skipping SSE data that is not a Responses event ({e}): {data:.200}"
                );
                return Flow::Continue;
            }
        };
        match event.kind.as_str() {
            "response.created" if event.response.is_some() => {
                out.push_back(Ok(ResponseEvent::Created));
            }
            "response.output_item.added" | "response.output_item.done" => {
                let Some(item) = event.item else {
                    return Flow::Continue;
                };
                match read_item(item) {
                    Ok(item) if event.kind.ends_with("added") => {
                        out.push_back(Ok(ResponseEvent::OutputItemAdded(item)));
                    }
                    Ok(item) => out.push_back(Ok(ResponseEvent::OutputItemDone(item))),
                    Err(e) => tracing::debug!("skipping an output item we cannot read: {e}"),
                }
            }
            "response.output_text.delta" => {
                if let Some(delta) = event.delta {
                    out.push_back(Ok(ResponseEvent::OutputTextDelta(delta)));
                }
            }
            "response.reasoning_summary_text.delta" => {
                if let Some(delta) = event.delta {
                    out.push_back(Ok(ResponseEvent::ReasoningSummaryDelta(delta)));
                }
            }
            "response.reasoning_text.delta" => {
                if let Some(delta) = event.delta {
                    out.push_back(Ok(ResponseEvent::ReasoningContentDelta(delta)));
                }
            }
            "response.reasoning_summary_part.added" => {
                out.push_back(Ok(ResponseEvent::ReasoningSummaryPartAdded));
            }
            "response.completed" => {
                let response = event.response.unwrap_or_default();
                let id = response
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let usage = response
                    .get("usage")
                    .and_then(|u| serde_json::from_value::<WireUsage>(u.clone()).ok())
                    .map(TokenUsage::from);
                self.completed = Some((id, usage));
            }
            "response.failed" => {
                let error = event
                    .response
                    .as_ref()
                    .and_then(|r| r.get("error"))
                    .cloned()
                    .unwrap_or_default();
                let (code, message) = error_fields(&error);
                out.push_back(Err(from_error_code(code.as_deref(), &message)));
                return Flow::Stop;
            }
            "response.incomplete" => {
                let reason = event
                    .response
                    .as_ref()
                    .and_then(|r| r.pointer("/incomplete_details/reason"))
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
                    .to_owned();
                out.push_back(Err(ClientError::Incomplete { reason }));
                return Flow::Stop;
            }
            "error" => {
                let message = event.message.unwrap_or_default();
                out.push_back(Err(from_error_code(event.code.as_deref(), &message)));
                return Flow::Stop;
            }
            _ => {}
        }
        Flow::Continue
    }

    pub(crate) fn on_end(&mut self, out: &mut Out) {
        match self.completed.take() {
            Some((response_id, token_usage)) => out.push_back(Ok(ResponseEvent::Completed {
                response_id,
                token_usage,
            })),
            None => out.push_back(Err(ClientError::Stream {
                message: "the response stream closed before response.completed".to_owned(),
                retry_after: None,
            })),
        }
    }

    /// A stall after `response.completed` is the server keeping the connection open: the
    /// response is whole, so deliver it.
    pub(crate) fn on_idle(&mut self, idle: Duration, out: &mut Out) {
        if self.completed.is_some() {
            self.on_end(out);
        } else {
            out.push_back(Err(ClientError::Timeout { idle }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reasoning;
    use codex_protocol::{ReasoningEffort, Verbosity};
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn body_matches_codex_shape() {
        let prompt = Prompt {
            instructions: "be brief".into(),
            input: vec![ResponseItem::user_text("hi"), ResponseItem::Other],
            tools: vec![json!({"type": "function", "name": "shell"})],
            parallel_tool_calls: true,
            output_schema: Some(json!({"type": "object"})),
            reasoning: Some(Reasoning {
                effort: Some(ReasoningEffort::Medium),
                summary: Some(ReasoningSummary::None),
            }),
            verbosity: Some(Verbosity::Low),
            prompt_cache_key: Some("conv-1".into()),
        };
        let body: Value = serde_json::from_slice(&request_body("gpt-5", &prompt).unwrap()).unwrap();
        assert_eq!(
            body,
            json!({
                "model": "gpt-5",
                "instructions": "be brief",
                "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
                "tools": [{"type": "function", "name": "shell"}],
                "tool_choice": "auto",
                "parallel_tool_calls": true,
                "reasoning": {"effort": "medium"},
                "store": false,
                "stream": true,
                "include": ["reasoning.encrypted_content"],
                "prompt_cache_key": "conv-1",
                "text": {"verbosity": "low", "format": {"type": "json_schema", "name": "codex_output_schema", "strict": true, "schema": {"type": "object"}}}
            })
        );
        let plain: Value =
            serde_json::from_slice(&request_body("m", &Prompt::default()).unwrap()).unwrap();
        assert_eq!(plain["include"], json!([]));
        assert!(plain.get("reasoning").is_none() && plain.get("text").is_none());
    }
}
