//! Bounds on what a model can make one turn do: the request ceiling, the turn deadline,
//! repeated call ids, too many calls, oversized arguments and plans, and visible reconnects.

use std::time::{Duration, Instant};

use codex_test_support::MockResponse;
use codex_test_support::responses::{
    ev_assistant_message, ev_completed, ev_function_call, ev_response_created,
};
use serde_json::{Value, json};

use super::harness::Env;

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn shell_call(call_id: &str, script: &str) -> Value {
    ev_function_call(
        call_id,
        "shell",
        &json!({"command": ["bash", "-c", script]}).to_string(),
    )
}

/// A model that answers every tool result with another call.
fn endless_calls(env: &Env, n: usize) {
    for i in 0..n {
        env.server.push(MockResponse::sse(&[
            shell_call(&format!("c{i}"), "true"),
            ev_completed(&format!("r{i}")),
        ]));
    }
}

/// Regression: a looping server ran 769 requests in two minutes with nothing to stop it.
#[test]
fn the_request_ceiling_stops_a_looping_model_with_its_exit_status() {
    let env = Env::new();
    endless_calls(&env, 10);
    let out = env
        .exec()
        .args(["--max-turns", "3", "loop"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("stopped after 3 model requests in this turn, the limit (limits.max_turns"),
        "{stderr}"
    );
    assert_eq!(
        env.server.request_count(),
        3,
        "nothing is sent past the limit"
    );
    let workspace = env.ws().display().to_string();
    insta::with_settings!({filters => vec![
        (workspace.as_str(), "[WORKSPACE]"),
        (r"session id: [0-9a-f-]{36}", "session id: [ID]"),
        (r"codex-exec \d+\.\d+\.\d+", "codex-exec [VERSION]"),
        (r"in \d+ms", "in [N]ms"),
    ]}, {
        insta::assert_snapshot!(stderr);
    });

    // The same ceiling from config.toml's [limits], and its code in --json.
    let env = Env::new();
    endless_calls(&env, 10);
    let out = env
        .exec()
        .args(["--json", "-c", "limits.max_turns=2", "loop"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let lines = json_lines(&out.stdout);
    let failed = lines.iter().find(|l| l["type"] == "turn.failed").unwrap();
    assert_eq!(failed["error"]["code"], "max_turns", "{failed}");
    assert_eq!(env.server.request_count(), 2);
}

#[test]
fn the_turn_deadline_ends_a_stalled_turn_with_its_exit_status() {
    let env = Env::new();
    env.server
        .push(MockResponse::sse_then_hang(&[ev_response_created("r1")]));
    let start = Instant::now();
    let out = env
        .exec()
        .args(["--json", "--timeout", "1", "hang"])
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(6), "{elapsed:?}");
    assert_eq!(out.status.code(), Some(3));
    let lines = json_lines(&out.stdout);
    let failed = lines.iter().find(|l| l["type"] == "turn.failed").unwrap();
    assert_eq!(failed["error"]["code"], "turn_timeout", "{failed}");
    assert!(
        failed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ran out of time after 1 s"),
        "{failed}"
    );
}

/// Regression: two calls with one call_id both ran and both answered under that id.
#[test]
fn a_repeated_call_id_is_refused_and_the_model_told() {
    let env = Env::new();
    env.server.push(MockResponse::sse(&[
        shell_call("c1", "echo first >> log"),
        shell_call("c1", "echo second >> log"),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "ok"),
        ev_completed("r2"),
    ]));
    let out = env
        .exec()
        .args(["-s", "workspace-write", "twice"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(env.ws().join("log")).unwrap(),
        "first\n"
    );
    let second = &env.server.requests()[1];
    let refused = second.function_call_output_text("c1~2").unwrap();
    assert!(
        refused.contains("call_id `c1` was already used"),
        "{refused}"
    );
    assert!(
        second
            .function_call_output_text("c1")
            .unwrap()
            .contains("\"exit_code\":0")
    );
    assert!(
        stderr.contains("refused tool calls from the model (1 with a call_id used before)"),
        "{stderr}"
    );
    assert!(
        env.server.problems().is_empty(),
        "{:?}",
        env.server.problems()
    );
}

/// Regression: 500 calls in one response all ran, in series.
#[test]
fn calls_beyond_the_bound_are_answered_with_an_error() {
    let env = Env::new();
    let mut events: Vec<Value> = (0..50)
        .map(|i| shell_call(&format!("c{i}"), "echo x >> log"))
        .collect();
    events.push(ev_completed("r1"));
    env.server.push(MockResponse::sse(&events));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "ok"),
        ev_completed("r2"),
    ]));
    let out = env
        .exec()
        .args([
            "-s",
            "workspace-write",
            "-c",
            "limits.max_tool_calls_per_response=3",
            "many",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(env.ws().join("log")).unwrap(),
        "x\n".repeat(3)
    );
    let second = &env.server.requests()[1];
    let refused = second.function_call_output_text("c49").unwrap();
    assert!(refused.contains("more than 3 tool calls"), "{refused}");
    assert!(stderr.contains("47 beyond the 3 per response"), "{stderr}");
}

