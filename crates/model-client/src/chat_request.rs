//! The Chat Completions request: history and tools mapped from Responses shapes.
//!
//! - instructions become the first `system` message; `developer` messages become `system`
//!   too, the one role every Chat server knows;
//! - messages become `{role, content}` (a string, or parts when there are images);
//! - function, custom and local-shell calls become assistant `tool_calls` (consecutive calls
//!   share one assistant message); their outputs become `tool` messages;
//! - reasoning and unknown items are left out;
//! - function tools are re-wrapped as `{type:"function", function:{..}}`, freeform (custom)
//!   tools become a function taking one string `input`; other tools are dropped.

use std::collections::HashSet;

use codex_protocol::models::LocalShellAction;
use codex_protocol::{ContentItem, ResponseItem};
use serde_json::{Map, Value, json};

use crate::{ClientError, Prompt};

/// The body, and the names of freeform tools (their calls come back as custom tool calls).
pub(crate) struct ChatRequest {
    pub(crate) body: Vec<u8>,
    pub(crate) custom_tools: HashSet<String>,
}

pub(crate) fn request_body(model: &str, prompt: &Prompt) -> Result<ChatRequest, ClientError> {
    if prompt.output_schema.is_some() {
        return Err(ClientError::Unsupported(
            "an output schema needs a provider with wire_api = \"responses\"; the chat wire API cannot enforce one"
                .to_owned(),
        ));
    }
    let mut messages = vec![json!({"role": "system", "content": prompt.instructions})];
    for item in &prompt.input {
        push_item(&mut messages, item);
    }
    let mut custom_tools = HashSet::new();
    let tools: Vec<Value> = prompt
        .tools
        .iter()
        .filter_map(|tool| convert_tool(tool, &mut custom_tools))
        .collect();
    let mut body = Map::new();
    body.insert("model".into(), json!(model));
    body.insert("messages".into(), Value::Array(messages));
    body.insert("stream".into(), json!(true));
    body.insert("stream_options".into(), json!({"include_usage": true}));
    if !tools.is_empty() {
        body.insert("tools".into(), Value::Array(tools));
    }
    let body = serde_json::to_vec(&Value::Object(body)).map_err(|e| ClientError::BadRequest {
        message: format!("cannot serialize the chat request: {e}"),
    })?;
    Ok(ChatRequest { body, custom_tools })
}

fn push_item(messages: &mut Vec<Value>, item: &ResponseItem) {
    match item {
        ResponseItem::Message { role, content, .. } => {
            let role = if role == "developer" {
                "system"
            } else {
                role.as_str()
            };
            messages.push(json!({"role": role, "content": message_content(content)}));
        }
        ResponseItem::FunctionCall {
            name,
            arguments,
            call_id,
            ..
        } => push_tool_call(messages, call_id, name, arguments),
        ResponseItem::CustomToolCall {
            call_id,
            name,
            input,
            ..
        } => {
            let arguments = json!({"input": input}).to_string();
            push_tool_call(messages, call_id, name, &arguments);
        }
        ResponseItem::LocalShellCall {
            call_id: Some(call_id),
            action,
            ..
        } => {
            let LocalShellAction::Exec {
                command,
                timeout_ms,
                working_directory,
            } = action;
            let arguments = json!({
                "command": command,
                "timeout_ms": timeout_ms,
                "workdir": working_directory,
            })
            .to_string();
            push_tool_call(messages, call_id, "local_shell", &arguments);
        }
        ResponseItem::FunctionCallOutput { call_id, output }
        | ResponseItem::CustomToolCallOutput { call_id, output } => {
            messages.push(json!({"role": "tool", "tool_call_id": call_id, "content": output}));
        }
        _ => {}
    }
}

fn message_content(content: &[ContentItem]) -> Value {
    let has_image = content
        .iter()
        .any(|c| matches!(c, ContentItem::InputImage { .. }));
    if !has_image {
        return json!(
            content
                .iter()
                .filter_map(ContentItem::text)
                .collect::<String>()
        );
    }
    Value::Array(
        content
            .iter()
            .map(|c| match c {
                ContentItem::InputText { text } | ContentItem::OutputText { text } => {
                    json!({"type": "text", "text": text})
                }
                ContentItem::InputImage { image_url } => {
                    json!({"type": "image_url", "image_url": {"url": image_url}})
                }
            })
            .collect(),
    )
}

