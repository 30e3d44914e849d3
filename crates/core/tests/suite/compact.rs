//! `Op::Compact`: the model summarises the conversation, and later requests carry the summary
//! (and what the user typed) instead of the old transcript; the session file records it.

use std::time::Duration;

use codex_config::ConfigOverrides;
use codex_core::Conversation;
use codex_protocol::SandboxMode;
use codex_protocol::protocol::{EventMsg, Op};
use codex_test_support::responses::{ev_assistant_message, ev_completed};
use codex_test_support::{MockResponse, MockServer, MockWire, TestHome, mock_provider_config};

use super::harness::{start_conversation, user_text};

/// Events until the task ends.
async fn until_complete(conversation: &Conversation) -> Vec<EventMsg> {
    let mut seen = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), conversation.next_event())
            .await
            .unwrap()
            .unwrap();
        let done = matches!(event.msg, EventMsg::TaskComplete { .. });
        assert!(
            !matches!(event.msg, EventMsg::Error { .. }),
            "{:?}",
            event.msg
        );
        seen.push(event.msg);
        if done {
            return seen;
        }
    }
}

#[tokio::test]
async fn compaction_replaces_the_transcript_with_the_summary() {
    let server = MockServer::start();
    let home = TestHome::new();
    home.write_config(&mock_provider_config(&server, MockWire::Responses));
    let workspace = tempfile::tempdir().unwrap();
    for (id, text) in [
        ("r1", "the long first answer"),
        ("r2", "SUMMARY: the user asked a first question"),
        ("r3", "after compaction"),
    ] {
        server.push(MockResponse::sse(&[
            ev_assistant_message("m", text),
            ev_completed(id),
        ]));
    }
    let conversation = start_conversation(ConfigOverrides {
        codex_home: Some(home.path().to_owned()),
        cwd: Some(workspace.path().to_owned()),
        // No command runs here; the sandbox helper need not be built.
        sandbox_mode: Some(SandboxMode::DangerFullAccess),
        ..ConfigOverrides::default()
    });
    conversation
        .submit(user_text("first question"))
        .await
        .unwrap();
    until_complete(&conversation).await;
    conversation.submit(Op::Compact).await.unwrap();
    let events = until_complete(&conversation).await;
    assert!(events.iter().any(|e| matches!(e,
        EventMsg::AgentMessage { message } if message.starts_with("SUMMARY:"))));
    assert!(events.iter().any(|e| matches!(e,
        EventMsg::BackgroundEvent { message } if message.starts_with("Compacted the conversation"))));
    conversation
        .submit(user_text("next question"))
        .await
        .unwrap();
    until_complete(&conversation).await;

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let compact = &requests[1];
    let asked = compact.message_input_texts("user");
    assert!(
        asked.last().unwrap().contains("summary"),
        "the summarisation request goes last: {asked:?}"
    );
    assert!(
        compact.body_json()["tools"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "no tools while summarising"
    );
    let after = &requests[2];
    let user = after.message_input_texts("user");
    assert!(user.iter().any(|t| t == "first question"), "{user:?}");
    assert!(
        user.iter()
            .any(|t| t.contains("compacted") && t.contains("SUMMARY: the user asked")),
        "{user:?}"
    );
    assert_eq!(user.last().map(String::as_str), Some("next question"));
    let assistant = after.message_input_texts("assistant");
    assert!(
        !assistant.iter().any(|t| t.contains("long first answer")),
        "the old transcript is gone: {assistant:?}"
    );

    conversation.submit(Op::Shutdown).await.unwrap();
    let rollout = walk_jsonl(&home.path().join("sessions"));
    let text = std::fs::read_to_string(&rollout[0]).unwrap();
    assert!(text.contains("\"type\":\"compacted\""), "{text}");
}

fn walk_jsonl(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk_jsonl(&path));
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            found.push(path);
        }
    }
    found
}
