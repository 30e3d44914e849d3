//! The MCP Python SDK (v1 line) as the client: strict about message shapes and about
//! `structuredContent` matching the tool's `outputSchema`.

use std::process::Command;

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed};
use serde_json::Value;

use super::harness::Env;

#[test]
fn the_python_sdk_calls_the_codex_tool() {
    let env = Env::new();
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m1", "hello from the mock"),
        ev_completed("r1"),
    ]));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/codex_call.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_codex-mcp"))
        .arg("say hello")
        .env("CODEX_HOME", env.home.path())
        .env_remove("CODEX_API_KEY")
        .env_remove("OPENAI_API_KEY")
        .current_dir(env.ws())
        .output()
        .expect("python3 runs (scripts/install-test-deps.sh installs it and the mcp package)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the Python client failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["server"], "codex-mcp-server");
    assert_eq!(report["tools"], serde_json::json!(["codex", "codex-reply"]));
    assert_eq!(report["isError"], false);
    assert_eq!(report["text"][0], "hello from the mock");
    assert_eq!(report["structured"]["content"], "hello from the mock");
    assert!(
        report["structured"]["threadId"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
}

fn run_script(env: &Env, args: &[&str]) -> Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/python/editor_and_http.py"
    );
    let output = Command::new("python3")
        .arg(script)
        .args(args)
        .env("CODEX_HOME", env.home.path())
        .env_remove("CODEX_API_KEY")
        .env_remove("OPENAI_API_KEY")
        .current_dir(env.ws())
        .output()
        .expect("python3 runs (scripts/install-test-deps.sh installs it and the mcp package)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the Python client failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap()
}

#[test]
fn the_python_sdk_calls_editor_methods_and_gets_their_error_codes() {
    let env = Env::new();
    let report = run_script(&env, &["stdio", env!("CARGO_BIN_EXE_codex-mcp")]);
    assert!(
        report["conversationId"]
            .as_str()
            .is_some_and(|id| id.len() == 36),
        "{report:#}"
    );
    assert!(report["model"].is_string(), "{report:#}");
    assert_eq!(report["authMethod"], Value::Null);
    assert!(report["listed"].is_array(), "{report:#}");
    assert_eq!(report["flatItemCode"], -32602);
    assert_eq!(report["unknownMethodCode"], -32601);
}

#[test]
fn the_python_sdk_calls_the_codex_tool_over_http() {
    let env = Env::new();
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m1", "hello over http"),
        ev_completed("r1"),
    ]));
    let server = super::http::HttpServer::start(&env, None);
    let report = run_script(&env, &["http", &server.url, &server.token, "say hello"]);
    assert_eq!(report["server"], "codex-mcp-server");
    assert_eq!(report["tools"], serde_json::json!(["codex", "codex-reply"]));
    assert_eq!(report["isError"], false);
    assert_eq!(report["text"][0], "hello over http");
    assert_eq!(report["structured"]["content"], "hello over http");
    assert!(report["requiresOpenaiAuth"].is_boolean(), "{report:#}");
}
