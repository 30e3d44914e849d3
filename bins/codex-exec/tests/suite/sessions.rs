//! Sessions across runs: what resume restores, and errors a user can act on.

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_completed_with_usage};
use std::os::unix::fs::PermissionsExt;

use predicates::prelude::*;

use super::harness::Env;

fn answer(env: &Env, text: &str) {
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", text),
        ev_completed("r"),
    ]));
}

/// Resume brings back the history, not the settings: the run follows today's config and flags,
/// as Codex's resume does.
#[test]
fn resume_continues_on_todays_model_not_the_recorded_one() {
    let env = Env::new();
    answer(&env, "one");
    answer(&env, "two");
    answer(&env, "three");
    env.exec()
        .args(["-m", "recorded-model", "first"])
        .assert()
        .success();
    env.exec()
        .args(["resume", "--last", "second"])
        .assert()
        .success();
    env.exec()
        .args(["-m", "override-model", "resume", "--last", "third"])
        .assert()
        .success();
    let requests = env.server.requests();
    let models: Vec<String> = requests
        .iter()
        .map(|r| r.body_json()["model"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(models, ["recorded-model", "mock-model", "override-model"]);
    // Each resumed request carries the conversation so far.
    let last = requests[2].body_json().to_string();
    for earlier in ["first", "one", "second", "two", "third"] {
        assert!(last.contains(earlier), "{earlier} missing from {last}");
    }
}

/// Resumed with other settings, the model is told the new ones (a fresh environment context
/// after the old), and the token total goes on from what the session had used, as Codex's
/// resume restores it.
#[test]
fn resume_with_other_settings_tells_the_model_and_keeps_the_token_total() {
    let env = Env::new();
    for (text, input, output) in [("one", 100, 20), ("two", 30, 5)] {
        env.server.push(MockResponse::sse(&[
            ev_assistant_message("m", text),
            ev_completed_with_usage("r", input, 0, output, 0),
        ]));
    }
    env.exec()
        .args(["-s", "read-only", "first"])
        .assert()
        .success();
    let second = env
        .exec()
        .args(["-s", "workspace-write", "resume", "--last", "second"])
        .output()
        .unwrap();
    assert!(second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("tokens used: 155"), "{stderr}");
    let body = env.server.requests()[1].body_json().to_string();
    let contexts: Vec<&str> = body.split("<environment_context>").skip(1).collect();
    assert_eq!(contexts.len(), 2, "{body}");
    assert!(contexts[0].contains("<sandbox_mode>read-only"), "{body}");
    assert!(
        contexts[1].contains("<sandbox_mode>workspace-write"),
        "{body}"
    );
    assert!(
        body.find("first").unwrap() < body.rfind("<environment_context>").unwrap()
            && body.rfind("<environment_context>").unwrap() < body.find("second").unwrap(),
        "the new context comes between the old turns and the new prompt: {body}"
    );

    // Resumed again with the same settings: nothing new to tell.
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "three"),
        ev_completed("r"),
    ]));
    env.exec()
        .args(["-s", "workspace-write", "resume", "--last", "third"])
        .assert()
        .success();
    let body = env.server.requests()[2].body_json().to_string();
    assert_eq!(body.matches("<environment_context>").count(), 2, "{body}");
}

/// A session recorded with one provider continues with the provider configured now (here a
/// Chat Completions server instead of the Responses one), history included, under the same
/// thread id.
#[test]
fn resume_by_id_moves_to_the_provider_configured_now() {
    use codex_test_support::chat::chat_text_response;
    let env = Env::new();
    answer(&env, "recorded answer");
    let first = env
        .exec()
        .args(["--json", "remember the number 41"])
        .assert()
        .success();
    let first = String::from_utf8(first.get_output().stdout.clone()).unwrap();
    let started: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    let thread_id = started["thread_id"].as_str().unwrap().to_owned();

    let chat = codex_test_support::MockServer::start();
    chat.push(MockResponse::sse_body(chat_text_response("it was 41")));
    let second = env
        .exec()
        .args([
            "-c",
            "model_provider=chatty",
            "-c",
            &format!(
                "model_providers.chatty={{name=\"chatty\", base_url=\"{}\", wire_api=\"chat\", request_max_retries=0, stream_max_retries=0}}",
                chat.base_url()
            ),
            "--json",
            "resume",
            &thread_id,
            "what was the number?",
        ])
        .assert()
        .success();
    let second = String::from_utf8(second.get_output().stdout.clone()).unwrap();
    let resumed: serde_json::Value = serde_json::from_str(second.lines().next().unwrap()).unwrap();
    assert_eq!(resumed["type"], "thread.started");
    assert_eq!(resumed["thread_id"], thread_id.as_str());
    assert!(second.contains("it was 41"), "{second}");

    assert_eq!(
        env.server.request_count(),
        1,
        "the old provider is not asked again"
    );
    let request = chat.single_request();
    assert_eq!(request.path, "/v1/chat/completions");
    let body = request.body_json().to_string();
    assert!(body.contains("remember the number 41"), "{body}");
    assert!(body.contains("recorded answer"), "{body}");
    assert!(body.contains("what was the number?"), "{body}");
}

#[test]
fn unknown_session_id_is_a_clear_error() {
    let env = Env::new();
    env.exec()
        .args(["resume", "0199ffff-0000-7000-8000-000000000000", "hi"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("0199ffff"));
    assert_eq!(env.server.request_count(), 0);
}

#[test]
fn prompts_are_saved_to_history_jsonl() {
    let env = Env::new();
    answer(&env, "ok");
    env.exec().arg("remember me").assert().success();
    let history = std::fs::read_to_string(env.home.path().join("history.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert_eq!(line["text"], "remember me");
    assert!(line["session_id"].as_str().is_some_and(|s| s.len() == 36));
    let mode = std::fs::metadata(env.home.path().join("history.jsonl"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}
