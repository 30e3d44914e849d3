//! Exec approvals asked through `elicitation/create`, answered in Codex's shape and the MCP
//! spec's; the command runs only after a yes (a marker file shows it).

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use serde_json::{Value, json};

use super::harness::{Env, Raw, event_types};

/// The model asks to create `marker` in the workspace, then answers "done".
fn script_touch(env: &Env) {
    let args = json!({"command": ["bash", "-lc", "touch marker"]});
    env.server.push(MockResponse::sse(&[
        ev_function_call("call-1", "shell", &args.to_string()),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "done"),
        ev_completed("r2"),
    ]));
}

fn start_call(env: &Env, mcp: &mut Raw) {
    mcp.send(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "codex", "arguments": {"prompt": "make a marker", "approval-policy": "untrusted",
        "sandbox": "workspace-write", "cwd": env.ws()}}}),
    );
}

/// Waits for the elicitation, checks it, answers it with `reply`, returns the call's result.
fn answer_elicitation(env: &Env, mcp: &mut Raw, reply: &Value) -> (Value, Vec<Value>) {
    let (before, request) = mcp.until(|m| m["method"] == "elicitation/create");
    assert!(
        event_types(&before).contains(&"exec_approval_request".to_owned()),
        "{before:#?}"
    );
    let params = &request["params"];
    assert_eq!(params["codex_elicitation"], "exec-approval");
    assert_eq!(
        params["codex_command"],
        json!(["bash", "-lc", "touch marker"])
    );
    assert_eq!(params["codex_cwd"], env.ws().to_str().unwrap());
    assert_eq!(params["codex_call_id"], "call-1");
    assert_eq!(params["codex_mcp_tool_call_id"], "1");
    assert_eq!(params["requestedSchema"]["type"], "object");
    assert!(params["message"].as_str().unwrap().contains("touch marker"));
    assert!(!env.ws().join("marker").exists(), "ran before the answer");
    mcp.send(&json!({"jsonrpc": "2.0", "id": request["id"], "result": reply}));
    let (after, result) = mcp.response(&json!(1));
    (result, after)
}

#[test]
fn codex_shaped_approval_runs_the_command() {
    let env = Env::new();
    script_touch(&env);
    let mut mcp = env.raw();
    mcp.initialize(true);
    start_call(&env, &mut mcp);
    let (result, _) = answer_elicitation(&env, &mut mcp, &json!({"decision": "approved"}));
    assert_eq!(result["result"]["content"][0]["text"], "done", "{result:#}");
    assert!(env.ws().join("marker").exists());
}

#[test]
fn spec_shaped_accept_runs_the_command() {
    let env = Env::new();
    script_touch(&env);
    let mut mcp = env.raw();
    mcp.initialize(true);
    start_call(&env, &mut mcp);
    let (result, _) =
        answer_elicitation(&env, &mut mcp, &json!({"action": "accept", "content": {}}));
    assert_eq!(result["result"]["content"][0]["text"], "done", "{result:#}");
    assert!(env.ws().join("marker").exists());
}

#[test]
fn spec_shaped_decline_denies_and_the_model_is_told() {
    let env = Env::new();
    script_touch(&env);
    let mut mcp = env.raw();
    mcp.initialize(true);
    start_call(&env, &mut mcp);
    let (result, _) = answer_elicitation(&env, &mut mcp, &json!({"action": "decline"}));
    assert_eq!(result["result"]["content"][0]["text"], "done", "{result:#}");
    assert!(!env.ws().join("marker").exists());
    let output = env.server.requests()[1]
        .function_call_output_text("call-1")
        .unwrap();
    assert!(
        output.contains("reject") || output.contains("denied"),
        "{output}"
    );
}

#[test]
fn spec_shaped_cancel_aborts_the_turn() {
    let env = Env::new();
    script_touch(&env);
    let mut mcp = env.raw();
    mcp.initialize(true);
    start_call(&env, &mut mcp);
    let (result, after) = answer_elicitation(&env, &mut mcp, &json!({"action": "cancel"}));
    assert_eq!(result["result"]["isError"], true, "{result:#}");
    assert!(
        event_types(&after).contains(&"turn_aborted".to_owned()),
        "{after:#?}"
    );
    assert!(!env.ws().join("marker").exists());
}

