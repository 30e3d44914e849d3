//! Each Responses SSE event type maps to the right `ResponseEvent`.

use codex_model_client::{RateLimitSnapshot, RateLimitWindow, ResponseEvent};
use codex_protocol::models::{LocalShellAction, ReasoningContent};
use codex_protocol::{ContentItem, ReasoningSummaryPart, ResponseItem, TokenUsage, WireApi};
use codex_test_support::responses::*;
use codex_test_support::{MockResponse, MockServer};
use pretty_assertions::assert_eq;
use serde_json::json;

use super::common::*;

#[tokio::test]
async fn every_event_type_in_order_with_completed_last() {
    let server = MockServer::start();
    server.push(
        MockResponse::sse(&[
            ev_response_created("resp-1"),
            ev_reasoning_summary_part_added(0),
            ev_reasoning_summary_text_delta("thinking"),
            ev_reasoning_text_delta("raw"),
            ev_reasoning_item("rs-1", &["thinking"], &["raw"]),
            ev_message_item_added("msg-1", ""),
            ev_output_text_delta("Hel"),
            ev_output_text_delta("lo"),
            ev_assistant_message("msg-1", "Hello"),
            ev_function_call("call-1", "shell", r#"{"command":["ls"]}"#),
            ev_apply_patch_custom_tool_call("call-2", "*** Begin Patch\n*** End Patch"),
            ev_local_shell_call("call-3", "completed", &["echo", "hi"]),
            json!({"type": "response.in_progress"}),
            json!({"type": "response.output_text.done", "text": "Hello"}),
            ev_completed_with_usage("resp-1", 100, 40, 20, 5),
        ])
        .with_header("x-codex-primary-used-percent", "12.5")
        .with_header("x-codex-primary-window-minutes", "300")
        .with_header("x-codex-secondary-reset-at", "1700000000"),
    );
    let client = client(&server, WireApi::Responses);
    let events = events(&client, &prompt("hi")).await;

    let expected = vec![
        ResponseEvent::RateLimits(RateLimitSnapshot {
            primary: Some(RateLimitWindow {
                used_percent: 12.5,
                window_minutes: Some(300),
                resets_at: None,
            }),
            secondary: Some(RateLimitWindow {
                used_percent: 0.0,
                window_minutes: None,
                resets_at: Some(1_700_000_000),
            }),
        }),
        ResponseEvent::Created,
        ResponseEvent::ReasoningSummaryPartAdded,
        ResponseEvent::ReasoningSummaryDelta("thinking".into()),
        ResponseEvent::ReasoningContentDelta("raw".into()),
        ResponseEvent::OutputItemDone(ResponseItem::Reasoning {
            id: Some("rs-1".into()),
            summary: vec![ReasoningSummaryPart::SummaryText {
                text: "thinking".into(),
            }],
            content: Some(vec![ReasoningContent::ReasoningText { text: "raw".into() }]),
            encrypted_content: Some("encrypted-rs-1".into()),
        }),
        ResponseEvent::OutputItemAdded(ResponseItem::Message {
            id: Some("msg-1".into()),
            role: "assistant".into(),
            content: vec![ContentItem::OutputText {
                text: String::new(),
            }],
        }),
        ResponseEvent::OutputTextDelta("Hel".into()),
        ResponseEvent::OutputTextDelta("lo".into()),
        ResponseEvent::OutputItemDone(ResponseItem::Message {
            id: Some("msg-1".into()),
            role: "assistant".into(),
            content: vec![ContentItem::OutputText {
                text: "Hello".into(),
            }],
        }),
        ResponseEvent::OutputItemDone(ResponseItem::FunctionCall {
            id: None,
            name: "shell".into(),
            arguments: r#"{"command":["ls"]}"#.into(),
            call_id: "call-1".into(),
        }),
        ResponseEvent::OutputItemDone(ResponseItem::CustomToolCall {
            id: None,
            status: None,
            call_id: "call-2".into(),
            name: "apply_patch".into(),
            input: "*** Begin Patch\n*** End Patch".into(),
        }),
        ResponseEvent::OutputItemDone(ResponseItem::LocalShellCall {
            id: None,
            call_id: Some("call-3".into()),
            status: "completed".into(),
            action: LocalShellAction::Exec {
                command: vec!["echo".into(), "hi".into()],
                timeout_ms: None,
                working_directory: None,
            },
        }),
        ResponseEvent::Completed {
            response_id: "resp-1".into(),
            token_usage: Some(TokenUsage {
                input_tokens: 100,
                cached_input_tokens: 40,
                output_tokens: 20,
                reasoning_output_tokens: 5,
                total_tokens: 120,
            }),
        },
    ];
    assert_eq!(events, expected);
    assert_eq!(server.single_request().path, "/v1/responses");
}

#[tokio::test]
async fn completed_waits_for_the_end_of_the_body() {
    // Events after response.completed still arrive before Completed.
    let server = MockServer::start();
    server.push(MockResponse::sse(&[
        ev_response_created("r"),
        ev_completed("r"),
        ev_output_text_delta("late"),
    ]));
    let client = client(&server, WireApi::Responses);
    let events = events(&client, &prompt("hi")).await;
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::OutputTextDelta("late".into()),
            ResponseEvent::Completed {
                response_id: "r".into(),
                token_usage: Some(TokenUsage::default()),
            },
        ]
    );
}

#[tokio::test]
async fn garbage_data_lines_are_skipped() {
    let server = MockServer::start();
    let body = format!(
        ": keep-alive comment\n\n\
         data: this is not json\n\n\
         data: {{\"no_type\": true}}\n\n\
         data: {{\"type\": \"response.output_item.done\", \"item\": {{\"type\": \"message\"}}}}\n\n\
         event: response.output_text.delta\n\
         data: {{\"type\": \"response.output_text.delta\", \"delta\": \"ok\"}}\n\n\
         data: \u{1}\u{2}\n\n\
         data: {{\"type\": \"response.something_new\", \"x\": 1}}\n\n{}",
        sse(&[ev_completed("r")])
    );
    server.push(MockResponse::sse_body(body));
    let client = client(&server, WireApi::Responses);
    let events = events(&client, &prompt("hi")).await;
    assert_eq!(
        events,
        vec![
            ResponseEvent::OutputTextDelta("ok".into()),
            ResponseEvent::Completed {
                response_id: "r".into(),
                token_usage: Some(TokenUsage::default()),
            },
        ]
    );
}

#[tokio::test]
async fn unknown_item_types_come_through_as_other() {
    let server = MockServer::start();
    server.push(MockResponse::sse(&[
        json!({"type": "response.output_item.done", "item": {"type": "image_generation_call", "id": "x"}}),
        ev_completed("r"),
    ]));
    let client = client(&server, WireApi::Responses);
    let events = events(&client, &prompt("hi")).await;
    assert_eq!(done_items(&events), vec![ResponseItem::Other]);
}
