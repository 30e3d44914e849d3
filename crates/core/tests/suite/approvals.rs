//! The approval x sandbox decision table, cell by cell, with a front end that answers
//! approval requests. What is observed is real: whether the command ran (a marker file
//! outside every writable root), whether it was confined, and whether the user was asked.

use std::path::Path;

use codex_config::ConfigOverrides;
use codex_protocol::protocol::{EventMsg, Op};
use codex_protocol::{AskForApproval, ReviewDecision, SandboxMode};
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use codex_test_support::{MockResponse, MockServer, TestHome};
use serde_json::json;

use super::harness::{start_conversation, user_text};

/// What the front end saw and did.
#[derive(Debug, Default)]
struct Outcome {
    /// Reasons of the approval requests, in order.
    asked: Vec<Option<String>>,
    /// What the model was told.
    output: String,
}

struct Cell {
    approval: AskForApproval,
    sandbox: SandboxMode,
    /// The decision given to every approval request.
    answer: ReviewDecision,
}

/// A directory outside every writable root (not under /tmp, not the workspace).
fn outside() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

async fn run(cell: &Cell, command: serde_json::Value) -> Outcome {
    let workspace = tempfile::tempdir().unwrap();
    run_in(cell, command, workspace.path()).await
}

async fn run_in(cell: &Cell, command: serde_json::Value, workspace: &Path) -> Outcome {
    let server = MockServer::start();
    let home = TestHome::sandboxed_for_mock(&server);
    server.push(MockResponse::sse(&[
        ev_function_call("c1", "shell", &command.to_string()),
        ev_completed("r1"),
    ]));
    server.push(MockResponse::sse(&[
        ev_assistant_message("m", "done"),
        ev_completed("r2"),
    ]));
    let conversation = start_conversation(ConfigOverrides {
        codex_home: Some(home.path().to_owned()),
        cwd: Some(workspace.to_owned()),
        approval_policy: Some(cell.approval),
        sandbox_mode: Some(cell.sandbox),
        ..ConfigOverrides::default()
    });
    conversation.submit(user_text("go")).await.unwrap();
    let mut outcome = Outcome::default();
    loop {
        let event = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            conversation.next_event(),
        )
        .await
        .unwrap()
        .unwrap();
        match event.msg {
            EventMsg::ExecApprovalRequest(request) => {
                outcome.asked.push(request.reason);
                conversation
                    .submit(Op::ExecApproval {
                        id: request.call_id,
                        decision: cell.answer,
                    })
                    .await
                    .unwrap();
            }
            EventMsg::ApplyPatchApprovalRequest(request) => {
                outcome.asked.push(Some("patch".to_owned()));
                conversation
                    .submit(Op::PatchApproval {
                        id: request.call_id,
                        decision: cell.answer,
                    })
                    .await
                    .unwrap();
            }
            EventMsg::TaskComplete { .. } | EventMsg::Error { .. } => break,
            _ => {}
        }
    }
    conversation.submit(Op::Shutdown).await.unwrap();
    outcome.output = server.requests()[1]
        .function_call_output_text("c1")
        .unwrap();
    assert!(server.problems().is_empty(), "{:?}", server.problems());
    outcome
}

fn touch(marker: &Path) -> serde_json::Value {
    json!({"command": ["bash", "-lc", format!("touch {}", marker.display())]})
}

const fn cell(approval: AskForApproval, sandbox: SandboxMode, answer: ReviewDecision) -> Cell {
    Cell {
        approval,
        sandbox,
        answer,
    }
}

use AskForApproval::{Never, OnFailure, OnRequest, UnlessTrusted};
use ReviewDecision::{Approved, Denied};
use SandboxMode::{DangerFullAccess, ReadOnly, WorkspaceWrite};

