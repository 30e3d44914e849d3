//! Builders for Chat Completions streaming chunks (`data: {..}` lines ending in
//! `data: [DONE]`), the wire most local and third-party servers speak.

use serde_json::{Value, json};

/// Formats chunks as a Chat Completions SSE body terminated by `data: [DONE]`.
pub fn chat_sse(chunks: &[Value]) -> String {
    let mut out = String::new();
    for chunk in chunks {
        out.push_str("data: ");
        out.push_str(&chunk.to_string());
        out.push_str("\n\n");
    }
    out.push_str("data: [DONE]\n\n");
    out
}

fn chunk(delta: &Value, finish_reason: Option<&str>) -> Value {
    json!({
        "id": "chatcmpl-mock",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]
    })
}

/// A chunk adding assistant text.
pub fn chat_text_delta(text: &str) -> Value {
    chunk(&json!({"role": "assistant", "content": text}), None)
}

/// A chunk adding reasoning text in the `reasoning` field (Ollama, OpenRouter).
pub fn chat_reasoning_delta(text: &str) -> Value {
    chunk(&json!({"reasoning": text}), None)
}

/// A chunk adding reasoning text in the `reasoning_content` field (llama.cpp, vLLM,
/// DeepSeek).
pub fn chat_reasoning_content_delta(text: &str) -> Value {
    chunk(&json!({"reasoning_content": text}), None)
}

/// A chunk carrying a fragment of tool call number `index`. The id and name usually come
/// with the first fragment only; pass `None` for later ones.
pub fn chat_tool_call_delta(
    index: u64,
    id: Option<&str>,
    name: Option<&str>,
    arguments: &str,
) -> Value {
    let mut call = json!({"index": index, "function": {"arguments": arguments}});
    if let Some(id) = id {
        call["id"] = json!(id);
        call["type"] = json!("function");
    }
    if let Some(name) = name {
        call["function"]["name"] = json!(name);
    }
    chunk(&json!({"tool_calls": [call]}), None)
}

/// The chunk that ends the choice: `stop`, `tool_calls` or `length`.
pub fn chat_finish(reason: &str) -> Value {
    chunk(&json!({}), Some(reason))
}

/// The usage chunk sent after the last choice when `stream_options.include_usage` is set.
pub fn chat_usage(prompt_tokens: u64, completion_tokens: u64) -> Value {
    json!({
        "id": "chatcmpl-mock",
        "object": "chat.completion.chunk",
        "choices": [],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens
        }
    })
}

/// A whole plain answer: the text in two pieces, `stop`, usage, `[DONE]`.
pub fn chat_text_response(text: &str) -> String {
    let split = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    let (a, b) = text.split_at(split);
    chat_sse(&[
        chat_text_delta(a),
        chat_text_delta(b),
        chat_finish("stop"),
        chat_usage(10, 5),
    ])
}

/// A whole tool turn: one call whose arguments arrive in two fragments, `tool_calls`, usage.
pub fn chat_tool_call_response(call_id: &str, name: &str, arguments: &str) -> String {
    let split = arguments.len() / 2;
    let split = (0..=split)
        .rev()
        .find(|i| arguments.is_char_boundary(*i))
        .unwrap_or(0);
    let (a, b) = arguments.split_at(split);
    chat_sse(&[
        chat_tool_call_delta(0, Some(call_id), Some(name), a),
        chat_tool_call_delta(0, None, None, b),
        chat_finish("tool_calls"),
        chat_usage(10, 5),
    ])
}
