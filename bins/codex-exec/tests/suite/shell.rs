//! The shell tool end to end: commands really run, under the sandbox.

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use serde_json::json;

use super::harness::{Env, shell_output};

/// Scripts one shell call, then a final answer.
fn call_then_answer(env: &Env, call_id: &str, args: &serde_json::Value) {
    env.server.push(MockResponse::sse(&[
        ev_function_call(call_id, "shell", &args.to_string()),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "done"),
        ev_completed("r2"),
    ]));
}

#[test]
fn a_shell_call_creates_a_file_in_the_workspace() {
    let env = Env::new();
    call_then_answer(
        &env,
        "c1",
        &json!({"command": ["bash", "-lc", "echo made-by-agent > out.txt"]}),
    );
    env.exec()
        .args(["-s", "workspace-write", "make a file"])
        .assert()
        .success()
        .stdout("done\n");
    assert_eq!(
        std::fs::read_to_string(env.ws().join("out.txt")).unwrap(),
        "made-by-agent\n"
    );
    let requests = env.server.requests();
    assert_eq!(requests.len(), 2);
    let output = shell_output(&requests[1].function_call_output_text("c1").unwrap());
    assert_eq!(output["metadata"]["exit_code"], 0);
    assert!(
        env.server.problems().is_empty(),
        "{:?}",
        env.server.problems()
    );
}

#[test]
fn a_failing_command_reports_its_exit_code_to_the_model() {
    let env = Env::new();
    call_then_answer(
        &env,
        "c1",
        &json!({"command": ["bash", "-lc", "echo oops >&2; exit 3"]}),
    );
    env.exec().arg("fail please").assert().success();
    let output = shell_output(
        &env.server.requests()[1]
            .function_call_output_text("c1")
            .unwrap(),
    );
    assert_eq!(output["metadata"]["exit_code"], 3);
    assert!(output["output"].as_str().unwrap().contains("oops"));
}

#[test]
fn a_command_past_its_timeout_is_killed_with_exit_124() {
    let env = Env::new();
    call_then_answer(
        &env,
        "c1",
        &json!({"command": ["bash", "-lc", "sleep 5 & sleep 5; echo never"], "timeout_ms": 300}),
    );
    let start = std::time::Instant::now();
    env.exec().arg("wait").assert().success();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(4),
        "the process group was not killed"
    );
    let output = shell_output(
        &env.server.requests()[1]
            .function_call_output_text("c1")
            .unwrap(),
    );
    assert_eq!(output["metadata"]["exit_code"], 124);
    assert!(
        output["output"]
            .as_str()
            .unwrap()
            .starts_with("command timed out after 300 milliseconds")
    );
}

#[test]
fn commands_get_no_secrets_and_no_stdin() {
    let env = Env::new();
    call_then_answer(
        &env,
        "c1",
        &json!({"command": ["bash", "-lc", "echo \"key=[$MY_API_KEY] home=[$HOME]\"; cat; echo stdin-closed"]}),
    );
    env.exec()
        .env("MY_API_KEY", "sk-leak")
        .env("HOME", "/home/tester")
        .arg("env")
        .write_stdin("")
        .assert()
        .success();
    let output = shell_output(
        &env.server.requests()[1]
            .function_call_output_text("c1")
            .unwrap(),
    );
    let text = output["output"].as_str().unwrap();
    assert!(text.contains("key=[] home=[/home/tester]"), "{text}");
    assert!(text.contains("stdin-closed"), "{text}");
}

#[test]
fn unknown_tools_and_bad_arguments_still_get_an_output() {
    let env = Env::new();
    env.server.push(MockResponse::sse(&[
        ev_function_call("c1", "teleport", "{}"),
        ev_function_call("c2", "shell", "{not json"),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "ok"),
        ev_completed("r2"),
    ]));
    env.exec().arg("go").assert().success();
    let second = &env.server.requests()[1];
    assert_eq!(
        second.function_call_output_text("c1").as_deref(),
        Some("unsupported call: teleport")
    );
    assert!(
        second
            .function_call_output_text("c2")
            .unwrap()
            .contains("failed to parse the arguments of shell")
    );
    assert!(
        env.server.problems().is_empty(),
        "{:?}",
        env.server.problems()
    );
}
