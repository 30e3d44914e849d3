//! The Chat Completions wire: request mapping, deltas accumulated into items, usage.

use codex_model_client::{ClientError, Prompt, ResponseEvent};
use codex_protocol::models::ReasoningContent;
use codex_protocol::{ResponseItem, TokenUsage, WireApi};
use codex_test_support::chat::*;
use codex_test_support::{MockResponse, MockServer};
use pretty_assertions::assert_eq;
use serde_json::json;

use super::common::*;

#[tokio::test]
async fn text_answer_with_usage() {
    let server = MockServer::start();
    server.push(MockResponse::sse_body(chat_text_response("Hello there")));
    let client = client(&server, WireApi::Chat);
    let events = events(&client, &prompt("hi")).await;
    assert_eq!(
        events,
        vec![
            ResponseEvent::OutputItemAdded(ResponseItem::assistant_text("")),
            ResponseEvent::OutputTextDelta("Hello".into()),
            ResponseEvent::OutputTextDelta(" there".into()),
            ResponseEvent::OutputItemDone(ResponseItem::assistant_text("Hello there")),
            ResponseEvent::Completed {
                response_id: "chatcmpl-mock".into(),
                token_usage: Some(TokenUsage {
                    input_tokens: 10,
                    output_tokens: 5,
                    total_tokens: 15,
                    ..TokenUsage::default()
                }),
            },
        ]
    );
    let request = server.single_request();
    assert_eq!(request.path, "/v1/chat/completions");
    let body = request.body_json();
    assert_eq!(body["model"], "mock-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"], json!({"include_usage": true}));
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": "You are a test."},
            {"role": "user", "content": "hi"}
        ])
    );
    assert!(body.get("tools").is_none());
}

#[tokio::test]
async fn several_tool_calls_accumulate_by_index() {
    let server = MockServer::start();
    server.push(MockResponse::chat(&[
        chat_text_delta("Running both."),
        chat_tool_call_delta(0, Some("call_a"), Some("shell"), "{\"comm"),
        chat_tool_call_delta(1, Some("call_b"), Some("apply_patch"), "{\"input\":"),
        chat_tool_call_delta(0, None, None, "and\":[\"ls\"]}"),
        chat_tool_call_delta(1, None, None, "\"*** Begin Patch\"}"),
        chat_finish("tool_calls"),
    ]));
    let client = client(&server, WireApi::Chat);
    let prompt = Prompt {
        tools: vec![
            json!({"type": "function", "name": "shell", "parameters": {"type": "object"}}),
            json!({"type": "custom", "name": "apply_patch", "description": "edit files"}),
        ],
        ..prompt("do it")
    };
    let events = events(&client, &prompt).await;
    assert_eq!(
        done_items(&events),
        vec![
            ResponseItem::assistant_text("Running both."),
            ResponseItem::FunctionCall {
                id: None,
                name: "shell".into(),
                arguments: "{\"command\":[\"ls\"]}".into(),
                call_id: "call_a".into(),
            },
            ResponseItem::CustomToolCall {
                id: None,
                status: None,
                call_id: "call_b".into(),
                name: "apply_patch".into(),
                input: "*** Begin Patch".into(),
            },
        ]
    );
    assert!(matches!(
        events.last(),
        Some(ResponseEvent::Completed {
            token_usage: None,
            ..
        })
    ));
    let body = server.single_request().body_json();
    assert_eq!(body["tools"][0]["function"]["name"], "shell");
    assert_eq!(body["tools"][1]["function"]["name"], "apply_patch");
}

#[tokio::test]
async fn reasoning_deltas_become_a_reasoning_item() {
    let server = MockServer::start();
    server.push(MockResponse::chat(&[
        chat_reasoning_delta("Let me "),
        chat_reasoning_content_delta("think."),
        chat_text_delta("42"),
        chat_finish("stop"),
    ]));
    let client = client(&server, WireApi::Chat);
    let events = events(&client, &prompt("?")).await;
    let reasoning: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ResponseEvent::ReasoningContentDelta(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(reasoning, vec!["Let me ", "think."]);
    assert_eq!(
        done_items(&events),
        vec![
            ResponseItem::Reasoning {
                id: None,
                summary: vec![],
                content: Some(vec![ReasoningContent::Text {
                    text: "Let me think.".into()
                }]),
                encrypted_content: None,
            },
            ResponseItem::assistant_text("42"),
        ]
    );
}

#[tokio::test]
async fn tool_history_is_sent_as_chat_messages() {
    let server = MockServer::start();
    server.push(MockResponse::sse_body(chat_text_response("done")));
    let client = client(&server, WireApi::Chat);
    let mut prompt = prompt("list files");
    prompt.input.push(ResponseItem::FunctionCall {
        id: None,
        name: "shell".into(),
        arguments: "{}".into(),
        call_id: "c1".into(),
    });
    prompt.input.push(ResponseItem::FunctionCallOutput {
        call_id: "c1".into(),
        output: "a.txt".into(),
    });
    events(&client, &prompt).await;
    let request = server.single_request();
    assert_eq!(request.tool_message("c1").unwrap()["content"], "a.txt");
    assert_eq!(request.messages()[2]["tool_calls"][0]["id"], "c1");
}

#[tokio::test]
async fn errors_and_early_ends() {
    let server = MockServer::start();
    // An error object in the stream.
    server.push(MockResponse::sse_body(
        "data: {\"error\":{\"message\":\"context too long\",\"code\":\"context_length_exceeded\"}}\n\n",
    ));
    // A finish reason but no [DONE]: complete.
    server.push(MockResponse::sse_body(
        "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\n",
    ));
    // Neither: broken.
    server.push(MockResponse::sse_body(
        "data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n",
    ));
    // An HTTP error.
    server.push(MockResponse::api_error(
        400,
        "invalid_request_error",
        "unknown model",
    ));
    let client = client(&server, WireApi::Chat);

    let (_, e) = events_then_error(&client, &prompt("hi")).await;
    assert!(matches!(e, ClientError::ContextWindowExceeded), "{e:?}");

    let events = events(&client, &prompt("hi")).await;
    assert_eq!(
        done_items(&events),
        vec![ResponseItem::assistant_text("ok")]
    );
    assert!(matches!(
        events.last(),
        Some(ResponseEvent::Completed { .. })
    ));

    let (_, e) = events_then_error(&client, &prompt("hi")).await;
    assert!(e.is_retryable(), "{e:?}");

    let e = client.stream(&prompt("hi")).await.unwrap_err();
    assert!(
        matches!(&e, ClientError::BadRequest { message } if message.contains("unknown model")),
        "{e:?}"
    );
}

#[tokio::test]
async fn output_schema_is_refused_before_sending() {
    let server = MockServer::start();
    let client = client(&server, WireApi::Chat);
    let prompt = Prompt {
        output_schema: Some(json!({"type": "object"})),
        ..prompt("hi")
    };
    let e = client.stream(&prompt).await.unwrap_err();
    assert!(matches!(e, ClientError::Unsupported(_)), "{e:?}");
    assert!(e.to_string().contains("wire_api = \"responses\""), "{e}");
    assert_eq!(server.request_count(), 0);
}