/// Appends a tool call to the previous assistant message when there is one (parallel
/// calls, or text followed by calls), else starts an assistant message.
fn push_tool_call(messages: &mut Vec<Value>, call_id: &str, name: &str, arguments: &str) {
    let call = json!({
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    });
    if let Some(last) = messages.last_mut()
        && last.get("role").and_then(Value::as_str) == Some("assistant")
    {
        match last.get_mut("tool_calls").and_then(Value::as_array_mut) {
            Some(calls) => calls.push(call),
            None => last["tool_calls"] = json!([call]),
        }
        return;
    }
    messages.push(json!({"role": "assistant", "content": null, "tool_calls": [call]}));
}

fn convert_tool(tool: &Value, custom_tools: &mut HashSet<String>) -> Option<Value> {
    let kind = tool.get("type").and_then(Value::as_str)?;
    let name = tool.get("name").and_then(Value::as_str)?;
    let description = tool.get("description").cloned().unwrap_or(json!(""));
    match kind {
        "function" => {
            let mut function = json!({
                "name": name,
                "description": description,
                "parameters": tool.get("parameters").cloned().unwrap_or(json!({"type": "object", "properties": {}})),
            });
            if let Some(strict) = tool.get("strict") {
                function["strict"] = strict.clone();
            }
            Some(json!({"type": "function", "function": function}))
        }
        "custom" => {
            custom_tools.insert(name.to_owned());
            Some(json!({
                "type": "function",
                "function": {
                    "name": name,
                    "description": description,
                    "parameters": {
                        "type": "object",
                        "properties": {"input": {"type": "string", "description": "The raw input of the tool."}},
                        "required": ["input"],
                        "additionalProperties": false,
                    },
                },
            }))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn history_maps_both_ways() {
        let prompt = Prompt {
            instructions: "sys".into(),
            input: vec![
                ResponseItem::Message {
                    id: None,
                    role: "developer".into(),
                    content: vec![ContentItem::InputText { text: "dev".into() }],
                },
                ResponseItem::user_text("hi"),
                ResponseItem::assistant_text("let me look"),
                ResponseItem::FunctionCall {
                    id: None,
                    name: "shell".into(),
                    arguments: "{\"command\":[\"ls\"]}".into(),
                    call_id: "c1".into(),
                },
                ResponseItem::CustomToolCall {
                    id: None,
                    status: None,
                    call_id: "c2".into(),
                    name: "apply_patch".into(),
                    input: "*** Begin Patch".into(),
                },
                ResponseItem::FunctionCallOutput {
                    call_id: "c1".into(),
                    output: "a.txt".into(),
                },
                ResponseItem::CustomToolCallOutput {
                    call_id: "c2".into(),
                    output: "ok".into(),
                },
                ResponseItem::Reasoning {
                    id: None,
                    summary: vec![],
                    content: None,
                    encrypted_content: None,
                },
            ],
            tools: vec![
                json!({"type": "function", "name": "shell", "description": "run", "strict": false, "parameters": {"type": "object"}}),
                json!({"type": "custom", "name": "apply_patch", "description": "patch", "format": {}}),
                json!({"type": "web_search"}),
            ],
            ..Prompt::default()
        };
        let req = request_body("m", &prompt).unwrap();
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(
            body["messages"],
            json!([
                {"role": "system", "content": "sys"},
                {"role": "system", "content": "dev"},
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": "let me look", "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "shell", "arguments": "{\"command\":[\"ls\"]}"}},
                    {"id": "c2", "type": "function", "function": {"name": "apply_patch", "arguments": "{\"input\":\"*** Begin Patch\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "c1", "content": "a.txt"},
                {"role": "tool", "tool_call_id": "c2", "content": "ok"}
            ])
        );
        assert_eq!(body["tools"].as_array().unwrap().len(), 2);
        assert_eq!(body["tools"][0]["function"]["name"], "shell");
        assert_eq!(
            body["tools"][1]["function"]["parameters"]["required"],
            json!(["input"])
        );
        assert_eq!(body["stream_options"], json!({"include_usage": true}));
        assert!(req.custom_tools.contains("apply_patch"));
    }

    #[test]
    fn output_schema_is_refused() {
        let prompt = Prompt {
            output_schema: Some(json!({})),
            ..Prompt::default()
        };
        assert!(matches!(
            request_body("m", &prompt),
            Err(ClientError::Unsupported(_))
        ));
    }
}
