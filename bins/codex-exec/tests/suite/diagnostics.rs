//! What a person sees of the libraries' diagnostics: retries they wait on, and `RUST_LOG`
//! records on stderr, never mixed into the `--json` stream.

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed};

use super::harness::Env;

fn failing_then_answering(env: &Env) {
    env.server.push(MockResponse::status(500));
    env.server.push(MockResponse::status(502));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "made it"),
        ev_completed("r"),
    ]));
}

#[test]
fn retried_requests_are_shown_with_the_wait_and_the_reason() {
    let env = Env::new();
    failing_then_answering(&env);
    let out = env
        .exec()
        .args(["-c", "model_providers.mock.request_max_retries=3", "go"])
        .assert()
        .success()
        .stdout("made it\n");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let retries: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("retrying in "))
        .collect();
    assert_eq!(retries.len(), 2, "{stderr}");
    assert!(
        retries[0].contains("(1/3)") && retries[0].contains("500"),
        "{stderr}"
    );
    assert!(
        retries[1].contains("(2/3)") && retries[1].contains("502"),
        "{stderr}"
    );
    assert_eq!(env.server.request_count(), 3);
}

#[test]
fn rust_log_reaches_stderr_and_json_stdout_stays_pure() {
    let env = Env::new();
    failing_then_answering(&env);
    let out = env
        .exec()
        .env("RUST_LOG", "debug")
        .args([
            "-c",
            "model_providers.mock.request_max_retries=3",
            "--json",
            "go",
        ])
        .assert()
        .success();
    let output = out.get_output();
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    for line in stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
    }
    assert!(stdout.contains("made it"), "{stdout}");
    // The retry notices are for people: the JSON stream is Codex's, unchanged.
    assert!(!stdout.contains("retrying"), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("model request failed") && stderr.contains("WARN"),
        "{stderr}"
    );
    assert!(
        stderr.contains("DEBUG"),
        "debug records shown with RUST_LOG=debug: {stderr}"
    );
}

#[test]
fn without_rust_log_only_warnings_are_shown() {
    let env = Env::new();
    failing_then_answering(&env);
    let out = env
        .exec()
        .env_remove("RUST_LOG")
        .args([
            "-c",
            "model_providers.mock.request_max_retries=3",
            "--json",
            "go",
        ])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(stderr.contains("WARN"), "{stderr}");
    assert!(!stderr.contains("DEBUG"), "{stderr}");
}
