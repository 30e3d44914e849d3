//! What goes on the wire: URL, headers and body of a Responses request.

use std::collections::BTreeMap;

use codex_model_client::{
    BearerSource, ClientError, DEFAULT_ORIGINATOR, ModelClient, Prompt, Reasoning,
};
use codex_protocol::{ReasoningEffort, ReasoningSummary, ResponseItem, WireApi};
use codex_test_support::responses::*;
use codex_test_support::{MockResponse, MockServer};
use pretty_assertions::assert_eq;
use serde_json::json;

use super::common::*;

#[tokio::test]
async fn headers_follow_codex() {
    let server = MockServer::start();
    server.push(MockResponse::sse_body(sse_assistant_turn("r", "hi")));
    server.push(MockResponse::sse_body(sse_assistant_turn("r", "hi")));
    let mut provider = provider(&server, WireApi::Responses);
    provider.http_headers = Some(BTreeMap::from([("x-team".into(), "blue".into())]));
    provider.query_params = Some(BTreeMap::from([(
        "api-version".into(),
        "2025-04-01".into(),
    )]));
    provider.env_http_headers = Some(BTreeMap::from([(
        "x-never".into(),
        "CODEX_TEST_SURELY_UNSET_VARIABLE".into(),
    )]));
    let mut cfg = config_for(provider);
    cfg.originator = Some("codex_exec".into());
    cfg.conversation_id = Some("conv-123".into());
    cfg.bearer = BearerSource::Static("sk-test".into());
    let client = ModelClient::new(cfg).unwrap();
    events(&client, &prompt("hi")).await;

    let request = server.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/responses");
    assert_eq!(request.query_param("api-version"), Some("2025-04-01"));
    assert_eq!(request.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(request.header("originator"), Some("codex_exec"));
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("conversation_id"), Some("conv-123"));
    assert_eq!(request.header("session_id"), Some("conv-123"));
    assert_eq!(request.header("x-team"), Some("blue"));
    assert_eq!(request.header("x-never"), None);
    assert_eq!(request.header("chatgpt-account-id"), None);
    let ua = request.header("user-agent").unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(ua.starts_with(&format!("codex_exec/{version} (")), "{ua}");
    assert!(ua.contains(std::env::consts::ARCH), "{ua}");

    // No originator given: the default.
    let client = ModelClient::new(config(&server, WireApi::Responses)).unwrap();
    events(&client, &prompt("hi")).await;
    let request = &server.requests()[1];
    assert_eq!(request.header("originator"), Some(DEFAULT_ORIGINATOR));
    assert_eq!(request.header("authorization"), None);
}

#[tokio::test]
async fn body_carries_history_tools_and_settings() {
    let server = MockServer::start();
    server.push(MockResponse::sse_body(sse_assistant_turn("r", "ok")));
    let client = client(&server, WireApi::Responses);
    let prompt = Prompt {
        instructions: "base instructions".into(),
        input: vec![
            ResponseItem::user_text("run ls"),
            ResponseItem::FunctionCall {
                id: Some("fc_1".into()),
                name: "shell".into(),
                arguments: "{\"command\":[\"ls\"]}".into(),
                call_id: "call_1".into(),
            },
            ResponseItem::FunctionCallOutput {
                call_id: "call_1".into(),
                output: "a.txt".into(),
            },
        ],
        tools: vec![
            json!({"type": "function", "name": "shell", "strict": false, "parameters": {"type": "object"}}),
        ],
        parallel_tool_calls: true,
        reasoning: Some(Reasoning {
            effort: Some(ReasoningEffort::High),
            summary: Some(ReasoningSummary::Auto),
        }),
        prompt_cache_key: Some("conv-9".into()),
        ..Prompt::default()
    };
    events(&client, &prompt).await;
    let request = server.single_request();
    let body = request.body_json();
    assert_eq!(body["model"], "mock-model");
    assert_eq!(body["instructions"], "base instructions");
    assert_eq!(body["tool_choice"], "auto");
    assert_eq!(body["parallel_tool_calls"], true);
    assert_eq!(body["store"], false);
    assert_eq!(body["stream"], true);
    assert_eq!(
        body["reasoning"],
        json!({"effort": "high", "summary": "auto"})
    );
    assert_eq!(body["include"], json!(["reasoning.encrypted_content"]));
    assert_eq!(body["prompt_cache_key"], "conv-9");
    assert_eq!(body["tools"][0]["name"], "shell");
    assert!(body.get("text").is_none());
    // Server ids are never sent back.
    assert_eq!(
        request.inputs_of_type("function_call"),
        vec![
            json!({"type": "function_call", "name": "shell", "arguments": "{\"command\":[\"ls\"]}", "call_id": "call_1"})
        ]
    );
    assert_eq!(
        request.function_call_output_text("call_1").as_deref(),
        Some("a.txt")
    );
    assert_eq!(
        request.message_input_texts("user"),
        vec!["run ls".to_owned()]
    );
}

#[tokio::test]
async fn the_mock_flags_an_output_without_its_call() {
    let server = MockServer::start();
    server.push(MockResponse::sse_body(sse_assistant_turn("r", "ok")));
    let client = client(&server, WireApi::Responses);
    let mut prompt = prompt("hi");
    prompt.input.push(ResponseItem::FunctionCallOutput {
        call_id: "orphan".into(),
        output: "?".into(),
    });
    events(&client, &prompt).await;
    let problems = server.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("orphan"), "{problems:?}");
    // Dropping a server with problems panics, which is what fails a careless test.
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(server)));
    assert!(dropped.is_err());
}

#[test]
fn a_missing_env_key_names_the_variable_and_the_fix() {
    let server = MockServer::start();
    let mut provider = provider(&server, WireApi::Responses);
    provider.env_key = Some("CODEX_TEST_SURELY_UNSET_KEY".into());
    provider.env_key_instructions = Some("Get one from your provider's dashboard.".into());
    let e = ModelClient::new(config_for(provider)).unwrap_err();
    assert!(
        matches!(&e, ClientError::EnvVar { var, .. } if var == "CODEX_TEST_SURELY_UNSET_KEY"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "missing environment variable `CODEX_TEST_SURELY_UNSET_KEY`. Get one from your provider's dashboard."
    );
}

#[test]
fn bad_provider_settings_are_named() {
    let server = MockServer::start();
    let mut provider = provider(&server, WireApi::Responses);
    provider.base_url = Some("not a url".into());
    let e = ModelClient::new(config_for(provider)).unwrap_err();
    assert!(e.to_string().contains("base_url `not a url`"), "{e}");
    assert!(e.to_string().contains("model provider `mock`"), "{e}");

    let mut provider = super::common::provider(&server, WireApi::Responses);
    provider.http_headers = Some(BTreeMap::from([("bad header".into(), "v".into())]));
    let e = ModelClient::new(config_for(provider)).unwrap_err();
    assert!(e.to_string().contains("http_headers: `bad header`"), "{e}");
}
