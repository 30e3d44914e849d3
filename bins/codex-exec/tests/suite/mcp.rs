//! MCP servers end to end: `codex-exec` starts real MCP servers (the Python SDK, over stdio
//! and streamable HTTP), the mock model calls their tools, and the results reach the next
//! request and the `--json` stream.

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use codex_test_support::MockResponse;
use codex_test_support::mcp::{HttpMcpServer, write_mcp_test_server};
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use serde_json::{Value, json};

use super::harness::Env;

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn stdio_server(name: &str, script: &Path, extra: &str) -> String {
    format!(
        "\n[mcp_servers.{name}]\ncommand = \"python3\"\nargs = [\"{}\"]\nstartup_timeout_sec = 30\n{extra}\n",
        script.display()
    )
}

fn call(id: &str, name: &str, args: &Value) -> Value {
    ev_function_call(id, name, &args.to_string())
}

/// The `mcp_tool_call` items of a run, completed ones only, by tool.
fn completed_mcp_items(lines: &[Value]) -> Vec<Value> {
    lines
        .iter()
        .filter(|l| l["type"] == "item.completed" && l["item"]["type"] == "mcp_tool_call")
        .map(|l| l["item"].clone())
        .collect()
}

#[test]
fn stdio_and_http_tools_reach_the_model_and_the_json_stream() {
    let env = Env::new();
    let scripts = tempfile::tempdir().unwrap();
    let script = write_mcp_test_server(scripts.path());
    let http = HttpMcpServer::start(&script, Some("t0ken"));
    env.home.append_config(&format!(
        "{}\n[mcp_servers.web]\nurl = \"{}\"\nbearer_token_env_var = \"MCP_TEST_TOKEN\"\nstartup_timeout_sec = 30\n",
        stdio_server("py", &script, "tool_timeout_sec = 1"),
        http.url
    ));
    env.server.push(MockResponse::sse(&[
        call("c1", "mcp__py__add", &json!({"a": 20, "b": 22})),
        call("c2", "mcp__web__echo", &json!({"text": "hi"})),
        call("c3", "mcp__py__image", &json!({})),
        call("c4", "mcp__py__fail", &json!({})),
        call("c5", "mcp__py__slow", &json!({"seconds": 10})),
        call("c6", "list_mcp_resources", &json!({"server": "py"})),
        call(
            "c7",
            "read_mcp_resource",
            &json!({"server": "web", "uri": "res://greeting"}),
        ),
        call("c8", "mcp__py__nope", &json!({})),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "done"),
        ev_completed("r2"),
    ]));
    let out = env
        .exec()
        .env("MCP_TEST_TOKEN", "t0ken")
        .args(["--json", "use the tools"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let requests = env.server.requests();
    assert_eq!(requests.len(), 2);
    let second = &requests[1];
    let output = |id: &str| second.function_call_output_text(id).unwrap();
    assert_eq!(output("c1"), r#"{"result":42}"#);
    assert_eq!(output("c2"), r#"{"result":"HI"}"#);
    let image: Value = serde_json::from_str(&output("c3")).unwrap();
    assert_eq!(image[0]["type"], "image");
    assert_eq!(image[0]["mimeType"], "image/png");
    assert!(
        output("c4").contains("this tool always fails"),
        "{}",
        output("c4")
    );
    assert_eq!(
        output("c5"),
        "tool call error: tool call failed for `py/slow`: timed out awaiting tools/call after 1s"
    );
    let resources: Value = serde_json::from_str(&output("c6")).unwrap();
    assert_eq!(resources["server"], "py");
    assert_eq!(resources["resources"][0]["uri"], "res://greeting");
    assert_eq!(resources["resources"][0]["server"], "py");
    let read: Value = serde_json::from_str(&output("c7")).unwrap();
    assert_eq!(read["contents"][0]["text"], "hello from a resource");
    assert_eq!(output("c8"), "unsupported call: mcp__py__nope");

    // By the second request both servers are up: their tools are offered, sanitized.
    let tools = second.body_json()["tools"].clone();
    let add = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "mcp__py__add")
        .unwrap_or_else(|| panic!("mcp__py__add not offered: {tools}"));
    assert_eq!(
        add["parameters"],
        json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]})
    );
    assert_eq!(
        add["description"],
        "Adds two numbers.\n(Runs sandboxed: read-only, no network.)"
    );
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for expected in ["mcp__web__echo", "list_mcp_resources", "read_mcp_resource"] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }

    let lines = json_lines(&out.stdout);
    let items = completed_mcp_items(&lines);
    let by_tool = |tool: &str| {
        items
            .iter()
            .find(|i| i["tool"] == tool)
            .unwrap_or_else(|| panic!("no item for {tool}: {items:?}"))
            .clone()
    };
    let mut add_item = by_tool("add");
    add_item["id"] = json!("[ID]");
    assert_eq!(
        add_item,
        json!({"id": "[ID]", "type": "mcp_tool_call", "server": "py", "tool": "add", "arguments": {"a": 20, "b": 22},
               "result": {"content": [{"type": "text", "text": "42"}], "structured_content": {"result": 42}},
               "error": null, "status": "completed"})
    );
    let started = lines
        .iter()
        .find(|l| l["type"] == "item.started" && l["item"]["tool"] == "add")
        .unwrap();
    assert_eq!(started["item"]["status"], "in_progress");
    assert_eq!(started["item"]["result"], Value::Null);
    assert_eq!(by_tool("fail")["status"], "failed");
    assert!(by_tool("fail")["result"]["content"].is_array());
    let slow = by_tool("slow");
    assert_eq!(slow["status"], "failed");
    assert_eq!(slow["result"], Value::Null);
    assert!(
        slow["error"]["message"]
            .as_str()
            .unwrap()
            .contains("timed out awaiting tools/call after 1s")
    );
    assert_eq!(by_tool("list_mcp_resources")["server"], "py");
    assert_eq!(by_tool("read_mcp_resource")["server"], "web");
}

