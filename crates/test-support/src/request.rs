//! A request as the mock server received it, with accessors for the parts tests assert on,
//! and the check that every tool output answers a call made earlier in the same request.

use std::collections::HashSet;

use bytes::Bytes;
use serde_json::Value;

/// One HTTP request received by the mock server.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// `POST`, usually.
    pub method: String,
    /// The path without the query, e.g. `/v1/responses`.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Headers in arrival order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Bytes,
}

impl RecordedRequest {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a query parameter (no percent-decoding).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then_some(v)
        })
    }

    /// The body parsed as JSON; panics when it is not JSON.
    pub fn body_json(&self) -> Value {
        match serde_json::from_slice(&self.body) {
            Ok(v) => v,
            Err(e) => panic!(
                "request body to {} is not JSON ({e}): {}",
                self.path,
                String::from_utf8_lossy(&self.body)
            ),
        }
    }

    /// The Responses `input` array (empty when absent).
    pub fn input(&self) -> Vec<Value> {
        array(&self.body_json(), "input")
    }

    /// The Chat Completions `messages` array (empty when absent).
    pub fn messages(&self) -> Vec<Value> {
        array(&self.body_json(), "messages")
    }

    /// Input items of one `type` (`message`, `function_call_output`, ...).
    pub fn inputs_of_type(&self, kind: &str) -> Vec<Value> {
        self.input()
            .into_iter()
            .filter(|item| item.get("type").and_then(Value::as_str) == Some(kind))
            .collect()
    }

    /// Input messages with this role.
    pub fn input_messages(&self, role: &str) -> Vec<Value> {
        self.inputs_of_type("message")
            .into_iter()
            .filter(|item| item.get("role").and_then(Value::as_str) == Some(role))
            .collect()
    }

    /// The text of each input message with this role, parts joined.
    pub fn message_input_texts(&self, role: &str) -> Vec<String> {
        self.input_messages(role)
            .iter()
            .map(|m| {
                m.get("content")
                    .and_then(Value::as_array)
                    .map(|parts| {
                        parts
                            .iter()
                            .filter_map(|p| p.get("text").and_then(Value::as_str))
                            .collect::<String>()
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The `function_call_output` item answering `call_id`.
    pub fn function_call_output(&self, call_id: &str) -> Option<Value> {
        self.find_output("function_call_output", call_id)
    }

    /// The `custom_tool_call_output` item answering `call_id`.
    pub fn custom_tool_call_output(&self, call_id: &str) -> Option<Value> {
        self.find_output("custom_tool_call_output", call_id)
    }

    /// The `output` text of the `function_call_output` answering `call_id`.
    pub fn function_call_output_text(&self, call_id: &str) -> Option<String> {
        let item = self.function_call_output(call_id)?;
        match item.get("output")? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The Chat `tool` message answering `call_id`.
    pub fn tool_message(&self, call_id: &str) -> Option<Value> {
        self.messages().into_iter().find(|m| {
            m.get("role").and_then(Value::as_str) == Some("tool")
                && m.get("tool_call_id").and_then(Value::as_str) == Some(call_id)
        })
    }

    fn find_output(&self, kind: &str, call_id: &str) -> Option<Value> {
        self.inputs_of_type(kind)
            .into_iter()
            .find(|item| item.get("call_id").and_then(Value::as_str) == Some(call_id))
    }
}

fn array(body: &Value, key: &str) -> Vec<Value> {
    body.get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Problems with the tool calls and outputs of a request body (Responses `input` or Chat
/// `messages`): an empty call id, or an output whose call does not come earlier.
pub fn tool_output_problems(body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut calls: HashSet<String> = HashSet::new();
    let str_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(items) = body.get("input").and_then(Value::as_array) {
        for (i, item) in items.iter().enumerate() {
            let kind = item.get("type").and_then(Value::as_str).unwrap_or_default();
            match kind {
                "function_call" | "custom_tool_call" | "local_shell_call" => {
                    match str_of(item, "call_id") {
                        Some(id) if !id.is_empty() => {
                            calls.insert(id);
                        }
                        _ if kind == "local_shell_call" => {}
                        _ => problems.push(format!("input[{i}]: {kind} with an empty call_id")),
                    }
                }
                "function_call_output" | "custom_tool_call_output" => {
                    match str_of(item, "call_id") {
                        Some(id) if id.is_empty() => {
                            problems.push(format!("input[{i}]: {kind} with an empty call_id"));
                        }
                        Some(id) if !calls.contains(&id) => problems.push(format!(
                            "input[{i}]: {kind} for call_id {id:?} has no earlier call"
                        )),
                        Some(_) => {}
                        None => problems.push(format!("input[{i}]: {kind} without call_id")),
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(messages) = body.get("messages").and_then(Value::as_array) {
        for (i, message) in messages.iter().enumerate() {
            for call in message
                .get("tool_calls")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                match str_of(call, "id") {
                    Some(id) if !id.is_empty() => {
                        calls.insert(id);
                    }
                    _ => problems.push(format!("messages[{i}]: tool call with an empty id")),
                }
            }
            if message.get("role").and_then(Value::as_str) == Some("tool") {
                match str_of(message, "tool_call_id") {
                    Some(id) if calls.contains(&id) => {}
                    Some(id) => problems.push(format!(
                        "messages[{i}]: tool message for {id:?} has no earlier tool call"
                    )),
                    None => {
                        problems.push(format!("messages[{i}]: tool message without tool_call_id"));
                    }
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outputs_need_an_earlier_call() {
        let good = json!({"input": [
            {"type": "function_call", "call_id": "c1", "name": "shell", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "ok"}
        ]});
        assert!(tool_output_problems(&good).is_empty());
        let bad = json!({"input": [
            {"type": "function_call_output", "call_id": "c1", "output": "ok"},
            {"type": "function_call", "call_id": "c1", "name": "shell", "arguments": "{}"}
        ]});
        assert_eq!(tool_output_problems(&bad).len(), 1);
        let chat = json!({"messages": [
            {"role": "tool", "tool_call_id": "x", "content": "?"}
        ]});
        assert_eq!(tool_output_problems(&chat).len(), 1);
    }
}
