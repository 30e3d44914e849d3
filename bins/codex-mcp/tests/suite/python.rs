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