#[tokio::test]
async fn untrusted_asks_and_an_approved_command_stays_sandboxed_until_a_retry_is_approved() {
    // Approving a command approves running it, not leaving the sandbox: the write outside
    // fails first, and only the explicit retry-without-sandbox question lets it out.
    for (sandbox, questions) in [(ReadOnly, 2), (WorkspaceWrite, 2), (DangerFullAccess, 1)] {
        let dir = outside();
        let marker = dir.path().join("m");
        let outcome = run(&cell(UnlessTrusted, sandbox, Approved), touch(&marker)).await;
        assert_eq!(outcome.asked.len(), questions, "{sandbox}: {outcome:?}");
        if questions == 2 {
            assert!(
                outcome.asked[1]
                    .as_deref()
                    .unwrap_or_default()
                    .contains("sandbox"),
                "{outcome:?}"
            );
        }
        assert!(
            marker.exists(),
            "{sandbox}: approved command did not run: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn known_safe_commands_run_in_the_sandbox() {
    // Regression (issue 12, cause 1): `cat` is known-safe, so it is not asked about, but it
    // runs confined: a deny_read file stays unreadable and /proc shows only the sandbox.
    for approval in [UnlessTrusted, OnRequest, Never] {
        let outcome = run(
            &cell(approval, WorkspaceWrite, Denied),
            json!({"command": ["cat", "/proc/self/status"]}),
        )
        .await;
        assert!(outcome.asked.is_empty(), "{outcome:?}");
        assert!(
            outcome.output.contains("NoNewPrivs:\\t1") && outcome.output.contains("Seccomp:\\t2"),
            "{approval}: a known-safe command ran unconfined: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn untrusted_denied_does_not_run() {
    let dir = outside();
    let marker = dir.path().join("m");
    let outcome = run(&cell(UnlessTrusted, WorkspaceWrite, Denied), touch(&marker)).await;
    assert_eq!(outcome.asked.len(), 1);
    assert!(!marker.exists());
    assert!(outcome.output.contains("rejected by user"), "{outcome:?}");
}

#[tokio::test]
async fn untrusted_does_not_ask_for_known_safe_commands() {
    let outcome = run(
        &cell(UnlessTrusted, ReadOnly, Denied),
        json!({"command": ["ls", "-a"]}),
    )
    .await;
    assert!(outcome.asked.is_empty(), "{outcome:?}");
    assert!(outcome.output.contains("\"exit_code\":0"), "{outcome:?}");
}

#[tokio::test]
async fn on_failure_runs_sandboxed_then_offers_a_retry_without_sandbox() {
    let dir = outside();
    let marker = dir.path().join("m");
    let outcome = run(&cell(OnFailure, ReadOnly, Approved), touch(&marker)).await;
    assert_eq!(outcome.asked.len(), 1, "{outcome:?}");
    assert!(
        outcome.asked[0]
            .as_deref()
            .unwrap_or_default()
            .contains("sandbox"),
        "{outcome:?}"
    );
    assert!(
        marker.exists(),
        "the approved retry did not run: {outcome:?}"
    );

    let dir = outside();
    let marker = dir.path().join("m");
    let outcome = run(&cell(OnFailure, ReadOnly, Denied), touch(&marker)).await;
    assert_eq!(outcome.asked.len(), 1);
    assert!(!marker.exists(), "the sandbox let the write through");
}

#[tokio::test]
async fn on_request_and_never_keep_the_sandbox_and_do_not_ask() {
    for approval in [OnRequest, Never] {
        for sandbox in [ReadOnly, WorkspaceWrite] {
            let dir = outside();
            let marker = dir.path().join("m");
            let outcome = run(&cell(approval, sandbox, Approved), touch(&marker)).await;
            assert!(
                outcome.asked.is_empty(),
                "{approval} {sandbox}: {outcome:?}"
            );
            assert!(
                !marker.exists(),
                "{approval} {sandbox}: wrote outside the sandbox"
            );
            assert!(!outcome.output.contains("\"exit_code\":0"), "{outcome:?}");
        }
    }
}

#[tokio::test]
async fn danger_full_access_runs_without_asking() {
    for approval in [OnFailure, OnRequest, Never] {
        let dir = outside();
        let marker = dir.path().join("m");
        let outcome = run(&cell(approval, DangerFullAccess, Denied), touch(&marker)).await;
        assert!(outcome.asked.is_empty(), "{approval}: {outcome:?}");
        assert!(marker.exists(), "{approval}: {outcome:?}");
    }
}

#[tokio::test]
async fn on_request_asks_for_escalation_and_runs_it_unconfined() {
    let dir = outside();
    let marker = dir.path().join("m");
    let mut command = touch(&marker);
    command["with_escalated_permissions"] = json!(true);
    command["justification"] = json!("needs to write the marker");
    let outcome = run(&cell(OnRequest, ReadOnly, Approved), command).await;
    assert_eq!(
        outcome.asked,
        vec![Some("needs to write the marker".to_owned())]
    );
    assert!(marker.exists(), "{outcome:?}");
}

#[tokio::test]
async fn dangerous_commands_are_asked_about_even_without_a_sandbox() {
    let workspace_victim = outside();
    let victim = workspace_victim.path().join("precious");
    std::fs::create_dir(&victim).unwrap();
    let outcome = run(
        &cell(OnRequest, DangerFullAccess, Denied),
        json!({"command": ["rm", "-rf", victim]}),
    )
    .await;
    assert_eq!(outcome.asked.len(), 1, "{outcome:?}");
    assert!(victim.exists());
}

#[tokio::test]
async fn a_patch_through_a_dangling_symlink_is_judged_at_its_target() {
    // Regression (issue 12, cause 2): the link's own path is inside the workspace, its
    // target outside; the patch used to be auto-approved and written through the link. Under
    // on-failure a patch outside the roots was auto-approved too.
    for (approval, asked) in [(Never, 0), (OnRequest, 1), (OnFailure, 1)] {
        let workspace = tempfile::tempdir().unwrap();
        let dir = outside();
        let target = dir.path().join("planted");
        std::os::unix::fs::symlink(&target, workspace.path().join("notes.txt")).unwrap();
        let patch = "*** Begin Patch\n*** Add File: notes.txt\n+pwned\n*** End Patch\n";
        let outcome = run_in(
            &cell(approval, WorkspaceWrite, Denied),
            json!({"command": ["apply_patch", patch]}),
            workspace.path(),
        )
        .await;
        assert_eq!(outcome.asked.len(), asked, "{approval}: {outcome:?}");
        assert!(
            !target.exists(),
            "{approval}: the patch was written outside"
        );
        assert!(outcome.output.contains("rejected"), "{outcome:?}");
    }
    // Control: the same patch on a plain path in the workspace applies without a question.
    let workspace = tempfile::tempdir().unwrap();
    let patch = "*** Begin Patch\n*** Add File: notes.txt\n+fine\n*** End Patch\n";
    let outcome = run_in(
        &cell(OnRequest, WorkspaceWrite, Denied),
        json!({"command": ["apply_patch", patch]}),
        workspace.path(),
    )
    .await;
    assert!(outcome.asked.is_empty(), "{outcome:?}");
    assert_eq!(
        std::fs::read_to_string(workspace.path().join("notes.txt")).unwrap(),
        "fine\n"
    );
}
