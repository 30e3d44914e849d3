//! Interrupting a turn while a command runs: the command dies, the turn ends at once, and the
//! call still gets an output, so the next request is well-formed.

use std::time::{Duration, Instant};

use codex_config::ConfigOverrides;
use codex_protocol::SandboxMode;
use codex_protocol::protocol::{EventMsg, Op};
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use codex_test_support::{MockResponse, MockServer, MockWire, TestHome, mock_provider_config};
use serde_json::json;

use super::harness::{start_conversation, user_text};

#[tokio::test]
async fn an_interrupted_command_still_answers_its_call() {
    let server = MockServer::start();
    let home = TestHome::new();
    home.write_config(&mock_provider_config(&server, MockWire::Responses));
    let workspace = tempfile::tempdir().unwrap();
    let sleep = json!({"command": ["sleep", "30"], "timeout_ms": 60_000}).to_string();
    server.push(MockResponse::sse(&[
        ev_function_call("c1", "shell", &sleep),
        ev_completed("r1"),
    ]));
    server.push(MockResponse::sse(&[
        ev_assistant_message("m", "next"),
        ev_completed("r2"),
    ]));
    let conversation = start_conversation(ConfigOverrides {
        codex_home: Some(home.path().to_owned()),
        cwd: Some(workspace.path().to_owned()),
        sandbox_mode: Some(SandboxMode::DangerFullAccess),
        ..ConfigOverrides::default()
    });
    conversation.submit(user_text("sleep")).await.unwrap();

    let mut interrupted_at = None;
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), conversation.next_event())
            .await
            .unwrap()
            .unwrap();
        match event.msg {
            EventMsg::ExecCommandBegin(_) => {
                // Sent while the command runs: it waits for the next request, which never
                // comes in this turn.
                conversation
                    .submit(user_text("queued while it ran"))
                    .await
                    .unwrap();
                interrupted_at = Some(Instant::now());
                conversation.submit(Op::Interrupt).await.unwrap();
            }
            EventMsg::TurnAborted { .. } => break,
            EventMsg::TaskComplete { .. } | EventMsg::Error { .. } => {
                panic!("the turn was not interrupted: {event:?}")
            }
            _ => {}
        }
    }
    assert!(
        interrupted_at.unwrap().elapsed() < Duration::from_secs(5),
        "the command was not killed"
    );

    // The next turn's request carries the interrupted call's output.
    conversation.submit(user_text("carry on")).await.unwrap();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), conversation.next_event())
            .await
            .unwrap()
            .unwrap();
        if matches!(event.msg, EventMsg::TaskComplete { .. }) {
            break;
        }
    }
    let second = &server.requests()[1];
    let output = second
        .function_call_output_text("c1")
        .expect("the interrupted call has an output");
    assert!(output.contains("aborted"), "{output}");
    // And the model is told the turn was interrupted, after what was sent during it and
    // before the new prompt.
    let body = second.body_json().to_string();
    let at = |needle: &str| {
        body.find(needle)
            .unwrap_or_else(|| panic!("no {needle} in {body}"))
    };
    assert!(at("queued while it ran") < at("<turn_aborted>"), "{body}");
    assert!(at("<turn_aborted>") < at("carry on"), "{body}");
    assert_eq!(body.matches("queued while it ran").count(), 1, "{body}");
    assert!(server.problems().is_empty(), "{:?}", server.problems());
}