#[test]
fn failing_servers_are_reported_once_and_the_turn_goes_on() {
    let env = Env::new();
    let scripts = tempfile::tempdir().unwrap();
    let script = write_mcp_test_server(scripts.path());
    let http = HttpMcpServer::start(&script, Some("t0ken"));
    env.home.append_config(&format!(
        "{}\n[mcp_servers.missing]\ncommand = \"/nonexistent/mcp-server\"\n\n[mcp_servers.locked]\nurl = \"{}\"\nbearer_token_env_var = \"MCP_WRONG_TOKEN\"\n",
        stdio_server("py", &script, ""),
        http.url
    ));
    env.server.push(MockResponse::sse(&[
        call("c1", "mcp__py__crash", &json!({})),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        call("c2", "mcp__py__echo", &json!({"text": "again"})),
        ev_completed("r2"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m3", "done"),
        ev_completed("r3"),
    ]));
    let out = env
        .exec()
        .env("MCP_WRONG_TOKEN", "wrong")
        .args(["--json", "go"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let lines = json_lines(&out.stdout);
    let errors: Vec<&str> = lines
        .iter()
        .filter(|l| l["type"] == "error")
        .filter_map(|l| l["message"].as_str())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.contains(
        &"MCP client for `missing` failed to start: No such file or directory (os error 2)"
    ));
    let locked = errors
        .iter()
        .find(|e| {
            e.starts_with(
                "MCP client for `locked` failed to start: handshaking with MCP server failed:",
            )
        })
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert!(locked.contains("401"), "{locked}");
    let items = completed_mcp_items(&lines);
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items.iter().all(|i| i["status"] == "failed"), "{items:?}");
    let requests = env.server.requests();
    assert!(
        requests[1]
            .function_call_output_text("c1")
            .unwrap()
            .starts_with("tool call error: tool call failed for `py/crash`")
    );
    assert!(
        requests[2]
            .function_call_output_text("c2")
            .unwrap()
            .starts_with("tool call error: tool call failed for `py/echo`")
    );
}

#[test]
fn a_required_server_that_fails_fails_the_run() {
    let env = Env::new();
    env.home.append_config(
        "\n[mcp_servers.must]\ncommand = \"/nonexistent/mcp-server\"\nrequired = true\n",
    );
    let out = env.exec().args(["--json", "go"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let lines = json_lines(&out.stdout);
    let failed = lines.iter().find(|l| l["type"] == "turn.failed").unwrap();
    assert_eq!(
        failed["error"]["message"],
        "required MCP server `must` failed: MCP client for `must` failed to start: No such file or directory (os error 2)"
    );
    assert_eq!(env.server.request_count(), 0);
}

#[test]
fn a_slow_server_does_not_delay_the_first_request() {
    let env = Env::new();
    let scripts = tempfile::tempdir().unwrap();
    let script = write_mcp_test_server(scripts.path());
    env.home.append_config(&format!(
        "{}\n[mcp_servers.sleepy]\ncommand = \"python3\"\nargs = [\"{}\", \"--startup-delay\", \"60\"]\nstartup_timeout_sec = 120\n",
        stdio_server("fast", &script, ""),
        script.display()
    ));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m1", "hi"),
        ev_completed("r1"),
    ]));
    let started = Instant::now();
    let out = env.exec().args(["--json", "hello"]).output().unwrap();
    let elapsed = started.elapsed();
    assert!(out.status.success(), "{out:?}");
    // Waiting for the sleepy server would take a minute.
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    let first = env.server.single_request();
    let names: Vec<String> = first.body_json()["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with("mcp__sleepy__")),
        "{names:?}"
    );
}

#[test]
fn a_sandboxed_server_cannot_write_outside_or_connect_but_still_answers() {
    let env = Env::new();
    let scripts = tempfile::tempdir().unwrap();
    let script = write_mcp_test_server(scripts.path());
    let outside = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    env.home.append_config(&format!(
        "{}{}",
        stdio_server("boxed", &script, ""),
        stdio_server("free", &script, "sandbox = \"danger-full-access\"")
    ));
    let probe = |id: &str, server: &str, file: &str| {
        call(
            id,
            &format!("mcp__{server}__probe"),
            &json!({"path": outside.path().join(file), "port": port}),
        )
    };
    env.server.push(MockResponse::sse(&[
        probe("c1", "boxed", "boxed.txt"),
        probe("c2", "free", "free.txt"),
        call("c3", "mcp__boxed__add", &json!({"a": 1, "b": 2})),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "done"),
        ev_completed("r2"),
    ]));
    let out = env.exec().args(["probe"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mcp: `boxed` ready (7 tools, sandbox read-only)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mcp: `free` ready (7 tools, not sandboxed)"),
        "{stderr}"
    );
    let second = &env.server.requests()[1];
    let boxed = second.function_call_output_text("c1").unwrap();
    assert!(
        boxed.contains("write: denied") && boxed.contains("connect: denied"),
        "{boxed}"
    );
    let free = second.function_call_output_text("c2").unwrap();
    assert!(free.contains("write: ok; connect: ok"), "{free}");
    assert!(!outside.path().join("boxed.txt").exists());
    assert!(outside.path().join("free.txt").exists());
    assert_eq!(
        second.function_call_output_text("c3").unwrap(),
        r#"{"result":3}"#
    );
}