#[test]
fn a_client_without_elicitation_gets_the_safe_default_said_in_the_result() {
    let env = Env::new();
    script_touch(&env);
    let mut mcp = env.raw();
    mcp.initialize(false);
    start_call(&env, &mut mcp);
    let (before, result) = mcp.response(&json!(1));
    assert!(before.iter().all(|m| m["method"] != "elicitation/create"));
    assert!(!env.ws().join("marker").exists());
    let texts: Vec<&str> = result["result"]["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["text"].as_str())
        .collect();
    assert_eq!(texts[0], "done");
    assert!(
        texts
            .iter()
            .any(|t| t.contains("does not support elicitation") && t.contains("touch marker")),
        "{texts:?}"
    );
}

#[test]
fn cancelling_a_call_interrupts_its_turn() {
    let env = Env::new();
    env.server.push(MockResponse::sse_then_hang(&[
        json!({"type": "response.created", "response": {"id": "r1"}}),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "still here"),
        ev_completed("r2"),
    ]));
    let mut mcp = env.raw();
    mcp.initialize(false);
    mcp.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "codex", "arguments": {"prompt": "take forever"}}}));
    let (_, configured) = mcp.until(|m| m["params"]["msg"]["type"] == "session_configured");
    let thread = configured["params"]["_meta"]["threadId"]
        .as_str()
        .unwrap()
        .to_owned();
    mcp.until(|m| m["params"]["msg"]["type"] == "task_started");
    env.server.wait_for_requests(1, super::harness::WAIT);
    mcp.send(
        &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 1, "reason": "user stopped it"}}),
    );
    let (before, aborted) = mcp.until(|m| m["params"]["msg"]["type"] == "turn_aborted");
    assert_eq!(aborted["params"]["msg"]["reason"], "interrupted");
    assert!(
        before.iter().all(|m| m["id"] != 1),
        "a cancelled call gets no response"
    );
    // The session is free again and goes on.
    let (_, reply) = mcp.call(
        2,
        "codex-reply",
        &json!({"threadId": thread, "prompt": "go on"}),
    );
    assert_eq!(
        reply["result"]["content"][0]["text"], "still here",
        "{reply:#}"
    );
}

#[test]
fn a_patch_approval_shows_the_changes_and_applies_after_yes() {
    let env = Env::new();
    let patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello from the patch\n*** End Patch\n";
    env.server.push(MockResponse::sse(&[
        codex_test_support::responses::ev_apply_patch_function_call("call-p", patch),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "patched"),
        ev_completed("r2"),
    ]));
    let mut mcp = env.raw();
    mcp.initialize(true);
    start_call(&env, &mut mcp);
    let (_, request) = mcp.until(|m| m["method"] == "elicitation/create");
    let params = &request["params"];
    assert_eq!(params["codex_elicitation"], "patch-approval", "{params:#}");
    assert_eq!(params["codex_call_id"], "call-p");
    let target = env.ws().join("hello.txt");
    assert_eq!(
        params["codex_changes"][target.to_str().unwrap()],
        json!({"add": {"content": "hello from the patch\n"}}),
        "the file's contents, in Codex's shape: {params:#}"
    );
    assert!(
        params["codex_patch"]
            .as_str()
            .unwrap()
            .contains("+hello from the patch")
    );
    assert!(!target.exists(), "applied before the answer");
    mcp.send(&json!({"jsonrpc": "2.0", "id": request["id"], "result": {"decision": "approved"}}));
    let (_, result) = mcp.response(&json!(1));
    assert_eq!(
        result["result"]["content"][0]["text"], "patched",
        "{result:#}"
    );
    assert_eq!(
        std::fs::read_to_string(target).unwrap(),
        "hello from the patch\n"
    );
}

#[test]
fn end_of_input_while_an_approval_waits_denies_it_answers_and_exits() {
    let env = Env::new();
    script_touch(&env);
    let mut mcp = env.raw();
    mcp.initialize(true);
    start_call(&env, &mut mcp);
    mcp.until(|m| m["method"] == "elicitation/create");
    mcp.close_input();
    let (_, result) = mcp.response(&json!(1));
    let texts = result["result"]["content"].to_string();
    assert!(texts.contains("closed its input"), "{result:#}");
    assert!(!env.ws().join("marker").exists());
    assert!(mcp.finish().success());
}
