//! `--json`: Codex's JSON lines, snapshotted with ids and timings filtered.

use codex_test_support::MockResponse;
use codex_test_support::responses::{
    ev_apply_patch_function_call, ev_assistant_message, ev_completed, ev_completed_with_usage,
    ev_function_call, ev_reasoning_item,
};
use serde_json::{Value, json};

use super::harness::Env;

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn tool_turn_json_lines() {
    let env = Env::new();
    let plan = json!({"plan": [{"step": "look", "status": "in_progress"}, {"step": "write", "status": "pending"}]});
    env.server.push(MockResponse::sse(&[
        ev_reasoning_item("rs1", &["Planning the work"], &[]),
        ev_function_call("c0", "update_plan", &plan.to_string()),
        ev_function_call(
            "c1",
            "shell",
            &json!({"command": ["echo", "hi"]}).to_string(),
        ),
        ev_apply_patch_function_call(
            "c2",
            "*** Begin Patch\n*** Add File: note.txt\n+hello\n*** End Patch",
        ),
        ev_completed_with_usage("r1", 100, 20, 10, 0),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "all done"),
        ev_completed_with_usage("r2", 50, 0, 5, 0),
    ]));
    let out = env
        .exec()
        .args(["--json", "-s", "workspace-write", "do it"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let lines = json_lines(&out.stdout);
    assert_eq!(lines[0]["type"], "thread.started");
    assert_eq!(lines[0]["schema_version"], 1);
    let thread_id = lines[0]["thread_id"].as_str().unwrap().to_owned();
    let workspace = env.ws().display().to_string();
    let raw = String::from_utf8(out.stdout).unwrap();
    insta::with_settings!({filters => vec![(thread_id.as_str(), "[THREAD_ID]"), (workspace.as_str(), "[WORKSPACE]")]}, {
        insta::assert_snapshot!(raw);
    });
}

#[test]
fn failed_turn_json_lines() {
    let env = Env::new();
    env.server.push(MockResponse::api_error(
        400,
        "invalid_request_error",
        "bad tool schema",
    ));
    let out = env.exec().args(["--json", "hi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    let last = lines.last().unwrap();
    assert_eq!(last["type"], "turn.failed");
    assert!(
        last["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bad tool schema"),
        "{last}"
    );
    // Codex reports the error on its own line first, with the same message.
    let before = &lines[lines.len() - 2];
    assert_eq!(before["type"], "error", "{before}");
    assert_eq!(before["message"], last["error"]["message"]);
}

#[test]
fn resume_last_sends_the_earlier_history() {
    let env = Env::new();
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m1", "first answer"),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "second answer"),
        ev_completed("r2"),
    ]));
    let first = env
        .exec()
        .args(["--json", "first question"])
        .output()
        .unwrap();
    assert!(first.status.success(), "{first:?}");
    let thread = json_lines(&first.stdout)[0]["thread_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = env
        .exec()
        .args(["--json", "resume", "--last", "second question"])
        .output()
        .unwrap();
    assert!(second.status.success(), "{second:?}");
    assert_eq!(
        json_lines(&second.stdout)[0]["thread_id"],
        thread,
        "resume keeps the thread id"
    );
    let request = &env.server.requests()[1];
    let users = request.message_input_texts("user");
    assert!(users.contains(&"first question".to_owned()), "{users:?}");
    assert_eq!(users.last().map(String::as_str), Some("second question"));
    assert!(
        request
            .message_input_texts("assistant")
            .contains(&"first answer".to_owned())
    );
    // Both turns are in one file.
    let sessions = env.exec().args(["sessions", "--json"]).output().unwrap();
    let listed = json_lines(&sessions.stdout);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], thread);
    // By id prefix too.
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m3", "third"),
        ev_completed("r3"),
    ]));
    env.exec()
        .args(["resume", &thread[..13], "third question"])
        .assert()
        .success()
        .stdout("third\n");
    let users = env.server.requests()[2].message_input_texts("user");
    assert!(users.contains(&"second question".to_owned()), "{users:?}");
}

#[test]
fn human_output_of_a_tool_turn() {
    use codex_test_support::responses::ev_reasoning_item;
    let env = Env::new();
    env.server.push(MockResponse::sse(&[
        ev_reasoning_item("rs1", &["Checking the greeting"], &[]),
        ev_function_call(
            "c1",
            "shell",
            &json!({"command": ["echo", "hi"]}).to_string(),
        ),
        ev_completed_with_usage("r1", 100, 0, 10, 0),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "It says hi."),
        ev_completed_with_usage("r2", 120, 0, 5, 0),
    ]));
    let out = env
        .exec()
        .args(["-s", "workspace-write", "what does echo say?"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, b"It says hi.\n");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let workspace = env.ws().display().to_string();
    insta::with_settings!({filters => vec![
        (workspace.as_str(), "[WORKSPACE]"),
        (r"session id: [0-9a-f-]{36}", "session id: [ID]"),
        (r"codex-exec \d+\.\d+\.\d+", "codex-exec [VERSION]"),
        (r"in \d+ms", "in [N]ms"),
    ]}, {
        insta::assert_snapshot!(stderr);
    });
}
