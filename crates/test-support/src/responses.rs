//! Builders for Responses API server-sent events, named as in Codex's own test support so
//! tests read the same. Each `ev_*` returns one event's JSON; [`sse`] turns a list of them into
//! a response body.

use serde_json::{Value, json};

/// Formats events as an SSE body: `event: <type>` then `data: <json>` and a blank line for
/// each. An event that has nothing but a `type` gets no `data:` line, as real servers send it.
pub fn sse(events: &[Value]) -> String {
    let mut out = String::new();
    for event in events {
        out.push_str(&sse_event(event));
    }
    out
}

/// One event of [`sse`].
pub fn sse_event(event: &Value) -> String {
    let kind = event
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("message");
    let only_type = event.as_object().is_some_and(|o| o.len() == 1);
    if only_type {
        format!("event: {kind}\n\n")
    } else {
        format!("event: {kind}\ndata: {event}\n\n")
    }
}

/// `response.created`.
pub fn ev_response_created(id: &str) -> Value {
    json!({"type": "response.created", "response": {"id": id}})
}

/// `response.completed` with zero usage.
pub fn ev_completed(id: &str) -> Value {
    ev_completed_with_tokens(id, 0)
}

/// `response.completed` whose usage counts `total_tokens` (all of them input tokens).
pub fn ev_completed_with_tokens(id: &str, total_tokens: u64) -> Value {
    ev_completed_with_usage(id, total_tokens, 0, 0, 0)
}

/// `response.completed` with every usage field given.
pub fn ev_completed_with_usage(
    id: &str,
    input: u64,
    cached: u64,
    output: u64,
    reasoning: u64,
) -> Value {
    json!({
        "type": "response.completed",
        "response": {
            "id": id,
            "usage": {
                "input_tokens": input,
                "input_tokens_details": {"cached_tokens": cached},
                "output_tokens": output,
                "output_tokens_details": {"reasoning_tokens": reasoning},
                "total_tokens": input.saturating_add(output),
            }
        }
    })
}

/// `response.failed` with an error code (`context_length_exceeded`, `insufficient_quota`,
/// `rate_limit_exceeded`, ...) and message.
pub fn ev_failed(id: &str, code: &str, message: &str) -> Value {
    json!({
        "type": "response.failed",
        "response": {"id": id, "error": {"code": code, "message": message}}
    })
}

/// `response.output_item.done` carrying an assistant message.
pub fn ev_assistant_message(id: &str, text: &str) -> Value {
    json!({
        "type": "response.output_item.done",
        "item": {
            "type": "message",
            "role": "assistant",
            "id": id,
            "content": [{"type": "output_text", "text": text}]
        }
    })
}

/// `response.output_item.added` for an assistant message (the UI's "item started").
pub fn ev_message_item_added(id: &str, text: &str) -> Value {
    json!({
        "type": "response.output_item.added",
        "item": {
            "type": "message",
            "role": "assistant",
            "id": id,
            "content": [{"type": "output_text", "text": text}]
        }
    })
}

/// `response.output_text.delta`.
pub fn ev_output_text_delta(delta: &str) -> Value {
    json!({"type": "response.output_text.delta", "delta": delta})
}

/// `response.output_item.done` carrying a function call; `arguments` is the JSON string.
pub fn ev_function_call(call_id: &str, name: &str, arguments: &str) -> Value {
    json!({
        "type": "response.output_item.done",
        "item": {
            "type": "function_call",
            "call_id": call_id,
            "name": name,
            "arguments": arguments
        }
    })
}

/// `response.output_item.done` carrying a freeform (custom) tool call.
pub fn ev_custom_tool_call(call_id: &str, name: &str, input: &str) -> Value {
    json!({
        "type": "response.output_item.done",
        "item": {
            "type": "custom_tool_call",
            "call_id": call_id,
            "name": name,
            "input": input
        }
    })
}

/// A freeform `apply_patch` call with the given patch text.
pub fn ev_apply_patch_custom_tool_call(call_id: &str, patch: &str) -> Value {
    ev_custom_tool_call(call_id, "apply_patch", patch)
}

/// `apply_patch` offered as a function tool: `{"input": patch}`.
pub fn ev_apply_patch_function_call(call_id: &str, patch: &str) -> Value {
    let arguments = json!({"input": patch}).to_string();
    ev_function_call(call_id, "apply_patch", &arguments)
}

/// `response.output_item.done` carrying a `local_shell_call`.
pub fn ev_local_shell_call(call_id: &str, status: &str, command: &[&str]) -> Value {
    json!({
        "type": "response.output_item.done",
        "item": {
            "type": "local_shell_call",
            "call_id": call_id,
            "status": status,
            "action": {"type": "exec", "command": command}
        }
    })
}

/// `response.output_item.done` carrying a reasoning item with summary paragraphs, raw
/// reasoning text (left out when empty) and an opaque encrypted blob.
pub fn ev_reasoning_item(id: &str, summary: &[&str], raw: &[&str]) -> Value {
    let summary: Vec<Value> = summary
        .iter()
        .map(|text| json!({"type": "summary_text", "text": text}))
        .collect();
    let mut item = json!({
        "type": "reasoning",
        "id": id,
        "summary": summary,
        "encrypted_content": format!("encrypted-{id}"),
    });
    if !raw.is_empty() {
        let content: Vec<Value> = raw
            .iter()
            .map(|text| json!({"type": "reasoning_text", "text": text}))
            .collect();
        item["content"] = Value::Array(content);
    }
    json!({"type": "response.output_item.done", "item": item})
}

/// `response.reasoning_summary_text.delta`.
pub fn ev_reasoning_summary_text_delta(delta: &str) -> Value {
    json!({"type": "response.reasoning_summary_text.delta", "delta": delta, "summary_index": 0})
}

/// `response.reasoning_summary_part.added`.
pub fn ev_reasoning_summary_part_added(summary_index: u64) -> Value {
    json!({"type": "response.reasoning_summary_part.added", "summary_index": summary_index})
}

/// `response.reasoning_text.delta` (raw reasoning).
pub fn ev_reasoning_text_delta(delta: &str) -> Value {
    json!({"type": "response.reasoning_text.delta", "delta": delta, "content_index": 0})
}

/// A whole plain turn: created, one assistant message, completed.
pub fn sse_assistant_turn(response_id: &str, text: &str) -> String {
    sse(&[
        ev_response_created(response_id),
        ev_assistant_message(&format!("msg-{response_id}"), text),
        ev_completed(response_id),
    ])
}

/// A whole tool turn: created, one function call, completed.
pub fn sse_function_call_turn(
    response_id: &str,
    call_id: &str,
    name: &str,
    arguments: &str,
) -> String {
    sse(&[
        ev_response_created(response_id),
        ev_function_call(call_id, name, arguments),
        ev_completed(response_id),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_only_events_have_no_data_line() {
        assert_eq!(
            sse(&[json!({"type": "response.in_progress"})]),
            "event: response.in_progress\n\n"
        );
        let body = sse(&[ev_output_text_delta("hi")]);
        assert_eq!(
            body,
            "event: response.output_text.delta\ndata: {\"delta\":\"hi\",\"type\":\"response.output_text.delta\"}\n\n"
        );
    }
}
