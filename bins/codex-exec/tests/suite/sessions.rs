//! Sessions across runs: what resume restores, and errors a user can act on.

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed};
use std::os::unix::fs::PermissionsExt;

use predicates::prelude::*;

use super::harness::Env;

fn answer(env: &Env, text: &str) {
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", text),
        ev_completed("r"),
    ]));
}

#[test]
fn resume_restores_the_recorded_model_unless_overridden() {
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
    let models: Vec<String> = env
        .server
        .requests()
        .iter()
        .map(|r| r.body_json()["model"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        models,
        ["recorded-model", "recorded-model", "override-model"]
    );
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
