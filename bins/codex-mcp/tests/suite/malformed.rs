//! Malformed JSON-RPC gets the right error code, and the server keeps serving.

use serde_json::json;

use super::harness::Env;

#[test]
fn malformed_input_is_answered_with_json_rpc_error_codes() {
    let env = Env::new();
    let mut mcp = env.raw();
    mcp.initialize(false);
    let cases = [
        ("{not json", json!(null), -32700),
        ("[]", json!(null), -32600),
        (r#"{"jsonrpc":"2.0","id":5}"#, json!(5), -32600),
        (
            r#"{"jsonrpc":"1.0","id":6,"method":"ping"}"#,
            json!(6),
            -32600,
        ),
        (
            r#"{"jsonrpc":"2.0","id":7,"method":"no/such/method"}"#,
            json!(7),
            -32601,
        ),
        (
            r#"{"jsonrpc":"2.0","id":"s8","method":"tools/call","params":{"name":5}}"#,
            json!("s8"),
            -32602,
        ),
        (
            r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":"nope"}"#,
            json!(9),
            -32602,
        ),
    ];
    for (line, id, code) in cases {
        mcp.send_line(line);
        let reply = mcp.next();
        assert_eq!(reply["id"], id, "{line} -> {reply}");
        assert_eq!(reply["error"]["code"], code, "{line} -> {reply}");
        assert_eq!(reply["jsonrpc"], "2.0");
    }
    // A second initialize is refused; the session goes on.
    mcp.send(&json!({"jsonrpc": "2.0", "id": 10, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}}));
    assert_eq!(mcp.next()["error"]["code"], -32600);
    // Tool-level problems are results the client shows, as Codex does.
    let (_, unknown) = mcp.call(11, "nope", &json!({}));
    assert_eq!(unknown["result"]["isError"], true);
    assert_eq!(
        unknown["result"]["content"][0]["text"],
        "Unknown tool 'nope'"
    );
    let (_, bad) = mcp.call(12, "codex", &json!({"prompt": "x", "sandbox": "wide-open"}));
    let text = bad["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Failed to parse configuration for Codex tool:"),
        "{text}"
    );
    mcp.send(
        &json!({"jsonrpc": "2.0", "id": 13, "method": "tools/call", "params": {"name": "codex"}}),
    );
    let missing = mcp.next();
    assert_eq!(
        missing["result"]["content"][0]["text"],
        "Missing arguments for codex tool-call; the `prompt` field is required."
    );
    mcp.send(&json!({"jsonrpc": "2.0", "id": 14, "method": "ping"}));
    assert_eq!(
        mcp.next(),
        json!({"jsonrpc": "2.0", "id": 14, "result": {}})
    );
    assert!(mcp.finish().success());
}

#[test]
fn a_request_then_end_of_input_still_gets_its_answer() {
    let env = Env::new();
    let output = env
        .command()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            writeln!(stdin, r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-06-18","capabilities":{{}},"clientInfo":{{"name":"x","version":"1"}}}}}}"#)?;
            writeln!(stdin, r#"{{"jsonrpc":"2.0","id":2,"method":"tools/list"}}"#)?;
            drop(stdin);
            child.wait_with_output()
        })
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "stdout carries the two answers only: {stdout}"
    );
    assert_eq!(lines[1]["result"]["tools"].as_array().unwrap().len(), 2);
}
