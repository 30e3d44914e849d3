//! The `codex` and `codex-reply` tools end to end against the mock model.

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed};
use serde_json::{Value, json};

use super::harness::{Env, event_types};

fn answer(env: &Env, id: &str, text: &str) {
    env.server.push(MockResponse::sse(&[
        ev_assistant_message(&format!("m-{id}"), text),
        ev_completed(id),
    ]));
}

fn thread_id(result: &Value) -> String {
    result["result"]["structuredContent"]["threadId"]
        .as_str()
        .unwrap_or_else(|| panic!("no threadId in {result:#}"))
        .to_owned()
}

#[test]
fn a_codex_call_returns_the_answer_with_structured_content_after_its_events() {
    let env = Env::new();
    answer(&env, "r1", "four");
    let mut mcp = env.raw();
    mcp.initialize(false);
    let (before, result) = mcp.call(1, "codex", &json!({"prompt": "2+2?"}));

    let result_body = &result["result"];
    assert_eq!(result_body["isError"], false, "{result:#}");
    assert_eq!(result_body["content"][0]["text"], "four");
    assert_eq!(result_body["structuredContent"]["content"], "four");
    let thread = thread_id(&result);

    let types = event_types(&before);
    assert_eq!(
        types.first().map(String::as_str),
        Some("session_configured"),
        "{types:?}"
    );
    assert!(types.contains(&"task_started".to_owned()), "{types:?}");
    assert!(types.contains(&"agent_message".to_owned()), "{types:?}");
    assert_eq!(
        types.last().map(String::as_str),
        Some("task_complete"),
        "{types:?}"
    );
    for event in before.iter().filter(|m| m["method"] == "codex/event") {
        assert_eq!(event["params"]["_meta"]["requestId"], 1, "{event:#}");
        assert_eq!(
            event["params"]["_meta"]["threadId"],
            thread.as_str(),
            "{event:#}"
        );
    }
    assert_eq!(before[0]["params"]["msg"]["session_id"], thread.as_str());
    // The session is recorded where codex-reply (and `codex resume`) find it.
    let user_texts = env.server.single_request().message_input_texts("user");
    assert!(user_texts.iter().any(|t| t == "2+2?"), "{user_texts:?}");
    assert!(mcp.finish().success());
}

#[test]
fn progress_notifications_follow_the_clients_token() {
    let env = Env::new();
    answer(&env, "r1", "ok");
    let mut mcp = env.raw();
    mcp.initialize(false);
    mcp.send(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "_meta": {"progressToken": "tok-1"}, "name": "codex", "arguments": {"prompt": "hi"}}}),
    );
    let (before, result) = mcp.response(&json!(1));
    assert_eq!(result["result"]["content"][0]["text"], "ok");
    let progress: Vec<&Value> = before
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .collect();
    assert!(progress.len() >= 3, "{before:#?}");
    assert!(
        progress
            .iter()
            .all(|p| p["params"]["progressToken"] == "tok-1")
    );
    let values: Vec<f64> = progress
        .iter()
        .map(|p| p["params"]["progress"].as_f64().unwrap())
        .collect();
    assert!(
        values.windows(2).all(|w| w[0] < w[1]),
        "progress must increase: {values:?}"
    );
    assert_eq!(
        progress.last().unwrap()["params"]["message"],
        "task_complete"
    );
}

#[test]
fn codex_reply_continues_the_conversation_with_its_history() {
    let env = Env::new();
    answer(&env, "r1", "first answer");
    answer(&env, "r2", "second answer");
    let mut mcp = env.raw();
    mcp.initialize(false);
    let (_, first) = mcp.call(1, "codex", &json!({"prompt": "first question"}));
    let thread = thread_id(&first);
    let (before, second) = mcp.call(
        2,
        "codex-reply",
        &json!({"threadId": thread, "prompt": "second question"}),
    );
    assert_eq!(second["result"]["content"][0]["text"], "second answer");
    assert_eq!(thread_id(&second), thread);
    assert!(!event_types(&before).contains(&"session_configured".to_owned()));

    let requests = env.server.requests();
    assert_eq!(requests.len(), 2);
    let body = requests[1].body_json().to_string();
    for text in ["first question", "first answer", "second question"] {
        assert!(
            body.contains(text),
            "the second request lacks {text:?}: {body}"
        );
    }
}

