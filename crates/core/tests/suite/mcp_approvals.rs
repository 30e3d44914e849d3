//! MCP tool calls go through the approval policy: with `untrusted` the front end is asked
//! first, a denial reaches the model, and "approved for session" is not asked again.

use codex_config::ConfigOverrides;
use codex_protocol::protocol::{EventMsg, Op};
use codex_protocol::{AskForApproval, ReviewDecision};
use codex_test_support::mcp::write_mcp_test_server;
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use codex_test_support::{MockResponse, MockServer, TestHome};
use serde_json::json;

use super::harness::{start_conversation, user_text};

/// Runs one turn in which the model calls `mcp__py__add` twice; returns how many times the
/// front end was asked and what the model was told for each call.
async fn run(approval: AskForApproval, answer: ReviewDecision) -> (usize, Vec<String>) {
    let server = MockServer::start();
    let home = TestHome::sandboxed_for_mock(&server);
    let scripts = tempfile::tempdir().unwrap();
    let script = write_mcp_test_server(scripts.path());
    home.append_config(&format!(
        "\n[mcp_servers.py]\ncommand = \"python3\"\nargs = [\"{}\"]\nsandbox = \"danger-full-access\"\nstartup_timeout_sec = 30\n",
        script.display()
    ));
    let args = json!({"a": 1, "b": 2}).to_string();
    server.push(MockResponse::sse(&[
        ev_function_call("c1", "mcp__py__add", &args),
        ev_function_call("c2", "mcp__py__add", &args),
        ev_completed("r1"),
    ]));
    server.push(MockResponse::sse(&[
        ev_assistant_message("m", "done"),
        ev_completed("r2"),
    ]));
    let workspace = tempfile::tempdir().unwrap();
    let conversation = start_conversation(ConfigOverrides {
        codex_home: Some(home.path().to_owned()),
        cwd: Some(workspace.path().to_owned()),
        approval_policy: Some(approval),
        ..ConfigOverrides::default()
    });
    conversation.submit(user_text("add")).await.unwrap();
    let mut asked = 0;
    loop {
        let event = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            conversation.next_event(),
        )
        .await
        .unwrap()
        .unwrap();
        match event.msg {
            EventMsg::ExecApprovalRequest(request) => {
                asked += 1;
                assert_eq!(request.command[0], "mcp:py/add");
                conversation
                    .submit(Op::ExecApproval {
                        id: request.call_id,
                        decision: answer,
                    })
                    .await
                    .unwrap();
            }
            EventMsg::TaskComplete { .. } | EventMsg::Error { .. } => break,
            _ => {}
        }
    }
    conversation.submit(Op::Shutdown).await.unwrap();
    let second = &server.requests()[1];
    let outputs = ["c1", "c2"]
        .iter()
        .map(|id| second.function_call_output_text(id).unwrap())
        .collect();
    (asked, outputs)
}

#[tokio::test(flavor = "multi_thread")]
async fn untrusted_asks_and_a_denial_reaches_the_model() {
    let (asked, outputs) = run(AskForApproval::UnlessTrusted, ReviewDecision::Denied).await;
    assert_eq!(asked, 2);
    assert_eq!(
        outputs,
        ["the user rejected the call of MCP tool `py/add`"; 2]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn approved_for_session_is_asked_once() {
    let (asked, outputs) = run(
        AskForApproval::UnlessTrusted,
        ReviewDecision::ApprovedForSession,
    )
    .await;
    assert_eq!(asked, 1);
    assert_eq!(outputs, [r#"{"result":3}"#; 2]);
}

#[tokio::test(flavor = "multi_thread")]
async fn other_policies_do_not_ask() {
    let (asked, outputs) = run(AskForApproval::OnRequest, ReviewDecision::Denied).await;
    assert_eq!(asked, 0);
    assert_eq!(outputs, [r#"{"result":3}"#; 2]);
}
