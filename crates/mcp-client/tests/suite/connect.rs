use std::collections::BTreeMap;
use std::time::Duration;

use codex_config::{McpSandboxMode, McpServerConfig, McpServerTransportConfig};
use codex_mcp_client::{LaunchContext, McpConnectionManager, McpStartupStatus};
use codex_test_support::mcp::{HttpMcpServer, write_mcp_test_server};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

fn stdio(script: &std::path::Path, extra: &[&str]) -> McpServerConfig {
    let mut args = vec![script.display().to_string()];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    McpServerConfig {
        transport: McpServerTransportConfig::Stdio {
            command: "python3".into(),
            args,
            env: BTreeMap::new(),
            env_vars: Vec::new(),
            cwd: None,
            sandbox: McpSandboxMode::DangerFullAccess,
            network: false,
        },
        startup_timeout_sec: Some(30.0),
        tool_timeout_sec: Some(1.0),
        enabled: true,
        required: false,
        enabled_tools: None,
        disabled_tools: Vec::new(),
        oauth: codex_config::McpOAuthConfig::default(),
    }
}

fn http(url: &str, token_var: Option<&str>) -> McpServerConfig {
    McpServerConfig {
        transport: McpServerTransportConfig::StreamableHttp {
            url: url.to_owned(),
            bearer_token: None,
            bearer_token_env_var: token_var.map(str::to_owned),
            http_headers: BTreeMap::new(),
            env_http_headers: BTreeMap::new(),
        },
        startup_timeout_sec: Some(30.0),
        tool_timeout_sec: Some(5.0),
        enabled: true,
        required: false,
        enabled_tools: None,
        disabled_tools: Vec::new(),
        oauth: codex_config::McpOAuthConfig::default(),
    }
}

async fn start(
    servers: BTreeMap<String, McpServerConfig>,
) -> (
    std::sync::Arc<McpConnectionManager>,
    Vec<codex_mcp_client::McpStartupUpdate>,
) {
    let ctx = LaunchContext {
        cwd: std::env::temp_dir(),
        ..LaunchContext::default()
    };
    let (manager, mut rx) = McpConnectionManager::start(&servers, ctx);
    let mut updates = Vec::new();
    let mut settled = 0;
    while settled < servers.len() {
        let update = rx.recv().await.unwrap();
        if update.status != McpStartupStatus::Starting {
            settled += 1;
        }
        updates.push(update);
    }
    (manager, updates)
}

