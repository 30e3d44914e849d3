//! What a front end's `/limits` shows: usage against the limits, read from the conversation
//! while it runs, and the token cap stopping the next request.

use std::time::Duration;

use codex_config::ConfigOverrides;
use codex_protocol::SandboxMode;
use codex_protocol::protocol::{EventMsg, LimitCode};
use codex_test_support::responses::{ev_assistant_message, ev_completed_with_usage};
use codex_test_support::{MockResponse, MockServer, MockWire, TestHome, mock_provider_config};

use super::harness::{start_conversation, user_text};

#[tokio::test]
async fn limits_status_reports_usage_and_the_cap_stops_the_next_turn() {
    let server = MockServer::start();
    let home = TestHome::new();
    home.write_config(&format!(
        "{}\n[limits]\nmax_tokens = 150\nmax_turns = 7\n[limits.prices]\ninput = 2.0\noutput = 8.0\n",
        mock_provider_config(&server, MockWire::Responses)
    ));
    let workspace = tempfile::tempdir().unwrap();
    server.push(MockResponse::sse(&[
        ev_assistant_message("m", "first"),
        ev_completed_with_usage("r1", 100, 0, 60, 0),
    ]));
    let conversation = start_conversation(ConfigOverrides {
        codex_home: Some(home.path().to_owned()),
        cwd: Some(workspace.path().to_owned()),
        sandbox_mode: Some(SandboxMode::DangerFullAccess),
        ..ConfigOverrides::default()
    });
    let before = conversation.limits_status().unwrap();
    assert_eq!(before.tokens_used, 0);
    assert_eq!(before.max_tokens, Some(150));
    assert_eq!(before.max_turns, 7);

    let next = |conversation: std::sync::Arc<codex_core::Conversation>| async move {
        loop {
            let event = tokio::time::timeout(Duration::from_secs(20), conversation.next_event())
                .await
                .unwrap()
                .unwrap();
            match event.msg {
                EventMsg::TaskComplete { .. } => return None,
                EventMsg::Error { code, .. } => return code,
                _ => {}
            }
        }
    };
    conversation.submit(user_text("one")).await.unwrap();
    assert_eq!(next(conversation.clone()).await, None);
    let after = conversation.limits_status().unwrap();
    assert_eq!(after.turn_requests, 1);
    assert_eq!(after.tokens_used, 160);
    assert_eq!(after.usage.output_tokens, 60);
    // 100 input at $2 and 60 output at $8 per million.
    let spent = after.spent_usd.unwrap();
    assert!((spent - 0.00068).abs() < 1e-12, "{spent}");

    // 160 >= 150: the next turn sends nothing and says why.
    conversation.submit(user_text("two")).await.unwrap();
    assert_eq!(
        next(conversation.clone()).await,
        Some(LimitCode::BudgetExceeded)
    );
    assert_eq!(server.request_count(), 1);
    // Nor does compacting: the summary is a model request too.
    conversation
        .submit(codex_protocol::protocol::Op::Compact)
        .await
        .unwrap();
    assert_eq!(
        next(conversation.clone()).await,
        Some(LimitCode::BudgetExceeded)
    );
    assert_eq!(server.request_count(), 1);
}
