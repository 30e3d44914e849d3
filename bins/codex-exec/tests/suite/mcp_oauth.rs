//! `codex-exec` with an MCP server that asks for OAuth: it uses the sign-in stored in
//! `CODEX_HOME/.credentials.json` (here written in Codex's format, as Codex leaves it),
//! refreshes an expired token before the first request, and names the fix when nobody
//! signed in.

use std::time::{SystemTime, UNIX_EPOCH};

use codex_test_support::MockResponse;
use codex_test_support::oauth_mcp::OAuthMcpServer;
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use serde_json::{Value, json};

use super::harness::Env;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn config(server: &OAuthMcpServer) -> String {
    format!(
        "\n[mcp_servers.secure]\nurl = \"{}\"\nstartup_timeout_sec = 30\n",
        server.mcp_url()
    )
}

#[test]
fn exec_calls_a_protected_tool_with_the_stored_token_refreshed_first() {
    let env = Env::new();
    let server = OAuthMcpServer::start();
    let (access, refresh) = server.issue_tokens("client-7");
    env.home.append_config(&config(&server));
    // An expired entry as Codex writes it: no token endpoint, so the refresh discovers it.
    let file = env.home.path().join(".credentials.json");
    let entry = json!({
        "secure|0123456789abcdef": {
            "server_name": "secure", "server_url": server.mcp_url(), "client_id": "client-7",
            "access_token": access, "expires_at": now_ms() - 1000,
            "refresh_token": refresh, "scopes": ["mcp.tools"]
        }
    });
    std::fs::write(&file, entry.to_string()).unwrap();
    env.server.push(MockResponse::sse(&[
        ev_function_call("c1", "mcp__secure__whoami", "{}"),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "done"),
        ev_completed("r2"),
    ]));
    let out = env.exec().args(["--json", "who am I?"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");

    let requests = env.server.requests();
    assert_eq!(
        requests[1].function_call_output_text("c1").unwrap(),
        r#"[{"text":"signed in as client-7","type":"text"}]"#
    );
    let refreshes = server.grants("refresh_token");
    assert_eq!(refreshes.len(), 1);
    let fields = refreshes[0].fields();
    assert_eq!(fields["refresh_token"], refresh);
    assert_eq!(fields["client_id"], "client-7");
    assert_eq!(fields["resource"], server.mcp_url());
    let sent_expired = server
        .requests("/mcp")
        .iter()
        .any(|r| r.authorization.as_deref() == Some(&format!("Bearer {access}")));
    assert!(!sent_expired, "the expired token was refreshed before use");

    let stored: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entries = stored.as_object().unwrap();
    assert_eq!(entries.len(), 1, "{stored}");
    let entry = entries.values().next().unwrap();
    assert_ne!(entry["access_token"], access);
    assert_ne!(
        entry["refresh_token"], refresh,
        "the rotated refresh token is kept"
    );
    assert!(entry["expires_at"].as_u64().unwrap() > now_ms());
    assert_eq!(entry["token_endpoint"], server.token_endpoint());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn exec_without_a_sign_in_names_the_login_command() {
    let env = Env::new();
    let server = OAuthMcpServer::start();
    env.home.append_config(&config(&server));
    // The call waits for the server's start-up, so its failure is reported in this run.
    env.server.push(MockResponse::sse(&[
        ev_function_call("c1", "mcp__secure__whoami", "{}"),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "done"),
        ev_completed("r2"),
    ]));
    let out = env.exec().args(["--json", "hi"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "MCP client for `secure` failed to start: the server requires OAuth sign-in; run `codex mcp login secure`"
        ),
        "{stdout}"
    );
}