#[test]
fn codex_reply_after_a_restart_resumes_the_session_from_its_rollout() {
    let env = Env::new();
    answer(&env, "r1", "remembered answer");
    answer(&env, "r2", "after restart");
    let mut mcp = env.raw();
    mcp.initialize(false);
    let (_, first) = mcp.call(1, "codex", &json!({"prompt": "remember this"}));
    let thread = thread_id(&first);
    assert!(mcp.finish().success());

    let mut mcp = env.raw();
    mcp.initialize(false);
    // The older argument name is still accepted.
    let (before, second) = mcp.call(
        1,
        "codex-reply",
        &json!({"conversationId": thread, "prompt": "and now?"}),
    );
    assert_eq!(
        second["result"]["content"][0]["text"], "after restart",
        "{second:#}"
    );
    assert_eq!(thread_id(&second), thread);
    assert_eq!(
        event_types(&before).first().map(String::as_str),
        Some("session_configured")
    );
    let body = env.server.requests()[1].body_json().to_string();
    assert!(
        body.contains("remember this") && body.contains("remembered answer"),
        "{body}"
    );
}

/// A turn that fails (here the model server's 500) leaves a session the client can go on
/// with: the error result names it.
#[test]
fn a_failed_turn_names_its_thread_for_codex_reply() {
    let env = Env::new();
    env.server.push(MockResponse::status(500));
    answer(&env, "r2", "better now");
    let mut mcp = env.raw();
    mcp.initialize(false);
    let (_, failed) = mcp.call(1, "codex", &json!({"prompt": "try"}));
    assert_eq!(failed["result"]["isError"], true, "{failed:#}");
    let thread = thread_id(&failed);
    let text = failed["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("the turn failed: ") && text.contains(&thread),
        "{text}"
    );
    let (_, again) = mcp.call(
        2,
        "codex-reply",
        &json!({"threadId": thread, "prompt": "try again"}),
    );
    assert_eq!(again["result"]["isError"], false, "{again:#}");
    assert_eq!(
        again["result"]["structuredContent"]["content"],
        "better now"
    );
}

#[test]
fn codex_reply_to_an_unknown_session_is_an_error_result() {
    let env = Env::new();
    let mut mcp = env.raw();
    mcp.initialize(false);
    let (_, result) = mcp.call(
        1,
        "codex-reply",
        &json!({"threadId": "0199a213-81c0-7800-8aa1-bbab2a035a53", "prompt": "hi"}),
    );
    assert_eq!(result["result"]["isError"], true);
    let text = result["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Session not found for thread_id: 0199a213"),
        "{text}"
    );
    let (_, result) = mcp.call(2, "codex-reply", &json!({"prompt": "hi"}));
    assert_eq!(
        result["result"]["content"][0]["text"],
        "either threadId or conversationId must be provided"
    );
}

#[test]
fn concurrent_calls_run_as_separate_conversations() {
    let env = Env::new();
    answer(&env, "r1", "same");
    answer(&env, "r2", "same");
    let mut mcp = env.raw();
    mcp.initialize(false);
    for id in [1, 2] {
        mcp.send(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "codex", "arguments": {"prompt": format!("call {id}")}}}));
    }
    let mut threads = Vec::new();
    for _ in 0..2 {
        let (_, result) = mcp.until(|m| m.get("result").is_some() && m["id"] != 0);
        threads.push(thread_id(&result));
    }
    assert_ne!(threads[0], threads[1]);
}

#[test]
fn call_options_and_startup_flags_reach_the_model_request() {
    let env = Env::new();
    answer(&env, "r1", "ok");
    let mut cmd = env.command();
    cmd.args(["-c", "model=gpt-5-from-flag"]);
    let mut mcp = super::harness::Raw::spawn(cmd);
    mcp.initialize(false);
    let (_, result) = mcp.call(
        1,
        "codex",
        &json!({"prompt": "hi", "developer-instructions": "be terse",
                "config": {"model_reasoning_effort": "low"}}),
    );
    assert_eq!(result["result"]["isError"], false, "{result:#}");
    let body = env.server.single_request().body_json();
    assert_eq!(body["model"], "gpt-5-from-flag");
    assert_eq!(body["reasoning"]["effort"], "low", "{body}");
    assert!(body.to_string().contains("be terse"), "{body}");
}