#[tokio::test(flavor = "multi_thread")]
async fn stdio_server_tools_results_errors_timeouts_and_resources() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_mcp_test_server(dir.path());
    let mut config = stdio(&script, &[]);
    config.disabled_tools = vec!["probe".into()];
    let (manager, updates) = start(BTreeMap::from([("py".to_owned(), config)])).await;
    assert_eq!(
        updates.last().unwrap().status,
        McpStartupStatus::Ready {
            tools: 6,
            sandbox: None
        }
    );
    let names: Vec<String> = manager
        .tools()
        .into_iter()
        .map(|t| t.qualified_name)
        .collect();
    assert_eq!(
        names,
        [
            "mcp__py__add",
            "mcp__py__echo",
            "mcp__py__image",
            "mcp__py__fail",
            "mcp__py__slow",
            "mcp__py__crash"
        ]
    );
    assert_eq!(
        manager.resolve("mcp__py__add").await,
        Some(("py".to_owned(), "add".to_owned()))
    );
    assert_eq!(manager.resolve("mcp__py__probe").await, None);

    let args = |v: Value| v.as_object().cloned();
    let added = manager
        .call_tool("py", "add", args(json!({"a": 20, "b": 22})))
        .await
        .unwrap();
    assert_eq!(added["structuredContent"], json!({"result": 42}));
    assert_eq!(added["content"], json!([{"type": "text", "text": "42"}]));

    let image = manager.call_tool("py", "image", None).await.unwrap();
    assert_eq!(image["content"][0]["type"], "image");
    assert_eq!(image["content"][0]["mimeType"], "image/png");

    let failed = manager.call_tool("py", "fail", None).await.unwrap();
    assert_eq!(failed["isError"], true);
    assert!(
        failed["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("this tool always fails")
    );

    let slow = manager
        .call_tool("py", "slow", args(json!({"seconds": 5})))
        .await
        .unwrap_err();
    assert_eq!(
        slow.message,
        "tool call error: tool call failed for `py/slow`: timed out awaiting tools/call after 1s"
    );
    // The server still answers after a timed-out call.
    let echo = manager
        .call_tool("py", "echo", args(json!({"text": "hi"})))
        .await
        .unwrap();
    assert_eq!(echo["content"][0]["text"], "HI");

    let resources = manager.list_resources("py", None, false).await.unwrap();
    assert_eq!(resources["resources"][0]["uri"], "res://greeting");
    let templates = manager.list_resources("py", None, true).await.unwrap();
    assert_eq!(
        templates["resourceTemplates"][0]["uriTemplate"],
        "res://item/{item_id}"
    );
    let read = manager.read_resource("py", "res://greeting").await.unwrap();
    assert_eq!(read["contents"][0]["text"], "hello from a resource");

    let crashed = manager.call_tool("py", "crash", None).await.unwrap_err();
    assert!(
        crashed
            .message
            .starts_with("tool call error: tool call failed for `py/crash`"),
        "{crashed:?}"
    );
    let after = manager
        .call_tool("py", "echo", args(json!({"text": "x"})))
        .await;
    assert!(after.is_err(), "{after:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn http_server_needs_the_right_bearer_token() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_mcp_test_server(dir.path());
    let server = HttpMcpServer::start(&script, Some("s3cret"));
    // Tokens are given inline: setting a variable would change this process's environment.
    let mut servers = BTreeMap::new();
    servers.insert("none".to_owned(), http(&server.url, None));
    let mut with_token = http(&server.url, None);
    if let McpServerTransportConfig::StreamableHttp { bearer_token, .. } = &mut with_token.transport
    {
        *bearer_token = Some("s3cret".into());
    }
    servers.insert("good".to_owned(), with_token);
    let mut wrong = http(&server.url, None);
    if let McpServerTransportConfig::StreamableHttp { bearer_token, .. } = &mut wrong.transport {
        *bearer_token = Some("nope".into());
    }
    servers.insert("wrong".to_owned(), wrong);
    let (manager, updates) = start(servers).await;
    let status = |name: &str| {
        updates
            .iter()
            .rev()
            .find(|u| u.server == name)
            .unwrap()
            .status
            .clone()
    };
    assert_eq!(
        status("good"),
        McpStartupStatus::Ready {
            tools: 7,
            sandbox: None
        }
    );
    for name in ["none", "wrong"] {
        let McpStartupStatus::Failed { error } = status(name) else {
            panic!("{name} should fail: {updates:?}");
        };
        assert!(
            error.starts_with(&format!(
                "MCP client for `{name}` failed to start: handshaking with MCP server failed:"
            )),
            "{error}"
        );
        assert!(error.contains("401"), "{error}");
    }
    let added = manager
        .call_tool("good", "add", json!({"a": 1, "b": 2}).as_object().cloned())
        .await
        .unwrap();
    assert_eq!(added["structuredContent"], json!({"result": 3}));
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_are_reported_and_slow_servers_do_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_mcp_test_server(dir.path());
    let mut hang = stdio(&script, &["--startup-delay", "30"]);
    hang.startup_timeout_sec = Some(0.5);
    let mut missing = stdio(&script, &[]);
    if let McpServerTransportConfig::Stdio { command, .. } = &mut missing.transport {
        *command = "/nonexistent/mcp-server".into();
    }
    let slow = stdio(&script, &["--startup-delay", "2"]);
    let servers = BTreeMap::from([
        ("hang".to_owned(), hang),
        ("missing".to_owned(), missing),
        ("slow".to_owned(), slow),
    ]);
    let ctx = LaunchContext::default();
    let started = std::time::Instant::now();
    let (manager, mut rx) = McpConnectionManager::start(&servers, ctx);
    // Returned before the slow server (2 s) could be up: starting does not wait for servers.
    // Not a speed check: the margin is wide so a loaded machine cannot fail it.
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert!(manager.tools().is_empty());
    let mut failures = BTreeMap::new();
    while failures.len() < 2 {
        let update = rx.recv().await.unwrap();
        if let McpStartupStatus::Failed { error } = update.status {
            failures.insert(update.server, error);
        }
    }
    assert_eq!(
        failures["hang"],
        "MCP client for `hang` timed out after 0.5 seconds. Add or adjust `startup_timeout_sec` in your config.toml:\n[mcp_servers.hang]\nstartup_timeout_sec = XX"
    );
    assert_eq!(
        failures["missing"],
        "MCP client for `missing` failed to start: No such file or directory (os error 2)"
    );
    // A call to the slow server waits for it instead of failing.
    assert_eq!(
        manager.resolve("mcp__slow__echo").await,
        Some(("slow".to_owned(), "echo".to_owned()))
    );
    assert_eq!(manager.tools().len(), 7);
}

#[tokio::test(flavor = "multi_thread")]
async fn hashed_names_resolve_even_while_their_server_starts() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_mcp_test_server(dir.path());
    let long = "a_server_name_long_enough_that_its_tool_names_get_hashed_x";
    let servers = BTreeMap::from([(long.to_owned(), stdio(&script, &[]))]);
    let (manager, _updates) = McpConnectionManager::start(&servers, LaunchContext::default());
    let name = codex_mcp_client::qualified_tool_name(long, "echo");
    assert_eq!(name.len(), 64);
    // Asked before the server is ready: the call waits for it instead of failing.
    assert_eq!(
        manager.resolve(&name).await,
        Some((long.to_owned(), "echo".to_owned()))
    );
    assert_eq!(manager.resolve("mcp__other__echo").await, None);
}