/// Regression: 20 MB of arguments were sent back with every later request; a 10,000-step
/// plan was printed whole.
#[test]
fn oversized_arguments_and_plans_are_refused() {
    let env = Env::new();
    let big = json!({"command": ["echo", "y".repeat(200_000)]}).to_string();
    let plan = json!({"plan": (0..500).map(|i| json!({"step": format!("step {i}"), "status": "pending"})).collect::<Vec<_>>()});
    env.server.push(MockResponse::sse(&[
        ev_function_call("big", "shell", &big),
        ev_function_call("plan", "update_plan", &plan.to_string()),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "ok"),
        ev_completed("r2"),
    ]));
    let out = env
        .exec()
        .args(["-c", "limits.max_tool_argument_bytes=100000", "big"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let second = &env.server.requests()[1];
    let refused = second.function_call_output_text("big").unwrap();
    assert!(
        refused.contains("more than the 100000 allowed for one call"),
        "{refused}"
    );
    assert!(
        second.body.len() < 50_000,
        "the arguments were sent back: {} bytes",
        second.body.len()
    );
    let plan_answer = second.function_call_output_text("plan").unwrap();
    assert!(
        plan_answer.contains("plan rejected: it has 500 steps, more than the 100 allowed"),
        "{plan_answer}"
    );
}

/// A plan within the bound but long is shown short to people.
#[test]
fn a_long_plan_is_shown_short() {
    let env = Env::new();
    let plan = json!({"plan": (0..90).map(|i| json!({"step": format!("step {i}"), "status": "pending"})).collect::<Vec<_>>()});
    env.server.push(MockResponse::sse(&[
        ev_function_call("plan", "update_plan", &plan.to_string()),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "ok"),
        ev_completed("r2"),
    ]));
    let out = env.exec().arg("plan").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[ ] step 19\n  ... 70 more steps"),
        "{stderr}"
    );
    assert!(!stderr.contains("step 20"), "{stderr}");
}

/// Each stream reconnect is shown with its wait and its reason.
#[test]
fn reconnects_are_shown_with_their_reason() {
    let env = Env::new();
    env.server
        .push(MockResponse::sse_then_disconnect(&[ev_response_created(
            "r1",
        )]));
    env.server
        .push(MockResponse::sse_then_disconnect(&[ev_response_created(
            "r2",
        )]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m3", "made it"),
        ev_completed("r3"),
    ]));
    let out = env
        .exec()
        .args(["-c", "model_providers.mock.stream_max_retries=2", "flaky"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for n in ["1/2", "2/2"] {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&format!("Reconnecting... {n} in ")))
            .unwrap_or_else(|| panic!("no reconnect line {n}: {stderr}"));
        assert!(line.contains("the response stream"), "{line}");
    }
}

/// A model that keeps calling tools, each response reporting `tokens` of usage (half input,
/// half output).
fn endless_costly_calls(env: &Env, n: usize, tokens: u64) {
    for i in 0..n {
        env.server.push(MockResponse::sse(&[
            shell_call(&format!("c{i}"), "true"),
            codex_test_support::responses::ev_completed_with_usage(
                &format!("r{i}"),
                tokens / 2,
                0,
                tokens / 2,
                0,
            ),
        ]));
    }
}

#[test]
fn the_token_cap_stops_the_run_before_the_request_past_it() {
    let env = Env::new();
    endless_costly_calls(&env, 10, 100);
    let out = env
        .exec()
        .args(["--json", "--max-tokens", "250", "loop"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    // 100, 200, 300 tokens after each response: the fourth request is never sent.
    assert_eq!(
        env.server.request_count(),
        3,
        "nothing is sent past the cap"
    );
    let lines = json_lines(&out.stdout);
    let n = lines.len();
    assert_eq!(lines[n - 2]["type"], "error", "{lines:?}");
    assert_eq!(lines[n - 1]["type"], "turn.failed", "{lines:?}");
    let error = &lines[n - 1]["error"];
    assert_eq!(error["code"], "budget_exceeded", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("used 300 tokens, reaching its cap of 250 (limits.max_tokens; --max-tokens)"),
        "{error}"
    );
}

#[test]
fn the_dollar_cap_prices_the_model_from_the_family_table_or_config() {
    // gpt-5 output costs $10 per million: 2,000 output tokens are $0.02 per response.
    let env = Env::new();
    endless_costly_calls(&env, 10, 4_000);
    let out = env
        .exec()
        .args(["-m", "gpt-5", "-c", "limits.max_spend_usd=0.05", "loop"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert_eq!(env.server.request_count(), 3, "{stderr}");
    assert!(
        stderr.contains("reaching its cap of $0.0500 (limits.max_spend_usd)"),
        "{stderr}"
    );

    // Prices in config.toml win over the table: at $1,000 per million the first response
    // already used the budget.
    let env = Env::new();
    endless_costly_calls(&env, 10, 4_000);
    env.home.append_config(
        "[limits]\nmax_spend_usd = 0.05\n[limits.prices]\ninput = 1000.0\noutput = 1000.0\n",
    );
    let out = env.exec().args(["-m", "gpt-5", "loop"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(env.server.request_count(), 1);

    // A dollar cap on a model without prices cannot be kept: refused before any request.
    let env = Env::new();
    let out = env
        .exec()
        .args(["-c", "limits.max_spend_usd=1", "loop"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("prices of model `mock-model` are unknown"),
        "{stderr}"
    );
    assert!(stderr.contains("[limits.prices]"), "{stderr}");
    assert_eq!(env.server.request_count(), 0);
}

#[test]
fn help_documents_the_exit_status_contract() {
    let env = Env::new();
    let out = env.exec().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    let contract = help
        .split_once("Exit status:")
        .unwrap_or_else(|| panic!("no exit status section: {help}"))
        .1;
    for line in [
        "0    the turn completed",
        "1    the turn failed",
        "2    usage error",
        "3    a turn limit ended the turn",
        "4    a spending cap was reached",
        "130  interrupted with Ctrl-C",
    ] {
        assert!(contract.contains(line), "missing `{line}`: {contract}");
    }
    // And 2 is what a usage error really exits with.
    let out = env.exec().arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_empty_model_is_a_usage_error_before_any_request() {
    let env = Env::new();
    for flag in ["-m", "--model"] {
        let out = env.exec().args([flag, "", "hello"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} \"\"");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--model <MODEL>"), "{err}");
    }
}
