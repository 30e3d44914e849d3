//! Recording exchanges and replaying them with no network, byte for byte.

use codex_model_client::{BearerSource, ClientError, ModelClient, REPLAY_SCHEME, ResponseEvent};
use codex_protocol::{ResponseItem, WireApi};
use codex_test_support::responses::*;
use codex_test_support::{MockResponse, MockServer, chat};
use futures::StreamExt;
use pretty_assertions::assert_eq;

use super::common::*;

/// Runs a two-turn session and returns every item of every stream, rendered for comparison.
async fn session(client: &ModelClient) -> Vec<String> {
    let mut out = Vec::new();
    let mut prompt = prompt("list the files");
    for turn in 0..2 {
        match client.stream(&prompt).await {
            Ok(stream) => {
                let items: Vec<_> = stream.collect().await;
                for item in &items {
                    if let Ok(ResponseEvent::OutputItemDone(item)) = item {
                        prompt.input.push(item.clone());
                        if let ResponseItem::FunctionCall { call_id, .. } = item {
                            prompt.input.push(ResponseItem::FunctionCallOutput {
                                call_id: call_id.clone(),
                                output: "a.txt\nb.txt".into(),
                            });
                        }
                    }
                }
                out.extend(items.iter().map(|i| format!("{turn}: {i:?}")));
            }
            Err(e) => out.push(format!("{turn}: request error {e:?}")),
        }
    }
    out
}

#[tokio::test]
async fn a_recorded_session_replays_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.jsonl");
    let second = dir.path().join("second.jsonl");

    let server = MockServer::start();
    server.push(MockResponse::server_error());
    server.push(
        MockResponse::sse_body(format!(
            "data: not json, kept verbatim\n\n{}",
            sse(&[
                ev_response_created("r1"),
                ev_reasoning_summary_text_delta("Looking"),
                ev_reasoning_item("rs1", &["Looking"], &[]),
                ev_function_call("call_1", "shell", r#"{"command":["ls"]}"#),
                ev_completed_with_usage("r1", 50, 10, 5, 2),
            ])
        ))
        .with_header("x-codex-primary-used-percent", "3"),
    );
    server.push(MockResponse::sse(&[
        ev_response_created("r2"),
        ev_output_text_delta("Two "),
        ev_output_text_delta("files: \"a.txt\" and b.txt ✓"),
        ev_assistant_message("m2", "Two files: \"a.txt\" and b.txt ✓"),
        ev_completed("r2"),
    ]));
    let mut provider = provider(&server, WireApi::Responses);
    provider.request_max_retries = Some(1);
    let mut cfg = config_for(provider.clone());
    cfg.bearer = BearerSource::Static("sk-very-secret".into());
    cfg.conversation_id = Some("conv-1".into());
    cfg.record = Some(first.clone());
    let live = session(&ModelClient::new(cfg.clone()).unwrap()).await;
    assert_eq!(server.request_count(), 3);
    server.assert_all_used();

    let recorded = std::fs::read_to_string(&first).unwrap();
    assert_eq!(recorded.lines().count(), 3, "{recorded}");
    assert!(
        !recorded.contains("sk-very-secret"),
        "the key leaked: {recorded}"
    );
    assert!(recorded.contains("<redacted>"));

    // Replay with no server at all, recording again.
    provider.base_url = Some(format!("{REPLAY_SCHEME}{}", first.display()));
    cfg.provider = provider;
    cfg.record = Some(second.clone());
    let replayed = session(&ModelClient::new(cfg.clone()).unwrap()).await;
    assert_eq!(
        server.request_count(),
        3,
        "a replay must not touch the network"
    );

    assert_eq!(replayed, live);
    assert_eq!(
        std::fs::read(&second).unwrap(),
        std::fs::read(&first).unwrap()
    );

    // One request more than recorded: a clear error.
    cfg.record = None;
    let client = ModelClient::new(cfg).unwrap();
    let _ = session(&client).await;
    let e = client.stream(&prompt("again")).await.unwrap_err();
    assert!(
        matches!(&e, ClientError::Replay { message, .. } if message.contains("all 3 recorded exchanges")),
        "{e:?}"
    );
}

#[tokio::test]
async fn chat_sessions_and_broken_streams_replay_too() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("chat.jsonl");
    let second = dir.path().join("chat2.jsonl");
    let server = MockServer::start();
    server.push(MockResponse::sse_body(chat::chat_tool_call_response(
        "call_9",
        "shell",
        r#"{"command":["ls"]}"#,
    )));
    server.push(MockResponse::sse_then_disconnect(&[ev_response_created(
        "x",
    )]));
    let mut cfg = config(&server, WireApi::Chat);
    cfg.record = Some(first.clone());
    let live = session(&ModelClient::new(cfg.clone()).unwrap()).await;
    assert!(live.last().unwrap().contains("Stream"), "{live:?}");

    let mut provider = cfg.provider.clone();
    provider.base_url = Some(format!("{REPLAY_SCHEME}{}", first.display()));
    cfg.provider = provider;
    cfg.record = Some(second.clone());
    let replayed = session(&ModelClient::new(cfg).unwrap()).await;
    // The replayed stream error keeps its message and retryability, not its type.
    let normalise = |lines: Vec<String>| -> Vec<String> {
        lines
            .into_iter()
            .map(|l| {
                if l.contains("Err(") {
                    "error".to_owned()
                } else {
                    l
                }
            })
            .collect()
    };
    assert_eq!(normalise(replayed), normalise(live));
    assert_eq!(
        std::fs::read(&second).unwrap(),
        std::fs::read(&first).unwrap()
    );
}

#[test]
fn a_missing_replay_file_is_named() {
    let server = MockServer::start();
    let mut provider = provider(&server, WireApi::Responses);
    provider.base_url = Some(format!("{REPLAY_SCHEME}/nonexistent/session.jsonl"));
    let e = ModelClient::new(config_for(provider)).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/session.jsonl"), "{e}");
}
